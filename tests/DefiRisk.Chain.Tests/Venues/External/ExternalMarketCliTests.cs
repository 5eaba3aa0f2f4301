using System.Text.Json;
using DefiRisk.Chain.Deployments;
using DefiRisk.Chain.Tests.CommandLine;
using DefiRisk.Chain.Tests.Indexing;
using DefiRisk.Chain.Venues.External;
using DefiRisk.Chain.Venues.UniswapV2;
using DefiRisk.Chain.Venues.UniswapV3;
using DefiRisk.Cli;
using DefiRisk.Core;
using DefiRisk.Core.Venues.External;
using DefiRisk.Storage;

namespace DefiRisk.Chain.Tests.Venues.External;

/// <summary>
/// The external market end to end on the bundled demo fixture: <c>index --external-depth</c> stores the curve bound at the
/// block's prices with its provenance and origin, <c>simulate</c> sells into it and records it in the JSON,
/// <c>--dex-only</c> leaves it out, and the report states it among the assumptions.
/// </summary>
[Collection(DemoChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class ExternalMarketCliTests(DemoChain chain)
{
    /// <summary>
    /// A wstETH curve against USDC: 5 bps, then 200 bps after $2 M, 800 bps after $6 M. The demo's DEX route for wstETH is
    /// two hops (wstETH/WETH, WETH/USDC), so with today's fewest-hop routing the external market is where wstETH sold for
    /// USDC goes (a WETH curve would tie with the one-hop WETH/USDC pair, which wins as the earlier venue).
    /// </summary>
    private string DepthFile()
    {
        var wstEth = chain.Stored.FindAsset("wstETH")!;
        var usdc = chain.Stored.FindAsset("USDC")!;
        var path = Path.Combine(chain.TempDir, $"depth-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, $$"""
            { "quote": "{{usdc.Address}}", "provenance": "test: a hand-made curve",
              "curves": [ { "asset": "{{wstEth.Address}}", "symbol": "wstETH", "provenance": "thin on purpose",
                "points": [ { "usd": 0, "impactBps": 5 }, { "usd": 2000000, "impactBps": 200 }, { "usd": 6000000, "impactBps": 800 } ] } ] }
            """);
        return path;
    }

    [Fact]
    public async Task Index_with_external_depth_stores_the_curve_at_the_block_prices_and_simulate_sells_into_it_and_records_it()
    {
        var depth = DepthFile();
        var db = chain.NewDatabase();
        var index = await DefiRiskCli.RunAsync("index", "--rpc", chain.Server.RpcUrl, "--db", db, "--deployments", chain.ManifestPath, "--external-depth", depth, "--quiet");
        Assert.True(index.Code == 0, index.ToString());

        var stored = new SnapshotStore(db).Load();
        var book = stored.ExternalMarket();
        Assert.NotNull(book);
        Assert.Equal(depth, book.Origin);
        var market = Assert.Single(book.Markets);
        var wstEth = stored.FindAsset("wstETH")!;
        Assert.Equal(wstEth.Address, market.Asset);
        Assert.Equal("thin on purpose (test: a hand-made curve)", market.Provenance);
        // $2 M at the block's wstETH price, in wei: ⌊2e6·1e8·1e18 / price⌋.
        Assert.Equal(2_000_000 * DefiRisk.Core.Numerics.FixedPoint.Pow10(8 + 18) / wstEth.PriceUsd, market.Curve.Points[1].Size);
        // The chain's own venues are unchanged by it.
        Assert.Equal(chain.Stored.Venues.Where(v => v.OnChain).Sum(v => v.Pools.Count), stored.Venues.Where(v => v.OnChain).Sum(v => v.Pools.Count));

        var json = Path.Combine(chain.TempDir, $"{Guid.NewGuid():N}.json");
        var report = Path.Combine(chain.TempDir, $"{Guid.NewGuid():N}.md");
        // The replay model, named: these runs check the curve as a route's venue (the market model's use of it: ExternalMarketOnePriceTests).
        var run = await DefiRiskCli.RunAsync("simulate", "--db", db, "--shock", "WETH=-25%", "--shock", "wstETH=-25%", "--market", "replay", "--json", json, "--report", report, "--quiet");
        Assert.True(run.Code == 0, run.ToString());
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var used = Assert.Single(doc.RootElement.GetProperty("offChainVenues").EnumerateArray().ToList());
        Assert.Equal(ExternalMarketBook.Name, used.GetProperty("venue").GetString());
        Assert.Equal(depth, used.GetProperty("origin").GetString());
        var liquidations = doc.RootElement.GetProperty("rounds").EnumerateArray().SelectMany(r => r.GetProperty("liquidations").EnumerateArray()).ToList();
        Assert.Contains(liquidations, l => l.GetProperty("salePools").EnumerateArray().Any(p => p.GetString() == wstEth.Address.Value));
        var text = File.ReadAllText(report);
        Assert.Contains("External market depth", text);
        Assert.Contains("External market on a mainnet fork", text);
        Assert.Contains("thin on purpose", text);

        // DEX-only on the same snapshot: no curve used (an empty list says so), and no sale goes to the external market.
        var dexJson = Path.Combine(chain.TempDir, $"{Guid.NewGuid():N}.json");
        var dex = await DefiRiskCli.RunAsync("simulate", "--db", db, "--shock", "WETH=-25%", "--shock", "wstETH=-25%", "--dex-only", "--market", "replay", "--json", dexJson, "--quiet");
        Assert.True(dex.Code == 0, dex.ToString());
        using var dexDoc = JsonDocument.Parse(File.ReadAllText(dexJson));
        Assert.Empty(dexDoc.RootElement.GetProperty("offChainVenues").EnumerateArray());
        Assert.DoesNotContain(dexDoc.RootElement.GetProperty("rounds").EnumerateArray().SelectMany(r => r.GetProperty("liquidations").EnumerateArray()),
            l => l.GetProperty("salePools").EnumerateArray().Any(p => p.GetString() == wstEth.Address.Value));
    }

    [Fact]
    public async Task Simulate_with_an_external_depth_file_binds_it_to_a_DEX_only_snapshot_for_that_run()
    {
        // The demo's manifest has no external-market section: the stored snapshot has no curve.
        Assert.Empty(chain.Stored.ExternalMarket()?.Markets ?? []);
        var json = Path.Combine(chain.TempDir, $"{Guid.NewGuid():N}.json");
        var run = await DefiRiskCli.RunAsync("simulate", "--db", chain.Database, "--shock", "WETH=-25%", "--external-depth", DepthFile(), "--market", "replay", "--json", json, "--quiet");
        Assert.True(run.Code == 0, run.ToString());
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var curve = Assert.Single(Assert.Single(doc.RootElement.GetProperty("offChainVenues").EnumerateArray().ToList()).GetProperty("curves").EnumerateArray().ToList());
        Assert.Equal(3, curve.GetProperty("points").GetArrayLength());
    }

    [Fact]
    public async Task External_depth_and_dex_only_together_or_a_malformed_file_are_one_line_bad_input()
    {
        var both = await DefiRiskCli.RunAsync("simulate", "--db", chain.Database, "--shock", "WETH=-25%", "--external-depth", DepthFile(), "--dex-only");
        Assert.Contains("--external-depth and --dex-only exclude each other", DefiRiskCli.AssertOneLineFailure(both, ExitCodes.UserError));

        var bad = Path.Combine(chain.TempDir, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(bad, """{ "quote": "0x0000000000000000000000000000000000000010", "provenance": "x", "curves": [ { "asset": "0x0000000000000000000000000000000000000020", "points": [ { "usd": 0, "impactBps": 10 } ] } ] }""");
        var malformed = await DefiRiskCli.RunAsync("simulate", "--db", chain.Database, "--shock", "WETH=-25%", "--external-depth", bad);
        Assert.Contains($"malformed external depth {bad}: curves[0]", DefiRiskCli.AssertOneLineFailure(malformed, ExitCodes.UserError));

        var missing = await DefiRiskCli.RunAsync("index", "--rpc", chain.Server.RpcUrl, "--db", chain.NewDatabase(), "--deployments", chain.ManifestPath, "--external-depth", bad + ".nope");
        Assert.Contains("does not exist", DefiRiskCli.AssertOneLineFailure(missing, ExitCodes.UserError));
    }

    [Fact]
    public void The_bundled_mainnet_config_discovers_v3_pools_per_fee_tier_against_WETH_USDC_USDT_and_states_its_external_depth_as_an_estimate()
    {
        var mainnet = AppSettings.Load().Deployments(1);
        string[] quotes = ["0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", "0xdAC17F958D2ee523a2206206994597C13D831ec7"];
        var v3 = mainnet.UniswapV3()!;
        Assert.Equal("0x1F98431c8aD98523631AE4a59f267346ea31F984", v3.Factory);
        Assert.Equal(quotes, v3.Quotes);
        Assert.Equal([100, 500, 3000, 10000], v3.FeeTiers!);
        Assert.Equal(UniswapV3PoolAddress.PoolInitCodeHash, v3.PoolInitCodeHash);
        // The v2 factory looks up pairs against the same three tokens only, not every pair of ~60 assets.
        Assert.Equal(quotes, mainnet.UniswapV2()!.Quotes);
        var external = mainnet.ExternalMarket()!;
        Assert.Contains("ESTIMATE", external.Config.Provenance);
        Assert.All(external.Config.Curves, c => Assert.Contains("estimate", c.Provenance));
        Assert.Equal(quotes[1], external.Config.Quote);
    }
}
