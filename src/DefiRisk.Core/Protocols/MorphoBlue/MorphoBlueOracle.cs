using System.Numerics;

namespace DefiRisk.Core.Protocols.MorphoBlue;

/// <summary>How a Morpho market's <c>price()</c> follows its two tokens' USD oracle prices (exact).</summary>
public static class MorphoBlueOracle
{
    /// <summary>
    /// <c>price()</c> now = snapshot price × (collateral now / at snapshot) ÷ (loan now / at snapshot)
    /// = P·cNow·lSnap / (cSnap·lNow), floor.
    /// </summary>
    public static BigInteger Price(BigInteger snapshotPrice, BigInteger collateralAtSnapshot, BigInteger collateralNow, BigInteger loanAtSnapshot, BigInteger loanNow)
    {
        var den = collateralAtSnapshot * loanNow;
        return den.IsZero ? snapshotPrice : snapshotPrice * collateralNow * loanAtSnapshot / den;
    }
}
