using System.Runtime.InteropServices;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Venues;

namespace DefiRisk.Core.Lending;

/// <summary>
/// Risk parameters of one (market, asset, mode, collateral-bit) combination, shared by many position entries, as the
/// family's fast rule reads them: <see cref="Lt"/> and <see cref="Bonus"/> as fractions, <see cref="Price0"/> the price
/// at the snapshot per base unit in the family's unit (its oracle ÷ its unit ÷ 10^decimals), <see cref="Market"/> an index
/// the family gives meaning to, <see cref="Revision"/> the deployed rule version, <see cref="WaitUntil"/> a block time (unix seconds)
/// at or before which no call may touch the entry (0 = none). The family documents its use.
/// </summary>
public readonly record struct FastParam(int Market, int Asset, int LoanAsset, double Lt, double Bonus, double Fee, double Price0, bool Liquidatable, bool Seizable, int Revision, bool FixedPrice = false, bool Active = true, long WaitUntil = 0)
{
    /// <summary>The asset an entry's debt is in: the market's loan asset where the family sets one, else the entry's own.</summary>
    public int DebtAsset => LoanAsset >= 0 ? LoanAsset : Asset;
}

/// <summary>
/// A snapshot compiled for the floating-point fast path: arrays of structs, positions sorted by their health factor at
/// snapshot prices (<see cref="Hf0"/>) so a round only scans the prefix a price move can reach. Amounts are base units
/// as double (exact integers below 2^53, so the contracts' floors can be mirrored for small-decimal tokens). Each
/// position belongs to one book (<see cref="Kind"/>), whose <see cref="FastLendingRule"/> in <see cref="Rules"/> reads
/// and liquidates its entries; what an entry's collateral and debt mean is the family's.
/// </summary>
public sealed class FastModel
{
    public required VenueGraph Graph;
    public required Snapshot Snapshot;
    public required AssetIndex Assets;
    public required double[] SnapPrice;       // USD per token (oracle, snapshot)
    public required double[] Unit;            // 10^decimals
    public required int[] AddressRank;        // asset rank by address (tie-breaks of the liquidator choice)
    public required FastParam[] Params;
    public required FastLendingRule[] Rules;  // by book index
    // Positions (sorted by Hf0 ascending).
    public required byte[] Kind;              // book index
    public required int[] Holder;             // the book's own market/pool index
    public required int[] EntryStart;
    public required byte[] EntryCount;
    public required double[] Hf0;
    public required int[] Rank;               // tie-break: (account, book, market) order
    public required long[] Source;            // book << 56 | holder << 32 | index in the book's list
    // Solvency at the snapshot: seizable collateral ÷ debt at snapshot market prices. The end-of-cascade shortfall scan
    // visits only positions a market move can have made insolvent: those already below 1 (InsolventAtSnapshot), and,
    // per asset, the holders on the side that lost, in order of solvency so the scan stops at a bound. List a holds the
    // positions with collateral in asset a, list n + a those with debt in it (CSR: list L is
    // Exposed[ExposureStart[L]..ExposureStart[L + 1]]).
    public required double[] CollateralToDebt0;
    public required int[] InsolventAtSnapshot;
    public required int[] ExposureStart;
    public required int[] Exposed;

    /// <summary>Relative slack on solvency bounds: float noise in the snapshot's collateral ÷ debt.</summary>
    public const double SolvencySlack = 1 + 1e-6;
    // Entries.
    public required ushort[] EParam;
    public required double[] EColl;           // base units
    public required double[] EDebt;           // base units, or the family's debt unit (e.g. borrow shares)

    public int PositionCount => Kind.Length;

    // Whether an earlier entry of position k already put it on the same list.
    internal bool HoldsEarlier(int k, int entry, int asset, bool collateral)
    {
        for (var i = EntryStart[k]; i < entry; i++)
        {
            ref readonly var p = ref Params[EParam[i]];
            if (collateral ? EColl[i] > 0 && p.Asset == asset : EDebt[i] > 0 && p.DebtAsset == asset) return true;
        }
        return false;
    }

    public int AssetIndex(Address a) => Assets[a];

