using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Numerics;

namespace DefiRisk.Core.Protocols.MorphoBlue;

/// <summary>
/// Morpho Blue in one exact cascade: positions not <c>_isHealthy</c> at <c>price()</c> are liquidated through
/// <see cref="MorphoBlueLiquidationRule"/> with the arguments <see cref="MorphoBlueLiquidatorChoice"/> picks (repay all,
/// or seize all). Bad debt: what <c>liquidate</c> wrote off from suppliers ("written-off").
/// </summary>
internal sealed class MorphoBlueExactRun : IExactLendingRun
{
    private readonly AssetIndex _assets;
    private readonly MorphoBlueMarket[][] _markets;
    private readonly Dictionary<string, int>[] _marketIndex;
    private readonly MorphoBluePosition[][] _positions;
    private readonly Dictionary<(string Market, Address Asset), BigInteger> _writtenOff = [];
    private BigInteger[] _oracle = [];

    public MorphoBlueExactRun(MorphoBlueBook book, AssetIndex assets)
    {
        _assets = assets;
        _markets = book.Instances.Select(m => m.Markets.ToArray()).ToArray();
        _marketIndex = book.Instances.Select(m => m.Markets.Select((x, i) => (x.Id, i)).ToDictionary(t => t.Id, t => t.i)).ToArray();
        _positions = book.Instances.Select(m => m.Positions.ToArray()).ToArray();
        for (var st = 0; st < book.Instances.Count; st++)
            foreach (var p in book.Instances[st].Positions)
                if (!_marketIndex[st].ContainsKey(p.MarketId))
                    throw new DefiRiskException($"Morpho position of {p.Account} names market {p.MarketId}, which is not in the snapshot");
    }

    public void BeginRound(BigInteger[] oracleUsd) => _oracle = oracleUsd;

    /// <summary>Morpho <c>price()</c> at these oracle prices (<see cref="MorphoBlueOracle"/>).</summary>
    private BigInteger Price(MorphoBlueMarket m, BigInteger[] oracle) => MorphoBlueOracle.Price(m, _assets, oracle);

    private MorphoBlueMarket MarketOf(int holder, MorphoBluePosition p) => _markets[holder][_marketIndex[holder][p.MarketId]];

    public void CollectLiquidatable(int book, List<LiquidatableCandidate> output)
    {
        for (var s = 0; s < _positions.Length; s++)
            for (var j = 0; j < _positions[s].Length; j++)
            {
                var p = _positions[s][j];
                if (p.BorrowShares.IsZero) continue;
                var mk = MarketOf(s, p);
                var price = Price(mk, _oracle);
                if (!MorphoBlueMath.IsHealthy(mk, p, price))
                    output.Add(new(book, s, j, p.Account, mk.Id, MorphoBlueMath.HealthFactor(mk, p, price)));
            }
    }

    public LiquidationOutcome Liquidate(LiquidatableCandidate c, ILiquidationDesk desk)
    {
        var p = _positions[c.Holder][c.Position];
        var mi = _marketIndex[c.Holder][p.MarketId];
        var mk = _markets[c.Holder][mi];
        var price = Price(mk, _oracle);
        var (seize, shares) = MorphoBlueLiquidatorChoice.Arguments(mk, p, price);
        var d = MorphoBlueLiquidationRule.Instance.Decide(new(mk, p, seize, shares, price));
        if (!d.Executed) return new(d.Reason, c.HealthFactor);
        int ci = _assets[mk.CollateralToken], li = _assets[mk.LoanToken];
        // A breaker may shrink the call to a pro-rata share of the shares the full call repays (floor) or defer it. The
        // full call's shares, not the position's: when the full call seizes all collateral it repays fewer shares than
        // the position has, and scaling those would overshoot the allowance (or seize more collateral than exists).
        var fullUsd8 = d.RepaidAssets * _oracle[li] / FixedPoint.Pow10(_assets.Assets[li].Decimals);
        var allowed = desk.Allowance(ci, li, fullUsd8);
        var partial = allowed < fullUsd8;
        if (partial)
        {
            var part = d.RepaidShares * allowed / fullUsd8;
            if (part.IsZero) return new(desk.DeferredReason, c.HealthFactor);
            (seize, shares) = (BigInteger.Zero, part);
            d = MorphoBlueLiquidationRule.Instance.Decide(new(mk, p, seize, shares, price));
            if (!d.Executed) return new(d.Reason, c.HealthFactor);
        }
        var sized = false;
        BigInteger? profit = null;
        if (desk.SizesByProfit)
        {
            var s = SizedForProfit(new(mk, p, seize, shares, price), d, ci, li, desk);
            profit = s.Profit;
            if (s.Shares is { } part) (seize, shares, d, sized) = (BigInteger.Zero, part, s.Decision, true);
        }
        if (!desk.Pays(ci, li, d.SeizedAssets, d.RepaidAssets, out var why, out var repaidUsd8, profit)) return new(why, c.HealthFactor);

        _positions[c.Holder][c.Position] = d.PositionAfter;
        _markets[c.Holder][mi] = d.MarketAfter;
        if (!d.BadDebtAssets.IsZero)
            _writtenOff[(mk.Id, mk.LoanToken)] = _writtenOff.GetValueOrDefault((mk.Id, mk.LoanToken)) + d.BadDebtAssets;
        desk.Execute(new ExecutedCall(li, ci, c.HealthFactor, price, d.RepaidAssets, d.SeizedAssets, 0, d.BadDebtAssets,
            [(li, d.BadDebtAssets)], repaidUsd8, seize, shares));
        // The choice repays everything or seizes everything: one call always ends the position's debt — unless a breaker shrank it.
        if (partial) return new(desk.DeferredReason, MorphoBlueMath.HealthFactor(d.MarketAfter, d.PositionAfter, price));
        if (sized)
            return MorphoBlueMath.IsHealthy(d.MarketAfter, d.PositionAfter, price) ? new(null, MorphoBlueMath.HealthFactor(d.MarketAfter, d.PositionAfter, price))
                : new(CallSizing.RestWaits, MorphoBlueMath.HealthFactor(d.MarketAfter, d.PositionAfter, price));
        return new(null, FixedPoint.UInt256Max);
    }

