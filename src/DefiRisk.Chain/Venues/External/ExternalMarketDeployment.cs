using System.Text.Json.Nodes;
using DefiRisk.Chain.Adapters;
using DefiRisk.Core.Venues.External;

namespace DefiRisk.Chain.Venues.External;

/// <summary>
/// The manifest's "external-market" section: per-asset depth curves of markets that are not on the chain (CEX order
/// books, aggregators), in USD and basis points of marginal impact (<see cref="ExternalDepthConfig"/>). Nothing is read
/// from the chain for it: the curves are bound to the snapshot's oracle prices and decimals when it is indexed.
/// </summary>
public sealed record ExternalMarketDeployment(ExternalDepthConfig Config, string Origin) : IDeploymentSection
{
    public string Key => ExternalMarketBook.Name;

    public JsonNode ToJson() => JsonNode.Parse(Config.ToJson())!;
}

public static class ExternalMarketManifestExtensions
{
    /// <summary>The manifest's external-market section; null when it has none.</summary>
    public static ExternalMarketDeployment? ExternalMarket(this IDeploymentSections manifest) => manifest.Section<ExternalMarketDeployment>();
}
