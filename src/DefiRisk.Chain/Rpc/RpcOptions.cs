namespace DefiRisk.Chain.Rpc;

/// <summary>
/// How hard the client tries before it gives up on a node. Defaults suit a public provider or a local
/// fork: 6 attempts with exponential backoff from 250 ms (with jitter), 30 s per attempt.
/// </summary>
public sealed record RpcOptions
{
    /// <summary>Attempts per HTTP request, the first included.</summary>
    public int MaxAttempts { get; init; } = 6;
    /// <summary>Backoff before the first retry; doubles each retry, with jitter.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(250);
    /// <summary>Timeout of ONE attempt (the whole HTTP exchange, body included).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>eth_calls per JSON-RPC batch (one HTTP request). Providers cap batches at 100–1000.</summary>
    public int BatchSize { get; init; } = 200;
    /// <summary>Blocks per eth_getLogs request; halved on a "too many results" error.</summary>
    public long LogChunkBlocks { get; init; } = 10_000;
}

/// <summary>What the client did, for progress output and the benchmark. Thread-safe counters.</summary>
public sealed class RpcStats
{
    private long _httpRequests, _retries, _ethCalls, _batches, _logRequests;

    /// <summary>HTTP requests actually sent, retries included.</summary>
    public long HttpRequests => Interlocked.Read(ref _httpRequests);
    public long Retries => Interlocked.Read(ref _retries);
    /// <summary>Logical eth_call invocations (each one item of a batch).</summary>
    public long EthCalls => Interlocked.Read(ref _ethCalls);
    public long Batches => Interlocked.Read(ref _batches);
    public long LogRequests => Interlocked.Read(ref _logRequests);

    internal void HttpRequest() => Interlocked.Increment(ref _httpRequests);
    internal void Retry() => Interlocked.Increment(ref _retries);
    internal void Calls(int n) { Interlocked.Add(ref _ethCalls, n); Interlocked.Increment(ref _batches); }
    internal void LogRequest() => Interlocked.Increment(ref _logRequests);
}
