using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.AaveV3;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Protocols;

/// <summary>
/// aave-v3-origin v3.6.0 (POOL_REVISION 10): GenericLogic.calculateUserAccountData counts every collateral-flagged
/// reserve (the base-LT ≠ 0 filter of ≤ 3.5 is gone; the LT applied is the e-mode one for bitmap members), and
/// ValidationLogic.validateLiquidationCall no longer requires the reserve's LT ≠ 0. So collateral that is collateral
/// only inside an e-mode (base LT 0) backs the account and can be seized from v3.6 on.
/// </summary>
public sealed class AaveV3V36CollateralTests
{
    private static AaveV3Market Market(int revision)
    {
        var m = AaveMarket(revision: revision, eModes: [new AaveV3EModeCategory(1, 9000, 9300, 10200, Address.Zero, "stables", [Dai])]);
        return m with { Reserves = m.Reserves.Select(r => r.Asset == Dai ? r with { Ltv = 0, LiquidationThreshold = 0, LiquidationBonus = 0 } : r).ToList() };
    }

    private static readonly AaveV3Account Account = new(A(0xb001), 1, [Coll(Dai, Units("10000", 18)), Debt(Usdc, Units("9500", 6))]);

    [Fact]
    public void E_mode_only_collateral_counts_and_can_be_seized_from_v36()
    {
        // v3.6: TC = 10,000e8, Σ value·LT = 10,000e8 × 9300 (e-mode LT), TD = 9,500e8:
        // HF = ⌊wadDiv(9.3e15, 9.5e11) / 1e4⌋ = ⌊9789473684210526315789 / 1e4⌋ = 0.978947368421052631.
        var v36 = Market(10);
        var data = AaveV3AccountMath.Calculate(v36, Account);
        Assert.Equal((Units("10000", 8), BigInteger.Parse("978947368421052631")), (data.TotalCollateralBase, data.HealthFactor));
        // HF > 0.95, both legs ≥ $2,000 → half of TD: 4,750 USDC; e-mode bonus 2 %: 4,750 × 1.02 = 4,845 DAI.
        var d = AaveV3LiquidationRule.Instance.Decide(new(v36, Account, Dai, Usdc, AaveV3LiquidationContext.MaxDebtToCover, Prices(v36)));
        Assert.True(d.Executed, d.Reason);
        Assert.Equal((Units("4750", 6), Units("4845", 18)), (d.DebtRepaid, d.CollateralToLiquidator));
        Assert.Contains((Dai, Usdc), AaveV3LiquidatorChoice.CandidatePairs(v36, Account, Prices(v36)));

        // v3.5: the DAI reserve's base LT is 0 → not collateral at all: TC 0, HF 0, and it cannot be seized.
        var v35 = Market(9);
        Assert.Equal((BigInteger.Zero, BigInteger.Zero), (AaveV3AccountMath.Calculate(v35, Account).TotalCollateralBase, AaveV3AccountMath.Calculate(v35, Account).HealthFactor));
        Assert.Equal("COLLATERAL_CANNOT_BE_LIQUIDATED",
            AaveV3LiquidationRule.Instance.Decide(new(v35, Account, Dai, Usdc, AaveV3LiquidationContext.MaxDebtToCover, Prices(v35))).Reason);
    }

    [Fact]
    public void The_fast_path_sees_the_same_health_factor()
    {
        // A v3.6 snapshot with that account and no shock: the exact path finds HF 0.9789 < 1 and liquidates it; the fast
        // sweep must agree (it compiles the same collateral rule).
        var s = TestSnapshot.Create(new ChainPoint(1, 1, 1),
            [new Asset(Usdc, "USDC", 6, Usd("1"), AssetOracle.MarketFeed(A(0xf1))), new Asset(Dai, "DAI", 18, Usd("1"), AssetOracle.MarketFeed(A(0xf5))),
             new Asset(Weth, "WETH", 18, Usd("2000"), AssetOracle.MarketFeed(A(0xf2))), new Asset(Wbtc, "WBTC", 8, Usd("60000"), AssetOracle.MarketFeed(A(0xf4)))],
            [new AaveV3MarketState(Market(10), [Account])], [], []);
        var exact = CascadeSimulator.Simulate(s, Scenario.Single(Weth, -0.01m));
        Assert.Equal(Units("4750", 6), Assert.Single(exact.Rounds[0].Liquidations).DebtRepaid);
        var fast = CascadeSimulator.Sweep(s, Weth, -0.01m, -0.01m, -0.01m);
        Assert.Equal("fast", fast.Path);
        Assert.Equal(1, Assert.Single(fast.Levels).Liquidations);
    }
}
