using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Venues;
using DefiRisk.Core.Venues.UniswapV2;
using DefiRisk.Core.Venues.UniswapV3;
using DefiRisk.Core.Tests.Venues.UniswapV3;
using Xunit.Abstractions;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Analysis;

/// <summary>
/// Liquidators as mainnet has them (issue 12 item 4, <see cref="LiquidatorModel.Market"/>) against the router model the
/// on-chain replay mirrors (<see cref="LiquidatorModel.Router"/>, still the default): best execution across venues, the
/// pair chosen by profit, flash-loan funding and the gas default. Every expected amount is recomputed here from the pools'
/// own math (v2 <c>getAmountOut</c>, v3 <see cref="UniswapV3Swap.SwapExactInput"/>), not read back from the engine.
/// </summary>
public sealed class MarketLiquidatorTests(ITestOutputHelper output)
{
    // The hand-worked venues of ShortestRouteVersusBestExecutionTests: a thin v2 pair and a 15× deeper v3 pool, both at $2,000.
    private static readonly UniswapV2Pool ThinPair = new(A(0xd0), Usdc, Weth, Units("200000", 6), Units("100", 18));

    private static Snapshot ThinPairAndV3(IReadOnlyList<AaveV3Account> accounts)
    {
        var s = MiniMarket.Build(accounts, pools: [ThinPair, MiniMarket.WstethWethPool]);
        return new Snapshot(s.Chain, s.Assets, s.Books, [.. s.Venues, new UniswapV3Book([UniswapV3VenueTests.WethUsdc()])]);
    }

    private static int IndexOf(Snapshot s, Address a) => s.Assets.ToList().FindIndex(x => x.Address == a);

    [Fact]
    public void Best_execution_splits_ten_weth_between_the_thin_pair_and_the_v3_pool_and_each_leg_pays_what_its_pool_pays()
    {
        var snapshot = ThinPairAndV3([]);
        var graph = new VenueGraph(snapshot, null);
        var routes = graph.Routes(IndexOf(snapshot, Weth), IndexOf(snapshot, Usdc));
        Assert.Equal(2, routes.Length);
        Assert.Equal(ThinPair.Pair, graph.Pools[routes[0][0].Pool].Id); // the router's route comes first

        var amount = Units("10", 18);
        var pools = graph.Pools.Select(p => p.StartExact()).ToArray();
        var legs = new List<SplitLeg>();
        var quoted = BestExecution.Sell(pools, routes, amount, BestExecution.DefaultChunks, commit: false, legs);
        var sold = BestExecution.Sell(pools, routes, amount, BestExecution.DefaultChunks, commit: true, legs);
        Assert.Equal(quoted, sold); // a quote leaves the pools as they were

        // Each leg, recomputed on the snapshot's pools with their own math.
        Assert.Equal(2, legs.Count);
        var v2Leg = legs.Single(l => l.Route == 0);
        var v3Leg = legs.Single(l => l.Route == 1);
        Assert.Equal(amount, v2Leg.AmountIn + v3Leg.AmountIn);
        Assert.Equal(UniswapV2Math.GetAmountOut(v2Leg.AmountIn, ThinPair.Reserve1, ThinPair.Reserve0), v2Leg.AmountOut);
        Assert.Equal(-UniswapV3Swap.SwapExactInput(UniswapV3VenueTests.WethUsdc().State, false, v3Leg.AmountIn).Amount0, v3Leg.AmountOut);
        Assert.Equal(v2Leg.AmountOut + v3Leg.AmountOut, sold);

        // Against the router (18,132.217877 USDC, by hand) and the scan of splits in 0.01-WETH steps (best ≈ 0.60 WETH to the pair).
        var shortest = UniswapV2Math.GetAmountOut(amount, ThinPair.Reserve1, ThinPair.Reserve0);
        Assert.Equal(BigInteger.Parse("18132217877"), shortest);
        var v3 = UniswapV3VenueTests.WethUsdc().StartExact();
        var (bestX, best) = (BigInteger.Zero, BigInteger.Zero);
        for (var x = BigInteger.Zero; x <= amount; x += Units("0.01", 18))
        {
            var total = UniswapV2Math.GetAmountOut(x, ThinPair.Reserve1, ThinPair.Reserve0) + v3.Swap(amount - x, false, false);
            if (total > best) (bestX, best) = (x, total);
        }
        output.WriteLine($"router {(double)shortest / 1e6:F6} USDC; best execution {(double)v2Leg.AmountIn / 1e18:F4} WETH to the pair → {(double)sold / 1e6:F6}; scan {(double)bestX / 1e18:F2} WETH → {(double)best / 1e6:F6}");
        Assert.True(BigInteger.Abs(v2Leg.AmountIn - bestX) <= amount / BestExecution.DefaultChunks + Units("0.01", 18), "the split is within one piece of the best");
        Assert.True(best - sold < 1_000_000, $"best execution is within $1 of the best split ({best - sold} base units short)");
        Assert.True(sold - shortest > 1_600_000_000, "best execution recovers the ≈ $1,689 the router leaves");
    }

