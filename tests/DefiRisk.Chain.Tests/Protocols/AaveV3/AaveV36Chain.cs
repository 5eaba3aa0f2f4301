using System.Diagnostics;
using DefiRisk.Chain.Indexing;
using DefiRisk.Chain.Tests.Indexing;
using DefiRisk.Cli;
using DefiRisk.Cli.Commands;
using DefiRisk.Core.Domain;
using DefiRisk.Harness;
using DefiRisk.Storage;

namespace DefiRisk.Chain.Tests.Protocols.AaveV3;

/// <summary>
/// A small Aave v3.6 fixture built on the fly for a test collection (the bundled fixtures are 3.0): the mainnet-like
/// population with <see cref="Borrowers"/> borrowers on the real 3.6 bytecode (e-mode loopers on the exchange-rate-priced
/// wstETH and on weETH, whose base LT is 0), served on anvil and indexed once the way the CLI does it.
/// </summary>
public sealed class AaveV36Chain : IAsyncLifetime
{
    public const int Borrowers = 80;
    public const int Seed = 36;

    public FixtureServer Server { get; private set; } = null!;
    public string TempDir { get; } = Directory.CreateTempSubdirectory("defirisk-aave36-").FullName;
    public string FixtureDir => Path.Combine(TempDir, "fixture");
    public string ManifestPath => Path.Combine(FixtureDir, FixtureServer.ManifestFile);
    public FixtureBuild Build { get; private set; } = null!;
    /// <summary>Wall time of the build (compile served from the cache after the first run on a machine).</summary>
    public TimeSpan BuildTime { get; private set; }
    /// <summary>The snapshot at the fixture block, as stored and loaded back from SQLite.</summary>
    public Snapshot Stored { get; private set; } = null!;
    public IndexResult FirstRun { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        Build = await new FixtureBuilder(new FixtureBuildOptions
        {
            Profile = FixtureProfile.MainnetLike, Borrowers = Borrowers, Seed = Seed, Aave = AaveVersion.V3_6,
        }).BuildAsync();
        Build.WriteTo(FixtureDir);
        BuildTime = clock.Elapsed;
        Server = await FixtureServer.StartAsync(FixtureDir);
        var db = NewDatabase();
        FirstRun = await IndexAsync(db, IndexCommand.BlockChoice.Default);
        Stored = new SnapshotStore(db).Load();
    }

    public string NewDatabase() => Path.Combine(TempDir, $"{Guid.NewGuid():N}.db");

    internal Task<IndexResult> IndexAsync(string db, IndexCommand.BlockChoice block) =>
        IndexCommand.RunAsync(new IndexCommand.IndexRequest(Server.RpcUrl, db, ManifestPath, block), AppSettings.Load(), DemoChain.TestRpc, null, default);

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        try { Directory.Delete(TempDir, recursive: true); } catch (IOException) { /* best effort */ }
    }
}

[CollectionDefinition(Name)]
public sealed class AaveV36ChainCollection : ICollectionFixture<AaveV36Chain>
{
    public const string Name = "aave 3.6 chain";
}

/// <summary>The fixture admin's transactions, for tests that change a served fixture's parameters.</summary>
internal static class FixtureAdmin
{
    /// <summary>A transaction from the fixture's admin (pool and risk admin), mined by automine; fails the test unless it succeeds.</summary>
    public static async Task AdminSendAsync(this FixtureServer server, string to, string data)
    {
        var node = server.Node;
        var hash = (await node.Rpc.CallAsync("eth_sendTransaction", new Dictionary<string, object>
        {
            ["from"] = server.Facts.Actors.Admin, ["to"] = to, ["gas"] = "0x4c4b40", ["data"] = data,
        })).GetString()!;
        // Anvil answers eth_sendTransaction before its automine task has sealed the block: poll briefly.
        var receipt = await node.Rpc.CallAsync("eth_getTransactionReceipt", hash);
        for (var i = 0; i < 2000 && receipt.ValueKind == System.Text.Json.JsonValueKind.Null; i++)
        {
            await Task.Delay(1);
            receipt = await node.Rpc.CallAsync("eth_getTransactionReceipt", hash);
        }
        Assert.Equal("0x1", receipt.GetProperty("status").GetString());
    }
}
