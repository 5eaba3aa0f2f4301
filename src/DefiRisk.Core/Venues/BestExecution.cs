using System.Numerics;

namespace DefiRisk.Core.Venues;

/// <summary>One leg of a split sale: the route (index into <see cref="VenueGraph.Routes"/>), the input sent down it and what it paid.</summary>
public readonly record struct SplitLeg(int Route, BigInteger AmountIn, BigInteger AmountOut);

/// <summary>The fast twin of <see cref="SplitLeg"/> (base units as doubles).</summary>
public readonly record struct FastSplitLeg(int Route, double AmountIn, double AmountOut);

/// <summary>
/// Best execution of one sale across every route a venue graph offers (<see cref="VenueGraph.Routes"/>), as an aggregator
/// does it: the amount is cut into <c>chunks</c> equal pieces (the last takes the remainder) and each piece goes to the
/// route that pays the most for it at the state the earlier pieces left — so the routes' marginal prices end equal to
/// within one piece's price impact (marginal, not average, prices are equalised). The pieces per route are then sent as
/// ONE swap per route, in route order (what a replay sends on chain); if that pays less than the whole amount down the
/// single best route, the single route is used. With one route this is the router's single swap, unchanged.
/// The exact and the fast form run the same steps (integers with the pools' own rounding; doubles); quoting with
/// <c>commit = false</c> leaves every pool as it was.
/// </summary>
public static class BestExecution
{
    /// <summary>Pieces a sale is cut into to find the split (32: each piece ≈ 3 % of the sale).</summary>
    public const int DefaultChunks = 32;

    public static BigInteger Sell(ExactPoolState[] pools, Hop[][] routes, BigInteger amount, int chunks, bool commit, List<SplitLeg>? legs)
    {
        legs?.Clear();
        if (routes.Length == 0 || amount.Sign <= 0) return BigInteger.Zero;
        if (routes.Length == 1 || amount < chunks) return Single(pools, routes, 0, amount, commit, legs);

        var touched = routes.SelectMany(r => r).Select(h => h.Pool).Distinct().ToArray();
        var marks = touched.Select(p => pools[p].Mark()).ToArray();
        void Undo() { for (var i = 0; i < touched.Length; i++) pools[touched[i]].Restore(marks[i]); }

        var alloc = Allocate(pools, routes, amount, chunks);
        Undo();

        var (single, singleOut) = (0, BigInteger.MinusOne);
        for (var r = 0; r < routes.Length; r++)
        {
            var o = Swap(pools, routes[r], amount, false);
            if (o > singleOut) (single, singleOut) = (r, o);
        }
        if (alloc.Count(x => x.Sign > 0) <= 1) return Single(pools, routes, single, amount, commit, legs);

        var splitOut = Merged(pools, routes, alloc, legs);
        if (splitOut <= singleOut)
        {
            Undo();
            return Single(pools, routes, single, amount, commit, legs);
        }
        if (!commit) Undo();
        return splitOut;
    }

    /// <summary>
    /// The pieces' routes (each piece to the route paying most for it at the state the earlier pieces left, first route on
    /// a tie), with the pools left where the pieces took them. A route's quote is kept while none of its pools moved and the
    /// piece is the same size (a quote is a function of its pools' states and the amount, and moves nothing): only the
    /// routes sharing a pool with the last piece's route are quoted again.
    /// </summary>
    private static BigInteger[] Allocate(ExactPoolState[] pools, Hop[][] routes, BigInteger amount, int chunks)
    {
        var n = routes.Length;
        var alloc = new BigInteger[n];
        var piece = amount / chunks;
        var shares = new bool[n, n];
        for (var r = 0; r < n; r++)
            for (var q = 0; q < n; q++)
                shares[r, q] = SharePool(routes[r], routes[q]);

        var quote = new BigInteger[n];
        var quotedFor = new BigInteger[n];
        Array.Fill(quotedFor, BigInteger.MinusOne);
        for (var i = 0; i < chunks; i++)
        {
            var a = i == chunks - 1 ? amount - piece * (chunks - 1) : piece;
            var (best, bestOut) = (0, BigInteger.MinusOne);
            for (var r = 0; r < n; r++)
            {
                if (quotedFor[r] != a)
                {
                    quote[r] = Swap(pools, routes[r], a, false);
                    quotedFor[r] = a;
                }
                if (quote[r] > bestOut) (best, bestOut) = (r, quote[r]);
            }
            Swap(pools, routes[best], a, true);
            alloc[best] += a;
            for (var r = 0; r < n; r++)
                if (shares[r, best]) quotedFor[r] = BigInteger.MinusOne;
        }
        return alloc;
    }

