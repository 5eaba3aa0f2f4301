// Golden outputs: issue 10's "behaviour is unchanged", pinned before the protocol/venue refactor. Each test runs one
// verb in-process, with JSON output, on both bundled fixtures (each served once on anvil and indexed once into SQLite by
// GoldenDatabases) and compares the JSON structurally with Golden/Expectations/<fixture>/<case>.json (GoldenJson: keys
// and order, array lengths, strings and integers exact, doubles within 1e-12 relative).
//
// Regenerate: DEFIRISK_REGENERATE_GOLDENS=1 dotnet test tests/DefiRisk.Chain.Tests/DefiRisk.Chain.Tests.csproj -c Release
//   --filter "Category=Golden" — the tests then write the expectations instead of comparing (and pass). A change that
// alters outputs on purpose regenerates them in the same commit and lists what changed in its note (Golden/README.md).
using System.CommandLine;
using DefiRisk.Cli;
using DefiRisk.Core;

namespace DefiRisk.Chain.Tests.Golden;

[Trait("Category", "Golden")]
public sealed class GoldenOutputTests(GoldenDatabases databases) : IClassFixture<GoldenDatabases>
{
    private static string ExampleProposal => Path.Combine(GoldenOutput.RepositoryRoot, "fixtures", "example-proposal.json");

    [Theory]
    [InlineData(GoldenDatabases.Demo)]
    [InlineData(GoldenDatabases.MainnetLike)]
    public async Task Positions_as_json_match_the_golden_output(string fixture) =>
        GoldenOutput.Check(fixture, "positions", await StdoutOfAsync("positions", "--db", databases.Database(fixture), "--json", "-"));

    [Theory]
    [InlineData(GoldenDatabases.Demo)]
    [InlineData(GoldenDatabases.MainnetLike)]
    public async Task Simulate_at_WETH_minus_25_percent_matches_the_golden_output(string fixture) =>
        GoldenOutput.Check(fixture, "simulate-weth-25", await JsonOfAsync(fixture, "simulate", "--shock", "WETH=-25%"));

    [Theory]
    [InlineData(GoldenDatabases.Demo)]
    [InlineData(GoldenDatabases.MainnetLike)]
    public async Task Simulate_along_the_path_WETH_minus_10_10_5_percent_matches_the_golden_output(string fixture) =>
        GoldenOutput.Check(fixture, "simulate-weth-path-10-10-5", await JsonOfAsync(fixture, "simulate", "--shock", "WETH=-10%,-10%,-5%"));

    [Theory]
    [InlineData(GoldenDatabases.Demo)]
    [InlineData(GoldenDatabases.MainnetLike)]
    public async Task Simulate_at_WETH_minus_25_percent_with_a_one_round_oracle_lag_matches_the_golden_output(string fixture) =>
        GoldenOutput.Check(fixture, "simulate-weth-25-oracle-lag-1", await JsonOfAsync(fixture, "simulate", "--shock", "WETH=-25%", "--oracle-lag", "1"));

    // sweep's --from/--to/--step are drops, with their % sign: "--from 0% --to 60% --step 5%" is the levels
    // 0 %, −5 %, … −60 % (SweepCommand.Levels).
    [Theory]
    [InlineData(GoldenDatabases.Demo)]
    [InlineData(GoldenDatabases.MainnetLike)]
    public async Task Sweep_of_WETH_drops_from_0_to_60_percent_in_steps_of_5_matches_the_golden_output(string fixture) =>
        GoldenOutput.Check(fixture, "sweep-weth-0-60-5", await JsonOfAsync(fixture, "sweep", "--asset", "WETH", "--from", "0%", "--to", "60%", "--step", "5%"));

    // compare's sweep options take the same positive drop percentages as sweep.
    [Theory]
    [InlineData(GoldenDatabases.Demo)]
    [InlineData(GoldenDatabases.MainnetLike)]
    public async Task Compare_of_the_example_proposal_at_WETH_minus_30_percent_with_a_WETH_sweep_matches_the_golden_output(string fixture) =>
        GoldenOutput.Check(fixture, "compare-example-weth-30-sweep-0-60-5", await JsonOfAsync(fixture, "compare", "--proposal", ExampleProposal,
            "--shock", "WETH=-30%", "--sweep-asset", "WETH", "--from", "0%", "--to", "60%", "--step", "5%"));

    /// <summary>Runs a verb that writes its result with <c>--json FILE</c> and returns the file's text.</summary>
    private async Task<string> JsonOfAsync(string fixture, params string[] args)
    {
        var file = Path.Combine(databases.TempDir, $"{Guid.NewGuid():N}.json");
        await StdoutOfAsync([.. args, "--db", databases.Database(fixture), "--json", file, "--quiet"]);
        return File.ReadAllText(file);
    }

    /// <summary>Runs a verb in-process as the program does (every verb, CliRunner) and returns what it printed on stdout.</summary>
    private static async Task<string> StdoutOfAsync(params string[] args)
    {
        var root = new RootCommand("golden");
        foreach (var verb in Verbs.All()) root.Subcommands.Add(verb);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var (savedOut, savedError) = (Console.Out, Console.Error);
        // Safe: test collections run one after another (AssemblyInfo.cs), so nothing else writes to the console meanwhile.
        Console.SetOut(stdout);
        Console.SetError(stderr);
        int exit;
        try { exit = await CliRunner.RunAsync(root, args); }
        finally { Console.SetOut(savedOut); Console.SetError(savedError); }
        Assert.True(exit == ExitCodes.Ok, $"defirisk {string.Join(" ", args)} exited {exit}: {stderr}");
        return stdout.ToString();
    }
}
