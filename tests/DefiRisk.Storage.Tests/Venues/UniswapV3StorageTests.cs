using System.Numerics;
using Dapper;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Venues.UniswapV3;
using DefiRisk.Storage;
using Microsoft.Data.Sqlite;

namespace DefiRisk.Storage.Tests.Venues;

/// <summary>
/// The Uniswap v3 part: pools with their price state and the bitmap words read, ticks with signed int128 liquidityNet
/// (the extremes included), round-tripped exactly; a version-2 file migrated to version 3 on open, its snapshot intact.
/// </summary>
public sealed class UniswapV3StorageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("defirisk-storage-v3-").FullName;
    private string DbPath => Path.Combine(_dir, "test.db");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Address Addr(int n) => Address.Parse("0x" + n.ToString("x40"));

    private static readonly BigInteger MaxInt128 = (BigInteger.One << 127) - 1;

    /// <summary>Two pools: one read within a window of words whose nets include ±(2^127 − 1) and a net of zero, one read whole.</summary>
    internal static UniswapV3Book Book()
    {
        var window = new UniswapV3PoolState(TickMath.GetSqrtRatioAtTick(-5), -5, FullMath.MaxUInt128 - 7, 500, 10,
            [new(-2560, MaxInt128), new(-10, 0), new(0, -MaxInt128 + 12345), new(2550, -(BigInteger.One << 127) + 1)], new UniswapV3BitmapWords(-1, 0));
        var whole = UniswapV3Positions.PoolState(TickMath.GetSqrtRatioAtTick(200_311), 3000, 60,
            [new(199_680, 200_880, BigInteger.Pow(10, 17)), new(187_080, 187_200, 5), new(TickMath.MinTick / 60 * 60, TickMath.MaxTick / 60 * 60, 1)]);
        return new UniswapV3Book([new(Addr(0x602), Addr(0xA2), Addr(0xA1), whole), new(Addr(0x601), Addr(0xA1), Addr(0xA2), window)]);
    }

    private static Snapshot WithV3(Snapshot s) => new(s.Chain, s.Assets, s.Books, [.. s.Venues, Book()]);

    [Fact]
    public void A_v3_book_round_trips_every_pool_tick_and_signed_liquidity_net_exactly()
    {
        var original = WithV3(SnapshotStoreTests.Synthetic());
        new SnapshotStore(DbPath).Write(original);
        var loaded = new SnapshotStore(DbPath).Load();

        var book = loaded.Venue<UniswapV3Book>();
        Assert.NotNull(book);
        // Stored in address order.
        Assert.Equal(Book().V3Pools.OrderBy(p => p.Address), book.V3Pools);
        Assert.Equal(new UniswapV3BitmapWords(-1, 0), book.V3Pools[0].State.KnownWords);
        Assert.Contains(book.V3Pools[0].State.Ticks, t => t.LiquidityNet == -(BigInteger.One << 127) + 1);
        Assert.Equal(SnapshotText.Canonical(original), SnapshotText.Canonical(loaded));
        Assert.Equal(2, new SnapshotStore(DbPath).List().Single().Count(UniswapV3Book.Name));
    }

    [Fact]
    public void A_failing_v3_write_leaves_no_part_of_the_snapshot()
    {
        var store = new SnapshotStore(DbPath);
        var first = WithV3(SnapshotStoreTests.Synthetic(block: 100));
        store.Write(first);
        // Two pools at one address violate the primary key in the middle of the v3 rows: everything rolls back.
        var pool = Book().V3Pools[0];
        var bad = new Snapshot(first.Chain with { BlockNumber = 101 }, first.Assets, first.Books, [first.Venues[0], new UniswapV3Book([pool, pool])]);
        Assert.ThrowsAny<Exception>(() => store.Write(bad));
        var list = store.List();
        Assert.Equal([100L], list.Select(s => s.BlockNumber));
        using var c = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        c.Open();
        Assert.Equal(0, c.ExecuteScalar<long>("SELECT COUNT(*) FROM uniswap_v3_ticks WHERE snapshot_id NOT IN (SELECT id FROM snapshots)"));
    }

    [Fact]
    public void A_version_2_file_is_migrated_to_the_current_version_with_its_snapshot_intact()
    {
        var original = SnapshotStoreTests.Synthetic();
        new SnapshotStore(DbPath).Write(original);
        // Make it a version-2 file: no v3 tables, stamped 2.
        using (var c = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            c.Open();
            c.Execute("DROP TABLE uniswap_v3_ticks; DROP TABLE uniswap_v3_pools; PRAGMA user_version = 2;");
        }

        var store = new SnapshotStore(DbPath);
        Assert.Equal(SnapshotText.Canonical(original), SnapshotText.Canonical(store.Load()));
        using (var c = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            c.Open();
            Assert.Equal((long)SnapshotStore.SchemaVersion, c.ExecuteScalar<long>("PRAGMA user_version"));
            Assert.Equal(2L, c.ExecuteScalar<long>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'uniswap_v3_%'"));
        }
        // The migrated file takes v3 books.
        var withV3 = WithV3(SnapshotStoreTests.Synthetic(block: 200));
        store.Write(withV3);
        Assert.Equal(SnapshotText.Canonical(withV3), SnapshotText.Canonical(store.Load(block: 200)));
    }
}
