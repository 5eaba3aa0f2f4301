using System.Numerics;
using System.Text.Json.Nodes;
using DefiRisk.Cli.Commands;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Harness;
using Nethereum.Util;

namespace DefiRisk.Chain.Tests.Protocols.AaveV3;

/// <summary>
/// What a review must equal (issue 14's "must show"): the payload and its JSON proposal give the same comparison; the
/// node's ACL roles and reserve configurations are as they were; one payload doing two changes equals two payloads; the
/// e-mode payload's post-state health factors are the Pool's to the wei.
/// </summary>
public sealed partial class AaveV3PayloadExecutionTests
{
    /// <summary>The sweep both sides run, its step fixed, so a sweep difference would show.</summary>
    private static readonly CompareCommand.SweepSpec FixedSweep = new("WETH", 0, 40, 10);

    [Theory]
    [InlineData("aave-lt-cut-payload", "WETH=-20%")]
    [InlineData("aave-emode-payload", "WETH=-20%")]
    public async Task A_payload_and_its_JSON_proposal_give_the_same_compare_JSON_apart_from_the_name_and_the_post_payload_block(string example, string shock)
    {
        var db = chain.NewDatabase();
        await chain.IndexAsync(db, IndexCommand.ParseBlock("latest"));
        // The replay model on both: this fixture has no venue for weETH, which the market model (the default) refuses to sell.
        var replay = Core.Analysis.SimulationOptions.Default;
        var compared = CompareCommand.Run(new CompareCommand.CompareRequest(db, Fixtures(example + ".json"), [shock], null, FixedSweep, replay));
        var review = await ReviewCommand.RunAsync(new ReviewCommand.ReviewRequest(chain.Server.RpcUrl, chain.ManifestPath, [Fixtures(example + ".sol")], [shock], null, FixedSweep, replay), default);

        var (c, r) = (JsonNode.Parse(Json.Serialize(compared))!, JsonNode.Parse(Json.Serialize(review))!);
        output.WriteLine($"{example}: {review.ParameterDiff.Count} parameters, {review.LiquidatedByChange.Count} liquidated by the change, bad debt {review.Baseline.BadDebtUsd:N0} -> {review.Proposal.BadDebtUsd:N0}");
        Assert.NotEmpty(review.ParameterDiff);
        foreach (var key in new[] { "baseline", "proposal", "difference", "verdicts", "sweep", "liquidatedByChange" })
            Assert.True(c[key]?.ToJsonString() == r[key]?.ToJsonString(), $"'{key}' differs:\ncompare {c[key]?.ToJsonString()}\nreview  {r[key]?.ToJsonString()}");
        Assert.Equal(c["parameterChanges"]!.ToJsonString(), r["parameterDiff"]!.ToJsonString());
        // What legitimately differs: the name, and the block the payload was mined in (the JSON proposal has none).
        Assert.Equal(example, c["proposalName"]!.GetValue<string>());
        Assert.Equal(review.BaselineBlock + 1, review.ProposalBlock);
    }

    [Fact]
    public async Task After_a_review_on_either_route_every_ACL_role_holder_and_every_reserves_configuration_are_unchanged_and_no_account_is_left_impersonated()
    {
        var node = chain.Server.Node;
        await using var scope = await NodeScope.StartAsync(node.Rpc);
        var (standIn, governedManifest) = await InstallGovernanceAsync();
        var owner = GovernanceExecutorStandIn.MainnetPayloadsController;
        foreach (var manifest in new[] { chain.ManifestPath, governedManifest })
        {
            // The fixture route's executor is deployed by the ACL admin at its next nonce (reverted afterwards, so the same address each time).
            var nonce = (long)AnvilRpc.Quantity(await node.Rpc.CallAsync("eth_getTransactionCount", Facts.Actors.Admin, "latest"));
            var fixtureExecutor = ContractUtils.CalculateContractAddress(Facts.Actors.Admin, nonce).ToLowerInvariant();
            var watched = new[] { standIn, fixtureExecutor, owner.ToLowerInvariant(), Facts.Actors.Admin.ToLowerInvariant() };
            var before = await NodeStateAsync(watched);
            Assert.Contains(before.Roles, h => h.Account == standIn); // the stand-in holds its roles: the role read sees them

            var review = await ReviewCommand.RunAsync(new ReviewCommand.ReviewRequest(chain.Server.RpcUrl, manifest, [Fixtures("aave-lt-cut-payload.sol")], ["WETH=-20%"], null), default);
            Assert.NotEmpty(review.ParameterDiff); // the payload did change the configuration, in its (reverted) block

            var after = await NodeStateAsync(watched);
            output.WriteLine($"{Path.GetFileName(manifest)}: {before.Roles.Count} role holdings over {before.RoleIds} roles, {before.Configurations.Count} reserve configurations, {before.AclLogs} ACL role events");
            Assert.Equal(before.Roles.Order(), after.Roles.Order());
            Assert.Equal(before.AclLogs, after.AclLogs);
            Assert.Equal(before.Configurations, after.Configurations);
            Assert.Equal(before.EMode, after.EMode);
            Assert.DoesNotContain(after.Roles, h => h.Account == fixtureExecutor);
            // The governed route impersonates the executor's owner, which has no key on anvil; the fixture route's ACL admin is
            // an anvil dev account (it always signs), so only the owner can show a leaked impersonation.
            Assert.False(await IsImpersonatedAsync(owner), "the executor's owner is still impersonated after the review");
        }
    }

