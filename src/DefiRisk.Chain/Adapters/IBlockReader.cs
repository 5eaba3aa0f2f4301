using DefiRisk.Chain.Rpc;
using DefiRisk.Core.Indexing;

namespace DefiRisk.Chain.Adapters;

/// <summary>What an adapter reads through during an index run: the pinned block, batched calls at it, discovery, progress.</summary>
public interface IBlockReader
{
    long ChainId { get; }

    /// <summary>The pinned block every read is made at.</summary>
    long Block { get; }

    long Timestamp { get; }

    /// <summary>Runs one round of batched eth_calls at <see cref="Block"/>.</summary>
    Task ExecuteAsync(ReadBatch batch, CancellationToken ct);

    /// <summary>Everything discovery stored for <paramref name="protocol"/> on this chain.</summary>
    IReadOnlyList<DiscoveredAccount> DiscoveredAccounts(string protocol);

    /// <summary>A progress report: <paramref name="stage"/> ("read aave-v3 core"…), work done of total.</summary>
    void Report(string stage, long done, long total, string? detail = null);

    /// <summary>Something a venue skipped instead of aborting (a pool with no code or no liquidity): the run's warnings list it.</summary>
    void Warn(IndexWarning warning);

    /// <summary>
    /// Calls that need nothing read first (a venue's lens over its listed pools), sent inside the next round's request
    /// instead of a request of their own; their answers come from <see cref="RiddenAsync"/> under <paramref name="key"/>.
    /// A reader that cannot carry them ignores them.
    /// </summary>
    void Ride(string key, IReadOnlyList<EthCall> calls) { }

    /// <summary>
    /// The answers to the calls that rode under <paramref name="key"/>, in order (sent now when no round carried them);
    /// null when none did.
    /// </summary>
    Task<CallResult[]?> RiddenAsync(string key, CancellationToken ct) => Task.FromResult<CallResult[]?>(null);
}

/// <summary>
/// Resumable discovery from logs (the indexer's scanner): eth_getLogs of <paramref name="contract"/> over
/// [startBlock, toBlock], each chunk's findings committed with its checkpoint under (<c>protocol</c>, <c>contract</c>).
/// </summary>
public interface ILogScanner
{
    Task ScanAsync(string protocol, string contract, string stage, long startBlock, long toBlock,
        string[] topic0, Func<LogEntry, IEnumerable<DiscoveredAccount>> extract, CancellationToken ct);
}

public static class LogTopics
{
    /// <summary>The 20-byte address in an indexed topic (left-padded to 32 bytes), lower case.</summary>
    public static string Address(string topic) => "0x" + topic[^40..].ToLowerInvariant();
}
