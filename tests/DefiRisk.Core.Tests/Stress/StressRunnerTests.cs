using System.Text.Json;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Stress;

namespace DefiRisk.Core.Tests.Stress;

/// <summary>Issue 16: reproducible figures, the worst paths re-run exactly, the stated statistics, the paired bootstrap.</summary>
public sealed class StressRunnerTests
{
    private static readonly Snapshot Market = SyntheticSnapshot.Generate(400, seed: 3);

    private static GbmModel Volatile(double sigma = 0.04) =>
        new(["WETH", "WBTC"], [0, 0], [sigma, sigma * 0.8], new double[,] { { 1, 0.7 }, { 0.7, 1 } });

    private static string Json(StressResult r) => JsonSerializer.Serialize(r, new JsonSerializerOptions { WriteIndented = true });

    private static readonly string RaiseWethBonus = """{ "name": "raise WETH bonus", "aave-v3": { "reserves": { "WETH": { "liquidationBonus": "9%" } } } }""";

    [Fact]
    public void The_same_seed_gives_byte_identical_json_on_one_and_on_two_threads_and_another_seed_other_paths()
    {
        var proposal = CoreRegistry.ParseProposal(RaiseWethBonus, "test", Market);
        StressResult Run(long seed, int threads) =>
            StressRunner.Run(Market, Volatile(), new StressSettings(Paths: 300, Horizon: 8, Seed: seed, TopK: 2, BootstrapSamples: 200, Threads: threads), proposal: proposal);

        var one = Run(11, 1);
        var two = Run(11, 2);
        Assert.True(one.Baseline.Statistics.ProbabilityOfLiquidation > 0, "the paths must liquidate something for the check to mean anything");
        Assert.Equal(Json(one), Json(two));

        var other = Run(12, 2);
        Assert.NotEqual(Json(one), Json(other));
        Assert.NotEqual(one.Baseline.WorstPaths[0].Moves, other.Baseline.WorstPaths[0].Moves);
        var scenario = (long seed) => StressRunner.PathScenario(Volatile(), new StressSettings(Horizon: 8, Seed: seed), [SyntheticSnapshot.Weth, SyntheticSnapshot.Wbtc], 5);
        Assert.NotEqual(scenario(11).Steps[0].Shocks[0].Change, scenario(12).Steps[0].Shocks[0].Change);
        Assert.Equal(scenario(11).Steps[3].Shocks[1].Change, scenario(11).Steps[3].Shocks[1].Change);
    }

    [Fact]
    public void The_exact_re_run_of_the_worst_paths_agrees_with_the_fast_path_within_the_stated_tolerance()
    {
        var result = StressRunner.Run(Market, Volatile(0.06), new StressSettings(Paths: 300, Horizon: 8, Seed: 5, TopK: 5, BootstrapSamples: 1));

        Assert.Equal(5, result.Baseline.WorstPaths.Count);
        Assert.Contains(result.Baseline.WorstPaths, p => p.ExactLiquidatedValueUsd > 0);
        foreach (var p in result.Baseline.WorstPaths)
        {
            Assert.True(p.ExactAgrees, $"path {p.Path}: fast bad debt {p.BadDebtUsd:R} / liquidated {p.LiquidatedValueUsd:R}, exact {p.ExactBadDebtUsd:R} / {p.ExactLiquidatedValueUsd:R}");
            Assert.True(StressRunner.Close(p.ExactBadDebtUsd, p.BadDebtUsd) && StressRunner.Close(p.ExactLiquidatedValueUsd, p.LiquidatedValueUsd));
        }
        // Worst first: bad debt never rises down the list.
        for (var i = 1; i < result.Baseline.WorstPaths.Count; i++)
            Assert.True(result.Baseline.WorstPaths[i].BadDebtUsd <= result.Baseline.WorstPaths[i - 1].BadDebtUsd);
    }

    [Fact]
    public void Var_is_the_ceiling_rank_quantile_and_es99_the_mean_of_the_losses_ranked_at_or_beyond_it()
    {
        var losses = Enumerable.Range(1, 100).Select(i => (double)(101 - i)).ToArray(); // 100 … 1, unsorted
        var s = StressRunner.Statistics(losses, losses.Select(x => x * 2).ToArray());
        Assert.Equal(95, s.BadDebtVar95);
        Assert.Equal(99, s.BadDebtVar99);
        Assert.Equal(99.5, s.BadDebtEs99);
        Assert.Equal(190, s.LiquidationsAtRisk95);
        Assert.Equal(198, s.LiquidationsAtRisk99);
        Assert.Equal(1.0, s.ProbabilityOfBadDebt);
    }

