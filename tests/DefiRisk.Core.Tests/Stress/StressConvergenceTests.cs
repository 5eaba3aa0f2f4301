using DefiRisk.Core.Stress;

namespace DefiRisk.Core.Tests.Stress;

/// <summary>
/// Issue 16, convergence: the reported standard errors of VaR99 and ES99 match the actual spread of those estimates over
/// independent runs, and a path count too low for a quantile is said.
/// </summary>
public sealed class StressConvergenceTests
{
    private const int Paths = 2000, Runs = 400;

    /// <summary>Exponential(1) losses: VaR99 = ln 100, and the tail beyond it is VaR99 + Exponential(1).</summary>
    private static double[] Losses(Random random, int n) => Enumerable.Range(0, n).Select(_ => -Math.Log(1 - random.NextDouble())).ToArray();

    private static (double[] Estimates, double[] Errors) Repeat(Func<double[], double> estimate, Func<StressConvergence, double?> error)
    {
        var random = new Random(16);
        var estimates = new double[Runs];
        var errors = new double[Runs];
        for (var r = 0; r < Runs; r++)
        {
            var losses = Losses(random, Paths);
            var sorted = (double[])losses.Clone();
            Array.Sort(sorted);
            estimates[r] = estimate(sorted);
            errors[r] = error(StressConvergence.Of(losses))!.Value;
        }
        return (estimates, errors);
    }

    private static double StandardDeviation(double[] x)
    {
        var mean = x.Average();
        return Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1));
    }

    [Fact]
    public void The_standard_error_of_var99_matches_the_spread_of_var99_over_independent_runs_and_the_asymptotic_value()
    {
        var (estimates, errors) = Repeat(s => StressRunner.Quantile(s, 0.99), c => c.Var99StandardError);
        var spread = StandardDeviation(estimates);
        // Asymptotic: √(q(1−q)/N) / f(VaR_q), f = 1 − q for Exponential(1).
        var asymptotic = Math.Sqrt(0.99 * 0.01 / Paths) / 0.01;
        Assert.InRange(spread / asymptotic, 0.85, 1.15);
        Assert.InRange(errors.Average() / spread, 0.8, 1.2);
    }

    [Fact]
    public void The_standard_error_of_es99_matches_the_spread_of_es99_over_independent_runs()
    {
        var (estimates, errors) = Repeat(s =>
        {
            var k = StressRunner.Rank(s.Length, 0.99);
            return s[k..].Average();
        }, c => c.Es99StandardError);
        Assert.InRange(errors.Average() / StandardDeviation(estimates), 0.8, 1.2);
    }

    [Theory]
    [InlineData(150, true, true)]
    [InlineData(200, false, true)]
    [InlineData(999, false, true)]
    [InlineData(1000, false, false)]
    public void A_quantile_with_fewer_than_10_paths_beyond_it_is_flagged_with_the_paths_it_needs(int paths, bool p95, bool p99)
    {
        var c = StressConvergence.Of(Losses(new Random(1), paths));
        Assert.Equal(p95, c.Warnings.Any(w => w.StartsWith("p95", StringComparison.Ordinal) && w.Contains("at least 200 paths")));
        Assert.Equal(p99, c.Warnings.Any(w => w.StartsWith("p99", StringComparison.Ordinal) && w.Contains("at least 1000 paths")));
        Assert.Equal(paths - (int)Math.Ceiling(0.99 * paths - 1e-9), c.TailPaths99);
    }

    [Fact]
    public void A_tail_of_equal_losses_has_no_spread_to_report()
    {
        var c = StressConvergence.Of(new double[5000]);
        Assert.Equal(0, c.Var99StandardError);
        Assert.Equal(0, c.Es99StandardError);
    }
}
