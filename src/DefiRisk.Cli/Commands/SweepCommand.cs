using System.CommandLine;
using System.Globalization;
using DefiRisk.Core;
using DefiRisk.Core.Analysis;
using Spectre.Console;

namespace DefiRisk.Cli.Commands;

/// <summary>
/// <c>defirisk sweep</c>: full cascades for a range of drops of one asset on a stored snapshot, and the smallest drop at
/// which the cascade sustains itself. --from/--to/--step are drops with the shocks' units (0% … 60% = 0 % … −60 %).
/// </summary>
internal static class SweepCommand
{
    internal sealed record SweepRequest(string Database, long? Block, string Asset, decimal FromDrop, decimal ToDrop, decimal StepDrop,
        long? StepSeconds = null, string? Market = null, PriceDynamics? Dynamics = null)
    {
        /// <summary>The appsettings.json defaults with <c>--step-seconds</c>, <c>--market</c> and the price dynamics applied.</summary>
        public SimulationOptions Options() => new SimulationInput.Overrides(StepSeconds: StepSeconds, Market: Market, Dynamics: Dynamics).Options();
    }

    public static Command Create(IAnsiConsole? console = null)
    {
        var db = SnapshotSource.DbOption();
        var block = SnapshotSource.BlockOption();
        var asset = new Option<string?>("--asset") { Description = "asset to shock (symbol or address)", Required = true };
        var from = new Option<string?>("--from") { Description = "first drop, e.g. 0% (default); 60% and -60% both mean a 60 % fall" };
        var to = new Option<string?>("--to") { Description = "last drop, e.g. 60% (default)" };
        var step = new Option<string?>("--step") { Description = "drop step, e.g. 5% (default)" };
        var fractions = ScenarioInput.FractionsOption();
        var json = Json.Option("the sweep");
        var quiet = new Option<bool>("--quiet", "-q") { Description = "print no tables or progress" };
        var report = ReportOption.Create();
        var assumptions = new SimulationInput();
        var command = new Command("sweep", "Sweep a price drop of one asset and find where the cascade sustains itself.")
            { db, block, asset, from, to, step, fractions, assumptions.StepSeconds, assumptions.Market, assumptions.RecoveryHalfLife, assumptions.Correlate, json, quiet, report };
        command.SetAction(parse =>
        {
            var given = assumptions.Read(parse);
            var request = new SweepRequest(
                SnapshotSource.ResolveDb(parse.GetValue(db)),
                SnapshotSource.ParseBlock(parse.GetValue(block)),
                parse.GetValue(asset)!,
                ScenarioInput.DropPercent(parse.GetValue(from) ?? "0%", "--from", parse.GetValue(fractions)),
                ScenarioInput.DropPercent(parse.GetValue(to) ?? "60%", "--to", parse.GetValue(fractions)),
                ScenarioInput.DropPercent(parse.GetValue(step) ?? "5%", "--step", parse.GetValue(fractions)),
                given.StepSeconds,
                given.Market,
                given.Dynamics);
            var jsonTarget = parse.GetValue(json);
            if (jsonTarget is not null) OutputFile.Check(jsonTarget, "--json");
            if (parse.GetValue(report) is { } r) OutputFile.Check(r, "--report");
            var output = console ?? AnsiConsole.Console;
            var silent = parse.GetValue(quiet) || jsonTarget == "-";
            var result = WithProgress(output, silent, request);
            if (jsonTarget is not null) Json.Write(result, jsonTarget);
            if (parse.GetValue(report) is { } reportPath)
            {
                var snapshot = SnapshotSource.Load(request.Database, request.Block);
                ReportOption.Write(reportPath, ReportOption.Input(snapshot, request.Options(), $"Shock sweep: {result.Symbol}") with
                {
                    Sweeps = [new DefiRisk.Reporting.SweepReport(result)],
                }, silent);
            }
            if (!silent) Render(output, result);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The drop levels as signed fractions (0 … 60 → 0, −0.05, … −0.60), validated.</summary>
    internal static IReadOnlyList<decimal> Levels(SweepRequest r)
    {
        foreach (var (v, name) in new[] { (r.FromDrop, "--from"), (r.ToDrop, "--to") })
            if (v < 0 || v >= 100) throw new DefiRiskException($"{name} {v.ToString(CultureInfo.InvariantCulture)}% must be a drop of at least 0% and below 100%");
        if (r.StepDrop <= 0) throw new DefiRiskException($"--step {r.StepDrop.ToString(CultureInfo.InvariantCulture)}% must be positive");
        var step = r.ToDrop >= r.FromDrop ? -r.StepDrop / 100m : r.StepDrop / 100m;
        return CascadeSimulator.Levels(-r.FromDrop / 100m, -r.ToDrop / 100m, step);
    }

    /// <summary>Runs the sweep level by level (fast path, compiled once), reporting each level done.</summary>
    internal static SweepResult Run(SweepRequest request, IProgress<(int Done, int Total)>? progress = null)
    {
        var snapshot = SnapshotSource.Load(request.Database, request.Block);
        var asset = snapshot.FindAsset(request.Asset) ?? throw new DefiRiskException($"--asset '{request.Asset}' is not in the snapshot");
        var levels = Levels(request);
        var options = request.Options();
        var compiled = CascadeSimulator.Compile(snapshot, options);
        var results = new List<SweepLevel>(levels.Count);
        var path = "fast";
        for (var i = 0; i < levels.Count; i++)
        {
            var one = CascadeSimulator.Sweep(compiled, asset.Address, levels[i], levels[i], -0.01m);
            path = one.Path;
            results.AddRange(one.Levels);
            progress?.Report((i + 1, levels.Count));
        }
        // As CascadeSimulator.Sweep: the smallest drop (in magnitude) whose cascade sustains itself.
        var threshold = results.Where(l => l.SelfSustaining).OrderBy(l => Math.Abs(l.Shock)).Select(l => (decimal?)l.Shock).FirstOrDefault();
        return new SweepResult(asset.Address, asset.Symbol, path, results, threshold) { Market = MarketModelChoice.Name(options) };
    }

    private static SweepResult WithProgress(IAnsiConsole console, bool silent, SweepRequest request)
    {
        if (silent) return Run(request);
        if (!console.Profile.Capabilities.Interactive)
            return Run(request, new Progress(p => Console.Error.WriteLine($"sweep: level {p.Done}/{p.Total} done")));
        SweepResult result = null!;
        console.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("sweep levels");
                result = Run(request, new Progress(p => { task.MaxValue = p.Total; task.Value = p.Done; }));
            });
        return result;
    }

    /// <summary>Synchronous progress (System.Progress posts to the thread pool, which would reorder milestone lines).</summary>
    private sealed class Progress(Action<(int Done, int Total)> report) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => report(value);
    }

