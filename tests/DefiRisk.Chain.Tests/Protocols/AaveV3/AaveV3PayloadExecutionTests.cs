using System.Numerics;
using System.Text.Json;
using DefiRisk.Chain.Protocols.AaveV3;
using DefiRisk.Chain.Protocols.AaveV3.ContractDefinition;
using DefiRisk.Chain.Rpc;
using DefiRisk.Cli.Commands;
using DefiRisk.Core;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Harness;
using Xunit.Abstractions;

namespace DefiRisk.Chain.Tests.Protocols.AaveV3;

/// <summary>
/// A Solidity governance payload (fixtures/aave-lt-cut-payload.sol) executed on the on-the-fly 3.6 fixture through our
/// executor by delegatecall (issue 14): the post-payload state read back by the indexer equals the contracts to the wei,
/// "liquidated by this change" is exactly what the Pool says, and the caller's node is left as it was.
/// </summary>
[Collection(AaveV36ChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed partial class AaveV3PayloadExecutionTests(AaveV36Chain chain, ITestOutputHelper output)
{
    private static readonly BigInteger Wad = BigInteger.Pow(10, 18);
    private FixtureFacts Facts => chain.Server.Facts;
    private AaveV3Deployment Pool => chain.Server.Manifest.AaveV3()[0];

    [Fact]
    public async Task After_the_LT_cut_payload_every_health_factor_equals_the_contract_and_liquidated_by_change_is_exactly_who_it_pushed_below_one_and_the_node_is_unchanged()
    {
        var node = chain.Server.Node;
        var baseline = chain.Stored;
        var weth = Facts.Token("WETH").Address;
        var acl = Pool.AclManager ?? Abi.AddressAt(await CallAsync(Pool.PoolAddressesProvider!, Abi.Call("getACLManager()")), 0);
        var headBefore = await HeadAsync(node);
        Assert.Equal(baseline.Chain.BlockNumber, headBefore.Number);
        var configBefore = await CallAsync(Pool.Pool, Abi.Call("getConfiguration(address)", weth));
        var accounts = Assert.Single(baseline.AaveV3Markets()).Accounts.Select(a => a.Account).ToList();
        var hfBefore = await HealthFactorsAsync(accounts, headBefore.Number);

        var modules = NodeModules.Locate();
        var payload = await AaveV3PayloadExecutor.CompileAsync(modules, Path.Combine(modules.RepositoryRoot, "fixtures", "aave-lt-cut-payload.sol"));
        Assert.Equal("AaveLtCutPayload", payload.Name);
        var creation = Abi.Deploy(payload.Bytecode, "(address,address)", Pool.PoolConfigurator!, weth);

        string executor;
        await using (var executed = await AaveV3PayloadExecutor.ExecuteAsync(node, acl, Facts.Actors.Admin, [creation]))
        {
            executor = executed.ExecutorAddress;
            Assert.Equal(headBefore.Number + 1, executed.Block);
            var db = chain.NewDatabase();
            await chain.IndexAsync(db, IndexCommand.ParseBlock("latest"));
            var proposal = new Storage.SnapshotStore(db).Load();
            Assert.Equal(executed.Block, proposal.Chain.BlockNumber);
            Assert.Equal(baseline.Chain.BlockTimestamp, proposal.Chain.BlockTimestamp);

            var state = Assert.Single(proposal.AaveV3Markets());
            var reserve = state.Market.Reserve(Address.Parse(weth));
            Assert.Equal((7500, 7800, 10500), (reserve.Ltv, reserve.LiquidationThreshold, reserve.LiquidationBonus));

            // (a) every health factor the tool computes for the post-payload snapshot is the Pool's, to the wei.
            var hfAfter = await HealthFactorsAsync(state.Accounts.Select(a => a.Account).ToList(), executed.Block);
            foreach (var account in state.Accounts)
            {
                var mine = AaveV3AccountMath.Calculate(state.Market, account);
                Assert.Equal(hfAfter[account.Account].HealthFactor, mine.HealthFactor);
                Assert.Equal(hfAfter[account.Account].TotalCollateralBase, mine.TotalCollateralBase);
                Assert.Equal(hfAfter[account.Account].TotalDebtBase, mine.TotalDebtBase);
            }

            // (b) liquidated by this change = HF >= 1 before and < 1 after, per getUserAccountData.
            var expected = accounts
                .Where(a => hfBefore[a].TotalDebtBase > 0 && hfBefore[a].HealthFactor >= Wad && hfAfter[a].HealthFactor < Wad)
                .ToHashSet();
            var liquidated = LiquidatedByChange.Compute(baseline, proposal);
            var mineSet = liquidated.Positions.Where(p => p.Protocol == AaveV3Book.Name).Select(p => p.Account).ToHashSet();
            output.WriteLine($"{state.Accounts.Count} accounts compared; the LT cut liquidates {expected.Count} at today's prices (" +
                             $"${liquidated.DebtUsd:N0} debt, ${liquidated.CollateralUsd:N0} collateral)");
            Assert.NotEmpty(expected);
            Assert.Equal(expected.Order(), mineSet.Order());
        }

        // (c) the caller's node: same head, same WETH configuration, the executor holds no role.
        var headAfter = await HeadAsync(node);
        Assert.Equal(headBefore, headAfter);
        Assert.Equal(configBefore, await CallAsync(Pool.Pool, Abi.Call("getConfiguration(address)", weth)));
        Assert.Equal(BigInteger.Zero, Abi.UIntAt(await CallAsync(acl, Abi.Call("isPoolAdmin(address)", executor)), 0));
        Assert.Equal(BigInteger.Zero, Abi.UIntAt(await CallAsync(acl, Abi.Call("isRiskAdmin(address)", executor)), 0));
        Assert.True((await node.Rpc.CallAsync("anvil_getAutomine")).GetBoolean() == (await AutomineExpectedAsync()));
    }

    [Fact]
    public async Task The_review_verb_runs_the_payload_diffs_WETHs_parameters_lists_who_it_liquidates_compares_a_shock_and_leaves_the_node_as_it_was()
    {
        var node = chain.Server.Node;
        var headBefore = await HeadAsync(node);
        var payload = Path.Combine(NodeModules.Locate().RepositoryRoot, "fixtures", "aave-lt-cut-payload.sol");
        var review = await ReviewCommand.RunAsync(new ReviewCommand.ReviewRequest(chain.Server.RpcUrl, chain.ManifestPath, [payload], ["WETH=-20%"], null), default);

        Assert.Equal(["AaveLtCutPayload"], review.Payloads);
        Assert.Equal((headBefore.Number, headBefore.Number + 1), (review.BaselineBlock, review.ProposalBlock));
        var weth = review.ParameterDiff.Where(c => c.Any.Subject == "WETH" || c.Any.Subject.Equals(Facts.Token("WETH").Address, StringComparison.OrdinalIgnoreCase)).ToList();
        output.WriteLine(string.Join("\n", review.ParameterDiff.Select(c => $"{c.Any.Subject} {c.Any.Name}: {c.Current?.Display} -> {c.Proposed?.Display}")));
        Assert.Equal(3, weth.Count); // LTV, LT and the 60 s liquidation grace period; the bonus is unchanged
        Assert.Contains(weth, c => c.Any.Name == "liquidation grace period" && c.Current is null && c.Proposed!.Display.EndsWith("(snapshot + 60 s)", StringComparison.Ordinal));
        Assert.Equal(review.ParameterDiff.Count, weth.Count);
        Assert.NotEqual(0, review.LiquidatedByChange.Count);
        Assert.True(review.Proposal.LiquidatedValueUsd >= review.Baseline.LiquidatedValueUsd);

        var json = JsonDocument.Parse(Json.Serialize(review)).RootElement;
        foreach (var key in new[] { "parameterDiff", "liquidatedByChange", "baseline", "proposal", "difference" })
            Assert.True(json.TryGetProperty(key, out _), $"the review JSON lacks '{key}'");
        Assert.Equal(headBefore, await HeadAsync(node));
    }

    [Fact]
    public async Task A_payload_that_does_not_compile_fails_with_solcs_first_message_naming_the_file_and_line()
    {
        var file = Path.Combine(chain.TempDir, "broken-payload.sol");
        await File.WriteAllTextAsync(file, "pragma solidity ^0.8.0;\ncontract P {\n    function execute() external { undefinedThing(); }\n}\n");
        var ex = await Assert.ThrowsAsync<DefiRiskException>(() => AaveV3PayloadExecutor.CompileAsync(NodeModules.Locate(), file));
        output.WriteLine(ex.Message);
        Assert.Contains("broken-payload.sol:3:", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public async Task A_review_of_a_payload_that_does_not_compile_exits_2_with_one_line_naming_file_and_line_and_leaves_the_node_alone()
    {
        var headBefore = await HeadAsync(chain.Server.Node);
        var file = Path.Combine(chain.TempDir, "typo-payload.sol");
        await File.WriteAllTextAsync(file, "pragma solidity ^0.8.0;\ncontract P {\n    function execute() external { nope }\n}\n");
        var run = await CommandLine.DefiRiskCli.RunAsync("review", "--rpc", chain.Server.RpcUrl, "--deployments", chain.ManifestPath, "--payload", file, "--shock", "WETH=-20%");
        var line = CommandLine.DefiRiskCli.AssertOneLineFailure(run, ExitCodes.UserError);
        output.WriteLine(line);
        Assert.Contains("typo-payload.sol:3:", line);
        Assert.Equal(headBefore, await HeadAsync(chain.Server.Node));
    }

    [Fact]
    public async Task A_payload_that_reverts_exits_2_with_the_pool_error_decoded_from_the_call_trace_and_the_node_is_put_back()
    {
        var node = chain.Server.Node;
        var headBefore = await HeadAsync(node);
        var configBefore = await CallAsync(Pool.Pool, Abi.Call("getConfiguration(address)", Facts.Token("WETH").Address));
        // Only the PoolConfigurator may write a reserve's configuration on the Pool: the executor's roles do not reach it.
        var file = Path.Combine(chain.TempDir, "direct-pool-payload.sol");
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
        var run = await CommandLine.DefiRiskCli.RunAsync("review", "--rpc", chain.Server.RpcUrl, "--deployments", chain.ManifestPath, "--payload", file, "--shock", "WETH=-20%");
        var line = CommandLine.DefiRiskCli.AssertOneLineFailure(run, ExitCodes.UserError);
        output.WriteLine(line);
        Assert.Contains("execute payload 1 reverted: CallerNotPoolConfigurator", line);
        Assert.Equal(headBefore, await HeadAsync(node));
        Assert.Equal(configBefore, await CallAsync(Pool.Pool, Abi.Call("getConfiguration(address)", Facts.Token("WETH").Address)));
    }

    [Fact]
    public async Task Two_payloads_run_in_the_given_order_so_the_later_one_sets_a_shared_parameter_and_the_reverse_order_differs()
    {
        var node = chain.Server.Node;
        var headBefore = await HeadAsync(node);
        var file = Path.Combine(chain.TempDir, "lt-79-payload.sol");
        await File.WriteAllTextAsync(file, """
            pragma solidity ^0.8.0;
            interface IConfigurator79 { function configureReserveAsCollateral(address asset, uint256 ltv, uint256 lt, uint256 bonus) external; }
            contract Lt79Payload {
                address public immutable CONFIGURATOR;
                address public immutable WETH;
                constructor(address configurator, address weth) { CONFIGURATOR = configurator; WETH = weth; }
                function execute() external { IConfigurator79(CONFIGURATOR).configureReserveAsCollateral(WETH, 7600, 7900, 10500); }
            }
            """);
        var cut = Path.Combine(NodeModules.Locate().RepositoryRoot, "fixtures", "aave-lt-cut-payload.sol");
        var manifest = chain.Server.Manifest;
        async Task<BigInteger> WethLtAfter(params string[] payloads)
        {
            var prepared = await GovernancePayloads.PrepareAsync(manifest, payloads);
            await using var executed = await GovernancePayloads.ExecuteAsync(node.Rpc, manifest, prepared);
            var config = AnvilRpc.Quantity(await CallAsync(Pool.Pool, Abi.Call("getConfiguration(address)", Facts.Token("WETH").Address)));
            return (config >> 16) & 0xFFFF; // bits 16-31: liquidation threshold
        }
        Assert.Equal(7900, await WethLtAfter(cut, file));
        Assert.Equal(7800, await WethLtAfter(file, cut));
        Assert.Equal(7800, await WethLtAfter(cut));
        Assert.Equal(headBefore, await HeadAsync(node));
    }

    private Task<bool> AutomineExpectedAsync() => Task.FromResult(chain.Server.Node.Options.NoMining is false);

    private sealed record Head(long Number, string Hash);

    private static async Task<Head> HeadAsync(AnvilNode node)
    {
        var block = await node.Rpc.CallAsync("eth_getBlockByNumber", "latest", false);
        return new Head((long)AnvilRpc.Quantity(block.GetProperty("number")), block.GetProperty("hash").GetString()!);
    }

    private async Task<string> CallAsync(string to, string data) =>
        (await chain.Server.Node.Rpc.CallAsync("eth_call", new Dictionary<string, object> { ["to"] = to, ["data"] = data }, "latest")).GetString()!;

    private async Task<Dictionary<Address, UserAccountDataOutput>> HealthFactorsAsync(IReadOnlyList<Address> accounts, long block)
    {
        using var rpc = new EthRpc(chain.Server.RpcUrl);
        var batch = new ReadBatch();
        var reads = accounts.Select(a => batch.Add<GetUserAccountDataFunction, UserAccountDataOutput>(Pool.Pool, new() { User = a.Value })).ToList();
        await batch.ExecuteAsync(rpc, block, default);
        return accounts.Select((a, i) => (a, reads[i].Value)).ToDictionary(x => x.a, x => x.Value);
    }
}
