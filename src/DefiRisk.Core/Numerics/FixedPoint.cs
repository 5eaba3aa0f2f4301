using System.Numerics;
using System.Runtime.CompilerServices;

namespace DefiRisk.Core.Numerics;

/// <summary>
/// Fixed-point helpers named after the Solidity libraries they mirror, each saying how it rounds, so a
/// reviewer can read them beside the contract: Aave <c>WadRayMath</c> / <c>PercentageMath</c> (half up),
/// Morpho <c>MathLib</c> (explicit down/up). All operands are non-negative base-unit integers; where the
/// contract would revert (division by zero, negative input) this throws.
/// </summary>
public static class FixedPoint
{
    public static readonly BigInteger Wad = BigInteger.Pow(10, 18);
    public static readonly BigInteger HalfWad = Wad / 2;
    public static readonly BigInteger Ray = BigInteger.Pow(10, 27);
    public static readonly BigInteger HalfRay = Ray / 2;
    /// <summary>Aave <c>PercentageMath.PERCENTAGE_FACTOR</c>: 1e4 = 100.00 %.</summary>
    public static readonly BigInteger PercentageFactor = 10_000;
    public static readonly BigInteger HalfPercent = 5_000;
    /// <summary>Morpho oracle scale: <c>ORACLE_PRICE_SCALE</c> = 1e36.</summary>
    public static readonly BigInteger OraclePriceScale = BigInteger.Pow(10, 36);
    /// <summary><c>type(uint256).max</c>: Aave's health factor of an account without debt.</summary>
    public static readonly BigInteger UInt256Max = (BigInteger.One << 256) - 1;

    private static readonly BigInteger[] PowersOfTen = Enumerable.Range(0, 78).Select(i => BigInteger.Pow(10, i)).ToArray();

    /// <summary>10^n for 0 ≤ n ≤ 77 (token decimals, oracle decimals), cached.</summary>
    public static BigInteger Pow10(int n) => (uint)n < (uint)PowersOfTen.Length ? PowersOfTen[n] : BigInteger.Pow(10, n);

    /// <summary>Aave <c>WadRayMath.wadMul</c>: (a·b + wad/2) / wad.</summary>
    public static BigInteger WadMul(BigInteger a, BigInteger b) => (a * b + HalfWad) / Wad;

    /// <summary>Aave <c>WadRayMath.wadDiv</c>: (a·wad + b/2) / b.</summary>
    public static BigInteger WadDiv(BigInteger a, BigInteger b) => (a * Wad + b / 2) / NonZero(b);

    /// <summary>Aave <c>WadRayMath.rayMul</c>: (a·b + ray/2) / ray.</summary>
    public static BigInteger RayMul(BigInteger a, BigInteger b) => (a * b + HalfRay) / Ray;

    /// <summary>Aave <c>WadRayMath.rayDiv</c>: (a·ray + b/2) / b.</summary>
    public static BigInteger RayDiv(BigInteger a, BigInteger b) => (a * Ray + b / 2) / NonZero(b);

    /// <summary>Aave <c>PercentageMath.percentMul</c> (bps, half up): (x·p + 5000) / 1e4.</summary>
    public static BigInteger PercentMul(BigInteger value, BigInteger percentage) => (value * percentage + HalfPercent) / PercentageFactor;

    /// <summary>Aave <c>PercentageMath.percentDiv</c> (bps, half up): (x·1e4 + p/2) / p.</summary>
    public static BigInteger PercentDiv(BigInteger value, BigInteger percentage) => (value * PercentageFactor + percentage / 2) / NonZero(percentage);

    /// <summary>Aave v3.5+ <c>PercentageMath.percentDivCeil</c> (bps, up): ⌈x·1e4 / p⌉.</summary>
    public static BigInteger PercentDivCeil(BigInteger value, BigInteger percentage) => MulDivUp(value, PercentageFactor, percentage);

    /// <summary>Morpho <c>MathLib.mulDivDown</c>: ⌊x·y / d⌋.</summary>
    public static BigInteger MulDivDown(BigInteger x, BigInteger y, BigInteger d) => x * y / NonZero(d);

    /// <summary>Morpho <c>MathLib.mulDivUp</c>: ⌈x·y / d⌉ = (x·y + d − 1) / d.</summary>
    public static BigInteger MulDivUp(BigInteger x, BigInteger y, BigInteger d) => (x * y + (NonZero(d) - 1)) / d;

    /// <summary>Morpho <c>MathLib.wMulDown</c>: ⌊x·y / wad⌋.</summary>
    public static BigInteger WMulDown(BigInteger x, BigInteger y) => x * y / Wad;

    /// <summary>Morpho <c>MathLib.wDivDown</c>: ⌊x·wad / y⌋.</summary>
    public static BigInteger WDivDown(BigInteger x, BigInteger y) => x * Wad / NonZero(y);

    /// <summary>Morpho <c>MathLib.wDivUp</c>: ⌈x·wad / y⌉.</summary>
    public static BigInteger WDivUp(BigInteger x, BigInteger y) => MulDivUp(x, Wad, y);

    /// <summary>⌊√x⌋ for x ≥ 0 (Newton's method on integers); used to re-price constant-product pools at constant k.</summary>
    public static BigInteger Sqrt(BigInteger x)
    {
        if (x.Sign < 0) throw new ArgumentOutOfRangeException(nameof(x), "square root of a negative number");
        if (x < 2) return x;
        var r = BigInteger.One << (int)((x.GetBitLength() + 1) / 2);
        while (true)
        {
            var next = (r + x / r) >> 1;
            if (next >= r) return r;
            r = next;
        }
    }

    public static BigInteger Min(BigInteger a, BigInteger b) => a < b ? a : b;
    public static BigInteger Max(BigInteger a, BigInteger b) => a > b ? a : b;

    /// <summary>Formats a wad (or any 10^decimals fixed-point integer) as an exact decimal string, e.g. "1.050000000000000000".</summary>
    public static string FormatFixed(BigInteger value, int decimals)
    {
        var negative = value.Sign < 0;
        var abs = BigInteger.Abs(value);
        var unit = Pow10(decimals);
        var whole = BigInteger.DivRem(abs, unit, out var frac);
        var text = decimals == 0 ? whole.ToString() : $"{whole}.{frac.ToString().PadLeft(decimals, '0')}";
        return negative ? "-" + text : text;
    }

    /// <summary>A lossy view for charts and reports only (never for decisions): value / 10^decimals.</summary>
    public static double ToDouble(BigInteger value, int decimals) => (double)value / Math.Pow(10, decimals);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static BigInteger NonZero(BigInteger d) => d.IsZero ? ThrowDivideByZero() : d;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static BigInteger ThrowDivideByZero() => throw new DivideByZeroException("division by zero (the contract would revert)");
}
