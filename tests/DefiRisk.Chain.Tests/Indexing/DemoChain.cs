using DefiRisk.Harness;
using DefiRisk.Chain.Indexing;
using DefiRisk.Chain.Rpc;
using DefiRisk.Cli;
using DefiRisk.Cli.Commands;
using DefiRisk.Core.Domain;
using DefiRisk.Storage;

namespace DefiRisk.Chain.Tests.Indexing;

/// <summary>
/// One anvil serving the bundled fixture <c>fixtures/demo</c> for a whole test collection, indexed once
/// (index → SQLite → load) the way the CLI does it. Tests that change chain state revert to a snapshot.
/// </summary>
public sealed class DemoChain : IAsyncLifetime
{
    public FixtureServer Server { get; private set; } = null!;
    public string FixtureDir { get; private set; } = "";
    public string ManifestPath => Path.Combine(FixtureDir, FixtureServer.ManifestFile);
    public string TempDir { get; } = Directory.CreateTempSubdirectory("defirisk-chain-").FullName;
    /// <summary>The snapshot as stored and loaded back from SQLite.</summary>
    public Snapshot Stored { get; private set; } = null!;
    public IndexResult FirstRun { get; private set; } = null!;
    /// <summary>The SQLite file the first run wrote (read-only for tests: copy it before changing it).</summary>
    public string Database { get; private set; } = "";

    public static readonly RpcOptions TestRpc = new() { MaxAttempts = 10, BaseDelay = TimeSpan.FromMilliseconds(5), RequestTimeout = TimeSpan.FromSeconds(20) };

    public async Task InitializeAsync()
    {
        var root = NodeModules.Locate().RepositoryRoot;
        FixtureDir = Path.Combine(root, "fixtures", "demo");
        if (!File.Exists(Path.Combine(FixtureDir, FixtureServer.ManifestFile)))
            throw new InvalidOperationException($"fixture {FixtureDir} is missing: the bundled demo fixture must be committed");
        Server = await FixtureServer.StartAsync(FixtureDir);
        var db = NewDatabase();
        FirstRun = await IndexAsync(db);
        Database = db;
        Stored = new SnapshotStore(db).Load();
    }

    public string NewDatabase() => Path.Combine(TempDir, $"{Guid.NewGuid():N}.db");

    public Task<IndexResult> IndexAsync(string db, string? rpcUrl = null, RpcOptions? options = null, string? manifest = null,
        IProgress<IndexProgress>? progress = null, CancellationToken ct = default) =>
        IndexCommand.RunAsync(new IndexCommand.IndexRequest(rpcUrl ?? Server.RpcUrl, db, manifest ?? ManifestPath, IndexCommand.BlockChoice.Default),
            AppSettings.Load(), options ?? TestRpc, progress, ct);

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        try { Directory.Delete(TempDir, recursive: true); } catch (IOException) { /* best effort */ }
    }
}

[CollectionDefinition(Name)]
public sealed class DemoChainCollection : ICollectionFixture<DemoChain>
{
    public const string Name = "demo chain";
}
