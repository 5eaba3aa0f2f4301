using System.Diagnostics;
using DefiRisk.Chain.Adapters;
using DefiRisk.Chain.Deployments;
using DefiRisk.Chain.Registry;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Indexing;

namespace DefiRisk.Chain.Indexing;

/// <summary>What an index run produced, with the counters the CLI and the benchmark print.</summary>
public sealed record IndexResult(Snapshot Snapshot, TimeSpan Elapsed, long HttpRequests, long EthCalls, long LogRequests, long Retries, int DiscoveredAccounts,
    long RateLimited = 0, long LogRangeRefusals = 0, IReadOnlyList<IndexWarning>? Warnings = null, ReadPhase? Read = null)
{
    /// <summary>What the lending adapters, then the venues, skipped instead of aborting, in registry order.</summary>
    public IReadOnlyList<IndexWarning> Warnings { get; init; } = Warnings ?? [];
}

/// <summary>
/// The read phase alone (state at the pinned block, after discovery): its time, eth_calls and HTTP requests, and the eth_calls
/// a resumed index took from the read checkpoint instead.
/// </summary>
public sealed record ReadPhase(TimeSpan Elapsed, long EthCalls, long HttpRequests, long CheckpointedCalls = 0);

/// <summary>
/// Builds a <see cref="Snapshot"/> of the deployments in a manifest at ONE block: validate the node
/// (chain id, contract code at the block), discover borrowers from logs (checkpointed in
/// <see cref="IDiscoveryStore"/>), then read every registered adapter's state at that block. Nothing is written to
/// the snapshot store here: the caller writes the finished snapshot in one transaction.
/// </summary>
/// <param name="lending">The lending adapters in order (default: <see cref="ChainRegistry.Lending"/>).</param>
/// <param name="venues">The venue adapters in order (default: <see cref="ChainRegistry.Venues"/>).</param>
/// <param name="checkpoint">where the read phase keeps completed requests, so a failed index resumes (null: none).</param>
public sealed class Indexer(EthRpc rpc, IDiscoveryStore discovery, IProgress<IndexProgress>? progress = null,
    IReadOnlyList<ILendingAdapter>? lending = null, IReadOnlyList<IVenueAdapter>? venues = null, IReadCheckpoint? checkpoint = null)
{
    private readonly IReadOnlyList<ILendingAdapter> _lending = lending ?? ChainRegistry.Lending;
    private readonly IReadOnlyList<IVenueAdapter> _venues = venues ?? ChainRegistry.Venues;

    /// <param name="block">null: the manifest's <c>block</c> if present, else the node's latest block.</param>
    /// <param name="source">where the manifest came from, for messages.</param>
    public async Task<IndexResult> IndexAsync(DeploymentManifest manifest, string source, long? block, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var (calls0, http0, logs0, retries0) = (rpc.Stats.EthCalls, rpc.Stats.HttpRequests, rpc.Stats.LogRequests, rpc.Stats.Retries);
        var (limited0, refused0) = (rpc.Stats.RateLimited, rpc.Stats.LogRangeRefusals);

        var chainId = await rpc.ChainIdAsync(ct);
        if (chainId != manifest.ChainId)
            throw new DefiRiskException($"chain id {chainId} does not match deployments file {source} ({manifest.ChainId})", ExitCodes.ChainError);
        // A captured fork holds one block and no logs: its manifest carries discovery, which stands in for the database's.
        var found = discovery;
        if (manifest.Capture is { } capture)
        {
            // A later block can only have been mined on the loaded capture itself (a review's payload block): its state is the capture's plus what that block did.
            if (block is { } asked && asked < manifest.Block)
                throw new DefiRiskException($"{source} is a capture of block {manifest.Block}; it holds no other block (asked for {asked})");
            found = MemoryDiscoveryStore.From(chainId, capture);
        }
        var (number, timestamp) = await rpc.GetBlockAsync(block ?? manifest.Block, ct);
        await ValidateCodeAsync(manifest, Adapters, number, ct);

        await DiscoverAsync(manifest, chainId, number, found, ct);

        // State at the pinned block: lending books in registry order, each adding the assets it knows (the first to
        // price an asset wins), then the venues among all the assets.
        var reader = new BlockReader(rpc, found, progress, chainId, number, timestamp, checkpoint is null ? null : new ReadCheckpointScope(checkpoint, chainId));
        var (readStart, readCalls0, readHttp0, kept0) = (clock.Elapsed, rpc.Stats.EthCalls, rpc.Stats.HttpRequests, rpc.Stats.CheckpointedCalls);
        foreach (var adapter in _venues) adapter.PrepareRead(manifest.Section(adapter.Key), reader);
        var assets = new AssetTable();
        var books = new List<IProtocolBook>();
        var discovered = 0;
        var listed = new HashSet<Address>();
        var warnings = new List<IndexWarning>();
        foreach (var lendingRead in await ReadLendingAsync(manifest, assets, reader, ct))
        {
            books.Add(lendingRead.Book);
            discovered += lendingRead.DiscoveredAccounts;
            if (lendingRead.Listed is { } vouched) listed.UnionWith(vouched);
            if (lendingRead.Warnings is { } skipped) warnings.AddRange(skipped);
        }
        var addresses = assets.Addresses();
        var venueBooks = new List<IVenueBook>();
        foreach (var adapter in _venues)
            venueBooks.Add(await adapter.ReadAsync(manifest.Section(adapter.Key), addresses, reader, ct));
        warnings.AddRange(reader.Warnings);
        await reader.SavedAsync(); // the checkpoint's saves, written behind the reads, are in before the snapshot can be written

        var read = new ReadPhase(clock.Elapsed - readStart, rpc.Stats.EthCalls - readCalls0, rpc.Stats.HttpRequests - readHttp0, rpc.Stats.CheckpointedCalls - kept0);
        var named = AssetNames.Assign(assets.Ordered(), listed);
        for (var i = 0; i < venueBooks.Count; i++) venueBooks[i] = _venues[i].Bind(manifest.Section(_venues[i].Key), venueBooks[i], named, venueBooks);
        var snapshot = new Snapshot(new ChainPoint(chainId, number, timestamp), named, books, venueBooks);
        return new IndexResult(snapshot, clock.Elapsed, rpc.Stats.HttpRequests - http0, rpc.Stats.EthCalls - calls0,
            rpc.Stats.LogRequests - logs0, rpc.Stats.Retries - retries0, discovered, rpc.Stats.RateLimited - limited0, rpc.Stats.LogRangeRefusals - refused0, warnings, read);
    }

    /// <summary>
    /// Borrower and market discovery alone, from logs up to <paramref name="block"/> (resumable: each contract continues
    /// after its checkpoint in the discovery store). One scanner serves every contract, so the log range the node
    /// accepted for one is where the next starts.
    /// </summary>
    public Task DiscoverAsync(DeploymentManifest manifest, long chainId, long block, CancellationToken ct) =>
        DiscoverAsync(manifest, chainId, block, discovery, ct);

    private async Task DiscoverAsync(DeploymentManifest manifest, long chainId, long block, IDiscoveryStore store, CancellationToken ct)
    {
        var scanner = new LogScanner(rpc, store, chainId, progress);
        foreach (var adapter in Adapters)
            if (manifest.Section(adapter.Key) is { } section)
                await adapter.DiscoverAsync(section, scanner, block, ct);
    }

    /// <summary>
    /// Every lending family's read, in registry order. They run at once: a family sends its first rounds (markets, positions)
    /// while the ones before it read, and the node answers the requests on separate cores, where one after the other left one
    /// core idle; each looks at the asset table only once the families before it are done (<see cref="AssetTable.After"/>).
    /// The first failure ends the others and is the one reported, the earliest family's when several fail.
    /// </summary>
    private async Task<LendingRead[]> ReadLendingAsync(DeploymentManifest manifest, AssetTable assets, BlockReader reader, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reads = new List<Task<LendingRead>>();
        Task earlier = Task.CompletedTask;
        foreach (var adapter in _lending)
        {
            var read = ReadOneAsync(adapter, assets.After(earlier));
            reads.Add(read);
            earlier = read;
        }
        try
        {
            return await Task.WhenAll(reads);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // A family ended by another's failure (cancelled, or rethrowing it from the wait) does not hide that failure.
            var first = reads.Select(r => r.Exception?.InnerException).FirstOrDefault(e => e is not null and not OperationCanceledException);
            if (first is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
            throw;
        }

        async Task<LendingRead> ReadOneAsync(ILendingAdapter adapter, AssetTable view)
        {
            try
            {
                return await adapter.ReadAsync(manifest.Section(adapter.Key), view, reader, stop.Token);
            }
            catch
            {
                await stop.CancelAsync();
                throw;
            }
        }
    }

    /// <summary>Every adapter in registry order: lending families, then venues.</summary>
    private IReadOnlyList<IChainAdapter> Adapters => [.. _lending, .. _venues];

    /// <summary>
    /// Every contract the indexer reads must have code at the block: a wrong address or a block before deployment fails
    /// here, before anything is written. Each adapter names its contracts (and may leave out ones it only records).
    /// </summary>
    private async Task ValidateCodeAsync(DeploymentManifest manifest, IReadOnlyList<IChainAdapter> adapters, long block, CancellationToken ct)
    {
        var checks = adapters.SelectMany(a => manifest.Section(a.Key) is { } s ? a.ContractsWithCode(s) : []).ToList();
        foreach (var (address, key) in checks)
            if (!await rpc.HasCodeAsync(address, block, ct))
                throw new DefiRiskException($"no contract code at {address} ({key}) at block {block}", ExitCodes.ChainError);
    }
}