    /// <summary>Compiles every lending book of the snapshot, in book order; the routes price against <paramref name="numeraire"/>.</summary>
    public static FastModel Compile(Snapshot snapshot, Address? numeraire)
    {
        var builder = new FastModelBuilder(snapshot);
        var rules = new List<FastLendingRule>();
        foreach (var book in snapshot.Books)
        {
            var lending = book as ILendingBook ?? throw new DefiRiskException($"protocol {book.Protocol} cannot be simulated (no lending rule)");
            builder.BeginBook(rules.Count);
            rules.Add(lending.CompileFast(builder));
        }
        return builder.Build(new VenueGraph(snapshot, numeraire), rules.ToArray());
    }
}

/// <summary>A position's tie-break key: account address (as its two integer halves, ordered as the hex text), book, market rank.</summary>
internal readonly record struct PositionTieKey(UInt128 High, uint Low, byte Book, int Market) : IComparable<PositionTieKey>
{
    public static PositionTieKey Of(Address account, byte book, int market)
    {
        var hex = account.Value.AsSpan(2); // canonical: 40 lowercase hex digits
        return new(UInt128.Parse(hex[..32], System.Globalization.NumberStyles.AllowHexSpecifier),
            uint.Parse(hex[32..], System.Globalization.NumberStyles.AllowHexSpecifier), book, market);
    }

    public int CompareTo(PositionTieKey other)
    {
        var c = High.CompareTo(other.High);
        if (c != 0) return c;
        c = Low.CompareTo(other.Low);
        if (c != 0) return c;
        c = Book.CompareTo(other.Book);
        return c != 0 ? c : Market.CompareTo(other.Market);
    }
}

/// <summary>What the families add to a <see cref="FastModel"/>: parameters, then positions with their entries.</summary>
public sealed class FastModelBuilder
{
    private readonly List<FastParam> _params = [];
    private readonly List<byte> _kind = [], _count = [];
    private readonly List<int> _holder = [], _start = [];
    private readonly List<double> _hf0 = [], _solvency0 = [];
    private readonly List<long> _source = [];
    private readonly List<Address> _accounts = [];
    private readonly List<string> _marketKey = [];
    private readonly List<ushort> _eParam = [];
    private readonly List<double> _eColl = [], _eDebt = [];
    private int _book;

    internal FastModelBuilder(Snapshot snapshot)
    {
        Snapshot = snapshot;
        Assets = new AssetIndex(snapshot);
        Unit = snapshot.Assets.Select(a => Math.Pow(10, a.Decimals)).ToArray();
        UsdPerUnit = Assets.SnapshotUsd.Select((usd, a) => (double)usd / 1e8 / Unit[a]).ToArray();
    }

    public Snapshot Snapshot { get; }
    public AssetIndex Assets { get; }
    public double[] Unit { get; }
    /// <summary>USD per base unit of each asset at the snapshot (a family's solvency figures), converted once.</summary>
    public double[] UsdPerUnit { get; }

    /// <summary>Sizes the builder for a book about to add this many positions and entries (a million positions grow no lists).</summary>
    public void ExpectMore(int positions, int entries)
    {
        var p = _kind.Count + positions;
        _kind.EnsureCapacity(p); _count.EnsureCapacity(p); _holder.EnsureCapacity(p); _start.EnsureCapacity(p); _hf0.EnsureCapacity(p);
        _solvency0.EnsureCapacity(p); _source.EnsureCapacity(p); _accounts.EnsureCapacity(p); _marketKey.EnsureCapacity(p);
        _eParam.EnsureCapacity(_eParam.Count + entries);
        _eColl.EnsureCapacity(_eColl.Count + entries);
        _eDebt.EnsureCapacity(_eDebt.Count + entries);
    }

    internal void BeginBook(int book) => _book = book;

    /// <summary>The place of the book being compiled in the snapshot (its positions' <see cref="FastModel.Kind"/>).</summary>
    public int BookIndex => _book;

    public IReadOnlyList<FastParam> Params => _params;

    public int AddParam(FastParam p)
    {
        _params.Add(p);
        return _params.Count - 1;
    }

    /// <summary>Adds one entry (a reserve or market leg) of the position being built; then <see cref="EndPosition"/>.</summary>
    public void AddEntry(int param, double collateral, double debt)
    {
        _eParam.Add(checked((ushort)param));
        _eColl.Add(collateral);
        _eDebt.Add(debt);
    }

    /// <summary>Where the next position's entries start (to drop them with <see cref="DiscardEntries"/>).</summary>
    public int EntryMark => _eParam.Count;

    public int EntryParam(int entry) => _eParam[entry];

