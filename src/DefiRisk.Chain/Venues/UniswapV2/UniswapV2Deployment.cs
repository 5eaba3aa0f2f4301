using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DefiRisk.Chain.Adapters;
using DefiRisk.Core.Venues.UniswapV2;

namespace DefiRisk.Chain.Venues.UniswapV2;

/// <summary>The manifest's "uniswap-v2" section: pairs whose reserves are the DEX liquidity seized collateral is sold into.</summary>
public sealed record UniswapV2Deployment : IDeploymentSection
{
    [JsonPropertyName("factory")] public string? Factory { get; init; }
    [JsonPropertyName("pairs")] public IReadOnlyList<string> Pairs { get; init; } = [];

    /// <summary>With a factory: only pairs of an asset against one of these tokens are looked up (mainnet: WETH, USDC,
    /// USDT), not every pair of the snapshot's assets; empty: every pair, as before.</summary>
    [JsonPropertyName("quotes")] public IReadOnlyList<string> Quotes { get; init; } = [];

    [JsonIgnore] public string Key => UniswapV2Book.Name;

    public JsonNode ToJson() => DeploymentSectionJson.Serialize(this, "quotes");
}

public static class UniswapV2ManifestExtensions
{
    /// <summary>The manifest's Uniswap v2 section; null when it has none.</summary>
    public static UniswapV2Deployment? UniswapV2(this IDeploymentSections manifest) => manifest.Section<UniswapV2Deployment>();
}
