using DefiRisk.Chain.Adapters;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core.Indexing;

namespace DefiRisk.Chain.Indexing;

/// <summary>The indexer's <see cref="IBlockReader"/>: reads at the pinned block through one <see cref="EthRpc"/>.</summary>
internal sealed class BlockReader(EthRpc rpc, IDiscoveryStore discovery, IProgress<IndexProgress>? progress, long chainId, long block, long timestamp,
    ReadCheckpointScope? checkpoint = null) : IBlockReader
{
    public long ChainId => chainId;

    public long Block => block;

    public long Timestamp => timestamp;

    /// <summary>
    /// One round of reads. When it fails, the checkpoint's saves of the requests that completed (written behind the reads)
    /// are waited for before the failure goes on, so a re-run finds them.
    /// </summary>
    public async Task ExecuteAsync(ReadBatch batch, CancellationToken ct)
    {
        // Lending families read at once (Indexer.ReadLendingAsync): the riders go with whichever round is sent first.
        lock (_riding)
        {
            foreach (var (key, calls) in _riding)
            {
                var answers = new CallResult[calls.Count];
                for (var i = 0; i < calls.Count; i++)
                {
                    var index = i;
                    batch.AddCall(calls[i], result => answers[index] = result);
                }
                _ridden[key] = answers;
            }
            _riding.Clear();
        }
        try
        {
            await batch.ExecuteAsync(rpc, block, ct, checkpoint);
        }
        catch when (checkpoint is not null)
        {
            // The read's own failure is the one to report; a save failing as well is secondary.
            try { await checkpoint.DrainAsync(); } catch (Exception) { }
            throw;
        }
    }

    // Calls waiting for the next round's request, and the answers of those a round carried (complete once it ran).
    private readonly List<(string Key, IReadOnlyList<EthCall> Calls)> _riding = [];
    private readonly Dictionary<string, CallResult[]> _ridden = [];

    public void Ride(string key, IReadOnlyList<EthCall> calls)
    {
        if (calls.Count > 0) lock (_riding) _riding.Add((key, calls));
    }

    public async Task<CallResult[]?> RiddenAsync(string key, CancellationToken ct)
    {
        bool waiting;
        lock (_riding) waiting = _riding.Any(r => r.Key == key);
        if (waiting) await ExecuteAsync(new ReadBatch(), ct);
        lock (_riding) return _ridden.Remove(key, out var answers) ? answers : null;
    }

    /// <summary>Waits until the checkpoint's saves are written (none without a checkpoint); a failed save is thrown here.</summary>
    public Task SavedAsync() => checkpoint?.DrainAsync() ?? Task.CompletedTask;

    public IReadOnlyList<DiscoveredAccount> DiscoveredAccounts(string protocol) => discovery.GetAccounts(chainId, protocol);

    public void Report(string stage, long done, long total, string? detail = null) => progress?.Report(new IndexProgress(stage, done, total, detail));

    private readonly List<IndexWarning> _warnings = [];

    /// <summary>What venues skipped, in the order they said so.</summary>
    public IReadOnlyList<IndexWarning> Warnings => _warnings;

    public void Warn(IndexWarning warning) { lock (_warnings) _warnings.Add(warning); }
}
