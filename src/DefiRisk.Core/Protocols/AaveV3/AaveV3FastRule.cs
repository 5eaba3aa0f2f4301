using DefiRisk.Core.Lending;

namespace DefiRisk.Core.Protocols.AaveV3;

/// <summary>
/// The fast twin of <see cref="AaveV3ExactRun"/>: the same liquidator choice (debts by value, collaterals by bonus then
/// value, then address), the same rule per revision (close factor, bonus, protocol fee, v3.3+ dust and deficits, v3.5
/// rounding) on doubles in base units, with the contract's floors and half-up roundings mirrored. A position's entries
/// are its reserves: <see cref="FastParam.Lt"/>/<see cref="FastParam.Bonus"/> with e-mode applied, <see cref="FastParam.Price0"/>
/// the reserve price per base unit (USD per wei); <see cref="FastParam.Market"/> the pool's index in the book;
/// <see cref="FastParam.WaitUntil"/> the reserve's 3.1+ liquidation grace period. 3.1+ reserves with a known virtual balance keep
/// their cash per worker (<see cref="AaveV3FastState"/>): a call whose underlying to withdraw exceeds it is refused, as on chain.
/// </summary>
internal sealed class AaveV3FastRule : FastLendingRule
{
    // v3.3+ MIN_LEFTOVER_BASE / MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD in USD.
    private const double Dust = 1000, CloseFactorFloor = 2000;

    private readonly int[] _revision;
    private readonly double _closeFactor, _fullCloseHf;
    // ≤ 3.2 accounts already without collateral at the snapshot: their debt, base units per asset ("unbacked").
    private readonly double[] _preUnbacked;
    private readonly int _book;
    // Per pool and asset index: the slot of its cash in AaveV3FastState (−1: not tracked), and the cash at the snapshot.
    private readonly int[][] _cashSlot;
    private readonly double[] _cash0;
    // Per cash slot: a 3.1+ virtual balance, which the repaid debt enters before the collateral leaves (else the aToken's
    // underlying before 3.1, which the liquidator pays into last).
    private readonly bool[] _debtFirst;

    private AaveV3FastRule(AaveV3Book book, int bookIndex, double[] preUnbacked, AssetIndex assets)
    {
        _cashSlot = new int[book.Markets.Count][];
        var cash = new List<double>();
        var debtFirst = new List<bool>();
        for (var m = 0; m < book.Markets.Count; m++)
        {
            _cashSlot[m] = Enumerable.Repeat(-1, assets.Count).ToArray();
            foreach (var r in book.Markets[m].Market.Reserves)
                if (r.Cash is { } v)
                {
                    _cashSlot[m][assets[r.Asset]] = cash.Count;
                    cash.Add((double)v);
                    debtFirst.Add(r.RepaymentArrivesFirst);
                }
        }
        _cash0 = [.. cash];
        _debtFirst = [.. debtFirst];
        _revision = book.Markets.Select(m => m.Market.PoolRevision).ToArray();
        _closeFactor = book.LiquidationRule.CloseFactor / 1e4;
        _fullCloseHf = (double)book.LiquidationRule.FullCloseHealthFactor / 1e18;
        _preUnbacked = preUnbacked;
        _book = bookIndex;
    }

