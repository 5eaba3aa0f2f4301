using System.Net;
using System.Text.Json;
using DefiRisk.Core;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace DefiRisk.Chain.Rpc;

/// <summary>
/// Every HTTP exchange with the node goes through here (Nethereum's single requests and our JSON-RPC
/// batches alike): a Polly pipeline of retry (exponential backoff + jitter) around a per-attempt timeout.
/// Retried: timeouts, refused/dropped connections, HTTP 429 and 5xx, and 2xx bodies that are not
/// complete JSON (a truncated response). NOT retried: a well-formed JSON-RPC error such as
/// "execution reverted" — it is an answer, and the caller decides. When the attempts are used up this
/// throws one <see cref="DefiRiskException"/> line with <see cref="ExitCodes.ChainError"/>.
/// </summary>
internal sealed class ResilientHttpHandler : DelegatingHandler
{
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly RpcOptions _options;
    private readonly RpcStats _stats;
    private readonly string _display;

    public ResilientHttpHandler(string displayUrl, RpcOptions options, RpcStats stats)
        : base(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), ConnectTimeout = options.RequestTimeout })
    {
        _display = displayUrl;
        _options = options;
        _stats = stats;
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(0, options.MaxAttempts - 1),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = TimeSpan.FromSeconds(10),
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<IOException>()
                    .Handle<TimeoutRejectedException>()
                    .Handle<MalformedResponseException>()
                    .HandleResult(r => IsTransient(r.StatusCode)),
                OnRetry = args =>
                {
                    _stats.Retry();
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .AddTimeout(options.RequestTimeout)
            .Build();
    }

    private static bool IsTransient(HttpStatusCode status) => status == HttpStatusCode.TooManyRequests || (int)status >= 500;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Buffer the body once: each attempt sends a fresh HttpRequestMessage.
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var mediaType = request.Content?.Headers.ContentType;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        Outcome<HttpResponseMessage> outcome;
        try
        {
            outcome = await _pipeline.ExecuteOutcomeAsync(async (ctx, _) =>
            {
                try { return Outcome.FromResult(await SendOnceAsync(request, body, mediaType, ctx.CancellationToken)); }
                catch (Exception ex) { return Outcome.FromException<HttpResponseMessage>(ex); }
            }, context, 0);
        }
        finally { ResilienceContextPool.Shared.Return(context); }

        cancellationToken.ThrowIfCancellationRequested();
        if (outcome.Exception is { } error)
        {
            if (error is OperationCanceledException && cancellationToken.IsCancellationRequested) throw error;
            throw new DefiRiskException($"RPC {_display} failed after {_options.MaxAttempts} attempts: {Describe(error)}", ExitCodes.ChainError, error);
        }
        var response = outcome.Result!;
        if (IsTransient(response.StatusCode))
        {
            var status = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
            response.Dispose();
            throw new DefiRiskException($"RPC {_display} failed after {_options.MaxAttempts} attempts: {status}", ExitCodes.ChainError);
        }
        return response;
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage original, byte[] body, System.Net.Http.Headers.MediaTypeHeaderValue? mediaType, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(original.Method, original.RequestUri) { Version = original.Version };
        foreach (var h in original.Headers) request.Headers.TryAddWithoutValidation(h.Key, h.Value);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = mediaType ?? new("application/json");
        _stats.HttpRequest();
        var response = await base.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode) return response;
        // Read the whole body inside the attempt, so a connection dropped mid-body or a truncated JSON
        // document is retried like any other transient failure.
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        try { using var _ = JsonDocument.Parse(bytes); }
        catch (JsonException ex)
        {
            response.Dispose();
            throw new MalformedResponseException($"malformed JSON response ({bytes.Length} bytes): {ex.Message.Split('\n')[0]}");
        }
        var buffered = new HttpResponseMessage(response.StatusCode) { RequestMessage = original, Version = response.Version };
        buffered.Content = new ByteArrayContent(bytes);
        buffered.Content.Headers.ContentType = response.Content.Headers.ContentType;
        response.Dispose();
        return buffered;
    }

    private string Describe(Exception ex) => ex switch
    {
        TimeoutRejectedException => $"timed out after {_options.RequestTimeout.TotalSeconds:0.#} s",
        HttpRequestException { InnerException: { } inner } h when !h.Message.Contains(inner.Message.TrimEnd('.'), StringComparison.Ordinal)
            => $"{h.Message.TrimEnd('.')} ({inner.Message.TrimEnd('.')})",
        HttpRequestException h => h.Message.TrimEnd('.'),
        _ => ex.Message.Split('\n')[0].TrimEnd('.'),
    };
}

/// <summary>A 2xx response whose body is not complete JSON (truncated by a proxy or a dying node).</summary>
internal sealed class MalformedResponseException(string message) : Exception(message);
