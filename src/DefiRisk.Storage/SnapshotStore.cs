using System.Numerics;
using Dapper;
using DefiRisk.Core;
using DefiRisk.Core.Domain;
using Microsoft.Data.Sqlite;

namespace DefiRisk.Storage;

/// <summary>One row of <see cref="SnapshotStore.List"/>: a stored snapshot and, per book in the snapshot's order, its size.</summary>
public sealed record SnapshotInfo(long Id, long ChainId, long BlockNumber, long BlockTimestamp, string CreatedAt, IReadOnlyList<StoredBook> Books)
{
    /// <summary>The <see cref="StoredBook.Count"/> of the book named <paramref name="name"/>; 0 when the snapshot has none.</summary>
    public long Count(string name) => Books.FirstOrDefault(b => b.Name == name)?.Count ?? 0;
}

/// <summary>A book of a stored snapshot: its name and <see cref="IBookStorage{TBook}.Count"/> (positions, or a venue's pools).</summary>
public sealed record StoredBook(BookKind Kind, string Name, long Count);

/// <summary>Which list of a <see cref="Snapshot"/> a book is in.</summary>
public enum BookKind
{
    /// <summary><see cref="Snapshot.Books"/>: a lending protocol family.</summary>
    Protocol,
    /// <summary><see cref="Snapshot.Venues"/>: a liquidity venue.</summary>
    Venue,
}

/// <summary>
/// Reads and writes <see cref="Snapshot"/>s in a SQLite file. This class owns what every snapshot shares — the
/// snapshot row (chain, block, timestamp), its assets, which books it holds in which order (<c>snapshot_books</c>;
/// schema: <c>schema.sql</c>) and the transaction — and hands each book to the storage part registered for its family
/// (<see cref="StorageParts"/>, by default <see cref="StorageRegistry.Parts"/>), which owns that family's tables.
/// A write is one transaction that first removes any snapshot of the same (chain, block): re-running an index is safe,
/// and a failure at any row of any part rolls everything back, so a half-written snapshot never exists.
/// A book round-trips exactly: present or absent, empty or not, at its index in <see cref="Snapshot.Books"/> /
/// <see cref="Snapshot.Venues"/>.
/// </summary>
public sealed class SnapshotStore
{
    /// <summary>
    /// <c>PRAGMA user_version</c> of files this build writes. 2: per-family storage parts and <c>snapshot_books</c>.
    /// 3: the Uniswap v3 tables and the oracle history (<c>oracle_feeds</c>, <c>oracle_rounds</c>). A version-2 file is
    /// migrated on open: the new tables are added, empty, nothing else changes. 4: the external market's curves
    /// (<c>external_market_curves</c>, <c>external_market_points</c>); version-2 and -3 files are migrated the same way.
    /// 5: Aave's flash-loan premium read at the block (<c>aave_flash_loans</c>); older files are migrated the same way, their
    /// markets without a row (premium not read: the stated default applies). 6: each Aave reserve's flash-loan-enabled bit and,
    /// before 3.1, the aToken's balance of the underlying (<c>aave_reserve_flash_loans</c>); older files are migrated the same way,
    /// their reserves without a row (bit not read: assumed on, and said so).
    /// Files of version 1 (unversioned, written before the parts) are refused with a message to index anew.
    /// </summary>
    public const int SchemaVersion = 6;

    /// <summary>Versions a file can be migrated from by adding tables (the parts' idempotent DDL), in one transaction.</summary>
    internal static readonly int[] MigratableVersions = [2, 3, 4, 5];

    /// <summary>The tables of <c>schema.sql</c>: no storage part may claim one.</summary>
    internal static readonly string[] SharedTables = ["snapshots", "assets", "snapshot_books", "checkpoints", "discovered_accounts", "oracle_feeds", "oracle_rounds"];

    private readonly string _connectionString;
    private readonly StorageParts _parts;

    public string Path { get; }

    /// <summary>The store at <paramref name="path"/> with every registered family (<see cref="StorageRegistry.Parts"/>).</summary>
    public SnapshotStore(string path) : this(path, StorageRegistry.Parts) { }

    /// <summary>The store at <paramref name="path"/> with the given <paramref name="parts"/>.</summary>
    public SnapshotStore(string path, StorageParts parts)
    {
        parts.Validate();
        UInt256Handler.Register();
        Path = path;
        _parts = parts;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // No pooling: a closed store leaves no open handle behind (tests delete their files; a
            // killed indexer leaves nothing but the journal SQLite rolls back on next open).
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString();
        using var connection = Open();
    }