    public static AaveV3FastRule Compile(AaveV3Book book, FastModelBuilder b)
    {
        var assets = b.Assets;
        var paramIndex = new Dictionary<(int, int, int, bool), int>();
        int Param(int m, AaveV3Market market, Domain.Address asset, int eModeId, bool used)
        {
            var ai = assets[asset];
            var key = (m, ai, eModeId, used);
            if (paramIndex.TryGetValue(key, out var id)) return id;
            var r = market.Reserve(asset);
            var eMode = market.EMode(eModeId);
            var inEMode = eMode is not null && eMode.Contains(asset);
            var lt = inEMode ? eMode!.LiquidationThreshold : r.LiquidationThreshold;
            var bonus = inEMode ? eMode!.LiquidationBonus : r.LiquidationBonus;
            var price = inEMode && eMode!.PriceSourcePrice is { } p && !p.IsZero ? p : r.OraclePrice;
            var seizable = used && (r.LiquidationThreshold != 0 || market.PoolRevision >= AaveV3Revision.V3_6); // 3.6+: base LT 0 too
            return paramIndex[key] = b.AddParam(new FastParam(m, ai, -1, seizable ? lt / 1e4 : 0, bonus / 1e4, r.LiquidationProtocolFee / 1e4,
                (double)price / (double)market.BaseCurrencyUnit / b.Unit[ai], r.Active && !r.Paused, seizable, market.PoolRevision, price != r.OraclePrice, r.Active,
                market.PoolRevision >= AaveV3Revision.V3_1 ? r.LiquidationGracePeriodUntil : 0));
        }

        var preUnbacked = new double[assets.Count];
        var bookIndex = b.BookIndex;
        b.ExpectMore(book.Markets.Sum(m => m.Accounts.Count), book.Markets.Sum(m => m.Accounts.Sum(a => a.Reserves.Count)));
        for (var m = 0; m < book.Markets.Count; m++)
        {
            var state = book.Markets[m];
            for (var i = 0; i < state.Accounts.Count; i++)
            {
                var acct = state.Accounts[i];
                var mark = b.EntryMark;
                double wc = 0, tc = 0, debtValue = 0, collUsd = 0, debtUsd = 0;
                var hasDebt = false;
                var reserves = acct.Reserves;
                for (var ri = 0; ri < reserves.Count; ri++) // by index: no enumerator per account
                {
                    var r = reserves[ri];
                    var pid = Param(m, state.Market, r.Asset, acct.EModeCategory, r.UsedAsCollateral);
                    var p = b.Params[pid];
                    var coll = (double)r.Collateral;
                    var debt = (double)r.TotalDebt;
                    b.AddEntry(pid, coll, debt);
                    wc += coll * p.Price0 * p.Lt;
                    if (p.Lt > 0) tc += coll * p.Price0;
                    debtValue += debt * p.Price0;
                    var usd = b.UsdPerUnit[p.Asset];
                    if (p.Seizable) collUsd += coll * usd;
                    debtUsd += debt * usd;
                    hasDebt |= debt > 0;
                }
                if (!hasDebt) { b.DiscardEntries(mark); continue; }
                if (state.Market.PoolRevision < AaveV3Revision.V3_3 && wc == 0)
                    for (var e = mark; e < b.EntryMark; e++) preUnbacked[b.Params[b.EntryParam(e)].Asset] += b.EntryDebt(e);
                b.EndPosition(mark, m, ((long)m << 32) | (uint)i, acct.Account, state.Market.Name, HealthFactor(wc, tc, debtValue, state.Market.PoolRevision), collUsd / debtUsd);
            }
        }
        return new AaveV3FastRule(book, bookIndex, preUnbacked, assets);
    }

    /// <summary>
    /// ≤ v3.4 truncates the average liquidation threshold to whole bps (<c>avgLT = Σ v·LT / TC</c>, integer division)
    /// before HF = TC·avgLT / TD; that lowers HF by up to 1 bp/avgLT (≈ 1.2e-4) and must be mirrored to get the same
    /// liquidatable set and order. v3.5+ weights exactly.
    /// </summary>
    internal static double HealthFactor(double weightedCollateral, double collateral, double debt, int revision)
    {
        if (revision >= AaveV3Revision.V3_5 || collateral <= 0) return weightedCollateral / debt;
        var avgLtBps = Math.Floor(weightedCollateral * 1e4 / collateral + 1e-7);
        return collateral * avgLtBps / 1e4 / debt;
    }

    public override FastBookState? CreateState() => _cash0.Length == 0 ? null : new AaveV3FastState(_cash0);

