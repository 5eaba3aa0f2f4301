using System.Net;

namespace DefiRisk.Chain.Tests.Indexing;

public enum Fault { None, TooManyRequests, ServerError, TruncatedJson, DroppedConnection }

/// <summary>
/// A loopback HTTP proxy in front of a node that injects faults by request number (0-based):
/// HTTP 429, HTTP 500, a 200 whose JSON body is cut in half, or a connection closed without an answer.
/// </summary>
public sealed class FaultProxy(string target, Func<int, Fault> schedule) : LoopbackProxy(target)
{
    private int _count;
    private int _faults;

    public int Requests => Volatile.Read(ref _count);
    public int FaultsInjected => Volatile.Read(ref _faults);

    protected override async Task HandleAsync(HttpListenerContext context, byte[] body)
    {
        var fault = schedule(Interlocked.Increment(ref _count) - 1);
        if (fault != Fault.None) Interlocked.Increment(ref _faults);
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
        var (status, bytes) = await ForwardAsync(body);
        if (fault == Fault.TruncatedJson) bytes = bytes[..(bytes.Length / 2)];
        await WriteAsync(context, bytes, status);
    }
}
