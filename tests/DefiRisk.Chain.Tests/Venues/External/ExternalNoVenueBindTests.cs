using System.Numerics;
using System.Text.Json.Nodes;
using DefiRisk.Chain.Venues.External;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Venues.External;
using DefiRisk.Core.Venues.UniswapV2;
using DefiRisk.Reporting.Venues.External;

namespace DefiRisk.Chain.Tests.Venues.External;

/// <summary>
/// The deployments' <c>external-market.noVenue</c> at index time: the adapter binds the stated curve to the assets the
/// pools read leave without a route to the quote (what the snapshot then stores, provenance and all), and the report's
/// assumptions name those assets. No chain needed: binding reads nothing.
/// </summary>
public sealed class ExternalNoVenueBindTests
{
    private static Address A(int n) => Address.Parse("0x" + n.ToString("x40"));
    private static readonly Address Usdc = A(0x10), Weth = A(0x20), Link = A(0x60);

    private static readonly Asset[] Assets =
    [
        new(Usdc, "USDC", 6, 100_000_000, AssetOracle.MarketFeed(A(0xf1))),
        new(Weth, "WETH", 18, 2_000 * new BigInteger(100_000_000), AssetOracle.MarketFeed(A(0xf2))),
        new(Link, "LINK", 18, 15 * new BigInteger(100_000_000), AssetOracle.MarketFeed(A(0xf6))),
    ];

    [Fact]
    public void The_adapter_binds_the_no_venue_curve_to_the_assets_the_pools_leave_without_a_route_and_the_report_names_them()
    {
        var adapter = new ExternalMarketAdapter();
        var section = adapter.Parse(JsonNode.Parse($$"""
            { "quote": "{{Usdc}}", "provenance": "test deployments",
              "noVenue": { "provenance": "guess for unlisted assets", "points": [ { "usd": 0, "impactBps": 30 }, { "usd": 250000, "impactBps": 800 } ] } }
            """)!, "test.json");
        IVenueBook pairs = new UniswapV2Book([new UniswapV2Pool(A(0xd0), Usdc, Weth, 2_000_000 * BigInteger.Pow(10, 6), 1_000 * BigInteger.Pow(10, 18))]);
        var empty = new ExternalMarketBook([], "none");
        var bound = Assert.IsType<ExternalMarketBook>(((Adapters.IVenueAdapter)adapter).Bind(section, empty, Assets, [pairs, empty]));

        var link = Assert.Single(bound.Markets);
        Assert.Equal(Link, link.Asset);
        Assert.StartsWith(ExternalDepthConfig.NoVenueProvenancePrefix + "guess for unlisted assets", link.Provenance);
        // $250,000 at $15 = 16,666.66… LINK, floor in base units.
        Assert.Equal(250_000 * BigInteger.Pow(10, 8 + 18) / (15 * new BigInteger(100_000_000)), link.Curve.MaxSize);

        var snapshot = new Snapshot(new ChainPoint(1, 1, 1), Assets, [], [pairs, bound]);
        var line = Assert.Single(new ExternalMarketReportPart().Assumptions(snapshot), a => a.Label == "External market for assets with no venue");
        Assert.StartsWith("LINK: ", line.Value);
    }
}
