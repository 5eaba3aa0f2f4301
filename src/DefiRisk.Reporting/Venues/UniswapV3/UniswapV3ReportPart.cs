using System.Globalization;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Venues.UniswapV3;


namespace DefiRisk.Reporting.Venues.UniswapV3;

/// <summary>
/// Uniswap v3 in the report: its pools with fee tier, price, in-range liquidity, initialized ticks and the bitmap words
/// read, and the modelling assumptions a v3 pool adds (stated only when the snapshot has v3 pools).
/// </summary>
public sealed class UniswapV3ReportPart : IVenueReportPart
{
    public string Venue => UniswapV3Book.Name;
    public string PoolsName => "Uniswap v3 pools";

    public int PoolCount(Snapshot snapshot) => snapshot.UniswapV3Pools().Count;

    public Table? LiquidityTable(Snapshot s)
    {
        var pools = s.UniswapV3Pools();
        if (pools.Count == 0) return null;
        return new Table("DEX liquidity (Uniswap v3 pools the seized collateral is sold into)",
            ["Pool", "Address", "Fee", "Price (token1 per token0)", "In-range liquidity", "Initialized ticks", "Bitmap words read"],
            [false, false, true, true, true, true, false],
            pools.Select(p =>
            {
                Asset? a0 = s.FindAsset(p.Token0), a1 = s.FindAsset(p.Token1);
                // Whole-token price: the base-unit price × 10^(dec0 − dec1).
                var price = UniswapV3Price.Price1Per0(p.State.SqrtPriceX96) * Math.Pow(10, (a0?.Decimals ?? 0) - (a1?.Decimals ?? 0));
                var all = UniswapV3BitmapWords.All(p.State.TickSpacing);
                var words = p.State.KnownWords == all ? "all" : $"{p.State.KnownWords.Last - p.State.KnownWords.First + 1} of {all.Last - all.First + 1}";
                return (IReadOnlyList<Text>)[Text.Chain(a0?.Symbol ?? p.Token0.ToString()) + "/" + Text.Chain(a1?.Symbol ?? p.Token1.ToString()), p.Address.ToString(),
                    (p.State.Fee / 10_000.0).ToString("0.00##", CultureInfo.InvariantCulture) + " %", price.ToString("G6", CultureInfo.InvariantCulture),
                    p.State.Liquidity.ToString(CultureInfo.InvariantCulture), Format.Int(p.State.Ticks.Count), words];
            }).ToList());
    }

    public IReadOnlyList<(string Label, string Value)> Assumptions(Snapshot s)
    {
        var pools = s.UniswapV3Pools();
        if (pools.Count == 0) return [];
        var bounded = pools.Where(p => p.State.KnownWords != UniswapV3BitmapWords.All(p.State.TickSpacing)).ToList();
        return
        [
            ("Uniswap v3 swaps", "exact UniswapV3Pool.swap (TickMath/SwapMath rounding, tick crossing, fee per step) on the positions read at the snapshot block; " +
                "no mints, burns or other traders during the cascade; the price a pool gives an oracle is its marginal price sqrtPriceX96²/2^192 before the fee"),
            ("Uniswap v3 tick range read", bounded.Count == 0
                ? "every tick-bitmap word of every pool: a sale is followed to MIN/MAX price"
                : $"{bounded.Count} of {pools.Count} pools read within a window of bitmap words around the current tick (one word = 256 tick spacings: " +
                  "±2.6 % of price at the 0.01 % tier, ±29 % at 0.05 %, far more at 0.3 %/1 %); a sale needing liquidity beyond stops at the edge and " +
                  "the rest of the collateral earns nothing — on a mainnet fork, sales moving a 0.01 % pool by more than ~5 % are undervalued, never overvalued"),
            ("Uniswap v3 partial fills", "collateral a pool cannot absorb (its liquidity runs out, or the window read ends) stays unsold and earns nothing"),
            ("Routing with v3 pools", "fewest hops, v2 pairs before v3 pools on a tie (venue order), one pool per hop, no split across venues: " +
                "on a mainnet fork a sale goes to the v2 pair even where a v3 pool of the same tokens is deeper"),
            ("Uniswap v3 re-pricing", "an exogenous shock moves the first pool of the asset's price route by the arbitrage swap to the shocked price " +
                "(crossing ticks, as on the chain); other pools of the asset keep their price until sales move them"),
        ];
    }
}
