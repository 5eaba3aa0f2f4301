using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DefiRisk.Chain.Rpc;

/// <summary>
/// "Slow down" answers, told apart from every other error: HTTP 429, and JSON-RPC errors inside a 200 whose code or
/// text says rate limit (-32029; -32005 when it is not a log-range refusal, since geth and Infura also use -32005 for
/// "query returned more than 10000 results"; Alchemy "exceeded its compute units per second capacity", Infura "daily
/// request count exceeded, request rate limited", QuickNode "request limit reached", Ankr "Too Many Requests"…).
/// A rate limit is waited out (<see cref="ResilientHttpHandler"/>), never answered by shrinking a log range.
/// </summary>
public static class RateLimit
{
    private static readonly Regex Words = new(
        @"rate[ -]?limit|too many requests|request rate|requests per second|\brps\b|compute units|request limit reached|daily request count|throughput|credits? (exhausted|exceeded)|capacity exceeded|try again (later|in)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>Whether a JSON-RPC error (code, message) asks the client to slow down.</summary>
    public static bool IsRateLimited(long code, string message) =>
        !message.Contains("revert", StringComparison.OrdinalIgnoreCase) // a contract's own revert text is an answer
        && (Words.IsMatch(message) || code is -32029 or 429 || (code == -32005 && LogRangeRefusal.Parse(message) is null));

    /// <summary>
    /// How long the node asks to wait: <c>Retry-After</c> as seconds or as an HTTP date (RFC 9110 §10.2.3), measured
    /// from <paramref name="now"/>; null when absent or unreadable. A date in the past means "now".
    /// </summary>
    public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header is null) return null;
        if (header.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header.Date is { } date) return date <= now ? TimeSpan.Zero : date - now;
        return null;
    }

    /// <summary>
    /// The rate-limit error in a JSON-RPC response body (a single answer, or any item of a batch), with the wait it
    /// names in its data (Infura's <c>backoff_seconds</c>, or <c>retryAfter</c>/<c>retry_after</c> seconds); null when the
    /// body is not rate-limited.
    /// </summary>
    public static (string Message, TimeSpan? Wait)? InBody(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in root.EnumerateArray())
                if (InBody(item) is { } found) return found;
            return null;
        }
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object) return null;
        var code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt64(out var n) ? n : 0;
        var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() ?? "" : "";
        if (!IsRateLimited(code, message)) return null;
        TimeSpan? wait = null;
        if (error.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object)
            foreach (var key in new[] { "backoff_seconds", "retryAfter", "retry_after" })
                if (data.TryGetProperty(key, out var v) && Seconds(v) is { } s) { wait = s; break; }
        return ($"{message} (code {code})", wait);

        static TimeSpan? Seconds(JsonElement v) => v.ValueKind switch
        {
            JsonValueKind.Number when v.TryGetDouble(out var d) && d >= 0 && d < 86_400 => TimeSpan.FromSeconds(d),
            JsonValueKind.String when double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= 0 && d < 86_400 => TimeSpan.FromSeconds(d),
            _ => null,
        };
    }
}
