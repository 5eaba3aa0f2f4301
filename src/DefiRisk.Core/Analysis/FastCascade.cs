using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Venues;

namespace DefiRisk.Core.Analysis;

/// <summary>What one fast-path cascade produced (USD as double; bad debt valued at the final oracle prices).</summary>
internal sealed record FastOutcome(double LiquidatedValueUsd, double BonusPaidUsd, double BadDebtUsd, int Liquidations,
    int RoundsWithLiquidations, int EndogenousRoundsWithLiquidations, IReadOnlySet<long>? LiquidatedSources, IReadOnlyList<double> LiquidatedUsdPerRound,
    double RealisedBadDebtUsd, double UnrealisedBadDebtUsd, IReadOnlyList<int>? LiquidationsPerRound = null);

/// <summary>
/// The floating-point fast path of <see cref="ExactCascade"/>: the same rounds, ordering, profitability test and routing,
/// on doubles over <see cref="FastModel"/>'s arrays; each family's fast rule (<see cref="FastLendingRule"/>, beside its
/// exact rule) liquidates its positions and each venue's fast state sells. It names no protocol and no venue.
/// A round evaluates only positions whose snapshot health factor is below the largest fall any rule's health factor can
/// have taken (max(oracle move)/min(oracle move), more for composed prices) — no other position can have crossed 1 — plus
/// those already touched. Checked against the exact path by a differential test
/// (totals within 1e-9 relative; identical liquidated sets when no health factor is within 1e-9 of 1).
/// Circuit breakers run through their fast rules (<see cref="ICircuitBreaker.CompileFast"/>), oracle models through their
/// fixed lag per asset (<see cref="IOracleModel.FastLagOf"/>); parameter overrides are exact-path only.
/// </summary>
internal sealed partial class FastCascade : IFastDesk
{
    private readonly FastModel m;
    private readonly SimulationOptions o;
    // Per asset: the rounds between a market move of its root feed and its oracle showing it.
    private readonly int[] _lag;
    private readonly int _maxLag;
    private readonly FastCircuitBreaker _breaker;
    private readonly bool _breaks;
    // Flash-loan offers when liquidators borrow the repayment (LiquidatorModel.FlashLoans, no capital cap); read-only, shared by workers.
    private readonly FlashLenders? _flash;

    public FastCascade(FastModel model, SimulationOptions options)
    {
        (m, o) = (model, options);
        if (FastPathSupport.WhyNot(options, model) is { } why) throw new DefiRiskException($"the fast path cannot run this: {why}");
        var n = model.SnapPrice.Length;
        _lag = new int[n];
        for (var a = 0; a < n; a++)
        {
            var root = model.Graph.OracleRoot(a);
            _lag[a] = root < 0 ? 0 : options.OracleModel.FastLagOf(a, root) ?? throw new DefiRiskException("the fast path needs a fixed oracle lag per asset");
        }
        _maxLag = options.OracleModel.LagRounds;
        _breaker = options.CircuitBreaker.CompileFast(model)!;
        _breaks = !ReferenceEquals(_breaker, FastCircuitBreaker.None);
        _flash = options.Liquidators.FlashLoans && options.LiquidatorCapitalPerRoundUsd is null ? new FlashLenders(model.Snapshot) : null;
        if (options.MarketPrices.OnePrice) StartOnePrice();
    }

    /// <summary>Diagnostics for tests: (round, source, calls executed, HF after) per candidate.</summary>
    public List<(int Round, long Source, int Calls, double HfAfter)>? Trace;

    public List<SweepLevel> Sweep(int asset, IReadOnlyList<decimal> levels)
    {
        var results = new SweepLevel[levels.Count];
        var address = m.Snapshot.Assets[asset].Address;
        FastWorkers.For(levels.Count, null, () => new FastState(m),
            (i, state) =>
            {
                state.Reset(m);
                var r = Run(Scenario.Single(address, levels[i]), state, collectSources: false);
                var drop = _maxLag;
                var after = 0.0;
                for (var k = drop + 1; k < r.LiquidatedUsdPerRound.Count; k++) after += r.LiquidatedUsdPerRound[k];
                results[i] = new SweepLevel(levels[i], r.LiquidatedValueUsd, r.BadDebtUsd, r.Liquidations, r.RoundsWithLiquidations,
                    r.EndogenousRoundsWithLiquidations, SelfSustaining.Holds(r.EndogenousRoundsWithLiquidations, after, r.LiquidatedValueUsd));
            });
        return results.ToList();
    }

