using System.CommandLine;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Reporting;
using DefiRisk.Reporting.Registry;

namespace DefiRisk.Cli.Commands;

/// <summary><c>--report FILE</c> on <c>simulate</c>, <c>sweep</c> and <c>compare</c>: self-contained HTML, or Markdown for <c>.md</c>.</summary>
internal static class ReportOption
{
    public static Option<string?> Create() =>
        new("--report") { Description = "write a report: FILE.html (self-contained, inline SVG charts) or FILE.md (forum post)" };

    /// <summary>The parts every report shares: title, the snapshot, the assumptions actually simulated with.</summary>
    public static ReportInput Input(Snapshot snapshot, SimulationOptions options, string title) =>
        new(snapshot, ReportingRegistry.Parts)
        {
            Title = title,
            Assumptions = ReportAssumptions.From(snapshot, ReportingRegistry.Parts, options,
                $"{string.Join(", ", ReportingRegistry.Parts.Venues.Select(v => $"{v.PoolCount(snapshot)} {v.PoolsName}"))} at block {snapshot.Chain.BlockNumber} (no other liquidity)"),
        };

    public static void Write(string path, ReportInput input, bool quiet)
    {
        ReportWriter.Write(path, input);
        if (!quiet) Console.Error.WriteLine($"report written to {path}");
    }
}
