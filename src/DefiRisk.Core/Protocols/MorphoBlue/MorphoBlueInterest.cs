using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;

namespace DefiRisk.Core.Protocols.MorphoBlue;

/// <summary>
/// <c>Morpho._accrueInterest</c> done off-chain, so a snapshot's market totals are those any call at the
/// snapshot block would see (the <c>market(id)</c> view is as of <c>lastUpdate</c>). Mirrors
/// <c>MathLib.wTaylorCompounded</c> and the fee-share mint, rounding down as the contract does.
/// </summary>
public static class MorphoBlueInterest
{
    /// <summary>
    /// <c>MathLib.wTaylorCompounded(x, n)</c>: e^(x·n) − 1 to three Taylor terms, wad.
    /// first = x·n; second = ⌊first² / 2e18⌋; third = ⌊second·first / 3e18⌋.
    /// </summary>
    public static BigInteger WTaylorCompounded(BigInteger ratePerSecond, BigInteger seconds)
    {
        var first = ratePerSecond * seconds;
        var second = FixedPoint.MulDivDown(first, first, 2 * FixedPoint.Wad);
        var third = FixedPoint.MulDivDown(second, first, 3 * FixedPoint.Wad);
        return first + second + third;
    }

    /// <summary>
    /// The market after <c>_accrueInterest</c> at <paramref name="timestamp"/>, given the IRM's
    /// <c>borrowRateView(marketParams, market)</c> (per second, wad) read at that block:
    /// interest = wMulDown(totalBorrowAssets, wTaylorCompounded(rate, elapsed)) added to both totals;
    /// feeShares = toSharesDown(wMulDown(interest, fee), totalSupplyAssets − feeAmount, totalSupplyShares).
    /// No IRM (address 0) or no elapsed time: only lastUpdate moves (and not even that when elapsed = 0).
    /// </summary>
    public static MorphoBlueMarket Accrue(MorphoBlueMarket market, BigInteger borrowRate, long timestamp)
    {
        var elapsed = timestamp - market.LastUpdate;
        if (elapsed <= 0) return market;
        if (market.Irm.IsZero) return market with { LastUpdate = timestamp };

        var interest = FixedPoint.WMulDown(market.TotalBorrowAssets, WTaylorCompounded(borrowRate, elapsed));
        var totalBorrowAssets = market.TotalBorrowAssets + interest;
        var totalSupplyAssets = market.TotalSupplyAssets + interest;
        var totalSupplyShares = market.TotalSupplyShares;
        if (!market.Fee.IsZero)
        {
            var feeAmount = FixedPoint.WMulDown(interest, market.Fee);
            totalSupplyShares += MorphoBlueMath.ToSharesDown(feeAmount, totalSupplyAssets - feeAmount, totalSupplyShares);
        }
        return market with
        {
            TotalBorrowAssets = totalBorrowAssets,
            TotalSupplyAssets = totalSupplyAssets,
            TotalSupplyShares = totalSupplyShares,
            LastUpdate = timestamp,
        };
    }
}
