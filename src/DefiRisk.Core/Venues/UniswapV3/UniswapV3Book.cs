using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;

namespace DefiRisk.Core.Venues.UniswapV3;

/// <summary>Uniswap v3's part of a snapshot: the configured pools read at the pinned block.</summary>
public sealed record UniswapV3Book(IReadOnlyList<UniswapV3Pool> V3Pools) : IVenueBook
{
    public const string Name = "uniswap-v3";

    public string Venue => Name;

    public IReadOnlyList<IPool> Pools => V3Pools;

    /// <summary>
    /// Every range's liquidity × the factor (floor), prices and ticks unchanged: the liquidity between each pair of
    /// neighbouring initialized ticks is scaled and liquidityNet rebuilt from the scaled ranges, so crossing stays
    /// consistent (scaling each net on its own would not sum to the scaled ranges).
    /// </summary>
    public IVenueBook WithDepth(decimal factor)
    {
        var num = new BigInteger(decimal.Truncate(factor * 1_000_000m));
        return new UniswapV3Book(V3Pools.Select(p => p with { State = ScaleLiquidity(p.State, num, 1_000_000) }).ToList());
    }

    internal static UniswapV3PoolState ScaleLiquidity(UniswapV3PoolState state, BigInteger numerator, BigInteger denominator)
    {
        var ticks = state.Ticks;
        var below = Array.BinarySearch(state.TickIndices, state.Tick);
        below = below >= 0 ? below + 1 : ~below;
        // The liquidity below the lowest known tick: zero for a pool read whole, not necessarily for a window.
        var segment = state.Liquidity;
        for (var i = 0; i < below; i++) segment -= ticks[i].LiquidityNet;
        var scaledBefore = segment * numerator / denominator;
        var rebuilt = new List<UniswapV3Tick>(ticks.Count);
        var liquidity = below == 0 ? scaledBefore : BigInteger.Zero;
        for (var i = 0; i < ticks.Count; i++)
        {
            segment += ticks[i].LiquidityNet;
            var scaled = segment * numerator / denominator;
            rebuilt.Add(new UniswapV3Tick(ticks[i].Index, scaled - scaledBefore));
            if (i + 1 == below) liquidity = scaled;
            scaledBefore = scaled;
        }
        return new UniswapV3PoolState(state.SqrtPriceX96, state.Tick, liquidity, state.Fee, state.TickSpacing, rebuilt, state.KnownWords);
    }
}

/// <summary>Where a snapshot's Uniswap v3 pools are read.</summary>
public static class UniswapV3SnapshotExtensions
{
    public static IReadOnlyList<UniswapV3Pool> UniswapV3Pools(this Snapshot snapshot) => snapshot.Venue<UniswapV3Book>()?.V3Pools ?? [];
}

/// <summary>A v3 pool's price state after a cascade or at a round's start (what a replay checks and sets), as <c>slot0</c> and <c>liquidity()</c> read it.</summary>
public sealed record UniswapV3PoolPrice(Address Pool, Address Token0, Address Token1, BigInteger SqrtPriceX96, int Tick, BigInteger Liquidity);

/// <summary>
/// Exact state: <see cref="UniswapV3Swap.SwapExactInput"/> per sale (no price limit, as a router's default), the pool
/// state replaced by the swap's. An input the pool cannot absorb (its liquidity runs out, or the read tick window ends)
/// stays with the seller and earns nothing: the output is what the pool paid.
/// </summary>
internal sealed class UniswapV3ExactState(UniswapV3Pool pool) : ExactPoolState
{
    private static readonly BigInteger Q192 = BigInteger.One << 192;
    private UniswapV3PoolState _state = pool.State;

    public override BigInteger Swap(BigInteger amountIn, bool zeroForOne, bool commit)
    {
        // A price already at the no-limit bound would revert 'SPL' on the chain: nothing more can be sold that way.
        if (amountIn.Sign <= 0 || AtBound(_state.SqrtPriceX96, zeroForOne)) return BigInteger.Zero;
        var r = UniswapV3Swap.SwapExactInput(_state, zeroForOne, amountIn);
        if (commit) _state = r.After;
        return -(zeroForOne ? r.Amount1 : r.Amount0);
    }

    internal static bool AtBound(BigInteger sqrtPriceX96, bool zeroForOne) =>
        zeroForOne ? sqrtPriceX96 <= UniswapV3Swap.NoLimit(true) : sqrtPriceX96 >= UniswapV3Swap.NoLimit(false);

    /// <summary>sqrtPriceX96² / 2^192 (token1 per token0, before the fee), or its inverse.</summary>
    public override (BigInteger Numerator, BigInteger Denominator) Spot(bool zeroForOne)
    {
        var p = UniswapV3Price.SpotPriceX192(_state.SqrtPriceX96);
        return zeroForOne ? (p, Q192) : (Q192, p);
    }

