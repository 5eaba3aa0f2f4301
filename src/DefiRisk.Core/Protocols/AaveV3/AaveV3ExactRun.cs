using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Numerics;

namespace DefiRisk.Core.Protocols.AaveV3;

/// <summary>
/// Aave v3 in one exact cascade: every account through <see cref="AaveV3AccountMath"/>, every call through the book's
/// <see cref="AaveV3LiquidationRule"/> with the pair <see cref="AaveV3LiquidatorChoice"/> picks, repeated while HF &lt; 1.
/// Bad debt at the end: v3.3+ reserve deficits ("deficit"), and ≤ v3.2 accounts left with debt and no collateral value
/// ("unbacked": the contract keeps that debt on the account). The reserves' state a later call sees — virtual balances (cash),
/// isolation-mode debt, deficits — follows each call (<see cref="AaveV3LiquidationRule.MarketAfter"/>); calls run at the round's
/// block time, so a 3.1+ liquidation grace period holds them back until it ends.
/// </summary>
internal sealed class AaveV3ExactRun(AaveV3Book book, AssetIndex assets) : IExactLendingRun
{
    public const string NothingToSeize = "nothing to seize (no liquidatable collateral/debt pair)";

    private readonly AaveV3Account[][] _accounts = book.Markets.Select(m => m.Accounts.ToArray()).ToArray();
    private readonly AaveV3Market[] _markets = book.Markets.Select(m => m.Market).ToArray();
    private long? _now;
    private readonly AaveV3LiquidationRule _rule = book.LiquidationRule;
    private readonly Dictionary<(string Market, Address Asset), BigInteger> _deficits = [];
    private BigInteger[] _oracle = [];
    private Dictionary<Address, BigInteger>[] _prices = [];

    public void SetBlockTime(long unixSeconds) => _now = unixSeconds;

    public bool WaitsForTime { get; private set; }

    public void BeginRound(BigInteger[] oracleUsd)
    {
        _oracle = oracleUsd;
        _prices = Prices(oracleUsd);
        WaitsForTime = false;
    }

    private Dictionary<Address, BigInteger>[] Prices(BigInteger[] oracleUsd) =>
        book.Markets.Select(m => m.Market.Reserves.ToDictionary(x => x.Asset, x => ReservePrice(x, oracleUsd))).ToArray();

    private BigInteger ReservePrice(AaveV3Reserve reserve, BigInteger[] oracleUsd)
    {
        var a = assets[reserve.Asset];
        return AaveV3Oracle.ReservePrice(reserve.OraclePrice, assets.SnapshotUsd[a], oracleUsd[a]);
    }

    public void CollectLiquidatable(int bookIndex, List<LiquidatableCandidate> output)
    {
        for (var m = 0; m < _accounts.Length; m++)
        {
            var mk = _markets[m];
            var prices = _prices[m];
            for (var i = 0; i < _accounts[m].Length; i++)
            {
                var acct = _accounts[m][i];
                if (!AaveV3Book.HasDebt(acct)) continue;
                var data = AaveV3AccountMath.Calculate(mk, acct, a => prices[a]);
                if (data.IsLiquidatable) output.Add(new(bookIndex, m, i, acct.Account, mk.Name, data.HealthFactor));
            }
        }
    }

