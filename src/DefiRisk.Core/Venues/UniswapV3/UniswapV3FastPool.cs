namespace DefiRisk.Core.Venues.UniswapV3;

/// <summary>An exact-input swap in doubles: input used (fee included), output, and where the pool ends.</summary>
public readonly record struct FastSwapResult(double AmountIn, double AmountOut, double SqrtPrice, double Liquidity, int TicksBelow, bool StoppedAtKnownEdge);

/// <summary>
/// The fast path of <see cref="UniswapV3Swap"/>: the same curve in doubles, for the mass simulation. Prices are real
/// √(token1/token0) in base units (sqrtPriceX96 / 2^96), amounts base units. It walks initialized ticks only (the exact
/// path's word-end steps change rounding, not the curve) and takes the fee continuously (input·(1 − fee)), where the
/// exact path rounds each step. Checked against the exact path by a differential test (UniswapV3FastSwapTests states
/// the tolerance). Exact input only; a cascade that needs exact output uses the exact path.
/// </summary>
public sealed class UniswapV3FastPool
{
    private readonly double[] _tickSqrtPrice;
    /// <summary>The in-range liquidity with i initialized ticks below the price, summed exactly and then rounded once:
    /// adding and removing doubles of very different sizes while crossing would lose the small ranges.</summary>
    private readonly double[] _segmentLiquidity;
    private readonly double _feeComplement;
    private readonly double _lowestSqrtPrice;
    private readonly double _highestSqrtPrice;
    private readonly bool _partialWindow;

    public UniswapV3FastPool(UniswapV3PoolState state)
    {
        var n = state.TickIndices.Length;
        _tickSqrtPrice = new double[n];
        for (var i = 0; i < n; i++) _tickSqrtPrice[i] = ToReal(TickMath.GetSqrtRatioAtTick(state.TickIndices[i]));
        _feeComplement = 1 - state.Fee / (double)SwapMath.FeeDenominator;
        // The exact path stops at the ends of the known bitmap words (the whole price range when all are known).
        var spacing = state.TickSpacing;
        var lowTick = Math.Max(TickMath.MinTick, (state.KnownWords.First << 8) * spacing);
        var highTick = Math.Min(TickMath.MaxTick, ((state.KnownWords.Last << 8) + 255) * spacing);
        _lowestSqrtPrice = ToReal(TickMath.GetSqrtRatioAtTick(lowTick));
        _highestSqrtPrice = ToReal(TickMath.GetSqrtRatioAtTick(highTick));
        _partialWindow = state.KnownWords != UniswapV3BitmapWords.All(spacing);
        SqrtPrice = ToReal(state.SqrtPriceX96);
        // Initialized ticks at or below the current tick: already crossed on the way up.
        var below = Array.BinarySearch(state.TickIndices, state.Tick);
        TicksBelow = below >= 0 ? below + 1 : ~below;
        _segmentLiquidity = new double[n + 1];
        var exact = state.Liquidity;
        _segmentLiquidity[TicksBelow] = (double)exact;
        for (var i = TicksBelow; i < n; i++) { exact += state.LiquidityNets[i]; _segmentLiquidity[i + 1] = Math.Max(0, (double)exact); }
        exact = state.Liquidity;
        for (var i = TicksBelow; i > 0; i--) { exact -= state.LiquidityNets[i - 1]; _segmentLiquidity[i - 1] = Math.Max(0, (double)exact); }
    }

    public double SqrtPrice { get; private set; }
    public double Liquidity => _segmentLiquidity[TicksBelow];
    /// <summary>How many initialized ticks lie at or below the current tick.</summary>
    public int TicksBelow { get; private set; }

    /// <summary>sqrtPriceX96 / 2^96.</summary>
    public static double ToReal(System.Numerics.BigInteger sqrtPriceX96) => (double)sqrtPriceX96 / 79228162514264337593543950336.0;

    /// <summary>Quotes an exact-input swap of <paramref name="amountIn"/> (fee included) without changing the pool.
    /// <paramref name="sqrtPriceLimit"/> (real √price; 0 = none) stops it early, as the exact path's limit does.</summary>
    public FastSwapResult Quote(bool zeroForOne, double amountIn, double sqrtPriceLimit = 0)
    {
        var s = SqrtPrice;
        var below = TicksBelow;
        var l = _segmentLiquidity[below];
        // Input used so far, summed up rather than taken off the amount: amountIn − remaining loses the small used part
        // of a large order that runs out of liquidity.
        var used = 0.0;
        var output = 0.0;
        var knownEnd = zeroForOne ? _lowestSqrtPrice : _highestSqrtPrice;
        var limit = sqrtPriceLimit <= 0 ? knownEnd : zeroForOne ? Math.Max(sqrtPriceLimit, knownEnd) : Math.Min(sqrtPriceLimit, knownEnd);

        while (used < amountIn && (zeroForOne ? s > limit : s < limit))
        {
            var hasTick = zeroForOne ? below > 0 : below < _tickSqrtPrice.Length;
            var tickPrice = hasTick ? _tickSqrtPrice[zeroForOne ? below - 1 : below] : limit;
            var target = zeroForOne ? Math.Max(tickPrice, limit) : Math.Min(tickPrice, limit);
            var crossesTick = hasTick && target == tickPrice;
            var net = (amountIn - used) * _feeComplement;
            if (l > 0)
            {
                // Input (fee excluded) that moves the price to the target: L·(1/√t − 1/√s) for token0, L·(√t − √s) for token1.
                var needed = zeroForOne ? l * (s - target) / (s * target) : l * (target - s);
                if (net < needed)
                {
                    // Ends inside the range. The forms avoid subtracting nearly equal prices.
                    if (zeroForOne)
                    {
                        var denominator = l + net * s;
                        output += l * net * s * s / denominator;
                        s = l * s / denominator;
                    }
                    else
                    {
                        var next = s + net / l;
                        output += net / (s * next);
                        s = next;
                    }
                    used = amountIn;
                    break;
                }
                output += zeroForOne ? l * (s - target) : l * (target - s) / (s * target);
                used += needed / _feeComplement;
            }
            s = target;
            if (crossesTick)
            {
                below += zeroForOne ? -1 : 1;
                l = _segmentLiquidity[below];
            }
        }
        var edge = _partialWindow && used < amountIn && s == knownEnd;
        return new FastSwapResult(Math.Min(used, amountIn), output, s, l, below, edge);
    }

    /// <summary>Moves the pool to where <paramref name="result"/> (a quote of this pool) left it.</summary>
    public void Apply(in FastSwapResult result)
    {
        SqrtPrice = result.SqrtPrice;
        TicksBelow = result.TicksBelow;
    }

    /// <summary>Marginal output per input after the fee at the current price (see <see cref="UniswapV3Price.MarginalPrice"/>).</summary>
    public double MarginalPrice(bool zeroForOne) => Liquidity <= 0 ? 0 : (zeroForOne ? SqrtPrice * SqrtPrice : 1 / (SqrtPrice * SqrtPrice)) * _feeComplement;
}
