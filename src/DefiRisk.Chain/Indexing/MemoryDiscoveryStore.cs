using DefiRisk.Chain.Deployments;
using DefiRisk.Core.Indexing;

namespace DefiRisk.Chain.Indexing;

/// <summary>
/// Log discovery held in memory for one run: what a fork capture records while its index runs (<see cref="Export"/>), and
/// what a captured manifest hands the indexer back (<see cref="From"/>) in place of the database's discovery, so a capture
/// reads exactly the accounts it was captured with. Orders as <c>DiscoveryStore</c> does: by market, then account (ordinal).
/// </summary>
public sealed class MemoryDiscoveryStore : IDiscoveryStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(long Chain, string Protocol, string Contract), long> _checkpoints = [];
    private readonly Dictionary<(long Chain, string Protocol, string Contract), HashSet<DiscoveredAccount>> _accounts = [];

    public long? GetCheckpoint(long chainId, string protocol, string contract)
    {
        lock (_gate) return _checkpoints.TryGetValue((chainId, protocol, contract), out var block) ? block : null;
    }

    public void CommitChunk(long chainId, string protocol, string contract, long lastScannedBlock, IReadOnlyCollection<DiscoveredAccount> accounts)
    {
        lock (_gate)
        {
            var key = (chainId, protocol, contract);
            if (!_accounts.TryGetValue(key, out var found)) _accounts[key] = found = [];
            found.UnionWith(accounts);
            _checkpoints[key] = lastScannedBlock;
        }
    }

    public IReadOnlyList<DiscoveredAccount> GetAccounts(long chainId, string protocol)
    {
        lock (_gate)
            return Ordered(_accounts.Where(kv => kv.Key.Chain == chainId && kv.Key.Protocol == protocol).SelectMany(kv => kv.Value).Distinct());
    }

    /// <summary>Every scanned contract of <paramref name="chainId"/>, in (protocol, contract) order, its accounts grouped by market.</summary>
    public IReadOnlyList<CapturedDiscovery> Export(long chainId)
    {
        lock (_gate)
            return _checkpoints.Where(kv => kv.Key.Chain == chainId)
                .OrderBy(kv => kv.Key.Protocol, StringComparer.Ordinal).ThenBy(kv => kv.Key.Contract, StringComparer.Ordinal)
                .Select(kv => new CapturedDiscovery(kv.Key.Protocol, kv.Key.Contract, kv.Value,
                    Ordered(_accounts.GetValueOrDefault(kv.Key) ?? []).GroupBy(a => a.Market, StringComparer.Ordinal)
                        .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(a => a.Account).ToList(), StringComparer.Ordinal)))
                .ToList();
    }

    /// <summary>The discovery a captured manifest carries, as the store the indexer reads it from.</summary>
    public static MemoryDiscoveryStore From(long chainId, CaptureFacts capture)
    {
        var store = new MemoryDiscoveryStore();
        foreach (var d in capture.Discovery)
            store.CommitChunk(chainId, d.Protocol, d.Contract, d.ScannedThrough,
                d.Markets.SelectMany(m => m.Value.Select(account => new DiscoveredAccount(m.Key, account))).ToList());
        return store;
    }

    private static List<DiscoveredAccount> Ordered(IEnumerable<DiscoveredAccount> accounts) =>
        accounts.OrderBy(a => a.Market, StringComparer.Ordinal).ThenBy(a => a.Account, StringComparer.Ordinal).ToList();
}
