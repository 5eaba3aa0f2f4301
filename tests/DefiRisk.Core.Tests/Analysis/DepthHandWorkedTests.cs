using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Venues.External;
using Xunit.Abstractions;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Analysis;

/// <summary>
/// Issue 12's must-show "a small hand-worked snapshot where depth ×0.25 vs ×4 changes liquidated value and bad debt by
/// the computed amounts", with the new venues and the market model: WETH's only venue is an external-market curve
/// against USDC, and prices are one market price per asset (<see cref="MarketPriceModel.OnePrice"/>). The liquidator is the
/// router with no gas and no funding cost (one venue: best execution has nothing to split), so every number below is the
/// depth's alone. (Shortest route against best execution: MarketLiquidatorTests'
/// <c>Best_execution_splits_ten_weth_between_the_thin_pair_and_the_v3_pool…</c> and
/// <c>A_position_the_router_leaves_as_unprofitable_is_liquidated_with_best_execution…</c>, and
/// ExternalMarketOnePriceTests' <c>Best_execution_splits_a_sale_between_a_thin_pair_and_the_external_curve…</c>.)
/// <para>
/// The snapshot, by hand. Aave v3.0 (MiniMarket: WETH LT 8250, bonus 10500; USDC $1), one account: 20 WETH collateral,
/// 30,000 USDC debt — HF at $2,000 = 40,000 × 0.825 / 30,000 = 1.1, healthy. The curve at ×1: marginal impact 1,000 ppm
/// (10 bps) at size 0, rising linearly to 41,000 ppm after 40 WETH, its end. Depth ×f multiplies the sizes: ×0.25 ends at
/// 10 WETH, ×4 at 160 WETH (slope 40,000 ppm / 160 WETH = 250 ppm per WETH).
/// </para>
/// <para>
/// WETH −30 %: one price $1,400 exactly (2,000 × 0.7), the oracle follows. Collateral 20 × 1,400 = $28,000 against
/// $30,000 of debt: insolvent by $2,000. HF = 28,000 × 0.825 / 30,000 = 0.77 &lt; 0.95, so the close factor is 100 %.
/// Seizing for all 30,000 would take 30,000 / 1,400 × 1.05 = 22.5 WETH &gt; 20, so the call seizes all 20 WETH and repays
/// percentDiv(⌊1400e8 × 20e18 × 1e6 / (1e8 × 1e18)⌋, 10500) = ⌊(28,000,000,000 × 10^4 + 5,250) / 10,500⌋
/// = ⌊280,000,000,005,250 / 10,500⌋ = 26,666,666,667 (26,666.666667 USDC). A liquidator does it if selling 20 WETH pays more.
/// </para>
/// <para>
/// A sale of x from an untouched curve pays ⌊P × (10^6·x − ∫₀ˣ m) / 10^6⌋ with P = 1,400 USDC per WETH (the arbitrage put
/// the curve's reference at the one price) and ∫₀ˣ m = 1,000·x + slope·x²/2:
/// <list type="bullet">
/// <item>×4: ∫₀²⁰ m = 1,000 × 20 + 250 × 20² / 2 = 70,000 ppm·WETH, so 20 WETH pay 1,400 × (20 − 0.07) = 27,902 USDC =
/// 27,902,000,000 base units &gt; 26,666,666,667 repaid: liquidated. Left: 0 WETH against 30,000,000,000 − 26,666,666,667
/// = 3,333,333,333 USDC of debt — Aave ≤ 3.2 keeps it on an account with no collateral: realised ("unbacked"), $3,333.333333.
/// Nothing else is open. Liquidated $26,666.666667, bad debt $3,333.333333, all realised.</item>
/// <item>×0.25: the curve ends at 10 WETH, so only 10 WETH fill: ∫₀¹⁰ m = 1,000 × 10 + 4,000 × 10² / 2 = 210,000, paying
/// 1,400 × (10 − 0.21) = 13,706 USDC &lt; 26,666.666667: unprofitable, nobody liquidates. No sale, so WETH stays at $1,400 and
/// the open position is $30,000 − $28,000 = $2,000 short: unrealised. Liquidated $0, bad debt $2,000, all unrealised.</item>
/// </list>
/// ×0.25 → ×4: liquidated value +$26,666.666667; bad debt +$1,333.333333 (3,333.333333 − 2,000) — the deeper book makes
/// the loss LARGER by exactly the bonus paid out of insolvent collateral (28,000 − 26,666.666667), because liquidating a
/// position worth less than its debt only moves the bonus to the liquidator.
/// </para>
/// </summary>
public sealed class DepthHandWorkedTests(ITestOutputHelper output)
{
    private static readonly BigInteger Eth = E(18);

