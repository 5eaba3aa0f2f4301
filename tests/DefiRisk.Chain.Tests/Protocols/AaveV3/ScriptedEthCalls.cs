using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace DefiRisk.Chain.Tests.Protocols.AaveV3;

/// <summary>
/// A JSON-RPC endpoint on 127.0.0.1 that answers <c>eth_call</c> batches from a script: (contract, call data) → return
/// data, or a revert when the script has no answer. Lets a unit test drive the real adapter over the real RPC client
/// against a chain state that no fixture has.
/// </summary>
internal sealed class ScriptedEthCalls : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<string, string, string?> _answer;
    private readonly Task _loop;

    public ScriptedEthCalls(Func<string, string, string?> answer)
    {
        _answer = answer;
        var port = FreePort();
        Url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Url { get; }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            using var request = JsonDocument.Parse(await reader.ReadToEndAsync());
            var items = request.RootElement.ValueKind == JsonValueKind.Array ? request.RootElement.EnumerateArray().ToList() : [request.RootElement];
            var replies = items.Select(Reply).ToList();
            var body = request.RootElement.ValueKind == JsonValueKind.Array ? "[" + string.Join(",", replies) + "]" : replies[0];
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private string Reply(JsonElement item)
    {
        var id = item.GetProperty("id").GetRawText();
        if (item.GetProperty("method").GetString() != "eth_call")
            return $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"error\":{{\"code\":-32601,\"message\":\"not scripted\"}}}}";
        var call = item.GetProperty("params")[0];
        var result = _answer(call.GetProperty("to").GetString()!.ToLowerInvariant(), call.GetProperty("data").GetString()!.ToLowerInvariant());
        return result is null
            ? $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"error\":{{\"code\":3,\"message\":\"execution reverted\"}}}}"
            : $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":\"{result}\"}}";
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    // ---- ABI return data ------------------------------------------------------------------------

    public static string Word(BigInteger value) => value.ToString("x64").PadLeft(64, '0')[^64..];

    public static string Word(string address) => address[2..].ToLowerInvariant().PadLeft(64, '0');

    /// <summary>Static values, one word each: "0x" + words.</summary>
    public static string Words(params object[] values) =>
        "0x" + string.Concat(values.Select(v => v switch
        {
            string a => Word(a),
            bool b => Word(b ? 1 : 0),
            int i => Word(i),
            long l => Word(l),
            BigInteger n => Word(n),
            _ => throw new ArgumentException($"cannot encode {v}"),
        }));

    /// <summary>The tail of a dynamic string: length word + padded UTF-8.</summary>
    public static string StringTail(string text)
    {
        var hex = Convert.ToHexString(Encoding.UTF8.GetBytes(text)).ToLowerInvariant();
        return Word(text.Length) + hex.PadRight((hex.Length + 63) / 64 * 64, '0');
    }

    public static string String(string text) => "0x" + Word(32) + StringTail(text);

    public static string Array(IEnumerable<object> values)
    {
        var list = values.ToList();
        return "0x" + Word(32) + Word(list.Count) + Words([.. list])[2..];
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try { await _loop; } catch (ObjectDisposedException) { /* closing */ }
    }
}
