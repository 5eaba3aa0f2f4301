using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Venues.UniswapV2;
using Xunit.Abstractions;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Analysis;

/// <summary>
/// Calls sized for profit (issue 12 item 4, <see cref="LiquidatorModel.SizeByProfit"/>): when the largest call the protocol
/// allows sells more collateral than the venues take at a profit, the liquidator makes a smaller call on the
/// <see cref="CallSizing"/> ladder and the rest waits for a later round. The ladder, the rule's amounts and the sale are
/// recomputed here (rungs ⌊2^20·2^(−i/2)⌉ / 2^20, the protocol's rule, v2 <c>getAmountOut</c>, the flash loan's fee, $15 gas).
/// </summary>
public sealed class CallSizingTests(ITestOutputHelper output)
{
    // 200,000 USDC / 100 WETH at $2,000: far too thin for an 85,000 USDC call.
    private static readonly UniswapV2Pool ThinPair = new(A(0xd0), Usdc, Weth, Units("200000", 6), Units("100", 18));
    private static readonly BigInteger Gas8 = 15 * 100_000_000L;

    private static Snapshot Thin(IReadOnlyList<AaveV3Account> aave, IReadOnlyList<MorphoBlueMarket>? markets = null, IReadOnlyList<MorphoBluePosition>? positions = null) =>
        MiniMarket.Build(aave, markets, positions, pools: [ThinPair, MiniMarket.WstethWethPool]);

    private static BigInteger Rung(BigInteger full, int i) => i == 0 ? full : full * (long)Math.Round((1 << 20) * Math.Pow(2, -i / 2.0)) / (1 << 20);

    /// <summary>The rung the stated rule picks: descend while the next smaller rung earns strictly more.</summary>
    private static int Descend(Func<int, BigInteger?> profit)
    {
        var (best, at) = (profit(0)!.Value, 0);
        for (var i = 1; i < 21; i++)
        {
            if (profit(i) is not { } p) continue;
            if (p <= best) break;
            (best, at) = (p, i);
        }
        return at;
    }

    /// <summary>
    /// 100 WETH against 170,000 USDC on Aave 3.0: HF = 200,000·0.825 / 170,000 = 0.9706, so half the debt (85,000 USDC) for
    /// 44.625 WETH, which the thin pair buys for ≈ 61,400 USDC: the full call loses ≈ $23,600 and the router leaves the position.
    /// The sizing liquidator repays a rung of it whose 1.05× seizure the pair still pays for, then comes back in later rounds.
    /// </summary>
    [Fact]
    public void An_Aave_call_too_large_for_the_pool_is_sized_down_the_ladder_to_the_rung_that_earns_most_and_the_rest_waits()
    {
        var account = Account(1, Coll(Weth, Units("100", 18)), Debt(Usdc, Units("170000", 6)));
        var snapshot = Thin([account]);
        var scenario = Scenario.Single(Dai, 0m);
        var router = CascadeSimulator.Simulate(snapshot, scenario, SimulationOptions.Default with { Liquidators = LiquidatorModel.Router, GasCostUsd = Gas8 });
        Assert.Equal(0, router.Totals.Liquidations);

        var options = SimulationOptions.Default.WithMarketLiquidators();
        var result = CascadeSimulator.Simulate(snapshot, scenario, options);
        var first = result.Rounds[0].Liquidations.Single();

        // The ladder recomputed: each rung's call through the rule, sold into the snapshot's pair, Aave's 5 bps fee, $15 gas.
        var market = MiniMarket.Aave();
        var full = Units("85000", 6);
        var decisions = new Dictionary<int, AaveV3LiquidationDecision>();
        BigInteger? Profit(int i)
        {
            var d = AaveV3LiquidationRule.Instance.Decide(new(market, account, Weth, Usdc, i == 0 ? AaveV3LiquidationContext.MaxDebtToCover : Rung(full, i),
                a => market.Reserve(a).OraclePrice));
            decisions[i] = d;
            var proceeds = UniswapV2Math.GetAmountOut(d.CollateralToLiquidator, ThinPair.Reserve1, ThinPair.Reserve0);
            var fee = (d.DebtRepaid * 5 + 5_000) / 10_000;
            return (proceeds - d.DebtRepaid - fee) * 100 - Gas8; // USDC at $1: base units × 100 = USD 8 decimals
        }
        Assert.True(Profit(0) < 0, "the full call must lose money");
        Assert.Equal(full, decisions[0].DebtRepaid);
        var rung = Descend(Profit);
        Assert.True(rung > 0);
        Assert.Equal(Rung(full, rung), first.DebtRepaid);
        Assert.Equal(Rung(full, rung), first.RepayArgument); // what the replay passes as debtToCover
        Assert.Equal(decisions[rung].CollateralToLiquidator, first.CollateralSeized);
        Assert.Equal((double)Profit(rung)!.Value / 1e8, first.ProfitUsd, 6);
        Assert.True(first.ProfitUsd > 0);

        // Near the best size: a scan of 1,000 sizes finds at most a third more than the ladder's rung.
        var scan = Enumerable.Range(1, 1000).Select(j =>
        {
            var d = AaveV3LiquidationRule.Instance.Decide(new(market, account, Weth, Usdc, full * j / 1000, a => market.Reserve(a).OraclePrice));
            return (UniswapV2Math.GetAmountOut(d.CollateralToLiquidator, ThinPair.Reserve1, ThinPair.Reserve0) - d.DebtRepaid - (d.DebtRepaid * 5 + 5_000) / 10_000) * 100 - Gas8;
        }).Max();
        output.WriteLine($"rung {rung}: repay {(double)first.DebtRepaid / 1e6:N2} USDC for {(double)first.CollateralSeized / 1e18:N4} WETH, profit ${first.ProfitUsd:N2}; full call ${(double)Profit(0)!.Value / 1e8:N2}; best of 1,000 sizes ${(double)scan / 1e8:N2}");
        Assert.True(Profit(rung) * 4 >= scan * 3, "the ladder's rung earns at least 3/4 of the best size");

        // The rest waits: round 0 leaves the account unhealthy with the reason, and later rounds liquidate it again.
        Assert.Equal(CallSizing.RestWaits, result.Rounds[0].Unliquidated.Single(u => u.Account == account.Account).Reason);
        var rounds = result.Rounds.Where(r => r.Liquidations.Any(l => l.Account == account.Account)).Select(r => r.Round).ToList();
        output.WriteLine($"liquidated in rounds {string.Join(", ", rounds)}; repaid in all {result.Rounds.SelectMany(r => r.Liquidations).Sum(l => (double)l.DebtRepaid) / 1e6:N2} USDC");
        Assert.True(rounds.Count >= 2, "the rest is liquidated in a later round");

        var (exact, fast) = FastExactComparison.Run(snapshot, scenario, options);
        FastExactComparison.AssertSame(snapshot, exact, fast);
    }

