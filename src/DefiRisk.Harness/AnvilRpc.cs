using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using DefiRisk.Core;

namespace DefiRisk.Harness;

/// <summary>
/// A bare JSON-RPC client for the harness: anvil's own methods (<c>anvil_*</c>, <c>evm_*</c>) that
/// Nethereum does not wrap, plus the fire-and-forget <c>eth_sendTransaction</c> the fixture builder
/// uses to send thousands of transactions without a receipt round trip each. Reads by the product go
/// through Nethereum, not through this class.
/// </summary>
public sealed class AnvilRpc : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _url;
    private long _id;

    public AnvilRpc(string url)
    {
        _url = new Uri(url);
        _http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
    }

    /// <summary>Calls <paramref name="method"/> and returns its <c>result</c>; a JSON-RPC error becomes an exception naming the method.</summary>
    public async Task<JsonElement> CallAsync(string method, params object?[] parameters)
    {
        var request = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = Interlocked.Increment(ref _id),
            ["method"] = method,
            ["params"] = JsonSerializer.SerializeToNode(parameters),
        };
        using var response = await _http.PostAsJsonAsync(_url, request).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        using var doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync().ConfigureAwait(false)).ConfigureAwait(false);
        return Unwrap(doc.RootElement, method);
    }

    /// <summary>
    /// Calls <paramref name="method"/> whose result is one hex string too large to hold (<c>anvil_dumpState</c> of a
    /// 100,000-borrower book) and writes the decoded bytes to <paramref name="output"/> as they arrive; returns their count.
    /// No timeout: anvil serializes the whole state before it answers.
    /// </summary>
    public async Task<long> CallHexToStreamAsync(string method, Stream output, CancellationToken ct = default)
    {
        var request = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = Interlocked.Increment(ref _id), ["method"] = method, ["params"] = new JsonArray() };
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var message = new HttpRequestMessage(HttpMethod.Post, _url) { Content = JsonContent.Create(request) };
        using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        return await StateDumpStream.DecodeHexResultAsync(body, output, method, ct).ConfigureAwait(false);
    }

    /// <summary><c>eth_chainId</c> with a short timeout, to poll a node that is starting; a silent listener
    /// (someone else's socket on that port) counts as not answering.</summary>
    public async Task<BigInteger> ProbeChainIdAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var request = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = Interlocked.Increment(ref _id), ["method"] = "eth_chainId", ["params"] = new JsonArray() };
        try
        {
            using var response = await _http.PostAsJsonAsync(_url, request, cts.Token).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            using var doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cts.Token).ConfigureAwait(false), cancellationToken: cts.Token).ConfigureAwait(false);
            return Quantity(Unwrap(doc.RootElement, "eth_chainId"));
        }
        catch (OperationCanceledException ex) when (cts.IsCancellationRequested)
        {
            throw new HttpRequestException($"no answer within {timeout.TotalSeconds:0.#} s", ex);
        }
    }

    /// <summary>One HTTP request carrying many calls (JSON-RPC batch); results in request order. A failed call fails the batch.</summary>
    public async Task<IReadOnlyList<JsonElement>> BatchAsync(IReadOnlyList<(string Method, object?[] Params)> calls)
    {
        var outcomes = await TryBatchAsync(calls).ConfigureAwait(false);
        var results = new JsonElement[outcomes.Count];
        for (var i = 0; i < outcomes.Count; i++)
            results[i] = outcomes[i].Error is { } error
                ? throw new DefiRiskException($"{calls[i].Method} failed: {error}", ExitCodes.ChainError)
                : outcomes[i].Result;
        return results;
    }

    /// <summary>
    /// Like <see cref="BatchAsync"/>, but a call that fails (e.g. an <c>eth_call</c> that reverts) yields its error
    /// message instead of failing the batch: (result, null) or (default, message), in request order.
    /// </summary>
    public async Task<IReadOnlyList<(JsonElement Result, string? Error)>> TryBatchAsync(IReadOnlyList<(string Method, object?[] Params)> calls)
    {
        if (calls.Count == 0) return [];
        var first = Interlocked.Add(ref _id, calls.Count) - calls.Count + 1;
        var array = new JsonArray();
        for (var i = 0; i < calls.Count; i++)
            array.Add(new JsonObject
            {
                ["jsonrpc"] = "2.0",
                ["id"] = first + i,
                ["method"] = calls[i].Method,
                ["params"] = JsonSerializer.SerializeToNode(calls[i].Params),
            });
        using var response = await _http.PostAsJsonAsync(_url, array).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        using var doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync().ConfigureAwait(false)).ConfigureAwait(false);
        var results = new (JsonElement, string?)[calls.Count];
        foreach (var item in doc.RootElement.EnumerateArray())
        {
            var index = (int)(item.GetProperty("id").GetInt64() - first);
            results[index] = item.TryGetProperty("error", out var error)
                ? (default, error.TryGetProperty("message", out var m) ? $"{m.GetString()}{(error.TryGetProperty("data", out var d) ? $" ({d})" : "")}" : error.ToString())
                : (item.GetProperty("result").Clone(), null);
        }
        return results;
    }

    private static JsonElement Unwrap(JsonElement root, string method)
    {
        if (root.TryGetProperty("error", out var error))
        {
            var message = error.TryGetProperty("message", out var m) ? m.GetString() : error.ToString();
            var data = error.TryGetProperty("data", out var d) ? $" ({d})" : "";
            throw new DefiRiskException($"{method} failed: {message}{data}", ExitCodes.ChainError);
        }
        return root.GetProperty("result").Clone();
    }

    public static string Hex(BigInteger value) => value.Sign == 0 ? "0x0" : "0x" + value.ToString("x").TrimStart('0');

    public static string Hex(long value) => "0x" + value.ToString("x");

    /// <summary>Parses a JSON-RPC quantity ("0x1a").</summary>
    public static BigInteger Quantity(JsonElement e) => Quantity(e.GetString()!);

    public static BigInteger Quantity(string hex) =>
        BigInteger.Parse("0" + (hex.StartsWith("0x", StringComparison.Ordinal) ? hex[2..] : hex), System.Globalization.NumberStyles.HexNumber);

    /// <summary>A 32-byte big-endian two's-complement word, as storage writes take it.</summary>
    public static string Word(BigInteger value)
    {
        var v = value.Sign < 0 ? (BigInteger.One << 256) + value : value;
        return "0x" + v.ToString("x").TrimStart('0').PadLeft(64, '0');
    }

    public void Dispose() => _http.Dispose();
}
