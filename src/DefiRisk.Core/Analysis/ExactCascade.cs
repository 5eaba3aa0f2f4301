using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Numerics;
using DefiRisk.Core.Venues;

namespace DefiRisk.Core.Analysis;

/// <summary>
/// The exact cascade: BigInteger state, every liquidation through its family's exact rule (<see cref="IExactLendingRun"/>),
/// every sale through the venues' exact swap (<see cref="ExactPoolState"/>). It names no protocol and no venue. One
/// instance runs one scenario (mutable state, not shared).
/// </summary>
internal sealed partial class ExactCascade : ILiquidationDesk
{
    private readonly Snapshot _s;
    private readonly SimulationOptions _o;
    private readonly Scenario _scenario;
    private readonly VenueGraph _g;
    private readonly AssetIndex _assets;
    private readonly int _n;
    private readonly BigInteger[] _snapPrice;
    private readonly BigInteger[] _exogenous;
    // Exchange-rate ratios moved by the scenario (a slashing): the asset's ratio × num / den since the snapshot.
    private readonly BigInteger[] _ratioNum, _ratioDen;
    private readonly ExactPoolState[] _pools, _poolsSnap;
    private readonly IExactLendingRun[] _runs;
    private readonly string[] _protocols;
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

    // The candidate being liquidated (what the desk's callbacks refer to).
    private int _round;
    private CircuitBreakerContext? _ctx;
    private ProposedLiquidation? _proposed;
    private LiquidatableCandidate? _candidate;
    private (List<int> Listed, int Count) _causes;
    private int _depth, _parentId;
    private List<CascadeLiquidation> _output = [];
    private BigInteger _spent;
    // Liquidators as mainnet has them (LiquidatorModel): the split of the last sale, flash-loan offers.
    private readonly List<SplitLeg> _legs = [];
    // Best-execution quotes on the pools as they are now, by (from, to, amount): the market prices (leg gas) are the
    // round's and any committed swap clears them, so a hit is the quote the search would find again.
    private readonly Dictionary<(int From, int To, BigInteger Amount), (BigInteger Proceeds, SplitLeg[] Legs)> _saleQuotes = [];
    private readonly FlashFunding? _flash;

    public ExactCascade(Snapshot snapshot, Scenario scenario, SimulationOptions options)
    {
        foreach (var o in options.ParameterOverrides) snapshot = o.Apply(snapshot);
        _s = snapshot;
        _o = options;
        _scenario = scenario;
        _g = new VenueGraph(snapshot, options.Numeraire);
        _assets = new AssetIndex(snapshot);
        _n = snapshot.Assets.Count;
        _snapPrice = _assets.SnapshotUsd;
        _exogenous = (BigInteger[])_snapPrice.Clone();
        _ratioNum = Enumerable.Repeat(BigInteger.One, _n).ToArray();
        _ratioDen = Enumerable.Repeat(BigInteger.One, _n).ToArray();
        _pools = _g.Pools.Select(p => p.StartExact()).ToArray();
        _poolsSnap = _g.Pools.Select(p => p.StartExact()).ToArray();
        foreach (var book in snapshot.Books)
            foreach (var (asset, role) in book.AssetReferences())
                _assets.Of(asset, role);
        _runs = snapshot.Books.Select(b => (b as ILendingBook
            ?? throw new DefiRiskException($"protocol {b.Protocol} cannot be simulated (no lending rule)")).StartExact(_assets)).ToArray();
        _protocols = snapshot.Books.Select(b => b.Protocol).ToArray();
        foreach (var step in scenario.Steps)
            foreach (var sh in step.Shocks)
                _assets.Of(sh.Asset, "shocked asset");
        if (options.Liquidators.FlashLoans && options.LiquidatorCapitalPerRoundUsd is null) _flash = new FlashLenders(snapshot).Start();
        StartOnePrice();
    }

