using System.Numerics;
using DefiRisk.Core;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Proposals;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Harness;
using Xunit.Abstractions;

namespace DefiRisk.Chain.Tests.Protocols.AaveV3;

/// <summary>
/// The liquidation grace period as a circuit breaker, step by step against the real 3.6 bytecode: a proposal's
/// <c>liquidationGracePeriod</c> and <c>PoolConfigurator.setReservePause(WETH, false, gracePeriod)</c> on anvil set the same end,
/// and with the block time advanced one step length per step, the chain and the model refuse and allow the same calls.
/// </summary>
[Trait("Category", "ChainParity")]
public sealed partial class AaveV36GracePeriodStepTests(AaveV36ReplayChain chain, ITestOutputHelper output) : IClassFixture<AaveV36ReplayChain>
{
    private const long StepSeconds = 60;
    /// <summary>Two steps: the block of step 2 is the end itself, which still refuses (until &lt; block.timestamp is required).</summary>
    private const int GraceSeconds = 2 * (int)StepSeconds;
    private static readonly string GraceSelector = Abi.Selector("LiquidationGraceSentinelCheckFailed()");

    private FixtureFacts Facts => chain.Server.Facts;

    [Fact]
    public async Task Liquidations_touching_a_reserve_in_its_grace_period_revert_on_chain_and_in_the_model_until_the_step_after_its_end()
    {
        await chain.ResetAsync();
        await chain.Liquidator.FreezeClockAsync();
        var node = chain.Server.Node;
        await new FixturePrices(node, Facts).ScaleUsdPriceAsync("WETH", 0.80m);
        var baseline = await chain.IndexHeadAsync();
        var t0 = baseline.Chain.BlockTimestamp;
        var weth = Address.Parse(Facts.Token("WETH").Address);

        // The proposal, as the model applies it at the snapshot block, and the same call on chain (mined at t0: the clock is frozen).
        var json = """{"name": "WETH grace", "aave-v3": {"reserves": {"WETH": {"liquidationGracePeriod": SECONDS}}}}""".Replace("SECONDS", GraceSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var proposal = CoreRegistry.ParseProposal(json, "grace.json", baseline);
        var model = ProposalApplier.Apply(baseline, proposal);
        Assert.Equal(t0 + GraceSeconds, model.AaveV3Markets()[0].Market.Reserve(weth).LiquidationGracePeriodUntil);
        var configurator = chain.Server.Manifest.AaveV3()[0].PoolConfigurator!;
        await chain.Server.AdminSendAsync(configurator, Abi.Call("setReservePause(address,bool,uint40)", weth.Value, false, GraceSeconds));
        var onChain = (await chain.IndexHeadAsync()).AaveV3Markets()[0].Market;
        Assert.Equal(t0 + GraceSeconds, onChain.Reserve(weth).LiquidationGracePeriodUntil);

        // The calls the liquidator would make at t0, on WETH as collateral or debt.
        var state = model.AaveV3Markets()[0];
        var market = state.Market;
        BigInteger Price(Address a) => market.Reserve(a).OraclePrice;
        var calls = state.Accounts
            .Where(a => AaveV3AccountMath.Calculate(market, a, Price) is { HasDebt: true, IsLiquidatable: true })
            .Select(a => (Account: a, Pair: AaveV3LiquidatorChoice.CandidatePairs(market, a, Price)
                .FirstOrDefault(p => AaveV3LiquidationRule.Instance.Decide(new(market, a, p.Collateral, p.Debt, AaveV3LiquidationContext.MaxDebtToCover, Price)).Executed)))
            .Where(x => x.Pair.Collateral == weth || x.Pair.Debt == weth).Take(6).ToList();
        Assert.True(calls.Count >= 3, $"only {calls.Count} WETH liquidations to watch");

        var firstAllowed = -1;
        for (var step = 0; step <= 4; step++)
        {
            var now = t0 + step * StepSeconds;
            if (step > 0) await node.MineAsync(now); // later blocks keep this time (frozen interval)
            foreach (var (account, (coll, debt)) in calls)
            {
                var d = AaveV3LiquidationRule.Instance.Decide(new(market, account, coll, debt, AaveV3LiquidationContext.MaxDebtToCover, Price, BlockTimestamp: now));
                var error = await RevertOfAsync(coll, debt, account.Account);
                var chainRefuses = error.Contains(GraceSelector, StringComparison.OrdinalIgnoreCase);
                Assert.True(chainRefuses == (d.Reason == AaveV3LiquidationRule.LiquidationGraceSentinelCheckFailed),
                    $"step {step} (t0 + {step * StepSeconds} s): model says {d.Reason ?? "executes"}, chain says {(error.Length == 0 ? "executes" : error)}");
                if (!chainRefuses) Assert.Equal("", error);
            }
            var refused = now <= t0 + GraceSeconds;
            output.WriteLine($"step {step} (t0 + {step * StepSeconds} s): {(refused ? "refused" : "allowed")} on chain and in the model, {calls.Count} calls");
            if (!refused && firstAllowed < 0) firstAllowed = step;
        }
        Assert.Equal(3, firstAllowed);

        // The exact cascade on the proposal's snapshot, with the same step length: no Aave call touches WETH before round 3, and
        // WETH calls run in round 3 (other pairs of the same accounts may go earlier).
        var options = SimulationOptions.Default with { StepSeconds = StepSeconds };
        var exact = CascadeSimulator.Simulate(model, Scenario.Single(weth, -0.0001m), options);
        var all = exact.Rounds.SelectMany(r => r.Liquidations).Where(l => l.Protocol == AaveV3Book.Name).ToList(); // Morpho has no grace period
        Assert.DoesNotContain(all, l => l.Round < 3 && (l.CollateralAsset == weth || l.DebtAsset == weth));
        Assert.Contains(all, l => l.Round == 3 && (l.CollateralAsset == weth || l.DebtAsset == weth));
        output.WriteLine($"exact cascade: {all.Count(l => l.Round < 3)} calls before round 3 (none on WETH), {all.Count(l => l.Round == 3)} in round 3");
    }

    /// <summary>The revert of <c>liquidationCall(coll, debt, user, max, false)</c> from the liquidator, as eth_call ("" if it would succeed).</summary>
    private async Task<string> RevertOfAsync(Address coll, Address debt, Address user)
    {
        try
        {
            await chain.Server.Node.Rpc.CallAsync("eth_call", new Dictionary<string, object>
            {
                ["from"] = chain.Liquidator.Liquidator, ["to"] = chain.Liquidator.Pool,
                ["data"] = Abi.Call("liquidationCall(address,address,address,uint256,bool)", coll.Value, debt.Value, user.Value, AaveV3LiquidationContext.MaxDebtToCover, false),
            }, "latest");
            return "";
        }
        catch (DefiRiskException ex) { return ex.Message; }
    }
}
