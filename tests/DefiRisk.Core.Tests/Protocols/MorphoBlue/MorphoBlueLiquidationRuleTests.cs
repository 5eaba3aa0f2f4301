using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.MorphoBlue;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Protocols;

public sealed class MorphoBlueLiquidationRuleTests
{
    /// <summary>LOCAL-CHAIN.md §3: 100k USDC supplied, 10 WETH collateral, 16,000 USDC borrowed (1.6e16 shares), LLTV 0.86.</summary>
    internal static (MorphoBlueMarket Market, MorphoBluePosition Position) LocalChainRun(BigInteger oraclePrice) =>
        (new MorphoBlueMarket("0xid", Usdc, Weth, A(0x0c), A(0x0d), BigInteger.Parse("860000000000000000"),
            Units("100000", 6), Units("100000", 12), Units("16000", 6), Units("16000", 12), 1, 0, oraclePrice),
         new MorphoBluePosition("0xid", A(0xb001), 0, Units("16000", 12), Units("10", 18)));

    private static readonly BigInteger Price1800 = 1800 * E(24); // $1800 WETH in USDC base units × 1e36 / 1e18

    [Fact]
    public void Liquidation_incentive_factor_at_lltv_086()
    {
        // PROTOCOLS-DETAIL §1.5.1 / §4.3: 1e36 / (1e18 − 0.3e18 × 0.14) = 1043841336116910229.
        Assert.Equal(BigInteger.Parse("1043841336116910229"), MorphoBlueMath.LiquidationIncentiveFactor(BigInteger.Parse("860000000000000000")));
    }

    [Fact]
    public void Seizing_4_weth_at_1800_repays_the_recorded_amount()
    {
        // LOCAL-CHAIN.md §3: liquidate(seizedAssets = 4 WETH) at $1800 → the liquidator paid 6,897.600001 USDC.
        var (m, p) = LocalChainRun(Price1800);
        var d = MorphoBlueLiquidationRule.Instance.Decide(new(m, p, Units("4", 18), 0, Price1800));
        Assert.True(d.Executed, d.Reason);
        Assert.Equal(BigInteger.Parse("6897600001"), d.RepaidAssets);
        Assert.Equal(Units("6", 18), d.PositionAfter.Collateral);
        Assert.Equal(p.BorrowShares - d.RepaidShares, d.PositionAfter.BorrowShares);
        Assert.Equal(m.TotalBorrowAssets - d.RepaidAssets, d.MarketAfter.TotalBorrowAssets);
        Assert.Equal(BigInteger.Zero, d.BadDebtAssets);
    }

    [Fact]
    public void Healthy_positions_and_inconsistent_input_revert()
    {
        var (m, p) = LocalChainRun(2000 * E(24));
        Assert.Equal("position is healthy", MorphoBlueLiquidationRule.Instance.Decide(new(m, p, Units("1", 18), 0, 2000 * E(24))).Reason);
        Assert.Equal("inconsistent input", MorphoBlueLiquidationRule.Instance.Decide(new(m, p, 1, 1, Price1800)).Reason);
    }

    [Fact]
    public void Repaying_all_shares_seizes_debt_times_LIF_and_leaves_no_bad_debt()
    {
        // Choice at $1800: seizing for all 1.6e16 shares needs ⌊⌊15999.99…·LIF⌋·1e36/1.8e27⌋ ≈ 9.278 WETH < 10 → repay all.
        // toAssetsDown(1.6e16) = ⌊1.6e16 · (16000e6 + 1) / (1.6e16 + 1e6)⌋ = 16000e6 exactly (the totals keep the 1e6 ratio).
        var (m, p) = LocalChainRun(Price1800);
        var (seize, shares) = MorphoBlueLiquidatorChoice.Arguments(m, p, Price1800);
        Assert.Equal(BigInteger.Zero, seize);
        Assert.Equal(p.BorrowShares, shares);
        var d = MorphoBlueLiquidationRule.Instance.Decide(new(m, p, 0, shares, Price1800));
        Assert.True(d.Executed, d.Reason);
        // seized = ⌊⌊16000e6 × 1043841336116910229 / 1e18⌋ × 1e36 / 1.8e27⌋ = ⌊16701461377 × 1e9 / 1.8⌋ wei.
        Assert.Equal(BigInteger.Parse("9278589653888888888"), d.SeizedAssets);
        Assert.Equal(Units("16000", 6), d.RepaidAssets); // toAssetsUp of all shares
        Assert.Equal(BigInteger.Zero, d.PositionAfter.BorrowShares);
        Assert.Equal(BigInteger.Zero, d.BadDebtAssets);
    }

