using System.Numerics;

namespace DefiRisk.Core.Venues.UniswapV3;

/// <summary>
/// What a swap did: the pool's signed deltas as <c>UniswapV3Pool.swap</c> returns them (positive: paid into the pool,
/// negative: paid out; base units), the pool after it, and how it ended.
/// </summary>
/// <param name="InitializedTicksCrossed">Initialized ticks whose liquidityNet the swap applied.</param>
/// <param name="StoppedAtKnownEdge">The swap needed a bitmap word outside <see cref="UniswapV3PoolState.KnownWords"/> and stopped
/// there with the amount partly unfilled; on the chain it would have gone on. False whenever the ticks are known whole.</param>
public sealed record UniswapV3SwapResult(BigInteger Amount0, BigInteger Amount1, UniswapV3PoolState After, int InitializedTicksCrossed, bool StoppedAtKnownEdge);

/// <summary>
/// <c>UniswapV3Pool.swap</c>, step for step: each step runs to the next initialized tick <em>or the end of the current
/// bitmap word</em> (as <c>nextInitializedTickWithinOneWord</c> does — the word ends change the rounding, so they are
/// kept), then crosses the tick, flipping liquidityNet's sign when the price moves down. With no liquidity in range
/// the price runs through empty ranges at no cost until liquidity, the price limit, or MIN/MAX tick.
/// </summary>
public static class UniswapV3Swap
{
    /// <summary>
    /// Swaps against <paramref name="state"/>. <paramref name="amountSpecified"/> &gt; 0 is an exact input (fee
    /// included), &lt; 0 an exact output. <paramref name="sqrtPriceLimitX96"/> is the price the swap may not pass: below
    /// the current price for zeroForOne (token0 in), above it otherwise; reverts 'SPL' if not, 'AS' for a zero amount.
    /// </summary>
    public static UniswapV3SwapResult Swap(UniswapV3PoolState state, bool zeroForOne, BigInteger amountSpecified, BigInteger sqrtPriceLimitX96) =>
        Swap(state, zeroForOne, amountSpecified, sqrtPriceLimitX96, skipEmptyWords: true);

