using System.Data;
using System.Globalization;
using System.Numerics;
using System.Text;
using Dapper;
using DefiRisk.Core.Venues.External;

namespace DefiRisk.Storage.Venues.External;

/// <summary>
/// The external market's book in the snapshot database (tables: <c>external-market.sql</c>): each asset's curve in base
/// units with its reference price, provenance and origin — which curves the snapshot was indexed with.
/// </summary>
public sealed class ExternalMarketStorage()
    : BookStorage<ExternalMarketBook, Core.Domain.IVenueBook>(ExternalMarketBook.Name, "external-market.sql", "external_market_points", "external_market_curves")
{
    protected override void Write(IDbConnection c, IDbTransaction tx, long id, ExternalMarketBook book)
    {
        c.Execute(
            """
            INSERT INTO external_market_curves (snapshot_id, asset, quote, price_numerator, price_denominator, provenance, origin)
            VALUES (@Id, @Asset, @Quote, @PriceNumerator, @PriceDenominator, @Provenance, @Origin)
            """,
            book.Markets.Select(m => new { Id = id, Asset = m.Asset.Value, Quote = m.Quote.Value, m.PriceNumerator, m.PriceDenominator, m.Provenance, book.Origin }), tx);
        c.Execute(
            "INSERT INTO external_market_points (snapshot_id, asset, ordinal, size, impact_ppm) VALUES (@Id, @Asset, @Ordinal, @Size, @ImpactPpm)",
            book.Markets.SelectMany(m => m.Curve.Points.Select((p, i) => new { Id = id, Asset = m.Asset.Value, Ordinal = i, p.Size, p.ImpactPpm })), tx);
    }

    /// <summary>Curves by asset address, points in order; the origin of the first curve (all share it), "none" without curves.</summary>
    protected override ExternalMarketBook Load(IDbConnection c, long snapshotId)
    {
        var points = c.Query<PointRow>("SELECT asset, size, impact_ppm FROM external_market_points WHERE snapshot_id = @snapshotId ORDER BY asset, ordinal", new { snapshotId })
            .GroupBy(p => p.Asset)
            .ToDictionary(g => g.Key, g => g.Select(p => new ExternalDepthPoint(p.Size, (int)p.ImpactPpm)).ToList());
        var rows = c.Query<CurveRow>("SELECT * FROM external_market_curves WHERE snapshot_id = @snapshotId ORDER BY asset", new { snapshotId }).ToList();
        return new ExternalMarketBook(
            rows.Select(r => new ExternalMarketPool(A(r.Asset), A(r.Quote), r.PriceNumerator, r.PriceDenominator,
                new ExternalDepthCurve(points.GetValueOrDefault(r.Asset) ?? []), r.Provenance)).ToList(),
            rows.FirstOrDefault()?.Origin ?? "none");
    }

    /// <summary>Curves.</summary>
    public override long Count(IDbConnection c, long snapshotId) =>
        c.ExecuteScalar<long>("SELECT COUNT(*) FROM external_market_curves WHERE snapshot_id = @snapshotId", new { snapshotId });

    protected override void AppendCanonical(StringBuilder b, ExternalMarketBook book)
    {
        foreach (var m in book.Markets.OrderBy(m => m.Asset))
        {
            b.AppendLine(CultureInfo.InvariantCulture, $"external {m.Asset} {m.Quote} {m.PriceNumerator}/{m.PriceDenominator} {m.Provenance} | {book.Origin}");
            foreach (var p in m.Curve.Points) b.AppendLine(CultureInfo.InvariantCulture, $"external-point {m.Asset} {p.Size} {p.ImpactPpm}");
        }
    }

#pragma warning disable CA1812
    private sealed class CurveRow
    {
        public string Asset { get; set; } = ""; public string Quote { get; set; } = "";
        public BigInteger PriceNumerator { get; set; } public BigInteger PriceDenominator { get; set; }
        public string Provenance { get; set; } = ""; public string Origin { get; set; } = "";
    }

    private sealed class PointRow
    {
        public string Asset { get; set; } = ""; public BigInteger Size { get; set; } public long ImpactPpm { get; set; }
    }
#pragma warning restore CA1812
}
