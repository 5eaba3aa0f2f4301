using DefiRisk.Core.Protocols.AaveV3;

namespace DefiRisk.Core.Analysis;

/// <summary>What one fast-path cascade produced (USD as double; bad debt valued at the final oracle prices).</summary>
internal sealed record FastOutcome(double LiquidatedValueUsd, double BonusPaidUsd, double BadDebtUsd, int Liquidations,
    int RoundsWithLiquidations, int EndogenousRoundsWithLiquidations, IReadOnlySet<long>? LiquidatedSources, IReadOnlyList<double> LiquidatedUsdPerRound);

/// <summary>Per-worker mutable state of the fast path; reset between cascades by undoing only what was touched.</summary>
internal sealed class FastState
{
    public readonly double[] EColl, EDebt;
    public readonly bool[] Touched;
    /// <summary>Per position: health factor at its last evaluation ÷ the cumulative worst-case oracle factor then (see Run).</summary>
    public readonly double[] Key;
    public readonly List<int> TouchedList = [];
    public readonly double[] Tba, Tbs, Tsa, R0, R1, Exo, BadDebt;
    public readonly List<(double Hf, int Rank, int Pos)> Candidates = [];
    /// <summary>Work counters (diagnostics): health-factor evaluations, candidates tried, rounds run.</summary>
    public long Evaluations, CandidatesTried, Rounds;

    public FastState(FastModel m)
    {
        EColl = (double[])m.EColl.Clone();
        EDebt = (double[])m.EDebt.Clone();
        Touched = new bool[m.PositionCount];
        Key = (double[])m.Hf0.Clone();
        Tba = (double[])m.MTotalBorrowAssets.Clone();
        Tbs = (double[])m.MTotalBorrowShares.Clone();
        Tsa = (double[])m.MTotalSupplyAssets.Clone();
        R0 = (double[])m.R0Snap.Clone();
        R1 = (double[])m.R1Snap.Clone();
        Exo = (double[])m.SnapPrice.Clone();
        BadDebt = new double[m.SnapPrice.Length];
    }

    public void Reset(FastModel m)
    {
        foreach (var k in TouchedList)
        {
            Touched[k] = false;
            int s = m.EntryStart[k], e = s + m.EntryCount[k];
            for (var i = s; i < e; i++) { EColl[i] = m.EColl[i]; EDebt[i] = m.EDebt[i]; }
        }
        TouchedList.Clear();
        m.Hf0.CopyTo(Key, 0);
        m.MTotalBorrowAssets.CopyTo(Tba, 0);
        m.MTotalBorrowShares.CopyTo(Tbs, 0);
        m.MTotalSupplyAssets.CopyTo(Tsa, 0);
        m.R0Snap.CopyTo(R0, 0);
        m.R1Snap.CopyTo(R1, 0);
        m.SnapPrice.CopyTo(Exo, 0);
        Array.Clear(BadDebt);
    }
}

/// <summary>
/// The floating-point fast path of <see cref="ExactCascade"/>: the same rounds, ordering, liquidator choices, rules
/// (close factor per revision, bonus, protocol fee, dust, deficits; Morpho repay-all / seize-all), profitability test
/// and pool routing, on doubles over <see cref="FastModel"/>'s arrays and without the contracts' integer rounding.
/// A round evaluates only positions whose snapshot health factor is below max(oracle move)/min(oracle move) — no other
/// position can have crossed 1 — plus those already touched. Checked against the exact path by a differential test
/// (totals within 1e-9 relative; identical liquidated sets when no health factor is within 1e-9 of 1).
/// Circuit breakers, parameter overrides and custom oracle models are exact-path only.
/// </summary>
internal sealed class FastCascade(FastModel m, SimulationOptions o)
{
    /// <summary>Diagnostics for tests: (round, source, calls executed, HF after) per candidate.</summary>
    public List<(int Round, long Source, int Calls, double HfAfter)>? Trace;


    private const double Dust = 1000, CloseFactorFloor = 2000; // v3.3+ MIN_LEFTOVER_BASE / MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD in USD

