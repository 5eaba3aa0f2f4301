using System.Numerics;

namespace DefiRisk.Core.Venues.External;

/// <summary>
/// Exact state of an external market: the signed net amount sold q (base units of the asset) and the reference price as
/// a fraction. Rounding, stated once: a sale of x pays ⌊P · ∫_q^{q+x} (10^6 − s(y)) dy / 10^6⌋ quote base units (down, as a
/// DEX pays); a buy with a quote input pays out the largest whole number of asset base units whose exact cost does not
/// exceed the input. Input beyond the end of the curve is not filled and earns nothing (as a v3 pool that runs dry).
/// </summary>
internal sealed partial class ExternalMarketExactState(ExternalMarketPool pool) : ExactPoolState
{
    private readonly ExternalDepthCurve _curve = pool.Curve;
    private readonly bool _assetIsToken0 = pool.Asset.CompareTo(pool.Quote) < 0;
    private BigInteger _q;
    private BigInteger _pn = pool.PriceNumerator, _pd = pool.PriceDenominator;

    public override BigInteger Swap(BigInteger amountIn, bool zeroForOne, bool commit)
    {
        if (amountIn.Sign <= 0) return BigInteger.Zero;
        return zeroForOne == _assetIsToken0 ? Sell(amountIn, commit) : Buy(amountIn, commit);
    }

    private BigInteger Sell(BigInteger amount, bool commit)
    {
        var filled = BigInteger.Min(amount, _curve.MaxSize - _q);
        if (filled.Sign <= 0) return BigInteger.Zero;
        var (n, d) = _curve.PriceIntegral(_q, _q + filled);
        if (commit) _q += filled;
        return _pn * n / (_pd * ExternalDepthCurve.PpmScale * d);
    }

    private BigInteger Buy(BigInteger quoteIn, bool commit)
    {
        // Largest δ in [0, q + MaxSize] with P·∫_{q−δ}^{q} ≤ quoteIn: the cost rises strictly with δ, so bisect on it.
        BigInteger lo = 0, hi = _q + _curve.MaxSize;
        if (hi.Sign <= 0) return BigInteger.Zero;
        var budget = quoteIn * _pd * ExternalDepthCurve.PpmScale;
        if (Cost(hi) <= budget) lo = hi;
        else
            while (hi - lo > 1)
            {
                var mid = (lo + hi) / 2;
                if (Cost(mid) <= budget) lo = mid; else hi = mid;
            }
        if (commit) _q -= lo;
        return lo;

        // Exact cost × Pd × 10^6 compared by cross-multiplication: Pn·n/d ≤ budget ⇔ Pn·n ≤ budget·d.
        BigInteger Cost(BigInteger delta)
        {
            var (n, d) = _curve.PriceIntegral(_q - delta, _q);
            return BigInteger.Divide(_pn * n + d - 1, d);
        }
    }

    /// <summary>
    /// The book's mid price after what was sold, as a DEX pool's price before its fee: the reference × (1 − (m(q) − m(0))/10^6)
    /// on the bid side (q ≥ 0), × (1 + (m(−q) − m(0))/10^6) on the ask side — the marginal bid (or ask) with the half-spread
    /// and fee of the first point taken back out. Continuous at q = 0 (the reference itself), so one market price and the
    /// route price read the same number whichever token is token0; a sale's fill still pays the curve's bid (<see cref="Swap"/>).
    /// </summary>
    public override (BigInteger Numerator, BigInteger Denominator) Spot(bool zeroForOne)
    {
        var (fn, fd) = MidPpm();
        var selling = zeroForOne == _assetIsToken0;
        // Selling: quote per asset = P × mid; buying: asset per quote = 1 / (P × mid).
        return selling ? (_pn * fn, _pd * fd * ExternalDepthCurve.PpmScale) : (_pd * fd * ExternalDepthCurve.PpmScale, _pn * fn);
    }

    /// <summary>An exogenous move of one token's price: the reference price follows it; the book (net sold) moves with it.</summary>
    public override void Reprice(bool assetIsToken0, BigInteger numerator, BigInteger denominator)
    {
        var movedIsAsset = assetIsToken0 == _assetIsToken0;
        if (movedIsAsset) { _pn *= numerator; _pd *= denominator; }
        else { _pn *= denominator; _pd *= numerator; }
        var g = BigInteger.GreatestCommonDivisor(_pn, _pd);
        if (!g.IsZero && !g.IsOne) { _pn /= g; _pd /= g; }
    }

