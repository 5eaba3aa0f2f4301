using System.Numerics;
using Dapper;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Venues.External;
using DefiRisk.Storage;
using Microsoft.Data.Sqlite;

namespace DefiRisk.Storage.Tests.Venues;

/// <summary>
/// The external market's part: each curve in base units with its reference price, provenance and origin round-trips
/// exactly, so a stored snapshot says which depth it was indexed with; a version-3 file is migrated on open.
/// </summary>
public sealed class ExternalMarketStorageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("defirisk-storage-ext-").FullName;
    private string DbPath => Path.Combine(_dir, "test.db");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Address Addr(int n) => Address.Parse("0x" + n.ToString("x40"));

    internal static ExternalMarketBook Book() => new(
    [
        new(Addr(0xA2), Addr(0xA1), 2000 * BigInteger.Pow(10, 6), BigInteger.Pow(10, 18),
            new ExternalDepthCurve([new(0, 1_000), new(BigInteger.Pow(10, 20), 11_000), new(3 * BigInteger.Pow(10, 20), 51_000)]), "estimate: test"),
        new(Addr(0xA0), Addr(0xA1), 7, 3, new ExternalDepthCurve([new(0, 0), new(BigInteger.One << 200, 999_999)]), "another"),
    ], "appsettings.json Deployments.1 external-market");

    private static Snapshot WithExternal(Snapshot s) => s.WithVenueBook(Book());

    [Fact]
    public void An_external_book_round_trips_every_curve_point_price_provenance_and_origin_exactly()
    {
        var original = WithExternal(SnapshotStoreTests.Synthetic());
        new SnapshotStore(DbPath).Write(original);
        var loaded = new SnapshotStore(DbPath).Load();

        var book = loaded.ExternalMarket();
        Assert.NotNull(book);
        Assert.Equal("appsettings.json Deployments.1 external-market", book.Origin);
        var expected = Book().Markets.OrderBy(m => m.Asset).ToList();
        Assert.Equal(expected.Select(m => (m.Asset, m.Quote, m.PriceNumerator, m.PriceDenominator, m.Provenance)),
            book.Markets.Select(m => (m.Asset, m.Quote, m.PriceNumerator, m.PriceDenominator, m.Provenance)));
        Assert.Equal(expected.Select(m => m.Curve.Points.ToList()), book.Markets.Select(m => m.Curve.Points.ToList()));
        Assert.Equal(SnapshotText.Canonical(original), SnapshotText.Canonical(loaded));
        Assert.Equal(2, new SnapshotStore(DbPath).List().Single().Count(ExternalMarketBook.Name));
    }

    [Fact]
    public void A_version_3_file_is_migrated_and_then_takes_external_books()
    {
        var original = SnapshotStoreTests.Synthetic();
        new SnapshotStore(DbPath).Write(original);
        using (var c = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            c.Open();
            c.Execute("DROP TABLE external_market_points; DROP TABLE external_market_curves; PRAGMA user_version = 3;");
        }

        var store = new SnapshotStore(DbPath);
        Assert.Equal(SnapshotText.Canonical(original), SnapshotText.Canonical(store.Load()));
        Assert.Null(store.Load().ExternalMarket());
        using (var c = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            c.Open();
            Assert.Equal((long)SnapshotStore.SchemaVersion, c.ExecuteScalar<long>("PRAGMA user_version"));
        }
        var withExternal = WithExternal(SnapshotStoreTests.Synthetic(block: 200));
        store.Write(withExternal);
        Assert.Equal(SnapshotText.Canonical(withExternal), SnapshotText.Canonical(store.Load(block: 200)));
    }
}
