using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DefiRisk.Core;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Registry;
using DefiRisk.Core.Stress;
using Spectre.Console;

namespace DefiRisk.Cli.Commands;

/// <summary>
/// <c>defirisk stress --db PATH --history FILE [--model gbm|garch|historical] [--paths N] [--horizon STEPS] …</c>: the
/// snapshot along many correlated price paths, each a full cascade on the fast path, with bad-debt VaR/ES, liquidations at
/// risk and the worst paths re-run exactly; with <c>--proposal</c>, the proposal on the same paths and the p99 difference
/// with its bootstrap interval. The history is a CSV <c>timestamp,asset,price</c> (<see cref="PriceHistory.ParseCsv"/>).
/// </summary>
internal static class StressCommand
{
    /// <param name="Market">a <see cref="MarketModelChoice"/> name (<c>--market</c>); null: appsettings' <c>Simulation.Market</c>, else the default.</param>
    internal sealed record StressRequest(string Db, string? HistoryFile, string Model, StressSettings Settings, string? ProposalFile, string? Market = null,
        PriceDynamics? Dynamics = null)
    {
        /// <summary>The appsettings.json defaults with <c>--market</c> applied.</summary>
        public SimulationOptions Options() => new SimulationInput.Overrides(Market: Market, Dynamics: Dynamics).Options();
    }

