using System.Numerics;

namespace DefiRisk.Core.Venues.External;

/// <summary>One point of a depth curve: after <see cref="Size"/> base units of the asset have been sold, the marginal
/// price is the reference price × (1 − <see cref="ImpactPpm"/>/10^6).</summary>
public readonly record struct ExternalDepthPoint(BigInteger Size, int ImpactPpm);

/// <summary>
/// An external market's depth for one asset (a CEX order book, an aggregator's quotes), as a curve of <b>marginal</b>
/// price impact against cumulative size sold, in the asset's base units. Slippage definition, everywhere in this venue:
/// the impact is the marginal one (the price of the last unit sold, against the reference price), not the average of a
/// fill; between points it is linear in size; the price a fill gets is the integral of the marginal price over the
/// sizes it walks through (so two sales of x pay exactly what one sale of 2x pays). This is the "±2 % depth" a CEX
/// order book reports: the volume resting within 2 % of mid is what moves the best bid 2 %.
/// <list type="bullet">
/// <item>The first point has size 0; its impact is the half-spread (and taker fee) the very first unit pays.</item>
/// <item>Sizes rise strictly, impacts never fall, every impact is below 100 %.</item>
/// <item>The curve ends at its last point: the external market takes nothing beyond it (depth nobody quoted is not
/// assumed). Buys walk the same curve mirrored (ask = reference × (1 + impact)), down to −(last size).</item>
/// </list>
/// </summary>
public sealed class ExternalDepthCurve
{
    /// <summary>Impacts are in parts per million of the reference price (1 bps = 100 ppm).</summary>
    public const int PpmScale = 1_000_000;

    private readonly BigInteger[] _x;
    private readonly int[] _m;

    public ExternalDepthCurve(IReadOnlyList<ExternalDepthPoint> points)
    {
        if (points.Count < 2) throw new DefiRiskException("a depth curve needs at least two points (size 0 and one more)");
        if (!points[0].Size.IsZero) throw new DefiRiskException($"a depth curve starts at size 0, not {points[0].Size}");
        for (var i = 0; i < points.Count; i++)
        {
            if (points[i].ImpactPpm is < 0 or >= PpmScale)
                throw new DefiRiskException($"depth curve point {i}: impact {points[i].ImpactPpm} ppm must be in [0, 1000000)");
            if (i > 0 && points[i].Size <= points[i - 1].Size)
                throw new DefiRiskException($"depth curve point {i}: sizes must rise strictly ({points[i - 1].Size} then {points[i].Size})");
            if (i > 0 && points[i].ImpactPpm < points[i - 1].ImpactPpm)
                throw new DefiRiskException($"depth curve point {i}: impact must not fall with size ({points[i - 1].ImpactPpm} then {points[i].ImpactPpm} ppm)");
        }
        Points = points.ToArray();
        _x = points.Select(p => p.Size).ToArray();
        _m = points.Select(p => p.ImpactPpm).ToArray();
    }

    public IReadOnlyList<ExternalDepthPoint> Points { get; }

    /// <summary>The most that can be sold (or bought) from a fresh book, base units.</summary>
    public BigInteger MaxSize => _x[^1];

    /// <summary>Marginal impact at cumulative size <paramref name="y"/> (0 ≤ y ≤ MaxSize), ppm, as a fraction.</summary>
    public (BigInteger Num, BigInteger Den) ImpactAt(BigInteger y)
    {
        if (y >= _x[^1]) return (_m[^1], 1);
        var i = Segment(y);
        var dx = _x[i + 1] - _x[i];
        return (_m[i] * dx + (_m[i + 1] - _m[i]) * (y - _x[i]), dx);
    }

    /// <summary>∫ from a to b of the marginal impact (ppm), 0 ≤ a ≤ b ≤ MaxSize, as an exact fraction: on a segment,
    /// m_i·(hi − lo) + Δm·((hi − x_i)² − (lo − x_i)²) / (2·Δx).</summary>
    public (BigInteger Num, BigInteger Den) ImpactIntegral(BigInteger a, BigInteger b)
    {
        BigInteger num = 0, den = 1;
        if (a >= b) return (num, den);
        for (var i = Segment(a); i < _x.Length - 1 && _x[i] < b; i++)
        {
            var lo = BigInteger.Max(a, _x[i]);
            var hi = BigInteger.Min(b, _x[i + 1]);
            if (lo >= hi) continue;
            var dx = _x[i + 1] - _x[i];
            var segDen = 2 * dx;
            var segNum = _m[i] * (hi - lo) * segDen + (_m[i + 1] - _m[i]) * ((hi - _x[i]) * (hi - _x[i]) - (lo - _x[i]) * (lo - _x[i]));
            num = num * segDen + segNum * den;
            den *= segDen;
            var g = BigInteger.GreatestCommonDivisor(num, den);
            if (!g.IsOne && !g.IsZero) { num /= g; den /= g; }
        }
        return (num, den);
    }

    /// <summary>
    /// ∫ from a to b of the price factor × 10^6 over the signed position y (net base units sold; −MaxSize ≤ a ≤ b ≤ MaxSize):
    /// 10^6 − m(y) where y ≥ 0 (the bid side), 10^6 + m(−y) where y &lt; 0 (the ask side). A fill's value in quote base units
    /// is this × reference price / 10^6.
    /// </summary>
    public (BigInteger Num, BigInteger Den) PriceIntegral(BigInteger a, BigInteger b)
    {
        BigInteger num = PpmScale * (b - a), den = 1;
        if (b > 0)
        {
            var (n, d) = ImpactIntegral(BigInteger.Max(a, 0), b);
            num = num * d - n * den;
            den *= d;
        }
        if (a < 0)
        {
            var (n, d) = ImpactIntegral(-BigInteger.Min(b, 0), -a);
            num = num * d + n * den;
            den *= d;
        }
        return (num, den);
    }

    /// <summary>The same curve with every size × num/den (floor; sizes kept strictly rising), impacts unchanged.</summary>
    public ExternalDepthCurve Scaled(BigInteger num, BigInteger den)
    {
        var points = new List<ExternalDepthPoint>(_x.Length);
        for (var i = 0; i < _x.Length; i++)
        {
            var size = _x[i] * num / den;
            if (i > 0 && size <= points[i - 1].Size) size = points[i - 1].Size + 1;
            points.Add(new ExternalDepthPoint(size, _m[i]));
        }
        return new ExternalDepthCurve(points);
    }

    /// <summary>
    /// The segment a position moves along from size <paramref name="y"/>: going up (more sold) the one holding [y, y+1), going
    /// down (bought back) the one holding [y−1, y); its impact rise (ppm) and width (base units).
    /// </summary>
    public (int Rise, BigInteger Width) SegmentFrom(BigInteger y, bool up)
    {
        var i = Segment(up ? y : BigInteger.Max(y - 1, BigInteger.Zero));
        return (_m[i + 1] - _m[i], _x[i + 1] - _x[i]);
    }

    /// <summary>The segment [x_i, x_{i+1}) holding y (the last segment for y at or past its start).</summary>
    private int Segment(BigInteger y)
    {
        var i = 0;
        while (i < _x.Length - 2 && _x[i + 1] <= y) i++;
        return i;
    }
}
