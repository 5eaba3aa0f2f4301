using System.Numerics;
using DefiRisk.Core.Domain;

namespace DefiRisk.Core.Protocols.MorphoBlue;

/// <summary>What a Morpho market's oracle is, as the indexer identified it by its getters.</summary>
public enum MorphoOracleKind
{
    /// <summary>No known getters: its <c>price()</c> keeps its snapshot ratio to the two tokens' USD prices (an assumption).</summary>
    Unknown,
    /// <summary>morpho-blue-oracles' MorphoChainlinkOracleV2: base and quote vaults with samples, two base and two quote feeds, SCALE_FACTOR.</summary>
    ChainlinkV2,
    /// <summary>The first ChainlinkOracle of morpho-blue-oracles: one (base) VAULT with its sample, the four feeds, SCALE_FACTOR.</summary>
    ChainlinkV1,
    /// <summary>A Chainlink-style oracle without feeds or vaults: <c>price()</c> = SCALE_FACTOR, whatever the market does.</summary>
    Fixed,
}

/// <summary>
/// One feed of a composed oracle: its <c>latestRoundData</c> answer at the snapshot, and the asset it moves with (null:
/// it holds in a shock). It follows an asset when it is that asset's Aave price source or the aggregator behind it, or
/// when the deployments' feed→asset table maps it.
/// </summary>
public sealed record MorphoOracleFeed(Address Feed, BigInteger Answer, Address? Follows);

/// <summary>
/// A composed Morpho oracle's parts at the snapshot. <see cref="Feeds"/>: BASE_FEED_1, BASE_FEED_2, QUOTE_FEED_1,
/// QUOTE_FEED_2 in that order, null where the oracle has address 0 (Morpho counts it as 1). Vault assets:
/// <c>convertToAssets(sample)</c> at the snapshot, 1 without a vault (<c>VaultLib.getAssets</c>); a vault's rate holds in a
/// shock. v1's VAULT is the base vault; it has no quote vault.
/// </summary>
public sealed record MorphoOracleParts(
    MorphoOracleKind Kind,
    BigInteger ScaleFactor,
    Address BaseVault,
    BigInteger BaseVaultSample,
    BigInteger BaseVaultAssets,
    Address QuoteVault,
    BigInteger QuoteVaultSample,
    BigInteger QuoteVaultAssets,
    IReadOnlyList<MorphoOracleFeed?> Feeds)
{
    public const int BaseFeed1 = 0, BaseFeed2 = 1, QuoteFeed1 = 2, QuoteFeed2 = 3;

    /// <summary>
    /// <c>price()</c> = SCALE_FACTOR.mulDiv(baseAssets · B1 · B2, quoteAssets · Q1 · Q2), rounded down, with each feed's
    /// answer from <paramref name="answer"/> (absent feeds are 1). Null where the contract reverts (a zero denominator).
    /// </summary>
    public BigInteger? Price(Func<MorphoOracleFeed, BigInteger> answer)
    {
        BigInteger Of(int slot) => Feeds[slot] is { } f ? answer(f) : BigInteger.One;
        var numerator = BaseVaultAssets * Of(BaseFeed1) * Of(BaseFeed2);
        var denominator = QuoteVaultAssets * Of(QuoteFeed1) * Of(QuoteFeed2);
        return denominator.IsZero ? null : ScaleFactor * numerator / denominator;
    }

    /// <summary>The snapshot's <c>price()</c> from the stored parts.</summary>
    public BigInteger? SnapshotPrice => Price(f => f.Answer);

    /// <summary>Feeds that hold in a shock (no asset follows them): the report lists them among the assumptions.</summary>
    public IEnumerable<MorphoOracleFeed> HeldFeeds => Feeds.OfType<MorphoOracleFeed>().Where(f => f.Follows is null);

    /// <summary>The assets whose moves move the price: +1 for a base feed, −1 for a quote feed (one entry per feed).</summary>
    public IEnumerable<(Address Asset, int Sign)> Moves() =>
        Feeds.Select((f, slot) => (f, slot)).Where(t => t.f?.Follows is not null)
            .Select(t => (t.f!.Follows!.Value, t.slot < QuoteFeed1 ? 1 : -1));
}
