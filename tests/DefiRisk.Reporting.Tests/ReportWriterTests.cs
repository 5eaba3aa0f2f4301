using System.Text.RegularExpressions;
using DefiRisk.Core;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Proposals;

namespace DefiRisk.Reporting.Tests;

public sealed class ReportWriterTests
{
    private static readonly Lazy<ReportInput> Input = new(() => ReportMarket.FullInput());

    [Fact]
    public void The_test_market_cascades_across_protocols_so_every_section_has_content()
    {
        var sim = Input.Value.Simulation!.Result;
        Assert.True(sim.Totals.Liquidations >= 2, $"liquidations {sim.Totals.Liquidations}");
        Assert.True(sim.LongestChain!.CrossesProtocols);
        Assert.NotEmpty(Input.Value.Sweeps[0].Baseline.Levels);
    }

    [Fact]
    public void Html_has_every_section_a_csp_and_no_script_or_remote_url()
    {
        var html = ReportWriter.Html(Input.Value);
        foreach (var id in ReportBuilder.SectionIds) Assert.Contains($"<section id=\"{id}\">", html);
        Assert.Contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(http", html, StringComparison.OrdinalIgnoreCase);
        var urls = Regex.Matches(html, "https?://[^\"'\\s)<]*").Select(m => m.Value).Distinct().ToList();
        Assert.Equal(["http://www.w3.org/2000/svg"], urls);
    }

    [Fact]
    public void Html_shows_the_malicious_symbol_only_escaped()
    {
        var html = ReportWriter.Html(Input.Value);
        Assert.DoesNotContain(ReportMarket.MaliciousSymbol, html);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(ReportMarket.CanarySymbol, html);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html);
        Assert.Contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;", html);
        // Every tag in the document is one the writer emits itself.
        var tags = Regex.Matches(html, "<([a-zA-Z][a-zA-Z0-9]*)").Select(m => m.Groups[1].Value.ToLowerInvariant()).ToHashSet();
        string[] allowed = ["html", "head", "meta", "title", "style", "body", "header", "div", "h1", "h2", "h3", "p", "main", "section", "ul", "li",
            "table", "caption", "thead", "tbody", "tr", "th", "td", "figure", "figcaption", "footer",
            "svg", "text", "line", "rect", "polyline", "circle", "path", "g", "defs", "marker"];
        Assert.Empty(tags.Except(allowed));
    }

    [Fact]
    public void Html_tables_have_captions_and_charts_sit_in_figures()
    {
        var html = ReportWriter.Html(Input.Value);
        var tables = Regex.Matches(html, "<table>").Count;
        Assert.True(tables >= 8, $"{tables} tables");
        Assert.Equal(tables, Regex.Matches(html, "<table>\n<caption>").Count);
        var charts = Regex.Matches(html, "<svg[^>]*class=\"chart").Count;
        // Levels: WETH (with wstETH), EVIL, CANARY; cascade bars; chain diagram; comparison bars; sweep: 2 lines.
        Assert.Equal(3 + 1 + 1 + 1 + 2, charts);
        Assert.Equal(charts, Regex.Matches(html, "<figure><svg").Count);
        Assert.Equal(charts, Regex.Matches(html, "</svg><figcaption>").Count);
    }

    [Fact]
    public void Markdown_escapes_on_chain_strings_and_has_every_section()
    {
        var md = ReportWriter.Markdown(Input.Value);
        Assert.DoesNotContain("<img", md);
        Assert.DoesNotContain("<script", md);
        Assert.Contains("&lt;img src=x onerror=alert\\(1\\)&gt;", md);
        foreach (var heading in new[] { "## Summary", "## 1. Snapshot", "## 2. Liquidation levels", "## 3. The cascade, round by round",
                     "## 4. Liquidation chains across protocols", "## 5. Baseline vs proposal", "## 6. Assumptions" })
            Assert.Contains("\n" + heading + "\n", md);
        Assert.Contains("> Chart in the HTML report:", md);
        Assert.DoesNotContain("<svg", md);
    }

    [Fact]
    public void Numbers_use_invariant_culture_with_thousands_separators()
    {
        // The build runs with InvariantGlobalization, and Format names CultureInfo.InvariantCulture on every call anyway.
        var md = ReportWriter.Markdown(Input.Value);
        Assert.Contains("$2,000.00", md);                     // WETH oracle price
        Assert.Contains("| Total | 8 | 8 |", md);               // 5 Aave accounts + 3 Morpho positions, all borrowing
        Assert.Equal("$1,234,568", Format.Usd(1234567.6));
        Assert.Equal("-$12.50", Format.Usd(-12.5));
        Assert.Equal("+$1,000", Format.UsdDelta(1000));
        Assert.Equal("$0", Format.Usd(0));
        Assert.Equal("-30%", Format.Percent(-0.30m));
    }

