using System.Globalization;
using System.Text;
using DefiRisk.Core;

namespace DefiRisk.Chain.Rpc;

/// <summary>
/// Many view calls in one eth_call: <c>ReadLens.sol</c> (beside this file; ABI in <c>abi/ReadLens.json</c>) runs as the
/// code of an unused address through eth_call's state override, so nothing is deployed, and staticcalls each target at
/// the pinned block. Metered providers bill per eth_call, so a read phase of 15,000 view calls costs 30 eth_calls, not
/// 15,000. Each call's success and return data come back as a separate eth_call would give them (a revert is a failed
/// call, not a fault). <c>ReadLens.runtime.hex</c> is its runtime bytecode (solc 0.8.19, optimizer 200 runs, paris, no
/// metadata hash); a test recompiles the source and compares.
/// <para>
/// The calls are packed, not ABI-encoded (see the source): a table of targets, then per call a 2-byte target index, a
/// 2-byte length and the call data — 40 bytes for a <c>balanceOf(address)</c> where an ABI (address, bytes) tuple takes
/// 160 — so a dependent round of thousands of reads fits one request body.
/// </para>
/// </summary>
internal static class ReadLens
{
    /// <summary>Where the lens runs: an address no contract or key holds ("defirisk lens" in hexspeak).</summary>
    public const string Address = "0x0000000000000000000000000000defa11ead1e5";

    public static readonly string RuntimeCode = "0x" + LoadRuntime();

    /// <summary>Most targets and most call-data bytes one packed call can name (2-byte fields).</summary>
    public const int MaxTargets = 0xffff, MaxDataBytes = 0xffff;

    /// <summary>True when <paramref name="call"/> fits the packed encoding (its data at most <see cref="MaxDataBytes"/>).</summary>
    public static bool Packable(EthCall call) => DataBytes(call) <= MaxDataBytes;

    /// <summary>
    /// Consecutive runs of at most <paramref name="maxCalls"/> calls whose packed lens call (state override included) takes
    /// at most <paramref name="maxChars"/> characters of a request body (a single call is always a run).
    /// </summary>
    public static List<(int Start, int Count)> Runs(IReadOnlyList<EthCall> calls, int maxCalls, int maxChars)
    {
        var runs = new List<(int Start, int Count)>();
        var targets = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        int start = 0, size = Overhead;
        for (var i = 0; i < calls.Count; i++)
        {
            var c = 8 + 2 * DataBytes(calls[i]) + (targets.Contains(calls[i].To) ? 0 : 40);
            if (i > start && (i - start == maxCalls || size + c > maxChars || targets.Count == MaxTargets))
            {
                runs.Add((start, i - start));
                (start, size) = (i, Overhead);
                targets.Clear();
                c = 8 + 2 * DataBytes(calls[i]) + 40;
            }
            targets.Add(calls[i].To);
            size += c;
        }
        if (calls.Count > start) runs.Add((start, calls.Count - start));
        return runs;
    }

    /// <summary>Characters of a lens eth_call besides its packed calls: the JSON-RPC envelope and the override's code.</summary>
    private static readonly int Overhead = 200 + RuntimeCode.Length;

    private static int DataBytes(EthCall call) => (call.Data.Length - (HasPrefix(call.Data) ? 2 : 0)) / 2;

    private static bool HasPrefix(string hex) => hex.Length >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X');

    /// <summary>One lens eth_call carrying <paramref name="count"/> calls from <paramref name="start"/> (all <see cref="Packable"/>).</summary>
    public static EthCall Pack(IReadOnlyList<EthCall> calls, int start, int count)
    {
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var table = new StringBuilder();
        var body = new StringBuilder(count * 80);
        for (var i = start; i < start + count; i++)
        {
            var call = calls[i];
            if (!index.TryGetValue(call.To, out var target))
            {
                index[call.To] = target = index.Count;
                table.Append(call.To, HasPrefix(call.To) ? 2 : 0, call.To.Length - (HasPrefix(call.To) ? 2 : 0));
            }
            AppendHex16(body, target);
            AppendHex16(body, DataBytes(call));
            var skip = HasPrefix(call.Data) ? 2 : 0;
            body.Append(call.Data, skip, call.Data.Length - skip);
        }
        var data = new StringBuilder(4 + table.Length + body.Length + 2).Append("0x");
        AppendHex16(data, index.Count);
        return new EthCall(Address, data.Append(table).Append(body).ToString(), RuntimeCode);
    }

    private static void AppendHex16(StringBuilder sb, int value) => sb.Append(value.ToString("x4", CultureInfo.InvariantCulture));

    /// <summary>
    /// The answers inside a lens call's return data, in call order; null when the data is not the lens's answer for
    /// <paramref name="count"/> calls (a node that ignored the state override runs no code at the address and returns nothing).
    /// </summary>
    public static CallResult[]? Unpack(CallResult lens, int count)
    {
        if (!lens.HasData) return null;
        var hex = lens.Data;
        var results = new CallResult[count];
        var p = HasPrefix(hex) ? 2 : 0;
        for (var i = 0; i < count; i++)
        {
            if (p + 8 > hex.Length || !uint.TryParse(hex.AsSpan(p, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var head)) return null;
            var chars = 2 * (long)(head & 0x7fff_ffff);
            p += 8;
            if (p + chars > hex.Length) return null;
            var data = string.Concat("0x", hex.AsSpan(p, (int)chars));
            p += (int)chars;
            results[i] = (head >> 31) == 1
                ? new CallResult(true, data, null)
                : new CallResult(false, "0x", chars == 0 ? "execution reverted" : $"execution reverted (data {data})");
        }
        return p == hex.Length ? results : null;
    }

    private static string LoadRuntime()
    {
        using var stream = typeof(ReadLens).Assembly.GetManifestResourceStream("DefiRisk.Chain.Rpc.ReadLens.runtime.hex")
            ?? throw new DefiRiskException("the read lens bytecode is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Trim();
    }
}
