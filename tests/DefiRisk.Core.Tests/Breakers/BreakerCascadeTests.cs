using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Breakers;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Proposals;
using DefiRisk.Core.Tests.Analysis;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Breakers;

/// <summary>
/// Each breaker against the baseline on a hand-sized Aave v3.0 market WITHOUT pools: WETH's price is exogenous (the
/// scenario path alone), seized collateral sells at the market price without impact, so every number below can be
/// worked out by hand. WETH LT 82.5 %, bonus 5 %, no protocol fee; USDC $1. HF = coll × price × 0.825 / debt.
/// Close factor (v3.0): 50 % while HF &gt; 0.95, 100 % at or below. Seized = repaid / price × 1.05; when that exceeds the
/// balance, all is seized and repaid = balance × price / 1.05 (percentDiv, half up); the rest stays as "unbacked" debt.
/// </summary>
public sealed class BreakerCascadeTests
{
    private static AaveV3Account Borrower(int n, string weth, string usdc) => Account(n, Coll(Weth, Units(weth, 18)), Debt(Usdc, Units(usdc, 6)));

    private static Snapshot Market(params AaveV3Account[] accounts) => MiniMarket.Build(accounts, pools: []);

    private static Scenario Path(params decimal[] steps) =>
        new("path", steps.Select(x => new ShockStep([new AssetShock(Weth, x)])).ToList());

    private static SimulationOptions With(Snapshot s, BreakerSettings breakers) =>
        ProposalBreakers.Options(SimulationOptions.Default, TestProposal.Create("p", "", [], [], null, [], breakers), s);

    private static BreakerSettings Only(LiquidationCap? cap = null, OracleDelay? delay = null, DeviationPause? pause = null, BigInteger? min = null) =>
        new(cap is null ? [] : [cap], delay, pause, min);

    private static readonly BigInteger Hf095 = 950_000_000_000_000_000;

    [Fact]
    public void A_pause_during_a_falling_path_turns_no_bad_debt_into_bad_debt()
    {
        // 10 WETH / 15,000 USDC (HF 1.1 at $2000). Path: −20 % ($1600) then −30 % ($1120).
        // Baseline, round 0 at $1600: HF = 16,000 × 0.825 / 15,000 = 0.88 ≤ 0.95 → repay all 15,000; seize
        //   15,000 / 1600 × 1.05 = 9.84375 WETH; 0.15625 WETH left, no debt, no bad debt.
        // Pause (> 10 % within 1 step → 2 steps paused, no grace): round 0 moved 20 % → rounds 0 and 1 paused; round 2
        //   at $1120: HF = 11,200 × 0.825 / 15,000 = 0.616; 15,000 / 1120 × 1.05 = 14.06 WETH > 10 → seize all 10, repay
        //   percentDiv(11,200, 10500) = 10,666.666667 USDC; 4,333.333333 USDC stays unbacked = $4,333.33 bad debt.
        var s = Market(Borrower(1, "10", "15000"));
        var path = Path(-0.20m, -0.30m);
        var baseline = CascadeSimulator.Simulate(s, path);
        var paused = CascadeSimulator.Simulate(s, path, With(s, Only(pause: new DeviationPause(1000, 1, 2, 0, Hf095))));

        var b = Assert.Single(baseline.Rounds[0].Liquidations);
        Assert.Equal(Units("15000", 6), b.DebtRepaid);
        Assert.Equal(Units("9.84375", 18), b.CollateralSeized);
        Assert.Equal(0, baseline.Totals.BadDebtUsd);

        Assert.Empty(paused.Rounds[0].Liquidations);
        Assert.Empty(paused.Rounds[1].Liquidations);
        Assert.Contains("blocked by circuit breaker", Assert.Single(paused.Rounds[1].Unliquidated).Reason);
        var p = Assert.Single(paused.Rounds[2].Liquidations);
        Assert.Equal(Units("10", 18), p.CollateralSeized);
        Assert.Equal(Units("10666.666667", 6), p.DebtRepaid);
        var bad = Assert.Single(paused.Totals.BadDebt);
        Assert.Equal(("unbacked", Usdc, Units("4333.333333", 6)), (bad.Kind, bad.Asset, bad.Amount));
        Assert.Equal(4333.333333, paused.Totals.BadDebtUsd, 6);
        Assert.False(paused.HitRoundLimit);
    }

