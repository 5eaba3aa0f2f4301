namespace DefiRisk.Core.Analysis;

/// <summary>
/// One market price per asset on the fast path: the exact path's steps (<see cref="ExactCascade"/>'s one-price part) on
/// doubles, USD per token. The prices live in the run (one pair of arrays per cascade), so workers share nothing.
/// </summary>
internal sealed partial class FastCascade
{
    private int[][]? _poolsOf, _groupOf;
    // Token1 per token0 (base units) of every pool at the snapshot: a fast state reports its price as a move from there.
    private double[]? _spot0;

    private void StartOnePrice()
    {
        _poolsOf = OnePriceRules.PoolsOf(m.Graph, m.Graph.Pools.Count);
        _groupOf = OnePriceRules.Groups(o.MarketPrices, m.Assets, m.SnapPrice.Length);
        _spot0 = Spot0Table;
    }

    /// <summary>Every pool's token1-per-token0 price at the snapshot (computed once; a benign race between workers computes the same).</summary>
    private double[] Spot0Table => _spot0 ??= m.Graph.Pools.Select(p =>
    {
        var (num, den) = p.StartExact().Spot(true);
        return den.IsZero ? 0 : (double)num / (double)den;
    }).ToArray();

    /// <param name="spotStart">each pool's token1-per-token0 price right after the round's arbitrage (this run's).</param>
    private void OnePriceRound(Lending.FastState st, int r, Scenario scenario, double[] price, double[] target, double[] spotStart)
    {
        var n = price.Length;
        if (r > 0)
        {
            var after = PricesAfterSales(st, price, spotStart);
            if (o.MarketPrices.RecoveryHalfLifeRounds is { } h)
            {
                var keep = OnePriceRules.RecoveryKeep(h) / 1e12;
                for (var a = 0; a < n; a++) after[a] = target[a] + (after[a] - target[a]) * keep;
            }
            after.CopyTo(price, 0);
        }
        if (r < scenario.Steps.Count)
        {
            var step = scenario.Steps[r].Shocks;
            foreach (var shock in step)
            {
                var a = m.Assets[shock.Asset];
                var factor = (double)shock.FactorNumerator / AssetShock.FactorDenominator;
                price[a] *= factor;
                target[a] *= factor;
                foreach (var g in _groupOf![a])
                {
                    if (step.Any(s => m.Assets[s.Asset] == g)) continue;
                    price[g] *= factor;
                    target[g] *= factor;
                }
            }
        }
        Arbitrage(st, price, spotStart);
    }

    /// <summary>Token1 per token0 (base units) of pool <paramref name="p"/> now.</summary>
    private double Spot0(Lending.FastState st, int p) => _spot0![p] * st.Pools[p].PriceMove(true);

    private double[] PricesAfterSales(Lending.FastState st, double[] price, double[] spotStart)
    {
        var prices = (double[])price.Clone();
        for (var a = 0; a < prices.Length; a++)
        {
            if (a == m.Graph.Numeraire || _poolsOf![a].Length == 0) continue;
            double sumX = 0, sumXs = 0;
            foreach (var p in _poolsOf[a])
            {
                var aIs0 = m.Graph.Token0[p] == a;
                var other = aIs0 ? m.Graph.Token1[p] : m.Graph.Token0[p];
                var x = st.Pools[p].VirtualReserve(aIs0);
                var spot = Spot0(st, p);
                if (!(x > 0) || !(spot > 0) || !(spotStart[p] > 0)) continue;
                var move = aIs0 ? spot / spotStart[p] : spotStart[p] / spot;
                sumX += x;
                sumXs += x * Math.Sqrt(move);
            }
            if (sumX == 0) continue;
            var root = sumXs / sumX;
            prices[a] = price[a] * root * root;
        }
        return prices;
    }

    private void Arbitrage(Lending.FastState st, double[] price, double[] spotStart)
    {
        for (var p = 0; p < st.Pools.Length; p++)
        {
            int t0 = m.Graph.Token0[p], t1 = m.Graph.Token1[p];
            var spot = Spot0(st, p);
            spotStart[p] = spot;
            if (t0 < 0 || t1 < 0 || !m.Graph.Pools[p].HasLiquidity || price[t0] == 0 || price[t1] == 0 || !(spot > 0)) continue;
            var factor = price[t0] * m.Unit[t1] / (price[t1] * m.Unit[t0]) / spot;
            if (factor != 1) st.Pools[p].Reprice(true, factor);
            spotStart[p] = Spot0(st, p);
        }
    }
}
