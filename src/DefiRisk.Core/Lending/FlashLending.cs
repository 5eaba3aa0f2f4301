using System.Numerics;
using DefiRisk.Core.Domain;

namespace DefiRisk.Core.Lending;

/// <summary>
/// A lending family that lends flash loans: what a liquidator without capital of its own borrows the debt it repays
/// from. The engines ask every book that implements it (never which protocol it is) and fund each call from the cheapest
/// offers (<see cref="FlashFunding"/>), whose balances the cascade's liquidations move.
/// </summary>
public interface IFlashLender
{
    /// <summary>
    /// What the book lends of <paramref name="asset"/>, one entry per holder (the book's own market, pool or instance
    /// index, as <see cref="LiquidatableCandidate.Holder"/> and <see cref="FastModel.Holder"/> number them; null where that
    /// holder does not lend the asset): the most it lends at the snapshot and the fee.
    /// </summary>
    IReadOnlyList<FlashLoanOffer?> FlashLoans(Address asset);

    /// <summary>The lender's terms in one line, for the report's assumptions (function, fee, limit, what was read or assumed).</summary>
    string FlashLoanTerms { get; }
}

/// <summary>
/// A flash-loan offer: the lender's family, the most it lends at the snapshot (base units; null = no limit the snapshot
/// knows of), its fee in bps of the amount and how the contract rounds the fee (half up, or up).
/// </summary>
public sealed record FlashLoanOffer(string Lender, BigInteger? Available, int FeeBps, bool FeeRoundsUp = false)
{
    /// <summary>The fee on <paramref name="amount"/>, base units: amount × bps / 10,000, half up (<c>percentMul</c>) or up (<c>percentMulCeil</c>).</summary>
    public BigInteger Fee(BigInteger amount) =>
        FeeBps == 0 || amount.IsZero ? BigInteger.Zero
        : FeeRoundsUp ? (amount * FeeBps + 9_999) / 10_000
        : (amount * FeeBps + 5_000) / 10_000;

    /// <summary>The fast form of <see cref="Fee(BigInteger)"/> on a whole number of base units held as a double.</summary>
    public double Fee(double amount) =>
        FeeBps == 0 || amount <= 0 ? 0
        : FeeRoundsUp ? Math.Ceiling(amount * FeeBps / 10_000)
        : Math.Floor((amount * FeeBps + 5_000) / 10_000);
}