    /// <param name="skipEmptyWords">
    /// With no liquidity in range, every step of the contract's walk is a free jump to the end of a bitmap word (zero in,
    /// zero out, zero fee), so the walk is replaced by one jump to the next initialized tick, the limit, or the known edge —
    /// the same end state (see <see cref="JumpEndTick"/>) without thousands of steps when a pool runs dry at spacing 1.
    /// False walks word by word as the contract does; a test checks that both agree.
    /// </param>
    internal static UniswapV3SwapResult Swap(UniswapV3PoolState state, bool zeroForOne, BigInteger amountSpecified, BigInteger sqrtPriceLimitX96, bool skipEmptyWords)
    {
        if (amountSpecified.IsZero) FullMath.Revert("AS");
        if (zeroForOne
                ? !(sqrtPriceLimitX96 < state.SqrtPriceX96 && sqrtPriceLimitX96 > TickMath.MinSqrtRatio)
                : !(sqrtPriceLimitX96 > state.SqrtPriceX96 && sqrtPriceLimitX96 < TickMath.MaxSqrtRatio))
            FullMath.Revert("SPL");

        var exactInput = amountSpecified.Sign > 0;
        var remaining = amountSpecified;
        var calculated = BigInteger.Zero;
        var sqrtPriceX96 = state.SqrtPriceX96;
        var tick = state.Tick;
        var liquidity = state.Liquidity;
        var crossed = 0;
        var stoppedAtEdge = false;

        while (!remaining.IsZero && sqrtPriceX96 != sqrtPriceLimitX96)
        {
            var sqrtPriceStartX96 = sqrtPriceX96;
            var jump = skipEmptyWords && liquidity.IsZero;
            if (!(jump
                    ? NextInitializedTickWithinKnownWords(state, tick, zeroForOne, out var tickNext, out var tickPosition)
                    : NextInitializedTickWithinOneWord(state, tick, zeroForOne, out tickNext, out tickPosition)))
            {
                stoppedAtEdge = true;
                break;
            }
            // The bitmap knows nothing of the price range's ends.
            tickNext = Math.Clamp(tickNext, TickMath.MinTick, TickMath.MaxTick);
            var sqrtPriceNextX96 = TickMath.GetSqrtRatioAtTick(tickNext);
            var target = (zeroForOne ? sqrtPriceNextX96 < sqrtPriceLimitX96 : sqrtPriceNextX96 > sqrtPriceLimitX96) ? sqrtPriceLimitX96 : sqrtPriceNextX96;

            var step = SwapMath.ComputeSwapStep(sqrtPriceX96, target, liquidity, remaining, state.Fee);
            sqrtPriceX96 = step.SqrtRatioNextX96;
            if (exactInput)
            {
                remaining -= FullMath.ToInt256(step.AmountIn + step.FeeAmount);
                calculated -= FullMath.ToInt256(step.AmountOut);
            }
            else
            {
                remaining += FullMath.ToInt256(step.AmountOut);
                calculated += FullMath.ToInt256(step.AmountIn + step.FeeAmount);
            }

            if (sqrtPriceX96 == sqrtPriceNextX96)
            {
                if (tickPosition >= 0)
                {
                    var net = state.LiquidityNets[tickPosition];
                    // liquidityNet is what crossing upward adds; moving down takes it away.
                    liquidity = LiquidityMath.AddDelta(liquidity, zeroForOne ? -net : net);
                    crossed++;
                }
                tick = zeroForOne ? tickNext - 1 : tickNext;
            }
            else if (sqrtPriceX96 != sqrtPriceStartX96)
            {
                // Stopped inside a range (a boundary already crossed keeps its tick).
                tick = jump ? JumpEndTick(sqrtPriceX96, zeroForOne, state.TickSpacing) : TickMath.GetTickAtSqrtRatio(sqrtPriceX96);
            }
        }

        var specifiedUsed = amountSpecified - remaining;
        var (amount0, amount1) = zeroForOne == exactInput ? (specifiedUsed, calculated) : (calculated, specifiedUsed);
        return new UniswapV3SwapResult(amount0, amount1, state.WithPrice(sqrtPriceX96, tick, liquidity), crossed, stoppedAtEdge);
    }

    /// <summary>Exact input of <paramref name="amountIn"/> with no price limit (MIN/MAX_SQRT_RATIO ± 1, as the periphery
    /// router's default): the amount out, and the result (the input may be partly unused when liquidity runs out).</summary>
    public static UniswapV3SwapResult SwapExactInput(UniswapV3PoolState state, bool zeroForOne, BigInteger amountIn) =>
        Swap(state, zeroForOne, amountIn, NoLimit(zeroForOne));

    /// <summary>
    /// The swap that moves the pool's price to <paramref name="sqrtPriceTargetX96"/> (an arbitrageur's trade toward a
    /// market price): an exact input of type(int256).max with the target as the limit, so the pool takes exactly what
    /// reaching the target costs. The direction follows from the target: below the current price sells token0. Null
    /// when the target is the current price.
    /// </summary>
    public static UniswapV3SwapResult? SwapToPrice(UniswapV3PoolState state, BigInteger sqrtPriceTargetX96)
    {
        if (sqrtPriceTargetX96 == state.SqrtPriceX96) return null;
        var zeroForOne = sqrtPriceTargetX96 < state.SqrtPriceX96;
        return Swap(state, zeroForOne, FullMath.MaxInt256, sqrtPriceTargetX96);
    }

    /// <summary>The widest allowed limit in a direction: MIN_SQRT_RATIO + 1 or MAX_SQRT_RATIO − 1.</summary>
    public static BigInteger NoLimit(bool zeroForOne) => zeroForOne ? TickMath.MinSqrtRatio + 1 : TickMath.MaxSqrtRatio - 1;

