using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DefiRisk.Chain.Deployments;
using DefiRisk.Chain.Indexing;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core;
using DefiRisk.Storage;
using Spectre.Console;

namespace DefiRisk.Cli.Commands;

/// <summary>
/// <c>defirisk index</c>: discover borrowers and read every protocol's state at one block into a snapshot
/// in the SQLite database. Nothing is written unless the whole read succeeds (one transaction).
/// </summary>
internal static class IndexCommand
{
    public static Command Create()
    {
        var rpc = new Option<string?>("--rpc") { Description = "JSON-RPC endpoint (default: appsettings.json Rpc)" };
        var db = SnapshotSource.DbOption();
        var deployments = new Option<string?>("--deployments") { Description = "deployments manifest (default: appsettings.json Deployments section of the node's chain id)" };
        var block = new Option<string?>("--block") { Description = "block number or 'latest' (default: the manifest's block, else latest)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "print nothing but errors and the result" };
        var json = Json.Option("the summary");
        var batchSize = new Option<string?>("--batch-size") { Description = $"eth_calls per JSON-RPC batch (default: appsettings.json RpcLimits.BatchSize, else {RpcOptions.DefaultBatchSize})" };
        var logChunk = new Option<string?>("--log-chunk") { Description = $"blocks per eth_getLogs request to start with; shrinks to what the node accepts (default: RpcLimits.LogChunk, else {RpcOptions.DefaultLogChunk})" };
        var concurrency = new Option<string?>("--concurrency") { Description = $"requests in flight (default: RpcLimits.Concurrency, else {RpcOptions.DefaultConcurrency})" };
        var callsPerRead = new Option<string?>("--calls-per-read") { Description = $"view calls per eth_call through the read lens (state override; 1: plain batches) (default: RpcLimits.CallsPerRead, else {RpcOptions.DefaultCallsPerRead})" };
        var priceHistory = new Option<string?>("--price-history-days") { Description = "also read each market feed's oracle rounds over this many days before the block (getRoundData across the proxy's phases) into the snapshot, for `stress` (default: none)" };
        var venues = new ExternalDepthOptions();
        var command = new Command("index", "Index lending positions at one block into a snapshot database.")
            { rpc, db, deployments, block, quiet, json, batchSize, logChunk, concurrency, callsPerRead, priceHistory, venues.File, venues.DexOnly };
        command.SetAction(async (parse, ct) =>
        {
            var settings = AppSettings.Load();
            var jsonTarget = parse.GetValue(json);
            if (jsonTarget is not null) OutputFile.Check(jsonTarget, "--json");
            var request = new IndexRequest(
                parse.GetValue(rpc) ?? settings.Rpc ?? throw new DefiRiskException("no --rpc given and no Rpc in appsettings.json"),
                parse.GetValue(db) ?? settings.Database ?? throw new DefiRiskException("no --db given and no Database in appsettings.json"),
                parse.GetValue(deployments),
                ParseBlock(parse.GetValue(block)),
                parse.GetValue(priceHistory) is { } days ? SnapshotSource.ParseInt(days, "--price-history-days", 1) : 0,
                venues.Read(parse));
            if (Directory.Exists(request.Database)) throw new DefiRiskException($"database {request.Database} is a directory, not a file");
            var options = Limits(settings.RpcLimits(), parse.GetValue(batchSize), parse.GetValue(logChunk), parse.GetValue(concurrency), parse.GetValue(callsPerRead));
            var result = await ConsoleProgress.RunAsync(parse.GetValue(quiet), progress => RunAsync(request, settings, options, progress, ct));
            PrintSummary(result, request.Database, jsonTarget, parse.GetValue(quiet));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <param name="PriceHistoryDays">0: no oracle history; else the horizon of <see cref="OracleHistoryReader"/>.</param>
    /// <param name="Venues">--external-depth / --dex-only: the external curves the snapshot stores (null: the deployments' section).</param>
    internal sealed record IndexRequest(string Rpc, string Database, string? DeploymentsFile, BlockChoice Block, int PriceHistoryDays = 0,
        ExternalDepthOptions.Choice? Venues = null);

    /// <summary>--block: a number, "latest", or not given (the manifest's block, else latest).</summary>
    internal readonly record struct BlockChoice(long? Number, bool Latest)
    {
        public static readonly BlockChoice Default = new(null, false);
    }

    internal static BlockChoice ParseBlock(string? text) => text switch
    {
        null => BlockChoice.Default,
        "latest" => new BlockChoice(null, true),
        _ when long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) => new BlockChoice(n, false),
        _ => throw new DefiRiskException($"--block '{text}' is neither a block number nor 'latest'"),
    };

    /// <summary>The command-line limits over the settings' ones; each flag validated, one line naming it.</summary>
    internal static RpcOptions Limits(RpcOptions settings, string? batchSize, string? logChunk, string? concurrency, string? callsPerRead = null)
    {
        var options = settings;
        if (batchSize is not null) options = options with { BatchSize = (int)Whole(batchSize, "--batch-size", RpcOptions.MaxBatchSize) };
        if (logChunk is not null) options = options with { LogChunkBlocks = Whole(logChunk, "--log-chunk", RpcOptions.MaxLogChunk) };
        if (concurrency is not null) options = options with { Concurrency = (int)Whole(concurrency, "--concurrency", RpcOptions.MaxConcurrency) };
        if (callsPerRead is not null) options = options with { CallsPerRead = (int)Whole(callsPerRead, "--calls-per-read", RpcOptions.MaxCallsPerRead) };
        return options.Validated(key => key switch { "BatchSize" => "--batch-size", "LogChunk" => "--log-chunk", "CallsPerRead" => "--calls-per-read", _ => "--concurrency" });

        static long Whole(string text, string flag, long max) =>
            long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max
                ? n
                : throw new DefiRiskException(string.Create(CultureInfo.InvariantCulture, $"{flag} '{text}' must be a whole number from 1 to {max:#,0}"));
    }

    /// <summary>The whole index, usable from tests and the benchmark: validate, discover, read, then write ONE transaction.</summary>
    internal static async Task<IndexResult> RunAsync(IndexRequest request, AppSettings settings, RpcOptions options,
        IProgress<IndexProgress>? progress, CancellationToken ct, Func<IndexResult, Task>? beforeWrite = null)
    {
        // Parse the deployments before touching the node or the database: a malformed file fails first.
        DeploymentManifest? manifest = null;
        string source = "";
        if (request.DeploymentsFile is { } file)
        {
            manifest = DeploymentManifest.Load(file);
            source = file;
        }
        using var rpc = new EthRpc(request.Rpc, options);
        if (manifest is null)
        {
            var chainId = await rpc.ChainIdAsync(ct);
            manifest = settings.Deployments(chainId);
            source = $"{settings.Path} Deployments.{chainId}";
        }
        var store = new SnapshotStore(request.Database);
        // Completed read requests are kept in the database until the snapshot is written: a failed index re-run resumes.
        var indexer = new Indexer(rpc, new DiscoveryStore(store), progress, checkpoint: new ReadCheckpointStore(store));
        long? block = request.Block.Latest ? await rpc.BlockNumberAsync(ct) : request.Block.Number;
        var result = await indexer.IndexAsync(manifest, source, block, ct);
        if (request.PriceHistoryDays > 0)
        {
            var history = await new OracleHistoryReader(rpc, progress).ReadAsync(result.Snapshot, request.PriceHistoryDays * 86_400L, ct);
            result = result with { Snapshot = result.Snapshot with { PriceHistory = history } };
        }
        if (request.Venues is { } venues) result = result with { Snapshot = venues.Apply(result.Snapshot) };
        if (beforeWrite is not null) await beforeWrite(result);
        ct.ThrowIfCancellationRequested();
        store.Write(result.Snapshot);
        return result;
    }

    /// <summary>One line per skipped item ("warning: morpho-blue idle-market 0x…: …"), then the count per kind.</summary>
    internal static void PrintWarnings(IReadOnlyList<Core.Indexing.IndexWarning> warnings, TextWriter error)
    {
        if (warnings.Count == 0) return;
        foreach (var w in warnings) error.WriteLine($"warning: {w.Protocol} {w.Kind} {w.Subject}: {Sanitize(w.Message)}");
        error.WriteLine($"{warnings.Count} warning{(warnings.Count == 1 ? "" : "s")}: " +
            string.Join(", ", warnings.GroupBy(w => w.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}")) +
            $" ({warnings.Sum(w => w.Positions)} positions left out)");

        // On-chain symbols inside a message must not move the terminal: control characters become '?'.
        static string Sanitize(string text) => new(text.Select(ch => char.IsControl(ch) ? '?' : ch).ToArray());
    }

    private static void PrintSummary(IndexResult r, string db, string? json, bool quiet)
    {
        var s = r.Snapshot;
        var positions = s.PositionCount;
        if (json is not null)
        {
            Json.Write(new
            {
                chainId = s.Chain.ChainId,
                block = s.Chain.BlockNumber,
                blockTimestamp = s.Chain.BlockTimestamp,
                database = db,
                discoveredAccounts = r.DiscoveredAccounts,
                positions,
                positionsByProtocol = s.Books.ToDictionary(b => b.Protocol, b => b.PositionCount),
                assets = s.Assets.Count,
                poolsByVenue = s.Venues.ToDictionary(v => v.Venue, v => v.Pools.Count),
                seconds = Math.Round(r.Elapsed.TotalSeconds, 3),
                httpRequests = r.HttpRequests,
                ethCalls = r.EthCalls,
                logRequests = r.LogRequests,
                retries = r.Retries,
                rateLimited = r.RateLimited,
                logRangeRefusals = r.LogRangeRefusals,
                warningCounts = r.Warnings.GroupBy(w => w.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
                warnings = r.Warnings.Select(w => new { protocol = w.Protocol, kind = w.Kind, subject = w.Subject, positions = w.Positions, message = w.Message }),
            }, json);
        }
        // Warnings go to stderr even with --quiet or --json -: a skipped market changes what every later number covers.
        PrintWarnings(r.Warnings, Console.Error);
        if (quiet || json == "-") return;
        Console.Out.WriteLine(
            $"indexed chain {s.Chain.ChainId} at block {s.Chain.BlockNumber}: {positions} positions " +
            $"({string.Join(", ", s.Books.Select(b => $"{b.PositionCount} {b.Protocol}"))}), " +
            $"{s.Assets.Count} assets, {string.Join(", ", s.Venues.Select(v => $"{v.Pools.Count} {v.Venue} pools"))} in {r.Elapsed.TotalSeconds:0.00} s " +
            $"({r.EthCalls} eth_calls, {r.HttpRequests} HTTP requests, {r.Retries} retries" +
            (r.RateLimited > 0 ? $" of which {r.RateLimited} after a rate limit" : "") +
            (r.LogRangeRefusals > 0 ? $", {r.LogRangeRefusals} log ranges refused and split" : "") + $") → {db}");
    }
}

/// <summary>
/// Progress while indexing: a Spectre.Console progress display on an interactive terminal, else one
/// line per stage start and finish on stderr (stdout stays clean for --json).
/// </summary>
internal sealed class ConsoleProgress : IProgress<IndexProgress>
{
    private readonly Dictionary<string, (long Done, long Total)> _stages = [];
    private readonly Action<IndexProgress>? _live;

    private ConsoleProgress(Action<IndexProgress>? live) => _live = live;

    public static IProgress<IndexProgress> Create() => new ConsoleProgress(null);

    public void Report(IndexProgress value)
    {
        if (_live is not null) { _live(value); return; }
        lock (_stages)
        {
            var known = _stages.TryGetValue(value.Stage, out var previous);
            _stages[value.Stage] = (value.Done, value.Total);
            if (!known) Console.Error.WriteLine($"{value.Stage}: started ({value.Total} {(value.Stage.StartsWith("discover", StringComparison.Ordinal) ? "blocks" : "accounts")})");
            else if (value.Done >= value.Total && previous.Done < previous.Total) Console.Error.WriteLine($"{value.Stage}: done");
        }
    }

    /// <summary>Runs <paramref name="work"/> under a live Spectre progress display when the terminal allows it.</summary>
    public static async Task<T> RunAsync<T>(bool quiet, Func<IProgress<IndexProgress>?, Task<T>> work)
    {
        if (quiet) return await work(null);
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsErrorRedirected)
            return await work(Create());
        T result = default!;
        await AnsiConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                var live = new ConsoleProgress(p =>
                {
                    lock (tasks)
                    {
                        if (!tasks.TryGetValue(p.Stage, out var task))
                            tasks[p.Stage] = task = ctx.AddTask(Markup.Escape(p.Stage), maxValue: Math.Max(1, p.Total));
                        task.MaxValue = Math.Max(1, p.Total);
                        task.Value = p.Total == 0 ? 1 : p.Done;
                    }
                });
                result = await work(live);
            });
        return result;
    }
}
