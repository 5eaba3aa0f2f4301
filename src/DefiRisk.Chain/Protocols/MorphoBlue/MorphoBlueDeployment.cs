using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DefiRisk.Chain.Adapters;
using DefiRisk.Core.Protocols.MorphoBlue;

namespace DefiRisk.Chain.Protocols.MorphoBlue;

/// <summary>
/// The manifest's "morpho-blue" section: the Morpho Blue singleton and the market ids to index (empty: every market seen
/// in <c>CreateMarket</c> logs).
/// </summary>
public sealed record MorphoBlueDeployment : IDeploymentSection
{
    [JsonPropertyName("morpho")] public required string Morpho { get; init; }
    [JsonPropertyName("markets")] public IReadOnlyList<string> Markets { get; init; } = [];
    [JsonPropertyName("startBlock")] public long StartBlock { get; init; }

    [JsonIgnore] public string Key => MorphoBlueBook.Name;

    public JsonNode ToJson() => DeploymentSectionJson.Serialize(this);
}

public static class MorphoBlueManifestExtensions
{
    /// <summary>The manifest's Morpho Blue section; null when it has none.</summary>
    public static MorphoBlueDeployment? MorphoBlue(this IDeploymentSections manifest) => manifest.Section<MorphoBlueDeployment>();
}
