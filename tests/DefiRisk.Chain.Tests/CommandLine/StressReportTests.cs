using System.Text.Json;
using System.Text.Json.Nodes;
using DefiRisk.Core.Protocols;
using DefiRisk.Reporting.Document;
using DefiRisk.Storage;

namespace DefiRisk.Chain.Tests.CommandLine;

/// <summary>
/// Issue 16, Build 5: the value-at-risk section of the HTML and Markdown reports (table, loss chart, worst paths, stated
/// assumptions) and <c>compare --stress-paths N</c>, which runs the same paths as <c>stress</c> for baseline and proposal.
/// </summary>
public sealed class StressReportTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("defirisk-stress-report-");
    private readonly string _db, _history, _proposal;

    public StressReportTests()
    {
        _db = Path.Combine(_dir.FullName, "s.db");
        new SnapshotStore(_db).Write(SyntheticSnapshot.Generate(300, seed: 2));
        _history = Path.Combine(_dir.FullName, "history.csv");
        File.WriteAllText(_history, StressCommandTests.History(500));
        _proposal = Path.Combine(_dir.FullName, "p.json");
        File.WriteAllText(_proposal, """{ "name": "lower WETH threshold", "aave-v3": { "reserves": { "WETH": { "ltv": "70%", "liquidationThreshold": "72%" } } } }""");
    }

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task The_stress_report_shows_the_var_table_the_loss_chart_the_worst_paths_and_its_assumptions_in_html_and_markdown()
    {
        var html = Path.Combine(_dir.FullName, "stress.html");
        var md = Path.Combine(_dir.FullName, "stress.md");
        var json = Path.Combine(_dir.FullName, "stress.json");
        var run = await DefiRiskCli.RunAsync("stress", "--db", _db, "--history", _history, "--paths", "200", "--horizon", "6", "--top-k", "2",
            "--proposal", _proposal, "--json", json, "--report", html, "--quiet");
        Assert.True(run.Code == 0, run.ToString());
        var mdRun = await DefiRiskCli.RunAsync("stress", "--db", _db, "--history", _history, "--paths", "200", "--horizon", "6", "--top-k", "2",
            "--proposal", _proposal, "--report", md, "--quiet");
        Assert.True(mdRun.Code == 0, mdRun.ToString());

        var result = JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        var page = File.ReadAllText(html);
        var post = File.ReadAllText(md);
        Assert.Contains("<section id=\"stress\">", page);
        foreach (var side in new[] { "baseline", "proposal" })
        {
            var stats = result.GetProperty(side).GetProperty("statistics");
            foreach (var metric in new[] { "badDebtVar95", "badDebtVar99", "badDebtEs99", "liquidationsAtRisk99" })
            {
                var figure = Format.Usd(stats.GetProperty(metric).GetDouble());
                Assert.Contains(figure, page);
                Assert.Contains(figure, post);
            }
            var worst = side == "baseline" ? result.GetProperty(side).GetProperty("worstPaths")[0] : default;
            if (side == "baseline") Assert.Contains(Format.Usd(worst.GetProperty("exactBadDebtUsd").GetDouble()), page);
        }
        Assert.Contains(result.GetProperty("difference").GetProperty("verdict").GetString()!, page);
        Assert.Contains("Loss distribution", page);
        Assert.Contains("<svg", page[page.IndexOf("<section id=\"stress\">", StringComparison.Ordinal)..]);
        foreach (var stated in new[] { "correlated geometric Brownian motion", "Common random numbers", "Held at the snapshot price", "follows WETH", "Price history: CSV" })
        {
            Assert.Contains(stated, page);
            Assert.Contains(stated, post);
        }
        Assert.Contains("history.csv", page);
        // The Markdown post links its charts as PNG files beside it; the loss chart is one of them.
        var charts = Directory.GetFiles(_dir.FullName, "stress-chart-*.png");
        Assert.NotEmpty(charts);
        Assert.Contains(Path.GetFileName(charts.Order().Last()), post);
    }

    [Fact]
    public async Task Compare_with_stress_paths_runs_the_same_paths_as_stress_for_baseline_and_proposal_and_reports_them()
    {
        var report = Path.Combine(_dir.FullName, "compare.html");
        // stress and compare's paths run the same (default) market model.
        var compare = await DefiRiskCli.RunAsync("compare", "--db", _db, "--proposal", _proposal, "--shock", "WETH=-30%",
            "--stress-paths", "300", "--stress-history", _history, "--json", "-", "--report", report);
        Assert.True(compare.Code == 0, compare.ToString());
        var stress = await DefiRiskCli.RunAsync("stress", "--db", _db, "--history", _history, "--paths", "300", "--proposal", _proposal, "--json", "-");
        Assert.True(stress.Code == 0, stress.ToString());

        var fromCompare = JsonNode.Parse(compare.Stdout)!["stress"]!;
        var fromStress = JsonNode.Parse(stress.Stdout)!;
        // Same defaults (GBM, 24 one-hour steps, seed 1) and the same proposal: the very same result.
        Assert.True(JsonNode.DeepEquals(fromStress, fromCompare), "compare --stress-paths differs from stress on the same settings");
        Assert.Equal("lower WETH threshold", fromCompare["proposal"]!["name"]!.GetValue<string>());
        Assert.Contains("<section id=\"stress\">", File.ReadAllText(report));

        // Without the option, the comparison's JSON has no stress key at all.
        var plain = await DefiRiskCli.RunAsync("compare", "--db", _db, "--proposal", _proposal, "--shock", "WETH=-30%", "--json", "-");
        Assert.True(plain.Code == 0, plain.ToString());
        Assert.Null(JsonNode.Parse(plain.Stdout)!["stress"]);
    }

    [Fact]
    public async Task Compare_with_stress_paths_runs_a_proposals_breakers_on_the_paths_as_stress_does_and_states_them()
    {
        var breakers = Path.Combine(_dir.FullName, "b.json");
        File.WriteAllText(breakers, """
            { "name": "cap pause delay", "breakers": { "liquidationCaps": [ { "maxUsd": 40000, "windowSteps": 2 } ],
              "deviationPause": { "threshold": "5%", "pauseSteps": 1, "graceSteps": 1 }, "oracleDelay": { "steps": 1 } } }
            """);
        var report = Path.Combine(_dir.FullName, "compare-breakers.html");
        var compare = await DefiRiskCli.RunAsync("compare", "--db", _db, "--proposal", breakers, "--shock", "WETH=-30%",
            "--stress-paths", "300", "--stress-history", _history, "--json", "-", "--report", report);
        Assert.True(compare.Code == 0, compare.ToString());
        var stress = await DefiRiskCli.RunAsync("stress", "--db", _db, "--history", _history, "--paths", "300", "--proposal", breakers, "--json", "-");
        Assert.True(stress.Code == 0, stress.ToString());

        var fromCompare = JsonNode.Parse(compare.Stdout)!["stress"]!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(stress.Stdout)!, fromCompare), "compare --stress-paths differs from stress with the same breakers");
        Assert.Contains("pause(", fromCompare["proposalBreakers"]!.GetValue<string>());
        Assert.NotEqual(fromCompare["baseline"]!["statistics"]!.ToJsonString(), fromCompare["proposal"]!["statistics"]!.ToJsonString());
        foreach (var p in fromCompare["proposal"]!["worstPaths"]!.AsArray())
            Assert.True(p!["exactAgrees"]!.GetValue<bool>(), p.ToJsonString());
        Assert.Contains("run on every path through their fast rules", File.ReadAllText(report));
    }

    [Fact]
    public async Task Stress_reports_the_standard_errors_and_says_when_the_paths_are_too_few_for_p99()
    {
        var run = await DefiRiskCli.RunAsync("stress", "--db", _db, "--history", _history, "--paths", "200", "--horizon", "6", "--json", "-");
        Assert.True(run.Code == 0, run.ToString());
        Assert.Contains("too few paths for p99: 200 paths leave 2 beyond the quantile; at least 1000 paths are needed", run.Stderr);
        Assert.DoesNotContain("for p95", run.Stderr);
        var convergence = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("baseline").GetProperty("convergence");
        Assert.Equal(2, convergence.GetProperty("tailPaths99").GetInt32());
        Assert.True(convergence.GetProperty("var95StandardError").GetDouble() >= 0);

        var enough = await DefiRiskCli.RunAsync("stress", "--db", _db, "--history", _history, "--paths", "1000", "--horizon", "6", "--top-k", "1", "--quiet",
            "--fail-if", "var99StandardError>=0");
        Assert.True(enough.Code == Core.ExitCodes.RiskLimitCrossed, enough.ToString());
        Assert.DoesNotContain("too few paths", enough.Stderr);
    }

    [Fact]
    public async Task Compare_with_stress_paths_on_a_snapshot_without_history_asks_for_one_in_one_line()
    {
        var run = await DefiRiskCli.RunAsync("compare", "--db", _db, "--proposal", _proposal, "--shock", "WETH=-30%", "--stress-paths", "100");
        var line = DefiRiskCli.AssertOneLineFailure(run, Core.ExitCodes.UserError);
        Assert.Contains("--price-history-days", line);
    }
}
