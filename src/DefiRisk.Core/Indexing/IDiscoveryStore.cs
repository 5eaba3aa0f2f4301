namespace DefiRisk.Core.Indexing;

/// <summary>
/// Resumable log discovery: per (chain, protocol, contract) the last block whose logs were scanned, and
/// the accounts (and markets) found so far. <see cref="CommitChunk"/> stores a chunk's findings and its
/// checkpoint atomically, so an interrupted scan resumes after the last committed chunk and never skips
/// a block. Implemented by storage; used by the chain adapters (a pure contract: no I/O here).
/// </summary>
public interface IDiscoveryStore
{
    /// <summary>The last scanned block, or null when this contract was never scanned.</summary>
    long? GetCheckpoint(long chainId, string protocol, string contract);

    /// <summary>Adds the (market, account) pairs and moves the checkpoint to <paramref name="lastScannedBlock"/>, in one transaction.</summary>
    void CommitChunk(long chainId, string protocol, string contract, long lastScannedBlock, IReadOnlyCollection<DiscoveredAccount> accounts);

    /// <summary>Every account discovered for the protocol (all markets), ordered by market then account.</summary>
    IReadOnlyList<DiscoveredAccount> GetAccounts(long chainId, string protocol);
}

/// <summary>
/// A borrower found in logs. <see cref="Market"/>: the Aave pool address, or the Morpho market id.
/// For a market seen in Morpho <c>CreateMarket</c> logs, <see cref="Account"/> is empty.
/// </summary>
public sealed record DiscoveredAccount(string Market, string Account);
