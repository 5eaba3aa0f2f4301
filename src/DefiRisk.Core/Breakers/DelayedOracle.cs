using System.Numerics;
using DefiRisk.Core.Analysis;

namespace DefiRisk.Core.Breakers;

/// <summary>
/// An oracle delay on top of another oracle model: the listed assets report what <paramref name="inner"/> would have
/// reported <see cref="DelaySteps"/> rounds ago (the snapshot price before that) — Maker's Oracle Security Module holds
/// each price back one hop. Assets not listed follow <paramref name="inner"/> unchanged; null = every asset.
/// </summary>
public sealed class DelayedOracle(IOracleModel inner, int delaySteps, IReadOnlySet<int>? assets) : IOracleModel
{
    public int DelaySteps { get; } = delaySteps >= 1 ? delaySteps : throw new DefiRiskException($"oracle delay {delaySteps} must be at least 1 step");

    /// <summary>The largest lag of any asset (the simulator uses it to attribute causes and to wait for the oracles).</summary>
    public int LagRounds => inner.LagRounds + DelaySteps;

    public BigInteger FeedPrice(IReadOnlyList<BigInteger[]> marketHistory, int round, int asset, BigInteger snapshotPrice)
    {
        if (assets is not null && !assets.Contains(asset)) return inner.FeedPrice(marketHistory, round, asset, snapshotPrice);
        return round - DelaySteps >= 0 ? inner.FeedPrice(marketHistory, round - DelaySteps, asset, snapshotPrice) : snapshotPrice;
    }
}