    [Fact]
    public void Liquidation_levels_count_what_the_health_functions_say()
    {
        var curves = LiquidationLevels.Compute(ReportMarket.Build());
        var weth = curves.Single(c => c.Symbol == "WETH");
        Assert.Equal(["wstETH"], weth.Followers);
        Assert.Equal(13, weth.Levels.Count);
        Assert.Equal(0, weth.Levels[0].Total);                                     // nothing under water at the snapshot
        // −20 %: WETH $1600. Aave account 1 (10 WETH, HF 0.88) falls: 10 × $1600 = $16,000. wstETH ($1888 × 10 = $18,880,
        // × 0.81 = 15,292.8 < 17,000) falls too. Morpho c001: 16,000 × 0.86 = 13,760 ≥ 13,550 stays healthy.
        var l20 = weth.Levels.Single(l => l.Drop == 0.20m);
        Assert.Equal(ReportMarket.Usd(1600), l20.OraclePriceUsd);
        Assert.Equal(16_000 + 18_880, l20.LiquidatableCollateralUsd[ProtocolNames.AaveV3], 6);
        Assert.Equal(0, l20.LiquidatableCollateralUsd[ProtocolNames.MorphoBlue]);
        // −25 %: $1500 → Morpho c001 (12,900 < 13,550) and c002 (3 WETH: 3,870 < 4,000) fall: 13 WETH = $19,500.
        Assert.Equal(19_500, weth.Levels.Single(l => l.Drop == 0.25m).LiquidatableCollateralUsd[ProtocolNames.MorphoBlue], 6);
        Assert.Contains(curves, c => c.Symbol == ReportMarket.MaliciousSymbol);
        Assert.DoesNotContain(curves, c => c.Symbol == "wstETH" || c.Symbol == "USDC");
    }

    [Fact]
    public void Snapshot_totals_come_from_the_protocols_account_math()
    {
        var totals = SnapshotTotals.Compute(ReportMarket.Build(), ReportingRegistry.Parts);
        var aave = totals.Single(t => t.Protocol == ProtocolNames.AaveV3);
        // 10 + 5 + 2 WETH × $2000 + 10 wstETH × $2360 + 1000 EVIL × $10 + 1000 CANARY × $1.
        Assert.Equal(34_000 + 23_600 + 10_000 + 1_000, aave.CollateralUsd, 6);
        Assert.Equal(15_000 + 6_000 + 17_000 + 6_000 + 500, aave.DebtUsd, 6);
        var morpho = totals.Single(t => t.Market == ReportMarket.MorphoWethUsdc);
        Assert.Equal(26_000, morpho.CollateralUsd, 6);
        Assert.Equal(17_550, morpho.DebtUsd, 3);                                  // toAssetsUp of the shares: a few wei above
        Assert.Equal("WETH/USDC 86% (0x000000…00a1)", morpho.Label);
    }

