using System.Numerics;
using DefiRisk.Core.Dex;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Core.Protocols.MorphoBlue;

namespace DefiRisk.Core.Analysis;

/// <summary>
/// The exact cascade: BigInteger state, every liquidation through the protocol rule classes, every sale through
/// <see cref="UniswapV2Math.GetAmountOut"/>. One instance runs one scenario (mutable state, not shared).
/// </summary>
internal sealed class ExactCascade
{
    private readonly Snapshot _s;
    private readonly SimulationOptions _o;
    private readonly Scenario _scenario;
    private readonly DexGraph _g;
    private readonly int _n;
    private readonly Dictionary<Address, int> _index = [];
    private readonly BigInteger[] _snapPrice;
    private readonly BigInteger[] _exogenous;
    private readonly BigInteger[] _r0, _r1, _r0Snap, _r1Snap;
    private readonly AaveV3Account[][] _aave;
    private readonly MorphoBlueMarket[][] _morphoMarkets;
    private readonly Dictionary<string, int>[] _morphoMarketIndex;
    private readonly MorphoBluePosition[][] _morpho;
    private readonly List<BigInteger[]> _market = [];
    private readonly List<BigInteger[]> _oracle = [];

    // Causality: per (round, pool) the liquidations whose sales went through the pool.
    private readonly Dictionary<(int Round, int Pool), List<int>> _sales = [];
    private readonly List<CascadeLiquidation> _liquidations = [];
    private readonly List<double> _soldUsd = [];
    // Every call so far with its repaid USD (8 decimals) for the breakers' windows; the oracle history they see.
    private readonly List<ExecutedLiquidation> _executed = [];
    private readonly List<IReadOnlyDictionary<Address, BigInteger>> _oracleHistory = [];
    private bool _heldBack;
    private readonly List<int> _parent = [];

    public ExactCascade(Snapshot snapshot, Scenario scenario, SimulationOptions options)
    {
        foreach (var o in options.ParameterOverrides) snapshot = o.Apply(snapshot);
        _s = snapshot;
        _o = options;
        _scenario = scenario;
        _g = new DexGraph(snapshot, options.Numeraire);
        _n = snapshot.Assets.Count;
        for (var i = 0; i < _n; i++) _index[snapshot.Assets[i].Address] = i;
        _snapPrice = snapshot.Assets.Select(a => a.PriceUsd).ToArray();
        _exogenous = (BigInteger[])_snapPrice.Clone();
        _r0 = snapshot.UniswapV2Pools.Select(p => p.Reserve0).ToArray();
        _r1 = snapshot.UniswapV2Pools.Select(p => p.Reserve1).ToArray();
        _r0Snap = (BigInteger[])_r0.Clone();
        _r1Snap = (BigInteger[])_r1.Clone();
        _aave = snapshot.AaveV3Markets.Select(m => m.Accounts.ToArray()).ToArray();
        _morphoMarkets = snapshot.MorphoBlue.Select(m => m.Markets.ToArray()).ToArray();
        _morphoMarketIndex = snapshot.MorphoBlue.Select(m => m.Markets.Select((x, i) => (x.Id, i)).ToDictionary(t => t.Id, t => t.i)).ToArray();
        _morpho = snapshot.MorphoBlue.Select(m => m.Positions.ToArray()).ToArray();
        foreach (var m in snapshot.AaveV3Markets)
            foreach (var r in m.Market.Reserves)
                Index(r.Asset, $"reserve of Aave market {m.Market.Name}");
        foreach (var st in snapshot.MorphoBlue)
            foreach (var mk in st.Markets)
            {
                Index(mk.CollateralToken, $"collateral of Morpho market {mk.Id}");
                Index(mk.LoanToken, $"loan token of Morpho market {mk.Id}");
            }
        for (var st = 0; st < snapshot.MorphoBlue.Count; st++)
            foreach (var p in snapshot.MorphoBlue[st].Positions)
                if (!_morphoMarketIndex[st].ContainsKey(p.MarketId))
                    throw new DefiRiskException($"Morpho position of {p.Account} names market {p.MarketId}, which is not in the snapshot");
        foreach (var step in scenario.Steps)
            foreach (var sh in step.Shocks)
                Index(sh.Asset, "shocked asset");
    }

    private int Index(Address a, string what) =>
        _index.TryGetValue(a, out var i) ? i : throw new DefiRiskException($"{what} {a} is not in the snapshot's asset list");

