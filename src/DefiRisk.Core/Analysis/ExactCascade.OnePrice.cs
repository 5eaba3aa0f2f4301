using System.Numerics;
using DefiRisk.Core.Numerics;

namespace DefiRisk.Core.Analysis;

/// <summary>
/// One market price per asset (<see cref="MarketPriceModel.OnePrice"/>) on the exact path: prices in USD 8 decimals
/// (floor), the clearing price across an asset's pools from their virtual reserves, shocks with correlation groups,
/// recovery, then every pool arbitraged to the prices by its own exact re-pricing swap.
/// </summary>
internal sealed partial class ExactCascade
{
    // Market prices now and shock-only prices (what recovery pulls back to), USD 8 decimals; null for the first-pool model.
    private BigInteger[]? _price, _target;
    // Pools with both tokens in the snapshot and liquidity, per asset; correlation group members per asset.
    private int[][] _poolsOf = [];
    private int[][] _groupOf = [];
    // Each pool's marginal price (token1 per token0) right after the round's arbitrage: sales are measured from there.
    private (BigInteger Num, BigInteger Den)[] _spotStart = [];

    // √move × 10^18: the square root's floor stays 1e-18 of the move.
    private static readonly BigInteger MoveScale = BigInteger.Pow(10, 18);
    private const long RecoveryScale = 1_000_000_000_000;

    private bool OnePrice => _price is not null;

    private void StartOnePrice()
    {
        if (!_o.MarketPrices.OnePrice) return;
        _price = (BigInteger[])_snapPrice.Clone();
        _target = (BigInteger[])_snapPrice.Clone();
        _poolsOf = OnePriceRules.PoolsOf(_g, _pools.Length);
        _groupOf = OnePriceRules.Groups(_o.MarketPrices, _assets, _n);
        _spotStart = _pools.Select(p => p.Spot(true)).ToArray();
    }

    /// <summary>Round start under one price: the previous round's sales cleared across venues (and recovered), this round's shocks, arbitrage.</summary>
    private void OnePriceRound(int r)
    {
        if (r > 0)
        {
            var after = PricesAfterSales();
            if (_o.MarketPrices.RecoveryHalfLifeRounds is { } h)
            {
                var keep = OnePriceRules.RecoveryKeep(h);
                for (var a = 0; a < _n; a++) after[a] = _target![a] + (after[a] - _target[a]) * keep / RecoveryScale;
            }
            _price = after;
        }
        if (r < _scenario.Steps.Count)
        {
            var step = _scenario.Steps[r].Shocks;
            var shocked = step.Select(s => _assets[s.Asset]).ToHashSet();
            foreach (var shock in step)
            {
                var a = _assets[shock.Asset];
                foreach (var m in _groupOf[a].Prepend(a).Distinct())
                {
                    if (m != a && shocked.Contains(m)) continue;
                    _price![m] = shock.Apply(_price[m]);
                    _target![m] = shock.Apply(_target[m]);
                }
            }
        }
        Arbitrage();
    }

    /// <summary>
    /// Each asset's clearing price across its pools: √p = Σ x_v·√p_v / Σ x_v (floor), x_v the pool's virtual reserve of the
    /// asset, p_v the USD price the pool's marginal price implies at the other token's current market price — taken as the
    /// market price × the pool's move since the round's arbitrage, so a pool the arbitrage could only bring near the price
    /// (a v3 tick's floor) adds no drift, and with no sales the price stays exactly where it was. Pure.
    /// </summary>
    private BigInteger[] PricesAfterSales()
    {
        var prices = (BigInteger[])_price!.Clone();
        for (var a = 0; a < _n; a++)
        {
            if (a == _g.Numeraire || _poolsOf[a].Length == 0) continue;
            BigInteger sumX = 0, sumXs = 0;
            foreach (var p in _poolsOf[a])
            {
                var aIs0 = _g.Token0[p] == a;
                var other = aIs0 ? _g.Token1[p] : _g.Token0[p];
                var x = _pools[p].VirtualReserve(aIs0);
                var (num, den) = _pools[p].Spot(true); // token1 per token0 now and after the arbitrage, base units
                var (num0, den0) = _spotStart[p];
                if (x.Sign <= 0 || den.IsZero || num.IsZero || num0.IsZero || den0.IsZero) continue;
                // The asset's move in this pool: (other per asset now) ÷ (after the arbitrage).
                var (moveNum, moveDen) = aIs0 ? (num * den0, den * num0) : (den * num0, num * den0);
                sumX += x;
                sumXs += x * FixedPoint.Sqrt(moveNum * MoveScale * MoveScale / moveDen);
            }
            if (sumX.IsZero) continue;
            // p · (Σ x·√move / Σ x)², one floor at the end: no move leaves the price exactly as it was.
            prices[a] = _price[a] * sumXs * sumXs / (sumX * sumX * MoveScale * MoveScale);

        }
        return prices;
    }

