using System.Diagnostics;
using System.IO.Compression;
using DefiRisk.Chain.Deployments;
using DefiRisk.Core;

namespace DefiRisk.Harness;

/// <summary>
/// A saved fixture served by a fresh anvil: <c>DIR/manifest.json</c> plus <c>DIR/state.json</c>
/// (or <c>state.json.gz</c>). Starting re-applies what a state file does not carry (LOCAL-CHAIN §5):
/// the chain id, and the clock, reset to the saved head timestamp so the first new block does not
/// accrue days of interest. Read the fixture at <see cref="Block"/> (no historical state before it).
/// </summary>
public sealed class FixtureServer : IAsyncDisposable
{
    public const string ManifestFile = "manifest.json";
    public const string StateJson = "state.json";
    public const string StateGzip = "state.json.gz";

    private FixtureServer(AnvilNode node, DeploymentManifest manifest, FixtureFacts? facts, long block, string directory, TimeSpan loadTime)
    {
        Node = node;
        Manifest = manifest;
        _facts = facts;
        Block = block;
        Directory = directory;
        LoadTime = loadTime;
    }

    private readonly FixtureFacts? _facts;

    public AnvilNode Node { get; }
    public DeploymentManifest Manifest { get; }
    /// <summary>The builder's facts; a captured fork (<c>fixture capture</c>) has none.</summary>
    public FixtureFacts Facts => _facts ?? throw new DefiRiskException($"{Directory} is a captured fork: it has no fixture facts (tokens, actors, borrowers)");
    public string Directory { get; }
    public string RpcUrl => Node.RpcUrl;
    public long Block { get; }
    /// <summary>From process start to a node that answers with the state loaded and the clock set.</summary>
    public TimeSpan LoadTime { get; }

    /// <summary>Loads <paramref name="directory"/> into a new anvil on <paramref name="port"/> (0: a free one).</summary>
    public static async Task<FixtureServer> StartAsync(string directory, int port = 0, NodeModules? nodeModules = null, CancellationToken ct = default)
    {
        var manifestPath = Path.Combine(directory, ManifestFile);
        var manifest = DeploymentManifest.Load(manifestPath);
        // A captured fork carries its block and timestamp in its "capture" key, a built fixture in its "fixture" facts.
        var facts = manifest.Capture is null ? FixtureFacts.From(manifest, manifestPath) : null;
        var (block, timestamp) = facts is not null ? (facts.Block, facts.Timestamp) : (manifest.Block!.Value, manifest.Capture!.Timestamp);
        var statePath = Path.Combine(directory, StateJson);
        string? temp = null;
        AnvilNode? node = null;
        // Until the server exists, this method owns the temporary state file and the node: any failure or
        // cancellation (a SIGTERM while loading) removes both.
        try
        {
            if (!File.Exists(statePath))
            {
                var gz = Path.Combine(directory, StateGzip);
                if (!File.Exists(gz))
                    throw new DefiRiskException($"fixture {directory} has neither {StateJson} nor {StateGzip}");
                // anvil --load-state reads plain JSON only: inflate to a temporary file until the node has read it.
                temp = Path.Combine(Path.GetTempPath(), $"defirisk-state-{Guid.NewGuid():N}.json");
                await using (var input = new GZipStream(File.OpenRead(gz), CompressionMode.Decompress))
                await using (var output = File.Create(temp))
                    await input.CopyToAsync(output, ct).ConfigureAwait(false);
                statePath = temp;
            }

            var clock = Stopwatch.StartNew();
            node = await AnvilNode.StartAsync(new AnvilOptions
            {
                ChainId = manifest.ChainId,
                Port = port,
                LoadStatePath = statePath,
            }, nodeModules, ct).ConfigureAwait(false);
            var head = await node.BlockNumberAsync().ConfigureAwait(false);
            if (head != block)
                throw new DefiRiskException($"fixture {directory}: the loaded state's head is block {head}, the manifest says {block}");
            // The first block after a load would otherwise take the wall clock (LOCAL-CHAIN §5).
            await node.SetTimeAsync(timestamp).ConfigureAwait(false);
            // anvil read the state at start and never reads it again: free the disk now, not at dispose (a test run
            // holds many fixture nodes at once, and CI disks are small).
            DeleteQuietly(temp);
            return new FixtureServer(node, manifest, facts, block, directory, clock.Elapsed);
        }
        catch
        {
            if (node is not null) await node.DisposeAsync().ConfigureAwait(false);
            DeleteQuietly(temp);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync().ConfigureAwait(false);
    }

    private static void DeleteQuietly(string? path)
    {
        try { if (path is not null && File.Exists(path)) File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
