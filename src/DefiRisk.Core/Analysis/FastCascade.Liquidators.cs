namespace DefiRisk.Core.Analysis;

/// <summary>What a call costs the liquidator on the fast path: the exact path's rule (<c>ExactCascade.Liquidators.cs</c>) on doubles.</summary>
internal sealed partial class FastCascade
{
    /// <summary>One extra leg's gas in base units of <paramref name="to"/> at its market price (floor, as the exact path).</summary>
    private double LegCost(Lending.FastRound round, int to) =>
        o.Liquidators.LegGasCostUsd.Sign <= 0 || !(round.Market[to] > 0) ? 0
        : Math.Floor((double)o.Liquidators.LegGasCostUsd / 1e8 * m.Unit[to] / round.Market[to]);

    /// <summary>As the exact path's <c>ProfitCeilingUsd</c>: collateral at the best route's marginal price − repaid, USD, − base gas.</summary>
    public double ProfitCeilingUsd(Lending.FastState st, Lending.FastRound round, int coll, int debt, double collateral, double repaid) =>
        (collateral * SaleRateCeiling(st, round, coll, debt) - repaid) * round.Market[debt] / m.Unit[debt] - (double)o.GasCostUsd / 1e8;

    /// <summary>As the exact path's <c>SaleRateCeiling</c>: debt base units one collateral base unit can fetch at most, through the sale's routing.</summary>
    private double SaleRateCeiling(Lending.FastState st, Lending.FastRound round, int coll, int debt)
    {
        if (coll == debt) return 1;
        if (m.Graph.FindPath(coll, debt) is { } path) return RouteRate(st, path, coll, debt) * (1 + 1e-6);
        var n = m.Graph.Numeraire;
        var oracleUsd = round.OracleUsd;
        if (m.Graph.FindPath(coll, n) is { } toN)
            return oracleUsd[debt] == 0 ? 0 : RouteRate(st, toN, coll, n) * oracleUsd[n] * m.Unit[debt] / (oracleUsd[debt] * m.Unit[n]) * (1 + 1e-6);
        if (o.MarketPrices.OnePrice) return double.PositiveInfinity;
        return round.Market[debt] == 0 ? 0 : round.Market[coll] * m.Unit[debt] / (round.Market[debt] * m.Unit[coll]) * (1 + 1e-6);
    }

    /// <summary>The largest product of marginal prices (before fees) over the routes a sale may take, from each pool's move since the snapshot.</summary>
    private double RouteRate(Lending.FastState st, Venues.Hop[] path, int from, int to)
    {
        var spot0 = Spot0Table;
        double Product(Venues.Hop[] hops)
        {
            var x = 1.0;
            foreach (var h in hops)
                x *= (h.ZeroForOne ? spot0[h.Pool] : 1 / spot0[h.Pool]) * st.Pools[h.Pool].PriceMove(h.ZeroForOne) * st.Pools[h.Pool].SpotCeilingFactor(h.ZeroForOne);
            return x;
        }
        if (!o.Liquidators.BestExecution) return Product(path);
        var best = 0.0;
        foreach (var route in m.Graph.Routes(from, to)) best = Math.Max(best, Product(route));
        return best;
    }

    /// <summary>Gas of a sale's legs beyond the first, USD.</summary>
    private double ExtraLegsGasUsd(int legs) => o.Liquidators.BestExecution && legs > 1 ? (legs - 1) * (double)o.Liquidators.LegGasCostUsd / 1e8 : 0;
}
