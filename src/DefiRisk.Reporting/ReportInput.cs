using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;

namespace DefiRisk.Reporting;

/// <summary>
/// Everything one report shows, as plain data: the CLI verbs run the analyser and hand the results here; the writers do
/// no simulation of their own beyond the no-cascade liquidation levels (<see cref="LiquidationLevels"/>). Optional parts
/// that are null or empty print a one-line "not run" note, so a reader sees what was left out.
/// </summary>
/// <param name="Parts">each protocol family's and venue's report part (the registry's list).</param>
public sealed record ReportInput(Snapshot Snapshot, ReportParts Parts)
{
    public string Title { get; init; } = "Liquidation cascade risk report";

    /// <summary>One cascade (<c>defirisk simulate</c>).</summary>
    public SimulationReport? Simulation { get; init; }

    /// <summary>Shock sweeps (<c>defirisk sweep</c>), each with an optional proposal sweep of the same asset and levels.</summary>
    public IReadOnlyList<SweepReport> Sweeps { get; init; } = [];

    /// <summary>Baseline vs proposal on one scenario (<c>defirisk compare</c>).</summary>
    public ComparisonReport? Comparison { get; init; }

    /// <summary>The snapshot with the proposal's risk parameters applied: its liquidation levels are shown beside the baseline's.</summary>
    public Snapshot? ProposalSnapshot { get; init; }

    /// <summary>Value at risk over simulated price paths (<c>stress</c>, <c>--stress-paths</c>); null: no section.</summary>
    public Core.Stress.StressResult? Stress { get; init; }

    /// <summary>Liquidity source, gas cost, oracle model, max rounds …: see <see cref="ReportAssumptions.From"/>.</summary>
    public IReadOnlyList<Assumption> Assumptions { get; init; } = [];

    /// <summary>Price drops (fractions, 0 … 0.60) at which the liquidation levels are computed.</summary>
    public IReadOnlyList<decimal> LevelDrops { get; init; } = LiquidationLevels.DefaultDrops;

    /// <summary>Upper bound on the liquidation nodes drawn in the chain diagram (the rest are counted, not drawn).</summary>
    public int MaxChainNodesDrawn { get; init; } = 40;
}

/// <summary>A cascade and the scenario text the user gave (e.g. "WETH=-30%").</summary>
public sealed record SimulationReport(string Scenario, CascadeResult Result);

/// <summary>A baseline sweep and, to compare, the same sweep under a proposal.</summary>
public sealed record SweepReport(SweepResult Baseline, SweepResult? Proposal = null, string ProposalName = "proposal");

/// <summary>
/// One scenario run twice. <see cref="ProposalLines"/>: the proposal's breakers and parameter changes, one human-readable
/// line each (e.g. "cap: 5,000,000 USD per 1 step, per protocol"); they are escaped like any other text.
/// </summary>
public sealed record ComparisonReport(
    string Scenario,
    string ProposalName,
    string ProposalDescription,
    IReadOnlyList<string> ProposalLines,
    CascadeResult Baseline,
    CascadeResult Proposal)
{
    /// <summary>Current → proposed, only the parameters the proposal changes (<see cref="Core.Lending.RiskParameters.Changes"/>).</summary>
    public IReadOnlyList<Core.Lending.RiskParameterChange> ParameterChanges { get; init; } = [];

    /// <summary>Positions the change alone makes liquidatable at today's prices (<see cref="Core.Analysis.LiquidatedByChange"/>); null = not computed.</summary>
    public LiquidatedByChangeResult? LiquidatedByChange { get; init; }

    /// <summary>Each change alone and all together (<c>Core.Review.ProposalAttribution</c>); empty = not run.</summary>
    public IReadOnlyList<AttributionRow> Attribution { get; init; } = [];
}

/// <summary>One stated assumption: "Gas cost per liquidation" = "$5.00".</summary>
public sealed record Assumption(string Label, string Value);
