using System.Numerics;
using System.Text.Json.Nodes;
using DefiRisk.Core.Protocols;
using DefiRisk.Storage;

namespace DefiRisk.Chain.Tests.CommandLine;

/// <summary>
/// Issue 12 item 3: the one market price's recovery half-life and correlation groups reach the user — <c>--recovery-half-life</c>
/// and <c>--correlate</c> on the cascade verbs (one declaration, SimulationInput), <c>Simulation.RecoveryHalfLifeRounds</c> and
/// <c>Simulation.CorrelationGroups</c> in appsettings.json — and are stated in the report. On a synthetic snapshot, no chain.
/// </summary>
public sealed class PriceDynamicsVerbTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("defirisk-price-dynamics-");
    private readonly string _db;

    public PriceDynamicsVerbTests()
    {
        _db = Path.Combine(_dir.FullName, "s.db");
        new SnapshotStore(_db).Write(SyntheticSnapshot.Generate(300, seed: 2, poolDepthUsdPerPosition: 2_000)); // thin pools: sales move prices
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private static BigInteger[] MarketPrices(string json, string symbol) =>
        JsonNode.Parse(json)!["pricePath"]!.AsArray().Single(a => a!["symbol"]!.GetValue<string>() == symbol)!["marketPriceUsd"]!.AsArray()
            .Select(p => BigInteger.Parse(p!.GetValue<string>())).ToArray();

    /// <summary>The Markdown report escapes punctuation with backslashes; the sentence is what matters here.</summary>
    private static string Unescaped(string markdown) => markdown.Replace("\\", "");

    /// <summary>Liquidations that seize <paramref name="symbol"/> in round 0 (the shock step, before any sale moved a price).</summary>
    private static int RoundZeroLiquidationsOfCollateral(string json, string symbol)
    {
        var result = JsonNode.Parse(json)!;
        var asset = result["pricePath"]!.AsArray().Single(a => a!["symbol"]!.GetValue<string>() == symbol)!["asset"]!.GetValue<string>();
        return result["rounds"]!.AsArray()[0]!["liquidations"]!.AsArray().Count(l => l!["collateralAsset"]!.GetValue<string>() == asset);
    }

    [Fact]
    public async Task A_correlation_group_moves_WBTC_with_a_WETH_shock_and_liquidates_its_collateral_on_the_exact_path_and_on_the_sweeps_fast_path_and_the_report_says_so()
    {
        var alone = await DefiRiskCli.RunAsync("simulate", "--db", _db, "--shock", "WETH=-40%", "--json", "-");
        var report = Path.Combine(_dir.FullName, "grouped.md");
        var grouped = await DefiRiskCli.RunAsync("simulate", "--db", _db, "--shock", "WETH=-40%", "--correlate", "WETH,WBTC", "--json", "-", "--report", report);
        Assert.True(alone.Code == 0 && grouped.Code == 0, $"{alone} / {grouped}");

        // Round 0 is the shock step before any sale: alone WBTC holds its price and no WBTC collateral is seized then; grouped it
        // takes WETH's −40 % and WBTC collateral is liquidated in that same round. (Later rounds seize WBTC alone too: liquidators
        // taking profitable pieces sell into the thin pools and move prices.)
        var (wbtcAlone, wbtcGrouped) = (MarketPrices(alone.Stdout, "WBTC")[0], MarketPrices(grouped.Stdout, "WBTC")[0]);
        Assert.Equal(wbtcAlone * 6 / 10, wbtcGrouped, (a, b) => BigInteger.Abs(a - b) <= 1);
        Assert.Equal(0, RoundZeroLiquidationsOfCollateral(alone.Stdout, "WBTC"));
        Assert.True(RoundZeroLiquidationsOfCollateral(grouped.Stdout, "WBTC") > 0, "the group moves WBTC collateral below its liquidation threshold");
        Assert.Contains("moving together under one shock: WETH, WBTC", Unescaped(await File.ReadAllTextAsync(report)));

        // The sweep's fast path moves the group too: its −40 % level is the grouped simulate's cascade.
        var sweep = await DefiRiskCli.RunAsync("sweep", "--db", _db, "--asset", "WETH", "--from", "0%", "--to", "40%", "--step", "20%", "--correlate", "WETH,WBTC", "--json", "-");
        Assert.True(sweep.Code == 0, sweep.ToString());
        var level = JsonNode.Parse(sweep.Stdout)!["levels"]!.AsArray().Single(l => l!["shock"]!.GetValue<double>() == -0.4)!;
        var expected = JsonNode.Parse(grouped.Stdout)!["totals"]!["liquidatedValueUsd"]!.GetValue<double>();
        Assert.Equal(expected, level["liquidatedValueUsd"]!.GetValue<double>(), 1e-9 * expected);
    }

    [Fact]
    public async Task A_recovery_half_life_pulls_WETH_back_towards_the_shock_only_price_and_the_report_states_it()
    {
        var permanent = await DefiRiskCli.RunAsync("simulate", "--db", _db, "--shock", "WETH=-20%", "--json", "-");
        var report = Path.Combine(_dir.FullName, "recovering.md");
        var recovering = await DefiRiskCli.RunAsync("simulate", "--db", _db, "--shock", "WETH=-20%", "--recovery-half-life", "1", "--json", "-", "--report", report);
        Assert.True(permanent.Code == 0 && recovering.Code == 0, $"{permanent} / {recovering}");
        var (p, r) = (MarketPrices(permanent.Stdout, "WETH"), MarketPrices(recovering.Stdout, "WETH"));
        Assert.Equal(p[0], r[0]); // the shock itself does not recover
        Assert.True(p[^1] < p[0], "the sales must move WETH below the shock-only price, or recovery has nothing to undo");
        Assert.True(r[^1] > p[^1], $"with a half-life of 1 round WETH ends at {r[^1]}, not above the permanent-impact {p[^1]}");
        Assert.Contains("sales impact recovers with a half-life of 1 rounds", Unescaped(await File.ReadAllTextAsync(report)));
    }

    [Theory]
    [InlineData("--correlate", "WETH", "at least two assets")]
    [InlineData("--correlate", "WETH,NOPE", "asset 'NOPE' is not in the snapshot")]
    [InlineData("--correlate", "WETH,weth", "named twice")]
    [InlineData("--recovery-half-life", "0", "above 0 and at most 1000")]
    [InlineData("--recovery-half-life", "soon", "above 0 and at most 1000")]
    public async Task Bad_price_dynamics_are_one_line_and_exit_2(string option, string value, string message)
    {
        var run = await DefiRiskCli.RunAsync("simulate", "--db", _db, "--shock", "WETH=-20%", option, value, "--json", "-");
        Assert.Equal(2, run.Code);
        Assert.Contains(message, run.Stderr);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task The_replay_model_has_no_one_price_to_move_so_price_dynamics_with_it_are_refused_in_one_line()
    {
        var run = await DefiRiskCli.RunAsync("simulate", "--db", _db, "--shock", "WETH=-20%", "--market", "replay", "--correlate", "WETH,WBTC");
        Assert.Equal(2, run.Code);
        Assert.Contains("need --market mainnet", run.Stderr);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }
}