    [Fact]
    public void The_bootstrap_calls_a_proposal_worse_only_when_its_interval_excludes_zero()
    {
        var rng = new PathRandom(1, 1);
        var baseline = Enumerable.Range(0, 2000).Select(_ => Math.Max(0, rng.NextNormal() * 1e6)).ToArray();
        var settings = new StressSettings(Seed: 3, BootstrapSamples: 500);

        var worse = StressRunner.Difference(baseline, baseline.Select(x => x + 50_000).ToArray(), settings);
        Assert.Equal("worse", worse.Verdict);
        Assert.InRange(worse.Var99Difference, 49_999, 50_001);
        Assert.True(worse.Low95 > 0);

        var better = StressRunner.Difference(baseline, baseline.Select(x => x * 0.5).ToArray(), settings);
        Assert.Equal("better", better.Verdict);
        Assert.True(better.High95 < 0);

        // Independent noise of the same law: the interval straddles 0.
        var rng2 = new PathRandom(2, 2);
        var same = Enumerable.Range(0, 2000).Select(_ => Math.Max(0, rng2.NextNormal() * 1e6)).ToArray();
        var none = StressRunner.Difference(baseline, same, settings);
        Assert.True(none.Low95 <= 0 && none.High95 >= 0, $"[{none.Low95}, {none.High95}]");
        Assert.Equal("no significant difference", none.Verdict);
    }

    [Fact]
    public void A_proposal_with_circuit_breakers_runs_on_the_same_paths_and_its_worst_paths_re_run_exactly_agree()
    {
        // A global cap, a minimum size, a pause with grace and a one-step WETH oracle delay: all four fast rules on every path.
        var proposal = CoreRegistry.ParseProposal("""
            { "name": "breakers", "breakers": { "liquidationCaps": [ { "scope": "global", "maxUsd": 150000, "windowSteps": 2 } ],
              "minLiquidationUsd": 500, "deviationPause": { "threshold": "6%", "windowSteps": 1, "pauseSteps": 1, "graceSteps": 1 },
              "oracleDelay": { "steps": 1, "assets": ["WETH"] } } }
            """, "test", Market);
        var settings = new StressSettings(Paths: 300, Horizon: 8, Seed: 5, TopK: 4, BootstrapSamples: 200);
        var result = StressRunner.Run(Market, Volatile(0.06), settings, proposal: proposal);

        Assert.NotNull(result.Proposal);
        Assert.NotEqual(result.Baseline.Statistics, result.Proposal!.Statistics);
        Assert.Contains("cap(global", result.ProposalBreakers);
        Assert.Contains(result.Proposal.WorstPaths, p => p.ExactLiquidatedValueUsd > 0);
        foreach (var p in result.Proposal.WorstPaths)
            Assert.True(p.ExactAgrees, $"path {p.Path}: fast bad debt {p.BadDebtUsd:R} / liquidated {p.LiquidatedValueUsd:R}, exact {p.ExactBadDebtUsd:R} / {p.ExactLiquidatedValueUsd:R}");
        // The same paths: on the proposal's worst path the baseline's fast figures are those of a baseline-only run.
        var alone = StressRunner.Run(Market, Volatile(0.06), settings);
        Assert.Equal(alone.Baseline.Statistics, result.Baseline.Statistics);
    }

    [Fact]
    public void Options_the_fast_path_cannot_run_are_refused_in_one_line()
    {
        var options = SimulationOptions.Default with { OracleModel = new EveryOtherRound() };
        var ex = Assert.Throws<DefiRiskException>(() => StressRunner.Run(Market, Volatile(), new StressSettings(Paths: 10, Horizon: 2), options));
        Assert.Contains("fixed lag per asset", ex.Message);
        Assert.DoesNotContain("\n", ex.Message);
    }

    /// <summary>An oracle that updates on even rounds only: no fixed lag, so exact-path only.</summary>
    private sealed class EveryOtherRound : IOracleModel
    {
        public int LagRounds => 1;
        public System.Numerics.BigInteger FeedPrice(IReadOnlyList<System.Numerics.BigInteger[]> marketHistory, int round, int asset, System.Numerics.BigInteger snapshotPrice) =>
            marketHistory[round - round % 2][asset];
    }

