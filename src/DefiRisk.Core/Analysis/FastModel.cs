using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.AaveV3;
using DefiRisk.Core.Protocols.MorphoBlue;

namespace DefiRisk.Core.Analysis;

/// <summary>
/// Risk parameters of one (market, asset, e-mode, collateral-bit) combination, shared by many position entries.
/// Aave: <see cref="Lt"/> and <see cref="Bonus"/> as fractions (e-mode applied), <see cref="Price0"/> the reserve's
/// oracle price at the snapshot per BASE UNIT of the asset (base currency / BASE_CURRENCY_UNIT / 10^decimals, i.e. USD
/// per wei). Morpho: <see cref="Lt"/> = LLTV, <see cref="Bonus"/> = LIF, <see cref="Price0"/> = <c>price()</c> / 1e36
/// (loan base units per collateral base unit).
/// </summary>
internal readonly record struct FastParam(int Market, int Asset, int LoanAsset, double Lt, double Bonus, double Fee, double Price0, bool Liquidatable, bool Seizable, int Revision, bool FixedPrice = false, bool Active = true);

/// <summary>
/// The snapshot compiled for the floating-point fast path: arrays of structs, positions sorted by their health factor
/// at snapshot prices (<see cref="Hf0"/>) so a round only scans the prefix that a price move can reach. Amounts are
/// base units as double (exact integers below 2^53, so the contracts' floors can be mirrored for small-decimal tokens);
/// Morpho debt is borrow shares with per-market totals.
/// </summary>
internal sealed class FastModel
{
    public required DexGraph Graph;
    public required Snapshot Snapshot;
    public required double[] SnapPrice;       // USD per token (oracle, snapshot)
    public required double[] Unit;            // 10^decimals
    public required int[] AddressRank;        // asset rank by address (tie-breaks of the liquidator choice)
    public required double[] R0Snap, R1Snap;  // pool reserves, base units
    public required FastParam[] Params;
    // Positions (sorted by Hf0 ascending).
    public required byte[] Kind;              // 0 Aave, 1 Morpho
    public required int[] Holder;             // Aave market index, or global Morpho market index
    public required int[] EntryStart;
    public required byte[] EntryCount;
    public required double[] Hf0;
    public required int[] Rank;               // tie-break: (account, protocol, market) order
    public required long[] Source;            // kind << 62 | holder << 32 | index in the snapshot list
    // Entries.
    public required ushort[] EParam;
    public required double[] EColl;           // base units
    public required double[] EDebt;           // Aave: base units; Morpho: borrow shares
    // Morpho markets (global index over all Morpho states).
    public required double[] MTotalBorrowAssets, MTotalBorrowShares, MTotalSupplyAssets; // base units / shares
    public required int[] MorphoParam;
    public required int[] AaveRevision;
    // Aave ≤ 3.2 accounts already without collateral at the snapshot: their debt, base units per asset ("unbacked").
    public required double[] PreUnbackedDebt;

    public int PositionCount => Kind.Length;

    public int AssetIndex(Address a)
    {
        for (var i = 0; i < Snapshot.Assets.Count; i++)
            if (Snapshot.Assets[i].Address == a) return i;
        throw new DefiRiskException($"asset {a} is not in the snapshot");
    }

