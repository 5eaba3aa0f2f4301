using DefiRisk.Core.Domain;

namespace DefiRisk.Core.Analysis;

/// <summary>
/// How an asset's market price is formed (issue 12 item 3). The default (<see cref="FirstPool"/>) is the model the
/// on-chain replay mirrors: a shock re-prices the first pool of the asset's route and the market price is read off that
/// route. <see cref="OnePrice"/>: one market price per asset —
/// <list type="bullet">
/// <item>After each round's sales the price at which arbitrage between all the asset's pools nets to zero in the asset,
/// each pool taken as constant product at its virtual reserves x_v (v3: in-range liquidity): √p = Σ x_v·√p_v / Σ x_v, p_v
/// the asset's USD price the pool implies at the other token's market price of the round before (marginal prices, not
/// average). The numeraire is held at its price.</item>
/// <item>Times the round's exogenous shocks; an asset in a <see cref="CorrelationGroups"/> group moves with a shock of any
/// member (assets that share a feed, e.g. BTC wrappers), unless the step shocks it itself.</item>
/// <item>Optionally pulled back towards the shock-only price with a half-life of <see cref="RecoveryHalfLifeRounds"/> rounds
/// (default none: sales impact is permanent); recovery does not by itself keep a quiet cascade running.</item>
/// <item>Every pool is then arbitraged to the market prices by exact swaps on the pools (v2 at constant k, v3 through its
/// ticks), and the oracles follow the market price through their own kind, lag and breakers.</item>
/// <item>A seized collateral with no pool to sell into is refused by name (give it a venue); never sold at a frozen price.</item>
/// </list>
/// </summary>
public sealed record MarketPriceModel
{
    public bool OnePrice { get; init; }

    /// <summary>Rounds for half the sales impact to fade back to the shock-only price; null = no recovery.</summary>
    public double? RecoveryHalfLifeRounds { get; init; }

    /// <summary>
    /// Groups of assets that move together under one shock, each member a symbol or an address as the snapshot resolves it
    /// (<see cref="Snapshot.FindAsset(string)"/>: a bare symbol shared by look-alikes is refused); resolved when a cascade starts.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> CorrelationGroups { get; init; } = [];

    public static MarketPriceModel FirstPool { get; } = new();

    public static MarketPriceModel Market { get; } = new() { OnePrice = true };
}
