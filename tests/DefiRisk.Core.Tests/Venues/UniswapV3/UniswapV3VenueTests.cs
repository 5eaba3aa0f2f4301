using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Tests.Analysis;
using DefiRisk.Core.Venues;
using DefiRisk.Core.Venues.UniswapV3;
using Xunit.Abstractions;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Venues.UniswapV3;

/// <summary>
/// Uniswap v3 as a venue of the snapshot: its pools behind the seam (exact and fast states), its depth scaling, and a
/// cascade that prices WETH and sells it through a v3 pool only. The WETH/USDC pool (fee 3000, spacing 60; token0 =
/// USDC) sits at tick 200,311 (≈ $2,000) with a narrow ±600-tick position, a wider ±3,000 one, a ±12,000 one and two
/// out of range (a cliff at ±6,000): sales of a few hundred WETH cross several initialized ticks.
/// </summary>
public sealed class UniswapV3VenueTests(ITestOutputHelper output)
{
    private const int Fee = 3000, Spacing = 60, Tick = 200_311;
    internal static readonly Address PoolAddress = A(0xd3);

    internal static UniswapV3Position[] Positions(BigInteger scale) =>
    [
        new(200_280 - 600, 200_280 + 600, 4 * E(16) * scale),
        new(200_280 - 3_000, 200_280 + 3_000, 2 * E(16) * scale),
        new(200_280 - 12_000, 200_280 + 12_000, E(16) * scale),
        new(200_280 - 6_000, 200_280 - 4_800, 3 * E(16) * scale),
        new(200_280 + 4_800, 200_280 + 6_000, 3 * E(16) * scale),
    ];

    internal static UniswapV3PoolState State(BigInteger scale) =>
        UniswapV3Positions.PoolState(TickMath.GetSqrtRatioAtTick(Tick), Fee, Spacing, Positions(scale));

    internal static UniswapV3Pool WethUsdc(BigInteger? scale = null) => new(PoolAddress, Usdc, Weth, State(scale ?? 1));

    [Fact]
    public void A_committed_sale_pays_what_the_v3_swap_pays_and_moves_the_pool_while_a_quote_leaves_it()
    {
        var pool = WethUsdc();
        var state = pool.StartExact();
        var amount = Units("300", 18); // WETH in: token1 → token0
        var expected = UniswapV3Swap.SwapExactInput(pool.State, false, amount);
        Assert.True(expected.InitializedTicksCrossed >= 1, "the sale must cross a tick to test crossing");

        Assert.Equal(-expected.Amount0, state.Swap(amount, zeroForOne: false, commit: false));
        Assert.Equal(pool.State.SqrtPriceX96, ((UniswapV3PoolPrice)state.Report()).SqrtPriceX96);
        Assert.Equal(-expected.Amount0, state.Swap(amount, zeroForOne: false, commit: true));
        var after = (UniswapV3PoolPrice)state.Report();
        Assert.Equal((expected.After.SqrtPriceX96, expected.After.Tick, expected.After.Liquidity), (after.SqrtPriceX96, after.Tick, after.Liquidity));
        // A second sale starts where the first left the pool.
        Assert.Equal(-UniswapV3Swap.SwapExactInput(expected.After, false, amount).Amount0, state.Swap(amount, false, commit: false));
    }

    [Fact]
    public void Arbitrage_after_a_shock_moves_the_price_by_the_factor_and_takes_the_liquidity_of_every_range_crossed()
    {
        var pool = WethUsdc();
        var state = pool.StartExact();
        // WETH (token1) −20 %: the pool's USDC-per-WETH price × 0.8, so P (WETH per USDC) × 1.25 — up by ~2,231 ticks.
        state.Reprice(assetIsToken0: false, 8, 10);
        var (num, den) = state.Spot(zeroForOne: false);
        var (num0, den0) = pool.StartExact().Spot(false);
        var moved = (double)(num * den0) / (double)(den * num0);
        Assert.Equal(0.8, moved, 12);
        var after = (UniswapV3PoolPrice)state.Report();
        // The liquidity in range at the new price is what the positions put there.
        var rebuilt = UniswapV3Positions.PoolState(after.SqrtPriceX96, Fee, Spacing, Positions(1));
        Assert.Equal(rebuilt.Liquidity, after.Liquidity);
        Assert.NotEqual(pool.State.Liquidity, after.Liquidity);
    }

    [Fact]
    public void Depth_times_two_doubles_every_ranges_liquidity_at_the_same_price()
    {
        var book = new UniswapV3Book([WethUsdc()]);
        var doubled = ((UniswapV3Book)book.WithDepth(2m)).V3Pools[0].State;
        Assert.Equal(State(2), doubled);
        var quarter = ((UniswapV3Book)book.WithDepth(0.25m)).V3Pools[0].State;
        Assert.Equal(pool0Liquidity() / 4, quarter.Liquidity);
        Assert.Equal(0, quarter.Ticks.Aggregate(BigInteger.Zero, (s, t) => s + t.LiquidityNet).Sign);

        static BigInteger pool0Liquidity() => State(1).Liquidity;
    }

