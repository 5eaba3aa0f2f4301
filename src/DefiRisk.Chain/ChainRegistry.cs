using DefiRisk.Chain.Adapters;
using DefiRisk.Chain.Protocols.AaveV3;
using DefiRisk.Chain.Protocols.MorphoBlue;
using DefiRisk.Chain.Venues.External;
using DefiRisk.Chain.Venues.UniswapV2;
using DefiRisk.Chain.Venues.UniswapV3;

namespace DefiRisk.Chain.Registry;

/// <summary>
/// The chain adapters, in one place: a protocol family or venue adds its line here. The order is the order the indexer
/// validates, discovers and reads them in, and the order of the snapshot's books: an asset two lending families list
/// takes the price of the first. Venues are read after every lending book.
/// </summary>
public static class ChainRegistry
{
    public static IReadOnlyList<ILendingAdapter> Lending { get; } =
    [
        new AaveV3Adapter(),
        new MorphoBlueAdapter(),
    ];

    public static IReadOnlyList<IVenueAdapter> Venues { get; } =
    [
        new UniswapV2Adapter(),
        new UniswapV3Adapter(),
        new ExternalMarketAdapter(),
    ];

    /// <summary>Every adapter: lending families, then venues.</summary>
    public static IReadOnlyList<IChainAdapter> All { get; } = [.. Lending, .. Venues];
}
