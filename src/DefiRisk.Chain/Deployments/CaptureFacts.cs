using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DefiRisk.Chain.Adapters;

namespace DefiRisk.Chain.Deployments;

/// <summary>
/// The <c>capture</c> key of a manifest written by <c>defirisk fixture capture</c>: the state file beside it holds only the
/// accounts, code and storage slots the indexer read at the manifest's <c>block</c> (a read outside them sees zero), and no
/// logs. So the indexer takes discovery from <see cref="Discovery"/> instead of scanning, and reads that block only.
/// </summary>
/// <param name="Timestamp">Unix seconds of the captured block.</param>
/// <param name="BlockHash">The captured block's hash on the node it was captured from (a bare anvil loading the state reports the same).</param>
/// <param name="Source">The node it was captured from, without path or query (a provider key stays out of the file).</param>
/// <param name="Discovery">What log discovery found up to the block, per scanned contract.</param>
public sealed record CaptureFacts(
    [property: JsonPropertyName("timestamp")] long Timestamp,
    [property: JsonPropertyName("blockHash")] string BlockHash,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("discovery")] IReadOnlyList<CapturedDiscovery> Discovery)
{
    public const string Key = "capture";

    public static CaptureFacts Parse(JsonNode node, string source) => DeploymentSectionJson.Deserialize<CaptureFacts>(node, Key, source);

    public JsonNode ToJson() => DeploymentSectionJson.Serialize(this);
}

/// <summary>
/// One contract's log discovery as the capture's index ran it: scanned through <paramref name="ScannedThrough"/>, and the
/// accounts found, by market (the Aave pool address, or the Morpho market id; an empty account marks a market seen created).
/// </summary>
public sealed record CapturedDiscovery(
    [property: JsonPropertyName("protocol")] string Protocol,
    [property: JsonPropertyName("contract")] string Contract,
    [property: JsonPropertyName("scannedThrough")] long ScannedThrough,
    [property: JsonPropertyName("markets")] IReadOnlyDictionary<string, IReadOnlyList<string>> Markets);
