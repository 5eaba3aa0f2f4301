using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DefiRisk.Chain.Tests.CommandLine;
using DefiRisk.Harness;
using DefiRisk.Harness.Capture;
using Xunit.Abstractions;

namespace DefiRisk.Chain.Tests.Protocols.AaveV3;

/// <summary>
/// Issue 13 item 7, "the same review then reruns offline on exactly that block": <c>fixture capture --payload</c> also
/// records what the payload review reads and writes (its transactions traced with the prestateTracer, first touch wins),
/// so a bare anvil loaded with the capture alone gives the same review JSON as the fork it was captured from.
/// </summary>
[Collection(AaveV36ChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class ForkCaptureReviewTests(AaveV36Chain chain, ITestOutputHelper output)
{
    private static string Payload => Path.Combine(NodeModules.Locate().RepositoryRoot, "fixtures", "aave-lt-cut-payload.sol");

    private async Task<JsonObject> ReviewAsync(string rpc, string manifest)
    {
        var json = Path.Combine(chain.TempDir, $"review-{Guid.NewGuid():N}.json");
        var run = await DefiRiskCli.RunAsync("review", "--rpc", rpc, "--deployments", manifest, "--payload", Payload, "--shock", "WETH=-20%",
            "--json", json, "--quiet");
        Assert.True(run.Code is 0 or 1, run.ToString());
        return JsonNode.Parse(await File.ReadAllTextAsync(json))!.AsObject();
    }

    private static async Task<(long Number, string Hash)> HeadAsync(AnvilNode node)
    {
        var head = await node.Rpc.CallAsync("eth_getBlockByNumber", "latest", false);
        return ((long)AnvilRpc.Quantity(head.GetProperty("number")), head.GetProperty("hash").GetString()!);
    }

    private static async Task<(string Balance, string Nonce)> AccountAsync(AnvilNode node, string address) =>
        ((await node.Rpc.CallAsync("eth_getBalance", address, "latest")).GetString()!, (await node.Rpc.CallAsync("eth_getTransactionCount", address, "latest")).GetString()!);

    [Fact]
    public async Task A_capture_with_the_payload_loaded_alone_in_a_bare_anvil_gives_the_same_review_json_as_the_fork_it_was_captured_from()
    {
        var captureDir = Path.Combine(chain.TempDir, $"capture-{Guid.NewGuid():N}");
        var indexOnlyDir = Path.Combine(chain.TempDir, $"capture-{Guid.NewGuid():N}");
        JsonObject original;
        CliOutput capture;
        long block;
        string adminAddress;
        (string Balance, string Nonce) adminState;
        await using (var upstream = await FixtureServer.StartAsync(chain.FixtureDir))
        {
            block = upstream.Block;
            await using var fork = await AnvilNode.ForkAsync(upstream.RpcUrl, block);
            var headBefore = await HeadAsync(fork);
            var admin = upstream.Facts!.Actors.Admin; // whom the fixture route impersonates and funds
            var adminBefore = await AccountAsync(fork, admin);
            capture = await DefiRiskCli.RunAsync("fixture", "capture", "--rpc", fork.RpcUrl, "--deployments", chain.ManifestPath,
                "--block", block.ToString(CultureInfo.InvariantCulture), "--out", captureDir, "--payload", Payload, "--json", "-");
            Assert.True(capture.Code == 0, capture.ToString());
            var indexOnly = await DefiRiskCli.RunAsync("fixture", "capture", "--rpc", fork.RpcUrl, "--deployments", chain.ManifestPath,
                "--block", block.ToString(CultureInfo.InvariantCulture), "--out", indexOnlyDir, "--json", "-");
            Assert.True(indexOnly.Code == 0, indexOnly.ToString());
            output.WriteLine($"index only: {indexOnly.Stdout}");
            // The review inside the capture reverted the fork: the review below sees the block the capture saw.
            Assert.Equal(headBefore, await HeadAsync(fork));
            Assert.Equal(adminBefore, await AccountAsync(fork, admin));
            (adminAddress, adminState) = (admin, adminBefore);
            original = await ReviewAsync(fork.RpcUrl, chain.ManifestPath);
            Assert.Equal(headBefore, await HeadAsync(fork));
        } // the fork and its upstream are stopped here: from now on only the capture answers
        output.WriteLine(capture.Stdout);
        var figures = JsonDocument.Parse(capture.Stdout).RootElement;
        // Executor deploy, two grants, payload deploy, execute: all traced.
        Assert.Equal(5, figures.GetProperty("reviewTransactions").GetInt64());

        var manifest = Path.Combine(captureDir, FixtureServer.ManifestFile);
        // The admin the review funded is captured with the chain's balance (recorded before anvil_setBalance), not the review's.
        var capturedAdmin = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(captureDir, ForkCapture.StateFile)))!["accounts"]![adminAddress.ToLowerInvariant()]!;
        Assert.Equal(AnvilRpc.Quantity(adminState.Balance), AnvilRpc.Quantity(capturedAdmin["balance"]!.GetValue<string>()));

        // Served as `fixture up DIR` serves it: a bare anvil loading only state.json, its clock at the captured block's time.
        await using var bare = await FixtureServer.StartAsync(captureDir);
        Assert.Equal(block, await bare.Node.BlockNumberAsync());
        var offline = await ReviewAsync(bare.RpcUrl, manifest);
        Assert.Equal(block, (await HeadAsync(bare.Node)).Number); // the offline review reverted its payload block too

        // Nothing was left out that the payload needed: the same payload block, the same parameter diff, the same victims.
        Assert.True(original["parameterDiff"]!.AsArray().Count > 0, "the payload changed no parameter: the comparison proves nothing");
        Assert.True(original["liquidatedByChange"]!["positions"]!.AsArray().Count > 0, "the payload liquidated nobody: the comparison proves nothing");
        // (The executor and payload the review deploys are the tool's code, left out of the capture: had they been kept, their
        // deployment offline would collide at the same address and the review would have failed.)
        output.WriteLine($"proposal block hash: fork {original["proposalBlockHash"]}, capture {offline["proposalBlockHash"]}");
        foreach (var side in new[] { original, offline }) side.Remove("proposalBlockHash");
        Assert.Equal(original.ToJsonString(), offline.ToJsonString());

        // The control: a capture of the index alone does not hold what the payload reads and writes; the review on it fails or differs.
        await using var indexOnlyServed = await FixtureServer.StartAsync(indexOnlyDir);
        var json = Path.Combine(chain.TempDir, $"review-{Guid.NewGuid():N}.json");
        var withoutPayload = await DefiRiskCli.RunAsync("review", "--rpc", indexOnlyServed.RpcUrl, "--deployments", Path.Combine(indexOnlyDir, FixtureServer.ManifestFile),
            "--payload", Payload, "--shock", "WETH=-20%", "--json", json, "--quiet");
        output.WriteLine($"review on the index-only capture: {withoutPayload}");
        if (withoutPayload.Code is 0 or 1)
        {
            var differs = JsonNode.Parse(await File.ReadAllTextAsync(json))!.AsObject();
            differs.Remove("proposalBlockHash");
            Assert.NotEqual(original.ToJsonString(), differs.ToJsonString());
        }
    }
}
