using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Venues;

namespace DefiRisk.Core.Venues.UniswapV3;

/// <summary>An initialized tick: the liquidity added when the price crosses it upward (<c>ticks(i).liquidityNet</c>, int128).
/// A tick can be initialized with a net of zero (two positions meeting there); it still ends a swap step.</summary>
public readonly record struct UniswapV3Tick(int Index, BigInteger LiquidityNet);

/// <summary>
/// The tick-bitmap words whose initialized ticks are known: compressed ticks (tick / tickSpacing, rounded down)
/// from First·256 to Last·256 + 255. A swap that would need a word outside stops at the edge (see
/// <see cref="UniswapV3SwapResult.StoppedAtKnownEdge"/>) rather than assume there is no liquidity beyond.
/// </summary>
public readonly record struct UniswapV3BitmapWords(int First, int Last)
{
    /// <summary>Every word a pool with this spacing can use: [MIN_TICK, MAX_TICK] compressed.</summary>
    public static UniswapV3BitmapWords All(int tickSpacing) =>
        new(WordOf(Compress(TickMath.MinTick, tickSpacing)), WordOf(Compress(TickMath.MaxTick, tickSpacing)));

    /// <summary>The word <c>tickBitmap</c> keys a compressed tick under (<c>TickBitmap.position</c>: compressed >> 8).</summary>
    public static int WordOf(int compressed) => compressed >> 8;

    /// <summary>tick / tickSpacing rounded toward negative infinity, as <c>nextInitializedTickWithinOneWord</c> does.</summary>
    public static int Compress(int tick, int tickSpacing)
    {
        var compressed = tick / tickSpacing;
        if (tick < 0 && tick % tickSpacing != 0) compressed--;
        return compressed;
    }

    public bool Contains(int word) => word >= First && word <= Last;
}

/// <summary>
/// A Uniswap v3 pool as its swap sees it: <c>slot0.sqrtPriceX96</c> and <c>slot0.tick</c>, the in-range
/// <c>liquidity</c>, the <c>fee</c> (pips), <c>tickSpacing</c>, and the initialized ticks with their liquidityNet,
/// sorted ascending. Fee growth, oracle observations and the protocol fee are left out: they do not change what a
/// swap pays or costs. The tick is kept as stored, not derived from the price: after a downward swap that ends on a
/// tick boundary the pool stores boundary − 1.
/// </summary>
public sealed record UniswapV3PoolState
{
    public UniswapV3PoolState(BigInteger sqrtPriceX96, int tick, BigInteger liquidity, int fee, int tickSpacing, IReadOnlyList<UniswapV3Tick> ticks, UniswapV3BitmapWords? knownWords = null)
    {
        if (sqrtPriceX96 < TickMath.MinSqrtRatio || sqrtPriceX96 >= TickMath.MaxSqrtRatio)
            throw new ArgumentOutOfRangeException(nameof(sqrtPriceX96), sqrtPriceX96, "outside [MIN_SQRT_RATIO, MAX_SQRT_RATIO)");
        if (tick < TickMath.MinTick || tick > TickMath.MaxTick) throw new ArgumentOutOfRangeException(nameof(tick), tick, "outside [MIN_TICK, MAX_TICK]");
        if (liquidity.Sign < 0 || liquidity > FullMath.MaxUInt128) throw new ArgumentOutOfRangeException(nameof(liquidity), liquidity, "not a uint128");
        if (fee < 0 || fee >= SwapMath.FeeDenominator) throw new ArgumentOutOfRangeException(nameof(fee), fee, "fee in pips must be in [0, 1e6)");
        if (tickSpacing <= 0 || tickSpacing >= 16384) throw new ArgumentOutOfRangeException(nameof(tickSpacing), tickSpacing, "the factory allows (0, 16384)");
        var known = knownWords ?? UniswapV3BitmapWords.All(tickSpacing);
        var indices = new int[ticks.Count];
        var nets = new BigInteger[ticks.Count];
        for (var i = 0; i < ticks.Count; i++)
        {
            var t = ticks[i];
            if (t.Index % tickSpacing != 0 || t.Index < TickMath.MinTick || t.Index > TickMath.MaxTick)
                throw new ArgumentException($"tick {t.Index} is not a multiple of the spacing {tickSpacing} within [MIN_TICK, MAX_TICK]", nameof(ticks));
            if (i > 0 && t.Index <= indices[i - 1]) throw new ArgumentException("ticks must be sorted ascending, each once", nameof(ticks));
            if (!known.Contains(UniswapV3BitmapWords.WordOf(t.Index / tickSpacing)))
                throw new ArgumentException($"tick {t.Index} lies outside the known bitmap words {known.First}…{known.Last}", nameof(ticks));
            indices[i] = t.Index;
            nets[i] = t.LiquidityNet;
        }
        SqrtPriceX96 = sqrtPriceX96;
        Tick = tick;
        Liquidity = liquidity;
        Fee = fee;
        TickSpacing = tickSpacing;
        Ticks = ticks.ToArray();
        TickIndices = indices;
        LiquidityNets = nets;
        KnownWords = known;
    }

