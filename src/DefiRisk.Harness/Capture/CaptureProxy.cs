using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DefiRisk.Harness.Capture;

/// <summary>
/// A loopback JSON-RPC proxy between the indexer and the node being captured. It passes every request through unchanged
/// and, for each read it sees answered, records what that read depends on in <see cref="State"/>: an <c>eth_call</c> is
/// replayed as <c>debug_traceCall</c> with the <c>prestateTracer</c> at the same block and with the same state override
/// (every account, code and storage slot the call touched, as it was before the call); <c>eth_getCode</c>,
/// <c>eth_getStorageAt</c> and <c>eth_getBalance</c> answers are recorded as they are. A proxy, not a hook in the RPC
/// client: the indexer runs exactly as it does against any node, lens, batches, retries and all.
/// <para>
/// An account named in a call's state override is left out of that call's prestate: the tracer reports the override (the
/// read lens's code at its unused address), not the chain.
/// </para>
/// </summary>
internal sealed class CaptureProxy : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly HttpClient _upstream = new() { Timeout = TimeSpan.FromMinutes(10) };
    private readonly Uri _target;
    private readonly Task _loop;
    private readonly Lock _gate = new();
    private readonly List<string> _failures = [];
    private long _nextId;

    private CaptureProxy(Uri target, HttpListener listener, string url)
    {
        _target = target;
        _listener = listener;
        Url = url;
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }

    /// <summary>What the recorded reads depend on, merged.</summary>
    public CapturedState State { get; } = new();

    /// <summary>How many <c>debug_traceCall</c>s were made.</summary>
    public long Traces => Interlocked.Read(ref _traces);
    private long _traces;

    /// <summary>The block tags the recorded reads named (the capture checks they are all its block).</summary>
    public IReadOnlySet<string> BlockTags { get { lock (_gate) return _blockTags.ToHashSet(); } }
    private readonly HashSet<string> _blockTags = [];

    /// <summary>The first thing that kept a read from being recorded (a node without the prestate tracer, a failed trace); null if none.</summary>
    public string? Failure { get { lock (_gate) return _failures.FirstOrDefault(); } }

    public static CaptureProxy Start(Uri target)
    {
        // A port picked by binding to 0 can be taken before the listener binds it: try a few.
        for (var attempt = 1; ; attempt++)
        {
            var url = $"http://127.0.0.1:{FreePort()}/";
            var listener = new HttpListener();
            listener.Prefixes.Add(url);
            try
            {
                listener.Start();
                return new CaptureProxy(target, listener, url);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>One JSON-RPC request to the node itself (not recorded); its <c>result</c>, or a <see cref="CaptureRpcException"/>.</summary>
    public async Task<JsonNode?> CallUpstreamAsync(string method, JsonArray parameters, CancellationToken ct)
    {
        var request = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = Interlocked.Increment(ref _nextId), ["method"] = method, ["params"] = parameters };
        var (status, body) = await PostAsync(Encoding.UTF8.GetBytes(request.ToJsonString()), ct).ConfigureAwait(false);
        if (status != 200) throw new CaptureRpcException($"{method} answered HTTP {status}");
        var answer = JsonNode.Parse(body)!;
        if (answer["error"] is { } error) throw new CaptureRpcException($"{method}: {error["message"]?.GetValue<string>() ?? error.ToJsonString()}");
        return answer["result"];
    }

    private async Task<(int Status, byte[] Body)> PostAsync(byte[] body, CancellationToken ct)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var response = await _upstream.PostAsync(_target, content, ct).ConfigureAwait(false);
        return ((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false));
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync().ConfigureAwait(false); }
            catch (Exception) { return; }
            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        try
        {
            byte[] body;
            using (var buffer = new MemoryStream())
            {
                await context.Request.InputStream.CopyToAsync(buffer).ConfigureAwait(false);
                body = buffer.ToArray();
            }
            int status;
            byte[] answer;
            try
            {
                await BeforeForwardAsync(body).ConfigureAwait(false);
                (status, answer) = await PostAsync(body, default).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // The client sees a dead upstream as a bad gateway; its own retries and message take over from here.
                (status, answer) = (502, Encoding.UTF8.GetBytes(ex.Message));
            }
            // Recorded before the answer goes back: when the indexer has its last answer, the capture is complete.
            if (status == 200) await RecordAsync(body, answer).ConfigureAwait(false);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = answer.Length;
            await context.Response.OutputStream.WriteAsync(answer).ConfigureAwait(false);
            context.Response.Close();
        }
        catch (Exception ex)
        {
            Fail($"proxy: {ex.Message}");
            context.Response.Abort();
        }
    }

    /// <summary>Pairs the requests with their answers by id and records every answered read.</summary>
    private async Task RecordAsync(byte[] requestBody, byte[] answerBody)
    {
        JsonNode? request, answer;
        try { (request, answer) = (JsonNode.Parse(requestBody), JsonNode.Parse(answerBody)); }
        catch (JsonException) { return; } // not JSON-RPC: nothing to record
        var requests = request is JsonArray ra ? ra.OfType<JsonObject>().ToList() : request is JsonObject ro ? [ro] : [];
        var answers = (answer is JsonArray aa ? aa.OfType<JsonObject>() : answer is JsonObject ao ? [ao] : [])
            .Where(a => a["id"] is not null).ToDictionary(a => a["id"]!.ToJsonString(), a => a);
        var traces = new List<(JsonObject Trace, HashSet<string> Overridden, bool Answered)>();
        var mined = false;
        foreach (var r in requests)
        {
            if (r["id"] is not { } id || !answers.TryGetValue(id.ToJsonString(), out var a) || r["params"] is not JsonArray p) continue;
            var result = a["result"];
            switch (r["method"]?.GetValue<string>())
            {
                case "eth_sendTransaction" or "eth_sendRawTransaction" when result is JsonValue hash:
                    lock (_gate) _unmined.Add(hash.GetValue<string>());
                    break;
                case "evm_mine" or "anvil_mine" when result is not null:
                    mined = true;
                    break;
                case "eth_call" or "eth_estimateGas" when p.Count < 2:
                    Fail($"an {r["method"]} named no block: the capture cannot tell which state it read");
                    break;
                case "eth_call" or "eth_estimateGas":
                    // A reverted call read state too (that is why it reverted): trace it as well.
                    if (result is null && a["error"] is null) break;
                    var overrides = p.Count >= 3 ? p[2] as JsonObject : null;
                    var config = new JsonObject { ["tracer"] = "prestateTracer" };
                    if (overrides is not null) config["stateOverrides"] = overrides.DeepClone();
                    var overridden = overrides?.Select(kv => kv.Key.ToLowerInvariant()).ToHashSet() ?? [];
                    Tag(p[1]);
                    traces.Add((new JsonObject
                    {
                        ["jsonrpc"] = "2.0", ["id"] = Interlocked.Increment(ref _nextId), ["method"] = "debug_traceCall",
                        ["params"] = new JsonArray(p[0]!.DeepClone(), p[1]!.DeepClone(), config),
                    }, overridden, result is not null));
                    break;
                case "eth_getCode" when result is not null && p.Count >= 2:
                    Tag(p[1]);
                    State.Code(Text(p[0]), Text(result));
                    break;
                case "eth_getStorageAt" when result is not null && p.Count >= 3:
                    Tag(p[2]);
                    State.Slot(Text(p[0]), Text(p[1]), Text(result));
                    break;
                case "eth_getBalance" when result is not null && p.Count >= 2:
                    Tag(p[1]);
                    State.Balance(Text(p[0]), Text(result));
                    break;
            }
        }
        // Traced when mined, in the order sent, before the answer goes back (so before the caller can evm_revert them).
        if (mined) await TraceMinedAsync().ConfigureAwait(false);
        if (traces.Count == 0) return;

        var batch = new JsonArray([.. traces.Select(t => (JsonNode)t.Trace)]);
        int status;
        byte[] body;
        try { (status, body) = await PostAsync(Encoding.UTF8.GetBytes(batch.ToJsonString()), default).ConfigureAwait(false); }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException) { Fail($"debug_traceCall: {ex.Message}"); return; }
        if (status != 200) { Fail($"debug_traceCall answered HTTP {status}"); return; }
        Interlocked.Add(ref _traces, traces.Count);
        var traced = (JsonNode.Parse(body) as JsonArray ?? []).OfType<JsonObject>().Where(a => a["id"] is not null)
            .ToDictionary(a => a["id"]!.ToJsonString(), a => a);
        foreach (var (trace, overridden, answered) in traces)
        {
            if (!traced.TryGetValue(trace["id"]!.ToJsonString(), out var a) || a["result"] is not JsonObject prestate)
            {
                // A call that failed and whose trace fails too read nothing the index used; a call the index used must be traced.
                if (answered) Fail($"debug_traceCall with the prestateTracer failed: {a?["error"]?["message"]?.GetValue<string>() ?? "no answer"}");
                continue;
            }
            foreach (var (address, account) in prestate)
                if (account is JsonObject fields && !overridden.Contains(address.ToLowerInvariant()))
                    State.Prestate(address, fields);
        }
    }

    private readonly List<string> _unmined = [];

    /// <summary>Transactions sent through the proxy and not yet traced (none once every block they were sent for is mined).</summary>
    public IReadOnlyList<string> Unmined { get { lock (_gate) return [.. _unmined]; } }

    /// <summary>
    /// Each sent transaction that is now mined, replayed as <c>debug_traceTransaction</c> with the <c>prestateTracer</c>:
    /// every account and slot it read or wrote, as it was before it ran. In the order sent, so with first-touch-wins a
    /// slot an earlier transaction wrote keeps the value it had before the first one (which touched it too).
    /// </summary>
    private async Task TraceMinedAsync()
    {
        List<string> hashes;
        lock (_gate) hashes = [.. _unmined];
        foreach (var hash in hashes)
        {
            JsonNode? prestate;
            try { prestate = await CallUpstreamAsync("debug_traceTransaction", [hash, new JsonObject { ["tracer"] = "prestateTracer" }], default).ConfigureAwait(false); }
            catch (Exception ex) when (ex is CaptureRpcException or HttpRequestException or TaskCanceledException or JsonException)
            {
                Fail($"debug_traceTransaction {hash} with the prestateTracer failed: {ex.Message}");
                return;
            }
            if (prestate is not JsonObject accounts) return; // not mined yet: traced at the next mine, in order
            Interlocked.Increment(ref _traces);
            Interlocked.Increment(ref _transactions);
            foreach (var (address, account) in accounts)
                if (account is JsonObject fields) State.Prestate(address, fields);
            lock (_gate) _unmined.Remove(hash);
        }
    }

    /// <summary>How many mined transactions were traced.</summary>
    public long Transactions => Interlocked.Read(ref _transactions);
    private long _transactions;

    /// <summary>
    /// Before anvil overwrites an account's balance (the review funds the account it impersonates), its chain values are
    /// recorded: the capture holds the chain's balance, not the one the review set.
    /// </summary>
    private async Task BeforeForwardAsync(byte[] body)
    {
        if (body.AsSpan().IndexOf("_setBalance"u8) < 0) return; // the index's requests: nothing to do, nothing to parse
        JsonNode? request;
        try { request = JsonNode.Parse(body); }
        catch (JsonException) { return; }
        foreach (var r in request is JsonArray ra ? ra.OfType<JsonObject>() : request is JsonObject ro ? [ro] : [])
        {
            if (r["method"]?.GetValue<string>() is not ("anvil_setBalance" or "hardhat_setBalance") || r["params"] is not JsonArray { Count: >= 1 } p) continue;
            var address = Text(p[0]);
            var account = new JsonObject
            {
                ["balance"] = (await CallUpstreamAsync("eth_getBalance", [address, "latest"], default).ConfigureAwait(false))?.DeepClone(),
                ["nonce"] = (await CallUpstreamAsync("eth_getTransactionCount", [address, "latest"], default).ConfigureAwait(false))?.DeepClone(),
                ["code"] = (await CallUpstreamAsync("eth_getCode", [address, "latest"], default).ConfigureAwait(false))?.DeepClone(),
            };
            State.Prestate(address, account);
        }
    }

    private void Tag(JsonNode? tag)
    {
        lock (_gate) _blockTags.Add(tag is JsonValue v && v.TryGetValue<string>(out var s) ? s.ToLowerInvariant() : tag?.ToJsonString() ?? "latest");
    }

    private void Fail(string message)
    {
        lock (_gate) _failures.Add(message);
    }

    private static string Text(JsonNode? node) => node?.GetValue<string>() ?? "";

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try { await _loop.ConfigureAwait(false); } catch (Exception) { /* stopping */ }
        _upstream.Dispose();
    }
}

/// <summary>The node refused or failed a request the capture itself made.</summary>
internal sealed class CaptureRpcException(string message) : Exception(message);
