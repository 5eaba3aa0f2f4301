using System.Numerics;
using DefiRisk.Chain.Tests.Indexing;
using DefiRisk.Cli;
using DefiRisk.Cli.Commands;
using DefiRisk.Core.Domain;
using DefiRisk.Harness;
using DefiRisk.Storage;

namespace DefiRisk.Chain.Tests.Protocols.AaveV3;

/// <summary>
/// The on-the-fly Aave v3.6 fixture (same build as <see cref="AaveV36Chain"/>) on its own anvil, for tests that move prices
/// and liquidate: clock frozen at the saved timestamp, liquidator funded, <see cref="ResetAsync"/> back to that state.
/// </summary>
public sealed class AaveV36ReplayChain : IAsyncLifetime
{
    public FixtureServer Server { get; private set; } = null!;
    public FixtureLiquidator Liquidator { get; private set; } = null!;
    public string TempDir { get; } = Directory.CreateTempSubdirectory("defirisk-aave36-replay-").FullName;
    private string _baseline = "";

    public async Task InitializeAsync()
    {
        var build = await new FixtureBuilder(new FixtureBuildOptions
        {
            Profile = FixtureProfile.MainnetLike, Borrowers = AaveV36Chain.Borrowers, Seed = AaveV36Chain.Seed, Aave = AaveVersion.V3_6,
        }).BuildAsync();
        var dir = Path.Combine(TempDir, "fixture");
        build.WriteTo(dir);
        Server = await FixtureServer.StartAsync(dir);
        Liquidator = new FixtureLiquidator(Server.Node, Server.Manifest, Server.Facts);
        await Liquidator.FreezeClockAsync();
        await Liquidator.FundAsync(BigInteger.Pow(10, 40));
        _baseline = await Server.Node.SnapshotAsync();
    }

    /// <summary>Indexes the head block into a fresh database and loads it back.</summary>
    internal async Task<Snapshot> IndexHeadAsync()
    {
        var db = Path.Combine(TempDir, $"{Guid.NewGuid():N}.db");
        await IndexCommand.RunAsync(new IndexCommand.IndexRequest(Server.RpcUrl, db, Path.Combine(Server.Directory, FixtureServer.ManifestFile), IndexCommand.ParseBlock("latest")),
            AppSettings.Load(), DemoChain.TestRpc, null, CancellationToken.None);
        return new SnapshotStore(db).Load();
    }

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
