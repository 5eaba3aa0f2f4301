using System.Globalization;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Breakers;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Proposals;

namespace DefiRisk.Core.Stress;

/// <summary>
/// Runs a snapshot (and optionally a proposal's world) along many price paths: path i's returns come from the model with
/// (seed, i) only, become a <see cref="Scenario"/> of <c>horizon</c> steps (step s's move of each simulated root feed as an
/// <see cref="AssetShock"/>, applied at round s; exchange-rate assets follow their base through their oracle and pools),
/// and each scenario runs the full cascade on the fast path, one <see cref="FastState"/> per worker. The worst paths are
/// re-run on the exact path and compared. Baseline and proposal run on the same paths (common random numbers).
/// </summary>
public static class StressRunner
{
    /// <summary>Fast vs exact on a worst path: |exact − fast| ≤ 1e-6 × max(|exact|, $1), for bad debt and liquidated value.</summary>
    public const double ExactTolerance = 1e-6;

    /// <summary>A path "has bad debt" above this (USD): one cent, below any float noise of the fast path.</summary>
    public const double BadDebtFloorUsd = 0.01;

    public const string Conventions =
        "VaR_q = the ceil(q*N)-th smallest path loss (bad debt = realised + unrealised, USD, at the end of each path's cascade); " +
        "ES99 = mean of the losses ranked at or beyond VaR99; LaR_q the same quantile of liquidated value; pBadDebt = share of paths with bad debt > $0.01, pLiquidation with liquidated value > $0.01; " +
        "var99Difference = proposal VaR99 - baseline VaR99 on the same paths, 95% interval by paired percentile bootstrap; " +
        "standard errors: VaR_q from the order statistics at ranks N*q +- 1.96*sqrt(N*q*(1-q)) (interval width / 3.92), ES99 from [Var(L | L >= VaR99) + 0.99*(ES99 - VaR99)^2] / (N*0.01); " +
        "a quantile with fewer than 10 paths beyond it is flagged as too few paths; " +
        "fast vs exact on the worst paths agree when |exact - fast| <= 1e-6 * max(|exact|, $1); " +
        "with --batches K, the paths split into K consecutive blocks of path numbers, each block's VaR95/VaR99/ES99 by the same conventions, with their mean, sample standard deviation and range";

    /// <summary>
    /// The snapshot's assets as a stress run moves them, given the symbols a model simulates: each must be a root feed
    /// (its oracle is a market feed); an exchange-rate asset follows its root; a root without returns is held.
    /// </summary>
    public static IReadOnlyList<StressAsset> Roles(Snapshot snapshot, IPathModel model, IReadOnlyList<double>? vol)
    {
        var simulated = model.Assets.Select(s => Resolve(snapshot, s)).ToList();
        return snapshot.Assets.Select(a =>
        {
            var root = Root(snapshot, a);
            var i = simulated.FindIndex(x => x.Address == a.Address);
            if (i >= 0) return new StressAsset(a.Symbol, "simulated", vol?[i]);
            if (root.Address != a.Address) return new StressAsset(a.Symbol, $"follows {root.Symbol}", null);
            return new StressAsset(a.Symbol, "held", null);
        }).ToList();
    }

    /// <summary>The market-feed asset an asset's oracle follows (itself for a market feed).</summary>
    public static Asset Root(Snapshot snapshot, Asset asset)
    {
        var a = asset;
        for (var guard = 0; guard <= snapshot.Assets.Count; guard++)
        {
            if (a.Oracle.Kind == OracleKind.Market || a.Oracle.BaseAsset is not { } b || snapshot.FindAsset(b) is not { } next) return a;
            a = next;
        }
        throw new DefiRiskException($"the oracle of {asset.Symbol} derives from itself through its bases");
    }