    public CascadeResult Run()
    {
        var rounds = new List<CascadeRound>();
        var hitLimit = true;
        for (var r = 0; r < _o.MaxRounds; r++)
        {
            if (r < _scenario.Steps.Count)
                foreach (var cut in _scenario.Steps[r].Ratios)
                {
                    var a = _assets[cut.Asset];
                    _ratioNum[a] *= cut.FactorNumerator;
                    _ratioDen[a] *= AssetShock.FactorDenominator;
                }
            if (OnePrice) OnePriceRound(r);
            else if (r < _scenario.Steps.Count)
                foreach (var shock in _scenario.Steps[r].Shocks) ApplyShock(_assets[shock.Asset], shock);
            _market.Add(OnePrice ? (BigInteger[])_price!.Clone() : MarketPrices());
            _oracle.Add(OraclePrices(r));
            _oracleHistory.Add(ToDictionary(_oracle[r]));
            _heldBack = false;
            var round = RunRound(r);
            rounds.Add(round);

            // A breaker holding positions back (a pause, a full cap window) keeps the rounds going: the held-back positions
            // are looked at again once it lets go, at the prices of then.
            if (round.Liquidations.Count == 0 && r >= _scenario.Steps.Count - 1 && OracleSettled(r)
                && !(_heldBack && _o.CircuitBreaker.ReleasesLater(Context(r), _executed)) && !_runs.Any(run => run.WaitsForTime))
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
        // Arbitrage moves the first pool of the route: the asset's price in the other token × num/den.
        var hop = route[0];
        _pools[hop.Pool].Reprice(hop.ZeroForOne, shock.FactorNumerator, AssetShock.FactorDenominator);
    }

    /// <summary>USD 8 decimals: snapshot price × route price now / route price at the snapshot, floor; exogenous where no route.</summary>
    private BigInteger[] MarketPrices()
    {
        if (OnePrice) return PricesAfterSales();
        var prices = new BigInteger[_n];
        for (var a = 0; a < _n; a++)
        {
            var route = _g.PriceRoute[a];
            if (route is null || route.Length == 0) { prices[a] = _exogenous[a]; continue; }
            BigInteger num = _snapPrice[a], den = BigInteger.One;
            foreach (var h in route)
            {
                var (nowNum, nowDen) = _pools[h.Pool].Spot(h.ZeroForOne);
                var (snapNum, snapDen) = _poolsSnap[h.Pool].Spot(h.ZeroForOne);
                num *= nowNum * snapDen;
                den *= nowDen * snapNum;
            }
            prices[a] = num / den;
        }
        return prices;
    }

    /// <summary>
    /// Market feeds: the oracle model over the market history. Exchange-rate oracles: the base oracle now × the snapshot
    /// ratio (<see cref="ExchangeRatePrice"/>; the ratio is held at its snapshot value), so they move with their base only;
    /// the oracle model says which root feed price an exchange-rate asset derives from (its own delay, if any).
    /// </summary>
    private BigInteger[] OraclePrices(int round)
    {
        var prices = new BigInteger[_n];
        for (var a = 0; a < _n; a++)
        {
            var root = _g.OracleRoot(a);
            if (root < 0) { prices[a] = _snapPrice[a]; continue; }
            if (a == root) { prices[a] = _o.OracleModel.FeedPrice(_market, round, root, _snapPrice[root]); continue; }
            prices[a] = _o.OracleModel.DerivedFeedPrice(_market, round, a, root, _snapPrice[root]) is { } feed
                ? ExchangeRatePrice(a, root, feed)
                : Slashed(a, root, _snapPrice[a]);
        }
        return prices;
    }

    /// <summary>An oracle price derived from its root feed, along the chain of exchange-rate bases (<see cref="OracleRepricing.ExchangeRatePrice"/>).</summary>
    /// The scenario's ratio moves of <paramref name="a"/> scale its price (floor), each base's inside the recursion.
    private BigInteger ExchangeRatePrice(int a, int root, BigInteger rootFeed)
    {
        if (a == root) return rootFeed;
        var b = _g.OracleBase[a];
        var price = OracleRepricing.ExchangeRatePrice(_s.Assets[a].Oracle, _snapPrice[a],
            b >= 0 ? _snapPrice[b] : null, b >= 0 ? ExchangeRatePrice(b, root, rootFeed) : null, _snapPrice[root], rootFeed);
        return price * _ratioNum[a] / _ratioDen[a];
    }

    /// <summary>A price held at the snapshot (the delayed feed not there yet) under the ratio moves of the asset and its bases.</summary>
    private BigInteger Slashed(int a, int root, BigInteger price)
    {
        for (var x = a; x >= 0 && x != root; x = _g.OracleBase[x]) price = price * _ratioNum[x] / _ratioDen[x];
        return price;
    }

    /// <summary>
    /// True when, with market prices now frozen, no oracle would move in any of the next max(1, lag) rounds: a lagged
    /// oracle still has the drop ahead of it while the market has already moved (a lag of 2 shows nothing new in round 1).
    /// </summary>
    private bool OracleSettled(int r)
    {
        var now = MarketPrices();
        var horizon = Math.Max(1, _o.OracleModel.LagRounds);
        var settled = true;
        for (var k = 1; k <= horizon && settled; k++)
        {
            _market.Add(now);
            settled = OraclePrices(r + k).AsSpan().SequenceEqual(_oracle[r]);
        }
        _market.RemoveRange(r + 1, _market.Count - r - 1);
        return settled;
    }

    // ------------------------------------------------------------------ sales

    /// <summary>
    /// Proceeds in debt-asset base units of selling <paramref name="amount"/> of collateral: directly or through pools
    /// to the debt asset; else to the numeraire and then 1:1 in USD at the oracle prices (a debt asset without pools,
    /// e.g. DAI); else, with no pool for the collateral either, at market prices without impact.
    /// </summary>
    private (BigInteger Proceeds, Hop[] Path, string Route) Sell(int coll, int debt, BigInteger amount, bool commit, BigInteger[] oracle, BigInteger[] market)
    {
        _legs.Clear();
        if (coll == debt) return (amount, [], "none");
        var path = _g.FindPath(coll, debt);
        if (path is not null) return (SwapBest(path, coll, debt, amount, commit, market, out var hops), hops, _legs.Count > 1 ? "split" : "pools");
        var toNumeraire = _g.FindPath(coll, _g.Numeraire);
        var decD = _s.Assets[debt].Decimals;
        if (toNumeraire is not null)
        {
            var outN = SwapBest(toNumeraire, coll, _g.Numeraire, amount, commit, market, out var hops);
            var den = oracle[debt] * FixedPoint.Pow10(_s.Assets[_g.Numeraire].Decimals);
            return (den.IsZero ? 0 : outN * oracle[_g.Numeraire] * FixedPoint.Pow10(decD) / den, hops, "pools+oracle");
        }
        if (OnePrice) throw NoVenue(coll);
        var d2 = market[debt] * FixedPoint.Pow10(_s.Assets[coll].Decimals);
        return (d2.IsZero ? 0 : amount * market[coll] * FixedPoint.Pow10(decD) / d2, [], "market");
    }

    /// <summary>The router's single swap down <paramref name="path"/>, or with best execution the split over every route
    /// (<see cref="_legs"/> then holds the legs; <paramref name="hops"/> every hop of every leg, in order).</summary>
    private BigInteger SwapBest(Hop[] path, int from, int to, BigInteger amount, bool commit, BigInteger[] market, out Hop[] hops)
    {
        if (!_o.Liquidators.BestExecution) { hops = path; return Swap(path, amount, commit); }
        var routes = _g.Routes(from, to);
        BigInteger proceeds;
        if (_saleQuotes.TryGetValue((from, to, amount), out var quoted))
        {
            // Quoted already on the pools as they are now (pair by profit, then the profit check, then the call): the same split.
            proceeds = quoted.Proceeds;
            _legs.Clear();
            _legs.AddRange(quoted.Legs);
            if (commit) Replay(routes, quoted.Legs);
        }
        else
        {
            proceeds = LegGasExecution.Sell(_pools, routes, amount, _o.Liquidators.SaleChunks, LegCost(to, market), commit, _legs);
            if (!commit) _saleQuotes[(from, to, amount)] = (proceeds, _legs.ToArray());
        }
        if (commit) _saleQuotes.Clear();
        hops = _legs.Count == 1 ? routes[_legs[0].Route] : _legs.SelectMany(l => routes[l.Route]).ToArray();
        return proceeds;
    }

    /// <summary>Sends a quoted split's legs, in order, as the split itself would send them (each leg one swap down its route).</summary>
    private void Replay(Hop[][] routes, SplitLeg[] legs)
    {
        foreach (var leg in legs)
            if (Swap(routes[leg.Route], leg.AmountIn, true) != leg.AmountOut)
                throw new InvalidOperationException("a quoted split paid differently when sent: the pools moved since the quote");
    }

    private BigInteger Swap(Hop[] path, BigInteger amount, bool commit)
    {
        var x = amount;
        foreach (var h in path) x = _pools[h.Pool].Swap(x, h.ZeroForOne, commit);
        return x;
    }

    // ------------------------------------------------------------------ rounds

    private CascadeRound RunRound(int r)
    {
        var market = _market[r];
        var oracle = _oracle[r];
        _saleQuotes.Clear(); // the round's arbitrage moved the pools and its market prices price the legs' gas
        var poolsAtStart = Pools();
        foreach (var run in _runs)
        {
            run.SetBlockTime(_o.BlockTime(_s.Chain.BlockTimestamp, r));
            run.BeginRound(oracle);
        }
        var oraclesAtStart = ProtocolOracles(oracle);

        var candidates = new List<LiquidatableCandidate>();
        for (var b = 0; b < _runs.Length; b++) _runs[b].CollectLiquidatable(b, candidates);
        candidates.Sort(CompareCandidates);

        var proposed = candidates.Select(c => new ProposedLiquidation(r, _protocols[c.Book], c.Market, c.Account, c.HealthFactor)).ToList();
        var ctx = Context(r);
        var permitted = _o.CircuitBreaker.Permit(ctx, proposed).Select(p => (p.Protocol, p.Market, p.Account)).ToHashSet();

        var liquidations = new List<CascadeLiquidation>();
        var unliquidated = new List<UnliquidatedPosition>();
        _spent = 0;
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
            (_causes, _depth, _parentId) = Causes(c, r);
            (_round, _ctx, _proposed, _candidate, _output) = (r, ctx, pr, c, liquidations);
            var (reason, hf) = _runs[c.Book].Liquidate(c, this);
            if (reason is not null) unliquidated.Add(new(r, pr.Protocol, c.Market, c.Account, hf, reason));
        }

        var assetPrices = new List<AssetPrice>(_n);
        for (var a = 0; a < _n; a++) assetPrices.Add(new(_s.Assets[a].Address, _s.Assets[a].Symbol, market[a], oracle[a]));
        return new CascadeRound(r, assetPrices, poolsAtStart, oraclesAtStart, liquidations, unliquidated);
    }

