using System.Numerics;
using DefiRisk.Core.Analysis;

namespace DefiRisk.Core.Breakers;

/// <summary>
/// An oracle delay on top of another oracle model: the listed assets report what <paramref name="inner"/> would have
/// reported <see cref="DelaySteps"/> rounds ago (the snapshot price before that) — Maker's Oracle Security Module holds
/// each price back one hop. Assets not listed follow <paramref name="inner"/> unchanged; null = every asset. A listed
/// exchange-rate asset whose base feed is not listed is delayed by the simulator (it derives those prices itself).
/// </summary>
public sealed class DelayedOracle(IOracleModel inner, int delaySteps, IReadOnlySet<int>? assets) : IOracleModel
{
    public int DelaySteps { get; } = delaySteps >= 1 ? delaySteps : throw new DefiRiskException($"oracle delay {delaySteps} must be at least 1 step");

    /// <summary>The oracle model this one delays.</summary>
    public IOracleModel Inner => inner;

    /// <summary>Whether <paramref name="asset"/> (index in the snapshot's asset list) is listed as delayed.</summary>
    public bool Delays(int asset) => assets is null || assets.Contains(asset);

    /// <summary>The largest lag of any asset (the simulator uses it to attribute causes and to wait for the oracles).</summary>
    public int LagRounds => inner.LagRounds + DelaySteps;

    public BigInteger FeedPrice(IReadOnlyList<BigInteger[]> marketHistory, int round, int asset, BigInteger snapshotPrice)
    {
        if (!Delays(asset)) return inner.FeedPrice(marketHistory, round, asset, snapshotPrice);
        return round - DelaySteps >= 0 ? inner.FeedPrice(marketHistory, round - DelaySteps, asset, snapshotPrice) : snapshotPrice;
    }
}
