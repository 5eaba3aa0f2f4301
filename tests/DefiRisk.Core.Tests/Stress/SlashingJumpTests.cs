using DefiRisk.Core.Analysis;
using DefiRisk.Core.Stress;
using DefiRisk.Core.Tests.Analysis;

namespace DefiRisk.Core.Tests.Stress;

/// <summary>
/// The slashing family (issue 16, Build 2): a cut of an exchange-rate asset's ratio, which its oracle (ratio × base)
/// follows — unlike a depeg, which moves the market only. Drawn on its own stream, at the stated rate.
/// </summary>
public sealed class SlashingJumpTests
{
    private static readonly Domain.Snapshot Market = SyntheticSnapshot.Generate(400, seed: 3);
    private static readonly GbmModel Weth = new(["WETH"], [0], [0.01], new double[,] { { 1 } });

    [Fact]
    public void Slashings_occur_at_the_stated_rate_per_step_and_leave_the_base_paths_and_the_depeg_jumps_unchanged()
    {
        var depegOnly = new StressSettings(Horizon: 10, Seed: 3, Depegs: [DepegJump.Parse("wstETH=5%:-8%")]);
        var both = depegOnly with { Slashings = [SlashingJump.Parse("wstETH=2%:-5%")] };
        var assets = new StressRunner.JumpAssets([SyntheticSnapshot.WstEth], [SyntheticSnapshot.WstEth]);
        var cuts = 0;
        const int paths = 3000;
        for (var i = 0; i < paths; i++)
        {
            var a = StressRunner.PathScenario(Weth, depegOnly, [SyntheticSnapshot.Weth], i, null, assets);
            var b = StressRunner.PathScenario(Weth, both, [SyntheticSnapshot.Weth], i, null, assets);
            for (var s = 0; s < 10; s++)
            {
                // The base move and the depeg jumps first, as without the slashing; then each cut, on the market and the ratio.
                Assert.Equal(a.Steps[s].Shocks, b.Steps[s].Shocks.Take(a.Steps[s].Shocks.Count));
                var extra = b.Steps[s].Shocks.Skip(a.Steps[s].Shocks.Count).ToList();
                Assert.Equal(extra, b.Steps[s].Ratios);
                Assert.All(extra, x => Assert.Equal(new AssetShock(SyntheticSnapshot.WstEth, -0.05m), x));
                cuts += extra.Count;
            }
        }
        var n = paths * 10.0;
        var se = Math.Sqrt(0.02 * 0.98 / n);
        Assert.True(Math.Abs(cuts / n - 0.02) <= 3 * se, $"{cuts / n:P2} of steps slashed");
    }

    [Fact]
    public void A_slashing_moves_the_oracle_and_liquidates_where_a_depeg_of_the_same_size_does_not_on_both_paths()
    {
        var snapshot = SyntheticSnapshot.Generate(1200, 4, poolDepthUsdPerPosition: 20_000);
        var depeg = new Scenario("depeg", [new ShockStep([new AssetShock(SyntheticSnapshot.WstEth, -0.25m)])]);
        var slash = new Scenario("slash", [new ShockStep([new AssetShock(SyntheticSnapshot.WstEth, -0.25m)], [new AssetShock(SyntheticSnapshot.WstEth, -0.25m)])]);

        var (exactDepeg, fastDepeg) = FastExactComparison.Run(snapshot, depeg);
        var (exactSlash, fastSlash) = FastExactComparison.Run(snapshot, slash);

        var wst = snapshot.Asset(SyntheticSnapshot.WstEth);
        Assert.Equal(wst.PriceUsd, Oracle(exactDepeg));
        var cut = Oracle(exactSlash);
        Assert.InRange((double)cut / (double)wst.PriceUsd, 0.75 - 1e-8, 0.75 + 1e-8);
        Assert.True(exactSlash.Totals.Liquidations > exactDepeg.Totals.Liquidations,
            $"slashing {exactSlash.Totals.Liquidations} liquidations, depeg {exactDepeg.Totals.Liquidations}");
        // The fast path agrees on both (the slashed ratio is floored on the exact path only: 1e-9 relative still holds).
        FastExactComparison.AssertSame(snapshot, exactSlash, fastSlash);
        Assert.Equal(exactDepeg.Totals.Liquidations, fastDepeg.Liquidations);
        FastExactComparison.AssertRelative(exactDepeg.Totals.BadDebtUsd, fastDepeg.BadDebtUsd);

        System.Numerics.BigInteger Oracle(CascadeResult r) => r.PricePath.Single(p => p.Asset == SyntheticSnapshot.WstEth).OraclePriceUsd[0];
    }

    [Fact]
    public void The_slashing_family_adds_bad_debt_beyond_the_depeg_and_the_exact_re_run_still_agrees()
    {
        var settings = new StressSettings(Paths: 200, Horizon: 6, Seed: 8, TopK: 3, BootstrapSamples: 1);
        var depegged = StressRunner.Run(Market, Weth, settings with { Depegs = [DepegJump.Parse("wstETH=30%:-15%")] });
        var slashed = StressRunner.Run(Market, Weth, settings with { Slashings = [SlashingJump.Parse("wstETH=30%:-15%")] });
        Assert.True(slashed.Baseline.Statistics.MeanLiquidatedValue > depegged.Baseline.Statistics.MeanLiquidatedValue,
            $"mean liquidated {slashed.Baseline.Statistics.MeanLiquidatedValue} slashed, {depegged.Baseline.Statistics.MeanLiquidatedValue} depegged");
        Assert.All(slashed.Baseline.WorstPaths, p => Assert.True(p.ExactAgrees, $"path {p.Path}: fast {p.BadDebtUsd:R}, exact {p.ExactBadDebtUsd:R}"));
        Assert.Contains(slashed.Baseline.WorstPaths, p => p.DepegJumps is { } j && j.Any(x => x.Contains("slashed", StringComparison.Ordinal)));
        Assert.Equal(new SlashingJump("wstETH", 0.3, -0.15m), Assert.Single(slashed.Slashings!));
    }

    [Theory]
    [InlineData("WETH=2%:-5%", "market-feed oracle")]
    [InlineData("wstETH=2%:5%", "must be a fall")]
    [InlineData("wstETH=2%", "is not ASSET=P%:C%")]
    [InlineData("DOGE=2%:-5%", "not in the snapshot")]
    public void A_malformed_slashing_is_refused_in_one_line(string spec, string expected)
    {
        var ex = Assert.Throws<DefiRiskException>(() =>
            StressRunner.Run(Market, Weth, new StressSettings(Paths: 2, Horizon: 1, Slashings: [SlashingJump.Parse(spec)])));
        Assert.Contains(expected, ex.Message);
        Assert.DoesNotContain("\n", ex.Message);
    }
}
