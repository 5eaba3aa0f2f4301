using DefiRisk.Chain.Tests.Indexing;
using DefiRisk.Core;

namespace DefiRisk.Chain.Tests.CommandLine;

/// <summary><c>--market mainnet</c> (issue 12 items 3–4, the default) and <c>--market replay</c> on the indexed demo fixture, and a model that does not exist.</summary>
[Collection(DemoChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class MarketModelCommandTests(DemoChain chain)
{
    [Fact]
    public async Task Simulate_with_the_mainnet_market_funds_calls_by_flash_loan_and_states_the_models_in_the_report()
    {
        // A directory of its own: the Markdown report writes its charts beside it.
        var dir = Directory.CreateTempSubdirectory("defirisk-market-");
        var report = Path.Combine(dir.FullName, "report.md");
        try
        {
            var replay = await DefiRiskCli.RunAsync("simulate", "--db", chain.Database, "--shock", "WETH=-10%", "--market", "replay", "--json", "-");
            var mainnet = await DefiRiskCli.RunAsync("simulate", "--db", chain.Database, "--shock", "WETH=-10%", "--market", "mainnet", "--json", "-", "--report", report);
            Assert.True(replay.Code == 0 && mainnet.Code == 0, $"{replay} / {mainnet}");
            Assert.DoesNotContain("\"flashLoanFee\"", replay.Stdout);
            Assert.Contains("\"flashLoanFee\"", mainnet.Stdout);
            var text = await File.ReadAllTextAsync(report);
            var assumptions = text[text.IndexOf("Assumptions", StringComparison.Ordinal)..];
            Assert.True(assumptions.Contains("one per asset", StringComparison.Ordinal), assumptions[..Math.Min(3000, assumptions.Length)]);
            Assert.Contains("best execution", assumptions);
            Assert.Contains("Morpho Blue flashLoan", assumptions);
            Assert.Contains("500,000 gas", assumptions);
            // The demo pool is 3.0: what limits a liquidator taking the underlying is each aToken's balance of it, read at the block.
            Assert.Contains("underlying a liquidator can take | each aToken's balance of the underlying read at the block", assumptions);
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public async Task The_mainnet_market_is_the_default_and_the_replay_model_is_chosen_by_name_and_stated_in_the_report()
    {
        // A directory of its own: the Markdown report writes its charts beside it.
        var dir = Directory.CreateTempSubdirectory("defirisk-market-");
        var report = Path.Combine(dir.FullName, "report.md");
        try
        {
            var byDefault = await DefiRiskCli.RunAsync("simulate", "--db", chain.Database, "--shock", "WETH=-10%", "--json", "-");
            var mainnet = await DefiRiskCli.RunAsync("simulate", "--db", chain.Database, "--shock", "WETH=-10%", "--market", "mainnet", "--json", "-");
            var replay = await DefiRiskCli.RunAsync("simulate", "--db", chain.Database, "--shock", "WETH=-10%", "--market", "replay", "--json", "-", "--report", report);
            Assert.True(byDefault.Code == 0 && mainnet.Code == 0 && replay.Code == 0, $"{byDefault} / {mainnet} / {replay}");
            Assert.Equal(mainnet.Stdout, byDefault.Stdout);
            Assert.NotEqual(replay.Stdout, byDefault.Stdout);
            var text = await File.ReadAllTextAsync(report);
            var assumptions = text[text.IndexOf("Assumptions", StringComparison.Ordinal)..];
            // Markdown escapes '-' and '(': look for words without them.
            Assert.Contains("| Liquidators | each sale down the fewest", assumptions);
            Assert.Contains("| Market price | first pool", assumptions);
            Assert.DoesNotContain("one per asset", assumptions);
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public async Task An_unknown_market_model_is_refused_in_one_line()
    {
        var line = DefiRiskCli.AssertOneLineFailure(await DefiRiskCli.RunAsync("simulate", "--db", chain.Database, "--shock", "WETH=-10%", "--market", "cex"), ExitCodes.UserError);
        Assert.Contains("--market cex", line);
    }
}
