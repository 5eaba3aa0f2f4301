using System.Numerics;
using DefiRisk.Core.Venues.UniswapV3;

namespace DefiRisk.Core.Tests.Venues.UniswapV3;

public sealed class UniswapV3SwapTests
{
    private static readonly BigInteger Q96 = BigInteger.One << 96;
    private static readonly BigInteger E18 = BigInteger.Pow(10, 18);

    private static UniswapV3PoolState Pool(int fee, int spacing, params (int Lower, int Upper, BigInteger L)[] positions) =>
        UniswapV3Positions.PoolState(Q96, fee, spacing, positions.Select(p => new UniswapV3Position(p.Lower, p.Upper, p.L)));

    [Fact]
    public void A_swap_within_one_range_pays_what_the_constant_liquidity_formulas_give()
    {
        var pool = Pool(3000, 60, (-600, 600, E18));
        var amountIn = BigInteger.Pow(10, 15);
        var result = UniswapV3Swap.SwapExactInput(pool, zeroForOne: true, amountIn);

        // By hand: 0.3 % off the input, then √P' = ⌈L·√P / (L + in·√P/2^96)⌉ at √P = 2^96, out = ⌊L·(√P − √P')/2^96⌋.
        var inLessFee = amountIn * 997_000 / 1_000_000;
        var numerator = E18 * Q96;
        var sqrtNext = (numerator * Q96 + (numerator + inLessFee * Q96) - 1) / (numerator + inLessFee * Q96);
        var amountOut = E18 * (Q96 - sqrtNext) / Q96;
        Assert.Equal(amountIn, result.Amount0);
        Assert.Equal(-amountOut, result.Amount1);
        Assert.Equal(sqrtNext, result.After.SqrtPriceX96);
        Assert.Equal(TickMath.GetTickAtSqrtRatio(sqrtNext), result.After.Tick);
        Assert.Equal(E18, result.After.Liquidity);
        Assert.Equal(0, result.InitializedTicksCrossed);
        // As v2 with virtual reserves x = y = L: out ≈ y·in'/(x + in').
        var v2Like = (double)E18 * (double)inLessFee / ((double)E18 + (double)inLessFee);
        Assert.InRange((double)amountOut / v2Like, 1 - 1e-12, 1 + 1e-12);
    }

    [Fact]
    public void A_swap_down_through_three_initialized_ticks_removes_each_range_s_liquidity_as_it_leaves()
    {
        // Ranges stacked around the price: [-480, 480) 1e18, [-240, 240) 1e18, [-120, 120) 2e18, [-60, 60) 3e18 → 7e18 at tick 0.
        var pool = Pool(500, 10, (-480, 480, E18), (-240, 240, E18), (-120, 120, 2 * E18), (-60, 60, 3 * E18));
        Assert.Equal(7 * E18, pool.Liquidity);
        var limit = TickMath.GetSqrtRatioAtTick(-300);
        var result = UniswapV3Swap.Swap(pool, zeroForOne: true, BigInteger.Pow(10, 24), limit);

        Assert.Equal(3, result.InitializedTicksCrossed); // -60, -120, -240
        Assert.Equal(limit, result.After.SqrtPriceX96);
        Assert.Equal(-300, result.After.Tick);
        Assert.Equal(E18, result.After.Liquidity);
        // The output is each range's token1 between the prices it covered (rounding aside: a few wei).
        var expected = Amount1(7 * E18, TickMath.GetSqrtRatioAtTick(-60), Q96)
            + Amount1(4 * E18, TickMath.GetSqrtRatioAtTick(-120), TickMath.GetSqrtRatioAtTick(-60))
            + Amount1(2 * E18, TickMath.GetSqrtRatioAtTick(-240), TickMath.GetSqrtRatioAtTick(-120))
            + Amount1(E18, limit, TickMath.GetSqrtRatioAtTick(-240));
        Assert.InRange((double)(-result.Amount1 - expected), -10, 0);
    }

