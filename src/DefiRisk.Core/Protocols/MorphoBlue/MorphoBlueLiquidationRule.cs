using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Numerics;

namespace DefiRisk.Core.Protocols.MorphoBlue;

/// <summary>
/// One <c>Morpho.liquidate(marketParams, borrower, seizedAssets, repaidShares, data)</c>: exactly one of
/// <see cref="SeizedAssets"/> (collateral base units) and <see cref="RepaidShares"/> is non-zero.
/// <see cref="OraclePrice"/> is <c>IOracle.price()</c> (collateral in loan base units × 1e36). The market totals
/// must already be accrued (the snapshot's are; time does not advance inside a cascade).
/// </summary>
public sealed record MorphoBlueLiquidationContext(MorphoBlueMarket Market, MorphoBluePosition Position, BigInteger SeizedAssets, BigInteger RepaidShares, BigInteger OraclePrice);

/// <summary>
/// The <c>Liquidate</c> event's numbers (repaid/seized/bad debt, base units) and the market and position after
/// the call. Bad debt is written off from total borrow AND total supply assets.
/// </summary>
public sealed record MorphoBlueLiquidationDecision(
    bool Executed,
    string? Reason,
    BigInteger SeizedAssets,
    BigInteger RepaidShares,
    BigInteger RepaidAssets,
    BigInteger BadDebtAssets,
    BigInteger BadDebtShares,
    MorphoBlueMarket MarketAfter,
    MorphoBluePosition PositionAfter)
{
    internal static MorphoBlueLiquidationDecision Revert(string reason, MorphoBlueLiquidationContext c) =>
        new(false, reason, 0, 0, 0, 0, 0, c.Market, c.Position);
}

/// <summary>Mirrors <c>Morpho.liquidate</c> (morpho-blue v1.0.0), every rounding direction included.</summary>
public sealed class MorphoBlueLiquidationRule : ILiquidationRule<MorphoBlueLiquidationContext, MorphoBlueLiquidationDecision>
{
    public static MorphoBlueLiquidationRule Instance { get; } = new();

    public MorphoBlueLiquidationDecision Decide(MorphoBlueLiquidationContext c)
    {
        var m = c.Market;
        var p = c.Position;
        if (c.SeizedAssets.IsZero == c.RepaidShares.IsZero) return MorphoBlueLiquidationDecision.Revert("inconsistent input", c);
        if (MorphoBlueMath.IsHealthy(m, p, c.OraclePrice)) return MorphoBlueLiquidationDecision.Revert("position is healthy", c);

        var lif = MorphoBlueMath.LiquidationIncentiveFactor(m.Lltv);
        BigInteger seized, repaidShares;
        if (!c.SeizedAssets.IsZero)
        {
            seized = c.SeizedAssets;
            var quoted = FixedPoint.MulDivUp(seized, c.OraclePrice, FixedPoint.OraclePriceScale);
            repaidShares = MorphoBlueMath.ToSharesUp(FixedPoint.WDivUp(quoted, lif), m.TotalBorrowAssets, m.TotalBorrowShares);
        }
        else
        {
            repaidShares = c.RepaidShares;
            // mulDivDown(…, ORACLE_PRICE_SCALE, price): the contract panics (0x12) on a price of 0.
            if (c.OraclePrice.IsZero) return MorphoBlueLiquidationDecision.Revert("division by zero (oracle price 0)", c);
            seized = MorphoBlueMath.SeizedForRepaidShares(repaidShares, m, lif, c.OraclePrice);
        }
        var repaidAssets = MorphoBlueMath.ToAssetsUp(repaidShares, m.TotalBorrowAssets, m.TotalBorrowShares);

        // Checked uint128 subtractions in the contract: asking for more than exists reverts.
        if (repaidShares > p.BorrowShares || repaidShares > m.TotalBorrowShares) return MorphoBlueLiquidationDecision.Revert("arithmetic underflow (repaid shares)", c);
        if (seized > p.Collateral) return MorphoBlueLiquidationDecision.Revert("arithmetic underflow (seized collateral)", c);

        var borrowShares = p.BorrowShares - repaidShares;
        var totalBorrowShares = m.TotalBorrowShares - repaidShares;
        var totalBorrowAssets = m.TotalBorrowAssets > repaidAssets ? m.TotalBorrowAssets - repaidAssets : BigInteger.Zero; // zeroFloorSub
        var totalSupplyAssets = m.TotalSupplyAssets;
        var collateral = p.Collateral - seized;

        BigInteger badDebtShares = 0, badDebtAssets = 0;
        if (collateral.IsZero)
        {
            badDebtShares = borrowShares;
            badDebtAssets = FixedPoint.Min(totalBorrowAssets, MorphoBlueMath.ToAssetsUp(badDebtShares, totalBorrowAssets, totalBorrowShares));
            totalBorrowAssets -= badDebtAssets;
            totalSupplyAssets -= badDebtAssets;
            totalBorrowShares -= badDebtShares;
            borrowShares = 0;
        }

        return new MorphoBlueLiquidationDecision(true, null, seized, repaidShares, repaidAssets, badDebtAssets, badDebtShares,
            m with { TotalBorrowAssets = totalBorrowAssets, TotalBorrowShares = totalBorrowShares, TotalSupplyAssets = totalSupplyAssets },
            p with { BorrowShares = borrowShares, Collateral = collateral });
    }
}

/// <summary>
/// The liquidator's argument choice for a Morpho position (a modelling decision): repay ALL borrow shares
/// (<c>repaidShares = borrowShares</c>) when the collateral that seizes is within the position's collateral;
/// otherwise seize ALL collateral (<c>seizedAssets = collateral</c>), which realises bad debt for the rest.
/// If rounding up would make "all collateral" repay more shares than the position has, the position is left
/// (reported) — the contract would revert either way.
/// </summary>
public static class MorphoBlueLiquidatorChoice
{
    public static (BigInteger SeizedAssets, BigInteger RepaidShares) Arguments(MorphoBlueMarket market, MorphoBluePosition position, BigInteger oraclePrice)
    {
        // At a price of 0 only the seize form runs (the repay form divides by the price): all collateral, for 0 shares.
        if (oraclePrice.IsZero) return (position.Collateral, BigInteger.Zero);
        var lif = MorphoBlueMath.LiquidationIncentiveFactor(market.Lltv);
        var seizedForAll = MorphoBlueMath.SeizedForRepaidShares(position.BorrowShares, market, lif, oraclePrice);
        return seizedForAll <= position.Collateral ? (BigInteger.Zero, position.BorrowShares) : (position.Collateral, BigInteger.Zero);
    }
}