    /// <summary>
    /// 20 WETH against 35,000 USDC (HF = 40,000·0.825 / 35,000 = 0.943 &lt; 0.95: full close on v3.0): the liquidator repays
    /// 35,000 USDC for 35,000 / 2,000 · 1.05 = 18.375 WETH. The router sells it all into the thin pair for
    /// 18.375·997·200,000 / (100·1,000 + 18.375·997) = 3,663,975,000 / 118,320.875 = 30,966.690929… USDC — less than it repaid, so nobody liquidates; best
    /// execution splits it with the v3 pool and the liquidation pays.
    /// </summary>
    [Fact]
    public void A_position_the_router_leaves_as_unprofitable_is_liquidated_with_best_execution_by_the_computed_split()
    {
        var snapshot = ThinPairAndV3([Account(1, Coll(Weth, Units("20", 18)), Debt(Usdc, Units("35000", 6)))]);
        var scenario = Scenario.Single(Dai, 0m);

        var router = CascadeSimulator.Simulate(snapshot, scenario);
        var seized = Units("18.375", 18);
        var routerProceeds = UniswapV2Math.GetAmountOut(seized, ThinPair.Reserve1, ThinPair.Reserve0);
        Assert.Equal(BigInteger.Parse("30966690929"), routerProceeds); // the hand-worked figure, to the base unit
        Assert.Equal(0, router.Totals.Liquidations);
        Assert.Equal("unprofitable after slippage and gas", Assert.Single(router.Rounds[0].Unliquidated).Reason);

        var market = CascadeSimulator.Simulate(snapshot, scenario, SimulationOptions.Default.WithMarketLiquidators());
        var l = Assert.Single(market.Rounds.SelectMany(r => r.Liquidations));
        Assert.Equal(seized, l.CollateralSeized);
        Assert.Equal(Units("35000", 6), l.DebtRepaid);
        Assert.Equal("split", l.SaleRoute);
        var legs = l.SaleLegs!;
        Assert.Equal(2, legs.Count);
        Assert.Equal([ThinPair.Pair], legs[0].Pools);
        Assert.Equal([UniswapV3VenueTests.PoolAddress], legs[1].Pools);
        Assert.Equal(seized, legs[0].AmountIn + legs[1].AmountIn);
        Assert.Equal(UniswapV2Math.GetAmountOut(legs[0].AmountIn, ThinPair.Reserve1, ThinPair.Reserve0), legs[0].AmountOut);
        Assert.Equal(-UniswapV3Swap.SwapExactInput(UniswapV3VenueTests.WethUsdc().State, false, legs[1].AmountIn).Amount0, legs[1].AmountOut);
        Assert.Equal(legs[0].AmountOut + legs[1].AmountOut, l.SaleProceeds);
        // No Morpho market lends USDC here: Aave's flash loan at 5 bps, half up.
        Assert.Equal((l.DebtRepaid * 5 + 5_000) / 10_000, l.FlashLoanFee);
        // Two legs: $15 for the call and $3 for the second swap (LiquidatorModel.DefaultLegGasCostUsd).
        Assert.Equal((double)(l.SaleProceeds - l.DebtRepaid - l.FlashLoanFee!.Value) / 1e6 - 15 - 3, l.ProfitUsd, 6);
        Assert.True(l.SaleProceeds - routerProceeds > 4_000_000_000, "the split pays > $4,000 more than the router's sale");
        output.WriteLine($"router {(double)routerProceeds / 1e6:F6} USDC (unprofitable); split {(double)legs[0].AmountIn / 1e18:F4} WETH to the pair + {(double)legs[1].AmountIn / 1e18:F4} to v3 → {(double)l.SaleProceeds / 1e6:F6}");
    }

