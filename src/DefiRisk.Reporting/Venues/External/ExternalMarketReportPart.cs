using System.Globalization;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Venues.External;

namespace DefiRisk.Reporting.Venues.External;

/// <summary>
/// The external market in the report: each asset's depth curve (sizes in tokens and USD at the snapshot price, marginal
/// impact in bps), its provenance and where it was read, and the assumptions the venue adds (stated only when the
/// snapshot has curves: a DEX-only snapshot or run has none).
/// </summary>
public sealed class ExternalMarketReportPart : IVenueReportPart
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public string Venue => ExternalMarketBook.Name;
    public string PoolsName => "external-market depth curves";

    public int PoolCount(Snapshot snapshot) => snapshot.ExternalMarket()?.Markets.Count ?? 0;

    public Table? LiquidityTable(Snapshot s)
    {
        var book = s.ExternalMarket();
        if (book is null || book.Markets.Count == 0) return null;
        return new Table("External market depth (configured, not on the chain): marginal impact after the size sold",
            ["Asset", "Against", "Curve (size sold → marginal impact)", "End of curve", "Provenance"],
            [false, false, false, true, false],
            book.Markets.Select(m =>
            {
                Asset? asset = s.FindAsset(m.Asset), quote = s.FindAsset(m.Quote);
                return (IReadOnlyList<Text>)[Text.Chain(asset?.Symbol ?? m.Asset.ToString()), Text.Chain(quote?.Symbol ?? m.Quote.ToString()),
                    string.Join(", ", m.Curve.Points.Select(p => $"{Size(p.Size, asset)} → {Bps(p.ImpactPpm)}")), Size(m.Curve.MaxSize, asset), m.Provenance];
            }).ToList());
    }

    public IReadOnlyList<(string Label, string Value)> Assumptions(Snapshot s)
    {
        var book = s.ExternalMarket();
        if (book is null || book.Markets.Count == 0) return [];
        var curves = string.Join("; ", book.Markets.Select(m =>
        {
            var asset = s.FindAsset(m.Asset);
            return $"{(asset is null ? m.Asset.ToString() : Plain(asset.Symbol))}: " + string.Join(", ", m.Curve.Points.Select(p => $"{Size(p.Size, asset, plain: true)} → {Bps(p.ImpactPpm)}")) +
                $" (provenance: {m.Provenance})";
        }));
        var noVenue = book.Markets.Where(m => m.Provenance.StartsWith(ExternalDepthConfig.NoVenueProvenancePrefix, StringComparison.Ordinal))
            .Select(m => s.FindAsset(m.Asset) is { } a ? Plain(a.Symbol) : m.Asset.ToString()).ToList();
        List<(string, string)> stated = noVenue.Count == 0 ? [] :
        [
            ("External market for assets with no venue", $"{string.Join(", ", noVenue)}: no on-chain pool (nor a curve of their own) connects them to the quote, so each " +
                "gets the configured noVenue curve listed above, with its provenance; on a mainnet fork such an asset has whatever depth it really has and the " +
                "curve stands in for it; without a noVenue curve the mainnet market model refuses to sell such an asset, by name"),
        ];
        return
        [
            .. stated,
            ("External market depth", $"{book.Markets.Count} per-asset curves read from {book.Origin}: {curves}"),
            ("External market slippage", "the curves give the MARGINAL price impact after a cumulative size sold (the price of the last unit, as a CEX's " +
                "±2 % depth does), linear between points; a sale pays the integral of the marginal price (its average slippage is about half the " +
                "marginal impact at its end), rounded down to the quote's base unit; buys walk the same curve on the ask side; the first point is the half-spread"),
            ("External market in the cascade", "a static book for the whole cascade: it does not refill or recover; sales beyond the end of a curve are not " +
                "filled and earn nothing; an exogenous shock moves its reference price with the asset; routing treats each curve as one pool against the quote " +
                "(fewest hops, DEX pools first on a tie)"),
            ("External market on a mainnet fork", "the curves are configuration, not chain state: on a fork nothing settles these fills (the on-chain replay " +
                "runs with the external market off), and their size stands for CEX and aggregator depth a liquidator reaches within one round — " +
                "where the provenance says estimate, the result is only as good as that estimate; rerun with --dex-only for the on-chain lower bound"),
        ];
    }

    private static string Bps(int ppm) => (ppm / 100m).ToString("0.##", Inv) + " bps";

    /// <summary>Tokens and USD at the snapshot price; the symbol is left out of table cells (the row names the asset) and
    /// reduced to letters and digits in the assumptions, which are our own text (an on-chain symbol is untrusted).</summary>
    private static string Size(System.Numerics.BigInteger size, Asset? asset, bool plain = false)
    {
        if (asset is null) return size.ToString(Inv) + " units";
        var tokens = Format.Tokens(size, asset.Decimals);
        return tokens.ToString("#,0.##", Inv) + (plain ? " " + Plain(asset.Symbol) : "") + " (" + Format.UsdShort(tokens * Format.Usd8ToDouble(asset.PriceUsd)) + ")";
    }

    private static string Plain(string symbol) => new(symbol.Where(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_').ToArray());
}
