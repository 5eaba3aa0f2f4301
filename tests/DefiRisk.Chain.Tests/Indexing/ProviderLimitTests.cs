using System.Diagnostics;
using DefiRisk.Chain.Deployments;
using DefiRisk.Chain.Indexing;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core;
using DefiRisk.Core.Indexing;
using DefiRisk.Harness;
using DefiRisk.Storage;
using Xunit.Abstractions;

namespace DefiRisk.Chain.Tests.Indexing;

/// <summary>One anvil serving <c>fixtures/mainnet-like</c>, and its discovery from a clean scan (no proxy, default limits).</summary>
public sealed class MainnetLikeDiscovery : IAsyncLifetime
{
    public FixtureServer Server { get; private set; } = null!;
    public string TempDir { get; } = Directory.CreateTempSubdirectory("defirisk-limits-").FullName;
    public DeploymentManifest Manifest => Server.Manifest;
    public long ChainId => Server.Manifest.ChainId;
    /// <summary>Accounts (and Morpho markets) per protocol, as a clean scan finds them.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<DiscoveredAccount>> Clean { get; private set; } = null!;

    public static readonly string[] Protocols = ["aave-v3", "morpho-blue"];

    public async Task InitializeAsync()
    {
        Server = await FixtureServer.StartAsync(Path.Combine(NodeModules.Locate().RepositoryRoot, "fixtures", "mainnet-like"));
        using var rpc = new EthRpc(Server.RpcUrl, DemoChain.TestRpc);
        Clean = await DiscoverAsync(rpc);
    }

    /// <summary>Discovery alone into a fresh database, through <paramref name="rpc"/>.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<DiscoveredAccount>>> DiscoverAsync(EthRpc rpc, IProgress<IndexProgress>? progress = null)
    {
        var discovery = new DiscoveryStore(new SnapshotStore(Path.Combine(TempDir, $"{Guid.NewGuid():N}.db")));
        await new Indexer(rpc, discovery, progress).DiscoverAsync(Manifest, ChainId, Server.Block, default);
        return Protocols.ToDictionary(p => p, p => discovery.GetAccounts(ChainId, p));
    }

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        try { Directory.Delete(TempDir, recursive: true); } catch (IOException) { /* best effort */ }
    }
}