    public CascadeResult Run()
    {
        var rounds = new List<CascadeRound>();
        var hitLimit = true;
        for (var r = 0; r < _o.MaxRounds; r++)
        {
            if (r < _scenario.Steps.Count)
                foreach (var shock in _scenario.Steps[r].Shocks) ApplyShock(_index[shock.Asset], shock);
            _market.Add(MarketPrices());
            _oracle.Add(OraclePrices(r));
            _oracleHistory.Add(ToDictionary(_oracle[r]));
            _heldBack = false;
            var round = RunRound(r);
            rounds.Add(round);

            // A breaker holding positions back (a pause, a full cap window) keeps the rounds going: the held-back positions
            // are looked at again once it lets go, at the prices of then.
            if (round.Liquidations.Count == 0 && r >= _scenario.Steps.Count - 1 && OracleSettled(r)
                && !(_heldBack && _o.CircuitBreaker.ReleasesLater(Context(r), _executed)))
            {
                hitLimit = false;
                break;
            }
        }
        return BuildResult(rounds, hitLimit);
    }

    // ------------------------------------------------------------------ prices

    private void ApplyShock(int asset, AssetShock shock)
    {
        var route = _g.PriceRoute[asset];
        if (route is null || route.Length == 0)
        {
            _exogenous[asset] = shock.Apply(_exogenous[asset]);
            return;
        }
        // Re-price the first pool of the route at constant k: the asset's price in the other token × num/den.
        var hop = route[0];
        BigInteger num = shock.FactorNumerator, den = AssetShock.FactorDenominator;
        ref var ra = ref hop.ZeroForOne ? ref _r0[hop.Pool] : ref _r1[hop.Pool];
        ref var rb = ref hop.ZeroForOne ? ref _r1[hop.Pool] : ref _r0[hop.Pool];
        var newA = FixedPoint.Sqrt(ra * ra * den / num);
        var newB = FixedPoint.Sqrt(rb * rb * num / den);
        ra = BigInteger.Max(newA, BigInteger.One);
        rb = BigInteger.Max(newB, BigInteger.One);
    }

    /// <summary>USD 8 decimals: snapshot price × route price now / route price at the snapshot, floor; exogenous where no route.</summary>
    private BigInteger[] MarketPrices()
    {
        var prices = new BigInteger[_n];
        for (var a = 0; a < _n; a++)
        {
            var route = _g.PriceRoute[a];
            if (route is null || route.Length == 0) { prices[a] = _exogenous[a]; continue; }
            BigInteger num = _snapPrice[a], den = BigInteger.One;
            foreach (var h in route)
            {
                var (inNow, outNow) = h.ZeroForOne ? (_r0[h.Pool], _r1[h.Pool]) : (_r1[h.Pool], _r0[h.Pool]);
                var (inSnap, outSnap) = h.ZeroForOne ? (_r0Snap[h.Pool], _r1Snap[h.Pool]) : (_r1Snap[h.Pool], _r0Snap[h.Pool]);
                num *= outNow * inSnap;
                den *= inNow * outSnap;
            }
            prices[a] = num / den;
        }
        return prices;
    }

    /// <summary>
    /// Market feeds: the oracle model over the market history. Exchange-rate oracles: the base oracle now × the snapshot
    /// ratio (<see cref="ExchangeRatePrice"/>; the ratio is held at its snapshot value), so they move with their base only.
    /// </summary>
    private BigInteger[] OraclePrices(int round)
    {
        var prices = new BigInteger[_n];
        for (var a = 0; a < _n; a++)
        {
            var root = _g.OracleRoot(a);
            if (root < 0) { prices[a] = _snapPrice[a]; continue; }
            if (a != root && _o.OracleModel is Breakers.DelayedOracle d && d.Delays(a) && !d.Delays(root))
            {
                // A delay on the exchange-rate oracle itself (its base feed undelayed): what it derived DelaySteps rounds ago.
                var then = round - d.DelaySteps;
                prices[a] = then < 0 ? _snapPrice[a] : ExchangeRatePrice(a, root, d.Inner.FeedPrice(_market, then, root, _snapPrice[root]));
                continue;
            }
            var feed = _o.OracleModel.FeedPrice(_market, round, root, _snapPrice[root]);
            prices[a] = ExchangeRatePrice(a, root, feed);
        }
        return prices;
    }

    /// <summary>An oracle price derived from its root feed, along the chain of exchange-rate bases (<see cref="OracleRepricing.ExchangeRatePrice"/>).</summary>
    private BigInteger ExchangeRatePrice(int a, int root, BigInteger rootFeed)
    {
        if (a == root) return rootFeed;
        var b = _g.OracleBase[a];
        return OracleRepricing.ExchangeRatePrice(_s.Assets[a].Oracle, _snapPrice[a],
            b >= 0 ? _snapPrice[b] : null, b >= 0 ? ExchangeRatePrice(b, root, rootFeed) : null, _snapPrice[root], rootFeed);
    }

    private bool OracleSettled(int r)
    {
        _market.Add(MarketPrices());
        var next = OraclePrices(r + 1);
        _market.RemoveAt(_market.Count - 1);
        return next.AsSpan().SequenceEqual(_oracle[r]);
    }

