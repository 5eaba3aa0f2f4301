using DefiRisk.Chain.Adapters;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core;
using DefiRisk.Core.Indexing;

namespace DefiRisk.Chain.Indexing;

/// <summary>
/// Borrower discovery from logs: eth_getLogs over [start, block], resuming after the stored checkpoint, with up to
/// <see cref="RpcOptions.Concurrency"/> ranges in flight. Ranges complete in any order but are committed in block
/// order (findings and checkpoint together), so a killed run loses at most the ranges in flight and never skips a block.
/// <para>
/// Range sizes adapt to the node (<see cref="LogRangePlanner"/>): a refusal (<see cref="LogRangeRefusal"/>: too many
/// blocks, too many logs, too big a response) re-queues that range to be cut at the size the node suggests or states,
/// else at half; the size is remembered for the following requests, also across contracts, and grows back by probes.
/// Any other JSON-RPC error fails the index naming the contract and blocks; rate limits never reach here (the HTTP
/// handler waits them out).
/// </para>
/// </summary>
internal sealed class LogScanner(EthRpc rpc, IDiscoveryStore store, long chainId, IProgress<IndexProgress>? progress) : ILogScanner
{
    private readonly LogRangePlanner _planner = new(rpc.Options.LogChunkBlocks);

    /// <summary>The range size the next request will use (blocks).</summary>
    public long RangeSize => _planner.Size;

    public async Task ScanAsync(string protocol, string contract, string stage, long startBlock, long toBlock,
        string[] topic0, Func<LogEntry, IEnumerable<DiscoveredAccount>> extract, CancellationToken ct)
    {
        var checkpoint = store.GetCheckpoint(chainId, protocol, contract);
        var first = Math.Max(startBlock, checkpoint is { } c ? c + 1 : startBlock);
        var total = Math.Max(0, toBlock - first + 1);
        progress?.Report(new IndexProgress(stage, 0, total));
        if (first > toBlock) return;

        var todo = new SortedDictionary<long, long> { [first] = toBlock }; // ranges not yet requested: from → to
        var done = new Dictionary<long, (long To, HashSet<DiscoveredAccount> Found)>(); // answered, waiting for earlier ranges
        var inFlight = new Dictionary<Task<HashSet<DiscoveredAccount>>, (long From, long To)>();
        var committed = first - 1;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct); // ends requests still in flight when one fails
        try
        {
            while (todo.Count > 0 || inFlight.Count > 0)
            {
                while (inFlight.Count < Math.Min(rpc.Options.Concurrency, _planner.Window) && todo.Count > 0)
                {
                    var (from, end) = todo.First();
                    todo.Remove(from);
                    var to = Math.Min(end, from + _planner.Next(end - from + 1) - 1);
                    if (to < end) todo[to + 1] = end;
                    inFlight.Add(FindAsync(from, to, stop.Token), (from, to));
                }

                var answered = await Task.WhenAny(inFlight.Keys);
                var (f, t) = inFlight[answered];
                inFlight.Remove(answered);
                HashSet<DiscoveredAccount> found;
                try
                {
                    found = await answered;
                }
                catch (RpcErrorException ex) when (LogRangeRefusal.Parse(ex.RpcMessage, ex.RpcData) is { } refusal)
                {
                    if (f == t)
                        throw new DefiRiskException($"eth_getLogs on {contract} refuses even the single block {f}: {ex.RpcMessage} (code {ex.Code})", ExitCodes.ChainError, ex);
                    rpc.Stats.LogRangeRefused();
                    _planner.Refused(t - f + 1, refusal);
                    todo[f] = t; // asked again, cut at the new size
                    continue;
                }
                catch (RpcErrorException ex)
                {
                    throw new DefiRiskException($"eth_getLogs on {contract} blocks {f}–{t} failed: {ex.RpcMessage} (code {ex.Code})", ExitCodes.ChainError, ex);
                }
                _planner.Answered(t - f + 1);
                done[f] = (t, found);
                // Every range that now joins the committed prefix goes in ONE transaction (one fsync, not one per range).
                var through = committed;
                var joined = new HashSet<DiscoveredAccount>();
                while (done.Remove(through + 1, out var next))
                {
                    joined.UnionWith(next.Found);
                    through = next.To;
                }
                if (through == committed) continue;
                store.CommitChunk(chainId, protocol, contract, through, joined);
                committed = through;
                progress?.Report(new IndexProgress(stage, committed - first + 1, total, $"block {committed}"));
            }
        }
        finally
        {
            await stop.CancelAsync();
            // Observe whatever is still in flight, so no failure goes unobserved.
            foreach (var pending in inFlight.Keys)
                try { await pending; } catch (Exception) { /* superseded by the error being thrown */ }
        }

