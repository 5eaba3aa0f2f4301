using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.MorphoBlue;
using Microsoft.Data.Sqlite;

namespace DefiRisk.Storage.Tests.Protocols.MorphoBlue;

/// <summary>
/// A Morpho market's oracle parts round-trip through SQLite (kind, scale, vaults, each feed's answer and what it follows), and
/// a version-2 file written before the oracle tables existed opens, gains them, and loads its markets without parts.
/// </summary>
public sealed class MorphoOracleStorageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("defirisk-oracles-").FullName;
    private string DbPath => Path.Combine(_dir, "test.db");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Address A(int n) => Address.Parse("0x" + n.ToString("x40"));

    private static Snapshot WithParts(long block = 100)
    {
        var s = SnapshotStoreTests.Synthetic(block);
        var state = s.MorphoBlue()[0];
        var parts = new MorphoOracleParts(MorphoOracleKind.ChainlinkV2, BigInteger.Pow(10, 24), A(0xE1), BigInteger.Pow(10, 18), BigInteger.Parse("1050000000000000000"),
            Address.Zero, 1, 1, [new(A(0xF1), 250_000_000_000, A(0xA1)), null, new(A(0xF2), 99_980_000, null), null]);
        return s.WithMorphoBlue([state with { Markets = [state.Markets[0] with { OracleParts = parts }, .. state.Markets.Skip(1)] }]);
    }

    [Fact]
    public void Oracle_parts_round_trip_with_every_feed_and_what_it_follows()
    {
        var original = WithParts();
        new SnapshotStore(DbPath).Write(original);
        var loaded = new SnapshotStore(DbPath).Load();
        Assert.Equal(original.MorphoBlue()[0].Markets[0].OracleParts, loaded.MorphoBlue()[0].Markets[0].OracleParts, new PartsComparer());
        Assert.Equal(SnapshotText.Canonical(original), SnapshotText.Canonical(loaded));
        Assert.Contains("oracle ChainlinkV2", SnapshotText.Canonical(loaded), StringComparison.Ordinal);
    }

    [Fact]
    public void A_version_2_file_without_the_oracle_tables_opens_and_its_markets_load_without_parts()
    {
        new SnapshotStore(DbPath).Write(SnapshotStoreTests.Synthetic());
        using (var c = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            c.Open();
            using var drop = c.CreateCommand();
            drop.CommandText = "DROP TABLE morpho_oracle_feeds; DROP TABLE morpho_oracles;";
            drop.ExecuteNonQuery();
        }
        var store = new SnapshotStore(DbPath);
        Assert.All(store.Load().MorphoBlue()[0].Markets, m => Assert.Null(m.OracleParts));
        store.Write(WithParts(101));
        Assert.NotNull(store.Load(31337, 101).MorphoBlue()[0].Markets[0].OracleParts);
    }

    private sealed class PartsComparer : IEqualityComparer<MorphoOracleParts?>
    {
        public bool Equals(MorphoOracleParts? x, MorphoOracleParts? y) =>
            x is not null && y is not null && x with { Feeds = [] } == y with { Feeds = [] } && x.Feeds.SequenceEqual(y.Feeds);

        public int GetHashCode(MorphoOracleParts? obj) => 0;
    }
}
