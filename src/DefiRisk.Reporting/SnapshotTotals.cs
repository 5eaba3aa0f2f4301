using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Core.Protocols.MorphoBlue;

namespace DefiRisk.Reporting;

/// <summary>One market's indexed book: positions, collateral and debt in USD at the snapshot's oracle prices.</summary>
public sealed record MarketTotals(string Protocol, string Market, string Label, int Positions, int Borrowers, double CollateralUsd, double DebtUsd, int BelowOne);

/// <summary>
/// Collateral and debt per protocol and market at the snapshot block, through the protocols' own account math:
/// Aave = <c>getUserAccountData</c> totals (<see cref="AaveV3AccountMath"/>, base currency ÷ BASE_CURRENCY_UNIT);
/// Morpho = collateral × asset USD price and <c>toAssetsUp(borrowShares)</c> × loan USD price (<see cref="MorphoBlueMath"/>).
/// </summary>
public static class SnapshotTotals
{
    public static IReadOnlyList<MarketTotals> Compute(Snapshot snapshot)
    {
        var rows = new List<MarketTotals>();
        foreach (var state in snapshot.AaveV3Markets)
        {
            var m = state.Market;
            double coll = 0, debt = 0;
            int borrowers = 0, below = 0;
            var unit = (double)m.BaseCurrencyUnit;
            foreach (var account in state.Accounts)
            {
                var d = AaveV3AccountMath.Calculate(m, account);
                coll += (double)d.TotalCollateralBase / unit;
                debt += (double)d.TotalDebtBase / unit;
                if (d.HasDebt) borrowers++;
                if (d.HasDebt && d.IsLiquidatable) below++;
            }
            rows.Add(new(ProtocolNames.AaveV3, m.Name, MarketLabels.Aave(m), state.Accounts.Count, borrowers, coll, debt, below));
        }
        foreach (var state in snapshot.MorphoBlue)
            foreach (var market in state.Markets)
            {
                var collAsset = snapshot.Asset(market.CollateralToken);
                var loanAsset = snapshot.Asset(market.LoanToken);
                double coll = 0, debt = 0;
                int count = 0, borrowers = 0, below = 0;
                foreach (var p in state.Positions)
                {
                    if (p.MarketId != market.Id) continue;
                    count++;
                    coll += UsdValue(p.Collateral, collAsset);
                    if (p.BorrowShares.IsZero) continue;
                    borrowers++;
                    debt += UsdValue(MorphoBlueMath.BorrowedAssets(market, p.BorrowShares), loanAsset);
                    if (!MorphoBlueMath.IsHealthy(market, p, market.OraclePrice)) below++;
                }
                rows.Add(new(ProtocolNames.MorphoBlue, market.Id, MarketLabels.Morpho(snapshot, market), count, borrowers, coll, debt, below));
            }
        return rows;
    }

    /// <summary>Base units × USD 8-decimal price → dollars (lossy, display only).</summary>
    public static double UsdValue(BigInteger amount, Asset asset) => UsdValue(amount, asset.Decimals, asset.PriceUsd);

    public static double UsdValue(BigInteger amount, int decimals, BigInteger priceUsd8) =>
        (double)amount * (double)priceUsd8 / 1e8 / Math.Pow(10, decimals);
}

/// <summary>Readable market names (unescaped: the writers escape them, since symbols come from the chain).</summary>
public static class MarketLabels
{
    public static string Aave(AaveV3Market m) => m.Name;

    /// <summary>"wstETH/WETH 94.5% (0x0000ab…abc0)": collateral/loan, LLTV, short id.</summary>
    public static string Morpho(Snapshot s, MorphoBlueMarket m) =>
        $"{s.FindAsset(m.CollateralToken)?.Symbol ?? m.CollateralToken.ToString()}/{s.FindAsset(m.LoanToken)?.Symbol ?? m.LoanToken.ToString()} " +
        $"{Format.WadPercent(m.Lltv)} ({Format.ShortHex(m.Id)})";

    /// <summary>"wstETH/WETH 94.5%" without the id: for diagram boxes (the full label is in their tooltip).</summary>
    public static string Short(Snapshot s, string protocol, string market)
    {
        if (protocol == ProtocolNames.MorphoBlue)
            foreach (var st in s.MorphoBlue)
                foreach (var m in st.Markets)
                    if (m.Id == market)
                        return $"{s.FindAsset(m.CollateralToken)?.Symbol ?? Format.ShortHex(m.CollateralToken.ToString())}/{s.FindAsset(m.LoanToken)?.Symbol ?? Format.ShortHex(m.LoanToken.ToString())} {Format.WadPercent(m.Lltv)}";
        return market;
    }

    /// <summary>The label of a market named in a cascade result (Aave: pool name; Morpho: market id).</summary>
    public static string Of(Snapshot s, string protocol, string market)
    {
        if (protocol == ProtocolNames.MorphoBlue)
            foreach (var st in s.MorphoBlue)
                foreach (var m in st.Markets)
                    if (m.Id == market) return Morpho(s, m);
        return market;
    }
}
