using DefiRisk.Harness;
using DefiRisk.Chain.Indexing;
using DefiRisk.Cli;
using DefiRisk.Cli.Commands;
using DefiRisk.Core.Domain;
using DefiRisk.Storage;
using Nethereum.ABI;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Util;

namespace DefiRisk.Chain.Tests.Indexing;

/// <summary>
/// The auditor's fork workflow: serve a chain (here the bundled <c>fixtures/demo</c>), start a second anvil
/// with <c>--fork-url</c> the first and <c>--fork-block-number</c> its block, index the fork, and get
/// the same snapshot as indexing the original at that block — also after the origin has moved on.
/// Each test starts its own origin, because it mines on it.
/// </summary>
[Trait("Category", "ChainParity")]
public sealed class ForkParityTests : IAsyncLifetime
{
    private FixtureServer _origin = null!;
    private readonly string _temp = Directory.CreateTempSubdirectory("defirisk-fork-").FullName;

    private string ManifestPath => Path.Combine(_origin.Directory, FixtureServer.ManifestFile);

    public async Task InitializeAsync() => _origin = await FixtureServer.StartAsync(BundledFixtureDirectory);

    private static string BundledFixtureDirectory => Path.Combine(NodeModules.Locate().RepositoryRoot, "fixtures", "demo");

    /// <summary><c>defirisk index --rpc URL --db NEW --deployments manifest --block N</c>, loaded back from SQLite.</summary>
    private async Task<(Snapshot Snapshot, IndexResult Run)> IndexAsync(string rpcUrl, long block)
    {
        var db = Path.Combine(_temp, $"{Guid.NewGuid():N}.db");
        var run = await IndexCommand.RunAsync(new IndexCommand.IndexRequest(rpcUrl, db, ManifestPath, new IndexCommand.BlockChoice(block, false)),
            AppSettings.Load(), DemoChain.TestRpc, null, default);
        return (new SnapshotStore(db).Load(), run);
    }

    [Fact]
    public async Task Indexing_a_fork_at_the_fixture_block_gives_the_same_snapshot_as_indexing_the_origin()
    {
        var block = _origin.Block;
        var (original, _) = await IndexAsync(_origin.RpcUrl, block);

        await using var fork = await AnvilNode.ForkAsync(_origin.RpcUrl, block);
        // A fork of 31337 reports 31337 (ForkAsync passes the origin's id; anvil's own default would agree), head = fork block.
        Assert.Equal(_origin.Manifest.ChainId, (long)(await fork.Web3.Eth.ChainId.SendRequestAsync()).Value);
        Assert.Equal(block, await fork.BlockNumberAsync());
        var (forked, run) = await IndexAsync(fork.RpcUrl, block);

        // Non-trivial: hundreds of positions on both protocols, discovered through the fork's eth_getLogs.
        Assert.True(original.PositionCount >= 300, $"only {original.PositionCount} positions");
        Assert.True(original.AaveV3Markets().Single().Accounts.Count >= 300);
        Assert.True(original.MorphoBlue().Single().Positions.Count >= 100);
        Assert.True(run.DiscoveredAccounts >= 300, $"the fork discovered only {run.DiscoveredAccounts} accounts");
        Assert.Equal(block, forked.Chain.BlockNumber);
        Assert.Equal(SnapshotText.Canonical(original), SnapshotText.Canonical(forked));
    }

