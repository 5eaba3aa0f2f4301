using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DefiRisk.Chain.Rpc;
using DefiRisk.Chain.Tests.Indexing;
using DefiRisk.Cli;
using DefiRisk.Core;
using DefiRisk.Harness;

namespace DefiRisk.Chain.Tests.CommandLine;

/// <summary>
/// The CLI never surprises (issue 15, items 1, 3, 4 and 5): a chain failure is one line and exit 3, bad input one line
/// and exit 2, never a stack trace, never the whole help, never exit 1 (reserved for a crossed --fail-if). Run through the
/// real command tree against the demo fixture on anvil.
/// </summary>
[Collection(DemoChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class CliBadInputTests(DemoChain chain)
{
    private static string Root => NodeModules.Locate().RepositoryRoot;
    private static string Example => Path.Combine(Root, "fixtures", "example-proposal.json");

    private string TempFile(string text, string extension = ".json")
    {
        var path = Path.Combine(chain.TempDir, $"{Guid.NewGuid():N}{extension}");
        File.WriteAllText(path, text);
        return path;
    }

    // ------------------------------------------------------------------ 1: chain failures

    [Fact]
    public async Task Index_at_a_block_whose_state_the_node_no_longer_has_is_one_line_and_exit_3()
    {
        var db = chain.NewDatabase();
        var run = await DefiRiskCli.RunAsync("index", "--rpc", chain.Server.RpcUrl, "--db", db, "--deployments", chain.ManifestPath, "--block", "3", "--quiet");
        var line = DefiRiskCli.AssertOneLineFailure(run, ExitCodes.ChainError);
        Assert.Contains("BlockOutOfRange", line);
        Assert.Contains("no state at that block", line);
        Assert.False(File.Exists(db) && new Storage.SnapshotStore(db).List().Count > 0, "a snapshot was written");
    }

    [Fact]
    public async Task Index_with_another_fixtures_manifest_is_one_line_and_exit_3()
    {
        var other = Path.Combine(Root, "fixtures", "mainnet-like", "manifest.json");
        var run = await DefiRiskCli.RunAsync("index", "--rpc", chain.Server.RpcUrl, "--db", chain.NewDatabase(), "--deployments", other, "--quiet");
        DefiRiskCli.AssertOneLineFailure(run, ExitCodes.ChainError);
    }

    [Fact]
    public void Every_rpc_error_answer_and_transport_failure_maps_to_exit_3_and_file_problems_to_exit_2()
    {
        // The general cause of item 1: exception types below the CLI that the one-line handler did not know.
        Assert.Equal(ExitCodes.ChainError, CliRunner.Describe(new RpcErrorException("eth_call", -32000, "header not found")).Code);
        Assert.Equal(ExitCodes.ChainError, CliRunner.Describe(new HttpRequestException("connection refused")).Code);
        Assert.Equal(ExitCodes.ChainError, CliRunner.Describe(new SocketException()).Code);
        Assert.Equal(ExitCodes.UserError, CliRunner.Describe(new UnauthorizedAccessException("denied")).Code);
        Assert.Equal(ExitCodes.UserError, CliRunner.Describe(new IOException("disk full")).Code);
        var (line, code) = CliRunner.Describe(new InvalidOperationException("first\n   at somewhere"));
        Assert.Equal(CliRunner.InternalError, code);
        Assert.DoesNotContain('\n', line);
    }

    // ------------------------------------------------------------------ 3: units

    [Theory]
    [InlineData("simulate", "--shock", "WETH=-0.3", "write -30% if it is a fraction, -0.3% if it is percent")]
    [InlineData("simulate", "--shock", "WETH=-30", "write -30% if it is percent")]
    [InlineData("simulate", "--shock", "WETH=-2,5%", "decimals take a point")]
    [InlineData("compare", "--shock", "WETH=-0.3", "has no unit")]
    [InlineData("sweep", "--asset", "WETH", "--to", "20", "'20' has no unit")]
    [InlineData("compare", "--sweep-asset", "WETH", "--to", "0.2", "'0.2' has no unit")]
    public async Task A_number_without_a_unit_is_refused_with_one_line_saying_how_to_write_it(params string[] args)
    {
        var expected = args[^1];
        string[] verb = [.. args[..^1], "--db", chain.Database, "--quiet"];
        if (verb[0] == "compare") verb = [.. verb, "--proposal", Example];
        var line = DefiRiskCli.AssertOneLineFailure(await DefiRiskCli.RunAsync(verb), ExitCodes.UserError);
        Assert.Contains(expected, line);
        Assert.Contains("--fractions", line);
    }

    [Fact]
    public async Task A_path_file_and_bench_sweep_take_the_same_units_as_every_other_verb()
    {
        var path = TempFile("WETH=-10%\nWETH=-5\n", ".txt");
        var line = DefiRiskCli.AssertOneLineFailure(await DefiRiskCli.RunAsync("simulate", "--db", chain.Database, "--path", path, "--quiet"), ExitCodes.UserError);
        Assert.Contains("'-5' has no unit", line);
        line = DefiRiskCli.AssertOneLineFailure(await DefiRiskCli.RunAsync("bench", "sweep", "--positions", "100", "--levels", "2", "--from", "0.5"), ExitCodes.UserError);
        Assert.Contains("'0.5' has no unit", line);
        var ok = await DefiRiskCli.RunAsync("bench", "sweep", "--positions", "100", "--levels", "2", "--from", "5%", "--to", "10%", "--json", "-");
        Assert.True(ok.Code == 0, ok.ToString());
    }

    [Fact]
    public async Task With_fractions_a_bare_number_is_a_fraction_of_one_and_gives_the_percent_result()
    {
        var percent = await DefiRiskCli.RunAsync("simulate", "--db", chain.Database, "--shock", "WETH=-10%", "--json", "-");
        var fraction = await DefiRiskCli.RunAsync("simulate", "--db", chain.Database, "--shock", "WETH=-0.1", "--fractions", "--json", "-");
        Assert.True(percent.Code == 0 && fraction.Code == 0, $"{percent} / {fraction}");
        Assert.Contains("\"liquidations\"", percent.Stdout);
        Assert.Equal(Totals(percent.Stdout), Totals(fraction.Stdout));

        var sweepPercent = await DefiRiskCli.RunAsync("sweep", "--db", chain.Database, "--asset", "WETH", "--to", "-10%", "--step", "5%", "--json", "-");
        var sweepFraction = await DefiRiskCli.RunAsync("sweep", "--db", chain.Database, "--asset", "WETH", "--to", "0.1", "--step", "0.05", "--fractions", "--json", "-");
        Assert.Equal(sweepPercent.Stdout, sweepFraction.Stdout);
        Assert.Contains("-0.1", sweepPercent.Stdout);

        static string Totals(string json) => System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("totals").GetRawText();
    }

    // ------------------------------------------------------------------ 4: typos

    [Theory]
    [InlineData("error: unknown option '--shok' (did you mean '--shock'?); see 'defirisk simulate --help'", "simulate", "--shok", "WETH=-30%")]
    [InlineData("error: unknown verb 'simulat' (did you mean 'simulate'?); see 'defirisk --help'", "simulat", "--shock", "WETH=-30%")]
    [InlineData("error: unknown option '--prot' (did you mean '--port'?); see 'defirisk fixture up --help'", "fixture", "up", "fixtures/demo", "--prot", "1")]
    [InlineData("error: option '--proposal' is required; see 'defirisk compare --help'", "compare", "--shock", "WETH=-30%")]
    [InlineData("error: no verb given (build, up, capture); see 'defirisk fixture --help'", "fixture")]
    public async Task A_typo_is_one_line_pointing_at_the_help_and_exit_2_not_the_help_and_exit_1(string expected, params string[] args)
    {
        var run = await DefiRiskCli.RunAsync(args);
        Assert.Equal(expected, DefiRiskCli.AssertOneLineFailure(run, ExitCodes.UserError));
        Assert.Equal("", run.Stdout);
    }

    // ------------------------------------------------------------------ 5: empty proposals, ports, directories, JSON

    [Fact]
    public async Task A_proposal_that_changes_nothing_is_refused_before_anything_runs()
    {
        var weth = chain.Stored.FindAsset("WETH")!;
        var lt = chain.Stored.AaveV3Markets()[0].Market.Reserves.Single(r => r.Asset == weth.Address).LiquidationThreshold;
        var same = $$"""{ "aave-v3": { "reserves": { "WETH": { "liquidationThreshold": "{{(lt / 100m).ToString(CultureInfo.InvariantCulture)}}%" } } } }""";
        foreach (var proposal in new[] { "{}", """{ "name": "nothing" }""", same })
        {
            var file = TempFile(proposal);
            var json = Path.Combine(chain.TempDir, $"{Guid.NewGuid():N}.json");
            var line = DefiRiskCli.AssertOneLineFailure(await DefiRiskCli.RunAsync("compare", "--db", chain.Database, "--proposal", file, "--shock", "WETH=-30%", "--json", json),
                ExitCodes.UserError);
            Assert.Equal($"error: proposal {file} changes nothing: it sets no breaker and every parameter it names keeps its current value", line);
            Assert.False(File.Exists(json), "a comparison ran");
        }
    }

    [Fact]
    public async Task Fixture_up_on_a_port_in_use_is_one_line_and_never_says_serving()
    {
        // The worst case: the port's listener is another anvil with the same chain id, which answers the start-up probe.
        var port = new Uri(chain.Server.RpcUrl).Port;
        var run = await DefiRiskCli.RunAsync("fixture", "up", Path.Combine(Root, "fixtures", "demo"), "--port", port.ToString(CultureInfo.InvariantCulture));
        var line = DefiRiskCli.AssertOneLineFailure(run, ExitCodes.UserError);
        Assert.Contains($"port {port}", line);
        Assert.Contains("in use", line);
        Assert.DoesNotContain("serving", run.Stdout);

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var busy = ((IPEndPoint)listener.LocalEndpoint).Port;
        run = await DefiRiskCli.RunAsync("fixture", "up", Path.Combine(Root, "fixtures", "demo"), "--port", busy.ToString(CultureInfo.InvariantCulture));
        Assert.Contains("in use", DefiRiskCli.AssertOneLineFailure(run, ExitCodes.UserError));
    }

    [Theory]
    [InlineData("--proposal", "proposal file")]
    [InlineData("--db", "database")]
    [InlineData("--path", "--path")]
    public async Task A_directory_given_where_a_file_is_expected_is_named_a_directory(string option, string what)
    {
        var dir = chain.TempDir;
        string[] args = ["compare", "--db", chain.Database, "--proposal", Example];
        args = option == "--path" ? [.. args, "--path", dir] : [.. args, "--shock", "WETH=-30%"];
        for (var i = 0; i < args.Length - 1; i++) if (args[i] == option) args[i + 1] = dir;
        var line = DefiRiskCli.AssertOneLineFailure(await DefiRiskCli.RunAsync(args), ExitCodes.UserError);
        Assert.Equal($"error: {what} {dir} is a directory, not a file", line);

        line = DefiRiskCli.AssertOneLineFailure(await DefiRiskCli.RunAsync("index", "--rpc", chain.Server.RpcUrl, "--db", chain.NewDatabase(), "--deployments", dir), ExitCodes.UserError);
        Assert.Equal($"error: deployments file {dir} is a directory", line);
        line = DefiRiskCli.AssertOneLineFailure(await DefiRiskCli.RunAsync("simulate", "--db", chain.Database, "--shock", "WETH=-30%", "--json", dir), ExitCodes.UserError);
        Assert.Equal($"error: --json {dir} is a directory, not a file", line);
    }

    [Theory]
    // Line 3, column 17 (both from 1): the ']' where a key or '}' should come.
    [InlineData("{\n  \"name\": \"x\",\n  \"breakers\": { ] }\n", "line 3, column 17: ']' where a key was expected (keys take double quotes)")]
    [InlineData("{ \"name\": \"é\", \"breakers\": ", "line 1, column 28: the JSON ends before every object and list is closed")]
    [InlineData("", "the file is empty")]
    public async Task A_json_syntax_error_is_one_line_in_plain_words_with_line_and_column_from_1(string text, string expected)
    {
        var file = TempFile(text);
        var line = DefiRiskCli.AssertOneLineFailure(await DefiRiskCli.RunAsync("compare", "--db", chain.Database, "--proposal", file, "--shock", "WETH=-30%"), ExitCodes.UserError);
        Assert.Contains($"malformed proposal file {file}: ", line);
        Assert.EndsWith(expected, line);
        foreach (var dotnet in new[] { "isFinalBlock", "BytePositionInLine", "LineNumber", "System." }) Assert.DoesNotContain(dotnet, line);

        var manifest = TempFile(text);
        line = DefiRiskCli.AssertOneLineFailure(await DefiRiskCli.RunAsync("index", "--rpc", chain.Server.RpcUrl, "--db", chain.NewDatabase(), "--deployments", manifest), ExitCodes.UserError);
        Assert.StartsWith($"error: malformed deployments file {manifest}: ", line);
        foreach (var dotnet in new[] { "isFinalBlock", "BytePositionInLine", "LineNumber", "System.", ".NET" }) Assert.DoesNotContain(dotnet, line);
    }
}
