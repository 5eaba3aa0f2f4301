using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DefiRisk.Chain.Adapters;
using DefiRisk.Core.Protocols.MorphoBlue;

namespace DefiRisk.Chain.Protocols.MorphoBlue;

/// <summary>
/// The manifest's "morpho-blue" section: the Morpho Blue singleton, the markets the configuration vouches for
/// (<c>markets</c>: their tokens keep bare symbols on a clash), and which markets to read: every market seen in
/// <c>CreateMarket</c> logs, or with <c>onlyListedMarkets</c> just the listed ones, and with <c>minBorrowUsd</c> only
/// markets whose borrowed assets are worth at least that much at the loan token's USD price.
/// </summary>
public sealed record MorphoBlueDeployment : IDeploymentSection
{
    [JsonPropertyName("morpho")] public required string Morpho { get; init; }
    [JsonPropertyName("markets")] public IReadOnlyList<string> Markets { get; init; } = [];
    [JsonPropertyName("startBlock")] public long StartBlock { get; init; }
    /// <summary>Read only the markets of <see cref="Markets"/> (the pre-issue-13 behaviour); default false: every discovered market.</summary>
    [JsonPropertyName("onlyListedMarkets"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool OnlyListedMarkets { get; init; }
    /// <summary>Skip markets whose total borrow is worth less than this (USD; a loan token without a price counts as $0); null: no filter.</summary>
    [JsonPropertyName("minBorrowUsd")] public decimal? MinBorrowUsd { get; init; }
    /// <summary>
    /// Feed → asset (addresses): an oracle feed listed here moves with that asset's USD price, beside the feeds that are an
    /// asset's Aave price source (or its aggregator). Any other feed holds in a shock (listed in the report's assumptions).
    /// </summary>
    [JsonPropertyName("feedAssets")] public IReadOnlyDictionary<string, string>? FeedAssets { get; init; }

    [JsonIgnore] public string Key => MorphoBlueBook.Name;

    public JsonNode ToJson() => DeploymentSectionJson.Serialize(this);
}

public static class MorphoBlueManifestExtensions
{
    /// <summary>The manifest's Morpho Blue section; null when it has none.</summary>
    public static MorphoBlueDeployment? MorphoBlue(this IDeploymentSections manifest) => manifest.Section<MorphoBlueDeployment>();
}