    private static Snapshot Snapshot() =>
        MiniMarket.Build([Account(1, Coll(Weth, Units("20", 18)), Debt(Usdc, Units("30000", 6)))], pools: [])
            .WithVenueBook(new ExternalMarketBook([new ExternalMarketPool(Weth, Usdc, 2000 * E(6), Eth,
                new ExternalDepthCurve([new(0, 1_000), new(40 * Eth, 41_000)]), "hand-worked test curve")], "test"));

    private static readonly Scenario WethMinus30 = Scenario.Single(Weth, -0.30m);

    private static SimulationOptions Options => SimulationOptions.Default with { MarketPrices = MarketPriceModel.Market };

    [Fact]
    public void Depth_times_a_quarter_against_times_four_changes_liquidated_value_and_bad_debt_by_the_hand_computed_amounts()
    {
        // ×4: one call, 20 WETH for 26,666,666,667 USDC, sold for 27,902,000,000; 3,333,333,333 USDC realised.
        var deep = CascadeSimulator.Simulate(Snapshot().WithDepth(4m), WethMinus30, Options);
        Assert.Equal(Usd("1400"), deep.Rounds[0].Prices.Single(p => p.Asset == Weth).MarketPriceUsd);
        var call = Assert.Single(deep.Rounds.SelectMany(r => r.Liquidations));
        Assert.Equal(20 * Eth, call.CollateralSeized);
        Assert.Equal(BigInteger.Parse("26666666667"), call.DebtRepaid);
        Assert.Equal(BigInteger.Parse("27902000000"), call.SaleProceeds);
        Assert.Equal([Weth], call.SalePools);
        var realised = Assert.Single(deep.Totals.BadDebt);
        Assert.Equal(("unbacked", Usdc, BigInteger.Parse("3333333333")), (realised.Kind, realised.Asset, realised.Amount));
        Assert.Empty(deep.Totals.Insolvent);

        // ×0.25: nobody liquidates; the open position is $2,000 short at $1,400.
        var shallow = CascadeSimulator.Simulate(Snapshot().WithDepth(0.25m), WethMinus30, Options);
        Assert.Equal(0, shallow.Totals.Liquidations);
        Assert.Equal("unprofitable after slippage and gas", Assert.Single(shallow.Rounds[0].Unliquidated).Reason);
        Assert.Empty(shallow.Totals.BadDebt);
        Assert.Equal(Usd("1400"), shallow.Rounds[^1].Prices.Single(p => p.Asset == Weth).MarketPriceUsd);
        // The insolvent list is a USD view in doubles: equal to the USDC base unit ($0.000001).
        var open = Assert.Single(shallow.Totals.Insolvent);
        Assert.Equal(28_000, open.CollateralUsd, 6);
        Assert.Equal(30_000, open.DebtUsd, 6);
        Assert.Equal(2_000, open.ShortfallUsd, 6);

        // The depth sensitivity report's rows are those two cascades, and the differences are the computed ones.
        var levels = DepthSensitivity.Run(Snapshot(), WethMinus30, Options, [0.25m, 4m]);
        var (quarter, four) = (levels[0], levels[1]);
        // (USD views in doubles, equal to the USDC base unit.)
        Assert.Equal((0, 0.0, 0.0), (quarter.Liquidations, quarter.LiquidatedValueUsd, quarter.RealisedBadDebtUsd));
        Assert.Equal(2_000, quarter.UnrealisedBadDebtUsd, 6);
        Assert.Equal((1, 0.0), (four.Liquidations, four.UnrealisedBadDebtUsd));
        Assert.Equal(26_666.666667, four.LiquidatedValueUsd, 6);
        Assert.Equal(3_333.333333, four.RealisedBadDebtUsd, 6);
        Assert.Equal(26_666.666667, four.LiquidatedValueUsd - quarter.LiquidatedValueUsd, 6);
        Assert.Equal(1_333.333333, four.BadDebtUsd - quarter.BadDebtUsd, 6);
        var sold = Assert.Single(four.SalesByVenue);
        Assert.Equal((ExternalMarketBook.Name, 1), (sold.Venue, sold.Sales));
        Assert.Empty(quarter.SalesByVenue);
        output.WriteLine($"×0.25: liquidated ${quarter.LiquidatedValueUsd:N6}, bad debt ${quarter.BadDebtUsd:N6} (unrealised ${quarter.UnrealisedBadDebtUsd:N6}); " +
            $"×4: liquidated ${four.LiquidatedValueUsd:N6}, bad debt ${four.BadDebtUsd:N6} (realised ${four.RealisedBadDebtUsd:N6})");
    }
}
