using System.Numerics;
using DefiRisk.Core.Domain;

namespace DefiRisk.Core.Lending;

/// <summary>
/// The lending-protocol seam: what the engines (exact cascade, fast cascade, reports) ask of one protocol family's book.
/// A family implements it in its own folder (<c>Protocols/&lt;Family&gt;/</c>) — its account math, its exact rule and
/// its fast rule side by side, its bad-debt accounting and how its oracle prices follow the assets' USD prices — and
/// one registry line adds it. The engines never ask which protocol a book is.
/// </summary>
public interface ILendingBook : IProtocolBook
{
    /// <summary>A mutable copy of the book for one exact cascade.</summary>
    IExactLendingRun StartExact(AssetIndex assets);

    /// <summary>Adds the book's positions with debt to the fast model and returns the rule that liquidates them there.</summary>
    FastLendingRule CompileFast(FastModelBuilder builder);

    /// <summary>
    /// Every position of the book, in book order, through the protocol's own account math at the assets' USD oracle
    /// prices <paramref name="usdNow"/> (8 decimals, by asset index; null = the snapshot's). With
    /// <paramref name="exposedTo"/>, only positions exposed to an asset it accepts are evaluated and yielded.
    /// </summary>
    IEnumerable<PositionHealth> Positions(AssetIndex assets, IReadOnlyList<BigInteger>? usdNow = null, Func<Address, bool>? exposedTo = null);

    /// <summary>
    /// The first call a liquidator makes on <paramref name="position"/> (one <see cref="Positions"/> yielded at the snapshot's
    /// prices; found by its <see cref="PositionHealth.Index"/>) in a block at <paramref name="blockTime"/> (unix seconds; time-bound
    /// rules are checked against it), under the book's own rule, at the snapshot's oracle prices and balances, with the arguments the
    /// exact cascade's liquidator picks in its documented order (no circuit breaker, no profitability test). Null when no call
    /// executes, with the rule's reason in <paramref name="refused"/>.
    /// </summary>
    FirstLiquidationCall? FirstCall(AssetIndex assets, PositionHealth position, long blockTime, out string? refused);

    /// <summary>The book's markets as results name them (<see cref="PositionHealth.Market"/>), in book order.</summary>
    IEnumerable<string> MarketKeys();

    /// <summary>
    /// The book's current risk parameters, one row each, named as the family's governance names them (<c>defirisk
    /// params</c>; a proposal's changes are the difference between two snapshots' rows, <see cref="RiskParameters.Changes"/>).
    /// On the book because they are its data and Core's JSON carries them; the report only formats the rows.
    /// </summary>
    IEnumerable<RiskParameter> RiskParameters(Snapshot snapshot);
}

/// <summary>
/// One position's state at some prices, as its protocol computes it. <see cref="HealthFactor"/>: wad (the protocol's, or
/// for protocols without one on chain its documented equivalent); null without debt. <see cref="Liquidatable"/>: the
/// protocol would let a liquidator act (with debt). Values: USD 8 decimals (exact, the protocol's valuation) and USD as
/// double (report views). <see cref="Exposure"/>: assets whose price moves this position; <see cref="CollateralAssets"/>:
/// the collateral it holds (a balance counted as collateral). <see cref="LiquidatableFrom"/>: for a liquidatable position that a
/// time-bound rule holds back (Aave 3.1+'s liquidation grace period), the first block time (unix seconds) at which a liquidator
/// can act; null = at the snapshot's block time.
/// </summary>
public sealed record PositionHealth(
    int Index,
    string Market,
    Address Account,
    BigInteger? HealthFactor,
    bool Liquidatable,
    BigInteger CollateralUsd8,
    BigInteger DebtUsd8,
    double CollateralUsd,
    double DebtUsd,
    IReadOnlyList<Address> Exposure,
    IReadOnlyList<Address> CollateralAssets,
    long? LiquidatableFrom = null);

/// <summary>The assets of a snapshot as the engines index them (positions in <see cref="Snapshot.Assets"/>).</summary>
public sealed class AssetIndex
{
    private readonly Dictionary<Address, int> _index = [];

    public AssetIndex(Snapshot snapshot)
    {
        Snapshot = snapshot;
        Assets = snapshot.Assets;
        for (var i = 0; i < Assets.Count; i++) _index[Assets[i].Address] = i;
        SnapshotUsd = Assets.Select(a => a.PriceUsd).ToArray();
    }

    public Snapshot Snapshot { get; }
    public IReadOnlyList<Asset> Assets { get; }

    /// <summary>Oracle prices at the snapshot, USD 8 decimals.</summary>
    public BigInteger[] SnapshotUsd { get; }

    public int Count => Assets.Count;

    public int this[Address asset] =>
        _index.TryGetValue(asset, out var i) ? i : throw new DefiRiskException($"asset {asset} is not in the snapshot's asset list");

    /// <summary>The index, or a one-line error saying what the asset is to whoever asked.</summary>
    public int Of(Address asset, string what) =>
        _index.TryGetValue(asset, out var i) ? i : throw new DefiRiskException($"{what} {asset} is not in the snapshot's asset list");

    public bool TryGet(Address asset, out int index) => _index.TryGetValue(asset, out index);

    /// <summary>USD (double) of base units at 8-decimal prices by asset: a lossy view for reports.</summary>
    public double Usd(BigInteger amount, int asset, BigInteger[] pricesUsd8) =>
        (double)(amount * pricesUsd8[asset]) / Math.Pow(10, Assets[asset].Decimals + 8);
}