    public FastOutcome Run(Scenario scenario, FastState st, bool collectSources)
    {
        var n = m.SnapPrice.Length;
        var lag = _maxLag;
        var breaker = _breaks ? _breaker.Start() : null;
        var round = new FastRound { Desk = breaker is null ? this : new BreakerDesk(this, breaker), MaxCallsPerPosition = o.MaxCallsPerPositionPerRound, Breaker = _breaks, Flash = _flash?.StartFast() };
        var oracleHistory = _breaks ? new List<double[]>() : null;
        var history = new List<double[]>();
        var sources = collectSources ? new HashSet<long>() : null;
        var perRound = new List<double>();
        var countPerRound = new List<int>();
        int liquidations = 0, roundsWith = 0, endogenous = 0;
        double[] oracleUsd = m.SnapPrice, market = m.SnapPrice;
        var snapshotOm = Enumerable.Repeat(1.0, n).ToArray();
        var previousOm = snapshotOm;
        var previousOmOf = previousOm; // the oracle moves of the round before (what a cause moved from)
        var cumulative = 1.0;
        // One market price: this run's prices and shock-only prices (null for the first-pool model).
        double[]? price = o.MarketPrices.OnePrice ? (double[])m.SnapPrice.Clone() : null;
        var target = price is null ? null : (double[])m.SnapPrice.Clone();
        var spotStart = price is null ? null : new double[st.Pools.Length];
        double[] Prices() => price is null ? MarketPrices(st) : PricesAfterSales(st, price, spotStart!);

        for (var r = 0; r < o.MaxRounds; r++)
        {
            if (r < scenario.Steps.Count)
                foreach (var cut in scenario.Steps[r].Ratios) st.Ratio[m.Assets[cut.Asset]] *= (double)cut.FactorNumerator / AssetShock.FactorDenominator;
            if (price is not null) OnePriceRound(st, r, scenario, price, target!, spotStart!);
            else if (r < scenario.Steps.Count)
                foreach (var shock in scenario.Steps[r].Shocks) ApplyShock(st, m.Assets[shock.Asset], (double)shock.FactorNumerator / AssetShock.FactorDenominator);
            market = price is null ? MarketPrices(st) : (double[])price.Clone();
            history.Add(market);
            oracleUsd = Oracle(st, history, r);
            var om = new double[n];
            double minOm = double.MaxValue, maxOm = 0, minStep = double.MaxValue, maxStep = 0;
            for (var a = 0; a < n; a++)
            {
                om[a] = m.SnapPrice[a] == 0 ? 1 : oracleUsd[a] / m.SnapPrice[a];
                minOm = Math.Min(minOm, om[a]);
                maxOm = Math.Max(maxOm, om[a]);
                var stepMove = om[a] / previousOm[a];
                minStep = Math.Min(minStep, stepMove);
                maxStep = Math.Max(maxStep, stepMove);
            }
            // Cumulative worst case: a position evaluated at round s with HF h has HF ≥ h·C_r/C_s now, since no health factor
            // fell by more than MaxFall in any round since. Key = h / C_s, so it is safe while Key·C_r ≥ 1.
            cumulative /= MaxFall(previousOm, om, minStep, maxStep);
            previousOmOf = previousOm;
            previousOm = om;

            // Candidates: positions whose snapshot HF a move of this size can bring below 1 (a prefix of the Hf0 order,
            // plus touched positions beyond it), skipping those whose bound since their last evaluation keeps them safe.
            var bound = MaxFall(snapshotOm, om, minOm, maxOm) * (1 + 1e-3); // slack covers the ≤ 1.2e-4 avgLT truncation
            var end = UpperBound(m.Hf0, bound);
            st.Candidates.Clear();
            for (var k = 0; k < end; k++)
                Consider(st, k, om, cumulative);
            foreach (var k in st.TouchedList)
                if (k >= end) Consider(st, k, om, cumulative);
            st.Candidates.Sort();

            var count = 0;
            (round.Om, round.OracleUsd, round.Market, round.Spent) = (om, oracleUsd, market, 0);
            (round.BlockTimestamp, round.WaitsForTime, round.HeldBack, round.Round) = (o.BlockTime(m.Snapshot.Chain.BlockTimestamp, r), false, false, r);
            if (breaker is not null)
            {
                oracleHistory!.Add(oracleUsd);
                var o8 = new double[n];
                for (var a = 0; a < n; a++) o8[a] = Math.Round(oracleUsd[a] * 1e8);
                round.Oracle8 = o8;
                breaker.BeginRound(r, oracleHistory, m.SnapPrice);
            }
            st.Rounds++;
            st.CandidatesTried += st.Candidates.Count;
            var before = round.LiquidatedUsd;
            var caused = false;
            foreach (var (hf, _, k) in st.Candidates)
            {
                if (breaker is not null && !breaker.Permits(hf)) { round.HeldBack = true; continue; }
                round.Book = m.Kind[k];
                round.Holder = (int)((m.Source[k] >> 32) & 0xFF_FFFF);
                var rule = m.Rules[m.Kind[k]];
                var done = rule.Liquidate(st, k, round);
                if (Trace is not null) Trace.Add((r, m.Source[k], done, rule.HealthFactor(st, k, om)));
                if (done == 0) continue;
                if (!double.IsPositiveInfinity(st.Key[k])) st.Key[k] = rule.HealthFactor(st, k, om) / cumulative;
                count += done;
                if (breaker is not null && !caused) caused = HasCause(k, om, previousOmOf, r, countPerRound);
                if (!st.Touched[k]) { st.Touched[k] = true; st.TouchedList.Add(k); }
                sources?.Add(m.Source[k]);
            }
            liquidations += count;
            perRound.Add(round.LiquidatedUsd - before);
            countPerRound.Add(count);
            // Endogenous: after the exogenous drop reached the oracles, and set off by a move (a round whose oracles stand still only
            // releases what waited: a grace period's end, a spent call limit), as the exact path counts liquidations with causes.
            // With a breaker, a round may release positions held back while some other oracle moved: as the exact path, it counts
            // only when a liquidated position's own asset moved against it after sales in the round its oracle shows.
            if (count > 0) { roundsWith++; if (r > scenario.Steps.Count - 1 + lag && (minStep != 1 || maxStep != 1) && (breaker is null || caused)) endogenous++; }
            if (count == 0 && r >= scenario.Steps.Count - 1 && !round.WaitsForTime && !(round.HeldBack && breaker!.ReleasesLater(r)))
            {
                // Settled when, with the market frozen, no oracle moves in the next max(1, lag) rounds (as the exact path).
                var now = Prices();
                var settled = true;
                for (var k = 1; k <= Math.Max(1, lag) && settled; k++)
                {
                    history.Add(now);
                    settled = Oracle(st, history, r + k).AsSpan().SequenceEqual(oracleUsd);
                }
                history.RemoveRange(r + 1, history.Count - r - 1);
                if (settled) break;
            }
        }

        // Bad debt: the rules' write-offs and deficits, plus what each family books at the end; final oracle prices.
        var unbacked = new double[n];
        foreach (var rule in m.Rules) rule.AddBadDebt(st, unbacked);
        double badUsd = 0;
        for (var a = 0; a < n; a++) badUsd += (st.BadDebt[a] + unbacked[a]) * oracleUsd[a] / m.Unit[a];
        var unrealised = Unrealised(st, Prices());
        return new FastOutcome(round.LiquidatedUsd, round.BonusUsd, badUsd + unrealised, liquidations, roundsWith, endogenous, sources, perRound, badUsd, unrealised, collectSources ? countPerRound : null);
    }

