using System.Text.Json.Nodes;
using DefiRisk.Core;
using DefiRisk.Core.Protocols;
using DefiRisk.Storage;

namespace DefiRisk.Chain.Tests.CommandLine;

/// <summary>
/// Issue 12: <c>--market replay|mainnet</c> on every verb that runs cascades — <c>sweep</c>, <c>stress</c> and
/// <c>simulate --depth-sensitivity</c> beside <c>simulate</c>/<c>compare</c>/<c>review</c> — declared once
/// (SimulationInput), stated in the JSON (<c>market</c>) and in the report's assumptions. On a synthetic snapshot, no chain.
/// </summary>
public sealed class MarketModelVerbTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("defirisk-market-verbs-");
    private readonly string _db, _history;

    public MarketModelVerbTests()
    {
        _db = Path.Combine(_dir.FullName, "s.db");
        new SnapshotStore(_db).Write(SyntheticSnapshot.Generate(300, seed: 2, poolDepthUsdPerPosition: 2_000)); // thin pools: the models differ
        _history = Path.Combine(_dir.FullName, "history.csv");
        File.WriteAllText(_history, StressCommandTests.History(300));
    }

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Sweep_runs_the_market_model_it_is_given_and_says_which_in_the_json_and_the_report()
    {
        var report = Path.Combine(_dir.FullName, "sweep.md");
        var replay = await DefiRiskCli.RunAsync("sweep", "--db", _db, "--asset", "WETH", "--from", "0%", "--to", "30%", "--step", "10%", "--market", "replay", "--json", "-");
        var mainnet = await DefiRiskCli.RunAsync("sweep", "--db", _db, "--asset", "WETH", "--from", "0%", "--to", "30%", "--step", "10%", "--market", "mainnet", "--json", "-", "--report", report);
        Assert.True(replay.Code == 0 && mainnet.Code == 0, $"{replay} / {mainnet}");
        Assert.Equal("replay", JsonNode.Parse(replay.Stdout)!["market"]!.GetValue<string>());
        Assert.Equal("mainnet", JsonNode.Parse(mainnet.Stdout)!["market"]!.GetValue<string>());
        // Each level is that model's cascade (the fast path within 1e-9 of the exact one): −20 % as simulate runs it.
        foreach (var (sweep, model) in new[] { (replay, "replay"), (mainnet, "mainnet") })
        {
            var level = JsonNode.Parse(sweep.Stdout)!["levels"]!.AsArray().Single(l => l!["shock"]!.GetValue<double>() == -0.2)!;
            var one = await DefiRiskCli.RunAsync("simulate", "--db", _db, "--shock", "WETH=-20%", "--market", model, "--json", "-");
            var expected = JsonNode.Parse(one.Stdout)!["totals"]!["liquidatedValueUsd"]!.GetValue<double>();
            Assert.Equal(expected, level["liquidatedValueUsd"]!.GetValue<double>(), 1e-9 * expected);
        }
        Assert.NotEqual(JsonNode.Parse(replay.Stdout)!["levels"]![2]!["liquidatedValueUsd"]!.GetValue<double>(),
            JsonNode.Parse(mainnet.Stdout)!["levels"]![2]!["liquidatedValueUsd"]!.GetValue<double>()); // thin pools: the models differ at −20 %
        var text = await File.ReadAllTextAsync(report);
        Assert.Contains("| Market model | mainnet", text);
        Assert.Contains("one per asset", text);
    }

    [Fact]
    public async Task Stress_runs_the_market_model_it_is_given_and_says_which_in_the_json()
    {
        var run = await DefiRiskCli.RunAsync("stress", "--db", _db, "--history", _history, "--paths", "60", "--horizon", "4", "--top-k", "1", "--json", "-");
        Assert.True(run.Code == 0, run.ToString());
        Assert.Equal("mainnet", JsonNode.Parse(run.Stdout)!["market"]!.GetValue<string>());
        var replay = await DefiRiskCli.RunAsync("stress", "--db", _db, "--history", _history, "--paths", "60", "--horizon", "4", "--top-k", "1", "--market", "replay", "--json", "-");
        Assert.Equal("replay", JsonNode.Parse(replay.Stdout)!["market"]!.GetValue<string>());
    }

    [Fact]
    public async Task Depth_sensitivity_runs_every_level_under_the_market_model_of_the_simulation()
    {
        var run = await DefiRiskCli.RunAsync("simulate", "--db", _db, "--shock", "WETH=-30%", "--market", "mainnet", "--depth-sensitivity", "0.5,2", "--json", "-");
        Assert.True(run.Code == 0, run.ToString());
        var json = JsonNode.Parse(run.Stdout)!;
        Assert.Equal("mainnet", json["market"]!.GetValue<string>());
        Assert.Equal(2, json["depthSensitivity"]!.AsArray().Count);
        // Each level is that model's cascade: the ×1 level of a mainnet run is the mainnet result (flash-loan fees and all).
        var one = await DefiRiskCli.RunAsync("simulate", "--db", _db, "--shock", "WETH=-30%", "--market", "mainnet", "--depth-sensitivity", "1", "--json", "-");
        var level = JsonNode.Parse(one.Stdout)!["depthSensitivity"]![0]!;
        Assert.Equal(JsonNode.Parse(one.Stdout)!["totals"]!["liquidatedValueUsd"]!.GetValue<double>(), level["liquidatedValueUsd"]!.GetValue<double>());
        Assert.Contains("\"flashLoanFee\"", one.Stdout);
    }

    [Theory]
    [InlineData("sweep")]
    [InlineData("stress")]
    [InlineData("simulate")]
    public async Task An_unknown_market_model_is_one_line_and_exit_2_on_every_verb(string verb)
    {
        string[] args = verb switch
        {
            "sweep" => ["sweep", "--db", _db, "--asset", "WETH", "--market", "cex"],
            "stress" => ["stress", "--db", _db, "--history", _history, "--market", "cex"],
            _ => ["simulate", "--db", _db, "--shock", "WETH=-10%", "--market", "cex"],
        };
        var line = DefiRiskCli.AssertOneLineFailure(await DefiRiskCli.RunAsync(args), ExitCodes.UserError);
        Assert.Contains("--market cex is not a market model (replay or mainnet)", line);
    }
}
