using System.CommandLine;
using System.Numerics;
using System.Text.Json;
using DefiRisk.Chain.Tests.Indexing;
using DefiRisk.Cli;
using DefiRisk.Cli.Commands;
using DefiRisk.Core;
using DefiRisk.Core.Analysis;
using Spectre.Console;

namespace DefiRisk.Chain.Tests.Analysis;

/// <summary><c>defirisk simulate</c> and <c>defirisk sweep</c> on the indexed demo fixture, run in-process as the program runs them.</summary>
[Collection(DemoChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class AnalysisVerbTests(DemoChain chain)
{
    private static Task<int> Run(params string[] args)
    {
        var root = new RootCommand("test");
        foreach (var verb in Verbs.All()) root.Subcommands.Add(verb);
        return CliRunner.RunAsync(root, args);
    }

    private string TempJson() => Path.Combine(chain.TempDir, $"{Guid.NewGuid():N}.json");

    [Fact]
    public async Task Simulate_writes_rounds_totals_and_chains_as_json_that_match_the_library_result()
    {
        var file = TempJson();
        Assert.Equal(0, await Run("simulate", "--db", chain.Database, "--shock", "WETH=-10%", "--json", file, "--quiet"));
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var root = doc.RootElement;

        var rounds = root.GetProperty("rounds").EnumerateArray().ToList();
        Assert.True(rounds.Count >= 2);
        Assert.Contains(rounds[0].GetProperty("prices").EnumerateArray(), p => p.GetProperty("symbol").GetString() == "WETH");
        var liquidations = rounds.SelectMany(r => r.GetProperty("liquidations").EnumerateArray()).ToList();
        Assert.Contains(liquidations, l => l.GetProperty("protocol").GetString() == ProtocolNames.AaveV3);
        Assert.Contains(liquidations, l => l.GetProperty("protocol").GetString() == ProtocolNames.MorphoBlue);
        foreach (var l in liquidations)
        {
            Assert.StartsWith("0x", l.GetProperty("account").GetString());
            Assert.False(string.IsNullOrEmpty(l.GetProperty("market").GetString()));
            // Base units as exact decimal strings, never JSON numbers.
            Assert.True(BigInteger.Parse(l.GetProperty("debtRepaid").GetString()!) > 0);
            Assert.True(BigInteger.Parse(l.GetProperty("collateralSeized").GetString()!) > 0);
            Assert.Equal(JsonValueKind.Array, l.GetProperty("causes").ValueKind);
        }
        var totals = root.GetProperty("totals");
        Assert.True(totals.GetProperty("liquidatedValueUsd").GetDouble() > 0);
        Assert.True(totals.GetProperty("bonusPaidUsd").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Array, totals.GetProperty("badDebt").ValueKind);
        Assert.True(totals.GetProperty("accountsAffected").GetInt32() > 0);
        Assert.Equal(JsonValueKind.Array, root.GetProperty("chains").ValueKind);

        // The JSON is the library's result, not a second computation.
        var expected = SimulateCommand.Run(new SimulateCommand.SimulateRequest(chain.Database, null, ["WETH=-10%"]));
        Assert.Equal(expected.Totals.Liquidations, liquidations.Count);
        Assert.Equal(expected.Rounds.SelectMany(r => r.Liquidations).Select(l => l.DebtRepaid.ToString()),
            liquidations.Select(l => l.GetProperty("debtRepaid").GetString()));
    }

    [Fact]
    public async Task Simulate_with_depth_sensitivity_reruns_the_scenario_at_each_depth_and_the_x1_level_is_the_result()
    {
        var file = Path.Combine(chain.TempDir, "depth.json");
        Assert.Equal(0, await Run("simulate", "--db", chain.Database, "--shock", "WETH=-20%", "--depth-sensitivity", "0.25,1,4", "--json", file, "--quiet"));
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var levels = doc.RootElement.GetProperty("depthSensitivity").EnumerateArray().ToList();
        Assert.Equal([0.25m, 1m, 4m], levels.Select(l => l.GetProperty("factor").GetDecimal()));
        var totals = doc.RootElement.GetProperty("totals");
        Assert.Equal(totals.GetProperty("liquidatedValueUsd").GetDouble(), levels[1].GetProperty("liquidatedValueUsd").GetDouble());
        Assert.Equal(totals.GetProperty("badDebtUsd").GetDouble(), levels[1].GetProperty("badDebtUsd").GetDouble());
        // Deeper pools let more liquidations pay and leave less stranded.
        Assert.True(levels[2].GetProperty("unrealisedBadDebtUsd").GetDouble() <= levels[0].GetProperty("unrealisedBadDebtUsd").GetDouble());
        Assert.Equal(2, await Run("simulate", "--db", chain.Database, "--shock", "WETH=-20%", "--depth-sensitivity", "0,2", "--quiet"));
    }

    [Fact]
    public async Task Sweep_runs_one_cascade_per_drop_level_from_zero_to_the_last_drop()
    {
        var file = TempJson();
        Assert.Equal(0, await Run("sweep", "--db", chain.Database, "--asset", "WETH", "--from", "0%", "--to", "20%", "--step", "5%", "--json", file, "--quiet"));
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var levels = doc.RootElement.GetProperty("levels").EnumerateArray().ToList();
        Assert.Equal([0m, -0.05m, -0.10m, -0.15m, -0.20m], levels.Select(l => l.GetProperty("shock").GetDecimal()));
        Assert.Equal(0, levels[0].GetProperty("liquidations").GetInt32());
        Assert.True(levels[^1].GetProperty("liquidations").GetInt32() > 0);
        Assert.Equal("WETH", doc.RootElement.GetProperty("symbol").GetString());
    }

    [Theory]
    [InlineData("simulate", "--shock", "NOPE=-30%")]
    [InlineData("simulate", "--shock", "WETH=abc")]
    [InlineData("simulate", "--shock", "WETH=-150%")]
    [InlineData("simulate", "--shock", "WETH=-30%", "--max-rounds", "0")]
    [InlineData("simulate", "--shock", "WETH=-30%", "--gas-usd", "cheap")]
    [InlineData("sweep", "--asset", "NOPE")]
    [InlineData("sweep", "--asset", "WETH", "--to", "150%")]
    [InlineData("sweep", "--asset", "WETH", "--step", "0%")]
    public async Task Bad_input_exits_with_the_user_error_code(params string[] args)
    {
        Assert.Equal(ExitCodes.UserError, await Run([.. args, "--db", chain.Database, "--quiet"]));
    }

    [Theory]
    [InlineData("simulate", "--shock", "WETH=-30%")]
    [InlineData("sweep", "--asset", "WETH")]
    public async Task A_missing_database_exits_with_the_user_error_code(params string[] args)
    {
        Assert.Equal(ExitCodes.UserError, await Run([.. args, "--db", Path.Combine(chain.TempDir, "missing.db"), "--quiet"]));
    }

    [Fact]
    public void Tables_show_every_round_with_liquidations_per_protocol_the_totals_and_the_longest_chain()
    {
        var result = SimulateCommand.Run(new SimulateCommand.SimulateRequest(chain.Database, null, ["WETH=-10%"]));
        var text = Render(c => SimulateCommand.Render(c, result));
        var lines = text.Split('\n');
        foreach (var r in result.Rounds)
        {
            var aave = r.Liquidations.Count(l => l.Protocol == ProtocolNames.AaveV3);
            var morpho = r.Liquidations.Count(l => l.Protocol == ProtocolNames.MorphoBlue);
            Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, $@"^│ {r.Round} +│ +{aave} │ +{morpho} │"));
        }
        Assert.Contains($"│ liquidations ", text);
        Assert.Contains(result.Totals.Liquidations.ToString(System.Globalization.CultureInfo.InvariantCulture), text);
        Assert.Contains("Longest chain (", text);

        var sweep = SweepCommand.Run(new SweepCommand.SweepRequest(chain.Database, null, "WETH", 0, 10, 5));
        var sweepText = Render(c => SweepCommand.Render(c, sweep));
        Assert.Equal(3, sweep.Levels.Count);
        foreach (var level in sweep.Levels) Assert.Contains(level.Shock.ToString("P1", System.Globalization.CultureInfo.InvariantCulture), sweepText);
        Assert.Contains(sweep.SelfSustainingThreshold is null ? "no self-sustaining cascade" : "self-sustaining from", sweepText);
    }

    private static string Render(Action<IAnsiConsole> render)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        render(console);
        return writer.ToString();
    }

    [Fact]
    public void Errors_are_one_line()
    {
        var ex = Assert.Throws<DefiRiskException>(() => SimulateCommand.Run(new SimulateCommand.SimulateRequest(chain.Database, null, ["WETH=abc"])));
        Assert.DoesNotContain('\n', ex.Message);
    }
}
