using System.Globalization;
using DefiRisk.Chain.Adapters;
using DefiRisk.Chain.Contracts.ContractDefinition;
using DefiRisk.Chain.Rpc;
using DefiRisk.Chain.Venues.UniswapV3.ContractDefinition;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Indexing;
using DefiRisk.Core.Venues.UniswapV3;

namespace DefiRisk.Chain.Venues.UniswapV3;

/// <summary>
/// Pool discovery per fee tier: for every asset of the snapshot (what Aave and Morpho hold) and every quote token of the
/// section, the pool address at each fee tier by CREATE2 from the factory; one batched <c>liquidity()</c> per candidate at
/// the pinned block tells which are there. No code (the pool was never created: the call returns nothing) and zero in-range
/// liquidity are skipped, each kind counted in one warning per run, never an abort.
/// </summary>
internal static class UniswapV3Discovery
{
    public const string MissingKind = "v3-pool-missing", EmptyKind = "v3-pool-empty";

    public static async Task<IReadOnlyList<Address>> DiscoverAsync(UniswapV3Deployment d, IReadOnlyList<Address> assets, IReadOnlySet<Address> listed,
        IBlockReader reader, CancellationToken ct)
    {
        if (d.Factory is not { } f || d.Quotes.Count == 0) return [];
        var factory = Address.Parse(f);
        var quotes = d.Quotes.Select(q => Address.Parse(q)).Distinct().ToList();
        var tiers = d.FeeTiers ?? UniswapV3Deployment.DefaultFeeTiers;
        var candidates = new List<(Address Pool, Address A, Address B, int Fee)>();
        var seen = new HashSet<Address>(listed);
        foreach (var asset in assets.Concat(quotes).Distinct())
            foreach (var quote in quotes)
            {
                if (asset == quote) continue;
                foreach (var fee in tiers)
                {
                    var pool = UniswapV3PoolAddress.Compute(factory, asset, quote, fee, d.PoolInitCodeHash ?? UniswapV3PoolAddress.PoolInitCodeHash);
                    if (seen.Add(pool)) candidates.Add((pool, asset, quote, fee));
                }
            }
        if (candidates.Count == 0) return [];

        reader.Report("discover uniswap-v3 pools", 0, candidates.Count);
        var batch = new ReadBatch();
        var replies = candidates.Select(c => batch.Add<LiquidityFunction, Uint256Output>(c.Pool.Value, new())).ToList();
        await reader.ExecuteAsync(batch, ct);

        var found = new List<Address>();
        var missing = new Dictionary<int, int>();
        for (var i = 0; i < candidates.Count; i++)
        {
            var c = candidates[i];
            if (!replies[i].Ok) { missing[c.Fee] = missing.GetValueOrDefault(c.Fee) + 1; continue; }
            if (replies[i].Value.Value.IsZero)
            {
                reader.Warn(new IndexWarning(UniswapV3Book.Name, EmptyKind, c.Pool.Value,
                    $"pool {c.Pool} of {c.A}/{c.B} at fee {Tier(c.Fee)} has no in-range liquidity at block {reader.Block}: skipped"));
                continue;
            }
            found.Add(c.Pool);
        }
        var missed = missing.Values.Sum();
        if (missed > 0)
            reader.Warn(new IndexWarning(UniswapV3Book.Name, MissingKind, $"{missed} pools",
                $"{missed} of {candidates.Count} candidate pools (asset × {quotes.Count} quotes × {tiers.Count} fee tiers, by CREATE2 from {factory}) have no code at block {reader.Block}: skipped (" +
                string.Join(", ", missing.OrderBy(m => m.Key).Select(m => $"{m.Value} at {Tier(m.Key)}")) + ")"));
        reader.Report("discover uniswap-v3 pools", candidates.Count, candidates.Count, $"{found.Count} pools with liquidity");
        return found;
    }

    private static string Tier(int fee) => (fee / 10_000m).ToString("0.00##", CultureInfo.InvariantCulture) + " %";
}
