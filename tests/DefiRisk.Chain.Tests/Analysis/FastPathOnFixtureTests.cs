using DefiRisk.Chain.Tests.Indexing;
using DefiRisk.Core.Analysis;

namespace DefiRisk.Chain.Tests.Analysis;

/// <summary>
/// The sweep's floating-point fast path against the exact BigInteger cascade on the indexed demo fixture (real chain
/// data, not the synthetic generator the Core differential test uses). Stated tolerance: the same liquidations and
/// rounds, totals within 1e-9 relative.
/// </summary>
[Collection(DemoChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class FastPathOnFixtureTests(DemoChain chain)
{
    private const double Tolerance = 1e-9;

    [Fact]
    public void Fast_sweep_levels_equal_exact_cascades_on_the_indexed_fixture()
    {
        var snapshot = chain.Stored;
        var weth = snapshot.FindAsset("WETH")!.Address;
        var sweep = CascadeSimulator.Sweep(snapshot, weth, -0.02m, -0.30m, -0.07m);
        Assert.Equal("fast", sweep.Path);
        Assert.Contains(sweep.Levels, l => l.Liquidations > 0);
        foreach (var level in sweep.Levels)
        {
            var exact = CascadeSimulator.Simulate(snapshot, Scenario.Single(weth, level.Shock, $"WETH={level.Shock:P0}"));
            Assert.Equal(exact.Totals.Liquidations, level.Liquidations);
            Assert.Equal(exact.Totals.RoundsWithLiquidations, level.RoundsWithLiquidations);
            AssertClose(exact.Totals.LiquidatedValueUsd, level.LiquidatedValueUsd);
            AssertClose(exact.Totals.BadDebtUsd, level.BadDebtUsd);
        }
    }

    private static void AssertClose(double exact, double fast) =>
        Assert.True(Math.Abs(exact - fast) <= Tolerance * Math.Max(1, Math.Abs(exact)), $"fast {fast} vs exact {exact}");
}
