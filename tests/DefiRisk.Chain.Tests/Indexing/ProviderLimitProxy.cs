using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace DefiRisk.Chain.Tests.Indexing;

/// <summary>Whose error texts a <see cref="ProviderLimitProxy"/> answers with.</summary>
public enum ProviderDialect
{
    /// <summary>Alchemy: both refusals suggest a range that works ("this block range should work: [0x…, 0x…]").</summary>
    Alchemy,
    /// <summary>QuickNode's range cap ("eth_getLogs is limited to a 10 range"), Infura's result cap with a suggested range.</summary>
    QuickNodeInfura,
    /// <summary>Ankr's range cap without a number ("block range is too wide"), geth's result cap without a range (halve).</summary>
    AnkrGeth,
}

/// <summary>
/// A loopback proxy in front of a node that behaves like a metered provider: eth_getLogs ranges wider than
/// <c>rangeCap</c> blocks are refused, and so are multi-block ranges with more than <c>resultCap</c> logs (one block
/// is always served, as Alchemy serves any response size for short ranges), each with the <see cref="ProviderDialect"/>'s
/// wording; and requests picked by <c>rateLimited</c> (by request number, 0-based) get HTTP 429 with
/// <c>Retry-After</c>. Counts what it did.
/// </summary>
public sealed class ProviderLimitProxy : LoopbackProxy
{
    private readonly ProviderDialect _dialect;
    private readonly long _rangeCap;
    private readonly int _resultCap;
    private readonly Func<int, bool> _rateLimited;
    private readonly string _retryAfter;
    private readonly (long Code, string Message)? _logsError;
    private readonly bool _rateLimitInBody;
    private int _requests, _tooManyRequests, _rangeRefusals, _resultRefusals, _logsServed;
    private long _widestServed;

    public int Requests => Volatile.Read(ref _requests);
    public int TooManyRequests => Volatile.Read(ref _tooManyRequests);
    public int RangeRefusals => Volatile.Read(ref _rangeRefusals);
    public int ResultRefusals => Volatile.Read(ref _resultRefusals);
    /// <summary>eth_getLogs requests answered with logs.</summary>
    public int LogRequestsServed => Volatile.Read(ref _logsServed);
    /// <summary>The widest eth_getLogs range (blocks) answered with logs.</summary>
    public long WidestServed => Interlocked.Read(ref _widestServed);

    /// <param name="logsError">when given, every eth_getLogs is answered with this JSON-RPC error instead.</param>
    /// <param name="rateLimitInBody">answer a rate-limited request with HTTP 200 and JSON-RPC errors, as Infura does: a single request
    /// gets -32005 "daily request count exceeded, request rate limited" with <c>data.backoff_seconds</c> = <paramref name="retryAfter"/>
    /// when that is a number, a batch gets "Too Many Requests" for every item, with the <c>Retry-After</c> header.</param>
    public ProviderLimitProxy(string target, ProviderDialect dialect, long rangeCap, int resultCap, Func<int, bool> rateLimited, string retryAfter = "1",
        (long Code, string Message)? logsError = null, bool rateLimitInBody = false) : base(target) =>
        (_dialect, _rangeCap, _resultCap, _rateLimited, _retryAfter, _logsError, _rateLimitInBody) =
            (dialect, rangeCap, resultCap, rateLimited, retryAfter, logsError, rateLimitInBody);