    [Fact]
    public void Crossing_ticks_upward_adds_liquidityNet_and_downward_subtracts_it()
    {
        var pool = Pool(3000, 60, (-180, 180, E18), (60, 240, 5 * E18), (120, 300, 7 * E18));
        var up = UniswapV3Swap.Swap(pool, zeroForOne: false, BigInteger.Pow(10, 24), TickMath.GetSqrtRatioAtTick(150));
        Assert.Equal(2, up.InitializedTicksCrossed); // 60 and 120
        Assert.Equal(13 * E18, up.After.Liquidity);
        Assert.Equal(150, up.After.Tick);

        var down = UniswapV3Swap.Swap(up.After, zeroForOne: true, BigInteger.Pow(10, 24), TickMath.GetSqrtRatioAtTick(-30));
        Assert.Equal(2, down.InitializedTicksCrossed); // 120 and 60
        Assert.Equal(E18, down.After.Liquidity);
        Assert.Equal(-30, down.After.Tick);
    }

    [Fact]
    public void A_downward_swap_that_ends_exactly_on_an_initialized_tick_crosses_it_and_stores_the_tick_below()
    {
        var pool = Pool(3000, 60, (-600, 600, E18), (-60, 60, E18));
        var atTick = TickMath.GetSqrtRatioAtTick(-60);
        var result = UniswapV3Swap.Swap(pool, zeroForOne: true, BigInteger.Pow(10, 24), atTick);
        // The step reaches the tick's price, so the pool crosses it (liquidity drops) and stores tick − 1,
        // although getTickAtSqrtRatio of that price is -60.
        Assert.Equal(atTick, result.After.SqrtPriceX96);
        Assert.Equal(1, result.InitializedTicksCrossed);
        Assert.Equal(E18, result.After.Liquidity);
        Assert.Equal(-61, result.After.Tick);
        Assert.Equal(-60, TickMath.GetTickAtSqrtRatio(atTick));

        var above = UniswapV3Swap.Swap(pool, zeroForOne: true, BigInteger.Pow(10, 24), atTick + 1);
        Assert.Equal(0, above.InitializedTicksCrossed);
        Assert.Equal(2 * E18, above.After.Liquidity);
        Assert.Equal(-60, above.After.Tick);
    }

    [Fact]
    public void A_swap_that_runs_out_of_liquidity_takes_only_what_the_range_holds_and_stops_at_the_limit()
    {
        var pool = Pool(3000, 60, (-120, 120, E18));
        var limit = TickMath.GetSqrtRatioAtTick(-5000);
        var result = UniswapV3Swap.Swap(pool, zeroForOne: true, BigInteger.Pow(10, 24), limit);

        var lower = TickMath.GetSqrtRatioAtTick(-120);
        var amountIn = SqrtPriceMath.GetAmount0Delta(lower, Q96, E18, roundUp: true);
        var fee = FullMath.MulDivRoundingUp(amountIn, 3000, 997_000);
        Assert.Equal(amountIn + fee, result.Amount0);
        Assert.Equal(-SqrtPriceMath.GetAmount1Delta(lower, Q96, E18, roundUp: false), result.Amount1);
        Assert.Equal(BigInteger.Zero, result.After.Liquidity);
        Assert.Equal(limit, result.After.SqrtPriceX96);
        Assert.Equal(-5000, result.After.Tick);
        Assert.False(result.StoppedAtKnownEdge);
    }

    [Fact]
    public void Without_a_limit_an_empty_pool_side_drives_the_price_to_the_end_of_the_range()
    {
        var pool = Pool(3000, 60, (-120, 120, E18));
        var result = UniswapV3Swap.SwapExactInput(pool, zeroForOne: false, BigInteger.Pow(10, 24));
        Assert.Equal(TickMath.MaxSqrtRatio - 1, result.After.SqrtPriceX96);
        Assert.Equal(TickMath.MaxTick - 1, result.After.Tick);
        Assert.Equal(BigInteger.Zero, result.After.Liquidity);
        Assert.Equal(-SqrtPriceMath.GetAmount0Delta(Q96, TickMath.GetSqrtRatioAtTick(120), E18, roundUp: false), result.Amount0);
    }