    /// <summary>
    /// A Morpho WETH/USDC position (LLTV 0.86, LIF 1.0438) of 100 WETH against 175,000 USDC: the full call repays every share for
    /// ≈ 91.3 WETH, far more than the thin pair pays for. The sized call repays a rung of the shares (seizedAssets = 0).
    /// </summary>
    [Fact]
    public void A_Morpho_call_too_large_for_the_pool_repays_a_rung_of_the_shares()
    {
        var borrowed = Units("175000", 6);
        var mk = MiniMarket.Morpho(MiniMarket.MorphoWethUsdc, Usdc, Weth, "0.86", borrowed, MiniMarket.WethUsdcPrice);
        var position = MiniMarket.Borrower(MiniMarket.MorphoWethUsdc, 1, Units("100", 18), borrowed);
        var snapshot = Thin([], [mk], [position]);
        var scenario = Scenario.Single(Dai, 0m);
        var options = SimulationOptions.Default.WithMarketLiquidators();
        var result = CascadeSimulator.Simulate(snapshot, scenario, options);
        var first = result.Rounds[0].Liquidations.Single();

        BigInteger? Profit(int i)
        {
            var d = MorphoBlueLiquidationRule.Instance.Decide(new(mk, position, 0, Rung(position.BorrowShares, i), MiniMarket.WethUsdcPrice));
            if (!d.Executed) return null;
            var proceeds = UniswapV2Math.GetAmountOut(d.SeizedAssets, ThinPair.Reserve1, ThinPair.Reserve0);
            return (proceeds - d.RepaidAssets) * 100 - Gas8; // Morpho's own idle USDC (175,000) funds it: no fee
        }
        var rung = Descend(Profit);
        Assert.True(Profit(0) < 0 && rung > 0);
        Assert.Equal(BigInteger.Zero, first.SeizeArgument);
        Assert.Equal(Rung(position.BorrowShares, rung), first.RepayArgument);
        Assert.Equal((double)Profit(rung)!.Value / 1e8, first.ProfitUsd, 6);
        output.WriteLine($"rung {rung}: {first.RepayArgument} shares, {(double)first.DebtRepaid / 1e6:N2} USDC for {(double)first.CollateralSeized / 1e18:N4} WETH, profit ${first.ProfitUsd:N2}");
        Assert.Equal(CallSizing.RestWaits, result.Rounds[0].Unliquidated.Single(u => u.Account == position.Account).Reason);

        var (exact, fast) = FastExactComparison.Run(snapshot, scenario, options);
        FastExactComparison.AssertSame(snapshot, exact, fast);
    }

    /// <summary>With calls sized by the protocol (the option off), the same Aave position is not liquidated at all.</summary>
    [Fact]
    public void Without_sizing_the_market_liquidator_leaves_the_position_as_unprofitable()
    {
        var snapshot = Thin([Account(1, Coll(Weth, Units("100", 18)), Debt(Usdc, Units("170000", 6)))]);
        var options = SimulationOptions.Default.WithMarketLiquidators();
        var result = CascadeSimulator.Simulate(snapshot, Scenario.Single(Dai, 0m), options with { Liquidators = options.Liquidators with { SizeByProfit = false } });
        Assert.Equal(0, result.Totals.Liquidations);
        Assert.Equal("unprofitable after slippage and gas", result.Rounds[0].Unliquidated.Single().Reason);
    }
}