    public override object Report() => new ExternalMarketFill(pool.Asset, pool.Quote, _q, _pn, _pd);
}

/// <summary>
/// The fast twin: the same curve in doubles (sizes in base units, impacts in ppm), sales floored as the exact path rounds,
/// buys solved on the same cost by bisection in doubles. Checked against the exact state by ExternalMarketVenueTests.
/// </summary>
internal sealed partial class ExternalMarketFastState : FastPoolState
{
    private readonly double[] _x, _m;
    private readonly bool _assetIsToken0;
    private readonly double _priceSnap;
    private double _q, _price;

    public ExternalMarketFastState(ExternalMarketPool pool)
    {
        _x = pool.Curve.Points.Select(p => (double)p.Size).ToArray();
        _m = pool.Curve.Points.Select(p => (double)p.ImpactPpm).ToArray();
        _assetIsToken0 = pool.Asset.CompareTo(pool.Quote) < 0;
        _priceSnap = _price = (double)pool.PriceNumerator / (double)pool.PriceDenominator;
    }

    public override double Swap(double amountIn, bool zeroForOne, bool commit)
    {
        if (amountIn <= 0) return 0;
        if (zeroForOne == _assetIsToken0)
        {
            var filled = Math.Min(amountIn, _x[^1] - _q);
            if (filled <= 0) return 0;
            var value = _price * PriceIntegral(_q, _q + filled) / ExternalDepthCurve.PpmScale;
            if (commit) _q += filled;
            return Math.Floor(value);
        }
        double lo = 0, hi = _q + _x[^1];
        if (hi <= 0) return 0;
        if (Cost(hi) > amountIn)
            for (var k = 0; k < 200 && hi - lo > Math.Max(1e-6, hi * 1e-15); k++)
            {
                var mid = 0.5 * (lo + hi);
                if (Cost(mid) <= amountIn) lo = mid; else hi = mid;
            }
        else lo = hi;
        var bought = Math.Floor(lo);
        if (commit) _q -= bought;
        return bought;

        double Cost(double delta) => _price * PriceIntegral(_q - delta, _q) / ExternalDepthCurve.PpmScale;
    }

    /// <summary>The mid now ÷ the mid at the snapshot (<see cref="ExternalMarketExactState.Spot"/>), token out per token in.</summary>
    public override double PriceMove(bool zeroForOne)
    {
        var move = _price * Mid(_q) / _priceSnap;
        return zeroForOne == _assetIsToken0 ? move : 1 / move;
    }

    public override void Reprice(bool assetIsToken0, double factor) =>
        _price = assetIsToken0 == _assetIsToken0 ? _price * factor : _price / factor;

    public override void Reset() { _q = 0; _price = _priceSnap; }

    private double ImpactAt(double y)
    {
        if (y >= _x[^1]) return _m[^1];
        var i = Segment(y);
        return _m[i] + (_m[i + 1] - _m[i]) * (y - _x[i]) / (_x[i + 1] - _x[i]);
    }

    private double ImpactIntegral(double a, double b)
    {
        var sum = 0.0;
        for (var i = Segment(a); i < _x.Length - 1 && _x[i] < b; i++)
        {
            double lo = Math.Max(a, _x[i]), hi = Math.Min(b, _x[i + 1]);
            if (lo >= hi) continue;
            var slope = (_m[i + 1] - _m[i]) / (_x[i + 1] - _x[i]);
            // Mean impact over [lo, hi] × width: avoids the difference of two large squares.
            sum += (hi - lo) * (_m[i] + slope * ((lo - _x[i]) + (hi - _x[i])) / 2);
        }
        return sum;
    }

    private double PriceIntegral(double a, double b)
    {
        var value = ExternalDepthCurve.PpmScale * (b - a);
        if (b > 0) value -= ImpactIntegral(Math.Max(a, 0), b);
        if (a < 0) value += ImpactIntegral(-Math.Min(b, 0), -a);
        return value;
    }

    private int Segment(double y)
    {
        var i = 0;
        while (i < _x.Length - 2 && _x[i + 1] <= y) i++;
        return i;
    }
}
