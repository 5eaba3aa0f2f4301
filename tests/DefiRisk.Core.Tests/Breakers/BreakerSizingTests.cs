using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Breakers;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Proposals;
using DefiRisk.Core.Tests.Analysis;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Breakers;

/// <summary>How a breaker shrinks a call: the shrunk call is the one the contract would execute for the shrunk argument.</summary>
public sealed class BreakerSizingTests
{
    private static Scenario Path(params decimal[] steps) =>
        new("path", steps.Select(x => new ShockStep([new AssetShock(Weth, x)])).ToList());

    private static SimulationOptions Capped(Snapshot s, BigInteger maxUsd) =>
        ProposalBreakers.Options(SimulationOptions.Default,
            TestProposal.Create("p", "", [], [], null, [], new BreakerSettings([new LiquidationCap(CapScope.Global, null, maxUsd, 1)], null, null, null)), s);

    [Fact]
    public void A_capped_morpho_call_that_would_seize_all_collateral_is_shrunk_from_the_shares_it_repays()
    {
        // Morpho WETH/USDC, LLTV 0.86, no pools (the sale is at the market price). 10 WETH / 17,000 USDC; totals make
        // 1e6 shares = 1 base unit exactly (toAssets/toShares exact up to rounding of a fraction of a share).
        // −20 % → $1600: price() = 1.6e27. LIF = 1e36 / (1e18 − 0.3·0.14e18) = 1.043841336116910229e18 (wDivDown).
        // Repaying all 17,000 would seize 17,000 × 1.0438 / 1600 = 11.09 WETH > 10 → the liquidator seizes all 10 WETH:
        // quoted = 16,000 USDC; repaidShares = toSharesUp(wDivUp(16,000e6, LIF)) = 15,328.000001e12 → full call repays
        // 15,328.000001 USDC ($15,328.000001). Cap $5,000: shares = ⌊15,328.000001e12 × 5,000e8 / 1,532,800,000,100⌋
        // = 5,000e12 → Morpho.liquidate(seizedAssets 0, repaidShares 5,000e12): repaid = toAssetsUp = 5,000 USDC;
        // seized = ⌊⌊5,000e6 × LIF / 1e18⌋ × 1e36 / 1.6e27⌋ = ⌊5,219.206680e6 × 1e36 / 1.6e27⌋ = 3.262004175 WETH.
        // (Scaling the position's ALL 17,000e12 shares instead would repay 5,545.407098 USDC — above the cap.)
        var market = MiniMarket.Morpho(MiniMarket.MorphoWethUsdc, Usdc, Weth, "0.86", Units("17000", 6), MiniMarket.WethUsdcPrice);
        var s = MiniMarket.Build([], [market], [MiniMarket.Borrower(MiniMarket.MorphoWethUsdc, 1, Units("10", 18), Units("17000", 6))], pools: []);

        var baseline = Assert.Single(CascadeSimulator.Simulate(s, Path(-0.20m)).Rounds[0].Liquidations);
        Assert.Equal((Units("15328.000001", 6), Units("10", 18)), (baseline.DebtRepaid, baseline.CollateralSeized));

        var r = CascadeSimulator.Simulate(s, Path(-0.20m), Capped(s, Usd("5000")));
        var l = Assert.Single(r.Rounds[0].Liquidations);
        Assert.Equal((Units("5000", 6), Units("3.262004175", 18)), (l.DebtRepaid, l.CollateralSeized));
        Assert.Equal((BigInteger.Zero, BigInteger.Parse("5000000000000000")), (l.SeizeArgument, l.RepayArgument));
    }