    public LiquidationOutcome Liquidate(LiquidatableCandidate c, ILiquidationDesk desk)
    {
        var prices = _prices[c.Holder];
        Func<Address, BigInteger> price = a => prices[a];
        string? reason = null;
        for (var call = 0; call < desk.MaxCallsPerPosition; call++)
        {
            var mk = _markets[c.Holder];
            var acct = _accounts[c.Holder][c.Position];
            var pairs = AaveV3LiquidatorChoice.CandidatePairs(mk, acct, price);
            if (pairs.Count == 0) { reason = NothingToSeize; break; }
            // What each pair's full call earns, when the liquidator has priced them to choose (reused below: not quoted again).
            var scores = desk.PairsByProfit && pairs.Count > 1 ? ByProfit(mk, acct, pairs, price, desk) : null;
            if (scores is not null) pairs = scores.Select(x => x.Pair).ToList();
            var done = false;
            var sizedCall = false;
            for (var pi = 0; pi < pairs.Count; pi++)
            {
                var (collAsset, debtAsset) = pairs[pi];
                var fullProfit = scores?[pi].Profit;
                var ctx = new AaveV3LiquidationContext(mk, acct, collAsset, debtAsset, AaveV3LiquidationContext.MaxDebtToCover, price, BlockTimestamp: _now);
                var d = _rule.Decide(ctx);
                if (!d.Executed)
                {
                    reason = d.Reason;
                    // A grace period ends at a known time: the cascade must go on to the round after it.
                    if (reason == AaveV3LiquidationRule.LiquidationGraceSentinelCheckFailed) WaitsForTime = true;
                    continue;
                }
                int ci = assets[collAsset], di = assets[debtAsset];
                // A breaker may shrink the call (debtToCover = the allowed USD in debt units, floor) or defer it.
                var unitD = FixedPoint.Pow10(assets.Assets[di].Decimals);
                var fullUsd8 = d.DebtRepaid * _oracle[di] / unitD;
                var allowed = desk.Allowance(ci, di, fullUsd8);
                if (allowed < fullUsd8)
                {
                    fullProfit = null; // a smaller call than the one priced
                    var toCover = _oracle[di].IsZero ? BigInteger.Zero : allowed * unitD / _oracle[di];
                    if (toCover.IsZero) { reason = desk.DeferredReason; continue; }
                    ctx = ctx with { DebtToCover = toCover };
                    d = _rule.Decide(ctx);
                    if (!d.Executed && d.Reason == AaveV3LiquidationRule.MustNotLeaveDust
                        && LargestCallWithoutDust(ctx, toCover) is { } smaller)
                    {
                        // The smaller call goes back to the breaker (a minimum size may refuse it).
                        var smallerUsd8 = smaller.DebtRepaid * _oracle[di] / unitD;
                        if (desk.Allowance(ci, di, smallerUsd8) < smallerUsd8) { reason = desk.DeferredReason; continue; }
                        d = smaller;
                        ctx = ctx with { DebtToCover = smaller.DebtRepaid };
                    }
                    if (!d.Executed) { reason = d.Reason; continue; }
                }
                var (profit, smallerCall) = (fullProfit, false);
                if (desk.SizesByProfit)
                {
                    var sized = SizedForProfit(ctx, d, ci, di, desk, fullProfit);
                    (ctx, d, profit, smallerCall) = (sized.Context, sized.Decision, sized.Profit, sized.Smaller);
                }
                if (!desk.Pays(ci, di, d.CollateralToLiquidator, d.DebtRepaid, out var why, out var repaidUsd8, profit)) { reason = why; continue; }
                sizedCall = smallerCall;

                _accounts[c.Holder][c.Position] = d.AccountAfter;
                _markets[c.Holder] = AaveV3LiquidationRule.MarketAfter(ctx, d);
                foreach (var x in d.Deficits)
                    _deficits[(mk.Name, x.Asset)] = _deficits.GetValueOrDefault((mk.Name, x.Asset)) + x.Amount;
                var badDebt = d.Deficits.Where(x => x.Asset == debtAsset).Aggregate(BigInteger.Zero, (sum, x) => sum + x.Amount);
                desk.Execute(new ExecutedCall(di, ci, d.HealthFactor, d.CollateralPrice, d.DebtRepaid, d.CollateralToLiquidator, d.ProtocolFee,
                    badDebt, d.Deficits.Select(x => (assets[x.Asset], x.Amount)).ToList(), repaidUsd8, 0,
                    ctx.DebtToCover == AaveV3LiquidationContext.MaxDebtToCover ? 0 : ctx.DebtToCover));
                done = true;
                reason = null;
                break;
            }
            if (!done) break;
            if (!AaveV3AccountMath.Calculate(_markets[c.Holder], _accounts[c.Holder][c.Position], price).IsLiquidatable) return new(null, 0);
            // A call sized for profit left the venues where a further piece earns less: the rest waits for the arbitrage.
            if (sizedCall) { reason = CallSizing.RestWaits; break; }
            reason = "call limit per round reached";
        }
        var hf = AaveV3AccountMath.Calculate(_markets[c.Holder], _accounts[c.Holder][c.Position], price).HealthFactor;
        return hf < FixedPoint.Wad ? new(reason ?? "unknown", hf) : new(null, hf);
    }

