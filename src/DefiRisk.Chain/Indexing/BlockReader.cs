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

    /// <summary>Where completed read requests are kept (null: none); its saves are written behind the reads.</summary>
    public ReadCheckpointScope? Checkpoint => checkpoint;

    public Task ExecuteAsync(ReadBatch batch, CancellationToken ct) => batch.ExecuteAsync(rpc, block, ct, checkpoint);

    public IReadOnlyList<DiscoveredAccount> DiscoveredAccounts(string protocol) => discovery.GetAccounts(chainId, protocol);

    public void Report(string stage, long done, long total, string? detail = null) => progress?.Report(new IndexProgress(stage, done, total, detail));

    private readonly List<IndexWarning> _warnings = [];

    /// <summary>What venues skipped, in the order they said so.</summary>
    public IReadOnlyList<IndexWarning> Warnings => _warnings;

    public void Warn(IndexWarning warning) => _warnings.Add(warning);
}
