using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Tests.Analysis;
using DefiRisk.Core.Venues;
using DefiRisk.Core.Venues.External;
using DefiRisk.Core.Venues.UniswapV2;
using Xunit.Abstractions;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Venues.External;

/// <summary>
/// The external market under one market price and best execution (issue 12 items 2–4): the seam members it needed
/// (<see cref="ExactPoolState.Mark"/>/<see cref="ExactPoolState.Restore"/>/<see cref="ExactPoolState.VirtualReserve"/>)
/// worked by hand on the WETH curve of <see cref="ExternalMarketVenueTests"/> (10 bps at 0, 110 bps after 100 WETH, 510 bps
/// after 300, at $2,000), the fast twin within 1e-9 relative, and cascades where the curve takes part in the market price
/// and in a split sale.
/// </summary>
public sealed class ExternalMarketOnePriceTests(ITestOutputHelper output)
{
    private static readonly BigInteger Eth = E(18);

    private static ExternalMarketPool WethMarket() => new(Weth, Usdc, 2000 * E(6), Eth,
        new ExternalDepthCurve([new(0, 1_000), new(100 * Eth, 11_000), new(300 * Eth, 51_000)]), "test curve");

    private static bool Sell => Weth.CompareTo(Usdc) < 0; // zeroForOne when WETH (the asset) goes in
    private static bool Buy => !Sell;
    private static bool WethIsToken0 => Weth.CompareTo(Usdc) < 0;

    private static SimulationOptions OnePrice => SimulationOptions.Default with { MarketPrices = MarketPriceModel.Market };

    /// <summary>
    /// Constant-product depth X = 2·F·width/rise (F the mid in ppm of the reference, rise/width the slope of the segment
    /// the next sale walks), and the quote side X × the mid price:
    /// <list type="bullet">
    /// <item>fresh book: F = 10^6, slope 10,000 ppm per 100 WETH → X = 2·10^6·100/10,000 = 20,000 WETH, 40,000,000 USDC
    /// (a pool of 20,000 WETH moves 2·1/20,000 = 100 ppm per WETH sold, as the curve does);</item>
    /// <item>after 100 WETH sold: F = 10^6 − (11,000 − 1,000) = 990,000, slope 40,000 per 200 WETH → X = 2·990,000·200/40,000
    /// = 9,900 WETH; quote 9,900 × 2,000 × 0.99 = 19,602,000 USDC;</item>
    /// <item>50 WETH bought from a fresh book (the ask side): F = 10^6 + (6,000 − 1,000) = 1,005,000 on the segment below →
    /// X = 2·1,005,000·100/10,000 = 20,100 WETH;</item>
    /// <item>sold to the end of the curve: nothing more can be sold, depth 0.</item>
    /// </list>
    /// </summary>
    [Fact]
    public void The_virtual_reserve_is_the_constant_product_depth_that_moves_the_mid_as_the_curve_does()
    {
        var state = WethMarket().StartExact();
        Assert.Equal(20_000 * Eth, state.VirtualReserve(WethIsToken0));
        Assert.Equal(40_000_000 * E(6), state.VirtualReserve(!WethIsToken0));

        state.Swap(100 * Eth, Sell, commit: true);
        Assert.Equal(9_900 * Eth, state.VirtualReserve(WethIsToken0));
        Assert.Equal(19_602_000 * E(6), state.VirtualReserve(!WethIsToken0));

        var bought = WethMarket().StartExact();
        Assert.Equal(50 * Eth, bought.Swap(100_350 * E(6), Buy, commit: true)); // 50 WETH on the ask: mean impact 35 bps above 2,000
        Assert.Equal(20_100 * Eth, bought.VirtualReserve(WethIsToken0));

        state.Swap(500 * Eth, Sell, commit: true);
        Assert.Equal(BigInteger.Zero, state.VirtualReserve(WethIsToken0));
        Assert.Equal(BigInteger.Zero, state.VirtualReserve(!WethIsToken0));
    }

    [Fact]
    public void A_flat_segment_is_taken_as_rising_by_one_ppm_deep_but_finite()
    {
        var flat = new ExternalMarketPool(Weth, Usdc, 2000 * E(6), Eth, new ExternalDepthCurve([new(0, 500), new(10 * Eth, 500), new(20 * Eth, 1_500)]), "flat");
        // 2·10^6·10 WETH / 1 ppm = 2·10^7 WETH.
        Assert.Equal(20_000_000 * Eth, flat.StartExact().VirtualReserve(WethIsToken0));
    }

    [Fact]
    public void Restore_puts_the_book_and_its_reference_price_back_exactly_as_marked()
    {
        var state = WethMarket().StartExact();
        state.Swap(37 * Eth, Sell, commit: true);
        var mark = state.Mark();
        var before = (ExternalMarketFill)state.Report();
        var quote = state.Swap(10 * Eth, Sell, commit: false);

        state.Swap(120 * Eth, Sell, commit: true);
        state.Reprice(Sell, 7, 10);
        state.Swap(5_000 * E(6), Buy, commit: true);
        state.Restore(mark);

        Assert.Equal(before, (ExternalMarketFill)state.Report());
        Assert.Equal(quote, state.Swap(10 * Eth, Sell, commit: false));
    }

