using System.Net;
using System.Text.Json;
using DefiRisk.Core;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace DefiRisk.Chain.Rpc;

/// <summary>
/// Every HTTP exchange with the node goes through here (Nethereum's single requests and our JSON-RPC
/// batches alike): a Polly pipeline of two retries around a per-attempt timeout.
/// <list type="bullet">
/// <item>Outer, rate limits: HTTP 429, and a 200 whose JSON-RPC error (or any batch item's) says rate limit
/// (<see cref="RateLimit"/>). The wait is the node's <c>Retry-After</c> (seconds or HTTP date) or the error data's
/// <c>backoff_seconds</c>, else exponential backoff; retried until <see cref="RpcOptions.RateLimitWait"/> of waiting
/// is spent on this one request. Rate limits do not use up the fault attempts below.</item>
/// <item>Inner, faults: timeouts, refused/dropped connections, HTTP 5xx, and 2xx bodies that are not complete JSON
/// (a truncated response), <see cref="RpcOptions.MaxAttempts"/> attempts with exponential backoff and jitter.</item>
/// </list>
/// NOT retried: a well-formed JSON-RPC error such as "execution reverted" or "query returned more than 10000
/// results" — it is an answer, and the caller decides. When the attempts or the wait are used up this throws one
/// <see cref="DefiRiskException"/> line with <see cref="ExitCodes.ChainError"/>.
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
                MaxRetryAttempts = int.MaxValue, // bounded by the wait budget in ShouldHandle
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is RateLimitedException limited && PlanRateLimitWait(args.Context, limited, args.AttemptNumber)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(args.Context.Properties.GetValue(NextWait, TimeSpan.Zero)),
                OnRetry = args =>
                {
                    _stats.Retry();
                    _stats.RateLimitedWait(args.RetryDelay);
                    return default;
                },
            })
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

    private static bool IsTransient(HttpStatusCode status) => (int)status >= 500;

    private static readonly TimeSpan MinRateLimitWait = TimeSpan.FromMilliseconds(100);
    private static readonly ResiliencePropertyKey<TimeSpan> Waited = new("defirisk.rate-limit-waited");
    private static readonly ResiliencePropertyKey<TimeSpan> NextWait = new("defirisk.rate-limit-next-wait");

    /// <summary>
    /// Decides whether to wait out a rate limit, and for how long: the node's own figure, else exponential backoff from
    /// <see cref="RpcOptions.BaseDelay"/> (at most 10 s); never less than 100 ms. False once this request's total wait
    /// would pass <see cref="RpcOptions.RateLimitWait"/>; the outcome then becomes the error.
    /// </summary>
    private bool PlanRateLimitWait(ResilienceContext context, RateLimitedException limited, int attempt)
    {
        var waited = context.Properties.GetValue(Waited, TimeSpan.Zero);
        var wait = limited.RetryAfter
            ?? TimeSpan.FromMilliseconds(Math.Min(10_000, _options.BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 16)) * (0.5 + Random.Shared.NextDouble())));
        if (wait < MinRateLimitWait) wait = MinRateLimitWait; // "Retry-After: 0" must not turn into a busy loop
        limited.Waited = waited;
        if (waited + wait > _options.RateLimitWait) return false;
        context.Properties.Set(Waited, waited + wait);
        context.Properties.Set(NextWait, wait);
        return true;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Buffer the body once: each attempt sends a fresh HttpRequestMessage.
        var body = request.Content is null ? [] : await JsonBodyContent.ReadAsync(request.Content, cancellationToken);
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
            if (error is RateLimitedException limited)
                throw new DefiRiskException(limited.RetryAfter is { } asked && asked > _options.RateLimitWait
                    ? $"RPC {_display} is rate-limiting: it asks to wait {asked.TotalSeconds:0.#} s, more than the {_options.RateLimitWait.TotalSeconds:0.#} s allowed per request: {limited.Message}"
                    : $"RPC {_display} kept rate-limiting after {limited.Waited.TotalSeconds:0.#} s of waiting (at most {_options.RateLimitWait.TotalSeconds:0.#} s per request): {limited.Message}",
                    ExitCodes.ChainError, error);
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
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            var wait = RateLimit.RetryAfter(response.Headers.RetryAfter, DateTimeOffset.UtcNow);
            response.Dispose();
            throw new RateLimitedException("HTTP 429 Too Many Requests", wait);
        }
        if (!response.IsSuccessStatusCode) return response;
        // Read the whole body inside the attempt, so a connection dropped mid-body or a truncated JSON
        // document is retried like any other transient failure.
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        (string Message, TimeSpan? Wait)? limited = null;
        try
        {
            // Checked token by token, without a document: an eth_getLogs answer of a 100,000-borrower book is ~85 MB, and a
            // JsonDocument of it doubled that (issue 13 item 6). Only a body that holds an error can be a rate limit.
            var reader = new Utf8JsonReader(bytes);
            while (reader.Read()) { }
            if (bytes.AsSpan().IndexOf("\"error\""u8) >= 0)
            {
                using var document = JsonDocument.Parse(bytes);
                limited = RateLimit.InBody(document.RootElement);
            }
        }
        catch (JsonException ex)
        {
            response.Dispose();
            throw new MalformedResponseException($"malformed JSON response ({bytes.Length} bytes): {ex.Message.Split('\n')[0]}");
        }
        if (limited is { } rate)
        {
            var wait = rate.Wait ?? RateLimit.RetryAfter(response.Headers.RetryAfter, DateTimeOffset.UtcNow);
            response.Dispose();
            throw new RateLimitedException(rate.Message, wait);
        }
        var buffered = new HttpResponseMessage(response.StatusCode) { RequestMessage = original, Version = response.Version };
        buffered.Content = new JsonBodyContent(bytes);
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

/// <summary>
/// A JSON body as bytes: a request the handler sends without copying it, or a checked, complete answer as the handler read
/// it, which readers parse (<see cref="Bytes"/>) without another copy.
/// </summary>
internal sealed class JsonBodyContent : ByteArrayContent
{
    public JsonBodyContent(byte[] bytes) : base(bytes) => Bytes = bytes;

    public byte[] Bytes { get; }

    /// <summary>The body of <paramref name="content"/> as bytes: this handler's own buffer when it is one, else read.</summary>
    public static async Task<byte[]> ReadAsync(HttpContent content, CancellationToken ct) =>
        content is JsonBodyContent body ? body.Bytes : await content.ReadAsByteArrayAsync(ct);
}

/// <summary>A 2xx response whose body is not complete JSON (truncated by a proxy or a dying node).</summary>
internal sealed class MalformedResponseException(string message) : Exception(message);

/// <summary>The node said "slow down" (HTTP 429 or a rate-limit JSON-RPC error), with the wait it asked for if any.</summary>
internal sealed class RateLimitedException(string message, TimeSpan? retryAfter) : Exception(message)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
    /// <summary>What this request had waited for rate limits when this answer came.</summary>
    public TimeSpan Waited { get; set; }
}
