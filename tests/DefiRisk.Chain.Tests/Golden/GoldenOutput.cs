using System.IO.Compression;
using System.Text;
using DefiRisk.Chain.Tests.Indexing;
using DefiRisk.Cli;
using DefiRisk.Cli.Commands;
using DefiRisk.Harness;

namespace DefiRisk.Chain.Tests.Golden;

/// <summary>
/// Where golden outputs live (<c>tests/DefiRisk.Chain.Tests/Golden/Expectations/&lt;fixture&gt;/&lt;case&gt;.json</c>, in
/// the source tree, found from the repository root) and the check-or-regenerate step every golden test ends with.
/// </summary>
public static class GoldenOutput
{
    public const string RegenerateVariable = "DEFIRISK_REGENERATE_GOLDENS";

    /// <summary>Outputs larger than this are stored gzipped (<c>.json.gz</c>) to keep the repository small.</summary>
    public const int GzipAbove = 1 << 20;

    public static bool Regenerating => Environment.GetEnvironmentVariable(RegenerateVariable) == "1";

    /// <summary>
    /// The checkout these tests were built from: the first folder above the test binaries holding DefiRisk.sln (not
    /// NodeModules' root, which <c>DEFIRISK_NODE_MODULES</c> may point at another checkout).
    /// </summary>
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Expectations => Path.Combine(RepositoryRoot, "tests", "DefiRisk.Chain.Tests", "Golden", "Expectations");

    /// <summary>Compares <paramref name="actualJson"/> with the stored expectation, or stores it when regenerating.</summary>
    public static void Check(string fixture, string goldenCase, string actualJson)
    {
        var path = Path.Combine(Expectations, fixture, goldenCase + ".json");
        if (Regenerating)
        {
            Write(path, actualJson);
            return;
        }
        GoldenJson.AssertMatches(GoldenJson.Read(path), actualJson, $"{fixture}/{goldenCase}");
    }

    private static void Write(string path, string json)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var text = json.TrimEnd() + "\n";
        var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
        File.Delete(path);
        File.Delete(path + ".gz");
        if (bytes.Length <= GzipAbove)
        {
            File.WriteAllBytes(path, bytes);
            return;
        }
        using var file = File.Create(path + ".gz");
        using var gzip = new GZipStream(file, CompressionLevel.SmallestSize);
        gzip.Write(bytes);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DefiRisk.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no DefiRisk.sln above {AppContext.BaseDirectory}: golden tests run from a checkout");
    }
}

/// <summary>
/// Both bundled fixtures (<c>fixtures/demo</c>, <c>fixtures/mainnet-like</c>) each served once on anvil and indexed once
/// into a temporary SQLite file, the way the CLI does it; anvil stops once the snapshot is stored, as every golden verb
/// reads only the database.
/// </summary>
public sealed class GoldenDatabases : IAsyncLifetime
{
    public const string Demo = "demo";
    public const string MainnetLike = "mainnet-like";

    private readonly string _temp = Directory.CreateTempSubdirectory("defirisk-golden-").FullName;
    private readonly Dictionary<string, string> _databases = [];

    public string TempDir => _temp;

    /// <summary>The indexed SQLite file of <paramref name="fixture"/> (read-only for tests).</summary>
    public string Database(string fixture) => _databases[fixture];

    public async Task InitializeAsync()
    {
        foreach (var fixture in new[] { Demo, MainnetLike })
        {
            var dir = Path.Combine(GoldenOutput.RepositoryRoot, "fixtures", fixture);
            if (!File.Exists(Path.Combine(dir, FixtureServer.ManifestFile)))
                throw new InvalidOperationException($"fixture {dir} is missing: the bundled fixtures must be committed");
            var db = Path.Combine(_temp, fixture + ".db");
            await using (var server = await FixtureServer.StartAsync(dir))
                await IndexCommand.RunAsync(new IndexCommand.IndexRequest(server.RpcUrl, db, Path.Combine(dir, FixtureServer.ManifestFile), IndexCommand.BlockChoice.Default),
                    AppSettings.Load(), DemoChain.TestRpc, null, default);
            _databases[fixture] = db;
        }
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(_temp, recursive: true); } catch (IOException) { /* best effort */ }
        return Task.CompletedTask;
    }
}