    public static Command Create(IAnsiConsole? console = null)
    {
        var db = SnapshotSource.DbOption();
        var paths = new Option<string?>("--paths") { Description = "price paths (default 10000; historical: one per window of the history)" };
        var horizon = new Option<string?>("--horizon") { Description = "steps per path (default 24)" };
        var stepMinutes = new Option<string?>("--step-minutes") { Description = "minutes per step; the history is resampled to it (default 60)" };
        var seed = new Option<string?>("--seed") { Description = "seed: the same seed gives the same paths and the same JSON (default 1)" };
        var model = new Option<string?>("--model") { Description = "gbm (default), garch (GARCH(1,1)) or historical (replay the history's windows)" };
        var history = new Option<string?>("--history") { Description = "price history CSV: timestamp,asset,price (unix seconds or ISO 8601, symbol, USD), one line per observation (default: the snapshot's oracle rounds)" };
        var historyFromChain = new Option<bool>("--history-from-chain") { Description = "fit to the oracle rounds `index --price-history-days` read from the chain into the snapshot (the default without --history)" };
        var proposal = new Option<string?>("--proposal") { Description = "proposal file: its risk-parameter changes, circuit breakers and oracle delay run on the same paths" };
        var depeg = new Option<string[]>("--depeg") { Description = "depeg jumps of an exchange-rate asset's market price, ASSET=P%:J% (e.g. wstETH=2%:-8%: a 2% chance per step of a -8% jump; its oracle, ratio x base, does not follow); repeatable" };
        var slash = new Option<string[]>("--slash") { Description = "slashing of an exchange-rate asset's ratio, ASSET=P%:C% (e.g. wstETH=0.5%:-5%: a 0.5% chance per step of a -5% cut of the rate; its oracle, ratio x base, and its market price both follow); repeatable" };
        var batches = new Option<string?>("--batches") { Description = "also split the paths into K independent batches and report each batch's VaR95/VaR99/ES99 and their spread (default 1: none)" };
        var topK = new Option<string?>("--top-k") { Description = "worst paths re-run on the exact path (default 5)" };
        var threads = new Option<string?>("--threads") { Description = "worker threads (default: all cores); changes the speed, never a figure" };
        var json = Json.Option("the stress result");
        var report = ReportOption.Create();
        var failIf = new Option<string[]>("--fail-if") { Description = "exit 1 when the result meets all conditions, e.g. \"var99>1000000\" (repeatable: any); metrics " + string.Join(", ", StressResult.MetricNames) };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "no table or progress; only errors and crossed limits" };
        var assumptions = new SimulationInput();
        var command = new Command("stress", "Bad-debt VaR over correlated price paths (GBM, GARCH or historical replay), baseline and proposal on the same paths.")
            { db, paths, horizon, stepMinutes, seed, model, history, historyFromChain, depeg, slash, proposal, assumptions.Market, assumptions.RecoveryHalfLife, assumptions.Correlate, topK, batches, threads, json, report, failIf, quiet };
        command.SetAction(parse =>
        {
            var output = console ?? AnsiConsole.Console;
            var conditions = (parse.GetValue(failIf) ?? []).Select(StressCondition.Parse).ToList();
            var settings = new StressSettings(
                Paths: Int(parse.GetValue(paths), "--paths", 1, 10_000),
                Horizon: Int(parse.GetValue(horizon), "--horizon", 1, 24),
                StepMinutes: Int(parse.GetValue(stepMinutes), "--step-minutes", 1, 60),
                Seed: parse.GetValue(seed) is { } s
                    ? long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : throw new DefiRiskException($"--seed '{s}' is not an integer")
                    : 1,
                TopK: Int(parse.GetValue(topK), "--top-k", 0, 5),
                Threads: parse.GetValue(threads) is { } t ? SnapshotSource.ParseInt(t, "--threads", 1) : null,
                Depegs: (parse.GetValue(depeg) ?? []).Select(DepegJump.Parse).ToList(),
                Batches: Int(parse.GetValue(batches), "--batches", 1, 1),
                Slashings: (parse.GetValue(slash) ?? []).Select(SlashingJump.Parse).ToList());
            var modelName = (parse.GetValue(model) ?? "gbm").ToLowerInvariant();
            if (modelName is not ("gbm" or "garch" or "historical")) throw new DefiRiskException($"--model '{modelName}' is not one of gbm, garch, historical");
            var historyFile = parse.GetValue(history);
            if (historyFile is not null && parse.GetValue(historyFromChain))
                throw new DefiRiskException("--history FILE and --history-from-chain both name the price history: give one");
            var jsonPath = parse.GetValue(json);
            if (jsonPath is not null) OutputFile.Check(jsonPath, "--json");
            var reportPath = parse.GetValue(report);
            if (reportPath is not null) OutputFile.Check(reportPath, "--report");
            var request = new StressRequest(SnapshotSource.ResolveDb(parse.GetValue(db)), historyFile, modelName, settings, parse.GetValue(proposal), assumptions.Read(parse).Market,
                assumptions.ReadDynamics(parse));

            var silent = parse.GetValue(quiet) || jsonPath == "-";
            var clock = Stopwatch.StartNew();
            var result = WithProgress(output, silent, request);
            var elapsed = clock.Elapsed;
            if (jsonPath is not null) Json.Write(result, jsonPath);
            if (reportPath is not null)
            {
                var snapshot = SnapshotSource.Load(request.Db, null);
                ReportOption.Write(reportPath, ReportOption.Input(snapshot, request.Options(), "Value at risk over simulated price paths") with
                {
                    Stress = result,
                    LevelDrops = [],
                }, silent);
            }
            if (!silent) Render(output, result, elapsed);

            // Too few paths for a quantile: said on stderr whatever the output, the figures are still written.
            foreach (var w in result.Baseline.Convergence?.Warnings ?? [])
                Console.Error.WriteLine($"stress: too few paths for {w}");
            var crossed = conditions.Where(c => StressCondition.Crossed(c, result)).ToList();
            foreach (var c in crossed)
                Console.Error.WriteLine($"risk limit crossed: {string.Join(" && ", c.Select(x => $"{x.Text} ({x.Metric} = {Format(result.Metric(x.Metric) ?? 0)})"))}");
            return crossed.Count > 0 ? ExitCodes.RiskLimitCrossed : ExitCodes.Ok;
        });
        return command;
    }

    private static int Int(string? text, string name, int min, int fallback) => text is null ? fallback : SnapshotSource.ParseInt(text, name, min);

    /// <summary>Loads and validates everything (snapshot, history, proposal), fits the model, runs the paths.</summary>
    internal static StressResult Run(StressRequest request, IProgress<(int Done, int Total)>? progress = null)
    {
        if (request.HistoryFile is not null) InputFile.Require(request.HistoryFile, "--history");
        if (request.ProposalFile is not null) InputFile.Require(request.ProposalFile, "proposal file");
        var snapshot = SnapshotSource.Load(request.Db, null);
        var (history, source) = History(snapshot, request.HistoryFile);
        var proposal = request.ProposalFile is null ? null
            : CoreRegistry.ParseProposal(File.ReadAllText(request.ProposalFile), request.ProposalFile, snapshot);
        var model = Fit(snapshot, history, request.Model, request.Settings);
        var options = request.Options();
        return StressRunner.Run(snapshot, model, request.Settings, options, proposal, progress) with { History = source, Market = MarketModelChoice.Name(options) };
    }

    /// <summary>
    /// The stress run of <c>compare</c> and <c>review</c> (<c>--stress-paths N</c>): GBM fitted to the CSV or the snapshot's
    /// oracle rounds, 24 one-hour steps, seed 1, baseline and the proposal's world on the same paths.
    /// </summary>
    internal static StressResult RunAlongside(Snapshot snapshot, (string Name, Snapshot World) proposal, int paths, string? historyFile, SimulationOptions options,
        SimulationOptions? proposalOptions = null)
    {
        if (historyFile is not null) InputFile.Require(historyFile, "--stress-history");
        var settings = new StressSettings(Paths: paths, Depegs: []);
        var (history, source) = History(snapshot, historyFile);
        var model = Fit(snapshot, history, "gbm", settings);
        return StressRunner.Run(snapshot, proposal, model, settings, options, proposalOptions: proposalOptions) with { History = source, Market = MarketModelChoice.Name(options) };
    }

    /// <summary>The options <c>compare</c> and <c>review</c> add: <c>--stress-paths N</c> and <c>--stress-history FILE</c>.</summary>
    internal static (Option<string?> Paths, Option<string?> History) AlongsideOptions() => (
        new Option<string?>("--stress-paths") { Description = "also run value at risk on N correlated price paths (GBM, 24 one-hour steps, seed 1), baseline and proposal on the same paths; into the JSON and the report" },
        new Option<string?>("--stress-history") { Description = "price history CSV for --stress-paths (default: the snapshot's oracle rounds, `index --price-history-days`)" });

    /// <summary>The CSV when one is given, else the snapshot's stored oracle rounds; with the sentence the result states.</summary>
    internal static (PriceHistory History, string Source) History(Snapshot snapshot, string? file)
    {
        if (file is not null) return (PriceHistory.ParseCsv(File.ReadAllText(file), file), $"CSV {Path.GetFileName(file)}");
        var stored = PriceHistory.FromSnapshot(snapshot, out var missing)
            ?? throw new DefiRiskException(snapshot.PriceHistory is null
                ? "no --history FILE and the snapshot holds no oracle history: index with --price-history-days N, or give a CSV of timestamp,asset,price"
                : $"the snapshot's oracle history has no rounds ({string.Join("; ", missing)}): give --history FILE");
        var rounds = snapshot.PriceHistory!.Sum(h => h.Rounds.Count);
        return (stored, $"the snapshot's oracle rounds read at block {snapshot.Chain.BlockNumber} ({rounds} rounds" +
            (missing.Count > 0 ? $"; without a history, held: {string.Join("; ", missing)}" : "") + ")");
    }

    /// <summary>
    /// The model over the snapshot's root feeds that the history names (exchange-rate assets follow their base; a root
    /// without history is held at its price and listed as held in the result).
    /// </summary>
    internal static IPathModel Fit(Snapshot snapshot, PriceHistory history, string model, StressSettings settings)
    {
        var roots = snapshot.Assets
            .Where(a => StressRunner.Root(snapshot, a).Address == a.Address && history.Assets.Contains(a.Symbol, StringComparer.OrdinalIgnoreCase))
            .Select(a => a.Symbol).ToList();
        if (roots.Count == 0)
            throw new DefiRiskException($"--history names none of the snapshot's price feeds ({string.Join(", ", snapshot.Assets.Where(a => StressRunner.Root(snapshot, a).Address == a.Address).Select(a => a.Symbol))})");
        var returns = history.LogReturns(roots, settings.StepMinutes * 60L, model == "historical" ? settings.Horizon : 30);
        return model switch
        {
            "garch" => MarketEstimation.Garch(roots, returns),
            "historical" => new HistoricalModel(roots, returns),
            _ => MarketEstimation.Gbm(roots, returns),
        };
    }

    private static StressResult WithProgress(IAnsiConsole console, bool silent, StressRequest request)
    {
        if (silent) return Run(request);
        var gate = new object();
        if (!console.Profile.Capabilities.Interactive)
        {
            var lastTenth = 0;
            return Run(request, new Progress(p =>
            {
                lock (gate)
                {
                    var tenth = p.Done * 10 / p.Total;
                    if (tenth <= lastTenth) return;
                    lastTenth = tenth;
                    Console.Error.WriteLine($"stress: {p.Done}/{p.Total} paths done");
                }
            }));
        }
        StressResult result = null!;
        console.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("stress paths");
                result = Run(request, new Progress(p => { lock (gate) { task.MaxValue = p.Total; task.Value = Math.Max(task.Value, p.Done); } }));
            });
        return result;
    }

    /// <summary>Reports on the worker's thread (System.Progress posts to the thread pool, which would reorder lines).</summary>
    private sealed class Progress(Action<(int Done, int Total)> report) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => report(value);
    }

    private static string Format(double x) => x.ToString("#,0.##", CultureInfo.InvariantCulture);

    private static void Render(IAnsiConsole console, StressResult r, TimeSpan elapsed)
    {
        var inv = CultureInfo.InvariantCulture;
        if (!console.Profile.Capabilities.Interactive) console.Profile.Width = 1000;
        console.WriteLine(string.Create(inv, $"{r.Model}: {r.Paths:N0} paths x {r.Horizon} steps of {r.StepMinutes} min, seed {r.Seed}"));
        if (r.History is { } h) console.WriteLine("history: " + h);
        if (r.Depegs is { Count: > 0 } depegs) console.WriteLine("depeg jumps (market only; the oracle follows ratio x base): " + string.Join(", ", depegs));
        if (r.Slashings is { Count: > 0 } cuts) console.WriteLine("slashings (the ratio is cut: oracle and market both follow): " + string.Join(", ", cuts));
        if (r.ProposalBreakers is { } pb) console.WriteLine("proposal: " + pb + " (fast rules on every path, exact on the worst)");
        console.WriteLine("moves: " + string.Join(", ", r.Assets.Select(a =>
            a.VolatilityPerStep is { } v ? string.Create(inv, $"{a.Symbol} {a.Moves} (σ {v:P2}/step)") : $"{a.Symbol} {a.Moves}")));
        var table = new Table().AddColumns("", r.Baseline.Name);
        if (r.Proposal is { } p) table.AddColumns(Markup.Escape(p.Name));
        void Row(string name, Func<StressStatistics, string> f) =>
            table.AddRow(r.Proposal is { } q ? [Markup.Escape(name), Markup.Escape(f(r.Baseline.Statistics)), Markup.Escape(f(q.Statistics))]
                : [Markup.Escape(name), Markup.Escape(f(r.Baseline.Statistics))]);
        Row("bad debt VaR p95", s => "$" + Format(s.BadDebtVar95));
        Row("bad debt VaR p99", s => "$" + Format(s.BadDebtVar99));
        Row("bad debt ES p99", s => "$" + Format(s.BadDebtEs99));
        Row("liquidations at risk p95", s => "$" + Format(s.LiquidationsAtRisk95));
        Row("liquidations at risk p99", s => "$" + Format(s.LiquidationsAtRisk99));
        Row("P(bad debt)", s => s.ProbabilityOfBadDebt.ToString("P2", inv));
        Row("P(any liquidation)", s => s.ProbabilityOfLiquidation.ToString("P2", inv));
        Row("mean bad debt", s => "$" + Format(s.MeanBadDebt));
        Row("worst path bad debt", s => "$" + Format(s.MaxBadDebt));
        void Error(string name, Func<StressConvergence, double?> f)
        {
            string Cell(StressSide side) => side.Convergence is { } c && f(c) is { } x ? "± $" + Format(x) : "–";
            table.AddRow(r.Proposal is { } q ? [Markup.Escape(name), Markup.Escape(Cell(r.Baseline)), Markup.Escape(Cell(q))] : [Markup.Escape(name), Markup.Escape(Cell(r.Baseline))]);
        }
        Error("standard error, VaR p99", c => c.Var99StandardError);
        Error("standard error, ES p99", c => c.Es99StandardError);
        for (var c = 1; c < table.Columns.Count; c++) table.Columns[c].RightAligned();
        console.Write(table);
        if (r.Difference is { } d)
            console.WriteLine(string.Create(inv, $"p99 bad debt difference (proposal - baseline) ${Format(d.Var99Difference)}, 95% CI [${Format(d.Low95)}, ${Format(d.High95)}]: {d.Verdict}"));
        foreach (var side in new[] { r.Baseline, r.Proposal }.OfType<StressSide>())
            if (side.Batches is { } k)
                console.WriteLine(string.Create(inv,
                    $"{side.Name}: {k.Count} batches of ~{r.Paths / k.Count:N0} paths: VaR p99 ${Format(k.Var99.Mean)} (sd ${Format(k.Var99.StandardDeviation)}, ${Format(k.Var99.Min)}…${Format(k.Var99.Max)}), ES p99 ${Format(k.Es99.Mean)} (sd ${Format(k.Es99.StandardDeviation)})"));
        foreach (var side in new[] { r.Baseline, r.Proposal }.OfType<StressSide>())
        {
            var bad = side.WorstPaths.Where(w => !w.ExactAgrees).ToList();
            console.WriteLine(bad.Count == 0
                ? string.Create(inv, $"{side.Name}: the {side.WorstPaths.Count} worst paths re-run exactly agree with the fast path (1e-6 relative)")
                : $"{side.Name}: exact and fast paths DISAGREE on paths {string.Join(", ", bad.Select(w => w.Path))}");
        }
        console.WriteLine(string.Create(inv, $"ran in {elapsed.TotalSeconds:0.0} s"));
    }
}
