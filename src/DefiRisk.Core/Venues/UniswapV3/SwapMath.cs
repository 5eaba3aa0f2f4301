using System.Numerics;

namespace DefiRisk.Core.Venues.UniswapV3;

/// <summary>One step of a swap within a single liquidity value: where the price ends and what moved (base units).</summary>
/// <param name="SqrtRatioNextX96">The price after the step (the target when it was reached).</param>
/// <param name="AmountIn">Input taken, fee excluded.</param>
/// <param name="AmountOut">Output paid.</param>
/// <param name="FeeAmount">Fee taken on top of <paramref name="AmountIn"/>, in the input token.</param>
public readonly record struct SwapStep(BigInteger SqrtRatioNextX96, BigInteger AmountIn, BigInteger AmountOut, BigInteger FeeAmount);

/// <summary>Uniswap v3 <c>SwapMath</c>.</summary>
public static class SwapMath
{
    /// <summary>The fee denominator: fees are in pips, hundredths of a basis point (3000 = 0.30 %).</summary>
    public const int FeeDenominator = 1_000_000;

    /// <summary>
    /// <c>computeSwapStep</c>: swap toward <paramref name="sqrtRatioTargetX96"/> at constant liquidity, until the target
    /// is reached or <paramref name="amountRemaining"/> (positive: exact input, fee included; negative: exact output)
    /// is used up. Input rounds up, output down. When exact input stops short of the target, the whole remainder
    /// beyond amountIn is the fee; otherwise the fee is ⌈amountIn·fee/(1e6 − fee)⌉.
    /// </summary>
    public static SwapStep ComputeSwapStep(BigInteger sqrtRatioCurrentX96, BigInteger sqrtRatioTargetX96, BigInteger liquidity, BigInteger amountRemaining, int feePips)
    {
        var zeroForOne = sqrtRatioCurrentX96 >= sqrtRatioTargetX96;
        var exactIn = amountRemaining.Sign >= 0;
        BigInteger sqrtRatioNextX96, amountIn = BigInteger.Zero, amountOut = BigInteger.Zero;

        if (exactIn)
        {
            var amountRemainingLessFee = FullMath.MulDiv(amountRemaining, FeeDenominator - feePips, FeeDenominator);
            amountIn = zeroForOne
                ? SqrtPriceMath.GetAmount0Delta(sqrtRatioTargetX96, sqrtRatioCurrentX96, liquidity, roundUp: true)
                : SqrtPriceMath.GetAmount1Delta(sqrtRatioCurrentX96, sqrtRatioTargetX96, liquidity, roundUp: true);
            sqrtRatioNextX96 = amountRemainingLessFee >= amountIn
                ? sqrtRatioTargetX96
                : SqrtPriceMath.GetNextSqrtPriceFromInput(sqrtRatioCurrentX96, liquidity, amountRemainingLessFee, zeroForOne);
        }
        else
        {
            amountOut = zeroForOne
                ? SqrtPriceMath.GetAmount1Delta(sqrtRatioTargetX96, sqrtRatioCurrentX96, liquidity, roundUp: false)
                : SqrtPriceMath.GetAmount0Delta(sqrtRatioCurrentX96, sqrtRatioTargetX96, liquidity, roundUp: false);
            sqrtRatioNextX96 = -amountRemaining >= amountOut
                ? sqrtRatioTargetX96
                : SqrtPriceMath.GetNextSqrtPriceFromOutput(sqrtRatioCurrentX96, liquidity, -amountRemaining, zeroForOne);
        }

        // Reaching the target keeps the amount already computed for the full step; stopping short recomputes it.
        var reachedTarget = sqrtRatioTargetX96 == sqrtRatioNextX96;
        if (zeroForOne)
        {
            if (!(reachedTarget && exactIn)) amountIn = SqrtPriceMath.GetAmount0Delta(sqrtRatioNextX96, sqrtRatioCurrentX96, liquidity, roundUp: true);
            if (!(reachedTarget && !exactIn)) amountOut = SqrtPriceMath.GetAmount1Delta(sqrtRatioNextX96, sqrtRatioCurrentX96, liquidity, roundUp: false);
        }
        else
        {
            if (!(reachedTarget && exactIn)) amountIn = SqrtPriceMath.GetAmount1Delta(sqrtRatioCurrentX96, sqrtRatioNextX96, liquidity, roundUp: true);
            if (!(reachedTarget && !exactIn)) amountOut = SqrtPriceMath.GetAmount0Delta(sqrtRatioCurrentX96, sqrtRatioNextX96, liquidity, roundUp: false);
        }

        // Exact output never pays out more than asked, even where rounding of the price would allow it.
        if (!exactIn && amountOut > -amountRemaining) amountOut = -amountRemaining;

        var feeAmount = exactIn && sqrtRatioNextX96 != sqrtRatioTargetX96
            ? amountRemaining - amountIn
            : FullMath.MulDivRoundingUp(amountIn, feePips, FeeDenominator - feePips);
        return new SwapStep(sqrtRatioNextX96, amountIn, amountOut, feeAmount);
    }
}
