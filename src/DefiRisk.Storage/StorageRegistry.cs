using DefiRisk.Core.Domain;
using DefiRisk.Storage.Protocols.AaveV3;
using DefiRisk.Storage.Protocols.MorphoBlue;
using DefiRisk.Storage.Venues.External;
using DefiRisk.Storage.Venues.UniswapV2;
using DefiRisk.Storage.Venues.UniswapV3;

namespace DefiRisk.Storage;

/// <summary>
/// The storage parts this build knows, in one place: a protocol family or a venue adds its one line here (its part and
/// its <c>.sql</c> file live in its own folder). The order is the order of <see cref="SnapshotText"/>'s sections; the
/// order of a snapshot's books is stored with the snapshot and does not depend on it.
/// </summary>
public static class StorageRegistry
{
    public static StorageParts Parts { get; } = new(
        Protocols:
        [
            new AaveV3Storage(),
            new MorphoBlueStorage(),
        ],
        Venues:
        [
            new UniswapV2Storage(),
            new UniswapV3Storage(),
            new ExternalMarketStorage(),
        ]);
}

/// <summary>The storage parts a <see cref="SnapshotStore"/> or <see cref="SnapshotText"/> works with: one per lending family, one per venue.</summary>
public sealed record StorageParts(IReadOnlyList<IBookStorage<IProtocolBook>> Protocols, IReadOnlyList<IBookStorage<IVenueBook>> Venues)
{
    /// <summary>Every table of every part, children before parents.</summary>
    internal IEnumerable<string> Tables => Protocols.SelectMany(p => p.Tables).Concat(Venues.SelectMany(v => v.Tables));

    /// <summary>Refuses a set of parts whose names or tables collide (two parts would read each other's rows).</summary>
    internal void Validate()
    {
        var names = Protocols.Select(p => p.Name).Concat(Venues.Select(v => v.Name)).ToList();
        var name = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1 || string.IsNullOrWhiteSpace(g.Key));
        if (name is not null) throw new ArgumentException($"storage part name '{name.Key}' is empty or registered twice");
        var table = Tables.Concat(SnapshotStore.SharedTables).GroupBy(t => t, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (table is not null) throw new ArgumentException($"table '{table.Key}' is claimed twice (by two storage parts, or by one and schema.sql)");
    }

    /// <summary>
    /// Each of <paramref name="books"/> (in order) with the part that stores it. A book no part stores, or two books
    /// for one part, is refused: the first would be silently dropped, the second would mix two books' rows.
    /// </summary>
    internal static IReadOnlyList<(TBook Book, IBookStorage<TBook> Part)> Match<TBook>(
        IReadOnlyList<TBook> books, IReadOnlyList<IBookStorage<TBook>> parts, Func<TBook, string> name, BookKind kind) where TBook : class
    {
        var matched = books.Select(b => (Book: b, Part: parts.FirstOrDefault(p => p.Stores(b))
            ?? throw new InvalidOperationException(
                $"no storage part for the {kind.ToString().ToLowerInvariant()} book '{name(b)}' ({b.GetType().Name}): register one in StorageRegistry"))).ToList();
        var twice = matched.GroupBy(m => m.Part).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
            throw new InvalidOperationException($"the snapshot has {twice.Count()} '{twice.Key.Name}' books; storage keeps one book per family");
        return matched;
    }
}
