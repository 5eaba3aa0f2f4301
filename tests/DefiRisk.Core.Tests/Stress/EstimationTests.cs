using System.Globalization;
using System.Text;
using DefiRisk.Core.Stress;

namespace DefiRisk.Core.Tests.Stress;

/// <summary>Issue 16: parameters estimated from a price history recover the generating ones; the replay replays.</summary>
public sealed class EstimationTests
{
    /// <summary>A CSV history (timestamp,asset,price) of a GBM path per asset, hourly, from the model's own generator.</summary>
    private static string Csv(IPathModel model, int returns, long seed, int jitterSeconds = 0)
    {
        var r = Enumerable.Range(0, returns).Select(_ => new double[model.Assets.Count]).ToArray();
        model.Generate(seed, 0, r);
        var text = new StringBuilder("timestamp,asset,price\n");
        var price = Enumerable.Repeat(1000.0, model.Assets.Count).ToArray();
        const long t0 = 1_700_000_000;
        for (var t = 0; t <= returns; t++)
            for (var a = 0; a < model.Assets.Count; a++)
            {
                if (t > 0) price[a] *= Math.Exp(r[t - 1][a]);
                // Irregular rounds: an observation up to jitter seconds before the grid time is what the oracle shows there.
                var when = t0 + t * 3600L - (t == 0 ? 0 : (t * 37 + a * 11) % (jitterSeconds + 1));
                text.Append(CultureInfo.InvariantCulture, $"{when},{model.Assets[a]},{price[a]:R}\n");
            }
        return text.ToString();
    }

    [Fact]
    public void The_volatility_estimated_from_a_generated_history_recovers_the_generating_volatility_within_three_standard_errors()
    {
        const double sigma = 0.012, rho = 0.6;
        const int n = 3000;
        var model = new GbmModel(["WETH", "WBTC"], [0, 0], [sigma, 2 * sigma], new double[,] { { 1, rho }, { rho, 1 } });
        var history = PriceHistory.ParseCsv(Csv(model, n, seed: 9, jitterSeconds: 600), "history.csv");

        var returns = history.LogReturns(["WETH", "WBTC"], 3600);
        // The grid ends at the last time every asset has been observed by: the jittered last round falls before hour n.
        Assert.InRange(returns.Length, n - 1, n);
        var fitted = MarketEstimation.Gbm(["WETH", "WBTC"], returns);
        var se = sigma / Math.Sqrt(2.0 * n); // sd of the sample standard deviation of n normals
        Assert.True(Math.Abs(fitted.Volatility[0] - sigma) <= 3 * se, $"σ̂ {fitted.Volatility[0]:R} vs {sigma} ± {3 * se:R}");
        Assert.True(Math.Abs(fitted.Volatility[1] - 2 * sigma) <= 3 * 2 * se, $"σ̂ {fitted.Volatility[1]:R} vs {2 * sigma}");
        var rhoSe = (1 - rho * rho) / Math.Sqrt(n);
        Assert.True(Math.Abs(fitted.Correlation[0, 1] - rho) <= 3 * rhoSe, $"ρ̂ {fitted.Correlation[0, 1]:R} vs {rho} ± {3 * rhoSe:R}");
    }

    [Fact]
    public void Resampling_to_a_longer_step_scales_the_variance_with_the_step()
    {
        const double sigma = 0.01;
        var model = new GbmModel(["WETH"], [0], [sigma], new double[,] { { 1 } });
        var history = PriceHistory.ParseCsv(Csv(model, 8000, seed: 4), "h.csv");
        var four = MarketEstimation.Volatilities(history.LogReturns(["WETH"], 4 * 3600))[0];
        var se = 2 * sigma / Math.Sqrt(2.0 * 2000);
        Assert.True(Math.Abs(four - 2 * sigma) <= 3 * se, $"4-hour σ̂ {four:R} vs {2 * sigma}");
    }

    [Fact]
    public void Garch_estimation_recovers_the_persistence_of_a_generated_garch_history()
    {
        var truth = new GarchModel(["WETH"], [1e-6], [0.10], [0.85], [2e-5], new double[,] { { 1 } });
        var r = Enumerable.Range(0, 6000).Select(_ => new double[1]).ToArray();
        truth.Generate(21, 0, r);
        var fit = MarketEstimation.Garch(["WETH"], r);
        Assert.InRange(fit.Alpha[0], 0.05, 0.15);
        Assert.InRange(fit.Alpha[0] + fit.Beta[0], 0.90, 0.99);
        // Variance targeting: the unconditional variance is the sample variance.
        var s2 = MarketEstimation.Volatilities(r)[0];
        Assert.Equal(s2 * s2, fit.Omega[0] / (1 - fit.Alpha[0] - fit.Beta[0]), 12);
    }

    [Fact]
    public void Historical_replay_has_one_path_per_window_and_replays_its_returns()
    {
        var rows = Enumerable.Range(0, 10).Select(i => new[] { i / 100.0, -i / 100.0 }).ToArray();
        var model = new HistoricalModel(["WETH", "WBTC"], rows);
        Assert.Equal(7, model.PathCount(10_000, 4));
        var r = Enumerable.Range(0, 4).Select(_ => new double[2]).ToArray();
        model.Generate(1, 3, r);
        Assert.Equal([0.03, -0.03], r[0]);
        Assert.Equal([0.06, -0.06], r[3]);
        Assert.Throws<DefiRiskException>(() => model.PathCount(10, 11));
    }

    [Fact]
    public void A_history_line_that_is_not_timestamp_asset_price_is_refused_with_its_line_number()
    {
        var ex = Assert.Throws<DefiRiskException>(() => PriceHistory.ParseCsv("timestamp,asset,price\n1700000000,WETH,2000\n1700003600,WETH\n", "h.csv"));
        Assert.StartsWith("h.csv:3:", ex.Message);
        ex = Assert.Throws<DefiRiskException>(() => PriceHistory.ParseCsv("1700000000,WETH,-5\n", "h.csv"));
        Assert.StartsWith("h.csv:1:", ex.Message);
    }
}