    [Fact]
    public void An_empty_range_between_two_liquid_ones_is_crossed_at_no_cost()
    {
        var pool = Pool(500, 10, (-100, 100, E18), (-1000, -500, E18));
        var result = UniswapV3Swap.Swap(pool, zeroForOne: true, BigInteger.Pow(10, 24), TickMath.GetSqrtRatioAtTick(-700));
        Assert.Equal(2, result.InitializedTicksCrossed); // -100 (out), -500 (in); the gap between costs nothing
        Assert.Equal(E18, result.After.Liquidity);
        var inside = SqrtPriceMath.GetAmount1Delta(TickMath.GetSqrtRatioAtTick(-100), Q96, E18, false)
            + SqrtPriceMath.GetAmount1Delta(TickMath.GetSqrtRatioAtTick(-700), TickMath.GetSqrtRatioAtTick(-500), E18, false);
        Assert.InRange((double)(-result.Amount1 - inside), -10, 0);
    }

    [Fact]
    public void Exact_output_delivers_exactly_the_amount_asked_and_costs_at_least_the_exact_input_that_yields_it()
    {
        var pool = Pool(3000, 60, (-1200, 1200, E18), (-120, 60, 4 * E18));
        var want = 5 * BigInteger.Pow(10, 16);
        var exactOut = UniswapV3Swap.Swap(pool, zeroForOne: true, -want, UniswapV3Swap.NoLimit(true));
        Assert.Equal(-want, exactOut.Amount1);
        Assert.True(exactOut.InitializedTicksCrossed >= 1);
        var back = UniswapV3Swap.SwapExactInput(pool, zeroForOne: true, exactOut.Amount0);
        Assert.InRange(-back.Amount1 - want, 0, 10);
        var less = UniswapV3Swap.SwapExactInput(pool, zeroForOne: true, exactOut.Amount0 - 1000);
        Assert.True(-less.Amount1 < want);
    }

    [Fact]
    public void Zero_amounts_and_limits_on_the_wrong_side_revert_as_the_pool_does()
    {
        var pool = Pool(3000, 60, (-120, 120, E18));
        Assert.Equal("AS", Assert.Throws<UniswapV3RevertException>(() => UniswapV3Swap.Swap(pool, true, 0, TickMath.MinSqrtRatio + 1)).Reason);
        Assert.Equal("SPL", Assert.Throws<UniswapV3RevertException>(() => UniswapV3Swap.Swap(pool, true, 1, Q96 + 1)).Reason);
        Assert.Equal("SPL", Assert.Throws<UniswapV3RevertException>(() => UniswapV3Swap.Swap(pool, false, 1, TickMath.MaxSqrtRatio)).Reason);
        Assert.Equal("SPL", Assert.Throws<UniswapV3RevertException>(() => UniswapV3Swap.Swap(pool, true, 1, TickMath.MinSqrtRatio)).Reason);
    }

    [Fact]
    public void Word_ends_of_the_tick_bitmap_are_steps_even_without_an_initialized_tick()
    {
        var pool = Pool(100, 1, (-1000, 1000, E18));
        Assert.True(UniswapV3Swap.NextInitializedTickWithinOneWord(pool, 0, lte: true, out var next, out var position));
        Assert.Equal((0, -1), (next, position)); // tick 0 is the first of word 0
        Assert.True(UniswapV3Swap.NextInitializedTickWithinOneWord(pool, -1, lte: true, out next, out position));
        Assert.Equal((-256, -1), (next, position));
        Assert.True(UniswapV3Swap.NextInitializedTickWithinOneWord(pool, 0, lte: false, out next, out position));
        Assert.Equal((255, -1), (next, position));
        Assert.True(UniswapV3Swap.NextInitializedTickWithinOneWord(pool, 800, lte: false, out next, out position));
        Assert.Equal((1000, 1), (next, position));
        Assert.True(UniswapV3Swap.NextInitializedTickWithinOneWord(pool, -769, lte: true, out next, out position));
        Assert.Equal((-1000, 0), (next, position));
    }

