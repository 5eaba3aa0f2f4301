using System.CommandLine;
using System.Text.Json;
using DefiRisk.Chain.Tests.Indexing;
using DefiRisk.Cli;
using DefiRisk.Cli.Commands;
using DefiRisk.Core;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Harness;
using DefiRisk.Reporting;

namespace DefiRisk.Chain.Tests.CommandLine;

/// <summary>
/// Issue 15 items 7–9 end to end on the demo fixture indexed from anvil: <c>defirisk params</c> shows today's values as
/// the chain holds them, and the example proposal's report states what it liquidates at today's prices and attributes
/// each of its five changes alone and all together on its first screen.
/// </summary>
[Collection(DemoChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class ProposalReviewCommandTests(DemoChain chain)
{
    private static string Example => Path.Combine(NodeModules.Locate().RepositoryRoot, "fixtures", "example-proposal.json");

    private async Task<string> DatabaseAsync()
    {
        var db = chain.NewDatabase();
        await chain.IndexAsync(db);
        return db;
    }

    [Fact]
    public async Task Params_as_json_lists_every_aave_reserves_ltv_and_threshold_as_indexed_from_the_chain()
    {
        var db = await DatabaseAsync();
        var root = new RootCommand("params test");
        foreach (var verb in Verbs.All()) root.Subcommands.Add(verb);
        var stdout = new StringWriter();
        var saved = Console.Out;
        Console.SetOut(stdout);
        int exit;
        try { exit = await CliRunner.RunAsync(root, ["params", "--db", db, "--protocol", AaveV3Book.Name, "--json", "-"]); }
        finally { Console.SetOut(saved); }
        Assert.Equal(ExitCodes.Ok, exit);

        var rows = JsonDocument.Parse(stdout.ToString()).RootElement.EnumerateArray().ToList();
        Assert.All(rows, r => Assert.Equal(AaveV3Book.Name, r.GetProperty("protocol").GetString()));
        var stored = chain.Stored;
        foreach (var market in stored.AaveV3Markets())
            foreach (var reserve in market.Market.Reserves)
            {
                var symbol = stored.Asset(reserve.Asset).Symbol;
                string Value(string name) => rows.Single(r => r.GetProperty("subject").GetString() == symbol && r.GetProperty("name").GetString() == name
                    && r.GetProperty("market").GetString() == market.Market.Name).GetProperty("value").GetString()!;
                Assert.Equal(reserve.Ltv.ToString(System.Globalization.CultureInfo.InvariantCulture), Value("LTV"));
                Assert.Equal(reserve.LiquidationThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture), Value("LT"));
                Assert.Equal((reserve.LiquidationBonus - 10_000).ToString(System.Globalization.CultureInfo.InvariantCulture), Value("bonus"));
            }
    }

    [Fact]
    public async Task The_example_proposals_report_states_todays_liquidations_and_attributes_its_five_changes_in_the_summary()
    {
        var db = await DatabaseAsync();
        var run = CompareCommand.Execute(new CompareCommand.CompareRequest(db, Example, ["WETH=-30%"], null));
        var lbc = run.Result.LiquidatedByChange!;
        Assert.True(lbc.Count > 0, "the example's WETH threshold cut liquidates nobody at today's prices on the demo fixture");
        Assert.Equal(lbc.Positions.Aggregate(System.Numerics.BigInteger.Zero, (sum, p) => sum + p.CollateralUsd8), lbc.CollateralUsd8);

        var attribution = run.Result.Attribution!;
        Assert.Equal(6, attribution.Count); // the WETH LTV/LT cut, the cap, the oracle delay, the pause, the minimum; all together
        Assert.Equal(1, attribution.Count(a => a.AllTogether));
        Assert.Equal(run.Result.Proposal.BadDebtUsd, attribution[^1].BadDebtUsd);

        var doc = ReportBuilder.Build(CompareCommand.Report(run));
        var summary = doc.Blocks.TakeWhile(b => b is not SectionStart { Id: "snapshot" }).ToList();
        var findings = summary.OfType<BulletList>().First().Items.Select(i => i.Plain).ToList();
        Assert.Contains(findings, f => f.StartsWith("This change makes ", StringComparison.Ordinal) && f.Contains("of collateral liquidatable at today's prices")
            && f.Contains($"({lbc.Count} position(s)"));
        var table = Assert.Single(summary.OfType<Table>(), t => t.Caption.Plain.StartsWith("Each change alone and all together", StringComparison.Ordinal));
        Assert.Equal(7, table.Rows.Count); // the baseline, five changes alone, all together
        Assert.Equal("All 5 changes together", table.Rows[^1][0].Plain);
        Assert.Contains(summary.OfType<Table>(), t => t.Caption.Plain.StartsWith("Verdict", StringComparison.Ordinal));
        Assert.Contains(summary.OfType<Table>(), t => t.Caption.Plain.StartsWith("Parameters the proposal changes", StringComparison.Ordinal));

        var json = JsonDocument.Parse(Json.Serialize(run.Result)).RootElement;
        Assert.Equal(lbc.Count, json.GetProperty("liquidatedByChange").GetProperty("positions").GetArrayLength());
    }
}