    /// <summary>
    /// The tick a jump through empty words stores when it stops at the limit. The walk it replaces would have stopped on
    /// the same price, but if that price is exactly the first tick of a bitmap word while moving down, the walk's last
    /// step <em>reached</em> its target (the word start) and stored word start − 1, not getTickAtSqrtRatio.
    /// </summary>
    private static int JumpEndTick(BigInteger sqrtPriceX96, bool zeroForOne, int tickSpacing)
    {
        var tick = TickMath.GetTickAtSqrtRatio(sqrtPriceX96);
        if (zeroForOne && tick % tickSpacing == 0 && ((tick / tickSpacing) & 255) == 0 && TickMath.GetSqrtRatioAtTick(tick) == sqrtPriceX96)
            return tick - 1;
        return tick;
    }

    /// <summary>
    /// As <see cref="NextInitializedTickWithinOneWord"/>, but looking past word ends up to the edge of the known words:
    /// the next initialized tick in the direction of travel, or, if none, the last tick of the last known word that way.
    /// False when the current word itself is not known (the walk would stop there too).
    /// </summary>
    internal static bool NextInitializedTickWithinKnownWords(UniswapV3PoolState state, int tick, bool lte, out int next, out int tickPosition)
    {
        var spacing = state.TickSpacing;
        var compressed = UniswapV3BitmapWords.Compress(tick, spacing);
        var ticks = state.TickIndices;
        var known = state.KnownWords;
        if (lte)
        {
            if (!known.Contains(UniswapV3BitmapWords.WordOf(compressed))) { next = 0; tickPosition = -1; return false; }
            var edge = (known.First << 8) * spacing;
            var i = Array.BinarySearch(ticks, compressed * spacing);
            if (i < 0) i = ~i - 1;
            if (i >= 0 && ticks[i] >= edge) { next = ticks[i]; tickPosition = i; }
            else { next = edge; tickPosition = -1; }
        }
        else
        {
            if (!known.Contains(UniswapV3BitmapWords.WordOf(compressed + 1))) { next = 0; tickPosition = -1; return false; }
            var edge = ((known.Last << 8) + 255) * spacing;
            var i = Array.BinarySearch(ticks, (compressed + 1) * spacing);
            if (i < 0) i = ~i;
            if (i < ticks.Length && ticks[i] <= edge) { next = ticks[i]; tickPosition = i; }
            else { next = edge; tickPosition = -1; }
        }
        return true;
    }

    /// <summary>
    /// <c>TickBitmap.nextInitializedTickWithinOneWord</c> over the sorted tick list: the next initialized tick at or
    /// below the current one (lte, moving down) or above it (moving up), looking only within the current bitmap word;
    /// if there is none, that word's last tick in the direction of travel. <paramref name="tickPosition"/> is the tick's
    /// index in the state's list, or −1 when the word end is not initialized. False when the word is not known.
    /// </summary>
    internal static bool NextInitializedTickWithinOneWord(UniswapV3PoolState state, int tick, bool lte, out int next, out int tickPosition)
    {
        var spacing = state.TickSpacing;
        var compressed = UniswapV3BitmapWords.Compress(tick, spacing);
        var ticks = state.TickIndices;
        if (lte)
        {
            var word = UniswapV3BitmapWords.WordOf(compressed);
            if (!state.KnownWords.Contains(word)) { next = 0; tickPosition = -1; return false; }
            var wordFirst = (word << 8) * spacing;
            // Largest initialized tick ≤ compressed·spacing (ticks are multiples of the spacing).
            var i = Array.BinarySearch(ticks, compressed * spacing);
            if (i < 0) i = ~i - 1;
            if (i >= 0 && ticks[i] >= wordFirst) { next = ticks[i]; tickPosition = i; }
            else { next = wordFirst; tickPosition = -1; }
        }
        else
        {
            var word = UniswapV3BitmapWords.WordOf(compressed + 1);
            if (!state.KnownWords.Contains(word)) { next = 0; tickPosition = -1; return false; }
            var wordLast = ((word << 8) + 255) * spacing;
            // Smallest initialized tick ≥ (compressed + 1)·spacing.
            var i = Array.BinarySearch(ticks, (compressed + 1) * spacing);
            if (i < 0) i = ~i;
            if (i < ticks.Length && ticks[i] <= wordLast) { next = ticks[i]; tickPosition = i; }
            else { next = wordLast; tickPosition = -1; }
        }
        return true;
    }
}
