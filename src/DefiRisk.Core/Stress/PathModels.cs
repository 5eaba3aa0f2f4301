namespace DefiRisk.Core.Stress;

/// <summary>
/// Generates the log returns of correlated assets along one path: <c>returns[step][asset]</c> for steps 0 … horizon−1,
/// from its own <see cref="PathRandom"/> of (seed, path) only. Parameters are per step of the simulation's length.
/// </summary>
public interface IPathModel
{
    string Name { get; }

    /// <summary>The assets (symbols) in the order of the returns' columns.</summary>
    IReadOnlyList<string> Assets { get; }

    /// <summary>The paths a run of <paramref name="requested"/> paths gets (a replay has as many as its history's windows).</summary>
    int PathCount(int requested, int horizon) => requested;

    void Generate(long seed, int path, double[][] returns);
}

/// <summary>
/// Correlated geometric Brownian motion: per step, log return = (μ − σ²/2) + σ·(L z), z independent standard normals and
/// L the Cholesky factor of <see cref="Correlation"/>; μ the drift of the price per step (E[S₁/S₀] = e^μ), σ the volatility
/// per step.
/// </summary>
public sealed class GbmModel : IPathModel
{
    private readonly double[,] _chol;

    public GbmModel(IReadOnlyList<string> assets, double[] drift, double[] volatility, double[,] correlation)
    {
        if (drift.Length != assets.Count || volatility.Length != assets.Count || correlation.GetLength(0) != assets.Count)
            throw new DefiRiskException("GBM: one drift, volatility and correlation row per asset");
        Assets = assets; Drift = drift; Volatility = volatility; Correlation = correlation;
        _chol = Linear.Cholesky(correlation);
    }

    public string Name => "gbm";
    public IReadOnlyList<string> Assets { get; }
    public double[] Drift { get; }
    public double[] Volatility { get; }
    public double[,] Correlation { get; }

    public void Generate(long seed, int path, double[][] returns)
    {
        var rng = new PathRandom(seed, path);
        var n = Assets.Count;
        Span<double> z = stackalloc double[n];
        foreach (var row in returns)
        {
            for (var a = 0; a < n; a++) z[a] = rng.NextNormal();
            for (var a = 0; a < n; a++)
            {
                double e = 0;
                for (var b = 0; b <= a; b++) e += _chol[a, b] * z[b];
                row[a] = Drift[a] - 0.5 * Volatility[a] * Volatility[a] + Volatility[a] * e;
            }
        }
    }
}

/// <summary>
/// Correlated GARCH(1,1): per asset hₜ₊₁ = ω + α·εₜ² + β·hₜ, εₜ = √hₜ·(L z)ₜ with L the Cholesky factor of the
/// standardised residuals' correlation; log return = −hₜ/2 + εₜ (a martingale price). Every path starts from
/// <see cref="InitialVariance"/> (the fitted history's last conditional variance: paths start in today's regime).
/// </summary>
public sealed class GarchModel : IPathModel
{
    private readonly double[,] _chol;

    public GarchModel(IReadOnlyList<string> assets, double[] omega, double[] alpha, double[] beta, double[] initialVariance, double[,] correlation)
    {
        Assets = assets; Omega = omega; Alpha = alpha; Beta = beta; InitialVariance = initialVariance; Correlation = correlation;
        for (var a = 0; a < assets.Count; a++)
            if (!(omega[a] >= 0) || !(alpha[a] >= 0) || !(beta[a] >= 0) || alpha[a] + beta[a] >= 1)
                throw new DefiRiskException($"GARCH({assets[a]}): need ω ≥ 0, α ≥ 0, β ≥ 0 and α + β < 1");
        _chol = Linear.Cholesky(correlation);
    }

    public string Name => "garch";
    public IReadOnlyList<string> Assets { get; }
    public double[] Omega { get; }
    public double[] Alpha { get; }
    public double[] Beta { get; }
    public double[] InitialVariance { get; }
    public double[,] Correlation { get; }

    public void Generate(long seed, int path, double[][] returns)
    {
        var rng = new PathRandom(seed, path);
        var n = Assets.Count;
        Span<double> z = stackalloc double[n];
        Span<double> h = stackalloc double[n];
        InitialVariance.CopyTo(h);
        foreach (var row in returns)
        {
            for (var a = 0; a < n; a++) z[a] = rng.NextNormal();
            for (var a = 0; a < n; a++)
            {
                double e = 0;
                for (var b = 0; b <= a; b++) e += _chol[a, b] * z[b];
                var eps = Math.Sqrt(h[a]) * e;
                row[a] = -0.5 * h[a] + eps;
                h[a] = Omega[a] + Alpha[a] * eps * eps + Beta[a] * h[a];
            }
        }
    }
}

/// <summary>
/// Historical replay: path i replays the returns of the history's i-th window of horizon consecutive steps (windows
/// slide by one step), all assets together, so their joint moves are the history's own. As many paths as windows.
/// </summary>
public sealed class HistoricalModel(IReadOnlyList<string> assets, double[][] returns) : IPathModel
{
    public string Name => "historical";
    public IReadOnlyList<string> Assets { get; } = assets;
    public double[][] Returns { get; } = returns;

    public int PathCount(int requested, int horizon) =>
        Returns.Length >= horizon ? Returns.Length - horizon + 1
            : throw new DefiRiskException($"historical replay: the history holds {Returns.Length} returns, fewer than the horizon of {horizon} steps");

    public void Generate(long seed, int path, double[][] returns)
    {
        for (var s = 0; s < returns.Length; s++) Returns[path + s].AsSpan().CopyTo(returns[s]);
    }
}

/// <summary>Small dense linear algebra for correlation matrices.</summary>
public static class Linear
{
    /// <summary>
    /// Lower Cholesky factor of a correlation matrix. A matrix that is not positive definite (estimated from few or
    /// collinear returns) is shrunk toward the identity until it is — (1−λ)·C + λ·I, λ = 1e-6, 1e-5 … — never silently
    /// replaced.
    /// </summary>
    public static double[,] Cholesky(double[,] c)
    {
        var n = c.GetLength(0);
        if (c.GetLength(1) != n) throw new DefiRiskException("correlation matrix must be square");
        for (var lambda = 0.0; lambda <= 1; lambda = lambda == 0 ? 1e-6 : lambda * 10)
        {
            var l = new double[n, n];
            var ok = true;
            for (var i = 0; i < n && ok; i++)
                for (var j = 0; j <= i; j++)
                {
                    var s = (1 - lambda) * c[i, j] + (i == j ? lambda : 0);
                    for (var k = 0; k < j; k++) s -= l[i, k] * l[j, k];
                    if (i == j)
                    {
                        if (!(s > 0)) { ok = false; break; }
                        l[i, i] = Math.Sqrt(s);
                    }
                    else l[i, j] = s / l[j, j];
                }
            if (ok) return l;
        }
        throw new DefiRiskException("correlation matrix is not a correlation matrix (no Cholesky factor)");
    }
}
