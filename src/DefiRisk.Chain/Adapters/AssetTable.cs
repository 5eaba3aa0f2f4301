using DefiRisk.Core.Domain;

namespace DefiRisk.Chain.Adapters;

/// <summary>
/// The snapshot's assets as an index run collects them: lending adapters add, in registry order, the assets they know
/// (the first to add an asset sets its price and oracle), and venues read their pools among the result.
/// </summary>
public sealed class AssetTable
{
    private readonly Dictionary<Address, Asset> _assets = [];

    public int Count => _assets.Count;

    /// <summary>Adds <paramref name="asset"/> unless an earlier adapter (or pool) already did; false when it was known.</summary>
    public bool TryAdd(Asset asset) => _assets.TryAdd(asset.Address, asset);

    public bool Contains(Address address) => _assets.ContainsKey(address);

    public bool TryGet(Address address, out Asset asset) => _assets.TryGetValue(address, out asset!);

    /// <summary>The addresses in ascending order.</summary>
    public IReadOnlyList<Address> Addresses() => _assets.Keys.Order().ToList();

    /// <summary>The assets by ascending address (the snapshot's order).</summary>
    public IReadOnlyList<Asset> Ordered() => _assets.Values.OrderBy(a => a.Address).ToList();
}
