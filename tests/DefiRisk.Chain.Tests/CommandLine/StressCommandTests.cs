using System.Globalization;
using System.Text;
using System.Text.Json;
using DefiRisk.Cli;
using DefiRisk.Core;
using DefiRisk.Core.Protocols;
using DefiRisk.Core.Stress;
using DefiRisk.Storage;

namespace DefiRisk.Chain.Tests.CommandLine;

/// <summary>
/// Issue 16: <c>defirisk stress</c> through the real command tree on a small synthetic snapshot written to SQLite and a
/// generated hourly price history: reproducible JSON whatever the thread count, every model, <c>--fail-if</c> exit 1,
/// bad input one line and exit 2.
/// </summary>
public sealed class StressCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("defirisk-stress-");
    private readonly string _db, _history;

    public StressCommandTests()
    {
        _db = Path.Combine(_dir.FullName, "s.db");
        new SnapshotStore(_db).Write(SyntheticSnapshot.Generate(300, seed: 2));
        _history = Path.Combine(_dir.FullName, "history.csv");
        File.WriteAllText(_history, History(500));
    }

    public void Dispose() => _dir.Delete(recursive: true);

    /// <summary>Hourly WETH, WBTC and wstETH prices (wstETH follows WETH's oracle, so the run must ignore its own returns).</summary>
    internal static string History(int hours)
    {
        var model = new GbmModel(["WETH", "WBTC", "wstETH"], [0, 0, 0], [0.03, 0.025, 0.03], new double[,] { { 1, 0.7, 0.95 }, { 0.7, 1, 0.7 }, { 0.95, 0.7, 1 } });
        var r = Enumerable.Range(0, hours).Select(_ => new double[3]).ToArray();
        model.Generate(1, 0, r);
        var price = new[] { 3000.0, 60000.0, 3540.0 };
        var text = new StringBuilder("timestamp,asset,price\n");
        for (var t = 0; t <= hours; t++)
            for (var a = 0; a < 3; a++)
            {
                if (t > 0) price[a] *= Math.Exp(r[t - 1][a]);
                text.Append(CultureInfo.InvariantCulture, $"{1_700_000_000L + t * 3600},{model.Assets[a]},{price[a]:R}\n");
            }
        return text.ToString();
    }

    private Task<CliOutput> Stress(params string[] extra) =>
        DefiRiskCli.RunAsync(["stress", "--db", _db, .. extra.Contains("--history") ? Array.Empty<string>() : ["--history", _history],
            "--paths", "200", "--horizon", "6", "--top-k", "2", .. extra]);

    [Fact]
    public async Task The_same_seed_gives_byte_identical_json_on_one_and_on_two_threads()
    {
        var one = await Stress("--seed", "4", "--threads", "1", "--json", "-");
        var two = await Stress("--seed", "4", "--threads", "2", "--json", "-");
        Assert.True(one.Code == 0, one.ToString());
        Assert.Equal(one.Stdout, two.Stdout);
        var other = await Stress("--seed", "5", "--json", "-");
        Assert.NotEqual(one.Stdout, other.Stdout);

        var json = JsonDocument.Parse(one.Stdout).RootElement;
        Assert.Equal("gbm", json.GetProperty("model").GetString());
        Assert.Equal(200, json.GetProperty("paths").GetInt32());
        var roles = json.GetProperty("assets").EnumerateArray().ToDictionary(a => a.GetProperty("symbol").GetString()!, a => a.GetProperty("moves").GetString());
        Assert.Equal("simulated", roles["WETH"]);
        Assert.Equal("follows WETH", roles["wstETH"]);
        Assert.Equal("held", roles["DAI"]);
        var stats = json.GetProperty("baseline").GetProperty("statistics");
        Assert.True(stats.GetProperty("probabilityOfLiquidation").GetDouble() > 0, "the paths should liquidate something");
        Assert.True(stats.GetProperty("badDebtVar99").GetDouble() >= stats.GetProperty("badDebtVar95").GetDouble());
        foreach (var p in json.GetProperty("baseline").GetProperty("worstPaths").EnumerateArray())
            Assert.True(p.GetProperty("exactAgrees").GetBoolean(), p.GetRawText());
    }

    [Theory]
    [InlineData("garch", 200)]
    [InlineData("historical", 495)]
    public async Task Every_model_runs_from_the_history(string model, int paths)
    {
        var run = await Stress("--model", model, "--json", "-");
        Assert.True(run.Code == 0, run.ToString());
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(model, json.GetProperty("model").GetString());
        Assert.Equal(paths, json.GetProperty("paths").GetInt32()); // a replay has one path per 6-step window of 500 returns
    }

    [Fact]
    public async Task A_proposal_runs_on_the_same_paths_with_a_verdict()
    {
        var proposal = Path.Combine(_dir.FullName, "p.json");
        File.WriteAllText(proposal, """{ "name": "lower WETH threshold", "aave-v3": { "reserves": { "WETH": { "ltv": "70%", "liquidationThreshold": "72%" } } } }""");
        var run = await Stress("--proposal", proposal, "--json", "-");
        Assert.True(run.Code == 0, run.ToString());
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        var d = json.GetProperty("difference");
        Assert.Contains(d.GetProperty("verdict").GetString(), new[] { "worse", "better", "no significant difference" });
        Assert.True(d.GetProperty("low95").GetDouble() <= d.GetProperty("high95").GetDouble());
        // Lowering the threshold liquidates more on the same paths.
        Assert.True(json.GetProperty("proposal").GetProperty("statistics").GetProperty("probabilityOfLiquidation").GetDouble()
            > json.GetProperty("baseline").GetProperty("statistics").GetProperty("probabilityOfLiquidation").GetDouble());
    }

    [Fact]
    public async Task A_depeg_family_is_stated_in_the_json_and_a_market_feed_depeg_is_refused()
    {
        var run = await Stress("--depeg", "wstETH=20%:-10%", "--json", "-");
        Assert.True(run.Code == 0, run.ToString());
        var depeg = Assert.Single(JsonDocument.Parse(run.Stdout).RootElement.GetProperty("depegs").EnumerateArray());
        Assert.Equal("wstETH", depeg.GetProperty("asset").GetString());
        Assert.Equal(0.2, depeg.GetProperty("probability").GetDouble());
        var line = DefiRiskCli.AssertOneLineFailure(await Stress("--depeg", "WETH=20%:-10%"), ExitCodes.UserError);
        Assert.Contains("market-feed oracle", line);
    }

    [Fact]
    public async Task A_crossed_limit_exits_1_with_the_metric_named()
    {
        var run = await Stress("--quiet", "--fail-if", "pLiquidation>0");
        Assert.True(run.Code == ExitCodes.RiskLimitCrossed, run.ToString());
        Assert.Contains("pLiquidation>0", run.Stderr);
        var fine = await Stress("--quiet", "--fail-if", "lar99<0");
        Assert.True(fine.Code == 0, fine.ToString());
    }

    [Theory]
    [InlineData("--model", "brownian", "--model 'brownian'")]
    [InlineData("--paths", "0", "--paths")]
    [InlineData("--fail-if", "varr99>1", "unknown metric 'varr99'")]
    [InlineData("--history", "/nonexistent/h.csv", "does not exist")]
    public async Task Bad_input_is_one_line_and_exit_2(string option, string value, string expected)
    {
        var run = await Stress(option, value);
        var line = DefiRiskCli.AssertOneLineFailure(run, ExitCodes.UserError);
        Assert.Contains(expected, line);
    }

    [Fact]
    public async Task A_proposal_with_breakers_runs_on_the_same_paths_and_its_worst_paths_re_run_exactly_agree()
    {
        var proposal = Path.Combine(_dir.FullName, "b.json");
        File.WriteAllText(proposal, """
            { "name": "cap and delay", "breakers": { "liquidationCaps": [ { "maxUsd": 50000, "windowSteps": 2 } ], "minLiquidationUsd": 100,
              "oracleDelay": { "steps": 1, "assets": ["WETH"] } } }
            """);
        var run = await Stress("--proposal", proposal, "--json", "-");
        Assert.True(run.Code == 0, run.ToString());
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Contains("cap(global $50000/2 steps)", json.GetProperty("proposalBreakers").GetString());
        Assert.Contains("oracle lag up to 1 step", json.GetProperty("proposalBreakers").GetString());
        foreach (var p in json.GetProperty("proposal").GetProperty("worstPaths").EnumerateArray())
            Assert.True(p.GetProperty("exactAgrees").GetBoolean(), p.GetRawText());
    }

    [Fact]
    public async Task Slashings_and_batches_are_stated_in_the_json_and_a_market_feed_slashing_is_refused()
    {
        var run = await Stress("--slash", "wstETH=10%:-5%", "--batches", "4", "--json", "-");
        Assert.True(run.Code == 0, run.ToString());
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        var cut = Assert.Single(json.GetProperty("slashings").EnumerateArray());
        Assert.Equal("wstETH", cut.GetProperty("asset").GetString());
        Assert.Equal(-0.05, cut.GetProperty("cut").GetDouble());
        var batches = json.GetProperty("baseline").GetProperty("batches");
        Assert.Equal(4, batches.GetProperty("batches").GetArrayLength());
        Assert.Equal(50, batches.GetProperty("batches")[1].GetProperty("paths").GetInt32());
        var line = DefiRiskCli.AssertOneLineFailure(await Stress("--slash", "WETH=10%:-5%"), ExitCodes.UserError);
        Assert.Contains("market-feed oracle", line);
        line = DefiRiskCli.AssertOneLineFailure(await Stress("--batches", "201"), ExitCodes.UserError);
        Assert.Contains("--batches 201", line);
    }
}