    /// <summary>Aave reserve price (base currency) at these oracle prices (<see cref="OracleRepricing.AaveReservePrice"/>).</summary>
    private BigInteger AavePrice(AaveV3Reserve reserve, BigInteger[] oracle)
    {
        var a = _index[reserve.Asset];
        return OracleRepricing.AaveReservePrice(reserve.OraclePrice, _snapPrice[a], oracle[a]);
    }

    /// <summary>Morpho <c>price()</c> at these oracle prices (<see cref="OracleRepricing.MorphoPrice"/>).</summary>
    private BigInteger MorphoPrice(MorphoBlueMarket m, BigInteger[] oracle)
    {
        int c = _index[m.CollateralToken], l = _index[m.LoanToken];
        return OracleRepricing.MorphoPrice(m.OraclePrice, _snapPrice[c], oracle[c], _snapPrice[l], oracle[l]);
    }

    // ------------------------------------------------------------------ sales

    /// <summary>
    /// Proceeds in debt-asset base units of selling <paramref name="amount"/> of collateral: directly or through pools
    /// to the debt asset; else to the numeraire and then 1:1 in USD at the oracle prices (a debt asset without pools,
    /// e.g. DAI); else, with no pool for the collateral either, at market prices without impact.
    /// </summary>
    private (BigInteger Proceeds, Hop[] Path, string Route) Sell(int coll, int debt, BigInteger amount, bool commit, BigInteger[] oracle, BigInteger[] market)
    {
        if (coll == debt) return (amount, [], "none");
        var path = _g.FindPath(coll, debt);
        if (path is not null) return (Swap(path, amount, commit), path, "pools");
        var toNumeraire = _g.FindPath(coll, _g.Numeraire);
        var decD = _s.Assets[debt].Decimals;
        if (toNumeraire is not null)
        {
            var outN = Swap(toNumeraire, amount, commit);
            var den = oracle[debt] * FixedPoint.Pow10(_s.Assets[_g.Numeraire].Decimals);
            return (den.IsZero ? 0 : outN * oracle[_g.Numeraire] * FixedPoint.Pow10(decD) / den, toNumeraire, "pools+oracle");
        }
        var d2 = market[debt] * FixedPoint.Pow10(_s.Assets[coll].Decimals);
        return (d2.IsZero ? 0 : amount * market[coll] * FixedPoint.Pow10(decD) / d2, [], "market");
    }

    private BigInteger Swap(Hop[] path, BigInteger amount, bool commit)
    {
        var x = amount;
        foreach (var h in path)
        {
            ref var rin = ref h.ZeroForOne ? ref _r0[h.Pool] : ref _r1[h.Pool];
            ref var rout = ref h.ZeroForOne ? ref _r1[h.Pool] : ref _r0[h.Pool];
            var y = UniswapV2Math.GetAmountOut(x, rin, rout);
            if (commit) { rin += x; rout -= y; }
            x = y;
        }
        return x;
    }

    // ------------------------------------------------------------------ rounds

    private sealed record Candidate(int Protocol, int Holder, int Position, Address Account, string Market, BigInteger HealthFactor);

    private CascadeRound RunRound(int r)
    {
        var market = _market[r];
        var oracle = _oracle[r];
        var poolsAtStart = Pools();
        var aaveOracle = AaveOracle(oracle);
        var morphoOracle = MorphoOracle(oracle);
        var aavePrices = _s.AaveV3Markets.Select(m => m.Market.Reserves.ToDictionary(x => x.Asset, x => AavePrice(x, oracle))).ToArray();

        var candidates = new List<Candidate>();
        for (var m = 0; m < _aave.Length; m++)
        {
            var mk = _s.AaveV3Markets[m].Market;
            var prices = aavePrices[m];
            for (var i = 0; i < _aave[m].Length; i++)
            {
                var acct = _aave[m][i];
                if (!HasDebt(acct)) continue;
                var data = AaveV3AccountMath.Calculate(mk, acct, a => prices[a]);
                if (data.IsLiquidatable) candidates.Add(new(0, m, i, acct.Account, mk.Name, data.HealthFactor));
            }
        }
        for (var s = 0; s < _morpho.Length; s++)
            for (var j = 0; j < _morpho[s].Length; j++)
            {
                var p = _morpho[s][j];
                if (p.BorrowShares.IsZero) continue;
                var mk = _morphoMarkets[s][_morphoMarketIndex[s][p.MarketId]];
                var price = MorphoPrice(mk, oracle);
                if (!MorphoBlueMath.IsHealthy(mk, p, price))
                    candidates.Add(new(1, s, j, p.Account, mk.Id, MorphoBlueMath.HealthFactor(mk, p, price)));
            }
        candidates.Sort(CompareCandidates);

        var proposed = candidates.Select(c => new ProposedLiquidation(r, c.Protocol == 0 ? ProtocolNames.AaveV3 : ProtocolNames.MorphoBlue, c.Market, c.Account, c.HealthFactor)).ToList();
        var ctx = Context(r);
        var permitted = _o.CircuitBreaker.Permit(ctx, proposed).Select(p => (p.Protocol, p.Market, p.Account)).ToHashSet();

        var liquidations = new List<CascadeLiquidation>();
        var unliquidated = new List<UnliquidatedPosition>();
        BigInteger spent = 0;
        for (var k = 0; k < candidates.Count; k++)
        {
            var c = candidates[k];
            var pr = proposed[k];
            if (!permitted.Contains((pr.Protocol, pr.Market, pr.Account)))
            {
                unliquidated.Add(new(r, pr.Protocol, c.Market, c.Account, c.HealthFactor, $"blocked by circuit breaker {_o.CircuitBreaker.Name}"));
                _heldBack = true;
                continue;
            }
            var (causes, depth, parent) = Causes(c, r);
            var (reason, hf) = c.Protocol == 0
                ? LiquidateAave(c, pr, ctx, r, oracle, market, aavePrices[c.Holder], causes, depth, parent, liquidations, ref spent)
                : LiquidateMorpho(c, pr, ctx, r, oracle, market, causes, depth, parent, liquidations, ref spent);
            if (reason is not null) unliquidated.Add(new(r, pr.Protocol, c.Market, c.Account, hf, reason));
        }

        var assetPrices = new List<AssetPrice>(_n);
        for (var a = 0; a < _n; a++) assetPrices.Add(new(_s.Assets[a].Address, _s.Assets[a].Symbol, market[a], oracle[a]));
        return new CascadeRound(r, assetPrices, poolsAtStart, aaveOracle, morphoOracle, liquidations, unliquidated);
    }