    private static Asset Resolve(Snapshot snapshot, string symbol)
    {
        var asset = snapshot.FindAsset(symbol) ?? throw new DefiRiskException($"stress: asset '{symbol}' is not in the snapshot");
        var root = Root(snapshot, asset);
        if (root.Address != asset.Address)
            throw new DefiRiskException($"stress: {asset.Symbol}'s oracle follows {root.Symbol}; simulate {root.Symbol} (an exchange-rate asset moves with its base)");
        return asset;
    }

    /// <summary>
    /// Runs the stress test. <paramref name="proposal"/>'s risk-parameter changes are applied to the snapshot and its circuit
    /// breakers and oracle delay to the options (<see cref="ProposalBreakers.Options"/>); both run on the fast path through
    /// their fast rules, and the worst paths re-run on the exact path with the same breakers.
    /// </summary>
    public static StressResult Run(Snapshot snapshot, IPathModel model, StressSettings settings, SimulationOptions? options = null,
        Proposal? proposal = null, IProgress<(int Done, int Total)>? progress = null)
    {
        options ??= SimulationOptions.Default;
        Validate(settings, options, "stress");
        if (proposal is not null && proposal.ChangesNothing(snapshot))
            throw new DefiRiskException($"proposal '{proposal.Name}' changes nothing: every parameter it names keeps its current value");
        var proposalOptions = proposal is null ? null : ProposalBreakers.Options(options, proposal, snapshot);
        return Run(snapshot, proposal is null ? null : (proposal.Name, ProposalApplier.Apply(snapshot, proposal)), model, settings, options, progress,
            proposalOptions);
    }

    /// <summary>One line when the settings or options cannot run (<paramref name="side"/> names whose options they are).</summary>
    private static void Validate(StressSettings settings, SimulationOptions options, string side)
    {
        if (settings.Horizon < 1) throw new DefiRiskException($"--horizon {settings.Horizon} must be at least 1 step");
        if (settings.Paths < 1) throw new DefiRiskException($"--paths {settings.Paths} must be at least 1");
        if (settings.TopK < 0) throw new DefiRiskException("top-k must not be negative");
        if (settings.Batches < 1 || settings.Batches > settings.Paths)
            throw new DefiRiskException($"--batches {settings.Batches} must be at least 1 and at most the number of paths ({settings.Paths})");
        if (FastPathSupport.WhyNot(options) is { } why) throw new DefiRiskException($"{side} runs on the fast path: {why}");
    }

