using System.Text.Json.Nodes;
using DefiRisk.Chain.Adapters;
using DefiRisk.Core;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Venues.External;

namespace DefiRisk.Chain.Venues.External;

/// <summary>
/// The external market in an index run: no contract and no call — the section's curves (USD sizes) are bound to the
/// snapshot's assets once every lending book has priced them (<see cref="Bind"/>), so the snapshot stores them in base
/// units at the block, with where they came from.
/// </summary>
public sealed class ExternalMarketAdapter : VenueAdapter<ExternalMarketDeployment>
{
    public override string Key => ExternalMarketBook.Name;

    public override ExternalMarketDeployment Parse(JsonNode section, string source)
    {
        try
        {
            return new ExternalMarketDeployment(ExternalDepthConfig.Parse(section.ToJsonString(), $"{source} {Key}"), $"{source} {Key}");
        }
        catch (DefiRiskException ex)
        {
            throw DeploymentSectionJson.Malformed(source, ex.Message.Replace($"malformed external depth {source} ", "", StringComparison.Ordinal));
        }
    }

    /// <summary>Nothing on the chain to check.</summary>
    public override IEnumerable<(string Address, string KeyPath)> ContractsWithCode(ExternalMarketDeployment section) => [];

    /// <summary>An empty book: the curves need the assets' prices, which <see cref="Bind"/> gets.</summary>
    public override Task<IVenueBook> ReadAsync(ExternalMarketDeployment? section, IReadOnlyList<Address> assets, IBlockReader reader, CancellationToken ct) =>
        Task.FromResult<IVenueBook>(new ExternalMarketBook([], section?.Origin ?? "none"));

    /// <summary>The curves at the snapshot's prices; the section's <c>noVenue</c> depth for assets the pools read leave without a route.</summary>
    public override IVenueBook Bind(ExternalMarketDeployment? section, IVenueBook book, IReadOnlyList<Asset> assets, IReadOnlyList<IVenueBook> venues) =>
        section is null ? book : section.Config.Bind(assets, section.Origin, venues);
}
