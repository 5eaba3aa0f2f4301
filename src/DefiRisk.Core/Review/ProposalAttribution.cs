using DefiRisk.Core.Analysis;
using DefiRisk.Core.Breakers;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Proposals;

namespace DefiRisk.Core.Review;

/// <summary>
/// Which change of a proposal does what: the proposal split into its changes — each family's parameter changes, each
/// liquidation cap, the oracle delay, the deviation pause and the minimum liquidation — each run alone, then all
/// together, as one exact cascade each at the comparison's scenario and assumptions (no sweeps: a few cascades, not a
/// few hundred). The effects need not add up: a breaker can matter only once a parameter change made more positions
/// liquidatable.
/// </summary>
public static class ProposalAttribution
{
    /// <summary>The proposal's changes as one-change proposals, in the order the proposal file lists them (families first, then breakers).</summary>
    public static IReadOnlyList<Proposal> Split(Proposal proposal)
    {
        var parts = new List<Proposal>();
        Proposal One(IReadOnlyList<IProtocolChange> changes, BreakerSettings breakers) => proposal with { Changes = changes, Breakers = breakers };
        foreach (var change in proposal.Changes) parts.Add(One([change], BreakerSettings.None));
        var b = proposal.Breakers;
        foreach (var cap in b.Caps) parts.Add(One([], BreakerSettings.None with { Caps = [cap] }));
        if (b.OracleDelay is { } delay) parts.Add(One([], BreakerSettings.None with { OracleDelay = delay }));
        if (b.Pause is { } pause) parts.Add(One([], BreakerSettings.None with { Pause = pause }));
        if (b.MinLiquidationUsd is { } min) parts.Add(One([], BreakerSettings.None with { MinLiquidationUsd = min }));
        return parts;
    }

    /// <summary>
    /// Runs each one-change proposal of <see cref="Split"/> alone at <paramref name="scenario"/>, exactly; then the whole
    /// proposal (<paramref name="together"/> when the caller already ran it, to save one cascade). Rows in that order, the
    /// last one "all together".
    /// </summary>
    public static IReadOnlyList<AttributionRow> Run(Snapshot baseline, Proposal proposal, Scenario scenario, SimulationOptions options,
        Func<Proposal, string> describe, CascadeResult? together = null)
    {
        var parts = Split(proposal);
        // The cascades are independent and pure (each its own copy of the books and its own breakers): run them side by side.
        var results = new CascadeResult[parts.Count];
        Parallel.For(0, parts.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => results[i] = RunOne(baseline, parts[i], scenario, options));
        var rows = parts.Select((part, i) => Row(describe(part), false, results[i])).ToList();
        together ??= RunOne(baseline, proposal, scenario, options);
        rows.Add(Row("all together", true, together));
        return rows;
    }

    private static CascadeResult RunOne(Snapshot baseline, Proposal proposal, Scenario scenario, SimulationOptions options)
    {
        var world = ProposalApplier.Apply(baseline, proposal);
        return CascadeSimulator.Simulate(world, scenario, ProposalBreakers.Options(options, proposal, world));
    }

    private static AttributionRow Row(string change, bool all, CascadeResult r) =>
        new(change, all, r.Totals.BadDebtUsd, r.Totals.LiquidatedValueUsd, r.Totals.Liquidations, r.Totals.RoundsWithLiquidations);
}