    [Fact]
    public async Task One_payload_doing_both_changes_leaves_the_same_state_as_two_payloads_doing_one_each()
    {
        var file = Path.Combine(chain.TempDir, "both-changes-payload.sol");
        await File.WriteAllTextAsync(file, """
            pragma solidity ^0.8.0;
            interface IConfiguratorBoth {
                function configureReserveAsCollateral(address asset, uint256 ltv, uint256 lt, uint256 bonus) external;
                function setEModeCategory(uint8 categoryId, uint16 ltv, uint16 liquidationThreshold, uint16 liquidationBonus, string calldata label) external;
            }
            interface IPoolLabel { function getEModeCategoryLabel(uint8 id) external view returns (string memory); }
            contract BothChangesPayload {
                address public immutable CONFIGURATOR;
                address public immutable POOL;
                address public immutable WETH;
                constructor(address configurator, address pool, address weth) { CONFIGURATOR = configurator; POOL = pool; WETH = weth; }
                function execute() external {
                    IConfiguratorBoth(CONFIGURATOR).configureReserveAsCollateral(WETH, 7500, 7800, 10500);
                    IConfiguratorBoth(CONFIGURATOR).setEModeCategory(1, 9100, 9300, 10100, IPoolLabel(POOL).getEModeCategoryLabel(1));
                }
            }
            """);
        var manifest = chain.Server.Manifest;
        var accounts = Assert.Single(chain.Stored.AaveV3Markets()).Accounts.Select(a => a.Account).ToList();
        async Task<(NodeState State, string HealthFactors)> After(params string[] payloads)
        {
            var prepared = await GovernancePayloads.PrepareAsync(manifest, payloads);
            await using var executed = await GovernancePayloads.ExecuteAsync(chain.Server.Node.Rpc, manifest, prepared);
            var hf = await HealthFactorsAsync(accounts, executed.Block);
            return (await NodeStateAsync([]), string.Join("\n", accounts.Select(a => $"{a} {hf[a].HealthFactor} {hf[a].TotalCollateralBase} {hf[a].TotalDebtBase} {hf[a].CurrentLiquidationThreshold}")));
        }
        var baseline = await NodeStateAsync([]);
        var one = await After(file);
        var two = await After(Fixtures("aave-lt-cut-payload.sol"), Fixtures("aave-emode-payload.sol"));
        Assert.NotEqual(baseline.Configurations, one.State.Configurations);
        Assert.NotEqual(baseline.EMode, one.State.EMode);
        Assert.Equal(one.State.Configurations, two.State.Configurations);
        Assert.Equal(one.State.EMode, two.State.EMode);
        Assert.Equal(one.HealthFactors, two.HealthFactors);
        Assert.Equal(baseline.Configurations, (await NodeStateAsync([])).Configurations);
    }

