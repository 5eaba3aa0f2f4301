using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;

namespace DefiRisk.Core.Venues.External;

/// <summary>
/// External depth as it is configured: the deployments' <c>external-market</c> section or an <c>--external-depth</c> file.
/// Sizes are stated in USD at the snapshot's prices (what depth reports quote), impacts in basis points of marginal price;
/// <see cref="Bind"/> turns them into base units at the snapshot. JSON:
/// <code>{ "quote": "0x…USDC", "provenance": "…", "curves": [ { "asset": "0x…", "symbol": "WETH", "provenance": "…",
///   "points": [ { "usd": 0, "impactBps": 5 }, { "usd": 25000000, "impactBps": 100 } ] } ] }</code>
/// </summary>
public sealed record ExternalDepthConfig
{
    [JsonPropertyName("quote")] public string Quote { get; init; } = "";
    /// <summary>Where the curves' numbers come from, for all of them (a curve's own provenance is added to it).</summary>
    [JsonPropertyName("provenance")] public string Provenance { get; init; } = "";
    [JsonPropertyName("curves")] public IReadOnlyList<ExternalDepthCurveConfig> Curves { get; init; } = [];

    /// <summary>
    /// Optional stated depth for assets with no venue: the curve every asset of the snapshot gets when neither the on-chain
    /// pools nor a curve of its own connect it to the quote. Without it such an asset keeps no venue (one market price then
    /// refuses to sell it, by name). JSON: <c>"noVenue": { "provenance": "…", "points": [ … ] }</c>.
    /// </summary>
    [JsonPropertyName("noVenue")] public ExternalNoVenueDepthConfig? NoVenue { get; init; }

    /// <summary>How a curve bound from <see cref="NoVenue"/> begins its provenance (the report lists those assets by it).</summary>
    public const string NoVenueProvenancePrefix = "stated depth for an asset with no venue: ";