    private CircuitBreakerContext Context(int r) =>
        new(r, _s, ToDictionary(_market[r]), _oracleHistory[r], _oracleHistory);

    private string Deferred => $"deferred by circuit breaker {_o.CircuitBreaker.Name}";

    /// <summary>What the breaker lets a sized call repay (USD 8 decimals); flags the round as holding back when less than all.</summary>
    private BigInteger Allowance(CircuitBreakerContext ctx, ProposedLiquidation pr, int coll, int debt, BigInteger repayUsd8)
    {
        if (_o.CircuitBreaker is NoCircuitBreaker) return repayUsd8;
        var allowed = _o.CircuitBreaker.AllowRepayUsd(ctx, new SizedLiquidation(pr, _s.Assets[coll].Address, _s.Assets[debt].Address, repayUsd8), _executed);
        if (allowed < repayUsd8) _heldBack = true;
        return BigInteger.Clamp(allowed, BigInteger.Zero, repayUsd8);
    }

    private static int CompareCandidates(Candidate x, Candidate y)
    {
        var c = x.HealthFactor.CompareTo(y.HealthFactor);
        if (c != 0) return c;
        c = x.Account.CompareTo(y.Account);
        if (c != 0) return c;
        c = x.Protocol.CompareTo(y.Protocol);
        return c != 0 ? c : string.CompareOrdinal(x.Market, y.Market);
    }

    private static bool HasDebt(AaveV3Account a)
    {
        foreach (var r in a.Reserves)
            if (!r.TotalDebt.IsZero) return true;
        return false;
    }

    private Dictionary<Address, BigInteger> ToDictionary(BigInteger[] prices)
    {
        var d = new Dictionary<Address, BigInteger>(_n);
        for (var a = 0; a < _n; a++) d[_s.Assets[a].Address] = prices[a];
        return d;
    }

