using System.Text.Json.Nodes;
using DefiRisk.Chain.Tests.Harness;
using DefiRisk.Cli;
using DefiRisk.Cli.Commands;
using DefiRisk.Core;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Harness;
using DefiRisk.Storage;
using Nethereum.Util;

namespace DefiRisk.Chain.Tests.Indexing;

/// <summary>
/// A look-alike "USDC" on chain: anyone may deploy a token with that symbol and open a Morpho market with it. With every
/// Morpho market indexed (no market list in the deployments), the look-alike lands in the snapshot under its address
/// prefix, and a shock on "USDC" moves the Aave reserve only.
/// </summary>
[Trait("Category", "ChainParity")]
public sealed class SpamTokenTests
{
    // Runtime code answering every call with the ABI string "USDC" (so symbol() says USDC; decimals() reads its first word, 32).
    private const string ReturnsStringUsdc = "0x6020600052" + "6004602052" + "7f55534443" + "00000000000000000000000000000000000000000000000000000000" + "604052" + "60606000f3";
    private const string Spam = "0x5ba3000000000000000000000000000000000001";

    [Fact]
    public async Task A_look_alike_usdc_from_an_unlisted_market_is_named_by_address_and_a_usdc_shock_moves_only_the_listed_one()
    {
        await using var server = await FixtureServer.StartAsync(BundledFixture.Directory);
        var market = server.Manifest.MorphoBlue()!;
        var facts = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(BundledFixture.Directory, FixtureServer.ManifestFile)))!;
        var real = facts["fixture"]!["morphoMarkets"]![0]!; // WETH/USDC: its USDC, oracle and IRM serve the look-alike's market
        var admin = (string)facts["fixture"]!["actors"]!["admin"]!;

        await server.Node.Rpc.CallAsync("anvil_setCode", Spam, ReturnsStringUsdc);
        var createMarket = "0x" + Sha3Keccack.Current.CalculateHash("createMarket((address,address,address,address,uint256))")[..8]
            + Word((string)real["loanToken"]!) + Word(Spam) + Word((string)real["oracle"]!) + Word((string)real["irm"]!)
            + System.Numerics.BigInteger.Parse((string)real["lltv"]!).ToString("x64");
        await server.Node.Rpc.CallAsync("eth_sendTransaction", new Dictionary<string, string> { ["from"] = admin, ["to"] = market.Morpho, ["data"] = createMarket, ["gas"] = "0x200000" });
        await server.Node.MineAsync();

        // The deployments without a market list: every market discovery finds is read, none of their tokens vouched for.
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(BundledFixture.Directory, FixtureServer.ManifestFile)))!.AsObject();
        manifest["morpho-blue"]!["markets"] = new JsonArray();
        manifest.Remove("block");
        var temp = Directory.CreateTempSubdirectory("defirisk-spam-");
        try
        {
            var manifestPath = Path.Combine(temp.FullName, "manifest.json");
            await File.WriteAllTextAsync(manifestPath, manifest.ToJsonString());
            var db = Path.Combine(temp.FullName, "spam.db");
            await IndexCommand.RunAsync(new IndexCommand.IndexRequest(server.RpcUrl, db, manifestPath, new IndexCommand.BlockChoice(null, true)),
                AppSettings.Load(), DemoChain.TestRpc, null, default);
            var snapshot = new SnapshotStore(db).Load();

            var usdc = Address.Parse((string)real["loanToken"]!);
            var spam = Address.Parse(Spam);
            Assert.Equal("USDC", snapshot.Asset(usdc).Symbol);
            Assert.Equal("USDC·0x5ba300", snapshot.Asset(spam).Symbol);
            Assert.Equal([usdc], ScenarioParser.Parse(["USDC=-30%"], snapshot).ShockedAssets());
            Assert.Equal([spam], ScenarioParser.Parse([$"{Spam}=-30%"], snapshot).ShockedAssets());
        }
        finally { temp.Delete(recursive: true); }

        static string Word(string address) => address[2..].ToLowerInvariant().PadLeft(64, '0');
    }
}