    /// <summary>
    /// The fast state beside the exact one over sales, buys, re-pricings and mark/restore: outputs within 1e-9 relative
    /// (+1 base unit for the floors), mid moves and virtual reserves within 1e-9 relative; the worst is printed.
    /// </summary>
    [Fact]
    public void The_fast_twin_follows_the_exact_one_price_members_within_1e_9_relative()
    {
        var random = new Random(41);
        var pool = WethMarket();
        var exact = pool.StartExact();
        var fast = pool.StartFast();
        var (n0, d0) = pool.StartExact().Spot(true);
        var worst = 0.0;
        (object Exact, object Fast)? mark = null;
        for (var step = 0; step < 600; step++)
        {
            switch (step % 41)
            {
                case 40:
                    var move = 850 + random.Next(0, 300);
                    var token0 = random.Next(2) == 0;
                    exact.Reprice(token0, move, 1000);
                    fast.Reprice(token0, move / 1000.0);
                    break;
                case 13:
                    mark = (exact.Mark(), fast.Mark());
                    break;
                case 29 when mark is { } m:
                    exact.Restore(m.Exact);
                    fast.Restore(m.Fast);
                    break;
                default:
                    var selling = random.Next(3) != 0;
                    var amount = selling ? new BigInteger(random.NextDouble() * 25) * Eth + random.Next() : new BigInteger(random.NextDouble() * 40_000) * E(6) + random.Next(1_000_000);
                    var e = exact.Swap(amount, selling ? Sell : Buy, commit: true);
                    var f = fast.Swap((double)amount, selling ? Sell : Buy, commit: true);
                    var scale = Math.Max(1.0, (double)e);
                    worst = Math.Max(worst, Math.Abs((double)e - f) / scale);
                    Assert.True(Math.Abs((double)e - f) <= 1e-9 * scale + 1, $"step {step}: exact {e}, fast {f}");
                    break;
            }
            var (n, d) = exact.Spot(true);
            FastExactComparison.AssertRelative((double)(n * d0) / (double)(d * n0), fast.PriceMove(true));
            foreach (var side in new[] { true, false })
            {
                var x = (double)exact.VirtualReserve(side);
                var y = fast.VirtualReserve(side);
                worst = Math.Max(worst, Math.Abs(x - y) / Math.Max(1, x));
                FastExactComparison.AssertRelative(x, y);
            }
        }
        output.WriteLine($"worst relative difference {worst:E2}");
        Assert.True(worst < 1e-9, $"worst relative difference {worst}");
    }

    /// <summary>20 WETH against 35,000 USDC on Aave v3.0 (HF 40,000·0.825/35,000 = 0.943: full close, 18.375 WETH seized for 35,000).</summary>
    private static Snapshot OneAccount(IReadOnlyList<UniswapV2Pool> pools, ExternalMarketPool? market = null) =>
        MiniMarket.Build([Account(1, Coll(Weth, Units("20", 18)), Debt(Usdc, Units("35000", 6)))], pools: pools)
            .WithVenueBook(new ExternalMarketBook([market ?? WethMarket()], "test"));

    /// <summary>
    /// WETH's only venue is the curve. The liquidation sells 18.375 WETH into it; the mid then is 2,000 × (1 − (m(18.375) −
    /// m(0))/10^6) with m(18.375) = 1,000 + 100·18.375 = 2,837.5 ppm: 2,000 × (1 − 0.0018375) = $1,996.325 — round 1's one
    /// price (to the 10^-8 floor of its square root), and the oracle follows it.
    /// </summary>
    [Fact]
    public void Under_one_price_the_weth_price_follows_the_external_mid_after_the_sale_and_the_oracle_follows_it()
    {
        var result = CascadeSimulator.Simulate(OneAccount([]), Scenario.Single(Dai, 0m), OnePrice);
        var l = Assert.Single(result.Rounds.SelectMany(r => r.Liquidations));
        Assert.Equal(Units("18.375", 18), l.CollateralSeized);
        Assert.Equal([Weth], l.SalePools);
        var weth = result.Rounds[1].Prices.Single(p => p.Asset == Weth);
        var expected = Usd("1996.325");
        Assert.InRange(weth.MarketPriceUsd, expected - 1, expected);
        Assert.Equal(weth.MarketPriceUsd, weth.OraclePriceUsd);
        // The book kept what was sold; its reference moved so that its mid is the one price.
        var fill = Assert.Single(result.FinalPools.OfType<ExternalMarketFill>());
        Assert.Equal(Units("18.375", 18), fill.NetSold);
        output.WriteLine($"WETH after the sale: {(double)weth.MarketPriceUsd / 1e8:F8} (by hand 1996.325)");
    }

