using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using DefiRisk.Core;

namespace DefiRisk.Harness;

/// <summary>
/// JSON-RPC calls written back to back on one HTTP/1.1 keep-alive connection (pipelining) and answered in order.
/// anvil handles a connection's requests one after another, so each transaction enters the fifo pool in send order
/// without a round trip per transaction. A JSON-RPC batch would be one request too, but anvil runs a batch's calls
/// concurrently and its pool then took them out of order (a supply mined at index 124 that was sent as 96).
/// </summary>
internal static class PipelinedRpc
{
    /// <summary>Sends <paramref name="calls"/> to the node on 127.0.0.1:<paramref name="port"/>; results in call order. A failed call fails all.</summary>
    public static async Task<IReadOnlyList<JsonElement>> CallAllAsync(int port, IReadOnlyList<(string Method, object?[] Params)> calls, long firstId, CancellationToken ct = default)
    {
        if (calls.Count == 0) return [];
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(System.Net.IPAddress.Loopback, port, ct).ConfigureAwait(false);
        await using var stream = client.GetStream();
        // Written from another task: with both sides' socket buffers full, writing everything first would deadlock.
        var writer = Task.Run(async () =>
        {
            var buffered = new BufferedStream(stream, 1 << 16);
            for (var i = 0; i < calls.Count; i++)
            {
                var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
                {
                    ["jsonrpc"] = "2.0", ["id"] = firstId + i, ["method"] = calls[i].Method, ["params"] = calls[i].Params,
                });
                var head = Encoding.ASCII.GetBytes($"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");
                await buffered.WriteAsync(head, ct).ConfigureAwait(false);
                await buffered.WriteAsync(body, ct).ConfigureAwait(false);
            }
            await buffered.FlushAsync(ct).ConfigureAwait(false);
        }, ct);

        var reader = new ResponseReader(stream);
        var results = new JsonElement[calls.Count];
        for (var i = 0; i < calls.Count; i++)
        {
            var body = await reader.ReadBodyAsync(ct).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.TryGetProperty("error", out var error))
                throw new DefiRiskException($"{calls[i].Method} failed: {(error.TryGetProperty("message", out var m) ? m.GetString() : error.ToString())}", ExitCodes.ChainError);
            if (root.GetProperty("id").GetInt64() != firstId + i)
                throw new DefiRiskException($"{calls[i].Method}: answers came out of order on a pipelined connection", ExitCodes.ChainError);
            results[i] = root.GetProperty("result").Clone();
        }
        await writer.ConfigureAwait(false);
        return results;
    }

    /// <summary>Reads HTTP/1.1 responses (Content-Length or chunked bodies) off one stream.</summary>
    private sealed class ResponseReader(Stream stream)
    {
        private byte[] _buffer = new byte[1 << 16];
        private int _start, _end;

        public async Task<byte[]> ReadBodyAsync(CancellationToken ct)
        {
            var status = await ReadLineAsync(ct).ConfigureAwait(false);
            if (!status.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) && !status.StartsWith("HTTP/1.0 200", StringComparison.Ordinal))
                throw new DefiRiskException($"pipelined JSON-RPC: the node answered '{status}'", ExitCodes.ChainError);
            long length = -1;
            var chunked = false;
            while (true)
            {
                var line = await ReadLineAsync(ct).ConfigureAwait(false);
                if (line.Length == 0) break;
                var colon = line.IndexOf(':');
                if (colon < 0) continue;
                var name = line[..colon].Trim();
                var value = line[(colon + 1)..].Trim();
                if (name.Equals("content-length", StringComparison.OrdinalIgnoreCase)) length = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                else if (name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase) && value.Contains("chunked", StringComparison.OrdinalIgnoreCase)) chunked = true;
            }
            if (!chunked)
            {
                if (length < 0) throw new DefiRiskException("pipelined JSON-RPC: an answer without a length", ExitCodes.ChainError);
                return await ReadExactAsync((int)length, ct).ConfigureAwait(false);
            }
            using var body = new MemoryStream();
            while (true)
            {
                var size = int.Parse(await ReadLineAsync(ct).ConfigureAwait(false) is var l && l.IndexOf(';') is var semi && semi >= 0 ? l[..semi] : l,
                    System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
                if (size == 0)
                {
                    while ((await ReadLineAsync(ct).ConfigureAwait(false)).Length > 0) { }
                    return body.ToArray();
                }
                body.Write(await ReadExactAsync(size, ct).ConfigureAwait(false));
                await ReadLineAsync(ct).ConfigureAwait(false);
            }
        }

        private async Task<string> ReadLineAsync(CancellationToken ct)
        {
            while (true)
            {
                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (newline >= 0)
                {
                    var line = Encoding.ASCII.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
                    _start = newline + 1;
                    return line;
                }
                await FillAsync(ct).ConfigureAwait(false);
            }
        }

        private async Task<byte[]> ReadExactAsync(int count, CancellationToken ct)
        {
            var result = new byte[count];
            var done = 0;
            while (done < count)
            {
                if (_start == _end) await FillAsync(ct).ConfigureAwait(false);
                var n = Math.Min(count - done, _end - _start);
                Buffer.BlockCopy(_buffer, _start, result, done, n);
                _start += n;
                done += n;
            }
            return result;
        }

        private async Task FillAsync(CancellationToken ct)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
            var n = await stream.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false);
            if (n == 0) throw new DefiRiskException("pipelined JSON-RPC: the node closed the connection", ExitCodes.ChainError);
            _end += n;
        }
    }
}
