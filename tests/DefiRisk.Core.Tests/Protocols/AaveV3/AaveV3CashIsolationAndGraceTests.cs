using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Proposals;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Core.Tests.Analysis;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Protocols;

/// <summary>
/// aave-v3-origin 3.1+ beyond the amounts: the collateral reserve's cash (virtual balance) bounds a withdrawal of the
/// underlying, isolation-mode debt falls with each liquidation, and a liquidation grace period holds calls back until its end
/// (<c>ValidationLogic.validateLiquidationCall</c>: allowed only when <c>until &lt; block.timestamp</c>).
/// </summary>
public sealed class AaveV3CashIsolationAndGraceTests
{
    private const long T0 = 1_750_000_000;

    /// <summary>A v3.0.x pool (<c>@aave/core-v3</c> ships revisions 1–3): no virtual balance.</summary>
    private const int V3_0 = 3;

    private static AaveV3Market Market(int revision = AaveV3Revision.V3_6, Func<AaveV3Reserve, AaveV3Reserve>? weth = null, Func<AaveV3Reserve, AaveV3Reserve>? usdc = null)
    {
        var m = AaveMarket(revision: revision);
        return m with { Reserves = m.Reserves.Select(r => r.Asset == Weth ? (weth ?? (x => x))(r) : r.Asset == Usdc ? (usdc ?? (x => x))(r) : r).ToList() };
    }