    /// <summary>
    /// The liquidator's pairs by what a full call (<c>debtToCover = max</c>) on each would earn (<see cref="ILiquidationDesk.Profit"/>),
    /// most first; pairs the rule refuses keep their documented order after the rest (the stable sort keeps ties in it too).
    /// Each with what its full call earns (null: refused).
    /// </summary>
    private List<((Address Collateral, Address Debt) Pair, BigInteger? Profit)> ByProfit(AaveV3Market mk, AaveV3Account acct,
        IReadOnlyList<(Address Collateral, Address Debt)> pairs, Func<Address, BigInteger> price, ILiquidationDesk desk)
    {
        var scored = pairs.Select((p, i) =>
        {
            var d = _rule.Decide(new AaveV3LiquidationContext(mk, acct, p.Collateral, p.Debt, AaveV3LiquidationContext.MaxDebtToCover, price, BlockTimestamp: _now));
            BigInteger? profit = d.Executed ? desk.Profit(assets[p.Collateral], assets[p.Debt], d.CollateralToLiquidator, d.DebtRepaid) : null;
            return (Pair: p, Index: i, Profit: profit);
        }).ToList();
        return scored.OrderBy(x => x.Profit is null ? 1 : 0).ThenByDescending(x => x.Profit ?? 0).ThenBy(x => x.Index).Select(x => (x.Pair, x.Profit)).ToList();
    }

    /// <summary>
    /// A shrunk v3.3+ call that would leave dust: the liquidator passes the largest debtToCover below
    /// <paramref name="toCover"/> that leaves ≥ <c>MIN_LEFTOVER_BASE</c> of debt and collateral (what
    /// <c>LiquidationDataProvider.amountToPassToLiquidationCall</c> is for). The rule itself is the test: the leftovers
    /// only shrink as debtToCover grows, so the accepted amounts are a range from 1 up, found by bisection. Null if none.
    /// </summary>
    private AaveV3LiquidationDecision? LargestCallWithoutDust(AaveV3LiquidationContext ctx, BigInteger toCover)
    {
        BigInteger ok = 0, bad = toCover; // ok: accepted (0 stands for "none yet"), bad: rejected
        while (bad - ok > 1)
        {
            var mid = (ok + bad) / 2;
            if (_rule.Decide(ctx with { DebtToCover = mid }).Executed) ok = mid; else bad = mid;
        }
        return ok.IsZero ? null : _rule.Decide(ctx with { DebtToCover = ok });
    }

    /// <summary>
    /// The call sized for profit (<see cref="CallSizing"/>): rungs of the debt the call <paramref name="full"/> repays, passed as
    /// debtToCover; a v3.3+ rung that would leave dust becomes the largest call that does not (the same for every such rung,
    /// since the accepted amounts run from 1 up), with what it earns; <c>Smaller</c> when it is not the full call.
    /// </summary>
    private (AaveV3LiquidationContext Context, AaveV3LiquidationDecision Decision, BigInteger Profit, bool Smaller) SizedForProfit(AaveV3LiquidationContext ctx,
        AaveV3LiquidationDecision full, int ci, int di, ILiquidationDesk desk, BigInteger? fullProfit)
    {
        var calls = new (AaveV3LiquidationContext, AaveV3LiquidationDecision, BigInteger, bool)[CallSizing.Rungs];
        calls[0] = (ctx, full, fullProfit ?? desk.Profit(ci, di, full.CollateralToLiquidator, full.DebtRepaid), false);
        var (c1, x1) = CallSizing.LargestRungCeilingPoint((double)full.CollateralToLiquidator, (double)full.DebtRepaid);
        if (!CallSizing.SmallerMayEarnMore((double)calls[0].Item3 / 1e8, desk.ProfitCeilingUsd(ci, di, c1, x1), desk.ProfitCeilingUsd(ci, di, 2, 0))) return calls[0];
        var last = full.DebtRepaid;
        BigInteger? noDust = null;
        var rung = CallSizing.Choose(calls[0].Item3, i =>
        {
            var x = CallSizing.Rung(full.DebtRepaid, i);
            if (x.IsZero) return null;
            var d = _rule.Decide(ctx with { DebtToCover = x });
            if (!d.Executed && d.Reason == AaveV3LiquidationRule.MustNotLeaveDust)
            {
                noDust ??= LargestCallWithoutDust(ctx, x)?.DebtRepaid ?? 0;
                if ((x = noDust.Value).IsZero || x >= last) return null;
                d = _rule.Decide(ctx with { DebtToCover = x });
            }
            if (x >= last || !d.Executed) return null;
            last = x;
            calls[i] = (ctx with { DebtToCover = x }, d, desk.Profit(ci, di, d.CollateralToLiquidator, d.DebtRepaid), true);
            return calls[i].Item3;
        });
        return calls[rung];
    }

