using System.Numerics;
using DefiRisk.Core.Domain;

namespace DefiRisk.Core.Lending;

/// <summary>
/// A lending family that lends flash loans: what a liquidator without capital of its own borrows the debt it repays
/// from. The engines ask every book that implements it (never which protocol it is) and take the cheapest offer that
/// covers the amount (<see cref="FlashLoanOffers"/>). Liquidity is the snapshot's (static during the cascade).
/// </summary>
public interface IFlashLender
{
    /// <summary>
    /// What the family lends of <paramref name="asset"/> in one flash loan: the most (base units; null = no limit the
    /// snapshot knows of) and the fee in bps of the amount (rounded as the contract rounds it: half up); null when it does
    /// not lend the asset.
    /// </summary>
    FlashLoanOffer? FlashLoan(Address asset);

    /// <summary>The lender's terms in one line, for the report's assumptions (function, fee, limit, what was assumed).</summary>
    string FlashLoanTerms { get; }
}

/// <summary>A flash-loan offer: the lender's family, the most it lends (null = no known limit) and its fee in bps.</summary>
public sealed record FlashLoanOffer(string Lender, BigInteger? Available, int FeeBps);

/// <summary>The cheapest flash loan covering an amount, over every lending book of a snapshot.</summary>
public sealed class FlashLoanOffers
{
    private readonly FlashLoanOffer[][] _byAsset;

    public FlashLoanOffers(Snapshot snapshot)
    {
        var lenders = snapshot.Books.OfType<IFlashLender>().ToList();
        _byAsset = snapshot.Assets.Select(a => lenders.Select(l => l.FlashLoan(a.Address)).OfType<FlashLoanOffer>()
            .OrderBy(o => o.FeeBps).ToArray()).ToArray();
    }

    /// <summary>The cheapest offer of asset <paramref name="asset"/> (by index) that lends <paramref name="amount"/>; null = none does.</summary>
    public FlashLoanOffer? Cheapest(int asset, BigInteger amount)
    {
        foreach (var o in _byAsset[asset])
            if (o.Available is not { } max || max >= amount) return o;
        return null;
    }

    /// <summary>The fast form: the fee in bps of the cheapest offer that lends <paramref name="amount"/>; −1 = none does.</summary>
    public int CheapestFeeBps(int asset, double amount)
    {
        foreach (var o in _byAsset[asset])
            if (o.Available is not { } max || (double)max >= amount) return o.FeeBps;
        return -1;
    }

    /// <summary>A flash loan's fee, base units: amount × bps / 10,000, half up (Aave's <c>percentMul</c>).</summary>
    public static BigInteger Fee(BigInteger amount, int feeBps) => feeBps == 0 ? BigInteger.Zero : (amount * feeBps + 5_000) / 10_000;
}