    [Fact]
    public void Batches_split_the_paths_into_independent_blocks_whose_figures_are_those_of_runs_of_those_paths()
    {
        var settings = new StressSettings(Paths: 800, Horizon: 8, Seed: 9, TopK: 1, BootstrapSamples: 1, Batches: 4);
        var result = StressRunner.Run(Market, Volatile(0.06), settings);
        var batches = result.Baseline.Batches!;
        Assert.Equal(4, batches.Count);
        Assert.Equal([0, 200, 400, 600], batches.Batches.Select(b => b.FirstPath));
        Assert.True(batches.Var99.Max > 0, "the paths must have bad debt for the check to mean anything");
        // Batch 0 holds paths 0…199: the same figures as a run of 200 paths on the same seed.
        var first = StressRunner.Run(Market, Volatile(0.06), settings with { Paths = 200, Batches = 1 });
        Assert.Equal(first.Baseline.Statistics.BadDebtVar99, batches.Batches[0].Var99);
        Assert.Equal(first.Baseline.Statistics.BadDebtEs99, batches.Batches[0].Es99);
        Assert.Equal(batches.Batches.Average(b => b.Var99), batches.Var99.Mean, 9);
        Assert.InRange(batches.Var99.StandardDeviation, 0, batches.Var99.Max - batches.Var99.Min);
        // Reproducible: one and two threads give the same JSON, batches included.
        Assert.Equal(Json(result), Json(StressRunner.Run(Market, Volatile(0.06), settings with { Threads = 1 })));
        Assert.Equal(Json(result), Json(StressRunner.Run(Market, Volatile(0.06), settings with { Threads = 2 })));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    public void A_batch_count_below_one_or_above_the_paths_is_refused_in_one_line(int batches)
    {
        var ex = Assert.Throws<DefiRiskException>(() => StressRunner.Run(Market, Volatile(), new StressSettings(Paths: 10, Horizon: 2, Batches: batches)));
        Assert.Contains("--batches", ex.Message);
    }

    [Fact]
    public void An_exchange_rate_asset_is_not_simulated_on_its_own_but_follows_its_base()
    {
        var model = new GbmModel(["wstETH"], [0], [0.01], new double[,] { { 1 } });
        var ex = Assert.Throws<DefiRiskException>(() => StressRunner.Run(Market, model, new StressSettings(Paths: 10, Horizon: 2)));
        Assert.Contains("follows WETH", ex.Message);

        var roles = StressRunner.Roles(Market, Volatile(), [0.04, 0.032]);
        Assert.Equal("follows WETH", roles.Single(r => r.Symbol == "wstETH").Moves);
        Assert.Equal("simulated", roles.Single(r => r.Symbol == "WBTC").Moves);
        Assert.Equal("held", roles.Single(r => r.Symbol == "DAI").Moves);
    }
}

/// <summary>The depeg family: jumps of an exchange-rate asset's market at the stated rate, on their own stream.</summary>
public sealed class DepegJumpTests
{
    private static readonly Domain.Snapshot Market = SyntheticSnapshot.Generate(400, seed: 3);
    private static readonly GbmModel Weth = new(["WETH"], [0], [0.01], new double[,] { { 1 } });

    [Fact]
    public void Jumps_occur_at_the_stated_rate_per_step_and_leave_the_base_paths_unchanged()
    {
        var depeg = DepegJump.Parse("wstETH=5%:-8%");
        var plain = new StressSettings(Horizon: 10, Seed: 3);
        var with = plain with { Depegs = [depeg] };
        var jumps = 0;
        const int paths = 2000;
        for (var i = 0; i < paths; i++)
        {
            var a = StressRunner.PathScenario(Weth, plain, [SyntheticSnapshot.Weth], i);
            var b = StressRunner.PathScenario(Weth, with, [SyntheticSnapshot.Weth], i, depegAssets: [SyntheticSnapshot.WstEth]);
            for (var s = 0; s < 10; s++)
            {
                Assert.Equal(a.Steps[s].Shocks[0], b.Steps[s].Shocks[0]);
                var extra = b.Steps[s].Shocks.Skip(1).ToList();
                Assert.All(extra, x => Assert.Equal(new Core.Analysis.AssetShock(SyntheticSnapshot.WstEth, -0.08m), x));
                jumps += extra.Count;
            }
        }
        var n = paths * 10.0;
        var se = Math.Sqrt(0.05 * 0.95 / n);
        Assert.True(Math.Abs(jumps / n - 0.05) <= 3 * se, $"{jumps / n:P2} of steps jumped");
    }

    [Fact]
    public void A_depeg_adds_bad_debt_at_market_prices_and_the_exact_path_still_agrees()
    {
        var settings = new StressSettings(Paths: 200, Horizon: 6, Seed: 8, TopK: 3, BootstrapSamples: 1);
        var plain = StressRunner.Run(Market, Weth, settings);
        var depegged = StressRunner.Run(Market, Weth, settings with { Depegs = [DepegJump.Parse("wstETH=50%:-20%")] });
        Assert.True(depegged.Baseline.Statistics.MeanBadDebt > plain.Baseline.Statistics.MeanBadDebt,
            $"mean bad debt {depegged.Baseline.Statistics.MeanBadDebt} with the depeg, {plain.Baseline.Statistics.MeanBadDebt} without");
        Assert.All(depegged.Baseline.WorstPaths, p => Assert.True(p.ExactAgrees, $"path {p.Path}: fast {p.BadDebtUsd:R}, exact {p.ExactBadDebtUsd:R}"));
        Assert.Contains(depegged.Baseline.WorstPaths, p => p.DepegJumps is { Count: > 0 });
    }

    [Theory]
    [InlineData("WETH=2%:-8%", "market-feed oracle")]
    [InlineData("wstETH=2%:8%", "must be a fall")]
    [InlineData("wstETH=0.02:-8%", "no unit")]
    [InlineData("wstETH-2%", "is not ASSET=P%:J%")]
    public void A_malformed_depeg_is_refused_in_one_line(string spec, string expected)
    {
        var ex = Assert.Throws<DefiRiskException>(() =>
            StressRunner.Run(Market, Weth, new StressSettings(Paths: 2, Horizon: 1, Depegs: [DepegJump.Parse(spec)])));
        Assert.Contains(expected, ex.Message);
    }
}
