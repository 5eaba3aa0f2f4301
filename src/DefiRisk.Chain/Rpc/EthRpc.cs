using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using DefiRisk.Core;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;

namespace DefiRisk.Chain.Rpc;

/// <summary>One eth_call of a batch: target contract and ABI-encoded call data (0x-hex).</summary>
public readonly record struct EthCall(string To, string Data);

/// <summary>
/// The answer to one eth_call: <see cref="Data"/> (0x-hex return data) on success, or the node's error
/// message when the call reverted. A revert is an answer, not a fault: probes such as
/// <c>POOL_REVISION()</c> on an older pool are expected to revert.
/// </summary>
public readonly record struct CallResult(bool Success, string Data, string? Error)
{
    /// <summary>Success with return data (a call to a contract without the function may "succeed" with empty data).</summary>
    public bool HasData => Success && Data.Length > 2;
}

/// <summary>A log as discovery needs it.</summary>
public sealed record LogEntry(string Address, IReadOnlyList<string> Topics, string Data, long BlockNumber, long LogIndex);

/// <summary>A JSON-RPC error answer (well-formed, not retried): "execution reverted", "query returned more than 10000 results", …</summary>
public sealed class RpcErrorException(string method, long code, string message, string? data = null)
    : Exception($"{method}: {message} (code {code})")
{
    public long Code { get; } = code;
    public string RpcMessage { get; } = message;
    /// <summary>The error's <c>data</c> as text, where some providers put the detail (Tenderly: "range … is bigger than range limit 2000").</summary>
    public string? RpcData { get; } = data;
}

/// <summary>
/// Ethereum JSON-RPC over one resilient HttpClient (<see cref="ResilientHttpHandler"/>). Single requests
/// go through Nethereum's <see cref="RpcClient"/>; eth_call reads go as JSON-RPC batches, every call
/// pinned to the same block number.
/// <para>
/// Why JSON-RPC batching rather than Multicall3: a batch works on any node and at any block (Multicall3
/// exists on mainnet only from block 14,353,601, and not at all on a fresh anvil fixture), needs no
/// contract, and keeps one revert from failing its neighbours. What it does not do is reduce the number
/// of eth_calls: metered providers bill per call inside a batch, where Multicall3's aggregate3 would
/// bill one. Multicall3 (with allowFailure) is the future option for metered mainnet indexing.
/// </para>
/// </summary>
public sealed class EthRpc : IDisposable
{
    private readonly HttpClient _http;
    private readonly RpcClient _client;
    private readonly Uri _uri;
    private long _nextId;

    public RpcOptions Options { get; }
    public RpcStats Stats { get; } = new();
    /// <summary>The URL without path or query (which may hold a provider API key), for messages.</summary>
    public string DisplayUrl { get; }

    public EthRpc(string url, RpcOptions? options = null)
    {
        Options = (options ?? new RpcOptions()).Validated(key => $"RpcOptions.{(key == "LogChunk" ? nameof(RpcOptions.LogChunkBlocks) : key)}");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw new DefiRiskException($"--rpc '{url}' is not an http(s) URL");
        _uri = uri;
        DisplayUrl = $"{uri.Scheme}://{uri.Authority}";
        _http = new HttpClient(new ResilientHttpHandler(DisplayUrl, Options, Stats)) { Timeout = Timeout.InfiniteTimeSpan };
        _client = new RpcClient(uri, _http);
        // The handler owns timeouts and retries; Nethereum's own (process-wide) timer must outlast all attempts.
        var outlast = Options.RequestTimeout * Options.MaxAttempts + Options.RateLimitWait + TimeSpan.FromMinutes(2);
        if (ClientBase.ConnectionTimeout < outlast) ClientBase.ConnectionTimeout = outlast;
    }

    public void Dispose() => _http.Dispose();

    // ------------------------------------------------------------------ single requests (Nethereum)