    private CircuitBreakerContext Context(int r) =>
        new(r, _s, ToDictionary(_market[r]), _oracleHistory[r], _oracleHistory);

    private static int CompareCandidates(LiquidatableCandidate x, LiquidatableCandidate y)
    {
        var c = x.HealthFactor.CompareTo(y.HealthFactor);
        if (c != 0) return c;
        c = x.Account.CompareTo(y.Account);
        if (c != 0) return c;
        c = x.Book.CompareTo(y.Book);
        return c != 0 ? c : string.CompareOrdinal(x.Market, y.Market);
    }

    private Dictionary<Address, BigInteger> ToDictionary(BigInteger[] prices)
    {
        var d = new Dictionary<Address, BigInteger>(_n);
        for (var a = 0; a < _n; a++) d[_s.Assets[a].Address] = prices[a];
        return d;
    }

    // ------------------------------------------------------------------ the desk (what a family's run asks of the engine)

    int ILiquidationDesk.MaxCallsPerPosition => _o.MaxCallsPerPositionPerRound;

    public string DeferredReason => $"deferred by circuit breaker {_o.CircuitBreaker.Name}";

    /// <summary>What the breaker lets a sized call repay (USD 8 decimals); flags the round as holding back when less than all.</summary>
    BigInteger ILiquidationDesk.Allowance(int coll, int debt, BigInteger repayUsd8)
    {
        if (_o.CircuitBreaker is NoCircuitBreaker) return repayUsd8;
        var allowed = _o.CircuitBreaker.AllowRepayUsd(_ctx!, new SizedLiquidation(_proposed!, _s.Assets[coll].Address, _s.Assets[debt].Address, repayUsd8), _executed);
        if (allowed < repayUsd8) _heldBack = true;
        return BigInteger.Clamp(allowed, BigInteger.Zero, repayUsd8);
    }

