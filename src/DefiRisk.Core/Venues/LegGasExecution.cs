using System.Numerics;

namespace DefiRisk.Core.Venues;

/// <summary>
/// Best execution when every extra leg costs gas (issue 12 item 4): a sale split across k routes pays the call's base gas
/// plus k − 1 extra swaps, so a route joins the split only if the proceeds it adds beat one leg's gas (<c>legCost</c>, in
/// units of the token bought). The routes are tried in a fixed order — the best single route, then the others by the
/// input <see cref="BestExecution"/> sends them with no leg cost (most first, ties by route order) — and each step splits
/// over the routes admitted so far with <see cref="BestExecution"/>'s own rule; the first step whose proceeds less the
/// legs' gas do not beat the step before ends the search. With no leg cost, or one route, this is <see cref="BestExecution"/>.
/// The exact and the fast form run the same steps; quoting (<c>commit = false</c>) moves no pool.
/// </summary>
public static class LegGasExecution
{
    public static BigInteger Sell(ExactPoolState[] pools, Hop[][] routes, BigInteger amount, int chunks, BigInteger legCost, bool commit, List<SplitLeg> legs)
    {
        if (legCost.Sign <= 0 || routes.Length <= 1) return BestExecution.Sell(pools, routes, amount, chunks, commit, legs);
        var free = new List<SplitLeg>();
        var freeOut = BestExecution.Sell(pools, routes, amount, chunks, false, free);
        if (free.Count <= 1)
        {
            if (commit) return BestExecution.Sell(pools, routes, amount, chunks, true, legs);
            // A quote moves nothing: the same split asked again on the same pools is the one just quoted.
            legs.Clear();
            legs.AddRange(free);
            return freeOut;
        }

        var single = 0;
        var singleOut = BigInteger.MinusOne;
        for (var r = 0; r < routes.Length; r++)
        {
            var o = BestExecution.Sell(pools, [routes[r]], amount, chunks, false, null);
            if (o > singleOut) (single, singleOut) = (r, o);
        }
        var admitted = new List<int> { single };
        var net = singleOut;
        var trial = new List<SplitLeg>();
        // The admitted routes' split as quoted (legs by index among the admitted routes): one route alone is its single swap.
        var (admittedOut, admittedLegs) = (singleOut, new List<SplitLeg> { new(0, amount, singleOut) });
        foreach (var next in free.OrderByDescending(l => l.AmountIn).ThenBy(l => l.Route).Select(l => l.Route).Where(r => r != single))
        {
            var with = admitted.Append(next).Order().ToArray();
            // Every route admitted: the split is the one already quoted.
            var (proceeds, legCount) = with.Length == routes.Length ? (freeOut, free.Count)
                : (BestExecution.Sell(pools, Subset(routes, with), amount, chunks, false, trial), trial.Count);
            var netWith = proceeds - (legCount - 1) * legCost;
            if (netWith <= net) break;
            (admitted, net) = (with.ToList(), netWith);
            (admittedOut, admittedLegs) = (proceeds, with.Length == routes.Length ? free : trial.ToList());
        }
        var chosen = admitted.Order().ToArray();
        BigInteger sold;
        if (commit) sold = BestExecution.Sell(pools, Subset(routes, chosen), amount, chunks, true, legs);
        else
        {
            // A quote: the chosen routes' split was quoted on these same pools above.
            legs.Clear();
            legs.AddRange(admittedLegs);
            sold = admittedOut;
        }
        for (var i = 0; i < legs.Count; i++) legs[i] = legs[i] with { Route = chosen[legs[i].Route] };
        return sold;
    }

    /// <summary>The fast twin; <paramref name="legCount"/> is the number of swaps the chosen split sends.</summary>
    public static double Sell(FastPoolState[] pools, Hop[][] routes, double amount, int chunks, double legCost, bool commit, out int legCount)
    {
        var legs = new List<FastSplitLeg>();
        if (legCost <= 0 || routes.Length <= 1)
        {
            var all = BestExecution.Sell(pools, routes, amount, chunks, commit, legs);
            legCount = Math.Max(1, legs.Count);
            return all;
        }
        var freeOut = BestExecution.Sell(pools, routes, amount, chunks, false, legs);
        if (legs.Count <= 1)
        {
            var all = BestExecution.Sell(pools, routes, amount, chunks, commit, legs);
            legCount = Math.Max(1, legs.Count);
            return all;
        }
        var free = legs.ToList();

        var single = 0;
        var singleOut = -1.0;
        for (var r = 0; r < routes.Length; r++)
        {
            var o = BestExecution.Sell(pools, [routes[r]], amount, chunks, false, null);
            if (o > singleOut) (single, singleOut) = (r, o);
        }
        var admitted = new List<int> { single };
        var net = singleOut;
        foreach (var next in free.OrderByDescending(l => l.AmountIn).ThenBy(l => l.Route).Select(l => l.Route).Where(r => r != single))
        {
            var with = admitted.Append(next).Order().ToArray();
            var (proceeds, sent) = with.Length == routes.Length ? (freeOut, free.Count)
                : (BestExecution.Sell(pools, Subset(routes, with), amount, chunks, false, legs), legs.Count);
            var netWith = proceeds - (sent - 1) * legCost;
            if (netWith <= net) break;
            (admitted, net) = (with.ToList(), netWith);
        }
        var sold = BestExecution.Sell(pools, Subset(routes, admitted.Order().ToArray()), amount, chunks, commit, legs);
        legCount = Math.Max(1, legs.Count);
        return sold;
    }

    private static Hop[][] Subset(Hop[][] routes, int[] chosen) => chosen.Select(r => routes[r]).ToArray();
}
