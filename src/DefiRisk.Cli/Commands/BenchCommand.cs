using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DefiRisk.Harness;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Protocols;
using Spectre.Console;

namespace DefiRisk.Cli.Commands;

/// <summary>
/// <c>defirisk bench …</c>: timing runs of the heavy paths on synthetic data. Each subcommand lives in its own method so
/// others (e.g. <c>bench index</c>) can be added without touching this one.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(IAnsiConsole? console = null)
    {
        var bench = new Command("bench", "Time the analyser and indexer on synthetic data (wall clock, positions/s, peak memory).");
        bench.Subcommands.Add(Index());
        bench.Subcommands.Add(Sweep(console ?? AnsiConsole.Console));
        bench.Subcommands.Add(Stress(console ?? AnsiConsole.Console));
        return bench;
    }

    /// <summary><c>bench index --fixture DIR</c>: serves a fixture on a fresh anvil, indexes it into a temporary database, prints throughput and RPC cost per position.</summary>
    internal static Command Index()
    {
        var fixture = new Option<string>("--fixture") { Description = "fixture directory (manifest.json + state)", DefaultValueFactory = _ => Path.Combine("fixtures", "demo") };
        var runs = new Option<int>("--runs") { Description = "timed runs (each on an empty database)", DefaultValueFactory = _ => 3 };
        var json = Json.Option("the runs");
        var quiet = new Option<bool>("--quiet", "-q") { Description = "print only the last run's line" };
        var index = new Command("index", "Benchmark indexing a fixture.") { fixture, runs, json, quiet };
        index.SetAction(async (parse, ct) =>
        {
            var dir = parse.GetValue(fixture)!;
            var settings = AppSettings.Load();
            if (!Directory.Exists(dir)) throw new DefiRiskException($"fixture directory {dir} does not exist");
            if (parse.GetValue(json) is { } target) OutputFile.Check(target, "--json");
            await using var server = await FixtureServer.StartAsync(dir, ct: ct);
            var n = Math.Max(1, parse.GetValue(runs));
            var jsonTarget = parse.GetValue(json);
            var asJson = jsonTarget == "-";
            var q = parse.GetValue(quiet);
            var results = new List<object>();
            if (!asJson && !q) Console.Out.WriteLine($"fixture {dir}: anvil loaded in {server.LoadTime.TotalMilliseconds:0} ms, block {server.Block}");
            for (var i = 1; i <= n; i++)
            {
                var temp = Directory.CreateTempSubdirectory("defirisk-bench-");
                try
                {
                    // The yardstick first, on the same node in the same run: a plain reader's accounts/s.
                    var naive = await NaiveAccountReader.ReadAsync(server, ct);
                    var request = new IndexCommand.IndexRequest(server.RpcUrl, Path.Combine(temp.FullName, "bench.db"),
                        Path.Combine(dir, FixtureServer.ManifestFile), IndexCommand.BlockChoice.Default);
                    var r = await IndexCommand.RunAsync(request, settings, settings.RpcLimits(), null, ct);
                    var positions = Math.Max(1, r.Snapshot.PositionCount);
                    var read = r.Read!;
                    results.Add(new
                    {
                        run = i, positions = r.Snapshot.PositionCount, seconds = r.Elapsed.TotalSeconds,
                        positionsPerSecond = r.Snapshot.PositionCount / r.Elapsed.TotalSeconds, ethCalls = r.EthCalls,
                        ethCallsPerPosition = (double)r.EthCalls / positions, httpRequests = r.HttpRequests,
                        httpRequestsPerPosition = (double)r.HttpRequests / positions, logRequests = r.LogRequests,
                        readPhase = new
                        {
                            seconds = read.Elapsed.TotalSeconds, positionsPerSecond = r.Snapshot.PositionCount / read.Elapsed.TotalSeconds,
                            ethCalls = read.EthCalls, ethCallsPerPosition = (double)read.EthCalls / positions,
                            httpRequests = read.HttpRequests, positionsPerHttpRequest = positions / (double)Math.Max(1, read.HttpRequests),
                        },
                        naiveReader = new { accounts = naive.Accounts, seconds = naive.Elapsed.TotalSeconds, accountsPerSecond = naive.AccountsPerSecond, httpRequests = naive.HttpRequests },
                    });
                    if (asJson || (q && i < n)) continue;
                    Console.Out.WriteLine(
                        $"run {i}: read phase {r.Snapshot.PositionCount} positions in {read.Elapsed.TotalMilliseconds:0} ms = " +
                        $"{r.Snapshot.PositionCount / read.Elapsed.TotalSeconds:0} positions/s, {read.EthCalls} eth_calls ({(double)read.EthCalls / positions:0.000}/position), " +
                        $"{read.HttpRequests} HTTP requests (1 per {positions / (double)Math.Max(1, read.HttpRequests):0} positions); " +
                        $"naive reader {naive.AccountsPerSecond:0} accounts/s ({naive.Accounts} getUserAccountData in batches of 200, 4 in flight)");
                    Console.Out.WriteLine(
                        $"       whole index {r.Elapsed.TotalMilliseconds:0} ms = {r.Snapshot.PositionCount / r.Elapsed.TotalSeconds:0} positions/s; " +
                        $"{r.EthCalls} eth_calls ({(double)r.EthCalls / positions:0.000}/position), " +
                        $"{r.HttpRequests} HTTP requests ({(double)r.HttpRequests / positions:0.000}/position), {r.LogRequests} eth_getLogs");
                }
                finally { temp.Delete(recursive: true); }
            }
            if (jsonTarget is not null) Json.Write(results, jsonTarget);
            return ExitCodes.Ok;
        });
                return index;
    }

    /// <summary><c>bench sweep --positions N --levels L</c>: a full-cascade sweep of a WETH shock on a seeded synthetic snapshot.</summary>
    internal static Command Sweep(IAnsiConsole console)
    {
        var positions = new Option<int>("--positions") { Description = "Synthetic positions (70 % pooled-lending accounts, 30 % isolated-market positions; see SyntheticSnapshot).", DefaultValueFactory = _ => 1_000_000 };
        var levels = new Option<int>("--levels") { Description = "Shock levels, evenly spaced from --from to --to.", DefaultValueFactory = _ => 100 };
        var from = new Option<string>("--from") { Description = "First WETH drop, as in sweep: 0.5% (default); 50% and -50% both mean a 50 % fall.", DefaultValueFactory = _ => "0.5%" };
        var to = new Option<string>("--to") { Description = "Last WETH drop, e.g. 50% (default).", DefaultValueFactory = _ => "50%" };
        var fractions = ScenarioInput.FractionsOption();
        var seed = new Option<int>("--seed") { Description = "Generator seed.", DefaultValueFactory = _ => 1 };
        var json = Json.Option("the figures");
        var quiet = new Option<bool>("--quiet", "-q") { Description = "print only the timing line" };
        var cmd = new Command("sweep", "Sweep a WETH shock over a synthetic snapshot with full cascades (fast path).") { positions, levels, from, to, fractions, seed, json, quiet };
        cmd.SetAction(parse =>
        {
            var n = parse.GetValue(positions);
            var l = parse.GetValue(levels);
            // Signed fractions for the analyser (a 50 % drop = −0.5), from drops written as sweep takes them.
            var f = -ScenarioInput.DropPercent(parse.GetValue(from)!, "--from", parse.GetValue(fractions)) / 100m;
            var t = -ScenarioInput.DropPercent(parse.GetValue(to)!, "--to", parse.GetValue(fractions)) / 100m;
            if (f <= -1 || t <= -1) throw new DefiRiskException("--from and --to must be drops below 100%");
            if (n <= 0) throw new DefiRiskException($"--positions {n} must be positive");
            if (l < 1) throw new DefiRiskException($"--levels {l} must be at least 1");
            if (parse.GetValue(json) is { } target) OutputFile.Check(target, "--json");
            var step = l == 1 ? 1m : (t - f) / (l - 1);

            var clock = Stopwatch.StartNew();
            var snapshot = SyntheticSnapshot.Generate(n, parse.GetValue(seed));
            var generated = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var compiled = CascadeSimulator.Compile(snapshot);
            var compiledIn = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var result = CascadeSimulator.Sweep(compiled, SyntheticSnapshot.Weth, f, l == 1 ? f : t + step / 2, step == 0 ? 1m : step);
            var swept = clock.Elapsed.TotalSeconds;
            var peak = Process.GetCurrentProcess().PeakWorkingSet64;

            var inv = CultureInfo.InvariantCulture;
            if (parse.GetValue(json) is { } jsonTarget)
            {
                Json.Write(new
                {
                    positions = snapshot.PositionCount, levels = result.Levels.Count, path = result.Path, generateSeconds = generated,
                    compileSeconds = compiledIn, sweepSeconds = swept, positionLevelsPerSecond = snapshot.PositionCount * (double)result.Levels.Count / swept,
                    peakWorkingSetBytes = peak, selfSustainingThreshold = result.SelfSustainingThreshold,
                }, jsonTarget);
                if (jsonTarget == "-") return 0;
            }
            if (parse.GetValue(quiet))
            {
                console.WriteLine(string.Create(inv, $"sweep of {result.Levels.Count} full cascades over {snapshot.PositionCount:N0} positions {swept:F2} s, peak {peak / 1048576.0:N0} MiB"));
                return 0;
            }
            console.WriteLine(string.Create(inv, $"positions {snapshot.PositionCount:N0}, levels {result.Levels.Count}, path {result.Path}"));
            console.WriteLine(string.Create(inv, $"generate {generated:F2} s, compile {compiledIn:F2} s, sweep of {result.Levels.Count} full cascades {swept:F2} s"));
            console.WriteLine(string.Create(inv, $"throughput {(double)snapshot.PositionCount * result.Levels.Count / swept:N0} position-levels/s"));
            console.WriteLine(string.Create(inv, $"peak working set {peak / 1048576.0:N0} MiB"));
            var worst = result.Levels.OrderBy(x => x.Shock).First();
            console.WriteLine(string.Create(inv, $"at {worst.Shock:P1}: liquidated ${worst.LiquidatedValueUsd:N0}, bad debt ${worst.BadDebtUsd:N0}"));
            console.WriteLine(string.Create(inv, $"  {worst.Liquidations:N0} liquidations, {worst.EndogenousRoundsWithLiquidations} rounds after the shock"));
            console.WriteLine(result.SelfSustainingThreshold is { } th
                ? string.Create(inv, $"self-sustaining from {th:P1}")
                : "no self-sustaining cascade in the range");
            return 0;
        });
        return cmd;
    }

    /// <summary>
    /// <c>bench stress</c>: 10,000 correlated GBM paths × 24 steps, each a full fast-path cascade, on a stored snapshot
    /// (<c>--db</c>) or a seeded synthetic one; with <c>--proposal</c> the proposal on the same paths as well. Prints paths/s
    /// and peak working set. The model is fixed, not fitted: σ per step for every listed asset, pairwise correlation 0.8.
    /// </summary>
    internal static Command Stress(IAnsiConsole console)
    {
        var db = new Option<string?>("--db") { Description = "stored snapshot to stress (default: a synthetic one of --positions)" };
        var positions = new Option<int>("--positions") { Description = "synthetic positions when no --db (default 3740, the size of mainnet-like)", DefaultValueFactory = _ => 3740 };
        var paths = new Option<int>("--paths") { Description = "price paths", DefaultValueFactory = _ => 10_000 };
        var horizon = new Option<int>("--horizon") { Description = "steps per path", DefaultValueFactory = _ => 24 };
        var assets = new Option<string>("--assets") { Description = "assets moved by the paths (comma-separated symbols; missing ones are skipped)", DefaultValueFactory = _ => "WETH,WBTC" };
        var vol = new Option<string>("--vol") { Description = "volatility per step of every moved asset", DefaultValueFactory = _ => "2%" };
        var proposal = new Option<string?>("--proposal") { Description = "proposal file: run it on the same paths too" };
        var threads = new Option<int?>("--threads") { Description = "worker threads (default: all cores)" };
        var json = Json.Option("the figures");
        var cmd = new Command("stress", "Time a stress run: paths/s of full cascades along correlated price paths (fast path).") { db, positions, paths, horizon, assets, vol, proposal, threads, json };
        cmd.SetAction(parse =>
        {
            if (parse.GetValue(json) is { } target) OutputFile.Check(target, "--json");
            if (!console.Profile.Capabilities.Interactive) console.Profile.Width = 1000;
            var sigma = (double)ScenarioInput.DropPercent(parse.GetValue(vol)!, "--vol", false) / 100;
            var clock = Stopwatch.StartNew();
            var snapshot = parse.GetValue(db) is { } dbPath ? SnapshotSource.Load(dbPath, null) : SyntheticSnapshot.Generate(parse.GetValue(positions), 1);
            var loaded = clock.Elapsed.TotalSeconds;
            var symbols = parse.GetValue(assets)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Where(s => snapshot.FindAsset(s) is not null).ToList();
            if (symbols.Count == 0) throw new DefiRiskException("--assets names no asset of the snapshot");
            var n = symbols.Count;
            var corr = new double[n, n];
            for (var a = 0; a < n; a++) for (var b = 0; b < n; b++) corr[a, b] = a == b ? 1 : 0.8;
            var model = new DefiRisk.Core.Stress.GbmModel(symbols, new double[n], Enumerable.Repeat(sigma, n).ToArray(), corr);
            var settings = new DefiRisk.Core.Stress.StressSettings(Paths: parse.GetValue(paths), Horizon: parse.GetValue(horizon), Seed: 1, Threads: parse.GetValue(threads));
            var prop = parse.GetValue(proposal) is { } pf
                ? DefiRisk.Core.Registry.CoreRegistry.ParseProposal(File.ReadAllText(pf), pf, snapshot)
                : null;
            clock.Restart();
            var result = DefiRisk.Core.Stress.StressRunner.Run(snapshot, model, settings, AppSettings.Load().SimulationDefaults(), prop);
            var seconds = clock.Elapsed.TotalSeconds;
            var peak = Process.GetCurrentProcess().PeakWorkingSet64;
            var inv = CultureInfo.InvariantCulture;
            if (parse.GetValue(json) is { } jsonTarget)
            {
                Json.Write(new
                {
                    positions = snapshot.PositionCount, paths = result.Paths, horizon = result.Horizon, withProposal = prop is not null, cores = Environment.ProcessorCount,
                    loadSeconds = loaded, stressSeconds = seconds, pathsPerSecond = result.Paths / seconds, peakWorkingSetBytes = peak,
                    var99 = result.Baseline.Statistics.BadDebtVar99, lar99 = result.Baseline.Statistics.LiquidationsAtRisk99,
                }, jsonTarget);
                if (jsonTarget == "-") return 0;
            }
            console.WriteLine(string.Create(inv, $"{snapshot.PositionCount:N0} positions, {result.Paths:N0} paths x {result.Horizon} steps ({string.Join(", ", symbols)} σ {sigma:P1}/step, ρ 0.8){(prop is null ? "" : ", baseline + proposal")}, {Environment.ProcessorCount} cores"));
            console.WriteLine(string.Create(inv, $"stress {seconds:F2} s = {result.Paths / seconds:N0} paths/s (incl. {result.Baseline.WorstPaths.Count} exact re-runs per side); load {loaded:F2} s"));
            console.WriteLine(string.Create(inv, $"peak working set {peak / 1048576.0:N0} MiB"));
            console.WriteLine(string.Create(inv, $"VaR99 ${result.Baseline.Statistics.BadDebtVar99:N0}, LaR99 ${result.Baseline.Statistics.LiquidationsAtRisk99:N0}, P(bad debt) {result.Baseline.Statistics.ProbabilityOfBadDebt:P1}"));
            return 0;
        });
        return cmd;
    }
}
