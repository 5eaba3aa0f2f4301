using System.Numerics;
using System.Text.Json.Nodes;
using DefiRisk.Chain.Rpc;
using DefiRisk.Chain.Protocols.MorphoBlue.ContractDefinition;
using DefiRisk.Chain.Tests.Indexing;
using DefiRisk.Cli;
using DefiRisk.Cli.Commands;
using DefiRisk.Core;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Protocols.MorphoBlue;
using DefiRisk.Harness;
using DefiRisk.Storage;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;

namespace DefiRisk.Chain.Tests.Protocols.MorphoBlue;

/// <summary>
/// Issue 13 item 2 on chain: composed oracles (our contracts with morpho-blue-oracles' getters) identified and stored, every
/// position on them equal to Morpho's own view, and a shock to a composed oracle's base feed priced by the model exactly as
/// <c>price()</c> reads on chain with the feed moved.
/// </summary>
[Trait("Category", "ChainParity")]
public sealed class MorphoOracleCompositionTests(OracleChain chain) : IClassFixture<OracleChain>
{
    private async Task<Snapshot> IndexAsync()
    {
        var db = chain.NewDatabase();
        await IndexCommand.RunAsync(new IndexCommand.IndexRequest(chain.Server.RpcUrl, db, chain.ManifestPath, IndexCommand.ParseBlock("latest")),
            AppSettings.Load(), DemoChain.TestRpc, null, default);
        return new SnapshotStore(db).Load();
    }

    [Fact]
    public async Task Composed_oracles_are_identified_stored_and_their_positions_equal_the_contract()
    {
        var s = await IndexAsync();
        var state = Assert.Single(s.MorphoBlue());
        var weth = Address.Parse(chain.Server.Facts.Tokens["WETH"].Address);
        var wbtc = Address.Parse(chain.Server.Facts.Tokens["WBTC"].Address);
        foreach (var fm in chain.Oracles.Markets)
        {
            var m = state.Markets.Single(x => x.Id == fm.Id);
            var parts = Assert.IsType<MorphoOracleParts>(m.OracleParts);
            Assert.Equal(fm.Kind switch { "chainlink-v2" => MorphoOracleKind.ChainlinkV2, "chainlink-v1" => MorphoOracleKind.ChainlinkV1, _ => MorphoOracleKind.Fixed }, parts.Kind);
            // The stored parts reproduce price() read at the block (what makes the model recompute it exactly).
            Assert.Equal(m.OraclePrice, parts.SnapshotPrice);
            Assert.NotNull(MorphoBlueOracle.Composed(m));
        }
        var vweth = state.Markets.Single(x => x.Id == chain.Oracles.Markets[0].Id).OracleParts!;
        Assert.Equal(Address.Parse(chain.Oracles.Vault), vweth.BaseVault);
        Assert.Equal(BigInteger.Parse("1050000000000000000"), vweth.BaseVaultAssets);
        Assert.Equal(weth, vweth.Feeds[MorphoOracleParts.BaseFeed1]!.Follows); // a proxy whose aggregator() is WETH's Aave source
        var btc = state.Markets.Single(x => x.Id == chain.Oracles.Markets[1].Id).OracleParts!;
        Assert.Null(btc.Feeds[MorphoOracleParts.BaseFeed1]!.Follows);                // WBTC/BTC: no asset follows it, it holds
        Assert.Equal(wbtc, btc.Feeds[MorphoOracleParts.BaseFeed2]!.Follows);
        Assert.Equal(weth, state.Markets.Single(x => x.Id == chain.Oracles.Markets[2].Id).OracleParts!.Feeds[0]!.Follows); // the feed→asset table
        // The Morpho-only vault token is priced by its feeds and moves with WETH.
        var vault = s.Asset(Address.Parse(chain.Oracles.Vault));
        Assert.Equal(OracleKind.ExchangeRate, vault.Oracle.Kind);
        Assert.Equal(weth, vault.Oracle.BaseAsset);
        // Bundled markets (Morpho's OracleMock) stay unknown: their price keeps the snapshot ratio.
        Assert.All(state.Markets.Where(x => chain.Oracles.Markets.All(f => f.Id != x.Id)), x => Assert.Null(x.OracleParts));

        await AssertPositionsAsync(s, state, m => m.OraclePrice, shocked: false);
    }

