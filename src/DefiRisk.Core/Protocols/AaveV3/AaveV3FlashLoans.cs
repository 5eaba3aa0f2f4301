using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;

namespace DefiRisk.Core.Protocols.AaveV3;

/// <summary>
/// Aave v3's <c>flashLoanSimple</c>: a fee of <c>FLASHLOAN_PREMIUM_TOTAL</c> (bps, <c>percentMul</c>, half up) of the amount,
/// up to the reserve's cash (v3.1+ virtual balance; no known limit before 3.1). The premium is not read at the block by
/// this snapshot: <see cref="DefaultPremiumTotalBps"/> stands for it (mainnet Core has set 5 bps since its v3 launch), stated in the
/// report's assumptions. Of the indexed pools, the cheapest that lends the asset.
/// </summary>
public sealed partial record AaveV3Book : IFlashLender
{
    /// <summary>FLASHLOAN_PREMIUM_TOTAL assumed when not read: 5 bps (0.05 %).</summary>
    public const int DefaultPremiumTotalBps = 5;

    public string FlashLoanTerms => $"Aave v3 flashLoanSimple: FLASHLOAN_PREMIUM_TOTAL, not read at the block: {DefaultPremiumTotalBps} bps assumed (mainnet Core's), up to the reserve's cash";

    public FlashLoanOffer? FlashLoan(Address asset)
    {
        FlashLoanOffer? best = null;
        foreach (var m in Markets)
            foreach (var r in m.Market.Reserves)
            {
                if (r.Asset != asset || !r.Active || r.Paused) continue;
                var offer = new FlashLoanOffer(Name, r.VirtualUnderlyingBalance, DefaultPremiumTotalBps);
                if (best is null || (offer.Available is null ? best.Available is not null : best.Available is { } b && offer.Available > b)) best = offer;
            }
        return best;
    }
}