    /// <summary>
    /// The call sized for profit (<see cref="CallSizing"/>): rungs of the shares the full call <paramref name="full"/> repays,
    /// each passed as <c>repaidShares</c> (seizing what those shares' assets buy), with what it earns; <c>Shares</c> null for the full call.
    /// </summary>
    private static (BigInteger? Shares, MorphoBlueLiquidationDecision Decision, BigInteger Profit) SizedForProfit(MorphoBlueLiquidationContext ctx,
        MorphoBlueLiquidationDecision full, int ci, int li, ILiquidationDesk desk)
    {
        var calls = new (BigInteger?, MorphoBlueLiquidationDecision, BigInteger)[CallSizing.Rungs];
        calls[0] = (null, full, desk.Profit(ci, li, full.SeizedAssets, full.RepaidAssets));
        var (c1, x1) = CallSizing.LargestRungCeilingPoint((double)full.SeizedAssets, (double)full.RepaidAssets);
        if (!CallSizing.SmallerMayEarnMore((double)calls[0].Item3 / 1e8, desk.ProfitCeilingUsd(ci, li, c1, x1), desk.ProfitCeilingUsd(ci, li, 2, 0))) return calls[0];
        var last = full.RepaidShares;
        var rung = CallSizing.Choose(calls[0].Item3, i =>
        {
            var part = CallSizing.Rung(full.RepaidShares, i);
            if (part.IsZero || part >= last) return null;
            var d = MorphoBlueLiquidationRule.Instance.Decide(ctx with { SeizedAssets = 0, RepaidShares = part });
            if (!d.Executed) return null;
            last = part;
            calls[i] = (part, d, desk.Profit(ci, li, d.SeizedAssets, d.RepaidAssets));
            return calls[i].Item3;
        });
        return calls[rung];
    }

    public void CollectExposure(LiquidatableCandidate c, List<(int Asset, bool Collateral)> output)
    {
        var mk = MarketOf(c.Holder, _positions[c.Holder][c.Position]);
        output.Add((_assets[mk.CollateralToken], true));
        output.Add((_assets[mk.LoanToken], false));
    }

    public void CollectBadDebt(BigInteger[] finalOracleUsd, List<BadDebtItem> output)
    {
        foreach (var (key, amount) in _writtenOff) output.Add(new(key.Market, key.Asset, "written-off", amount));
    }

    /// <summary>Open positions whose borrowed assets exceed their collateral at the tokens' market prices.</summary>
    public void CollectInsolvent(BigInteger[] finalMarketUsd, List<OpenShortfall> output)
    {
        for (var s = 0; s < _positions.Length; s++)
            foreach (var p in _positions[s])
            {
                if (p.BorrowShares.IsZero) continue;
                var mk = MarketOf(s, p);
                var coll = _assets.Usd(p.Collateral, _assets[mk.CollateralToken], finalMarketUsd);
                var debt = _assets.Usd(MorphoBlueMath.BorrowedAssets(mk, p.BorrowShares), _assets[mk.LoanToken], finalMarketUsd);
                if (debt > coll) output.Add(new(mk.Id, p.Account, coll, debt));
            }
    }

    public IReadOnlyList<object> OraclePrices(BigInteger[] oracleUsd) =>
        _markets.SelectMany(ms => ms.Select(mk => (object)new MorphoOraclePrice(mk.Id, mk.Oracle, Price(mk, oracleUsd)))).ToList();
}

/// <summary>The Morpho market oracle <c>price()</c> (1e36 scale) to set to replay a state.</summary>
public sealed record MorphoOraclePrice(string MarketId, Address Oracle, BigInteger Price);

/// <summary>Morpho's view of a cascade result: its markets' <c>price()</c> per round and at the end (what a replay sets).</summary>
public static class MorphoBlueResultExtensions
{
    public static IReadOnlyList<MorphoOraclePrice> MorphoOraclePrices(this Analysis.CascadeRound round) => Of(round.OraclePrices);

    public static IReadOnlyList<MorphoOraclePrice> FinalMorphoOraclePrices(this Analysis.CascadeResult result) => Of(result.FinalOraclePrices);

    private static IReadOnlyList<MorphoOraclePrice> Of(IReadOnlyDictionary<string, IReadOnlyList<object>> prices) =>
        prices.TryGetValue(MorphoBlueBook.Name, out var list) ? list.Cast<MorphoOraclePrice>().ToList() : [];
}
