using System.CommandLine;
using System.Text.Json;
using DefiRisk.Harness;
using DefiRisk.Chain.Tests.Indexing;
using DefiRisk.Cli;
using DefiRisk.Cli.Commands;
using DefiRisk.Core;
using Spectre.Console;

namespace DefiRisk.Chain.Tests.Breakers;

/// <summary>
/// <c>defirisk compare</c> end to end on the demo fixture indexed into SQLite: the example proposal visibly changes a
/// −30 % WETH cascade; exit codes for crossed limits and bad input; the JSON shape.
/// </summary>
[Collection(DemoChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class CompareCommandTests(DemoChain chain)
{
    private static string Example => Path.Combine(NodeModules.Locate().RepositoryRoot, "fixtures", "example-proposal.json");

    private async Task<string> DatabaseAsync()
    {
        var db = chain.NewDatabase();
        await chain.IndexAsync(db);
        return db;
    }

    private static async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(text), Interactive = InteractionSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        var root = new RootCommand { CompareCommand.Create(console) };
        var exit = await CliRunner.RunAsync(root, ["compare", .. args]);
        return (exit, text.ToString());
    }

    [Fact]
    public async Task The_example_proposal_changes_a_30_percent_weth_cascade_on_the_demo_fixture()
    {
        var db = await DatabaseAsync();
        var r = CompareCommand.Run(new CompareCommand.CompareRequest(db, Example, ["WETH=-30%"], null));
        Assert.True(r.Baseline.Liquidations > 0 && r.Baseline.BadDebtUsd > 0, "the baseline cascade is trivial");
        Assert.True(r.Proposal.HeldBack > 0, "no breaker held anything back");
        Assert.NotEqual(r.Baseline.LiquidatedValueUsd, r.Proposal.LiquidatedValueUsd);
        Assert.NotEqual(r.Baseline.BadDebtUsd, r.Proposal.BadDebtUsd);
        Assert.Equal(r.Proposal.BadDebtUsd - r.Baseline.BadDebtUsd, r.Difference.BadDebtUsd, 6);
        Assert.Equal(r.Proposal.Rounds - r.Baseline.Rounds, r.Difference.Rounds);
        // The oracle delay: nothing can be liquidated in round 0, when the WETH oracle still shows the snapshot price.
        Assert.DoesNotContain(r.ProposalResult!.Rounds[0].Liquidations, l => l.CollateralAsset == chain.Stored.FindAsset("WETH")!.Address);
        Assert.Contains(r.BaselineResult!.Rounds[0].Liquidations, l => l.CollateralAsset == chain.Stored.FindAsset("WETH")!.Address);
    }

    [Fact]
    public async Task Fail_if_exits_1_when_the_proposal_crosses_the_limit_and_json_has_baseline_proposal_difference()
    {
        var db = await DatabaseAsync();
        var json = Path.Combine(chain.TempDir, $"{Guid.NewGuid():N}.json");
        var (ok, output) = await RunAsync("--db", db, "--proposal", Example, "--shock", "WETH=-30%", "--json", json, "--fail-if", "badDebt>1000000000");
        Assert.Equal(ExitCodes.Ok, ok);
        Assert.Contains("bad debt", output);
        var doc = JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        foreach (var key in new[] { "baseline", "proposal", "difference" }) Assert.True(doc.TryGetProperty(key, out _), $"no {key} in the JSON");
        var proposalBadDebt = doc.GetProperty("proposal").GetProperty("badDebtUsd").GetDouble();
        Assert.True(proposalBadDebt > 0);

        var (crossed, _) = await RunAsync("--db", db, "--proposal", Example, "--shock", "WETH=-30%", "--quiet", "--fail-if", $"badDebt>{Math.Floor(proposalBadDebt) - 1}");
        Assert.Equal(ExitCodes.RiskLimitCrossed, crossed);
        var (notBoth, _) = await RunAsync("--db", db, "--proposal", Example, "--shock", "WETH=-30%", "--quiet", "--fail-if", $"badDebt>{Math.Floor(proposalBadDebt) - 1} && rounds>1000");
        Assert.Equal(ExitCodes.Ok, notBoth);
        var (quiet, quietOutput) = await RunAsync("--db", db, "--proposal", Example, "--shock", "WETH=-30%", "--quiet");
        Assert.Equal((ExitCodes.Ok, ""), (quiet, quietOutput));
    }

    [Theory]
    [InlineData("""{ "breakers": { "liquidationCaps": [ { "maxUsd": -5 } ] } }""", "$.breakers.liquidationCaps[0].maxUsd")]
    [InlineData("""{ "aave-v3": { "reserves": { "WETH": { "liquidationThreshold": "70%" } } } }""", "$.aave-v3.reserves.WETH.liquidationThreshold")]
    [InlineData("""{ "aave-v3": { "reserves": { "WETH": { "liquidationThreshold": "101%" } } } }""", "$.aave-v3.reserves.WETH.liquidationThreshold")]
    [InlineData("""{ "aave-v3": { "reserves": { "NOPE": { "ltv": "70%" } } } }""", "$.aave-v3.reserves.NOPE")]
    [InlineData("""{ "breakers": { "pauze": {} } }""", "$.breakers.pauze")]
    public async Task A_bad_proposal_is_one_line_naming_the_key_and_exit_2(string proposal, string key)
    {
        var db = await DatabaseAsync();
        var file = Path.Combine(chain.TempDir, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(file, proposal);
        var json = Path.Combine(chain.TempDir, $"{Guid.NewGuid():N}.json");
        var error = new StringWriter();
        var saved = Console.Error;
        Console.SetError(error);
        try
        {
            var (exit, output) = await RunAsync("--db", db, "--proposal", file, "--shock", "WETH=-30%", "--json", json);
            Assert.Equal(ExitCodes.UserError, exit);
            Assert.Equal("", output);
        }
        finally { Console.SetError(saved); }
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(key, line);
        Assert.False(File.Exists(json), "something ran on an invalid proposal");
    }

    [Fact]
    public async Task A_malformed_fail_if_is_exit_2_before_anything_runs()
    {
        var db = await DatabaseAsync();
        var (exit, output) = await RunAsync("--db", db, "--proposal", Example, "--shock", "WETH=-30%", "--fail-if", "badDebt=>5");
        Assert.Equal((ExitCodes.UserError, ""), (exit, output));
    }

    [Fact]
    public async Task A_sweep_gives_bad_debt_against_shock_size_for_both()
    {
        var db = await DatabaseAsync();
        var r = CompareCommand.Run(new CompareCommand.CompareRequest(db, Example, [], null, new CompareCommand.SweepSpec("WETH", 0, 40, 10)));
        var levels = r.Sweep!.Levels;
        Assert.Equal([0m, -0.1m, -0.2m, -0.3m, -0.4m], levels.Select(l => l.Shock));
        Assert.Equal(0, levels[0].BaselineBadDebtUsd);
        Assert.True(levels[^1].BaselineBadDebtUsd > levels[1].BaselineBadDebtUsd);
        Assert.Contains(levels, l => l.ProposalBadDebtUsd != l.BaselineBadDebtUsd || l.ProposalLiquidatedValueUsd != l.BaselineLiquidatedValueUsd);
        // With only a sweep, the side-by-side scenario is the sweep's largest drop. The baseline sweep runs on the
        // floating-point fast path (the proposal's, with breakers, on the exact one): equal within its 1e-6 tolerance.
        Assert.InRange(levels[^1].BaselineBadDebtUsd, r.Baseline.BadDebtUsd * (1 - 1e-6), r.Baseline.BadDebtUsd * (1 + 1e-6));
        Assert.Equal(levels[^1].ProposalBadDebtUsd, r.Proposal.BadDebtUsd);
    }
}
