using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Harness;

namespace DefiRisk.Chain.Tests.Protocols.AaveV3;

/// <summary>
/// Issue 14's "what a liquidator would seize": after the example LT-cut payload runs on the real 3.6 bytecode, the first
/// <c>liquidationCall</c> on each position it makes liquidatable — at the entry's liquidatable time, with its predicted pair and its
/// predicted debt as <c>debtToCover</c> — seizes the predicted collateral, protocol fee included. The prediction is at the snapshot's
/// balances: exact to the wei when no interest accrues before the call (rates set to 0), and with the fixture's rates off by at most
/// the interest a position held back by the grace period accrues in the wait.
/// </summary>
public sealed partial class AaveV36GracePeriodStepTests
{
    [Fact]
    public async Task With_interest_rates_at_zero_the_first_liquidation_call_on_each_position_the_LT_cut_payload_liquidates_seizes_on_chain_exactly_the_predicted_collateral()
    {
        await chain.ResetAsync();
        await chain.Liquidator.FreezeClockAsync();
        // Every reserve's rate curve at 0 (PoolConfigurator.setReserveInterestRateData, which syncs the rates): indexes and balances stay
        // those of the snapshot however long a grace period holds a position back, which is what the prediction assumes.
        foreach (var reserve in (await chain.IndexHeadAsync()).AaveV3Markets()[0].Market.Reserves)
            await chain.Server.AdminSendAsync(chain.Server.Manifest.AaveV3()[0].PoolConfigurator!, Abi.Call("setReserveInterestRateData(address,bytes)", reserve.Asset.Value,
                Convert.FromHexString(Abi.Encode(["uint16", "uint32", "uint32", "uint32"], [8000, 0, 0, 0]))));
        var (executed, _, liquidated) = await ExecuteLtCutPayloadAsync();
        await using var _ = executed;

        foreach (var (p, call, seized) in await LiquidateEachAsync(liquidated, _ => null))
        {
            Assert.Equal(call.DebtRepaid, seized.DebtRepaid);
            Assert.Equal(call.CollateralToLiquidator, seized.CollateralToLiquidator);
            Assert.Equal(call.ProtocolFee, seized.ProtocolFee);
        }
    }

    [Fact]
    public async Task With_the_fixtures_interest_rates_a_position_the_grace_period_holds_back_repays_and_gives_up_at_most_the_interest_of_the_wait_more()
    {
        await chain.ResetAsync();
        await chain.Liquidator.FreezeClockAsync();
        var (executed, proposal, liquidated) = await ExecuteLtCutPayloadAsync();
        await using var _ = executed;
        var accounts = proposal.AaveV3Markets()[0].Accounts.ToDictionary(a => a.Account);
        bool RepaysAll(LiquidatedPosition p) => accounts[p.Account].Reserves.Single(r => r.Asset == p.FirstCall!.DebtAsset).TotalDebt == p.FirstCall!.DebtRepaid;
        Assert.Contains(liquidated, p => p.LiquidatableInSeconds > 0 && RepaysAll(p));

        // A call that repays the whole debt at the snapshot's balances must, after the wait, repay the interest too: passing the predicted
        // debt would leave it behind (MUST_NOT_LEAVE_DUST), so the liquidator passes type(uint256).max, as the model's liquidator always does.
        var results = await LiquidateEachAsync(liquidated, p => RepaysAll(p) && p.LiquidatableInSeconds > 0 ? AaveV3LiquidationContext.MaxDebtToCover : null);
        foreach (var (p, call, seized) in results)
        {
            if (p.LiquidatableInSeconds == 0 || !RepaysAll(p))
            {
                // Nothing accrued before the call (frozen clock), or a part of the debt passed as debtToCover: exactly as predicted.
                Assert.Equal((call.DebtRepaid, call.CollateralToLiquidator, call.ProtocolFee), (seized.DebtRepaid, seized.CollateralToLiquidator, seized.ProtocolFee));
                continue;
            }
            // 61 s of interest at the fixture's rates (at most 79 % a year at full usage): a relative excess below 61 / 31,536,000 × 0.79 ≈ 1.6e-6.
            Assert.True(seized.DebtRepaid >= call.DebtRepaid && seized.CollateralToLiquidator >= call.CollateralToLiquidator, $"{p.Account}: the chain repaid or seized less than predicted");
            var excess = (double)(seized.CollateralToLiquidator - call.CollateralToLiquidator) / (double)call.CollateralToLiquidator;
            output.WriteLine($"{p.Account}: seized {excess:E2} more than predicted after +{p.LiquidatableInSeconds} s of interest");
            Assert.InRange(excess, 0, 61.0 / 31_536_000 * 0.79);
            Assert.InRange((double)(seized.DebtRepaid - call.DebtRepaid) / (double)call.DebtRepaid, 0, 61.0 / 31_536_000 * 0.79);
        }
    }