    private (string? Reason, BigInteger Hf) LiquidateAave(Candidate c, ProposedLiquidation pr, CircuitBreakerContext ctx, int r, BigInteger[] oracle, BigInteger[] market,
        Dictionary<Address, BigInteger> prices, (List<int> Listed, int Count) causes, int depth, int parent,
        List<CascadeLiquidation> output, ref BigInteger spent)
    {
        var mk = _s.AaveV3Markets[c.Holder].Market;
        Func<Address, BigInteger> price = a => prices[a];
        string? reason = null;
        for (var call = 0; call < _o.MaxCallsPerPositionPerRound; call++)
        {
            var acct = _aave[c.Holder][c.Position];
            var pairs = AaveV3LiquidatorChoice.CandidatePairs(mk, acct, price);
            if (pairs.Count == 0) { reason = "nothing to seize (no liquidatable collateral/debt pair)"; break; }
            var done = false;
            foreach (var (collAsset, debtAsset) in pairs)
            {
                var d = _o.AaveV3Rule.Decide(new(mk, acct, collAsset, debtAsset, AaveV3LiquidationContext.MaxDebtToCover, price));
                if (!d.Executed) { reason = d.Reason; continue; }
                int ci = _index[collAsset], di = _index[debtAsset];
                // A breaker may shrink the call (debtToCover = the allowed USD in debt units, floor) or defer it.
                var unitD = FixedPoint.Pow10(_s.Assets[di].Decimals);
                var fullUsd8 = d.DebtRepaid * oracle[di] / unitD;
                var allowed = Allowance(ctx, pr, ci, di, fullUsd8);
                if (allowed < fullUsd8)
                {
                    var toCover = oracle[di].IsZero ? BigInteger.Zero : allowed * unitD / oracle[di];
                    if (toCover.IsZero) { reason = Deferred; continue; }
                    d = _o.AaveV3Rule.Decide(new(mk, acct, collAsset, debtAsset, toCover, price));
                    if (!d.Executed && d.Reason == AaveV3LiquidationRule.MustNotLeaveDust
                        && LargestCallWithoutDust(mk, acct, collAsset, debtAsset, toCover, price) is { } smaller)
                    {
                        // The smaller call goes back to the breaker (a minimum size may refuse it).
                        var smallerUsd8 = smaller.DebtRepaid * oracle[di] / unitD;
                        if (Allowance(ctx, pr, ci, di, smallerUsd8) < smallerUsd8) { reason = Deferred; continue; }
                        d = smaller;
                    }
                    if (!d.Executed) { reason = d.Reason; continue; }
                }
                if (!Pays(ci, di, d.CollateralToLiquidator, d.DebtRepaid, oracle, market, ref spent, out var why, out var repaidUsd8)) { reason = why; continue; }

                _aave[c.Holder][c.Position] = d.AccountAfter;
                _executed.Add(new(r, ProtocolNames.AaveV3, _s.Assets[ci].Address, _s.Assets[di].Address, repaidUsd8));
                var (proceeds, path, route) = Sell(ci, di, d.CollateralToLiquidator, true, oracle, market);
                spent += repaidUsd8;
                foreach (var x in d.Deficits)
                    _aaveDeficits[(mk.Name, x.Asset)] = _aaveDeficits.GetValueOrDefault((mk.Name, x.Asset)) + x.Amount;
                var badDebt = d.Deficits.Where(x => x.Asset == debtAsset).Aggregate(BigInteger.Zero, (sum, x) => sum + x.Amount);
                var badDebtUsd = d.Deficits.Sum(x => Usd(x.Amount, _index[x.Asset], oracle));
                Record(output, r, ProtocolNames.AaveV3, mk.Name, c.Account, di, ci, d.HealthFactor, d.CollateralPrice,
                    d.DebtRepaid, d.CollateralToLiquidator, d.ProtocolFee, badDebt, badDebtUsd, proceeds, path, route, oracle, market, causes, depth, parent, 0, 0);
                done = true;
                reason = null;
                break;
            }
            if (!done) break;
            if (!AaveV3AccountMath.Calculate(mk, _aave[c.Holder][c.Position], price).IsLiquidatable) return (null, 0);
            reason = "call limit per round reached";
        }
        var hf = AaveV3AccountMath.Calculate(mk, _aave[c.Holder][c.Position], price).HealthFactor;
        return hf < FixedPoint.Wad ? (reason ?? "unknown", hf) : (null, hf);
    }

    /// <summary>
    /// A shrunk v3.3+ call that would leave dust: the liquidator passes the largest debtToCover below
    /// <paramref name="toCover"/> that leaves ≥ <c>MIN_LEFTOVER_BASE</c> of debt and collateral (what
    /// <c>LiquidationDataProvider.amountToPassToLiquidationCall</c> is for). The rule itself is the test: the leftovers
    /// only shrink as debtToCover grows, so the accepted amounts are a range from 1 up, found by bisection. Null if none.
    /// </summary>
    private AaveV3LiquidationDecision? LargestCallWithoutDust(AaveV3Market mk, AaveV3Account acct, Address coll, Address debt,
        BigInteger toCover, Func<Address, BigInteger> price)
    {
        BigInteger ok = 0, bad = toCover; // ok: accepted (0 stands for "none yet"), bad: rejected
        while (bad - ok > 1)
        {
            var mid = (ok + bad) / 2;
            if (_o.AaveV3Rule.Decide(new(mk, acct, coll, debt, mid, price)).Executed) ok = mid; else bad = mid;
        }
        return ok.IsZero ? null : _o.AaveV3Rule.Decide(new(mk, acct, coll, debt, ok, price));
    }

