using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Proposals;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Core.Review;
using DefiRisk.Reporting.Registry;

namespace DefiRisk.Reporting.Tests;

/// <summary>
/// What a delegate reads first (issue 15 items 7–9, 11): the parameters a proposal changes, who the change alone makes
/// liquidatable at today's prices, the verdict per metric, each change alone and all together, and the self-sustaining
/// rule's material threshold. Expected values are worked by hand from <see cref="ReportMarket"/>'s accounts.
/// </summary>
public sealed class ProposalReviewTests
{
    // WETH LT 82.5 % → 55 % (LTV 80 % → 50 %). Today: account b001 10 WETH ($20,000) vs 15,000 USDC, HF 1.10; b002 5 WETH
    // ($10,000) vs 6,000 USDC, HF 1.375; b004 1,000 EVIL ($10,000 at LT 50 %) + 2 WETH ($4,000) vs 6,000 USDC, HF 1.38.
    // At 55 %: b001 11,000 / 15,000 = 0.733 and b002 5,500 / 6,000 = 0.917 become liquidatable; b004 (5,000 + 2,200) / 6,000
    // = 1.2 does not; no Morpho position moves.
    private static Proposal WethThresholdCut(BreakerSettings? breakers = null) => TestProposal.Create("WETH LT cut", "",
        [new AaveV3ReserveChange("WETH", 5000, 5500, null, null, null, null)], [], null, [], breakers ?? BreakerSettings.None);

    [Fact]
    public void Liquidated_by_change_lists_the_accounts_a_lower_threshold_makes_liquidatable_at_todays_prices()
    {
        var snapshot = ReportMarket.Build();
        var result = LiquidatedByChange.Compute(snapshot, ProposalApplier.Apply(snapshot, WethThresholdCut()));

        Assert.Equal([ReportMarket.A(0xb001), ReportMarket.A(0xb002)], result.Positions.Select(p => p.Account).ToList()); // largest collateral first
        Assert.All(result.Positions, p => Assert.Equal(AaveV3Book.Name, p.Protocol));
        Assert.Equal(BigInteger.Parse("3000000000000"), result.CollateralUsd8);   // $30,000 in USD 8 decimals
        Assert.Equal(BigInteger.Parse("2100000000000"), result.DebtUsd8);         // $21,000
        Assert.All(result.Positions, p => Assert.True(p.HealthFactorBefore >= BigInteger.Pow(10, 18) && p.HealthFactorAfter < BigInteger.Pow(10, 18)));
    }

    // EVIL LT 50 % → 10 % (LTV 45 % → 5 %): b004 (1,000 EVIL at $10, 2 WETH vs 6,000 USDC) falls to HF (1,000 + 3,300) / 6,000 = 0.717.
    // Its liquidator takes the highest bonus first (EVIL 110 % > WETH 105 %); HF ≤ 0.95 allows the whole debt: 6,000 USDC for
    // 6,000 / 10 × 1.10 = 660 EVIL ($6,600).
    [Fact]
    public void The_liquidated_by_change_table_says_what_a_liquidators_first_call_seizes_with_the_symbols_escaped()
    {
        var input = ReportMarket.FullInput();
        var snapshot = input.Snapshot;
        var world = ProposalApplier.Apply(snapshot, TestProposal.Create("EVIL LT cut", "",
            [new AaveV3ReserveChange(ReportMarket.Evil.Value, 500, 1000, null, null, null, null)], [], null, [], BreakerSettings.None));
        var lbc = LiquidatedByChange.Compute(snapshot, world);
        var p = Assert.Single(lbc.Positions);
        Assert.Equal(ReportMarket.A(0xb004), p.Account);
        var call = p.FirstCall!;
        Assert.Equal((ReportMarket.Evil, ReportMarket.MaliciousSymbol, ReportMarket.Usdc), (call.CollateralAsset, call.CollateralSymbol, call.DebtAsset));
        Assert.Equal((ReportMarket.Units(660, 18), ReportMarket.Units(6000, 6)), (call.CollateralSeized, call.DebtRepaid));
        Assert.Equal((ReportMarket.Usd(6600), ReportMarket.Usd(6000)), (call.CollateralSeizedUsd8, call.DebtRepaidUsd8));

        input = input with { ProposalSnapshot = world, Comparison = input.Comparison! with { LiquidatedByChange = lbc } };
        var table = Assert.Single(ReportBuilder.Build(input).Blocks.OfType<Table>(), t => t.Caption.Plain.StartsWith("Positions liquidatable at today's prices", StringComparison.Ordinal));
        Assert.Equal("A liquidator's first call seizes (for debt repaid)", table.Headers[^1].Plain);
        Assert.Equal($"660 {ReportMarket.MaliciousSymbol} ($6,600) for 6,000 USDC ($6,000)", table.Rows[0][^1].Plain);
        Assert.Equal("$6,600 for $6,000", table.Rows[^1][^1].Plain); // the totals row
        var html = ReportWriter.Html(input);
        Assert.Contains("660 &lt;img src=x onerror=alert(1)&gt; ($6,600) for 6,000 USDC ($6,000)", html);
        Assert.DoesNotContain(ReportMarket.MaliciousSymbol, html);
        var md = ReportWriter.Markdown(input);
        Assert.Contains("| 660 &lt;img src=x onerror=alert\\(1\\)&gt; ($6,600) for 6,000 USDC ($6,000) |", md);
        Assert.Contains("What a liquidator would seize (positions liquidated by the change)", md); // its assumption is stated
    }