    /// <summary>
    /// Runs the stress test on the baseline <paramref name="snapshot"/> and, when given, on a proposal's world: a snapshot
    /// of the same assets with other risk parameters (a proposal applied, or the state a governance payload left), on the
    /// same paths.
    /// </summary>
    /// <param name="proposalOptions">the proposal side's options (its breakers and oracle delay); null = the baseline's.</param>
    public static StressResult Run(Snapshot snapshot, (string Name, Snapshot World)? proposal, IPathModel model, StressSettings settings,
        SimulationOptions? options = null, IProgress<(int Done, int Total)>? progress = null, SimulationOptions? proposalOptions = null)
    {
        options ??= SimulationOptions.Default;
        Validate(settings, options, "stress");
        if (proposalOptions is not null) Validate(settings, proposalOptions, $"proposal '{proposal?.Name}'");
        // The round limit counts from the end of the path, so the last step's cascade can run out as a single shock's does.
        options = options with { MaxRounds = Math.Max(options.MaxRounds, settings.Horizon + options.MaxRounds) };
        var propOptions = (proposalOptions ?? options) with { MaxRounds = options.MaxRounds };
        var roots = model.Assets.Select(s => Resolve(snapshot, s).Address).ToArray();
        var depegAssets = (settings.Depegs ?? []).Select(d => DepegAsset(snapshot, d.Asset, "--depeg").Address).ToArray();
        var slashAssets = (settings.Slashings ?? []).Select(d => DepegAsset(snapshot, d.Asset, "--slash").Address).ToArray();
        var jumpAssets = new JumpAssets(depegAssets, slashAssets);
        var n = model.PathCount(settings.Paths, settings.Horizon);

        var baseModel = FastModel.Compile(snapshot, options.Numeraire);
        var baseFast = new FastCascade(baseModel, options);
        var proposalSnapshot = proposal?.World;
        var propModel = proposalSnapshot is null ? null : FastModel.Compile(proposalSnapshot, options.Numeraire);
        var propFast = propModel is null ? null : new FastCascade(propModel, propOptions);

        double[] baseBad = new double[n], baseLiq = new double[n];
        double[]? propBad = propModel is null ? null : new double[n], propLiq = propModel is null ? null : new double[n];
        var done = 0;
        var every = Math.Max(1, n / 100);
        FastWorkers.For(n, settings.Threads,
            () => (Base: new FastState(baseModel), Prop: propModel is null ? null : new FastState(propModel), Returns: NewReturns(settings.Horizon, roots.Length)),
            (i, local) =>
            {
                var scenario = PathScenario(model, settings, roots, (int)i, local.Returns, jumpAssets);
                local.Base.Reset(baseModel);
                var b = baseFast.Run(scenario, local.Base, collectSources: false);
                baseBad[i] = b.BadDebtUsd;
                baseLiq[i] = b.LiquidatedValueUsd;
                if (propFast is not null)
                {
                    local.Prop!.Reset(propModel!);
                    var p = propFast.Run(scenario, local.Prop, collectSources: false);
                    propBad![i] = p.BadDebtUsd;
                    propLiq![i] = p.LiquidatedValueUsd;
                }
                var d = Interlocked.Increment(ref done);
                if (progress is not null && (d % every == 0 || d == n)) progress.Report((d, n));
            });

        var baseline = Side("baseline", snapshot, model, settings, options, roots, jumpAssets, baseBad, baseLiq);
        StressSide? proposed = null;
        StressDifference? difference = null;
        if (propBad is not null)
        {
            proposed = Side(proposal!.Value.Name, proposalSnapshot!, model, settings, propOptions, roots, jumpAssets, propBad, propLiq!);
            difference = Difference(baseBad, propBad, settings);
        }
        var parameters = Parameters(model);
        return new StressResult(model.Name, n, settings.Horizon, settings.StepMinutes, settings.Seed, Conventions,
            Roles(snapshot, model, parameters.Volatility), parameters, baseline, proposed, difference, settings.Depegs,
            Slashings: settings.Slashings is { Count: > 0 } sl ? sl : null,
            ProposalBreakers: proposalOptions is { } po && (po.CircuitBreaker is not NoCircuitBreaker || !ReferenceEquals(po.OracleModel, options.OracleModel))
                ? $"circuit breaker {po.CircuitBreaker.Name}; oracle lag up to {po.OracleModel.LagRounds} step(s)" : null);
    }

    /// <summary>A depeg's or slashing's asset: an exchange-rate asset of the snapshot (a market feed's moves come from the price model).</summary>
    private static Asset DepegAsset(Snapshot snapshot, string symbol, string flag)
    {
        var asset = snapshot.FindAsset(symbol) ?? throw new DefiRiskException($"{flag}: asset '{symbol}' is not in the snapshot");
        if (Root(snapshot, asset).Address == asset.Address)
            throw new DefiRiskException(flag == "--slash"
                ? $"--slash: {asset.Symbol} has a market-feed oracle; a slashing cuts the exchange rate of an exchange-rate asset (its oracle is ratio × base)"
                : $"--depeg: {asset.Symbol} has a market-feed oracle; a depeg is of an exchange-rate asset (its market leaves ratio × base)");
        return asset;
    }

    /// <summary>The resolved assets of <see cref="StressSettings.Depegs"/> and <see cref="StressSettings.Slashings"/>, in order.</summary>
    public sealed record JumpAssets(IReadOnlyList<Address> Depegs, IReadOnlyList<Address> Slashings);

    private static double[][] NewReturns(int horizon, int assets) => Enumerable.Range(0, horizon).Select(_ => new double[assets]).ToArray();

