using System.Text.Json.Nodes;
using DefiRisk.Core.Domain;

namespace DefiRisk.Chain.Adapters;

/// <summary>
/// What the indexer asks of one protocol family's or venue's chain adapter: its section of a deployments manifest
/// (parse and validate it, name the contracts that must have code at the block), borrower or pool discovery from
/// logs, and its part of the snapshot read at the pinned block. The family's folder (<c>Protocols/&lt;Family&gt;/</c> or
/// <c>Venues/&lt;Kind&gt;/</c>) implements it and <c>ChainRegistry</c> lists it; the indexer never names a family.
/// </summary>
public interface IChainAdapter
{
    /// <summary>The manifest key of its section ("aave-v3", …), also the prefix of every key path its errors name.</summary>
    string Key { get; }

    /// <summary>
    /// Parses and validates the section; any problem is one <see cref="Core.DefiRiskException"/> line
    /// "malformed deployments file SOURCE: KEY.PATH …" (see <see cref="DeploymentSectionJson"/>).
    /// </summary>
    IDeploymentSection ParseSection(JsonNode section, string source);

    /// <summary>Every contract the adapter reads that must have code at the block, with its key path for the error.</summary>
    IEnumerable<(string Address, string KeyPath)> ContractsWithCode(IDeploymentSection section);

    /// <summary>Discovery from logs up to <paramref name="block"/> (resumable through the scanner's checkpoints).</summary>
    Task DiscoverAsync(IDeploymentSection section, ILogScanner scanner, long block, CancellationToken ct);
}

/// <summary>A lending-protocol family's chain adapter.</summary>
public interface ILendingAdapter : IChainAdapter
{
    /// <summary>
    /// Reads the family's book at the pinned block (an empty book when the manifest has no section for it) and adds the
    /// assets it knows to <paramref name="assets"/> with <see cref="AssetTable.TryAdd"/>: lending adapters run in registry
    /// order, so an asset an earlier family priced keeps that price.
    /// </summary>
    Task<LendingRead> ReadAsync(IDeploymentSection? section, AssetTable assets, IBlockReader reader, CancellationToken ct);
}

/// <summary>A lending family's part of an index run: its book and how many discovered accounts it counted.</summary>
/// <param name="Listed">
/// The assets the configured deployment itself lists (a pool's reserves, the tokens of markets the manifest names): on a
/// symbol clash they keep the bare symbol and any other token is shown with its address prefix (<see cref="AssetNames"/>).
/// null: the family vouches for none of the assets it added.
/// </param>
/// <param name="Warnings">What the family skipped rather than abort on (<see cref="Core.Indexing.IndexWarning"/>); null: nothing.</param>
public sealed record LendingRead(IProtocolBook Book, int DiscoveredAccounts, IReadOnlySet<Address>? Listed = null,
    IReadOnlyList<Core.Indexing.IndexWarning>? Warnings = null);

/// <summary>A liquidity venue's chain adapter. Venues are read after every lending book, with the snapshot's asset list.</summary>
public interface IVenueAdapter : IChainAdapter
{
    /// <summary>Reads the venue's pools among <paramref name="assets"/> (ordered) at the pinned block; an empty book without a section.</summary>
    Task<IVenueBook> ReadAsync(IDeploymentSection? section, IReadOnlyList<Address> assets, IBlockReader reader, CancellationToken ct);

    /// <summary>Before the first round of the read phase: calls the venue can send without reading anything first ride along (<see cref="IBlockReader.Ride"/>).</summary>
    void PrepareRead(IDeploymentSection? section, IBlockReader reader) { }

    /// <summary>
    /// Once every book is read and the assets are named: a venue stated against the snapshot's prices (depth configured in
    /// USD, off the chain) binds its book to them here; <paramref name="venues"/> is every venue's book as read, in registry
    /// order (which assets have a venue). Venues read from the chain return the book as read.
    /// </summary>
    IVenueBook Bind(IDeploymentSection? section, IVenueBook book, IReadOnlyList<Asset> assets, IReadOnlyList<IVenueBook> venues) => book;
}
