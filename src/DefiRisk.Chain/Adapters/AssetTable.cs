using DefiRisk.Core.Domain;

namespace DefiRisk.Chain.Adapters;

/// <summary>
/// The snapshot's assets as an index run collects them: lending adapters add, in registry order, the assets they know
/// (the first to add an asset sets its price and oracle), and venues read their pools among the result.
/// <para>
/// Lending adapters read at the same time (the node runs their requests on separate cores), so each gets its own view
/// (<see cref="After"/>): it may send reads at once, but looks at or adds to the table only after
/// <see cref="EarlierFamiliesReadAsync"/>, when every family before it in the registry has finished. That keeps "first in
/// registry order wins" exact; a view touched too early throws rather than race.
/// </para>
/// </summary>
public sealed class AssetTable
{
    private readonly Dictionary<Address, Asset> _shared;
    private readonly Task _earlier;

    public AssetTable() : this([], Task.CompletedTask) { }

    private AssetTable(Dictionary<Address, Asset> shared, Task earlier) => (_shared, _earlier) = (shared, earlier);

    /// <summary>The same table for a family that reads after the ones <paramref name="earlier"/> completes with.</summary>
    public AssetTable After(Task earlier) => new(_shared, earlier);

    /// <summary>Waits until every earlier family's read has finished (rethrowing its failure): the table is then settled for this family.</summary>
    public Task EarlierFamiliesReadAsync() => _earlier;

    private Dictionary<Address, Asset> Assets => _earlier.IsCompletedSuccessfully ? _shared
        : throw new InvalidOperationException("the asset table was used before the earlier lending families finished reading: await EarlierFamiliesReadAsync first");

    public int Count => Assets.Count;

    /// <summary>Adds <paramref name="asset"/> unless an earlier adapter (or pool) already did; false when it was known.</summary>
    public bool TryAdd(Asset asset) => Assets.TryAdd(asset.Address, asset);

    public bool Contains(Address address) => Assets.ContainsKey(address);

    public bool TryGet(Address address, out Asset asset) => Assets.TryGetValue(address, out asset!);

    /// <summary>The addresses in ascending order.</summary>
    public IReadOnlyList<Address> Addresses() => Assets.Keys.Order().ToList();

    /// <summary>The assets by ascending address (the snapshot's order).</summary>
    public IReadOnlyList<Asset> Ordered() => Assets.Values.OrderBy(a => a.Address).ToList();
}
