using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;

namespace DefiRisk.Reporting;

/// <summary>One market's indexed book: positions, collateral and debt in USD at the snapshot's oracle prices.</summary>
public sealed record MarketTotals(string Protocol, string Market, string Label, int Positions, int Borrowers, double CollateralUsd, double DebtUsd, int BelowOne);

/// <summary>
/// Collateral and debt per protocol and market at the snapshot block, through each protocol's own account math
/// (<see cref="ILendingBook.Positions"/>): the sums of its positions' values, in book and market order.
/// </summary>
public static class SnapshotTotals
{
    public static IReadOnlyList<MarketTotals> Compute(Snapshot snapshot, ReportParts parts)
    {
        var rows = new List<MarketTotals>();
        var assets = new AssetIndex(snapshot);
        foreach (var book in snapshot.Books.OfType<ILendingBook>())
        {
            var byMarket = new Dictionary<string, (int Positions, int Borrowers, double Coll, double Debt, int Below)>();
            foreach (var p in book.Positions(assets))
            {
                var t = byMarket.GetValueOrDefault(p.Market);
                t.Positions++;
                t.Coll += p.CollateralUsd;
                if (p.HealthFactor is not null)
                {
                    t.Borrowers++;
                    t.Debt += p.DebtUsd;
                    if (p.Liquidatable) t.Below++;
                }
                byMarket[p.Market] = t;
            }
            foreach (var market in book.MarketKeys())
            {
                var t = byMarket.GetValueOrDefault(market);
                rows.Add(new(book.Protocol, market, parts.MarketLabel(snapshot, book.Protocol, market), t.Positions, t.Borrowers, t.Coll, t.Debt, t.Below));
            }
        }
        return rows;
    }

    /// <summary>Base units × USD 8-decimal price → dollars (lossy, display only): <see cref="Format.UsdValue(BigInteger, Asset)"/>.</summary>
    public static double UsdValue(BigInteger amount, Asset asset) => Format.UsdValue(amount, asset);

    public static double UsdValue(BigInteger amount, int decimals, BigInteger priceUsd8) => Format.UsdValue(amount, decimals, priceUsd8);
}
