using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Harness;

namespace DefiRisk.Chain.Tests.Protocols.AaveV3;

/// <summary>
/// Issue 14's "when it becomes liquidatable (after any grace period the payload sets)": the example LT-cut payload also gives WETH
/// a 60 s grace period; every position it makes liquidatable carries the block time from which a liquidator can act, and on the
/// real 3.6 bytecode a liquidationCall on it reverts one second before that time and succeeds at it.
/// </summary>
public sealed partial class AaveV36GracePeriodStepTests
{
    private const long PayloadGraceSeconds = 60; // fixtures/aave-lt-cut-payload.sol LIQUIDATION_GRACE_PERIOD

    [Fact]
    public async Task Each_position_the_LT_cut_payload_liquidates_reverts_on_chain_a_second_before_its_liquidatable_time_and_succeeds_at_it()
    {
        await chain.ResetAsync();
        await chain.Liquidator.FreezeClockAsync();
        var node = chain.Server.Node;
        var baseline = await chain.IndexHeadAsync();
        var t0 = baseline.Chain.BlockTimestamp;
        var weth = Address.Parse(Facts.Token("WETH").Address);
        var manifest = chain.Server.Manifest;
        var payload = Path.Combine(NodeModules.Locate().RepositoryRoot, "fixtures", "aave-lt-cut-payload.sol");

        await using var executed = await GovernancePayloads.ExecuteAsync(node.Rpc, manifest, await GovernancePayloads.PrepareAsync(manifest, [payload]));
        var proposal = await chain.IndexHeadAsync();
        Assert.Equal(executed.Block, proposal.Chain.BlockNumber);
        Assert.Equal(t0, proposal.Chain.BlockTimestamp); // the payload is mined at the snapshot's time
        var market = proposal.AaveV3Markets()[0].Market;
        Assert.Equal(t0 + PayloadGraceSeconds, market.Reserve(weth).LiquidationGracePeriodUntil); // read back from getLiquidationGracePeriod

        var liquidated = LiquidatedByChange.Compute(baseline, proposal).Positions.Where(p => p.Protocol == AaveV3Book.Name).ToList();
        Assert.NotEmpty(liquidated);
        foreach (var p in liquidated)
            output.WriteLine($"{p.Account}: HF {p.HealthFactorAfter} liquidatable from {p.LiquidatableFrom} (+{p.LiquidatableInSeconds} s)");
        Assert.Contains(liquidated, p => p.LiquidatableInSeconds == PayloadGraceSeconds + 1); // the payload's grace period holds some back

        var accounts = proposal.AaveV3Markets()[0].Accounts.ToDictionary(a => a.Account);
        BigInteger Price(Address a) => market.Reserve(a).OraclePrice;
        var blockTime = t0;
        foreach (var group in liquidated.GroupBy(p => p.LiquidatableFrom).OrderBy(g => g.Key))
        {
            var from = group.Key;
            if (from > t0)
            {
                // One second before: every call the liquidator could make on these accounts reverts, the WETH ones on the grace check.
                await node.MineAsync(blockTime = from - 1);
                foreach (var p in group)
                    foreach (var (coll, debt) in AaveV3LiquidatorChoice.CandidatePairs(market, accounts[p.Account], Price))
                    {
                        var error = await RevertOfAsync(coll, debt, p.Account);
                        Assert.True(error.Length > 0, $"{p.Account} {coll}/{debt} executes at {from - 1}, before its liquidatable time {from}");
                        if (coll == weth || debt == weth)
                            Assert.Contains(GraceSelector, error, StringComparison.OrdinalIgnoreCase);
                    }
            }
            if (from > blockTime) await node.MineAsync(blockTime = from);
            // At it: the call the model picks for that block time executes on chain.
            foreach (var p in group)
            {
                var account = accounts[p.Account];
                var pair = AaveV3LiquidatorChoice.CandidatePairs(market, account, Price)
                    .First(x => AaveV3LiquidationRule.Instance.Decide(new(market, account, x.Collateral, x.Debt, AaveV3LiquidationContext.MaxDebtToCover, Price, BlockTimestamp: from)).Executed);
                Assert.Equal("", await RevertOfAsync(pair.Collateral, pair.Debt, p.Account));
            }
        }
    }
}
