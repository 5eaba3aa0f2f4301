using System.Numerics;
using DefiRisk.Core.Domain;
using Microsoft.Data.Sqlite;

namespace DefiRisk.Storage.Tests;

/// <summary>The oracle history stored with a snapshot (schema version 3) and the migration of version-2 files.</summary>
public sealed class OracleHistoryStorageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("defirisk-history-").FullName;
    private string DbPath => Path.Combine(_dir, "test.db");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Address Addr(int n) => Address.Parse("0x" + n.ToString("x40"));

    /// <summary>Two feeds across two proxy phases (ids up to uint80), a negative answer, and a source without rounds.</summary>
    private static Snapshot WithHistory(Snapshot s)
    {
        var phase2 = new BigInteger(2) << 64;
        var maxId = (BigInteger.One << 80) - 1;
        return s with
        {
            PriceHistory =
            [
                new OracleHistory(s.Assets[0].Address, Addr(0xF1), 8,
                    [new((BigInteger.One << 64) | 7, 250_000_000_000, 1_699_990_000), new(phase2 | 1, 251_000_000_000, 1_699_993_600), new(maxId, -5, 1_699_997_200)]),
                new OracleHistory(s.Assets[1].Address, Addr(0xF2), 18, [], "its source answers no latestRoundData (it keeps no rounds)"),
            ],
        };
    }

    [Fact]
    public void A_snapshots_oracle_rounds_round_trip_exactly_in_order_with_the_reason_a_feed_has_none()
    {
        var written = WithHistory(SnapshotStoreTests.Synthetic());
        new SnapshotStore(DbPath).Write(written);
        var loaded = new SnapshotStore(DbPath).Load();
        Assert.NotNull(loaded.PriceHistory);
        var expected = written.PriceHistory!.OrderBy(h => h.Asset).ToList();
        Assert.Equal(expected.Count, loaded.PriceHistory!.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal((expected[i].Asset, expected[i].Feed, expected[i].Decimals, expected[i].Missing),
                (loaded.PriceHistory[i].Asset, loaded.PriceHistory[i].Feed, loaded.PriceHistory[i].Decimals, loaded.PriceHistory[i].Missing));
            Assert.Equal(expected[i].Rounds, loaded.PriceHistory[i].Rounds);
        }
    }

    [Fact]
    public void A_snapshot_indexed_without_history_loads_with_none_and_rewriting_a_block_replaces_its_history()
    {
        var store = new SnapshotStore(DbPath);
        store.Write(WithHistory(SnapshotStoreTests.Synthetic()));
        store.Write(SnapshotStoreTests.Synthetic());
        Assert.Null(store.Load().PriceHistory);
        using var c = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT (SELECT COUNT(*) FROM oracle_rounds) + (SELECT COUNT(*) FROM oracle_feeds)";
        Assert.Equal(0L, (long)cmd.ExecuteScalar()!);
    }

    [Fact]
    public void A_version_2_file_is_migrated_on_open_keeping_its_snapshots_and_then_stores_history()
    {
        new SnapshotStore(DbPath).Write(SnapshotStoreTests.Synthetic(block: 100));
        // Make it the version-2 file an earlier build wrote: no history tables, stamped 2.
        using (var c = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "DROP TABLE oracle_rounds; DROP TABLE oracle_feeds; PRAGMA user_version = 2;";
            cmd.ExecuteNonQuery();
        }
        var store = new SnapshotStore(DbPath);
        Assert.Null(store.Load().PriceHistory);
        Assert.Equal(100, store.Load().Chain.BlockNumber);
        using (var c = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA user_version";
            Assert.Equal((long)SnapshotStore.SchemaVersion, (long)cmd.ExecuteScalar()!);
        }
        store.Write(WithHistory(SnapshotStoreTests.Synthetic(block: 101)));
        Assert.Equal(3, store.Load(block: 101).PriceHistory!.Sum(h => h.Rounds.Count));
    }

    [Fact]
    public void A_file_of_a_newer_version_is_refused()
    {
        using (var c = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"CREATE TABLE snapshots (id INTEGER PRIMARY KEY); PRAGMA user_version = {SnapshotStore.SchemaVersion + 1};";
            cmd.ExecuteNonQuery();
        }
        var ex = Assert.Throws<Core.DefiRiskException>(() => new SnapshotStore(DbPath));
        Assert.Contains($"schema version {SnapshotStore.SchemaVersion + 1}", ex.Message);
    }
}
