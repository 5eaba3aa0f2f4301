using System.Numerics;
using DefiRisk.Core.Domain;

namespace DefiRisk.Core.Analysis;

// Result types are plain records, JSON-ready with System.Text.Json: BigIntegers go through
// BigIntegerDecimalStringConverter (decimal strings), USD doubles are lossy views for reports only.

/// <summary>Everything one cascade did. Round 0 is the exogenous shock; later rounds are driven by the sales.</summary>
public sealed record CascadeResult(
    string Scenario,
    IReadOnlyList<CascadeRound> Rounds,
    CascadeTotals Totals,
    IReadOnlyList<LiquidationChain> Chains,
    LiquidationChain? LongestChain,
    IReadOnlyList<AssetPricePath> PricePath,
    IReadOnlyList<Amplification> Amplification,
    IReadOnlyList<object> FinalPools,
    IReadOnlyDictionary<string, IReadOnlyList<object>> FinalOraclePrices,
    bool HitRoundLimit)
{
    /// <summary>The same scenario at other venue depths (<see cref="Analysis.DepthSensitivity"/>), when asked for; else absent.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<DepthLevel>? DepthSensitivity { get; init; }

    /// <summary>
    /// The configuration of every venue the run used that is not on the chain (<see cref="Domain.IVenueBook.Configuration"/>:
    /// an external market's curves, provenance and origin); empty for a run told to be DEX-only; absent when not recorded.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<object>? OffChainVenues { get; init; }

    /// <summary>The market model the cascade ran (<see cref="MarketModelChoice"/>: replay, mainnet or custom); absent when not recorded.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Market { get; init; }
}

/// <summary>
/// One round. State at its start (after its exogenous step and the previous round's sales): asset prices, every pool's
/// state as its venue reports it, and the oracle prices in each protocol's native unit (by protocol name) — what a replay
/// on a real chain sets before sending this round's liquidations, in <see cref="Liquidations"/> order. Then what was
/// liquidated and what stayed liquidatable.
/// </summary>
public sealed record CascadeRound(
    int Round,
    IReadOnlyList<AssetPrice> Prices,
    IReadOnlyList<object> Pools,
    IReadOnlyDictionary<string, IReadOnlyList<object>> OraclePrices,
    IReadOnlyList<CascadeLiquidation> Liquidations,
    IReadOnlyList<UnliquidatedPosition> Unliquidated);

/// <summary>USD with 8 decimals: the market price (pool-derived where a pool route exists) and the oracle price.</summary>
public sealed record AssetPrice(Address Asset, string Symbol, BigInteger MarketPriceUsd, BigInteger OraclePriceUsd);

/// <summary>
/// One liquidation call. Amounts in base units: <see cref="DebtRepaid"/> (debt asset), <see cref="CollateralSeized"/>
/// (collateral asset, to the liquidator, Aave fee excluded), <see cref="ProtocolFee"/> (collateral, Aave treasury),
/// <see cref="BadDebt"/> (debt asset: Aave v3.3+ deficit of that reserve, Morpho written-off assets),
/// <see cref="SaleProceeds"/> (debt asset the liquidator got for the collateral). <see cref="HealthFactor"/> (wad) and
/// <see cref="TriggerOraclePrice"/> (Aave: collateral reserve price in base currency; Morpho: <c>IOracle.price()</c> scale
/// 1e36) are what made it liquidatable. <see cref="Causes"/>: ids of earlier liquidations whose sales moved that price
/// (largest sales first, at most <see cref="SimulationOptions.MaxCausesListed"/>; <see cref="CauseCount"/> is complete).
/// For a replay: <see cref="SeizeArgument"/> / <see cref="RepayArgument"/> are the call's exact arguments where the
/// protocol's call takes them (its rule's documentation says which; zero otherwise); <see cref="SalePools"/> are the
/// pools the collateral was swapped through, in order, and
/// <see cref="SaleRoute"/> says how the debt asset was obtained: "none" (same asset), "pools", "pools+oracle" (to the
/// numeraire, then 1:1 in USD at oracle prices), or "market" (no pool: at market prices, no impact).
/// With best execution (<see cref="LiquidatorModel.BestExecution"/>) and a sale split over several routes,
/// <see cref="SalePools"/> lists every pool touched and <see cref="SaleLegs"/> the legs (absent for the router model);
/// <see cref="FlashLoanFee"/> is the flash loan's fee in debt base units when the call was flash-loan funded.
/// </summary>
public sealed record CascadeLiquidation(
    int Id,
    int Round,
    string Protocol,
    string Market,
    Address Account,
    Address DebtAsset,
    Address CollateralAsset,
    BigInteger HealthFactor,
    BigInteger TriggerOraclePrice,
    BigInteger DebtRepaid,
    BigInteger CollateralSeized,
    BigInteger ProtocolFee,
    BigInteger BadDebt,
    BigInteger SaleProceeds,
    double DebtRepaidUsd,
    double BonusUsd,
    double ProfitUsd,
    double BadDebtUsd,
    IReadOnlyList<int> Causes,
    int CauseCount,
    int ChainDepth,
    BigInteger SeizeArgument,
    BigInteger RepayArgument,
    IReadOnlyList<Address> SalePools,
    string SaleRoute,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<SaleLeg>? SaleLegs = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    BigInteger? FlashLoanFee = null);