    private async Task<T> SendAsync<T>(string method, CancellationToken ct, params object[] parameters)
    {
        ct.ThrowIfCancellationRequested();
        if (method == "eth_getLogs") Stats.LogRequest();
        try
        {
            var result = await _client.SendRequestAsync<T>(new RpcRequest(Interlocked.Increment(ref _nextId), method, parameters));
            ct.ThrowIfCancellationRequested();
            return result;
        }
        catch (RpcResponseException ex) when (ex.RpcError is { } e)
        {
            throw new RpcErrorException(method, e.Code, e.Message, e.Data?.ToString());
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is not RpcErrorException)
        {
            for (var inner = ex; inner is not null; inner = inner.InnerException)
                if (inner is DefiRiskException d) throw new DefiRiskException(d.Message, d.ExitCode, ex);
            throw new DefiRiskException($"RPC {DisplayUrl} {method} failed: {ex.Message.Split('\n')[0]}", ExitCodes.ChainError, ex);
        }
    }

    public async Task<long> ChainIdAsync(CancellationToken ct) => ParseLong(await SendAsync<string>("eth_chainId", ct));

    public async Task<long> BlockNumberAsync(CancellationToken ct) => ParseLong(await SendAsync<string>("eth_blockNumber", ct));

    /// <summary>Number and timestamp of a block (null: latest).</summary>
    public async Task<(long Number, long Timestamp)> GetBlockAsync(long? number, CancellationToken ct)
    {
        var block = await SendAsync<BlockWithTransactionHashes?>("eth_getBlockByNumber", ct, number is { } n ? Hex(n) : "latest", false)
            ?? throw new DefiRiskException($"block {number} does not exist on {DisplayUrl}", ExitCodes.ChainError);
        return ((long)block.Number.Value, (long)block.Timestamp.Value);
    }

    public async Task<bool> HasCodeAsync(string address, long block, CancellationToken ct)
    {
        var code = await SendAsync<string>("eth_getCode", ct, address, Hex(block));
        return code is { Length: > 2 };
    }

    public async Task<IReadOnlyList<LogEntry>> GetLogsAsync(string address, string[] topic0, long from, long to, CancellationToken ct)
    {
        var filter = new Dictionary<string, object>
        {
            ["address"] = address,
            ["fromBlock"] = Hex(from),
            ["toBlock"] = Hex(to),
            ["topics"] = new object[] { topic0 },
        };
        var logs = await SendAsync<FilterLog[]>("eth_getLogs", ct, filter) ?? [];
        return logs.Select(l => new LogEntry(l.Address.ToLowerInvariant(), l.Topics.Select(t => t.ToString()!.ToLowerInvariant()).ToList(),
            l.Data ?? "0x", (long)l.BlockNumber.Value, (long)l.LogIndex.Value)).ToList();
    }

    // ------------------------------------------------------------------ batched eth_call