    /// <summary>
    /// Path <paramref name="path"/> as a scenario: each step's moves of the root feeds, exact to a part per billion, then the
    /// depeg jumps that occur at that step (<paramref name="depegAssets"/>: the assets of <see cref="StressSettings.Depegs"/>, in order).
    /// </summary>
    public static Scenario PathScenario(IPathModel model, StressSettings settings, IReadOnlyList<Address> roots, int path, double[][]? returns = null,
        IReadOnlyList<Address>? depegAssets = null) =>
        PathScenario(model, settings, roots, path, returns, new JumpAssets(depegAssets ?? [], []));

    /// <summary>
    /// As above, with the slashings too (<paramref name="jumpAssets"/>.Slashings: the assets of <see cref="StressSettings.Slashings"/>):
    /// a slashing that occurs at a step cuts the asset's exchange-rate ratio (<see cref="ShockStep.RatioShocks"/>) and moves
    /// its market price by the same factor, after the depeg jumps.
    /// </summary>
    public static Scenario PathScenario(IPathModel model, StressSettings settings, IReadOnlyList<Address> roots, int path, double[][]? returns,
        JumpAssets jumpAssets)
    {
        returns ??= NewReturns(settings.Horizon, roots.Count);
        model.Generate(settings.Seed, path, returns);
        var steps = new ShockStep[returns.Length];
        var depegs = settings.Depegs ?? [];
        var slashings = settings.Slashings ?? [];
        // The jumps' own streams (stream ids ≥ 2^40 are never path numbers), so a depeg leaves the base paths as they were,
        // and a slashing (ids ≥ 2^41) the base paths and the depegs.
        var jumps = depegs.Count == 0 ? null : new PathRandom(settings.Seed, (1L << 40) + path);
        var cuts = slashings.Count == 0 ? null : new PathRandom(settings.Seed, (1L << 41) + path);
        for (var s = 0; s < returns.Length; s++)
        {
            var shocks = new List<AssetShock>(roots.Count + depegs.Count);
            List<AssetShock>? ratios = null;
            for (var a = 0; a < roots.Count; a++) shocks.Add(new AssetShock(roots[a], Change(returns[s][a])));
            for (var d = 0; d < depegs.Count; d++)
                if (jumps!.NextDouble() < depegs[d].Probability)
                    shocks.Add(new AssetShock(d < jumpAssets.Depegs.Count ? jumpAssets.Depegs[d] : throw new DefiRiskException("depeg assets not resolved"), depegs[d].Jump));
            for (var d = 0; d < slashings.Count; d++)
                if (cuts!.NextDouble() < slashings[d].Probability)
                {
                    var asset = d < jumpAssets.Slashings.Count ? jumpAssets.Slashings[d] : throw new DefiRiskException("slashing assets not resolved");
                    shocks.Add(new AssetShock(asset, slashings[d].Cut));
                    (ratios ??= []).Add(new AssetShock(asset, slashings[d].Cut));
                }
            steps[s] = new ShockStep(shocks, ratios);
        }
        return new Scenario(string.Create(CultureInfo.InvariantCulture, $"{model.Name} path {path}"), steps);
    }

    /// <summary>e^r − 1 rounded to a part per billion (the shock's own resolution), kept inside the simulator's range.</summary>
    private static decimal Change(double logReturn)
    {
        var change = Math.Clamp(Math.Exp(logReturn) - 1, -0.999999999, 10.0);
        return decimal.Round((decimal)change, 9, MidpointRounding.ToEven);
    }

