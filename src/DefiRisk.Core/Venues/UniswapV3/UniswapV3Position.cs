using System.Numerics;

namespace DefiRisk.Core.Venues.UniswapV3;

/// <summary>Liquidity <paramref name="Liquidity"/> (uint128) over [TickLower, TickUpper), as <c>UniswapV3Pool.mint</c> adds it.</summary>
public readonly record struct UniswapV3Position(int TickLower, int TickUpper, BigInteger Liquidity);

/// <summary>Builds pool states the way <c>initialize</c> and then <c>mint</c> would leave them.</summary>
public static class UniswapV3Positions
{
    /// <summary>
    /// The state of a pool initialized at <paramref name="sqrtPriceX96"/> (tick = getTickAtSqrtRatio, as
    /// <c>initialize</c> sets it) holding <paramref name="positions"/>: each adds +L at its lower tick and −L at its upper
    /// (<c>Tick.update</c>), counts in the in-range liquidity when lower ≤ tick &lt; upper, and leaves a tick initialized
    /// while any liquidity references it, even when the nets cancel.
    /// </summary>
    public static UniswapV3PoolState PoolState(BigInteger sqrtPriceX96, int fee, int tickSpacing, IEnumerable<UniswapV3Position> positions)
    {
        var tick = TickMath.GetTickAtSqrtRatio(sqrtPriceX96);
        var net = new SortedDictionary<int, BigInteger>();
        var liquidity = BigInteger.Zero;
        foreach (var p in positions)
        {
            if (p.TickLower >= p.TickUpper) FullMath.Revert("TLU");
            if (p.TickLower < TickMath.MinTick) FullMath.Revert("TLM");
            if (p.TickUpper > TickMath.MaxTick) FullMath.Revert("TUM");
            if (p.Liquidity.Sign <= 0) continue; // mint requires amount > 0; a zero position adds nothing
            net[p.TickLower] = net.GetValueOrDefault(p.TickLower) + p.Liquidity;
            net[p.TickUpper] = net.GetValueOrDefault(p.TickUpper) - p.Liquidity;
            if (p.TickLower <= tick && tick < p.TickUpper) liquidity += p.Liquidity;
        }
        return new UniswapV3PoolState(sqrtPriceX96, tick, liquidity, fee, tickSpacing, net.Select(kv => new UniswapV3Tick(kv.Key, kv.Value)).ToList());
    }
}
