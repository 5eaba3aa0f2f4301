using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;

namespace DefiRisk.Core.Protocols.MorphoBlue;

/// <summary>
/// Morpho Blue's <c>flashLoan(token, assets, data)</c>, one offer per indexed instance (the singleton): no fee, up to its
/// balance of the token — the loan token's idle supply (total supply − total borrow of its markets) plus the collateral
/// positions hold in the token. Summed over the indexed markets and positions at the snapshot (a lower bound of the
/// balance on a mainnet fork, where unindexed markets hold the token too); during a cascade, liquidations on the instance
/// pay loan tokens in and take collateral out (<see cref="FlashFunding"/>).
/// </summary>
public sealed partial record MorphoBlueBook : IFlashLender
{
    public string FlashLoanTerms => "Morpho Blue flashLoan: no fee, up to Morpho's balance of the token (idle supply and collateral of the indexed markets, moved by the cascade's Morpho liquidations)";

    public IReadOnlyList<FlashLoanOffer?> FlashLoans(Address asset) => Instances.Select(s =>
    {
        var balance = BigInteger.Zero;
        var lends = false;
        var collateralOf = s.Markets.ToDictionary(m => m.Id, m => m.CollateralToken, StringComparer.OrdinalIgnoreCase);
        foreach (var m in s.Markets.Where(m => m.LoanToken == asset))
        {
            lends = true;
            balance += BigInteger.Max(BigInteger.Zero, m.TotalSupplyAssets - m.TotalBorrowAssets);
        }
        foreach (var p in s.Positions)
            if (collateralOf.TryGetValue(p.MarketId, out var c) && c == asset) { lends = true; balance += p.Collateral; }
        return lends ? new FlashLoanOffer(Name, balance, 0) : null;
    }).ToList();
}