    /// <summary><c>slot0.sqrtPriceX96</c>: √(token1/token0 in base units)·2^96.</summary>
    public BigInteger SqrtPriceX96 { get; }
    /// <summary><c>slot0.tick</c>.</summary>
    public int Tick { get; }
    /// <summary><c>liquidity</c>: the liquidity in range at the current price (uint128).</summary>
    public BigInteger Liquidity { get; }
    /// <summary><c>fee</c>, pips (1e-6): 100, 500, 3000, 10000 on mainnet.</summary>
    public int Fee { get; }
    public int TickSpacing { get; }
    /// <summary>The initialized ticks, ascending.</summary>
    public IReadOnlyList<UniswapV3Tick> Ticks { get; }
    /// <summary>The bitmap words the ticks were read from (all of them when the state was built whole).</summary>
    public UniswapV3BitmapWords KnownWords { get; }

    // Struct-of-arrays copies for the swap loop.
    internal int[] TickIndices { get; }
    internal BigInteger[] LiquidityNets { get; }

    /// <summary>The same pool after a swap moved its price, tick and in-range liquidity. The tick arrays are shared, not
    /// copied and checked again: a swap changes none of them, and every quote of a best-execution split builds one of these.</summary>
    public UniswapV3PoolState WithPrice(BigInteger sqrtPriceX96, int tick, BigInteger liquidity) => new(this, sqrtPriceX96, tick, liquidity);

    private UniswapV3PoolState(UniswapV3PoolState pool, BigInteger sqrtPriceX96, int tick, BigInteger liquidity)
    {
        if (sqrtPriceX96 < TickMath.MinSqrtRatio || sqrtPriceX96 >= TickMath.MaxSqrtRatio)
            throw new ArgumentOutOfRangeException(nameof(sqrtPriceX96), sqrtPriceX96, "outside [MIN_SQRT_RATIO, MAX_SQRT_RATIO)");
        if (tick < TickMath.MinTick || tick > TickMath.MaxTick) throw new ArgumentOutOfRangeException(nameof(tick), tick, "outside [MIN_TICK, MAX_TICK]");
        if (liquidity.Sign < 0 || liquidity > FullMath.MaxUInt128) throw new ArgumentOutOfRangeException(nameof(liquidity), liquidity, "not a uint128");
        SqrtPriceX96 = sqrtPriceX96;
        Tick = tick;
        Liquidity = liquidity;
        Fee = pool.Fee;
        TickSpacing = pool.TickSpacing;
        Ticks = pool.Ticks;
        TickIndices = pool.TickIndices;
        LiquidityNets = pool.LiquidityNets;
        KnownWords = pool.KnownWords;
    }

    /// <summary>Equal when every value is, tick for tick (a record alone would compare the tick lists by reference).</summary>
    public bool Equals(UniswapV3PoolState? other) =>
        other is not null && SqrtPriceX96 == other.SqrtPriceX96 && Tick == other.Tick && Liquidity == other.Liquidity && Fee == other.Fee
        && TickSpacing == other.TickSpacing && KnownWords == other.KnownWords && Ticks.SequenceEqual(other.Ticks);

    public override int GetHashCode() => HashCode.Combine(SqrtPriceX96, Tick, Liquidity, Fee, TickSpacing, Ticks.Count);

    public override string ToString() =>
        $"sqrtPriceX96={SqrtPriceX96} tick={Tick} liquidity={Liquidity} fee={Fee} spacing={TickSpacing} ticks=[{string.Join(", ", Ticks.Select(t => $"{t.Index}:{t.LiquidityNet}"))}]";
}

/// <summary>
/// A Uniswap v3 pool: its address, its tokens (token0 &lt; token1 by address) and its state at one block. As a venue's
/// pool (<see cref="ITradablePool"/>) its exact state is <see cref="UniswapV3Swap"/> and its fast state
/// <see cref="UniswapV3FastPool"/> (UniswapV3Book.cs).
/// </summary>
public sealed record UniswapV3Pool(Address Address, Address Token0, Address Token1, UniswapV3PoolState State) : ITradablePool
{
    public Address Id => Address;

    /// <summary>In-range liquidity, or initialized ticks a sale can reach (a price in an empty range still moves to them).</summary>
    public bool HasLiquidity => !State.Liquidity.IsZero || State.Ticks.Count > 0;

    public ExactPoolState StartExact() => new UniswapV3ExactState(this);

    public FastPoolState StartFast() => new UniswapV3FastState(this);
}
