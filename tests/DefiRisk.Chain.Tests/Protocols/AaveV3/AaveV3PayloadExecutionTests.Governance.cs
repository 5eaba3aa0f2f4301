using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using DefiRisk.Chain.Deployments;
using DefiRisk.Cli.Commands;
using DefiRisk.Core;
using DefiRisk.Harness;

namespace DefiRisk.Chain.Tests.Protocols.AaveV3;

/// <summary>
/// The governed route of a review (issue 14): the deployments file names a governance executor, and the review
/// impersonates its owner and calls <c>executeTransaction(payload, 0, "execute()", "", true)</c>, as on a mainnet fork.
/// The fixture has no governance, so each test installs our stand-in (same ABI and owner semantics as Aave's Executor,
/// owned by mainnet's PayloadsController address, granted Executor level 1's roles) inside a node snapshot it reverts.
/// </summary>
public sealed partial class AaveV3PayloadExecutionTests
{
    private static string Fixtures(string file) => Path.Combine(NodeModules.Locate().RepositoryRoot, "fixtures", file);

    [Fact]
    public async Task On_a_governed_deployment_the_executors_owner_runs_the_payload_by_executeTransaction_with_delegatecall_and_the_review_equals_the_fixture_route()
    {
        var node = chain.Server.Node;
        await using var scope = await NodeScope.StartAsync(node.Rpc);
        var (executor, manifestPath) = await InstallGovernanceAsync();
        var governed = DeploymentManifest.Load(manifestPath);
        Assert.Equal(new GovernanceExecutorRoute(executor), GovernancePayloads.Route(governed));
        var headBefore = await HeadAsync(node);

        var prepared = await GovernancePayloads.PrepareAsync(governed, [Fixtures("aave-lt-cut-payload.sol")]);
        await using (var executed = await GovernancePayloads.ExecuteAsync(node.Rpc, governed, prepared))
        {
            Assert.Equal(executor, executed.ExecutorAddress);
            var block = await node.Rpc.CallAsync("eth_getBlockByNumber", AnvilRpc.Hex(executed.Block), true);
            var last = block.GetProperty("transactions").EnumerateArray().Last();
            // The transaction that ran the payload: from the owner, to the executor, executeTransaction(payload, 0, "execute()", "", true).
            Assert.Equal(GovernanceExecutorStandIn.MainnetPayloadsController.ToLowerInvariant(), last.GetProperty("from").GetString()!.ToLowerInvariant());
            Assert.Equal(executor, last.GetProperty("to").GetString()!.ToLowerInvariant());
            var input = last.GetProperty("input").GetString()!;
            Assert.Equal("0x" + Abi.Selector("executeTransaction(address,uint256,string,bytes,bool)"), input[..10]);
            Assert.Equal(executed.PayloadAddresses[0].ToLowerInvariant(), Abi.AddressAt("0x" + input[10..], 0).ToLowerInvariant());
            Assert.Equal(BigInteger.One, Abi.UIntAt("0x" + input[10..], 4)); // withDelegatecall
            // The executor's ExecutedAction names the payload; the configuration changed in the executor's context.
            var logs = await node.Rpc.CallAsync("eth_getLogs", new Dictionary<string, object> { ["address"] = executor, ["fromBlock"] = AnvilRpc.Hex(executed.Block), ["toBlock"] = AnvilRpc.Hex(executed.Block) });
            var action = Assert.Single(logs.EnumerateArray());
            Assert.EndsWith(executed.PayloadAddresses[0][2..].ToLowerInvariant(), action.GetProperty("topics")[1].GetString()!);
            Assert.Equal(7800, (int)WethLt(await CallAsync(Pool.Pool, Abi.Call("getConfiguration(address)", Facts.Token("WETH").Address))));
        }
        Assert.Equal(headBefore, await HeadAsync(node));
        Assert.False(await IsImpersonatedAsync(GovernanceExecutorStandIn.MainnetPayloadsController), "the executor's owner is still impersonated after the review");

        // The whole review through governance equals the review through the fixture executor: same roles, same delegatecall context.
        var viaGovernance = await ReviewCommand.RunAsync(new ReviewCommand.ReviewRequest(chain.Server.RpcUrl, manifestPath, [Fixtures("aave-lt-cut-payload.sol")], ["WETH=-20%"], null), default);
        var viaFixture = await ReviewCommand.RunAsync(new ReviewCommand.ReviewRequest(chain.Server.RpcUrl, chain.ManifestPath, [Fixtures("aave-lt-cut-payload.sol")], ["WETH=-20%"], null), default);
        output.WriteLine(viaGovernance.ExecutedBy);
        Assert.Contains(executor, viaGovernance.ExecutedBy);
        Assert.DoesNotContain(executor, viaFixture.ExecutedBy);
        AssertSameReview(viaFixture, viaGovernance);
        Assert.NotEqual(0, viaGovernance.LiquidatedByChange.Count);
        Assert.Equal(headBefore, await HeadAsync(node));
    }