    // 10 WETH at $2,000 against 17,000 USDC: HF = 20,000 × 0.825 / 17,000 = 0.97 → 50 % of the debt, 8,500 USDC, seizes
    // 8,500 × 1.05 / 2,000 = 4.4625 WETH.
    private static readonly AaveV3Account Borrower = Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("17000", 6)));
    private static readonly BigInteger Seized = Units("4.4625", 18);

    private static AaveV3LiquidationDecision Decide(AaveV3Market m, bool receiveAToken = false, long? now = null) =>
        AaveV3LiquidationRule.Instance.Decide(new(m, Borrower, Weth, Usdc, AaveV3LiquidationContext.MaxDebtToCover, Prices(m), receiveAToken, now));

    [Fact]
    public void Without_the_cash_to_withdraw_the_call_reverts_unless_the_liquidator_takes_aTokens()
    {
        Assert.Equal(Seized, Decide(Market(weth: r => r with { VirtualUnderlyingBalance = Seized })).CollateralToLiquidator);
        var short1 = Market(weth: r => r with { VirtualUnderlyingBalance = Seized - 1 });
        Assert.Equal(AaveV3LiquidationRule.NotEnoughCash, Decide(short1).Reason);
        Assert.Equal(Seized, Decide(short1, receiveAToken: true).CollateralToLiquidator);
        // Unknown cash (neither read): no check.
        Assert.True(Decide(Market(weth: r => r with { VirtualUnderlyingBalance = null })).Executed);
    }

    [Fact]
    public void Before_3_1_the_atokens_underlying_is_the_cash_and_the_repaid_debt_arrives_only_after_the_withdrawal()
    {
        // 3.0: AToken.burn sends the underlying before the liquidator's safeTransferFrom of the debt (the last step).
        var held = Market(V3_0, weth: r => r with { VirtualUnderlyingBalance = null, UnderlyingBalance = Seized });
        Assert.Equal(Seized, Decide(held).CollateralToLiquidator);
        var short1 = Market(V3_0, weth: r => r with { VirtualUnderlyingBalance = null, UnderlyingBalance = Seized - 1 });
        Assert.Equal(AaveV3LiquidationRule.NotEnoughUnderlying, Decide(short1).Reason);
        Assert.Equal(Seized, Decide(short1, receiveAToken: true).CollateralToLiquidator);

        // The same-asset case that 3.1+ allows (1 WETH of cash + 8 repaid first ≥ 8.4 seized) reverts before 3.1: 1 < 8.4.
        var m = Market(V3_0, weth: r => r with { LiquidationThreshold = 7000, Ltv = 6000, VirtualUnderlyingBalance = null, UnderlyingBalance = Units("1", 18) });
        var same = Account(2, new AaveV3AccountReserve(Weth, Units("10", 18), true, Units("8", 18), 0));
        var context = new AaveV3LiquidationContext(m, same, Weth, Weth, AaveV3LiquidationContext.MaxDebtToCover, Prices(m));
        Assert.Equal(AaveV3LiquidationRule.NotEnoughUnderlying, AaveV3LiquidationRule.Instance.Decide(context).Reason);
        var enough = context with { Market = Market(V3_0, weth: r => r with { LiquidationThreshold = 7000, Ltv = 6000, VirtualUnderlyingBalance = null, UnderlyingBalance = Units("9", 18) }) };
        var d = AaveV3LiquidationRule.Instance.Decide(enough);
        Assert.True(d.Executed, d.Reason);
        // What the aToken holds after: 9 − 8.4 out + 8 in.
        Assert.Equal(Units("8.6", 18), AaveV3LiquidationRule.MarketAfter(enough, d).Reserve(Weth).UnderlyingBalance);
    }

    [Fact]
    public void When_collateral_and_debt_are_one_asset_the_repaid_debt_is_cash_before_the_withdrawal()
    {
        // 10 WETH against 8 WETH of debt at the e-mode-free LT 82.5 %: HF 1.03; at WETH LT 70 % (a proposal) HF 0.875 → 100 %
        // of 8 WETH repaid, 8.4 WETH seized; the pool holds only 1 WETH of cash, but the 8 repaid arrive first: 9 ≥ 8.4.
        var m = Market(weth: r => r with { LiquidationThreshold = 7000, Ltv = 6000, VirtualUnderlyingBalance = Units("1", 18) });
        var same = Account(2, new AaveV3AccountReserve(Weth, Units("10", 18), true, Units("8", 18), 0));
        var d = AaveV3LiquidationRule.Instance.Decide(new(m, same, Weth, Weth, AaveV3LiquidationContext.MaxDebtToCover, Prices(m)));
        Assert.True(d.Executed, d.Reason);
        Assert.Equal((Units("8", 18), Units("8.4", 18)), (d.DebtRepaid, d.CollateralToLiquidator));
        var after = AaveV3LiquidationRule.MarketAfter(new(m, same, Weth, Weth, AaveV3LiquidationContext.MaxDebtToCover, Prices(m)), d);
        Assert.Equal(Units("0.6", 18), after.Reserve(Weth).VirtualUnderlyingBalance);
    }

    [Fact]
    public void A_liquidation_lowers_the_isolation_debt_of_its_collateral_by_the_debt_repaid_in_cents_floored_at_zero()
    {
        var m = Market(weth: r => r with { DebtCeiling = 100_000_000, IsolationModeTotalDebt = 2_000_000 }, usdc: r => r with { VirtualUnderlyingBalance = 5 });
        var context = new AaveV3LiquidationContext(m, Borrower, Weth, Usdc, AaveV3LiquidationContext.MaxDebtToCover, Prices(m));
        var d = AaveV3LiquidationRule.Instance.Decide(context);
        var after = AaveV3LiquidationRule.MarketAfter(context, d);
        // 8,500 USDC = 8,500,000,000 base units ÷ 10^(6 − 2) = 850,000 cents.
        Assert.Equal(2_000_000 - 850_000, after.Reserve(Weth).IsolationModeTotalDebt);
        Assert.Equal(5 + Units("8500", 6), after.Reserve(Usdc).VirtualUnderlyingBalance);
        var low = Market(weth: r => r with { DebtCeiling = 100_000_000, IsolationModeTotalDebt = 1_000 });
        Assert.Equal(BigInteger.Zero, AaveV3LiquidationRule.MarketAfter(context with { Market = low }, d).Reserve(Weth).IsolationModeTotalDebt);
        // No ceiling: nothing tracked.
        Assert.Equal(BigInteger.Zero, AaveV3LiquidationRule.MarketAfter(context with { Market = Market() }, d).Reserve(Weth).IsolationModeTotalDebt);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_grace_period_on_the_collateral_or_the_debt_blocks_until_the_block_time_passes_its_end(bool onCollateral)
    {
        var until = T0 + 100;
        var m = onCollateral ? Market(weth: r => r with { LiquidationGracePeriodUntil = until }) : Market(usdc: r => r with { LiquidationGracePeriodUntil = until });
        Assert.Equal(AaveV3LiquidationRule.LiquidationGraceSentinelCheckFailed, Decide(m, now: until).Reason);
        Assert.True(Decide(m, now: until + 1).Executed);
        Assert.True(Decide(m, now: null).Executed); // a caller without a clock
        // Before 3.1 there is no grace period (the field would be 0 on chain anyway).
        var v30 = onCollateral ? Market(1, weth: r => r with { LiquidationGracePeriodUntil = until }) : Market(1, usdc: r => r with { LiquidationGracePeriodUntil = until });
        Assert.True(AaveV3LiquidationRule.Instance.Decide(new(v30, Borrower, Weth, Usdc, AaveV3LiquidationContext.MaxDebtToCover, Prices(v30), BlockTimestamp: until)).Executed);
    }

    private static Snapshot GraceSnapshot(long graceSeconds) => TestSnapshot.Create(new ChainPoint(1, 1, T0),
        [new Asset(Usdc, "USDC", 6, Usd("1"), AssetOracle.MarketFeed(A(0xf1))), new Asset(Dai, "DAI", 18, Usd("1"), AssetOracle.MarketFeed(A(0xf5))),
         new Asset(Weth, "WETH", 18, Usd("2000"), AssetOracle.MarketFeed(A(0xf2))), new Asset(Wbtc, "WBTC", 8, Usd("60000"), AssetOracle.MarketFeed(A(0xf4)))],
        [new AaveV3MarketState(Market(weth: r => r with { LiquidationGracePeriodUntil = T0 + graceSeconds }), [Borrower])], [], []);

    [Theory]
    [InlineData(30, 3)]  // rounds at T0, +12, +24 are within; +36 is after
    [InlineData(36, 4)]  // +36 is the end itself: still within (until < block.timestamp is required)
    [InlineData(0, 1)]   // the end is T0: round 0 waits, round 1 goes
    public void The_exact_and_fast_cascades_liquidate_in_the_first_round_after_the_grace_period(long graceSeconds, int expectedRound)
    {
        var snapshot = GraceSnapshot(graceSeconds);
        var options = SimulationOptions.Default with { StepSeconds = 12 };
        var (exact, fast) = FastExactComparison.Run(snapshot, Scenario.Single(Weth, -0.01m), options);
        var firstExact = exact.Rounds.First(r => r.Liquidations.Count > 0).Round;
        Assert.Equal(expectedRound, firstExact);
        Assert.All(exact.Rounds.Take(expectedRound), r => Assert.Contains(r.Unliquidated, u => u.Reason == AaveV3LiquidationRule.LiquidationGraceSentinelCheckFailed));
        Assert.Equal(expectedRound, fast.LiquidatedUsdPerRound.ToList().FindIndex(v => v > 0));
        FastExactComparison.AssertSame(snapshot, exact, fast);
    }

    [Fact]
    public void A_proposal_sets_a_grace_period_in_seconds_from_the_snapshot_block_and_refuses_more_than_four_hours()
    {
        var snapshot = GraceSnapshot(0).WithAaveV3Markets([new AaveV3MarketState(Market(), [Borrower])]);
        var proposal = CoreRegistry.ParseProposal("""{"name": "grace", "aave-v3": {"reserves": {"WETH": {"liquidationGracePeriod": 1800}}}}""", "p.json", snapshot);
        var applied = ProposalApplier.Apply(snapshot, proposal);
        Assert.Equal(T0 + 1800, applied.AaveV3Markets()[0].Market.Reserve(Weth).LiquidationGracePeriodUntil);
        Assert.False(proposal.ChangesNothing(snapshot));
        var tooLong = Assert.Throws<DefiRiskException>(() => CoreRegistry.ParseProposal(
            """{"name": "grace", "aave-v3": {"reserves": {"WETH": {"liquidationGracePeriod": 14401}}}}""", "p.json", snapshot));
        Assert.Contains("liquidationGracePeriod: 14401 is out of range [0, 14400]", tooLong.Message);
        var v30 = snapshot.WithAaveV3Markets([new AaveV3MarketState(Market(1), [Borrower])]);
        Assert.Contains("before 3.1", Assert.Throws<DefiRiskException>(() => CoreRegistry.ParseProposal(
            """{"name": "grace", "aave-v3": {"reserves": {"WETH": {"liquidationGracePeriod": 60}}}}""", "p.json", v30)).Message);
    }

    [Theory]
    [InlineData(AaveV3Revision.V3_6)]
    [InlineData(V3_0)]
    public void Both_cascades_skip_a_collateral_without_cash_and_take_the_next_one(int revision)
    {
        // WBTC (bonus 6.5 %, first choice) has no cash; the account also holds WETH. HF = (16,500 + 4,500) / 22,000 = 0.95454…
        var account = Account(3, Coll(Weth, Units("10", 18)), Coll(Wbtc, Units("0.1", 8)), Debt(Usdc, Units("22000", 6)));
        Snapshot With(BigInteger? wbtcCash) => TestSnapshot.Create(new ChainPoint(1, 1, T0),
            [new Asset(Usdc, "USDC", 6, Usd("1"), AssetOracle.MarketFeed(A(0xf1))), new Asset(Dai, "DAI", 18, Usd("1"), AssetOracle.MarketFeed(A(0xf5))),
             new Asset(Weth, "WETH", 18, Usd("2000"), AssetOracle.MarketFeed(A(0xf2))), new Asset(Wbtc, "WBTC", 8, Usd("60000"), AssetOracle.MarketFeed(A(0xf4)))],
            [new AaveV3MarketState(AaveMarket(revision: revision) is var m ? m with
                {
                    // 3.1+ the virtual balance; before 3.1 the aToken's underlying.
                    Reserves = m.Reserves.Select(r => r.Asset != Wbtc ? r
                        : revision >= AaveV3Revision.V3_1 ? r with { VirtualUnderlyingBalance = wbtcCash } : r with { VirtualUnderlyingBalance = null, UnderlyingBalance = wbtcCash }).ToList(),
                } : null!, [account])], [], []);
        var (liquid, liquidFast) = FastExactComparison.Run(With(Units("1", 8)), Scenario.Single(Weth, -0.0001m));
        Assert.Equal(Wbtc, liquid.Rounds[0].Liquidations[0].CollateralAsset);
        FastExactComparison.AssertSame(With(Units("1", 8)), liquid, liquidFast);
        var drained = With(0);
        var (exact, fast) = FastExactComparison.Run(drained, Scenario.Single(Weth, -0.0001m));
        Assert.Equal(Weth, exact.Rounds[0].Liquidations[0].CollateralAsset);
        FastExactComparison.AssertSame(drained, exact, fast);
        Assert.NotEqual(liquidFast.LiquidatedValueUsd, fast.LiquidatedValueUsd);
    }
}