    [Fact]
    public void Liquidated_by_change_is_empty_for_a_change_that_leaves_every_health_factor_above_one()
    {
        var snapshot = ReportMarket.Build();
        var result = LiquidatedByChange.Compute(snapshot, ProposalApplier.Apply(snapshot, ReportMarket.Proposal)); // a bonus cut moves no HF
        Assert.Equal(0, result.Count);
        Assert.Equal(BigInteger.Zero, result.CollateralUsd8);
    }

    [Fact]
    public void Params_lists_each_reserves_current_values_and_changes_lists_only_what_the_proposal_changes()
    {
        var snapshot = ReportMarket.Build();
        var all = RiskParameters.Of(snapshot);
        var wethLt = Assert.Single(all, p => p.Protocol == AaveV3Book.Name && p.Subject == "WETH" && p.Name == "LT");
        Assert.Equal(("82.5%", new BigInteger(8250)), (wethLt.Display, wethLt.Value!.Value));
        var lltv = Assert.Single(all, p => p.Market == ReportMarket.MorphoWethUsdc && p.Name == "LLTV");
        Assert.Equal("86%", lltv.Display);
        // LIF = min(1.15, 1 / (1 − 0.3 × (1 − 0.86))) = 1 / 0.958 = 1.0438
        Assert.Equal("1.0438", Assert.Single(all, p => p.Market == ReportMarket.MorphoWethUsdc && p.Name == "LIF").Display);

        var changes = RiskParameters.Changes(snapshot, ProposalApplier.Apply(snapshot, WethThresholdCut()));
        Assert.Equal(["WETH LTV 80% → 50%", "WETH LT 82.5% → 55%"],
            changes.Select(c => $"{c.Current!.Subject} {c.Current.Name} {c.Current.Display} → {c.Proposed!.Display}").ToList());
    }

    [Fact]
    public void Verdicts_call_lower_bad_debt_better_higher_worse_and_equal_unchanged()
    {
        var snapshot = ReportMarket.Build();
        var scenario = Scenario.Single(ReportMarket.Weth, -0.20m, "WETH=-20%");
        var baseline = CascadeSummary.From(CascadeSimulator.Simulate(snapshot, scenario), snapshot);
        Assert.True(baseline.BadDebtUsd > 0 || baseline.LiquidatedValueUsd > 0, "the mini market's shock does nothing");
        var lower = baseline with { BadDebtUsd = baseline.BadDebtUsd - 1000, LiquidatedValueUsd = baseline.LiquidatedValueUsd + 1000 };
        var v = ComparisonVerdicts.Of(baseline, lower).ToDictionary(x => x.Metric, x => x.Verdict);
        Assert.Equal(Verdict.Better, v["badDebt"]);
        Assert.Equal(Verdict.Worse, v["liquidatedValue"]);
        Assert.Equal(Verdict.Unchanged, v["accountsLiquidated"]);
    }