    internal static void Render(IAnsiConsole console, SweepResult result)
    {
        var inv = CultureInfo.InvariantCulture;
        // Piped or redirected: no terminal width to respect, and wrapped cells would break scripts.
        if (!console.Profile.Capabilities.Interactive) console.Profile.Width = Math.Max(console.Profile.Width, 200);
        var table = new Table().Title($"Sweep of {Markup.Escape(result.Symbol)} ({result.Path} path)")
            .AddColumns("shock", "liquidations", "rounds", "after the shock", "liquidated (USD)", "bad debt (USD)", "self-sustaining");
        foreach (var c in Enumerable.Range(1, 5)) table.Columns[c].RightAligned();
        foreach (var l in result.Levels)
            table.AddRow(l.Shock.ToString("P1", inv), l.Liquidations.ToString(inv), l.RoundsWithLiquidations.ToString(inv),
                l.EndogenousRoundsWithLiquidations.ToString(inv), l.LiquidatedValueUsd.ToString("N2", inv), l.BadDebtUsd.ToString("N2", inv),
                l.SelfSustaining ? "[red]yes[/]" : "no");
        console.Write(table);
        console.WriteLine(result.SelfSustainingThreshold is { } th
            ? $"self-sustaining from {th.ToString("P1", inv)}"
            : "no self-sustaining cascade in the range");
    }
}
