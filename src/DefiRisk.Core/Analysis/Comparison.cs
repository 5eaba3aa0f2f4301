using System.Globalization;
using System.Text.Json.Serialization;
using DefiRisk.Core.Domain;

namespace DefiRisk.Core.Analysis;

/// <summary>
/// Baseline and proposal side by side for one scenario (JSON: <c>baseline</c>, <c>proposal</c>, <c>difference</c> =
/// proposal − baseline). The full cascades ride along for report writers but are not serialized. <see cref="Sweep"/> is
/// set when a shock sweep was asked for. <see cref="Verdicts"/>: better/worse/unchanged per headline metric;
/// <see cref="ParameterChanges"/>: current → proposed for each parameter the proposal changes; <see cref="LiquidatedByChange"/>:
/// positions the change alone makes liquidatable at today's prices; <see cref="Attribution"/>: each change alone and all together.
/// </summary>
public sealed record ComparisonResult(
    string Scenario,
    string ProposalName,
    IReadOnlyList<string> Breakers,
    CascadeSummary Baseline,
    CascadeSummary Proposal,
    CascadeDifference Difference,
    ComparisonSweep? Sweep = null,
    IReadOnlyList<MetricVerdict>? Verdicts = null,
    IReadOnlyList<Lending.RiskParameterChange>? ParameterChanges = null,
    LiquidatedByChangeResult? LiquidatedByChange = null,
    IReadOnlyList<AttributionRow>? Attribution = null)
{
    [JsonIgnore] public CascadeResult? BaselineResult { get; init; }
    [JsonIgnore] public CascadeResult? ProposalResult { get; init; }

    public static ComparisonResult Create(string proposalName, IReadOnlyList<string> breakers, Snapshot baselineSnapshot, CascadeResult baseline, CascadeResult proposal)
    {
        var b = CascadeSummary.From(baseline, baselineSnapshot);
        var p = CascadeSummary.From(proposal, baselineSnapshot);
        return new ComparisonResult(baseline.Scenario, proposalName, breakers, b, p, CascadeDifference.Between(b, p), Verdicts: ComparisonVerdicts.Of(b, p))
        {
            BaselineResult = baseline,
            ProposalResult = proposal,
        };
    }
}

/// <summary>Bad debt of one protocol, USD (a report view of <see cref="CascadeTotals.BadDebt"/>).</summary>
public sealed record ProtocolBadDebt(string Protocol, double BadDebtUsd);