    /// <summary>
    /// Runs the example LT-cut payload (mined at the head's time) and returns it (dispose to put the node back), its snapshot and who it
    /// liquidates, with automine back on.
    /// </summary>
    private async Task<(ExecutedPayload Executed, Snapshot Proposal, IReadOnlyList<LiquidatedPosition> Liquidated)> ExecuteLtCutPayloadAsync()
    {
        var baseline = await chain.IndexHeadAsync();
        var manifest = chain.Server.Manifest;
        var payload = Path.Combine(NodeModules.Locate().RepositoryRoot, "fixtures", "aave-lt-cut-payload.sol");
        var executed = await GovernancePayloads.ExecuteAsync(chain.Server.Node.Rpc, manifest, await GovernancePayloads.PrepareAsync(manifest, [payload]));
        var proposal = await chain.IndexHeadAsync();
        Assert.Equal(executed.Block, proposal.Chain.BlockNumber);
        await chain.Server.Node.SetAutomineAsync(true); // the executor mines the payload block by hand; each liquidation mines its own

        var liquidated = LiquidatedByChange.Compute(baseline, proposal).Positions;
        Assert.NotEmpty(liquidated);
        Assert.All(liquidated, p => Assert.Equal(AaveV3Book.Name, p.Protocol)); // the payload changes Aave only
        Assert.Contains(liquidated, p => p.LiquidatableInSeconds == PayloadGraceSeconds + 1); // the payload's WETH grace period holds some back
        Assert.Contains(liquidated, p => p.LiquidatableInSeconds == 0);
        Assert.Contains(liquidated, p => p.FirstCall is { ProtocolFee.IsZero: false }); // the fixture's reserves take a protocol fee
        return (executed, proposal, liquidated);
    }

    /// <summary>
    /// The predicted first call on each entry, in order of liquidatable time, each at its time (the clock is frozen, so a mined block fixes
    /// the time of every later call): its pair, and its predicted debt as debtToCover unless <paramref name="debtToCover"/> gives one.
    /// </summary>
    private async Task<List<(LiquidatedPosition Position, FirstLiquidationCall Call, AaveLiquidationOutcome Seized)>> LiquidateEachAsync(
        IReadOnlyList<LiquidatedPosition> liquidated, Func<LiquidatedPosition, BigInteger?> debtToCover)
    {
        var results = new List<(LiquidatedPosition, FirstLiquidationCall, AaveLiquidationOutcome)>();
        var blockTime = liquidated.Min(p => p.LiquidatableFrom - p.LiquidatableInSeconds);
        foreach (var p in liquidated.OrderBy(p => p.LiquidatableFrom))
        {
            var call = p.FirstCall ?? throw new Xunit.Sdk.XunitException($"{p.Account}: no first call predicted ({p.FirstCallRefused})");
            if (p.LiquidatableFrom > blockTime) await chain.Server.Node.MineAsync(blockTime = p.LiquidatableFrom);
            var seized = await chain.Liquidator.AaveLiquidateAsync(call.CollateralAsset.Value, call.DebtAsset.Value, p.Account.Value,
                debtToCover: debtToCover(p) ?? call.RepayArgument);
            output.WriteLine($"{p.Account} at +{p.LiquidatableInSeconds} s: predicted {call.DebtRepaid} {call.DebtSymbol} for {call.CollateralToLiquidator} + fee {call.ProtocolFee} " +
                             $"{call.CollateralSymbol}; chain {seized.DebtRepaid} for {seized.CollateralToLiquidator} + fee {seized.ProtocolFee}");
            results.Add((p, call, seized));
        }
        Assert.Equal(liquidated.Count, results.Count);
        return results;
    }
}
