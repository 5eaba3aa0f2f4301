using Dapper;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Storage;
using Microsoft.Data.Sqlite;

namespace DefiRisk.Storage.Tests.Protocols.AaveV3;

/// <summary>
/// Aave's <c>FLASHLOAN_PREMIUM_TOTAL</c> read at the block (schema 5, <c>aave_flash_loans</c>): round-tripped per pool, in
/// the canonical text; a version-4 file (no such table) is migrated on open, its markets loading with no premium (not read).
/// </summary>
public sealed class AaveV3FlashLoanStorageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("defirisk-storage-flash-").FullName;
    private string DbPath => Path.Combine(_dir, "test.db");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Snapshot WithPremium(int? bps, long block = 100)
    {
        var s = SnapshotStoreTests.Synthetic(block);
        var state = s.AaveV3Markets()[0];
        return s.WithAaveV3Markets([state with { Market = state.Market with { FlashLoanPremiumTotal = bps } }]);
    }

    [Fact]
    public void The_flash_loan_premium_read_at_the_block_round_trips_per_pool_and_shows_in_the_canonical_text()
    {
        var original = WithPremium(9);
        new SnapshotStore(DbPath).Write(original);
        var loaded = new SnapshotStore(DbPath).Load();
        Assert.Equal(9, loaded.AaveV3Markets()[0].Market.FlashLoanPremiumTotal);
        Assert.Contains(" flash-premium 9", SnapshotText.Canonical(loaded));
        Assert.Equal(SnapshotText.Canonical(original), SnapshotText.Canonical(loaded));
        // Not read: no row, no field (and the text of such a snapshot is what it was before the premium was read).
        var unread = WithPremium(null, block: 101);
        new SnapshotStore(DbPath).Write(unread);
        Assert.Null(new SnapshotStore(DbPath).Load(block: 101).AaveV3Markets()[0].Market.FlashLoanPremiumTotal);
        Assert.DoesNotContain("flash-premium", SnapshotText.Canonical(unread));
    }

    [Fact]
    public void A_version_4_file_is_migrated_to_the_current_version_and_its_markets_load_without_a_premium()
    {
        var original = WithPremium(null);
        new SnapshotStore(DbPath).Write(original);
        using (var c = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            c.Open();
            c.Execute("DROP TABLE aave_flash_loans; PRAGMA user_version = 4;");
        }

        var store = new SnapshotStore(DbPath);
        Assert.Equal(SnapshotText.Canonical(original), SnapshotText.Canonical(store.Load()));
        using (var c = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            c.Open();
            Assert.Equal((long)SnapshotStore.SchemaVersion, c.ExecuteScalar<long>("PRAGMA user_version"));
            Assert.Equal(1L, c.ExecuteScalar<long>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'aave_flash_loans'"));
        }
        // The migrated file takes a premium; the loaded book's flash-loan terms say which was read and which assumed.
        store.Write(WithPremium(7, block: 200));
        var book = store.Load(block: 200).Book<AaveV3Book>()!;
        Assert.Equal(7, book.Markets[0].Market.FlashLoanPremiumTotal);
        Assert.Contains("7 bps read at the snapshot block", book.FlashLoanTerms);
        Assert.Contains($"not read (older snapshot): {AaveV3Book.DefaultPremiumTotalBps} bps assumed", store.Load(block: 100).Book<AaveV3Book>()!.FlashLoanTerms);
    }

    private static Snapshot WithFlashLiquidity(long block = 100)
    {
        var s = SnapshotStoreTests.Synthetic(block);
        var state = s.AaveV3Markets()[0];
        var reserves = state.Market.Reserves.Select((r, i) => r with { FlashLoanEnabled = i != 0, UnderlyingBalance = i == 1 ? 123_456_789 : null }).ToList();
        return s.WithAaveV3Markets([state with { Market = state.Market with { Reserves = reserves } }]);
    }

    [Fact]
    public void Each_reserves_flash_loan_bit_and_pre_3_1_underlying_balance_round_trip_and_a_version_5_file_loads_them_as_not_read()
    {
        var original = WithFlashLiquidity();
        new SnapshotStore(DbPath).Write(original);
        var loaded = new SnapshotStore(DbPath).Load().AaveV3Markets()[0].Market.Reserves;
        Assert.Equal(original.AaveV3Markets()[0].Market.Reserves.Select(r => (r.FlashLoanEnabled, r.UnderlyingBalance)), loaded.Select(r => (r.FlashLoanEnabled, r.UnderlyingBalance)));
        Assert.False(loaded[0].FlashLoanEnabled);
        Assert.Equal(123_456_789, loaded[1].UnderlyingBalance);

        using (var c = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            c.Open();
            c.Execute("DROP TABLE aave_reserve_flash_loans; PRAGMA user_version = 5;");
        }
        var book = new SnapshotStore(DbPath).Load().Book<AaveV3Book>()!;
        Assert.All(book.Markets[0].Market.Reserves, r => Assert.Null(r.FlashLoanEnabled));
        Assert.Contains("flash-loan-enabled bit not read (older snapshot), assumed on", book.FlashLoanTerms);
        Assert.All(book.Markets[0].Market.Reserves.Where(r => r.Active && !r.Paused), r => Assert.NotNull(Assert.Single(book.FlashLoans(r.Asset))));
    }
}
