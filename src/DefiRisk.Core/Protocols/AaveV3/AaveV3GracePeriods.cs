using System.Numerics;
using DefiRisk.Core.Domain;

namespace DefiRisk.Core.Protocols.AaveV3;

/// <summary>
/// When the 3.1+ liquidation grace periods let a liquidatable account be liquidated. <c>ValidationLogic.validateLiquidationCall</c>
/// requires <c>liquidationGracePeriodUntil &lt; block.timestamp</c> on both the collateral and the debt reserve of the call, so
/// a pair can be called from max(collateral until, debt until) + 1; the account from the earliest of its pairs (the candidate
/// pairs the liquidator model considers). Grace periods set by a proposal or payload and those already on chain count alike.
/// </summary>
public static class AaveV3GracePeriods
{
    /// <summary>
    /// The last block time at which a call repaying <paramref name="debt"/> against <paramref name="collateral"/> is held back:
    /// the later of the two reserves' grace-period ends (0 before 3.1, which has none). A call passes when the block time is after it.
    /// </summary>
    public static long HeldBackUntil(AaveV3Market market, AaveV3Reserve collateral, AaveV3Reserve debt) =>
        market.PoolRevision < AaveV3Revision.V3_1 ? 0 : Math.Max(collateral.LiquidationGracePeriodUntil, debt.LiquidationGracePeriodUntil);

    /// <summary>
    /// The first block time (unix seconds) at which some call on <paramref name="account"/> passes the grace-period check, if that is
    /// after <paramref name="now"/>; null when a pair is not held back at <paramref name="now"/> (or the release has no grace period,
    /// or the account has no pair to call). Says nothing about the health factor: ask only for a liquidatable account.
    /// </summary>
    public static long? LiquidatableFrom(AaveV3Market market, AaveV3Account account, long now, Func<Address, BigInteger>? price = null)
    {
        if (market.PoolRevision < AaveV3Revision.V3_1) return null;
        long? earliest = null;
        foreach (var (collateral, debt) in AaveV3LiquidatorChoice.CandidatePairs(market, account, price ?? (a => market.Reserve(a).OraclePrice)))
        {
            var until = HeldBackUntil(market, market.Reserve(collateral), market.Reserve(debt));
            if (until < now) return null; // this pair can be called in the block at `now`
            earliest = earliest is { } e ? Math.Min(e, until + 1) : until + 1;
        }
        return earliest;
    }
}
