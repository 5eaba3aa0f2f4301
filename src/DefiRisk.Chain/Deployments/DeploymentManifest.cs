using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DefiRisk.Chain.Adapters;
using DefiRisk.Chain.Registry;
using DefiRisk.Core;

namespace DefiRisk.Chain.Deployments;

/// <summary>
/// Where the protocols live on one chain: the fixture's <c>manifest.json</c>, a user's <c>--deployments</c> file, or the
/// mainnet section of <c>appsettings.json</c>. Besides <c>chainId</c>, <c>block</c>, <c>fixture</c> and <c>capture</c> (a captured
/// fork's discovery: <see cref="CaptureFacts"/>), every key is one
/// registered adapter's section (<see cref="IChainAdapter.Key"/>), parsed and validated by that adapter; a family reads
/// its own with an accessor in its folder (e.g. <c>manifest.AaveV3()</c>). Harness-only facts (tokens, feeds, actors)
/// ride along in <see cref="Fixture"/> and are ignored by the indexer.
/// </summary>
public sealed record DeploymentManifest : IDeploymentSections
{
    public required long ChainId { get; init; }

    /// <summary>The block the fixture was saved at; the indexer's default block when present.</summary>
    public long? Block { get; init; }

    /// <summary>The adapters' sections, in file order (written in this order).</summary>
    public IReadOnlyList<IDeploymentSection> Sections { get; init; } = [];

    /// <summary>Fixture facts for tests and the harness (token and feed addresses by symbol, actors…).</summary>
    public JsonObject? Fixture { get; init; }

    /// <summary>Set when the manifest describes a captured fork (<c>defirisk fixture capture</c>): discovery and the one block it holds.</summary>
    public CaptureFacts? Capture { get; init; }

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Parses and validates with the registered adapters; any problem is one <see cref="DefiRiskException"/> line naming the file and key.</summary>
    public static DeploymentManifest Parse(string json, string source) => Parse(json, source, ChainRegistry.Lending, ChainRegistry.Venues);

    /// <summary>Parses and validates with the given adapters (a manifest must name at least one of the lending families).</summary>
    public static DeploymentManifest Parse(string json, string source, IReadOnlyList<ILendingAdapter> lending, IReadOnlyList<IVenueAdapter> venues)
    {
        ManifestJson? raw;
        try { raw = JsonSerializer.Deserialize<ManifestJson>(json, Options); }
        catch (JsonException ex) { throw DeploymentSectionJson.Malformed(source, JsonErrorText.Describe(ex, json)); }
        if (raw is null) throw DeploymentSectionJson.Malformed(source, "empty");
        if (raw.ChainId is not { } chainId) throw DeploymentSectionJson.Malformed(source, "chainId is missing");
        if (chainId <= 0) throw DeploymentSectionJson.Malformed(source, "chainId must be positive");

        var adapters = lending.Cast<IChainAdapter>().Concat(venues).ToDictionary(a => a.Key, StringComparer.Ordinal);
        var sections = new List<IDeploymentSection>();
        foreach (var (key, node) in raw.Sections ?? [])
        {
            if (!adapters.TryGetValue(key, out var adapter))
                throw DeploymentSectionJson.Malformed(source, $"unknown key '{key}' (known: chainId, block, fixture, capture, {string.Join(", ", adapters.Keys)})");
            if (node is null) continue; // "key": null is no section
            sections.Add(adapter.ParseSection(node, source));
        }
        if (!sections.Any(s => lending.Any(l => l.Key == s.Key)))
            throw DeploymentSectionJson.Malformed(source, NamesNone(lending.Select(l => l.Key).ToList()));
        var capture = raw.Capture is { } c ? CaptureFacts.Parse(c, source) : null;
        if (capture is not null && raw.Block is null) throw DeploymentSectionJson.Malformed(source, "a capture needs the block it was captured at");
        return new DeploymentManifest { ChainId = chainId, Block = raw.Block, Sections = sections, Fixture = raw.Fixture, Capture = capture };
    }

    public static DeploymentManifest Load(string path)
    {
        if (Directory.Exists(path)) throw new DefiRiskException($"deployments file {path} is a directory");
        if (!File.Exists(path)) throw new DefiRiskException($"deployments file {path} does not exist");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>The manifest as written: chainId, block, the sections in order, fixture, capture.</summary>
    public string ToJson()
    {
        var root = new JsonObject { ["chainId"] = ChainId };
        if (Block is { } block) root["block"] = block;
        foreach (var section in Sections) root[section.Key] = section.ToJson();
        if (Fixture is not null) root["fixture"] = Fixture.DeepClone();
        if (Capture is not null) root[CaptureFacts.Key] = Capture.ToJson();
        return root.ToJsonString(Options);
    }

    public void Save(string path) => File.WriteAllText(path, ToJson() + "\n");

    /// <summary>"names neither A nor B" (today's wording for two lending families), "names none of A, B, C" for more.</summary>
    private static string NamesNone(IReadOnlyList<string> keys) => keys.Count switch
    {
        0 => "no lending protocol is registered",
        1 => $"does not name {keys[0]}",
        2 => $"names neither {keys[0]} nor {keys[1]}",
        _ => $"names none of {string.Join(", ", keys)}",
    };


    /// <summary>The file's shape: the fixed keys, and every other key kept raw (in order) for its adapter.</summary>
    private sealed class ManifestJson
    {
        [JsonPropertyName("chainId")] public long? ChainId { get; init; }
        [JsonPropertyName("block")] public long? Block { get; init; }
        [JsonPropertyName("fixture")] public JsonObject? Fixture { get; init; }
        [JsonPropertyName("capture")] public JsonObject? Capture { get; init; }
        [JsonExtensionData] public JsonObject? Sections { get; set; }
    }
}
