using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.AaveV3;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Protocols;

/// <summary>
/// The v3.3+ branch against the released aave-v3-origin sources (tags v3.3.0 = POOL_REVISION 7, v3.5.0 = 9),
/// <c>LiquidationLogic.executeLiquidationCall</c> and <c>_calculateAvailableCollateralToLiquidate</c>.
/// </summary>
public sealed class AaveV3LiquidationRuleV33ReleaseTests
{
    private static AaveV3LiquidationDecision Liquidate(AaveV3Market m, AaveV3Account a, Address coll, Address debt, BigInteger? toCover = null) =>
        AaveV3LiquidationRule.Instance.Decide(new(m, a, coll, debt, toCover ?? AaveV3LiquidationContext.MaxDebtToCover, Prices(m)));

    [Theory]
    [InlineData(AaveV3Revision.V3_3)]
    [InlineData(AaveV3Revision.V3_5)]
    public void The_dust_rule_measures_the_collateral_left_after_the_protocol_fee(int revision)
    {
        // v3.3.0 LiquidationLogic (and every later tag): isCollateralMoreThanLeftoverThreshold =
        //   (balance − actualCollateralToLiquidate − liquidationProtocolFeeAmount) · price / unit ≥ MIN_LEFTOVER_BASE.
        // 10 WETH @ $1800 (LT 8250, bonus 10500, protocol fee 1000) vs 20,000 USDC: HF 0.7425 ≤ 0.95 → 100 %.
        // debtToCover 16,200 USDC: base = 9 WETH, ×1.05 = 9.45 WETH ≤ 10; bonus part 9.45 − 9 = 0.45, fee 0.045 WETH,
        // liquidator 9.405 WETH. Left with the fee taken: 0.55 WETH = $990 < $1,000 → MUST_NOT_LEAVE_DUST
        // (without the fee it would be 0.595 WETH = $1,071, which passes). Debt left $3,800 ≥ $1,000.
        var m = AaveMarket(revision: revision, wethPrice: Usd("1800"), wethFee: 1000);
        var account = Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("20000", 6)));
        var d = Liquidate(m, account, Weth, Usdc, Units("16200", 6));
        Assert.False(d.Executed);
        Assert.Equal("MUST_NOT_LEAVE_DUST", d.Reason);

        // 16,100 USDC: base 8.944444444444444444 WETH, ×1.05 = 9.391666666666666666 (fee included); left 0.608333… WETH
        // = $1,095 ≥ $1,000: passes.
        Assert.True(Liquidate(m, account, Weth, Usdc, Units("16100", 6)).Executed);
    }

    [Theory]
    [InlineData(AaveV3Revision.V3_3, "17152380952")]
    [InlineData(AaveV3Revision.V3_5, "17152380953")]
    public void Seizing_all_collateral_rounds_the_debt_needed_up_from_v35(int revision, string expectedRepaid)
    {
        // 10 WETH @ $1801 vs 20,000 USDC: 20,000 × 1.05 / 1801 = 11.66 WETH > 10 → seize all 10, debtAmountNeeded =
        // (1801e8 · 10e18 · 1e6 / (1e8 · 1e18)) = 18,010e6 then ÷ 1.05: 18,010e6 · 1e4 / 10500 = 17,152,380,952.38…
        // v3.3.0/v3.4.0 percentDiv (half up) → 17,152.380952 USDC; v3.5.0+ percentDivCeil → 17,152.380953 USDC.
        // No collateral left (TC = seized value = 18,010e8) → the rest of the 20,000 is deficit.
        var m = AaveMarket(revision: revision, wethPrice: Usd("1801"));
        var account = Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("20000", 6)));
        var d = Liquidate(m, account, Weth, Usdc);
        Assert.True(d.Executed, d.Reason);
        var repaid = BigInteger.Parse(expectedRepaid);
        Assert.Equal((repaid, Units("10", 18)), (d.DebtRepaid, d.CollateralToLiquidator));
        Assert.Equal([new AaveV3Deficit(Usdc, Units("20000", 6) - repaid)], d.Deficits);
    }
}
