using System.Text;
using DefiRisk.Core.Domain;

namespace DefiRisk.Storage;

/// <summary>
/// A canonical, line-per-row text form of a snapshot (every field, lists sorted by their natural key).
/// Two snapshots are the same data iff their texts are equal: used to prove round trips, idempotent
/// re-indexing and fault tolerance, and readable in a test failure diff.
/// </summary>
/// <remarks>
/// The chain line and the assets are written here; each book's lines by its storage part
/// (<see cref="IBookStorage{TBook}.AppendCanonical"/>), lending books first, then venues, each in the parts'
/// registry order — not the snapshot's book order, so the text of a snapshot does not depend on it (the store keeps
/// that order; compare <see cref="Snapshot.Books"/> when it matters). An empty book writes no lines, like a
/// missing one: they simulate the same. A book no part is registered for is an error, never silently skipped.
/// </remarks>
public static class SnapshotText
{
    public static string Canonical(Snapshot s) => Canonical(s, StorageRegistry.Parts);

    public static string Canonical(Snapshot s, StorageParts parts)
    {
        var b = new StringBuilder();
        b.AppendLine($"chain {s.Chain.ChainId} block {s.Chain.BlockNumber} ts {s.Chain.BlockTimestamp}");
        foreach (var a in s.Assets.OrderBy(a => a.Address))
            b.AppendLine($"asset {a.Address} {a.Symbol} {a.Decimals} {a.PriceUsd} {a.Oracle.Kind} {a.Oracle.Source} {a.Oracle.BaseAsset} {a.Oracle.Ratio} {a.Oracle.RatioDecimals}");
        AppendBooks(b, StorageParts.Match(s.Books, parts.Protocols, p => p.Protocol, BookKind.Protocol), parts.Protocols);
        AppendBooks(b, StorageParts.Match(s.Venues, parts.Venues, v => v.Venue, BookKind.Venue), parts.Venues);
        return b.ToString();
    }

    private static void AppendBooks<TBook>(StringBuilder b, IReadOnlyList<(TBook Book, IBookStorage<TBook> Part)> books,
        IReadOnlyList<IBookStorage<TBook>> parts) where TBook : class
    {
        foreach (var part in parts)
            foreach (var (book, _) in books.Where(x => ReferenceEquals(x.Part, part)))
                part.AppendCanonical(b, book);
    }
}