    /// <summary>
    /// 5 WETH + 5 wstETH against 18,500 USDC (HF 0.963: half closed, 9,250 USDC). By bonus (the router's order) the
    /// liquidator seizes wstETH (10600 &gt; 10500): 4.1547 wstETH sold through the thin wstETH/WETH pool then WETH/USDC,
    /// ≈ $64 profit. By profit it seizes 4.85625 WETH sold straight into WETH/USDC, ≈ $387 before funding and gas.
    /// </summary>
    [Fact]
    public void The_pair_is_chosen_by_profit_not_by_bonus()
    {
        var snapshot = MiniMarket.Build([Account(1, Coll(Weth, Units("5", 18)), Coll(WstEth, Units("5", 18)), Debt(Usdc, Units("18500", 6)))]);
        var scenario = Scenario.Single(Dai, 0m);
        var byBonus = CascadeSimulator.Simulate(snapshot, scenario).Rounds[0].Liquidations[0];
        var byProfit = CascadeSimulator.Simulate(snapshot, scenario, SimulationOptions.Default with { Liquidators = LiquidatorModel.Router with { PairByProfit = true } }).Rounds[0].Liquidations[0];
        Assert.Equal(WstEth, byBonus.CollateralAsset);
        Assert.Equal(Weth, byProfit.CollateralAsset);
        Assert.Equal(Units("9250", 6), byBonus.DebtRepaid);
        Assert.Equal(Units("9250", 6), byProfit.DebtRepaid);
        // The WETH sale, by hand: 4.85625 WETH = 9,250 / 2,000 · 1.05 into 1,000 WETH / 2,000,000 USDC.
        Assert.Equal(Units("4.85625", 18), byProfit.CollateralSeized);
        Assert.Equal(UniswapV2Math.GetAmountOut(Units("4.85625", 18), Units("1000", 18), Units("2000000", 6)), byProfit.SaleProceeds);
        output.WriteLine($"by bonus: wstETH, profit ${byBonus.ProfitUsd:F2}; by profit: WETH, profit ${byProfit.ProfitUsd:F2}");
        Assert.InRange(byBonus.ProfitUsd, 30, 100);
        Assert.InRange(byProfit.ProfitUsd, 350, 420);
    }

    /// <summary>Morpho lends USDC at no fee up to its balance (idle supply); a repayment beyond it goes to Aave at 5 bps.</summary>
    [Theory]
    [InlineData("100000", 0)]
    [InlineData("1000", 5)]
    public void Liquidations_are_flash_loan_funded_by_Morpho_when_it_holds_enough_else_by_Aave(string morphoIdleUsdc, int expectedFeeBps)
    {
        var morpho = MiniMarket.Morpho(MiniMarket.MorphoWethUsdc, Usdc, Weth, "0.86", Units(morphoIdleUsdc, 6), MiniMarket.WethUsdcPrice);
        var snapshot = MiniMarket.Build([Account(1, Coll(Weth, Units("5", 18)), Debt(Usdc, Units("9000", 6)))], [morpho], []);
        var result = CascadeSimulator.Simulate(snapshot, Scenario.Single(Dai, 0m), SimulationOptions.Default.WithMarketLiquidators());
        var l = result.Rounds[0].Liquidations[0];
        Assert.Equal((l.DebtRepaid * expectedFeeBps + (expectedFeeBps == 0 ? 0 : 5_000)) / 10_000, l.FlashLoanFee);
        // A capital cap means the liquidator's own funds: no flash loan, no fee.
        var capped = CascadeSimulator.Simulate(snapshot, Scenario.Single(Dai, 0m),
            SimulationOptions.Default.WithMarketLiquidators() with { LiquidatorCapitalPerRoundUsd = 1_000_000 * 100_000_000L });
        Assert.Null(capped.Rounds[0].Liquidations[0].FlashLoanFee);
    }

