using System.Numerics;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Breakers;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Proposals;
using DefiRisk.Core.Protocols;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Core.Tests.Analysis;
using Xunit.Abstractions;

namespace DefiRisk.Core.Tests.Breakers;

/// <summary>
/// Each circuit breaker's fast rule against its exact rule, on the synthetic Aave + Morpho snapshot with shallow pools
/// (cascades of several rounds) along a falling multi-step path. Stated tolerance: the same liquidated positions, the same
/// number of liquidations in every round, the same rounds with liquidations (and endogenous); liquidated value, bad debt
/// and bonus within 1e-6 relative (the caps and the minimum rule on USD 8-decimal amounts the fast path floors from
/// doubles, so a call shrunk to a cap's room may differ by a few base units). Each case checks the breaker acted: it
/// changed the exact outcome against the baseline, so a fast path ignoring it would fail.
/// </summary>
public sealed class FastBreakerDifferentialTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-6;
    private static readonly BigInteger Hf095 = 950_000_000_000_000_000;

    private static readonly Scenario FallingPath = new("falling", [
        new ShockStep([new AssetShock(SyntheticSnapshot.Weth, -0.12m), new AssetShock(SyntheticSnapshot.Wbtc, -0.08m)]),
        new ShockStep([new AssetShock(SyntheticSnapshot.Weth, -0.08m)]),
        new ShockStep([new AssetShock(SyntheticSnapshot.Weth, -0.10m), new AssetShock(SyntheticSnapshot.Wbtc, -0.12m)]),
        new ShockStep([]),
        new ShockStep([new AssetShock(SyntheticSnapshot.Weth, -0.08m)])]);

    public static TheoryData<string, int> Revisions => new()
    {
        { "v3.0", 1 }, { "v3.3", AaveV3Revision.V3_3 }, { "v3.5", AaveV3Revision.V3_5 },
    };

    private static BreakerSettings Caps(params LiquidationCap[] caps) => new(caps, null, null, null);

    [Theory]
    [MemberData(nameof(Revisions))]
    public void A_global_liquidation_cap_defers_the_same_calls_on_both_paths(string release, int revision)
    {
        _ = release;
        Check(revision, Caps(new LiquidationCap(CapScope.Global, null, 60_000_00000000, 2)));
    }

    [Fact]
    public void A_per_protocol_cap_on_morpho_shrinks_its_calls_pro_rata_on_both_paths()
    {
        var s = Snapshot(AaveV3Revision.V3_3);
        Check(s, Caps(new LiquidationCap(CapScope.Protocol, s.Books[1].Protocol, 15_000_00000000, 1)));
    }

    [Fact]
    public void A_per_collateral_cap_on_weth_defers_the_same_calls_on_both_paths() =>
        Check(AaveV3Revision.V3_3, Caps(new LiquidationCap(CapScope.CollateralAsset, "WETH", 50_000_00000000, 3)));

    [Theory]
    [MemberData(nameof(Revisions))]
    public void A_minimum_liquidation_size_skips_the_same_calls_on_both_paths(string release, int revision)
    {
        _ = release;
        Check(revision, new BreakerSettings([], null, null, 3_000_00000000));
    }

    [Fact]
    public void A_deviation_pause_with_a_grace_period_holds_back_the_same_positions_on_both_paths() =>
        Check(AaveV3Revision.V3_3, new BreakerSettings([], null, new DeviationPause(500, 1, 1, 2, Hf095), null));

    [Theory]
    [InlineData(1, new string[0])]
    [InlineData(2, new[] { "WETH" })]
    [InlineData(1, new[] { "wstETH" })]
    [InlineData(2, new[] { "WBTC", "wstETH" })]
    public void An_oracle_delay_per_asset_shows_the_same_prices_and_liquidates_the_same_on_both_paths(int steps, string[] assets) =>
        Check(AaveV3Revision.V3_3, new BreakerSettings([], new OracleDelay(steps, assets), null, null));

    [Fact]
    public void Caps_a_minimum_a_pause_and_a_delay_together_agree_on_both_paths() =>
        Check(1, new BreakerSettings([new LiquidationCap(CapScope.Global, null, 80_000_00000000, 2)], new OracleDelay(1, ["WETH"]),
            new DeviationPause(900, 2, 1, 1, Hf095), 1_000_00000000));

    private static Domain.Snapshot Snapshot(int revision) => SyntheticSnapshot.Generate(600, 3, revision, poolDepthUsdPerPosition: 3_000);

    private void Check(int revision, BreakerSettings breakers) => Check(Snapshot(revision), breakers);

    private void Check(Domain.Snapshot s, BreakerSettings breakers)
    {
        var options = ProposalBreakers.Options(SimulationOptions.Default, TestProposal.Create("p", "", [], [], null, [], breakers), s);
        var baseline = CascadeSimulator.Simulate(s, FallingPath);
        var (exact, fast) = FastExactComparison.Run(s, FallingPath, options);
        output.WriteLine($"{options.CircuitBreaker.Name}: baseline {baseline.Totals.Liquidations} liq ${baseline.Totals.LiquidatedValueUsd:N2}; " +
            $"exact {exact.Totals.Liquidations} liq ${exact.Totals.LiquidatedValueUsd:N2} bad ${exact.Totals.BadDebtUsd:N2} in {exact.Rounds.Count} rounds; " +
            $"fast {fast.Liquidations} liq ${fast.LiquidatedValueUsd:N2} bad ${fast.BadDebtUsd:N2}");
        Assert.True(exact.Totals.Liquidations != baseline.Totals.Liquidations
            || Math.Abs(exact.Totals.LiquidatedValueUsd - baseline.Totals.LiquidatedValueUsd) > 1
            || !exact.Rounds.Select(r => r.Liquidations.Count).SequenceEqual(baseline.Rounds.Select(r => r.Liquidations.Count)),
            "the breaker must change the exact liquidations for the comparison to mean anything");
        var exactPerRound = exact.Rounds.Select(r => r.Liquidations.Count).ToList();
        Assert.Equal(exactPerRound, fast.LiquidationsPerRound!.Take(exactPerRound.Count).ToList());
        Assert.Equal(exactPerRound.Count, fast.LiquidationsPerRound!.Count);
        FastExactComparison.AssertSame(s, exact, fast, Tolerance);
    }
}
