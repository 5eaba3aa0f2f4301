using System.Text.Json.Nodes;
using DefiRisk.Core.Domain;

namespace DefiRisk.Chain.Adapters;

/// <summary>An adapter typed by its section record: the untyped <see cref="IChainAdapter"/> members cast once, here.</summary>
public abstract class ChainAdapter<TSection> : IChainAdapter where TSection : class, IDeploymentSection
{
    public abstract string Key { get; }

    public abstract TSection Parse(JsonNode section, string source);

    public abstract IEnumerable<(string Address, string KeyPath)> ContractsWithCode(TSection section);

    public virtual Task DiscoverAsync(TSection section, ILogScanner scanner, long block, CancellationToken ct) => Task.CompletedTask;

    IDeploymentSection IChainAdapter.ParseSection(JsonNode section, string source) => Parse(section, source);

    IEnumerable<(string Address, string KeyPath)> IChainAdapter.ContractsWithCode(IDeploymentSection section) => ContractsWithCode(Cast(section));

    Task IChainAdapter.DiscoverAsync(IDeploymentSection section, ILogScanner scanner, long block, CancellationToken ct) =>
        DiscoverAsync(Cast(section), scanner, block, ct);

    protected TSection? CastOrNull(IDeploymentSection? section) => section is null ? null : Cast(section);

    private TSection Cast(IDeploymentSection section) => section as TSection
        ?? throw new ArgumentException($"{Key} adapter was handed a {section.GetType().Name} section", nameof(section));
}

/// <summary>A lending family's adapter typed by its section record.</summary>
public abstract class LendingAdapter<TSection> : ChainAdapter<TSection>, ILendingAdapter where TSection : class, IDeploymentSection
{
    /// <param name="section">null when the manifest has no section for the family: return an empty book.</param>
    public abstract Task<LendingRead> ReadAsync(TSection? section, AssetTable assets, IBlockReader reader, CancellationToken ct);

    Task<LendingRead> ILendingAdapter.ReadAsync(IDeploymentSection? section, AssetTable assets, IBlockReader reader, CancellationToken ct) =>
        ReadAsync(CastOrNull(section), assets, reader, ct);
}

/// <summary>A venue's adapter typed by its section record.</summary>
public abstract class VenueAdapter<TSection> : ChainAdapter<TSection>, IVenueAdapter where TSection : class, IDeploymentSection
{
    /// <param name="section">null when the manifest has no section for the venue: return an empty book.</param>
    public abstract Task<IVenueBook> ReadAsync(TSection? section, IReadOnlyList<Address> assets, IBlockReader reader, CancellationToken ct);

    Task<IVenueBook> IVenueAdapter.ReadAsync(IDeploymentSection? section, IReadOnlyList<Address> assets, IBlockReader reader, CancellationToken ct) =>
        ReadAsync(CastOrNull(section), assets, reader, ct);

    /// <summary>Calls that ride in the read phase's first request (see <see cref="IVenueAdapter.PrepareRead"/>); none unless the venue says otherwise.</summary>
    public virtual void PrepareRead(TSection? section, IBlockReader reader) { }

    void IVenueAdapter.PrepareRead(IDeploymentSection? section, IBlockReader reader) => PrepareRead(CastOrNull(section), reader);

    /// <summary>The book bound to the named assets (see <see cref="IVenueAdapter.Bind"/>); as read unless the venue says otherwise.</summary>
    public virtual IVenueBook Bind(TSection? section, IVenueBook book, IReadOnlyList<Asset> assets, IReadOnlyList<IVenueBook> venues) => book;

    IVenueBook IVenueAdapter.Bind(IDeploymentSection? section, IVenueBook book, IReadOnlyList<Asset> assets, IReadOnlyList<IVenueBook> venues) =>
        Bind(CastOrNull(section), book, assets, venues);
}