    public double EntryDebt(int entry) => _eDebt[entry];

    public void DiscardEntries(int mark)
    {
        _eParam.RemoveRange(mark, _eParam.Count - mark);
        _eColl.RemoveRange(mark, _eColl.Count - mark);
        _eDebt.RemoveRange(mark, _eDebt.Count - mark);
    }

    /// <summary>
    /// Closes a position whose entries start at <paramref name="mark"/>. <paramref name="holder"/> is the index the family's
    /// rule reads (<see cref="FastModel.Holder"/>); <paramref name="sourceKey"/> identifies it within the book (below 2^56).
    /// </summary>
    /// <param name="collateralToDebt">seizable collateral ÷ debt, both at the snapshot's USD prices (the solvency the shortfall scan bounds).</param>
    public void EndPosition(int mark, int holder, long sourceKey, Address account, string market, double healthFactor, double collateralToDebt)
    {
        _solvency0.Add(collateralToDebt);
        _kind.Add(checked((byte)_book)); _holder.Add(holder); _start.Add(mark); _count.Add(checked((byte)(_eParam.Count - mark)));
        _hf0.Add(healthFactor); _source.Add(((long)_book << 56) | sourceKey);
        _accounts.Add(account); _marketKey.Add(market);
    }

    internal FastModel Build(VenueGraph graph, FastLendingRule[] rules)
    {
        var snapshot = Snapshot;
        var n = snapshot.Assets.Count;
        var addressRank = new int[n];
        var byAddress = Enumerable.Range(0, n).OrderBy(i => snapshot.Assets[i].Address).ToArray();
        for (var r = 0; r < n; r++) addressRank[byAddress[r]] = r;

        // Tie-break rank: account address, then book, then market (the exact path's order after the health factor). Sorted
        // on primitive keys (the address as two integers, the market by its rank): a comparison delegate over strings cost
        // most of the compile at a million positions.
        var count0 = _kind.Count;
        var markets = _marketKey.Distinct().Order(StringComparer.Ordinal).ToArray();
        var marketRank = new Dictionary<string, int>(markets.Length, StringComparer.Ordinal);
        for (var i = 0; i < markets.Length; i++) marketRank[markets[i]] = i;
        var tieKeys = new PositionTieKey[count0];
        var byAccount = new int[count0];
        for (var k = 0; k < count0; k++)
        {
            tieKeys[k] = PositionTieKey.Of(_accounts[k], _kind[k], marketRank[_marketKey[k]]);
            byAccount[k] = k;
        }
        Array.Sort(tieKeys, byAccount);
        var rank = new int[count0];
        for (var r = 0; r < count0; r++) rank[byAccount[r]] = r;

        // Sort positions by Hf0 (then rank) and lay their entries out in that order: a primitive sort by Hf0, then each
        // run of equal health factors (NaN counts as equal to NaN) ordered by rank.
        var hfArr = _hf0.ToArray();
        var order = new int[count0];
        for (var k = 0; k < count0; k++) order[k] = k;
        var hfKeys = (double[])hfArr.Clone();
        Array.Sort(hfKeys, order);
        for (int a = 0, b; a < count0; a = b)
        {
            for (b = a + 1; b < count0 && hfKeys[b].Equals(hfKeys[a]); b++) { }
            if (b - a < 2) continue;
            var runRanks = new int[b - a];
            for (var j = a; j < b; j++) runRanks[j - a] = rank[order[j]];
            runRanks.AsSpan().Sort(order.AsSpan(a, b - a));
        }
        var model = new FastModel
        {
            Graph = graph, Snapshot = snapshot, Assets = Assets, Unit = Unit, AddressRank = addressRank,
            SnapPrice = snapshot.Assets.Select(a => (double)a.PriceUsd / 1e8).ToArray(),
            Params = _params.ToArray(), Rules = rules,
            Kind = new byte[count0], Holder = new int[count0], EntryStart = new int[count0], EntryCount = new byte[count0],
            Hf0 = new double[count0], Rank = new int[count0], Source = new long[count0],
            CollateralToDebt0 = new double[count0], InsolventAtSnapshot = [], ExposureStart = [], Exposed = [],
            EParam = new ushort[_eParam.Count], EColl = new double[_eParam.Count], EDebt = new double[_eParam.Count],
        };
        // Spans over the builder's lists: a million positions' copy without a bounds-checked list indexer per field.
        var kind = CollectionsMarshal.AsSpan(_kind);
        var holder = CollectionsMarshal.AsSpan(_holder);
        var source = CollectionsMarshal.AsSpan(_source);
        var entryCount = CollectionsMarshal.AsSpan(_count);
        var entryStart = CollectionsMarshal.AsSpan(_start);
        var solvency0 = CollectionsMarshal.AsSpan(_solvency0);
        var eParam = CollectionsMarshal.AsSpan(_eParam);
        var eColl = CollectionsMarshal.AsSpan(_eColl);
        var eDebt = CollectionsMarshal.AsSpan(_eDebt);
        var w = 0;
        for (var k = 0; k < count0; k++)
        {
            var o = order[k];
            model.Kind[k] = kind[o]; model.Holder[k] = holder[o]; model.Hf0[k] = hfArr[o]; model.Rank[k] = rank[o]; model.Source[k] = source[o];
            model.EntryStart[k] = w; model.EntryCount[k] = entryCount[o]; model.CollateralToDebt0[k] = solvency0[o];
            int from = entryStart[o], c = entryCount[o];
            eParam.Slice(from, c).CopyTo(model.EParam.AsSpan(w));
            eColl.Slice(from, c).CopyTo(model.EColl.AsSpan(w));
            eDebt.Slice(from, c).CopyTo(model.EDebt.AsSpan(w));
            w += c;
        }
        // Sorting by primitive keys (not a comparison delegate): a million positions in tens of milliseconds.
        var solvencyKeys = (double[])model.CollateralToDebt0.Clone();
        var bySolvency = new int[count0];
        for (var k = 0; k < count0; k++) bySolvency[k] = k;
        Array.Sort(solvencyKeys, bySolvency);
        var insolvent = 0; // NaN (no collateral, no debt) sorts first
        while (insolvent < count0 && !(solvencyKeys[insolvent] >= FastModel.SolvencySlack)) insolvent++;
        model.InsolventAtSnapshot = bySolvency[..insolvent];
        (model.ExposureStart, model.Exposed) = ExposureLists(model, bySolvency, n);
        return model;
    }