    [Fact]
    public void A_call_shrunk_by_a_cap_below_the_minimum_size_waits_instead_of_going_through()
    {
        // BreakerCascadeTests' cap case (no pools, WETH −20 % → $1600, both HF 0.88): A 10 WETH / 15,000 USDC,
        // B 5 WETH / 7,500 USDC; cap $10,000 per 1-step window, and a minimum call of $3,000. The minimum rules on the
        // call as it would execute — Maker's Dog.bark requires room ≥ dust before it sizes a partial bark.
        // Round 0: A shrunk to 10,000 (≥ 3,000), B deferred (no room). Round 1: B 7,500 in full; A (3.4375 WETH /
        // 5,000, HF 0.9075 → 100 %) would be shrunk to the 2,500 left < 3,000 → waits. Round 2: A's 5,000 in full.
        // (Minimum first and cap after it let the 2,500 call through: 10,000 / 10,000 / 2,500.)
        var s = MiniMarket.Build([Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("15000", 6))),
            Account(2, Coll(Weth, Units("5", 18)), Debt(Usdc, Units("7500", 6)))], pools: []);
        var options = ProposalBreakers.Options(SimulationOptions.Default,
            TestProposal.Create("p", "", [], [], null, [], new BreakerSettings([new LiquidationCap(CapScope.Global, null, Usd("10000"), 1)], null, null, Usd("3000"))), s);
        var r = CascadeSimulator.Simulate(s, Path(-0.20m), options);
        var repaid = r.Rounds.Select(x => x.Liquidations.Aggregate(BigInteger.Zero, (sum, l) => sum + l.DebtRepaid)).ToList();
        Assert.Equal([Units("10000", 6), Units("7500", 6), Units("5000", 6), 0], repaid);
        Assert.Contains(r.Rounds[1].Unliquidated, u => u.Account == A(0xb001) && u.Reason.Contains("deferred"));
        Assert.All(r.Rounds.SelectMany(x => x.Liquidations), l => Assert.True(l.DebtRepaidUsd >= 3000, $"{l.DebtRepaidUsd} below the minimum"));
        Assert.False(r.HitRoundLimit);
    }

    [Fact]
    public void A_capped_aave_v33_call_that_would_leave_dust_is_shrunk_further_instead_of_blocked()
    {
        // Aave v3.3 (revision 7), no pools, WETH −20 % → $1600: 10 WETH / 15,000 USDC, HF 0.88 ≤ 0.95 → 100 % closable.
        // Cap $14,500 per step: debtToCover 14,500 would leave $500 of debt (and 0.484375 WETH = $775) < MIN_LEFTOVER_BASE
        // $1,000 → MUST_NOT_LEAVE_DUST. A liquidator passes the largest amount within the cap that the dust rule accepts
        // (what LiquidationDataProvider.amountToPassToLiquidationCall is for): debt left ≥ $1,000 → ≤ 14,000 USDC;
        // collateral left ≥ 0.625 WETH → base ≤ 9.375 / 1.05 WETH → ≤ 14,285.71 USDC. So 14,000 USDC, seizing
        // 14,000 / 1600 × 1.05 = 9.1875 WETH. Left: 0.8125 WETH / 1,000 USDC, HF 1.0725: done. (Blocked, it never went.)
        var s = MiniMarket.Build([Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("15000", 6)))], pools: [], revision: 7);
        var r = CascadeSimulator.Simulate(s, Path(-0.20m), Capped(s, Usd("14500")));
        var l = Assert.Single(r.Rounds[0].Liquidations);
        Assert.Equal((Units("14000", 6), Units("9.1875", 18)), (l.DebtRepaid, l.CollateralSeized));
        Assert.Equal(1, r.Totals.Liquidations);
        Assert.False(r.HitRoundLimit);
    }

    [Fact]
    public void An_oracle_delay_on_an_exchange_rate_asset_delays_that_asset()
    {
        // MiniMarket without pools: wstETH's oracle is WETH's feed × 1.18 ($2360 = $2000 × 1.18). WETH −20 % in round 0.
        // Delay wstETH by 1 step: round 0 still shows the snapshot $2360, round 1 the $1600 × 1.18 = $1888 of round 0;
        // WETH itself is not delayed ($1600 in round 0). Delaying WETH delays both (wstETH derives from its feed).
        var s = MiniMarket.Build([], pools: []);
        BigInteger Oracle(CascadeResult r, int round, Address a) => r.Rounds[round].Prices.Single(p => p.Asset == a).OraclePriceUsd;
        SimulationOptions Delay(params string[] assets) => ProposalBreakers.Options(SimulationOptions.Default,
            TestProposal.Create("p", "", [], [], null, [], new BreakerSettings([], new OracleDelay(1, assets), null, null)), s);

        var wsteth = CascadeSimulator.Simulate(s, Path(-0.20m), Delay("wstETH") with { MaxRounds = 3 });
        Assert.Equal((Usd("1600"), Usd("2360")), (Oracle(wsteth, 0, Weth), Oracle(wsteth, 0, WstEth)));
        Assert.Equal((Usd("1600"), Usd("1888")), (Oracle(wsteth, 1, Weth), Oracle(wsteth, 1, WstEth)));

        var weth = CascadeSimulator.Simulate(s, Path(-0.20m), Delay("WETH") with { MaxRounds = 3 });
        Assert.Equal((Usd("2000"), Usd("2360")), (Oracle(weth, 0, Weth), Oracle(weth, 0, WstEth)));
        Assert.Equal((Usd("1600"), Usd("1888")), (Oracle(weth, 1, Weth), Oracle(weth, 1, WstEth)));
    }

    [Fact]
    public void The_dust_free_amount_still_answers_to_the_minimum_size()
    {
        // As above with a $14,200 minimum: the dust-free call (14,000 USDC) is below it → deferred, never made.
        var s = MiniMarket.Build([Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("15000", 6)))], pools: [], revision: 7);
        var options = ProposalBreakers.Options(SimulationOptions.Default,
            TestProposal.Create("p", "", [], [], null, [], new BreakerSettings([new LiquidationCap(CapScope.Global, null, Usd("14500"), 1)], null, null, Usd("14200"))), s);
        var r = CascadeSimulator.Simulate(s, Path(-0.20m), options);
        Assert.Equal(0, r.Totals.Liquidations);
        Assert.Contains("deferred", Assert.Single(r.Rounds[0].Unliquidated).Reason);
        Assert.False(r.HitRoundLimit);
    }

    [Fact]
    public void A_delay_on_another_asset_does_not_cut_the_causal_chain_of_an_undelayed_one()
    {
        // CascadeSimulatorTests' cross-protocol market at −20 %: Aave in round 0, its sale into WETH/USDC pushes the
        // Morpho borrower under in round 1 (causes = [the Aave call], chain depth 2). Delaying USDC's oracle (which does
        // not move) changes no price: WETH's oracle still shows round 0's sale in round 1, so the chain stays.
        var s = MiniMarket.Build([Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("15000", 6)))],
            [MiniMarket.Morpho(MiniMarket.MorphoWethUsdc, Usdc, Weth, "0.86", Units("13550", 6), MiniMarket.WethUsdcPrice)],
            [MiniMarket.Borrower(MiniMarket.MorphoWethUsdc, 1, Units("10", 18), Units("13550", 6))]);
        var options = ProposalBreakers.Options(SimulationOptions.Default,
            TestProposal.Create("p", "", [], [], null, [], new BreakerSettings([], new OracleDelay(1, ["USDC"]), null, null)), s);
        var r = CascadeSimulator.Simulate(s, Path(-0.20m), options);
        var aave = Assert.Single(r.Rounds[0].Liquidations);
        var morpho = Assert.Single(r.Rounds[1].Liquidations);
        Assert.Equal([aave.Id], morpho.Causes);
        Assert.Equal(2, morpho.ChainDepth);
    }
}
