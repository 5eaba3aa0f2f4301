using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Tests.Analysis;

namespace DefiRisk.Core.Tests.Protocols;

/// <summary>
/// Morpho Blue's fast rule against its exact rule, on seeded books holding only Morpho positions: the same liquidated
/// positions, calls and rounds, totals within 1e-9 relative — repay-all and seize-all calls, write-offs when collateral
/// runs out, and shallow pools where sales do not pay.
/// </summary>
public sealed class MorphoBlueFastRuleTests
{
    public static TheoryData<int, decimal, double> Cases => new()
    {
        { 31, -0.20m, 100_000 }, { 32, -0.35m, 5_000 }, { 33, -0.50m, 2_000 }, { 34, -0.65m, 20_000 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_fast_rule_liquidates_the_same_positions_as_the_exact_rule(int seed, decimal shock, double depth)
    {
        var s = SyntheticSnapshot.Generate(3000, seed, poolDepthUsdPerPosition: depth);
        var snapshot = s with { Books = [s.Book<MorphoBlueBook>()!] };
        var (exact, fast) = FastExactComparison.Run(snapshot, Scenario.Single(SyntheticSnapshot.Weth, shock));
        Assert.All(exact.Rounds.SelectMany(r => r.Liquidations), l => Assert.Equal(MorphoBlueBook.Name, l.Protocol));
        FastExactComparison.AssertSame(snapshot, exact, fast);
    }

    [Fact]
    public void Deep_shocks_write_off_bad_debt_on_both_paths_alike()
    {
        var s = SyntheticSnapshot.Generate(3000, 35, poolDepthUsdPerPosition: 1_000);
        var snapshot = s with { Books = [s.Book<MorphoBlueBook>()!] };
        var (exact, fast) = FastExactComparison.Run(snapshot, Scenario.Single(SyntheticSnapshot.Weth, -0.70m));
        Assert.Contains(exact.Totals.BadDebt, e => e.Kind == "written-off");
        FastExactComparison.AssertSame(snapshot, exact, fast);
    }
}