    [Fact]
    public async Task After_the_emode_payload_every_health_factor_equals_the_contract_and_liquidated_by_change_is_exactly_who_it_pushed_below_one()
    {
        var node = chain.Server.Node;
        var baseline = chain.Stored;
        var headBefore = await HeadAsync(node);
        var accounts = Assert.Single(baseline.AaveV3Markets()).Accounts.Select(a => a.Account).ToList();
        var hfBefore = await HealthFactorsAsync(accounts, headBefore.Number);
        var manifest = chain.Server.Manifest;
        var prepared = await GovernancePayloads.PrepareAsync(manifest, [Fixtures("aave-emode-payload.sol")]);
        await using (var executed = await GovernancePayloads.ExecuteAsync(node.Rpc, manifest, prepared))
        {
            var db = chain.NewDatabase();
            await chain.IndexAsync(db, IndexCommand.ParseBlock("latest"));
            var proposal = new Storage.SnapshotStore(db).Load();
            var state = Assert.Single(proposal.AaveV3Markets());
            var category = state.Market.EMode(1)!;
            Assert.Equal((9100, 9300, 10100), (category.Ltv, category.LiquidationThreshold, category.LiquidationBonus));
            Assert.Equal(Assert.Single(baseline.AaveV3Markets()).Market.EMode(1)!.Label, category.Label);

            var hfAfter = await HealthFactorsAsync(state.Accounts.Select(a => a.Account).ToList(), executed.Block);
            var inEMode = 0;
            foreach (var account in state.Accounts)
            {
                var mine = AaveV3AccountMath.Calculate(state.Market, account);
                Assert.Equal(hfAfter[account.Account].HealthFactor, mine.HealthFactor);
                Assert.Equal(hfAfter[account.Account].TotalCollateralBase, mine.TotalCollateralBase);
                Assert.Equal(hfAfter[account.Account].TotalDebtBase, mine.TotalDebtBase);
                if (account.EModeCategory == 1) inEMode++;
            }
            var moved = accounts.Count(a => hfBefore[a].HealthFactor != hfAfter[a].HealthFactor);
            var expected = accounts.Where(a => hfBefore[a].TotalDebtBase > 0 && hfBefore[a].HealthFactor >= Wad && hfAfter[a].HealthFactor < Wad).Order().ToList();
            var mineSet = LiquidatedByChange.Compute(baseline, proposal).Positions.Where(p => p.Protocol == AaveV3Book.Name).Select(p => p.Account).Order().ToList();
            output.WriteLine($"{state.Accounts.Count} accounts compared, {inEMode} in e-mode 1, {moved} health factors moved by the cut, {expected.Count} pushed below 1");
            Assert.True(inEMode > 0 && moved > 0, "the e-mode cut moved no health factor: the test would pass without the feature");
            Assert.Equal(expected, mineSet);
        }
        Assert.Equal(headBefore, await HeadAsync(node));
    }

    /// <summary>Who holds which ACL role, how many role events the ACL manager has logged, every reserve's configuration, e-mode 1.</summary>
    private sealed record NodeState(IReadOnlyList<RoleHolding> Roles, int RoleIds, int AclLogs, IReadOnlyList<string> Configurations, string EMode);

    private sealed record RoleHolding(string Role, string Account) : IComparable<RoleHolding>
    {
        public int CompareTo(RoleHolding? other) => string.CompareOrdinal($"{Role}{Account}", $"{other?.Role}{other?.Account}");
    }

    /// <summary>
    /// The node's governance-relevant state: every (role, account) that holds a role, over every role the ACL manager
    /// names (its role-id getters plus any role in its RoleGranted/RoleRevoked logs) and every account those logs name plus
    /// <paramref name="watched"/>; every listed reserve's <c>getConfiguration</c>; e-mode category 1's collateral config.
    /// </summary>
    private async Task<NodeState> NodeStateAsync(IReadOnlyList<string> watched)
    {
        var rpc = chain.Server.Node.Rpc;
        var acl = Pool.AclManager!;
        var granted = "0x" + Sha3Keccack.Current.CalculateHash("RoleGranted(bytes32,address,address)");
        var revoked = "0x" + Sha3Keccack.Current.CalculateHash("RoleRevoked(bytes32,address,address)");
        var logs = (await rpc.CallAsync("eth_getLogs", new Dictionary<string, object>
        {
            ["address"] = acl, ["fromBlock"] = "0x0", ["toBlock"] = "latest", ["topics"] = new object[] { new[] { granted, revoked } },
        })).EnumerateArray().ToList();
        var roles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var getter in new[] { "DEFAULT_ADMIN_ROLE", "POOL_ADMIN_ROLE", "EMERGENCY_ADMIN_ROLE", "RISK_ADMIN_ROLE", "FLASH_BORROWER_ROLE", "BRIDGE_ROLE", "ASSET_LISTING_ADMIN_ROLE" })
            roles.Add(await CallAsync(acl, Abi.Call(getter + "()")));
        var accounts = new HashSet<string>(watched.Select(w => w.ToLowerInvariant()), StringComparer.Ordinal);
        foreach (var log in logs)
        {
            var topics = log.GetProperty("topics");
            roles.Add(topics[1].GetString()!);
            accounts.Add("0x" + topics[2].GetString()![26..]);
        }
        var holdings = new List<RoleHolding>();
        foreach (var role in roles)
            foreach (var account in accounts)
                if (Abi.UIntAt(await CallAsync(acl, "0x" + Abi.Selector("hasRole(bytes32,address)") + role[2..] + account[2..].PadLeft(64, '0')), 0) == BigInteger.One)
                    holdings.Add(new RoleHolding(role, account));

        var list = await CallAsync(Pool.Pool, Abi.Call("getReservesList()"));
        var count = (int)Abi.UIntAt(list, 1);
        var configurations = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var asset = Abi.AddressAt(list, 2 + i);
            configurations.Add($"{asset} {await CallAsync(Pool.Pool, Abi.Call("getConfiguration(address)", asset))}");
        }
        var emode = await CallAsync(Pool.Pool, Abi.Call("getEModeCategoryCollateralConfig(uint8)", 1));
        return new NodeState(holdings, roles.Count, logs.Count, configurations, emode);
    }
}
