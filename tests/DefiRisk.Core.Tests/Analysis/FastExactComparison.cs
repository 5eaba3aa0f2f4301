using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;

namespace DefiRisk.Core.Tests.Analysis;

/// <summary>
/// One cascade on both paths, compared as the fast path promises: the same liquidated positions, counts and rounds
/// (with liquidations, and endogenous), and totals within 1e-9 relative (a $1 absolute floor for totals near zero; the
/// bonus, a difference of two large sums, relative to the liquidated value). Shared by the engine's and every family's
/// differential tests.
/// </summary>
internal static class FastExactComparison
{
    public static (CascadeResult Exact, FastOutcome Fast) Run(Snapshot snapshot, Scenario scenario, SimulationOptions? options = null)
    {
        options ??= SimulationOptions.Default;
        var exact = CascadeSimulator.Simulate(snapshot, scenario, options);
        var model = FastModel.Compile(snapshot, options.Numeraire);
        var fast = new FastCascade(model, options).Run(scenario, new FastState(model), collectSources: true);
        return (exact, fast);
    }

    /// <param name="tolerance">relative; 1e-9 unless a case states why its exact path rounds more coarsely.</param>
    public static void AssertSame(Snapshot snapshot, CascadeResult exact, FastOutcome fast, double tolerance = 1e-9)
    {
        Assert.True(exact.Totals.Liquidations > 0, "the case must liquidate something to compare");
        var exactSources = exact.Rounds.SelectMany(r => r.Liquidations).Select(l => Source(snapshot, l)).ToHashSet();
        Assert.Equal(exactSources.Count, fast.LiquidatedSources!.Count);
        Assert.True(exactSources.SetEquals(fast.LiquidatedSources!), "the liquidated positions differ");
        Assert.Equal(exact.Totals.Liquidations, fast.Liquidations);
        Assert.Equal(exact.Totals.RoundsWithLiquidations, fast.RoundsWithLiquidations);
        Assert.Equal(exact.Totals.EndogenousRoundsWithLiquidations, fast.EndogenousRoundsWithLiquidations);
        AssertRelative(exact.Totals.LiquidatedValueUsd, fast.LiquidatedValueUsd, tolerance: tolerance);
        AssertRelative(exact.Totals.BadDebtUsd, fast.BadDebtUsd, tolerance: tolerance);
        AssertRelative(exact.Totals.BonusPaidUsd, fast.BonusPaidUsd, exact.Totals.LiquidatedValueUsd, tolerance);
    }

    public static void AssertRelative(double expected, double actual, double? scaleOf = null, double tolerance = 1e-9)
    {
        var scale = Math.Max(Math.Abs(scaleOf ?? expected), 1.0);
        Assert.True(Math.Abs(expected - actual) <= tolerance * scale, $"expected {expected:R}, fast path {actual:R}");
    }

    /// <summary>The fast path's key of a liquidated position: book &lt;&lt; 56 | holder &lt;&lt; 32 | index in the book's list.</summary>
    public static long Source(Snapshot s, CascadeLiquidation l)
    {
        var book = s.Books.ToList().FindIndex(b => b.Protocol == l.Protocol);
        long key = s.Books[book] switch
        {
            AaveV3Book aave => Key(aave.Markets.Select((m, h) => (h, m.Market.Name == l.Market ? m.Accounts.ToList().FindIndex(a => a.Account == l.Account) : -1))),
            MorphoBlueBook morpho => Key(morpho.Instances.Select((st, h) => (h, st.Positions.ToList().FindIndex(p => p.Account == l.Account && p.MarketId == l.Market)))),
            _ => throw new InvalidOperationException($"no key for {l.Protocol}"),
        };
        return ((long)book << 56) | key;
    }

    private static long Key(IEnumerable<(int Holder, int Index)> found)
    {
        var (h, i) = found.First(x => x.Index >= 0);
        return ((long)h << 32) | (uint)i;
    }
}
