using System.Numerics;

namespace DefiRisk.Core.Domain;

/// <summary>
/// Everything the analyser knows about one chain at one pinned block: assets and their oracle prices, one book per
/// lending-protocol family (its markets with their risk parameters and every indexed position), and one book per
/// liquidity venue (the pools seized collateral is sold into). All amounts are exact integers in the unit the
/// contracts use. Loaded by storage, produced by the indexer; the analyser only reads it. The order of
/// <see cref="Books"/> is the order protocols are listed in (and the last tie-break among equally healthy positions).
/// <see cref="PriceHistory"/>: the market feeds' oracle rounds read back over a horizon before the block (null: not read).
/// </summary>
public sealed record Snapshot(
    ChainPoint Chain,
    IReadOnlyList<Asset> Assets,
    IReadOnlyList<IProtocolBook> Books,
    IReadOnlyList<IVenueBook> Venues,
    IReadOnlyList<OracleHistory>? PriceHistory = null)
{
    // Indexes are rebuilt in the init accessors so that `with { Assets = … }` never keeps a stale one.
    private Dictionary<Address, Asset> _assets = Assets.ToDictionary(a => a.Address);

    public IReadOnlyList<Asset> Assets
    {
        get;
        init { field = value; _assets = value.ToDictionary(a => a.Address); }
    } = Assets;

    public Asset Asset(Address address) =>
        _assets.TryGetValue(address, out var a) ? a : throw new DefiRiskException($"asset {address} is not in the snapshot");

    public Asset? FindAsset(Address address) => _assets.GetValueOrDefault(address);

    /// <summary>
    /// Finds an asset by display name (case-insensitive) or address text; null when neither matches. A bare symbol shared
    /// only by suffixed look-alikes is refused, listing them (<see cref="AssetNames.Find"/>).
    /// </summary>
    public Asset? FindAsset(string symbolOrAddress) => AssetNames.Find(Assets, symbolOrAddress);

    public int PositionCount => Books.Sum(b => b.PositionCount);

    /// <summary>The book of one family (by its type); null when the snapshot has none.</summary>
    public T? Book<T>() where T : class, IProtocolBook => Books.OfType<T>().FirstOrDefault();

    /// <summary>The venue book of one kind (by its type); null when the snapshot has none.</summary>
    public T? Venue<T>() where T : class, IVenueBook => Venues.OfType<T>().FirstOrDefault();

    /// <summary>This snapshot with <paramref name="book"/> in place of the book of the same type (appended when absent).</summary>
    public Snapshot WithBook<T>(T book) where T : class, IProtocolBook
    {
        var books = Books.ToList();
        var i = books.FindIndex(b => b is T);
        if (i >= 0) books[i] = book; else books.Add(book);
        return this with { Books = books };
    }
}

/// <summary>The pinned block every value in a snapshot was read at.</summary>
public sealed record ChainPoint(long ChainId, long BlockNumber, long BlockTimestamp);

/// <summary>
/// An ERC-20 as the lending protocols see it. <see cref="PriceUsd"/> is the oracle price in USD with
/// 8 decimals (Aave's mainnet base currency unit, Chainlink's USD feeds), the common numeraire the
/// analyser shocks. <see cref="Symbol"/> is the display name, unique per snapshot: the on-chain symbol, suffixed
/// <c>·0x1234ab</c> when an unlisted token shares it (<see cref="AssetNames"/>). It comes from the chain: untrusted, escape it in every report.
/// </summary>
public sealed record Asset(Address Address, string Symbol, int Decimals, BigInteger PriceUsd, AssetOracle Oracle);

public enum OracleKind
{
    /// <summary>A market feed (Chainlink-style): follows the asset's market price.</summary>
    Market,
    /// <summary>
    /// An exchange-rate oracle (Aave CAPO adapters, Morpho ERC-4626 oracles): price = ratio × the base
    /// asset's feed, so a secondary-market depeg of the asset alone does not move it.
    /// </summary>
    ExchangeRate,
}

/// <summary>
/// How an asset's oracle price is formed. For <see cref="OracleKind.ExchangeRate"/>,
/// price = <see cref="Ratio"/> / 10^<see cref="RatioDecimals"/> × price of <see cref="BaseAsset"/>.
/// </summary>
public sealed record AssetOracle(OracleKind Kind, Address Source, Address? BaseAsset = null, BigInteger? Ratio = null, int RatioDecimals = 18)
{
    public static AssetOracle MarketFeed(Address source) => new(OracleKind.Market, source);
}
