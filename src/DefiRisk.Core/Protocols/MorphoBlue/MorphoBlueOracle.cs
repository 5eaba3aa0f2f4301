using System.Numerics;
using DefiRisk.Core.Lending;

namespace DefiRisk.Core.Protocols.MorphoBlue;

/// <summary>How a Morpho market's <c>price()</c> follows the assets' USD oracle prices (exact).</summary>
public static class MorphoBlueOracle
{
    /// <summary>
    /// An unknown oracle's <c>price()</c> now = snapshot price × (collateral now / at snapshot) ÷ (loan now / at snapshot)
    /// = P·cNow·lSnap / (cSnap·lNow), floor: it keeps its snapshot ratio to the two tokens' USD prices.
    /// </summary>
    public static BigInteger Price(BigInteger snapshotPrice, BigInteger collateralAtSnapshot, BigInteger collateralNow, BigInteger loanAtSnapshot, BigInteger loanNow)
    {
        var den = collateralAtSnapshot * loanNow;
        return den.IsZero ? snapshotPrice : snapshotPrice * collateralNow * loanAtSnapshot / den;
    }

    /// <summary>
    /// <c>price()</c> at the oracle USD prices <paramref name="usdNow"/> (8 decimals, by asset index). A composed oracle whose
    /// stored parts reproduce the snapshot price is recomputed as the contract computes it: each feed that follows an asset
    /// answers ⌊answer · usdNow / usdAtSnapshot⌋, the others and the vault rates hold. Anything else keeps its snapshot ratio
    /// (<see cref="Price(BigInteger, BigInteger, BigInteger, BigInteger, BigInteger)"/>).
    /// </summary>
    public static BigInteger Price(MorphoBlueMarket m, AssetIndex assets, IReadOnlyList<BigInteger> usdNow)
    {
        if (Composed(m) is { } parts)
            return parts.Price(f => f.Follows is { } a && assets.TryGet(a, out var i) && !assets.SnapshotUsd[i].IsZero
                ? f.Answer * usdNow[i] / assets.SnapshotUsd[i]
                : f.Answer) ?? BigInteger.Zero;
        int c = assets[m.CollateralToken], l = assets[m.LoanToken];
        return Price(m.OraclePrice, assets.SnapshotUsd[c], usdNow[c], assets.SnapshotUsd[l], usdNow[l]);
    }

    /// <summary>The market's composed parts when they are known and reproduce its snapshot <c>price()</c> exactly; else null.</summary>
    public static MorphoOracleParts? Composed(MorphoBlueMarket m) =>
        m.OracleParts is { Kind: not MorphoOracleKind.Unknown } parts && parts.SnapshotPrice == m.OraclePrice ? parts : null;
}
