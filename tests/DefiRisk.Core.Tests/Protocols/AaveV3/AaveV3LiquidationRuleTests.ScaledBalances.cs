using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.AaveV3;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Protocols;

/// <summary>
/// ≤ v3.2 tokens hold scaled balances (found by the on-chain cascade replay, where repeated liquidations of one account
/// drifted by a wei per call before this was mirrored). Expected values computed by hand with WadRayMath's half-up
/// rayMul/rayDiv, as ScaledBalanceTokenBase._burnScaled and LiquidationLogic (aave-v3-core 1.19.3) do.
/// </summary>
public sealed class AaveV3LiquidationRuleScaledBalanceTests
{
    private static AaveV3Market WithReserve(AaveV3Market m, Address asset, Func<AaveV3Reserve, AaveV3Reserve> change) =>
        new(m.Name, m.Pool, m.Oracle, m.DataProvider, m.PoolRevision, m.BaseCurrencyUnit,
            m.Reserves.Select(r => r.Asset == asset ? change(r) : r).ToList(), m.EModeCategories);

    [Fact]
    public void Debt_left_after_a_partial_liquidation_is_the_scaled_balance_times_the_index_not_the_plain_difference()
    {
        // The 50 % case of AaveV3LiquidationRuleTests: 7,500 of 15,000 USDC repaid. USDC variable index
        // 1.100000003000000000000000007 ray: scaled = rayDiv(15000e6) − rayDiv(7500e6) = 13636363599 − 6818181800 = 6818181799,
        // rayMul(6818181799, index) = 7,499.999999 USDC — one base unit below 15,000 − 7,500.
        var m = AaveV3LiquidationRuleTests.WithWethLt(AaveMarket(wethPrice: Usd("1500.01")), 9500);
        m = WithReserve(m, Usdc, r => r with { VariableBorrowIndex = BigInteger.Parse("1100000003000000000000000007") });
        var d = AaveV3LiquidationRule.Instance.Decide(new(m, Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("15000", 6))),
            Weth, Usdc, AaveV3LiquidationContext.MaxDebtToCover, Prices(m)));
        Assert.True(d.Executed, d.Reason);
        Assert.Equal(Units("7500", 6), d.DebtRepaid);
        Assert.Equal(BigInteger.Parse("7499999999"), d.AccountAfter.Reserves.Single(r => r.Asset == Usdc).VariableDebt);
    }

    [Fact]
    public void The_fee_sent_to_the_treasury_is_capped_at_the_scaled_balance_left_when_all_collateral_goes()
    {
        // All 10 WETH seized (HF exactly 0.95, see AaveV3LiquidationRuleTests), WETH protocol fee 10 % of the bonus:
        // fee = percentMul(10e18 − percentDiv(10e18, 10500), 1000) = 47619047619047619, liquidator 9952380952380952381.
        // WETH liquidity index 1.234567890123456789012345678 ray: the scaled balance left after the liquidator's burn is
        // 38571428918571431 < rayDiv(fee) → fee = rayMul(38571428918571431, index) = 47619047619047618 (one wei less).
        var m = AaveV3LiquidationRuleTests.WithWethLt(AaveMarket(wethPrice: Usd("1500"), wethFee: 1000), 9500);
        m = WithReserve(m, Weth, r => r with { LiquidityIndex = BigInteger.Parse("1234567890123456789012345678") });
        var d = AaveV3LiquidationRule.Instance.Decide(new(m, Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("15000", 6))),
            Weth, Usdc, AaveV3LiquidationContext.MaxDebtToCover, Prices(m)));
        Assert.True(d.Executed, d.Reason);
        Assert.Equal(BigInteger.Parse("9952380952380952381"), d.CollateralToLiquidator);
        Assert.Equal(BigInteger.Parse("47619047619047618"), d.ProtocolFee);
        var weth = d.AccountAfter.Reserves.Single(r => r.Asset == Weth);
        Assert.Equal(BigInteger.Zero, weth.Collateral);
        Assert.False(weth.UsedAsCollateral);
    }

    [Fact]
    public void At_an_index_of_one_ray_balances_move_by_plain_subtraction()
    {
        var m = AaveV3LiquidationRuleTests.WithWethLt(AaveMarket(wethPrice: Usd("1500.01")), 9500);
        var d = AaveV3LiquidationRule.Instance.Decide(new(m, Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("15000", 6))),
            Weth, Usdc, AaveV3LiquidationContext.MaxDebtToCover, Prices(m)));
        Assert.Equal(Units("7500", 6), d.AccountAfter.Reserves.Single(r => r.Asset == Usdc).VariableDebt);
        Assert.Equal(Units("10", 18) - d.CollateralToLiquidator, d.AccountAfter.Reserves.Single(r => r.Asset == Weth).Collateral);
    }
}
