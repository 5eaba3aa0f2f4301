using System.Net;
using System.Net.Sockets;

namespace DefiRisk.Chain.Tests.Indexing;

public enum Fault { None, TooManyRequests, ServerError, TruncatedJson, DroppedConnection }

/// <summary>
/// A loopback HTTP proxy in front of a node that injects faults by request number (0-based):
/// HTTP 429, HTTP 500, a 200 whose JSON body is cut in half, or a connection closed without an answer.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream = new();
    private readonly string _target;
    private readonly Func<int, Fault> _schedule;
    private readonly Task _loop;
    private int _count;
    private int _faults;

    public string Url { get; }
    public int Requests => Volatile.Read(ref _count);
    public int FaultsInjected => Volatile.Read(ref _faults);

    public FaultProxy(string target, Func<int, Fault> schedule)
    {
        _target = target;
        _schedule = schedule;
        var port = FreePort();
        Url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>A URL on loopback where nothing listens.</summary>
    public static string ClosedPortUrl() => $"http://127.0.0.1:{FreePort()}/";

    internal static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var n = Interlocked.Increment(ref _count) - 1;
        var fault = _schedule(n);
        if (fault != Fault.None) Interlocked.Increment(ref _faults);
        try
        {
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            switch (fault)
            {
                case Fault.TooManyRequests:
                case Fault.ServerError:
                    context.Response.StatusCode = fault == Fault.TooManyRequests ? 429 : 500;
                    await context.Response.OutputStream.WriteAsync("busy"u8.ToArray());
                    context.Response.Close();
                    return;
                case Fault.DroppedConnection:
                    context.Response.Abort();
                    return;
            }
            using var content = new ByteArrayContent(body.ToArray());
            content.Headers.ContentType = new("application/json");
            using var upstream = await _upstream.PostAsync(_target, content);
            var bytes = await upstream.Content.ReadAsByteArrayAsync();
            if (fault == Fault.TruncatedJson) bytes = bytes[..(bytes.Length / 2)];
            context.Response.StatusCode = (int)upstream.StatusCode;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
        catch (Exception)
        {
            try { context.Response.Abort(); } catch (Exception) { /* already gone */ }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try { await _loop; } catch (Exception) { /* stopped */ }
        _upstream.Dispose();
    }
}
