using System.Numerics;
using DefiRisk.Core;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Indexing;
using DefiRisk.Core.Numerics;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Core.Protocols.MorphoBlue;
using DefiRisk.Core.Venues.UniswapV2;
using DefiRisk.Storage;
using DefiRisk.Storage.Protocols.AaveV3;
using DefiRisk.Storage.Venues.UniswapV2;
using Microsoft.Data.Sqlite;

namespace DefiRisk.Storage.Tests;

public sealed class SnapshotStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("defirisk-storage-").FullName;
    private string DbPath => Path.Combine(_dir, "test.db");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Address Addr(int n) => Address.Parse("0x" + n.ToString("x40"));

    /// <summary>A synthetic snapshot touching every table and column, with uint256-max where a column allows it.</summary>
    internal static Snapshot Synthetic(long block = 100, BigInteger? wethPrice = null)
    {
        var max = FixedPoint.UInt256Max;
        Address weth = Addr(0xA1), usdc = Addr(0xA2), wsteth = Addr(0xA3), pool = Addr(0x100), morpho = Addr(0x200);
        var assets = new List<Asset>
        {
            new(weth, "WETH", 18, wethPrice ?? 2000_00000000, AssetOracle.MarketFeed(Addr(0xF1))),
            new(usdc, "USDC", 6, 1_00000000, AssetOracle.MarketFeed(Addr(0xF2))),
            new(wsteth, "wstETH 'quoted'", 18, max, new AssetOracle(OracleKind.ExchangeRate, Addr(0xF3), weth, max - 1, 18)),
        };
        var reserves = new List<AaveV3Reserve>
        {
            new(weth, 0, 18, 8000, 8250, 10500, 1000, 1500, true, false, false, true, 0, 0, 0, FixedPoint.Ray, FixedPoint.Ray + 1, wethPrice ?? 2000_00000000, Addr(0x301), Addr(0x302), Addr(0x303)),
            new(usdc, 1, 6, 7700, 8000, 10450, 1000, 1000, true, true, true, false, 1, (BigInteger.One << 36) - 1, (BigInteger.One << 36) - 1, max, max, 1_00000000, Addr(0x311), Addr(0x312), Address.Zero),
            new(wsteth, 2, 18, 0, 0, 0, 0, 0, false, false, false, false, 1, 1, 2, FixedPoint.Ray * 2, FixedPoint.Ray * 3, max, Addr(0x321), Addr(0x322), Addr(0x323)),
        };
        var emodes = new List<AaveV3EModeCategory>
        {
            new(1, 9300, 9500, 10100, Address.Zero, "Stablecoins", [usdc, wsteth]),
            new(2, 9000, 9300, 10200, Addr(0xF9), "ETH correlated", [], max),
        };
        var market = new AaveV3Market("core", pool, Addr(0x101), Addr(0x102), 3, 1_00000000, reserves, emodes);
        var accounts = new List<AaveV3Account>
        {
            new(Addr(0x1001), 0, [new(weth, max, true, 0, 0), new(usdc, 0, false, max, max)]),
            new(Addr(0x1002), 1, [new(usdc, 5, true, 0, 7)]),
            new(Addr(0x1003), 2, []),
        };
        var morphoMarket = new MorphoBlueMarket("0x" + new string('c', 64), usdc, weth, Addr(0x401), Address.Zero, 860_000_000_000_000_000,
            max, max, max - 5, max - 6, long.MaxValue, 0, BigInteger.Pow(10, 36) * 2000);
        var positions = new List<MorphoBluePosition>
        {
            new(morphoMarket.Id, Addr(0x2001), 0, max, max),
            new(morphoMarket.Id, Addr(0x2002), 1, 2, 3),
        };
        var pools = new List<UniswapV2Pool> { new(Addr(0x501), usdc, weth, (BigInteger.One << 112) - 1, 0) };
        return new Snapshot(new ChainPoint(31337, block, 1_700_000_000), assets,
            [new AaveV3Book([new AaveV3MarketState(market, accounts)]), new MorphoBlueBook([new MorphoBlueState(morpho, [morphoMarket], positions)])],
            [new UniswapV2Book(pools)]);
    }

    [Fact]
    public void RoundTrip_PreservesEveryField_IncludingUint256Max()
    {
        var store = new SnapshotStore(DbPath);
        var original = Synthetic();
        store.Write(original);

        var loaded = new SnapshotStore(DbPath).Load();

        Assert.Equal(SnapshotText.Canonical(original), SnapshotText.Canonical(loaded));
        Assert.Equal(FixedPoint.UInt256Max, loaded.FindAsset("wstETH 'quoted'")!.PriceUsd);
        Assert.Equal(FixedPoint.UInt256Max - 1, loaded.FindAsset("wstETH 'quoted'")!.Oracle.Ratio);
        Assert.Null(loaded.FindAsset("WETH")!.Oracle.Ratio);
        Assert.Null(loaded.AaveV3Markets()[0].Market.EMode(1)!.PriceSourcePrice);
        Assert.Equal(5, loaded.PositionCount);
        Assert.Equal(original.Books.Select(b => b.GetType()), loaded.Books.Select(b => b.GetType()));
        Assert.Equal(original.Venues.Select(v => v.GetType()), loaded.Venues.Select(v => v.GetType()));
    }

    /// <summary>
    /// The canonical text is byte-identical to what the code before the storage seam printed for the same data
    /// (Golden/synthetic-canonical.txt was produced by that code), so expectations built on it still hold.
    /// </summary>
    [Fact]
    public void CanonicalText_IsByteIdenticalToThePreSeamGolden()
    {
        var golden = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "synthetic-canonical.txt"));
        Assert.Equal(golden, SnapshotText.Canonical(Synthetic()));
        var store = new SnapshotStore(DbPath);
        store.Write(Synthetic());
        Assert.Equal(golden, SnapshotText.Canonical(store.Load()));
    }

    [Fact]
    public void Uint256Blobs_SortNumerically()
    {
        var store = new SnapshotStore(DbPath);
        store.Write(Synthetic());
        using var c = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT collateral FROM aave_account_reserves ORDER BY collateral";
        var values = new List<BigInteger>();
        using (var r = cmd.ExecuteReader())
            while (r.Read()) values.Add(UInt256Handler.FromBytes((byte[])r[0]));
        Assert.Equal(values.Order().ToList(), values);
        Assert.Equal(FixedPoint.UInt256Max, values[^1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => UInt256Handler.ToBytes(BigInteger.One << 256));
        Assert.Throws<ArgumentOutOfRangeException>(() => UInt256Handler.ToBytes(BigInteger.MinusOne));
    }

    [Fact]
    public void Rewrite_OfSameBlock_ReplacesInsteadOfDuplicating()
    {
        var store = new SnapshotStore(DbPath);
        store.Write(Synthetic(wethPrice: 1));
        store.Write(Synthetic(wethPrice: 2));
        store.Write(Synthetic(wethPrice: 2));
        store.Write(Synthetic(block: 99));

        var list = store.List();
        Assert.Equal([100L, 99L], list.Select(s => s.BlockNumber));
        Assert.Equal(
            [(BookKind.Protocol, AaveV3Book.Name, 3L), (BookKind.Protocol, MorphoBlueBook.Name, 2L), (BookKind.Venue, UniswapV2Book.Name, 1L)],
            list[0].Books.Select(b => (b.Kind, b.Name, b.Count)));
        Assert.Equal(3, list[0].Count(AaveV3Book.Name));
        Assert.Equal(2, list[0].Count(MorphoBlueBook.Name));
        Assert.Equal(SnapshotText.Canonical(Synthetic(wethPrice: 2)), SnapshotText.Canonical(store.Load(31337, 100)));
        Assert.Equal(99, store.Load(block: 99).Chain.BlockNumber);
        Assert.Equal(100, store.Load().Chain.BlockNumber);
        using var c = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM aave_account_reserves";
        Assert.Equal(2 * 3L, (long)cmd.ExecuteScalar()!); // two snapshots × three balance rows
    }

    [Fact]
    public void FailedWrite_RollsBack_AndLeavesThePreviousSnapshot()
    {
        var store = new SnapshotStore(DbPath);
        var good = Synthetic(wethPrice: 7);
        store.Write(good);

        // Same block, different data, and a duplicate account: the PRIMARY KEY fails after the snapshot
        // row, the assets and the reserves of the replacement were already inserted.
        var bad = Synthetic(wethPrice: 8);
        var st = bad.AaveV3Markets()[0];
        var broken = bad.WithAaveV3Markets([st with { Accounts = [.. st.Accounts, st.Accounts[0]] }]);
        Assert.Throws<SqliteException>(() => store.Write(broken));

        Assert.Single(store.List());
        Assert.Equal(SnapshotText.Canonical(good), SnapshotText.Canonical(store.Load()));
    }

    [Fact]
    public void Load_WithoutSnapshot_IsOneClearError()
    {
        var store = new SnapshotStore(DbPath);
        Assert.Empty(store.List());
        var ex = Assert.Throws<DefiRiskException>(() => store.Load());
        Assert.Contains("no snapshot", ex.Message);
        Assert.Contains(DbPath, ex.Message);
        store.Write(Synthetic());
        Assert.Contains("chain 1", Assert.Throws<DefiRiskException>(() => store.Load(chainId: 1)).Message);
    }

    [Fact]
    public void Books_RoundTrip_InTheirOrder_AndAnEmptyBookStaysDistinctFromAMissingOne()
    {
        var full = Synthetic();
        var morphoOnly = full with { Books = [full.Book<MorphoBlueBook>()!], Venues = [new UniswapV2Book([])] };
        var reversed = Synthetic(block: 101) with { Books = [.. full.Books.Reverse()] };
        var bare = Synthetic(block: 102) with { Books = [new AaveV3Book([])], Venues = [] };
        var store = new SnapshotStore(DbPath);
        store.Write(morphoOnly);
        store.Write(reversed);
        store.Write(bare);

        var loaded = store.Load(block: 100);
        Assert.Equal([typeof(MorphoBlueBook)], loaded.Books.Select(b => b.GetType()));
        Assert.Empty(Assert.IsType<UniswapV2Book>(Assert.Single(loaded.Venues)).Pairs);
        Assert.Empty(loaded.AaveV3Markets());
        Assert.Equal(SnapshotText.Canonical(morphoOnly), SnapshotText.Canonical(loaded));

        Assert.Equal([typeof(MorphoBlueBook), typeof(AaveV3Book)], store.Load(block: 101).Books.Select(b => b.GetType()));
        // The canonical text follows the registry, not the book order: it is the same data.
        Assert.Equal(SnapshotText.Canonical(Synthetic(block: 101)), SnapshotText.Canonical(store.Load(block: 101)));

        var loadedBare = store.Load(block: 102);
        Assert.Empty(Assert.IsType<AaveV3Book>(Assert.Single(loadedBare.Books)).Markets);
        Assert.Empty(loadedBare.Venues);
        Assert.Equal(0, loadedBare.PositionCount);
        // An empty book and a missing one print the same (no lines): they simulate the same.
        Assert.Equal(SnapshotText.Canonical(bare with { Books = [] }), SnapshotText.Canonical(loadedBare));
        Assert.Equal([(AaveV3Book.Name, 0L)], store.List()[0].Books.Select(b => (b.Name, b.Count)));
    }

    [Fact]
    public void Rewrite_WithFewerBooks_LeavesNoRowsOfTheDroppedOnes()
    {
        var store = new SnapshotStore(DbPath);
        store.Write(Synthetic());
        var full = Synthetic();
        store.Write(full with { Books = [full.Book<AaveV3Book>()!], Venues = [] });

        var loaded = store.Load();
        Assert.Equal([typeof(AaveV3Book)], loaded.Books.Select(b => b.GetType()));
        Assert.Empty(loaded.Venues);
        using var c = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT (SELECT COUNT(*) FROM morpho_positions) + (SELECT COUNT(*) FROM morpho_instances) + (SELECT COUNT(*) FROM uniswap_v2_pools)";
        Assert.Equal(0L, (long)cmd.ExecuteScalar()!);
    }

    private sealed record UnregisteredBook : IProtocolBook
    {
        public string Protocol => "unregistered";
        public int PositionCount => 0;
        public IEnumerable<(Address Asset, string Role)> AssetReferences() => [];
    }

    [Fact]
    public void Book_WithoutAStoragePart_IsRefused_BeforeAnythingIsWritten()
    {
        var store = new SnapshotStore(DbPath);
        var snapshot = Synthetic();
        var unknown = snapshot with { Books = [.. snapshot.Books, new UnregisteredBook()] };
        Assert.Contains("unregistered", Assert.Throws<InvalidOperationException>(() => store.Write(unknown)).Message);
        Assert.Throws<InvalidOperationException>(() => SnapshotText.Canonical(unknown));
        Assert.Empty(store.List());

        var twice = snapshot with { Books = [.. snapshot.Books, snapshot.Books[0]] };
        Assert.Throws<InvalidOperationException>(() => store.Write(twice));
        Assert.Empty(store.List());
    }

    [Fact]
    public void Store_WithChosenParts_CreatesOnlyTheirTables_AndRefusesAStoredBookItCannotRead()
    {
        var all = new SnapshotStore(DbPath);
        all.Write(Synthetic());

        var otherPath = Path.Combine(_dir, "venues-only.db");
        var venuesOnly = new SnapshotStore(otherPath, new StorageParts([], [new UniswapV2Storage()]));
        var s = Synthetic();
        venuesOnly.Write(s with { Books = [] });
        Assert.Single(venuesOnly.Load().Venues);
        Assert.Throws<InvalidOperationException>(() => venuesOnly.Write(s));
        using (var c = new SqliteConnection($"Data Source={otherPath};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'aave%'";
            Assert.Equal(0L, (long)cmd.ExecuteScalar()!);
        }

        // The full file holds lending books this store has no part for: a clear error, not a snapshot without them.
        var ex = Assert.Throws<DefiRiskException>(() => new SnapshotStore(DbPath, new StorageParts([], [new UniswapV2Storage()])).Load());
        Assert.Contains(AaveV3Book.Name, ex.Message);
        Assert.Throws<ArgumentException>(() => new SnapshotStore(otherPath, new StorageParts([new AaveV3Storage(), new AaveV3Storage()], [])));
    }

    [Fact]
    public void File_OfTheOldSchema_IsRefusedWithAClearMessage()
    {
        using (var c = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TABLE snapshots (id INTEGER PRIMARY KEY, chain_id INTEGER NOT NULL, block_number INTEGER NOT NULL, block_timestamp INTEGER NOT NULL, created_at TEXT NOT NULL)";
            cmd.ExecuteNonQuery();
        }
        var ex = Assert.Throws<DefiRiskException>(() => new SnapshotStore(DbPath));
        Assert.Contains("schema version 1", ex.Message);
        Assert.Contains(DbPath, ex.Message);
    }

    [Fact]
    public void NewFile_IsStampedWithTheSchemaVersion()
    {
        _ = new SnapshotStore(DbPath);
        using var c = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA user_version";
        Assert.Equal((long)SnapshotStore.SchemaVersion, (long)cmd.ExecuteScalar()!);
    }

    [Fact]
    public void Discovery_CommitsAccountsAndCheckpointTogether_AndIgnoresDuplicates()
    {
        var discovery = new DiscoveryStore(new SnapshotStore(DbPath));
        Assert.Null(discovery.GetCheckpoint(1, "aave-v3", "0xpool"));
        discovery.CommitChunk(1, "aave-v3", "0xpool", 10_000, [new("0xpool", "0xb"), new("0xpool", "0xa")]);
        discovery.CommitChunk(1, "aave-v3", "0xpool", 20_000, [new("0xpool", "0xa"), new("0xpool", "0xc")]);
        discovery.CommitChunk(1, "morpho-blue", "0xmorpho", 5, [new("0xid", "")]);

        Assert.Equal(20_000, discovery.GetCheckpoint(1, "aave-v3", "0xpool"));
        Assert.Null(discovery.GetCheckpoint(2, "aave-v3", "0xpool"));
        Assert.Equal(["0xa", "0xb", "0xc"], discovery.GetAccounts(1, "aave-v3").Select(a => a.Account));
        Assert.Equal([new DiscoveredAccount("0xid", "")], discovery.GetAccounts(1, "morpho-blue"));
    }
}
