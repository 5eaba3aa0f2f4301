using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Venues.UniswapV2;
using DefiRisk.Core.Venues.UniswapV3;
using DefiRisk.Core.Tests.Venues.UniswapV3;
using Xunit.Abstractions;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Analysis;

/// <summary>
/// One market price per asset (issue 12 item 3, <see cref="MarketPriceModel.OnePrice"/>) against the first-pool model the
/// on-chain replay mirrors (still the default): a shock moves every pool of the asset, the oracle follows the one price,
/// correlation groups, recovery, refusal of a seized asset with no venue, and the fast path beside the exact one.
/// </summary>
public sealed class OneMarketPriceTests(ITestOutputHelper output)
{
    private static readonly UniswapV2Pool ThinPair = new(A(0xd0), Usdc, Weth, Units("200000", 6), Units("100", 18));

    private static Snapshot TwoWethVenues(IReadOnlyList<AaveV3Account> accounts)
    {
        var s = MiniMarket.Build(accounts, pools: [ThinPair, MiniMarket.WstethWethPool]);
        return new Snapshot(s.Chain, s.Assets, s.Books, [.. s.Venues, new UniswapV3Book([UniswapV3VenueTests.WethUsdc()])]);
    }

    private static SimulationOptions OnePrice => SimulationOptions.Default with { MarketPrices = MarketPriceModel.Market };

    /// <summary>USD per WETH a v2 pair's reserves imply (USDC $1): reserveUSDC·10^12 / reserveWETH.</summary>
    private static double PairPrice(PoolReserves p) => (double)p.Reserve0 * 1e12 / (double)p.Reserve1;

    /// <summary>USD per WETH the v3 pool's price implies: token0 USDC, token1 WETH, so 10^12 / (sqrtPriceX96² / 2^192).</summary>
    private static double V3Price(UniswapV3PoolPrice p) => 1e12 / UniswapV3Price.Price1Per0(p.SqrtPriceX96);

    [Fact]
    public void A_weth_shock_moves_every_weth_pool_and_the_oracle_to_one_price_where_the_first_pool_model_moves_one_pool()
    {
        var snapshot = TwoWethVenues([]);
        var scenario = Scenario.Single(Weth, -0.10m);

        var one = CascadeSimulator.Simulate(snapshot, scenario, OnePrice);
        var round = one.Rounds[0];
        var weth = round.Prices.Single(p => p.Asset == Weth);
        Assert.Equal(Usd("1800"), weth.MarketPriceUsd); // 2,000 × 0.9, exactly
        Assert.Equal(Usd("1800"), weth.OraclePriceUsd);
        Assert.Equal(1800, PairPrice(round.PairReserves().Single(p => p.Pair == ThinPair.Pair)), 1e-6 * 1800);
        Assert.Equal(1800, V3Price(round.V3PoolPrices().Single()), 1e-6 * 1800);
        // wstETH is not shocked: its pool against WETH is arbitraged to 2,360 / 1,800 WETH per wstETH.
        var wst = round.PairReserves().Single(p => p.Pair == MiniMarket.WstethWethPool.Pair);
        Assert.Equal(2360.0 / 1800, (double)wst.Reserve0 / (double)wst.Reserve1, 1e-6);
        Assert.Equal(Usd("2360"), round.Prices.Single(p => p.Asset == WstEth).MarketPriceUsd);

        var first = CascadeSimulator.Simulate(snapshot, scenario).Rounds[0];
        Assert.Equal(1800, PairPrice(first.PairReserves().Single(p => p.Pair == ThinPair.Pair)), 1e-6 * 1800);
        Assert.Equal(UniswapV3VenueTests.WethUsdc().State.SqrtPriceX96, first.V3PoolPrices().Single().SqrtPriceX96); // the v3 pool keeps the old price
        output.WriteLine($"one price: pair {PairPrice(round.PairReserves().Single(p => p.Pair == ThinPair.Pair)):F4}, v3 {V3Price(round.V3PoolPrices().Single()):F4}; first pool: v3 {V3Price(first.V3PoolPrices().Single()):F4}");
    }

    [Fact]
    public void A_correlation_group_moves_its_members_with_one_shock()
    {
        var snapshot = TwoWethVenues([]);
        var options = SimulationOptions.Default with { MarketPrices = MarketPriceModel.Market with { CorrelationGroups = [[Weth.ToString(), WstEth.ToString()]] } };
        var round = CascadeSimulator.Simulate(snapshot, Scenario.Single(Weth, -0.10m), options).Rounds[0];
        Assert.Equal(Usd("2124"), round.Prices.Single(p => p.Asset == WstEth).MarketPriceUsd); // 2,360 × 0.9
        var wst = round.PairReserves().Single(p => p.Pair == MiniMarket.WstethWethPool.Pair);
        Assert.Equal(MiniMarket.WstethWethPool.Reserve0, wst.Reserve0); // the ratio did not move: no arbitrage trade
    }

