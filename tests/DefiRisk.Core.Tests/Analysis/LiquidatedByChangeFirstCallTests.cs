using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Proposals;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Core.Protocols.MorphoBlue;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Analysis;

/// <summary>
/// Issue 14's "what a liquidator would seize": each position a change alone makes liquidatable carries the first call a liquidator
/// makes on it under the proposal's rule at the snapshot's prices. Expected amounts are worked by hand from <see cref="MiniMarket"/>.
/// </summary>
public sealed class LiquidatedByChangeFirstCallTests
{
    // Aave (v3.0): b001 holds 10 WETH ($20,000) against 15,000 USDC, HF 1.1 at LT 82.5 %; at LT 70 % HF = 14,000 / 15,000 = 0.933.
    // Morpho WETH/USDC (LLTV 86 %, totals = the two borrows, 1e6 shares per unit): c001 10 WETH vs 13,550 USDC (HF 1.27), c002
    // 3 WETH vs 3,000 USDC. Migrated to LLTV 65 %: c001 13,000 / 13,550 = 0.959 is liquidatable, c002 3,900 / 3,000 = 1.3 is not.
    private static readonly Core.Domain.Address AaveBorrower = A(0xb001);

    private static (Core.Domain.Snapshot Baseline, Core.Domain.Snapshot Proposal) Worlds()
    {
        var baseline = MiniMarket.Build(
            [new AaveV3Account(AaveBorrower, 0, [new(Weth, Units("10", 18), true, 0, 0), new(Usdc, 0, false, Units("15000", 6), 0)])],
            [MiniMarket.Morpho(MiniMarket.MorphoWethUsdc, Usdc, Weth, "0.86", Units("16550", 6), MiniMarket.WethUsdcPrice)],
            [MiniMarket.Borrower(MiniMarket.MorphoWethUsdc, 1, Units("10", 18), Units("13550", 6)),
             MiniMarket.Borrower(MiniMarket.MorphoWethUsdc, 2, Units("3", 18), Units("3000", 6))]);
        var proposal = CoreRegistry.ParseProposal("""
            { "name": "cut", "aave-v3": { "reserves": { "WETH": { "ltv": "65%", "liquidationThreshold": "70%" } } },
              "morpho-blue": { "migrations": [ { "market": "WETH/USDC", "lltv": "65%" } ] } }
            """, "cut.json", baseline);
        return (baseline, ProposalApplier.Apply(baseline, proposal));
    }

    [Fact]
    public void An_aave_position_below_the_full_close_threshold_gives_up_its_whole_debt_times_the_bonus_in_its_collateral()
    {
        var (baseline, proposal) = Worlds();
        var p = Assert.Single(LiquidatedByChange.Compute(baseline, proposal).Positions, x => x.Protocol == AaveV3Book.Name);
        var call = p.FirstCall ?? throw new Xunit.Sdk.XunitException($"no first call: {p.FirstCallRefused}");
        // HF 0.933 ≤ 0.95: the close factor is 100 %, so all 15,000 USDC; 15,000 / 2,000 × 1.05 = 7.875 WETH, no protocol fee.
        Assert.Equal((Weth, "WETH", Usdc, "USDC"), (call.CollateralAsset, call.CollateralSymbol, call.DebtAsset, call.DebtSymbol));
        Assert.Equal(Units("15000", 6), call.DebtRepaid);
        Assert.Equal(Units("7.875", 18), call.CollateralSeized);
        Assert.Equal((Units("7.875", 18), BigInteger.Zero), (call.CollateralToLiquidator, call.ProtocolFee));
        Assert.Equal(call.DebtRepaid, call.RepayArgument); // debtToCover that makes exactly this call
        Assert.Equal((Usd("15000"), Usd("15750")), (call.DebtRepaidUsd8, call.CollateralSeizedUsd8));
        Assert.Null(p.FirstCallRefused);
    }