    /// <summary>
    /// Runs <paramref name="calls"/> at <paramref name="block"/> as JSON-RPC batches of
    /// <see cref="RpcOptions.BatchSize"/>, a few batches in flight at once. Results come back in call order.
    /// </summary>
    public async Task<CallResult[]> CallAsync(IReadOnlyList<EthCall> calls, long block, CancellationToken ct)
    {
        var results = new CallResult[calls.Count];
        var chunks = Enumerable.Range(0, (calls.Count + Options.BatchSize - 1) / Options.BatchSize).ToList();
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = Options.Concurrency, CancellationToken = ct }, async (chunk, token) =>
        {
            var start = chunk * Options.BatchSize;
            var count = Math.Min(Options.BatchSize, calls.Count - start);
            var part = await CallChunkAsync(calls, start, count, block, token);
            Array.Copy(part, 0, results, start, count);
        });
        return results;
    }

    private async Task<CallResult[]> CallChunkAsync(IReadOnlyList<EthCall> calls, int start, int count, long block, CancellationToken ct)
    {
        var blockTag = Hex(block);
        var firstId = Interlocked.Add(ref _nextId, count) - count + 1;
        var body = new StringBuilder(count * 200).Append('[');
        for (var i = 0; i < count; i++)
        {
            if (i > 0) body.Append(',');
            var c = calls[start + i];
            body.Append("{\"jsonrpc\":\"2.0\",\"id\":").Append(firstId + i)
                .Append(",\"method\":\"eth_call\",\"params\":[{\"to\":\"").Append(c.To).Append("\",\"data\":\"").Append(c.Data)
                .Append("\"},\"").Append(blockTag).Append("\"]}");
        }
        var payload = body.Append(']').ToString();

        // Item-level errors that are not reverts (rate limits inside a batch, "header not found" on a
        // load-balanced provider) are retried for the whole chunk, with the same backoff as HTTP faults.
        string? lastProblem = null;
        for (var attempt = 1; attempt <= Options.MaxAttempts; attempt++)
        {
            if (attempt > 1) await Task.Delay(Backoff(attempt - 1), ct);
            Stats.Calls(count);
            string text;
            try
            {
                using var content = new StringContent(payload, Encoding.UTF8, "application/json");
                using var response = await _http.PostAsync(_uri, content, ct);
                text = await response.Content.ReadAsStringAsync(ct);
                if (!response.IsSuccessStatusCode)
                    throw new DefiRiskException($"RPC {DisplayUrl} answered HTTP {(int)response.StatusCode} to an eth_call batch", ExitCodes.ChainError);
            }
            catch (HttpRequestException ex)
            {
                throw new DefiRiskException($"RPC {DisplayUrl} failed: {ex.Message}", ExitCodes.ChainError, ex);
            }
            var (results, problem) = ParseBatch(text, firstId, count);
            if (results is not null) return results;
            lastProblem = problem;
        }
        throw new DefiRiskException($"RPC {DisplayUrl} failed after {Options.MaxAttempts} attempts: eth_call batch: {lastProblem}", ExitCodes.ChainError);
    }

    private TimeSpan Backoff(int retry) =>
        TimeSpan.FromMilliseconds(Math.Min(10_000, Options.BaseDelay.TotalMilliseconds * Math.Pow(2, retry - 1) * (0.5 + Random.Shared.NextDouble())));

    /// <summary>Maps a batch response (any order) back to call order; a transient item error yields (null, why).</summary>
    private static (CallResult[]? Results, string? Problem) ParseBatch(string text, long firstId, int count)
    {
        using var doc = JsonDocument.Parse(text);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
        {
            var message = doc.RootElement.TryGetProperty("error", out var err) && err.TryGetProperty("message", out var m) ? m.GetString() : text[..Math.Min(200, text.Length)];
            return (null, $"batch refused: {message}");
        }
        var results = new CallResult[count];
        var seen = new bool[count];
        foreach (var item in doc.RootElement.EnumerateArray())
        {
            if (!item.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.Number) continue;
            var index = idElement.GetInt64() - firstId;
            if (index < 0 || index >= count) continue;
            if (item.TryGetProperty("result", out var result))
                results[index] = new CallResult(true, result.GetString() ?? "0x", null);
            else if (item.TryGetProperty("error", out var error))
            {
                var code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt64() : 0;
                var message = error.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
                if (!IsExecutionError(code, message)) return (null, $"{message} (code {code})");
                results[index] = new CallResult(false, "0x", message);
            }
            else return (null, "batch item without result or error");
            seen[index] = true;
        }
        var missing = Array.IndexOf(seen, false);
        return missing >= 0 ? (null, $"batch response lacks call {missing}") : (results, null);
    }

    /// <summary>A deterministic execution failure (revert, invalid opcode, out of gas): retrying cannot change it.</summary>
    private static bool IsExecutionError(long code, string message) =>
        code == 3 || message.Contains("revert", StringComparison.OrdinalIgnoreCase)
        || message.Contains("execution", StringComparison.OrdinalIgnoreCase)
        || message.Contains("EVM error", StringComparison.OrdinalIgnoreCase)
        || message.Contains("invalid opcode", StringComparison.OrdinalIgnoreCase)
        || message.Contains("out of gas", StringComparison.OrdinalIgnoreCase);

    // ------------------------------------------------------------------ hex

    public static string Hex(long n) => "0x" + n.ToString("x", CultureInfo.InvariantCulture);

    public static long ParseLong(string hex) => (long)ParseBig(hex);

    public static BigInteger ParseBig(string hex)
    {
        var h = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex;
        return h.Length == 0 ? BigInteger.Zero : BigInteger.Parse("0" + h, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }
}