    /// <summary>
    /// A liquidation sells 18.375 WETH into the two venues in round 0; round 1's WETH price is the clearing price below
    /// 1,800. With a one-round half-life, half of that impact is gone in round 1.
    /// </summary>
    [Fact]
    public void Sales_lower_the_one_price_and_a_recovery_half_life_pulls_half_of_it_back_each_round()
    {
        var snapshot = TwoWethVenues([Account(1, Coll(Weth, Units("20", 18)), Debt(Usdc, Units("35000", 6)))]);
        var scenario = Scenario.Single(Dai, 0m);
        var options = OnePrice.WithMarketLiquidators();
        var r = CascadeSimulator.Simulate(snapshot, scenario, options);
        Assert.Equal(1, r.Totals.Liquidations);
        Assert.False(r.HitRoundLimit, "with no more sales the one price stands still and the cascade goes quiet");
        var after = r.Rounds[1].Prices.Single(p => p.Asset == Weth).MarketPriceUsd;
        Assert.True(after < Usd("2000"), "the sale lowers the one price");
        // Every WETH pool starts round 1 at that one price.
        Assert.Equal((double)after / 1e8, PairPrice(r.Rounds[1].PairReserves().Single(p => p.Pair == ThinPair.Pair)), 1e-6 * 2000);
        Assert.Equal((double)after / 1e8, V3Price(r.Rounds[1].V3PoolPrices().Single()), 1e-6 * 2000);

        var recovering = CascadeSimulator.Simulate(snapshot, scenario, options with { MarketPrices = MarketPriceModel.Market with { RecoveryHalfLifeRounds = 1 } });
        var half = recovering.Rounds[1].Prices.Single(p => p.Asset == Weth).MarketPriceUsd;
        // target + (after − target)·2^−1, with the keep factor's 10^12 floor
        Assert.True(BigInteger.Abs(half - (Usd("2000") + (after - Usd("2000")) / 2)) <= 1, $"{half} vs half of {after}");
        output.WriteLine($"WETH after the sale: {(double)after / 1e8:F8}; with a one-round half-life: {(double)half / 1e8:F8}");
    }

    [Fact]
    public void A_seized_collateral_with_no_venue_is_refused_by_name()
    {
        var snapshot = TwoWethVenues([Account(1, Coll(Dai, Units("1000", 18)), Debt(Usdc, Units("900", 6)))]);
        var e = Assert.Throws<DefiRiskException>(() => CascadeSimulator.Simulate(snapshot, Scenario.Single(Dai, -0.10m), OnePrice));
        Assert.Contains("DAI", e.Message);
        Assert.Contains("no venue", e.Message);
        // The first-pool model sells it at the market price without impact (what one price refuses).
        Assert.Equal("market", CascadeSimulator.Simulate(snapshot, Scenario.Single(Dai, -0.10m)).Rounds[0].Liquidations[0].SaleRoute);
    }

    /// <summary>
    /// The fast path beside the exact path with one price and the market liquidators on the synthetic book with twin
    /// pairs: the same liquidated positions and counts, totals within 1e-9 relative (measured worst 5.0e-10: seeds 2 and 5
    /// are spirals that run the 50 rounds, each round re-clearing every price and re-arbitraging every pool).
    /// </summary>
    [Theory]
    [InlineData(1, 1, -0.25)]
    [InlineData(2, 1, -0.30)]
    [InlineData(5, Core.Protocols.AaveV3.AaveV3Revision.V3_5, -0.35)]
    public void Fast_path_matches_the_exact_path_with_one_market_price(int seed, int revision, double shock)
    {
        var synthetic = Core.Protocols.SyntheticSnapshot.Generate(1500, seed, revision, poolDepthUsdPerPosition: seed % 2 == 0 ? 2_000 : 10_000);
        var pairs = synthetic.UniswapV2Pools();
        var twins = pairs.Select((p, i) => p with { Pair = A(0xe000 + i), Reserve0 = p.Reserve0 * 2 / 5, Reserve1 = p.Reserve1 * 2 / 5 });
        var snapshot = synthetic with { Venues = [new UniswapV2Book([.. pairs, .. twins])] };
        var options = OnePrice.WithMarketLiquidators();
        var (exact, fast) = FastExactComparison.Run(snapshot, Scenario.Single(Core.Protocols.SyntheticSnapshot.Weth, (decimal)shock), options);
        output.WriteLine("liquidations per round: " + string.Join(" ", exact.Rounds.Select(x => x.Liquidations.Count)));
        output.WriteLine($"exact: {exact.Totals.Liquidations} liq, {exact.Rounds.Count} rounds, ${exact.Totals.LiquidatedValueUsd:N2}, bad ${exact.Totals.BadDebtUsd:N2}; fast {fast.Liquidations}, ${fast.LiquidatedValueUsd:N2}, bad ${fast.BadDebtUsd:N2}");
        output.WriteLine($"relative differences: liquidated {Math.Abs(exact.Totals.LiquidatedValueUsd - fast.LiquidatedValueUsd) / Math.Max(1, exact.Totals.LiquidatedValueUsd):E2}, bad debt {Math.Abs(exact.Totals.BadDebtUsd - fast.BadDebtUsd) / Math.Max(1, exact.Totals.BadDebtUsd):E2}");
        FastExactComparison.AssertSame(snapshot, exact, fast);
    }
}
