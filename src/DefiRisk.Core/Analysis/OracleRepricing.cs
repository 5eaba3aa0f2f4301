using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;

namespace DefiRisk.Core.Analysis;

/// <summary>
/// How derived oracle prices follow a move of the assets' USD oracle prices (8 decimals), in exact integer math. One
/// place for the cascade (<see cref="ExactCascade"/>) and the static liquidation levels of the reports, so a level is
/// round 0 of a cascade with no pools. Each protocol family's own oracle unit follows in its folder.
/// </summary>
public static class OracleRepricing
{
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
