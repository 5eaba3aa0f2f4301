using System.Text.Json.Serialization;

namespace DefiRisk.Core.Analysis;

/// <summary>The proposal against the baseline on one metric. Every metric compared is a harm, so lower is better.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Verdict>))]
public enum Verdict { Better, Worse, Unchanged }

/// <summary>One metric's verdict: <see cref="Difference"/> = proposal − baseline, in the metric's unit (USD, count, percent points).</summary>
public sealed record MetricVerdict(string Metric, string Label, double Baseline, double Proposal, double Difference, Verdict Verdict);

/// <summary>One variant of a proposal's attribution (<c>Core.Review.ProposalAttribution</c>): the change alone, or all together, and its cascade's totals (USD).</summary>
public sealed record AttributionRow(string Change, bool AllTogether, double BadDebtUsd, double LiquidatedValueUsd, int Liquidations, int RoundsWithLiquidations);

public static class ComparisonVerdicts
{
    /// <summary>USD differences smaller than this (half a dollar) are rounding, not a change.</summary>
    public const double UsdTolerance = 0.5;

    /// <summary>The verdicts a reviewer reads first: bad debt, liquidated value, accounts liquidated, deepest price drop, rounds with liquidations.</summary>
    public static IReadOnlyList<MetricVerdict> Of(CascadeSummary baseline, CascadeSummary proposal) =>
    [
        One("badDebt", "Bad debt", baseline.BadDebtUsd, proposal.BadDebtUsd, UsdTolerance),
        One("liquidatedValue", "Liquidated value", baseline.LiquidatedValueUsd, proposal.LiquidatedValueUsd, UsdTolerance),
        One("accountsLiquidated", "Accounts liquidated", baseline.AccountsLiquidated, proposal.AccountsLiquidated, 0),
        One("deepestPriceDrop", "Deepest price drop (%)", baseline.DeepestPriceDrop, proposal.DeepestPriceDrop, 0.005),
        One("roundsWithLiquidations", "Rounds with liquidations", baseline.RoundsWithLiquidations, proposal.RoundsWithLiquidations, 0),
    ];

    private static MetricVerdict One(string metric, string label, double b, double p, double tolerance)
    {
        var d = p - b;
        var v = Math.Abs(d) <= tolerance ? Verdict.Unchanged : d < 0 ? Verdict.Better : Verdict.Worse;
        return new MetricVerdict(metric, label, b, p, d, v);
    }
}
