using System.Numerics;

namespace DefiRisk.Core.Venues.External;

/// <summary>
/// What one market price and best execution ask of the external market (<see cref="ExactPoolState.Mark"/>,
/// <see cref="ExactPoolState.Restore"/>, <see cref="ExactPoolState.VirtualReserve"/>), exact here and fast below, checked
/// against each other by ExternalMarketOnePriceTests (1e-9 relative).
/// <para>
/// Virtual reserve: the depth a constant-product pool would need to move its price as the curve moves the book's mid
/// (<see cref="Spot"/>) at the current position. A constant-product pool of reserve X moves its price by dp/p = −2·dx/X,
/// so X = 2·mid / |d mid / dq|: with the mid as a factor F (ppm of the reference) and the curve's slope on the segment the
/// next sale walks, rise/width ppm per base unit, X = 2·F·width / rise (floor). The quote side is X × the mid price, as a
/// pool's y = x·p. A flat segment (no rise) is taken as rising by 1 ppm, the curve's resolution: very deep, never
/// infinite. A bid side sold to its end takes nothing more, so its depth is 0 (it no longer pulls the market price).
/// </para>
/// </summary>
internal sealed partial class ExternalMarketExactState
{
    /// <summary>The mid as a factor of the reference, × 10^6, as a fraction (see <see cref="Spot"/>).</summary>
    private (BigInteger Num, BigInteger Den) MidPpm()
    {
        var (mn, md) = _curve.ImpactAt(BigInteger.Min(BigInteger.Abs(_q), _curve.MaxSize));
        var first = _curve.Points[0].ImpactPpm * md;
        var scale = ExternalDepthCurve.PpmScale * md;
        return (_q.Sign >= 0 ? scale - (mn - first) : scale + (mn - first), md);
    }

    /// <summary>The first unit's fill ÷ the mid (at least 1): a sale from a net bought book unwinds at the ask, a buy from a net
    /// sold book at the bid, each up to the half-spread and the impact beyond the mid.</summary>
    public override double SpotCeilingFactor(bool zeroForOne)
    {
        var (mn, md) = _curve.ImpactAt(BigInteger.Min(BigInteger.Abs(_q), _curve.MaxSize));
        var (fn, fd) = MidPpm();
        return ExternalFill.CeilingFactor(zeroForOne == _assetIsToken0, _q.Sign, (double)mn / (double)md, (double)fn / (double)fd);
    }

    // The position and the reference price are the whole state.
    public override object Mark() => (_q, _pn, _pd);

    public override void Restore(object mark) => (_q, _pn, _pd) = ((BigInteger, BigInteger, BigInteger))mark;

    public override BigInteger VirtualReserve(bool token0)
    {
        if (_q >= _curve.MaxSize) return BigInteger.Zero;
        var (rise, width) = _curve.SegmentFrom(BigInteger.Abs(_q), up: _q.Sign >= 0);
        var (fn, fd) = MidPpm();
        var slope = Math.Max(rise, 1);
        // Asset: 2·F·width/rise with F = fn/fd; quote: that × P × F / 10^6.
        return token0 == _assetIsToken0
            ? 2 * fn * width / (fd * slope)
            : 2 * fn * fn * width * _pn / (fd * fd * slope * _pd * ExternalDepthCurve.PpmScale);
    }
}

/// <summary>The fast twin of the members above, on doubles, the same formulas.</summary>
internal sealed partial class ExternalMarketFastState
{
    /// <summary>The mid at position <paramref name="q"/> as a factor of the reference.</summary>
    private double Mid(double q)
    {
        var rise = ImpactAt(Math.Min(Math.Abs(q), _x[^1])) - _m[0];
        return q >= 0 ? 1 - rise / ExternalDepthCurve.PpmScale : 1 + rise / ExternalDepthCurve.PpmScale;
    }

    public override double SpotCeilingFactor(bool zeroForOne) =>
        ExternalFill.CeilingFactor(zeroForOne == _assetIsToken0, Math.Sign(_q), ImpactAt(Math.Min(Math.Abs(_q), _x[^1])), Mid(_q) * ExternalDepthCurve.PpmScale);

    public override object Mark() => (_q, _price);

    public override void Restore(object mark) => (_q, _price) = ((double, double))mark;

    public override double VirtualReserve(bool token0)
    {
        if (_q >= _x[^1]) return 0;
        var i = Segment(_q >= 0 ? _q : Math.Max(-_q - 1, 0));
        var slope = Math.Max(_m[i + 1] - _m[i], 1);
        var f = Mid(_q) * ExternalDepthCurve.PpmScale;
        var x = 2 * f * (_x[i + 1] - _x[i]) / slope;
        return token0 == _assetIsToken0 ? x : x * _price * f / ExternalDepthCurve.PpmScale;
    }
}

/// <summary>The first unit's fill against the mid, shared by the exact and fast states (a bound: doubles suffice).</summary>
internal static class ExternalFill
{
    /// <param name="selling">the asset goes in.</param>
    /// <param name="side">the sign of the net amount sold.</param>
    /// <param name="impactPpm">the curve's impact at |net sold|, ppm.</param>
    /// <param name="midPpm">the mid as a factor of the reference, ppm.</param>
    public static double CeilingFactor(bool selling, int side, double impactPpm, double midPpm)
    {
        // A sale fills at 1 − m on the bid side (net sold ≥ 0), 1 + m unwinding a net buy; a buy pays 1 − m unwinding a net sale, else 1 + m.
        var fill = ExternalDepthCurve.PpmScale + ((selling ? side >= 0 : side > 0) ? -impactPpm : impactPpm);
        var ratio = selling ? fill / midPpm : midPpm / fill;
        return Math.Max(1, ratio);
    }
}
