using DefiRisk.Chain.Harness;
using DefiRisk.Chain.Indexing;
using DefiRisk.Cli;
using DefiRisk.Cli.Commands;
using DefiRisk.Core.Domain;
using DefiRisk.Storage;

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
        Assert.True(original.AaveV3Markets.Single().Accounts.Count >= 300);
        Assert.True(original.MorphoBlue.Single().Positions.Count >= 100);
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

        // The origin mines a 30 % WETH drop in block + 1 (Aave feed and Morpho oracles, kept consistent).
        var prices = new FixturePrices(_origin.Node, _origin.Facts);
        await prices.ScaleUsdPriceAsync("WETH", 0.7m);
        await _origin.Node.MineAsync(_origin.Facts.Timestamp + 12);
        Assert.Equal(block + 1, await _origin.Node.BlockNumberAsync());
        var (moved, _) = await IndexAsync(_origin.RpcUrl, block + 1);
        var weth = original.FindAsset("WETH")!;
        Assert.Equal(weth.PriceUsd * 7 / 10, moved.FindAsset("WETH")!.PriceUsd);
        Assert.NotEqual(expected, SnapshotText.Canonical(moved));

        // A fork started after the change, at the old block, reads the old state through the origin's history;
        // the early fork still answers the same.
        await using var late = await AnvilNode.ForkAsync(_origin.RpcUrl, block);
        Assert.Equal(block, await late.BlockNumberAsync());
        Assert.Equal(expected, SnapshotText.Canonical((await IndexAsync(late.RpcUrl, block)).Snapshot));
        Assert.Equal(expected, SnapshotText.Canonical((await IndexAsync(early.RpcUrl, block)).Snapshot));
    }

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
