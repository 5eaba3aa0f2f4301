using System.Numerics;
using DefiRisk.Chain.Deployments;
using DefiRisk.Harness;
using DefiRisk.Cli.Commands;
using Spectre.Console;

namespace DefiRisk.Chain.Tests.Harness;

/// <summary><c>defirisk fixture build</c> end to end, with a small borrower count to stay fast.</summary>
[Trait("Category", "ChainParity")]
public sealed class FixtureBuildTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"defirisk-fixture-build-{Guid.NewGuid():N}");

    private async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Interactive = InteractionSupport.No,
            Ansi = AnsiSupport.No,
        });
        var root = new System.CommandLine.RootCommand { FixtureCommands.Create(console) };
        var exit = await root.Parse(args).InvokeAsync();
        return (exit, output.ToString());
    }

    [Fact]
    public async Task The_same_seed_builds_byte_identical_fixtures_and_another_seed_other_borrowers()
    {
        var a = Path.Combine(_root, "a");
        var b = Path.Combine(_root, "b");
        var c = Path.Combine(_root, "c");
        Assert.Equal(0, (await RunAsync("fixture", "build", "--out", a, "--borrowers", "30", "--seed", "7", "--quiet")).Exit);
        Assert.Equal(0, (await RunAsync("fixture", "build", "--out", b, "--borrowers", "30", "--seed", "7", "--quiet")).Exit);
        Assert.Equal(0, (await RunAsync("fixture", "build", "--out", c, "--borrowers", "30", "--seed", "8", "--quiet")).Exit);

        // A small build stays under the 5 MB limit: plain state.json.
        Assert.True(File.Exists(Path.Combine(a, FixtureServer.StateJson)));
        Assert.Equal(File.ReadAllText(Path.Combine(a, "manifest.json")), File.ReadAllText(Path.Combine(b, "manifest.json")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, FixtureServer.StateJson)), File.ReadAllBytes(Path.Combine(b, FixtureServer.StateJson)));

        var factsA = FixtureFacts.From(DeploymentManifest.Load(Path.Combine(a, "manifest.json")), "a");
        var factsC = FixtureFacts.From(DeploymentManifest.Load(Path.Combine(c, "manifest.json")), "c");
        Assert.Equal(30, factsA.Borrowers.Count);
        Assert.Empty(factsA.Borrowers.Intersect(factsC.Borrowers));
        // Contracts come before any borrower: the same addresses whatever the seed.
        Assert.Equal(factsA.Tokens["WETH"].Address, factsC.Tokens["WETH"].Address);
    }

    [Fact]
    public async Task A_built_fixture_serves_its_positions_at_the_saved_block()
    {
        var dir = Path.Combine(_root, "served");
        var (exit, output) = await RunAsync("fixture", "build", "--out", dir, "--borrowers", "20", "--seed", "3");
        Assert.Equal(0, exit);
        Assert.Contains("fixture written to", output);

        await using var server = await FixtureServer.StartAsync(dir);
        Assert.Equal(server.Facts.Block, await server.Node.BlockNumberAsync());
        var aaveBorrowers = 0;
        foreach (var borrower in server.Facts.Borrowers)
        {
            var data = await server.Node.Rpc.CallAsync("eth_call", new Dictionary<string, object>
            {
                ["to"] = server.Manifest.AaveV3()[0].Pool,
                // getUserAccountData(address)
                ["data"] = "0xbf92857c" + borrower[2..].PadLeft(64, '0'),
            }, "latest");
            var hex = data.GetString()!;
            var debt = BigInteger.Parse("0" + hex.Substring(2 + 64, 64), System.Globalization.NumberStyles.HexNumber);
            if (!debt.IsZero) aaveBorrowers++;
        }
        Assert.Equal(server.Facts.AaveBorrowers, aaveBorrowers);
        Assert.True(aaveBorrowers > 10);
    }

    [Theory]
    [InlineData("demo", "--aave", "3.0", "--borrowers", "400", "--seed", "42")]
    [InlineData("mainnet-like", "--aave", "3.6", "--profile", "mainnet-like", "--uniswap-v3", "pools", "--feed-history-rounds", "240", "--seed", "42")]
    public async Task Rebuilding_a_bundled_fixture_gives_the_committed_bytes(string name, params string[] options)
    {
        var committed = Path.Combine(NodeModules.Locate().RepositoryRoot, "fixtures", name);
        var dir = Path.Combine(_root, name);
        Assert.Equal(0, (await RunAsync(["fixture", "build", "--out", dir, "--quiet", .. options])).Exit);
        Assert.Equal(File.ReadAllBytes(Path.Combine(committed, "manifest.json")), File.ReadAllBytes(Path.Combine(dir, "manifest.json")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(committed, FixtureServer.StateGzip)), File.ReadAllBytes(Path.Combine(dir, FixtureServer.StateGzip)));
    }

    [Fact]
    public async Task The_mainnet_like_profile_records_itself_and_draws_its_own_population()
    {
        var dir = Path.Combine(_root, "ml");
        Assert.Equal(0, (await RunAsync("fixture", "build", "--out", dir, "--profile", "mainnet-like", "--borrowers", "60", "--seed", "5", "--quiet")).Exit);
        var demo = Path.Combine(_root, "demo");
        Assert.Equal(0, (await RunAsync("fixture", "build", "--out", demo, "--borrowers", "60", "--seed", "5", "--quiet")).Exit);
        var facts = FixtureFacts.From(DeploymentManifest.Load(Path.Combine(dir, "manifest.json")), "ml");
        var demoFacts = FixtureFacts.From(DeploymentManifest.Load(Path.Combine(demo, "manifest.json")), "demo");
        Assert.Equal("mainnet-like", facts.Profile);
        Assert.Null(demoFacts.Profile);
        Assert.Equal(60, facts.Borrowers.Count);
        Assert.Empty(facts.Borrowers.Intersect(demoFacts.Borrowers));
        Assert.True(facts.AaveBorrowers > 0 && facts.MorphoBorrowers > 0);

        // Deeper pools: the WETH/USDC pair holds 600,000 WETH instead of 5,000.
        await using var server = await FixtureServer.StartAsync(dir);
        var pair = server.Facts.UniswapPairs["WETH/USDC"];
        var balance = await server.Node.Rpc.CallAsync("eth_call", new Dictionary<string, object>
        {
            ["to"] = server.Facts.Token("WETH").Address,
            // balanceOf(address)
            ["data"] = "0x70a08231" + pair[2..].PadLeft(64, '0'),
        }, "latest");
        Assert.Equal(BigInteger.Parse("600000") * BigInteger.Pow(10, 18), BigInteger.Parse("0" + balance.GetString()![2..], System.Globalization.NumberStyles.HexNumber));
    }

    [Fact]
    public async Task An_unknown_profile_is_refused()
    {
        var (exit, _) = await RunAsync("fixture", "build", "--out", Path.Combine(_root, "x"), "--profile", "mainnet");
        Assert.NotEqual(0, exit);
        Assert.False(Directory.Exists(Path.Combine(_root, "x")));
    }

    [Fact]
    public async Task Serving_a_directory_without_a_fixture_is_one_clear_error()
    {
        Directory.CreateDirectory(_root);
        var ex = await Assert.ThrowsAsync<DefiRisk.Core.DefiRiskException>(() => FixtureServer.StartAsync(_root));
        Assert.Contains("manifest.json does not exist", ex.Message);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