/// <summary>
/// Discovery against a provider's limits: ranges and result counts capped with each provider's error text, and HTTP 429
/// with <c>Retry-After</c> on every second request. The scan must adapt its ranges to the caps, wait out the 429s
/// without shrinking anything, and find exactly what a clean scan finds.
/// </summary>
[Trait("Category", "ChainParity")]
public sealed class ProviderLimitTests(MainnetLikeDiscovery chain, ITestOutputHelper output) : IClassFixture<MainnetLikeDiscovery>
{
    [Theory]
    [InlineData(ProviderDialect.Alchemy)]
    [InlineData(ProviderDialect.QuickNodeInfura)]
    [InlineData(ProviderDialect.AnkrGeth)]
    public async Task A_scan_through_range_and_result_caps_and_429s_finds_the_same_borrowers_and_markets(ProviderDialect dialect)
    {
        await using var proxy = new ProviderLimitProxy(chain.Server.RpcUrl, dialect, rangeCap: 10, resultCap: 50, rateLimited: n => n % 2 == 1);
        // Default log chunk (10,000 blocks): the scan has to learn the caps. Waits of concurrent requests overlap.
        using var rpc = new EthRpc(proxy.Url, DemoChain.TestRpc with { Concurrency = 32, RateLimitWait = TimeSpan.FromSeconds(60) });
        var clock = Stopwatch.StartNew();

        var found = await chain.DiscoverAsync(rpc);

        clock.Stop();
        foreach (var protocol in MainnetLikeDiscovery.Protocols)
        {
            Assert.NotEmpty(chain.Clean[protocol]);
            Assert.Equal(chain.Clean[protocol], found[protocol]);
        }
        Assert.Contains(found["morpho-blue"], a => a.Account.Length == 0); // the markets, from CreateMarket

        // The caps were met and learnt, and every 429 was waited out rather than taken for "range too large".
        Assert.True(proxy.RangeRefusals >= 1, "no range was refused: the cap was never tested");
        Assert.True(proxy.ResultRefusals >= 1, "no result count was refused: the cap was never tested");
        Assert.Equal(proxy.RangeRefusals + proxy.ResultRefusals, rpc.Stats.LogRangeRefusals);
        Assert.Equal(proxy.TooManyRequests, rpc.Stats.RateLimited);
        Assert.True(proxy.TooManyRequests >= proxy.LogRequestsServed - 1, $"{proxy.TooManyRequests} 429s for {proxy.LogRequestsServed} answered eth_getLogs");
        Assert.True(rpc.Stats.RateLimitWait >= TimeSpan.FromSeconds(proxy.TooManyRequests), "a Retry-After of 1 s was not honoured");
        Assert.InRange(proxy.WidestServed, 1, 10);
        // Refusals stay a small share: the scan remembers what worked instead of rediscovering it per request.
        Assert.True(rpc.Stats.LogRangeRefusals * 4 < proxy.LogRequestsServed,
            $"{rpc.Stats.LogRangeRefusals} refusals for {proxy.LogRequestsServed} served ranges");

        output.WriteLine($"{dialect}: {proxy.Requests} HTTP requests ({proxy.LogRequestsServed} eth_getLogs answered, {proxy.RangeRefusals} range and " +
                         $"{proxy.ResultRefusals} result refusals, {proxy.TooManyRequests} × 429 waited {rpc.Stats.RateLimitWait.TotalSeconds:0} s in total); " +
                         $"widest range served {proxy.WidestServed} blocks; {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Theory]
    [InlineData("0.2")]
    [InlineData("date")]
    public async Task Rate_limit_errors_inside_json_rpc_answers_are_waited_out_for_single_requests_and_batches(string retryAfter)
    {
        // "0.2": Infura's data.backoff_seconds on a single answer (batches have no header wait, so they back off); "date": an HTTP-date Retry-After.
        var header = retryAfter == "date" ? DateTimeOffset.UtcNow.AddSeconds(2).ToString("R") : retryAfter;
        // Requests: 0 eth_chainId (limited), 1 its retry, 2 eth_blockNumber, 3 and 4 the two batches (both limited), 5 and 6 their retries.
        await using var proxy = new ProviderLimitProxy(chain.Server.RpcUrl, ProviderDialect.Alchemy, long.MaxValue, int.MaxValue, n => n is 0 or 3 or 4,
            retryAfter: header, rateLimitInBody: true);
        using var rpc = new EthRpc(proxy.Url, DemoChain.TestRpc with { BatchSize = 5, CallsPerRead = 1 });
        var clock = Stopwatch.StartNew();

        Assert.Equal(chain.ChainId, await rpc.ChainIdAsync(default));
        var block = await rpc.BlockNumberAsync(default);
        var calls = Enumerable.Range(0, 10).Select(_ => new EthCall(chain.Manifest.AaveV3()[0].Pool, "0xd1946dbc")).ToList(); // getReservesList()
        var results = await rpc.CallAsync(calls, block, default);

        Assert.All(results, r => Assert.True(r.HasData, r.Error));
        Assert.Equal(3, proxy.TooManyRequests);
        Assert.Equal(3, rpc.Stats.RateLimited);
        Assert.Equal(2, rpc.Stats.Batches); // each batch waited out and resent by the HTTP handler, not rebuilt
        Assert.Equal(7, proxy.Requests);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(retryAfter == "date" ? 0.9 : 0.2), $"waited only {clock.Elapsed.TotalSeconds:0.00} s");
    }

    [Fact]
    public async Task A_retry_after_of_zero_is_still_a_pause_not_a_busy_loop()
    {
        await using var proxy = new ProviderLimitProxy(chain.Server.RpcUrl, ProviderDialect.Alchemy, long.MaxValue, int.MaxValue, n => n < 5, retryAfter: "0");
        using var rpc = new EthRpc(proxy.Url, DemoChain.TestRpc);
        var clock = Stopwatch.StartNew();

        Assert.Equal(chain.ChainId, await rpc.ChainIdAsync(default));

        Assert.Equal(6, proxy.Requests);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(5 * 100), $"5 rate limits waited only {clock.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task A_log_error_that_is_not_a_limit_fails_the_scan_at_once_naming_it()
    {
        // "header not found" is a lagging node, not a range problem: halving the range cannot fix it.
        await using var proxy = new ProviderLimitProxy(chain.Server.RpcUrl, ProviderDialect.Alchemy, long.MaxValue, int.MaxValue, _ => false,
            logsError: (-32000, "header not found"));
        using var rpc = new EthRpc(proxy.Url, DemoChain.TestRpc);

        var ex = await Assert.ThrowsAsync<DefiRiskException>(() => chain.DiscoverAsync(rpc));

        Assert.Equal(ExitCodes.ChainError, ex.ExitCode);
        Assert.Contains("header not found", ex.Message);
        Assert.Equal(0, rpc.Stats.LogRangeRefusals);
        Assert.True(rpc.Stats.LogRequests <= rpc.Options.Concurrency, $"{rpc.Stats.LogRequests} eth_getLogs sent after a non-limit error");
    }

    [Fact]
    public async Task A_rate_limit_longer_than_the_wait_budget_fails_with_one_line_instead_of_shrinking_ranges()
    {
        await using var proxy = new ProviderLimitProxy(chain.Server.RpcUrl, ProviderDialect.Alchemy, 10, 50, rateLimited: _ => true, retryAfter: "30");
        using var rpc = new EthRpc(proxy.Url, DemoChain.TestRpc with { RateLimitWait = TimeSpan.FromSeconds(5) });

        var ex = await Assert.ThrowsAsync<DefiRiskException>(() => chain.DiscoverAsync(rpc));

        Assert.Equal(ExitCodes.ChainError, ex.ExitCode);
        Assert.Contains("rate-limiting", ex.Message);
        Assert.Contains("30 s", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Equal(0, rpc.Stats.LogRangeRefusals);
    }
}
