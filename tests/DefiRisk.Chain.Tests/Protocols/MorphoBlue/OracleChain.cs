using System.Text.Json.Nodes;
using DefiRisk.Chain.Tests.Harness;
using DefiRisk.Chain.Tests.Indexing;
using DefiRisk.Harness;
using DefiRisk.Harness.Protocols.MorphoBlue;

namespace DefiRisk.Chain.Tests.Protocols.MorphoBlue;

/// <summary>
/// The bundled demo fixture served by one anvil, with the oracle fixture's composed-oracle, idle, reverting and zero-price
/// Morpho markets added on the fly (<see cref="MorphoOracleFixture"/>), and a deployments file that reads every discovered
/// market and maps the standalone "WETH/USD table" feed to WETH (the feed→asset table).
/// </summary>
public sealed class OracleChain : IAsyncLifetime
{
    public FixtureServer Server { get; private set; } = null!;
    public OracleFixtureFacts Oracles { get; private set; } = null!;
    public string TempDir { get; } = Directory.CreateTempSubdirectory("defirisk-oracles-").FullName;
    public string ManifestPath => Path.Combine(TempDir, "manifest.json");

    public async Task InitializeAsync()
    {
        Server = await FixtureServer.StartAsync(BundledFixture.Directory);
        Oracles = await MorphoOracleFixture.AddAsync(Server);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(BundledFixture.Directory, FixtureServer.ManifestFile)))!.AsObject();
        manifest.Remove("block");
        manifest["morpho-blue"]!["feedAssets"] = new JsonObject { [Oracles.Feeds["WETH/USD table"]] = Server.Facts.Tokens["WETH"].Address };
        await File.WriteAllTextAsync(ManifestPath, manifest.ToJsonString());
    }

    public string NewDatabase() => Path.Combine(TempDir, $"{Guid.NewGuid():N}.db");

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        try { Directory.Delete(TempDir, recursive: true); } catch (IOException) { /* best effort */ }
    }
}
