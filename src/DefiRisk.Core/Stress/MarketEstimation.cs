namespace DefiRisk.Core.Stress;

/// <summary>
/// Fits the path models to log returns on the simulation's step grid (<see cref="PriceHistory.LogReturns"/>).
/// Volatility: the sample standard deviation of the log returns (n − 1). Correlation: Pearson, of the log returns (GBM)
/// or of the GARCH-standardised residuals (GARCH). Drift is NOT estimated: a mean over a 30-day window is mostly noise
/// and would tilt every path; paths are driftless martingales (μ = 0) unless a model is built with a drift.
/// GARCH(1,1): variance targeting (ω = s²·(1 − α − β), s² the sample variance) with (α, β) maximising the Gaussian
/// quasi-likelihood over a grid (α 0.01…0.30, β 0.50…0.99, α + β ≤ 0.995, step 0.01).
/// </summary>
public static class MarketEstimation
{
    public static double[] Volatilities(double[][] returns)
    {
        var n = returns[0].Length;
        var vol = new double[n];
        for (var a = 0; a < n; a++) vol[a] = Math.Sqrt(Variance(returns, a));
        return vol;
    }

    public static double[,] Correlation(double[][] x)
    {
        var n = x[0].Length;
        var mean = new double[n];
        for (var a = 0; a < n; a++) mean[a] = x.Average(r => r[a]);
        var c = new double[n, n];
        for (var a = 0; a < n; a++)
            for (var b = 0; b <= a; b++)
            {
                double sab = 0, saa = 0, sbb = 0;
                foreach (var r in x)
                {
                    var da = r[a] - mean[a];
                    var db = r[b] - mean[b];
                    sab += da * db; saa += da * da; sbb += db * db;
                }
                c[a, b] = c[b, a] = a == b ? 1 : saa == 0 || sbb == 0 ? 0 : sab / Math.Sqrt(saa * sbb);
            }
        return c;
    }

    public static GbmModel Gbm(IReadOnlyList<string> assets, double[][] returns) =>
        new(assets, new double[assets.Count], Volatilities(returns), Correlation(returns));

    public static GarchModel Garch(IReadOnlyList<string> assets, double[][] returns)
    {
        var n = assets.Count;
        double[] omega = new double[n], alpha = new double[n], beta = new double[n], h0 = new double[n];
        var residuals = returns.Select(_ => new double[n]).ToArray();
        for (var a = 0; a < n; a++)
        {
            var column = returns.Select(r => r[a]).ToArray();
            var fit = FitGarch(column);
            (omega[a], alpha[a], beta[a], h0[a]) = (fit.Omega, fit.Alpha, fit.Beta, fit.NextVariance);
            for (var t = 0; t < column.Length; t++) residuals[t][a] = fit.Standardised[t];
        }
        return new GarchModel(assets, omega, alpha, beta, h0, Correlation(residuals));
    }

    /// <summary>One asset's GARCH(1,1) fit: parameters, the conditional variance after the last return, standardised residuals.</summary>
    public sealed record GarchFit(double Omega, double Alpha, double Beta, double NextVariance, double[] Standardised, double LogLikelihood);

    public static GarchFit FitGarch(double[] r)
    {
        var mean = r.Average();
        var e = r.Select(x => x - mean).ToArray();
        var s2 = e.Sum(x => x * x) / Math.Max(1, e.Length - 1);
        if (s2 == 0) return new GarchFit(0, 0, 0, 0, new double[r.Length], 0);
        GarchFit? best = null;
        for (var ai = 1; ai <= 30; ai++)
            for (var bi = 50; bi <= 99; bi++)
            {
                double alpha = ai / 100.0, beta = bi / 100.0;
                if (alpha + beta > 0.995) continue;
                var fit = Filter(e, s2 * (1 - alpha - beta), alpha, beta, s2);
                if (best is null || fit.LogLikelihood > best.LogLikelihood) best = fit;
            }
        return best!;
    }

    private static GarchFit Filter(double[] e, double omega, double alpha, double beta, double h0)
    {
        var h = h0;
        double ll = 0;
        var z = new double[e.Length];
        foreach (var (x, t) in e.Select((x, t) => (x, t)))
        {
            ll += -0.5 * (Math.Log(h) + x * x / h);
            z[t] = x / Math.Sqrt(h);
            h = omega + alpha * x * x + beta * h;
        }
        return new GarchFit(omega, alpha, beta, h, z, ll);
    }

    private static double Variance(double[][] returns, int a)
    {
        var m = returns.Average(r => r[a]);
        return returns.Sum(r => (r[a] - m) * (r[a] - m)) / Math.Max(1, returns.Length - 1);
    }
}