    private static readonly JsonSerializerOptions Json = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    /// <summary>Parses and validates; any problem is one line naming <paramref name="source"/> and the key.</summary>
    public static ExternalDepthConfig Parse(string json, string source)
    {
        ExternalDepthConfig config;
        try
        {
            config = JsonSerializer.Deserialize<ExternalDepthConfig>(json, Json) ?? throw Bad(source, "empty");
        }
        catch (JsonException ex)
        {
            var message = ex.Message.Split('\n')[0].Trim();
            var at = message.IndexOf(" | LineNumber:", StringComparison.Ordinal);
            throw Bad(source, at >= 0 ? message[..at] : message);
        }
        config.Validate(source);
        return config;
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    private void Validate(string source)
    {
        if (!Address.TryParse(Quote, out _)) throw Bad(source, $"quote '{Quote}' is not an address");
        if (string.IsNullOrWhiteSpace(Provenance)) throw Bad(source, "provenance is missing: say where the curves come from (a source, or that they are estimates)");
        var seen = new HashSet<Address>();
        for (var i = 0; i < Curves.Count; i++)
        {
            var c = Curves[i];
            var key = $"curves[{i}]";
            if (!Address.TryParse(c.Asset, out var asset)) throw Bad(source, $"{key}.asset '{c.Asset}' is not an address");
            if (!seen.Add(asset)) throw Bad(source, $"{key}.asset {asset} has a curve already");
            if (asset == Address.Parse(Quote)) throw Bad(source, $"{key}.asset is the quote asset");
            try { _ = new ExternalDepthCurve(c.Points.Select(p => new ExternalDepthPoint(UsdUnits(p.Usd), ImpactPpm(p.ImpactBps, key))).ToList()); }
            catch (DefiRiskException ex) { throw Bad(source, $"{key} ({c.Symbol ?? c.Asset}): {ex.Message}"); }
        }
        if (NoVenue is { } d)
        {
            try { _ = new ExternalDepthCurve(d.Points.Select(p => new ExternalDepthPoint(UsdUnits(p.Usd), ImpactPpm(p.ImpactBps, "noVenue"))).ToList()); }
            catch (DefiRiskException ex) { throw Bad(source, $"noVenue: {ex.Message}"); }
        }
    }

    /// <summary>
    /// The curves in base units at the snapshot: a USD size s becomes ⌊s·10^8·10^dec / price⌋ (the asset's oracle price,
    /// USD 8 decimals), the reference price is the asset's oracle price over the quote's. Curves of assets the snapshot does
    /// not hold are left out (a mainnet list serves every book); a quote the snapshot does not hold is refused when any
    /// curve would need it.
    /// </summary>
    /// <param name="venues">the snapshot's other venue books (on the chain), for <see cref="NoVenue"/>: an asset they and the
    /// curves leave with no route to the quote gets that curve. Null: no asset gets it (the caller cannot tell).</param>
    public ExternalMarketBook Bind(IReadOnlyList<Asset> assets, string origin, IReadOnlyList<IVenueBook>? venues = null)
    {
        var byAddress = assets.ToDictionary(a => a.Address);
        var quoteAddress = Address.Parse(Quote);
        var markets = new List<ExternalMarketPool>();
        Asset QuoteAsset() => byAddress.GetValueOrDefault(quoteAddress)
            ?? throw new DefiRiskException($"external-market quote {quoteAddress} ({origin}) is not an asset of the snapshot");
        foreach (var c in Curves)
        {
            if (!byAddress.TryGetValue(Address.Parse(c.Asset), out var asset)) continue;
            var provenance = string.IsNullOrWhiteSpace(c.Provenance) ? Provenance : $"{c.Provenance} ({Provenance})";
            if (Market(asset, QuoteAsset(), c.Points, c.Asset, provenance) is { } m) markets.Add(m);
        }
        if (NoVenue is { } d && venues is not null)
        {
            var quote = QuoteAsset();
            var provenance = NoVenueProvenancePrefix + (string.IsNullOrWhiteSpace(d.Provenance) ? Provenance : $"{d.Provenance} ({Provenance})");
            var reached = ExternalNoVenue.Reaching(quote.Address, venues, markets);
            foreach (var asset in assets)
                if (!reached.Contains(asset.Address) && Market(asset, quote, d.Points, "noVenue", provenance) is { } m) markets.Add(m);
        }
        return new ExternalMarketBook(markets.OrderBy(m => m.Asset).ToList(), origin);
    }

    /// <summary>One asset's curve in base units at the snapshot price; null when a price is not positive.</summary>
    private static ExternalMarketPool? Market(Asset asset, Asset quote, IReadOnlyList<ExternalDepthPointConfig> configured, string key, string provenance)
    {
        if (asset.PriceUsd.Sign <= 0 || quote.PriceUsd.Sign <= 0) return null;
        var points = new List<ExternalDepthPoint>();
        foreach (var p in configured)
        {
            var size = UsdUnits(p.Usd) * FixedPoint.Pow10(asset.Decimals) / asset.PriceUsd;
            // Sizes too small to differ in base units would not rise strictly: keep them one unit apart.
            if (points.Count > 0 && size <= points[^1].Size) size = points[^1].Size + 1;
            points.Add(new ExternalDepthPoint(size, ImpactPpm(p.ImpactBps, key)));
        }
        var (pn, pd) = ExternalMarketPool.ReferencePrice(asset, quote);
        return new ExternalMarketPool(asset.Address, quote.Address, pn, pd, new ExternalDepthCurve(points), provenance);
    }

    /// <summary>USD (a decimal number) in 8-decimal units, truncated.</summary>
    private static BigInteger UsdUnits(decimal usd) =>
        usd < 0 ? throw new DefiRiskException($"size ${usd.ToString(CultureInfo.InvariantCulture)} is negative") : new BigInteger(decimal.Truncate(usd * 100_000_000m));

    /// <summary>Basis points (at most 2 decimals) to ppm.</summary>
    private static int ImpactPpm(decimal bps, string key)
    {
        var ppm = bps * 100m;
        if (ppm != decimal.Truncate(ppm) || ppm < 0 || ppm >= ExternalDepthCurve.PpmScale)
            throw new DefiRiskException($"{key}: impact {bps.ToString(CultureInfo.InvariantCulture)} bps must be in [0, 10000) with at most 2 decimals");
        return (int)ppm;
    }

    private static DefiRiskException Bad(string source, string message) => new($"malformed external depth {source}: {message}");
}

/// <summary>One asset's configured curve: <see cref="Points"/> of (USD sold, marginal impact in bps), from size 0.</summary>
public sealed record ExternalDepthCurveConfig
{
    [JsonPropertyName("asset")] public string Asset { get; init; } = "";
    /// <summary>For people reading the file; the asset is matched by address.</summary>
    [JsonPropertyName("symbol")] public string? Symbol { get; init; }
    [JsonPropertyName("provenance")] public string? Provenance { get; init; }
    [JsonPropertyName("points")] public IReadOnlyList<ExternalDepthPointConfig> Points { get; init; } = [];
}

/// <summary>The stated depth for assets with no venue (<see cref="ExternalDepthConfig.NoVenue"/>): one curve, in USD, for each of them.</summary>
public sealed record ExternalNoVenueDepthConfig
{
    [JsonPropertyName("provenance")] public string? Provenance { get; init; }
    [JsonPropertyName("points")] public IReadOnlyList<ExternalDepthPointConfig> Points { get; init; } = [];
}

/// <summary>After <see cref="Usd"/> (USD at the snapshot price) sold, the marginal price is <see cref="ImpactBps"/> below the reference.</summary>
public sealed record ExternalDepthPointConfig
{
    [JsonPropertyName("usd")] public decimal Usd { get; init; }
    [JsonPropertyName("impactBps")] public decimal ImpactBps { get; init; }
}
