using System.Numerics;
using System.Text.Json;
using DefiRisk.Core;

namespace DefiRisk.Harness;

/// <summary>One round as the asset's AaveOracle source presents it: the proxy's round id (phase &lt;&lt; 64 | the aggregator's id).</summary>
public sealed record PostedRound(BigInteger RoundId, BigInteger Answer, long UpdatedAt);

/// <summary>What <see cref="FixtureFeedHistory"/> posts: how many rounds per feed, how far apart, the seed of the moves.</summary>
public sealed record FeedHistorySpec(int Rounds = 240, long StepSeconds = 3600, int Seed = 16)
{
    public FeedHistorySpec Validated() =>
        Rounds >= 2 && StepSeconds > 0 ? this : throw new DefiRiskException("a feed history needs at least 2 rounds and a positive step");
}

/// <summary>
/// Gives a fixture's market feeds a Chainlink-style round history, so that <c>index --price-history-days</c> has rounds to
/// read and <c>stress</c> a history to fit. Per market feed (every price feed but the exchange-rate asset's):
/// <list type="number">
/// <item>the feed's MockAggregator becomes a <c>RoundFeed</c> in place (anvil_setCode; its answer stays in slot 0, so
/// <see cref="FixturePrices"/> and the exchange-rate aggregator that multiplies the WETH feed read it as before);</item>
/// <item>an older <c>RoundFeed</c> is deployed for phase 1 and takes the first half of the rounds; the feed itself, phase 2,
/// takes the rest, the last of which is the feed's current answer (prices do not move);</item>
/// <item>a <c>FeedProxy</c> (Chainlink AggregatorProxy's round-id layout) over the two phases becomes the asset's
/// AaveOracle source;</item>
/// <item>the exchange-rate aggregator (wstETH) keeps its address, ratio and owner but multiplies the base asset's proxy
/// from now on (its code is redeployed with that immutable and copied in place): as on mainnet, where a CAPO adapter's
/// BASE_TO_USD_AGGREGATOR is the ETH/USD proxy that is also WETH's source, so the indexer still finds its base.</item>
/// </list>
/// The moves are seeded lognormal steps walked backwards from the current answer (σ 1 % per step, 0.05 % for a feed
/// priced within 5 % of $1), one round per <see cref="FeedHistorySpec.StepSeconds"/> ending at the head block's
/// timestamp: same facts, spec and head ⇒ the same rounds.
/// </summary>
public static class FixtureFeedHistory
{
    /// <summary>Our feed contracts, from the repository root.</summary>
    public const string Source = "fixtures/contracts/feeds/RoundFeed.sol";

