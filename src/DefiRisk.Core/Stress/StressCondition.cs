using System.Globalization;

namespace DefiRisk.Core.Stress;

/// <summary>
/// <c>stress --fail-if</c>: conditions on a stress result, e.g. <c>var99&gt;1000000, es99&gt;2000000</c>, as
/// <c>compare --fail-if</c> writes them: operators &gt; &gt;= &lt; &lt;= ==; conditions joined by <c>,</c> or <c>&amp;&amp;</c>
/// must all hold; metrics <see cref="StressResult.MetricNames"/> (of the proposal's side when there is one).
/// </summary>
public sealed record StressCondition(string Metric, string Operator, double Value, string Text)
{
    public bool HoldsFor(StressResult r)
    {
        if (r.Metric(Metric) is not { } v) return false;
        return Operator switch { ">" => v > Value, ">=" => v >= Value, "<" => v < Value, "<=" => v <= Value, _ => v == Value };
    }

    public static bool Crossed(IReadOnlyList<StressCondition> all, StressResult r) => all.Count > 0 && all.All(c => c.HoldsFor(r));

    public static IReadOnlyList<StressCondition> Parse(string expression)
    {
        var parts = expression.Replace("&&", ",", StringComparison.Ordinal).Split(',', StringSplitOptions.TrimEntries);
        if (parts.All(p => p.Length == 0)) throw new DefiRiskException("--fail-if is empty: use e.g. \"var99>100000\"");
        var list = new List<StressCondition>();
        foreach (var part in parts)
        {
            if (part.Length == 0) throw new DefiRiskException($"--fail-if \"{expression}\": empty condition");
            var i = part.IndexOfAny(['>', '<', '=']);
            if (i <= 0) throw new DefiRiskException($"--fail-if \"{part}\" is not METRIC OP NUMBER (e.g. var99>100000)");
            var op = part.Length > i + 1 && part[i + 1] == '=' ? part.Substring(i, 2) : part.Substring(i, 1);
            if (op is "=" or "=>" or "=<") throw new DefiRiskException($"--fail-if \"{part}\": operator must be one of > >= < <= ==");
            var metric = part[..i].Trim();
            if (Array.IndexOf(StressResult.MetricNames, metric) < 0)
                throw new DefiRiskException($"--fail-if \"{part}\": unknown metric '{metric}' (one of {string.Join(", ", StressResult.MetricNames)})");
            var number = part[(i + op.Length)..].Trim();
            if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
                throw new DefiRiskException($"--fail-if \"{part}\": '{number}' is not a number");
            list.Add(new StressCondition(metric, op, value, $"{metric}{op}{number}"));
        }
        return list;
    }
}
