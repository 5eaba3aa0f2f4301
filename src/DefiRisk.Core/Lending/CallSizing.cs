using System.Numerics;

namespace DefiRisk.Core.Lending;

/// <summary>
/// How big a call the liquidator makes when it sizes calls by profit (<see cref="Analysis.LiquidatorModel.SizeByProfit"/>),
/// shared by every family's exact and fast rule. The protocol's largest call (close factor, breaker) is rung 0; the ladder
/// goes down in steps of √2 to 1/1024 of it, and the liquidator descends it while the next smaller call earns more
/// (sale proceeds − repaid − funding − gas, at market prices). A sale that saturates the venues earns less per unit the
/// more it sells, so below some size a call earns more: the liquidator takes that one and leaves the rest for a later
/// round, after the pools are arbitraged back (chunking across rounds). Stopping at the first rung that earns no more
/// assumes the profit has one peak (proceeds concave in size; gas per leg can add small steps).
/// <para>The rungs are integer fractions (numerator ÷ 2^20), so the exact and the fast path cut the same sizes; the
/// ladder, not a search to the base unit, keeps the choice away from near-ties that doubles and integers could break
/// differently.</para>
/// </summary>
public static class CallSizing
{
    /// <summary>Rungs 0 (the full call) … 20 (1/1024 of it).</summary>
    public const int Rungs = 21;

    private const long Denominator = 1L << 20;

    /// <summary>⌊2^20 · 2^(−i/2) + ½⌋ for rung i: 1, 0.7071…, ½, … , 1/1024.</summary>
    private static readonly long[] Numerators = Enumerable.Range(0, Rungs).Select(i => (long)Math.Round(Denominator * Math.Pow(2, -i / 2.0))).ToArray();

    /// <summary>Rung <paramref name="i"/> of a call of size <paramref name="full"/> (floor).</summary>
    public static BigInteger Rung(BigInteger full, int i) => i == 0 ? full : full * Numerators[i] / Denominator;

    /// <summary>Rung <paramref name="i"/> on the fast path (floor; exact below 2^33 base units, within 1e-16 relative above).</summary>
    public static double Rung(double full, int i) => i == 0 ? full : Math.Floor(full * Numerators[i] / Denominator);

    /// <summary>
    /// The rung to take: 0 unless a smaller one earns more. <paramref name="profitAt"/> gives a rung's profit, or null when
    /// the rung is no call of its own (refused, empty, or the same call as a rung above) — skipped, the descent goes on.
    /// </summary>
    public static int Choose<T>(T fullProfit, Func<int, T?> profitAt) where T : struct, INumber<T>
    {
        var (best, bestRung) = (fullProfit, 0);
        for (var i = 1; i < Rungs; i++)
        {
            if (profitAt(i) is not { } p) continue;
            if (p <= best) break;
            (best, bestRung) = (p, i);
        }
        return bestRung;
    }

    /// <summary>
    /// Whether any smaller rung could earn more than the full call, from an upper bound that needs no sale quote (the
    /// ladder's quotes are the cost of sizing): no venue pays more per unit than its marginal price now, so a call selling c and
    /// repaying x earns at most <c>ceiling(c, x)</c> = c × that price − x − base gas (funding and extra legs only cost more).
    /// Along the rungs, seized ≈ k × repaid (k the full call's, plus a margin for the rule's floors), the ceiling is
    /// affine, so its largest value is at the largest rung or at nothing. When that is no more than the full call's profit
    /// (or 0), the ladder would stop at rung 0 — or only at calls that do not pay — so the result is the same without it.
    /// </summary>
    /// <param name="ceilingAtLargestRung">the desk's ceiling, USD, at <see cref="LargestRungCeilingPoint"/>.</param>
    /// <param name="ceilingAtNothing">the desk's ceiling at (2, 0): what the floors could leave of a call of nothing.</param>
    public static bool SmallerMayEarnMore(double fullProfitUsd, double ceilingAtLargestRung, double ceilingAtNothing) =>
        !(Math.Max(ceilingAtLargestRung, ceilingAtNothing) <= Math.Max(fullProfitUsd, 0));

    /// <summary>(collateral sold, debt repaid) at which to take the ceiling of the largest rung below a full call: the full call's
    /// collateral per unit repaid with a 1e-6 margin, and two units of either more for the rule's floors.</summary>
    public static (double Seized, double Repaid) LargestRungCeilingPoint(double seizedFull, double repaidFull)
    {
        var x1 = repaidFull * Numerators[1] / Denominator;
        var k = repaidFull > 0 ? seizedFull / repaidFull * (1 + 1e-6) : double.PositiveInfinity;
        return (k * (x1 + 2) + 2, x1);
    }

    /// <summary>Why a position a sized call left unhealthy was not called again this round.</summary>
    public const string RestWaits = "partly liquidated: a larger call earns less after slippage, the rest waits for a later round";
}