    [Fact]
    public void A_morpho_position_migrated_to_a_lower_lltv_repays_all_its_shares_for_its_debt_times_the_incentive_factor_in_collateral()
    {
        var (baseline, proposal) = Worlds();
        var result = LiquidatedByChange.Compute(baseline, proposal);
        var p = Assert.Single(result.Positions, x => x.Protocol == MorphoBlueBook.Name);
        Assert.Equal(A(0xc001), p.Account);
        var call = p.FirstCall ?? throw new Xunit.Sdk.XunitException($"no first call: {p.FirstCallRefused}");
        // LIF = 1 / (1 − 0.3 × (1 − 0.65)) = 1.117318435754189944 (wad, floor). The migrated market keeps 1e6 shares per unit, so the
        // 13,550 USDC of shares are worth exactly 13,550e6 up or down; seized = ⌊⌊13,550e6 × LIF / 1e18⌋ × 1e36 / 2e27⌋.
        var lif = BigInteger.Parse("1117318435754189944");
        var seized = Units("13550", 6) * lif / E(18) * E(36) / MiniMarket.WethUsdcPrice;
        Assert.Equal(BigInteger.Parse("7569832402000000000"), seized); // 7.569832402 WETH, worked by hand
        Assert.Equal((Weth, Usdc), (call.CollateralAsset, call.DebtAsset));
        Assert.Equal(Units("13550", 6), call.DebtRepaid);
        Assert.Equal(seized, call.CollateralSeized);
        Assert.Equal(BigInteger.Zero, call.ProtocolFee);
        Assert.Equal((Units("13550", 6) * E(6), BigInteger.Zero), (call.RepayArgument, call.SeizeArgument)); // repaidShares = every borrow share
        // Values as Morpho's positions are valued: collateral in USDC at price() (15,139.664804 USDC), times $1.
        Assert.Equal((Usd("13550"), Usd("15139.664804")), (call.DebtRepaidUsd8, call.CollateralSeizedUsd8));
        Assert.Equal(result.Positions.Sum(x => (decimal)x.FirstCall!.CollateralSeizedUsd8), (decimal)result.FirstCallsCollateralSeizedUsd8);
        Assert.Equal(Usd("15750") + Usd("15139.664804"), result.FirstCallsCollateralSeizedUsd8);
        Assert.Equal(Usd("15000") + Usd("13550"), result.FirstCallsDebtRepaidUsd8);
    }

    [Fact]
    public void A_position_no_call_can_liquidate_has_no_first_call_and_says_why()
    {
        // Aave 3.1+ with no WETH cash in the pool: withdrawing the seized WETH underflows its virtual balance, the only pair reverts.
        var (baseline, _) = Worlds();
        var state = baseline.AaveV3Markets()[0];
        var market = MiniMarket.Aave(AaveV3Revision.V3_1);
        market = market with { Reserves = market.Reserves.Select(r => r with { VirtualUnderlyingBalance = r.Asset == Weth ? 0 : E(30) }).ToList() };
        baseline = baseline.WithAaveV3Markets([state with { Market = market }]);
        var proposal = ProposalApplier.Apply(baseline, CoreRegistry.ParseProposal(
            """{ "name": "cut", "aave-v3": { "reserves": { "WETH": { "ltv": "65%", "liquidationThreshold": "70%" } } } }""", "cut.json", baseline));
        var p = Assert.Single(LiquidatedByChange.Compute(baseline, proposal).Positions, x => x.Protocol == AaveV3Book.Name);
        Assert.Null(p.FirstCall);
        Assert.Equal(AaveV3LiquidationRule.NotEnoughCash, p.FirstCallRefused);
    }

    [Fact]
    public void Each_first_call_is_the_call_the_exact_cascade_makes_on_that_position_with_no_price_move()
    {
        var (baseline, proposal) = Worlds();
        var entries = LiquidatedByChange.Compute(baseline, proposal).Positions;
        var cascade = CascadeSimulator.Simulate(proposal, Scenario.Single(Weth, 0m), SimulationOptions.Default);
        Assert.Equal(2, entries.Count);
        foreach (var p in entries)
        {
            var first = cascade.Rounds.SelectMany(r => r.Liquidations).First(l => l.Account == p.Account && l.Protocol == p.Protocol);
            Assert.Equal(0, first.Round);
            var call = p.FirstCall!;
            Assert.Equal((first.CollateralAsset, first.DebtAsset, first.DebtRepaid, first.CollateralSeized, first.ProtocolFee),
                (call.CollateralAsset, call.DebtAsset, call.DebtRepaid, call.CollateralToLiquidator, call.ProtocolFee));
        }
    }
}
