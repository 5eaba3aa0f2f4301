using System.CommandLine;
using System.Text.Json;
using DefiRisk.Chain.Tests.Indexing;
using DefiRisk.Cli;
using DefiRisk.Cli.Commands;
using DefiRisk.Harness;
using Spectre.Console;

namespace DefiRisk.Chain.Tests.CommandLine;

/// <summary>
/// Issue 15, item 6: <c>compare</c> takes the analysis assumptions <c>simulate</c> takes, built by the same code; a
/// compare sweep reports progress; <c>--json</c> and the exit codes mean the same on every verb.
/// </summary>
[Collection(DemoChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class CompareOptionTests(DemoChain chain)
{
    private static string Example => Path.Combine(NodeModules.Locate().RepositoryRoot, "fixtures", "example-proposal.json");

    private static async Task<JsonElement> CompareAsync(params string[] extra)
    {
        var run = await DefiRiskCli.RunAsync(["compare", "--proposal", Example, "--shock", "WETH=-30%", "--json", "-", .. extra]);
        Assert.True(run.Code == 0, run.ToString());
        return JsonDocument.Parse(run.Stdout).RootElement.Clone();
    }

    [Theory]
    [InlineData("--gas-usd", "200")]
    [InlineData("--oracle-lag", "1")]
    [InlineData("--max-rounds", "2")]
    public async Task Each_assumption_option_changes_the_comparison_as_it_changes_simulate(string option, string value)
    {
        string[] db = ["--db", chain.Database];
        var plain = await CompareAsync(db);
        var changed = await CompareAsync([.. db, option, value]);

        // The option took effect: the baseline cascade differs from the default one…
        Assert.NotEqual(Baseline(plain), Baseline(changed));
        // …and is exactly simulate's cascade under the same option: one place builds the options for both verbs.
        var simulate = await DefiRiskCli.RunAsync("simulate", "--db", chain.Database, "--shock", "WETH=-30%", "--json", "-", option, value);
        Assert.True(simulate.Code == 0, simulate.ToString());
        var totals = JsonDocument.Parse(simulate.Stdout).RootElement.GetProperty("totals");
        Assert.Equal(totals.GetProperty("liquidations").GetInt32(), changed.GetProperty("baseline").GetProperty("liquidations").GetInt32());
        Assert.Equal(totals.GetProperty("liquidatedValueUsd").GetDouble(), changed.GetProperty("baseline").GetProperty("liquidatedValueUsd").GetDouble(), 6);
        Assert.Equal(totals.GetProperty("badDebtUsd").GetDouble(), changed.GetProperty("baseline").GetProperty("badDebtUsd").GetDouble(), 6);

        static string Baseline(JsonElement r) => r.GetProperty("baseline").GetRawText();
    }

    [Fact]
    public async Task Max_rounds_bounds_both_sides_of_the_comparison()
    {
        var r = await CompareAsync("--db", chain.Database, "--max-rounds", "2");
        Assert.True(r.GetProperty("baseline").GetProperty("rounds").GetInt32() <= 2);
        Assert.True(r.GetProperty("proposal").GetProperty("rounds").GetInt32() <= 2);
        var plain = await CompareAsync("--db", chain.Database);
        Assert.True(plain.GetProperty("baseline").GetProperty("rounds").GetInt32() > 2, "the default cascade is too short to show the limit");
    }

    [Fact]
    public async Task A_compare_sweep_reports_each_level_of_both_sides_when_not_on_a_terminal()
    {
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(text), Interactive = InteractionSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        var root = new RootCommand { CompareCommand.Create(console) };
        var errors = new StringWriter();
        var saved = Console.Error;
        Console.SetError(errors);
        int exit;
        try
        {
            exit = await CliRunner.RunAsync(root, ["compare", "--db", chain.Database, "--proposal", Example, "--sweep-asset", "WETH", "--to", "20%", "--step", "10%"]);
        }
        finally { Console.SetError(saved); }
        Assert.Equal(0, exit);
        var lines = errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(
            ["compare sweep: baseline level 1/3 done", "compare sweep: baseline level 2/3 done", "compare sweep: baseline level 3/3 done",
             "compare sweep: proposal level 1/3 done", "compare sweep: proposal level 2/3 done", "compare sweep: proposal level 3/3 done"],
            lines);
        Assert.Contains("bad debt baseline", text.ToString());
    }

    [Fact]
    public void Every_verb_takes_json_as_a_file_or_dash_and_names_the_exit_codes_in_its_help()
    {
        var verbs = Leaves(Verbs.All()).ToList();
        Assert.True(verbs.Count >= 9, $"only {verbs.Count} verbs");
        foreach (var (path, command) in verbs)
        {
            var json = command.Options.SingleOrDefault(o => o.Name == "--json");
            Assert.True(json is Option<string?>, $"{path}: --json is not an option taking FILE or -");
            Assert.Equal("FILE|-", json!.HelpName);
            Assert.Contains("2 bad input", command.Description);
            Assert.Contains("3 chain or RPC failure", command.Description);
            Assert.Equal(command.Options.Any(o => o.Name == "--fail-if"), command.Description!.Contains("1 a --fail-if limit crossed", StringComparison.Ordinal));
        }

        static IEnumerable<(string, Command)> Leaves(IEnumerable<Command> commands, string prefix = "defirisk") =>
            commands.SelectMany(c => c.Subcommands.Count > 0 ? Leaves(c.Subcommands, $"{prefix} {c.Name}") : [($"{prefix} {c.Name}", c)]);
    }
}
