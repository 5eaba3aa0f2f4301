using System.Numerics;

namespace DefiRisk.Core.Proposals;

/// <summary>
/// A governance proposal to test against the indexed baseline: risk-parameter changes and circuit
/// breakers. Parsed and validated by <see cref="ProposalParser"/>; every value here is already checked.
/// Percentages are bps (Aave's unit) or wad (Morpho's), as the contracts store them.
/// </summary>
public sealed record Proposal(
    string Name,
    string Description,
    IReadOnlyList<AaveV3ReserveChange> AaveV3Reserves,
    IReadOnlyList<AaveV3EModeChange> AaveV3EModes,
    AaveV3CloseFactorChange? AaveV3CloseFactor,
    IReadOnlyList<MorphoBlueMigration> MorphoBlueMigrations,
    BreakerSettings Breakers)
{
    public static Proposal Empty { get; } = new("baseline", "", [], [], null, [], BreakerSettings.None);

    public bool ChangesRiskParameters =>
        AaveV3Reserves.Count > 0 || AaveV3EModes.Count > 0 || AaveV3CloseFactor is not null || MorphoBlueMigrations.Count > 0;
}

/// <summary>
/// New values for one Aave reserve (null = unchanged), as <c>PoolConfigurator.configureReserveAsCollateral</c>
/// (LTV, LT, bonus in bps; bonus includes the 100 %) and <c>setSupplyCap</c>/<c>setBorrowCap</c> (whole tokens) take them.
/// </summary>
public sealed record AaveV3ReserveChange(string Asset, int? Ltv, int? LiquidationThreshold, int? LiquidationBonus, int? LiquidationProtocolFee, BigInteger? SupplyCap, BigInteger? BorrowCap);

/// <summary>New values for an e-mode category (<c>setEModeCategory</c>), bps.</summary>
public sealed record AaveV3EModeChange(int Category, int? Ltv, int? LiquidationThreshold, int? LiquidationBonus);

/// <summary>
/// Aave's hard-coded close factor (<c>DEFAULT_LIQUIDATION_CLOSE_FACTOR</c>, bps) and the HF (wad) at or below
/// which 100 % may be closed (<c>CLOSE_FACTOR_HF_THRESHOLD</c>) — a code upgrade, not a configurator call.
/// </summary>
public sealed record AaveV3CloseFactorChange(int? CloseFactor, BigInteger? FullCloseHealthFactor);

/// <summary>
/// Morpho LLTVs are immutable per market, so a proposal moves positions to another market of the same
/// pair with the new LLTV (wad); <see cref="Share"/> (wad) of the borrowers migrate, healthiest-first not modelled: pro-rata by account order.
/// </summary>
public sealed record MorphoBlueMigration(string Market, BigInteger NewLltv, BigInteger Share);

/// <summary>Where a liquidation cap applies, like Maker's global <c>Hole</c> and per-ilk <c>hole</c>.</summary>
public enum CapScope { Global, Protocol, CollateralAsset }

/// <summary>
/// At most <see cref="MaxValueUsd"/> (USD, 8 decimals) of debt repaid by liquidations within any
/// <see cref="WindowSteps"/> consecutive steps in the scope; the rest waits for a later step.
/// </summary>
public sealed record LiquidationCap(CapScope Scope, string? Key, BigInteger MaxValueUsd, int WindowSteps);

/// <summary>The oracle reports the price from <see cref="Steps"/> steps ago (Maker's OSM: one hop); all assets when <see cref="Assets"/> is empty.</summary>
public sealed record OracleDelay(int Steps, IReadOnlyList<string> Assets);

/// <summary>
/// Liquidations halt for <see cref="PauseSteps"/> steps when an oracle moves more than
/// <see cref="ThresholdBps"/> within <see cref="WindowSteps"/> steps; for <see cref="GraceSteps"/> after
/// resuming only positions below <see cref="GraceHealthFactor"/> may be liquidated (Aave's
/// PriceOracleSentinel lets HF &lt; 0.95 through its grace period).
/// </summary>
public sealed record DeviationPause(int ThresholdBps, int WindowSteps, int PauseSteps, int GraceSteps, BigInteger GraceHealthFactor);

public sealed record BreakerSettings(
    IReadOnlyList<LiquidationCap> Caps,
    OracleDelay? OracleDelay,
    DeviationPause? Pause,
    BigInteger? MinLiquidationUsd)
{
    public static BreakerSettings None { get; } = new([], null, null, null);

    public bool Any => Caps.Count > 0 || OracleDelay is not null || Pause is not null || MinLiquidationUsd is not null;
}
