using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Proposals;

namespace DefiRisk.Core.Breakers;

/// <summary>
/// Turns a proposal into simulation options on top of the baseline's: its circuit breakers (the caps, then the minimum size,
/// then the pause — each rules on what the previous one let through), its oracle delay wrapped around the baseline
/// oracle model. Risk-parameter changes (a family's rule constants included) are applied to the snapshot itself by
/// <see cref="ProposalApplier.Apply"/>.
/// </summary>
public static class ProposalBreakers
{
    public static SimulationOptions Options(SimulationOptions baseline, Proposal proposal, Snapshot snapshot)
    {
        var b = proposal.Breakers;
        var breakers = new List<ICircuitBreaker>();
        foreach (var cap in b.Caps) breakers.Add(new LiquidationCapBreaker(cap, snapshot));
        // The minimum rules after the caps, on the call as it would execute: a cap may shrink a call below it (Maker's
        // Dog.bark requires room ≥ dust before sizing a partial bark).
        if (b.MinLiquidationUsd is { } min) breakers.Add(new MinimumLiquidationBreaker(min));
        if (b.Pause is { } pause) breakers.Add(new DeviationPauseBreaker(pause));
        if (baseline.CircuitBreaker is not NoCircuitBreaker) breakers.Insert(0, baseline.CircuitBreaker);

        var oracle = baseline.OracleModel;
        if (b.OracleDelay is { } delay)
        {
            IReadOnlySet<int>? assets = null;
            if (delay.Assets.Count > 0)
                assets = delay.Assets.Select(sym =>
                {
                    var asset = snapshot.FindAsset(sym) ?? throw new DefiRiskException($"delayed oracle asset '{sym}' is not in the snapshot");
                    return snapshot.Assets.ToList().IndexOf(asset);
                }).ToHashSet();
            oracle = new DelayedOracle(oracle, delay.Steps, assets);
        }

        return baseline with
        {
            CircuitBreaker = breakers.Count switch { 0 => NoCircuitBreaker.Instance, 1 => breakers[0], _ => new CompositeCircuitBreaker(breakers) },
            OracleModel = oracle,
        };
    }
}
