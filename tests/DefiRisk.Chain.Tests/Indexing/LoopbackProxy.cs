using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DefiRisk.Chain.Tests.Indexing;

/// <summary>
/// A loopback HTTP server in front of a node, for tests that change what passes between the indexer and the node
/// (<see cref="FaultProxy"/>, <see cref="RewritingProxy"/>, <see cref="ProviderLimitProxy"/>): each request is handed to
/// <see cref="HandleAsync"/> on its own task; a handler that throws aborts the connection, as a broken server would.
/// </summary>
public abstract class LoopbackProxy : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream = new();
    private readonly string _target;
    private readonly Task _loop;

    public string Url { get; }

    protected LoopbackProxy(string target)
    {
        _target = target;
        Url = $"http://127.0.0.1:{FreePort()}/";
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

    /// <summary>Answers one request (the body is in <paramref name="body"/>).</summary>
    protected abstract Task HandleAsync(HttpListenerContext context, byte[] body);

    /// <summary>Sends a request body to the node; its HTTP status and answer body.</summary>
    protected async Task<(int Status, byte[] Body)> ForwardAsync(byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var upstream = await _upstream.PostAsync(_target, content);
        return ((int)upstream.StatusCode, await upstream.Content.ReadAsByteArrayAsync());
    }

    protected static Task WriteAsync(HttpListenerContext context, string json) => WriteAsync(context, Encoding.UTF8.GetBytes(json));

    protected static async Task WriteAsync(HttpListenerContext context, byte[] bytes, int? status = null)
    {
        if (status is { } s) context.Response.StatusCode = s;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(buffer);
            await HandleAsync(context, buffer.ToArray());
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
        GC.SuppressFinalize(this);
    }
}