    [Fact]
    public void Attribution_runs_each_change_alone_and_all_together_and_the_last_row_is_the_whole_proposal()
    {
        var snapshot = ReportMarket.Build();
        var breakers = new BreakerSettings([new LiquidationCap(CapScope.Global, null, 500_000_000_000, 1)], new OracleDelay(1, ["WETH"]),
            new DeviationPause(1500, 1, 2, 1, 950_000_000_000_000_000), 100_00000000);
        var proposal = WethThresholdCut(breakers);
        var scenario = Scenario.Single(ReportMarket.Weth, -0.20m, "WETH=-20%");
        var options = new SimulationOptions();

        var parts = ProposalAttribution.Split(proposal);
        Assert.Equal(5, parts.Count); // the threshold cut, the cap, the oracle delay, the pause, the minimum
        Assert.All(parts, p => Assert.Equal(1, p.Changes.Count + p.Breakers.Caps.Count + (p.Breakers.OracleDelay is null ? 0 : 1) +
            (p.Breakers.Pause is null ? 0 : 1) + (p.Breakers.MinLiquidationUsd is null ? 0 : 1)));

        var rows = ProposalAttribution.Run(snapshot, proposal, scenario, options, p => string.Join("; ", ProposalLines.Describe(p, snapshot, ReportingRegistry.Parts)));
        Assert.Equal(6, rows.Count);
        Assert.True(rows[^1].AllTogether);
        var world = ProposalApplier.Apply(snapshot, proposal);
        var whole = CascadeSimulator.Simulate(world, scenario, DefiRisk.Core.Breakers.ProposalBreakers.Options(options, proposal, world));
        Assert.Equal(whole.Totals.BadDebtUsd, rows[^1].BadDebtUsd);
        Assert.Equal(whole.Totals.LiquidatedValueUsd, rows[^1].LiquidatedValueUsd);
        var alone = CascadeSimulator.Simulate(ProposalApplier.Apply(snapshot, parts[0]), scenario, options);
        Assert.Equal(alone.Totals.LiquidatedValueUsd, rows[0].LiquidatedValueUsd);
        Assert.Contains("liquidation threshold 82.5% → 55%", rows[0].Change);
        Assert.StartsWith(ProposalLines.BreakerPrefix, rows[1].Change);
    }

    [Theory]
    [InlineData(2, 851, 1_000_000, false)]       // one small liquidation after the shock is not a spiral
    [InlineData(1, 500_000, 1_000_000, false)]   // one round after the shock
    [InlineData(2, 9_999, 100_000, false)]       // 10 % of the value, but under $10,000
    [InlineData(2, 20_000, 1_000_000, true)]     // 2 % and over $10,000
    [InlineData(3, 20_000, 5_000_000, false)]    // under 1 %
    public void Self_sustaining_needs_two_rounds_after_the_shock_and_a_material_amount(int rounds, double after, double total, bool expected) =>
        Assert.Equal(expected, SelfSustaining.Holds(rounds, after, total));

    [Fact]
    public void The_report_states_the_verdict_the_parameter_table_and_todays_liquidations_in_the_summary()
    {
        var input = ReportMarket.FullInput();
        var snapshot = input.Snapshot;
        var proposal = WethThresholdCut();
        var world = ProposalApplier.Apply(snapshot, proposal);
        var cmp = input.Comparison! with { };
        input = input with
        {
            ProposalSnapshot = world,
            Comparison = cmp with
            {
                ParameterChanges = RiskParameters.Changes(snapshot, world),
                LiquidatedByChange = LiquidatedByChange.Compute(snapshot, world),
            },
        };
        var doc = ReportBuilder.Build(input);
        var summary = doc.Blocks.TakeWhile(b => b is not SectionStart { Id: "snapshot" }).ToList();
        var tables = summary.OfType<Table>().ToList();
        Assert.Contains(tables, t => t.Caption.Plain.StartsWith("Verdict", StringComparison.Ordinal) && t.Headers[^1].Plain == "Verdict");
        var parameters = Assert.Single(tables, t => t.Caption.Plain.StartsWith("Parameters the proposal changes", StringComparison.Ordinal));
        Assert.Equal(["WETH LTV", "80%", "50%"], new[] { parameters.Rows[0][2].Plain, parameters.Rows[0][3].Plain, parameters.Rows[0][4].Plain });
        var findings = summary.OfType<BulletList>().First().Items.Select(i => i.Plain).ToList();
        Assert.Contains("This change makes $30,000 of collateral liquidatable at today's prices (2 position(s), $21,000 of debt), with no price move.", findings);
    }
}

/// <summary>The Markdown post carries its charts as PNG files beside it, each linked by its file name.</summary>
public sealed class MarkdownChartFileTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void Writing_a_markdown_report_writes_every_chart_as_a_png_beside_it_and_links_it()
    {
        var dir = Directory.CreateTempSubdirectory("defirisk-md-");
        try
        {
            var path = Path.Combine(dir.FullName, "post.md");
            ReportWriter.Write(path, ReportMarket.FullInput());
            var md = File.ReadAllText(path);
            var links = System.Text.RegularExpressions.Regex.Matches(md, @"!\[[^\n]*\]\((post-chart-\d\d\.png)\)").Select(m => m.Groups[1].Value).ToList();
            var files = Directory.GetFiles(dir.FullName, "*.png").Select(f => Path.GetFileName(f)).Order().ToList();
            Assert.Equal(8, links.Count); // the same 8 charts as the HTML report
            Assert.Equal(links.Order().ToList(), files);
            foreach (var f in files)
            {
                var bytes = File.ReadAllBytes(Path.Combine(dir.FullName, f));
                Assert.True(bytes.Length > 5_000 && bytes.AsSpan(0, 8).SequenceEqual(PngSignature), $"{f} is not a drawn PNG");
            }
        }
        finally { dir.Delete(true); }
    }
}
