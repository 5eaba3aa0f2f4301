using System.Text.Json;
using DefiRisk.Chain.Deployments;
using DefiRisk.Chain.Indexing;
using DefiRisk.Chain.Rpc;
using DefiRisk.Chain.Tests.CommandLine;
using DefiRisk.Cli;
using DefiRisk.Cli.Commands;
using DefiRisk.Core;
using DefiRisk.Core.Domain;
using DefiRisk.Harness;
using DefiRisk.Harness.Capture;
using DefiRisk.Storage;
using Xunit.Abstractions;

namespace DefiRisk.Chain.Tests.Indexing;

/// <summary>
/// Issue 13 item 7, the auditor's offline rerun: serve the bundled <c>mainnet-like</c> fixture (the upstream), fork it with
/// a second anvil at its block, <c>defirisk fixture capture</c> the fork, stop both, load only the capture into a bare
/// anvil, and index it: the snapshot equals the one indexed from the original at that block.
/// </summary>
[Trait("Category", "ChainParity")]
public sealed class ForkCaptureTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _temp = Directory.CreateTempSubdirectory("defirisk-capture-").FullName;

    private static string FixtureDirectory => Harness.MainnetLikeChain.Directory;
    private static string FixtureManifest => Path.Combine(FixtureDirectory, FixtureServer.ManifestFile);

    private async Task<(Snapshot Snapshot, IndexResult Run)> IndexAsync(string rpcUrl, string manifest, long? block, int historyDays = 0)
    {
        var db = Path.Combine(_temp, $"{Guid.NewGuid():N}.db");
        var run = await IndexCommand.RunAsync(new IndexCommand.IndexRequest(rpcUrl, db, manifest, new IndexCommand.BlockChoice(block, false), historyDays),
            AppSettings.Load(), DemoChain.TestRpc, null, default);
        return (new SnapshotStore(db).Load(), run);
    }

    /// <summary>Every feed's rounds as text (asset, feed, decimals, each round), for comparing two reads of a history.</summary>
    private static string Rounds(Snapshot s) => string.Join("\n", (s.PriceHistory ?? []).OrderBy(h => h.Asset)
        .Select(h => $"{h.Asset} {h.Feed} {h.Decimals} {h.Missing} [{string.Join(" ", h.Rounds)}]"));

    [Fact]
    public async Task A_capture_with_price_history_days_holds_the_oracle_rounds_so_the_offline_index_reads_the_same_history()
    {
        var captureDir = Path.Combine(_temp, "capture-history");
        Snapshot original;
        await using (var upstream = await FixtureServer.StartAsync(FixtureDirectory))
        {
            original = (await IndexAsync(upstream.RpcUrl, FixtureManifest, upstream.Block, historyDays: 2)).Snapshot;
            await using var fork = await AnvilNode.ForkAsync(upstream.RpcUrl, upstream.Block);
            var capture = await DefiRiskCli.RunAsync("fixture", "capture", "--rpc", fork.RpcUrl, "--deployments", FixtureManifest,
                "--block", upstream.Block.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", captureDir, "--price-history-days", "2", "--quiet");
            Assert.True(capture.Code == 0, capture.ToString());
        }
        // The bundled fixture posts hourly rounds: two days is about 48 a feed.
        Assert.True(original.PriceHistory is { Count: > 0 } h && h.All(f => f.Rounds.Count >= 40), Rounds(original));

        await using var bare = await AnvilNode.StartAsync(new AnvilOptions { ChainId = original.Chain.ChainId, LoadStatePath = Path.Combine(captureDir, ForkCapture.StateFile) });
        var (offline, _) = await IndexAsync(bare.RpcUrl, Path.Combine(captureDir, FixtureServer.ManifestFile), null, historyDays: 2);
        Assert.Equal(Rounds(original), Rounds(offline));
    }

    [Fact]
    public async Task A_capture_of_a_fork_of_mainnet_like_loaded_alone_in_a_bare_anvil_indexes_to_the_snapshot_of_the_original()
    {
        var captureDir = Path.Combine(_temp, "capture");
        Snapshot original;
        long block;
        string upstreamHash;
        CliOutput capture;
        await using (var upstream = await FixtureServer.StartAsync(FixtureDirectory))
        {
            block = upstream.Block;
            original = (await IndexAsync(upstream.RpcUrl, FixtureManifest, block)).Snapshot;
            upstreamHash = (await upstream.Node.Rpc.CallAsync("eth_getBlockByNumber", EthRpc.Hex(block), false)).GetProperty("hash").GetString()!;
            await using var fork = await AnvilNode.ForkAsync(upstream.RpcUrl, block);
            capture = await DefiRiskCli.RunAsync("fixture", "capture", "--rpc", fork.RpcUrl, "--deployments", FixtureManifest,
                "--block", block.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", captureDir, "--json", "-");
            Assert.True(capture.Code == 0, capture.ToString());
        } // the fork and its upstream are stopped here: from now on only the capture answers

        var figures = JsonDocument.Parse(capture.Stdout).RootElement;
        output.WriteLine(capture.Stdout);
        var statePath = Path.Combine(captureDir, ForkCapture.StateFile);
        Assert.Equal([FixtureServer.ManifestFile, ForkCapture.StateFile], Directory.GetFileSystemEntries(captureDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Empty(Directory.GetFileSystemEntries(_temp, ".capture*")); // no scratch directory left beside it

        // The read lens ran at its address only through eth_call's state override: the tracer reports that account, the capture must not.
        using (var state = JsonDocument.Parse(File.ReadAllBytes(statePath)))
        {
            var accounts = state.RootElement.GetProperty("accounts");
            Assert.False(accounts.TryGetProperty(ReadLens.Address, out _), "the lens's override account was captured");
            Assert.Equal(figures.GetProperty("accounts").GetInt32(), accounts.EnumerateObject().Count());
        }

        await using var bare = await AnvilNode.StartAsync(new AnvilOptions { ChainId = original.Chain.ChainId, LoadStatePath = statePath });
        Assert.Equal(block, await bare.BlockNumberAsync());
        var bareBlock = await bare.Rpc.CallAsync("eth_getBlockByNumber", EthRpc.Hex(block), false);
        Assert.Equal(upstreamHash, bareBlock.GetProperty("hash").GetString());
        var manifest = Path.Combine(captureDir, FixtureServer.ManifestFile);
        Assert.Equal(upstreamHash, DeploymentManifest.Load(manifest).Capture!.BlockHash);

        // A read outside the capture sees zero: a contract of the fixture's state that the index never touched has no code here.
        var (fixtureAccounts, fixtureContracts) = FixtureAccounts();
        var captured0 = JsonDocument.Parse(File.ReadAllBytes(statePath)).RootElement.GetProperty("accounts").EnumerateObject().Select(a => a.Name).ToHashSet();
        Assert.True(captured0.Count * 10 < fixtureAccounts, $"{captured0.Count} accounts captured of the fixture's {fixtureAccounts}: not a selection");
        // (Not one of the system contracts anvil deploys at genesis, 0x0000…: a bare anvil has those of its own.)
        var untouched = fixtureContracts.First(a => !captured0.Contains(a) && !a.StartsWith("0x0000", StringComparison.Ordinal));
        Assert.Equal("0x", (await bare.Rpc.CallAsync("eth_getCode", untouched, EthRpc.Hex(block))).GetString());

        var (captured, run) = await IndexAsync(bare.RpcUrl, manifest, null);
        Assert.Equal(0, run.LogRequests); // discovery came from the manifest: the state file has no logs
        Assert.True(original.PositionCount >= 3000, $"only {original.PositionCount} positions");
        Assert.True(original.MorphoBlue().Single().Positions.Count >= 500);
        Assert.Equal(original.PositionCount, figures.GetProperty("positions").GetInt32());
        Assert.Equal(block, captured.Chain.BlockNumber);
        Assert.Equal(original.Chain.BlockTimestamp, captured.Chain.BlockTimestamp);
        Assert.Equal(SnapshotText.Canonical(original), SnapshotText.Canonical(captured));
    }

    /// <summary>How many accounts the bundled fixture's full state holds, and those with code in address order.</summary>
    private static (int Accounts, List<string> Contracts) FixtureAccounts()
    {
        using var gz = new System.IO.Compression.GZipStream(File.OpenRead(Path.Combine(FixtureDirectory, FixtureServer.StateGzip)), System.IO.Compression.CompressionMode.Decompress);
        using var state = JsonDocument.Parse(gz);
        var accounts = state.RootElement.GetProperty("accounts").EnumerateObject().ToList();
        return (accounts.Count, accounts.Where(a => a.Value.GetProperty("code").GetString() is { Length: > 2 }).Select(a => a.Name).Order(StringComparer.Ordinal).ToList());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(_temp, recursive: true); } catch (IOException) { /* best effort */ }
        return Task.CompletedTask;
    }
}

/// <summary>Bad input to <c>fixture capture</c>: one line, exit 2 or 3, and no output directory (not even a half-written one).</summary>
[Collection(DemoChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class ForkCaptureBadInputTests(DemoChain chain)
{
    private string NewOut() => Path.Combine(chain.TempDir, $"capture-{Guid.NewGuid():N}");

    private string Block => chain.Server.Block.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void AssertNothingWritten(string outDir)
    {
        Assert.False(Directory.Exists(outDir), $"{outDir} was written");
        Assert.Empty(Directory.GetFileSystemEntries(chain.TempDir, $".{Path.GetFileName(outDir)}*"));
    }

    [Fact]
    public async Task Capturing_an_unreachable_node_is_one_line_exit_3_and_writes_nothing()
    {
        var outDir = NewOut();
        var run = await DefiRiskCli.RunAsync("fixture", "capture", "--rpc", LoopbackProxy.ClosedPortUrl(), "--deployments", chain.ManifestPath, "--block", Block, "--out", outDir);
        DefiRiskCli.AssertOneLineFailure(run, ExitCodes.ChainError);
        AssertNothingWritten(outDir);
    }

    [Fact]
    public async Task Capturing_with_a_deployments_file_naming_an_address_without_code_is_one_line_exit_3_and_writes_nothing()
    {
        var text = File.ReadAllText(chain.ManifestPath);
        var pool = chain.Server.Manifest.AaveV3()[0].Pool;
        var wrong = Path.Combine(chain.TempDir, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(wrong, text.Replace(pool, "0x00000000000000000000000000000000c0ffee00", StringComparison.OrdinalIgnoreCase));
        var outDir = NewOut();
        var run = await DefiRiskCli.RunAsync("fixture", "capture", "--rpc", chain.Server.RpcUrl, "--deployments", wrong, "--block", Block, "--out", outDir);
        var line = DefiRiskCli.AssertOneLineFailure(run, ExitCodes.ChainError);
        Assert.Contains("no contract code at 0x00000000000000000000000000000000c0ffee00", line);
        AssertNothingWritten(outDir);
    }

    [Fact]
    public async Task Capturing_a_node_that_does_not_answer_debug_traceCall_is_one_line_exit_3_and_writes_nothing()
    {
        // A provider without the debug namespace, simulated: its debug_traceCall is an unknown method.
        await using var provider = new RewritingProxy(chain.Server.RpcUrl, request =>
        {
            var any = false;
            foreach (var item in request is System.Text.Json.Nodes.JsonArray batch ? batch.ToList() : [request])
                if (item?["method"]?.GetValue<string>() == "debug_traceCall") { item["method"] = "debug_traceCallUnavailable"; any = true; }
            return any;
        });
        var outDir = NewOut();
        var run = await DefiRiskCli.RunAsync("fixture", "capture", "--rpc", provider.Url, "--deployments", chain.ManifestPath, "--block", Block, "--out", outDir);
        Assert.Contains("does not answer debug_traceCall with the prestateTracer", DefiRiskCli.AssertOneLineFailure(run, ExitCodes.ChainError));
        Assert.True(provider.Rewritten > 0);
        AssertNothingWritten(outDir);
    }

    [Fact]
    public async Task Capturing_a_block_after_the_nodes_head_is_one_line_exit_2_and_writes_nothing()
    {
        var outDir = NewOut();
        var run = await DefiRiskCli.RunAsync("fixture", "capture", "--rpc", chain.Server.RpcUrl, "--deployments", chain.ManifestPath,
            "--block", (chain.Server.Block + 1000).ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", outDir);
        Assert.Contains("after the head", DefiRiskCli.AssertOneLineFailure(run, ExitCodes.UserError));
        AssertNothingWritten(outDir);
    }

    [Fact]
    public async Task Capturing_a_review_at_a_block_other_than_the_head_is_one_line_exit_2_and_writes_nothing()
    {
        // review executes its payloads on the head: a capture of it at another block would hold the wrong state.
        var outDir = NewOut();
        var payload = Path.Combine(NodeModules.Locate().RepositoryRoot, "fixtures", "aave-lt-cut-payload.sol");
        var run = await DefiRiskCli.RunAsync("fixture", "capture", "--rpc", chain.Server.RpcUrl, "--deployments", chain.ManifestPath,
            "--block", (chain.Server.Block - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", outDir, "--payload", payload);
        Assert.Contains("a review runs on the head", DefiRiskCli.AssertOneLineFailure(run, ExitCodes.UserError));
        AssertNothingWritten(outDir);
    }

    [Fact]
    public async Task Capturing_into_a_directory_that_holds_files_is_one_line_exit_2_and_leaves_it_alone()
    {
        var outDir = NewOut();
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "keep.txt"), "mine");
        var run = await DefiRiskCli.RunAsync("fixture", "capture", "--rpc", chain.Server.RpcUrl, "--deployments", chain.ManifestPath, "--block", Block, "--out", outDir);
        Assert.Contains("not empty", DefiRiskCli.AssertOneLineFailure(run, ExitCodes.UserError));
        Assert.Equal(["keep.txt"], Directory.GetFileSystemEntries(outDir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_capture_served_by_fixture_up_indexes_to_the_originals_snapshot_and_refuses_any_other_block_with_exit_2()
    {
        var outDir = NewOut();
        var run = await DefiRiskCli.RunAsync("fixture", "capture", "--rpc", chain.Server.RpcUrl, "--deployments", chain.ManifestPath, "--block", Block, "--out", outDir, "--quiet");
        Assert.True(run.Code == 0, run.ToString());
        var manifest = Path.Combine(outDir, FixtureServer.ManifestFile);

        // `fixture up DIR` serves a capture as it serves a built fixture: its head block, its clock.
        await using (var served = await FixtureServer.StartAsync(outDir))
        {
            Assert.Equal(chain.Server.Block, served.Block);
            var db = chain.NewDatabase();
            await chain.IndexAsync(db, served.RpcUrl, manifest: manifest);
            Assert.Equal(SnapshotText.Canonical(chain.Stored), SnapshotText.Canonical(new SnapshotStore(db).Load()));
        }

        var index = await DefiRiskCli.RunAsync("index", "--rpc", chain.Server.RpcUrl, "--db", chain.NewDatabase(), "--deployments", manifest,
            "--block", (chain.Server.Block - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "--quiet");
        Assert.Contains("holds no other block", DefiRiskCli.AssertOneLineFailure(index, ExitCodes.UserError));
    }
}
