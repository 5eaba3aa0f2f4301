using System.Numerics;

namespace DefiRisk.Core.Venues.UniswapV2;

/// <summary>Uniswap v2 constant-product math (<c>UniswapV2Library</c>; the pair's k check enforces exactly this).</summary>
public static class UniswapV2Math
{
    /// <summary><c>getAmountOut</c>: ⌊in·997·rOut / (rIn·1000 + in·997)⌋ (0.3 % fee on the input).</summary>
    public static BigInteger GetAmountOut(BigInteger amountIn, BigInteger reserveIn, BigInteger reserveOut)
    {
        if (amountIn.Sign <= 0) return BigInteger.Zero;
        if (reserveIn.Sign <= 0 || reserveOut.Sign <= 0) throw new InvalidOperationException("UniswapV2Library: INSUFFICIENT_LIQUIDITY");
        var inWithFee = amountIn * 997;
        return inWithFee * reserveOut / (reserveIn * 1000 + inWithFee);
    }

    /// <summary><c>getAmountIn</c>: ⌊rIn·out·1000 / ((rOut − out)·997)⌋ + 1.</summary>
    public static BigInteger GetAmountIn(BigInteger amountOut, BigInteger reserveIn, BigInteger reserveOut)
    {
        if (amountOut.Sign <= 0) return BigInteger.Zero;
        if (amountOut >= reserveOut) throw new InvalidOperationException("UniswapV2Library: INSUFFICIENT_LIQUIDITY");
        return reserveIn * amountOut * 1000 / ((reserveOut - amountOut) * 997) + 1;
    }
}
