namespace DefiRisk.Core.Domain;

/// <summary>
/// One lending-protocol family's part of a <see cref="Snapshot"/>: its deployments, markets, risk parameters and
/// positions. The family's folder (<c>Protocols/&lt;Family&gt;/</c>) defines the concrete book; what the engines ask of it
/// is the seam in <c>DefiRisk.Core.Lending</c>.
/// </summary>
public interface IProtocolBook
{
    /// <summary>The family's name as results, proposals and reports spell it (e.g. the JSON key of its proposal section).</summary>
    string Protocol { get; }

    /// <summary>Indexed positions (a position = one account in one market or pool).</summary>
    int PositionCount { get; }

    /// <summary>Every asset the book refers to, with what it is to the book (for "not in the asset list" errors).</summary>
    IEnumerable<(Address Asset, string Role)> AssetReferences();
}

/// <summary>Depth scenarios over a snapshot's venues.</summary>
public static class SnapshotDepth
{
    /// <summary>This snapshot with every venue's depth × <paramref name="factor"/> (prices unchanged).</summary>
    public static Snapshot WithDepth(this Snapshot snapshot, decimal factor) =>
        factor <= 0 ? throw new DefiRiskException($"depth factor {factor} must be positive")
        : snapshot with { Venues = snapshot.Venues.Select(v => v.WithDepth(factor)).ToList() };

    /// <summary>This snapshot with only the venues on the chain (a DEX-only run: depth off the chain left out).</summary>
    public static Snapshot OnChainVenuesOnly(this Snapshot snapshot) =>
        snapshot with { Venues = snapshot.Venues.Where(v => v.OnChain).ToList() };

    /// <summary>This snapshot with <paramref name="book"/> in place of the venue book of the same type (appended when absent).</summary>
    public static Snapshot WithVenueBook(this Snapshot snapshot, IVenueBook book)
    {
        var venues = snapshot.Venues.ToList();
        var i = venues.FindIndex(v => v.GetType() == book.GetType());
        if (i >= 0) venues[i] = book; else venues.Add(book);
        return snapshot with { Venues = venues };
    }
}

/// <summary>One liquidity venue's part of a <see cref="Snapshot"/>: its pools (the venue's folder is <c>Venues/&lt;Kind&gt;/</c>).</summary>
public interface IVenueBook
{
    /// <summary>The venue's name as results and reports spell it.</summary>
    string Venue { get; }

    IReadOnlyList<IPool> Pools { get; }

    /// <summary>True for pools on the chain (a DEX); false for depth that is configuration (an external market), which a
    /// DEX-only run leaves out and an on-chain replay cannot settle.</summary>
    bool OnChain => true;

    /// <summary>What a venue that is configuration rather than chain state was configured with, for results (serialized as
    /// JSON by its runtime type); null for venues read from the chain.</summary>
    object? Configuration => null;

    /// <summary>The same pools at the same prices with <paramref name="factor"/> × their depth (a depth-sensitivity scenario).</summary>
    IVenueBook WithDepth(decimal factor);
}

/// <summary>A two-token pool of some venue, as routing sees it. The exact and fast swap models are <c>DefiRisk.Core.Venues</c>.</summary>
public interface IPool
{
    Address Id { get; }
    Address Token0 { get; }
    Address Token1 { get; }

    /// <summary>False for a pool a sale cannot go through (no liquidity at the snapshot).</summary>
    bool HasLiquidity { get; }
}
