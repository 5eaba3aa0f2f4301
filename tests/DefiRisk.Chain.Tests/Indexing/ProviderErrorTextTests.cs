using System.Net.Http.Headers;
using System.Text.Json;
using DefiRisk.Chain.Indexing;
using DefiRisk.Chain.Rpc;

namespace DefiRisk.Chain.Tests.Indexing;

/// <summary>Provider error texts, as nodes and providers word them: which are log-range refusals, which are rate limits, which are neither.</summary>
public sealed class ProviderErrorTextTests
{
    // Expected values: the range the text suggests (inclusive), else the block cap it states, else halving (-1 = none);
    // the last argument names where the wording comes from.
    [Theory]
    [InlineData("Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size, or you can " +
                "request any block range with a cap of 10K logs in the response. Based on your parameters, this block range should work: [0x1312d00, 0x1313a5b]",
                "Results", 0x1312d00, 0x1313a5b, -1, "Alchemy, response size")]
    [InlineData("You can make eth_getLogs requests with up to a 500 block range. Based on your parameters, this block range should work: [0x123c9b2, 0x123cba5]",
                "BlockRange", 0x123c9b2, 0x123cba5, 500, "Alchemy, block range (BobTheBuidler/dank_mids#772)")]
    [InlineData("query returned more than 10000 results. Try with this block range [0x10B1A80, 0x10B1E5F].", "Results", 0x10B1A80, 0x10B1E5F, -1, "Infura")]
    [InlineData("query returned more than 10000 results", "Results", -1, -1, -1, "geth")]
    [InlineData("eth_getLogs is limited to a 10,000 range", "BlockRange", -1, -1, 10_000, "QuickNode")]
    [InlineData("block range is too wide", "BlockRange", -1, -1, -1, "Ankr")]
    [InlineData("exceed maximum block range: 5000", "BlockRange", -1, -1, 5_000, "geth-based BSC/NodeReal")]
    [InlineData("range exceeds 10000", "BlockRange", -1, -1, 10_000, "short form")]
    [InlineData("range 1000000 exceeds limit of 10000", "BlockRange", -1, -1, 10_000, "Infura, live range cap (INFURA/infura#237)")]
    [InlineData("query block range exceeds server limit, narrow your filter: 1000", "BlockRange", -1, -1, 1_000, "Erigon --rpc.blockrange.limit")]
    [InlineData("query returns too many logs, narrow your filter: 20000", "Results", -1, -1, -1, "Erigon --rpc.logs.maxresults: a log count, not blocks")]
    [InlineData("block range too large, max range: 1000", "BlockRange", -1, -1, 1_000, "cdk-erigon")]
    [InlineData("Fork Error: JsonRpcClientError(ProviderError(JsonRpcError(JsonRpcError { code: -32602, message: \"Log response size exceeded. You can make " +
                "eth_getLogs requests with up to a 2K block range and no limit on the response size, or you can request any block range with a cap of 10K " +
                "logs in the response. Based on your parameters and the response size limit, this block range should work: [0x0, 0x721655]\" })))",
                "Results", 0, 0x721655, -1, "anvil in fork mode, passing its upstream's refusal on (foundry-rs/foundry#1827)")]
    public void A_provider_refusal_is_read_with_its_suggested_range_or_cap(string message, string kind, long from, long to, long cap, string source)
    {
        var refusal = LogRangeRefusal.Parse(message);

        Assert.True(refusal is not null, $"{source}: not recognised");
        Assert.Equal(Enum.Parse<LogLimitKind>(kind), refusal.Kind);
        Assert.Equal(from < 0 ? null : from, refusal.SuggestedFrom);
        Assert.Equal(to < 0 ? null : to, refusal.SuggestedTo);
        Assert.Equal(cap < 0 ? null : cap, refusal.BlockCap);
    }

    [Fact]
    public void A_refusal_detail_in_the_error_data_is_read_too()
    {
        // Tenderly puts the detail in data.payload under a bare "invalid params"… which alone is not a refusal.
        Assert.Null(LogRangeRefusal.Parse("invalid params"));
        var refusal = LogRangeRefusal.Parse("limit exceeded", """{"payload":"range 9009594 is bigger than range limit 2000"}""");
        Assert.Equal(2_000, refusal?.BlockCap);
    }

    [Theory]
    [InlineData("header not found")]
    [InlineData("execution reverted")]
    [InlineData("invalid block range params")]
    [InlineData("daily request count exceeded, request rate limited")]
    [InlineData("Your app has exceeded its compute units per second capacity. If you have retries enabled, you can safely ignore this message.")]
    [InlineData("Too Many Requests")]
    [InlineData("request limit reached")]
    [InlineData("filter not found")]
    [InlineData("invalid argument 0: hex string without 0x prefix")]
    public void An_error_that_is_not_about_range_or_results_is_not_a_refusal(string message) =>
        Assert.Null(LogRangeRefusal.Parse(message));