    /// <summary>Opens a connection with foreign keys on and the schema applied (idempotent DDL).</summary>
    internal SqliteConnection Open()
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
        if (directory is not null && !Directory.Exists(directory))
            throw new DefiRiskException($"database directory {directory} does not exist");
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            connection.Execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000;");
            ApplySchema(connection);
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw new DefiRiskException($"database {Path} cannot be used: {ex.Message}", ExitCodes.UserError, ex);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        return connection;
    }

    /// <summary>
    /// A current file gets the (idempotent) DDL of <c>schema.sql</c> and every part, as on every open, so a newly
    /// registered family's tables appear in an existing file. A new file is created and stamped with
    /// <see cref="SchemaVersion"/> in one IMMEDIATE transaction, so two openers never see it half made; a file of a
    /// <see cref="MigratableVersions">migratable</see> version gets the new tables and the new stamp in the same kind of
    /// transaction; a file of another version is refused.
    /// </summary>
    private void ApplySchema(SqliteConnection c)
    {
        var version = c.ExecuteScalar<long>("PRAGMA user_version");
        if (version == SchemaVersion)
        {
            CreateTables(c, null);
            return;
        }
        using var tx = c.BeginTransaction(deferred: false);
        version = c.ExecuteScalar<long>("PRAGMA user_version", transaction: tx);
        if (version == 0 && c.ExecuteScalar<long>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'snapshots'", transaction: tx) > 0)
            throw new DefiRiskException(
                $"database {Path} was written by an older DefiRisk (schema version 1); this build reads version {SchemaVersion}: " +
                "run `defirisk index` into a new database file");
        if (version != 0 && version != SchemaVersion && !MigratableVersions.Contains((int)version))
            throw new DefiRiskException($"database {Path} has schema version {version}; this build reads version {SchemaVersion}");
        CreateTables(c, tx);
        c.Execute($"PRAGMA user_version = {SchemaVersion}", transaction: tx);
        tx.Commit();
    }

    private void CreateTables(SqliteConnection c, SqliteTransaction? tx)
    {
        c.Execute(Schema.Text, transaction: tx);
        foreach (var part in _parts.Protocols) part.CreateSchema(c, tx);
        foreach (var part in _parts.Venues) part.CreateSchema(c, tx);
    }

    // ------------------------------------------------------------------ write

    /// <summary>Stores <paramref name="snapshot"/>, replacing one of the same chain and block, in ONE transaction.</summary>
    public long Write(Snapshot snapshot)
    {
        // Every book must have its part before anything is written (an unregistered family is a build error, not data loss).
        var protocols = StorageParts.Match(snapshot.Books, _parts.Protocols, b => b.Protocol, BookKind.Protocol);
        var venues = StorageParts.Match(snapshot.Venues, _parts.Venues, v => v.Venue, BookKind.Venue);

        using var connection = Open();
        using var tx = connection.BeginTransaction();
        var chain = snapshot.Chain;

        var existing = connection.ExecuteScalar<long?>(
            "SELECT id FROM snapshots WHERE chain_id = @ChainId AND block_number = @BlockNumber", chain, tx);
        if (existing is { } old) Delete(connection, tx, old);
        // The read batches kept for this block (ReadCheckpointStore) were this snapshot's pending state: gone with its write.
        connection.Execute("DELETE FROM read_checkpoints WHERE chain_id = @ChainId AND block_number = @BlockNumber", chain, tx);

        var id = connection.ExecuteScalar<long>(
            """
            INSERT INTO snapshots (chain_id, block_number, block_timestamp, created_at)
            VALUES (@ChainId, @BlockNumber, @BlockTimestamp, @CreatedAt);
            SELECT last_insert_rowid();
            """,
            new { chain.ChainId, chain.BlockNumber, chain.BlockTimestamp, CreatedAt = DateTime.UtcNow.ToString("O") }, tx);

        connection.Execute(
            """
            INSERT INTO assets (snapshot_id, address, symbol, decimals, price_usd, oracle_kind, oracle_source,
                                oracle_base_asset, oracle_ratio, oracle_ratio_decimals)
            VALUES (@Id, @Address, @Symbol, @Decimals, @PriceUsd, @Kind, @Source, @BaseAsset, @Ratio, @RatioDecimals)
            """,
            snapshot.Assets.Select(a => new
            {
                Id = id, Address = a.Address.Value, a.Symbol, a.Decimals, a.PriceUsd, Kind = a.Oracle.Kind.ToString(),
                Source = a.Oracle.Source.Value, BaseAsset = a.Oracle.BaseAsset?.Value, a.Oracle.Ratio, a.Oracle.RatioDecimals,
            }), tx);

        WriteBooks(connection, tx, id, BookKind.Protocol, protocols);
        WriteBooks(connection, tx, id, BookKind.Venue, venues);
        if (snapshot.PriceHistory is { } history) WriteHistory(connection, tx, id, history);

        tx.Commit();
        return id;
    }

    private static void WriteBooks<TBook>(SqliteConnection c, SqliteTransaction tx, long id, BookKind kind,
        IReadOnlyList<(TBook Book, IBookStorage<TBook> Part)> books) where TBook : class
    {
        for (var i = 0; i < books.Count; i++)
        {
            var (book, part) = books[i];
            c.Execute("INSERT INTO snapshot_books (snapshot_id, kind, ordinal, name) VALUES (@id, @kind, @i, @name)",
                new { id, kind = KindText(kind), i, name = part.Name }, tx);
            part.Write(c, tx, id, book);
        }
    }

    private void Delete(SqliteConnection c, SqliteTransaction tx, long id)
    {
        foreach (var table in _parts.Tables.Concat(["snapshot_books", "assets", "oracle_rounds", "oracle_feeds"]))
            c.Execute($"DELETE FROM {table} WHERE snapshot_id = @id", new { id }, tx);
        // A row left in a table no registered part names makes this fail (foreign key): the write rolls back.
        c.Execute("DELETE FROM snapshots WHERE id = @id", new { id }, tx);
    }

    // ------------------------------------------------------------------ read

    /// <summary>Every stored snapshot, newest block first, with its books (lending first, then venues, each in snapshot order).</summary>
    public IReadOnlyList<SnapshotInfo> List()
    {
        using var c = Open();
        var books = c.Query<BookRow>("SELECT snapshot_id, kind, ordinal, name FROM snapshot_books").ToLookup(b => b.SnapshotId);
        return c.Query<InfoRow>(
                "SELECT id, chain_id, block_number, block_timestamp, created_at FROM snapshots ORDER BY block_number DESC, chain_id")
            .Select(r => new SnapshotInfo(r.Id, r.ChainId, r.BlockNumber, r.BlockTimestamp, r.CreatedAt,
                books[r.Id].Select(b => (Row: b, Kind: ParseKind(b.Kind))).OrderBy(b => b.Kind).ThenBy(b => b.Row.Ordinal)
                    .Select(b => new StoredBook(b.Kind, b.Row.Name, b.Kind == BookKind.Protocol
                        ? Part(_parts.Protocols, b.Row).Count(c, r.Id)
                        : Part(_parts.Venues, b.Row).Count(c, r.Id)))
                    .ToList()))
            .ToList();
    }

    /// <summary>
    /// The snapshot of <paramref name="chainId"/> at <paramref name="block"/>; either may be null, then the
    /// latest matching block is taken. Books come back in the order written; lists inside them and the assets in a
    /// canonical order (by address / id).
    /// </summary>
    public Snapshot Load(long? chainId = null, long? block = null)
    {
        using var c = Open();
        var head = c.QuerySingleOrDefault<SnapshotRow>(
            """
            SELECT id, chain_id, block_number, block_timestamp FROM snapshots
            WHERE (@chainId IS NULL OR chain_id = @chainId) AND (@block IS NULL OR block_number = @block)
            ORDER BY block_number DESC, chain_id LIMIT 1
            """, new { chainId, block });
        if (head is null)
        {
            var what = (chainId, block) switch
            {
                (null, null) => "no snapshot",
                (_, null) => $"no snapshot of chain {chainId}",
                (null, _) => $"no snapshot at block {block}",
                _ => $"no snapshot of chain {chainId} at block {block}",
            };
            throw new DefiRiskException($"{what} in database {Path} (run `defirisk index` first)");
        }
        var id = new { id = head.Id };

        var assets = c.Query<AssetRow>("SELECT * FROM assets WHERE snapshot_id = @id ORDER BY address", id)
            .Select(r => new Asset(Address.FromTrusted(r.Address), r.Symbol, r.Decimals, r.PriceUsd,
                new AssetOracle(Enum.Parse<OracleKind>(r.OracleKind), Address.FromTrusted(r.OracleSource),
                    r.OracleBaseAsset is null ? null : Address.FromTrusted(r.OracleBaseAsset), r.OracleRatio, r.OracleRatioDecimals)))
            .ToList();

        var books = c.Query<BookRow>("SELECT snapshot_id, kind, ordinal, name FROM snapshot_books WHERE snapshot_id = @id ORDER BY ordinal", id)
            .ToLookup(b => ParseKind(b.Kind));
        var protocols = books[BookKind.Protocol].Select(b => Part(_parts.Protocols, b).Load(c, head.Id)).ToList();
        var venues = books[BookKind.Venue].Select(b => Part(_parts.Venues, b).Load(c, head.Id)).ToList();

        return new Snapshot(new ChainPoint(head.ChainId, head.BlockNumber, head.BlockTimestamp), assets, protocols, venues, LoadHistory(c, head.Id));
    }

    private static void WriteHistory(SqliteConnection c, SqliteTransaction tx, long id, IReadOnlyList<OracleHistory> history)
    {
        c.Execute("INSERT INTO oracle_feeds (snapshot_id, asset, feed, decimals, missing) VALUES (@Id, @Asset, @Feed, @Decimals, @Missing)",
            history.Select(h => new { Id = id, Asset = h.Asset.Value, Feed = h.Feed.Value, h.Decimals, h.Missing }), tx);
        c.Execute("INSERT INTO oracle_rounds (snapshot_id, asset, round_id, answer, updated_at) VALUES (@Id, @Asset, @RoundId, @Answer, @UpdatedAt)",
            history.SelectMany(h => h.Rounds.Select(r => new
            {
                Id = id, Asset = h.Asset.Value, r.RoundId, Answer = r.Answer.ToString(System.Globalization.CultureInfo.InvariantCulture), r.UpdatedAt,
            })), tx);
    }

    /// <summary>The snapshot's oracle history by asset address, rounds oldest first; null when none was read.</summary>
    private static IReadOnlyList<OracleHistory>? LoadHistory(SqliteConnection c, long id)
    {
        var feeds = c.Query<FeedRow>("SELECT asset, feed, decimals, missing FROM oracle_feeds WHERE snapshot_id = @id ORDER BY asset", new { id }).ToList();
        if (feeds.Count == 0) return null;
        var rounds = c.Query<RoundRow>("SELECT asset, round_id, answer, updated_at FROM oracle_rounds WHERE snapshot_id = @id ORDER BY asset, round_id", new { id })
            .ToLookup(r => r.Asset);
        return feeds.Select(f => new OracleHistory(Address.FromTrusted(f.Asset), Address.FromTrusted(f.Feed), f.Decimals,
            rounds[f.Asset].Select(r => new OracleRound(r.RoundId, BigInteger.Parse(r.Answer, System.Globalization.CultureInfo.InvariantCulture), r.UpdatedAt)).ToList(),
            f.Missing)).ToList();
    }

    private IBookStorage<TBook> Part<TBook>(IReadOnlyList<IBookStorage<TBook>> parts, BookRow book) where TBook : class =>
        parts.FirstOrDefault(p => p.Name == book.Name)
        ?? throw new DefiRiskException(
            $"snapshot {book.SnapshotId} in database {Path} holds a {book.Kind} book '{book.Name}' this build has no storage part for");

    private static string KindText(BookKind kind) => kind switch
    {
        BookKind.Protocol => "protocol",
        BookKind.Venue => "venue",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private BookKind ParseKind(string text) => text switch
    {
        "protocol" => BookKind.Protocol,
        "venue" => BookKind.Venue,
        _ => throw new DefiRiskException($"database {Path}: unknown book kind '{text}' in snapshot_books"),
    };

    // Row shapes: Dapper maps snake_case columns onto these (MatchNamesWithUnderscores), and 256-bit
    // columns through UInt256Handler.
#pragma warning disable CA1812
    private sealed class InfoRow
    {
        public long Id { get; set; } public long ChainId { get; set; } public long BlockNumber { get; set; } public long BlockTimestamp { get; set; }
        public string CreatedAt { get; set; } = "";
    }
    private sealed class SnapshotRow { public long Id { get; set; } public long ChainId { get; set; } public long BlockNumber { get; set; } public long BlockTimestamp { get; set; } }
    private sealed class BookRow { public long SnapshotId { get; set; } public string Kind { get; set; } = ""; public int Ordinal { get; set; } public string Name { get; set; } = ""; }
    private sealed class AssetRow
    {
        public string Address { get; set; } = ""; public string Symbol { get; set; } = ""; public int Decimals { get; set; }
        public BigInteger PriceUsd { get; set; } public string OracleKind { get; set; } = ""; public string OracleSource { get; set; } = "";
        public string? OracleBaseAsset { get; set; } public BigInteger? OracleRatio { get; set; } public int OracleRatioDecimals { get; set; }
    }
    private sealed class FeedRow { public string Asset { get; set; } = ""; public string Feed { get; set; } = ""; public int Decimals { get; set; } public string? Missing { get; set; } }
    private sealed class RoundRow { public string Asset { get; set; } = ""; public BigInteger RoundId { get; set; } public string Answer { get; set; } = ""; public long UpdatedAt { get; set; } }
#pragma warning restore CA1812
}

/// <summary>The embedded <c>schema.sql</c>: what every snapshot shares.</summary>
internal static class Schema
{
    public static readonly string Text = EmbeddedSql.Read("schema.sql");
}