    [Fact]
    public async Task A_fork_stays_pinned_to_its_block_when_the_origin_mines_a_price_change_after_it()
    {
        var block = _origin.Block;
        var (original, _) = await IndexAsync(_origin.RpcUrl, block);
        var expected = SnapshotText.Canonical(original);

        // One fork started before the origin moves; it has already read (and cached) the origin's state once.
        await using var early = await AnvilNode.ForkAsync(_origin.RpcUrl, block);
        Assert.Equal(expected, SnapshotText.Canonical((await IndexAsync(early.RpcUrl, block)).Snapshot));

        // The origin mines a 30 % WETH drop after the fork block, by transactions: a new MockAggregator as the
        // AaveOracle source of WETH, and OracleMock.setPrice on the Morpho WETH/USDC market. (Not by FixturePrices:
        // anvil_setStorageAt edits the head block's state in place, so block N itself would change.)
        var weth = original.FindAsset("WETH")!;
        var wethMarket = _origin.Facts.MorphoMarkets.Single(m => m.Name == "WETH/USDC");
        var marketPrice = original.MorphoBlue().Single().Markets.Single(m => m.Id == wethMarket.Id).OraclePrice;
        var aggregator = ContractArtifact.Aave(NodeModules.Locate(), "contracts/mocks/oracle/CLAggregators/MockAggregator.sol", "MockAggregator");
        var feed = await SendAsync(null, "0x" + aggregator.Bytecode + Encode(new ABIValue("int256", weth.PriceUsd * 7 / 10)));
        await SendAsync(_origin.Manifest.AaveV3()[0].Oracle, Call("setAssetSources(address[],address[])",
            new ABIValue("address[]", new List<string> { weth.Address.Value }), new ABIValue("address[]", new List<string> { feed! })));
        await SendAsync(wethMarket.Oracle, Call("setPrice(uint256)", new ABIValue("uint256", marketPrice * 7 / 10)));
        var head = await _origin.Node.BlockNumberAsync();
        Assert.Equal(block + 3, head);
        var (moved, _) = await IndexAsync(_origin.RpcUrl, head);
        Assert.Equal(weth.PriceUsd * 7 / 10, moved.FindAsset("WETH")!.PriceUsd);
        Assert.Equal(marketPrice * 7 / 10, moved.MorphoBlue().Single().Markets.Single(m => m.Id == wethMarket.Id).OraclePrice);
        Assert.NotEqual(expected, SnapshotText.Canonical(moved));
        // The origin itself still answers block N as before.
        Assert.Equal(expected, SnapshotText.Canonical((await IndexAsync(_origin.RpcUrl, block)).Snapshot));

        // A fork started after the change, at the old block, reads the old state through the origin's history;
        // the early fork still answers the same.
        await using var late = await AnvilNode.ForkAsync(_origin.RpcUrl, block);
        Assert.Equal(block, await late.BlockNumberAsync());
        Assert.Equal(expected, SnapshotText.Canonical((await IndexAsync(late.RpcUrl, block)).Snapshot));
        Assert.Equal(expected, SnapshotText.Canonical((await IndexAsync(early.RpcUrl, block)).Snapshot));
    }

    /// <summary>eth_sendTransaction from the fixture admin (unlocked), automined; the created contract's address, if any.</summary>
    private async Task<string?> SendAsync(string? to, string data)
    {
        var tx = new Dictionary<string, object> { ["from"] = _origin.Facts.Actors.Admin, ["data"] = data, ["gas"] = "0x7a1200" };
        if (to is not null) tx["to"] = to;
        var hash = (await _origin.Node.Rpc.CallAsync("eth_sendTransaction", tx)).GetString()!;
        var receipt = await _origin.Node.Rpc.CallAsync("eth_getTransactionReceipt", hash);
        for (var i = 0; i < 100 && receipt.ValueKind == System.Text.Json.JsonValueKind.Null; i++)
        {
            // Automine answers with the hash before the block is sealed.
            await Task.Delay(20);
            receipt = await _origin.Node.Rpc.CallAsync("eth_getTransactionReceipt", hash);
        }
        Assert.Equal("0x1", receipt.GetProperty("status").GetString());
        return receipt.GetProperty("contractAddress").GetString();
    }

    private static string Call(string signature, params ABIValue[] args) => "0x" + Sha3Keccack.Current.CalculateHash(signature)[..8] + Encode(args);

    private static string Encode(params ABIValue[] args) => new ABIEncode().GetABIEncoded(args).ToHex();

    [Fact]
    public async Task Forking_an_unreachable_origin_is_one_clear_error()
    {
        var ex = await Assert.ThrowsAsync<Core.DefiRiskException>(() => AnvilNode.ForkAsync("http://127.0.0.1:9", 1));
        Assert.Contains("cannot fork http://127.0.0.1:9", ex.Message);
    }

    public async Task DisposeAsync()
    {
        if (_origin is not null) await _origin.DisposeAsync();
        try { Directory.Delete(_temp, recursive: true); } catch (IOException) { /* best effort */ }
    }
}
