using System.Text.Json;
using DefiRisk.Chain.Tests.CommandLine;
using DefiRisk.Chain.Tests.Indexing;
using DefiRisk.Cli;
using DefiRisk.Cli.Commands;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Core.Protocols.MorphoBlue;
using DefiRisk.Storage;

namespace DefiRisk.Chain.Tests.Protocols.MorphoBlue;

/// <summary>
/// Issue 13 item 1 on chain: an idle Morpho market, one whose oracle reverts, one whose oracle answers 0, and an Aave
/// reserve whose price call reverts (its feed set to 0, the AaveOracle fallback unset) — the index completes, skips
/// each with a warning that names it, and the CLI prints and its JSON lists the warnings.
/// </summary>
[Trait("Category", "ChainParity")]
public sealed class MorphoSkippedMarketTests(OracleChain chain) : IClassFixture<OracleChain>
{
    [Fact]
    public async Task An_index_with_an_idle_market_a_reverting_and_a_zero_price_oracle_and_an_unpriced_reserve_completes_and_warns_by_name()
    {
        var node = chain.Server.Node;
        var dai = chain.Server.Facts.Tokens["DAI"].Address.ToLowerInvariant();
        var cleanDb = chain.NewDatabase();
        await IndexCommand.RunAsync(new IndexCommand.IndexRequest(chain.Server.RpcUrl, cleanDb, chain.ManifestPath, IndexCommand.ParseBlock("latest")),
            AppSettings.Load(), DemoChain.TestRpc, null, default);
        var clean = new SnapshotStore(cleanDb).Load();
        var id = await node.SnapshotAsync();
        try
        {
            await node.SetStorageAtAsync(chain.Server.Facts.PriceFeeds["DAI"], 0, 0);
            await node.MineAsync();
            var db = chain.NewDatabase();
            var json = Path.Combine(chain.TempDir, $"{Guid.NewGuid():N}.json");
            var run = await DefiRiskCli.RunAsync("index", "--rpc", chain.Server.RpcUrl, "--db", db, "--deployments", chain.ManifestPath, "--block", "latest", "--json", json);
            Assert.True(run.Code == 0, run.ToString());

            using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            var warnings = doc.RootElement.GetProperty("warnings").EnumerateArray()
                .Select(w => (Kind: w.GetProperty("kind").GetString(), Subject: w.GetProperty("subject").GetString(), Positions: w.GetProperty("positions").GetInt32()))
                .ToList();
            Assert.Contains(("idle-market", chain.Oracles.IdleMarket, 0), warnings);
            Assert.Contains(("oracle-reverted", chain.Oracles.RevertingOracleMarket, 0), warnings);
            Assert.Contains(("oracle-zero-price", chain.Oracles.ZeroPriceMarket, 1), warnings);
            var reserve = Assert.Single(warnings, w => w.Kind == "unpriced-reserve");
            Assert.Equal(dai, reserve.Subject);
            Assert.True(reserve.Positions > 0, "no Aave account held DAI: the test proves nothing");
            Assert.Equal(1, doc.RootElement.GetProperty("warningCounts").GetProperty("idle-market").GetInt32());
            // The CLI names each on stderr, with the count per kind.
            Assert.Contains(run.ErrorLines, l => l.StartsWith($"warning: morpho-blue idle-market {chain.Oracles.IdleMarket}: ", StringComparison.Ordinal));
            Assert.Contains(run.ErrorLines, l => l.StartsWith($"warning: aave-v3 unpriced-reserve {dai}: ", StringComparison.Ordinal) && l.Contains("DAI", StringComparison.Ordinal));

            // The snapshot holds none of them: no skipped market, no DAI, no account that held DAI.
            var snapshot = new SnapshotStore(db).Load();
            var markets = snapshot.MorphoBlue()[0].Markets.Select(m => m.Id).ToHashSet();
            Assert.DoesNotContain(chain.Oracles.IdleMarket, markets);
            Assert.DoesNotContain(chain.Oracles.RevertingOracleMarket, markets);
            Assert.DoesNotContain(chain.Oracles.ZeroPriceMarket, markets);
            Assert.All(chain.Oracles.Markets, m => Assert.Contains(m.Id, markets));
            // DAI is no Aave asset any more (the fixed DAI/USDC Morpho market prices it through its oracle instead).
            Assert.NotEqual(Address.Parse(chain.Server.Facts.PriceFeeds["DAI"]), snapshot.FindAsset(Address.Parse(dai))?.Oracle.Source);
            Assert.DoesNotContain(snapshot.AaveV3Markets()[0].Market.Reserves, r => r.Asset == Address.Parse(dai));
            Assert.DoesNotContain(snapshot.AaveV3Markets()[0].Accounts, a => a.Reserves.Any(r => r.Asset == Address.Parse(dai)));
            // Exactly the accounts that held DAI left: the clean index of the block before has them all.
            Assert.Equal(clean.AaveV3Markets()[0].Accounts.Count(a => a.Reserves.Any(r => r.Asset == Address.Parse(dai))), reserve.Positions);
            Assert.Equal(clean.AaveV3Markets()[0].Accounts.Count - reserve.Positions, snapshot.AaveV3Markets()[0].Accounts.Count);
        }
        finally { Assert.True(await node.RevertAsync(id)); }
    }
}
