using System.Text.Json.Nodes;
using DefiRisk.Core;

namespace DefiRisk.Chain.Tests.Protocols.AaveV3;

/// <summary>The review verb's outputs beside its JSON: compare's report (Markdown and HTML), <c>--fail-if</c> and the sweep.</summary>
public sealed partial class AaveV3PayloadExecutionTests
{
    [Fact]
    public async Task The_review_writes_compares_report_with_how_the_payload_ran_sweeps_both_sides_and_fail_if_exits_1_only_when_the_post_payload_result_crosses_the_limit()
    {
        var headBefore = await HeadAsync(chain.Server.Node);
        var markdown = Path.Combine(chain.TempDir, $"review-{Guid.NewGuid():N}.md");
        var html = Path.Combine(chain.TempDir, $"review-{Guid.NewGuid():N}.html");
        var json = Path.Combine(chain.TempDir, $"review-{Guid.NewGuid():N}.json");
        string[] Args(string report, string limit) =>
            ["review", "--rpc", chain.Server.RpcUrl, "--deployments", chain.ManifestPath, "--payload", Fixtures("aave-lt-cut-payload.sol"), "--shock", "WETH=-20%",
             "--sweep-asset", "WETH", "--from", "0%", "--to", "40%", "--step", "20%", "--report", report, "--json", json, "--fail-if", limit, "--quiet"];

        var crossed = await CommandLine.DefiRiskCli.RunAsync(Args(markdown, "liquidatedValue>0"));
        output.WriteLine(crossed.ToString());
        Assert.Equal(ExitCodes.RiskLimitCrossed, crossed.Code);
        Assert.Contains("risk limit crossed after the payload: liquidatedValue>0", crossed.Stderr);
        var review = JsonNode.Parse(await File.ReadAllTextAsync(json))!;
        Assert.Equal(3, review["sweep"]!["levels"]!.AsArray().Count); // 0 %, 20 %, 40 % on both sides
        var text = await File.ReadAllTextAsync(markdown);
        Assert.Contains("Payload review: AaveLtCutPayload", text);
        Assert.Contains("Payload execution", text);
        Assert.Contains("liquidatable at today's prices", text);
        Assert.Contains($"block {review["proposalBlock"]!.GetValue<long>()}", text);
        // When each position becomes liquidatable: the payload's 60 s WETH grace period holds some back until 61 s after its block.
        var positions = review["liquidatedByChange"]!["positions"]!.AsArray();
        var payloadTime = positions.Select(p => p!["liquidatableFrom"]!.GetValue<long>() - p["liquidatableInSeconds"]!.GetValue<long>()).Distinct().Single();
        var waiting = positions.Where(p => p!["liquidatableInSeconds"]!.GetValue<long>() > 0).ToList();
        Assert.NotEmpty(waiting);
        Assert.All(waiting, p => Assert.Equal(payloadTime + 61, p!["liquidatableFrom"]!.GetValue<long>()));
        Assert.Contains("Liquidatable from", text);
        Assert.Contains($"+61 s (block time {payloadTime + 61})", text);
        // What a liquidator would seize: each entry's first call, base units as decimal strings (ChainParity against liquidationCall:
        // AaveV36GracePeriodStepTests.The_first_liquidation_call_on_each_position_…); the report's last column.
        Assert.All(positions, p =>
        {
            var call = p!["firstCall"]!;
            foreach (var key in new[] { "debtRepaid", "collateralToLiquidator", "protocolFee", "collateralSeized", "repayArgument", "debtRepaidUsd8", "collateralSeizedUsd8" })
                Assert.Matches("^[0-9]+$", call[key]!.GetValue<string>());
            Assert.Equal(System.Numerics.BigInteger.Parse(call["collateralToLiquidator"]!.GetValue<string>()) + System.Numerics.BigInteger.Parse(call["protocolFee"]!.GetValue<string>()),
                System.Numerics.BigInteger.Parse(call["collateralSeized"]!.GetValue<string>()));
            Assert.Equal(call["debtRepaid"]!.GetValue<string>(), call["repayArgument"]!.GetValue<string>());
            Assert.True(call["collateralSeizedUsd"]!.GetValue<double>() > call["debtRepaidUsd"]!.GetValue<double>()); // the bonus
        });
        Assert.Contains("A liquidator's first call seizes (for debt repaid)", text);

        var clear = await CommandLine.DefiRiskCli.RunAsync(Args(html, "badDebt>1000000000000"));
        Assert.True(clear.Code == ExitCodes.Ok, clear.ToString());
        var page = await File.ReadAllTextAsync(html);
        Assert.Contains("<html", page);
        Assert.Contains("Liquidatable from", page);
        Assert.Contains("+61 s (block time", page);

        // Without --quiet: the executed block on stdout (compare's table goes to the Spectre console, not captured here).
        var shown = await CommandLine.DefiRiskCli.RunAsync("review", "--rpc", chain.Server.RpcUrl, "--deployments", chain.ManifestPath,
            "--payload", Fixtures("aave-lt-cut-payload.sol"), "--shock", "WETH=-20%");
        Assert.True(shown.Code == ExitCodes.Ok, shown.ToString());
        Assert.Contains($"payload block {headBefore.Number + 1} (baseline {headBefore.Number})", shown.Stdout);
        Assert.Contains("executed by the review's executor holding POOL_ADMIN and RISK_ADMIN", shown.Stdout);
        Assert.Contains(": 3 parameters changed", shown.Stdout); // WETH LTV, LT and its liquidation grace period

        // A malformed limit stops the review before the node is touched.
        var bad = await CommandLine.DefiRiskCli.RunAsync(Args(markdown + ".2.md", "nonsense>1"));
        CommandLine.DefiRiskCli.AssertOneLineFailure(bad, ExitCodes.UserError);
        Assert.Equal(headBefore, await HeadAsync(chain.Server.Node));
    }
}
