using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;

namespace DefiRisk.Core.Protocols.AaveV3;

/// <summary>
/// Aave v3's <c>flashLoanSimple</c>, one offer per indexed pool that lists the asset (active, not paused): a fee of the
/// pool's <c>FLASHLOAN_PREMIUM_TOTAL</c> read at the snapshot block (<see cref="AaveV3Market.FlashLoanPremiumTotal"/>;
/// a snapshot written before it was read assumes <see cref="DefaultPremiumTotalBps"/>, and says so), taken with
/// <c>percentMul</c> (half up) before 3.5 and <c>percentMulCeil</c> (up) from 3.5 (<c>FlashLoanLogic</c> of aave-v3-origin
/// v3.4.0 vs v3.5.0), up to the reserve's cash (3.1+ virtual balance, which <c>flashLoanSimple</c> debits; before 3.1 the
/// aToken's balance of the underlying, which it transfers), and only from a reserve whose flash-loan-enabled bit (configuration
/// bit 63, read at the block) is set: <c>validateFlashloanSimple</c> refuses the others (FLASHLOAN_DISABLED). A snapshot written
/// before the bit was read assumes it on, and says so.
/// </summary>
public sealed partial record AaveV3Book : IFlashLender
{
    /// <summary>FLASHLOAN_PREMIUM_TOTAL assumed when not read: 5 bps (0.05 %, mainnet Core's since its v3 launch).</summary>
    public const int DefaultPremiumTotalBps = 5;

    public string FlashLoanTerms =>
        "Aave v3 flashLoanSimple: FLASHLOAN_PREMIUM_TOTAL " + string.Join(", ", Markets.Select(m => m.Market.FlashLoanPremiumTotal is { } bps
            ? $"{m.Market.Name} {bps} bps read at the snapshot block"
            : $"{m.Market.Name} not read (older snapshot): {DefaultPremiumTotalBps} bps assumed")) +
        " (half up before 3.5, rounded up from 3.5), up to the reserve's cash (3.1+ virtual balance; before 3.1 the aToken's balance of the underlying, no known limit where not read); " +
        string.Join(", ", Markets.Select(m => m.Market.Reserves.Any(r => r.FlashLoanEnabled is null)
            ? $"{m.Market.Name}: flash-loan-enabled bit not read (older snapshot), assumed on"
            : $"{m.Market.Name}: flash loans enabled on {m.Market.Reserves.Count(r => r.FlashLoanEnabled == true)} of {m.Market.Reserves.Count} reserves (configuration bit 63 at the block)"));

    public IReadOnlyList<FlashLoanOffer?> FlashLoans(Address asset) => Markets.Select(m =>
    {
        var mk = m.Market;
        foreach (var r in mk.Reserves)
            if (r.Asset == asset && r.Active && !r.Paused && r.FlashLoanEnabled != false)
                return new FlashLoanOffer(Name, r.Cash, mk.FlashLoanPremiumTotal ?? DefaultPremiumTotalBps,
                    FeeRoundsUp: mk.PoolRevision >= AaveV3Revision.V3_5);
        return null;
    }).ToList();
}