    /// <summary>The per-asset lists of <see cref="FastModel.ExposureStart"/>, each in <paramref name="bySolvency"/>'s order (a counting sort, two passes).</summary>
    private static (int[] Start, int[] Positions) ExposureLists(FastModel model, int[] bySolvency, int assets)
    {
        var start = new int[2 * assets + 1];
        foreach (var k in bySolvency) Expose(model, k, start, null, 1);
        for (var l = 0; l < 2 * assets; l++) start[l + 1] += start[l];
        var next = start[..^1];
        var positions = new int[start[^1]];
        foreach (var k in bySolvency) Expose(model, k, next, positions, 0);
        return (start, positions);
    }

    // One position's lists, each once (an asset held in two entries on the same side counts once): counts into slot+offset,
    // or writes the position at slot's next free place.
    private static void Expose(FastModel m, int k, int[] slot, int[]? positions, int offset)
    {
        int s = m.EntryStart[k], e = s + m.EntryCount[k], n = m.SnapPrice.Length;
        for (var i = s; i < e; i++)
        {
            ref readonly var p = ref m.Params[m.EParam[i]];
            if (m.EColl[i] > 0 && !m.HoldsEarlier(k, i, p.Asset, collateral: true)) Put(p.Asset);
            if (m.EDebt[i] > 0 && !m.HoldsEarlier(k, i, p.DebtAsset, collateral: false)) Put(n + p.DebtAsset);
        }

        void Put(int list)
        {
            if (positions is null) slot[list + offset]++;
            else positions[slot[list]++] = k;
        }
    }
}

/// <summary>
/// One family's rule on the fast path, beside its exact rule in the family's folder: the health factor of a position and
/// the liquidator's calls on it, in doubles, mirroring the exact rule's choices and roundings. Checked against the exact
/// path by the family's differential test.
/// </summary>
public abstract class FastLendingRule
{
    /// <summary>The position's health factor at oracle moves <paramref name="om"/> (price now ÷ at the snapshot, by asset).</summary>
    public abstract double HealthFactor(FastState st, int k, double[] om);

    /// <summary>The liquidator's calls on position <paramref name="k"/> this round; returns how many were made.</summary>
    public abstract int Liquidate(FastState st, int k, FastRound round);

