using System.Globalization;
using DefiRisk.Core;

namespace DefiRisk.Chain.Rpc;

/// <summary>
/// How hard the client tries before it gives up on a node, and how much it asks of it at once. Defaults suit a public
/// provider or a local fork: 6 attempts with exponential backoff from 250 ms (with jitter), 30 s per attempt; up to 2
/// minutes of rate-limit waiting per request; batches of 200 eth_calls; log ranges of 10,000 blocks; 4 requests in flight.
/// </summary>
public sealed record RpcOptions
{
    /// <summary>Attempts per HTTP request against faults (timeouts, 5xx, dropped or truncated answers), the first included.</summary>
    public int MaxAttempts { get; init; } = 6;
    /// <summary>Backoff before the first retry; doubles each retry, with jitter.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(250);
    /// <summary>Timeout of ONE attempt (the whole HTTP exchange, body included).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Most time one request may spend waiting out rate limits (429, "rate limit" errors) before the index fails.</summary>
    public TimeSpan RateLimitWait { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>eth_calls per JSON-RPC batch (one HTTP request). Providers cap batches at 100–1000.</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;
    /// <summary>Blocks per eth_getLogs request to start with; the scanner shrinks it to what the node accepts and remembers that.</summary>
    public long LogChunkBlocks { get; init; } = DefaultLogChunk;
    /// <summary>Requests in flight at once: eth_call batches, and eth_getLogs ranges of one contract.</summary>
    public int Concurrency { get; init; } = DefaultConcurrency;
    /// <summary>View calls per eth_call through the read lens (state override); 1 turns the lens off (plain batches).</summary>
    public int CallsPerRead { get; init; } = DefaultCallsPerRead;

    public const int DefaultBatchSize = 200;
    public const long DefaultLogChunk = 10_000;
    public const int DefaultConcurrency = 4;
    public const int DefaultCallsPerRead = 500;

    /// <summary>The bounds <see cref="Validated"/> enforces (inclusive).</summary>
    public const int MaxBatchSize = 10_000, MaxConcurrency = 64, MaxCallsPerRead = 20_000;
    public const long MaxLogChunk = 100_000_000;

    /// <summary>
    /// This object when every limit is in range, else one <see cref="DefiRiskException"/> line naming
    /// <paramref name="source"/>'s key (e.g. <c>--batch-size</c> or <c>appsettings.json: RpcLimits.BatchSize</c>).
    /// </summary>
    public RpcOptions Validated(Func<string, string> source)
    {
        Check(BatchSize, 1, MaxBatchSize, source("BatchSize"));
        Check(LogChunkBlocks, 1, MaxLogChunk, source("LogChunk"));
        Check(Concurrency, 1, MaxConcurrency, source("Concurrency"));
        Check(CallsPerRead, 1, MaxCallsPerRead, source("CallsPerRead"));
        return this;

        static void Check(long value, long min, long max, string key)
        {
            if (value < min || value > max)
                throw new DefiRiskException(string.Create(CultureInfo.InvariantCulture,
                    $"{key}: {value} is out of range (allowed {min:#,0}–{max:#,0})"), ExitCodes.UserError);
        }
    }
}

/// <summary>What the client did, for progress output and the benchmark. Thread-safe counters.</summary>
public sealed class RpcStats
{
    private long _httpRequests, _retries, _ethCalls, _batches, _logRequests, _rateLimited, _rateLimitWaitTicks, _logRangeRefusals, _lensSplits, _checkpointed;

    /// <summary>HTTP requests actually sent, retries included.</summary>
    public long HttpRequests => Interlocked.Read(ref _httpRequests);
    /// <summary>Requests repeated after a fault (timeout, 5xx, dropped or truncated answer) or a rate limit.</summary>
    public long Retries => Interlocked.Read(ref _retries);
    /// <summary>Logical eth_call invocations (each one item of a batch).</summary>
    public long EthCalls => Interlocked.Read(ref _ethCalls);
    public long Batches => Interlocked.Read(ref _batches);
    public long LogRequests => Interlocked.Read(ref _logRequests);
    /// <summary>Requests repeated after a rate-limit answer (HTTP 429 or a JSON-RPC rate-limit error).</summary>
    public long RateLimited => Interlocked.Read(ref _rateLimited);
    /// <summary>Time spent waiting out rate limits, summed over requests (concurrent waits overlap in wall-clock time).</summary>
    public TimeSpan RateLimitWait => TimeSpan.FromTicks(Interlocked.Read(ref _rateLimitWaitTicks));
    /// <summary>eth_getLogs ranges the node refused as too large (then split).</summary>
    public long LogRangeRefusals => Interlocked.Read(ref _logRangeRefusals);

    /// <summary>Lens eth_calls that failed as a whole (out of gas under the node's cap) and were split in halves.</summary>
    public long LensSplits => Interlocked.Read(ref _lensSplits);

    /// <summary>eth_calls answered from the read checkpoint (a resumed index) instead of the node; not counted in <see cref="EthCalls"/>.</summary>
    public long CheckpointedCalls => Interlocked.Read(ref _checkpointed);

    internal void FromCheckpoint(int n) => Interlocked.Add(ref _checkpointed, n);
    internal void LensSplit() => Interlocked.Increment(ref _lensSplits);
    internal void HttpRequest() => Interlocked.Increment(ref _httpRequests);
    internal void Retry() => Interlocked.Increment(ref _retries);
    internal void Calls(int n) { Interlocked.Add(ref _ethCalls, n); Interlocked.Increment(ref _batches); }
    internal void LogRequest() => Interlocked.Increment(ref _logRequests);
    internal void RateLimitedWait(TimeSpan wait) { Interlocked.Increment(ref _rateLimited); Interlocked.Add(ref _rateLimitWaitTicks, wait.Ticks); }
    internal void LogRangeRefused() => Interlocked.Increment(ref _logRangeRefusals);
}
