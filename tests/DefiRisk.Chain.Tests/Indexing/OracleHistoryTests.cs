using DefiRisk.Chain.Tests.CommandLine;
using DefiRisk.Cli;
using DefiRisk.Cli.Commands;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Stress;
using DefiRisk.Harness;
using DefiRisk.Storage;

namespace DefiRisk.Chain.Tests.Indexing;

/// <summary>
/// Issue 16, price history from the chain: the harness posts a seeded series of rounds to the demo fixture's feeds across
/// two proxy phases; <c>index --price-history-days</c> reads them back through getRoundData (and phaseAggregators) into
/// the snapshot, and <c>stress</c> fits its paths to them when no CSV is given.
/// </summary>
[Collection(DemoChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class OracleHistoryTests(DemoChain chain)
{
    private static readonly FeedHistorySpec Spec = new(Rounds: 120, StepSeconds: 3600, Seed: 16);

    [Fact]
    public async Task The_history_read_from_the_chain_equals_the_rounds_posted_across_both_phases_and_stress_fits_to_it()
    {
        var node = chain.Server.Node;
        var facts = chain.Server.Facts;
        var id = await node.SnapshotAsync();
        try
        {
            var posted = await FixtureFeedHistory.InstallAsync(node, facts, chain.Server.Manifest.AaveV3()[0].Oracle, Spec);
            Assert.NotEmpty(posted);
            await node.MineAsync(await node.LatestTimestampAsync() + 12);

            // Ten days cover all 120 hourly rounds: the walk runs through phase 2, then phase 1 down to its first round.
            var all = await IndexAsync(days: 10);
            Assert.NotNull(all.PriceHistory);
            foreach (var (symbol, rounds) in posted)
            {
                var asset = all.FindAsset(symbol)!;
                var history = Assert.Single(all.PriceHistory!, h => h.Asset == asset.Address);
                Assert.Null(history.Missing);
                Assert.Equal(8, history.Decimals);
                Assert.Equal(rounds.Select(r => new OracleRound(r.RoundId, r.Answer, r.UpdatedAt)), history.Rounds);
                Assert.Equal([1, 2], history.Rounds.Select(r => r.Phase).Distinct());
                // The history ends at the price the snapshot holds: posting moved no price.
                Assert.Equal(asset.PriceUsd, history.Rounds[^1].Answer);
            }

            // The exchange-rate asset still multiplies its base feed (now the base's proxy), at the same price.
            var exchange = all.FindAsset(facts.ExchangeRateAggregator.Asset)!;
            Assert.Equal(OracleKind.ExchangeRate, exchange.Oracle.Kind);
            Assert.Equal(chain.Stored.FindAsset(exchange.Symbol)!.PriceUsd, exchange.PriceUsd);
            Assert.DoesNotContain(all.PriceHistory!, h => h.Asset == exchange.Address);

            // Three days: the rounds since then (72 h reach back past phase 2's 60 rounds into phase 1) and the one before.
            var recent = await IndexAsync(days: 3);
            var since = recent.Chain.BlockTimestamp - 3 * 86_400L;
            foreach (var (symbol, rounds) in posted)
            {
                var history = Assert.Single(recent.PriceHistory!, h => h.Asset == recent.FindAsset(symbol)!.Address);
                var before = rounds.Count(r => r.UpdatedAt < since);
                var expected = rounds.Skip(Math.Max(0, before - 1)).Select(r => new OracleRound(r.RoundId, r.Answer, r.UpdatedAt)).ToList();
                Assert.Equal(expected, history.Rounds);
                Assert.Contains(history.Rounds, r => r.Phase == 1);
            }

            // stress without --history fits to the stored rounds: WETH's σ is the generating 1 % per hour within 3 SE.
            var db = chain.NewDatabase();
            await IndexCommand.RunAsync(new IndexCommand.IndexRequest(chain.Server.RpcUrl, db, chain.ManifestPath, IndexCommand.BlockChoice.Default with { Latest = true }, 10),
                AppSettings.Load(), DemoChain.TestRpc, null, default);
            var result = StressCommand.Run(new StressCommand.StressRequest(db, null, "gbm", new StressSettings(Paths: 100, Horizon: 6, TopK: 1), null));
            Assert.Contains("oracle rounds", result.History);
            var weth = Assert.Single(result.Assets, a => a.Symbol == "WETH");
            Assert.Equal("simulated", weth.Moves);
            Assert.Equal("follows WETH", Assert.Single(result.Assets, a => a.Symbol == exchange.Symbol).Moves);
            Assert.DoesNotContain(result.Assets, a => a.Moves == "held");
            var se = 0.01 / Math.Sqrt(2.0 * (Spec.Rounds - 1));
            Assert.InRange(weth.VolatilityPerStep!.Value, 0.01 - 3 * se, 0.01 + 3 * se);
        }
        finally { Assert.True(await node.RevertAsync(id)); }
    }

    [Fact]
    public async Task A_feed_that_keeps_no_rounds_is_named_and_stress_asks_for_a_csv()
    {
        // The bundled demo fixture's feeds are MockAggregators: latestAnswer only.
        var snapshot = await IndexAsync(days: 1);
        Assert.NotNull(snapshot.PriceHistory);
        Assert.All(snapshot.PriceHistory!, h => Assert.Empty(h.Rounds));
        Assert.All(snapshot.PriceHistory!, h => Assert.Contains("latestRoundData", h.Missing));
        var db = chain.NewDatabase();
        new SnapshotStore(db).Write(snapshot);
        var run = await DefiRiskCli.RunAsync(["stress", "--db", db, "--paths", "10"]);
        var line = DefiRiskCli.AssertOneLineFailure(run, Core.ExitCodes.UserError);
        Assert.Contains("--history FILE", line);
        Assert.Contains("WETH", line);
    }

    private async Task<Snapshot> IndexAsync(int days)
    {
        var db = chain.NewDatabase();
        await IndexCommand.RunAsync(new IndexCommand.IndexRequest(chain.Server.RpcUrl, db, chain.ManifestPath, new IndexCommand.BlockChoice(null, true), days),
            AppSettings.Load(), DemoChain.TestRpc, null, default);
        return new SnapshotStore(db).Load();
    }
}