    /// <summary>
    /// The arbitrage trade: the pool is swapped to √(P·num/den) (token0's price moving) or √(P·den/num) (token1's),
    /// floor, through <see cref="UniswapV3Swap.SwapToPrice"/>, so ticks crossed on the way change the in-range
    /// liquidity as on the chain. The target is kept inside (MIN_SQRT_RATIO, MAX_SQRT_RATIO).
    /// </summary>
    public override void Reprice(bool assetIsToken0, BigInteger numerator, BigInteger denominator)
    {
        _state = RepriceTo(_state, Target(_state.SqrtPriceX96, assetIsToken0, numerator, denominator));
    }

    internal static BigInteger Target(BigInteger sqrtPriceX96, bool assetIsToken0, BigInteger numerator, BigInteger denominator)
    {
        var p = UniswapV3Price.SpotPriceX192(sqrtPriceX96);
        var target = FixedPoint.Sqrt(assetIsToken0 ? p * numerator / denominator : p * denominator / numerator);
        return BigInteger.Clamp(target, UniswapV3Swap.NoLimit(true), UniswapV3Swap.NoLimit(false));
    }

    internal static UniswapV3PoolState RepriceTo(UniswapV3PoolState state, BigInteger target) =>
        UniswapV3Swap.SwapToPrice(state, target)?.After ?? state;

    public override object Report() => new UniswapV3PoolPrice(pool.Address, pool.Token0, pool.Token1, _state.SqrtPriceX96, _state.Tick, _state.Liquidity);

    // The state is an immutable record: the reference is the mark.
    public override object Mark() => _state;

    public override void Restore(object mark) => _state = (UniswapV3PoolState)mark;

    /// <summary>In-range virtual reserves: x = L·2^96/√P, y = L·√P/2^96 (floor).</summary>
    public override BigInteger VirtualReserve(bool token0) =>
        token0 ? (_state.SqrtPriceX96.IsZero ? 0 : (_state.Liquidity << 96) / _state.SqrtPriceX96) : (_state.Liquidity * _state.SqrtPriceX96) >> 96;
}

/// <summary>
/// The fast twin: <see cref="UniswapV3FastPool.Quote"/> per sale (output floored, as the exact path rounds down), the
/// same arbitrage as a quote to the target √price. Checked against the exact state by UniswapV3VenueTests.
/// </summary>
internal sealed class UniswapV3FastState : FastPoolState
{
    private readonly UniswapV3FastPool _pool;
    private readonly FastSwapResult _snapshot;
    private readonly double _snapshotSqrtPrice;

    public UniswapV3FastState(UniswapV3Pool pool)
    {
        _pool = new UniswapV3FastPool(pool.State);
        _snapshotSqrtPrice = _pool.SqrtPrice;
        _snapshot = new FastSwapResult(0, 0, _pool.SqrtPrice, _pool.Liquidity, _pool.TicksBelow, false);
    }

    public override double Swap(double amountIn, bool zeroForOne, bool commit)
    {
        if (amountIn <= 0) return 0;
        var q = _pool.Quote(zeroForOne, amountIn);
        if (commit) _pool.Apply(q);
        return Math.Floor(q.AmountOut);
    }

    public override double PriceMove(bool zeroForOne)
    {
        var r = _pool.SqrtPrice / _snapshotSqrtPrice;
        return zeroForOne ? r * r : 1 / (r * r);
    }

    public override void Reprice(bool assetIsToken0, double factor)
    {
        var g = Math.Sqrt(factor);
        var s = _pool.SqrtPrice;
        var target = assetIsToken0 ? s * g : s / g;
        if (target == s) return;
        _pool.Apply(_pool.Quote(target < s, double.PositiveInfinity, target));
    }

    public override void Reset() => _pool.Apply(_snapshot);

    public override object Mark() => new FastSwapResult(0, 0, _pool.SqrtPrice, _pool.Liquidity, _pool.TicksBelow, false);

    public override void Restore(object mark) => _pool.Apply((FastSwapResult)mark);

    public override double VirtualReserve(bool token0) => token0 ? _pool.Liquidity / _pool.SqrtPrice : _pool.Liquidity * _pool.SqrtPrice;
}

/// <summary>Uniswap v3's view of a cascade result: its pools' prices per round and at the end (what a replay checks).</summary>
public static class UniswapV3ResultExtensions
{
    public static IReadOnlyList<UniswapV3PoolPrice> V3PoolPrices(this Analysis.CascadeRound round) => round.Pools.OfType<UniswapV3PoolPrice>().ToList();

    public static IReadOnlyList<UniswapV3PoolPrice> FinalV3PoolPrices(this Analysis.CascadeResult result) => result.FinalPools.OfType<UniswapV3PoolPrice>().ToList();
}