    /// <summary>
    /// The largest factor by which any of this family's health factors can fall when the oracle moves go from
    /// <paramref name="before"/> to <paramref name="now"/> (by asset), every asset's now ÷ before lying within
    /// [<paramref name="low"/>, <paramref name="high"/>]. A health factor that weighs each price once falls at most by
    /// high ÷ low (the default); a price composed of several moving feeds can fall further. The cascade's bounds rest on it.
    /// </summary>
    public virtual double MaxFall(double[] before, double[] now, double low, double high) => high / low;

    /// <summary>End of a cascade: debt this family books as bad debt beyond its rule's write-offs (base units by asset).</summary>
    public virtual void AddBadDebt(FastState st, double[] badDebt) { }

    /// <summary>
    /// End of a cascade: the shortfall max(0, debt − seizable collateral) in USD at the final market prices
    /// (<paramref name="marketUsd"/>, USD per token) of position <paramref name="k"/>, open and not booked as bad debt.
    /// </summary>
    public abstract double Shortfall(FastState st, int k, double[] marketUsd);

    /// <summary>Per-worker mutable state of the family beyond the entries (e.g. market totals); null when none.</summary>
    public virtual FastBookState? CreateState() => null;
}

/// <summary>A family's per-worker mutable fast state, reset between cascades.</summary>
public abstract class FastBookState
{
    public abstract void Reset();
}

/// <summary>What a fast rule may ask of the engine: the profitability test and the sale (routing, venues).</summary>
public interface IFastDesk
{
    /// <summary>Proceeds in debt base units of selling <paramref name="amount"/> of collateral (<paramref name="commit"/>: move the pools).</summary>
    double Sell(FastState st, FastRound round, int collateral, int debt, double amount, bool commit);

    /// <summary>Whether a call pays after slippage and gas and fits the capital cap; the debt repaid in USD.</summary>
    /// <param name="knownProfit">the call's <see cref="Profit"/> when the rule has just priced it (NaN: price it now).</param>
    bool Pays(FastState st, FastRound round, int collateral, int debt, double collateralToSell, double repaid, out double repaidUsd, double knownProfit = double.NaN);

    /// <summary>
    /// What the circuit breaker lets a call on position <paramref name="k"/> repaying <paramref name="repayUsd8"/> (USD 8
    /// decimals, <see cref="FastRound.RepayUsd8"/>) repay, at most that; only asked when <see cref="FastRound.Breaker"/>.
    /// </summary>
    double Allowance(FastRound round, int k, int collateral, int debt, double repayUsd8);

    /// <summary>True when the liquidator picks the collateral/debt pair by <see cref="Profit"/> (as <see cref="ILiquidationDesk.PairsByProfit"/>).</summary>
    bool PairsByProfit => false;

    /// <summary>What a call would earn in USD at market prices (as <see cref="ILiquidationDesk.Profit"/>). Moves nothing.</summary>
    double Profit(FastState st, FastRound round, int collateral, int debt, double collateralToSell, double repaid) => 0;

    /// <summary>True when the liquidator sizes each call for the most profit (as <see cref="ILiquidationDesk.SizesByProfit"/>).</summary>
    bool SizesByProfit => false;

    /// <summary>An upper bound on <see cref="Profit"/> with no sale quoted (as <see cref="ILiquidationDesk.ProfitCeilingUsd"/>).</summary>
    double ProfitCeilingUsd(FastState st, FastRound round, int collateral, int debt, double collateralToSell, double repaid) => double.PositiveInfinity;
}

/// <summary>One round of a fast cascade as the rules see it, with the running sums they add to.</summary>
public sealed class FastRound
{
    public required IFastDesk Desk;
    public required int MaxCallsPerPosition;
    public double[] Om = [], OracleUsd = [], Market = [];
    public double Spent, LiquidatedUsd, BonusUsd;
    /// <summary>The round's block time (unix seconds; <see cref="Analysis.SimulationOptions.BlockTime"/>).</summary>
    public long BlockTimestamp;
    /// <summary>Set by a rule that refused a call only until a known time (<see cref="FastParam.WaitUntil"/>): the cascade goes on.</summary>
    public bool WaitsForTime;
    /// <summary>A circuit breaker may shrink or defer calls: the rules ask <see cref="IFastDesk.Allowance"/> before each.</summary>
    public bool Breaker;
    /// <summary>Oracle prices in USD 8 decimals (integers, as the exact path holds them) when <see cref="Breaker"/>.</summary>
    public double[] Oracle8 = [];
    /// <summary>The round's number, and the book of the position being liquidated (what a breaker's scope reads).</summary>
    public int Round, Book;
    /// <summary>Set when a breaker held a position back or shrank a call this round (the cascade may have to go on).</summary>
    public bool HeldBack;
    /// <summary>This run's flash lenders' balances (null: not flash-loan funded), and the holder of the position being
    /// liquidated — the book's own market or instance, numbered as the exact path's <see cref="LiquidatableCandidate.Holder"/>.</summary>
    public FastFlashFunding? Flash;
    public int Holder;

