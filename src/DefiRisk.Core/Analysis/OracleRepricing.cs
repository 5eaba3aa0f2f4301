using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;

namespace DefiRisk.Core.Analysis;

/// <summary>
/// How protocol oracle prices follow a move of the assets' USD oracle prices (8 decimals), in exact integer math. One
/// place for the cascade (<see cref="ExactCascade"/>) and the static liquidation levels of the reports, so a level is
/// round 0 of a cascade with no pools.
/// </summary>
public static class OracleRepricing
{
    /// <summary>
    /// An Aave reserve price (base currency): the asset's USD oracle price now when the reserve was priced at it, else
    /// the snapshot reserve price scaled by the asset's move (floor).
    /// </summary>
    public static BigInteger AaveReservePrice(BigInteger reserveSnapshotPrice, BigInteger usdAtSnapshot, BigInteger usdNow) =>
        reserveSnapshotPrice == usdAtSnapshot ? usdNow
        : usdAtSnapshot.IsZero ? reserveSnapshotPrice
        : reserveSnapshotPrice * usdNow / usdAtSnapshot;

    /// <summary>
    /// Morpho <c>price()</c> now = snapshot price × (collateral now / at snapshot) ÷ (loan now / at snapshot)
    /// = P·cNow·lSnap / (cSnap·lNow), floor.
    /// </summary>
    public static BigInteger MorphoPrice(BigInteger snapshotPrice, BigInteger collateralAtSnapshot, BigInteger collateralNow, BigInteger loanAtSnapshot, BigInteger loanNow)
    {
        var den = collateralAtSnapshot * loanNow;
        return den.IsZero ? snapshotPrice : snapshotPrice * collateralNow * loanAtSnapshot / den;
    }

    /// <summary>
    /// An exchange-rate oracle's price (Aave CAPO adapters, the fixture's ExchangeRateAggregator): <c>latestAnswer</c> =
    /// base price now × ratio / 10^ratioDecimals, floor — mirrored whenever the snapshot's ratio reproduces the snapshot
    /// price. Otherwise (a capped adapter, an unknown ratio) the price keeps its snapshot proportion to its root feed.
    /// </summary>
    public static BigInteger ExchangeRatePrice(AssetOracle oracle, BigInteger usdAtSnapshot, BigInteger? baseAtSnapshot, BigInteger? baseNow,
        BigInteger rootAtSnapshot, BigInteger rootNow)
    {
        if (baseAtSnapshot is { } bSnap && baseNow is { } bNow && oracle.Ratio is { } ratio && ratio.Sign > 0)
        {
            var unit = FixedPoint.Pow10(oracle.RatioDecimals);
            if (bSnap * ratio / unit == usdAtSnapshot) return bNow * ratio / unit;
        }
        return rootAtSnapshot.IsZero ? usdAtSnapshot : usdAtSnapshot * rootNow / rootAtSnapshot;
    }
}
