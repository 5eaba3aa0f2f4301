using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;

namespace DefiRisk.Core.Protocols.AaveV3;

/// <summary>
/// <c>Pool.getUserAccountData</c> in base-currency units: total collateral and debt, weighted
/// liquidation threshold (bps) and the health factor (wad; <c>type(uint256).max</c> without debt).
/// </summary>
public readonly record struct AaveV3AccountData(BigInteger TotalCollateralBase, BigInteger TotalDebtBase, BigInteger AverageLiquidationThreshold, BigInteger HealthFactor)
{
    public bool HasDebt => !TotalDebtBase.IsZero;

    /// <summary><c>ValidationLogic.validateLiquidationCall</c>: liquidatable iff HF &lt; 1e18 (strict).</summary>
    public bool IsLiquidatable => HealthFactor < FixedPoint.Wad;
}

/// <summary>
/// Mirrors <c>GenericLogic.calculateUserAccountData</c> for the deployed revision:
/// ≤ 3.4: per reserve value = ⌊balance·price / 10^dec⌋, avgLT = ⌊Σ value·LT / TC⌋,
/// HF = wadDiv(percentMul(TC, avgLT), TD) (both half up).
/// ≥ 3.5: debt value rounds up, HF = ⌊wadDiv(Σ value·LT, TD) / 1e4⌋ (exact weighting).
/// ≤ 3.5: a reserve whose own LT is 0 is not collateral (3.6+: it is, with LT 0 or its e-mode LT); e-mode members use
/// the category's LT (and, ≤ 3.1, its price source).
/// </summary>
public static class AaveV3AccountMath
{
    /// <param name="price">oracle price of an asset in base-currency units (lets the analyser substitute shocked prices).</param>
    public static AaveV3AccountData Calculate(AaveV3Market market, AaveV3Account account, Func<Address, BigInteger> price)
    {
        var eMode = market.EMode(account.EModeCategory);
        var exactWeighting = market.PoolRevision >= AaveV3Revision.V3_5;
        // ≤ 3.5 skips a reserve whose own LT is 0 even inside an e-mode; 3.6+ counts every collateral-flagged reserve.
        var zeroLtCounts = market.PoolRevision >= AaveV3Revision.V3_6;
        BigInteger totalCollateral = 0, weightedThreshold = 0, totalDebt = 0;

        foreach (var position in account.Reserves)
        {
            var reserve = market.Reserve(position.Asset);
            var inEMode = eMode is not null && eMode.Contains(reserve.Asset);
            var assetPrice = inEMode && eMode!.PriceSourcePrice is { } p && !p.IsZero ? p : price(reserve.Asset);
            var unit = FixedPoint.Pow10(reserve.Decimals);

            if (position.UsedAsCollateral && (zeroLtCounts || reserve.LiquidationThreshold != 0) && !position.Collateral.IsZero)
            {
                var value = position.Collateral * assetPrice / unit;
                totalCollateral += value;
                weightedThreshold += value * (inEMode ? eMode!.LiquidationThreshold : reserve.LiquidationThreshold);
            }

            var debt = position.TotalDebt;
            if (!debt.IsZero)
                totalDebt += exactWeighting ? FixedPoint.MulDivUp(debt, assetPrice, unit) : debt * assetPrice / unit;
        }

        var avgLt = totalCollateral.IsZero ? BigInteger.Zero : weightedThreshold / totalCollateral;
        BigInteger hf;
        if (totalDebt.IsZero) hf = FixedPoint.UInt256Max;
        else if (exactWeighting) hf = FixedPoint.WadDiv(weightedThreshold, totalDebt) / FixedPoint.PercentageFactor;
        else hf = FixedPoint.WadDiv(FixedPoint.PercentMul(totalCollateral, avgLt), totalDebt);
        return new AaveV3AccountData(totalCollateral, totalDebt, avgLt, hf);
    }

    /// <summary>At the snapshot's own oracle prices.</summary>
    public static AaveV3AccountData Calculate(AaveV3Market market, AaveV3Account account) =>
        Calculate(market, account, asset => market.Reserve(asset).OraclePrice);
}