    /// <summary>
    /// The shortfall of open positions at the final market prices (as the exact path's unrealised bad debt). An untouched
    /// position's collateral ÷ debt falls by at most its worst collateral move over its worst debt move since the snapshot,
    /// so only three kinds can be insolvent now, each scanned as a prefix of a list sorted by snapshot solvency: positions
    /// already below 1; holders of a fallen asset as collateral, below max(1, largest rise) ÷ that asset's move; holders
    /// of a risen asset as debt, below its move ÷ min(1, largest fall). A position on several lists counts on the first
    /// one it qualifies for. Positions liquidations touched are evaluated one by one.
    /// </summary>
    private double Unrealised(FastState st, double[] market)
    {
        var n = market.Length;
        const double slack = FastModel.SolvencySlack;
        double fall = 1, rise = 1;
        var move = new double[n];
        for (var a = 0; a < n; a++)
        {
            move[a] = m.SnapPrice[a] == 0 ? 1 : market[a] / m.SnapPrice[a];
            fall = Math.Min(fall, move[a]);
            rise = Math.Max(rise, move[a]);
        }
        // Solvency below which a list's members can be insolvent (0: the list's asset moved in their favour).
        var bound = new double[2 * n];
        for (var a = 0; a < n; a++)
        {
            bound[a] = move[a] < 1 ? rise / move[a] * slack : 0;
            bound[n + a] = move[a] > 1 ? move[a] / fall * slack : 0;
        }
        var marketUsd = market; // USD per token, as the rules expect
        double sum = 0;
        foreach (var k in m.InsolventAtSnapshot)
            if (!st.Touched[k]) sum += m.Rules[m.Kind[k]].Shortfall(st, k, marketUsd);
        for (var list = 0; list < 2 * n; list++)
        {
            if (bound[list] == 0) continue;
            for (var i = m.ExposureStart[list]; i < m.ExposureStart[list + 1]; i++)
            {
                var k = m.Exposed[i];
                var solvency = m.CollateralToDebt0[k];
                if (solvency >= bound[list]) break;
                if (st.Touched[k] || !(solvency >= slack) || OnEarlierList(k, list, solvency, bound)) continue;
                sum += m.Rules[m.Kind[k]].Shortfall(st, k, marketUsd);
            }
        }
        foreach (var k in st.TouchedList) sum += m.Rules[m.Kind[k]].Shortfall(st, k, marketUsd);
        return sum;
    }

