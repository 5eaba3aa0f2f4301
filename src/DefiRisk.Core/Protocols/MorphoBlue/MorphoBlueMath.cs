using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;

namespace DefiRisk.Core.Protocols.MorphoBlue;

/// <summary>
/// Morpho Blue's arithmetic (<c>SharesMathLib</c>, <c>Morpho._isHealthy</c>, <c>ConstantsLib</c>),
/// with the contract's rounding direction in every name.
/// </summary>
public static class MorphoBlueMath
{
    /// <summary><c>SharesMathLib.VIRTUAL_SHARES</c> = 1e6.</summary>
    public static readonly BigInteger VirtualShares = 1_000_000;
    /// <summary><c>SharesMathLib.VIRTUAL_ASSETS</c> = 1.</summary>
    public static readonly BigInteger VirtualAssets = 1;
    /// <summary><c>MAX_LIQUIDATION_INCENTIVE_FACTOR</c> = 1.15 wad.</summary>
    public static readonly BigInteger MaxLiquidationIncentiveFactor = 1_150_000_000_000_000_000;
    /// <summary><c>LIQUIDATION_CURSOR</c> = 0.3 wad.</summary>
    public static readonly BigInteger LiquidationCursor = 300_000_000_000_000_000;

    public static BigInteger ToAssetsUp(BigInteger shares, BigInteger totalAssets, BigInteger totalShares) =>
        FixedPoint.MulDivUp(shares, totalAssets + VirtualAssets, totalShares + VirtualShares);

    public static BigInteger ToAssetsDown(BigInteger shares, BigInteger totalAssets, BigInteger totalShares) =>
        FixedPoint.MulDivDown(shares, totalAssets + VirtualAssets, totalShares + VirtualShares);

    public static BigInteger ToSharesUp(BigInteger assets, BigInteger totalAssets, BigInteger totalShares) =>
        FixedPoint.MulDivUp(assets, totalShares + VirtualShares, totalAssets + VirtualAssets);

    public static BigInteger ToSharesDown(BigInteger assets, BigInteger totalAssets, BigInteger totalShares) =>
        FixedPoint.MulDivDown(assets, totalShares + VirtualShares, totalAssets + VirtualAssets);

    /// <summary>Borrowed assets of a position: <c>toAssetsUp(borrowShares)</c> against the market's borrow totals.</summary>
    public static BigInteger BorrowedAssets(MorphoBlueMarket market, BigInteger borrowShares) =>
        ToAssetsUp(borrowShares, market.TotalBorrowAssets, market.TotalBorrowShares);

    /// <summary>
    /// <c>_isHealthy</c>: maxBorrow = wMulDown(mulDivDown(collateral, price, 1e36), lltv); healthy iff maxBorrow ≥ borrowed.
    /// </summary>
    public static BigInteger MaxBorrow(BigInteger collateral, BigInteger oraclePrice, BigInteger lltv) =>
        FixedPoint.WMulDown(FixedPoint.MulDivDown(collateral, oraclePrice, FixedPoint.OraclePriceScale), lltv);

    public static bool IsHealthy(MorphoBlueMarket market, MorphoBluePosition position, BigInteger oraclePrice)
    {
        if (position.BorrowShares.IsZero) return true;
        return MaxBorrow(position.Collateral, oraclePrice, market.Lltv) >= BorrowedAssets(market, position.BorrowShares);
    }

    /// <summary>
    /// Health factor as a wad, for reporting and sorting only (Morpho has none on chain):
    /// ⌊collateral·price/1e36⌋ · lltv / borrowed; <c>uint256.max</c> without debt.
    /// </summary>
    public static BigInteger HealthFactor(MorphoBlueMarket market, MorphoBluePosition position, BigInteger oraclePrice)
    {
        var borrowed = BorrowedAssets(market, position.BorrowShares);
        if (borrowed.IsZero) return FixedPoint.UInt256Max;
        var collateralValue = FixedPoint.MulDivDown(position.Collateral, oraclePrice, FixedPoint.OraclePriceScale);
        return FixedPoint.WDivDown(FixedPoint.WMulDown(collateralValue, market.Lltv), borrowed);
    }

    /// <summary>LIF = min(1.15, 1 / (1 − cursor·(1 − lltv))), as <c>Morpho.liquidate</c> computes it.</summary>
    public static BigInteger LiquidationIncentiveFactor(BigInteger lltv) =>
        FixedPoint.Min(MaxLiquidationIncentiveFactor,
            FixedPoint.WDivDown(FixedPoint.Wad, FixedPoint.Wad - FixedPoint.WMulDown(LiquidationCursor, FixedPoint.Wad - lltv)));

    /// <summary>
    /// <c>liquidate</c> given repaidShares: seized = ⌊⌊toAssetsDown(shares)·LIF / 1e18⌋ · 1e36 / price⌋ (collateral base units).
    /// </summary>
    public static BigInteger SeizedForRepaidShares(BigInteger repaidShares, MorphoBlueMarket market, BigInteger lif, BigInteger oraclePrice) =>
        FixedPoint.MulDivDown(
            FixedPoint.WMulDown(ToAssetsDown(repaidShares, market.TotalBorrowAssets, market.TotalBorrowShares), lif),
            FixedPoint.OraclePriceScale, oraclePrice);
}
