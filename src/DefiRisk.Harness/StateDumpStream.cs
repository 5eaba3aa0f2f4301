using System.Text;
using System.Text.Json;
using DefiRisk.Core;

namespace DefiRisk.Harness;

/// <summary>
/// Reads a JSON-RPC response whose <c>result</c> is one long hex string (<c>anvil_dumpState</c>: the gzipped state,
/// hex-encoded) and writes the decoded bytes to a stream as they arrive. A 100,000-borrower state is several GB of
/// hex: held as one string or MemoryStream it ran out of room ("Stream was too long") at 16 GB RSS. Here only a
/// fixed buffer is held, whatever the size.
/// </summary>
internal static class StateDumpStream
{
    private const int BufferSize = 1 << 20;
    private static readonly byte[] ResultKey = "\"result\""u8.ToArray();
    private static readonly byte[] ErrorKey = "\"error\""u8.ToArray();

    /// <summary>Decodes the hex <c>result</c> of <paramref name="response"/> into <paramref name="output"/>; returns the bytes written.
    /// A JSON-RPC error becomes a <see cref="DefiRiskException"/> naming <paramref name="method"/>.</summary>
    public static async Task<long> DecodeHexResultAsync(Stream response, Stream output, string method, CancellationToken ct = default)
    {
        var input = new byte[BufferSize];
        var decoded = new byte[BufferSize / 2 + 1];
        // The envelope before the value is short: collect it until the key, then decode the rest as it streams.
        var head = new List<byte>(256);
        int start, length;
        while (true)
        {
            length = await response.ReadAsync(input, ct).ConfigureAwait(false);
            if (length == 0) throw Refused(head, method);
            head.AddRange(input.AsSpan(0, length));
            var headSpan = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(head);
            if (headSpan.IndexOf(ErrorKey) >= 0 && headSpan.IndexOf(ResultKey) < 0)
            {
                // An error answer is small: read it all and report it.
                var rest = new MemoryStream();
                await response.CopyToAsync(rest, ct).ConfigureAwait(false);
                head.AddRange(rest.ToArray());
                throw Refused(head, method);
            }
            var key = headSpan.IndexOf(ResultKey);
            if (key < 0) continue;
            // After the key: optional spaces, ':', optional spaces, '"', optional "0x".
            var quote = -1;
            for (var i = key + ResultKey.Length; i < headSpan.Length; i++)
            {
                var c = headSpan[i];
                if (c is (byte)' ' or (byte)':' or (byte)'\n' or (byte)'\r' or (byte)'\t') continue;
                if (c == (byte)'"') quote = i;
                else throw new DefiRiskException($"{method}: the result is not a hex string", ExitCodes.ChainError);
                break;
            }
            if (quote < 0 || headSpan.Length < quote + 3) continue;
            var value = quote + 1;
            if (headSpan[value] == (byte)'0' && (headSpan[value + 1] | 0x20) == (byte)'x') value += 2;
            // What was read past the prefix is the first slice of hex.
            var tail = headSpan[value..].ToArray();
            tail.CopyTo(input, 0);
            start = 0;
            length = tail.Length;
            break;
        }

        long written = 0;
        var pendingNibble = -1;
        var done = false;
        while (true)
        {
            var n = 0;
            var span = input.AsSpan(start, length);
            for (var i = 0; i < span.Length; i++)
            {
                var c = span[i];
                if (c == (byte)'"') { done = true; break; }
                var v = Nibble(c);
                if (v < 0) throw new DefiRiskException($"{method}: the result has a non-hex character 0x{c:x2}", ExitCodes.ChainError);
                if (pendingNibble < 0) pendingNibble = v;
                else { decoded[n++] = (byte)(pendingNibble << 4 | v); pendingNibble = -1; }
            }
            if (n > 0) await output.WriteAsync(decoded.AsMemory(0, n), ct).ConfigureAwait(false);
            written += n;
            if (done) break;
            start = 0;
            length = await response.ReadAsync(input, ct).ConfigureAwait(false);
            if (length == 0) throw new DefiRiskException($"{method}: the answer ended inside the result", ExitCodes.ChainError);
        }
        if (pendingNibble >= 0) throw new DefiRiskException($"{method}: the result has an odd number of hex digits", ExitCodes.ChainError);
        return written;
    }

    private static int Nibble(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    private static DefiRiskException Refused(List<byte> answer, string method)
    {
        var text = Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(answer));
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.TryGetProperty("error", out var error))
                return new DefiRiskException($"{method} failed: {(error.TryGetProperty("message", out var m) ? m.GetString() : error.ToString())}", ExitCodes.ChainError);
        }
        catch (JsonException)
        {
        }
        return new DefiRiskException($"{method}: unexpected answer '{(text.Length > 200 ? text[..200] + "…" : text)}'", ExitCodes.ChainError);
    }
}
