using System.Numerics;
using DefiRisk.Core.Domain;

namespace DefiRisk.Core.Lending;

/// <summary>
/// A position its protocol would let a liquidator liquidate this round. <see cref="Holder"/> and <see cref="Position"/>
/// are the book's own coordinates (e.g. pool and account index); <see cref="Book"/> is the book's place in the snapshot.
/// </summary>
public sealed record LiquidatableCandidate(int Book, int Holder, int Position, Address Account, string Market, BigInteger HealthFactor);

/// <summary>What came of the liquidator's calls on one position: null reason = done; else why it stays liquidatable, and its HF.</summary>
public readonly record struct LiquidationOutcome(string? Reason, BigInteger HealthFactor);

/// <summary>Bad debt a family books at the end of a cascade (base units of <see cref="Asset"/>); <see cref="Kind"/> says which.</summary>
public sealed record BadDebtItem(string Market, Address Asset, string Kind, BigInteger Amount);

/// <summary>
/// One family's book during one exact cascade (mutable, not shared): finds the liquidatable positions at the round's
/// oracle prices, runs the liquidator's calls through the family's exact rule, and books bad debt at the end.
/// </summary>
public interface IExactLendingRun
{
    /// <summary>Once per round, before anything else: the assets' oracle prices (USD 8 decimals, by asset index).</summary>
    void BeginRound(BigInteger[] oracleUsd);

    /// <summary>Before <see cref="BeginRound"/>: the round's block time (unix seconds), for rules that depend on time.</summary>
    void SetBlockTime(long unixSeconds) { }

    /// <summary>After a round: a position was refused only until a known time (e.g. a liquidation grace period ending), so
    /// the cascade must keep running rounds although nothing moved.</summary>
    bool WaitsForTime => false;

    void CollectLiquidatable(int book, List<LiquidatableCandidate> output);

    /// <summary>The liquidator's calls on one candidate this round, each sized, checked and committed through the desk.</summary>
    LiquidationOutcome Liquidate(LiquidatableCandidate candidate, ILiquidationDesk desk);

    /// <summary>The assets whose price moves this position: collateral (a fall hurts) and debt (a rise hurts).</summary>
    void CollectExposure(LiquidatableCandidate candidate, List<(int Asset, bool Collateral)> output);

    /// <summary>End of the cascade: every bad-debt item at the final oracle prices.</summary>
    void CollectBadDebt(BigInteger[] finalOracleUsd, List<BadDebtItem> output);

    /// <summary>
    /// End of the cascade: every open position with debt whose debt exceeds its seizable collateral at the final market
    /// prices (USD 8 decimals, by asset index), not already booked as bad debt by <see cref="CollectBadDebt"/>.
    /// </summary>
    void CollectInsolvent(BigInteger[] finalMarketUsd, List<OpenShortfall> output);

    /// <summary>The family's oracle prices in its own unit (what a replay sets), serialized by their runtime type.</summary>
    IReadOnlyList<object> OraclePrices(BigInteger[] oracleUsd);
}

/// <summary>An open insolvent position as its family values it: collateral and debt in USD (doubles, report views).</summary>
public sealed record OpenShortfall(string Market, Address Account, double CollateralUsd, double DebtUsd);

/// <summary>What an exact family run may ask of the engine for the candidate being liquidated.</summary>
public interface ILiquidationDesk
{
    int MaxCallsPerPosition { get; }

    /// <summary>The reason recorded when a breaker defers the call.</summary>
    string DeferredReason { get; }

    /// <summary>What the circuit breaker lets a call repaying <paramref name="repayUsd8"/> (USD 8 decimals) repay, at most that.</summary>
    BigInteger Allowance(int collateral, int debt, BigInteger repayUsd8);

    /// <summary>Whether a call pays after slippage and gas and fits the capital cap; the debt repaid in USD 8 decimals.
    /// <paramref name="knownProfitUsd8"/>: the call's <see cref="Profit"/> when the family has just priced it (the sale is not quoted again).</summary>
    bool Pays(int collateral, int debt, BigInteger collateralToSell, BigInteger debtRepaid, out string? reason, out BigInteger repaidUsd8, BigInteger? knownProfitUsd8 = null);

    /// <summary>Commits a call the family has already applied to its own state: records it and sells the collateral.</summary>
    void Execute(ExecutedCall call);

    /// <summary>True when the liquidator picks the collateral/debt pair by <see cref="Profit"/> (else the family's documented order).</summary>
    bool PairsByProfit => false;

    /// <summary>True when the liquidator sizes each call for the most profit (<see cref="CallSizing"/>; else the largest the rule allows).</summary>
    bool SizesByProfit => false;

    /// <summary>What a call would earn, USD 8 decimals at market prices: sale proceeds − debt repaid − funding cost − gas. Moves nothing.</summary>
    BigInteger Profit(int collateral, int debt, BigInteger collateralToSell, BigInteger debtRepaid) => BigInteger.Zero;

    /// <summary>An upper bound on <see cref="Profit"/> in USD with no sale quoted (<see cref="CallSizing.SmallerMayEarnMore"/>); +∞ when unknown.</summary>
    double ProfitCeilingUsd(int collateral, int debt, double collateralToSell, double debtRepaid) => double.PositiveInfinity;
}

/// <summary>
/// One executed liquidation call (base units). <see cref="BadDebt"/>: of the debt asset; <see cref="BadDebtBooked"/>:
/// every asset's bad debt the call booked (valued for the report); <see cref="SeizeArgument"/>/<see cref="RepayArgument"/>:
/// the call's exact arguments where the family's replay needs them (else zero).
/// </summary>
public sealed record ExecutedCall(
    int Debt,
    int Collateral,
    BigInteger HealthFactor,
    BigInteger TriggerPrice,
    BigInteger DebtRepaid,
    BigInteger CollateralToLiquidator,
    BigInteger ProtocolFee,
    BigInteger BadDebt,
    IReadOnlyList<(int Asset, BigInteger Amount)> BadDebtBooked,
    BigInteger RepaidUsd8,
    BigInteger SeizeArgument,
    BigInteger RepayArgument);
