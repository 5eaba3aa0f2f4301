namespace DefiRisk.Core.Indexing;

/// <summary>
/// The read phase's completed batches at one block, kept until the snapshot of that block is written: a failure after
/// hours loses the batch in flight, not the run, and a re-run of the same index reads only what was left. A batch is
/// keyed by a hash of its calls and block, so a re-run that asks the same thing finds it, and anything else misses
/// (state at a pinned block does not change). Implemented by storage (a pure contract: no I/O here).
/// </summary>
public interface IReadCheckpoint
{
    /// <summary>The answers saved for <paramref name="key"/> at (<paramref name="chainId"/>, <paramref name="block"/>), or null.</summary>
    string? Find(long chainId, long block, string key);

    /// <summary>Saves a completed batch's answers at once (its own transaction), so a later failure keeps them.</summary>
    void Save(long chainId, long block, string key, string answers);
}