    private static StressSide Side(string name, Snapshot snapshot, IPathModel model, StressSettings settings, SimulationOptions options,
        Address[] roots, JumpAssets jumpAssets, double[] bad, double[] liq)
    {
        var stats = Statistics(bad, liq);
        // Worst paths: most bad debt, then most liquidated value, then the lower path number (a total order: same list on any thread count).
        var worst = Enumerable.Range(0, bad.Length)
            .OrderByDescending(i => bad[i]).ThenByDescending(i => liq[i]).ThenBy(i => i)
            .Take(settings.TopK)
            .Select(i =>
            {
                var scenario = PathScenario(model, settings, roots, i, null, jumpAssets);
                var exact = CascadeSimulator.Simulate(snapshot, scenario, options);
                var agrees = Close(exact.Totals.BadDebtUsd, bad[i]) && Close(exact.Totals.LiquidatedValueUsd, liq[i]);
                // Per step: the root feeds' moves in model order; the depeg jumps (after them in a step) listed apart.
                var moves = scenario.Steps.Select(s => (IReadOnlyList<double>)s.Shocks.Take(roots.Length).Select(x => (double)x.Change).ToList()).ToList();
                var jumps = scenario.Steps.SelectMany((s, k) => s.Shocks.Skip(roots.Length).Take(s.Shocks.Count - roots.Length - s.Ratios.Count)
                    .Select(x => string.Create(CultureInfo.InvariantCulture, $"step {k}: {snapshot.Asset(x.Asset).Symbol} {x.Change:P2}"))
                    .Concat(s.Ratios.Select(x => string.Create(CultureInfo.InvariantCulture, $"step {k}: {snapshot.Asset(x.Asset).Symbol} slashed, ratio {x.Change:P2}"))))
                    .ToList();
                return new StressPath(i, bad[i], liq[i], exact.Totals.BadDebtUsd, exact.Totals.LiquidatedValueUsd, agrees, moves, jumps.Count > 0 ? jumps : null);
            })
            .ToList();
        return new StressSide(name, stats, Histogram(bad), worst, StressConvergence.Of(bad), settings.Batches > 1 ? Batches(bad, settings.Batches) : null);
    }

    /// <summary>
    /// The paths in <paramref name="count"/> consecutive blocks (block b: paths ⌊b·N/K⌋ … ⌊(b+1)·N/K⌋ − 1), each block's VaR95,
    /// VaR99 and ES99 as <see cref="Statistics"/> computes them, and their spread. Path numbers are independent streams, so
    /// the blocks are independent runs of N/K paths.
    /// </summary>
    public static StressBatches Batches(double[] bad, int count)
    {
        var n = bad.Length;
        var list = new List<StressBatch>(count);
        for (var b = 0; b < count; b++)
        {
            int from = (int)((long)b * n / count), to = (int)((long)(b + 1) * n / count);
            var part = bad[from..to];
            var stats = Statistics(part, part);
            list.Add(new StressBatch(from, to - from, stats.BadDebtVar95, stats.BadDebtVar99, stats.BadDebtEs99));
        }
        return new StressBatches(count, list, Spread(list.Select(x => x.Var95)), Spread(list.Select(x => x.Var99)), Spread(list.Select(x => x.Es99)));
    }

    private static StressBatchSpread Spread(IEnumerable<double> values)
    {
        var x = values.ToArray();
        var mean = x.Sum() / x.Length;
        var ss = 0.0;
        foreach (var v in x) ss += (v - mean) * (v - mean);
        return new StressBatchSpread(mean, x.Length > 1 ? Math.Sqrt(ss / (x.Length - 1)) : 0, x.Min(), x.Max());
    }

    public static bool Close(double exact, double fast) => Math.Abs(exact - fast) <= ExactTolerance * Math.Max(Math.Abs(exact), 1.0);

    public static StressStatistics Statistics(double[] bad, double[] liq)
    {
        var b = (double[])bad.Clone();
        var l = (double[])liq.Clone();
        Array.Sort(b);
        Array.Sort(l);
        var k99 = Rank(b.Length, 0.99);
        double tail = 0;
        for (var i = k99; i < b.Length; i++) tail += b[i];
        double sumBad = 0, sumLiq = 0;
        var any = 0;
        foreach (var x in b) { sumBad += x; if (x > BadDebtFloorUsd) any++; }
        var liquidated = 0;
        foreach (var x in l) { sumLiq += x; if (x > BadDebtFloorUsd) liquidated++; }
        return new StressStatistics(Quantile(b, 0.95), b[k99], tail / (b.Length - k99), Quantile(l, 0.95), Quantile(l, 0.99),
            (double)any / b.Length, (double)liquidated / l.Length, sumBad / b.Length, b[^1], sumLiq / l.Length);
    }