/// <summary>
/// One leg of a sale split by best execution: the pools in order, the collateral sent down them and the debt asset (or
/// numeraire, on a "pools+oracle" route) received, base units. Legs run in this order, each one swap per pool.
/// </summary>
public sealed record SaleLeg(IReadOnlyList<Address> Pools, BigInteger AmountIn, BigInteger AmountOut);

/// <summary>A position still liquidatable at the end of a round, and why nobody (fully) liquidated it.</summary>
public sealed record UnliquidatedPosition(int Round, string Protocol, string Market, Address Account, BigInteger HealthFactor, string Reason);

/// <summary>
/// Totals of a cascade. <see cref="EndogenousRoundsWithLiquidations"/>: rounds with liquidations after the exogenous drop
/// has reached the oracles (after round 0, or after the lag), counting on the exact path only rounds with a liquidation
/// caused by earlier sales, not positions a breaker merely deferred.
/// <para>
/// Bad debt is the whole shortfall, <see cref="BadDebtUsd"/> = <see cref="RealisedBadDebtUsd"/> +
/// <see cref="UnrealisedBadDebtUsd"/>. Realised: what the protocols booked (<see cref="BadDebt"/>: written off, deficits,
/// and accounts the rule left with debt and no collateral), at the final oracle prices. Unrealised: every other position
/// still open whose debt exceeds its seizable collateral at the final market prices, max(0, debt − collateral) each
/// (<see cref="Insolvent"/>, with why nobody liquidated it) — a cascade that strands insolvent positions because selling
/// does not pay has not avoided that loss.
/// </para>
/// </summary>
public sealed record CascadeTotals(
    double LiquidatedValueUsd,
    double BonusPaidUsd,
    double BadDebtUsd,
    IReadOnlyList<BadDebtEntry> BadDebt,
    int Liquidations,
    int AccountsAffected,
    int RoundsWithLiquidations,
    int EndogenousRoundsWithLiquidations,
    double RealisedBadDebtUsd,
    double UnrealisedBadDebtUsd,
    IReadOnlyList<InsolventPosition> Insolvent);

/// <summary>
/// A position left open and insolvent at the end of a cascade: its seizable collateral and its debt at the final market
/// prices (USD), the shortfall max(0, debt − collateral), and why nobody liquidated it (the last reason the cascade gave,
/// or that its protocol does not let it be liquidated at the oracle prices).
/// </summary>
public sealed record InsolventPosition(string Protocol, string Market, Address Account, double CollateralUsd, double DebtUsd, double ShortfallUsd, string Reason);

/// <summary>
/// Bad debt per protocol, market and asset (base units). Kind: "deficit" (Aave v3.3+ reserve deficit),
/// "written-off" (Morpho, taken from suppliers), "unbacked" (Aave ≤ v3.2: an account with debt and no collateral left at the end).
/// </summary>
public sealed record BadDebtEntry(string Protocol, string Market, Address Asset, string Kind, BigInteger Amount, double AmountUsd);

/// <summary>A path of causally linked liquidations (earliest first).</summary>
public sealed record LiquidationChain(IReadOnlyList<int> LiquidationIds, IReadOnlyList<string> Protocols, bool CrossesProtocols);

public sealed record AssetPricePath(Address Asset, string Symbol, IReadOnlyList<BigInteger> MarketPriceUsd, IReadOnlyList<BigInteger> OraclePriceUsd);

/// <summary>Final market price change ÷ the exogenous shock of that asset (1 = no amplification; null for a zero shock).</summary>
public sealed record Amplification(Address Asset, string Symbol, decimal InitialShock, double FinalChange, double? Factor);

/// <summary>One shock level of a sweep.</summary>
public sealed record SweepLevel(decimal Shock, double LiquidatedValueUsd, double BadDebtUsd, int Liquidations, int RoundsWithLiquidations, int EndogenousRoundsWithLiquidations, bool SelfSustaining);

/// <summary>
/// A sweep over shock levels of one asset. <see cref="SelfSustainingThreshold"/>: the smallest shock (in magnitude)
/// at which the cascade is self-sustaining (<see cref="Analysis.SelfSustaining"/>): liquidations in at least 2 rounds after
/// the exogenous drop has reached the oracles (round 0 + the oracle lag), repaying together a material amount; the exact
/// path counts only rounds with a liquidation caused by earlier sales (not ones a breaker deferred). Null if none.
/// </summary>
public sealed record SweepResult(Address Asset, string Symbol, string Path, IReadOnlyList<SweepLevel> Levels, decimal? SelfSustainingThreshold)
{
    /// <summary>The market model every level ran (<see cref="MarketModelChoice"/>); absent when not recorded.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Market { get; init; }
}