    /// <summary>
    /// The exact path's test for a cause, on the fast state: an asset of position <paramref name="k"/> (collateral that fell,
    /// debt that rose, since the round before) whose oracle shows the market of a round after one with liquidations.
    /// </summary>
    private bool HasCause(int k, double[] om, double[] before, int r, List<int> countPerRound)
    {
        int s = m.EntryStart[k], e = s + m.EntryCount[k];
        for (var i = s; i < e; i++)
        {
            ref readonly var p = ref m.Params[m.EParam[i]];
            if (m.EColl[i] > 0 && p.Seizable && om[p.Asset] < before[p.Asset] && SalesShown(p.Asset)) return true;
            if (m.EDebt[i] > 0 && om[p.DebtAsset] > before[p.DebtAsset] && SalesShown(p.DebtAsset)) return true;
        }
        return false;

        bool SalesShown(int asset)
        {
            var round = r - 1 - _lag[asset];
            return round >= 0 && round < countPerRound.Count && countPerRound[round] > 0;
        }
    }

    /// <summary>For tests: every position's shortfall at the state's market prices, without the exposure bounds.</summary>
    internal double ShortfallOfEveryPosition(FastState st)
    {
        var market = MarketPrices(st);
        double sum = 0;
        for (var k = 0; k < m.PositionCount; k++) sum += m.Rules[m.Kind[k]].Shortfall(st, k, market);
        return sum;
    }

    // Whether untouched position k qualified on a list scanned before `list` (its entries are as compiled).
    private bool OnEarlierList(int k, int list, double solvency, double[] bound)
    {
        int s = m.EntryStart[k], e = s + m.EntryCount[k], n = m.SnapPrice.Length;
        for (var i = s; i < e; i++)
        {
            ref readonly var p = ref m.Params[m.EParam[i]];
            if (m.EColl[i] > 0 && p.Asset < list && solvency < bound[p.Asset]) return true;
            if (m.EDebt[i] > 0 && n + p.DebtAsset < list && solvency < bound[n + p.DebtAsset]) return true;
        }
        return false;
    }

    // The largest fall of any health factor between two sets of oracle moves, over every family's rule.
    private double MaxFall(double[] before, double[] now, double low, double high)
    {
        var fall = high / low;
        foreach (var rule in m.Rules) fall = Math.Max(fall, rule.MaxFall(before, now, low, high));
        return fall;
    }

    private const double SafeMargin = 1 + 1e-3; // covers the avgLT truncation jumps (≤ 1.2e-4) and float noise