    protected override async Task HandleAsync(HttpListenerContext context, byte[] body)
    {
        var n = Interlocked.Increment(ref _requests) - 1;
        {
            if (_rateLimited(n) && _rateLimitInBody)
            {
                Interlocked.Increment(ref _tooManyRequests);
                var parsed = JsonNode.Parse(body);
                context.Response.AddHeader("Retry-After", _retryAfter);
                if (parsed is JsonArray items)
                    await WriteAsync(context, new JsonArray(items.Select(i => (JsonNode)JsonNode.Parse(Error(i!.AsObject(), (429, "Too Many Requests")))!).ToArray()).ToJsonString());
                else
                {
                    var error = JsonNode.Parse(Error(parsed!.AsObject(), (-32005, "daily request count exceeded, request rate limited")))!;
                    if (double.TryParse(_retryAfter, CultureInfo.InvariantCulture, out var seconds))
                        error["error"]!["data"] = new JsonObject { ["see"] = "https://infura.io/dashboard", ["backoff_seconds"] = seconds };
                    await WriteAsync(context, error.ToJsonString());
                }
                return;
            }
            if (_rateLimited(n))
            {
                Interlocked.Increment(ref _tooManyRequests);
                context.Response.StatusCode = 429;
                context.Response.AddHeader("Retry-After", _retryAfter);
                await WriteAsync(context, """{"jsonrpc":"2.0","id":null,"error":{"code":429,"message":"Too Many Requests"}}""");
                return;
            }
            var request = JsonNode.Parse(body) as JsonObject;
            var isLogs = request?["method"]?.GetValue<string>() == "eth_getLogs";
            long from = 0, to = 0;
            if (isLogs)
            {
                var filter = request!["params"]![0]!;
                (from, to) = (Hex((string)filter["fromBlock"]!), Hex((string)filter["toBlock"]!));
                if (_logsError is { } fixedError)
                {
                    await WriteAsync(context, Error(request, fixedError));
                    return;
                }
                if (to - from + 1 > _rangeCap)
                {
                    Interlocked.Increment(ref _rangeRefusals);
                    await WriteAsync(context, Error(request, RangeRefusal(from, to)));
                    return;
                }
            }
            var (_, answer) = await ForwardAsync(body);
            if (isLogs)
            {
                var logs = JsonNode.Parse(answer)!["result"]!.AsArray();
                if (to > from && logs.Count > _resultCap)
                {
                    Interlocked.Increment(ref _resultRefusals);
                    await WriteAsync(context, Error(request!, ResultRefusal(from, to, logs)));
                    return;
                }
                Interlocked.Increment(ref _logsServed);
                long seen;
                while ((seen = Interlocked.Read(ref _widestServed)) < to - from + 1 && Interlocked.CompareExchange(ref _widestServed, to - from + 1, seen) != seen) { }
            }
            await WriteAsync(context, answer);
        }
    }

    private (long Code, string Message) RangeRefusal(long from, long to) => _dialect switch
    {
        ProviderDialect.Alchemy => (-32600, $"Under the Free tier plan, you can make eth_getLogs requests with up to a {_rangeCap} block range. " +
                                            $"Based on your parameters, this block range should work: [{HexOf(from)}, {HexOf(from + _rangeCap - 1)}]"),
        ProviderDialect.QuickNodeInfura => (-32614, $"eth_getLogs is limited to a {_rangeCap.ToString("#,0", CultureInfo.InvariantCulture)} range"),
        _ => (-32600, "block range is too wide"),
    };

    private (long Code, string Message) ResultRefusal(long from, long to, JsonArray logs)
    {
        // The widest range from `from` that fits the cap (at least one block), as Alchemy and Infura compute it.
        var perBlock = logs.GroupBy(l => Hex((string)l!["blockNumber"]!)).ToDictionary(g => g.Key, g => g.Count());
        var fits = from;
        for (long b = from, count = 0; b <= to; b++)
        {
            count += perBlock.GetValueOrDefault(b);
            if (count > _resultCap) break;
            fits = b;
        }
        return _dialect switch
        {
            ProviderDialect.Alchemy => (-32602, "Log response size exceeded. You can make eth_getLogs requests with up to a 1 block range and no limit on the " +
                                                $"response size, or you can request any block range with a cap of {_resultCap} logs in the response. Based on " +
                                                $"your parameters and the response size limit, this block range should work: [{HexOf(from)}, {HexOf(fits)}]"),
            ProviderDialect.QuickNodeInfura => (-32005, $"query returned more than {_resultCap} results. Try with this block range [{HexOf(from)}, {HexOf(fits)}]."),
            _ => (-32005, $"query returned more than {_resultCap} results"),
        };
    }

    private static string Error(JsonObject request, (long Code, string Message) error) =>
        new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = request["id"]?.DeepClone(),
            ["error"] = new JsonObject { ["code"] = error.Code, ["message"] = error.Message },
        }.ToJsonString();

    private static long Hex(string hex) => long.Parse(hex.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    private static string HexOf(long n) => "0x" + n.ToString("x", CultureInfo.InvariantCulture);
}
