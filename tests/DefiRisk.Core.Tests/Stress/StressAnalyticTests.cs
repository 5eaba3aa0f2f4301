using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Stress;
using DefiRisk.Core.Tests.Analysis;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Stress;

/// <summary>
/// Issue 16's analytic check: one Aave position (1 WETH against 1,518 USDC, LT 82.5 %: liquidatable below exactly $1,840 =
/// 92 % of $2,000) and a pool so deep that its liquidation cannot move the price, WETH under GBM with a known drift and
/// volatility, 10,000 paths. The share of paths on which it is liquidated within 24 steps is the first-passage probability
/// of a discretely monitored GBM (continuous formula with the Broadie–Glasserman–Kou barrier shift e^(−0.5826·σ·√Δt));
/// the share liquidated by a single move over the whole horizon is the end-of-horizon probability. Both within 3 standard errors.
/// </summary>
public sealed class StressAnalyticTests
{
    private const double S0 = 2000, Barrier = 1840, Mu = -0.002, Sigma = 0.02;
    private const int Steps = 24, Paths = 10_000;

    private static Snapshot OnePosition() =>
        MiniMarket.Build([Account(1, Coll(Weth, Units("1", 18)), Debt(Usdc, Units("1518", 6)))],
            pools: [new UniswapV2Pool(A(0xd0), Usdc, Weth, Units("2000000000", 6), Units("1000000", 18))]);

    private static StressResult Run(IPathModel model, int horizon) =>
        StressRunner.Run(OnePosition(), model, new StressSettings(Paths: Paths, Horizon: horizon, Seed: 7, TopK: 1, BootstrapSamples: 1));

    [Fact]
    public void The_share_of_paths_liquidated_within_the_horizon_is_the_discretely_monitored_first_passage_probability()
    {
        var result = Run(new GbmModel(["WETH"], [Mu], [Sigma], new double[,] { { 1 } }), Steps);

        var shifted = Barrier * Math.Exp(-0.5826 * Sigma * Math.Sqrt(1.0)); // Δt = one step
        var expected = FirstPassage(S0, shifted, Mu - Sigma * Sigma / 2, Sigma, Steps);
        var measured = result.Baseline.Statistics.ProbabilityOfLiquidation;
        var se = Math.Sqrt(expected * (1 - expected) / Paths);
        Assert.True(Math.Abs(measured - expected) <= 3 * se, $"liquidated on {measured:P2} of paths; first passage {expected:P2} ± {3 * se:P2}");
        // The correction matters at this size: the uncorrected continuous barrier is outside the band.
        var continuous = FirstPassage(S0, Barrier, Mu - Sigma * Sigma / 2, Sigma, Steps);
        Assert.True(Math.Abs(measured - continuous) > 3 * se, $"continuous monitoring {continuous:P2} should not match {measured:P2}");
    }

    [Fact]
    public void The_share_liquidated_by_the_whole_horizon_move_at_once_is_the_end_of_horizon_probability()
    {
        // One step carrying the horizon's move: drift μ·T and volatility σ·√T per step.
        var result = Run(new GbmModel(["WETH"], [Mu * Steps], [Sigma * Math.Sqrt(Steps)], new double[,] { { 1 } }), 1);

        var nu = Mu - Sigma * Sigma / 2;
        var expected = Phi((Math.Log(Barrier / S0) - nu * Steps) / (Sigma * Math.Sqrt(Steps)));
        var measured = result.Baseline.Statistics.ProbabilityOfLiquidation;
        var se = Math.Sqrt(expected * (1 - expected) / Paths);
        Assert.True(Math.Abs(measured - expected) <= 3 * se, $"liquidated on {measured:P2} of paths; P(S_T < barrier) {expected:P2} ± {3 * se:P2}");
    }

    /// <summary>P(min over [0, T] of S ≤ H), S a GBM from s0 with log drift ν and volatility σ (reflection principle), H &lt; s0.</summary>
    internal static double FirstPassage(double s0, double h, double nu, double sigma, double t)
    {
        var x = Math.Log(h / s0);
        var sd = sigma * Math.Sqrt(t);
        return Phi((x - nu * t) / sd) + Math.Exp(2 * nu * x / (sigma * sigma)) * Phi((x + nu * t) / sd);
    }

    /// <summary>Standard normal CDF (erfc by Numerical Recipes' Chebyshev fit, relative error below 1.2e-7).</summary>
    internal static double Phi(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    private static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + 0.5 * z);
        var r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
            t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