    /// <summary>
    /// Beside a thin pair (200,000 USDC / 100 WETH) the router sells all 18.375 WETH into the pair for 30,966.69 USDC, less
    /// than the 35,000 repaid (no liquidation); best execution splits it with the curve, and each leg pays what its venue's
    /// own math pays (v2 <c>getAmountOut</c>; the curve's integral, floored). The curve here is steeper (10 bps at 0, 210 bps
    /// after 10 WETH) so that neither venue takes the whole sale.
    /// </summary>
    [Fact]
    public void Best_execution_splits_a_sale_between_a_thin_pair_and_the_external_curve_and_each_leg_pays_its_venue()
    {
        var thin = new UniswapV2Pool(A(0xd0), Usdc, Weth, Units("200000", 6), Units("100", 18));
        var steep = WethMarket() with { Curve = new ExternalDepthCurve([new(0, 1_000), new(10 * Eth, 21_000), new(300 * Eth, 51_000)]) };
        var snapshot = OneAccount([thin], steep);
        var router = CascadeSimulator.Simulate(snapshot, Scenario.Single(Dai, 0m), OnePrice);
        Assert.Equal(0, router.Totals.Liquidations);

        var best = CascadeSimulator.Simulate(snapshot, Scenario.Single(Dai, 0m), OnePrice with { Liquidators = LiquidatorModel.Router with { BestExecution = true } });
        var l = Assert.Single(best.Rounds.SelectMany(r => r.Liquidations));
        Assert.Equal("split", l.SaleRoute);
        var legs = l.SaleLegs!;
        Assert.Equal(2, legs.Count);
        var pairLeg = legs.Single(x => x.Pools.SequenceEqual([thin.Pair]));
        var curveLeg = legs.Single(x => x.Pools.SequenceEqual([Weth]));
        Assert.Equal(l.CollateralSeized, pairLeg.AmountIn + curveLeg.AmountIn);
        Assert.Equal(UniswapV2Math.GetAmountOut(pairLeg.AmountIn, thin.Reserve1, thin.Reserve0), pairLeg.AmountOut);
        Assert.Equal(steep.StartExact().Swap(curveLeg.AmountIn, Sell, commit: false), curveLeg.AmountOut);
        Assert.Equal(pairLeg.AmountOut + curveLeg.AmountOut, l.SaleProceeds);
        Assert.True(l.SaleProceeds > Units("35000", 6));
        output.WriteLine($"split: {(double)pairLeg.AmountIn / 1e18:F4} WETH to the pair, {(double)curveLeg.AmountIn / 1e18:F4} to the curve → {(double)l.SaleProceeds / 1e6:F6} USDC");
    }

    /// <summary>
    /// The fast path beside the exact path with one price, the market liquidators and external curves for WETH and WBTC
    /// (beside the synthetic book's v2 pairs): the same liquidated positions and counts, totals within 1e-9 relative.
    /// </summary>
    [Theory]
    [InlineData(1, -0.25)]
    [InlineData(2, -0.35)]
    public void Fast_path_matches_the_exact_path_with_one_price_and_external_curves(int seed, double shock)
    {
        var synthetic = Core.Protocols.SyntheticSnapshot.Generate(1500, seed, 1, poolDepthUsdPerPosition: 4_000);
        var config = ExternalDepthConfig.Parse($$"""
            { "quote": "{{Core.Protocols.SyntheticSnapshot.Usdc}}", "provenance": "test curves",
              "curves": [
                { "asset": "{{Core.Protocols.SyntheticSnapshot.Weth}}", "points": [ { "usd": 0, "impactBps": 5 }, { "usd": 2000000, "impactBps": 80 }, { "usd": 8000000, "impactBps": 400 } ] },
                { "asset": "{{Core.Protocols.SyntheticSnapshot.Wbtc}}", "points": [ { "usd": 0, "impactBps": 8 }, { "usd": 1000000, "impactBps": 150 } ] } ] }
            """, "test");
        var snapshot = synthetic.WithVenueBook(config.Bind(synthetic.Assets, "test"));
        var (exact, fast) = FastExactComparison.Run(snapshot, Scenario.Single(Core.Protocols.SyntheticSnapshot.Weth, (decimal)shock), OnePrice.WithMarketLiquidators());
        var intoCurves = exact.Rounds.SelectMany(r => r.Liquidations).Count(l => l.SalePools.Contains(Core.Protocols.SyntheticSnapshot.Weth) || l.SalePools.Contains(Core.Protocols.SyntheticSnapshot.Wbtc));
        output.WriteLine($"exact: {exact.Totals.Liquidations} liq ({intoCurves} into a curve), {exact.Rounds.Count} rounds, ${exact.Totals.LiquidatedValueUsd:N2}, bad ${exact.Totals.BadDebtUsd:N2}; fast {fast.Liquidations}, ${fast.LiquidatedValueUsd:N2}, bad ${fast.BadDebtUsd:N2}");
        Assert.True(intoCurves > 0, "the case must sell into a curve");
        FastExactComparison.AssertSame(snapshot, exact, fast);
    }
}
