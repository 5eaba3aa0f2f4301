using DefiRisk.Core.Domain;

namespace DefiRisk.Core.Venues.External;

/// <summary>
/// Which assets have a venue, for the stated depth of assets with none (<see cref="ExternalDepthConfig.NoVenue"/>): the
/// assets a sale can reach the quote from, through the on-chain pools that hold liquidity and the curves of their own —
/// what the cascade's routing needs to sell an asset at all. Everything else has no venue.
/// </summary>
internal static class ExternalNoVenue
{
    public static HashSet<Address> Reaching(Address quote, IReadOnlyList<IVenueBook> venues, IReadOnlyList<ExternalMarketPool> curves)
    {
        var adjacent = new Dictionary<Address, List<Address>>();
        void Link(Address a, Address b)
        {
            if (!adjacent.TryGetValue(a, out var l)) adjacent[a] = l = [];
            l.Add(b);
        }
        foreach (var pool in venues.Where(v => v.OnChain).SelectMany(v => v.Pools).Concat(curves))
        {
            if (!pool.HasLiquidity) continue;
            Link(pool.Token0, pool.Token1);
            Link(pool.Token1, pool.Token0);
        }
        var reached = new HashSet<Address> { quote };
        var queue = new Queue<Address>([quote]);
        while (queue.Count > 0)
            foreach (var next in adjacent.GetValueOrDefault(queue.Dequeue()) ?? [])
                if (reached.Add(next)) queue.Enqueue(next);
        return reached;
    }
}