    /// <summary>
    /// A liquidation happens only when it pays: (proceeds of selling the collateral − debt repaid) in debt units, valued
    /// at the debt asset's market price, minus gas, &gt; 0 (USD 8 decimals); and within the per-round capital cap.
    /// </summary>
    bool ILiquidationDesk.Pays(int coll, int debt, BigInteger collateral, BigInteger repaid, out string? reason, out BigInteger repaidUsd8, BigInteger? knownProfitUsd8)
    {
        var oracle = _oracle[_round];
        var market = _market[_round];
        var unit = FixedPoint.Pow10(_s.Assets[debt].Decimals);
        repaidUsd8 = repaid * oracle[debt] / unit;
        var funding = Funding(debt, repaid);
        if (!funding.Funded) { reason = NoFlashLiquidity; return false; }
        var profit = knownProfitUsd8 ?? CallProfitUsd8(debt, Sell(coll, debt, collateral, false, oracle, market).Proceeds, repaid, funding, market);
        if (profit.Sign <= 0) { reason = "unprofitable after slippage and gas"; return false; }
        if (_o.LiquidatorCapitalPerRoundUsd is { } cap && _spent + repaidUsd8 > cap) { reason = "liquidator capital cap reached"; return false; }
        reason = null;
        return true;
    }

