using DefiRisk.Chain.Adapters;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core.Indexing;

namespace DefiRisk.Chain.Indexing;

/// <summary>
/// Borrower discovery from logs: eth_getLogs over [start, block] in chunks of
/// <see cref="RpcOptions.LogChunkBlocks"/>, resuming after the stored checkpoint. Each chunk's findings
/// and its new checkpoint are committed together, so a killed run loses at most the chunk in flight.
/// A node refusing a range ("too many results", "block range too large") halves the chunk until it fits,
/// then grows back.
/// </summary>
internal sealed class LogScanner(EthRpc rpc, IDiscoveryStore store, long chainId, IProgress<IndexProgress>? progress) : ILogScanner
{
    public async Task ScanAsync(string protocol, string contract, string stage, long startBlock, long toBlock,
        string[] topic0, Func<LogEntry, IEnumerable<DiscoveredAccount>> extract, CancellationToken ct)
    {
        var checkpoint = store.GetCheckpoint(chainId, protocol, contract);
        var from = Math.Max(startBlock, checkpoint is { } c ? c + 1 : startBlock);
        var maxChunk = Math.Max(1, rpc.Options.LogChunkBlocks);
        var chunk = maxChunk;
        var total = Math.Max(0, toBlock - from + 1);
        var firstFrom = from;
        progress?.Report(new IndexProgress(stage, 0, total));
        while (from <= toBlock)
        {
            ct.ThrowIfCancellationRequested();
            var to = Math.Min(toBlock, from + chunk - 1);
            IReadOnlyList<LogEntry> logs;
            try
            {
                logs = await rpc.GetLogsAsync(contract, topic0, from, to, ct);
            }
            catch (RpcErrorException ex) when (IsRangeTooLarge(ex) && to > from)
            {
                chunk = Math.Max(1, (to - from + 1) / 2);
                continue;
            }
            var found = logs.SelectMany(extract).Distinct().ToList();
            store.CommitChunk(chainId, protocol, contract, to, found);
            progress?.Report(new IndexProgress(stage, to - firstFrom + 1, total, $"block {to}"));
            from = to + 1;
            chunk = Math.Min(maxChunk, chunk * 2);
        }
    }

    /// <summary>The wording providers use when a log range is too big (geth, Erigon, Alchemy, Infura, QuickNode, anvil).</summary>
    private static bool IsRangeTooLarge(RpcErrorException ex)
    {
        var m = ex.RpcMessage.ToLowerInvariant();
        return ex.Code == -32005 || m.Contains("too many") || m.Contains("more than") || m.Contains("limit") || m.Contains("range")
               || m.Contains("too large") || m.Contains("response size") || m.Contains("timeout") || m.Contains("10000");
    }
}
