using DefiRisk.Core.Analysis;
using DefiRisk.Core.Breakers;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Proposals;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Analysis;

/// <summary>
/// "Self-sustaining": the smallest shock at which the cascade keeps going after the exogenous drop stops — rounds whose
/// liquidations were set off by earlier liquidations' sales, counted once the oracles show the whole exogenous drop.
/// </summary>
public sealed class SelfSustainingTests
{
    private static Snapshot CrossProtocol() => MiniMarket.Build([Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("15000", 6)))],
        [MiniMarket.Morpho(MiniMarket.MorphoWethUsdc, Usdc, Weth, "0.86", Units("13550", 6), MiniMarket.WethUsdcPrice)],
        [MiniMarket.Borrower(MiniMarket.MorphoWethUsdc, 1, Units("10", 18), Units("13550", 6))]);

    [Fact]
    public void A_lagged_oracle_does_not_turn_the_delayed_first_wave_into_an_endogenous_round()
    {
        // CascadeSimulatorTests' cross-protocol market at −20 %: one knock-on generation (Aave's sale → Morpho).
        // Immediate oracle: Aave in round 0, Morpho in round 1 → 1 endogenous round. With a 1-round lag the oracle
        // shows the drop in round 1 (Aave), and Aave's sale in round 1 moves the market of round 2, shown in round 3
        // (Morpho). The round-1 liquidation is still the exogenous drop: 1 endogenous round, not self-sustaining.
        var s = CrossProtocol();
        var lagged = new SimulationOptions { OracleModel = new LaggedOracle(1) };
        var immediate = CascadeSimulator.Simulate(s, Scenario.Single(Weth, -0.20m));
        Assert.Equal(1, immediate.Totals.EndogenousRoundsWithLiquidations);

        var r = CascadeSimulator.Simulate(s, Scenario.Single(Weth, -0.20m), lagged);
        var aave = Assert.Single(r.Rounds[1].Liquidations);
        var morpho = Assert.Single(r.Rounds[3].Liquidations);
        Assert.Equal([aave.Id], morpho.Causes);
        Assert.Equal(1, r.Totals.EndogenousRoundsWithLiquidations);

        var sweep = CascadeSimulator.Sweep(s, Weth, -0.20m, -0.20m, -0.05m, lagged);
        Assert.Equal("fast", sweep.Path);
        Assert.Equal(1, Assert.Single(sweep.Levels).EndogenousRoundsWithLiquidations);
        Assert.Null(sweep.SelfSustainingThreshold);
    }

    [Fact]
    public void Liquidations_a_breaker_merely_deferred_are_not_a_self_sustaining_cascade()
    {
        // BreakerCascadeTests' cap case: no pools, so no sale moves any price; a $10,000 cap spreads 22,500 over rounds
        // 0, 1, 2. Nothing there was set off by a sale: 0 endogenous rounds, and the sweep finds no threshold.
        var s = MiniMarket.Build([Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("15000", 6))),
            Account(2, Coll(Weth, Units("5", 18)), Debt(Usdc, Units("7500", 6)))], pools: []);
        var options = ProposalBreakers.Options(SimulationOptions.Default,
            TestProposal.Create("p", "", [], [], null, [], new BreakerSettings([new LiquidationCap(CapScope.Global, null, Usd("10000"), 1)], null, null, null)), s);
        var r = CascadeSimulator.Simulate(s, Scenario.Single(Weth, -0.20m), options);
        Assert.Equal(3, r.Totals.RoundsWithLiquidations);
        Assert.Equal(0, r.Totals.EndogenousRoundsWithLiquidations);

        var sweep = CascadeSimulator.Sweep(s, Weth, -0.20m, -0.20m, -0.05m, options);
        Assert.Equal("exact", sweep.Path);
        Assert.False(Assert.Single(sweep.Levels).SelfSustaining);
        Assert.Null(sweep.SelfSustainingThreshold);
    }
}