    private (string? Reason, BigInteger Hf) LiquidateMorpho(Candidate c, ProposedLiquidation pr, CircuitBreakerContext ctx, int r, BigInteger[] oracle, BigInteger[] market,
        (List<int> Listed, int Count) causes, int depth, int parent, List<CascadeLiquidation> output, ref BigInteger spent)
    {
        var p = _morpho[c.Holder][c.Position];
        var mi = _morphoMarketIndex[c.Holder][p.MarketId];
        var mk = _morphoMarkets[c.Holder][mi];
        var price = MorphoPrice(mk, oracle);
        var (seize, shares) = MorphoBlueLiquidatorChoice.Arguments(mk, p, price);
        var d = MorphoBlueLiquidationRule.Instance.Decide(new(mk, p, seize, shares, price));
        if (!d.Executed) return (d.Reason, c.HealthFactor);
        int ci = _index[mk.CollateralToken], li = _index[mk.LoanToken];
        // A breaker may shrink the call to a pro-rata share of the shares the full call repays (floor) or defer it. The
        // full call's shares, not the position's: when the full call seizes all collateral it repays fewer shares than
        // the position has, and scaling those would overshoot the allowance (or seize more collateral than exists).
        var fullUsd8 = d.RepaidAssets * oracle[li] / FixedPoint.Pow10(_s.Assets[li].Decimals);
        var allowed = Allowance(ctx, pr, ci, li, fullUsd8);
        var partial = allowed < fullUsd8;
        if (partial)
        {
            var part = d.RepaidShares * allowed / fullUsd8;
            if (part.IsZero) return (Deferred, c.HealthFactor);
            (seize, shares) = (BigInteger.Zero, part);
            d = MorphoBlueLiquidationRule.Instance.Decide(new(mk, p, seize, shares, price));
            if (!d.Executed) return (d.Reason, c.HealthFactor);
        }
        if (!Pays(ci, li, d.SeizedAssets, d.RepaidAssets, oracle, market, ref spent, out var why, out var repaidUsd8)) return (why, c.HealthFactor);

        _morpho[c.Holder][c.Position] = d.PositionAfter;
        _executed.Add(new(r, ProtocolNames.MorphoBlue, _s.Assets[ci].Address, _s.Assets[li].Address, repaidUsd8));
        _morphoMarkets[c.Holder][mi] = d.MarketAfter;
        var (proceeds, path, route) = Sell(ci, li, d.SeizedAssets, true, oracle, market);
        spent += repaidUsd8;
        Record(output, r, ProtocolNames.MorphoBlue, mk.Id, c.Account, li, ci, c.HealthFactor, price, d.RepaidAssets, d.SeizedAssets, 0,
            d.BadDebtAssets, Usd(d.BadDebtAssets, li, oracle), proceeds, path, route, oracle, market, causes, depth, parent, seize, shares);
        // The choice repays everything or seizes everything: one call always ends the position's debt — unless a breaker shrank it.
        if (partial) return (Deferred, MorphoBlueMath.HealthFactor(d.MarketAfter, d.PositionAfter, price));
        return (null, FixedPoint.UInt256Max);
    }

    /// <summary>
    /// A liquidation happens only when it pays: (proceeds of selling the collateral − debt repaid) in debt units, valued
    /// at the debt asset's market price, minus gas, &gt; 0 (USD 8 decimals); and within the per-round capital cap.
    /// </summary>
    private bool Pays(int coll, int debt, BigInteger collateral, BigInteger repaid, BigInteger[] oracle, BigInteger[] market,
        ref BigInteger spent, out string? reason, out BigInteger repaidUsd8)
    {
        var unit = FixedPoint.Pow10(_s.Assets[debt].Decimals);
        repaidUsd8 = repaid * oracle[debt] / unit;
        var (proceeds, _, _) = Sell(coll, debt, collateral, false, oracle, market);
        var profit = (proceeds - repaid) * market[debt] / unit - _o.GasCostUsd;
        if (profit.Sign <= 0) { reason = "unprofitable after slippage and gas"; return false; }
        if (_o.LiquidatorCapitalPerRoundUsd is { } cap && spent + repaidUsd8 > cap) { reason = "liquidator capital cap reached"; return false; }
        reason = null;
        return true;
    }

    private double Usd(BigInteger amount, int asset, BigInteger[] prices) =>
        (double)(amount * prices[asset]) / Math.Pow(10, _s.Assets[asset].Decimals + 8);

    private void Record(List<CascadeLiquidation> output, int r, string protocol, string marketName, Address account, int debt, int coll,
        BigInteger hf, BigInteger trigger, BigInteger repaid, BigInteger seized, BigInteger fee, BigInteger badDebt, double badDebtUsd,
        BigInteger proceeds, Hop[] path, string route, BigInteger[] oracle, BigInteger[] market, (List<int> Listed, int Count) causes, int depth, int parent,
        BigInteger morphoSeizedArg, BigInteger morphoSharesArg)
    {
        var id = _liquidations.Count;
        var repaidUsd = Usd(repaid, debt, oracle);
        var seizedUsd = Usd(seized, coll, oracle);
        var profitUsd = Usd(proceeds - repaid, debt, market) - (double)_o.GasCostUsd / 1e8;
        var liq = new CascadeLiquidation(id, r, protocol, marketName, account, _s.Assets[debt].Address, _s.Assets[coll].Address, hf, trigger,
            repaid, seized, fee, badDebt, proceeds, repaidUsd, seizedUsd - repaidUsd, profitUsd, badDebtUsd, causes.Listed, causes.Count, depth,
            morphoSeizedArg, morphoSharesArg, path.Select(h => _s.UniswapV2Pools[h.Pool].Pair).ToList(), route);
        _liquidations.Add(liq);
        _soldUsd.Add(Usd(seized, coll, market));
        _parent.Add(parent);
        output.Add(liq);
        foreach (var h in path)
        {
            if (!_sales.TryGetValue((r, h.Pool), out var list)) _sales[(r, h.Pool)] = list = [];
            list.Add(id);
        }
    }

