using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.AaveV3;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Protocols;

/// <summary>
/// The protocol fee's 1-wei guard, per release, as aave-v3-origin's tags have it ("To avoid trying to send more aTokens than
/// available on balance, due to 1 wei imprecision"): when all collateral goes, the fee is capped at the borrower's scaled balance
/// left after the liquidator's part.
/// <list type="bullet">
/// <item>≤ 3.2 (aave-v3-core 1.19, origin v3.1.0–v3.2.1), v3.3.0 (LiquidationLogic.sol l. 391–400, POOL_REVISION 7) and v3.4.0
/// (l. 359–368, revision 8): scaled fee = rayDiv(fee, index), scaled left = scaledBalanceOf after a rayDiv-scaled burn, capped
/// fee = rayMul(left, index) — WadRayMath half up.</item>
/// <item>v3.5.0 (l. 385–398, revision 9) and v3.6.0 (revision 10): TokenMath — getATokenTransferScaledAmount and the burn round
/// the scaled amount up (rayDivCeil), the capped fee is getATokenBalance (rayMulFloor).</item>
/// </list>
/// The two roundings cap different balances, which is what each case below separates.
/// </summary>
public sealed class AaveV3ProtocolFeeCapTests
{
    private static readonly BigInteger Index = BigInteger.Parse("1234567890123456789012345678");

    // WETH LT 95 %, price $1,500, fee 10 % of the bonus; 10 WETH (+ extra wei) against 16,000 USDC: HF 0.89 → all debt may be
    // repaid, and the 5 % bonus makes all collateral go. fee = percentMul(b − percentDiv(b, 10500), 1000) = 47619047619047619 for
    // both balances. Worked by hand (integer arithmetic) at the index above:
    //   b = 10e18:     half up: left 38571428918571431 < rayDiv(fee) 38571428918571432 → fee 47619047619047618;
    //                  TokenMath: left ⌈b/i⌉ − ⌈liq/i⌉ = 38571428918571432 = ⌈fee/i⌉ → no cap, 47619047619047619.
    //   b = 10e18 + 3: half up: no cap, 47619047619047619;
    //                  TokenMath: left 38571428918571431 < ⌈fee/i⌉ → fee ⌊left·i⌋ = 47619047619047618.
    [Theory]
    [InlineData(6, 0, "47619047619047618")]  // 3.2.1: half-up guard
    [InlineData(6, 3, "47619047619047619")]
    [InlineData(7, 0, "47619047619047618")]  // 3.3.0: the same half-up guard, after the dust check
    [InlineData(7, 3, "47619047619047619")]
    [InlineData(8, 0, "47619047619047618")]  // 3.4.0: likewise
    [InlineData(8, 3, "47619047619047619")]
    [InlineData(9, 0, "47619047619047619")]  // 3.5.0: TokenMath guard
    [InlineData(9, 3, "47619047619047618")]
    [InlineData(10, 0, "47619047619047619")] // 3.6.0: likewise
    [InlineData(10, 3, "47619047619047618")]
    public void The_fee_is_capped_at_the_scaled_balance_left_with_the_rounding_of_the_release(int revision, int extraWei, string expectedFee)
    {
        var m = AaveV3LiquidationRuleTests.WithWethLt(AaveMarket(revision: revision, wethPrice: Usd("1500"), wethFee: 1000), 9500);
        m = m with { Reserves = m.Reserves.Select(r => r.Asset == Weth ? r with { LiquidityIndex = Index } : r).ToList() };
        var balance = Units("10", 18) + extraWei;
        var d = AaveV3LiquidationRule.Instance.Decide(new(m, Account(1, Coll(Weth, balance), Debt(Usdc, Units("16000", 6))),
            Weth, Usdc, AaveV3LiquidationContext.MaxDebtToCover, Prices(m)));
        Assert.True(d.Executed, d.Reason);
        Assert.Equal(balance - BigInteger.Parse("47619047619047619"), d.CollateralToLiquidator); // all collateral goes
        Assert.Equal(BigInteger.Parse(expectedFee), d.ProtocolFee);
    }
}