    /// <summary>On a served fixture (automining node, fixture admin unlocked): installs the history and returns it per symbol, oldest first.</summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<PostedRound>>> InstallAsync(
        AnvilNode node, FixtureFacts facts, string aaveOracle, FeedHistorySpec spec, CancellationToken ct = default) =>
        await InstallAsync(new AutomineSender(node), node, facts.PriceFeeds, facts.Tokens.ToDictionary(t => t.Key, t => t.Value.Address),
            facts.ExchangeRateAggregator.Asset, facts.ExchangeRateAggregator.Address,
            (await new SolidityCompiler(NodeModules.Locate()).CompileFixtureContractsAsync(ct).ConfigureAwait(false))["ExchangeRateAggregator"].Bytecode,
            facts.Actors.Admin, aaveOracle, spec, ct).ConfigureAwait(false);

    internal static Task<IReadOnlyDictionary<string, IReadOnlyList<PostedRound>>> InstallAsync(
        ChainWriter chain, IReadOnlyDictionary<string, string> feeds, IReadOnlyDictionary<string, string> tokens, string exchangeRateAsset,
        string exchangeRateAggregator, string exchangeRateCreation, string admin, string aaveOracle, FeedHistorySpec spec, CancellationToken ct) =>
        InstallAsync(new WriterSender(chain), chain.Node, feeds, tokens, exchangeRateAsset, exchangeRateAggregator, exchangeRateCreation, admin, aaveOracle, spec, ct);

    private static async Task<IReadOnlyDictionary<string, IReadOnlyList<PostedRound>>> InstallAsync(
        ISender sender, AnvilNode node, IReadOnlyDictionary<string, string> feeds, IReadOnlyDictionary<string, string> tokens,
        string exchangeRateAsset, string exchangeRateAggregator, string exchangeRateCreation, string admin, string aaveOracle, FeedHistorySpec spec, CancellationToken ct)
    {
        spec = spec.Validated();
        var modules = NodeModules.Locate();
        var source = Path.Combine(modules.RepositoryRoot, Source);
        var roundFeed = await AaveV3PayloadExecutor.CompileAsync(modules, source, "RoundFeed", ct).ConfigureAwait(false);
        var proxy = await AaveV3PayloadExecutor.CompileAsync(modules, source, "FeedProxy", ct).ConfigureAwait(false);

        var symbols = feeds.Keys.Where(s => s != exchangeRateAsset).Order(StringComparer.Ordinal).ToList();
        var head = await node.LatestTimestampAsync().ConfigureAwait(false);
        var first = head - (spec.Rounds - 1) * spec.StepSeconds;
        if (first <= 0) throw new DefiRiskException($"a history of {spec.Rounds} rounds {spec.StepSeconds} s apart would start before 1970");

        // Stage 1: a RoundFeed to take its runtime code from, and one phase-1 feed per symbol.
        var template = await sender.DeployAsync(admin, Abi.Deploy(roundFeed.Bytecode), "RoundFeed template").ConfigureAwait(false);
        var phase1 = new Dictionary<string, string>();
        foreach (var s in symbols) phase1[s] = await sender.DeployAsync(admin, Abi.Deploy(roundFeed.Bytecode), $"RoundFeed {s} phase 1").ConfigureAwait(false);
        await sender.SettleAsync().ConfigureAwait(false);
        var code = (await node.Rpc.CallAsync("eth_getCode", template, "latest").ConfigureAwait(false)).GetString()!;

        var posted = new Dictionary<string, IReadOnlyList<PostedRound>>();
        var proxies = new Dictionary<string, string>();
        var random = new Random(spec.Seed);
        foreach (var s in symbols)
        {
            ct.ThrowIfCancellationRequested();
            var feed = feeds[s];
            var current = Abi.IntAt((await node.Rpc.CallAsync("eth_call", new Dictionary<string, object> { ["to"] = feed, ["data"] = Abi.Call("latestAnswer()") }, "latest").ConfigureAwait(false)).GetString()!, 0);
            if (current.Sign <= 0) throw new DefiRiskException($"feed of {s} answers {current}: no history can end there");
            var answers = Walk(random, current, spec.Rounds, Math.Abs((double)current / 1e8 - 1) < 0.05 ? 0.0005 : 0.01);
            var times = Enumerable.Range(0, spec.Rounds).Select(i => first + i * spec.StepSeconds).ToArray();
            var split = spec.Rounds / 2;

            await node.Rpc.CallAsync("anvil_setCode", feed, code).ConfigureAwait(false);
            await sender.SendAsync(admin, phase1[s], PostRounds(answers[..split], times[..split]), $"RoundFeed {s} phase 1 rounds").ConfigureAwait(false);
            await sender.SendAsync(admin, feed, PostRounds(answers[split..], times[split..]), $"RoundFeed {s} phase 2 rounds").ConfigureAwait(false);
            proxies[s] = await sender.DeployAsync(admin, Abi.Deploy(proxy.Bytecode, "(address)", phase1[s]), $"FeedProxy {s}").ConfigureAwait(false);
            posted[s] = answers.Select((a, i) => new PostedRound(
                i < split ? (BigInteger.One << 64) | (i + 1) : (new BigInteger(2) << 64) | (i - split + 1), a, times[i])).ToList();
        }
        await sender.SettleAsync().ConfigureAwait(false);
        foreach (var s in symbols)
            await sender.SendAsync(admin, proxies[s], Abi.Call("setAggregator(address)", feeds[s]), $"FeedProxy {s} phase 2").ConfigureAwait(false);
        await sender.SendAsync(admin, aaveOracle, Abi.Call("setAssetSources(address[],address[])",
            symbols.Select(s => tokens[s]).ToList(), symbols.Select(s => proxies[s]).ToList()), "AaveOracle.setAssetSources (feed proxies)").ConfigureAwait(false);

        // The exchange-rate aggregator's base becomes the base asset's proxy: same address, ratio (slot 0) and owner.
        var baseFeed = Abi.AddressAt(await Read(exchangeRateAggregator, "BASE_TO_USD_AGGREGATOR()").ConfigureAwait(false), 0);
        var baseSymbol = symbols.FirstOrDefault(s => feeds[s].Equals(baseFeed, StringComparison.OrdinalIgnoreCase));
        string? rebuilt = null;
        if (baseSymbol is not null)
        {
            var ratio = Abi.UIntAt(await Read(exchangeRateAggregator, "getRatio()").ConfigureAwait(false), 0);
            rebuilt = await sender.DeployAsync(admin, Abi.Deploy(exchangeRateCreation, "(address,uint256)", proxies[baseSymbol], ratio), $"ExchangeRateAggregator {exchangeRateAsset} on the {baseSymbol} proxy").ConfigureAwait(false);
        }
        await sender.SettleAsync().ConfigureAwait(false);
        if (rebuilt is not null)
            await node.Rpc.CallAsync("anvil_setCode", exchangeRateAggregator, (await node.Rpc.CallAsync("eth_getCode", rebuilt, "latest").ConfigureAwait(false)).GetString()!).ConfigureAwait(false);
        return posted;

        async Task<string> Read(string to, string signature) =>
            (await node.Rpc.CallAsync("eth_call", new Dictionary<string, object> { ["to"] = to, ["data"] = Abi.Call(signature) }, "latest").ConfigureAwait(false)).GetString()!;
    }

    /// <summary><paramref name="rounds"/> answers ending at <paramref name="last"/>, each the next divided by a lognormal step.</summary>
    private static BigInteger[] Walk(Random random, BigInteger last, int rounds, double sigma)
    {
        var answers = new BigInteger[rounds];
        answers[^1] = last;
        var price = (double)last;
        for (var i = rounds - 2; i >= 0; i--)
        {
            // Box–Muller from two uniforms in (0, 1].
            var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            price /= Math.Exp(sigma * z);
            answers[i] = BigInteger.Max(BigInteger.One, new BigInteger(Math.Round(price)));
        }
        return answers;
    }

    private static string PostRounds(BigInteger[] answers, long[] times) =>
        Abi.Call("postRounds(int256[],uint256[])", answers.ToList(), times.Select(t => new BigInteger(t)).ToList());

    private interface ISender
    {
        Task<string> DeployAsync(string from, string creation, string label);
        Task SendAsync(string from, string to, string data, string label);
        /// <summary>Everything sent so far is mined and succeeded.</summary>
        Task SettleAsync();
    }

    /// <summary>The builder's no-mining node: sends queue, settling mines a block.</summary>
    private sealed class WriterSender(ChainWriter chain) : ISender
    {
        public Task<string> DeployAsync(string from, string creation, string label) => chain.DeployAsync(from, creation, label);
        // A phase's rounds go in one transaction (≈ 45,000 gas a round): the default 2,000,000 ran out at 120 rounds a phase.
        public async Task SendAsync(string from, string to, string data, string label) => await chain.SendAsync(from, to, data, label, ChainWriter.DeployGas).ConfigureAwait(false);
        public Task SettleAsync() => chain.MineAsync();
    }

    /// <summary>A served (automining) node: each send waits for its receipt and fails on a revert.</summary>
    private sealed class AutomineSender(AnvilNode node) : ISender
    {
        public async Task<string> DeployAsync(string from, string creation, string label) =>
            (await PostAsync(from, null, creation, label).ConfigureAwait(false)).GetProperty("contractAddress").GetString()!.ToLowerInvariant();

        public async Task SendAsync(string from, string to, string data, string label) => await PostAsync(from, to, data, label).ConfigureAwait(false);

        public Task SettleAsync() => Task.CompletedTask;

        private async Task<JsonElement> PostAsync(string from, string? to, string data, string label)
        {
            var request = new Dictionary<string, object> { ["from"] = from, ["data"] = data, ["gas"] = AnvilRpc.Hex(ChainWriter.DeployGas) };
            if (to is not null) request["to"] = to;
            var hash = (await node.Rpc.CallAsync("eth_sendTransaction", request).ConfigureAwait(false)).GetString()!;
            var receipt = await node.Rpc.CallAsync("eth_getTransactionReceipt", hash).ConfigureAwait(false);
            // Anvil answers eth_sendTransaction before its automine task has sealed the block: poll briefly.
            for (var i = 0; i < 5000 && receipt.ValueKind == JsonValueKind.Null; i++)
            {
                await Task.Delay(1).ConfigureAwait(false);
                receipt = await node.Rpc.CallAsync("eth_getTransactionReceipt", hash).ConfigureAwait(false);
            }
            if (receipt.ValueKind == JsonValueKind.Null) throw new DefiRiskException($"feed history: '{label}' was not mined");
            if (AnvilRpc.Quantity(receipt.GetProperty("status")) != 1) throw new DefiRiskException($"feed history: '{label}' reverted");
            return receipt;
        }
    }
}
