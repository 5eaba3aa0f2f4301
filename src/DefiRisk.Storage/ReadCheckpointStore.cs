using Dapper;
using DefiRisk.Core.Indexing;

namespace DefiRisk.Storage;

/// <summary>
/// Completed read batches in the snapshot's SQLite file (table <c>read_checkpoints</c>), each committed on its own as it
/// completes. They are the pending state of the snapshot at their (chain, block): <see cref="SnapshotStore.Write"/>
/// removes them in the transaction that writes that snapshot, so no half-written snapshot is ever visible and a finished
/// index leaves nothing behind. The keys present are loaded once per (chain, block), so a fresh index asks SQLite nothing per batch.
/// </summary>
public sealed class ReadCheckpointStore(SnapshotStore store) : IReadCheckpoint
{
    private readonly object _gate = new();
    private (long ChainId, long Block, HashSet<string> Keys)? _known;

    public string? Find(long chainId, long block, string key)
    {
        lock (_gate)
        {
            if (_known is not { } k || k.ChainId != chainId || k.Block != block)
            {
                using var c = store.Open();
                _known = k = (chainId, block, c.Query<string>("SELECT batch_key FROM read_checkpoints WHERE chain_id = @chainId AND block_number = @block",
                    new { chainId, block }).ToHashSet(StringComparer.Ordinal));
            }
            if (!k.Keys.Contains(key)) return null;
        }
        using var connection = store.Open();
        return connection.ExecuteScalar<string?>(
            "SELECT answers FROM read_checkpoints WHERE chain_id = @chainId AND block_number = @block AND batch_key = @key", new { chainId, block, key });
    }

    public void Save(long chainId, long block, string key, string answers)
    {
        using var c = store.Open();
        c.Execute(
            """
            INSERT INTO read_checkpoints (chain_id, block_number, batch_key, answers) VALUES (@chainId, @block, @key, @answers)
            ON CONFLICT (chain_id, block_number, batch_key) DO UPDATE SET answers = excluded.answers
            """, new { chainId, block, key, answers });
        lock (_gate)
            if (_known is { } k && k.ChainId == chainId && k.Block == block) k.Keys.Add(key);
    }

    /// <summary>Batches saved at (<paramref name="chainId"/>, <paramref name="block"/>) and not yet cleared by a written snapshot.</summary>
    public int Count(long chainId, long block)
    {
        using var c = store.Open();
        return c.ExecuteScalar<int>("SELECT COUNT(*) FROM read_checkpoints WHERE chain_id = @chainId AND block_number = @block", new { chainId, block });
    }
}