/// <summary>
/// The numbers a reviewer compares. USD values are floating-point report views of the exact result.
/// <see cref="DeepestPriceDrop"/>: the largest fall of any asset's market price below its snapshot price over the whole
/// cascade, percent (30 = −30 %), with the asset and its lowest price (USD). <see cref="LongestChain"/>: liquidations in
/// the longest causal chain; <see cref="LongestCrossProtocolChain"/>: in the longest one that crosses protocols (among the
/// listed chains, <see cref="SimulationOptions.MaxChainsListed"/>; 0 if none). <see cref="HeldBack"/>: positions held back by a circuit breaker, summed over rounds.
/// </summary>
public sealed record CascadeSummary(
    double LiquidatedValueUsd,
    double BadDebtUsd,
    IReadOnlyList<ProtocolBadDebt> BadDebtByProtocol,
    double DeepestPriceDrop,
    string? DeepestPriceAsset,
    double DeepestPriceUsd,
    int Rounds,
    int RoundsWithLiquidations,
    int Liquidations,
    int AccountsLiquidated,
    int LongestChain,
    bool LongestChainCrossesProtocols,
    int LongestCrossProtocolChain,
    int HeldBack,
    bool HitRoundLimit,
    double RealisedBadDebtUsd,
    double UnrealisedBadDebtUsd)
{
    public static CascadeSummary From(CascadeResult r, Snapshot snapshot)
    {
        double deepest = 0, deepestPrice = 0;
        string? deepestAsset = null;
        foreach (var path in r.PricePath)
        {
            var start = snapshot.FindAsset(path.Asset)?.PriceUsd ?? 0;
            if (start.IsZero || path.MarketPriceUsd.Count == 0) continue;
            var low = path.MarketPriceUsd.Min();
            var drop = (1 - (double)low / (double)start) * 100;
            if (drop > deepest) (deepest, deepestAsset, deepestPrice) = (drop, path.Symbol, (double)low / 1e8);
        }
        var byProtocol = snapshot.Books.Select(b => b.Protocol).Distinct().Select(p => new ProtocolBadDebt(p,
            r.Totals.BadDebt.Where(e => e.Protocol == p).Sum(e => e.AmountUsd) + r.Totals.Insolvent.Where(x => x.Protocol == p).Sum(x => x.ShortfallUsd))).ToList();
        var held = r.Rounds.Sum(x => x.Unliquidated.Count(u => u.Reason.Contains("circuit breaker", StringComparison.Ordinal)));
        return new CascadeSummary(r.Totals.LiquidatedValueUsd, r.Totals.BadDebtUsd, byProtocol, deepest, deepestAsset, deepestPrice,
            r.Rounds.Count, r.Totals.RoundsWithLiquidations, r.Totals.Liquidations, r.Totals.AccountsAffected,
            r.LongestChain?.LiquidationIds.Count ?? 0, r.LongestChain?.CrossesProtocols ?? false, LongestCrossing(r), held, r.HitRoundLimit,
            r.Totals.RealisedBadDebtUsd, r.Totals.UnrealisedBadDebtUsd);
    }

    private static int LongestCrossing(CascadeResult r)
    {
        var longest = r.LongestChain is { CrossesProtocols: true } l ? l.LiquidationIds.Count : 0;
        foreach (var c in r.Chains)
            if (c.CrossesProtocols) longest = Math.Max(longest, c.LiquidationIds.Count);
        return longest;
    }

    /// <summary>A metric by its <c>--fail-if</c> name; null for an unknown name.</summary>
    public double? Metric(string name) => name switch
    {
        "badDebt" => BadDebtUsd,
        "realisedBadDebt" => RealisedBadDebtUsd,
        "unrealisedBadDebt" => UnrealisedBadDebtUsd,
        "liquidatedValue" => LiquidatedValueUsd,
        "rounds" => Rounds,
        "roundsWithLiquidations" => RoundsWithLiquidations,
        "liquidations" => Liquidations,
        "accountsLiquidated" => AccountsLiquidated,
        "deepestPriceDrop" => DeepestPriceDrop,
        "longestChain" => LongestChain,
        "longestCrossProtocolChain" => LongestCrossProtocolChain,
        "heldBack" => HeldBack,
        _ when name.StartsWith("badDebt.", StringComparison.Ordinal) =>
            BadDebtByProtocol.FirstOrDefault(p => p.Protocol == name["badDebt.".Length..])?.BadDebtUsd,
        _ => null,
    };

    public static readonly string[] MetricNames =
        ["badDebt", "realisedBadDebt", "unrealisedBadDebt", "badDebt.<protocol>", "liquidatedValue", "rounds", "roundsWithLiquidations", "liquidations",
         "accountsLiquidated", "deepestPriceDrop", "longestChain", "longestCrossProtocolChain", "heldBack"];
}

/// <summary>Proposal − baseline for every summary number (negative = the proposal lowers it).</summary>
public sealed record CascadeDifference(
    double LiquidatedValueUsd,
    double BadDebtUsd,
    IReadOnlyList<ProtocolBadDebt> BadDebtByProtocol,
    double DeepestPriceDrop,
    int Rounds,
    int RoundsWithLiquidations,
    int Liquidations,
    int AccountsLiquidated,
    int LongestChain,
    int LongestCrossProtocolChain,
    int HeldBack)
{
    public static CascadeDifference Between(CascadeSummary b, CascadeSummary p) => new(
        p.LiquidatedValueUsd - b.LiquidatedValueUsd,
        p.BadDebtUsd - b.BadDebtUsd,
        p.BadDebtByProtocol.Select(x => new ProtocolBadDebt(x.Protocol, x.BadDebtUsd - (b.BadDebtByProtocol.FirstOrDefault(y => y.Protocol == x.Protocol)?.BadDebtUsd ?? 0))).ToList(),
        p.DeepestPriceDrop - b.DeepestPriceDrop,
        p.Rounds - b.Rounds,
        p.RoundsWithLiquidations - b.RoundsWithLiquidations,
        p.Liquidations - b.Liquidations,
        p.AccountsLiquidated - b.AccountsLiquidated,
        p.LongestChain - b.LongestChain,
        p.LongestCrossProtocolChain - b.LongestCrossProtocolChain,
        p.HeldBack - b.HeldBack);
}

