using System.Numerics;
using DefiRisk.Core.Venues.UniswapV3;
using DefiRisk.Harness.Venues.UniswapV3;
using Xunit.Abstractions;

namespace DefiRisk.Chain.Tests.Venues.UniswapV3;

/// <summary>Swaps on the real Uniswap v3 pools equal <see cref="UniswapV3Swap"/> to the wei: amounts, and the pool's
/// sqrtPriceX96, tick and liquidity after each swap.</summary>
[Collection(UniswapV3ChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class UniswapV3SwapParityTests(UniswapV3Chain chain, ITestOutputHelper output)
{
    private static BigInteger LimitAt(int tick) => TickMath.GetSqrtRatioAtTick(tick);

    [Fact]
    public async Task UniswapV3_swaps_at_every_fee_tier_equal_the_model_to_the_wei_in_and_out_of_ticks_both_ways()
    {
        await chain.ResetAsync();
        foreach (var (fee, spacing, pool, initial) in chain.Pools)
        {
            var model = initial;
            // Within the current range, exact input each way.
            model = await SwapBothAsync(pool, model, zeroForOne: true, BigInteger.Pow(10, 15), UniswapV3Swap.NoLimit(true), expectCrossed: 0);
            model = await SwapBothAsync(pool, model, zeroForOne: false, 3 * BigInteger.Pow(10, 15), UniswapV3Swap.NoLimit(false), expectCrossed: 0);
            // Up through 10, 20 (nets cancel), 30, 40 and into the cliff, by amount: three quarters of what reaches tick 45.
            var toCliff = UniswapV3Swap.Swap(model, zeroForOne: false, BigInteger.Pow(10, 30), LimitAt(45 * spacing));
            model = await SwapBothAsync(pool, model, zeroForOne: false, toCliff.Amount1 * 3 / 4, UniswapV3Swap.NoLimit(false), expectCrossed: 3);
            // Exact output back down through the cliff and below the price, stopping short of −40.
            var down = UniswapV3Swap.Swap(model, zeroForOne: true, BigInteger.Pow(10, 30), LimitAt(-40 * spacing));
            model = await SwapBothAsync(pool, model, zeroForOne: true, down.Amount1 * 4 / 5, UniswapV3Swap.NoLimit(true), expectCrossed: 3);
            // Up again with an exact output of token0 and a price limit that stops it first.
            model = await SwapBothAsync(pool, model, zeroForOne: false, -BigInteger.Pow(10, 28), LimitAt(15 * spacing + spacing / 2), expectCrossed: 2);
            // Back to the opening price, as an arbitrageur would: exact input of int256.max with the price as the limit.
            var arbitrage = UniswapV3Swap.SwapToPrice(model, initial.SqrtPriceX96)!;
            model = await SwapBothAsync(pool, model, zeroForOne: true, FullMath.MaxInt256, initial.SqrtPriceX96, expectCrossed: 1);
            Assert.Equal(arbitrage.After, model);
            Assert.Equal(initial.SqrtPriceX96, model.SqrtPriceX96);
            output.WriteLine($"fee {fee}: {model}");
        }
    }

    [Fact]
    public async Task UniswapV3_swap_crossing_more_than_three_initialized_ticks_in_one_go_equals_the_model_to_the_wei()
    {
        await chain.ResetAsync();
        foreach (var (_, spacing, pool, model) in chain.Pools)
        {
            // From tick 0 down to −250 spacings: crosses −10, −20, −40, −60 and −120 (five initialized ticks), bitmap word ends between.
            var result = await SwapBothAsync(pool, model, zeroForOne: true, BigInteger.Pow(10, 30), LimitAt(-250 * spacing), expectCrossed: 5);
            Assert.Equal(2 * BigInteger.Pow(10, 21), result.Liquidity);
        }
    }

    [Fact]
    public async Task UniswapV3_swap_that_runs_out_of_in_range_liquidity_stops_at_the_limit_with_the_input_left_over_as_the_model_says()
    {
        await chain.ResetAsync();
        foreach (var (fee, spacing, pool, model) in chain.Pools)
        {
            var amount = BigInteger.Pow(10, 30);
            // Into the empty gap below −300: the pool takes only what the ranges above hold and stops at the limit.
            var dryRun = await SwapBothResultAsync(pool, model, zeroForOne: true, amount, LimitAt(-450 * spacing), expectCrossed: 6);
            var dry = dryRun.After;
            Assert.True(dryRun.Amount0 < amount / 1000_000, $"the pool took {dryRun.Amount0} of {amount}");
            Assert.Equal(BigInteger.Zero, dry.Liquidity);
            Assert.Equal(LimitAt(-450 * spacing), dry.SqrtPriceX96);
            // Through the deep range and out of it: liquidity runs out for good; with no limit the price falls to MIN_SQRT_RATIO + 1.
            // (At spacing 1 that walk is 3,400 empty bitmap words, about as much gas as a block holds: there a limit stops it.)
            var limit = spacing == 1 ? LimitAt(-800 * spacing) : UniswapV3Swap.NoLimit(true);
            var empty = await SwapBothAsync(pool, dry, zeroForOne: true, amount, limit, expectCrossed: 2);
            Assert.Equal(BigInteger.Zero, empty.Liquidity);
            Assert.Equal(limit, empty.SqrtPriceX96);
            // And back up from the bottom, through empty words into the deep range and out into the gap again.
            var back = await SwapBothAsync(pool, empty, zeroForOne: false, amount, LimitAt(-400 * spacing), expectCrossed: 2);
            Assert.Equal(BigInteger.Zero, back.Liquidity);
            output.WriteLine($"fee {fee}: ran dry at tick {dry.Tick}, then {empty.Tick}");
        }
    }

    [Fact]
    public async Task UniswapV3_dry_swap_stopping_exactly_on_the_first_tick_of_a_bitmap_word_stores_the_tick_below_as_the_model_says()
    {
        await chain.ResetAsync();
        foreach (var (_, spacing, pool, model) in chain.Pools)
        {
            // Below the deep range (−700 spacings) the pool is dry; compressed tick −768 is the first of bitmap word −3.
            var wordStart = -768 * spacing;
            var result = await SwapBothResultAsync(pool, model, zeroForOne: true, BigInteger.Pow(10, 30), LimitAt(wordStart), expectCrossed: 8);
            Assert.Equal(LimitAt(wordStart), result.After.SqrtPriceX96);
            Assert.Equal(wordStart - 1, result.After.Tick);
        }
    }

    /// <summary>The same swap on the chain and in the model; asserts they agree to the wei and returns the model's pool after it.</summary>
    private async Task<UniswapV3PoolState> SwapBothAsync(string pool, UniswapV3PoolState model, bool zeroForOne, BigInteger amountSpecified, BigInteger limit, int expectCrossed) =>
        (await SwapBothResultAsync(pool, model, zeroForOne, amountSpecified, limit, expectCrossed)).After;

    private async Task<UniswapV3SwapResult> SwapBothResultAsync(string pool, UniswapV3PoolState model, bool zeroForOne, BigInteger amountSpecified, BigInteger limit, int expectCrossed)
    {
        var expected = UniswapV3Swap.Swap(model, zeroForOne, amountSpecified, limit);
        var actual = await chain.Uniswap.SwapAsync(pool, zeroForOne, amountSpecified, limit);
        var what = $"fee {model.Fee} {(zeroForOne ? "0→1" : "1→0")} {amountSpecified} limit {limit}";
        Assert.True(expected.InitializedTicksCrossed >= expectCrossed, $"{what}: the model crossed {expected.InitializedTicksCrossed} initialized ticks, the test means ≥ {expectCrossed}");
        Assert.Equal((expected.Amount0, expected.Amount1), (actual.Amount0, actual.Amount1));
        Assert.Equal((expected.After.SqrtPriceX96, expected.After.Tick, expected.After.Liquidity), (actual.SqrtPriceX96, actual.Tick, actual.Liquidity));
        output.WriteLine($"{what}: amount0 {actual.Amount0} amount1 {actual.Amount1}, {expected.InitializedTicksCrossed} ticks crossed, gas {actual.GasUsed}");
        return expected;
    }
}
