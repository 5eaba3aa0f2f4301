using System.Globalization;
using System.Numerics;

namespace DefiRisk.Core.Venues.UniswapV3;

/// <summary>
/// Uniswap v3 <c>TickMath</c>: price = 1.0001^tick, held as sqrtPriceX96 = √price · 2^96 (Q64.96), token1 per token0
/// in base units. Ticks run from <see cref="MinTick"/> to <see cref="MaxTick"/>.
/// </summary>
public static class TickMath
{
    public const int MinTick = -887272;
    public const int MaxTick = 887272;
    /// <summary><c>MIN_SQRT_RATIO</c> = getSqrtRatioAtTick(MIN_TICK).</summary>
    public static readonly BigInteger MinSqrtRatio = 4295128739;
    /// <summary><c>MAX_SQRT_RATIO</c> = getSqrtRatioAtTick(MAX_TICK).</summary>
    public static readonly BigInteger MaxSqrtRatio = BigInteger.Parse("1461446703485210103287273052203988822378723970342", CultureInfo.InvariantCulture);

    // The contract's Q128.128 factors 1/√1.0001^(2^i) for bits i = 0…19 of |tick|. Bit 0 seeds the product; the rest
    // multiply in with a >> 128 after each step. These exact constants (and the order of the truncating steps) are what
    // make the result equal the contract's to the last bit.
    private static readonly BigInteger[] BitFactors =
    [
        Hex("fffcb933bd6fad37aa2d162d1a594001"), Hex("fff97272373d413259a46990580e213a"),
        Hex("fff2e50f5f656932ef12357cf3c7fdcc"), Hex("ffe5caca7e10e4e61c3624eaa0941cd0"),
        Hex("ffcb9843d60f6159c9db58835c926644"), Hex("ff973b41fa98c081472e6896dfb254c0"),
        Hex("ff2ea16466c96a3843ec78b326b52861"), Hex("fe5dee046a99a2a811c461f1969c3053"),
        Hex("fcbe86c7900a88aedcffc83b479aa3a4"), Hex("f987a7253ac413176f2b074cf7815e54"),
        Hex("f3392b0822b70005940c7a398e4b70f3"), Hex("e7159475a2c29b7443b29c7fa6e889d9"),
        Hex("d097f3bdfd2022b8845ad8f792aa5825"), Hex("a9f746462d870fdf8a65dc1f90e061e5"),
        Hex("70d869a156d2a1b890bb3df62baf32f7"), Hex("31be135f97d08fd981231505542fcfa6"),
        Hex("9aa508b5b7a84e1c677de54f3e99bc9"), Hex("5d6af8dedb81196699c329225ee604"),
        Hex("2216e584f5fa1ea926041bedfe98"), Hex("48a170391f7dc42444e8fa2"),
    ];

    private static readonly BigInteger Q128 = BigInteger.One << 128;
    private static readonly BigInteger LowMask32 = (BigInteger.One << 32) - 1;

    /// <summary>
    /// <c>getSqrtRatioAtTick</c>: √(1.0001^tick)·2^96, rounded up from the Q128.128 intermediate; reverts 'T'
    /// outside [MIN_TICK, MAX_TICK].
    /// </summary>
    public static BigInteger GetSqrtRatioAtTick(int tick)
    {
        // A pure function of the tick, asked for the same ticks over and over by every quote of a split sale: remembered.
        if (SqrtRatioCache.TryGetValue(tick, out var known)) return known;
        var ratio = ComputeSqrtRatioAtTick(tick);
        if (SqrtRatioCache.Count < SqrtRatioCacheLimit) SqrtRatioCache.TryAdd(tick, ratio);
        return ratio;
    }

    // Bounded so a long sweep over many pools cannot grow it without end (≈ 100 bytes an entry).
    private const int SqrtRatioCacheLimit = 1 << 18;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, BigInteger> SqrtRatioCache = new();

    private static BigInteger ComputeSqrtRatioAtTick(int tick)
    {
        var absTick = Math.Abs((long)tick);
        if (absTick > MaxTick) FullMath.Revert("T");
        var ratio = (absTick & 1) != 0 ? BitFactors[0] : Q128;
        for (var bit = 1; bit < BitFactors.Length; bit++)
            if ((absTick & (1L << bit)) != 0) ratio = (ratio * BitFactors[bit]) >> 128;
        // The factors are for negative ticks; a positive tick takes the reciprocal, as uint256.max / ratio.
        if (tick > 0) ratio = FullMath.MaxUInt256 / ratio;
        // Q128.128 → Q64.96, rounding up so that getTickAtSqrtRatio(getSqrtRatioAtTick(t)) = t.
        return (ratio >> 32) + ((ratio & LowMask32).IsZero ? 0 : 1);
    }

    /// <summary>
    /// <c>getTickAtSqrtRatio</c>: the greatest tick t with getSqrtRatioAtTick(t) ≤ sqrtPriceX96 (the contract's stated
    /// definition); reverts 'R' outside [MIN_SQRT_RATIO, MAX_SQRT_RATIO). The contract gets there with a fixed-point
    /// log₂; here a floating-point log gives a guess that the exact <see cref="GetSqrtRatioAtTick"/> then corrects, so
    /// the answer is exact by construction (a guess is off by at most one tick).
    /// </summary>
    public static int GetTickAtSqrtRatio(BigInteger sqrtPriceX96)
    {
        if (sqrtPriceX96 < MinSqrtRatio || sqrtPriceX96 >= MaxSqrtRatio) FullMath.Revert("R");
        // tick ≈ 2·log(sqrtP / 2^96) / log(1.0001)
        var guess = (int)Math.Floor(2 * (BigInteger.Log(sqrtPriceX96) - 96 * Math.Log(2)) / Math.Log(1.0001));
        var tick = Math.Clamp(guess, MinTick, MaxTick - 1);
        while (tick > MinTick && GetSqrtRatioAtTick(tick) > sqrtPriceX96) tick--;
        while (tick < MaxTick - 1 && GetSqrtRatioAtTick(tick + 1) <= sqrtPriceX96) tick++;
        return tick;
    }

    private static BigInteger Hex(string digits) => BigInteger.Parse("0" + digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
