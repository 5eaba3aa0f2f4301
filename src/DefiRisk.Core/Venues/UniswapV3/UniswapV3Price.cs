using System.Numerics;

namespace DefiRisk.Core.Venues.UniswapV3;

/// <summary>
/// Prices of a Uniswap v3 pool, in token base units. The <em>marginal</em> price is what an infinitesimal trade
/// gets at the current state (the slope of the swap curve); the <em>average</em> price of a trade is its output over
/// its input and is always worse. Both are stated in "output per input".
/// </summary>
public static class UniswapV3Price
{
    private static readonly double Two96 = Math.Pow(2, 96);

    /// <summary>sqrtPriceX96² : the pool price token1/token0 as an exact Q128.192 integer (price·2^192).</summary>
    public static BigInteger SpotPriceX192(BigInteger sqrtPriceX96) => sqrtPriceX96 * sqrtPriceX96;

    /// <summary>The pool price, token1 base units per token0 base unit, fee excluded: (sqrtPriceX96 / 2^96)².</summary>
    public static double Price1Per0(BigInteger sqrtPriceX96)
    {
        var s = (double)sqrtPriceX96 / Two96;
        return s * s;
    }

    /// <summary>
    /// The marginal price a seller gets, output per input in base units, after the fee: selling token0
    /// (zeroForOne) P·(1 − fee); selling token1, (1/P)·(1 − fee). Zero when no liquidity is in range (the next unit
    /// would first move the price to the next liquidity; the swap model prices that, this figure does not).
    /// </summary>
    public static double MarginalPrice(UniswapV3PoolState state, bool zeroForOne)
    {
        if (state.Liquidity.IsZero) return 0;
        var p = Price1Per0(state.SqrtPriceX96);
        var afterFee = 1 - state.Fee / (double)SwapMath.FeeDenominator;
        return (zeroForOne ? p : 1 / p) * afterFee;
    }
}
