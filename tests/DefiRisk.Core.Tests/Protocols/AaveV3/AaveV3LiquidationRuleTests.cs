using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.AaveV3;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Protocols;

public sealed class AaveV3LiquidationRuleTests
{
    private static AaveV3LiquidationDecision Liquidate(AaveV3Market m, AaveV3Account a, Address coll, Address debt, BigInteger? toCover = null) =>
        AaveV3LiquidationRule.Instance.Decide(new(m, a, coll, debt, toCover ?? AaveV3LiquidationContext.MaxDebtToCover, Prices(m)));

    [Fact]
    public void Full_close_below_095_matches_the_recorded_anvil_liquidation()
    {
        // LOCAL-CHAIN.md §2: 10 WETH @ $1700, 15,000 USDC debt, HF 0.935 → liquidator paid 15,000 USDC and
        // received 9.264705882352941176 WETH (= 15000 × 1.05 / 1700), protocol fee 0.
        var m = AaveMarket(wethPrice: Usd("1700"));
        var d = Liquidate(m, Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("15000", 6))), Weth, Usdc);
        Assert.True(d.Executed, d.Reason);
        Assert.Equal(BigInteger.Parse("935000000000000000"), d.HealthFactor);
        Assert.Equal(Units("15000", 6), d.DebtRepaid);
        Assert.Equal(BigInteger.Parse("9264705882352941176"), d.CollateralToLiquidator);
        Assert.Equal(BigInteger.Zero, d.ProtocolFee);
        var after = d.AccountAfter.Reserves;
        Assert.Equal(Units("10", 18) - BigInteger.Parse("9264705882352941176"), after.Single(r => r.Asset == Weth).Collateral);
        Assert.Equal(BigInteger.Zero, after.Single(r => r.Asset == Usdc).TotalDebt);
    }

    [Fact]
    public void Close_factor_is_half_of_the_reserve_debt_just_above_095()
    {
        // HF = 10 × 1500.01 × 0.95 / 15000 = 0.950006333 > 0.95 → 50 %: 7,500 USDC.
        // base = 1e8·7500e6·1e18 / (150001e6·1e6) = 4999966666888887407 (floor); ×1.05 half up = 5249965000233331777.
        var m = WithWethLt(AaveMarket(wethPrice: Usd("1500.01")), 9500);
        var d = Liquidate(m, Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("15000", 6))), Weth, Usdc);
        Assert.True(d.Executed, d.Reason);
        Assert.Equal(Units("7500", 6), d.DebtRepaid);
        Assert.Equal(BigInteger.Parse("5249965000233331777"), d.CollateralToLiquidator);
    }

    [Fact]
    public void Close_factor_is_full_at_exactly_095_and_the_collateral_cap_recomputes_the_debt()
    {
        // HF = percentMul(1.5e12, 9500) wadDiv 1.5e12 = 0.95e18 exactly: `healthFactor > CLOSE_FACTOR_HF_THRESHOLD`
        // is false → 100 %. 15,000 USDC would seize 10.5 WETH > 10: seize all 10, debt = percentDiv(15000e6, 10500)
        // = (15000e6·1e4 + 5250) / 10500 = 14,285.714286 USDC.
        var m = WithWethLt(AaveMarket(wethPrice: Usd("1500")), 9500);
        var d = Liquidate(m, Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("15000", 6))), Weth, Usdc);
        Assert.Equal(BigInteger.Parse("950000000000000000"), d.HealthFactor);
        Assert.Equal(Units("10", 18), d.CollateralToLiquidator);
        Assert.Equal(BigInteger.Parse("14285714286"), d.DebtRepaid);
        Assert.False(d.AccountAfter.Reserves.Single(r => r.Asset == Weth).UsedAsCollateral);
        Assert.Equal(Units("15000", 6) - 14285714286, d.AccountAfter.Reserves.Single(r => r.Asset == Usdc).TotalDebt);
        Assert.Empty(d.Deficits); // v3.0: no deficit accounting, the rest lingers as debt.
    }

    [Fact]
    public void Protocol_fee_and_v33_close_factor_match_the_worked_example()
    {
        // PROTOCOLS-DETAIL §1.5.1: 10 WETH @ 2000, fee 1000, 17,000 USDC, HF 970588235294117647, v3.3:
        // maxDebt 8,500 USDC, seized 4.4625 WETH, fee 0.02125 WETH, liquidator 4.44125 WETH.
        var m = AaveMarket(revision: AaveV3Revision.V3_3, wethFee: 1000);
        var d = Liquidate(m, Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("17000", 6))), Weth, Usdc);
        Assert.True(d.Executed, d.Reason);
        Assert.Equal(BigInteger.Parse("970588235294117647"), d.HealthFactor);
        Assert.Equal(Units("8500", 6), d.DebtRepaid);
        Assert.Equal(Units("4.44125", 18), d.CollateralToLiquidator);
        Assert.Equal(Units("0.02125", 18), d.ProtocolFee);
        Assert.Equal(Units("5.5375", 18), d.AccountAfter.Reserves.Single(r => r.Asset == Weth).Collateral);
    }

    [Fact]
    public void Close_factor_is_per_reserve_before_v33_and_per_position_from_v33()
    {
        // 10 WETH @ 2000 (LT 8250) vs 10,000 USDC + 7,000 DAI: HF = 16500/17000 = 0.9706.
        // v3.0: 50 % of the USDC reserve = 5,000. v3.3: half of total debt = 8,500e8 base < USDC leg 10,000e8 → 8,500 USDC.
        var account = Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("10000", 6)), Debt(Dai, Units("7000", 18)));
        Assert.Equal(Units("5000", 6), Liquidate(AaveMarket(revision: 1), account, Weth, Usdc).DebtRepaid);
        Assert.Equal(Units("8500", 6), Liquidate(AaveMarket(revision: AaveV3Revision.V3_3), account, Weth, Usdc).DebtRepaid);
    }

    [Fact]
    public void V33_reverts_when_a_partial_liquidation_leaves_dust_and_the_choice_falls_back()
    {
        // 1.25 WETH @ 2000 ($2,500, LT 8250) vs 2,000 USDC + 100 DAI: HF = 2062.5/2100 = 0.982 > 0.95, both USDC
        // legs ≥ $2,000 → maxDebt = half of $2,100 = 1,050 USDC, leaving $950 < MIN_LEFTOVER_BASE → MUST_NOT_LEAVE_DUST.
        var m = AaveMarket(revision: AaveV3Revision.V3_3);
        var account = Account(1, Coll(Weth, Units("1.25", 18)), Debt(Usdc, Units("2000", 6)), Debt(Dai, Units("100", 18)));
        var d = Liquidate(m, account, Weth, Usdc);
        Assert.False(d.Executed);
        Assert.Equal("MUST_NOT_LEAVE_DUST", d.Reason);
        // The DAI leg is below $2,000 → 100 % of it, which closes the reserve: allowed.
        var dai = Liquidate(m, account, Weth, Dai);
        Assert.True(dai.Executed, dai.Reason);
        Assert.Equal(Units("100", 18), dai.DebtRepaid);
        // Under v3.0 the same USDC call is fine (no dust rule): 50 % of 2,000.
        Assert.Equal(Units("1000", 6), Liquidate(AaveMarket(revision: 1), account, Weth, Usdc).DebtRepaid);
    }

    [Fact]
    public void V33_turns_the_uncovered_debt_into_reserve_deficits_when_no_collateral_is_left()
    {
        // 1 WETH @ 1000 vs 2,000 USDC + 50 DAI: seize all 1 WETH, debt = percentDiv(1000e6, 10500) = 952.380952 USDC
        // ((1e13 + 5250) / 10500, half up). hasNoCollateralLeft (TC 1000e8 = seized value) → USDC deficit
        // 2000e6 − 952380952 = 1047619048, and the DAI debt is burned into its own deficit (_burnBadDebt).
        var account = Account(1, Coll(Weth, Units("1", 18)), Debt(Usdc, Units("2000", 6)), Debt(Dai, Units("50", 18)));
        var d = Liquidate(AaveMarket(revision: AaveV3Revision.V3_3, wethPrice: Usd("1000")), account, Weth, Usdc);
        Assert.True(d.Executed, d.Reason);
        Assert.Equal(BigInteger.Parse("952380952"), d.DebtRepaid);
        Assert.Equal(Units("1", 18), d.CollateralToLiquidator);
        Assert.Equal([new AaveV3Deficit(Usdc, 1047619048), new AaveV3Deficit(Dai, Units("50", 18))], d.Deficits);
        Assert.All(d.AccountAfter.Reserves, r => Assert.Equal(BigInteger.Zero, r.TotalDebt));

        var old = Liquidate(AaveMarket(revision: 1, wethPrice: Usd("1000")), account, Weth, Usdc);
        Assert.Empty(old.Deficits);
        Assert.Equal(Units("2000", 6) - 952380952, old.AccountAfter.Reserves.Single(r => r.Asset == Usdc).TotalDebt);
    }

    [Fact]
    public void Paused_or_inactive_reserves_and_healthy_accounts_revert()
    {
        var account = Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("15000", 6)));
        Assert.Equal("RESERVE_PAUSED", Liquidate(AaveMarket(wethPrice: Usd("1700"), wethPaused: true), account, Weth, Usdc).Reason);
        Assert.Equal("RESERVE_INACTIVE", Liquidate(AaveMarket(wethPrice: Usd("1700"), usdcActive: false), account, Weth, Usdc).Reason);
        Assert.Equal("HEALTH_FACTOR_NOT_BELOW_THRESHOLD", Liquidate(AaveMarket(), account, Weth, Usdc).Reason);
        Assert.Equal("COLLATERAL_CANNOT_BE_LIQUIDATED", Liquidate(AaveMarket(wethPrice: Usd("1700")), account, Wbtc, Usdc).Reason);
        Assert.Equal("SPECIFIED_CURRENCY_NOT_BORROWED_BY_USER", Liquidate(AaveMarket(wethPrice: Usd("1700")), account, Weth, Dai).Reason);
    }

    [Fact]
    public void EMode_bonus_applies_when_the_collateral_is_in_the_accounts_category()
    {
        // e-mode 1: LT 9300, bonus 10100. 10 WETH @ 1600 vs 15,000 USDC: HF = 16000 × 0.93 / 15000 = 0.992 → 50 %:
        // 7,500 USDC; base = 7500/1600 = 4.6875 WETH; × 1.01 = 4.734375 WETH (instead of × 1.05).
        var eMode = new AaveV3EModeCategory(1, 9000, 9300, 10100, Address.Zero, "ETH", [Weth, Usdc]);
        var m = AaveMarket(wethPrice: Usd("1600"), eModes: [eMode]);
        var account = Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("15000", 6))) with { EModeCategory = 1 };
        var d = Liquidate(m, account, Weth, Usdc);
        Assert.True(d.Executed, d.Reason);
        Assert.Equal(10100, d.LiquidationBonus);
        Assert.Equal(Units("4.734375", 18), d.CollateralToLiquidator);
    }

    [Fact]
    public void Toxic_spiral_liquidation_raises_LTV_when_it_exceeds_one_over_one_plus_bonus()
    {
        // LTV = D / C. A liquidation repays x and seizes 1.05·x of value: LTV' = (D − x)/(C − 1.05x) > D/C iff D/C > 1/1.05.
        // 10 WETH @ 1000 ($10,000) vs 9,600 USDC: LTV 0.96 > 0.952 → after 50 %: (4800)/(10000 − 5040) = 0.9677.
        // vs 9,000 USDC: LTV 0.90 < 0.952 → after: 4500/(10000 − 4725) = 0.853.
        // LTs 9500 / 8900 make both liquidatable (HF 0.990 / 0.989) without touching the 5 % bonus.
        foreach (var (debt, lt, worse) in new[] { ("9600", 9500, true), ("9000", 8900, false) })
        {
            var m = WithWethLt(AaveMarket(wethPrice: Usd("1000")), lt);
            var account = Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units(debt, 6)));
            var d = Liquidate(m, account, Weth, Usdc);
            Assert.True(d.Executed, d.Reason);
            var before = Ltv(m, account);
            var after = Ltv(m, d.AccountAfter);
            Assert.Equal(worse, after > before);
        }
    }

    private static double Ltv(AaveV3Market m, AaveV3Account a)
    {
        var data = AaveV3AccountMath.Calculate(m, a);
        return (double)data.TotalDebtBase / (double)data.TotalCollateralBase;
    }

    // Not `m with { Reserves = … }`: the record's reserve index is built in its initializer and `with` would copy the stale one.
    internal static AaveV3Market WithWethLt(AaveV3Market m, int lt) =>
        new(m.Name, m.Pool, m.Oracle, m.DataProvider, m.PoolRevision, m.BaseCurrencyUnit,
            m.Reserves.Select(r => r.Asset == Weth ? r with { LiquidationThreshold = lt, Ltv = lt - 100 } : r).ToList(), m.EModeCategories);
}