    [Fact]
    public void Outside_the_known_bitmap_words_the_swap_stops_at_the_edge_instead_of_assuming_no_liquidity()
    {
        var whole = Pool(500, 10, (-100, 100, E18), (-5000, -4000, E18));
        // Words of compressed ticks: word 0 holds ticks 0…2550, word −1 holds −2560…−10. The position at -5000 lies in word −2.
        var partial = new UniswapV3PoolState(whole.SqrtPriceX96, whole.Tick, whole.Liquidity, whole.Fee, whole.TickSpacing,
            whole.Ticks.Where(t => t.Index >= -2560).ToList(), new UniswapV3BitmapWords(-1, 0));
        var result = UniswapV3Swap.SwapExactInput(partial, zeroForOne: true, BigInteger.Pow(10, 24));
        Assert.True(result.StoppedAtKnownEdge);
        Assert.Equal(TickMath.GetSqrtRatioAtTick(-2560), result.After.SqrtPriceX96);
        Assert.False(UniswapV3Swap.SwapExactInput(whole, zeroForOne: true, BigInteger.Pow(10, 24)).StoppedAtKnownEdge);
    }

    [Fact]
    public void Jumping_through_empty_words_ends_exactly_where_the_contract_s_word_by_word_walk_does()
    {
        var random = new Random(99);
        var compared = 0;
        foreach (var (fee, spacing) in new[] { (100, 1), (500, 10), (3000, 60), (10000, 200) })
        {
            for (var p = 0; p < 25; p++)
            {
                // Short ranges far apart, so swaps run dry between them and past the last one.
                var positions = Enumerable.Range(0, random.Next(1, 5)).Select(_ =>
                {
                    var lower = random.Next(-3000, 3000) * spacing;
                    return new UniswapV3Position(lower, lower + random.Next(1, 40) * spacing, E18 * random.Next(1, 1000));
                }).ToList();
                var state = UniswapV3Positions.PoolState(TickMath.GetSqrtRatioAtTick(random.Next(-3000, 3000) * spacing) + random.Next(), fee, spacing, positions);
                if (random.Next(3) == 0)
                {
                    var word = UniswapV3BitmapWords.WordOf(UniswapV3BitmapWords.Compress(state.Tick, spacing));
                    var known = new UniswapV3BitmapWords(word - random.Next(0, 6), word + random.Next(0, 6));
                    state = new UniswapV3PoolState(state.SqrtPriceX96, state.Tick, state.Liquidity, fee, spacing,
                        state.Ticks.Where(t => known.Contains(UniswapV3BitmapWords.WordOf(t.Index / spacing))).ToList(), known);
                }
                for (var k = 0; k < 6; k++)
                {
                    var zeroForOne = random.Next(2) == 0;
                    // Limits: none, a random tick's price, or exactly the first tick of a bitmap word (the case the jump must mend).
                    var limitTick = random.Next(-4000, 4000) * spacing;
                    var limit = k switch
                    {
                        0 => UniswapV3Swap.NoLimit(zeroForOne),
                        1 or 2 => TickMath.GetSqrtRatioAtTick((limitTick / spacing >> 8 << 8) * spacing),
                        _ => TickMath.GetSqrtRatioAtTick(limitTick) + random.Next(),
                    };
                    if (zeroForOne ? limit >= state.SqrtPriceX96 || limit <= TickMath.MinSqrtRatio : limit <= state.SqrtPriceX96 || limit >= TickMath.MaxSqrtRatio) continue;
                    var amount = E18 * random.Next(1, 1_000_000) * (random.Next(2) == 0 ? 1 : -1);
                    var walk = UniswapV3Swap.Swap(state, zeroForOne, amount, limit, skipEmptyWords: false);
                    var jump = UniswapV3Swap.Swap(state, zeroForOne, amount, limit, skipEmptyWords: true);
                    Assert.Equal((walk.Amount0, walk.Amount1, walk.InitializedTicksCrossed, walk.StoppedAtKnownEdge), (jump.Amount0, jump.Amount1, jump.InitializedTicksCrossed, jump.StoppedAtKnownEdge));
                    Assert.Equal(walk.After, jump.After);
                    compared++;
                }
            }
        }
        Assert.True(compared > 300, $"only {compared} swaps compared");
    }

