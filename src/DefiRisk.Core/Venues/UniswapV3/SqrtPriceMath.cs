using System.Numerics;

namespace DefiRisk.Core.Venues.UniswapV3;

/// <summary>
/// Uniswap v3 <c>SqrtPriceMath</c>: the price after adding or removing an amount at a given liquidity, and the amounts
/// between two prices. Token0 moves the price down (its amount is L·(1/√a − 1/√b)), token1 up (L·(√b − √a)). Each
/// helper rounds so that the pool never pays out more than it takes in; the names say which way.
/// </summary>
public static class SqrtPriceMath
{
    /// <summary>
    /// <c>getNextSqrtPriceFromAmount0RoundingUp</c>: √P' = L·√P / (L ± amount·√P), rounded up. When amount·√P overflows
    /// 256 bits the contract adding takes the less precise form L / (L/√P + amount); that switch is kept, because the two
    /// round differently.
    /// </summary>
    public static BigInteger GetNextSqrtPriceFromAmount0RoundingUp(BigInteger sqrtPX96, BigInteger liquidity, BigInteger amount, bool add)
    {
        if (amount.IsZero) return sqrtPX96;
        var numerator1 = liquidity << 96;
        var product = amount * sqrtPX96;
        if (add)
        {
            if (product <= FullMath.MaxUInt256)
            {
                var denominator = numerator1 + product;
                if (denominator <= FullMath.MaxUInt256)
                    return FullMath.MulDivRoundingUp(numerator1, sqrtPX96, denominator);
            }
            var sum = numerator1 / sqrtPX96 + amount;
            if (sum > FullMath.MaxUInt256) FullMath.Revert("LowGasSafeMath.add: overflow");
            return FullMath.DivRoundingUp(numerator1, sum);
        }
        if (product > FullMath.MaxUInt256 || numerator1 <= product) FullMath.Revert("SqrtPriceMath: amount0 out exceeds the reserve");
        return FullMath.ToUint160(FullMath.MulDivRoundingUp(numerator1, sqrtPX96, numerator1 - product));
    }

    /// <summary><c>getNextSqrtPriceFromAmount1RoundingDown</c>: √P' = √P ± amount·2^96/L, the quotient rounded down when adding, up when removing.</summary>
    public static BigInteger GetNextSqrtPriceFromAmount1RoundingDown(BigInteger sqrtPX96, BigInteger liquidity, BigInteger amount, bool add)
    {
        if (add)
        {
            var quotient = FullMath.MulDiv(amount, FullMath.Q96, liquidity);
            var sum = sqrtPX96 + quotient;
            if (sum > FullMath.MaxUInt256) FullMath.Revert("LowGasSafeMath.add: overflow");
            return FullMath.ToUint160(sum);
        }
        var up = FullMath.MulDivRoundingUp(amount, FullMath.Q96, liquidity);
        if (sqrtPX96 <= up) FullMath.Revert("SqrtPriceMath: amount1 out exceeds the reserve");
        return sqrtPX96 - up;
    }

    /// <summary><c>getNextSqrtPriceFromInput</c>: the price after amountIn of token0 (zeroForOne) or token1 comes in; rounds so the price does not pass the target.</summary>
    public static BigInteger GetNextSqrtPriceFromInput(BigInteger sqrtPX96, BigInteger liquidity, BigInteger amountIn, bool zeroForOne)
    {
        if (sqrtPX96.Sign <= 0 || liquidity.Sign <= 0) FullMath.Revert("SqrtPriceMath.getNextSqrtPriceFromInput: zero price or liquidity");
        return zeroForOne
            ? GetNextSqrtPriceFromAmount0RoundingUp(sqrtPX96, liquidity, amountIn, add: true)
            : GetNextSqrtPriceFromAmount1RoundingDown(sqrtPX96, liquidity, amountIn, add: true);
    }

    /// <summary><c>getNextSqrtPriceFromOutput</c>: the price after amountOut of token1 (zeroForOne) or token0 goes out; rounds so the price passes the target.</summary>
    public static BigInteger GetNextSqrtPriceFromOutput(BigInteger sqrtPX96, BigInteger liquidity, BigInteger amountOut, bool zeroForOne)
    {
        if (sqrtPX96.Sign <= 0 || liquidity.Sign <= 0) FullMath.Revert("SqrtPriceMath.getNextSqrtPriceFromOutput: zero price or liquidity");
        return zeroForOne
            ? GetNextSqrtPriceFromAmount1RoundingDown(sqrtPX96, liquidity, amountOut, add: false)
            : GetNextSqrtPriceFromAmount0RoundingUp(sqrtPX96, liquidity, amountOut, add: false);
    }

    /// <summary><c>getAmount0Delta</c>: L·2^96·(√b − √a)/(√b·√a), the two divisions rounded the same way (up or down).</summary>
    public static BigInteger GetAmount0Delta(BigInteger sqrtRatioAX96, BigInteger sqrtRatioBX96, BigInteger liquidity, bool roundUp)
    {
        if (sqrtRatioAX96 > sqrtRatioBX96) (sqrtRatioAX96, sqrtRatioBX96) = (sqrtRatioBX96, sqrtRatioAX96);
        if (sqrtRatioAX96.Sign <= 0) FullMath.Revert("SqrtPriceMath.getAmount0Delta: zero price");
        var numerator1 = liquidity << 96;
        var numerator2 = sqrtRatioBX96 - sqrtRatioAX96;
        return roundUp
            ? FullMath.DivRoundingUp(FullMath.MulDivRoundingUp(numerator1, numerator2, sqrtRatioBX96), sqrtRatioAX96)
            : FullMath.MulDiv(numerator1, numerator2, sqrtRatioBX96) / sqrtRatioAX96;
    }

    /// <summary><c>getAmount1Delta</c>: L·(√b − √a)/2^96, rounded up or down.</summary>
    public static BigInteger GetAmount1Delta(BigInteger sqrtRatioAX96, BigInteger sqrtRatioBX96, BigInteger liquidity, bool roundUp)
    {
        if (sqrtRatioAX96 > sqrtRatioBX96) (sqrtRatioAX96, sqrtRatioBX96) = (sqrtRatioBX96, sqrtRatioAX96);
        return roundUp
            ? FullMath.MulDivRoundingUp(liquidity, sqrtRatioBX96 - sqrtRatioAX96, FullMath.Q96)
            : FullMath.MulDiv(liquidity, sqrtRatioBX96 - sqrtRatioAX96, FullMath.Q96);
    }
}
