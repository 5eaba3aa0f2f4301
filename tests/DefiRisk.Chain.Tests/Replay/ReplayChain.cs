using System.Numerics;
using DefiRisk.Harness;
using DefiRisk.Chain.Indexing;
using DefiRisk.Chain.Tests.Indexing;
using DefiRisk.Cli;
using DefiRisk.Cli.Commands;
using DefiRisk.Core.Domain;
using DefiRisk.Storage;

namespace DefiRisk.Chain.Tests.Replay;

/// <summary>
/// Its own anvil serving a bundled fixture (<c>fixtures/demo</c> here; tests move prices and liquidate, so they do not
/// share a node): indexed once at the saved block, then the clock frozen at the saved timestamp and the liquidator
/// funded. <see cref="ResetAsync"/> reverts to that funded state (evm_snapshot / evm_revert).
/// </summary>
public class ReplayChain : IAsyncLifetime
{
    private readonly string _fixture;

    public ReplayChain() : this("demo") { }

    protected ReplayChain(string fixture) => _fixture = fixture;

    public FixtureServer Server { get; private set; } = null!;
    public FixtureLiquidator Liquidator { get; private set; } = null!;
    /// <summary>The fixture as indexed at its saved block (SQLite round trip).</summary>
    public Snapshot Snapshot { get; private set; } = null!;
    public string TempDir { get; } = Directory.CreateTempSubdirectory("defirisk-replay-").FullName;
    private string _baseline = "";

    public async Task InitializeAsync()
    {
        Server = await FixtureServer.StartAsync(await FixtureDirectoryAsync());
        Snapshot = await IndexAsync(IndexCommand.BlockChoice.Default);
        Liquidator = new FixtureLiquidator(Server.Node, Server.Manifest, Server.Facts);
        await Liquidator.FreezeClockAsync();
        await Liquidator.FundAsync(BigInteger.Pow(10, 40));
        _baseline = await Server.Node.SnapshotAsync();
    }

    /// <summary>The fixture to serve: the bundled one by default; an on-the-fly chain builds its own.</summary>
    protected virtual Task<string> FixtureDirectoryAsync() =>
        Task.FromResult(Path.Combine(NodeModules.Locate().RepositoryRoot, "fixtures", _fixture));

    /// <summary>Indexes the chain (at the manifest block, or the head) into a fresh database and loads it back.</summary>
    internal async Task<Snapshot> IndexAsync(IndexCommand.BlockChoice block)
    {
        var db = Path.Combine(TempDir, $"{Guid.NewGuid():N}.db");
        await IndexCommand.RunAsync(new IndexCommand.IndexRequest(Server.RpcUrl, db, Path.Combine(Server.Directory, FixtureServer.ManifestFile), block),
            AppSettings.Load(), DemoChain.TestRpc, null, CancellationToken.None);
        return new SnapshotStore(db).Load();
    }

    /// <summary>Back to the funded state right after start (prices, positions, pools as saved; clock frozen).</summary>
    public async Task ResetAsync()
    {
        Assert.True(await Server.Node.RevertAsync(_baseline), "evm_revert to the funded baseline failed");
        _baseline = await Server.Node.SnapshotAsync();
    }

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        try { Directory.Delete(TempDir, recursive: true); } catch (IOException) { /* best effort */ }
    }
}

/// <summary><c>fixtures/mainnet-like</c> (3,000 borrowers, whales, e-mode loopers, deep pools) on its own anvil.</summary>
public sealed class MainnetLikeReplayChain() : ReplayChain("mainnet-like");
