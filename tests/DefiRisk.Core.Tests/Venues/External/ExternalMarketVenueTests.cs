using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Tests.Analysis;
using DefiRisk.Core.Venues;
using DefiRisk.Core.Venues.External;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Venues.External;

/// <summary>
/// The external-market venue: a WETH depth curve against USDC at $2,000 — marginal impact 10 bps at size 0, 110 bps after
/// 100 WETH, 510 bps after 300 WETH (the end of the curve). Expected values are worked by hand from the integral of the
/// marginal price: on a segment the impact is linear, so a fill pays the reference price × (1 − the mean impact over it).
/// </summary>
public sealed class ExternalMarketVenueTests
{
    private static readonly BigInteger Eth = E(18);

    /// <summary>Quote base units per asset base unit: 2000·10^6 / 10^18.</summary>
    private static ExternalMarketPool WethMarket(BigInteger? scale = null) => new(Weth, Usdc, 2000 * E(6), Eth,
        new ExternalDepthCurve([new(0, 1_000), new(100 * Eth * (scale ?? 1), 11_000), new(300 * Eth * (scale ?? 1), 51_000)]), "test curve");

    private static bool Sell => Weth.CompareTo(Usdc) < 0; // zeroForOne when WETH (the asset) goes in
    private static bool Buy => !Sell;

    [Fact]
    public void A_sale_pays_the_reference_price_times_one_minus_the_mean_marginal_impact_over_the_sizes_it_walks()
    {
        var state = WethMarket().StartExact();
        // 0 → 100 WETH: impact 10 → 110 bps, mean 60 bps: 100 × 2000 × 0.994 = 198,800 USDC.
        Assert.Equal(198_800 * E(6), state.Swap(100 * Eth, Sell, commit: true));
        // 100 → 200 WETH: impact 110 → 310 bps, mean 210 bps: 200,000 × 0.979 = 195,800 USDC.
        Assert.Equal(195_800 * E(6), state.Swap(100 * Eth, Sell, commit: false));
        // The mid now (the marginal bid 2000 × (1 − 0.011) with the first point's 10 bps half-spread taken back out):
        // 2000 × (1 − (0.011 − 0.001)) = 1,980 USDC per WETH, the same read from either side.
        var (n, d) = state.Spot(Sell);
        Assert.Equal(1980 * E(6) * d, n * Eth);
        (n, d) = state.Spot(Buy);
        Assert.Equal(1980 * E(6) * n, d * Eth);

        // Path independence: one sale of 200 WETH pays the two halves to the base unit.
        Assert.Equal((198_800 + 195_800) * E(6), WethMarket().StartExact().Swap(200 * Eth, Sell, commit: false));
    }

    [Fact]
    public void A_sale_rounds_its_proceeds_down_to_the_base_unit_of_the_quote()
    {
        // 1 WETH + 1 wei from a fresh book: impact 1000 ppm + 10000·x/100e18 ppm; exact value by the formula, then floor.
        var x = Eth + 1;
        var integralNum = 1_000_000 * x * 200 * Eth - (1_000 * x * 200 * Eth + 10_000 * x * x); // × 1/(200e18) ppm·wei
        var exact = 2000 * E(6) * integralNum;
        var den = Eth * 1_000_000 * 200 * Eth;
        Assert.True(!(exact % den).IsZero, "the case must not divide evenly");
        Assert.Equal(exact / den, WethMarket().StartExact().Swap(x, Sell, commit: false));
    }

    [Fact]
    public void Collateral_beyond_the_end_of_the_curve_is_not_filled_and_earns_nothing()
    {
        var state = WethMarket().StartExact();
        var all = state.Swap(300 * Eth, Sell, commit: false);
        Assert.Equal(all, state.Swap(500 * Eth, Sell, commit: true));
        Assert.Equal(BigInteger.Zero, state.Swap(Eth, Sell, commit: false));
        Assert.Equal(300 * Eth, ((ExternalMarketFill)state.Report()).NetSold);
    }

    [Fact]
    public void A_buy_walks_the_ask_side_and_pays_out_the_largest_amount_whose_cost_fits_the_input()
    {
        // 100 WETH on the ask: mean impact 60 bps above 2000: 201,200 USDC buys exactly 100 WETH; one unit less buys less.
        Assert.Equal(100 * Eth, WethMarket().StartExact().Swap(201_200 * E(6), Buy, commit: false));
        var less = WethMarket().StartExact().Swap(201_200 * E(6) - 1, Buy, commit: false);
        Assert.True(less < 100 * Eth && less > 100 * Eth - Eth / 1_000_000, $"{less}");

        // After a sale, buying back walks down the same bid side: 198,800 USDC buys back exactly the 100 WETH sold.
        var state = WethMarket().StartExact();
        state.Swap(100 * Eth, Sell, commit: true);
        Assert.Equal(100 * Eth, state.Swap(198_800 * E(6), Buy, commit: true));
        Assert.Equal(BigInteger.Zero, ((ExternalMarketFill)state.Report()).NetSold);
    }

