using System.Numerics;

namespace DefiRisk.Core.Proposals;

/// <summary>
/// A governance proposal to test against the indexed baseline: risk-parameter changes and circuit
/// breakers. Parsed and validated by <see cref="ProposalParser"/>; every value here is already checked.
/// Each family's changes are in its units, as its contracts store them (its folder says which).
/// </summary>
public sealed record Proposal(
    string Name,
    string Description,
    IReadOnlyList<IProtocolChange> Changes,
    BreakerSettings Breakers)
{
    public static Proposal Empty { get; } = new("baseline", "", [], BreakerSettings.None);

    public bool ChangesRiskParameters => Changes.Count > 0;

    /// <summary>
    /// True when the proposal's world is the baseline's: no breaker, and no family change that changes anything (every
    /// value it names equal to today's; an empty <c>{}</c> is the plain case). Comparing such a proposal would print a
    /// table of zero differences that reads like a finding.
    /// </summary>
    public bool ChangesNothing(Domain.Snapshot baseline) => !Breakers.Any && !Changes.Any(c => c.ChangesAnything(baseline));

    /// <summary>The changes of one family (by type); null when the proposal has none.</summary>
    public T? Change<T>() where T : class, IProtocolChange => Changes.OfType<T>().FirstOrDefault();
}

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