    /// <summary>The zero-based index of the ⌈q·N⌉-th smallest of N sorted values.</summary>
    public static int Rank(int n, double q) => Math.Clamp((int)Math.Ceiling(q * n - 1e-9) - 1, 0, n - 1);

    public static double Quantile(double[] sorted, double q) => sorted[Rank(sorted.Length, q)];

    private static IReadOnlyList<LossBin> Histogram(double[] bad, int bins = 20)
    {
        var max = bad.Max();
        if (max <= 0) return [new LossBin(0, 0, bad.Length)];
        var counts = new int[bins];
        foreach (var x in bad) counts[Math.Min(bins - 1, (int)(x / max * bins))]++;
        return Enumerable.Range(0, bins).Select(i => new LossBin(max * i / bins, max * (i + 1) / bins, counts[i])).ToList();
    }

    /// <summary>
    /// The proposal's VaR99 minus the baseline's, and its 95 % interval by the paired percentile bootstrap: resample path
    /// indices with replacement (a seeded stream apart from every path's), take both VaR99s on the same resample, and the
    /// 2.5 % and 97.5 % quantiles (same rank convention) of the differences. Worse/better when the interval excludes 0.
    /// </summary>
    public static StressDifference Difference(double[] baseline, double[] proposal, StressSettings settings)
    {
        var n = baseline.Length;
        var point = Quantile(Sorted(proposal), 0.99) - Quantile(Sorted(baseline), 0.99);
        var rng = new PathRandom(settings.Seed, -1);
        var diffs = new double[Math.Max(1, settings.BootstrapSamples)];
        double[] b = new double[n], p = new double[n];
        for (var s = 0; s < diffs.Length; s++)
        {
            for (var j = 0; j < n; j++)
            {
                var i = rng.NextInt(n);
                b[j] = baseline[i];
                p[j] = proposal[i];
            }
            Array.Sort(b);
            Array.Sort(p);
            diffs[s] = Quantile(p, 0.99) - Quantile(b, 0.99);
        }
        Array.Sort(diffs);
        var (low, high) = (Quantile(diffs, 0.025), Quantile(diffs, 0.975));
        var verdict = low > 0 ? "worse" : high < 0 ? "better" : "no significant difference";
        return new StressDifference(point, low, high, diffs.Length, verdict);
    }

    private static double[] Sorted(double[] x)
    {
        var c = (double[])x.Clone();
        Array.Sort(c);
        return c;
    }

    private static StressModelParameters Parameters(IPathModel model) => model switch
    {
        GbmModel g => new StressModelParameters(g.Assets, g.Volatility, Jagged(g.Correlation)),
        GarchModel g => new StressModelParameters(g.Assets,
            g.Omega.Select((w, a) => Math.Sqrt(w / Math.Max(1e-300, 1 - g.Alpha[a] - g.Beta[a]))).ToList(), Jagged(g.Correlation),
            g.Omega, g.Alpha, g.Beta, g.InitialVariance),
        HistoricalModel h => new StressModelParameters(h.Assets, MarketEstimation.Volatilities(h.Returns), Jagged(MarketEstimation.Correlation(h.Returns))),
        _ => new StressModelParameters(model.Assets, null, null),
    };

    private static IReadOnlyList<IReadOnlyList<double>> Jagged(double[,] m) =>
        Enumerable.Range(0, m.GetLength(0)).Select(i => (IReadOnlyList<double>)Enumerable.Range(0, m.GetLength(1)).Select(j => m[i, j]).ToList()).ToList();
}
