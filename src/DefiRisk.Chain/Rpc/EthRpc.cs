using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using DefiRisk.Core;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;

namespace DefiRisk.Chain.Rpc;

/// <summary>
/// One eth_call of a batch: target contract and ABI-encoded call data (0x-hex); with <paramref name="Code"/>, the call runs
/// that runtime code at <paramref name="To"/> (a state override, as <see cref="ReadLens"/> does).
/// </summary>
public readonly record struct EthCall(string To, string Data, string? Code = null);

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
/// Reads go through <see cref="ReadLens"/> where the node honours eth_call state overrides (anvil, geth, Erigon, the
/// large providers): many view calls to one eth_call, because metered providers bill every eth_call, inside a batch
/// too. Our own lens rather than Multicall3: it needs no deployment, so it works on a fresh fixture and at any fork block
/// (Multicall3 exists on mainnet only from block 14,353,601). Where overrides are refused, plain JSON-RPC batches.
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

    /// <summary>
    /// eth_getLogs of <paramref name="address"/> over [<paramref name="from"/>, <paramref name="to"/>]: each log goes to
    /// <paramref name="onLog"/> as it is read from the answer, none is kept here. Returns how many logs the answer held.
    /// </summary>
    public async Task<int> GetLogsAsync(string address, string[] topic0, long from, long to, Action<LogEntry> onLog, CancellationToken ct)
    {
        var filter = new Dictionary<string, object>
        {
            ["address"] = address,
            ["fromBlock"] = Hex(from),
            ["toBlock"] = Hex(to),
            ["topics"] = new object[] { topic0 },
        };
        ct.ThrowIfCancellationRequested();
        Stats.LogRequest();
        // Read token by token from the answer's bytes, no document and no list of logs: through Nethereum's FilterLog one
        // answer of 25,000 Borrow logs needed more than 256 MB of heap, a JsonDocument and a list of logs of a
        // 100,000-borrower book's ~85 MB answer about 400 MB (issue 13 item 6).
        var request = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["jsonrpc"] = "2.0", ["id"] = Interlocked.Increment(ref _nextId), ["method"] = "eth_getLogs", ["params"] = new object[] { filter },
        });
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, _uri) { Content = new ByteArrayContent(request) };
            message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct);
            var body = await JsonBodyContent.ReadAsync(response.Content, ct);
            // Hex (logs) never spells "error": only a body that holds the word can be an error answer.
            if (body.AsSpan().IndexOf("\"error\""u8) >= 0) ThrowIfError(body);
            if (!response.IsSuccessStatusCode)
                throw new DefiRiskException($"RPC {DisplayUrl} eth_getLogs failed: HTTP {(int)response.StatusCode}", ExitCodes.ChainError);
            return ReadLogs(body, onLog);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is not RpcErrorException && ex is not DefiRiskException)
        {
            for (var inner = ex; inner is not null; inner = inner.InnerException)
                if (inner is DefiRiskException d) throw new DefiRiskException(d.Message, d.ExitCode, ex);
            throw new DefiRiskException($"RPC {DisplayUrl} eth_getLogs failed: {ex.Message.Split('\n')[0]}", ExitCodes.ChainError, ex);
        }

        static void ThrowIfError(byte[] body)
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("error", out var error)) return;
            var code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt64() : 0;
            var text = error.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
            string? data = error.TryGetProperty("data", out var d) ? d.ValueKind == JsonValueKind.String ? d.GetString() : d.GetRawText() : null;
            throw new RpcErrorException("eth_getLogs", code, text, data);
        }
    }

    /// <summary>The logs of an eth_getLogs answer (<c>result</c>: an array of log objects), each handed on as it is read.</summary>
    private static int ReadLogs(ReadOnlySpan<byte> json, Action<LogEntry> onLog)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new JsonException("the answer is not a JSON-RPC object");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isResult = reader.ValueTextEquals("result"u8);
            reader.Read();
            if (!isResult) { reader.Skip(); continue; }
            if (reader.TokenType != JsonTokenType.StartArray) return 0;
            var count = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                string? address = null, data = null, block = null, index = null;
                var topics = new List<string>(4);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("address"u8)) address = NextString(ref reader);
                    else if (reader.ValueTextEquals("data"u8)) data = NextString(ref reader);
                    else if (reader.ValueTextEquals("blockNumber"u8)) block = NextString(ref reader);
                    else if (reader.ValueTextEquals("logIndex"u8)) index = NextString(ref reader);
                    else if (reader.ValueTextEquals("topics"u8))
                    {
                        reader.Read();
                        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("log topics is not an array");
                        while (reader.Read() && reader.TokenType == JsonTokenType.String) topics.Add(reader.GetString()!.ToLowerInvariant());
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
                if (address is null || block is null || index is null) throw new JsonException("a log lacks address, blockNumber or logIndex");
                onLog(new LogEntry(address.ToLowerInvariant(), topics, data ?? "0x", ParseLong(block), ParseLong(index)));
                count++;
            }
            return count;
        }
        throw new JsonException("the answer has no result");

        static string? NextString(ref Utf8JsonReader reader)
        {
            reader.Read();
            return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        }
    }

    // ------------------------------------------------------------------ batched eth_call

    /// <summary>
    /// Runs <paramref name="calls"/> at <paramref name="block"/>. Results come back in call order. With
    /// <see cref="RpcOptions.CallsPerRead"/> above 1 and a node that honours state overrides, they go through
    /// <see cref="ReadLens"/>, that many to an eth_call (packed, so a round of thousands of reads fits one request body),
    /// and a round's lens calls in one JSON-RPC batch (one HTTP request per round of reads); otherwise as JSON-RPC batches
    /// of <see cref="RpcOptions.BatchSize"/>, a few in flight.
    /// </summary>
    /// <param name="checkpoint">where completed request batches are kept and found again (the read phase's resume); null: none.</param>
    public async Task<CallResult[]> CallAsync(IReadOnlyList<EthCall> calls, long block, CancellationToken ct, ReadCheckpointScope? checkpoint = null)
    {
        if (calls.Any(c => c.Code is not null)) return await CallWithOwnCodeAsync(calls, block, ct, checkpoint);
        if (calls.Count > 1 && Options.CallsPerRead > 1 && _lens != LensRefused && calls.All(ReadLens.Packable))
        {
            try
            {
                if (await CallThroughLensAsync(calls, block, ct, checkpoint) is { } results) return results;
            }
            catch (DefiRiskException) when (_lens == LensUnknown)
            {
                // The first lens call refused outright (a node that rejects a third eth_call parameter): batches it is.
            }
            _lens = LensRefused;
        }
        return await CallBatchedAsync(calls, block, ct, checkpoint);
    }

    /// <summary>
    /// A round where some calls carry their own code (a venue's lens): those go as eth_calls of their own in the same JSON-RPC
    /// batch as the round's read-lens calls, so they cost no request. Where state overrides are not used (one call per read,
    /// or a node that refused or ignored them) they are not sent and answer empty, as at an address without code: the
    /// caller reads another way.
    /// </summary>
    private async Task<CallResult[]> CallWithOwnCodeAsync(IReadOnlyList<EthCall> calls, long block, CancellationToken ct, ReadCheckpointScope? checkpoint)
    {
        var own = new List<int>();
        var rest = new List<int>();
        for (var i = 0; i < calls.Count; i++) (calls[i].Code is null ? rest : own).Add(i);
        var plain = rest.Select(i => calls[i]).ToList();
        var extras = own.Select(i => calls[i]).ToList();
        var results = new CallResult[calls.Count];
        if (Options.CallsPerRead > 1 && _lens != LensRefused && plain.All(ReadLens.Packable))
        {
            try
            {
                if (await CallThroughLensAsync(plain, block, ct, checkpoint, extras) is { } answers)
                {
                    for (var k = 0; k < rest.Count; k++) results[rest[k]] = answers[k];
                    for (var k = 0; k < own.Count; k++) results[own[k]] = answers[rest.Count + k];
                    return results;
                }
            }
            catch (DefiRiskException) when (_lens == LensUnknown)
            {
            }
            _lens = LensRefused;
        }
        var read = plain.Count > 0 ? await CallBatchedAsync(plain, block, ct, checkpoint) : [];
        for (var k = 0; k < rest.Count; k++) results[rest[k]] = read[k];
        foreach (var i in own) results[i] = new CallResult(true, "0x", null);
        return results;
    }

    // Unknown until the first lens call answers: a node either honours eth_call state overrides or not.
    private const int LensUnknown = 0, LensWorks = 1, LensRefused = -1;
    private volatile int _lens;

    /// <summary>
    /// <see cref="RpcOptions.CallsPerRead"/> calls per lens eth_call. A node that ignored the override runs no code at the
    /// lens address and answers nothing: null, and the caller reads with batches. A lens call that fails as a whole (out
    /// of gas under the node's call gas cap, 50,000,000 on geth by default) is split in halves until it fits; a single
    /// call that still fails goes as a plain eth_call, which reports its own failure.
    /// </summary>
    /// <param name="extras">calls with their own code, sent as they are in the first request (their answers follow the calls').</param>
    private async Task<CallResult[]?> CallThroughLensAsync(IReadOnlyList<EthCall> calls, long block, CancellationToken ct, ReadCheckpointScope? checkpoint,
        IReadOnlyList<EthCall>? extras = null)
    {
        extras ??= [];
        var results = new CallResult[calls.Count + extras.Count];
        var pending = ReadLens.Runs(calls, Options.CallsPerRead, MaxRequestChars);
        var first = true;
        while (pending.Count > 0 || first)
        {
            var sent = pending.Select(p => ReadLens.Pack(calls, p.Start, p.Count)).ToList();
            if (first) sent.AddRange(extras);
            var answers = await CallBatchedAsync(sent, block, ct, checkpoint);
            if (first) Array.Copy(answers, pending.Count, results, calls.Count, extras.Count);
            first = false;
            var retry = new List<(int Start, int Count)>();
            for (var i = 0; i < pending.Count; i++)
            {
                var (start, count) = pending[i];
                if (ReadLens.Unpack(answers[i], count) is { } inner)
                {
                    _lens = LensWorks;
                    Array.Copy(inner, 0, results, start, count);
                    continue;
                }
                if (answers[i].Success && _lens == LensUnknown) return null; // no code ran: the override was ignored
                if (count == 1)
                {
                    results[start] = (await CallBatchedAsync([calls[start]], block, ct, checkpoint))[0];
                    continue;
                }
                Stats.LensSplit();
                retry.Add((start, count / 2));
                retry.Add((start + count / 2, count - count / 2));
            }
            pending = retry;
        }
        return results;
    }

    /// <summary>
    /// Runs <paramref name="calls"/> at <paramref name="block"/> as JSON-RPC batches of <see cref="RpcOptions.BatchSize"/>,
    /// a few batches in flight at once. Results come back in call order.
    /// </summary>
    private async Task<CallResult[]> CallBatchedAsync(IReadOnlyList<EthCall> calls, long block, CancellationToken ct, ReadCheckpointScope? checkpoint = null)
    {
        var results = new CallResult[calls.Count];
        var chunks = Chunks(calls, Options.BatchSize, MaxRequestChars, c => c.To.Length + c.Data.Length + (c.Code?.Length ?? 0) + 120);
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = Options.Concurrency, CancellationToken = ct }, async (chunk, token) =>
        {
            var part = await CallCheckpointedAsync(calls, chunk.Start, chunk.Count, block, checkpoint, token);
            Array.Copy(part, 0, results, chunk.Start, chunk.Count);
        });
        return results;
    }

    /// <summary>
    /// Request bodies stay under this many characters: nodes cap them (anvil refused a 1.6 MB batch as "Invalid request";
    /// providers cap at a few MB).
    /// </summary>
    internal const int MaxRequestChars = 600_000;

    /// <summary>Consecutive runs of at most <paramref name="maxCount"/> calls and (past the first) <paramref name="maxChars"/> characters.</summary>
    private static List<(int Start, int Count)> Chunks(IReadOnlyList<EthCall> calls, int maxCount, int maxChars, Func<EthCall, int> chars)
    {
        var chunks = new List<(int Start, int Count)>();
        int start = 0, size = 0;
        for (var i = 0; i < calls.Count; i++)
        {
            var c = chars(calls[i]);
            if (i > start && (i - start == maxCount || size + c > maxChars))
            {
                chunks.Add((start, i - start));
                (start, size) = (i, 0);
            }
            size += c;
        }
        if (calls.Count > start) chunks.Add((start, calls.Count - start));
        return chunks;
    }

    /// <summary>
    /// One request's calls: from the checkpoint when a run before answered them at this block, else from the node, and then
    /// kept (a failure later loses at most the requests in flight).
    /// </summary>
    private async Task<CallResult[]> CallCheckpointedAsync(IReadOnlyList<EthCall> calls, int start, int count, long block, ReadCheckpointScope? checkpoint, CancellationToken ct)
    {
        if (checkpoint is null) return await CallChunkAsync(calls, start, count, block, ct);
        var key = ReadCheckpointScope.Key(calls, start, count, block);
        if (checkpoint.Find(block, key, count) is { } saved)
        {
            Stats.FromCheckpoint(count);
            return saved;
        }
        var results = await CallChunkAsync(calls, start, count, block, ct);
        checkpoint.Save(block, key, results);
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
                .Append("\"},\"").Append(blockTag).Append('"');
            if (c.Code is { } code) body.Append(",{\"").Append(c.To).Append("\":{\"code\":\"").Append(code).Append("\"}}");
            body.Append("]}");
        }
        // UTF-8 once, handed to the HTTP handler as is: a string, then StringContent's bytes, then the handler's copy made three
        // large objects per request of a large book's read phase (issue 13 item 6).
        var payload = Utf8(body.Append(']'));

        // Item-level errors that are not reverts (rate limits inside a batch, "header not found" on a
        // load-balanced provider) are retried for the whole chunk, with the same backoff as HTTP faults.
        string? lastProblem = null;
        for (var attempt = 1; attempt <= Options.MaxAttempts; attempt++)
        {
            if (attempt > 1) await Task.Delay(Backoff(attempt - 1), ct);
            Stats.Calls(count);
            byte[] text;
            try
            {
                using var content = new JsonBodyContent(payload);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                using var response = await _http.PostAsync(_uri, content, ct);
                text = await JsonBodyContent.ReadAsync(response.Content, ct);
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

    /// <summary>The builder's text as UTF-8, encoded chunk by chunk (no string of the whole body).</summary>
    private static byte[] Utf8(StringBuilder text)
    {
        var length = 0;
        foreach (var chunk in text.GetChunks()) length += Encoding.UTF8.GetByteCount(chunk.Span);
        var bytes = new byte[length];
        var at = 0;
        foreach (var chunk in text.GetChunks()) at += Encoding.UTF8.GetBytes(chunk.Span, bytes.AsSpan(at));
        return bytes;
    }

    private TimeSpan Backoff(int retry) =>
        TimeSpan.FromMilliseconds(Math.Min(10_000, Options.BaseDelay.TotalMilliseconds * Math.Pow(2, retry - 1) * (0.5 + Random.Shared.NextDouble())));

    /// <summary>Maps a batch response (any order) back to call order; a transient item error yields (null, why).</summary>
    private static (CallResult[]? Results, string? Problem) ParseBatch(byte[] text, long firstId, int count)
    {
        using var doc = JsonDocument.Parse(text);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
        {
            var message = doc.RootElement.TryGetProperty("error", out var err) && err.TryGetProperty("message", out var m) ? m.GetString()
                : Encoding.UTF8.GetString(text, 0, Math.Min(200, text.Length));
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
