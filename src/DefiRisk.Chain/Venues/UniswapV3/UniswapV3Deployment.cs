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
    /// Pool discovery at index time: with a factory, every pool of (an asset of the snapshot, one of <see cref="Quotes"/>)
    /// at each of <see cref="FeeTiers"/> is computed by CREATE2 (<see cref="UniswapV3PoolAddress"/>) and read when it has
    /// code and in-range liquidity at the block; the others are skipped with a counted warning, never an abort.
    /// </summary>
    [JsonPropertyName("factory")] public string? Factory { get; init; }

    /// <summary>The tokens pools are looked for against (mainnet: WETH, USDC, USDT); empty: no discovery.</summary>
    [JsonPropertyName("quotes")] public IReadOnlyList<string> Quotes { get; init; } = [];

    /// <summary>Fee tiers (pips) looked at; null in the file means <see cref="DefaultFeeTiers"/>.</summary>
    [JsonPropertyName("feeTiers")] public IReadOnlyList<int>? FeeTiers { get; init; }

    /// <summary>The pool init code hash for CREATE2; null means mainnet's (<see cref="UniswapV3PoolAddress.PoolInitCodeHash"/>).</summary>
    [JsonPropertyName("poolInitCodeHash")] public string? PoolInitCodeHash { get; init; }

    /// <summary>The four tiers mainnet's factory has enabled: 0.01 %, 0.05 %, 0.3 %, 1 %.</summary>
    public static readonly IReadOnlyList<int> DefaultFeeTiers = [100, 500, 3000, 10000];

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

    public JsonNode ToJson() => DeploymentSectionJson.Serialize(this, "quotes");
}

public static class UniswapV3ManifestExtensions
{
    /// <summary>The manifest's Uniswap v3 section; null when it has none.</summary>
    public static UniswapV3Deployment? UniswapV3(this IDeploymentSections manifest) => manifest.Section<UniswapV3Deployment>();
}