    bool ILiquidationDesk.PairsByProfit => _o.Liquidators.PairByProfit;

    bool ILiquidationDesk.SizesByProfit => _o.Liquidators.SizeByProfit;

    BigInteger ILiquidationDesk.Profit(int coll, int debt, BigInteger collateral, BigInteger repaid)
    {
        var market = _market[_round];
        var (proceeds, _, _) = Sell(coll, debt, collateral, false, _oracle[_round], market);
        return CallProfitUsd8(debt, proceeds, repaid, Funding(debt, repaid), market);
    }

    double ILiquidationDesk.ProfitCeilingUsd(int coll, int debt, double collateral, double repaid)
    {
        var market = _market[_round];
        var perUnit = (double)market[debt] / 1e8 / Math.Pow(10, _s.Assets[debt].Decimals);
        return (collateral * SaleRateCeiling(coll, debt, _oracle[_round], market) - repaid) * perUnit - (double)_o.GasCostUsd / 1e8;
    }

    void ILiquidationDesk.Execute(ExecutedCall call)
    {
        var c = _candidate!;
        var oracle = _oracle[_round];
        var market = _market[_round];
        var protocol = _protocols[c.Book];
        _executed.Add(new(_round, protocol, _s.Assets[call.Collateral].Address, _s.Assets[call.Debt].Address, call.RepaidUsd8));
        var funding = Funding(call.Debt, call.DebtRepaid); // funded before the call moves the lenders' balances
        var (proceeds, path, route) = Sell(call.Collateral, call.Debt, call.CollateralToLiquidator, true, oracle, market);
        _spent += call.RepaidUsd8;
        var badDebtUsd = call.BadDebtBooked.Sum(x => _assets.Usd(x.Amount, x.Asset, oracle));
        Record(protocol, c.Market, c.Account, call, badDebtUsd, proceeds, path, route, oracle, market, funding);
        _flash?.Liquidated(c.Book, c.Holder, call.Debt, call.DebtRepaid, call.Collateral, call.CollateralToLiquidator);
    }