    private void Consider(FastState st, int k, double[] om, double cumulative)
    {
        if (st.Key[k] * cumulative >= SafeMargin) return;
        st.Evaluations++;
        var hf = m.Rules[m.Kind[k]].HealthFactor(st, k, om);
        st.Key[k] = hf / cumulative;
        if (hf < 1) st.Candidates.Add(new FastCandidate(hf, m.Rank[k], k));
    }

    private static int UpperBound(double[] sorted, double bound)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < bound) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    // ------------------------------------------------------------------ prices

    private void ApplyShock(FastState st, int asset, double factor)
    {
        var route = m.Graph.PriceRoute[asset];
        if (route is null || route.Length == 0) { st.Exo[asset] *= factor; return; }
        var h = route[0];
        st.Pools[h.Pool].Reprice(h.ZeroForOne, factor);
    }

    private double[] MarketPrices(FastState st)
    {
        var n = m.SnapPrice.Length;
        var prices = new double[n];
        for (var a = 0; a < n; a++)
        {
            var route = m.Graph.PriceRoute[a];
            if (route is null || route.Length == 0) { prices[a] = st.Exo[a]; continue; }
            var p = m.SnapPrice[a];
            foreach (var h in route) p *= st.Pools[h.Pool].PriceMove(h.ZeroForOne);
            prices[a] = p;
        }
        return prices;
    }

    private double[] Oracle(FastState st, List<double[]> history, int r)
    {
        var n = m.SnapPrice.Length;
        var o = new double[n];
        for (var a = 0; a < n; a++)
        {
            var root = m.Graph.OracleRoot(a);
            if (root < 0) { o[a] = m.SnapPrice[a]; continue; }
            var lag = _lag[a];
            var feed = r - lag >= 0 ? history[r - lag][root] : m.SnapPrice[root];
            if (root == a) { o[a] = feed; continue; }
            o[a] = m.SnapPrice[root] == 0 ? m.SnapPrice[a] : m.SnapPrice[a] * feed / m.SnapPrice[root];
            // The scenario's ratio moves of the asset and of every exchange-rate base between it and its root.
            for (var x = a; x >= 0 && x != root; x = m.Graph.OracleBase[x]) o[a] *= st.Ratio[x];
        }
        return o;
    }

    // ------------------------------------------------------------------ the desk (sales and the profit test)

    /// <summary>
    /// Same routing as the exact path, in base units: direct/pool path; else via the numeraire then 1:1 in USD at oracle
    /// prices (floor, as the exact path); else at market prices.
    /// </summary>
    public double Sell(FastState st, FastRound round, int coll, int debt, double amount, bool commit) =>
        SellCounted(st, round, coll, debt, amount, commit, out _);

    /// <summary><see cref="Sell"/>, with the number of swaps the sale sends (1 unless best execution splits it).</summary>
    private double SellCounted(FastState st, FastRound round, int coll, int debt, double amount, bool commit, out int legs)
    {
        legs = 1;
        if (coll == debt) return amount;
        var path = m.Graph.FindPath(coll, debt);
        if (path is not null) return SwapBest(st, round, path, coll, debt, amount, commit, out legs);
        var numeraire = m.Graph.Numeraire;
        var toN = m.Graph.FindPath(coll, numeraire);
        var oracleUsd = round.OracleUsd;
        if (toN is not null)
        {
            var outN = SwapBest(st, round, toN, coll, numeraire, amount, commit, out legs);
            return oracleUsd[debt] == 0 ? 0 : Math.Floor(outN * oracleUsd[numeraire] * m.Unit[debt] / (oracleUsd[debt] * m.Unit[numeraire]));
        }
        if (o.MarketPrices.OnePrice) throw new DefiRiskException($"seized collateral {m.Snapshot.Assets[coll].Symbol} ({m.Snapshot.Assets[coll].Address}) has no venue to sell into; one market price needs a pool (or depth) for it");
        var market = round.Market;
        return market[debt] == 0 ? 0 : Math.Floor(amount * market[coll] * m.Unit[debt] / (market[debt] * m.Unit[coll]));
    }

    /// <summary>The router's single swap down <paramref name="path"/>, or with best execution the split over every route (as the exact path).</summary>
    private double SwapBest(FastState st, FastRound round, Hop[] path, int from, int to, double amount, bool commit, out int legs)
    {
        legs = 1;
        return o.Liquidators.BestExecution
            ? LegGasExecution.Sell(st.Pools, m.Graph.Routes(from, to), amount, o.Liquidators.SaleChunks, LegCost(round, to), commit, out legs)
            : Swap(st, path, amount, commit);
    }

    private static double Swap(FastState st, Hop[] path, double amount, bool commit)
    {
        var x = amount;
        foreach (var h in path) x = st.Pools[h.Pool].Swap(x, h.ZeroForOne, commit);
        return x;
    }

    public bool Pays(FastState st, FastRound round, int coll, int debt, double collateral, double repaid, out double repaidUsd, double knownProfit = double.NaN)
    {
        repaidUsd = repaid * round.OracleUsd[debt] / m.Unit[debt];
        if (round.Flash is not null && !round.Flash.Quote(debt, repaid).Funded) return false;
        if ((double.IsNaN(knownProfit) ? Profit(st, round, coll, debt, collateral, repaid) : knownProfit) <= 0) return false;
        if (o.LiquidatorCapitalPerRoundUsd is { } cap && round.Spent + repaidUsd > (double)cap / 1e8) return false;
        // Every rule commits a call that pays: the lenders' balances move with it (as the exact path's Execute).
        round.Flash?.Liquidated(round.Book, round.Holder, debt, repaid, coll, collateral);
        return true;
    }

    public bool PairsByProfit => o.Liquidators.PairByProfit;

    public bool SizesByProfit => o.Liquidators.SizeByProfit;

    /// <summary>(proceeds − repaid − flash-loan fee) at the debt's market price − gas, USD (the exact path's test in doubles; the fee half up).</summary>
    public double Profit(FastState st, FastRound round, int coll, int debt, double collateral, double repaid)
    {
        var proceeds = SellCounted(st, round, coll, debt, collateral, false, out var legs);
        var funding = round.Flash?.Quote(debt, repaid);
        var nested = funding is { Lenders: > 1 } q ? (q.Lenders - 1) * (double)o.Liquidators.LegGasCostUsd / 1e8 : 0; // as the exact NestedLoansGasUsd8
        return (proceeds - repaid - (funding?.Fee ?? 0)) * round.Market[debt] / m.Unit[debt] - (double)o.GasCostUsd / 1e8 - ExtraLegsGasUsd(legs) - nested;
    }

    /// <summary>No breaker: every call may repay all it would.</summary>
    public double Allowance(FastRound round, int k, int collateral, int debt, double repayUsd8) => repayUsd8;

    /// <summary>The desk of one cascade with a circuit breaker: the engine's sales and profit test, the run's breaker rulings.</summary>
    private sealed class BreakerDesk(FastCascade engine, FastBreakerRun run) : IFastDesk
    {
        public double Sell(FastState st, FastRound round, int collateral, int debt, double amount, bool commit) =>
            engine.Sell(st, round, collateral, debt, amount, commit);

        public bool Pays(FastState st, FastRound round, int collateral, int debt, double collateralToSell, double repaid, out double repaidUsd, double knownProfit = double.NaN)
        {
            if (!engine.Pays(st, round, collateral, debt, collateralToSell, repaid, out repaidUsd, knownProfit)) return false;
            // Every rule commits a call that pays: the breakers' windows count it (USD 8 decimals, floored, as the exact path).
            run.Executed(round.Round, round.Book, collateral, debt, round.RepayUsd8(st.Model, debt, repaid));
            return true;
        }

        public bool PairsByProfit => engine.PairsByProfit;

        public bool SizesByProfit => engine.SizesByProfit;

        public double ProfitCeilingUsd(FastState st, FastRound round, int collateral, int debt, double collateralToSell, double repaid) =>
            engine.ProfitCeilingUsd(st, round, collateral, debt, collateralToSell, repaid);

        public double Profit(FastState st, FastRound round, int collateral, int debt, double collateralToSell, double repaid) =>
            engine.Profit(st, round, collateral, debt, collateralToSell, repaid);

        public double Allowance(FastRound round, int k, int collateral, int debt, double repayUsd8)
        {
            var allowed = Math.Clamp(run.Allow(round.Round, round.Book, collateral, debt, repayUsd8), 0, repayUsd8);
            if (allowed < repayUsd8) round.HeldBack = true;
            return allowed;
        }
    }
}
