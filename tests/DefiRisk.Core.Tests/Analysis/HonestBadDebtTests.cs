using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Analysis;

/// <summary>
/// Bad debt is the whole shortfall: what the protocols booked (realised) plus every open position whose debt exceeds its
/// collateral at the final market prices (unrealised), so a cascade that strands insolvent positions because selling does
/// not pay cannot report less bad debt than one that liquidates them.
/// </summary>
public sealed class HonestBadDebtTests
{
    // 10 WETH against 19,000 USDC on Morpho (LLTV 86 %): at WETH −20 % ($1,600) the collateral is worth $16,000, so the
    // position is $3,000 short. Without pools the sale would be at the market price, but $1M of gas makes no call pay.
    private static Snapshot Stranded() => MiniMarket.Build([],
        [MiniMarket.Morpho(MiniMarket.MorphoWethUsdc, Usdc, Weth, "0.86", Units("19000", 6), MiniMarket.WethUsdcPrice)],
        [MiniMarket.Borrower(MiniMarket.MorphoWethUsdc, 1, Units("10", 18), Units("19000", 6))], pools: []);

    [Fact]
    public void An_insolvent_position_nobody_liquidates_is_unrealised_bad_debt_with_its_reason()
    {
        var r = CascadeSimulator.Simulate(Stranded(), Scenario.Single(Weth, -0.20m), new SimulationOptions { GasCostUsd = 1_000_000 * 100_000_000L });
        Assert.Equal(0, r.Totals.Liquidations);
        Assert.Equal(0, r.Totals.RealisedBadDebtUsd);
        var x = Assert.Single(r.Totals.Insolvent);
        Assert.Equal((16_000.0, 19_000.0), (Math.Round(x.CollateralUsd, 6), Math.Round(x.DebtUsd, 6)));
        Assert.Equal(3_000, x.ShortfallUsd, 6);
        Assert.Equal("unprofitable after slippage and gas", x.Reason);
        Assert.Equal(3_000, r.Totals.UnrealisedBadDebtUsd, 6);
        Assert.Equal(r.Totals.RealisedBadDebtUsd + r.Totals.UnrealisedBadDebtUsd, r.Totals.BadDebtUsd);
    }

    [Fact]
    public void Liquidating_the_same_position_turns_the_shortfall_into_realised_bad_debt_not_less_bad_debt()
    {
        var stranded = CascadeSimulator.Simulate(Stranded(), Scenario.Single(Weth, -0.20m), new SimulationOptions { GasCostUsd = 1_000_000 * 100_000_000L });
        var liquidated = CascadeSimulator.Simulate(Stranded(), Scenario.Single(Weth, -0.20m));
        Assert.Equal(1, liquidated.Totals.Liquidations);
        Assert.Empty(liquidated.Totals.Insolvent);
        Assert.True(liquidated.Totals.RealisedBadDebtUsd > 0, "Morpho writes off what the seized collateral did not cover");
        // Seizing all collateral repays coll / LIF, so the write-off exceeds the bare shortfall by the incentive.
        Assert.True(liquidated.Totals.BadDebtUsd >= stranded.Totals.BadDebtUsd);
    }

    [Fact]
    public void The_fast_path_counts_the_same_unrealised_bad_debt()
    {
        var s = SyntheticSnapshot.Generate(2000, 41, poolDepthUsdPerPosition: 800);
        var (exact, fast) = FastExactComparison.Run(s, Scenario.Single(SyntheticSnapshot.Weth, -0.55m), new SimulationOptions { GasCostUsd = 50 * 100_000_000L });
        Assert.True(exact.Totals.UnrealisedBadDebtUsd > 0, "the case must strand insolvent positions");
        FastExactComparison.AssertRelative(exact.Totals.UnrealisedBadDebtUsd, fast.UnrealisedBadDebtUsd);
        FastExactComparison.AssertRelative(exact.Totals.RealisedBadDebtUsd, fast.RealisedBadDebtUsd);
        FastExactComparison.AssertSame(s, exact, fast);
    }
}