    private static double Price(in FastParam p, double[] om) => p.FixedPrice ? p.Price0 : p.Price0 * om[p.Asset];

    public override double HealthFactor(FastState st, int k, double[] om)
    {
        var m = st.Model;
        int s = m.EntryStart[k], e = s + m.EntryCount[k];
        double wc = 0, tc = 0, debt = 0;
        for (var i = s; i < e; i++)
        {
            ref readonly var p = ref m.Params[m.EParam[i]];
            var price = Price(p, om);
            wc += st.EColl[i] * price * p.Lt;
            if (p.Lt > 0) tc += st.EColl[i] * price;
            debt += st.EDebt[i] * price;
        }
        return debt <= 0 ? double.MaxValue : HealthFactor(wc, tc, debt, _revision[m.Holder[k]]);
    }

    public override int Liquidate(FastState st, int k, FastRound round)
    {
        var m = st.Model;
        var om = round.Om;
        int s = m.EntryStart[k], e = s + m.EntryCount[k];
        var done = 0;
        Span<int> debts = stackalloc int[m.EntryCount[k]];
        Span<int> colls = stackalloc int[m.EntryCount[k]];
        // Pair scores of the by-profit choice (entries² at most; a position has a handful of reserves).
        var pairs = round.Desk.PairsByProfit ? m.EntryCount[k] * m.EntryCount[k] : 0;
        Span<(double Profit, int Order, int Debt, int Coll)> byProfit = pairs <= 256
            ? stackalloc (double, int, int, int)[pairs] : new (double, int, int, int)[pairs];
        for (var call = 0; call < round.MaxCallsPerPosition; call++)
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
                if (st.EDebt[i] > 0) Insert(m, debts, ref nd, i, st, om, byBonus: false);
                if (p.Seizable && st.EColl[i] > 0) Insert(m, colls, ref nc, i, st, om, byBonus: true);
            }
            if (td <= 0) break;
            // Nothing left that any pair could seize or repay (pauses do not change within a cascade): never again.
            if (nc == 0 || nd == 0) { st.Key[k] = double.PositiveInfinity; break; }
            var hf = HealthFactor(wc, tcLt, td, _revision[m.Holder[k]]);
            if (hf >= 1) break;
            var executed = false;
            var sized = false;
            if (round.Desk.PairsByProfit && nd * nc > 1)
            {
                // By profit (as AaveV3ExactRun.ByProfit): each pair's full call priced without committing, most first,
                // ties in the documented order; pairs the rule refuses are left out (they would be refused again).
                var n = 0;
                for (var di = 0; di < nd; di++)
                    for (var ci = 0; ci < nc; ci++)
                        if (TryCall(st, round, k, debts[di], colls[ci], s, e, hf, tc, td, out var profit, out _, dryRun: true))
                            byProfit[n++] = (profit, di * nc + ci, debts[di], colls[ci]);
                byProfit[..n].Sort((x, y) => x.Profit != y.Profit ? y.Profit.CompareTo(x.Profit) : x.Order.CompareTo(y.Order));
                for (var i = 0; i < n && !executed; i++)
                    executed = TryCall(st, round, k, byProfit[i].Debt, byProfit[i].Coll, s, e, hf, tc, td, out _, out sized, knownProfit: byProfit[i].Profit);
            }
            else
                for (var di = 0; di < nd && !executed; di++)
                    for (var ci = 0; ci < nc && !executed; ci++)
                        executed = TryCall(st, round, k, debts[di], colls[ci], s, e, hf, tc, td, out _, out sized);
            if (!executed) break;
            done++;
            if (sized) break; // as the exact run: after a call sized for profit the rest waits for a later round
        }
        return done;
    }

    /// <summary>Insertion into the liquidator's order: debts by value desc; collaterals by bonus desc, value desc; then asset address.</summary>
    private static void Insert(FastModel m, Span<int> list, ref int count, int entry, FastState st, double[] om, bool byBonus)
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

    /// <summary>One call on the pair (debt entry, collateral entry): the rule in base units, then the sale. With
    /// <paramref name="dryRun"/>: whether the rule would execute it, and what it would earn, with nothing changed.
    /// <paramref name="knownProfit"/>: what the full call earns, when a dry run has just priced it (NaN: not yet).</summary>
    private bool TryCall(FastState st, FastRound round, int k, int de, int ce, int s, int e, double hf, double tc, double td, out double profit, out bool sized,
        bool dryRun = false, double knownProfit = double.NaN)
    {
        profit = 0;
        sized = false;
        var m = st.Model;
        var om = round.Om;
        ref readonly var dp = ref m.Params[m.EParam[de]];
        ref readonly var cp = ref m.Params[m.EParam[ce]];
        double pD = Price(dp, om), pC = Price(cp, om), debt = st.EDebt[de], coll = st.EColl[ce];
        var v33 = dp.Revision >= AaveV3Revision.V3_3;
        // 3.1+ ValidationLogic: no call while the block time is at or before either reserve's grace period end.
        if (round.BlockTimestamp <= Math.Max(dp.WaitUntil, cp.WaitUntil)) { round.WaitsForTime = true; return false; }
        var call = Size(dp, cp, pD, pC, debt, coll, hf, td, double.PositiveInfinity);
        if (!call.Valid) return false;
        int ca = cp.Asset, da = dp.Asset;
        if (round.Breaker)
        {
            // As the exact run: a breaker may shrink the call (debtToCover = the allowed USD in debt units, floor) or defer it;
            // a shrunk 3.3+ call that would leave dust becomes the largest one that does not, which goes back to the breaker.
            var full8 = round.RepayUsd8(m, da, call.Actual);
            var allowed = round.Desk.Allowance(round, k, ca, da, full8);
            if (allowed < full8)
            {
                var toCover = round.DebtFor(m, da, Math.Max(0, allowed));
                if (toCover <= 0) return false;
                call = Size(dp, cp, pD, pC, debt, coll, hf, td, toCover);
                if (!call.Valid && call.Dust)
                {
                    var ok = LargestWithoutDust(dp, cp, pD, pC, debt, coll, hf, td, toCover);
                    if (ok <= 0) return false;
                    call = Size(dp, cp, pD, pC, debt, coll, hf, td, ok);
                    var smaller8 = round.RepayUsd8(m, da, call.Actual);
                    if (round.Desk.Allowance(round, k, ca, da, smaller8) < smaller8) return false;
                }
                if (!call.Valid) return false;
            }
        }
        var (actual, collAmt, all, toLiquidator) = (call.Actual, call.CollAmt, call.All, call.ToLiquidator);
        // receiveAToken = false: the underlying leaves the collateral reserve's cash (3.1+: the repaid debt first enters the debt's;
        // before 3.1 the liquidator pays it in last).
        int cashC = _cashSlot[cp.Market][ca], cashD = _cashSlot[dp.Market][da];
        var cash = cashC >= 0 || cashD >= 0 ? st.Book<AaveV3FastState>(_book).Cash : null;
        if (cashC >= 0 && toLiquidator > cash![cashC] + (ca == da && _debtFirst[cashC] ? actual : 0)) return false;
        if (dryRun)
        {
            profit = round.Desk.Profit(st, round, ca, da, toLiquidator, actual);
            return true;
        }
        if (round.Desk.SizesByProfit)
        {
            // The ladder's quotes only where a bound says a smaller call could earn more (CallSizing.SmallerMayEarnMore).
            if (double.IsNaN(knownProfit)) knownProfit = round.Desk.Profit(st, round, ca, da, toLiquidator, actual);
            var (c1, x1) = CallSizing.LargestRungCeilingPoint(toLiquidator, actual);
            if (CallSizing.SmallerMayEarnMore(knownProfit, round.Desk.ProfitCeilingUsd(st, round, ca, da, c1, x1), round.Desk.ProfitCeilingUsd(st, round, ca, da, 2, 0)))
            {
                (call, knownProfit, sized) = SizedForProfit(st, round, dp, cp, pD, pC, debt, coll, hf, td, call, knownProfit);
                (actual, collAmt, all, toLiquidator) = (call.Actual, call.CollAmt, call.All, call.ToLiquidator);
            }
        }
        if (!round.Desk.Pays(st, round, ca, da, toLiquidator, actual, out var repaidUsd, knownProfit)) return false;
        if (cashD >= 0) cash![cashD] += actual;
        if (cashC >= 0) cash![cashC] -= toLiquidator;

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
        round.Desk.Sell(st, round, ca, da, toLiquidator, true);
        round.Spent += repaidUsd;
        round.LiquidatedUsd += repaidUsd;
        round.BonusUsd += toLiquidator * round.OracleUsd[ca] / m.Unit[ca] - repaidUsd;
        return true;
    }

    /// <summary>The largest debtToCover below <paramref name="toCover"/> that leaves no 3.3+ dust (as <c>AaveV3ExactRun.LargestCallWithoutDust</c>); 0 if none.</summary>
    private double LargestWithoutDust(in FastParam dp, in FastParam cp, double pD, double pC, double debt, double coll, double hf, double td, double toCover)
    {
        double ok = 0, bad = toCover;
        while (bad - ok > 1)
        {
            var mid = Math.Floor((ok + bad) / 2);
            if (mid <= ok || mid >= bad) break; // above 2^53 base units the doubles between them run out
            if (Size(dp, cp, pD, pC, debt, coll, hf, td, mid).Valid) ok = mid; else bad = mid;
        }
        return ok;
    }

    /// <summary>
    /// As <c>AaveV3ExactRun.SizedForProfit</c>: the call sized for profit on the <see cref="CallSizing"/> ladder of the debt
    /// <paramref name="full"/> repays (which earns <paramref name="fullProfit"/>); a rung that would leave 3.3+ dust becomes the largest call
    /// that does not. Returns the call with what it earns, and whether it is smaller than the full one.
    /// </summary>
    private (SizedCall Call, double Profit, bool Smaller) SizedForProfit(FastState st, FastRound round, FastParam dp, FastParam cp, double pD, double pC,
        double debt, double coll, double hf, double td, SizedCall full, double fullProfit)
    {
        var noDust = double.NaN;
        SizedCall? At(int i)
        {
            var x = CallSizing.Rung(full.Actual, i);
            if (x <= 0) return null;
            var c = Size(dp, cp, pD, pC, debt, coll, hf, td, x);
            if (c.Valid || !c.Dust) return c.Valid ? c : null;
            if (double.IsNaN(noDust)) noDust = LargestWithoutDust(dp, cp, pD, pC, debt, coll, hf, td, x);
            if (noDust <= 0 || noDust >= x) return null;
            c = Size(dp, cp, pD, pC, debt, coll, hf, td, noDust);
            return c.Valid ? c : null;
        }
        var last = full.Actual;
        var (best, bestProfit) = (full, fullProfit);
        var rung = CallSizing.Choose(bestProfit, i =>
        {
            if (At(i) is not { } c || c.Actual >= last) return null;
            last = c.Actual;
            var p = round.Desk.Profit(st, round, cp.Asset, dp.Asset, c.ToLiquidator, c.Actual);
            if (p > bestProfit) (best, bestProfit) = (c, p); // Choose takes exactly the rungs that earn more than the best so far
            return p;
        });
        return (best, bestProfit, rung > 0);
    }

    /// <summary>A call's amounts in base units: valid, or refused (<see cref="Dust"/>: by the 3.3+ leftover rule).</summary>
    private readonly record struct SizedCall(bool Valid, bool Dust, double Actual, double CollAmt, bool All, double ToLiquidator);

    /// <summary>The rule for one pair with debtToCover <paramref name="toCover"/> (+∞: as much as the close factor allows).</summary>
    private SizedCall Size(in FastParam dp, in FastParam cp, double pD, double pC, double debt, double coll, double hf, double td, double toCover)
    {
        var v33 = dp.Revision >= AaveV3Revision.V3_3;
        double actual;
        if (!v33) actual = hf > _fullCloseHf ? PercentMul(debt, _closeFactor) : debt;
        else
        {
            actual = debt;
            if (coll * pC >= CloseFactorFloor && debt * pD >= CloseFactorFloor && hf > _fullCloseHf && debt * pD > td * _closeFactor) actual = Math.Floor(td * _closeFactor / pD);
        }
        actual = Math.Min(actual, toCover);
        var collAmt = PercentMul(Math.Floor(actual * pD / pC), cp.Bonus);
        var all = collAmt > coll;
        if (all) { collAmt = coll; actual = dp.Revision >= AaveV3Revision.V3_5 ? Math.Ceiling(Math.Floor(coll * pC / pD) / cp.Bonus) : PercentDiv(Math.Floor(coll * pC / pD), cp.Bonus); }
        var fee = cp.Fee > 0 ? PercentMul(collAmt - PercentDiv(collAmt, cp.Bonus), cp.Fee) : 0;
        // (collateral + fee < balance) is tested as collAmt < coll: re-adding the fee in doubles can miss the balance by an ulp.
        if (v33 && actual < debt && collAmt < coll && ((debt - actual) * pD < Dust || (coll - collAmt) * pC < Dust))
            return new(false, true, actual, collAmt, all, collAmt - fee); // collateral left after the fee too (v3.3.0 tag on)
        return new(true, false, actual, collAmt, all, collAmt - fee);
    }

    /// <summary>Debt beyond the seizable collateral at market prices; none for a ≤ 3.2 account without collateral (booked as unbacked).</summary>
    public override double Shortfall(FastState st, int k, double[] marketUsd)
    {
        var m = st.Model;
        int s = m.EntryStart[k], e = s + m.EntryCount[k];
        double coll = 0, debt = 0, seizable = 0;
        for (var i = s; i < e; i++)
        {
            ref readonly var p = ref m.Params[m.EParam[i]];
            var price = marketUsd[p.Asset] / m.Unit[p.Asset];
            if (p.Seizable) { coll += st.EColl[i] * price; seizable += st.EColl[i]; }
            debt += st.EDebt[i] * price;
        }
        if (debt <= 0 || (_revision[m.Holder[k]] < AaveV3Revision.V3_3 && seizable <= 0)) return 0;
        return Math.Max(0, debt - coll);
    }

    /// <summary>≤ 3.2 accounts left with debt and no collateral keep it ("unbacked"), counted with those already so at the snapshot.</summary>
    public override void AddBadDebt(FastState st, double[] badDebt)
    {
        var m = st.Model;
        for (var a = 0; a < badDebt.Length; a++) badDebt[a] += _preUnbacked[a];
        foreach (var k in st.TouchedList)
        {
            if (m.Kind[k] != _book || _revision[m.Holder[k]] >= AaveV3Revision.V3_3) continue;
            int s = m.EntryStart[k], e = s + m.EntryCount[k];
            double coll = 0;
            for (var i = s; i < e; i++) if (m.Params[m.EParam[i]].Seizable) coll += st.EColl[i];
            if (coll > 0) continue;
            for (var i = s; i < e; i++) badDebt[m.Params[m.EParam[i]].Asset] += st.EDebt[i];
        }
    }
}

/// <summary>Per-worker cash (3.1+ virtual underlying balance, before 3.1 the aToken's underlying; base units) of the reserves the fast Aave rule tracks, reset to the snapshot's.</summary>
internal sealed class AaveV3FastState(double[] cash0) : FastBookState
{
    public readonly double[] Cash = (double[])cash0.Clone();

    public override void Reset() => cash0.CopyTo(Cash, 0);
}