    [Fact]
    public void The_next_size_is_the_suggestion_else_the_cap_else_half()
    {
        Assert.Equal(20, new LogRangeRefusal(LogLimitKind.Results, 100, 119, null).NextSize(1_000));
        Assert.Equal(500, new LogRangeRefusal(LogLimitKind.BlockRange, null, null, 500).NextSize(1_000));
        Assert.Equal(500, new LogRangeRefusal(LogLimitKind.Results, null, null, null).NextSize(1_000));
        // A "suggestion" as wide as the refused range (anvil's fork passthrough) is no help: halve.
        Assert.Equal(500, new LogRangeRefusal(LogLimitKind.Results, 0, 999, null).NextSize(1_000));
        Assert.Equal(1, new LogRangeRefusal(LogLimitKind.Results, null, null, null).NextSize(1));
    }

    [Fact]
    public void The_planner_keeps_a_stated_cap_and_probes_one_request_wider_after_a_run_of_answers()
    {
        var planner = new LogRangePlanner(10_000);
        Assert.False(planner.Confirmed);
        planner.Refused(10_000, new LogRangeRefusal(LogLimitKind.BlockRange, null, null, 2_000));
        Assert.Equal(2_000, planner.Size);
        planner.Refused(2_000, new LogRangeRefusal(LogLimitKind.Results, 5, 404, null));
        Assert.Equal((400, false), (planner.Size, planner.Confirmed));

        for (var i = 0; i < LogRangePlanner.GrowAfter; i++) { Assert.Equal(400, planner.Next(10_000)); planner.Answered(400); }
        Assert.True(planner.Confirmed);
        Assert.Equal(500, planner.Next(10_000)); // one probe, a quarter wider…
        Assert.Equal(400, planner.Next(10_000)); // …while the others keep the confirmed size
        planner.Refused(500, new LogRangeRefusal(LogLimitKind.Results, null, null, null));
        Assert.Equal((400, true), (planner.Size, planner.Confirmed)); // a refused probe costs nothing else

        for (var i = 0; i < 2 * LogRangePlanner.GrowAfter - 1; i++) { Assert.Equal(400, planner.Next(10_000)); planner.Answered(400); }
        Assert.Equal(400, planner.Next(10_000)); // the next probe waits twice as long
        planner.Answered(400);
        Assert.Equal(500, planner.Next(10_000));
        planner.Answered(500);
        Assert.Equal(500, planner.Size);

        for (var i = 0; i < 1_000; i++) planner.Answered(planner.Next(10_000));
        Assert.Equal(2_000, planner.Size); // never past the stated cap again
        Assert.Equal(2_000, planner.Next(10_000));
    }

    [Theory]
    [InlineData(-32005, "daily request count exceeded, request rate limited", true, "Infura")]
    [InlineData(-32005, "project ID request rate exceeded", true, "Infura")]
    [InlineData(429, "Your app has exceeded its compute units per second capacity.", true, "Alchemy")]
    [InlineData(-32007, "request limit reached", true, "QuickNode")]
    [InlineData(-32029, "limit exceeded", true, "the code alone")]
    [InlineData(-32000, "Too Many Requests", true, "Ankr")]
    [InlineData(-32005, "query returned more than 10000 results", false, "geth/Infura result cap: same code, not a rate limit")]
    [InlineData(-32005, "query timeout exceeded", false, "Infura query duration")]
    [InlineData(3, "execution reverted: rate limit exceeded", false, "a contract's own revert text")]
    [InlineData(-32000, "header not found", false)]
    public void Rate_limits_are_told_apart_from_other_errors(long code, string message, bool limited, string source = "") =>
        Assert.True(limited == RateLimit.IsRateLimited(code, message), $"{source} '{message}' (code {code}): expected rate-limited = {limited}");

    [Fact]
    public void Retry_after_is_read_as_seconds_or_as_an_http_date()
    {
        var now = new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromSeconds(7), RateLimit.RetryAfter(RetryConditionHeaderValue.Parse("7"), now));
        Assert.Equal(TimeSpan.FromSeconds(90), RateLimit.RetryAfter(RetryConditionHeaderValue.Parse("Thu, 03 Dec 2026 12:01:30 GMT"), now));
        Assert.Equal(TimeSpan.Zero, RateLimit.RetryAfter(RetryConditionHeaderValue.Parse("Thu, 03 Dec 2026 11:00:00 GMT"), now));
        Assert.Null(RateLimit.RetryAfter(null, now));
    }

    [Fact]
    public void A_rate_limit_inside_a_json_rpc_body_or_batch_is_found_with_its_backoff()
    {
        using var single = JsonDocument.Parse("""{"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"daily request count exceeded, request rate limited","data":{"see":"https://infura.io/dashboard","backoff_seconds":30}}}""");
        Assert.Equal(TimeSpan.FromSeconds(30), RateLimit.InBody(single.RootElement)?.Wait);

        using var batch = JsonDocument.Parse("""[{"jsonrpc":"2.0","id":1,"result":"0x2a"},{"jsonrpc":"2.0","id":2,"error":{"code":429,"message":"Too Many Requests"}}]""");
        var found = RateLimit.InBody(batch.RootElement);
        Assert.NotNull(found);
        Assert.Null(found.Value.Wait);

        using var reverted = JsonDocument.Parse("""[{"jsonrpc":"2.0","id":1,"error":{"code":3,"message":"execution reverted"}}]""");
        Assert.Null(RateLimit.InBody(reverted.RootElement));
        using var refused = JsonDocument.Parse("""{"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"query returned more than 10000 results"}}""");
        Assert.Null(RateLimit.InBody(refused.RootElement));
    }
}