        // A range's findings, extracted from each log as the answer is read: the logs themselves are not kept.
        async Task<HashSet<DiscoveredAccount>> FindAsync(long from, long to, CancellationToken token)
        {
            var found = new HashSet<DiscoveredAccount>();
            await rpc.GetLogsAsync(contract, topic0, from, to, log => found.UnionWith(extract(log)), token);
            return found;
        }
    }
}

/// <summary>
/// The eth_getLogs range size (blocks) a node accepts, learnt from its refusals. It starts at the configured chunk; a
/// refusal sets it to the suggested or stated size, else half the refused one, and a stated block cap is a hard ceiling
/// from then on. Until a range of the new size is answered the scanner keeps one request in flight, then doubles that
/// with each answer (<see cref="Window"/>, as TCP's slow start), so a wrong guess is not refused once per request in flight.
/// <para>
/// Log density varies along a chain, so a size cut for a busy stretch should not slow a quiet one: after
/// <see cref="GrowAfter"/> answers in a row, ONE request probes a quarter more (at least one block) while the others keep
/// the confirmed size; an answered probe becomes the size, a refused one doubles the wait before the next probe.
/// </para>
/// </summary>
internal sealed class LogRangePlanner(long initial)
{
    public const int GrowAfter = 4;
    public const int MaxProbeWait = 256;

    private long _ceiling = Math.Max(1, initial);
    private int _streak;
    private int _probeAfter = GrowAfter;
    private long? _probe;

    public long Size { get; private set; } = Math.Max(1, initial);

    /// <summary>A range of <see cref="Size"/> was answered since the size last changed.</summary>
    public bool Confirmed { get; private set; }

    /// <summary>
    /// How many requests may be in flight: 1 until the first size is confirmed, then doubling with each answer (up to the
    /// configured concurrency, which the scanner applies). Back to 1 when the size is halved blind, to half when the node
    /// named the size, and to 2 when a probe widened it, so a jump in log density costs a few refusals, not one per
    /// request in flight.
    /// </summary>
    public int Window { get; private set; } = 1;

    /// <summary>The size of the next request, given that <paramref name="available"/> blocks are left to ask for there.</summary>
    public long Next(long available)
    {
        var grown = Math.Min(_ceiling, Size + Math.Max(1, Size / 4));
        if (Confirmed && _probe is null && _streak >= _probeAfter && grown > Size && available >= grown)
        {
            _probe = grown;
            _streak = 0;
            return grown;
        }
        return Size;
    }

    public void Answered(long size)
    {
        if (size == _probe)
        {
            (_probe, Size, _probeAfter, Window) = (null, size, GrowAfter, 2);
            return;
        }
        if (size < Size) return; // a leftover piece says nothing about the current size
        Confirmed = true;
        Window = Math.Min(1 << 20, Window * 2);
        _streak++;
    }

    public void Refused(long size, LogRangeRefusal refusal)
    {
        if (refusal.Kind == LogLimitKind.BlockRange && refusal.BlockCap is { } cap) _ceiling = Math.Min(_ceiling, Math.Max(1, cap));
        _streak = 0;
        if (size == _probe)
        {
            (_probe, _probeAfter) = (null, Math.Min(MaxProbeWait, _probeAfter * 2));
            // Halving a refused probe says nothing the confirmed size does not; a stated range or cap still counts.
            if (refusal.SuggestedTo is null && refusal.BlockCap is null) return;
        }
        var next = Math.Max(1, Math.Min(refusal.NextSize(size), _ceiling));
        if (next >= Size && Size <= _ceiling) return; // a probe, or a late answer to a wider request sent before the last cut
        Size = Math.Min(Size, next);
        Confirmed = false;
        // A size the node named (its suggestion or cap) is likely right: keep half the requests going. A blind halving may
        // be wrong again: one request until it is answered.
        Window = refusal.SuggestedTo is not null || refusal.BlockCap is not null ? Math.Max(1, Window / 2) : 1;
        _probe = null; // a probe still in flight was sized from the old size; its answer counts as any other
    }
}
