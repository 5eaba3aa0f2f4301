using System.Numerics;
using DefiRisk.Chain.Adapters;
using DefiRisk.Chain.Contracts.ContractDefinition;
using DefiRisk.Chain.Protocols.MorphoBlue.ContractDefinition;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.MorphoBlue;

namespace DefiRisk.Chain.Protocols.MorphoBlue;

/// <summary>
/// Identifies each market oracle by its getters (every read may fail: an unknown oracle simply lacks them) and reads its
/// parts at the block: MorphoChainlinkOracleV2 (BASE_VAULT, BASE_VAULT_CONVERSION_SAMPLE, QUOTE_VAULT,
/// QUOTE_VAULT_CONVERSION_SAMPLE, four feeds, SCALE_FACTOR), the first ChainlinkOracle (VAULT, VAULT_CONVERSION_SAMPLE,
/// four feeds, SCALE_FACTOR), fixed (no feed, no vault), unknown. Then each feed's answer and what it follows: the asset
/// whose Aave price source it is, or whose source's aggregator it is (either side may be a Chainlink proxy answering
/// <c>aggregator()</c>), or the one the deployments' feed→asset table names.
/// </summary>
internal static class MorphoOracleReader
{
    /// <summary>
    /// Adds every identifying getter of <paramref name="oracles"/> to <paramref name="batch"/>: the caller runs them in a round it
    /// makes anyway (the markets' prices), so the composition costs one dependent round, not two.
    /// </summary>
    public static Getters AddGetters(ReadBatch batch, IEnumerable<Address> oracles) =>
        new(oracles.Distinct().ToDictionary(o => o, o => new OracleGetters(
            BaseVault: batch.Add<BaseVaultFunction, AddressOutput>(o.Value, new()),
            BaseSample: batch.Add<BaseVaultConversionSampleFunction, Uint256Output>(o.Value, new()),
            QuoteVault: batch.Add<QuoteVaultFunction, AddressOutput>(o.Value, new()),
            QuoteSample: batch.Add<QuoteVaultConversionSampleFunction, Uint256Output>(o.Value, new()),
            Vault: batch.Add<VaultFunction, AddressOutput>(o.Value, new()),
            VaultSample: batch.Add<VaultConversionSampleFunction, Uint256Output>(o.Value, new()),
            Feeds: new[]
            {
                batch.Add<BaseFeed1Function, AddressOutput>(o.Value, new()), batch.Add<BaseFeed2Function, AddressOutput>(o.Value, new()),
                batch.Add<QuoteFeed1Function, AddressOutput>(o.Value, new()), batch.Add<QuoteFeed2Function, AddressOutput>(o.Value, new()),
            },
            Scale: batch.Add<ScaleFactorFunction, Uint256Output>(o.Value, new()))));

    /// <summary>The getters <see cref="AddGetters"/> added, by oracle.</summary>
    public sealed record Getters(IReadOnlyDictionary<Address, OracleGetters> ByOracle);

    public sealed record OracleGetters(Reply<AddressOutput> BaseVault, Reply<Uint256Output> BaseSample, Reply<AddressOutput> QuoteVault,
        Reply<Uint256Output> QuoteSample, Reply<AddressOutput> Vault, Reply<Uint256Output> VaultSample, Reply<AddressOutput>[] Feeds, Reply<Uint256Output> Scale);

