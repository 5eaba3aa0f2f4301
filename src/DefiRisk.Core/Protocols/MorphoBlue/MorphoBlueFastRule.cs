using DefiRisk.Core.Lending;

namespace DefiRisk.Core.Protocols.MorphoBlue;

/// <summary>
/// The fast twin of <see cref="MorphoBlueExactRun"/>: one entry per position (collateral in base units, debt in borrow
/// shares), per-market totals in <see cref="MorphoBlueFastState"/>; <see cref="FastParam.Lt"/> = LLTV,
/// <see cref="FastParam.Bonus"/> = LIF, <see cref="FastParam.Price0"/> = <c>price()</c> / 1e36 (loan base units per
/// collateral base unit), <see cref="FastParam.Market"/> the market's index over all instances.
/// A composed oracle (<see cref="MorphoBlueOracle.Composed"/>) moves through its feeds instead: <see cref="FastParam.Price0"/>
/// × Π om[asset]^±1 over the feeds that follow an asset (<see cref="MorphoOracleParts.Moves"/>), the double twin of the
/// exact integer formula, which floors each moved answer (same positions, totals within 2e-8 relative: <c>MorphoOracleCompositionTests</c>).
/// </summary>
internal sealed class MorphoBlueFastRule(double[] totalBorrowAssets, double[] totalBorrowShares, double[] totalSupplyAssets, int book,
    (int Asset, int Sign)[]?[] moves) : FastLendingRule
{
    /// <summary>Loan base units per collateral base unit at the oracle multipliers <paramref name="om"/>.</summary>
    private double Price(in FastParam p, double[] om)
    {
        if (moves[p.Market] is not { } feeds) return p.Price0 * om[p.Asset] / om[p.LoanAsset];
        var price = p.Price0;
        foreach (var (asset, sign) in feeds) price = sign > 0 ? price * om[asset] : price / om[asset];
        return price;
    }

    /// <summary>A composed price moves by the product of its feeds' moves: two moving feeds on one side can fall further than any two assets apart.</summary>
    public override double MaxFall(double[] before, double[] now, double low, double high)
    {
        var fall = high / low;
        foreach (var feeds in moves)
        {
            if (feeds is null) continue;
            var ratio = 1.0;
            foreach (var (asset, sign) in feeds) ratio = sign > 0 ? ratio * (now[asset] / before[asset]) : ratio / (now[asset] / before[asset]);
            fall = Math.Max(fall, 1 / ratio);
        }
        return fall;
    }

    public static MorphoBlueFastRule Compile(MorphoBlueBook book, FastModelBuilder b)
    {
        var tba = new List<double>(); var tbs = new List<double>(); var tsa = new List<double>(); var marketParam = new List<int>();
        var moves = new List<(int Asset, int Sign)[]?>();
        for (var s = 0; s < book.Instances.Count; s++)
        {
            var st = book.Instances[s];
            var local = new Dictionary<string, int>();
            foreach (var mk in st.Markets)
            {
                int c = b.Assets.Of(mk.CollateralToken, $"collateral of Morpho market {mk.Id}"), l = b.Assets.Of(mk.LoanToken, $"loan token of Morpho market {mk.Id}");
                local[mk.Id] = tba.Count;
                tba.Add((double)mk.TotalBorrowAssets);
                tbs.Add((double)mk.TotalBorrowShares);
                tsa.Add((double)mk.TotalSupplyAssets);
                moves.Add(MorphoBlueOracle.Composed(mk) is { } parts
                    ? parts.Moves().Where(m => b.Assets.TryGet(m.Asset, out _)).Select(m => (b.Assets[m.Asset], m.Sign)).ToArray()
                    : null);
                marketParam.Add(b.AddParam(new FastParam(tba.Count - 1, c, l, (double)mk.Lltv / 1e18,
                    (double)MorphoBlueMath.LiquidationIncentiveFactor(mk.Lltv) / 1e18, 0, (double)mk.OraclePrice / 1e36, true, true, 0)));
            }
            b.ExpectMore(st.Positions.Count, st.Positions.Count);
            for (var j = 0; j < st.Positions.Count; j++)
            {
                var p = st.Positions[j];
                if (p.BorrowShares.IsZero) continue;
                if (!local.TryGetValue(p.MarketId, out var g))
                    throw new DefiRiskException($"Morpho position of {p.Account} names market {p.MarketId}, which is not in the snapshot");
                var prm = b.Params[marketParam[g]];
                var coll = (double)p.Collateral;
                var borrowed = (double)p.BorrowShares * (tba[g] + 1) / (tbs[g] + 1e6);
                var mark = b.EntryMark;
                b.AddEntry(marketParam[g], coll, (double)p.BorrowShares);
                double cUsd = b.UsdPerUnit[prm.Asset], lUsd = b.UsdPerUnit[prm.LoanAsset];
                b.EndPosition(mark, g, ((long)s << 32) | (uint)j, p.Account, p.MarketId, coll * prm.Price0 * prm.Lt / borrowed, coll * cUsd / (borrowed * lUsd));
            }
        }
        return new MorphoBlueFastRule(tba.ToArray(), tbs.ToArray(), tsa.ToArray(), b.BookIndex, moves.ToArray());
    }

    public override FastBookState CreateState() => new MorphoBlueFastState(totalBorrowAssets, totalBorrowShares, totalSupplyAssets);

    public override double HealthFactor(FastState st, int k, double[] om)
    {
        var m = st.Model;
        var t = st.Book<MorphoBlueFastState>(book);
        int s = m.EntryStart[k];
        ref readonly var p = ref m.Params[m.EParam[s]];
        var g = p.Market;
        var borrowed = Math.Ceiling(st.EDebt[s] * (t.Tba[g] + 1) / (t.Tbs[g] + 1e6));
        if (borrowed <= 0) return double.MaxValue;
        return st.EColl[s] * Price(p, om) * p.Lt / borrowed;
    }

    /// <summary>Borrowed assets beyond the collateral, both at the tokens' market prices.</summary>
    public override double Shortfall(FastState st, int k, double[] marketUsd)
    {
        var m = st.Model;
        var t = st.Book<MorphoBlueFastState>(book);
        var s = m.EntryStart[k];
        if (st.EDebt[s] <= 0) return 0;
        ref readonly var p = ref m.Params[m.EParam[s]];
        var borrowed = Math.Ceiling(st.EDebt[s] * (t.Tba[p.Market] + 1) / (t.Tbs[p.Market] + 1e6));
        return Math.Max(0, borrowed * marketUsd[p.LoanAsset] / m.Unit[p.LoanAsset] - st.EColl[s] * marketUsd[p.Asset] / m.Unit[p.Asset]);
    }

    /// <summary>
    /// <c>Morpho.liquidate</c> in base units with its roundings: repay all shares when that seizes at most the collateral
    /// (seized = ⌊⌊assetsDown·LIF⌋ / price⌋), else seize all collateral (repaidShares = ⌈⌈⌈coll·price⌉ / LIF⌉ → shares up⌉).
    /// </summary>
    public override int Liquidate(FastState st, int k, FastRound round)
    {
        var m = st.Model;
        var t = st.Book<MorphoBlueFastState>(book);
        var om = round.Om;
        var s = m.EntryStart[k];
        ref readonly var p = ref m.Params[m.EParam[s]];
        var g = p.Market;
        double shares = st.EDebt[s], coll = st.EColl[s], tba = t.Tba[g], tbs = t.Tbs[g];
        var price = Price(p, om);
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
        if (round.Breaker)
        {
            // As the exact run: a breaker may shrink the call to a pro-rata share of the full call's repaid shares (floor),
            // which then seizes what those shares' assets buy (toAssetsDown × LIF ÷ price), or defer it.
            var full8 = round.RepayUsd8(m, p.LoanAsset, repaid);
            var allowed = round.Desk.Allowance(round, k, p.Asset, p.LoanAsset, full8);
            if (allowed < full8)
            {
                var part = full8 <= 0 ? 0 : Math.Floor(repaidShares * Math.Max(0, allowed) / full8);
                if (part <= 0) return 0;
                repaidShares = part;
                seized = Math.Floor(Math.Floor(Math.Floor(part * (tba + 1) / (tbs + 1e6)) * p.Bonus) / price);
                repaid = Math.Ceiling(part * (tba + 1) / (tbs + 1e6));
            }
        }
        var known = double.NaN;
        if (round.Desk.SizesByProfit)
        {
            // The ladder's quotes only where a bound says a smaller call could earn more (CallSizing.SmallerMayEarnMore).
            known = round.Desk.Profit(st, round, p.Asset, p.LoanAsset, seized, repaid);
            var (c1, x1) = CallSizing.LargestRungCeilingPoint(seized, repaid);
            if (CallSizing.SmallerMayEarnMore(known, round.Desk.ProfitCeilingUsd(st, round, p.Asset, p.LoanAsset, c1, x1),
                    round.Desk.ProfitCeilingUsd(st, round, p.Asset, p.LoanAsset, 2, 0)))
                (repaidShares, seized, repaid, known) = SizedForProfit(st, round, p.Asset, p.LoanAsset, p.Bonus, price, tba, tbs, (repaidShares, seized, repaid), known);
        }
        if (!round.Desk.Pays(st, round, p.Asset, p.LoanAsset, seized, repaid, out var repaidUsd, known)) return 0;

        tbs -= repaidShares;
        tba = Math.Max(0, tba - repaid);
        shares -= repaidShares;
        st.EColl[s] = coll - seized;
        if (st.EColl[s] <= 0 && shares > 0)
        {
            var bad = Math.Min(tba, Math.Ceiling(shares * (tba + 1) / (tbs + 1e6)));
            tba -= bad;
            t.Tsa[g] -= bad;
            tbs -= shares;
            st.BadDebt[p.LoanAsset] += bad;
            shares = 0;
        }
        st.EDebt[s] = shares;
        t.Tba[g] = tba;
        t.Tbs[g] = tbs;
        round.Desk.Sell(st, round, p.Asset, p.LoanAsset, seized, true);
        round.Spent += repaidUsd;
        round.LiquidatedUsd += repaidUsd;
        round.BonusUsd += seized * round.OracleUsd[p.Asset] / m.Unit[p.Asset] - repaidUsd;
        return 1;
    }

    /// <summary>
    /// As <c>MorphoBlueExactRun.SizedForProfit</c>: rungs of the full call's repaid shares, each seizing what its assets buy
    /// (⌊⌊toAssetsDown × LIF⌋ ÷ price⌋, repaid ⌈toAssetsUp⌉); the rung the ladder takes, with what it earns.
    /// </summary>
    private static (double Shares, double Seized, double Repaid, double Profit) SizedForProfit(FastState st, FastRound round, int ca, int la, double bonus,
        double price, double tba, double tbs, (double Shares, double Seized, double Repaid) full, double fullProfit)
    {
        var (best, known, last) = (full, fullProfit, full.Shares);
        CallSizing.Choose(known, i =>
        {
            var part = CallSizing.Rung(full.Shares, i);
            if (part <= 0 || part >= last) return null;
            last = part;
            var call = (part, Math.Floor(Math.Floor(Math.Floor(part * (tba + 1) / (tbs + 1e6)) * bonus) / price), Math.Ceiling(part * (tba + 1) / (tbs + 1e6)));
            var earns = round.Desk.Profit(st, round, ca, la, call.Item2, call.Item3);
            if (earns > known) (best, known) = (call, earns); // Choose takes exactly the rungs that earn more than the best so far
            return earns;
        });
        return (best.Shares, best.Seized, best.Repaid, known);
    }
}


/// <summary>Per-worker market totals of the fast Morpho rule (base units / shares), reset to the snapshot's.</summary>
internal sealed class MorphoBlueFastState(double[] tba, double[] tbs, double[] tsa) : FastBookState
{
    public readonly double[] Tba = (double[])tba.Clone(), Tbs = (double[])tbs.Clone(), Tsa = (double[])tsa.Clone();

    public override void Reset()
    {
        tba.CopyTo(Tba, 0);
        tbs.CopyTo(Tbs, 0);
        tsa.CopyTo(Tsa, 0);
    }
}
