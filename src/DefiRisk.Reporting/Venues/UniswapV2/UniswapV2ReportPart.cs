using DefiRisk.Core.Domain;
using DefiRisk.Core.Venues.UniswapV2;

namespace DefiRisk.Reporting.Venues.UniswapV2;

/// <summary>Uniswap v2 in the report: its pairs with both reserves and their depth at the snapshot's oracle prices.</summary>
public sealed class UniswapV2ReportPart : IVenueReportPart
{
    public string Venue => UniswapV2Book.Name;
    public string PoolsName => "Uniswap v2 pairs";

    public int PoolCount(Snapshot snapshot) => snapshot.UniswapV2Pools().Count;

    public Table? LiquidityTable(Snapshot s)
    {
        var pools = s.UniswapV2Pools();
        if (pools.Count == 0) return null;
        return new Table("DEX liquidity (Uniswap v2 pairs the seized collateral is sold into)", ["Pair", "Address", "Reserve 0", "Reserve 1", "Depth (both sides)"],
            [false, false, true, true, true],
            pools.Select(p =>
            {
                Asset? a0 = s.FindAsset(p.Token0), a1 = s.FindAsset(p.Token1);
                var depth = (a0 is null ? 0 : Format.UsdValue(p.Reserve0, a0)) + (a1 is null ? 0 : Format.UsdValue(p.Reserve1, a1));
                return (IReadOnlyList<Text>)[Text.Chain(a0?.Symbol ?? p.Token0.ToString()) + "/" + Text.Chain(a1?.Symbol ?? p.Token1.ToString()), p.Pair.ToString(),
                    Format.TokenAmount(p.Reserve0, a0), Format.TokenAmount(p.Reserve1, a1), Format.Usd(depth)];
            }).ToList());
    }
}