    [Fact]
    public void A_pause_then_grace_lets_only_health_factors_below_0_95_through_until_it_ends()
    {
        // −10 % → $1800. A: 10 WETH / 15,000 → HF 18,000 × 0.825 / 15,000 = 0.99 (50 % close: repay 7,500).
        // B: 10 WETH / 16,500 → HF 0.9 (100 %: repay 16,500, seize ⌊16,500e18 / 1800⌋ × 1.05 half up = 9.624999999999999999
        // WETH — the floor of 9.1666… before the bonus costs the last wei).
        // Pause (> 5 % in 1 step, 1 step paused, 2 grace): round 0 paused (both held); rounds 1–2 grace: B (0.9 < 0.95)
        // goes in round 1, A (0.99) waits; round 3 open: A repays 7,500. Baseline: both in round 0.
        var s = Market(Borrower(1, "10", "15000"), Borrower(2, "10", "16500"));
        var pause = new DeviationPause(500, 1, 1, 2, Hf095);
        var baseline = CascadeSimulator.Simulate(s, Path(-0.10m));
        var r = CascadeSimulator.Simulate(s, Path(-0.10m), With(s, Only(pause: pause)));

        Assert.Equal(2, baseline.Rounds[0].Liquidations.Count);
        Assert.Empty(r.Rounds[0].Liquidations);
        var b = Assert.Single(r.Rounds[1].Liquidations);
        Assert.Equal((A(0xb002), Units("16500", 6), Units("9.624999999999999999", 18)), (b.Account, b.DebtRepaid, b.CollateralSeized));
        Assert.Empty(r.Rounds[2].Liquidations);
        var a = Assert.Single(r.Rounds[3].Liquidations);
        Assert.Equal((A(0xb001), Units("7500", 6)), (a.Account, a.DebtRepaid));
        Assert.Equal(baseline.Totals.LiquidatedValueUsd, r.Totals.LiquidatedValueUsd, 6); // same flat price: only later

        // Aave's sentinel lets HF < 0.95 through even while the sequencer is down: B already goes in round 0.
        var aave = CascadeSimulator.Simulate(s, Path(-0.10m), SimulationOptions.Default with { CircuitBreaker = new DeviationPauseBreaker(pause, sequencerSentinel: true) });
        Assert.Equal(A(0xb002), Assert.Single(aave.Rounds[0].Liquidations).Account);
        Assert.Equal(A(0xb001), Assert.Single(aave.Rounds[3].Liquidations).Account);
    }

    [Theory]
    [InlineData(CapScope.Global, null)]
    [InlineData(CapScope.Protocol, "aave-v3")]
    [InlineData(CapScope.CollateralAsset, "WETH")]
    public void A_cap_defers_the_excess_to_later_rounds_without_dropping_it(CapScope scope, string? key)
    {
        // −20 % → $1600, both HF 0.88 (100 % close). A: 10 WETH / 15,000; B: 5 WETH / 7,500. Baseline: 22,500 in round 0.
        // Cap $10,000 per 1-step window. Round 0: A first (same HF, lower address): shrunk to 10,000 (seize 6.5625 WETH,
        //   left 3.4375 WETH / 5,000 → HF 0.9075); no room for the rest of A nor for B.
        // Round 1 (the window has rolled on): lowest HF first — B (0.88) in full, 7,500; then A (0.9075 ≤ 0.95, 5,000 due)
        //   shrunk to the 2,500 room (seize 1.640625; left 1.796875 WETH / 2,500 → HF 0.94875).
        // Round 2: A's last 2,500. Same 22,500 in total, over three rounds.
        var s = Market(Borrower(1, "10", "15000"), Borrower(2, "5", "7500"));
        // Every scope covers both calls here (Aave, WETH collateral), so all three give the same schedule.
        var cap = new LiquidationCap(scope, key, Usd("10000"), 1);
        var baseline = CascadeSimulator.Simulate(s, Path(-0.20m));
        var r = CascadeSimulator.Simulate(s, Path(-0.20m), With(s, Only(cap: cap)));

        Assert.Equal(22_500, baseline.Rounds[0].Liquidations.Sum(l => l.DebtRepaidUsd), 6);
        Assert.Equal(1, baseline.Totals.RoundsWithLiquidations);

        BigInteger Repaid(int round) => r.Rounds[round].Liquidations.Aggregate(BigInteger.Zero, (x, l) => x + l.DebtRepaid);
        Assert.Equal(Units("10000", 6), Repaid(0));
        Assert.Equal(Units("6.5625", 18), Assert.Single(r.Rounds[0].Liquidations).CollateralSeized);
        Assert.Contains(r.Rounds[0].Unliquidated, u => u.Account == A(0xb002) && u.Reason.Contains("deferred"));
        Assert.Equal(Units("10000", 6), Repaid(1));
        Assert.Equal([(A(0xb002), Units("7500", 6)), (A(0xb001), Units("2500", 6))], r.Rounds[1].Liquidations.Select(l => (l.Account, l.DebtRepaid)));
        Assert.Equal(Units("2500", 6), Repaid(2));
        Assert.Equal(3, r.Totals.RoundsWithLiquidations);
        Assert.Equal(22_500, r.Totals.LiquidatedValueUsd, 6);
        Assert.Equal(0, r.Totals.BadDebtUsd);
    }

