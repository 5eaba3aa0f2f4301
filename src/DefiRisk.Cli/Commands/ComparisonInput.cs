using System.CommandLine;
using DefiRisk.Core;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Registry;

namespace DefiRisk.Cli.Commands;

/// <summary>
/// What the side-by-side verbs (<c>compare</c>, <c>review</c>) take beyond what they compare: the scenario, the
/// assumptions, the sweep, the limits, the outputs and the stress paths — declared and read in one place, so the two verbs
/// cannot drift apart.
/// </summary>
internal sealed class ComparisonInput
{
    public Option<string[]> Shock { get; } = new("--shock") { Description = ScenarioInput.ShockDescription, AllowMultipleArgumentsPerToken = true };
    public Option<bool> Fractions { get; } = ScenarioInput.FractionsOption();
    public Option<string?> PathFile { get; } = new("--path") { Description = ScenarioInput.PathDescription };
    public SimulationInput Assumptions { get; } = new();
    public Option<string?> Json { get; }
    public Option<string[]> FailIf { get; }
    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "no table or progress; only errors and crossed limits" };
    public Option<string?> SweepAsset { get; } = new("--sweep-asset") { Description = "also sweep drops of this asset on both sides (bad debt, liquidated value vs shock size)" };
    public Option<string?> From { get; } = new("--from") { Description = "sweep: first drop, e.g. 0% (default); 60% and -60% both mean a 60 % fall" };
    public Option<string?> To { get; } = new("--to") { Description = "sweep: last drop, e.g. 60% (default)" };
    public Option<string?> Step { get; } = new("--step") { Description = "sweep: drop step, e.g. 5% (default)" };
    public Option<string?> Report { get; } = ReportOption.Create();
    public Option<string?> StressPaths { get; }
    public Option<string?> StressHistory { get; }

    /// <param name="result">what <c>--json</c> writes ("the comparison").</param>
    /// <param name="side">whose result <c>--fail-if</c> tests ("the proposal's result").</param>
    public ComparisonInput(string result, string side)
    {
        Json = Commands.Json.Option(result);
        FailIf = new("--fail-if") { Description = $"exit 1 when {side} meets all conditions, e.g. \"badDebt>100000\" (repeatable: any)" };
        (StressPaths, StressHistory) = StressCommand.AlongsideOptions();
    }

    /// <summary>Every option, in the order the help lists them (after the verb's own).</summary>
    public IEnumerable<Option> All =>
        [Shock, Fractions, PathFile, .. Assumptions.All, Json, FailIf, Quiet, SweepAsset, From, To, Step, Report, StressPaths, StressHistory];

    public void AddTo(Command command)
    {
        foreach (var option in All) command.Options.Add(option);
    }

    /// <summary>The <c>--fail-if</c> limits, parsed first: a malformed one stops everything before any work.</summary>
    public List<IReadOnlyList<RiskCondition>> Conditions(ParseResult parse) =>
        (parse.GetValue(FailIf) ?? []).Select(x => RiskCondition.Parse(x, CoreRegistry.ProtocolNames)).ToList();

    /// <summary>The sweep asked for with <c>--sweep-asset</c>, its drops in percent; null when none.</summary>
    public CompareCommand.SweepSpec? Sweep(ParseResult parse)
    {
        if (parse.GetValue(SweepAsset) is not { } asset) return null;
        var fractions = parse.GetValue(Fractions);
        return new CompareCommand.SweepSpec(asset,
            ScenarioInput.DropPercent(parse.GetValue(From) ?? "0%", "--from", fractions),
            ScenarioInput.DropPercent(parse.GetValue(To) ?? "60%", "--to", fractions),
            ScenarioInput.DropPercent(parse.GetValue(Step) ?? "5%", "--step", fractions));
    }

    /// <summary><c>--stress-paths</c>: 0 when not given.</summary>
    public int Paths(ParseResult parse) => parse.GetValue(StressPaths) is { } sp ? SnapshotSource.ParseInt(sp, "--stress-paths", 1) : 0;
}
