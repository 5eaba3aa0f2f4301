using DefiRisk.Chain.Tests.Indexing;
using DefiRisk.Core;

namespace DefiRisk.Chain.Tests.CommandLine;

/// <summary><c>--market mainnet</c> (issue 12 items 3–4) on the indexed demo fixture, and a model that does not exist.</summary>
[Collection(DemoChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class MarketModelCommandTests(DemoChain chain)
{
    [Fact]
    public async Task Simulate_with_the_mainnet_market_funds_calls_by_flash_loan_and_states_the_models_in_the_report()
    {
        var report = Path.Combine(Path.GetTempPath(), $"defirisk-market-{Guid.NewGuid():N}.md");
        try
        {
            var replay = await DefiRiskCli.RunAsync("simulate", "--db", chain.Database, "--shock", "WETH=-10%", "--json", "-");
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
        }
        finally { File.Delete(report); }
    }

    [Fact]
    public async Task An_unknown_market_model_is_refused_in_one_line()
    {
        var line = DefiRiskCli.AssertOneLineFailure(await DefiRiskCli.RunAsync("simulate", "--db", chain.Database, "--shock", "WETH=-10%", "--market", "cex"), ExitCodes.UserError);
        Assert.Contains("--market cex", line);
    }
}