    [Fact]
    public void The_file_extension_picks_the_format_and_others_are_refused()
    {
        var dir = Directory.CreateTempSubdirectory("defirisk-report-");
        try
        {
            var input = new ReportInput(ReportMarket.Build(), ReportingRegistry.Parts);
            Assert.Equal("html", ReportWriter.Write(Path.Combine(dir.FullName, "r.html"), input));
            Assert.Equal("markdown", ReportWriter.Write(Path.Combine(dir.FullName, "sub", "r.md"), input));
            Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(Path.Combine(dir.FullName, "r.html")));
            Assert.StartsWith("# ", File.ReadAllText(Path.Combine(dir.FullName, "sub", "r.md")));
            var e = Assert.Throws<DefiRiskException>(() => ReportWriter.Write(Path.Combine(dir.FullName, "r.pdf"), input));
            Assert.Contains(".html or .md", e.Message);
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void A_large_cascade_draws_a_capped_chain_diagram_and_says_so()
    {
        // Shallow pools (a few $k of depth per position): the sales keep the cascade going for several rounds.
        var s = SyntheticSnapshot.Generate(600, seed: 3, poolDepthUsdPerPosition: 3_000);
        var r = CascadeSimulator.Simulate(s, Scenario.Single(SyntheticSnapshot.Weth, -0.30m, "WETH=-30%"));
        var d = Charts.ChainDiagram.Render(s, ReportingRegistry.Parts, r, 12);
        Assert.True(d.GroupsTotal > 12, $"only {d.GroupsTotal} groups");
        Assert.InRange(d.GroupsDrawn, 1, 12);
        Assert.InRange(d.RoundsDrawn, 1, Charts.ChainDiagram.MaxColumns);
        Assert.Equal(d.GroupsDrawn, Regex.Matches(d.Svg, "<rect [^>]*rx=\"5\"").Count);
        var input = new ReportInput(s, ReportingRegistry.Parts) { Simulation = new SimulationReport("WETH=-30%", r), MaxChainNodesDrawn = 12 };
        var md = ReportWriter.Markdown(input);
        Assert.Contains($"{d.GroupsDrawn} of {d.GroupsTotal} boxes and {d.RoundsDrawn} of {d.RoundsWithLiquidations} rounds drawn", md);
        Assert.Contains("capped at 12 boxes", md);
        if (Environment.GetEnvironmentVariable("DEFIRISK_KEEP_REPORTS") is { Length: > 0 } keep)
            ReportWriter.Write(Path.Combine(keep, "large-cascade.html"), input);
    }

    [Fact]
    public void Proposal_lines_show_baseline_and_proposed_values()
    {
        var s = ReportMarket.Build();
        var proposal = TestProposal.Create(ReportMarket.Proposal.Name, ReportMarket.Proposal.Description,
            [new("WETH", null, 8000, 10200, null, null, 5000)], [], null,
            [new(ReportMarket.MorphoWethUsdc, 800_000_000_000_000_000, 500_000_000_000_000_000)],
            new([new(CapScope.Protocol, "aave-v3", 1_000_000 * 100_000_000L, 2)], new(1, []), null, 50 * 100_000_000L));
        Assert.Equal(
        [
            "Aave v3 Mini, WETH: liquidation threshold 82.5% → 80%, liquidation bonus 5% → 2%, borrow cap none → 5,000",
            "Morpho Blue WETH/USDC 86% (0x000000…00a1): 50% of borrowers move to a market with LLTV 80%",
            "Breaker: liquidation cap $1,000,000 of debt repaid per 2 steps, aave-v3",
            "Breaker: oracle delay of 1 step for every asset",
            "Breaker: no liquidation below $50.00 of debt repaid",
        ], ProposalLines.Describe(proposal, s, ReportingRegistry.Parts));
    }

    [Fact]
    public void Sections_without_input_say_they_were_not_run()
    {
        var md = ReportWriter.Markdown(new ReportInput(ReportMarket.Build(), ReportingRegistry.Parts) { LevelDrops = [] });
        Assert.Contains("No simulation in this report", md);
        Assert.Contains("Not computed for this report", md);
        Assert.Contains("No sweep and no proposal comparison", md);
        Assert.Contains("No assumptions were given", md);
    }
}

public sealed class LiquidationLevelsDifferentialTests
{
    /// <summary>
    /// LiquidationLevels re-evaluates only positions priced off the dropped asset; here every position is evaluated at
    /// every level through the Core health functions, with prices set as the cascade sets them, and the sums must agree.
    /// </summary>
    [Fact]
    public void Skipping_positions_untouched_by_the_drop_changes_no_level()
    {
        var s = SyntheticSnapshot.Generate(3000, seed: 7);
        var curves = LiquidationLevels.Compute(s);
        Assert.Equal(["WETH", "WBTC", "USDC"], curves.Select(c => c.Symbol).Order().Reverse().ToList());
        foreach (var curve in curves)
            foreach (var level in curve.Levels)
            {
                var root = s.Asset(curve.Asset);
                var shocked = new AssetShock(root.Address, -level.Drop).Apply(root.PriceUsd);
                System.Numerics.BigInteger Usd(DefiRisk.Core.Domain.Asset a) =>
                    a.Address == root.Address ? shocked
                    : a.Oracle.BaseAsset == root.Address ? a.PriceUsd * shocked / root.PriceUsd
                    : a.PriceUsd;
                double aave = 0, morpho = 0;
                foreach (var st in s.AaveV3Markets())
                    foreach (var acct in st.Accounts)
                    {
                        var d = DefiRisk.Core.Protocols.AaveV3.AaveV3AccountMath.Calculate(st.Market, acct, a => Usd(s.Asset(a)));
                        if (d.HasDebt && d.IsLiquidatable) aave += (double)d.TotalCollateralBase / 1e8;
                    }
                foreach (var st in s.MorphoBlue())
                    foreach (var p in st.Positions)
                    {
                        var m = st.Markets.Single(x => x.Id == p.MarketId);
                        var c = s.Asset(m.CollateralToken);
                        var l = s.Asset(m.LoanToken);
                        var price = m.OraclePrice * Usd(c) * l.PriceUsd / (c.PriceUsd * Usd(l));
                        if (!DefiRisk.Core.Protocols.MorphoBlue.MorphoBlueMath.IsHealthy(m, p, price))
                            morpho += SnapshotTotals.UsdValue(p.Collateral, c.Decimals, Usd(c));
                    }
                Assert.Equal(aave, level.LiquidatableCollateralUsd[ProtocolNames.AaveV3], 6);
                Assert.Equal(morpho, level.LiquidatableCollateralUsd[ProtocolNames.MorphoBlue], 6);
            }
        Assert.Contains(curves.Single(c => c.Symbol == "WETH").Levels, l => l.Total > 0);
    }
}
