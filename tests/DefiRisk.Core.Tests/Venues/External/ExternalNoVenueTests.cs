using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Tests.Analysis;
using DefiRisk.Core.Venues.External;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Venues.External;

/// <summary>
/// A stated depth for assets with no venue (issue 12 item 3): the external market's <c>noVenue</c> curve goes to every
/// asset the on-chain pools and the curves leave without a route to the quote, so one market price sells it along that
/// curve; with none given the asset is still refused by name (OneMarketPriceTests).
/// In MiniMarket DAI ($1) has no pool; WETH and wstETH reach USDC through the pools.
/// </summary>
public sealed class ExternalNoVenueTests
{
    private static ExternalDepthConfig Config(string noVenue = """, "noVenue": { "provenance": "flat guess", "points": [ { "usd": 0, "impactBps": 50 }, { "usd": 100000, "impactBps": 1050 } ] }""") =>
        ExternalDepthConfig.Parse($$"""{ "quote": "{{Usdc}}", "provenance": "test" {{noVenue}} }""", "depth.json");

    /// <summary>1,000 DAI against 900 USDC (Aave v3.0: HF 1,000 × 0.8 / 900 = 0.889 before any shock).</summary>
    private static Snapshot DaiAccount() => MiniMarket.Build([Account(1, Coll(Dai, Units("1000", 18)), Debt(Usdc, Units("900", 6)))]);

    [Fact]
    public void Only_the_assets_with_no_route_to_the_quote_get_the_stated_curve_with_its_provenance()
    {
        var s = DaiAccount();
        var book = Config().Bind(s.Assets, "depth.json", s.Venues);
        var dai = Assert.Single(book.Markets);
        Assert.Equal((Dai, Usdc), (dai.Asset, dai.Quote));
        Assert.Equal(ExternalDepthConfig.NoVenueProvenancePrefix + "flat guess (test)", dai.Provenance);
        // $100,000 at $1 = 100,000 DAI; 50 → 1,050 bps = 5,000 → 105,000 ppm.
        Assert.Equal([new ExternalDepthPoint(0, 5_000), new ExternalDepthPoint(100_000 * E(18), 105_000)], dai.Curve.Points);

        // No venue books given (the caller cannot tell), or no noVenue curve: nobody gets it.
        Assert.Empty(Config().Bind(s.Assets, "depth.json").Markets);
        Assert.Empty(Config(noVenue: "").Bind(s.Assets, "depth.json", s.Venues).Markets);
        // Once WETH/USDC is gone, WETH and wstETH (through wstETH/WETH) have no route either.
        var withoutWethUsdc = MiniMarket.Build([], pools: [MiniMarket.WstethWethPool]);
        Assert.Equal([Weth, WstEth, Dai], Config().Bind(withoutWethUsdc.Assets, "depth.json", withoutWethUsdc.Venues).Markets.Select(m => m.Asset).Order());
    }

    /// <summary>
    /// DAI −10 % ($0.90): 900 USDC debt, 900 of collateral, HF 0.8 — full close. The 1,000 DAI are sold along the stated
    /// curve (bound at $1, re-priced to $0.90 by the one price), which one price refused before.
    /// </summary>
    [Fact]
    public void One_market_price_sells_an_asset_with_no_pool_into_its_stated_depth()
    {
        var s = DaiAccount();
        var snapshot = s.WithVenueBook(Config().Bind(s.Assets, "depth.json", s.Venues));
        var options = SimulationOptions.Default with { MarketPrices = MarketPriceModel.Market };
        var result = CascadeSimulator.Simulate(snapshot, Scenario.Single(Dai, -0.10m), options);
        var l = result.Rounds[0].Liquidations[0];
        Assert.Equal(Dai, l.CollateralAsset);
        Assert.Equal([Dai], l.SalePools);
        Assert.Equal("pools", l.SaleRoute);
        // What the curve pays at the one price: the bound market re-priced by DAI's move, the seized amount sold from 0.
        var curve = Assert.Single(snapshot.ExternalMarket()!.Markets).StartExact();
        curve.Reprice(Dai.CompareTo(Usdc) < 0, 9, 10);
        Assert.Equal(curve.Swap(l.CollateralSeized, Dai.CompareTo(Usdc) < 0, commit: false), l.SaleProceeds);
        Assert.True(l.SaleProceeds > BigInteger.Zero);
    }

    [Fact]
    public void A_malformed_no_venue_curve_is_one_line_naming_the_file()
    {
        var e = Assert.Throws<DefiRiskException>(() => Config(""", "noVenue": { "points": [ { "usd": 5, "impactBps": 10 } ] }"""));
        Assert.StartsWith("malformed external depth depth.json: noVenue: ", e.Message);
    }
}