    [Fact]
    public void A_shock_moves_the_reference_price_and_the_book_keeps_what_was_sold()
    {
        var state = WethMarket().StartExact();
        state.Swap(100 * Eth, Sell, commit: true);
        state.Reprice(Sell, 8, 10); // WETH −20 %
        var (n, d) = state.Spot(Sell);
        Assert.Equal(1980 * E(6) * d * 8, n * Eth * 10);
        // A USDC move the other way is WETH's price in USDC × 10/8.
        state.Reprice(!Sell, 8, 10);
        (n, d) = state.Spot(Sell);
        Assert.Equal(1980 * E(6) * d, n * Eth);
    }

    [Fact]
    public void Depth_times_two_doubles_every_size_and_keeps_the_impacts()
    {
        var book = new ExternalMarketBook([WethMarket()], "test");
        var doubled = Assert.IsType<ExternalMarketBook>(book.WithDepth(2m));
        Assert.Equal(WethMarket(2).Curve.Points, doubled.Markets[0].Curve.Points);
        // So 200 WETH on the doubled curve pays what 100 did on the original, twice over.
        Assert.Equal(2 * 198_800 * E(6), doubled.Markets[0].StartExact().Swap(200 * Eth, Sell, false));
    }

    [Fact]
    public void The_fast_state_follows_the_exact_state_within_1e_9_relative_over_sales_buys_and_shocks()
    {
        var random = new Random(12);
        var pool = WethMarket();
        var exact = pool.StartExact();
        var fast = pool.StartFast();
        var worst = 0.0;
        for (var step = 0; step < 400; step++)
        {
            if (step % 37 == 36)
            {
                var move = 900 + random.Next(0, 200);
                exact.Reprice(Sell, move, 1000);
                fast.Reprice(Sell, move / 1000.0);
                continue;
            }
            var selling = random.Next(2) == 0;
            var amount = selling ? new BigInteger(random.NextDouble() * 30) * Eth + random.Next() : new BigInteger(random.NextDouble() * 60_000) * E(6) + random.Next(1_000_000);
            var e = exact.Swap(amount, selling ? Sell : Buy, commit: true);
            var f = fast.Swap((double)amount, selling ? Sell : Buy, commit: true);
            var scale = Math.Max(1.0, (double)e);
            worst = Math.Max(worst, Math.Abs((double)e - f) / scale);
            Assert.True(Math.Abs((double)e - f) <= 1e-9 * scale + 1, $"step {step}: exact {e}, fast {f}");
            var (n, d) = exact.Spot(Sell);
            var (n0, d0) = pool.StartExact().Spot(Sell);
            FastExactComparison.AssertRelative((double)(n * d0) / (double)(d * n0), fast.PriceMove(Sell));
        }
        fast.Reset();
        Assert.Equal(1.0, fast.PriceMove(Sell));
        Assert.True(worst < 1e-9, $"worst relative difference {worst}");
    }

    [Fact]
    public void A_config_binds_usd_sizes_to_base_units_at_the_snapshot_price_and_leaves_out_assets_the_snapshot_lacks()
    {
        var json = $$"""
            { "quote": "{{Usdc}}", "provenance": "test estimate",
              "curves": [
                { "asset": "{{Weth}}", "symbol": "WETH", "provenance": "hand-made",
                  "points": [ { "usd": 0, "impactBps": 10 }, { "usd": 200000, "impactBps": 110 }, { "usd": 600000, "impactBps": 510 } ] },
                { "asset": "{{A(0x99)}}", "points": [ { "usd": 0, "impactBps": 0 }, { "usd": 1000, "impactBps": 1 } ] } ] }
            """;
        var book = ExternalDepthConfig.Parse(json, "test.json").Bind(MiniMarket.Assets, "test.json");
        var market = Assert.Single(book.Markets);
        Assert.Equal(WethMarket().Curve.Points, market.Curve.Points);
        Assert.Equal((2000 * E(6)) * market.PriceDenominator, market.PriceNumerator * Eth);
        Assert.Equal("hand-made (test estimate)", market.Provenance);
        Assert.Equal("test.json", book.Origin);
    }

