using System.Diagnostics;
using System.Numerics;
using DefiRisk.Chain.Deployments;
using DefiRisk.Chain.Protocols.AaveV3;
using DefiRisk.Chain.Protocols.Common;
using DefiRisk.Chain.Protocols.MorphoBlue;
using DefiRisk.Chain.Protocols.UniswapV2;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Indexing;

namespace DefiRisk.Chain.Indexing;

/// <summary>What an index run produced, with the counters the CLI and the benchmark print.</summary>
public sealed record IndexResult(Snapshot Snapshot, TimeSpan Elapsed, long HttpRequests, long EthCalls, long LogRequests, long Retries, int DiscoveredAccounts,
    long RateLimited = 0, long LogRangeRefusals = 0);

/// <summary>
/// Builds a <see cref="Snapshot"/> of the deployments in a manifest at ONE block: validate the node
/// (chain id, contract code at the block), discover borrowers from logs (checkpointed in
/// <see cref="IDiscoveryStore"/>), then read every protocol's state at that block. Nothing is written to
/// the snapshot store here: the caller writes the finished snapshot in one transaction.
/// </summary>
public sealed class Indexer(EthRpc rpc, IDiscoveryStore discovery, IProgress<IndexProgress>? progress = null)
{
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
        var (number, timestamp) = await rpc.GetBlockAsync(block ?? manifest.Block, ct);
        await ValidateCodeAsync(manifest, number, ct);

        await DiscoverAsync(manifest, chainId, number, ct);

        // State at the pinned block.
        var aaveStates = new List<AaveV3MarketState>();
        var assets = new Dictionary<Address, Asset>();
        var aaveAccounts = discovery.GetAccounts(chainId, AaveV3Adapter.Protocol);
        var discovered = aaveAccounts.Count;
        foreach (var aave in manifest.AaveV3.OrderBy(a => a.Pool.ToLowerInvariant(), StringComparer.Ordinal))
        {
            var pool = aave.Pool.ToLowerInvariant();
            var users = aaveAccounts.Where(a => a.Market == pool).Select(a => a.Account).ToList();
            var (state, poolAssets) = await AaveV3Adapter.ReadAsync(rpc, aave, users, number, progress, ct);
            aaveStates.Add(state);
            foreach (var a in poolAssets) assets.TryAdd(a.Address, a); // the first pool's oracle wins for shared assets
        }

        var morphoStates = new List<MorphoBlueState>();
        if (manifest.MorphoBlue is { } morpho)
        {
            var found = discovery.GetAccounts(chainId, MorphoBlueAdapter.Protocol);
            discovered += found.Count(a => a.Account.Length > 0);
            var state = await MorphoBlueAdapter.ReadAsync(rpc, morpho, found, number, timestamp, progress, ct);
            morphoStates.Add(state);
            await AddMorphoAssetsAsync(state, assets, number, ct);
        }

        var pools = manifest.UniswapV2 is { } uni
            ? await UniswapV2Adapter.ReadAsync(rpc, uni, assets.Keys.Order().ToList(), number, ct)
            : [];

