using System.Numerics;
using System.Text.Json;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Breakers;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Proposals;
using DefiRisk.Core.Tests.Analysis;
using static DefiRisk.Core.Tests.TestData;

namespace DefiRisk.Core.Tests.Breakers;

public sealed class ComparisonTests
{
    private static readonly BigInteger Hf095 = 950_000_000_000_000_000;

    /// <summary>The pause scenario of <see cref="BreakerCascadeTests"/>: baseline no bad debt, proposal $4,333.333333.</summary>
    private static ComparisonResult PauseComparison()
    {
        var s = MiniMarket.Build([Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("15000", 6)))], pools: []);
        var path = new Scenario("path", [new ShockStep([new AssetShock(Weth, -0.20m)]), new ShockStep([new AssetShock(Weth, -0.30m)])]);
        var proposal = TestProposal.Create("pause", "", [], [], null, [], new BreakerSettings([], null, new DeviationPause(1000, 1, 2, 0, Hf095), null));
        var options = ProposalBreakers.Options(SimulationOptions.Default, proposal, s);
        return ComparisonResult.Create(proposal.Name, ["pause"], s, CascadeSimulator.Simulate(s, path), CascadeSimulator.Simulate(s, path, options));
    }

    [Fact]
    public void The_comparison_puts_baseline_and_proposal_side_by_side_with_the_difference()
    {
        var r = PauseComparison();
        Assert.Equal(0, r.Baseline.BadDebtUsd);
        Assert.Equal(4333.333333, r.Proposal.BadDebtUsd, 6);
        Assert.Equal(4333.333333, r.Difference.BadDebtUsd, 6);
        Assert.Equal(4333.333333, r.Proposal.BadDebtByProtocol.Single(p => p.Protocol == "aave-v3").BadDebtUsd, 6);
        Assert.Equal(0, r.Proposal.BadDebtByProtocol.Single(p => p.Protocol == "morpho-blue").BadDebtUsd);
        // Liquidated value: 15,000 at once vs 10,666.666667 later.
        Assert.Equal(15_000 - 10_666.666667, -r.Difference.LiquidatedValueUsd, 6);
        // Deepest drop: WETH at $1120 = −44 % in both (the path is exogenous, no pools).
        Assert.Equal(("WETH", 44.0), (r.Proposal.DeepestPriceAsset, Math.Round(r.Proposal.DeepestPriceDrop, 9)));
        Assert.Equal(1120, r.Proposal.DeepestPriceUsd, 9);
        // Baseline: round 0 liquidates, round 1 applies the second step and is quiet. Proposal: rounds 0–1 paused,
        // round 2 liquidates, round 3 quiet.
        Assert.Equal((2, 4), (r.Baseline.Rounds, r.Proposal.Rounds));
        Assert.Equal(2, r.Proposal.HeldBack);                         // the position in rounds 0 and 1
        Assert.Equal(2, r.Difference.Rounds);

        var json = JsonDocument.Parse(JsonSerializer.Serialize(r, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase })).RootElement;
        Assert.True(json.TryGetProperty("baseline", out _));
        Assert.True(json.TryGetProperty("proposal", out var p));
        Assert.True(json.TryGetProperty("difference", out var d));
        Assert.Equal(4333.333333, p.GetProperty("badDebtUsd").GetDouble(), 6);
        Assert.Equal(4333.333333, d.GetProperty("badDebtUsd").GetDouble(), 6);
        Assert.False(json.TryGetProperty("baselineResult", out _)); // the full cascades are not serialized
    }

    [Fact]
    public void A_zero_morpho_cap_cuts_the_cross_protocol_chain()
    {
        // CascadeSimulatorTests' cross-protocol market: the Aave liquidation's sale at −20 % pushes WETH below the Morpho
        // borrower's line, so the baseline's chain is Aave → Morpho (2, crossing). A $0 Morpho cap holds that one back.
        var s = MiniMarket.Build([Account(1, Coll(Weth, Units("10", 18)), Debt(Usdc, Units("15000", 6)))],
            [MiniMarket.Morpho(MiniMarket.MorphoWethUsdc, Usdc, Weth, "0.86", Units("13550", 6), MiniMarket.WethUsdcPrice)],
            [MiniMarket.Borrower(MiniMarket.MorphoWethUsdc, 1, Units("10", 18), Units("13550", 6))]);
        var proposal = TestProposal.Create("no-morpho", "", [], [], null, [],
            new BreakerSettings([new LiquidationCap(CapScope.Protocol, "morpho-blue", 0, 1)], null, null, null));
        var scenario = Scenario.Single(Weth, -0.20m);
        var r = ComparisonResult.Create("no-morpho", [], s, CascadeSimulator.Simulate(s, scenario),
            CascadeSimulator.Simulate(s, scenario, ProposalBreakers.Options(SimulationOptions.Default, proposal, s)));
        Assert.Equal((2, true, 2), (r.Baseline.LongestChain, r.Baseline.LongestChainCrossesProtocols, r.Baseline.LongestCrossProtocolChain));
        Assert.Equal((1, 0), (r.Proposal.LongestChain, r.Proposal.LongestCrossProtocolChain));
        Assert.Equal(-2, r.Difference.LongestCrossProtocolChain);
        Assert.Equal((2, 1), (r.Baseline.AccountsLiquidated, r.Proposal.AccountsLiquidated));
        Assert.True(r.Proposal.HeldBack >= 1);
        Assert.True(RiskCondition.Crossed(RiskCondition.Parse("longestCrossProtocolChain==0", CoreRegistry.ProtocolNames), r.Proposal));
    }

    [Fact]
    public void Fail_if_conditions_parse_and_must_all_hold()
    {
        var r = PauseComparison().Proposal;
        var c = RiskCondition.Parse("badDebt>4000, rounds>=4 && deepestPriceDrop>40%", CoreRegistry.ProtocolNames);
        Assert.Equal(["badDebt>4000", "rounds>=4", "deepestPriceDrop>40"], c.Select(x => x.Text));
        Assert.True(RiskCondition.Crossed(c, r));
        Assert.False(RiskCondition.Crossed(RiskCondition.Parse("badDebt>4000 && rounds>4", CoreRegistry.ProtocolNames), r));
        Assert.True(RiskCondition.Crossed(RiskCondition.Parse("badDebt.aave-v3>=4333", CoreRegistry.ProtocolNames), r));
        Assert.False(RiskCondition.Crossed(RiskCondition.Parse("badDebt.morpho-blue>0", CoreRegistry.ProtocolNames), r));
        Assert.True(RiskCondition.Crossed(RiskCondition.Parse("accountsLiquidated==1", CoreRegistry.ProtocolNames), r));
        Assert.True(RiskCondition.Crossed(RiskCondition.Parse("liquidatedValue<15000", CoreRegistry.ProtocolNames), r));
        Assert.True(RiskCondition.Crossed(RiskCondition.Parse("heldBack<=2", CoreRegistry.ProtocolNames), r));
    }

    [Theory]
    [InlineData("badDebt>", "is not a number")]
    [InlineData("badDebt 5", "is not METRIC OP NUMBER")]
    [InlineData("badDebt=5", "operator must be")]
    [InlineData("baddebt>5", "unknown metric 'baddebt'")]
    [InlineData("badDebt>5,", "empty condition")]
    [InlineData("", "is empty")]
    [InlineData("badDebt>>5", "is not a number")]
    public void A_malformed_fail_if_is_one_clear_error(string expression, string message)
    {
        var ex = Assert.Throws<DefiRiskException>(() => RiskCondition.Parse(expression, CoreRegistry.ProtocolNames));
        Assert.Contains(message, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void The_pause_schedule_does_not_retrigger_on_the_move_that_caused_it()
    {
        // Oracle path of one asset: 100 (snapshot), 80 (round 0: −20 % → pause), 80, 80 (grace), 80, 79, 60 (round 5: −24 % → pause).
        var a = A(1);
        BigInteger[] path = [80, 80, 80, 80, 79, 60, 60, 60];
        BigInteger Price(int round, Address _) => round < 0 ? 100 : path[round];
        var s = new DeviationPause(1000, WindowSteps: 3, PauseSteps: 2, GraceSteps: 1, Hf095);
        var states = Enumerable.Range(0, path.Length).Select(r => DeviationPauseBreaker.Schedule(Price, [a], r, s)).ToList();
        // 0–1 paused, 2 grace, 3–4 open (window looks back to round 2 at most: 80 → 79 is 1.25 %), 5–6 paused, 7 grace.
        Assert.Equal([PauseState.Paused, PauseState.Paused, PauseState.Grace, PauseState.Open, PauseState.Open, PauseState.Paused, PauseState.Paused, PauseState.Grace], states);
    }
}