    public List<SweepLevel> Sweep(int asset, IReadOnlyList<decimal> levels)
    {
        var results = new SweepLevel[levels.Count];
        var address = m.Snapshot.Assets[asset].Address;
        Parallel.For(0, levels.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            () => new FastState(m),
            (i, _, state) =>
            {
                state.Reset(m);
                var r = Run(Scenario.Single(address, levels[i]), state, collectSources: false);
                results[i] = new SweepLevel(levels[i], r.LiquidatedValueUsd, r.BadDebtUsd, r.Liquidations, r.RoundsWithLiquidations,
                    r.EndogenousRoundsWithLiquidations, r.EndogenousRoundsWithLiquidations >= 2);
                return state;
            },
            _ => { });
        return results.ToList();
    }

    public FastOutcome Run(Scenario scenario, FastState st, bool collectSources)
    {
        var n = m.SnapPrice.Length;
        var index = new Dictionary<Domain.Address, int>();
        for (var a = 0; a < n; a++) index[m.Snapshot.Assets[a].Address] = a;
        var lag = o.OracleModel switch
        {
            ImmediateOracle => 0,
            LaggedOracle l => l.LagRounds,
            _ => throw new DefiRiskException("the fast path supports the immediate and lagged oracle models only"),
        };
        var history = new List<double[]>();
        var sources = collectSources ? new HashSet<long>() : null;
        var perRound = new List<double>();
        double liquidatedUsd = 0, bonusUsd = 0, spent;
        int liquidations = 0, roundsWith = 0, endogenous = 0;
        double[] oracleUsd = m.SnapPrice, market = m.SnapPrice;
        var previousOm = Enumerable.Repeat(1.0, n).ToArray();
        var cumulative = 1.0;

        for (var r = 0; r < o.MaxRounds; r++)
        {
            if (r < scenario.Steps.Count)
                foreach (var shock in scenario.Steps[r].Shocks) ApplyShock(st, index[shock.Asset], (double)shock.FactorNumerator / AssetShock.FactorDenominator);
            market = MarketPrices(st);
            history.Add(market);
            oracleUsd = Oracle(history, r, lag);
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
            previousOm = om;
            // Cumulative worst case: a position evaluated at round s with HF h has HF ≥ h·C_r/C_s now, since every asset's
            // oracle moved by a factor within [minStep, maxStep] each round. Key = h / C_s, so it is safe while Key·C_r ≥ 1.
            cumulative *= minStep / maxStep;

            // Candidates: positions whose snapshot HF a move of this size can bring below 1 (a prefix of the Hf0 order,
            // plus touched positions beyond it), skipping those whose bound since their last evaluation keeps them safe.
            var bound = maxOm / minOm * (1 + 1e-3); // slack covers the ≤ 1.2e-4 avgLT truncation
            var end = UpperBound(m.Hf0, bound);
            st.Candidates.Clear();
            for (var k = 0; k < end; k++)
                Consider(st, k, om, cumulative);
            foreach (var k in st.TouchedList)
                if (k >= end) Consider(st, k, om, cumulative);
            st.Candidates.Sort((x, y) => x.Hf != y.Hf ? x.Hf.CompareTo(y.Hf) : x.Rank.CompareTo(y.Rank));

            var count = 0;
            spent = 0;
            st.Rounds++;
            st.CandidatesTried += st.Candidates.Count;
            var before = liquidatedUsd;
            foreach (var (_, _, k) in st.Candidates)
            {
                var done = m.Kind[k] == 0
                    ? LiquidateAave(st, k, om, oracleUsd, market, ref spent, ref liquidatedUsd, ref bonusUsd)
                    : LiquidateMorpho(st, k, om, oracleUsd, market, ref spent, ref liquidatedUsd, ref bonusUsd);
                if (Trace is not null) Trace.Add((r, m.Source[k], done, HealthFactor(st, k, om)));
                if (done == 0) continue;
                if (!double.IsPositiveInfinity(st.Key[k])) st.Key[k] = HealthFactor(st, k, om) / cumulative;
                count += done;
                if (!st.Touched[k]) { st.Touched[k] = true; st.TouchedList.Add(k); }
                sources?.Add(m.Source[k]);
            }
            liquidations += count;
            perRound.Add(liquidatedUsd - before);
            if (count > 0) { roundsWith++; if (r > scenario.Steps.Count - 1 + lag) endogenous++; } // after the exogenous drop reached the oracles
            if (count == 0 && r >= scenario.Steps.Count - 1)
            {
                history.Add(MarketPrices(st));
                var next = Oracle(history, r + 1, lag);
                history.RemoveAt(history.Count - 1);
                if (next.AsSpan().SequenceEqual(oracleUsd)) break;
            }
        }

        // Bad debt: deficits and write-offs, plus Aave ≤ 3.2 accounts left with debt and no collateral; final oracle prices.
        var unbacked = (double[])m.PreUnbackedDebt.Clone();
        foreach (var k in st.TouchedList)
        {
            if (m.Kind[k] != 0 || m.AaveRevision[m.Holder[k]] >= AaveV3Revision.V3_3) continue;
            int s = m.EntryStart[k], e = s + m.EntryCount[k];
            double coll = 0;
            for (var i = s; i < e; i++) if (m.Params[m.EParam[i]].Seizable) coll += st.EColl[i];
            if (coll > 0) continue;
            for (var i = s; i < e; i++) unbacked[m.Params[m.EParam[i]].Asset] += st.EDebt[i];
        }
        double badUsd = 0;
        for (var a = 0; a < n; a++) badUsd += (st.BadDebt[a] + unbacked[a]) * oracleUsd[a] / m.Unit[a];
        return new FastOutcome(liquidatedUsd, bonusUsd, badUsd, liquidations, roundsWith, endogenous, sources, perRound);
    }

