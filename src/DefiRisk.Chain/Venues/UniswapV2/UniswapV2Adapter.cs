using System.Text.Json.Nodes;
using DefiRisk.Chain.Adapters;
using DefiRisk.Chain.Contracts.ContractDefinition;
using DefiRisk.Chain.Rpc;
using DefiRisk.Chain.Venues.UniswapV2.ContractDefinition;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Venues.UniswapV2;

namespace DefiRisk.Chain.Venues.UniswapV2;

/// <summary>
/// Uniswap v2 liquidity at one block: the manifest's pairs, plus (when a factory is configured)
/// <c>factory.getPair</c> for every pair of the snapshot's assets — or, with <c>quotes</c>, for every asset against each
/// quote token only — the pools seized collateral can be sold into.
/// </summary>
public sealed class UniswapV2Adapter : VenueAdapter<UniswapV2Deployment>
{
    public override string Key => UniswapV2Book.Name;

    public override UniswapV2Deployment Parse(JsonNode section, string source)
    {
        var d = DeploymentSectionJson.Deserialize<UniswapV2Deployment>(section, Key, source);
        if (d.Factory is not null) DeploymentSectionJson.RequireAddress(d.Factory, $"{Key}.factory", source);
        foreach (var p in d.Pairs) DeploymentSectionJson.RequireAddress(p, $"{Key}.pairs", source);
        foreach (var q in d.Quotes) DeploymentSectionJson.RequireAddress(q, $"{Key}.quotes", source);
        if (d.Quotes.Count > 0 && d.Factory is null) throw DeploymentSectionJson.Malformed(source, $"{Key}.quotes needs {Key}.factory");
        return d;
    }

    public override IEnumerable<(string Address, string KeyPath)> ContractsWithCode(UniswapV2Deployment section)
    {
        if (section.Factory is { } f) yield return (f, $"{Key}.factory");
        foreach (var p in section.Pairs) yield return (p, $"{Key}.pairs");
    }

    public override async Task<IVenueBook> ReadAsync(UniswapV2Deployment? d, IReadOnlyList<Address> assets, IBlockReader reader, CancellationToken ct)
    {
        if (d is null) return new UniswapV2Book([]);
        var batch = new ReadBatch();
        var pairs = d.Pairs.Select(p => p.ToLowerInvariant()).ToHashSet();
        // The listed pairs are read in the same round as the factory lookups; a second round only for pairs the factory adds.
        var reads = pairs.ToDictionary(p => p, p => AddPairReads(batch, p));
        var lookups = new List<Reply<AddressOutput>>();
        if (d.Factory is { } factory)
        {
            var quotes = d.Quotes.Select(q => Address.Parse(q)).ToHashSet(); // none listed: every pair of the assets
            for (var i = 0; i < assets.Count; i++)
                for (var j = i + 1; j < assets.Count; j++)
                    if (quotes.Count == 0 || quotes.Contains(assets[i]) || quotes.Contains(assets[j]))
                        lookups.Add(batch.Add<GetPairFunction, AddressOutput>(factory, new() { TokenA = assets[i].Value, TokenB = assets[j].Value }));
        }
        await reader.ExecuteAsync(batch, ct);
        foreach (var l in lookups)
            if (l.Value.Value is { } pair && !Address.Parse(pair).IsZero && pairs.Add(pair.ToLowerInvariant()))
                reads[pair.ToLowerInvariant()] = AddPairReads(batch, pair.ToLowerInvariant());
        await reader.ExecuteAsync(batch, ct);

        var ordered = pairs.Order(StringComparer.Ordinal).ToList();
        return new UniswapV2Book(ordered.Select(p => new UniswapV2Pool(Address.Parse(p), Address.Parse(reads[p].Token0.Value.Value),
            Address.Parse(reads[p].Token1.Value.Value), reads[p].Reserves.Value.Reserve0, reads[p].Reserves.Value.Reserve1)).ToList());
    }

    private static (Reply<AddressOutput> Token0, Reply<AddressOutput> Token1, Reply<GetReservesOutput> Reserves) AddPairReads(ReadBatch batch, string pair) =>
        (batch.Add<Token0Function, AddressOutput>(pair, new()), batch.Add<Token1Function, AddressOutput>(pair, new()),
            batch.Add<GetReservesFunction, GetReservesOutput>(pair, new()));
}