    [Fact]
    public void Swapping_to_a_price_takes_what_an_exact_input_of_that_size_gets_within_one_wei()
    {
        var pool = Pool(3000, 60, (-1200, 1200, E18), (-120, 60, 4 * E18), (-600, -300, 2 * E18));
        var target = TickMath.GetSqrtRatioAtTick(-450) + 12345;
        var toPrice = UniswapV3Swap.SwapToPrice(pool, target)!;
        Assert.Equal(target, toPrice.After.SqrtPriceX96);
        Assert.Equal(3 * E18, toPrice.After.Liquidity);
        // The same input as an exact input without a limit crosses the same ticks; its last step is priced from the
        // input rather than the target, so price and output may differ by rounding (one wei here, the price by a hair).
        var same = UniswapV3Swap.SwapExactInput(pool, zeroForOne: true, toPrice.Amount0);
        Assert.Equal((toPrice.Amount0, toPrice.InitializedTicksCrossed), (same.Amount0, same.InitializedTicksCrossed));
        Assert.InRange(BigInteger.Abs(same.Amount1 - toPrice.Amount1), BigInteger.Zero, BigInteger.One);
        Assert.InRange(BigInteger.Abs(same.After.SqrtPriceX96 - target), BigInteger.Zero, BigInteger.Pow(10, 12));
        // The fast path with an unbounded amount and the target as its limit gives the same input.
        var fast = new UniswapV3FastPool(pool).Quote(zeroForOne: true, double.PositiveInfinity, UniswapV3FastPool.ToReal(target));
        Assert.Equal((double)toPrice.Amount0, fast.AmountIn, (double)toPrice.Amount0 * 1e-9);
        Assert.Equal((double)-toPrice.Amount1, fast.AmountOut, (double)-toPrice.Amount1 * 1e-9);
        Assert.Null(UniswapV3Swap.SwapToPrice(pool, pool.SqrtPriceX96));
    }

    [Fact]
    public void Positions_meeting_at_a_tick_leave_it_initialized_with_a_net_of_zero_and_only_in_range_ones_count()
    {
        var pool = Pool(3000, 60, (-120, 60, E18), (60, 180, E18), (240, 300, 7 * E18));
        Assert.Equal(new UniswapV3Tick[] { new(-120, E18), new(60, 0), new(180, -E18), new(240, 7 * E18), new(300, -7 * E18) }, pool.Ticks);
        Assert.Equal(E18, pool.Liquidity);
        Assert.Throws<UniswapV3RevertException>(() => Pool(3000, 60, (60, 60, E18)));
    }

    [Fact]
    public void A_state_refuses_unsorted_ticks_ticks_off_the_spacing_and_ticks_outside_its_known_words()
    {
        Assert.Throws<ArgumentException>(() => new UniswapV3PoolState(Q96, 0, E18, 3000, 60, [new(60, E18), new(-60, -E18)]));
        Assert.Throws<ArgumentException>(() => new UniswapV3PoolState(Q96, 0, E18, 3000, 60, [new(-50, E18)]));
        Assert.Throws<ArgumentException>(() => new UniswapV3PoolState(Q96, 0, E18, 3000, 60, [new(-60000, E18)], new UniswapV3BitmapWords(-1, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new UniswapV3PoolState(TickMath.MaxSqrtRatio, 0, E18, 3000, 60, []));
    }

    [Fact]
    public void Marginal_price_is_the_pool_price_less_the_fee_in_the_direction_of_the_sale()
    {
        var pool = UniswapV3Positions.PoolState(TickMath.GetSqrtRatioAtTick(6932), 3000, 60, [new(-60000, 60000, E18)]); // price ≈ 2
        var p = Math.Pow(1.0001, 6932);
        Assert.Equal(p, UniswapV3Price.Price1Per0(pool.SqrtPriceX96), 1e-9);
        Assert.Equal(p * 0.997, UniswapV3Price.MarginalPrice(pool, zeroForOne: true), 1e-9);
        Assert.Equal(0.997 / p, UniswapV3Price.MarginalPrice(pool, zeroForOne: false), 1e-9);
        // A tiny sale's average price approaches the marginal price from below.
        var small = UniswapV3Swap.SwapExactInput(pool, zeroForOne: true, BigInteger.Pow(10, 12));
        var average = (double)(-small.Amount1) / (double)small.Amount0;
        Assert.InRange(average, p * 0.997 * (1 - 1e-5), p * 0.997);
    }

    private static BigInteger Amount1(BigInteger liquidity, BigInteger lower, BigInteger upper) =>
        SqrtPriceMath.GetAmount1Delta(lower, upper, liquidity, roundUp: false);
}