    private const double SafeMargin = 1 + 1e-3; // covers the avgLT truncation jumps (≤ 1.2e-4) and float noise

    private void Consider(FastState st, int k, double[] om, double cumulative)
    {
        if (st.Key[k] * cumulative >= SafeMargin) return;
        st.Evaluations++;
        var hf = HealthFactor(st, k, om);
        st.Key[k] = hf / cumulative;
        if (hf < 1) st.Candidates.Add((hf, m.Rank[k], k));
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
        var g = Math.Sqrt(factor);
        if (h.ZeroForOne) { st.R0[h.Pool] /= g; st.R1[h.Pool] *= g; }
        else { st.R1[h.Pool] /= g; st.R0[h.Pool] *= g; }
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
            foreach (var h in route)
                p *= h.ZeroForOne
                    ? st.R1[h.Pool] * m.R0Snap[h.Pool] / (st.R0[h.Pool] * m.R1Snap[h.Pool])
                    : st.R0[h.Pool] * m.R1Snap[h.Pool] / (st.R1[h.Pool] * m.R0Snap[h.Pool]);
            prices[a] = p;
        }
        return prices;
    }

    private double[] Oracle(List<double[]> history, int r, int lag)
    {
        var n = m.SnapPrice.Length;
        var o = new double[n];
        for (var a = 0; a < n; a++)
        {
            var root = m.Graph.OracleRoot(a);
            if (root < 0) { o[a] = m.SnapPrice[a]; continue; }
            var feed = r - lag >= 0 ? history[r - lag][root] : m.SnapPrice[root];
            o[a] = root == a ? feed : m.SnapPrice[root] == 0 ? m.SnapPrice[a] : m.SnapPrice[a] * feed / m.SnapPrice[root];
        }
        return o;
    }

    private double Price(in FastParam p, double[] om) => p.FixedPrice ? p.Price0 : p.Price0 * om[p.Asset];

    private double HealthFactor(FastState st, int k, double[] om)
    {
        int s = m.EntryStart[k];
        if (m.Kind[k] == 1)
        {
            ref readonly var p = ref m.Params[m.EParam[s]];
            var g = p.Market;
            var borrowed = Math.Ceiling(st.EDebt[s] * (st.Tba[g] + 1) / (st.Tbs[g] + 1e6));
            if (borrowed <= 0) return double.MaxValue;
            return st.EColl[s] * p.Price0 * om[p.Asset] / om[p.LoanAsset] * p.Lt / borrowed;
        }
        int e = s + m.EntryCount[k];
        double wc = 0, tc = 0, debt = 0;
        for (var i = s; i < e; i++)
        {
            ref readonly var p = ref m.Params[m.EParam[i]];
            var price = Price(p, om);
            wc += st.EColl[i] * price * p.Lt;
            if (p.Lt > 0) tc += st.EColl[i] * price;
            debt += st.EDebt[i] * price;
        }
        return debt <= 0 ? double.MaxValue : AaveHealthFactor(wc, tc, debt, m.AaveRevision[m.Holder[k]]);
    }

    /// <summary>
    /// ≤ v3.4 truncates the average liquidation threshold to whole bps (<c>avgLT = Σ v·LT / TC</c>, integer division)
    /// before HF = TC·avgLT / TD; that lowers HF by up to 1 bp/avgLT (≈ 1.2e-4) and must be mirrored to get the same
    /// liquidatable set and order. v3.5+ weights exactly.
    /// </summary>
    internal static double AaveHealthFactor(double weightedCollateral, double collateral, double debt, int revision)
    {
        if (revision >= AaveV3Revision.V3_5 || collateral <= 0) return weightedCollateral / debt;
        var avgLtBps = Math.Floor(weightedCollateral * 1e4 / collateral + 1e-7);
        return collateral * avgLtBps / 1e4 / debt;
    }

    // ------------------------------------------------------------------ sales

    /// <summary>
    /// Same routing as the exact path, in base units: direct/pool path; else via the numeraire then 1:1 in USD at oracle
    /// prices (floor, as the exact path); else at market prices.
    /// </summary>
    private double Sell(FastState st, int coll, int debt, double amount, bool commit, double[] oracleUsd, double[] market)
    {
        if (coll == debt) return amount;
        var path = m.Graph.FindPath(coll, debt);
        if (path is not null) return Swap(st, path, amount, commit);
        var numeraire = m.Graph.Numeraire;
        var toN = m.Graph.FindPath(coll, numeraire);
        if (toN is not null)
        {
            var outN = Swap(st, toN, amount, commit);
            return oracleUsd[debt] == 0 ? 0 : Math.Floor(outN * oracleUsd[numeraire] * m.Unit[debt] / (oracleUsd[debt] * m.Unit[numeraire]));
        }
        return market[debt] == 0 ? 0 : Math.Floor(amount * market[coll] * m.Unit[debt] / (market[debt] * m.Unit[coll]));
    }

    /// <summary><c>getAmountOut</c> per hop, floored like the library.</summary>
    private static double Swap(FastState st, Hop[] path, double amount, bool commit)
    {
        var x = amount;
        foreach (var h in path)
        {
            var rin = h.ZeroForOne ? st.R0[h.Pool] : st.R1[h.Pool];
            var rout = h.ZeroForOne ? st.R1[h.Pool] : st.R0[h.Pool];
            var inFee = x * 997;
            var y = Math.Floor(inFee * rout / (rin * 1000 + inFee));
            if (commit)
            {
                if (h.ZeroForOne) { st.R0[h.Pool] = rin + x; st.R1[h.Pool] = rout - y; }
                else { st.R1[h.Pool] = rin + x; st.R0[h.Pool] = rout - y; }
            }
            x = y;
        }
        return x;
    }

    private bool Pays(FastState st, int coll, int debt, double collateral, double repaid, double[] oracleUsd, double[] market, double spent, out double repaidUsd)
    {
        repaidUsd = repaid * oracleUsd[debt] / m.Unit[debt];
        var proceeds = Sell(st, coll, debt, collateral, false, oracleUsd, market);
        if ((proceeds - repaid) * market[debt] / m.Unit[debt] - (double)o.GasCostUsd / 1e8 <= 0) return false;
        return o.LiquidatorCapitalPerRoundUsd is not { } cap || spent + repaidUsd <= (double)cap / 1e8;
    }

    // ------------------------------------------------------------------ liquidations

    private int LiquidateAave(FastState st, int k, double[] om, double[] oracleUsd, double[] market, ref double spent, ref double liquidatedUsd, ref double bonusUsd)
    {
        int s = m.EntryStart[k], e = s + m.EntryCount[k];
        var done = 0;
        Span<int> debts = stackalloc int[m.EntryCount[k]];
        Span<int> colls = stackalloc int[m.EntryCount[k]];
        for (var call = 0; call < o.MaxCallsPerPositionPerRound; call++)
        {
            double wc = 0, td = 0, tc = 0, tcLt = 0;
            int nd = 0, nc = 0;
            for (var i = s; i < e; i++)
            {
                ref readonly var p = ref m.Params[m.EParam[i]];
                var price = Price(p, om);
                wc += st.EColl[i] * price * p.Lt;
                if (p.Seizable) tc += st.EColl[i] * price;
                if (p.Lt > 0) tcLt += st.EColl[i] * price;
                td += st.EDebt[i] * price;
                if (!p.Liquidatable) continue;
                if (st.EDebt[i] > 0) Insert(debts, ref nd, i, st, om, byBonus: false);
                if (p.Seizable && st.EColl[i] > 0) Insert(colls, ref nc, i, st, om, byBonus: true);
            }
            if (td <= 0) break;
            // Nothing left that any pair could seize or repay (pauses do not change within a cascade): never again.
            if (nc == 0 || nd == 0) { st.Key[k] = double.PositiveInfinity; break; }
            var hf = AaveHealthFactor(wc, tcLt, td, m.AaveRevision[m.Holder[k]]);
            if (hf >= 1) break;
            var executed = false;
            for (var di = 0; di < nd && !executed; di++)
                for (var ci = 0; ci < nc && !executed; ci++)
                    executed = TryAave(st, debts[di], colls[ci], s, e, hf, tc, td, om, oracleUsd, market, ref spent, ref liquidatedUsd, ref bonusUsd);
            if (!executed) break;
            done++;
        }
        return done;
    }

    /// <summary>Insertion into the liquidator's order: debts by value desc; collaterals by bonus desc, value desc; then asset address.</summary>
    private void Insert(Span<int> list, ref int count, int entry, FastState st, double[] om, bool byBonus)
    {
        ref readonly var p = ref m.Params[m.EParam[entry]];
        var value = (byBonus ? st.EColl[entry] : st.EDebt[entry]) * Price(p, om);
        var pos = count;
        while (pos > 0)
        {
            var other = list[pos - 1];
            ref readonly var q = ref m.Params[m.EParam[other]];
            var otherValue = (byBonus ? st.EColl[other] : st.EDebt[other]) * Price(q, om);
            var before = byBonus && p.Bonus != q.Bonus ? p.Bonus > q.Bonus
                : value != otherValue ? value > otherValue
                : m.AddressRank[p.Asset] < m.AddressRank[q.Asset];
            if (!before) break;
            list[pos] = other;
            pos--;
        }
        list[pos] = entry;
        count++;
    }

    /// <summary>percentMul / percentDiv (half up) on base units held as doubles.</summary>
    private static double PercentMul(double x, double fraction) => Math.Floor(x * fraction + 0.5);
    private static double PercentDiv(double x, double fraction) => Math.Floor(x / fraction + 0.5);

    /// <summary>The Aave rule in base units, with the contract's floors and half-up roundings mirrored.</summary>
    private bool TryAave(FastState st, int de, int ce, int s, int e, double hf, double tc, double td, double[] om, double[] oracleUsd, double[] market,
        ref double spent, ref double liquidatedUsd, ref double bonusUsd)
    {
        ref readonly var dp = ref m.Params[m.EParam[de]];
        ref readonly var cp = ref m.Params[m.EParam[ce]];
        double pD = Price(dp, om), pC = Price(cp, om), debt = st.EDebt[de], coll = st.EColl[ce];
        var v33 = dp.Revision >= AaveV3Revision.V3_3;
        double actual;
        if (!v33) actual = hf > 0.95 ? PercentMul(debt, 0.5) : debt;
        else
        {
            actual = debt;
            if (coll * pC >= CloseFactorFloor && debt * pD >= CloseFactorFloor && hf > 0.95 && debt * pD > td * 0.5) actual = Math.Floor(td * 0.5 / pD);
        }
        var collAmt = PercentMul(Math.Floor(actual * pD / pC), cp.Bonus);
        var all = collAmt > coll;
        if (all) { collAmt = coll; actual = dp.Revision >= AaveV3Revision.V3_5 ? Math.Ceiling(Math.Floor(coll * pC / pD) / cp.Bonus) : PercentDiv(Math.Floor(coll * pC / pD), cp.Bonus); }
        var fee = cp.Fee > 0 ? PercentMul(collAmt - PercentDiv(collAmt, cp.Bonus), cp.Fee) : 0;
        var toLiquidator = collAmt - fee;
        // (collateral + fee < balance) is tested as collAmt < coll: re-adding the fee in doubles can miss the balance by an ulp.
        if (v33 && actual < debt && collAmt < coll && ((debt - actual) * pD < Dust || (coll - collAmt) * pC < Dust)) return false; // collateral left after the fee too (v3.3.0 tag on)
        int ca = cp.Asset, da = dp.Asset;
        if (!Pays(st, ca, da, toLiquidator, actual, oracleUsd, market, spent, out var repaidUsd)) return false;

        var noCollateralLeft = v33 && all && tc - coll * pC < 1e-8;
        st.EColl[ce] = coll - collAmt;
        if (noCollateralLeft)
        {
            st.BadDebt[da] += debt - actual;
            st.EDebt[de] = 0;
            for (var i = s; i < e; i++)
            {
                if (st.EDebt[i] <= 0 || !m.Params[m.EParam[i]].Active) continue; // _burnBadDebt skips inactive reserves only
                st.BadDebt[m.Params[m.EParam[i]].Asset] += st.EDebt[i];
                st.EDebt[i] = 0;
            }
        }
        else st.EDebt[de] = debt - actual;
        Sell(st, ca, da, toLiquidator, true, oracleUsd, market);
        spent += repaidUsd;
        liquidatedUsd += repaidUsd;
        bonusUsd += toLiquidator * oracleUsd[ca] / m.Unit[ca] - repaidUsd;
        return true;
    }

    /// <summary>
    /// <c>Morpho.liquidate</c> in base units with its roundings: repay all shares when that seizes at most the collateral
    /// (seized = ⌊⌊assetsDown·LIF⌋ / price⌋), else seize all collateral (repaidShares = ⌈⌈⌈coll·price⌉ / LIF⌉ → shares up⌉).
    /// </summary>
    private int LiquidateMorpho(FastState st, int k, double[] om, double[] oracleUsd, double[] market, ref double spent, ref double liquidatedUsd, ref double bonusUsd)
    {
        var s = m.EntryStart[k];
        ref readonly var p = ref m.Params[m.EParam[s]];
        var g = p.Market;
        double shares = st.EDebt[s], coll = st.EColl[s], tba = st.Tba[g], tbs = st.Tbs[g];
        var price = p.Price0 * om[p.Asset] / om[p.LoanAsset];
        var seizeForAll = Math.Floor(Math.Floor(Math.Floor(shares * (tba + 1) / (tbs + 1e6)) * p.Bonus) / price);
        double seized, repaidShares;
        if (seizeForAll <= coll) { seized = seizeForAll; repaidShares = shares; }
        else
        {
            seized = coll;
            repaidShares = Math.Ceiling(Math.Ceiling(Math.Ceiling(coll * price) / p.Bonus) * (tbs + 1e6) / (tba + 1));
            if (repaidShares > shares) return 0; // the contract would underflow
        }
        var repaid = Math.Ceiling(repaidShares * (tba + 1) / (tbs + 1e6));
        if (!Pays(st, p.Asset, p.LoanAsset, seized, repaid, oracleUsd, market, spent, out var repaidUsd)) return 0;

        tbs -= repaidShares;
        tba = Math.Max(0, tba - repaid);
        shares -= repaidShares;
        st.EColl[s] = coll - seized;
        if (st.EColl[s] <= 0 && shares > 0)
        {
            var bad = Math.Min(tba, Math.Ceiling(shares * (tba + 1) / (tbs + 1e6)));
            tba -= bad;
            st.Tsa[g] -= bad;
            tbs -= shares;
            st.BadDebt[p.LoanAsset] += bad;
        }
        st.EDebt[s] = 0;
        st.Tba[g] = tba;
        st.Tbs[g] = tbs;
        Sell(st, p.Asset, p.LoanAsset, seized, true, oracleUsd, market);
        spent += repaidUsd;
        liquidatedUsd += repaidUsd;
        bonusUsd += seized * oracleUsd[p.Asset] / m.Unit[p.Asset] - repaidUsd;
        return 1;
    }
}
