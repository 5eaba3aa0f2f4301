using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace DefiRisk.Core.Venues.UniswapV3;

/// <summary>
/// The 256-bit arithmetic of Uniswap v3's <c>FullMath</c>, <c>UnsafeMath</c> and the uint widths the pool casts to.
/// <see cref="BigInteger"/> has no overflow, so the phantom-overflow trick of <c>mulDiv</c> is not needed; what
/// must be kept is where the contract reverts (a result that does not fit 256 bits, division by zero) and how
/// each helper rounds. Operands are non-negative.
/// </summary>
public static class FullMath
{
    public static readonly BigInteger MaxUInt256 = (BigInteger.One << 256) - 1;
    public static readonly BigInteger MaxUInt160 = (BigInteger.One << 160) - 1;
    public static readonly BigInteger MaxUInt128 = (BigInteger.One << 128) - 1;
    /// <summary><c>type(int256).max</c>: the bound of <c>SafeCast.toInt256</c>.</summary>
    public static readonly BigInteger MaxInt256 = (BigInteger.One << 255) - 1;
    /// <summary><c>FixedPoint96.Q96</c> = 2^96, the scale of sqrtPriceX96.</summary>
    public static readonly BigInteger Q96 = BigInteger.One << 96;

    /// <summary><c>FullMath.mulDiv</c>: ⌊a·b / d⌋; reverts when d = 0 or the result exceeds 256 bits.</summary>
    public static BigInteger MulDiv(BigInteger a, BigInteger b, BigInteger denominator)
    {
        if (denominator.IsZero) Revert("FullMath.mulDiv: division by zero");
        var result = a * b / denominator;
        if (result > MaxUInt256) Revert("FullMath.mulDiv: result exceeds 256 bits");
        return result;
    }

    /// <summary><c>FullMath.mulDivRoundingUp</c>: ⌈a·b / d⌉; reverts when d = 0 or the result exceeds 256 bits.</summary>
    public static BigInteger MulDivRoundingUp(BigInteger a, BigInteger b, BigInteger denominator)
    {
        if (denominator.IsZero) Revert("FullMath.mulDivRoundingUp: division by zero");
        var result = BigInteger.DivRem(a * b, denominator, out var remainder);
        if (!remainder.IsZero) result += 1;
        if (result > MaxUInt256) Revert("FullMath.mulDivRoundingUp: result exceeds 256 bits");
        return result;
    }

    /// <summary><c>UnsafeMath.divRoundingUp</c>: ⌈x / y⌉. The contract returns 0 for y = 0 (EVM division); the
    /// pool never reaches that, so here it is a revert rather than a silent zero.</summary>
    public static BigInteger DivRoundingUp(BigInteger x, BigInteger y)
    {
        if (y.IsZero) Revert("UnsafeMath.divRoundingUp: division by zero");
        var q = BigInteger.DivRem(x, y, out var r);
        return r.IsZero ? q : q + 1;
    }

    /// <summary><c>SafeCast.toUint160</c>.</summary>
    public static BigInteger ToUint160(BigInteger value)
    {
        if (value.Sign < 0 || value > MaxUInt160) Revert("SafeCast.toUint160: overflow");
        return value;
    }

    /// <summary><c>SafeCast.toInt256</c> of a uint256.</summary>
    public static BigInteger ToInt256(BigInteger value)
    {
        if (value > MaxInt256) Revert("SafeCast.toInt256: overflow");
        return value;
    }

    /// <summary>One out-of-line throw for every place the contract reverts.</summary>
    [DoesNotReturn]
    internal static void Revert(string reason) => throw new UniswapV3RevertException(reason);
}

/// <summary>Where the Uniswap v3 contract reverts, the model throws this, with the contract's reason string or the library check.</summary>
public sealed class UniswapV3RevertException(string reason) : InvalidOperationException($"Uniswap v3 reverts: {reason}")
{
    public string Reason { get; } = reason;
}