    [Fact]
    public void A_two_step_window_counts_the_previous_round_and_leaves_a_quiet_round_between()
    {
        // As above with the $10,000 cap over 2 steps. Round 0: A shrunk to 10,000. Round 1: the window (rounds 0–1) is
        // full: nothing, but the run goes on. Round 2 (window 1–2): B's 7,500 in full, A shrunk to 2,500. Round 3: full
        // again. Round 4: A's last 2,500.
        var s = Market(Borrower(1, "10", "15000"), Borrower(2, "5", "7500"));
        var r = CascadeSimulator.Simulate(s, Path(-0.20m), With(s, Only(cap: new LiquidationCap(CapScope.Global, null, Usd("10000"), 2))));
        var repaid = r.Rounds.Select(x => x.Liquidations.Aggregate(BigInteger.Zero, (sum, l) => sum + l.DebtRepaid)).ToList();
        Assert.Equal([Units("10000", 6), 0, Units("10000", 6), 0, Units("2500", 6), 0], repaid);
        Assert.False(r.HitRoundLimit);
    }

    [Fact]
    public void A_per_protocol_cap_on_another_protocol_and_a_collateral_cap_on_another_asset_change_nothing()
    {
        var s = Market(Borrower(1, "10", "15000"));
        var baseline = CascadeSimulator.Simulate(s, Path(-0.20m));
        var morphoCap = CascadeSimulator.Simulate(s, Path(-0.20m), With(s, Only(cap: new LiquidationCap(CapScope.Protocol, ProtocolNames.MorphoBlue, 0, 1))));
        var wstethCap = CascadeSimulator.Simulate(s, Path(-0.20m), With(s, Only(cap: new LiquidationCap(CapScope.CollateralAsset, "wstETH", 0, 1))));
        var wethCap = CascadeSimulator.Simulate(s, Path(-0.20m), With(s, Only(cap: new LiquidationCap(CapScope.CollateralAsset, "WETH", 0, 1))));
        Assert.Equal(baseline.Totals.LiquidatedValueUsd, morphoCap.Totals.LiquidatedValueUsd);
        Assert.Equal(baseline.Totals.LiquidatedValueUsd, wstethCap.Totals.LiquidatedValueUsd);
        // A zero cap on WETH collateral: nothing is ever liquidated, the round stops (the window never fills).
        Assert.Equal(0, wethCap.Totals.Liquidations);
        Assert.False(wethCap.HitRoundLimit);
    }

