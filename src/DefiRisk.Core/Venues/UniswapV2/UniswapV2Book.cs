using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;

namespace DefiRisk.Core.Venues.UniswapV2;

/// <summary>Uniswap v2's part of a snapshot: the indexed pairs.</summary>
public sealed record UniswapV2Book(IReadOnlyList<UniswapV2Pool> Pairs) : IVenueBook
{
    public const string Name = "uniswap-v2";

    public string Venue => Name;

    public IReadOnlyList<IPool> Pools => Pairs;

    /// <summary>Both reserves × the factor (floor, at least 1): the same price, that much more or less depth.</summary>
    public IVenueBook WithDepth(decimal factor)
    {
        var num = new BigInteger(decimal.Truncate(factor * 1_000_000m));
        BigInteger Scale(BigInteger r) => BigInteger.Max(BigInteger.One, r * num / 1_000_000);
        return new UniswapV2Book(Pairs.Select(p => p with { Reserve0 = Scale(p.Reserve0), Reserve1 = Scale(p.Reserve1) }).ToList());
    }
}

/// <summary>Where a snapshot's Uniswap v2 pairs are read.</summary>
public static class UniswapV2SnapshotExtensions
{
    public static IReadOnlyList<UniswapV2Pool> UniswapV2Pools(this Snapshot snapshot) => snapshot.Venue<UniswapV2Book>()?.Pairs ?? [];
}

/// <summary>A Uniswap v2 pair: token0 is the lower address; reserves in base units (<c>getReserves()</c>).</summary>
public sealed record UniswapV2Pool(Address Pair, Address Token0, Address Token1, BigInteger Reserve0, BigInteger Reserve1) : ITradablePool
{
    public Address Id => Pair;

    public bool HasLiquidity => !Reserve0.IsZero && !Reserve1.IsZero;

    public ExactPoolState StartExact() => new UniswapV2ExactState(this);

    public FastPoolState StartFast() => new UniswapV2FastState(this);
}

/// <summary>A pair's reserves after a cascade or at a round's start (what a replay sets), base units.</summary>
public sealed record PoolReserves(Address Pair, Address Token0, Address Token1, BigInteger Reserve0, BigInteger Reserve1);

/// <summary>Exact constant-product state: <see cref="UniswapV2Math.GetAmountOut"/> per swap, reserves updated as the pair does.</summary>
internal sealed class UniswapV2ExactState(UniswapV2Pool pool) : ExactPoolState
{
    private BigInteger _r0 = pool.Reserve0, _r1 = pool.Reserve1;

    public override BigInteger Swap(BigInteger amountIn, bool zeroForOne, bool commit)
    {
        ref var rin = ref zeroForOne ? ref _r0 : ref _r1;
        ref var rout = ref zeroForOne ? ref _r1 : ref _r0;
        var y = UniswapV2Math.GetAmountOut(amountIn, rin, rout);
        if (commit) { rin += amountIn; rout -= y; }
        return y;
    }

    public override (BigInteger Numerator, BigInteger Denominator) Spot(bool zeroForOne) => zeroForOne ? (_r1, _r0) : (_r0, _r1);

    /// <summary>Re-prices at constant k: the moved token's reserve × √(den/num), the other's × √(num/den), floor, at least 1.</summary>
    public override void Reprice(bool assetIsToken0, BigInteger numerator, BigInteger denominator)
    {
        ref var ra = ref assetIsToken0 ? ref _r0 : ref _r1;
        ref var rb = ref assetIsToken0 ? ref _r1 : ref _r0;
        var newA = FixedPoint.Sqrt(ra * ra * denominator / numerator);
        var newB = FixedPoint.Sqrt(rb * rb * numerator / denominator);
        ra = BigInteger.Max(newA, BigInteger.One);
        rb = BigInteger.Max(newB, BigInteger.One);
    }

    public override object Report() => new PoolReserves(pool.Pair, pool.Token0, pool.Token1, _r0, _r1);

    public override object Mark() => (_r0, _r1);

    public override void Restore(object mark) => (_r0, _r1) = ((BigInteger, BigInteger))mark;

    public override BigInteger VirtualReserve(bool token0) => token0 ? _r0 : _r1;
}

/// <summary>
/// The fast twin of <see cref="UniswapV2ExactState"/>: <c>getAmountOut</c> on doubles with its floor, the same re-pricing
/// at constant k (√factor). Exact integers below 2^53 keep the floors faithful; the differential test bounds the rest.
/// </summary>
internal sealed class UniswapV2FastState(UniswapV2Pool pool) : FastPoolState
{
    private readonly double _r0Snap = (double)pool.Reserve0, _r1Snap = (double)pool.Reserve1;
    private double _r0 = (double)pool.Reserve0, _r1 = (double)pool.Reserve1;

    public override double Swap(double amountIn, bool zeroForOne, bool commit)
    {
        var rin = zeroForOne ? _r0 : _r1;
        var rout = zeroForOne ? _r1 : _r0;
        var inFee = amountIn * 997;
        var y = Math.Floor(inFee * rout / (rin * 1000 + inFee));
        if (commit)
        {
            if (zeroForOne) { _r0 = rin + amountIn; _r1 = rout - y; }
            else { _r1 = rin + amountIn; _r0 = rout - y; }
        }
        return y;
    }

    public override double PriceMove(bool zeroForOne) =>
        zeroForOne ? _r1 * _r0Snap / (_r0 * _r1Snap) : _r0 * _r1Snap / (_r1 * _r0Snap);

    public override void Reprice(bool assetIsToken0, double factor)
    {
        var g = Math.Sqrt(factor);
        if (assetIsToken0) { _r0 /= g; _r1 *= g; }
        else { _r1 /= g; _r0 *= g; }
    }

    public override void Reset() { _r0 = _r0Snap; _r1 = _r1Snap; }

    public override object Mark() => (_r0, _r1);

    public override void Restore(object mark) => (_r0, _r1) = ((double, double))mark;

    public override double VirtualReserve(bool token0) => token0 ? _r0 : _r1;
}

/// <summary>Uniswap v2's view of a cascade result: its pairs' reserves per round and at the end (what a replay checks).</summary>
public static class UniswapV2ResultExtensions
{
    public static IReadOnlyList<PoolReserves> PairReserves(this Analysis.CascadeRound round) => round.Pools.OfType<PoolReserves>().ToList();

    public static IReadOnlyList<PoolReserves> FinalPairReserves(this Analysis.CascadeResult result) => result.FinalPools.OfType<PoolReserves>().ToList();
}