    /// <summary>
    /// The debt a call repays in USD 8 decimals at the round's oracle price, floored as the exact path does — in 128-bit
    /// integers, since the amount (base units, an integer held as a double) times the price passes 2^53: a breaker's room
    /// left after a shrunk call must come out as the exact path's (0 or 1), or a 1-unit call appears on one side only.
    /// </summary>
    public double RepayUsd8(FastModel m, int debt, double amount) =>
        amount <= 0 ? 0 : (double)((UInt128)Math.Floor(amount) * (UInt128)Oracle8[debt] / (UInt128)m.Unit[debt]);

    /// <summary>Debt base units worth <paramref name="usd8"/> (USD 8 decimals) at the oracle price, floored (what a shrunk call covers).</summary>
    public double DebtFor(FastModel m, int debt, double usd8) =>
        Oracle8[debt] <= 0 || usd8 <= 0 ? 0 : (double)((UInt128)Math.Floor(usd8) * (UInt128)m.Unit[debt] / (UInt128)Oracle8[debt]);
}

/// <summary>
/// A position to try this round, ordered by health factor then by the exact path's tie order (<see cref="FastModel.Rank"/>).
/// A struct with its own comparison so sorting a round's candidates needs no delegate call per comparison.
/// </summary>
public readonly record struct FastCandidate(double Hf, int Rank, int Pos) : IComparable<FastCandidate>
{
    public int CompareTo(FastCandidate other) => Hf != other.Hf ? Hf.CompareTo(other.Hf) : Rank.CompareTo(other.Rank);
}

/// <summary>Per-worker mutable state of the fast path; reset between cascades by undoing only what was touched.</summary>
public sealed class FastState
{
    /// <summary>The compiled snapshot this state belongs to.</summary>
    public readonly FastModel Model;
    public readonly double[] EColl, EDebt;
    public readonly bool[] Touched;
    /// <summary>Per position: health factor at its last evaluation ÷ the cumulative worst-case oracle factor then.</summary>
    public readonly double[] Key;
    public readonly List<int> TouchedList = [];
    public readonly FastPoolState[] Pools;
    public readonly double[] Exo, BadDebt;
    /// <summary>Per asset: its exchange-rate ratio now ÷ at the snapshot (a scenario's slashing; 1 otherwise).</summary>
    public readonly double[] Ratio;
    public readonly FastBookState?[] Books;
    public readonly List<FastCandidate> Candidates = [];
    /// <summary>Work counters (diagnostics): health-factor evaluations, candidates tried, rounds run.</summary>
    public long Evaluations, CandidatesTried, Rounds;

    public FastState(FastModel m)
    {
        Model = m;
        EColl = (double[])m.EColl.Clone();
        EDebt = (double[])m.EDebt.Clone();
        Touched = new bool[m.PositionCount];
        Key = (double[])m.Hf0.Clone();
        Pools = m.Graph.Pools.Select(p => p.StartFast()).ToArray();
        Exo = (double[])m.SnapPrice.Clone();
        BadDebt = new double[m.SnapPrice.Length];
        Ratio = Enumerable.Repeat(1.0, m.SnapPrice.Length).ToArray();
        Books = m.Rules.Select(r => r.CreateState()).ToArray();
    }

    /// <summary>The family state of book <paramref name="book"/> (its rule created it).</summary>
    public T Book<T>(int book) where T : FastBookState => (T)Books[book]!;

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
        foreach (var p in Pools) p.Reset();
        foreach (var b in Books) b?.Reset();
        m.SnapPrice.CopyTo(Exo, 0);
        Array.Clear(BadDebt);
        Array.Fill(Ratio, 1.0);
    }
}