    /// <summary>
    /// Causes of a round-r liquidation: the assets of the position whose oracle moved against it since round r−1
    /// (collateral down, debt up); the pools that move those oracles; the liquidations that sold into those pools in
    /// round r−1−lag, lag being that asset's oracle lag (the sales the oracle now shows). Round 0 and exogenous-only moves have no causes.
    /// </summary>
    private ((List<int> Listed, int Count) Causes, int Depth, int Parent) Causes(Candidate c, int r)
    {
        if (r == 0) return (([], 0), 1, -1);
        var now = _oracle[r];
        var before = _oracle[r - 1];
        var pools = new HashSet<(int Round, int Pool)>();
        void Against(int asset, bool isCollateral)
        {
            // Each asset's own lag: a delay on some assets only does not shift the others' sales.
            var causeRound = r - 1 - LagOf(asset);
            if (causeRound >= 0 && (isCollateral ? now[asset] < before[asset] : now[asset] > before[asset]))
                foreach (var p in _g.OraclePools[asset]) pools.Add((causeRound, p));
        }
        if (c.Protocol == 0)
        {
            foreach (var x in _aave[c.Holder][c.Position].Reserves)
            {
                var a = _index[x.Asset];
                if (x.UsedAsCollateral && !x.Collateral.IsZero) Against(a, true);
                if (!x.TotalDebt.IsZero) Against(a, false);
            }
        }
        else
        {
            var mk = _morphoMarkets[c.Holder][_morphoMarketIndex[c.Holder][_morpho[c.Holder][c.Position].MarketId]];
            Against(_index[mk.CollateralToken], true);
            Against(_index[mk.LoanToken], false);
        }
        var ids = new HashSet<int>();
        foreach (var key in pools)
            if (_sales.TryGetValue(key, out var list)) ids.UnionWith(list);
        if (ids.Count == 0) return (([], 0), 1, -1);
        var parent = ids.OrderByDescending(i => _liquidations[i].ChainDepth).ThenByDescending(i => _soldUsd[i]).ThenBy(i => i).First();
        var listed = ids.OrderByDescending(i => _soldUsd[i]).ThenBy(i => i).Take(_o.MaxCausesListed).ToList();
        return ((listed, ids.Count), _liquidations[parent].ChainDepth + 1, parent);
    }

    /// <summary>Rounds between a market move and <paramref name="asset"/>'s oracle showing it (a partial delay adds only to the assets it lists).</summary>
    private int LagOf(int asset)
    {
        if (_o.OracleModel is not Breakers.DelayedOracle d) return _o.OracleModel.LagRounds;
        var root = _g.OracleRoot(asset);
        return d.Delays(asset) || root >= 0 && d.Delays(root) ? d.LagRounds : d.Inner.LagRounds;
    }

    // ------------------------------------------------------------------ result

