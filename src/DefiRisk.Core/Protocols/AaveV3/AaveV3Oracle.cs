using System.Numerics;

namespace DefiRisk.Core.Protocols.AaveV3;

/// <summary>How an Aave reserve's oracle price follows the asset's USD oracle price (exact, shared by the cascade and the account views).</summary>
public static class AaveV3Oracle
{
    /// <summary>
    /// An Aave reserve price (base currency): the asset's USD oracle price now when the reserve was priced at it, else
    /// the snapshot reserve price scaled by the asset's move (floor).
    /// </summary>
    public static BigInteger ReservePrice(BigInteger reserveSnapshotPrice, BigInteger usdAtSnapshot, BigInteger usdNow) =>
        reserveSnapshotPrice == usdAtSnapshot ? usdNow
        : usdAtSnapshot.IsZero ? reserveSnapshotPrice
        : reserveSnapshotPrice * usdNow / usdAtSnapshot;
}