    [Fact]
    public async Task A_payload_already_deployed_is_reviewed_by_address_through_the_governance_executor_like_its_source()
    {
        var node = chain.Server.Node;
        await using var scope = await NodeScope.StartAsync(node.Rpc);
        var (_, manifestPath) = await InstallGovernanceAsync();
        var prepared = Assert.Single(await GovernancePayloads.PrepareAsync(DeploymentManifest.Load(manifestPath), [Fixtures("aave-lt-cut-payload.sol")]));
        var deployer = AnvilNode.DefaultAccounts[1];
        var hash = (await node.Rpc.CallAsync("eth_sendTransaction", new Dictionary<string, object> { ["from"] = deployer, ["data"] = prepared.Code.Creation!, ["gas"] = AnvilRpc.Hex(8_000_000) })).GetString()!;
        var receipt = await node.Rpc.CallAsync("eth_getTransactionReceipt", hash);
        for (var i = 0; receipt.ValueKind == JsonValueKind.Null && i < 50; i++)
        {
            await Task.Delay(100);
            receipt = await node.Rpc.CallAsync("eth_getTransactionReceipt", hash);
        }
        var payloadAddress = receipt.GetProperty("contractAddress").GetString()!;
        var headBefore = await HeadAsync(node);

        var byAddressJson = Path.Combine(chain.TempDir, $"{Guid.NewGuid():N}.json");
        var run = await CommandLine.DefiRiskCli.RunAsync("review", "--rpc", chain.Server.RpcUrl, "--deployments", manifestPath,
            "--payload-address", payloadAddress, "--shock", "WETH=-20%", "--json", byAddressJson, "--quiet");
        Assert.True(run.Code == ExitCodes.Ok, run.ToString());
        output.WriteLine($"head {headBefore.Number} before, {(await HeadAsync(node)).Number} after the review by address; automine {(await node.Rpc.CallAsync("anvil_getAutomine")).GetBoolean()}");
        var byAddress = JsonNode.Parse(await File.ReadAllTextAsync(byAddressJson))!;
        var bySource = await ReviewCommand.RunAsync(new ReviewCommand.ReviewRequest(chain.Server.RpcUrl, manifestPath, [Fixtures("aave-lt-cut-payload.sol")], ["WETH=-20%"], null), default);
        output.WriteLine($"head {(await HeadAsync(node)).Number} after the review by source");
        Assert.Equal(payloadAddress.ToLowerInvariant(), byAddress["payloads"]![0]!.GetValue<string>().ToLowerInvariant());
        foreach (var key in new[] { "parameterDiff", "liquidatedByChange", "baseline", "proposal", "difference" })
            Assert.Equal(JsonNode.Parse(Json.Serialize(bySource))![key]!.ToJsonString(), byAddress[key]!.ToJsonString());
        Assert.Equal(headBefore, await HeadAsync(node));

        // An address with no code there: one line, exit 2, the node untouched.
        var nothing = await CommandLine.DefiRiskCli.RunAsync("review", "--rpc", chain.Server.RpcUrl, "--deployments", manifestPath,
            "--payload-address", "0x00000000000000000000000000000000000000b0", "--shock", "WETH=-20%");
        Assert.Contains("no contract at that address", CommandLine.DefiRiskCli.AssertOneLineFailure(nothing, ExitCodes.UserError));
        Assert.Equal(headBefore, await HeadAsync(node));
    }

