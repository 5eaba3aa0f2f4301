using System.Globalization;
using System.Text.RegularExpressions;

namespace DefiRisk.Chain.Rpc;

/// <summary>Why a node refused an eth_getLogs range: too many blocks, or too many logs (or too big a response).</summary>
public enum LogLimitKind { BlockRange, Results }

/// <summary>
/// A node's "this eth_getLogs range is too large" answer, read from its error text: the range it suggests
/// (Alchemy, Infura: <c>[0x…, 0x…]</c>) when it gives one, else the block cap it states (QuickNode "limited to a
/// 10,000 range", geth/BSC "exceed maximum block range: 5000", Infura "range 1000000 exceeds limit of 10000",
/// Erigon "query block range exceeds server limit, narrow your filter: 1000"), else nothing but the fact (Ankr "block
/// range is too wide", geth "query returned more than 10000 results") — then the scanner halves.
/// <para>
/// Only wordings about ranges, result counts and response size are recognised. Anything else — a rate limit,
/// "header not found", a malformed filter — is not a range problem, and shrinking the range would only hide it.
/// </para>
/// </summary>
public sealed record LogRangeRefusal(LogLimitKind Kind, long? SuggestedFrom, long? SuggestedTo, long? BlockCap)
{
    // Result-count and response-size wordings. The number in them counts logs, never blocks.
    private static readonly Regex ResultsWords = new(
        @"more than [\d,]+ results|max(imum)? results|too many (results|logs)|response size|logs in the response|query timeout|result (limit|window)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    // Block-range wordings.
    private static readonly Regex RangeWords = new(
        @"block range|range limit|max(imum)? range|limited to an? [\d,.]+\s*[km]? (block )?range|range (is )?too (large|wide|big)|range [\d,]+ (exceeds|is bigger)|range exceeds|blocks? range|too many blocks",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    // A malformed or impossible range is the caller's mistake, not a cap: "invalid block range params", "beyond the head".
    private static readonly Regex NotACap = new(@"invalid|beyond|future|reversed", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    // "[0x1a, 0x2b]" or "[26, 43]": the range a provider says would work.
    private static readonly Regex Suggestion = new(
        @"\[\s*(0x[0-9a-f]+|\d+)\s*,\s*(0x[0-9a-f]+|\d+)\s*\]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    // The number a block cap is stated with: "limit of 10000", "limited to a 10,000 range", "maximum block range: 5000",
    // "max range: 1000", "up to a 2K block range", "range exceeds 10000", "narrow your filter: 1000", "range limit 2000".
    private static readonly Regex CapNumber = new(
        @"(?:limit(?:ed)?(?:\s+of|\s+to(?:\s+an?)?)?|max(?:imum)?(?:\s+block)?(?:\s+range)?|up\s+to(?:\s+an?)?|exceeds|narrow your filter)\s*[:=]?\s*(\d[\d,]*(?:\.\d+)?)\s*([km])?\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>The refusal in a JSON-RPC error's message (and data, where some providers put the detail), or null when it is not one.</summary>
    public static LogRangeRefusal? Parse(string message, string? data = null)
    {
        var text = string.IsNullOrEmpty(data) ? message : $"{message} {data}";
        var results = ResultsWords.IsMatch(text);
        if ((!results && !RangeWords.IsMatch(text)) || NotACap.IsMatch(text)) return null;
        var kind = results ? LogLimitKind.Results : LogLimitKind.BlockRange;

        long? from = null, to = null;
        if (Suggestion.Match(text) is { Success: true } s && TryNumber(s.Groups[1].Value, out var a) && TryNumber(s.Groups[2].Value, out var b) && b >= a)
            (from, to) = (a, b);

        long? cap = null;
        if (kind == LogLimitKind.BlockRange)
            foreach (Match m in CapNumber.Matches(text))
                if (Scaled(m.Groups[1].Value, m.Groups[2].Value) is { } n && n > 0) { cap = n; break; }
        return new LogRangeRefusal(kind, from, to, cap);
    }

    /// <summary>
    /// The next range size (blocks) after a refusal of a <paramref name="requested"/>-block range: the suggested range's
    /// size when it is smaller, else the stated cap when smaller, else half.
    /// </summary>
    public long NextSize(long requested)
    {
        if (SuggestedFrom is { } f && SuggestedTo is { } t && t - f + 1 < requested) return Math.Max(1, t - f + 1);
        if (BlockCap is { } cap && cap < requested) return cap;
        return Math.Max(1, requested / 2);
    }

    private static bool TryNumber(string text, out long value) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? long.TryParse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value)
            : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static long? Scaled(string number, string suffix)
    {
        if (!decimal.TryParse(number.Replace(",", "", StringComparison.Ordinal), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)) return null;
        n *= suffix.ToLowerInvariant() switch { "k" => 1_000m, "m" => 1_000_000m, _ => 1m };
        return n >= 1 && n <= long.MaxValue ? (long)decimal.Floor(n) : null;
    }
}
