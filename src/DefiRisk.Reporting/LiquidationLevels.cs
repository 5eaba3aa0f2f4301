using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;

namespace DefiRisk.Reporting;

/// <summary>One price level of one asset: the oracle price after the drop and, per protocol, the collateral (USD at that price) of positions with HF &lt; 1.</summary>
public sealed record LiquidationLevel(decimal Drop, BigInteger OraclePriceUsd, IReadOnlyDictionary<string, double> LiquidatableCollateralUsd)
{
    public double Total => LiquidatableCollateralUsd.Values.Sum();
}

/// <summary>
/// The curve of one market-feed asset. <see cref="Followers"/>: collateral assets with an exchange-rate oracle on it
/// (wstETH on WETH), whose oracle prices fall with it and whose positions are counted in this curve.
/// </summary>
public sealed record LiquidationLevelCurve(Address Asset, string Symbol, IReadOnlyList<string> Followers, IReadOnlyList<string> Protocols, IReadOnlyList<LiquidationLevel> Levels);

/// <summary>
/// Static liquidation levels: for each collateral asset's oracle root, the oracle price is lowered by each drop (and the
/// exchange-rate oracles built on it follow, as their adapters do); no sale, no cascade, no other price moves. A position
/// counts when its protocol would let it be liquidated at those prices (<see cref="ILendingBook.Positions"/>: each
/// family's own account math, with its oracle prices following the assets' USD prices as in the cascade), so a level
/// here is round 0 of a cascade with no pools. Its whole collateral is counted, valued at the dropped prices.
/// </summary>
public static class LiquidationLevels
{
    /// <summary>0 %, 5 %, … 60 %.</summary>
    public static IReadOnlyList<decimal> DefaultDrops { get; } = Enumerable.Range(0, 13).Select(i => i * 0.05m).ToArray();

    public static IReadOnlyList<LiquidationLevelCurve> Compute(Snapshot snapshot, IReadOnlyList<decimal>? drops = null)
    {
        drops ??= DefaultDrops;
        foreach (var d in drops)
            if (d < 0 || d >= 1) throw new DefiRisk.Core.DefiRiskException($"liquidation level drop {Format.Percent(d)} must be in [0%, 100%)");
        var roots = snapshot.Assets.ToDictionary(a => a.Address, a => Root(snapshot, a));
        var assets = new AssetIndex(snapshot);
        var books = snapshot.Books.OfType<ILendingBook>().Where(b => b.MarketKeys().Any()).ToList();
        var protocols = books.Select(b => b.Protocol).Distinct().ToList();

        // Each position at the snapshot prices (what a 0 % drop gives, exactly: the ppb factor is 1 and the price scalings
        // cancel). A position not exposed to the dropped asset keeps this state at every level, so only the exposed ones
        // are re-evaluated: the cost per curve follows the asset's share of the book, not its size.
        var baseline = books.Select(b => b.Positions(assets).ToList()).ToList();

        // Collateral assets actually held by borrowers, in snapshot order: what a position with debt is exposed to on its collateral side.
        var collateral = new HashSet<Address>();
        foreach (var book in baseline)
            foreach (var p in book)
                if (p.HealthFactor is not null) collateral.UnionWith(p.CollateralAssets);

        var curves = new List<LiquidationLevelCurve>();
        foreach (var asset in snapshot.Assets)
        {
            if (roots[asset.Address] != asset.Address) continue;
            var members = collateral.Where(c => roots[c] == asset.Address).ToList();
            if (members.Count == 0) continue;
            var followers = snapshot.Assets.Where(a => a.Address != asset.Address && members.Contains(a.Address)).Select(a => a.Symbol).ToList();
            // Levels are independent and each sums in position order: parallel and still deterministic.
            var levels = drops.AsParallel().AsOrdered().Select(d => Level(snapshot, assets, roots, asset, d, books, baseline, protocols)).ToList();
            curves.Add(new(asset.Address, asset.Symbol, followers, protocols, levels));
        }
        return curves;
    }

    private static Address Root(Snapshot s, Asset a)
    {
        var current = a;
        for (var guard = 0; guard <= s.Assets.Count; guard++)
        {
            if (current.Oracle.Kind != OracleKind.ExchangeRate || current.Oracle.BaseAsset is not { } b || s.FindAsset(b) is not { } next)
                return current.Address;
            current = next;
        }
        return a.Address; // a cycle of exchange-rate oracles: treat the asset as its own feed
    }

    private static LiquidationLevel Level(Snapshot s, AssetIndex assets, Dictionary<Address, Address> roots, Asset root, decimal drop,
        List<ILendingBook> books, List<List<PositionHealth>> baseline, List<string> protocols)
    {
        // USD 8 decimals after the drop: the root × (1 − drop) with AssetShock's exact ppb ratio; its followers scale with it.
        var shockedRoot = new AssetShock(root.Address, -drop).Apply(root.PriceUsd);
        // Followers (exchange-rate oracles on the root) are priced as the cascade prices them: base × ratio along the chain.
        BigInteger UsdNow(Asset a)
        {
            if (roots[a.Address] != root.Address) return a.PriceUsd;
            if (a.Address == root.Address) return shockedRoot;
            var b = a.Oracle.BaseAsset is { } ba ? s.FindAsset(ba) : null;
            return OracleRepricing.ExchangeRatePrice(a.Oracle, a.PriceUsd, b?.PriceUsd, b is null ? null : UsdNow(b), root.PriceUsd, shockedRoot);
        }
        var usdNow = s.Assets.Select(UsdNow).ToArray();
        var sums = protocols.ToDictionary(p => p, _ => 0.0);
        for (var bi = 0; bi < books.Count; bi++)
        {
            var book = books[bi];
            var moved = book.Positions(assets, usdNow, a => roots.GetValueOrDefault(a) == root.Address).ToDictionary(p => p.Index);
            foreach (var p in baseline[bi])
            {
                var now = moved.GetValueOrDefault(p.Index) ?? p;
                if (now.Liquidatable) sums[book.Protocol] += now.CollateralUsd;
            }
        }
        return new(drop, shockedRoot, sums);
    }
}
