using System.Data;
using System.Text;
using DefiRisk.Core.Domain;

namespace DefiRisk.Storage.Books;

/// <summary>
/// One family's part of the snapshot database: the tables of one lending protocol's book
/// (<typeparamref name="TBook"/> = <see cref="IProtocolBook"/>) or of one liquidity venue's book
/// (<typeparamref name="TBook"/> = <see cref="IVenueBook"/>), and how that book is written, read back, counted and
/// dumped as canonical text. <see cref="SnapshotStore"/> holds one list of each kind (see <see cref="StorageParts"/>)
/// and names no family; the parts live in <c>Storage/Protocols/&lt;Family&gt;/</c> and <c>Storage/Venues/&lt;Kind&gt;/</c>,
/// each with its DDL in a <c>.sql</c> file beside it, and one line of <see cref="StorageRegistry"/> adds one.
/// </summary>
/// <remarks>
/// Why one interface, generic over the book kind, rather than one for lending books and one for venues: what storage
/// does with a book is the same for both (rows in, rows out, delete, count, text), so the store runs one code path for
/// both lists; the type argument still keeps the lists apart, so a venue part cannot be registered as a protocol and
/// <see cref="Load"/> hands back the type <see cref="Snapshot"/> wants without a cast. It is invariant (a book goes in
/// and comes out); <see cref="BookStorage{TConcrete, TBook}"/> narrows it to the family's concrete book type.
/// Writes run inside the store's one transaction: a part never commits, and an exception from it rolls back the
/// whole snapshot.
/// </remarks>
public interface IBookStorage<TBook> where TBook : class
{
    /// <summary>
    /// The book's name, as <see cref="IProtocolBook.Protocol"/> / <see cref="IVenueBook.Venue"/> spell it. It is what
    /// <c>snapshot_books</c> records for a stored book, so it must never change once files exist.
    /// </summary>
    string Name { get; }

    /// <summary>The family's tables, children before parents: a replaced snapshot's rows are deleted in this order.</summary>
    IReadOnlyList<string> Tables { get; }

    /// <summary>Applies the family's DDL (idempotent <c>CREATE TABLE IF NOT EXISTS</c>), after the shared <c>schema.sql</c>.</summary>
    void CreateSchema(IDbConnection connection, IDbTransaction? transaction);

    /// <summary>True when <paramref name="book"/> is this family's book.</summary>
    bool Stores(TBook book);

    /// <summary>Inserts the rows of <paramref name="book"/> for snapshot <paramref name="snapshotId"/>, inside <paramref name="transaction"/>.</summary>
    void Write(IDbConnection connection, IDbTransaction transaction, long snapshotId, TBook book);

    /// <summary>The book stored for <paramref name="snapshotId"/> (lists in canonical order; empty when it had no rows).</summary>
    TBook Load(IDbConnection connection, long snapshotId);

    /// <summary>What <see cref="SnapshotStore.List"/> shows for the stored book: positions of a lending book, pools of a venue.</summary>
    long Count(IDbConnection connection, long snapshotId);

    /// <summary>Appends the book's lines to <see cref="SnapshotText.Canonical(Snapshot)"/>: every field, sorted by natural key.</summary>
    void AppendCanonical(StringBuilder text, TBook book);
}
