using DefiRisk.Core.Domain;

namespace DefiRisk.Core.Venues;

/// <summary>One swap through a pool: input is token0 when <see cref="ZeroForOne"/>.</summary>
public readonly record struct Hop(int Pool, bool ZeroForOne);

/// <summary>
/// Routing over every venue's pools, in one place: the topology of the snapshot's pools over its assets (indices into <see cref="Snapshot.Assets"/>), shared
/// by the exact and the fast path. Routes are shortest paths by hop count (breadth-first, pools explored in snapshot
/// order, so ties go to the earlier pool). Pools whose tokens are not snapshot assets are ignored.
/// <list type="bullet">
/// <item>Price route of an asset: its path to the numeraire. Its market price = snapshot price × (route price now /
/// route price at the snapshot), so an untouched pool means an unchanged price; the numeraire is held at $1-equivalent.</item>
/// <item>An exogenous shock of a pooled asset re-prices the first pool of its price route at constant k (arbitrage);
/// other pools are not re-arbitraged. A wstETH shock therefore moves only wstETH/WETH, a WETH shock moves WETH/USDC
/// and, through the route, wstETH's market price too.</item>
/// </list>
/// </summary>
public sealed class VenueGraph
{
    public readonly int AssetCount;
    public readonly int Numeraire;
    public readonly int[] Token0, Token1;
    /// <summary>Every venue's pools, venue by venue in snapshot order: <see cref="Hop.Pool"/> indexes this list.</summary>
    public readonly IReadOnlyList<ITradablePool> Pools;
    /// <summary>Hops from the asset to the numeraire; empty for the numeraire; null when no route exists.</summary>
    public readonly Hop[]?[] PriceRoute;
    /// <summary>Pools whose sales move this asset's oracle (its price route; an exchange-rate asset's base's route).</summary>
    public readonly int[][] OraclePools;
    /// <summary>For exchange-rate oracles: the base asset index; −1 for market feeds (or a base outside the snapshot).</summary>
    public readonly int[] OracleBase;
    private readonly List<int>[] _adjacent;
    private readonly Hop[]?[,] _paths;
    // Best execution's routes per pair, filled on first use (a benign race: two workers compute the same array).
    private readonly Hop[][]?[,] _routes;

    /// <summary>At most this many routes per pair, and this many hops per route, are tried by best execution.</summary>
    public const int MaxRoutes = 8, MaxRouteHops = 3;

    public VenueGraph(Snapshot snapshot, Address? numeraire)
    {
        var index = new Dictionary<Address, int>();
        for (var i = 0; i < snapshot.Assets.Count; i++) index[snapshot.Assets[i].Address] = i;
        AssetCount = snapshot.Assets.Count;
        var pools = snapshot.Venues.SelectMany(v => v.Pools).Select(p => p as ITradablePool
            ?? throw new DefiRiskException($"pool {p.Id} of venue {snapshot.Venues.First(v => v.Pools.Contains(p)).Venue} cannot be traded in a simulation")).ToList();
        Pools = pools;
        Token0 = new int[pools.Count];
        Token1 = new int[pools.Count];
        _adjacent = Enumerable.Range(0, AssetCount).Select(_ => new List<int>()).ToArray();
        for (var p = 0; p < pools.Count; p++)
        {
            Token0[p] = index.GetValueOrDefault(pools[p].Token0, -1);
            Token1[p] = index.GetValueOrDefault(pools[p].Token1, -1);
            if (Token0[p] < 0 || Token1[p] < 0 || !pools[p].HasLiquidity) continue;
            _adjacent[Token0[p]].Add(p);
            _adjacent[Token1[p]].Add(p);
        }

        if (numeraire is { } n)
            Numeraire = index.TryGetValue(n, out var ni) ? ni : throw new DefiRiskException($"numeraire {n} is not an asset of the snapshot");
        else
        {
            var usdc = snapshot.Assets.ToList().FindIndex(a => string.Equals(a.Symbol, "USDC", StringComparison.OrdinalIgnoreCase));
            Numeraire = usdc >= 0 ? usdc : Enumerable.Range(0, AssetCount).OrderByDescending(a => _adjacent[a].Count).ThenBy(a => a).FirstOrDefault();
        }

        // All pairs up front: the graph is then read-only and safe to share between parallel sweep workers.
        _paths = new Hop[AssetCount, AssetCount][];
        _routes = new Hop[AssetCount, AssetCount][][];
        for (var a = 0; a < AssetCount; a++)
            for (var b = 0; b < AssetCount; b++)
                _paths[a, b] = Bfs(a, b);
        PriceRoute = new Hop[AssetCount][];
        for (var a = 0; a < AssetCount; a++) PriceRoute[a] = a == Numeraire ? [] : FindPath(a, Numeraire);

        OracleBase = new int[AssetCount];
        for (var a = 0; a < AssetCount; a++)
        {
            var o = snapshot.Assets[a].Oracle;
            OracleBase[a] = o.Kind == OracleKind.ExchangeRate && o.BaseAsset is { } b && index.TryGetValue(b, out var bi) && bi != a ? bi : -1;
        }
        OraclePools = new int[AssetCount][];
        for (var a = 0; a < AssetCount; a++)
        {
            var root = OracleRoot(a);
            OraclePools[a] = root < 0 ? [] : (PriceRoute[root] ?? []).Select(h => h.Pool).ToArray();
        }
    }

