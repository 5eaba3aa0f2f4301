using System.Text;
using System.Text.Json.Nodes;
using DefiRisk.Chain.Protocols.AaveV3;
using DefiRisk.Chain.Rpc;
using DefiRisk.Harness;
using DefiRisk.Storage;

namespace DefiRisk.Chain.Tests.Indexing;

/// <summary>
/// The read lens (many view calls to one eth_call through a state override): the bytecode we ship is the source's, a
/// snapshot read through it equals one read with plain batches, a node's call gas cap splits lens calls until they fit,
/// and a node that ignores overrides falls back to batches.
/// </summary>
[Collection(DemoChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class ReadLensTests(DemoChain chain)
{
    [Fact]
    public async Task The_shipped_lens_bytecode_is_what_solc_0_8_19_makes_of_the_committed_source()
    {
        var root = NodeModules.Locate().RepositoryRoot;
        var source = await File.ReadAllTextAsync(Path.Combine(root, "src", "DefiRisk.Chain", "Rpc", "ReadLens.sol"));
        var input = new JsonObject
        {
            ["language"] = "Solidity",
            ["sources"] = new JsonObject { ["ReadLens.sol"] = new JsonObject { ["content"] = source } },
            ["settings"] = new JsonObject
            {
                ["optimizer"] = new JsonObject { ["enabled"] = true, ["runs"] = 200 },
                ["evmVersion"] = "paris",
                ["metadata"] = new JsonObject { ["bytecodeHash"] = "none" },
                ["outputSelection"] = new JsonObject { ["ReadLens.sol"] = new JsonObject { ["ReadLens"] = new JsonArray("evm.deployedBytecode.object") } },
            },
        };
        var (output, _) = await SolidityCompiler.CompileCachedAsync(NodeModules.Locate().Solcjs, "0.8.19", input,
            Path.Combine(root, ".defirisk-cache"), CancellationToken.None);
        var compiled = output["contracts"]!["ReadLens.sol"]!["ReadLens"]!["evm"]!["deployedBytecode"]!["object"]!.GetValue<string>();
        Assert.Equal("0x" + compiled, ReadLens.RuntimeCode);
    }

    [Fact]
    public async Task A_snapshot_read_through_the_lens_equals_one_read_with_plain_batches_at_a_fraction_of_the_eth_calls()
    {
        var lensDb = chain.NewDatabase();
        var lens = await chain.IndexAsync(lensDb, options: DemoChain.TestRpc with { CallsPerRead = 500 });
        var plainDb = chain.NewDatabase();
        var plain = await chain.IndexAsync(plainDb, options: DemoChain.TestRpc with { CallsPerRead = 1 });

        Assert.Equal(SnapshotText.Canonical(new SnapshotStore(plainDb).Load()), SnapshotText.Canonical(new SnapshotStore(lensDb).Load()));
        var positions = lens.Snapshot.PositionCount;
        // The bar (≤ 0.02 per position) is for mainnet-sized books: the demo's 502 positions need ~12 lens calls (one
        // or two per dependent round); bench index measures the bar on mainnet-like. Here: two orders of magnitude fewer.
        Assert.True(plain.Read!.EthCalls > positions, $"plain batches made only {plain.Read.EthCalls} eth_calls");
        Assert.True(lens.Read!.EthCalls * 100 <= plain.Read.EthCalls, $"{lens.Read.EthCalls} eth_calls through the lens, {plain.Read.EthCalls} in batches");
    }

    [Fact]
    public async Task Packed_lens_answers_equal_plain_eth_calls_for_return_data_reverts_and_calls_to_no_code()
    {
        var pool = chain.Server.Manifest.AaveV3()[0].Pool;
        var borrowers = chain.Server.Facts.Borrowers.Take(40).ToList();
        var calls = new List<EthCall>();
        foreach (var b in borrowers)
        {
            calls.Add(new EthCall(pool, "0xbf92857c" + new string('0', 24) + b[2..].ToLowerInvariant()));  // getUserAccountData(address): 6 words
            calls.Add(new EthCall(pool, "0xdeadbeef"));                                                      // no such function: reverts
            calls.Add(new EthCall(b, "0x70a08231" + new string('0', 24) + b[2..].ToLowerInvariant()));     // an account without code: empty success
        }
        calls.Add(new EthCall(pool, "0x"));                                                                  // no call data at all
        using var lens = new EthRpc(chain.Server.RpcUrl, DemoChain.TestRpc with { CallsPerRead = 50 });
        using var plain = new EthRpc(chain.Server.RpcUrl, DemoChain.TestRpc with { CallsPerRead = 1 });
        var throughLens = await lens.CallAsync(calls, chain.Server.Block, CancellationToken.None);
        var oneByOne = await plain.CallAsync(calls, chain.Server.Block, CancellationToken.None);

        Assert.True(lens.Stats.EthCalls <= 3, $"{lens.Stats.EthCalls} eth_calls for {calls.Count} reads through the lens");
        Assert.Equal(oneByOne.Select(r => (r.Success, r.Data)), throughLens.Select(r => (r.Success, r.Data)));
        Assert.Contains(throughLens, r => r.HasData);
        Assert.Contains(throughLens, r => !r.Success);
        Assert.Contains(throughLens, r => r.Success && !r.HasData);
    }

    [Fact]
    public async Task A_node_call_gas_cap_splits_lens_calls_until_they_fit_and_the_snapshot_is_the_same()
    {
        // 1,000,000 gas per eth_call: a lens call of 500 reads needs more, so it must be halved (a geth node caps at 50,000,000).
        // (3,000,000 no longer splits anything: balances are scaledBalanceOf reads, a fraction of balanceOf's gas.)
        var options = DemoChain.TestRpc with { CallsPerRead = 500 };
        var uncapped = await chain.IndexAsync(chain.NewDatabase(), options: options);
        await using var proxy = new RewritingProxy(chain.Server.RpcUrl, request => RewritingProxy.CapLensGas(request, 1_000_000));
        var db = chain.NewDatabase();
        var capped = await chain.IndexAsync(db, rpcUrl: proxy.Url, options: options);

        Assert.Equal(SnapshotText.Canonical(chain.Stored), SnapshotText.Canonical(new SnapshotStore(db).Load()));
        Assert.True(proxy.Rewritten > 0, "no lens call went through the proxy");
        Assert.True(capped.Read!.EthCalls > uncapped.Read!.EthCalls,
            $"{capped.Read.EthCalls} eth_calls under the cap, {uncapped.Read.EthCalls} without: the lens calls were not split");
        Assert.True(capped.Read.EthCalls < capped.Snapshot.PositionCount, "the capped reads fell back to one eth_call per read");
    }

    [Fact]
    public async Task A_node_that_ignores_state_overrides_is_read_with_plain_batches_and_gives_the_same_snapshot()
    {
        await using var proxy = new RewritingProxy(chain.Server.RpcUrl, RewritingProxy.DropStateOverrides);
        var db = chain.NewDatabase();
        var result = await chain.IndexAsync(db, rpcUrl: proxy.Url, options: DemoChain.TestRpc with { CallsPerRead = 500 });

        Assert.Equal(SnapshotText.Canonical(chain.Stored), SnapshotText.Canonical(new SnapshotStore(db).Load()));
        Assert.True(proxy.Rewritten > 0, "no state override reached the proxy");
        Assert.True(result.Read!.EthCalls > result.Snapshot.PositionCount, $"only {result.Read.EthCalls} eth_calls: the reads did not fall back to batches");
    }
}

/// <summary>A loopback JSON-RPC proxy that rewrites each request body before passing it on (a node's policies, simulated).</summary>
public sealed class RewritingProxy(string target, Func<JsonNode, bool> rewrite) : LoopbackProxy(target)
{
    private int _rewritten;

    public int Rewritten => Volatile.Read(ref _rewritten);

    /// <summary>Gives every eth_call carrying a state override at most <paramref name="gas"/> gas, as a node's call gas cap does.</summary>
    public static bool CapLensGas(JsonNode request, long gas) => EachOverrideCall(request, p => p[0]!["gas"] = "0x" + gas.ToString("x"));

    /// <summary>Removes eth_call's third parameter, as a node that does not know state overrides ignores it.</summary>
    public static bool DropStateOverrides(JsonNode request) => EachOverrideCall(request, p => p.RemoveAt(2));

    private static bool EachOverrideCall(JsonNode request, Action<JsonArray> change)
    {
        var any = false;
        foreach (var item in request is JsonArray batch ? batch.ToList() : [request])
            if (item?["method"]?.GetValue<string>() == "eth_call" && item["params"] is JsonArray { Count: 3 } p)
            {
                change(p);
                any = true;
            }
        return any;
    }

    protected override async Task HandleAsync(System.Net.HttpListenerContext context, byte[] body)
    {
        var request = JsonNode.Parse(body)!;
        if (rewrite(request)) Interlocked.Increment(ref _rewritten);
        var (status, bytes) = await ForwardAsync(Encoding.UTF8.GetBytes(request.ToJsonString()));
        await WriteAsync(context, bytes, status);
    }
}

/// <summary>
/// The cost bar on the largest bundled fixture: the read phase after discovery makes at most one HTTP request per
/// 500 positions and at most 0.02 eth_calls per position (one request per dependent round: the packed lens calls of a round
/// fit one request body), and the snapshot equals one read with plain batches.
/// </summary>
[Trait("Category", "ChainParity")]
public sealed class ReadLensMainnetLikeTests(DefiRisk.Chain.Tests.Harness.MainnetLikeChain chain) : IClassFixture<DefiRisk.Chain.Tests.Harness.MainnetLikeChain>
{
    [Fact]
    public async Task The_mainnet_like_read_phase_makes_one_http_request_per_500_positions_or_fewer_and_reads_what_plain_batches_read()
    {
        var temp = Directory.CreateTempSubdirectory("defirisk-lens-").FullName;
        try
        {
            var manifest = Path.Combine(DefiRisk.Chain.Tests.Harness.MainnetLikeChain.Directory, FixtureServer.ManifestFile);
            var lensDb = Path.Combine(temp, "lens.db");
            var lens = await DefiRisk.Cli.Commands.IndexCommand.RunAsync(new DefiRisk.Cli.Commands.IndexCommand.IndexRequest(chain.Server.RpcUrl, lensDb, manifest,
                DefiRisk.Cli.Commands.IndexCommand.BlockChoice.Default), DefiRisk.Cli.AppSettings.Load(), DemoChain.TestRpc, null, default);
            var read = lens.Read!;
            var positions = lens.Snapshot.PositionCount;
            Assert.True(positions >= 3000, $"only {positions} positions");
            Assert.True(read.HttpRequests * 500 <= positions, $"{read.HttpRequests} HTTP requests in the read phase for {positions} positions");
            Assert.True(read.EthCalls * 50 <= positions, $"{read.EthCalls} eth_calls in the read phase for {positions} positions");
            Assert.Equal(SnapshotText.Canonical(chain.Stored), SnapshotText.Canonical(new SnapshotStore(lensDb).Load()));

            var plainDb = Path.Combine(temp, "plain.db");
            await DefiRisk.Cli.Commands.IndexCommand.RunAsync(new DefiRisk.Cli.Commands.IndexCommand.IndexRequest(chain.Server.RpcUrl, plainDb, manifest,
                DefiRisk.Cli.Commands.IndexCommand.BlockChoice.Default), DefiRisk.Cli.AppSettings.Load(), DemoChain.TestRpc with { CallsPerRead = 1 }, null, default);
            Assert.Equal(SnapshotText.Canonical(new SnapshotStore(plainDb).Load()), SnapshotText.Canonical(new SnapshotStore(lensDb).Load()));
        }
        finally { Directory.Delete(temp, recursive: true); }
    }
}