    private void Record(string protocol, string marketName, Address account, ExecutedCall call, double badDebtUsd,
        BigInteger proceeds, Hop[] path, string route, BigInteger[] oracle, BigInteger[] market, FlashQuote funding)
    {
        var fee = funding.Fee;
        var id = _liquidations.Count;
        int debt = call.Debt, coll = call.Collateral;
        var repaidUsd = _assets.Usd(call.DebtRepaid, debt, oracle);
        var seizedUsd = _assets.Usd(call.CollateralToLiquidator, coll, oracle);
        var profitUsd = _assets.Usd(proceeds - call.DebtRepaid - fee, debt, market) - (double)(_o.GasCostUsd + ExtraLegsGasUsd8 + NestedLoansGasUsd8(funding)) / 1e8;
        var legs = _o.Liquidators.BestExecution && path.Length > 0 ? _legs.Select(l =>
            new SaleLeg(_g.Routes(coll, route == "pools+oracle" ? _g.Numeraire : debt)[l.Route].Select(h => _g.Pools[h.Pool].Id).ToList(), l.AmountIn, l.AmountOut)).ToList() : null;
        var liq = new CascadeLiquidation(id, _round, protocol, marketName, account, _s.Assets[debt].Address, _s.Assets[coll].Address,
            call.HealthFactor, call.TriggerPrice, call.DebtRepaid, call.CollateralToLiquidator, call.ProtocolFee, call.BadDebt, proceeds,
            repaidUsd, seizedUsd - repaidUsd, profitUsd, badDebtUsd, _causes.Listed, _causes.Count, _depth,
            call.SeizeArgument, call.RepayArgument, path.Select(h => _g.Pools[h.Pool].Id).ToList(), route, legs, _flash is null ? null : fee);
        _liquidations.Add(liq);
        _soldUsd.Add(_assets.Usd(call.CollateralToLiquidator, coll, market));
        _parent.Add(_parentId);
        _output.Add(liq);
        foreach (var h in path)
        {
            if (!_sales.TryGetValue((_round, h.Pool), out var list)) _sales[(_round, h.Pool)] = list = [];
            list.Add(id);
        }
    }

    // ------------------------------------------------------------------ causes

    /// <summary>
    /// Causes of a round-r liquidation: the assets of the position whose oracle moved against it since round r−1
    /// (collateral down, debt up); the pools that move those oracles; the liquidations that sold into those pools in
    /// round r−1−lag, lag being that asset's oracle lag (the sales the oracle now shows). Round 0 and exogenous-only moves have no causes.
    /// </summary>
    private ((List<int> Listed, int Count) Causes, int Depth, int Parent) Causes(LiquidatableCandidate c, int r)
    {
        if (r == 0) return (([], 0), 1, -1);
        var now = _oracle[r];
        var before = _oracle[r - 1];
        var pools = new HashSet<(int Round, int Pool)>();
        var exposure = new List<(int Asset, bool Collateral)>();
        _runs[c.Book].CollectExposure(c, exposure);
        foreach (var (asset, isCollateral) in exposure)
        {
            // Each asset's own lag: a delay on some assets only does not shift the others' sales.
            var causeRound = r - 1 - _o.OracleModel.LagOf(asset, _g.OracleRoot(asset));
            if (causeRound >= 0 && (isCollateral ? now[asset] < before[asset] : now[asset] > before[asset]))
                foreach (var p in _g.OraclePools[asset]) pools.Add((causeRound, p));
        }
        var ids = new HashSet<int>();
        foreach (var key in pools)
            if (_sales.TryGetValue(key, out var list)) ids.UnionWith(list);
        if (ids.Count == 0) return (([], 0), 1, -1);
        var parent = ids.OrderByDescending(i => _liquidations[i].ChainDepth).ThenByDescending(i => _soldUsd[i]).ThenBy(i => i).First();
        var listed = ids.OrderByDescending(i => _soldUsd[i]).ThenBy(i => i).Take(_o.MaxCausesListed).ToList();
        return ((listed, ids.Count), _liquidations[parent].ChainDepth + 1, parent);
    }

    // ------------------------------------------------------------------ result