        var named = AssetNames.Assign(assets.Values.OrderBy(a => a.Address).ToList(), ListedAssets(manifest, aaveStates, morphoStates));
        var snapshot = new Snapshot(new ChainPoint(chainId, number, timestamp), named, aaveStates, morphoStates, pools);
        return new IndexResult(snapshot, clock.Elapsed, rpc.Stats.HttpRequests - http0, rpc.Stats.EthCalls - calls0,
            rpc.Stats.LogRequests - logs0, rpc.Stats.Retries - retries0, discovered, rpc.Stats.RateLimited - limited0, rpc.Stats.LogRangeRefusals - refused0);
    }

    /// <summary>
    /// The assets of the configured deployments, which keep their bare symbol on a clash (<see cref="AssetNames"/>): every
    /// Aave reserve, and the tokens of the Morpho markets the manifest lists (with no list, every market is read, and none
    /// of their tokens is vouched for by the configuration).
    /// </summary>
    private static HashSet<Address> ListedAssets(DeploymentManifest manifest, List<AaveV3MarketState> aave, List<MorphoBlueState> morpho)
    {
        var listed = aave.SelectMany(s => s.Market.Reserves).Select(r => r.Asset).ToHashSet();
        var markets = manifest.MorphoBlue?.Markets.Select(m => m.ToLowerInvariant()).ToHashSet() ?? [];
        foreach (var m in morpho.SelectMany(s => s.Markets).Where(m => markets.Contains(m.Id)))
        {
            listed.Add(m.LoanToken);
            listed.Add(m.CollateralToken);
        }
        return listed;
    }

    /// <summary>
    /// Borrower and market discovery alone, from logs up to <paramref name="block"/> (resumable: each contract continues
    /// after its checkpoint in the discovery store). One scanner serves every contract, so the log range the node
    /// accepted for one is where the next starts.
    /// </summary>
    public async Task DiscoverAsync(DeploymentManifest manifest, long chainId, long block, CancellationToken ct)
    {
        var scanner = new LogScanner(rpc, discovery, chainId, progress);
        foreach (var aave in manifest.AaveV3) await AaveV3Adapter.DiscoverAsync(scanner, aave, block, ct);
        if (manifest.MorphoBlue is { } morphoDeployment) await MorphoBlueAdapter.DiscoverAsync(scanner, morphoDeployment, block, ct);
    }

    /// <summary>
    /// Every contract the indexer reads must have code at the block: a wrong address or a block before deployment fails
    /// here, before anything is written. The data provider is only recorded, not read, and mainnet has replaced it several
    /// times, so requiring today's one at an old fork block would refuse a valid fork: it is not checked.
    /// </summary>
    private async Task ValidateCodeAsync(DeploymentManifest manifest, long block, CancellationToken ct)
    {
        var checks = new List<(string Address, string Key)>();
        foreach (var a in manifest.AaveV3)
        {
            checks.Add((a.Pool, "aave-v3.pool"));
            checks.Add((a.Oracle, "aave-v3.oracle"));
            if (a.PoolAddressesProvider is { } p) checks.Add((p, "aave-v3.poolAddressesProvider"));
        }
        if (manifest.MorphoBlue is { } m) checks.Add((m.Morpho, "morpho-blue.morpho"));
        if (manifest.UniswapV2 is { } u)
        {
            if (u.Factory is { } f) checks.Add((f, "uniswap-v2.factory"));
            checks.AddRange(u.Pairs.Select(p => (p, "uniswap-v2.pairs")));
        }
        foreach (var (address, key) in checks)
            if (!await rpc.HasCodeAsync(address, block, ct))
                throw new DefiRiskException($"no contract code at {address} ({key}) at block {block}", ExitCodes.ChainError);
    }

    /// <summary>
    /// Morpho tokens that no Aave pool prices: symbol and decimals from the token, and a USD price derived
    /// through the market's oracle from the other side when that side has one (else 0: unpriced).
    /// </summary>
    private async Task AddMorphoAssetsAsync(MorphoBlueState state, Dictionary<Address, Asset> assets, long block, CancellationToken ct)
    {
        var missing = state.Markets.SelectMany(m => new[] { m.LoanToken, m.CollateralToken }).Distinct().Where(t => !assets.ContainsKey(t)).Order().ToList();
        if (missing.Count == 0) return;
        var batch = new ReadBatch();
        var meta = missing.ToDictionary(t => t, t => Erc20Reads.Add(batch, t.Value));
        await batch.ExecuteAsync(rpc, block, ct);
        foreach (var token in missing)
        {
            BigInteger price = 0;
            foreach (var m in state.Markets.Where(m => m.CollateralToken == token))
                if (assets.TryGetValue(m.LoanToken, out var loan))
                {
                    price = MorphoBlueAdapter.CollateralUsd8(m, loan.PriceUsd, meta[token].Decimals, loan.Decimals);
                    break;
                }
            assets[token] = new Asset(token, meta[token].Symbol(token), meta[token].Decimals, price, AssetOracle.MarketFeed(Address.Zero));
        }
    }
}
