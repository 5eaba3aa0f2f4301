using System.Numerics;
using DefiRisk.Core.Domain;

namespace DefiRisk.Core.Venues.External;

/// <summary>
/// The external market's part of a snapshot: depth that is not on the chain (CEX order books, aggregators), one
/// <see cref="ExternalMarketPool"/> per asset against one quote asset. It is configuration, not chain state: the curves come
/// from the deployments' <c>external-market</c> section (appsettings.json) or an <c>--external-depth</c> file, bound to the
/// snapshot's prices and decimals when indexed (or when the run replaces them). <see cref="Origin"/> records where they
/// came from, so a stored snapshot and a run say which curves they used.
/// </summary>
public sealed record ExternalMarketBook(IReadOnlyList<ExternalMarketPool> Markets, string Origin) : IVenueBook
{
    public const string Name = "external-market";

    public string Venue => Name;

    public IReadOnlyList<IPool> Pools => Markets;

    /// <summary>Off the chain: a DEX-only run leaves it out, and a replay on anvil cannot settle its fills.</summary>
    public bool OnChain => false;

    /// <summary>The curves as the run used them: base units at the snapshot, with provenance and origin; null without curves.</summary>
    public object? Configuration => Markets.Count == 0 ? null : new ExternalDepthUsed(Venue, Origin, Markets.Select(m => new ExternalCurveUsed(m.Asset, m.Quote,
        m.PriceNumerator, m.PriceDenominator, m.Curve.Points.Select(p => new ExternalPointUsed(p.Size, p.ImpactPpm)).ToList(), m.Provenance)).ToList());

    /// <summary>Every curve's sizes × the factor (floor), impacts and prices unchanged.</summary>
    public IVenueBook WithDepth(decimal factor)
    {
        var num = new BigInteger(decimal.Truncate(factor * 1_000_000m));
        return this with { Markets = Markets.Select(m => m with { Curve = m.Curve.Scaled(num, 1_000_000) }).ToList() };
    }
}

/// <summary>Where a snapshot's external market is read.</summary>
public static class ExternalMarketSnapshotExtensions
{
    public static ExternalMarketBook? ExternalMarket(this Snapshot snapshot) => snapshot.Venue<ExternalMarketBook>();
}

/// <summary>
/// One asset's external market: sells <see cref="Asset"/> for <see cref="Quote"/> (and buys it back) along
/// <see cref="Curve"/>, around a reference price of <see cref="PriceNumerator"/>/<see cref="PriceDenominator"/> quote base
/// units per asset base unit (the snapshot's oracle prices when bound). It has no contract: its <see cref="Id"/> is the
/// asset's address. <see cref="Provenance"/> says where the curve's numbers come from (a source, or "estimate").
/// </summary>
public sealed record ExternalMarketPool(Address Asset, Address Quote, BigInteger PriceNumerator, BigInteger PriceDenominator,
    ExternalDepthCurve Curve, string Provenance) : ITradablePool
{
    public Address Id => Asset;

    /// <summary>token0 is the lower address, as for the DEX pools.</summary>
    public Address Token0 => Asset.CompareTo(Quote) < 0 ? Asset : Quote;

    public Address Token1 => Asset.CompareTo(Quote) < 0 ? Quote : Asset;

    public bool HasLiquidity => Curve.MaxSize.Sign > 0 && PriceNumerator.Sign > 0 && PriceDenominator.Sign > 0;

    public ExactPoolState StartExact() => new ExternalMarketExactState(this);

    public FastPoolState StartFast() => new ExternalMarketFastState(this);

    /// <summary>The reference price from oracle prices (USD, 8 decimals) and decimals: pA·10^decQ / (pQ·10^decA), reduced.</summary>
    public static (BigInteger Numerator, BigInteger Denominator) ReferencePrice(Asset asset, Asset quote)
    {
        var num = asset.PriceUsd * Numerics.FixedPoint.Pow10(quote.Decimals);
        var den = quote.PriceUsd * Numerics.FixedPoint.Pow10(asset.Decimals);
        var g = BigInteger.GreatestCommonDivisor(num, den);
        return g.IsZero || g.IsOne ? (num, den) : (num / g, den / g);
    }
}

/// <summary>
/// An external market's state after a cascade or at a round's start: the net amount of the asset sold into it (base
/// units; negative when more was bought back) and its reference price (quote base units per asset base unit).
/// </summary>
public sealed record ExternalMarketFill(Address Asset, Address Quote, BigInteger NetSold, BigInteger PriceNumerator, BigInteger PriceDenominator);

/// <summary>An external market as a result records it: which curves (base units, ppm of marginal impact), from where.</summary>
public sealed record ExternalDepthUsed(string Venue, string Origin, IReadOnlyList<ExternalCurveUsed> Curves);

/// <summary>One asset's curve as used: reference price in quote base units per asset base unit (a fraction).</summary>
public sealed record ExternalCurveUsed(Address Asset, Address Quote, BigInteger PriceNumerator, BigInteger PriceDenominator,
    IReadOnlyList<ExternalPointUsed> Points, string Provenance);

/// <summary>After <see cref="Size"/> base units sold, the marginal price is <see cref="ImpactPpm"/> ppm below the reference.</summary>
public sealed record ExternalPointUsed(BigInteger Size, int ImpactPpm);