    public static FastModel Compile(Snapshot snapshot, SimulationOptions options)
    {
        var graph = new DexGraph(snapshot, options.Numeraire);
        var n = snapshot.Assets.Count;
        var index = new Dictionary<Address, int>();
        for (var i = 0; i < n; i++) index[snapshot.Assets[i].Address] = i;
        int Idx(Address a) => index.TryGetValue(a, out var i) ? i : throw new DefiRiskException($"asset {a} is not in the snapshot's asset list");
        var snapPrice = snapshot.Assets.Select(a => (double)a.PriceUsd / 1e8).ToArray();
        var unit = snapshot.Assets.Select(a => Math.Pow(10, a.Decimals)).ToArray();
        var addressRank = new int[n];
        var byAddress = Enumerable.Range(0, n).OrderBy(i => snapshot.Assets[i].Address).ToArray();
        for (var r = 0; r < n; r++) addressRank[byAddress[r]] = r;

        var parameters = new List<FastParam>();
        var paramIndex = new Dictionary<(int, int, int, bool), int>();
        int AaveParam(int m, AaveV3Market market, Address asset, int eModeId, bool used)
        {
            var key = (m, Idx(asset), eModeId, used);
            if (paramIndex.TryGetValue(key, out var id)) return id;
            var r = market.Reserve(asset);
            var eMode = market.EMode(eModeId);
            var inEMode = eMode is not null && eMode.Contains(asset);
            var lt = inEMode ? eMode!.LiquidationThreshold : r.LiquidationThreshold;
            var bonus = inEMode ? eMode!.LiquidationBonus : r.LiquidationBonus;
            var price = inEMode && eMode!.PriceSourcePrice is { } p && !p.IsZero ? p : r.OraclePrice;
            var seizable = used && (r.LiquidationThreshold != 0 || market.PoolRevision >= AaveV3Revision.V3_6); // 3.6+: base LT 0 too
            parameters.Add(new FastParam(m, Idx(asset), -1, seizable ? lt / 1e4 : 0, bonus / 1e4, r.LiquidationProtocolFee / 1e4,
                (double)price / (double)market.BaseCurrencyUnit / unit[Idx(asset)], r.Active && !r.Paused, seizable, market.PoolRevision, price != r.OraclePrice, r.Active));
            return paramIndex[key] = parameters.Count - 1;
        }

        var kind = new List<byte>(); var holder = new List<int>(); var start = new List<int>(); var count = new List<byte>();
        var hf0 = new List<double>(); var source = new List<long>(); var accounts = new List<Address>(); var marketKey = new List<string>();
        var eParam = new List<ushort>(); var eColl = new List<double>(); var eDebt = new List<double>();
        var preUnbacked = new double[n];
        var aaveRevision = snapshot.AaveV3Markets.Select(m => m.Market.PoolRevision).ToArray();

        for (var m = 0; m < snapshot.AaveV3Markets.Count; m++)
        {
            var state = snapshot.AaveV3Markets[m];
            for (var i = 0; i < state.Accounts.Count; i++)
            {
                var acct = state.Accounts[i];
                var s = eParam.Count;
                double wc = 0, tc = 0, debtValue = 0;
                var hasDebt = false;
                foreach (var r in acct.Reserves)
                {
                    var pid = AaveParam(m, state.Market, r.Asset, acct.EModeCategory, r.UsedAsCollateral);
                    var p = parameters[pid];
                    var a = p.Asset;
                    var coll = (double)r.Collateral;
                    var debt = (double)r.TotalDebt;
                    eParam.Add(checked((ushort)pid)); eColl.Add(coll); eDebt.Add(debt);
                    wc += coll * p.Price0 * p.Lt;
                    if (p.Lt > 0) tc += coll * p.Price0;
                    debtValue += debt * p.Price0;
                    hasDebt |= debt > 0;
                }
                if (!hasDebt) { eParam.RemoveRange(s, eParam.Count - s); eColl.RemoveRange(s, eColl.Count - s); eDebt.RemoveRange(s, eDebt.Count - s); continue; }
                if (state.Market.PoolRevision < AaveV3Revision.V3_3 && wc == 0)
                    for (var e = s; e < eParam.Count; e++) preUnbacked[parameters[eParam[e]].Asset] += eDebt[e];
                kind.Add(0); holder.Add(m); start.Add(s); count.Add(checked((byte)(eParam.Count - s)));
                hf0.Add(FastCascade.AaveHealthFactor(wc, tc, debtValue, state.Market.PoolRevision)); source.Add(((long)m << 32) | (uint)i); accounts.Add(acct.Account); marketKey.Add(state.Market.Name);
            }
        }

        var tba = new List<double>(); var tbs = new List<double>(); var tsa = new List<double>(); var morphoParam = new List<int>();
        for (var s = 0; s < snapshot.MorphoBlue.Count; s++)
        {
            var st = snapshot.MorphoBlue[s];
            var local = new Dictionary<string, int>();
            foreach (var mk in st.Markets)
            {
                int c = Idx(mk.CollateralToken), l = Idx(mk.LoanToken);
                local[mk.Id] = tba.Count;
                tba.Add((double)mk.TotalBorrowAssets);
                tbs.Add((double)mk.TotalBorrowShares);
                tsa.Add((double)mk.TotalSupplyAssets);
                parameters.Add(new FastParam(tba.Count - 1, c, l, (double)mk.Lltv / 1e18, (double)MorphoBlueMath.LiquidationIncentiveFactor(mk.Lltv) / 1e18,
                    0, (double)mk.OraclePrice / 1e36, true, true, 0));
                morphoParam.Add(parameters.Count - 1);
            }
            for (var j = 0; j < st.Positions.Count; j++)
            {
                var p = st.Positions[j];
                if (p.BorrowShares.IsZero) continue;
                if (!local.TryGetValue(p.MarketId, out var g))
                    throw new DefiRiskException($"Morpho position of {p.Account} names market {p.MarketId}, which is not in the snapshot");
                var prm = parameters[morphoParam[g]];
                var coll = (double)p.Collateral;
                var borrowed = (double)p.BorrowShares * (tba[g] + 1) / (tbs[g] + 1e6);
                kind.Add(1); holder.Add(g); start.Add(eParam.Count); count.Add(1);
                eParam.Add(checked((ushort)morphoParam[g])); eColl.Add(coll); eDebt.Add((double)p.BorrowShares);
                hf0.Add(coll * prm.Price0 * prm.Lt / borrowed); source.Add((1L << 62) | ((long)s << 32) | (uint)j);
                accounts.Add(p.Account); marketKey.Add(p.MarketId);
            }
        }

        // Tie-break rank: account address, then protocol, then market (the exact path's order after the health factor).
        var count0 = kind.Count;
        var byAccount = Enumerable.Range(0, count0).ToArray();
        var keys = accounts.Select(a => a.Value).ToArray();
        Array.Sort(byAccount, (x, y) =>
        {
            var c = string.CompareOrdinal(keys[x], keys[y]);
            if (c != 0) return c;
            c = kind[x].CompareTo(kind[y]);
            return c != 0 ? c : string.CompareOrdinal(marketKey[x], marketKey[y]);
        });
        var rank = new int[count0];
        for (var r = 0; r < count0; r++) rank[byAccount[r]] = r;

        // Sort positions by Hf0 (then rank) and lay their entries out in that order.
        var order = Enumerable.Range(0, count0).ToArray();
        var hfArr = hf0.ToArray();
        Array.Sort(order, (x, y) => hfArr[x] != hfArr[y] ? hfArr[x].CompareTo(hfArr[y]) : rank[x].CompareTo(rank[y]));
        var model = new FastModel
        {
            Graph = graph, Snapshot = snapshot, SnapPrice = snapPrice, Unit = unit, AddressRank = addressRank,
            R0Snap = snapshot.UniswapV2Pools.Select(p => (double)p.Reserve0).ToArray(),
            R1Snap = snapshot.UniswapV2Pools.Select(p => (double)p.Reserve1).ToArray(),
            Params = parameters.ToArray(),
            Kind = new byte[count0], Holder = new int[count0], EntryStart = new int[count0], EntryCount = new byte[count0],
            Hf0 = new double[count0], Rank = new int[count0], Source = new long[count0],
            EParam = new ushort[eParam.Count], EColl = new double[eParam.Count], EDebt = new double[eParam.Count],
            MTotalBorrowAssets = tba.ToArray(), MTotalBorrowShares = tbs.ToArray(), MTotalSupplyAssets = tsa.ToArray(),
            MorphoParam = morphoParam.ToArray(), AaveRevision = aaveRevision, PreUnbackedDebt = preUnbacked,
        };
        var w = 0;
        for (var k = 0; k < count0; k++)
        {
            var o = order[k];
            model.Kind[k] = kind[o]; model.Holder[k] = holder[o]; model.Hf0[k] = hfArr[o]; model.Rank[k] = rank[o]; model.Source[k] = source[o];
            model.EntryStart[k] = w; model.EntryCount[k] = count[o];
            for (var e = 0; e < count[o]; e++, w++)
            {
                model.EParam[w] = eParam[start[o] + e]; model.EColl[w] = eColl[start[o] + e]; model.EDebt[w] = eDebt[start[o] + e];
            }
        }
        return model;
    }
}
