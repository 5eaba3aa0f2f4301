using System.Numerics;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Numerics;
using DefiRisk.Core.Venues;

namespace DefiRisk.Core.Analysis;

/// <summary>
/// What a call costs the liquidator on the exact path (<see cref="LiquidatorModel"/>): the flash loan that funds the
/// repayment (<see cref="FlashFunding"/>, balances moved by the cascade's liquidations), the base gas per call, the gas
/// of every extra leg of a split sale (<see cref="Venues.LegGasExecution"/>) and of every flash loan nested beyond the first.
/// </summary>
internal sealed partial class ExactCascade
{
    internal const string NoFlashLiquidity = "no flash-loan liquidity: the lenders' balances together do not cover the repayment";

    /// <summary>How repaying <paramref name="repaid"/> of <paramref name="debt"/> is funded now (own funds when not flash-loan funded).</summary>
    private FlashQuote Funding(int debt, BigInteger repaid) => _flash?.Quote(debt, repaid) ?? FlashQuote.OwnFunds;

    /// <summary>One extra leg's gas in base units of <paramref name="to"/> at its market price (floor; zero = legs are free).</summary>
    private BigInteger LegCost(int to, BigInteger[] market) =>
        _o.Liquidators.LegGasCostUsd.Sign <= 0 || market[to].IsZero ? BigInteger.Zero
        : _o.Liquidators.LegGasCostUsd * FixedPoint.Pow10(_s.Assets[to].Decimals) / market[to];

    /// <summary>Gas of the last sale's legs beyond the first, USD 8 decimals.</summary>
    private BigInteger ExtraLegsGasUsd8 => _o.Liquidators.BestExecution && _legs.Count > 1 ? (_legs.Count - 1) * _o.Liquidators.LegGasCostUsd : BigInteger.Zero;

    /// <summary>
    /// An upper bound on what selling one base unit of <paramref name="coll"/> pays in <paramref name="debt"/> base units, with
    /// no sale quoted: the best route's product of marginal prices before fees, each × its venue's
    /// <see cref="ExactPoolState.SpotCeilingFactor"/> (no swap pays more: <c>SpotCeilingTests</c>), through the sale's own
    /// routing (<see cref="Sell"/>), with a 1e-6 margin for doubles. +∞ where a sale would fail anyway.
    /// </summary>
    private double SaleRateCeiling(int coll, int debt, BigInteger[] oracle, BigInteger[] market)
    {
        if (coll == debt) return 1;
        var decD = _s.Assets[debt].Decimals;
        if (_g.FindPath(coll, debt) is { } path) return RouteRate(path, coll, debt) * (1 + 1e-6);
        var n = _g.Numeraire;
        if (_g.FindPath(coll, n) is { } toN)
            return oracle[debt].IsZero ? 0 : RouteRate(toN, coll, n) * (double)oracle[n] * Math.Pow(10, decD) / ((double)oracle[debt] * Math.Pow(10, _s.Assets[n].Decimals)) * (1 + 1e-6);
        if (OnePrice) return double.PositiveInfinity;
        return market[debt].IsZero ? 0 : (double)market[coll] * Math.Pow(10, decD) / ((double)market[debt] * Math.Pow(10, _s.Assets[coll].Decimals)) * (1 + 1e-6);
    }

    /// <summary>The largest product of marginal prices over the routes a sale from <paramref name="from"/> may take.</summary>
    private double RouteRate(Hop[] path, int from, int to)
    {
        double Product(Hop[] hops)
        {
            var x = 1.0;
            foreach (var h in hops)
            {
                var (num, den) = _pools[h.Pool].Spot(h.ZeroForOne);
                x *= den.IsZero ? double.PositiveInfinity : (double)num / (double)den * _pools[h.Pool].SpotCeilingFactor(h.ZeroForOne);
            }
            return x;
        }
        if (!_o.Liquidators.BestExecution) return Product(path);
        var best = 0.0;
        foreach (var route in _g.Routes(from, to)) best = Math.Max(best, Product(route));
        return best;
    }

    /// <summary>Gas of the flash loans nested beyond the first (each one more external call, priced as one extra leg), USD 8 decimals.</summary>
    private BigInteger NestedLoansGasUsd8(FlashQuote funding) => funding.Lenders > 1 ? (funding.Lenders - 1) * _o.Liquidators.LegGasCostUsd : BigInteger.Zero;

    /// <summary>(proceeds − repaid − fee) at the debt's market price − base gas − the last sale's extra legs' gas − nested loans' gas, USD 8 decimals.</summary>
    private BigInteger CallProfitUsd8(int debt, BigInteger proceeds, BigInteger repaid, FlashQuote funding, BigInteger[] market) =>
        (proceeds - repaid - funding.Fee) * market[debt] / FixedPoint.Pow10(_s.Assets[debt].Decimals) - _o.GasCostUsd - ExtraLegsGasUsd8 - NestedLoansGasUsd8(funding);
}
