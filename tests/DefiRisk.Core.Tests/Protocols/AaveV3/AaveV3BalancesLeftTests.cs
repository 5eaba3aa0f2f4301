using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.AaveV3;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Protocols;

/// <summary>
/// The borrower's debt and collateral left after one call, per release, as the tokens of aave-v3-origin's tags move them:
/// <list type="bullet">
/// <item>≤ 3.4 (origin v3.2.1 revision 6, v3.3.0 revision 7, v3.4.0 revision 8): VariableDebtToken.burn and AToken.burn /
/// transferOnLiquidation each move rayDiv(amount, index) scaled, balanceOf is rayMul(scaled, index) — WadRayMath half up.</item>
/// <item>3.5+ (v3.5.0 revision 9, v3.6.0 revision 10): TokenMath — the debt burn floors the scaled amount and the debt balance
/// ceils (the borrower keeps the rounding); the aToken burn and transfer ceil the scaled amount and the balance floors (the
/// borrower pays it).</item>
/// </list>
/// 3.3 and 3.4 used plain subtraction before, and 3.5+ collateral too; the indices below make the three answers differ.
/// </summary>
public sealed class AaveV3BalancesLeftTests
{
    private static readonly BigInteger WethLiquidityIndex = BigInteger.Parse("1301968645872242915173964077");
    private static readonly BigInteger UsdcBorrowIndex = BigInteger.Parse("1100000003000000000000000007");

    // 10 WETH at $1,500.01 (LT 95 %, fee 10 % of the 5 % bonus) against 15,000 USDC: HF 0.950006, both legs ≥ $2,000, so every
    // release repays 7,500 USDC (50 %); seized 5224965166898887340 to the liquidator + 24999833334444437 fee (no cap: plenty left).
    // Worked by hand in integer arithmetic at the indices above:
    //   debt:       plain 7500000000; half up rayMul(rayDiv(15000e6) − rayDiv(7500e6)) = 7499999999;
    //               TokenMath ⌈(⌊15000e6/i⌋ − ⌊7500e6/i⌋)·i⌉ = 7500000001.
    //   collateral: plain 4750034999766668223; half up (three rayDivs, one rayMul) 4750034999766668224;
    //               TokenMath ⌊(⌈10e18/i⌉ − ⌈liq/i⌉ − ⌈fee/i⌉)·i⌋ = 4750034999766668222.
    [Theory]
    [InlineData(6, "7499999999", "4750034999766668224")]  // 3.2.1: half up
    [InlineData(7, "7499999999", "4750034999766668224")]  // 3.3.0: still half up (the old model subtracted)
    [InlineData(8, "7499999999", "4750034999766668224")]  // 3.4.0: likewise
    [InlineData(9, "7500000001", "4750034999766668222")]  // 3.5.0: TokenMath
    [InlineData(10, "7500000001", "4750034999766668222")] // 3.6.0: likewise
    public void Debt_and_collateral_left_follow_the_scaled_rounding_of_the_release(int revision, string debtLeft, string collateralLeft)
    {
        var m = AaveV3LiquidationRuleTests.WithWethLt(AaveMarket(revision: revision, wethPrice: Usd("1500.01"), wethFee: 1000), 9500);
        m = m with
        {
            Reserves = m.Reserves.Select(r => r.Asset == Weth ? r with { LiquidityIndex = WethLiquidityIndex }
                : r.Asset == Usdc ? r with { VariableBorrowIndex = UsdcBorrowIndex } : r).ToList(),
        };
        var d = AaveV3LiquidationRule.Instance.Decide(new(m, Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("15000", 6))),
            Weth, Usdc, AaveV3LiquidationContext.MaxDebtToCover, Prices(m)));
        Assert.True(d.Executed, d.Reason);
        Assert.Equal(Units("7500", 6), d.DebtRepaid);
        Assert.Equal(BigInteger.Parse("5224965166898887340"), d.CollateralToLiquidator);
        Assert.Equal(BigInteger.Parse("24999833334444437"), d.ProtocolFee);
        Assert.Equal(BigInteger.Parse(debtLeft), d.AccountAfter.Reserves.Single(r => r.Asset == Usdc).VariableDebt);
        var weth = d.AccountAfter.Reserves.Single(r => r.Asset == Weth);
        Assert.Equal(BigInteger.Parse(collateralLeft), weth.Collateral);
        Assert.True(weth.UsedAsCollateral);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(10)]
    public void All_collateral_taken_leaves_nothing_and_clears_the_collateral_bit(int revision)
    {
        // HF exactly 0.95 (see AaveV3LiquidationRuleTests): all 10 WETH go; the fee is capped at the scaled balance left, so
        // nothing stays behind at either rounding.
        var m = AaveV3LiquidationRuleTests.WithWethLt(AaveMarket(revision: revision, wethPrice: Usd("1500"), wethFee: 1000), 9500);
        m = m with { Reserves = m.Reserves.Select(r => r.Asset == Weth ? r with { LiquidityIndex = WethLiquidityIndex } : r).ToList() };
        var d = AaveV3LiquidationRule.Instance.Decide(new(m, Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("15000", 6))),
            Weth, Usdc, AaveV3LiquidationContext.MaxDebtToCover, Prices(m)));
        Assert.True(d.Executed, d.Reason);
        var weth = d.AccountAfter.Reserves.Single(r => r.Asset == Weth);
        Assert.Equal(BigInteger.Zero, weth.Collateral);
        Assert.False(weth.UsedAsCollateral);
    }
}
