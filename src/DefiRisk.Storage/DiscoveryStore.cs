using Dapper;
using DefiRisk.Core.Indexing;

namespace DefiRisk.Storage;

/// <summary>
/// Log-discovery checkpoints and discovered borrowers in the same SQLite file as the snapshots
/// (tables <c>checkpoints</c>, <c>discovered_accounts</c>). Each chunk commits its accounts and its
/// checkpoint in one transaction: a killed scan resumes after the last committed chunk.
/// </summary>
public sealed class DiscoveryStore(SnapshotStore store) : IDiscoveryStore
{
    public long? GetCheckpoint(long chainId, string protocol, string contract)
    {
        using var c = store.Open();
        return c.ExecuteScalar<long?>(
            "SELECT last_scanned_block FROM checkpoints WHERE chain_id = @chainId AND protocol = @protocol AND contract = @contract",
            new { chainId, protocol, contract });
    }

    public void CommitChunk(long chainId, string protocol, string contract, long lastScannedBlock, IReadOnlyCollection<DiscoveredAccount> accounts)
    {
        using var c = store.Open();
        using var tx = c.BeginTransaction();
        // INSERT … ON CONFLICT DO NOTHING / DO UPDATE: the same syntax in SQLite ≥ 3.24 and PostgreSQL ≥ 9.5.
        c.Execute(
            """
            INSERT INTO discovered_accounts (chain_id, protocol, market, account) VALUES (@chainId, @protocol, @Market, @Account)
            ON CONFLICT (chain_id, protocol, market, account) DO NOTHING
            """,
            accounts.Select(a => new { chainId, protocol, a.Market, a.Account }), tx);
        c.Execute(
            """
            INSERT INTO checkpoints (chain_id, protocol, contract, last_scanned_block) VALUES (@chainId, @protocol, @contract, @lastScannedBlock)
            ON CONFLICT (chain_id, protocol, contract) DO UPDATE SET last_scanned_block = excluded.last_scanned_block
            """,
            new { chainId, protocol, contract, lastScannedBlock }, tx);
        tx.Commit();
    }

    public IReadOnlyList<DiscoveredAccount> GetAccounts(long chainId, string protocol)
    {
        using var c = store.Open();
        // A protocol has a few markets and up to 100,000s of accounts: each market's id is held once, not once per row.
        var markets = new Dictionary<string, string>(StringComparer.Ordinal);
        return c.Query<(string Market, string Account)>(
                "SELECT market, account FROM discovered_accounts WHERE chain_id = @chainId AND protocol = @protocol ORDER BY market, account",
                new { chainId, protocol })
            .Select(r => new DiscoveredAccount(markets.TryGetValue(r.Market, out var m) ? m : markets[r.Market] = r.Market, r.Account)).ToList();
    }
}
