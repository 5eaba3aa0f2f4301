using System.CommandLine;
using System.Text.Json.Nodes;
using DefiRisk.Chain.Indexing;
using DefiRisk.Cli;
using DefiRisk.Core;
using DefiRisk.Storage;

namespace DefiRisk.Chain.Tests.Indexing;

/// <summary>Re-runs, interruptions, bad input and a faulty network: the database ends up right or untouched.</summary>
[Collection(DemoChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class IndexerRobustnessTests(DemoChain chain)
{
    private string Clean => SnapshotText.Canonical(chain.Stored);

    [Fact]
    public async Task Indexing_twice_into_the_same_database_gives_identical_rows_and_one_snapshot()
    {
        var db = chain.NewDatabase();
        await chain.IndexAsync(db);
        var first = SnapshotText.Canonical(new SnapshotStore(db).Load());
        var second = await chain.IndexAsync(db);

        var store = new SnapshotStore(db);
        Assert.Single(store.List());
        Assert.Equal(first, SnapshotText.Canonical(store.Load()));
        Assert.Equal(Clean, first);
        Assert.Equal(0, second.LogRequests); // discovery resumed from its checkpoints: nothing left to scan
    }

    [Fact]
    public async Task Cancelled_during_state_reads_leaves_no_snapshot_and_a_rerun_equals_a_clean_run()
    {
        var db = chain.NewDatabase();
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(p => { if (p.Stage.StartsWith("read morpho", StringComparison.Ordinal)) cts.Cancel(); });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => chain.IndexAsync(db, progress: progress, ct: cts.Token));

        var store = new SnapshotStore(db);
        Assert.Empty(store.List());
        var discovery = new DiscoveryStore(store);
        Assert.NotEmpty(discovery.GetAccounts(chain.Server.Manifest.ChainId, "aave-v3")); // discovery had committed

        await chain.IndexAsync(db);
        Assert.Single(store.List());
        Assert.Equal(Clean, SnapshotText.Canonical(store.Load()));
    }

    [Fact]
    public async Task A_killed_cli_process_leaves_no_partial_snapshot_and_a_rerun_equals_a_clean_run()
    {
        var db = chain.NewDatabase();
        var cli = typeof(CliRunner).Assembly.Location;
        using (var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet",
                   ["exec", cli, "index", "--rpc", chain.Server.RpcUrl, "--db", db, "--deployments", chain.ManifestPath])
               { RedirectStandardError = true, RedirectStandardOutput = true })!)
        {
            // Kill it as soon as it reports reading state (discovery done, reads under way), or wherever it is after 3 s.
            var killAt = DateTime.UtcNow.AddSeconds(3);
            while (!process.HasExited && DateTime.UtcNow < killAt)
            {
                var line = await process.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(3)).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null);
                if (line?.StartsWith("read ", StringComparison.Ordinal) == true) break;
            }
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        var store = new SnapshotStore(db);
        var left = store.List();
        Assert.True(left.Count == 0 || SnapshotText.Canonical(store.Load()) == Clean, "a killed run left a partial snapshot");

        await chain.IndexAsync(db);
        Assert.Single(store.List());
        Assert.Equal(Clean, SnapshotText.Canonical(store.Load()));
    }

    [Fact]
    public async Task A_faulty_network_still_yields_the_identical_snapshot()
    {
        var kinds = new[] { Fault.TooManyRequests, Fault.ServerError, Fault.TruncatedJson, Fault.DroppedConnection };
        await using var proxy = new FaultProxy(chain.Server.RpcUrl, n => n % 3 == 1 ? kinds[n / 3 % kinds.Length] : Fault.None);
        var db = chain.NewDatabase();

        var result = await chain.IndexAsync(db, rpcUrl: proxy.Url);

        Assert.True(proxy.FaultsInjected >= 4, $"only {proxy.FaultsInjected} faults injected");
        Assert.True(result.Retries >= 4);
        Assert.Equal(Clean, SnapshotText.Canonical(new SnapshotStore(db).Load()));
    }

    [Fact]
    public async Task A_proxy_that_always_fails_is_a_clear_error_and_writes_nothing()
    {
        await using var proxy = new FaultProxy(chain.Server.RpcUrl, _ => Fault.ServerError);
        var db = chain.NewDatabase();
        var ex = await Assert.ThrowsAsync<DefiRiskException>(() => chain.IndexAsync(db, rpcUrl: proxy.Url, options: DemoChain.TestRpc with { MaxAttempts = 3 }));
        Assert.Equal(ExitCodes.ChainError, ex.ExitCode);
        Assert.Contains("failed after 3 attempts: HTTP 500", ex.Message);
        AssertNoSnapshot(db);
    }

    // ------------------------------------------------------------------ bad input, through the real CLI

    [Fact]
    public async Task Unreachable_rpc_exits_non_zero_with_one_line_and_no_snapshot()
    {
        var db = chain.NewDatabase();
        var (code, stderr) = await CliAsync("index", "--rpc", LoopbackProxy.ClosedPortUrl(), "--db", db, "--deployments", chain.ManifestPath, "--quiet");
        Assert.Equal(ExitCodes.ChainError, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("failed after", stderr);
        AssertNoSnapshot(db);
    }

    [Fact]
    public async Task Wrong_chain_id_in_the_deployments_file_is_refused()
    {
        var manifest = ChangedManifest(m => m["chainId"] = 1);
        var db = chain.NewDatabase();
        var (code, stderr) = await CliAsync("index", "--rpc", chain.Server.RpcUrl, "--db", db, "--deployments", manifest, "--quiet");
        Assert.Equal(ExitCodes.ChainError, code);
        Assert.Equal($"error: chain id {chain.Server.Manifest.ChainId} does not match deployments file {manifest} (1)", stderr.Trim());
        AssertNoSnapshot(db);
    }

    [Fact]
    public async Task An_address_without_code_is_refused_naming_the_key_and_block()
    {
        const string nowhere = "0x00000000000000000000000000000000deadbeef";
        var manifest = ChangedManifest(m => m["aave-v3"]!["pool"] = nowhere);
        var db = chain.NewDatabase();
        var (code, stderr) = await CliAsync("index", "--rpc", chain.Server.RpcUrl, "--db", db, "--deployments", manifest, "--quiet");
        Assert.Equal(ExitCodes.ChainError, code);
        Assert.Equal($"error: no contract code at {nowhere} (aave-v3.pool) at block {chain.Server.Block}", stderr.Trim());
        AssertNoSnapshot(db);
    }

    [Fact]
    public async Task A_malformed_deployments_file_is_refused_before_anything_else()
    {
        var manifest = Path.Combine(chain.TempDir, $"{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(manifest, "{ \"chainId\": 31337, \"aave-v3\": ");
        var db = chain.NewDatabase();
        var (code, stderr) = await CliAsync("index", "--rpc", chain.Server.RpcUrl, "--db", db, "--deployments", manifest);
        Assert.Equal(ExitCodes.UserError, code);
        Assert.StartsWith($"error: malformed deployments file {manifest}", stderr.Trim());
        Assert.Single(stderr.Trim().Split('\n'));
        AssertNoSnapshot(db);
    }

    [Fact]
    public async Task Positions_verb_prints_exact_json_rows_from_the_database()
    {
        var db = chain.NewDatabase();
        await chain.IndexAsync(db);
        var (code, stdout) = await CliAsync(stdout: true, "positions", "--db", db, "--json", "-", "--below", "1.5");
        Assert.Equal(0, code);
        var rows = JsonNode.Parse(stdout)!.AsArray();
        Assert.NotEmpty(rows);
        Assert.All(rows, r =>
        {
            var hf = (string)r!["healthFactor"]!;
            Assert.Matches(@"^\d+\.\d{18}$", hf);
            Assert.True(Cli.Commands.PositionsCommand.ParseWad(hf, "hf") < Cli.Commands.PositionsCommand.ParseWad("1.5", "below"));
            Assert.Contains((string)r["protocol"]!, new[] { "aave-v3", "morpho-blue" });
        });
    }

    // ------------------------------------------------------------------ helpers

    private static void AssertNoSnapshot(string db)
    {
        if (File.Exists(db)) Assert.Empty(new SnapshotStore(db).List());
    }

    private string ChangedManifest(Action<JsonObject> change)
    {
        var json = JsonNode.Parse(File.ReadAllText(chain.ManifestPath))!.AsObject();
        change(json);
        var path = Path.Combine(chain.TempDir, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    private static Task<(int Code, string Text)> CliAsync(params string[] args) => CliAsync(false, args);

    /// <summary>Runs the real command tree in-process; returns the exit code and stderr (or stdout).</summary>
    private static async Task<(int Code, string Text)> CliAsync(bool stdout, params string[] args)
    {
        var root = new RootCommand();
        foreach (var verb in Verbs.All()) root.Subcommands.Add(verb);
        var errors = new StringWriter();
        var output = new StringWriter();
        var (oldErr, oldOut) = (Console.Error, Console.Out);
        await ConsoleLock.WaitAsync();
        try
        {
            Console.SetError(errors);
            Console.SetOut(output);
            var code = await CliRunner.RunAsync(root, args);
            return (code, stdout ? output.ToString() : errors.ToString());
        }
        finally
        {
            Console.SetError(oldErr);
            Console.SetOut(oldOut);
            ConsoleLock.Release();
        }
    }

    private static readonly SemaphoreSlim ConsoleLock = new(1, 1);
}

/// <summary>IProgress that reports on the caller's thread (no SynchronizationContext hop).</summary>
internal sealed class SyncProgress(Action<IndexProgress> report) : IProgress<IndexProgress>
{
    public void Report(IndexProgress value) => report(value);
}