    public void CollectExposure(LiquidatableCandidate c, List<(int Asset, bool Collateral)> output)
    {
        foreach (var x in _accounts[c.Holder][c.Position].Reserves)
        {
            var a = assets[x.Asset];
            if (x.UsedAsCollateral && !x.Collateral.IsZero) output.Add((a, true));
            if (!x.TotalDebt.IsZero) output.Add((a, false));
        }
    }

    public void CollectBadDebt(BigInteger[] finalOracleUsd, List<BadDebtItem> output)
    {
        // Aave ≤ v3.2 keeps uncovered debt on the account: count accounts left with debt and no collateral value.
        var finalPrices = Prices(finalOracleUsd);
        for (var m = 0; m < _accounts.Length; m++)
        {
            var mk = _markets[m];
            var prices = finalPrices[m];
            foreach (var acct in _accounts[m])
            {
                if (mk.PoolRevision >= AaveV3Revision.V3_3 || !AaveV3Book.HasDebt(acct)) continue;
                var data = AaveV3AccountMath.Calculate(mk, acct, a => prices[a]);
                if (!data.TotalCollateralBase.IsZero) continue;
                foreach (var x in acct.Reserves) output.Add(new(mk.Name, x.Asset, "unbacked", x.TotalDebt));
            }
        }
        foreach (var (key, amount) in _deficits) output.Add(new(key.Market, key.Asset, "deficit", amount));
    }

    /// <summary>Open accounts whose debt exceeds their seizable collateral at market prices (≤ 3.2 "unbacked" ones are booked already).</summary>
    public void CollectInsolvent(BigInteger[] finalMarketUsd, List<OpenShortfall> output)
    {
        var finalPrices = Prices(_oracle);
        for (var m = 0; m < _accounts.Length; m++)
        {
            var mk = _markets[m];
            var prices = finalPrices[m];
            foreach (var acct in _accounts[m])
            {
                if (!AaveV3Book.HasDebt(acct)) continue;
                if (mk.PoolRevision < AaveV3Revision.V3_3 && AaveV3AccountMath.Calculate(mk, acct, a => prices[a]).TotalCollateralBase.IsZero) continue;
                double coll = 0, debt = 0;
                foreach (var x in acct.Reserves)
                {
                    var r = mk.Reserve(x.Asset);
                    var a = assets[x.Asset];
                    if (x.UsedAsCollateral && !x.Collateral.IsZero && (r.LiquidationThreshold != 0 || mk.PoolRevision >= AaveV3Revision.V3_6))
                        coll += assets.Usd(x.Collateral, a, finalMarketUsd);
                    if (!x.TotalDebt.IsZero) debt += assets.Usd(x.TotalDebt, a, finalMarketUsd);
                }
                if (debt > coll) output.Add(new(mk.Name, acct.Account, coll, debt));
            }
        }
    }

    public IReadOnlyList<object> OraclePrices(BigInteger[] oracleUsd) =>
        book.Markets.SelectMany(m => m.Market.Reserves.Select(x => (object)new AaveOraclePrice(m.Market.Name, x.Asset, ReservePrice(x, oracleUsd)))).ToList();
}

/// <summary>The Aave oracle price to set for a reserve (base-currency units, <c>getAssetPrice</c>) to replay a state.</summary>
public sealed record AaveOraclePrice(string Market, Address Asset, BigInteger Price);

/// <summary>Aave's view of a cascade result: its oracle prices per round and at the end (what a replay sets).</summary>
public static class AaveV3ResultExtensions
{
    public static IReadOnlyList<AaveOraclePrice> AaveOraclePrices(this Analysis.CascadeRound round) => Of(round.OraclePrices);

    public static IReadOnlyList<AaveOraclePrice> FinalAaveOraclePrices(this Analysis.CascadeResult result) => Of(result.FinalOraclePrices);

    private static IReadOnlyList<AaveOraclePrice> Of(IReadOnlyDictionary<string, IReadOnlyList<object>> prices) =>
        prices.TryGetValue(AaveV3Book.Name, out var list) ? list.Cast<AaveOraclePrice>().ToList() : [];
}
