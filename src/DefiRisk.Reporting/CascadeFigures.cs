using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;

namespace DefiRisk.Reporting;

/// <summary>
/// One protocol in one round of a cascade. USD: <see cref="DebtRepaidUsd"/> and <see cref="BadDebtUsd"/> as the analyser
/// valued them; <see cref="CollateralSeizedUsd"/> = (seized + Aave protocol fee) at the round's oracle price of the
/// collateral, i.e. what the borrowers lost.
/// </summary>
public sealed record RoundProtocolRow(int Round, string Protocol, int Liquidations, double DebtRepaidUsd, double CollateralSeizedUsd, double BadDebtUsd);

/// <summary>The price of a shocked asset at the start of a round (USD 8 decimals): the pool-derived market price and the oracle's.</summary>
public sealed record ShockedPrice(string Symbol, BigInteger MarketPriceUsd, BigInteger OraclePriceUsd);

/// <summary>Per-round aggregates of a <see cref="CascadeResult"/>, for the tables and charts of the report.</summary>
public static class CascadeFigures
{
    /// <summary>The protocols of the snapshot's books that have markets, in book order.</summary>
    public static IReadOnlyList<string> Protocols(Snapshot s) =>
        s.Books.OfType<ILendingBook>().Where(b => b.MarketKeys().Any()).Select(b => b.Protocol).Distinct().ToList();

    /// <summary>A row for every round × protocol of the snapshot (zeros included, so the table shows the quiet rounds too).</summary>
    public static IReadOnlyList<RoundProtocolRow> Rows(Snapshot s, CascadeResult r)
    {
        var rows = new List<RoundProtocolRow>();
        var protocols = Protocols(s).Union(r.Rounds.SelectMany(x => x.Liquidations).Select(l => l.Protocol)).ToList();
        foreach (var round in r.Rounds)
        {
            var oracle = round.Prices.ToDictionary(p => p.Asset, p => p.OraclePriceUsd);
            foreach (var protocol in protocols)
            {
                var ls = round.Liquidations.Where(l => l.Protocol == protocol).ToList();
                double seized = 0;
                foreach (var l in ls)
                {
                    var asset = s.FindAsset(l.CollateralAsset);
                    if (asset is null || !oracle.TryGetValue(l.CollateralAsset, out var price)) continue;
                    seized += SnapshotTotals.UsdValue(l.CollateralSeized + l.ProtocolFee, asset.Decimals, price);
                }
                rows.Add(new(round.Round, protocol, ls.Count, ls.Sum(l => l.DebtRepaidUsd), seized, ls.Sum(l => l.BadDebtUsd)));
            }
        }
        return rows;
    }

    /// <summary>Prices of the scenario's shocked assets at the start of each round.</summary>
    public static IReadOnlyList<ShockedPrice> ShockedPrices(CascadeResult r, CascadeRound round) =>
        r.Amplification.Select(a => round.Prices.FirstOrDefault(p => p.Asset == a.Asset))
            .Where(p => p is not null).Select(p => new ShockedPrice(p!.Symbol, p.MarketPriceUsd, p.OraclePriceUsd)).ToList();

    public static int CrossProtocolChains(CascadeResult r) => r.Chains.Count(c => c.CrossesProtocols);

    public static CascadeLiquidation? Liquidation(CascadeResult r, int id) =>
        r.Rounds.SelectMany(x => x.Liquidations).FirstOrDefault(l => l.Id == id);

    /// <summary>Positions still liquidatable when the cascade stopped (last round's list).</summary>
    public static int LeftLiquidatable(CascadeResult r) => r.Rounds.Count == 0 ? 0 : r.Rounds[^1].Unliquidated.Count;
}