    /// <summary>The market-feed asset an oracle ultimately follows (through exchange-rate bases); −1 on a cycle.</summary>
    public int OracleRoot(int asset)
    {
        var a = asset;
        for (var guard = 0; guard <= AssetCount; guard++)
        {
            if (OracleBase[a] < 0) return a;
            a = OracleBase[a];
        }
        return -1;
    }

    /// <summary>Shortest pool path from one asset to another; null when none; empty when equal.</summary>
    public Hop[]? FindPath(int from, int to) => _paths[from, to];

    /// <summary>
    /// The routes best execution splits a sale over: the shortest path first (the router's route), then every other
    /// simple pool path of at most one hop more (and at most <see cref="MaxRouteHops"/>), fewer hops first, then by pool
    /// order; at most <see cref="MaxRoutes"/>. Two pools on the same pair are two routes. Empty when no path exists.
    /// </summary>
    public Hop[][] Routes(int from, int to)
    {
        if (_routes[from, to] is { } known) return known;
        var shortest = FindPath(from, to);
        Hop[][] routes;
        if (shortest is null || shortest.Length == 0) routes = shortest is null ? [] : [shortest];
        else
        {
            var limit = Math.Min(shortest.Length + 1, Math.Max(MaxRouteHops, shortest.Length));
            var found = new List<Hop[]>();
            var stack = new List<Hop>();
            var visited = new bool[AssetCount];
            void Walk(int a)
            {
                if (a == to) { found.Add(stack.ToArray()); return; }
                if (stack.Count == limit) return;
                visited[a] = true;
                foreach (var p in _adjacent[a])
                {
                    var zeroForOne = Token0[p] == a;
                    var b = zeroForOne ? Token1[p] : Token0[p];
                    if (visited[b]) continue;
                    stack.Add(new Hop(p, zeroForOne));
                    Walk(b);
                    stack.RemoveAt(stack.Count - 1);
                }
                visited[a] = false;
            }
            Walk(from);
            routes = [shortest, .. found.Where(r => !r.SequenceEqual(shortest)).OrderBy(r => r.Length).ThenBy(r => r, RouteOrder.Instance).Take(MaxRoutes - 1)];
        }
        _routes[from, to] = routes;
        return routes;
    }

    private sealed class RouteOrder : IComparer<Hop[]>
    {
        public static readonly RouteOrder Instance = new();

        public int Compare(Hop[]? x, Hop[]? y)
        {
            for (var i = 0; i < Math.Min(x!.Length, y!.Length); i++)
                if (x[i].Pool != y[i].Pool) return x[i].Pool.CompareTo(y[i].Pool);
            return x.Length.CompareTo(y.Length);
        }
    }

    private Hop[]? Bfs(int from, int to)
    {
        if (from == to) return [];
        var via = new (int Prev, Hop Hop)[AssetCount];
        var seen = new bool[AssetCount];
        var queue = new Queue<int>();
        queue.Enqueue(from);
        seen[from] = true;
        Hop[]? result = null;
        while (queue.Count > 0 && result is null)
        {
            var a = queue.Dequeue();
            foreach (var p in _adjacent[a])
            {
                var zeroForOne = Token0[p] == a;
                var b = zeroForOne ? Token1[p] : Token0[p];
                if (seen[b]) continue;
                seen[b] = true;
                via[b] = (a, new Hop(p, zeroForOne));
                if (b == to)
                {
                    var hops = new List<Hop>();
                    for (var x = to; x != from; x = via[x].Prev) hops.Add(via[x].Hop);
                    hops.Reverse();
                    result = hops.ToArray();
                    break;
                }
                queue.Enqueue(b);
            }
        }
        return result;
    }
}
