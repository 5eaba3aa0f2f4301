namespace DefiRisk.Core.Stress;

/// <summary>
/// How precise one side's tail figures are for the number of paths run, and whether that number is too low for the
/// quantiles asked for. Standard errors (USD):
/// <list type="bullet">
/// <item>VaR_q: distribution-free, from the order statistics around rank N·q: the ranks N·q ± 1.96·√(N·q·(1−q)) bound a
/// 95 % interval of the quantile (the number of losses below it is Binomial(N, q)); SE = the interval's width / (2·1.96).
/// Zero when the losses there are all equal (e.g. no bad debt in the tail).</item>
/// <item>ES_q: the asymptotic variance of the tail-mean estimator, [Var(L | L ≥ VaR_q) + q·(ES_q − VaR_q)²] / (N·(1−q)),
/// the first term the tail's own spread, the second what the quantile's uncertainty adds.</item>
/// </list>
/// A quantile is <em>too low on paths</em> when fewer than <see cref="MinimumTailPaths"/> paths lie beyond it
/// (N·(1−q) &lt; 10): its VaR is then one of a handful of paths and its ES an average of as few.
/// </summary>
public sealed record StressConvergence(double? Var95StandardError, double? Var99StandardError, double? Es99StandardError,
    int TailPaths95, int TailPaths99, IReadOnlyList<string> Warnings)
{
    /// <summary>Paths a quantile needs beyond it to be estimated at all.</summary>
    public const int MinimumTailPaths = 10;

    /// <summary>The convergence of the bad-debt figures of one side from its per-path losses (any order).</summary>
    public static StressConvergence Of(double[] losses)
    {
        var sorted = (double[])losses.Clone();
        Array.Sort(sorted);
        var n = sorted.Length;
        var warnings = new List<string>();
        foreach (var q in new[] { 0.95, 0.99 })
        {
            var tail = TailPaths(n, q);
            if (tail < MinimumTailPaths)
                warnings.Add($"p{q * 100:0}: {n} paths leave {tail} beyond the quantile; at least {PathsFor(q)} paths are needed ({MinimumTailPaths} beyond it)");
        }
        return new StressConvergence(VarStandardError(sorted, 0.95), VarStandardError(sorted, 0.99), EsStandardError(sorted, 0.99),
            TailPaths(n, 0.95), TailPaths(n, 0.99), warnings);
    }

    /// <summary>Paths ranked beyond the q-quantile (rank ⌈q·N⌉, the VaR convention of <see cref="StressRunner.Conventions"/>).</summary>
    public static int TailPaths(int n, double q) => n - (int)Math.Ceiling(q * n - 1e-9);

    /// <summary>The fewest paths with <see cref="MinimumTailPaths"/> beyond the q-quantile.</summary>
    public static int PathsFor(double q) => (int)Math.Ceiling(MinimumTailPaths / (1 - q) - 1e-9);

    /// <summary>SE of VaR_q from the order statistics at ranks N·q ± 1.96·√(N·q·(1−q)), clamped to the sample.</summary>
    public static double? VarStandardError(double[] sorted, double q)
    {
        var n = sorted.Length;
        if (n < 2) return null;
        var half = 1.96 * Math.Sqrt(n * q * (1 - q));
        var lo = Math.Clamp((int)Math.Floor(n * q - half) - 1, 0, n - 1);
        var hi = Math.Clamp((int)Math.Ceiling(n * q + half) - 1, 0, n - 1);
        return (sorted[hi] - sorted[lo]) / (2 * 1.96);
    }

    /// <summary>SE of ES_q (mean of the losses ranked at or beyond VaR_q).</summary>
    public static double? EsStandardError(double[] sorted, double q)
    {
        var n = sorted.Length;
        var k = StressRunner.Rank(n, q);
        var tail = n - k;
        if (tail < 2) return null;
        var var = sorted[k];
        double mean = 0;
        for (var i = k; i < n; i++) mean += sorted[i];
        mean /= tail;
        double ss = 0;
        for (var i = k; i < n; i++) ss += (sorted[i] - mean) * (sorted[i] - mean);
        var tailVariance = ss / (tail - 1);
        return Math.Sqrt((tailVariance + q * (mean - var) * (mean - var)) / (n * (1 - q)));
    }
}
