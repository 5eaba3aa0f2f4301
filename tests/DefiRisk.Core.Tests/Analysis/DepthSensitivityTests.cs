using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Analysis;

/// <summary>
/// Depth decides whether a liquidation pays. One Morpho position, 100 WETH against 170,000 USDC (LLTV 86 %, LIF 1.0438),
/// and the WETH/USDC pair (2,000,000 USDC / 1,000 WETH). At WETH −20 % ($1,600) the collateral is worth $160,000: the
/// liquidator must seize all 100 WETH and repay ⌈coll·price / LIF⌉ ≈ $153,286, Morpho writing off the rest. At ×4 depth
/// selling 100 WETH yields ≈ $156,000 (it pays); at ×0.25 ≈ $117,600 (it does not), and the position stays open, $10,000
/// short at the market price.
/// </summary>
public sealed class DepthSensitivityTests
{
    private static Snapshot Market() => MiniMarket.Build([],
        [MiniMarket.Morpho(MiniMarket.MorphoWethUsdc, Usdc, Weth, "0.86", Units("170000", 6), MiniMarket.WethUsdcPrice)],
        [MiniMarket.Borrower(MiniMarket.MorphoWethUsdc, 1, Units("100", 18), Units("170000", 6))]);

    [Fact]
    public void Deep_pools_make_the_liquidation_pay_and_shallow_ones_strand_the_position_by_the_computed_amounts()
    {
        var levels = DepthSensitivity.Run(Market(), Scenario.Single(Weth, -0.20m), SimulationOptions.Default, [0.25m, 4m]);
        var (shallow, deep) = (levels[0], levels[1]);

        // ×4: one call seizing all collateral; repaid = toAssetsUp(⌈⌈⌈coll·price⌉/LIF⌉ → shares⌉), written off = debt − repaid.
        var deepResult = CascadeSimulator.Simulate(Market().WithDepth(4m), Scenario.Single(Weth, -0.20m));
        var call = Assert.Single(deepResult.Rounds.SelectMany(r => r.Liquidations));
        Assert.Equal(Units("100", 18), call.CollateralSeized);
        var price = call.TriggerOraclePrice; // price() at WETH −20 %
        var lif = MorphoBlueMath.LiquidationIncentiveFactor(BigInteger.Parse("860000000000000000"));
        var repaidFloor = Units("100", 18) * price / BigInteger.Pow(10, 36) * BigInteger.Pow(10, 18) / lif; // ≈ the repaid assets (rounding up adds ≤ 2 units)
        Assert.InRange(call.DebtRepaid - repaidFloor, BigInteger.Zero, new BigInteger(3));
        Assert.Equal(1, deep.Liquidations);
        Assert.Equal((double)call.DebtRepaid / 1e6, deep.LiquidatedValueUsd, 6);
        Assert.Equal(170_000 - (double)call.DebtRepaid / 1e6, deep.RealisedBadDebtUsd, 3);
        Assert.Equal(0, deep.UnrealisedBadDebtUsd);
        Assert.Equal(MiniMarket.WethUsdcPool.Pair, call.SalePools[0]);
        var sold = Assert.Single(deep.SalesByVenue);
        Assert.Equal((UniswapV2Book.Name, 1), (sold.Venue, sold.Sales));

        // ×0.25: nothing pays; the position is open and $10,000 short at the market price of $1,600 (to the cent: the
        // re-priced pool's price is exact to 1e-8 here).
        Assert.Equal(0, shallow.Liquidations);
        Assert.Equal(0, shallow.LiquidatedValueUsd);
        Assert.Equal(0, shallow.RealisedBadDebtUsd);
        Assert.Equal(10_000, shallow.UnrealisedBadDebtUsd, 2);
        Assert.Empty(shallow.SalesByVenue);
    }

    [Fact]
    public void Scaling_depth_keeps_every_pool_price_and_scales_both_reserves()
    {
        var s = Market();
        var scaled = s.WithDepth(0.25m).UniswapV2Pools();
        Assert.Equal(s.UniswapV2Pools().Count, scaled.Count);
        foreach (var (pool, quarter) in s.UniswapV2Pools().Zip(scaled))
            Assert.Equal((pool.Pair, pool.Reserve0 / 4, pool.Reserve1 / 4), (quarter.Pair, quarter.Reserve0, quarter.Reserve1));
        Assert.Throws<DefiRiskException>(() => s.WithDepth(0m));
    }
}