    /// <param name="read">the getters of (at least) <paramref name="oracles"/>, already run (<see cref="AddGetters"/>); null: read them here.</param>
    public static async Task<Dictionary<Address, MorphoOracleParts>> ReadAsync(IBlockReader reader, IReadOnlyCollection<Address> oracles,
        AssetTable assets, IReadOnlyDictionary<string, string>? feedAssets, Getters? read, CancellationToken ct)
    {
        var result = new Dictionary<Address, MorphoOracleParts>();
        if (oracles.Count == 0) return result;
        var batch = new ReadBatch();
        if (read is null || oracles.Any(o => !read.ByOracle.ContainsKey(o)))
        {
            read = AddGetters(batch, oracles);
            await reader.ExecuteAsync(batch, ct);
        }
        var getters = oracles.Select(o => (Oracle: o, Getters: read.ByOracle[o])).ToList();

        // Kinds and vaults; then the feeds' answers and aggregators, the vaults' conversions, the Aave sources' aggregators.
        var shapes = new Dictionary<Address, (MorphoOracleKind Kind, BigInteger Scale, Address BaseVault, BigInteger BaseSample, Address QuoteVault, BigInteger QuoteSample, Address?[] Feeds)>();
        foreach (var (oracle, g) in getters)
        {
            if (!g.Scale.Ok || !g.Feeds.All(f => f.Ok)) continue;
            var feeds = g.Feeds.Select(f => Address.Parse(f.Value.Value) is var a && a.IsZero ? (Address?)null : a).ToArray();
            (MorphoOracleKind Kind, Address BaseVault, BigInteger BaseSample, Address QuoteVault, BigInteger QuoteSample) shape =
                g.BaseVault.Ok && g.BaseSample.Ok && g.QuoteVault.Ok && g.QuoteSample.Ok
                    ? (MorphoOracleKind.ChainlinkV2, Address.Parse(g.BaseVault.Value.Value), g.BaseSample.Value.Value, Address.Parse(g.QuoteVault.Value.Value), g.QuoteSample.Value.Value)
                    : g.Vault.Ok && g.VaultSample.Ok
                        ? (MorphoOracleKind.ChainlinkV1, Address.Parse(g.Vault.Value.Value), g.VaultSample.Value.Value, Address.Zero, BigInteger.One)
                        : (MorphoOracleKind.Unknown, Address.Zero, 0, Address.Zero, 0);
            if (shape.Kind == MorphoOracleKind.Unknown) continue;
            var kind = feeds.All(f => f is null) && shape.BaseVault.IsZero && shape.QuoteVault.IsZero ? MorphoOracleKind.Fixed : shape.Kind;
            shapes[oracle] = (kind, g.Scale.Value.Value, shape.BaseVault, shape.BaseSample, shape.QuoteVault, shape.QuoteSample, feeds);
        }
        var allFeeds = shapes.Values.SelectMany(s => s.Feeds).OfType<Address>().Distinct().ToList();
        var answers = allFeeds.ToDictionary(f => f, f => batch.Add<LatestRoundDataFunction, RoundDataOutput>(f.Value, new()));
        var feedAggregators = allFeeds.ToDictionary(f => f, f => batch.Add<AggregatorFunction, AddressOutput>(f.Value, new()));
        var vaultAssets = shapes.Values.SelectMany(s => new[] { (s.BaseVault, s.BaseSample), (s.QuoteVault, s.QuoteSample) })
            .Where(v => !v.Item1.IsZero).Distinct()
            .ToDictionary(v => v, v => batch.Add<ConvertToAssetsFunction, Uint256Output>(v.Item1.Value, new() { Shares = v.Item2 }));
        var sources = assets.Ordered().Where(a => !a.Oracle.Source.IsZero).GroupBy(a => a.Oracle.Source).ToDictionary(g => g.Key, g => g.First().Address);
        var sourceAggregators = sources.Keys.ToDictionary(s => s, s => batch.Add<AggregatorFunction, AddressOutput>(s.Value, new()));
        await reader.ExecuteAsync(batch, ct);

        // Feed → asset: the table first, then a source itself, then a source's aggregator.
        var follows = new Dictionary<Address, Address>();
        foreach (var (source, asset) in sources)
        {
            follows.TryAdd(source, asset);
            if (sourceAggregators[source].OrDefault is { } agg && Address.Parse(agg.Value) is var a && !a.IsZero) follows.TryAdd(a, asset);
        }
        var table = (feedAssets ?? new Dictionary<string, string>()).ToDictionary(kv => Address.Parse(kv.Key), kv => Address.Parse(kv.Value));
        Address? Follows(Address feed)
        {
            if (table.TryGetValue(feed, out var listed)) return listed;
            if (follows.TryGetValue(feed, out var asset)) return asset;
            if (feedAggregators[feed].OrDefault is { } agg && Address.Parse(agg.Value) is var behind && !behind.IsZero && follows.TryGetValue(behind, out asset)) return asset;
            return null;
        }

        foreach (var (oracle, s) in shapes)
        {
            // A feed or vault that does not answer leaves the oracle unknown: its price() keeps the snapshot ratio.
            if (s.Feeds.OfType<Address>().Any(f => !answers[f].Ok || answers[f].Value.Answer.Sign < 0)) continue;
            if ((!s.BaseVault.IsZero && !vaultAssets[(s.BaseVault, s.BaseSample)].Ok) || (!s.QuoteVault.IsZero && !vaultAssets[(s.QuoteVault, s.QuoteSample)].Ok)) continue;
            var feeds = s.Feeds.Select(f => f is { } a ? new MorphoOracleFeed(a, answers[a].Value.Answer, Follows(a)) : null).ToList();
            result[oracle] = new MorphoOracleParts(s.Kind, s.Scale,
                s.BaseVault, s.BaseSample, s.BaseVault.IsZero ? BigInteger.One : vaultAssets[(s.BaseVault, s.BaseSample)].Value.Value,
                s.QuoteVault, s.QuoteSample, s.QuoteVault.IsZero ? BigInteger.One : vaultAssets[(s.QuoteVault, s.QuoteSample)].Value.Value,
                feeds);
        }
        return result;
    }
}
