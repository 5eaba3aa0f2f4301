using System.Numerics;
using DefiRisk.Core.Analysis;

namespace DefiRisk.Core.Breakers;

/// <summary>
/// An oracle delay on top of another oracle model: the listed assets report what <paramref name="inner"/> would have
/// reported <see cref="DelaySteps"/> rounds ago (the snapshot price before that) — Maker's Oracle Security Module holds
/// each price back one hop. Assets not listed follow <paramref name="inner"/> unchanged; null = every asset. A listed
/// exchange-rate asset whose base feed is not listed is delayed through <see cref="DerivedFeedPrice"/>.
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

    /// <summary>A listed asset (or one whose root feed is listed) waits the delay on top of the inner lag.</summary>
    public int LagOf(int asset, int root) => Delays(asset) || root >= 0 && Delays(root) ? LagRounds : inner.LagRounds;

    /// <summary>
    /// The fast twin: over an inner model with a fixed lag, a listed asset (or one whose root feed is listed) shows its root
    /// feed's market of inner lag + delay rounds ago — what <see cref="FeedPrice"/> and <see cref="DerivedFeedPrice"/> give.
    /// </summary>
    public int? FastLagOf(int asset, int root) =>
        inner.FastLagOf(asset, root) is { } lag ? (Delays(asset) || root >= 0 && Delays(root) ? lag + DelaySteps : lag) : null;

    public bool RunsOnFastPath => inner.UniformLag is not null; // a delay of a delay shifts the root's feed, not the asset's own

    /// <summary>A listed exchange-rate asset whose base feed is not listed: what it derived <see cref="DelaySteps"/> rounds ago.</summary>
    public BigInteger? DerivedFeedPrice(IReadOnlyList<BigInteger[]> marketHistory, int round, int asset, int root, BigInteger snapshotRootPrice)
    {
        if (!Delays(asset) || Delays(root)) return FeedPrice(marketHistory, round, root, snapshotRootPrice);
        var then = round - DelaySteps;
        return then < 0 ? null : inner.FeedPrice(marketHistory, then, root, snapshotRootPrice);
    }

    public BigInteger FeedPrice(IReadOnlyList<BigInteger[]> marketHistory, int round, int asset, BigInteger snapshotPrice)
    {
        if (!Delays(asset)) return inner.FeedPrice(marketHistory, round, asset, snapshotPrice);
        return round - DelaySteps >= 0 ? inner.FeedPrice(marketHistory, round - DelaySteps, asset, snapshotPrice) : snapshotPrice;
    }
}