    [Fact]
    public void An_oracle_delay_in_a_falling_market_makes_the_liquidation_unprofitable_then_leaves_bad_debt()
    {
        // Path −20 %, −30 % with a 1-step WETH oracle delay. Round 0: oracle $2000 (snapshot), HF 1.1, nothing.
        // Round 1: oracle $1600 (round 0's market) but market $1120: repay 15,000 for 9.84375 WETH that sell for
        //   9.84375 × 1120 = 11,025 USDC < 15,000 → no liquidator takes it. Round 2: oracle $1120 → as under the pause:
        //   all 10 WETH for 10,666.666667; $4,333.333333 unbacked. Baseline (previous test): no bad debt.
        var s = Market(Borrower(1, "10", "15000"));
        var r = CascadeSimulator.Simulate(s, Path(-0.20m, -0.30m), With(s, Only(delay: new OracleDelay(1, ["WETH"]))));
        Assert.Equal(Usd("2000"), r.Rounds[0].Prices.Single(p => p.Asset == Weth).OraclePriceUsd);
        Assert.Empty(r.Rounds[0].Liquidations);
        Assert.Equal(Usd("1600"), r.Rounds[1].Prices.Single(p => p.Asset == Weth).OraclePriceUsd);
        Assert.Equal("unprofitable after slippage and gas", Assert.Single(r.Rounds[1].Unliquidated).Reason);
        Assert.Equal(Units("10666.666667", 6), Assert.Single(r.Rounds[2].Liquidations).DebtRepaid);
        Assert.Equal(4333.333333, r.Totals.BadDebtUsd, 6);

        // A delay on another asset changes nothing.
        var other = CascadeSimulator.Simulate(s, Path(-0.20m, -0.30m), With(s, Only(delay: new OracleDelay(1, ["USDC"]))));
        Assert.Equal(Units("15000", 6), Assert.Single(other.Rounds[0].Liquidations).DebtRepaid);
        Assert.Equal(0, other.Totals.BadDebtUsd);
    }

    [Fact]
    public void A_minimum_size_skips_small_liquidations_only()
    {
        // −20 %: A (10 WETH / 15,000) and C (0.1 WETH / 150), both HF 0.88 → baseline repays 15,150 from 2 accounts.
        // Minimum $1,000: C's 150 is below → only 15,000 from 1 account; C stays liquidatable and the run still ends.
        var s = Market(Borrower(1, "10", "15000"), Borrower(3, "0.1", "150"));
        var baseline = CascadeSimulator.Simulate(s, Path(-0.20m));
        var r = CascadeSimulator.Simulate(s, Path(-0.20m), With(s, Only(min: Usd("1000"))));
        Assert.Equal(15_150, baseline.Totals.LiquidatedValueUsd, 6);
        Assert.Equal(15_000, r.Totals.LiquidatedValueUsd, 6);
        Assert.Equal((2, 1), (baseline.Totals.AccountsAffected, r.Totals.AccountsAffected));
        Assert.Contains(r.Rounds[0].Unliquidated, u => u.Account == A(0xb003) && u.Reason.Contains("deferred"));
        Assert.False(r.HitRoundLimit);
    }

    [Fact]
    public void A_lower_close_factor_reaches_the_aave_rule()
    {
        // −10 % → $1800: 10 WETH / 15,000 → HF 0.99 > 0.95. Default 50 %: repay 7,500, seize ⌊7,500e18 / 1800⌋ =
        // 4.166666666666666666 × 1.05 (percentMul, half up) = 4.374999999999999999. Proposal 25 %: repay 3,750, seize
        // 2.083333333333333333 × 1.05 = 2.18749999999999999965 → 2.1875 (half up); HF after ≈ 1.031: one call.
        var s = Market(Borrower(1, "10", "15000"));
        var baseline = Assert.Single(CascadeSimulator.Simulate(s, Path(-0.10m)).Rounds[0].Liquidations);
        // The close factor is a code upgrade: the proposal's change replaces the book's rule constants.
        static Snapshot Upgraded(Snapshot s, AaveV3CloseFactorChange cf) => ProposalApplier.Apply(s, TestProposal.Create("p", "", [], [], cf, [], BreakerSettings.None));
        var r = CascadeSimulator.Simulate(Upgraded(s, new AaveV3CloseFactorChange(2500, null)), Path(-0.10m));
        Assert.Equal((Units("7500", 6), Units("4.374999999999999999", 18)), (baseline.DebtRepaid, baseline.CollateralSeized));
        var p = Assert.Single(r.Rounds[0].Liquidations);
        Assert.Equal((Units("3750", 6), Units("2.1875", 18)), (p.DebtRepaid, p.CollateralSeized));
        // Raising the full-close threshold to 1.0 makes the same position closable in full: 15,000.
        var full = CascadeSimulator.Simulate(Upgraded(s, new AaveV3CloseFactorChange(null, 1_000_000_000_000_000_000)), Path(-0.10m));
        Assert.Equal(Units("15000", 6), Assert.Single(full.Rounds[0].Liquidations).DebtRepaid);
    }
}