    private CascadeResult BuildResult(List<CascadeRound> rounds, bool hitLimit)
    {
        var finalOracle = _oracle[^1];
        var badDebt = new Dictionary<(string, string, Address, string), BigInteger>();
        void Add(string protocol, string market, Address asset, string kind, BigInteger amount)
        {
            if (amount.IsZero) return;
            var key = (protocol, market, asset, kind);
            badDebt[key] = badDebt.GetValueOrDefault(key) + amount;
        }
        foreach (var l in _liquidations.Where(l => l.Protocol == ProtocolNames.MorphoBlue))
            Add(l.Protocol, l.Market, l.DebtAsset, "written-off", l.BadDebt);
        // Aave ≤ v3.2 keeps uncovered debt on the account: count accounts left with debt and no collateral value.
        for (var m = 0; m < _aave.Length; m++)
        {
            var mk = _s.AaveV3Markets[m].Market;
            var prices = mk.Reserves.ToDictionary(x => x.Asset, x => AavePrice(x, finalOracle));
            foreach (var acct in _aave[m])
            {
                if (mk.PoolRevision >= AaveV3Revision.V3_3 || !HasDebt(acct)) continue;
                var data = AaveV3AccountMath.Calculate(mk, acct, a => prices[a]);
                if (!data.TotalCollateralBase.IsZero) continue;
                foreach (var x in acct.Reserves) Add(ProtocolNames.AaveV3, mk.Name, x.Asset, "unbacked", x.TotalDebt);
            }
        }
        foreach (var (key, amount) in _aaveDeficits) Add(ProtocolNames.AaveV3, key.Market, key.Asset, "deficit", amount);

        var entries = badDebt.Select(kv => new BadDebtEntry(kv.Key.Item1, kv.Key.Item2, kv.Key.Item3, kv.Key.Item4, kv.Value,
                Usd(kv.Value, _index[kv.Key.Item3], finalOracle)))
            .OrderBy(e => e.Protocol, StringComparer.Ordinal).ThenBy(e => e.Market, StringComparer.Ordinal).ThenBy(e => e.Asset).ThenBy(e => e.Kind, StringComparer.Ordinal).ToList();

        var totals = new CascadeTotals(
            _liquidations.Sum(l => l.DebtRepaidUsd),
            _liquidations.Sum(l => l.BonusUsd),
            entries.Sum(e => e.AmountUsd),
            entries,
            _liquidations.Count,
            _liquidations.Select(l => (l.Protocol, l.Account)).Distinct().Count(),
            rounds.Count(r => r.Liquidations.Count > 0),
            EndogenousRounds(rounds));

        var (chains, longest) = Chains();
        var pricePath = Enumerable.Range(0, _n).Select(a => new AssetPricePath(_s.Assets[a].Address, _s.Assets[a].Symbol,
            _market.Select(p => p[a]).ToList(), _oracle.Select(p => p[a]).ToList())).ToList();
        var finalMarket = MarketPrices();
        var amplification = _scenario.ShockedAssets().Select(asset =>
        {
            var a = _index[asset];
            var shock = _scenario.TotalChange(asset);
            var change = _snapPrice[a].IsZero ? 0 : (double)finalMarket[a] / (double)_snapPrice[a] - 1;
            return new Amplification(asset, _s.Assets[a].Symbol, shock, change, shock == 0 ? null : change / (double)shock);
        }).ToList();
        return new CascadeResult(_scenario.Name, rounds, totals, chains, longest, pricePath, amplification, Pools(), AaveOracle(finalOracle), MorphoOracle(finalOracle), hitLimit);
    }

    /// <summary>
    /// Rounds in which the cascade kept itself going: after the last exogenous step has reached the oracles (step
    /// rounds + the oracle lag), with a liquidation set off by earlier liquidations' sales (it has causes). A lagged
    /// oracle's delayed first wave and positions a breaker or the capital cap merely deferred do not count.
    /// </summary>
    private int EndogenousRounds(List<CascadeRound> rounds)
    {
        var drop = _scenario.Steps.Count - 1 + _o.OracleModel.LagRounds;
        return rounds.Count(r => r.Round > drop && r.Liquidations.Any(l => l.CauseCount > 0));
    }

    private List<PoolReserves> Pools() =>
        _s.UniswapV2Pools.Select((p, i) => new PoolReserves(p.Pair, p.Token0, p.Token1, _r0[i], _r1[i])).ToList();

    private List<AaveOraclePrice> AaveOracle(BigInteger[] oracle) =>
        _s.AaveV3Markets.SelectMany(m => m.Market.Reserves.Select(x => new AaveOraclePrice(m.Market.Name, x.Asset, AavePrice(x, oracle)))).ToList();

    private List<MorphoOraclePrice> MorphoOracle(BigInteger[] oracle) =>
        _morphoMarkets.SelectMany(ms => ms.Select(mk => new MorphoOraclePrice(mk.Id, mk.Oracle, MorphoPrice(mk, oracle)))).ToList();

    private readonly Dictionary<(string Market, Address Asset), BigInteger> _aaveDeficits = [];

    private (IReadOnlyList<LiquidationChain> Chains, LiquidationChain? Longest) Chains()
    {
        if (_liquidations.Count == 0) return ([], null);
        var isParent = new bool[_liquidations.Count];
        foreach (var p in _parent) if (p >= 0) isParent[p] = true;
        LiquidationChain Path(int leaf)
        {
            var ids = new List<int>();
            for (var x = leaf; x >= 0; x = _parent[x]) ids.Add(x);
            ids.Reverse();
            var protocols = ids.Select(i => _liquidations[i].Protocol).Distinct().ToList();
            return new LiquidationChain(ids, protocols, protocols.Count > 1);
        }
        var leaves = Enumerable.Range(0, _liquidations.Count).Where(i => !isParent[i] && _liquidations[i].ChainDepth >= 2)
            .OrderByDescending(i => _liquidations[i].ChainDepth).ThenBy(i => i).Select(Path).ToList();
        var chains = leaves.OrderByDescending(c => c.LiquidationIds.Count).ThenByDescending(c => c.CrossesProtocols).Take(_o.MaxChainsListed).ToList();
        var deepest = Enumerable.Range(0, _liquidations.Count).OrderByDescending(i => _liquidations[i].ChainDepth).ThenBy(i => i).First();
        return (chains, Path(deepest));
    }
}
