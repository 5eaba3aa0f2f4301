using System.Text.Json;
using DefiRisk.Chain.Protocols.AaveV3;
using DefiRisk.Cli;
using DefiRisk.Cli.Commands;
using DefiRisk.Harness;
using Xunit.Abstractions;

namespace DefiRisk.Chain.Tests.Protocols.AaveV3;

/// <summary>
/// Issue 16, Build 5 on the payload review: <c>review --stress-paths N</c> runs value at risk on the state before and after
/// the LT-cut payload on the same paths, fitted to the oracle rounds the baseline index reads from the feeds.
/// </summary>
[Collection(AaveV36ChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class ReviewStressTests(AaveV36Chain chain, ITestOutputHelper output)
{
    [Fact]
    public async Task Review_with_stress_paths_runs_before_and_after_the_payload_on_the_same_paths_fitted_to_the_feeds_rounds()
    {
        var node = chain.Server.Node;
        var id = await node.SnapshotAsync();
        try
        {
            await FixtureFeedHistory.InstallAsync(node, chain.Server.Facts, chain.Server.Manifest.AaveV3()[0].Oracle, new FeedHistorySpec(Rounds: 240, StepSeconds: 3600, Seed: 14));
            await node.MineAsync(await node.LatestTimestampAsync() + 12);
            var payload = Path.Combine(NodeModules.Locate().RepositoryRoot, "fixtures", "aave-lt-cut-payload.sol");
            var run = await ReviewCommand.ExecuteAsync(
                // The replay model: this fixture has no venue for weETH, which the market model (the default) refuses to sell on a path.
                new ReviewCommand.ReviewRequest(chain.Server.RpcUrl, chain.ManifestPath, [payload], ["WETH=-20%"], null, Options: Core.Analysis.SimulationOptions.Default, StressPaths: 400), null, true, default);
            var (review, report) = (run.Result, ReviewCommand.Report(run));

            var stress = Assert.IsType<Core.Stress.StressResult>(review.Stress);
            output.WriteLine($"{stress.History}; VaR99 {stress.Baseline.Statistics.BadDebtVar99:N0} -> {stress.Proposal!.Statistics.BadDebtVar99:N0}, " +
                             $"P(liquidation) {stress.Baseline.Statistics.ProbabilityOfLiquidation:P1} -> {stress.Proposal.Statistics.ProbabilityOfLiquidation:P1}: {stress.Difference!.Verdict}");
            Assert.Contains("oracle rounds", stress.History);
            Assert.Equal("simulated", Assert.Single(stress.Assets, a => a.Symbol == "WETH").Moves);
            Assert.Equal("follows WETH", Assert.Single(stress.Assets, a => a.Symbol == "wstETH").Moves);
            Assert.Equal(400, stress.Paths);
            // A lower liquidation threshold liquidates at least as much on every path; on the same paths the share can only grow.
            Assert.True(stress.Proposal.Statistics.ProbabilityOfLiquidation >= stress.Baseline.Statistics.ProbabilityOfLiquidation);
            Assert.True(stress.Proposal.Statistics.LiquidationsAtRisk99 >= stress.Baseline.Statistics.LiquidationsAtRisk99);
            Assert.All(stress.Baseline.WorstPaths.Concat(stress.Proposal.WorstPaths), w => Assert.True(w.ExactAgrees, $"path {w.Path}"));

            Assert.True(JsonDocument.Parse(Json.Serialize(review)).RootElement.TryGetProperty("stress", out _));
            var html = Reporting.ReportWriter.Html(report);
            Assert.Contains("<section id=\"stress\">", html);
            Assert.Contains("AaveLtCutPayload", html);
        }
        finally { Assert.True(await node.RevertAsync(id)); }
    }
}