    [Fact]
    public void The_market_model_charges_fifteen_dollars_of_gas_per_call_unless_a_gas_cost_is_given()
    {
        Assert.Equal(15 * 100_000_000L, (long)SimulationOptions.Default.WithMarketLiquidators().GasCostUsd);
        Assert.Equal(3 * 100_000_000L, (long)(SimulationOptions.Default with { GasCostUsd = 3 * 100_000_000L }).WithMarketLiquidators().GasCostUsd);
        // A call earning ≈ $9 (5 % of 187.5 USDC less the pool's 0.3 %) pays with no gas and not with the default: 0.1 WETH against 187.5 USDC (HF 0.88).
        var snapshot = MiniMarket.Build([Account(1, Coll(Weth, Units("0.1", 18)), Debt(Usdc, Units("187.5", 6)))]);
        Assert.Equal(1, CascadeSimulator.Simulate(snapshot, Scenario.Single(Dai, 0m), SimulationOptions.Default with { Liquidators = LiquidatorModel.Market }).Totals.Liquidations);
        var market = CascadeSimulator.Simulate(snapshot, Scenario.Single(Dai, 0m), SimulationOptions.Default.WithMarketLiquidators());
        Assert.Equal(0, market.Totals.Liquidations);
        Assert.Equal("unprofitable after slippage and gas", market.Rounds[0].Unliquidated.Single().Reason);
    }

    /// <summary>
    /// The fast path beside the exact path with the market liquidators (split sales over the synthetic book's v2 routes,
    /// pairs by profit, flash-loan fees, $15 gas): the same liquidated positions and counts, totals within 1e-9 relative as
    /// every differential test states. Each pair has a twin at 40 % of its depth. Seeds and shocks as FastPathDifferentialTests picks them (shallow and deep pools).
    /// </summary>
    [Theory]
    [InlineData(1, 1, -0.25)]
    [InlineData(2, 1, -0.30)]
    [InlineData(3, Core.Protocols.AaveV3.AaveV3Revision.V3_3, -0.30)]
    [InlineData(5, Core.Protocols.AaveV3.AaveV3Revision.V3_5, -0.35)]
    [InlineData(8, 1, -0.45)]
    public void Fast_path_matches_the_exact_path_with_market_liquidators(int seed, int revision, double shock)
    {
        var synthetic = Core.Protocols.SyntheticSnapshot.Generate(1500, seed, revision, poolDepthUsdPerPosition: seed % 2 == 0 ? 2_000 : seed > 5 ? 100_000 : 10_000);
        // A second pair beside each of the book's pairs, at the same price with 40 % of its depth: two venues per pair to split over.
        var pairs = synthetic.UniswapV2Pools();
        var twins = pairs.Select((p, i) => p with { Pair = A(0xe000 + i), Reserve0 = p.Reserve0 * 2 / 5, Reserve1 = p.Reserve1 * 2 / 5 });
        var snapshot = synthetic with { Venues = [new UniswapV2Book([.. pairs, .. twins])] };
        var options = SimulationOptions.Default.WithMarketLiquidators();
        var (exact, fast) = FastExactComparison.Run(snapshot, Scenario.Single(Core.Protocols.SyntheticSnapshot.Weth, (decimal)shock), options);
        var split = exact.Rounds.SelectMany(r => r.Liquidations).Count(l => l.SaleRoute == "split");
        // Aave calls sized for profit carry their debtToCover (no breaker here); Morpho's are those left to wait.
        var sized = exact.Rounds.SelectMany(r => r.Liquidations).Count(l => l.Protocol == ProtocolNames.AaveV3 && !l.RepayArgument.IsZero);
        var waiting = exact.Rounds.SelectMany(r => r.Unliquidated).Count(u => u.Reason == Core.Lending.CallSizing.RestWaits);
        output.WriteLine($"exact: {exact.Totals.Liquidations} liq ({split} split sales, {sized} Aave calls sized for profit, {waiting} left to wait), ${exact.Totals.LiquidatedValueUsd:N2}, bad ${exact.Totals.BadDebtUsd:N2}; fast {fast.Liquidations}, ${fast.LiquidatedValueUsd:N2}, bad ${fast.BadDebtUsd:N2}");
        output.WriteLine($"relative differences: liquidated {Math.Abs(exact.Totals.LiquidatedValueUsd - fast.LiquidatedValueUsd) / Math.Max(1, exact.Totals.LiquidatedValueUsd):E2}, bad debt {Math.Abs(exact.Totals.BadDebtUsd - fast.BadDebtUsd) / Math.Max(1, exact.Totals.BadDebtUsd):E2}");
        Assert.True(split > 0, "the case must split sales to test best execution");
        FastExactComparison.AssertSame(snapshot, exact, fast);
    }
}