    /// <summary>Every pool to the market prices: token0's price in token1 × (target ÷ now), by the venue's exact re-pricing swap.</summary>
    private void Arbitrage()
    {
        for (var p = 0; p < _pools.Length; p++)
        {
            int t0 = _g.Token0[p], t1 = _g.Token1[p];
            var (num, den) = _pools[p].Spot(true); // token1 per token0, base units
            _spotStart[p] = (num, den);
            if (t0 < 0 || t1 < 0 || !_g.Pools[p].HasLiquidity || _price![t0].IsZero || _price[t1].IsZero || num.IsZero || den.IsZero) continue;
            var factorNum = _price[t0] * FixedPoint.Pow10(_s.Assets[t1].Decimals) * den;
            var factorDen = _price[t1] * FixedPoint.Pow10(_s.Assets[t0].Decimals) * num;
            if (factorNum != factorDen) _pools[p].Reprice(true, factorNum, factorDen);
            _spotStart[p] = _pools[p].Spot(true);
        }
    }

    /// <summary>One price refuses a sale with no pool by name: a frozen price would sell it at no impact.</summary>
    private DefiRiskException NoVenue(int coll) =>
        new($"seized collateral {_s.Assets[coll].Symbol} ({_s.Assets[coll].Address}) has no venue to sell into; one market price needs a pool (or depth) for it");
}

/// <summary>What the exact and fast one-price paths share: which pools price an asset, correlation groups, recovery.</summary>
internal static class OnePriceRules
{
    public static int[][] PoolsOf(Venues.VenueGraph g, int pools)
    {
        var of = Enumerable.Range(0, g.AssetCount).Select(_ => new List<int>()).ToArray();
        for (var p = 0; p < pools; p++)
        {
            if (g.Token0[p] < 0 || g.Token1[p] < 0 || !g.Pools[p].HasLiquidity) continue;
            of[g.Token0[p]].Add(p);
            of[g.Token1[p]].Add(p);
        }
        return of.Select(l => l.ToArray()).ToArray();
    }

    public static int[][] Groups(MarketPriceModel model, Lending.AssetIndex assets, int n)
    {
        var of = Enumerable.Range(0, n).Select(_ => new HashSet<int>()).ToArray();
        foreach (var group in model.CorrelationGroups)
        {
            if (group.Count < 2) throw new DefiRiskException($"correlation group '{string.Join(",", group)}' must name at least two assets");
            var members = group.Select(a => assets.Of((assets.Snapshot.FindAsset(a)
                ?? throw new DefiRiskException($"correlation group '{string.Join(",", group)}': asset '{a}' is not in the snapshot")).Address, "correlation group member")).ToArray();
            foreach (var a in members)
                foreach (var b in members)
                    if (a != b) of[a].Add(b);
        }
        return of.Select(s => s.Order().ToArray()).ToArray();
    }

    /// <summary>The share of the sales impact kept per round, 2^(−1/h) × 10^12 (floor), shared by both paths.</summary>
    public static long RecoveryKeep(double halfLifeRounds) =>
        halfLifeRounds > 0 ? (long)Math.Floor(Math.Pow(2, -1 / halfLifeRounds) * 1e12) : throw new DefiRiskException($"recovery half-life {halfLifeRounds} must be > 0 rounds");
}