    [Fact]
    public void Seizing_all_collateral_writes_the_rest_off_from_borrow_and_supply()
    {
        // At $1000: all debt would need 16.7 WETH > 10 → seize all 10 WETH: quoted 10,000 USDC, repaid
        // ⌈1e10·1e18/LIF⌉ = 9,580,000,000.00… → 9,580,000,001 (rounded up twice). Bad debt = the rest of 16,000.
        var price = 1000 * E(24);
        var (m, p) = LocalChainRun(price);
        var (seize, shares) = MorphoBlueLiquidatorChoice.Arguments(m, p, price);
        Assert.Equal(p.Collateral, seize);
        var d = MorphoBlueLiquidationRule.Instance.Decide(new(m, p, seize, shares, price));
        Assert.True(d.Executed, d.Reason);
        Assert.Equal(BigInteger.Parse("9580000001"), d.RepaidAssets);
        Assert.Equal(BigInteger.Zero, d.PositionAfter.Collateral);
        Assert.Equal(BigInteger.Zero, d.PositionAfter.BorrowShares);
        Assert.Equal(Units("16000", 6) - d.RepaidAssets, d.BadDebtAssets);
        Assert.Equal(BigInteger.Zero, d.MarketAfter.TotalBorrowAssets);
        Assert.Equal(BigInteger.Zero, d.MarketAfter.TotalBorrowShares);
        Assert.Equal(m.TotalSupplyAssets - d.BadDebtAssets, d.MarketAfter.TotalSupplyAssets);
    }

    [Fact]
    public void Leaving_one_wei_of_collateral_realises_no_bad_debt()
    {
        var price = 1000 * E(24);
        var (m, p) = LocalChainRun(price);
        var d = MorphoBlueLiquidationRule.Instance.Decide(new(m, p, p.Collateral - 1, 0, price));
        Assert.True(d.Executed, d.Reason);
        Assert.Equal(BigInteger.Zero, d.BadDebtAssets);
        Assert.True(d.PositionAfter.BorrowShares > 0);
    }
}

/// <summary>
/// A Morpho market whose <c>price()</c> is 0 (a snapshot written before the indexer skipped such markets, or a composed
/// oracle whose feed was shocked to 0): the cascade runs as the contract would, never dividing by the price.
/// </summary>
public sealed class MorphoBlueZeroPriceTests
{
    [Fact]
    public void A_market_priced_zero_is_liquidated_by_seizing_all_collateral_for_nothing_and_writes_off_the_debt()
    {
        var s = SyntheticSnapshot.Generate(400, 41);
        var book = s.Book<MorphoBlueBook>()!;
        var zero = book.Instances[0].Markets[0];
        var state = book.Instances[0] with { Markets = book.Instances[0].Markets.Select(m => m.Id == zero.Id ? m with { OraclePrice = 0 } : m).ToList() };
        var snapshot = s.WithMorphoBlue([state]);
        Assert.Contains(state.Positions, p => p.MarketId == zero.Id && !p.BorrowShares.IsZero);

        var result = CascadeSimulator.Simulate(snapshot, Scenario.Single(SyntheticSnapshot.Weth, -0.01m));

        var calls = result.Rounds.SelectMany(r => r.Liquidations).Where(l => l.Market == zero.Id).ToList();
        Assert.NotEmpty(calls);
        Assert.All(calls, l => Assert.True(l.DebtRepaid.IsZero));
        Assert.Contains(calls, l => !l.BadDebt.IsZero);

        // The repay form alone divides by the price: the contract panics, so the rule reverts instead of throwing.
        var p = state.Positions.First(p => p.MarketId == zero.Id && !p.BorrowShares.IsZero);
        var d = MorphoBlueLiquidationRule.Instance.Decide(new(zero with { OraclePrice = 0 }, p, 0, p.BorrowShares, 0));
        Assert.False(d.Executed);
        Assert.Equal("division by zero (oracle price 0)", d.Reason);
    }
}
