using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Tests.Analysis;

namespace DefiRisk.Core.Tests.Protocols;

/// <summary>
/// Aave v3's fast rule against its exact rule, on seeded books holding only Aave accounts (no other family can mask a
/// difference): the same liquidated accounts, calls and rounds, totals within 1e-9 relative — across revisions (≤ 3.2
/// close factor and unbacked debt, 3.3 dust and deficits, 3.5 rounding, 3.6 zero-LT collateral), a proposal's close
/// factor, and shallow pools where sales do not pay.
/// </summary>
public sealed class AaveV3FastRuleTests
{
    public static TheoryData<int, int, decimal, double> Cases => new()
    {
        { 21, 1, -0.25m, 5_000 }, { 22, 1, -0.45m, 100_000 }, { 23, AaveV3Revision.V3_3, -0.30m, 2_000 },
        { 24, AaveV3Revision.V3_3, -0.55m, 10_000 }, { 25, AaveV3Revision.V3_5, -0.35m, 5_000 }, { 26, AaveV3Revision.V3_6, -0.40m, 10_000 },
    };

    private static Snapshot AaveOnly(int seed, int revision, double depth)
    {
        var s = SyntheticSnapshot.Generate(1200, seed, revision, poolDepthUsdPerPosition: depth);
        return s with { Books = [s.Book<AaveV3Book>()!] };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_fast_rule_liquidates_the_same_accounts_as_the_exact_rule(int seed, int revision, decimal shock, double depth)
    {
        var snapshot = AaveOnly(seed, revision, depth);
        var (exact, fast) = FastExactComparison.Run(snapshot, Scenario.Single(SyntheticSnapshot.Weth, shock));
        Assert.All(exact.Rounds.SelectMany(r => r.Liquidations), l => Assert.Equal(AaveV3Book.Name, l.Protocol));
        FastExactComparison.AssertSame(snapshot, exact, fast);
    }

    [Fact]
    public void A_proposed_close_factor_reaches_the_fast_rule_as_it_reaches_the_exact_rule()
    {
        var baseline = AaveOnly(27, 1, 20_000);
        var upgraded = new AaveV3Changes([], [], new AaveV3CloseFactorChange(2500, 900_000_000_000_000_000)).Apply(baseline);
        var scenario = Scenario.Single(SyntheticSnapshot.Weth, -0.30m);
        var (exact, fast) = FastExactComparison.Run(upgraded, scenario);
        FastExactComparison.AssertSame(upgraded, exact, fast);
        // And it changes the outcome: a quarter of the debt per call, not half.
        var (before, _) = FastExactComparison.Run(baseline, scenario);
        Assert.NotEqual(before.Totals.Liquidations, exact.Totals.Liquidations);
    }
}
