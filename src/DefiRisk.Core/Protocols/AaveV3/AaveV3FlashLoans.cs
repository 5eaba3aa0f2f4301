using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;

namespace DefiRisk.Core.Protocols.AaveV3;

/// <summary>
/// Aave v3's <c>flashLoanSimple</c>, one offer per indexed pool that lists the asset (active, not paused): a fee of the
/// pool's <c>FLASHLOAN_PREMIUM_TOTAL</c> read at the snapshot block (<see cref="AaveV3Market.FlashLoanPremiumTotal"/>;
/// a snapshot written before it was read assumes <see cref="DefaultPremiumTotalBps"/>, and says so), taken with
/// <c>percentMul</c> (half up) before 3.5 and <c>percentMulCeil</c> (up) from 3.5 (<c>FlashLoanLogic</c> of aave-v3-origin
/// v3.4.0 vs v3.5.0), up to the reserve's cash (3.1+ virtual balance, which <c>flashLoanSimple</c> debits; before 3.1 the
/// aToken's underlying balance, not read: no known limit). The reserve's flash-loan-enabled bit is not read: assumed on.
/// </summary>
public sealed partial record AaveV3Book : IFlashLender
{
    /// <summary>FLASHLOAN_PREMIUM_TOTAL assumed when not read: 5 bps (0.05 %, mainnet Core's since its v3 launch).</summary>
    public const int DefaultPremiumTotalBps = 5;

    public string FlashLoanTerms =>
        "Aave v3 flashLoanSimple: FLASHLOAN_PREMIUM_TOTAL " + string.Join(", ", Markets.Select(m => m.Market.FlashLoanPremiumTotal is { } bps
            ? $"{m.Market.Name} {bps} bps read at the snapshot block"
            : $"{m.Market.Name} not read (older snapshot): {DefaultPremiumTotalBps} bps assumed")) +
        " (half up before 3.5, rounded up from 3.5), up to the reserve's cash (3.1+ virtual balance; no known limit before 3.1)";

    public IReadOnlyList<FlashLoanOffer?> FlashLoans(Address asset) => Markets.Select(m =>
    {
        var mk = m.Market;
        foreach (var r in mk.Reserves)
            if (r.Asset == asset && r.Active && !r.Paused)
                return new FlashLoanOffer(Name, r.VirtualUnderlyingBalance, mk.FlashLoanPremiumTotal ?? DefaultPremiumTotalBps,
                    FeeRoundsUp: mk.PoolRevision >= AaveV3Revision.V3_5);
        return null;
    }).ToList();
}