    [Fact]
    public async Task Under_the_governance_executor_a_reverting_payload_is_named_from_the_call_trace_not_by_the_executors_own_error()
    {
        var node = chain.Server.Node;
        await using var scope = await NodeScope.StartAsync(node.Rpc);
        var (_, manifestPath) = await InstallGovernanceAsync();
        var headBefore = await HeadAsync(node);
        var file = Path.Combine(chain.TempDir, "direct-pool-governed-payload.sol");
        await File.WriteAllTextAsync(file, """
            pragma solidity ^0.8.0;
            struct ReserveConfigurationMap { uint256 data; }
            interface IPoolDirect { function setConfiguration(address asset, ReserveConfigurationMap calldata configuration) external; }
            contract DirectPoolPayload {
                address public immutable POOL;
                address public immutable WETH;
                constructor(address pool, address weth) { POOL = pool; WETH = weth; }
                function execute() external { IPoolDirect(POOL).setConfiguration(WETH, ReserveConfigurationMap(0)); }
            }
            """);
        var run = await CommandLine.DefiRiskCli.RunAsync("review", "--rpc", chain.Server.RpcUrl, "--deployments", manifestPath, "--payload", file, "--shock", "WETH=-20%");
        var line = CommandLine.DefiRiskCli.AssertOneLineFailure(run, ExitCodes.UserError);
        output.WriteLine(line);
        // The executor itself reverts with "29" (FAILED_ACTION_EXECUTION); the Pool's error sits deeper in the trace.
        Assert.Contains("execute payload 1 reverted: CallerNotPoolConfigurator", line);
        Assert.Equal(headBefore, await HeadAsync(node));
        Assert.False(await IsImpersonatedAsync(GovernanceExecutorStandIn.MainnetPayloadsController));
    }

    /// <summary>Installs the stand-in executor and writes the fixture's manifest with <c>aave-v3.governanceExecutor</c> naming it.</summary>
    private async Task<(string Executor, string ManifestPath)> InstallGovernanceAsync()
    {
        var acl = Pool.AclManager!;
        var executor = await GovernanceExecutorStandIn.InstallAsync(chain.Server.Node.Rpc, acl, Facts.Actors.Admin);
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(chain.ManifestPath))!;
        manifest["aave-v3"]!["governanceExecutor"] = executor;
        var path = Path.Combine(chain.TempDir, $"governed-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, manifest.ToJsonString());
        return (executor, path);
    }

    private static void AssertSameReview(ReviewCommand.ReviewResult expected, ReviewCommand.ReviewResult actual)
    {
        var (e, a) = (JsonNode.Parse(Json.Serialize(expected))!, JsonNode.Parse(Json.Serialize(actual))!);
        foreach (var key in new[] { "parameterDiff", "liquidatedByChange", "baseline", "proposal", "difference", "verdicts" })
            Assert.True(e[key]?.ToJsonString() == a[key]?.ToJsonString(), $"'{key}' differs:\n{e[key]?.ToJsonString()}\n{a[key]?.ToJsonString()}");
    }

    private static BigInteger WethLt(string configuration) => (AnvilRpc.Quantity(configuration) >> 16) & 0xFFFF;

    /// <summary>
    /// Whether the node signs for <paramref name="address"/> (impersonated; it has no key on anvil): a zero-value
    /// transaction to itself is accepted or refused, inside a snapshot that is reverted either way.
    /// </summary>
    private async Task<bool> IsImpersonatedAsync(string address)
    {
        var rpc = chain.Server.Node.Rpc;
        var snapshot = (await rpc.CallAsync("evm_snapshot")).GetString()!;
        try
        {
            await rpc.CallAsync("anvil_setBalance", address, AnvilRpc.Hex(BigInteger.Pow(10, 20)));
            var sent = (await rpc.TryBatchAsync([("eth_sendTransaction", [new Dictionary<string, object> { ["from"] = address, ["to"] = address, ["gas"] = AnvilRpc.Hex(30_000) }])]))[0];
            return sent.Error is null;
        }
        finally
        {
            await rpc.CallAsync("evm_revert", snapshot);
        }
    }

    /// <summary>A node snapshot a test reverts when done, so what it installs (the stand-in, a deployed payload) does not outlive it.</summary>
    private sealed class NodeScope(AnvilRpc rpc, string snapshot) : IAsyncDisposable
    {
        public static async Task<NodeScope> StartAsync(AnvilRpc rpc) => new(rpc, (await rpc.CallAsync("evm_snapshot")).GetString()!);

        public async ValueTask DisposeAsync() => Assert.True((await rpc.CallAsync("evm_revert", snapshot)).GetBoolean(), "evm_revert refused the test's snapshot");
    }
}