    [Fact]
    public void Fast_state_follows_the_exact_state_within_1e_9_over_a_sequence_of_sales_and_arbitrage()
    {
        var pool = WethUsdc();
        var exact = pool.StartExact();
        var fast = pool.StartFast();
        var random = new Random(12);
        double worst = 0, worstPrice = 0;
        for (var k = 0; k < 200; k++)
        {
            if (k % 25 == 0)
            {
                var pct = random.Next(70, 130);
                exact.Reprice(false, pct, 100);
                fast.Reprice(false, pct / 100.0);
            }
            var zeroForOne = random.Next(2) == 0;
            var amount = zeroForOne ? Units(random.Next(1_000, 400_000).ToString(), 6) : Units(random.Next(1, 200).ToString(), 18);
            var e = (double)exact.Swap(amount, zeroForOne, commit: true);
            var f = fast.Swap((double)amount, zeroForOne, commit: true);
            if (e > 0) worst = Math.Max(worst, Math.Abs(f - e) / e);
            var (n, d) = exact.Spot(false);
            var (n0, d0) = pool.StartExact().Spot(false);
            var exactMove = (double)(n * d0) / (double)(d * n0);
            worstPrice = Math.Max(worstPrice, Math.Abs(fast.PriceMove(false) - exactMove) / exactMove);
        }
        output.WriteLine($"worst relative difference: sale output {worst:E2}, price move {worstPrice:E2}");
        Assert.True(worst <= 1e-9, $"sale output differs by {worst:E2}");
        Assert.True(worstPrice <= 1e-9, $"price move differs by {worstPrice:E2}");
        fast.Reset();
        Assert.Equal(1.0, fast.PriceMove(false), 15);
    }

    /// <summary>MiniMarket with WETH/USDC only on Uniswap v3 (wstETH/WETH stays on v2): 20 Morpho WETH/USDC borrowers at LTV 80 %–85.5 %.</summary>
    internal static Snapshot V2AndV3Market()
    {
        var markets = new List<DefiRisk.Core.Protocols.MorphoBlue.MorphoBlueMarket>();
        var borrowed = BigInteger.Zero;
        var positions = new List<DefiRisk.Core.Protocols.MorphoBlue.MorphoBluePosition>();
        for (var i = 0; i < 20; i++)
        {
            var coll = Units((10 + 7 * i).ToString(), 18);
            var debt = coll * 2000 * (800 + 3 * i) / 1000 / E(12);
            positions.Add(MiniMarket.Borrower(MiniMarket.MorphoWethUsdc, i, coll, debt));
            borrowed += debt;
        }
        markets.Add(MiniMarket.Morpho(MiniMarket.MorphoWethUsdc, Usdc, Weth, "0.86", borrowed, MiniMarket.WethUsdcPrice));
        var s = MiniMarket.Build([], markets, positions, [MiniMarket.WstethWethPool]);
        return new Snapshot(s.Chain, s.Assets, s.Books, [.. s.Venues, new UniswapV3Book([WethUsdc()])]);
    }

    [Fact]
    public void A_cascade_prices_WETH_through_its_v3_pool_and_sells_every_seizure_into_it()
    {
        var snapshot = V2AndV3Market();
        var result = CascadeSimulator.Simulate(snapshot, Scenario.Single(Weth, -0.10m));
        var sales = result.Rounds.SelectMany(r => r.Liquidations).ToList();
        Assert.NotEmpty(sales);
        Assert.All(sales, l => Assert.Equal([PoolAddress], l.SalePools));
        // The pool moved by the shock and the sales: its final price is below the shocked one.
        var final = Assert.Single(result.FinalV3PoolPrices());
        var shocked = pool(snapshot);
        shocked.Reprice(false, 9, 10);
        Assert.True(final.SqrtPriceX96 > ((UniswapV3PoolPrice)shocked.Report()).SqrtPriceX96, "WETH sales raise P (WETH per USDC)");
        var sold = Assert.Single(DepthSensitivity.SalesByVenue(snapshot, result));
        Assert.Equal(UniswapV3Book.Name, sold.Venue);

        static ExactPoolState pool(Snapshot s) => s.UniswapV3Pools()[0].StartExact();
    }

    [Fact]
    public void The_fast_cascade_agrees_with_the_exact_one_on_a_v3_priced_market()
    {
        var snapshot = V2AndV3Market();
        var (exact, fast) = FastExactComparison.Run(snapshot, Scenario.Single(Weth, -0.10m));
        FastExactComparison.AssertSame(snapshot, exact, fast);
    }
}