/// <summary>Bad debt and liquidated value against shock size, baseline and proposal (issue item 4).</summary>
public sealed record ComparisonSweep(string Asset, IReadOnlyList<ComparisonSweepLevel> Levels);

public sealed record ComparisonSweepLevel(decimal Shock, double BaselineBadDebtUsd, double ProposalBadDebtUsd,
    double BaselineLiquidatedValueUsd, double ProposalLiquidatedValueUsd);

/// <summary>
/// <c>--fail-if</c>: conditions on the proposal's summary, e.g. <c>badDebt&gt;100000, rounds&gt;=5 &amp;&amp; deepestPriceDrop&gt;40</c>.
/// Metric names: <see cref="CascadeSummary.MetricNames"/>; operators &gt; &gt;= &lt; &lt;= ==; numbers are plain decimals
/// (a trailing % is allowed for deepestPriceDrop). Conditions are separated by commas or <c>&amp;&amp;</c>, which mean the
/// same: the limit is crossed when ALL of them hold (<see cref="Crossed"/>). Give <c>--fail-if</c> twice for "either".
/// </summary>
public sealed record RiskCondition(string Metric, string Operator, double Value, string Text)
{
    public bool HoldsFor(CascadeSummary s)
    {
        var v = s.Metric(Metric) ?? 0;
        return Operator switch
        {
            ">" => v > Value,
            ">=" => v >= Value,
            "<" => v < Value,
            "<=" => v <= Value,
            _ => v == Value,
        };
    }

    /// <summary>True when every condition holds for the summary.</summary>
    public static bool Crossed(IReadOnlyList<RiskCondition> conditions, CascadeSummary s) => conditions.Count > 0 && conditions.All(c => c.HoldsFor(s));

    /// <param name="protocols">the protocol names <c>badDebt.&lt;protocol&gt;</c> may name (the registry's families).</param>
    public static IReadOnlyList<RiskCondition> Parse(string expression, IReadOnlyCollection<string> protocols)
    {
        var parts = expression.Replace("&&", ",", StringComparison.Ordinal).Split(',', StringSplitOptions.TrimEntries);
        if (parts.All(p => p.Length == 0)) throw new DefiRiskException("--fail-if is empty: use e.g. \"badDebt>100000\"");
        var conditions = new List<RiskCondition>();
        foreach (var part in parts)
        {
            if (part.Length == 0) throw new DefiRiskException($"--fail-if \"{expression}\": empty condition");
            var i = part.IndexOfAny(['>', '<', '=']);
            if (i <= 0) throw new DefiRiskException($"--fail-if \"{part}\" is not METRIC OP NUMBER (e.g. badDebt>100000)");
            var op = part.Length > i + 1 && part[i + 1] == '=' ? part.Substring(i, 2) : part.Substring(i, 1);
            if (op is "=" or "=>" or "=<") throw new DefiRiskException($"--fail-if \"{part}\": operator must be one of > >= < <= ==");
            var metric = part[..i].Trim();
            var number = part[(i + op.Length)..].Trim();
            if (number.EndsWith('%')) number = number[..^1].TrimEnd();
            var known = Array.IndexOf(CascadeSummary.MetricNames, metric) >= 0
                || metric.StartsWith("badDebt.", StringComparison.Ordinal) && protocols.Contains(metric["badDebt.".Length..]);
            if (!known)
                throw new DefiRiskException($"--fail-if \"{part}\": unknown metric '{metric}' (one of {string.Join(", ", CascadeSummary.MetricNames)}; protocols: {string.Join(", ", protocols)})");
            if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
                throw new DefiRiskException($"--fail-if \"{part}\": '{number}' is not a number");
            conditions.Add(new RiskCondition(metric, op, value, $"{metric}{op}{number}"));
        }
        return conditions;
    }
}
