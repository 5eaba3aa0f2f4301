using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DefiRisk.Chain.Adapters;
using DefiRisk.Core.Venues.UniswapV3;

namespace DefiRisk.Chain.Venues.UniswapV3;

/// <summary>
/// The manifest's "uniswap-v3" section: the pools seized collateral can be sold into, and how many tick-bitmap words
/// are read on each side of each pool's current word (<see cref="WordRadius"/>).
/// </summary>
public sealed record UniswapV3Deployment : IDeploymentSection
{
    /// <summary>Words read on each side of the current one unless the section says otherwise.</summary>
    public const int DefaultWordRadius = 2;

    [JsonPropertyName("pools")] public IReadOnlyList<string> Pools { get; init; } = [];

    /// <summary>
    /// Bitmap words read on each side of the current tick's word (one word = 256 tick spacings: ±2.6 % of price per word
    /// at spacing 1, ±29 % at 10, ±365 % at 60); null in the file means <see cref="DefaultWordRadius"/>. A swap that
    /// needs a word outside stops at the edge of what was read (the rest of the sale is unfilled), never assuming the
    /// range beyond is empty.
    /// </summary>
    [JsonPropertyName("wordRadius")] public int? WordRadius { get; init; }

    /// <summary>
    /// Read every word the pool's spacing can use instead (6,932 calls per pool at spacing 1, 694 at 10, 116 at 60): the
    /// model then follows a sale that runs a pool dry all the way to MIN/MAX price, as the chain does. Fixtures set it.
    /// </summary>
    [JsonPropertyName("allWords")] public bool AllWords { get; init; }

    [JsonIgnore] public string Key => UniswapV3Book.Name;

    public JsonNode ToJson() => DeploymentSectionJson.Serialize(this);
}

public static class UniswapV3ManifestExtensions
{
    /// <summary>The manifest's Uniswap v3 section; null when it has none.</summary>
    public static UniswapV3Deployment? UniswapV3(this IDeploymentSections manifest) => manifest.Section<UniswapV3Deployment>();
}
