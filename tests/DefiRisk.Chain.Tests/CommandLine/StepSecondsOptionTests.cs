using System.Text.Json.Nodes;
using DefiRisk.Chain.Tests.Protocols.AaveV3;
using DefiRisk.Cli;
using DefiRisk.Cli.Commands;
using DefiRisk.Core;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Harness;
using DefiRisk.Storage;

namespace DefiRisk.Chain.Tests.CommandLine;

/// <summary>
/// Issue 11 Build 4, "scenarios have a stated step length in seconds": <c>--step-seconds</c> on the verbs that run cascades,
/// validated in one place, stated in the report, and able to change when a liquidation held back by a grace period happens.
/// </summary>
[Collection(AaveV36ChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class StepSecondsOptionTests(AaveV36Chain chain)
{
    [Theory]
    [InlineData("simulate", "0")]
    [InlineData("simulate", "-12")]
    [InlineData("sweep", "86401")]
    [InlineData("compare", "1.5")]
    [InlineData("review", "12s")]
    public async Task A_step_length_that_is_not_a_whole_number_of_seconds_from_1_to_a_day_is_one_line_and_exit_2(string verb, string value)
    {
        var db = Path.Combine(chain.TempDir, "never-written.db");
        string[] args = verb switch
        {
            "simulate" => ["simulate", "--db", db, "--shock", "WETH=-20%"],
            "sweep" => ["sweep", "--db", db, "--asset", "WETH"],
            "compare" => ["compare", "--db", db, "--proposal", Path.Combine(NodeModules.Locate().RepositoryRoot, "fixtures", "example-proposal.json"), "--shock", "WETH=-20%"],
            _ => ["review", "--rpc", "http://127.0.0.1:1", "--deployments", chain.ManifestPath, "--payload", "0x0000000000000000000000000000000000000001", "--shock", "WETH=-20%"],
        };
        var line = DefiRiskCli.AssertOneLineFailure(await DefiRiskCli.RunAsync([.. args, "--step-seconds", value, "--quiet"]), ExitCodes.UserError);
        Assert.Contains($"--step-seconds '{value}' must be a whole number of seconds from 1 to 86400", line);
        Assert.False(File.Exists(db));
    }

    [Fact]
    public void Every_verb_that_runs_a_cascade_offers_the_one_shared_step_seconds_option()
    {
        foreach (var verb in Verbs.All().Where(v => v.Name is "simulate" or "sweep" or "compare" or "review"))
            Assert.Contains(verb.Options, o => o.Name == "--step-seconds" && o.Description!.Contains("default 12", StringComparison.Ordinal));
    }

    /// <summary>
    /// The LT-cut payload's world (WETH under a 60 s grace period, read back from the chain) simulated through the CLI: the first Aave
    /// liquidation with WETH as collateral or debt comes in the first round whose block time is past the end — round 6 at the
    /// default 12 s (72 s), round 3 at 30 s (90 s; round 2 is the end itself), round 1 at 61 s — and the report states the step.
    /// </summary>
    [Theory]
    [InlineData(null, 6)]
    [InlineData("30", 3)]
    [InlineData("61", 1)]
    public async Task The_step_length_decides_the_round_in_which_a_liquidation_held_back_by_a_grace_period_happens(string? stepSeconds, int firstWethRound)
    {
        var db = await PostPayloadDatabaseAsync();
        var weth = Address.Parse(chain.Server.Facts.Token("WETH").Address);
        var json = Path.Combine(chain.TempDir, $"{Guid.NewGuid():N}.json");
        var report = Path.Combine(chain.TempDir, $"{Guid.NewGuid():N}.md");
        string[] step = stepSeconds is null ? [] : ["--step-seconds", stepSeconds];
        var run = await DefiRiskCli.RunAsync(["simulate", "--db", db, "--shock", "WETH=-20%", "--json", json, "--report", report, "--quiet", .. step]);
        Assert.True(run.Code == ExitCodes.Ok, run.ToString());

        var rounds = JsonNode.Parse(await File.ReadAllTextAsync(json))!["rounds"]!.AsArray();
        var wethCalls = rounds.SelectMany(r => r!["liquidations"]!.AsArray())
            .Where(l => l!["protocol"]!.GetValue<string>() == AaveV3Book.Name
                        && (Address.Parse(l["collateralAsset"]!.GetValue<string>()) == weth || Address.Parse(l["debtAsset"]!.GetValue<string>()) == weth))
            .Select(l => l!["round"]!.GetValue<int>()).ToList();
        Assert.NotEmpty(wethCalls);
        Assert.Equal(firstWethRound, wethCalls.Min());
        Assert.Contains($"| Step length | {stepSeconds ?? "12"} s per round", await File.ReadAllTextAsync(report));
    }

    private string? _postPayload;

    /// <summary>The fixture after the example LT-cut payload (its 60 s WETH grace period included), indexed; the node is put back.</summary>
    private async Task<string> PostPayloadDatabaseAsync()
    {
        if (_postPayload is not null) return _postPayload;
        var manifest = chain.Server.Manifest;
        var payload = Path.Combine(NodeModules.Locate().RepositoryRoot, "fixtures", "aave-lt-cut-payload.sol");
        var db = chain.NewDatabase();
        await using (await GovernancePayloads.ExecuteAsync(chain.Server.Node.Rpc, manifest, await GovernancePayloads.PrepareAsync(manifest, [payload])))
            await chain.IndexAsync(db, IndexCommand.ParseBlock("latest"));
        var weth = Address.Parse(chain.Server.Facts.Token("WETH").Address);
        var stored = new SnapshotStore(db).Load();
        Assert.Equal(stored.Chain.BlockTimestamp + 60, stored.AaveV3Markets()[0].Market.Reserve(weth).LiquidationGracePeriodUntil);
        return _postPayload = db;
    }
}