    private static bool SharePool(Hop[] x, Hop[] y)
    {
        foreach (var a in x)
            foreach (var b in y)
                if (a.Pool == b.Pool) return true;
        return false;
    }

    private static BigInteger Single(ExactPoolState[] pools, Hop[][] routes, int route, BigInteger amount, bool commit, List<SplitLeg>? legs)
    {
        var o = Swap(pools, routes[route], amount, commit);
        legs?.Clear();
        legs?.Add(new SplitLeg(route, amount, o));
        return o;
    }

    /// <summary>One swap per route with its pieces, in route order, committed.</summary>
    private static BigInteger Merged(ExactPoolState[] pools, Hop[][] routes, BigInteger[] alloc, List<SplitLeg>? legs)
    {
        legs?.Clear();
        var total = BigInteger.Zero;
        for (var r = 0; r < routes.Length; r++)
        {
            if (alloc[r].Sign <= 0) continue;
            var o = Swap(pools, routes[r], alloc[r], true);
            legs?.Add(new SplitLeg(r, alloc[r], o));
            total += o;
        }
        return total;
    }

    private static BigInteger Swap(ExactPoolState[] pools, Hop[] path, BigInteger amount, bool commit)
    {
        var x = amount;
        foreach (var h in path) x = pools[h.Pool].Swap(x, h.ZeroForOne, commit);
        return x;
    }

    // ------------------------------------------------------------------ fast twin

    public static double Sell(FastPoolState[] pools, Hop[][] routes, double amount, int chunks, bool commit, List<FastSplitLeg>? legs)
    {
        legs?.Clear();
        if (routes.Length == 0 || amount <= 0) return 0;
        if (routes.Length == 1 || amount < chunks) return Single(pools, routes, 0, amount, commit, legs);

        var touched = routes.SelectMany(r => r).Select(h => h.Pool).Distinct().ToArray();
        var marks = touched.Select(p => pools[p].Mark()).ToArray();
        void Undo() { for (var i = 0; i < touched.Length; i++) pools[touched[i]].Restore(marks[i]); }

        var alloc = new double[routes.Length];
        var piece = Math.Floor(amount / chunks);
        for (var i = 0; i < chunks; i++)
        {
            var a = i == chunks - 1 ? amount - piece * (chunks - 1) : piece;
            var (best, bestOut) = (0, -1.0);
            for (var r = 0; r < routes.Length; r++)
            {
                var o = Swap(pools, routes[r], a, false);
                if (o > bestOut) (best, bestOut) = (r, o);
            }
            Swap(pools, routes[best], a, true);
            alloc[best] += a;
        }
        Undo();

        var (single, singleOut) = (0, -1.0);
        for (var r = 0; r < routes.Length; r++)
        {
            var o = Swap(pools, routes[r], amount, false);
            if (o > singleOut) (single, singleOut) = (r, o);
        }
        if (alloc.Count(x => x > 0) <= 1) return Single(pools, routes, single, amount, commit, legs);

        legs?.Clear();
        var splitOut = 0.0;
        for (var r = 0; r < routes.Length; r++)
        {
            if (alloc[r] <= 0) continue;
            var o = Swap(pools, routes[r], alloc[r], true);
            legs?.Add(new FastSplitLeg(r, alloc[r], o));
            splitOut += o;
        }
        if (splitOut <= singleOut)
        {
            Undo();
            return Single(pools, routes, single, amount, commit, legs);
        }
        if (!commit) Undo();
        return splitOut;
    }

    private static double Single(FastPoolState[] pools, Hop[][] routes, int route, double amount, bool commit, List<FastSplitLeg>? legs)
    {
        var o = Swap(pools, routes[route], amount, commit);
        legs?.Clear();
        legs?.Add(new FastSplitLeg(route, amount, o));
        return o;
    }

    private static double Swap(FastPoolState[] pools, Hop[] path, double amount, bool commit)
    {
        var x = amount;
        foreach (var h in path) x = pools[h.Pool].Swap(x, h.ZeroForOne, commit);
        return x;
    }
}
