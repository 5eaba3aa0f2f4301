using DefiRisk.Chain.Deployments;
using DefiRisk.Chain.Protocols.Common.ContractDefinition;
using DefiRisk.Chain.Protocols.UniswapV2.ContractDefinition;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core.Domain;

namespace DefiRisk.Chain.Protocols.UniswapV2;

/// <summary>
/// Uniswap v2 liquidity at one block: the manifest's pairs, plus (when a factory is configured)
/// <c>factory.getPair</c> for every pair of the snapshot's assets — the pools seized collateral can be sold into.
/// </summary>
internal static class UniswapV2Adapter
{
    public static async Task<List<UniswapV2Pool>> ReadAsync(EthRpc rpc, UniswapV2Deployment d, IReadOnlyList<Address> assets, long block, CancellationToken ct)
    {
        var batch = new ReadBatch();
        var pairs = d.Pairs.Select(p => p.ToLowerInvariant()).ToHashSet();
        if (d.Factory is { } factory)
        {
            var lookups = new List<Reply<AddressOutput>>();
            for (var i = 0; i < assets.Count; i++)
                for (var j = i + 1; j < assets.Count; j++)
                    lookups.Add(batch.Add<GetPairFunction, AddressOutput>(factory, new() { TokenA = assets[i].Value, TokenB = assets[j].Value }));
            await batch.ExecuteAsync(rpc, block, ct);
            foreach (var l in lookups)
                if (l.Value.Value is { } pair && !Address.Parse(pair).IsZero) pairs.Add(pair.ToLowerInvariant());
        }

        var ordered = pairs.Order(StringComparer.Ordinal).ToList();
        var reads = ordered.Select(p => (
            Token0: batch.Add<Token0Function, AddressOutput>(p, new()),
            Token1: batch.Add<Token1Function, AddressOutput>(p, new()),
            Reserves: batch.Add<GetReservesFunction, GetReservesOutput>(p, new()))).ToList();
        await batch.ExecuteAsync(rpc, block, ct);
        return ordered.Select((p, i) => new UniswapV2Pool(Address.Parse(p), Address.Parse(reads[i].Token0.Value.Value),
            Address.Parse(reads[i].Token1.Value.Value), reads[i].Reserves.Value.Reserve0, reads[i].Reserves.Value.Reserve1)).ToList();
    }
}
