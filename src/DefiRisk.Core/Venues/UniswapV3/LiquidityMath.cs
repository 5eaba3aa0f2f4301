using System.Numerics;

namespace DefiRisk.Core.Venues.UniswapV3;

/// <summary>Uniswap v3 <c>LiquidityMath</c>.</summary>
public static class LiquidityMath
{
    /// <summary><c>addDelta</c>: a uint128 liquidity plus a signed int128 delta; reverts 'LS' below zero, 'LA' above uint128.</summary>
    public static BigInteger AddDelta(BigInteger liquidity, BigInteger delta)
    {
        var z = liquidity + delta;
        if (z.Sign < 0) FullMath.Revert("LS");
        if (z > FullMath.MaxUInt128) FullMath.Revert("LA");
        return z;
    }
}