    [Fact]
    public async Task After_a_shock_to_a_composed_oracles_base_feed_the_model_price_equals_price_read_on_chain()
    {
        var s = await IndexAsync();
        var state = s.MorphoBlue()[0];
        var assets = new AssetIndex(s);
        var weth = Address.Parse(chain.Server.Facts.Tokens["WETH"].Address);
        var usdNow = assets.SnapshotUsd.ToArray();
        usdNow[assets[weth]] = usdNow[assets[weth]] * 7 / 10 + 1; // −30 %, an odd number so the floors matter
        var model = book(s).StartExact(assets).OraclePrices(usdNow).Cast<MorphoOraclePrice>().ToDictionary(p => p.MarketId, p => p.Price);

        var node = chain.Server.Node;
        var id = await node.SnapshotAsync();
        try
        {
            // The feed moved on chain: WETH's Aave source (storage slot 0 of the MockAggregator) and the table-mapped feed.
            await node.SetStorageAtAsync(chain.Server.Facts.PriceFeeds["WETH"], 0, usdNow[assets[weth]]);
            await node.SetStorageAtAsync(chain.Oracles.Feeds["WETH/USD table"], 0, usdNow[assets[weth]]);
            await node.MineAsync();
            var moved = 0;
            foreach (var fm in chain.Oracles.Markets)
            {
                var onChain = new Uint256Out().DecodeOutput((await node.Rpc.CallAsync("eth_call",
                    new JsonObject { ["to"] = fm.Oracle, ["data"] = "0xa035b1fe" }, "latest")).GetString()!).Value; // price()
                Assert.True(onChain == model[fm.Id], $"{fm.Name}: price() {onChain}, model {model[fm.Id]}; parts {state.Markets.Single(x => x.Id == fm.Id).OracleParts}");
                var before = state.Markets.Single(x => x.Id == fm.Id).OraclePrice;
                if (onChain != before) moved++;
            }
            Assert.Equal(3, moved); // vWETH/USDC, WBTC/WETH, WETH/USDC v1 move; the fixed DAI/USDC does not

            // Every position at the moved prices: Morpho's own health check against the model's, on the shocked chain.
            var shocked = await IndexAsync();
            foreach (var m in shocked.MorphoBlue()[0].Markets.Where(m => chain.Oracles.Markets.Any(f => f.Id == m.Id)))
                Assert.Equal(model[m.Id], m.OraclePrice);
            await AssertPositionsAsync(shocked, shocked.MorphoBlue()[0], m => model[m.Id], shocked: true);
        }
        finally { Assert.True(await node.RevertAsync(id)); }

        static MorphoBlueBook book(Snapshot s) => s.Book<MorphoBlueBook>()!;
    }

    /// <summary>
    /// Collateral and borrow shares equal <c>position()</c>; health at the model's price equals Morpho's own: a liquidation of a
    /// healthy position reverts "position is healthy", of an unhealthy one it gets past that check.
    /// </summary>
    private async Task AssertPositionsAsync(Snapshot s, MorphoBlueState state, Func<MorphoBlueMarket, BigInteger> price, bool shocked)
    {
        var rpc = chain.Server.Node.Rpc;
        var block = EthRpc.Hex(s.Chain.BlockNumber);
        var morpho = state.Morpho.Value;
        var ours = chain.Oracles.Markets.Select(m => m.Id).ToHashSet();
        int healthy = 0, unhealthy = 0, compared = 0;
        foreach (var p in state.Positions.Where(p => ours.Contains(p.MarketId)))
        {
            var m = state.Markets.Single(x => x.Id == p.MarketId);
            var onChain = new PositionOutput().DecodeOutput((await rpc.CallAsync("eth_call",
                Tx(morpho, new PositionFunction { Id = p.MarketId.HexToByteArray(), User = p.Account.Value }), block)).GetString()!);
            Assert.Equal(onChain.Collateral, p.Collateral);
            Assert.Equal(onChain.BorrowShares, p.BorrowShares);
            compared++;
            if (p.BorrowShares.IsZero) continue;
            string? revert = null;
            try
            {
                await rpc.CallAsync("eth_call", Tx(morpho, new LiquidateFunction
                {
                    MarketParams = new() { LoanToken = m.LoanToken.Value, CollateralToken = m.CollateralToken.Value, Oracle = m.Oracle.Value, Irm = m.Irm.Value, Lltv = m.Lltv },
                    Borrower = p.Account.Value, SeizedAssets = 1, Data = [],
                }, chain.Server.Facts.Actors.Liquidator), block);
            }
            catch (DefiRiskException ex) { revert = ex.Message; }
            var contractHealthy = revert?.Contains("position is healthy", StringComparison.Ordinal) == true;
            Assert.Equal(contractHealthy, MorphoBlueMath.IsHealthy(m, p, price(m)));
            if (contractHealthy) healthy++; else unhealthy++;
        }
        Assert.Equal(chain.Oracles.Markets.Sum(m => m.Borrowers.Count), compared);
        Assert.True(healthy > 0, "no healthy position compared");
        if (shocked) Assert.True(unhealthy > 0, "the shock left every composed-oracle position healthy: the test proves nothing");
    }

    private static JsonObject Tx<T>(string to, T message, string? from = null) where T : FunctionMessage, new()
    {
        var tx = new JsonObject { ["to"] = to, ["data"] = message.GetCallData().ToHex(true), ["gas"] = "0x1c9c380" };
        if (from is not null) tx["from"] = from;
        return tx;
    }

    [Nethereum.ABI.FunctionEncoding.Attributes.FunctionOutput]
    private sealed class Uint256Out : Nethereum.ABI.FunctionEncoding.Attributes.IFunctionOutputDTO
    {
        [Nethereum.ABI.FunctionEncoding.Attributes.Parameter("uint256", "", 1)] public BigInteger Value { get; set; }
    }
}
