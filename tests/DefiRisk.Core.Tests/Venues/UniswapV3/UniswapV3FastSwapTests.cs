using System.Numerics;
using DefiRisk.Core.Venues.UniswapV3;
using Xunit.Abstractions;

namespace DefiRisk.Core.Tests.Venues.UniswapV3;

/// <summary>
/// The double-precision fast swap against the exact one. Tolerance: relative 1e-9 on the output and on the input used,
/// for trades of at least 1e14 base units on pools whose price is within ±20,000 ticks of 1 (outputs ≥ ~1e13 base
/// units, so the exact path's per-step rounding of a few units stays far below it).
/// </summary>
public sealed class UniswapV3FastSwapTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-9;
    private static readonly (int Fee, int Spacing)[] FeeTiers = [(100, 1), (500, 10), (3000, 60), (10000, 200)];

    [Fact]
    public void Fast_swap_matches_the_exact_swap_within_1e_9_across_seeded_random_pools_and_sizes()
    {
        var random = new Random(20261203);
        double worstOut = 0, worstIn = 0;
        int cases = 0, crossing = 0, exhausted = 0;
        for (var p = 0; p < 300; p++)
        {
            var state = RandomPool(random);
            var fast = new UniswapV3FastPool(state);
            for (var k = 0; k < 8; k++)
            {
                var zeroForOne = random.Next(2) == 0;
                var amountIn = new BigInteger(Math.Pow(10, 14 + random.NextDouble() * 12));
                var exact = UniswapV3Swap.SwapExactInput(state, zeroForOne, amountIn);
                var quote = fast.Quote(zeroForOne, (double)amountIn);
                var exactIn = (double)(zeroForOne ? exact.Amount0 : exact.Amount1);
                var exactOut = (double)-(zeroForOne ? exact.Amount1 : exact.Amount0);
                if (exactOut <= 0) continue;
                cases++;
                if (exact.InitializedTicksCrossed > 0) crossing++;
                if (exact.After.Liquidity.IsZero) exhausted++;
                var errOut = Math.Abs(quote.AmountOut - exactOut) / exactOut;
                var errIn = Math.Abs(quote.AmountIn - exactIn) / exactIn;
                worstOut = Math.Max(worstOut, errOut);
                worstIn = Math.Max(worstIn, errIn);
                Assert.True(errOut <= Tolerance, $"pool {p} trade {k}: out exact {exactOut:R} fast {quote.AmountOut:R} ({errOut:E2}); {state}");
                Assert.True(errIn <= Tolerance, $"pool {p} trade {k}: in exact {exactIn:R} fast {quote.AmountIn:R} ({errIn:E2}); {state}");
                Assert.Equal((double)exact.After.Liquidity, quote.Liquidity, (double)exact.After.Liquidity * 1e-12 + 1);
            }
        }
        output.WriteLine($"{cases} trades, {crossing} crossing initialized ticks, {exhausted} exhausting the liquidity; max relative error out {worstOut:E2}, in {worstIn:E2}");
        // The sample must exercise what it claims to.
        Assert.True(crossing > cases / 3, $"only {crossing} of {cases} trades crossed a tick");
        Assert.True(exhausted > 10, $"only {exhausted} trades ran out of liquidity");
    }

    [Fact]
    public void Applying_fast_quotes_in_sequence_follows_the_exact_pool_step_by_step()
    {
        var random = new Random(7);
        var state = RandomPool(random);
        var fast = new UniswapV3FastPool(state);
        for (var k = 0; k < 40; k++)
        {
            var zeroForOne = random.Next(2) == 0;
            var amountIn = new BigInteger(Math.Pow(10, 15 + random.NextDouble() * 6));
            var exact = UniswapV3Swap.SwapExactInput(state, zeroForOne, amountIn);
            var quote = fast.Quote(zeroForOne, (double)amountIn);
            fast.Apply(quote);
            state = exact.After;
            Assert.Equal(UniswapV3FastPool.ToReal(state.SqrtPriceX96), fast.SqrtPrice, UniswapV3FastPool.ToReal(state.SqrtPriceX96) * 1e-9);
            Assert.Equal((double)state.Liquidity, fast.Liquidity, (double)state.Liquidity * 1e-12 + 1);
        }
    }

    [Fact]
    public void Fast_swap_stops_at_the_edge_of_the_known_bitmap_words_where_the_exact_swap_does()
    {
        var e18 = BigInteger.Pow(10, 18);
        var whole = UniswapV3Positions.PoolState(TickMath.GetSqrtRatioAtTick(5), 500, 10, [new(-100, 100, e18), new(-5000, -4000, e18)]);
        var partial = new UniswapV3PoolState(whole.SqrtPriceX96, whole.Tick, whole.Liquidity, whole.Fee, whole.TickSpacing,
            whole.Ticks.Where(t => t.Index >= -2560).ToList(), new UniswapV3BitmapWords(-1, 0));
        var amount = BigInteger.Pow(10, 24);
        var exact = UniswapV3Swap.SwapExactInput(partial, zeroForOne: true, amount);
        var fast = new UniswapV3FastPool(partial).Quote(zeroForOne: true, (double)amount);
        Assert.True(exact.StoppedAtKnownEdge);
        Assert.True(fast.StoppedAtKnownEdge);
        Assert.Equal(UniswapV3FastPool.ToReal(exact.After.SqrtPriceX96), fast.SqrtPrice, 1e-15);
        Assert.Equal((double)-exact.Amount1, fast.AmountOut, (double)-exact.Amount1 * Tolerance);
        Assert.False(new UniswapV3FastPool(whole).Quote(zeroForOne: true, (double)amount).StoppedAtKnownEdge);
    }

    /// <summary>3–10 positions of 1e15–1e24 liquidity, ranges of 1–300 spacings around a price within ±20,000 ticks.</summary>
    internal static UniswapV3PoolState RandomPool(Random random)
    {
        var (fee, spacing) = FeeTiers[random.Next(FeeTiers.Length)];
        var tick = random.Next(-20_000, 20_000);
        var positions = new List<UniswapV3Position>();
        var count = random.Next(3, 11);
        for (var i = 0; i < count; i++)
        {
            var lower = (tick / spacing - random.Next(0, 300)) * spacing;
            var upper = lower + random.Next(1, 300) * spacing;
            positions.Add(new UniswapV3Position(lower, upper, new BigInteger(Math.Pow(10, 15 + random.NextDouble() * 9))));
        }
        var sqrtPrice = TickMath.GetSqrtRatioAtTick(tick) + new BigInteger(random.NextDouble() * 1e20);
        return UniswapV3Positions.PoolState(sqrtPrice, fee, spacing, positions);
    }
}