    private CascadeResult BuildResult(List<CascadeRound> rounds, bool hitLimit)
    {
        var finalOracle = _oracle[^1];
        var badDebt = new Dictionary<(string, string, Address, string), BigInteger>();
        var items = new List<BadDebtItem>();
        for (var b = 0; b < _runs.Length; b++)
        {
            items.Clear();
            _runs[b].CollectBadDebt(finalOracle, items);
            foreach (var x in items)
            {
                if (x.Amount.IsZero) continue;
                var key = (_protocols[b], x.Market, x.Asset, x.Kind);
                badDebt[key] = badDebt.GetValueOrDefault(key) + x.Amount;
            }
        }

        var entries = badDebt.Select(kv => new BadDebtEntry(kv.Key.Item1, kv.Key.Item2, kv.Key.Item3, kv.Key.Item4, kv.Value,
                _assets.Usd(kv.Value, _assets[kv.Key.Item3], finalOracle)))
            .OrderBy(e => e.Protocol, StringComparer.Ordinal).ThenBy(e => e.Market, StringComparer.Ordinal).ThenBy(e => e.Asset).ThenBy(e => e.Kind, StringComparer.Ordinal).ToList();

        var insolvent = Insolvent(rounds);
        var realised = entries.Sum(e => e.AmountUsd);
        var unrealised = insolvent.Sum(x => x.ShortfallUsd);
        var totals = new CascadeTotals(
            _liquidations.Sum(l => l.DebtRepaidUsd),
            _liquidations.Sum(l => l.BonusUsd),
            realised + unrealised,
            entries,
            _liquidations.Count,
            _liquidations.Select(l => (l.Protocol, l.Account)).Distinct().Count(),
            rounds.Count(r => r.Liquidations.Count > 0),
            EndogenousRounds(rounds),
            realised,
            unrealised,
            insolvent);

        var (chains, longest) = Chains();
        var pricePath = Enumerable.Range(0, _n).Select(a => new AssetPricePath(_s.Assets[a].Address, _s.Assets[a].Symbol,
            _market.Select(p => p[a]).ToList(), _oracle.Select(p => p[a]).ToList())).ToList();
        var finalMarket = MarketPrices();
        var amplification = _scenario.ShockedAssets().Select(asset =>
        {
            var a = _assets[asset];
            var shock = _scenario.TotalChange(asset);
            var change = _snapPrice[a].IsZero ? 0 : (double)finalMarket[a] / (double)_snapPrice[a] - 1;
            return new Amplification(asset, _s.Assets[a].Symbol, shock, change, shock == 0 ? null : change / (double)shock);
        }).ToList();
        return new CascadeResult(_scenario.Name, rounds, totals, chains, longest, pricePath, amplification, Pools(), ProtocolOracles(finalOracle), hitLimit);
    }

    /// <summary>
    /// Open insolvent positions at the final market prices, each with the last reason the cascade gave for not liquidating
    /// it (held back, unprofitable, capped, nothing to seize), else that its protocol would not liquidate it at the oracle
    /// prices (an oracle lagging or priced apart from the market). Largest shortfall first.
    /// </summary>
    private List<InsolventPosition> Insolvent(List<CascadeRound> rounds)
    {
        var finalMarket = MarketPrices();
        var reasons = new Dictionary<(string, string, Address), string>();
        foreach (var u in rounds.SelectMany(r => r.Unliquidated)) reasons[(u.Protocol, u.Market, u.Account)] = u.Reason;
        var list = new List<InsolventPosition>();
        var open = new List<OpenShortfall>();
        for (var b = 0; b < _runs.Length; b++)
        {
            open.Clear();
            _runs[b].CollectInsolvent(finalMarket, open);
            foreach (var x in open)
                list.Add(new(_protocols[b], x.Market, x.Account, x.CollateralUsd, x.DebtUsd, x.DebtUsd - x.CollateralUsd,
                    reasons.GetValueOrDefault((_protocols[b], x.Market, x.Account)) ?? NotLiquidatableAtOraclePrices));
        }
        return list.OrderByDescending(x => x.ShortfallUsd).ThenBy(x => x.Protocol, StringComparer.Ordinal)
            .ThenBy(x => x.Market, StringComparer.Ordinal).ThenBy(x => x.Account).ToList();
    }

    internal const string NotLiquidatableAtOraclePrices = "not liquidatable at the oracle prices";

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

    private List<object> Pools() => _pools.Select(p => p.Report()).ToList();

    /// <summary>Each family's oracle prices in its own unit, by protocol name (what a replay sets).</summary>
    private Dictionary<string, IReadOnlyList<object>> ProtocolOracles(BigInteger[] oracle)
    {
        var d = new Dictionary<string, IReadOnlyList<object>>();
        for (var b = 0; b < _runs.Length; b++)
            d[_protocols[b]] = d.TryGetValue(_protocols[b], out var earlier) ? [.. earlier, .. _runs[b].OraclePrices(oracle)] : _runs[b].OraclePrices(oracle);
        return d;
    }

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