    [Theory]
    [InlineData("""{ "quote": "0x10", "provenance": "x", "curves": [] }""", "quote '0x10' is not an address")]
    [InlineData("""{ "quote": "0x0000000000000000000000000000000000000010", "curves": [] }""", "provenance is missing")]
    [InlineData("""{ "quote": "0x0000000000000000000000000000000000000010", "provenance": "x", "curves": [ { "asset": "0x0000000000000000000000000000000000000020", "points": [ { "usd": 0, "impactBps": 10 }, { "usd": 5, "impactBps": 5 } ] } ] }""", "impact must not fall")]
    [InlineData("""{ "quote": "0x0000000000000000000000000000000000000010", "provenance": "x", "curves": [ { "asset": "0x0000000000000000000000000000000000000020", "points": [ { "usd": 1, "impactBps": 10 }, { "usd": 5, "impactBps": 50 } ] } ] }""", "starts at size 0")]
    [InlineData("""{ "quote": "0x0000000000000000000000000000000000000010", "provenance": "x", "curves": [ { "asset": "0x0000000000000000000000000000000000000020", "points": [ { "usd": 0, "impactBps": 10.001 }, { "usd": 5, "impactBps": 50 } ] } ] }""", "at most 2 decimals")]
    [InlineData("""{ "quote": "0x0000000000000000000000000000000000000010", "provenance": "x", "curve": [] }""", "curve")]
    public void A_malformed_config_is_one_line_naming_the_file_and_the_problem(string json, string expected)
    {
        var ex = Assert.Throws<DefiRiskException>(() => ExternalDepthConfig.Parse(json, "depth.json"));
        Assert.StartsWith("malformed external depth depth.json: ", ex.Message);
        Assert.Contains(expected, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    /// <summary>A Morpho WETH/USDC market whose only venue is WETH's external market.</summary>
    private static Snapshot ExternalOnlyMarket(bool withExternal = true)
    {
        var positions = new List<DefiRisk.Core.Protocols.MorphoBlue.MorphoBluePosition>();
        var borrowed = BigInteger.Zero;
        for (var i = 0; i < 20; i++)
        {
            var coll = Units((10 + 7 * i).ToString(System.Globalization.CultureInfo.InvariantCulture), 18);
            var debt = coll * 2000 * (800 + 3 * i) / 1000 / E(12);
            positions.Add(MiniMarket.Borrower(MiniMarket.MorphoWethUsdc, i, coll, debt));
            borrowed += debt;
        }
        var s = MiniMarket.Build([], [MiniMarket.Morpho(MiniMarket.MorphoWethUsdc, Usdc, Weth, "0.86", borrowed, MiniMarket.WethUsdcPrice)], positions, []);
        return withExternal ? s.WithVenueBook(new ExternalMarketBook([WethMarket()], "test")) : s;
    }

    [Fact]
    public void A_cascade_sells_into_the_external_market_and_a_DEX_only_run_leaves_it_out()
    {
        var snapshot = ExternalOnlyMarket();
        var result = CascadeSimulator.Simulate(snapshot, Scenario.Single(Weth, -0.10m));
        var sales = result.Rounds.SelectMany(r => r.Liquidations).ToList();
        Assert.NotEmpty(sales);
        Assert.All(sales, l => Assert.Equal([Weth], l.SalePools));
        var fill = Assert.Single(result.FinalPools.OfType<ExternalMarketFill>());
        var seized = sales.Aggregate(BigInteger.Zero, (t, l) => t + l.CollateralSeized);
        Assert.Equal(BigInteger.Min(seized, 300 * Eth), fill.NetSold);
        Assert.Equal(ExternalMarketBook.Name, Assert.Single(DepthSensitivity.SalesByVenue(snapshot, result)).Venue);

        // DEX-only: the venue is gone, and with no pool the seized WETH is valued at the market price without impact.
        var dexOnly = snapshot.OnChainVenuesOnly();
        Assert.Null(dexOnly.ExternalMarket());
        var without = CascadeSimulator.Simulate(dexOnly, Scenario.Single(Weth, -0.10m));
        Assert.All(without.Rounds.SelectMany(r => r.Liquidations), l => Assert.Equal("market", l.SaleRoute));
        Assert.Empty(without.FinalPools);
    }

    [Fact]
    public void A_book_reports_its_curves_as_off_chain_configuration_and_nothing_without_curves()
    {
        var book = new ExternalMarketBook([WethMarket()], "depth.json");
        Assert.False(book.OnChain);
        var used = Assert.IsType<ExternalDepthUsed>(book.Configuration);
        Assert.Equal("depth.json", used.Origin);
        Assert.Equal([new ExternalPointUsed(0, 1_000), new ExternalPointUsed(100 * Eth, 11_000), new ExternalPointUsed(300 * Eth, 51_000)],
            Assert.Single(used.Curves).Points);
        Assert.Null(new ExternalMarketBook([], "none").Configuration);
    }

    [Fact]
    public void The_fast_cascade_agrees_with_the_exact_one_on_an_external_market()
    {
        var snapshot = ExternalOnlyMarket();
        var (exact, fast) = FastExactComparison.Run(snapshot, Scenario.Single(Weth, -0.10m));
        Assert.NotEmpty(exact.Rounds.SelectMany(r => r.Liquidations));
        FastExactComparison.AssertSame(snapshot, exact, fast);
    }
}
