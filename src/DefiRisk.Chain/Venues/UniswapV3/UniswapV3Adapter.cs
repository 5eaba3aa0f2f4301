using System.Text.Json.Nodes;
using DefiRisk.Chain.Adapters;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Venues.UniswapV3;

namespace DefiRisk.Chain.Venues.UniswapV3;

/// <summary>
/// Uniswap v3 liquidity at the pinned block: the configured pools, each read by <see cref="UniswapV3Reader"/> —
/// <c>slot0</c>, <c>liquidity</c>, fee, spacing, tokens, the bitmap words within the section's word radius of the
/// current tick (every word with <c>allWords</c>) and every initialized tick in them (liquidityNet, int128). Pools in address order.
/// </summary>
public sealed class UniswapV3Adapter : VenueAdapter<UniswapV3Deployment>
{
    public override string Key => UniswapV3Book.Name;

    public override UniswapV3Deployment Parse(JsonNode section, string source)
    {
        var d = DeploymentSectionJson.Deserialize<UniswapV3Deployment>(section, Key, source);
        foreach (var p in d.Pools) DeploymentSectionJson.RequireAddress(p, $"{Key}.pools", source);
        if (d.WordRadius is < 0 or > 7000)
            throw DeploymentSectionJson.Malformed(source, $"{Key}.wordRadius must be in [0, 7000], got {d.WordRadius}");
        if (d.Factory is not null) DeploymentSectionJson.RequireAddress(d.Factory, $"{Key}.factory", source);
        foreach (var q in d.Quotes) DeploymentSectionJson.RequireAddress(q, $"{Key}.quotes", source);
        if (d.Quotes.Count > 0 && d.Factory is null) throw DeploymentSectionJson.Malformed(source, $"{Key}.quotes needs {Key}.factory to compute the pools from");
        foreach (var fee in d.FeeTiers ?? [])
            if (fee is <= 0 or >= 1_000_000) throw DeploymentSectionJson.Malformed(source, $"{Key}.feeTiers: {fee} is not a fee in pips (0, 1000000)");
        if (d.PoolInitCodeHash is { } h && (h.Length != 66 || !h.StartsWith("0x", StringComparison.Ordinal) || !h[2..].All(Uri.IsHexDigit)))
            throw DeploymentSectionJson.Malformed(source, $"{Key}.poolInitCodeHash '{h}' is not a 32-byte hex hash");
        return d;
    }

    /// <summary>The configured pools and the factory; discovered pools are probed at the block instead (a missing one is a warning).</summary>
    public override IEnumerable<(string Address, string KeyPath)> ContractsWithCode(UniswapV3Deployment section) =>
        section.Pools.Select(p => (p, $"{Key}.pools")).Concat(section.Factory is { } f ? [(f, $"{Key}.factory")] : []);

    /// <summary>The listed pools need nothing read first: their lens calls ride in the read phase's first request.</summary>
    public override void PrepareRead(UniswapV3Deployment? d, IBlockReader reader)
    {
        if (d is null || d.Pools.Count == 0) return;
        var radius = WordRadius(d);
        reader.Ride(Key, ListedPools(d).Select(p => UniswapV3Lens.Call(p, radius)).ToList());
    }

    private static int? WordRadius(UniswapV3Deployment d) => d.AllWords ? null : d.WordRadius ?? UniswapV3Deployment.DefaultWordRadius;

    private static List<Address> ListedPools(UniswapV3Deployment d) => d.Pools.Select(p => Address.Parse(p)).Distinct().ToList();

    /// <summary>
    /// The pools through the lens: the listed ones from the calls that rode in an earlier request, any others in a round of
    /// their own. Null when any answer is not the lens's (a node without state overrides, a revert, a gas cap): the caller
    /// reads every pool with plain rounds, which give the same state or name the failure.
    /// </summary>
    private async Task<IReadOnlyList<UniswapV3Pool>?> ReadThroughLensAsync(UniswapV3Deployment d, IReadOnlyList<Address> pools, IBlockReader reader, CancellationToken ct)
    {
        var radius = WordRadius(d);
        var answers = new Dictionary<Address, CallResult>();
        if (await reader.RiddenAsync(Key, ct) is { } ridden)
        {
            var listed = ListedPools(d);
            for (var i = 0; i < listed.Count; i++) answers[listed[i]] = ridden[i];
        }
        var others = pools.Where(p => !answers.ContainsKey(p)).ToList();
        if (others.Count > 0)
        {
            var batch = new ReadBatch();
            foreach (var p in others) batch.AddCall(UniswapV3Lens.Call(p, radius), result => answers[p] = result);
            await reader.ExecuteAsync(batch, ct);
        }
        var read = new List<UniswapV3Pool>(pools.Count);
        foreach (var p in pools)
        {
            if (UniswapV3Lens.Decode(p, answers[p], radius) is not { } pool) return null;
            read.Add(pool);
        }
        return read;
    }

    public override async Task<IVenueBook> ReadAsync(UniswapV3Deployment? d, IReadOnlyList<Address> assets, IBlockReader reader, CancellationToken ct)
    {
        if (d is null) return new UniswapV3Book([]);
        var listed = d.Pools.Select(p => Address.Parse(p)).ToHashSet();
        var discovered = await UniswapV3Discovery.DiscoverAsync(d, assets, listed, reader, ct);
        if (listed.Count == 0 && discovered.Count == 0) return new UniswapV3Book([]);
        var pools = listed.Concat(discovered).Distinct().OrderBy(a => a.Value, StringComparer.Ordinal).ToList();
        reader.Report($"read {Key}", 0, pools.Count);
        var read = await ReadThroughLensAsync(d, pools, reader, ct)
            ?? await UniswapV3Reader.ReadAsync(batch => reader.ExecuteAsync(batch, ct), pools, reader.Block, WordRadius(d));
        reader.Report($"read {Key}", pools.Count, pools.Count, $"{read.Sum(p => p.State.Ticks.Count)} initialized ticks");
        return new UniswapV3Book(read);
    }
}
