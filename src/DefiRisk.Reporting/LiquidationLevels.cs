using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Core.Protocols.MorphoBlue;

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
/// counts when the protocol would let it be liquidated at those prices: Aave <c>HF &lt; 1</c>
/// (<see cref="AaveV3AccountMath"/>), Morpho not <c>_isHealthy</c> (<see cref="MorphoBlueMath"/>). Its whole collateral
/// is counted, valued at the dropped prices. Aave reserve and Morpho <c>price()</c> values scale by the same USD ratio
/// the cascade uses (OracleRepricing), so a level here is round 0 of a cascade with no pools.
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
        var protocols = new List<string>();
        if (snapshot.AaveV3Markets.Count > 0) protocols.Add(ProtocolNames.AaveV3);
        if (snapshot.MorphoBlue.Count > 0) protocols.Add(ProtocolNames.MorphoBlue);

        // Collateral assets actually held by borrowers, in snapshot order.
        var collateral = new HashSet<Address>();
        foreach (var st in snapshot.AaveV3Markets)
            foreach (var acct in st.Accounts)
            {
                if (!acct.Reserves.Any(r => !r.TotalDebt.IsZero)) continue;
                foreach (var r in acct.Reserves)
                    if (r.UsedAsCollateral && !r.Collateral.IsZero) collateral.Add(r.Asset);
            }
        foreach (var st in snapshot.MorphoBlue)
        {
            var byId = st.Markets.ToDictionary(m => m.Id);
            foreach (var p in st.Positions)
                if (!p.BorrowShares.IsZero && !p.Collateral.IsZero && byId.TryGetValue(p.MarketId, out var m)) collateral.Add(m.CollateralToken);
        }

        var curves = new List<LiquidationLevelCurve>();
        var baseline = new Baseline(snapshot);
        foreach (var asset in snapshot.Assets)
        {
            if (roots[asset.Address] != asset.Address) continue;
            var members = collateral.Where(c => roots[c] == asset.Address).ToList();
            if (members.Count == 0) continue;
            var followers = snapshot.Assets.Where(a => a.Address != asset.Address && members.Contains(a.Address)).Select(a => a.Symbol).ToList();
            // Levels are independent and each sums in position order: parallel and still deterministic.
            var levels = drops.AsParallel().AsOrdered().Select(d => Level(snapshot, roots, asset, d, protocols, baseline)).ToList();
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

    /// <summary>
    /// Each position's state at the snapshot prices (what a 0 % drop gives, exactly: the ppb factor is 1 and the price
    /// scalings cancel). A position holding nothing priced off the dropped asset keeps this state at every level, so only
    /// the positions that do are re-evaluated: the cost per curve follows the asset's share of the book, not its size.
    /// </summary>
    private sealed class Baseline
    {
        public readonly double[][] AaveLiquidatableUsd, MorphoLiquidatableUsd; // 0 when healthy

        public Baseline(Snapshot s)
        {
            AaveLiquidatableUsd = s.AaveV3Markets.Select(st =>
            {
                var unit = (double)st.Market.BaseCurrencyUnit;
                return st.Accounts.Select(acct =>
                {
                    var d = AaveV3AccountMath.Calculate(st.Market, acct);
                    return d.HasDebt && d.IsLiquidatable ? (double)d.TotalCollateralBase / unit : 0;
                }).ToArray();
            }).ToArray();
            MorphoLiquidatableUsd = s.MorphoBlue.Select(st =>
            {
                var markets = st.Markets.ToDictionary(m => m.Id);
                return st.Positions.Select(p =>
                    p.BorrowShares.IsZero || !markets.TryGetValue(p.MarketId, out var m) || MorphoBlueMath.IsHealthy(m, p, m.OraclePrice)
                        ? 0 : SnapshotTotals.UsdValue(p.Collateral, s.Asset(m.CollateralToken))).ToArray();
            }).ToArray();
        }
    }

    private static bool Touches(AaveV3Account acct, Dictionary<Address, Address> roots, Address root)
    {
        foreach (var r in acct.Reserves)
            if (roots.GetValueOrDefault(r.Asset) == root && ((r.UsedAsCollateral && !r.Collateral.IsZero) || !r.TotalDebt.IsZero)) return true;
        return false;
    }

    private static LiquidationLevel Level(Snapshot s, Dictionary<Address, Address> roots, Asset root, decimal drop, List<string> protocols, Baseline baseline)
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

        var sums = protocols.ToDictionary(p => p, _ => 0.0);
        for (var mi = 0; mi < s.AaveV3Markets.Count; mi++)
        {
            var st = s.AaveV3Markets[mi];
            var m = st.Market;
            var prices = m.Reserves.ToDictionary(r => r.Asset, r =>
            {
                var a = s.Asset(r.Asset);
                return OracleRepricing.AaveReservePrice(r.OraclePrice, a.PriceUsd, UsdNow(a));
            });
            var unit = (double)m.BaseCurrencyUnit;
            for (var i = 0; i < st.Accounts.Count; i++)
            {
                var acct = st.Accounts[i];
                if (!Touches(acct, roots, root.Address)) { sums[ProtocolNames.AaveV3] += baseline.AaveLiquidatableUsd[mi][i]; continue; }
                var d = AaveV3AccountMath.Calculate(m, acct, a => prices[a]);
                if (d.HasDebt && d.IsLiquidatable) sums[ProtocolNames.AaveV3] += (double)d.TotalCollateralBase / unit;
            }
        }
        for (var si = 0; si < s.MorphoBlue.Count; si++)
        {
            var st = s.MorphoBlue[si];
            var markets = st.Markets.ToDictionary(m => m.Id);
            var oracle = st.Markets.ToDictionary(m => m.Id, m =>
            {
                Asset c = s.Asset(m.CollateralToken), l = s.Asset(m.LoanToken);
                return OracleRepricing.MorphoPrice(m.OraclePrice, c.PriceUsd, UsdNow(c), l.PriceUsd, UsdNow(l));
            });
            for (var j = 0; j < st.Positions.Count; j++)
            {
                var p = st.Positions[j];
                if (p.BorrowShares.IsZero || !markets.TryGetValue(p.MarketId, out var m)) continue;
                if (roots.GetValueOrDefault(m.CollateralToken) != root.Address && roots.GetValueOrDefault(m.LoanToken) != root.Address)
                {
                    sums[ProtocolNames.MorphoBlue] += baseline.MorphoLiquidatableUsd[si][j];
                    continue;
                }
                if (MorphoBlueMath.IsHealthy(m, p, oracle[m.Id])) continue;
                var c = s.Asset(m.CollateralToken);
                sums[ProtocolNames.MorphoBlue] += SnapshotTotals.UsdValue(p.Collateral, c.Decimals, UsdNow(c));
            }
        }
        return new(drop, shockedRoot, sums);
    }
}
