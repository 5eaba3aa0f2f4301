using System.Globalization;
using System.Text;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;

namespace DefiRisk.Reporting.Charts;

/// <summary>What the chain diagram drew and what it left out (the caption says so).</summary>
public sealed record ChainDiagramResult(string Svg, int GroupsDrawn, int GroupsTotal, int EdgesDrawn, int RoundsDrawn, int RoundsWithLiquidations);

/// <summary>
/// The cascade as a graph, in inline SVG: one column per round with liquidations, one node per (protocol, market) in that
/// round (count and debt repaid), an arrow from the group of a liquidation's cause to the group of the liquidation
/// (width grows with the number of causal links; orange when it crosses protocols). Nodes on the longest chain are
/// outlined. Large cascades are capped: at most <c>maxGroups</c> nodes, <see cref="MaxColumns"/> columns and
/// <see cref="MaxPerColumn"/> nodes per column, the earliest rounds and the largest groups first.
/// </summary>
public static class ChainDiagram
{
    public const int MaxColumns = 6, MaxPerColumn = 8;
    private const int ColumnWidth = 200, NodeWidth = 160, NodeHeight = 44, RowGap = 14, Header = 34, Margin = 12;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private sealed class Group(int round, string protocol, string market, List<CascadeLiquidation> liquidations)
    {
        public int Round { get; } = round;
        public string Protocol { get; } = protocol;
        public string Market { get; } = market;
        public List<CascadeLiquidation> Liquidations { get; } = liquidations;
        public double DebtRepaidUsd => Liquidations.Sum(l => l.DebtRepaidUsd);
        public double X { get; set; }
        public double Y { get; set; }
    }

    public static ChainDiagramResult Render(Snapshot snapshot, ReportParts parts, CascadeResult result, int maxGroups, string idSuffix = "")
    {
        var all = result.Rounds.SelectMany(r => r.Liquidations).ToList();
        var groups = all.GroupBy(l => (l.Round, l.Protocol, l.Market))
            .Select(g => new Group(g.Key.Round, g.Key.Protocol, g.Key.Market, g.ToList()))
            .OrderBy(g => g.Round).ThenByDescending(g => g.DebtRepaidUsd).ThenBy(g => g.Protocol, StringComparer.Ordinal).ThenBy(g => g.Market, StringComparer.Ordinal)
            .ToList();
        var rounds = groups.Select(g => g.Round).Distinct().ToList();
        var drawnRounds = rounds.Take(MaxColumns).ToList();
        var drawn = new List<Group>();
        foreach (var round in drawnRounds)
            foreach (var g in groups.Where(g => g.Round == round).Take(MaxPerColumn))
                if (drawn.Count < Math.Max(1, maxGroups)) drawn.Add(g);
        drawnRounds = drawnRounds.Where(r => drawn.Any(g => g.Round == r)).ToList();

        var rows = drawnRounds.Count == 0 ? 1 : drawnRounds.Max(r => drawn.Count(g => g.Round == r));
        var width = Math.Max(560, Margin * 2 + Math.Max(1, drawnRounds.Count) * ColumnWidth - (ColumnWidth - NodeWidth));
        var height = Header + rows * (NodeHeight + RowGap) + 30;
        for (var c = 0; c < drawnRounds.Count; c++)
        {
            var column = drawn.Where(g => g.Round == drawnRounds[c]).ToList();
            for (var i = 0; i < column.Count; i++)
            {
                column[i].X = Margin + c * ColumnWidth;
                column[i].Y = Header + i * (NodeHeight + RowGap);
            }
        }

        var groupOf = new Dictionary<int, Group>();
        foreach (var g in drawn)
            foreach (var l in g.Liquidations) groupOf[l.Id] = g;
        var edges = new Dictionary<(Group From, Group To), int>();
        foreach (var g in drawn)
            foreach (var l in g.Liquidations)
                foreach (var cause in l.Causes)
                    if (groupOf.TryGetValue(cause, out var from) && from != g)
                        edges[(from, g)] = edges.GetValueOrDefault((from, g)) + 1;
        var onLongest = new HashSet<Group>((result.LongestChain?.LiquidationIds ?? []).Where(groupOf.ContainsKey).Select(id => groupOf[id]));

        var sb = new StringBuilder();
        var arrow = "arrow" + idSuffix;
        var arrowX = "arrowx" + idSuffix;
        sb.Append(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chain-diagram\" role=\"img\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">");
        sb.Append("<title>Liquidation chains: rounds left to right, causes as arrows</title>");
        sb.Append(Inv, $"<defs><marker id=\"{arrow}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"9\" markerHeight=\"9\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" fill=\"#8c959f\"/></marker>");
        sb.Append(Inv, $"<marker id=\"{arrowX}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"9\" markerHeight=\"9\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" fill=\"#e8590c\"/></marker></defs>");
        for (var c = 0; c < drawnRounds.Count; c++)
        {
            var x = Margin + c * ColumnWidth + NodeWidth / 2;
            sb.Append(Inv, $"<text x=\"{x}\" y=\"18\" text-anchor=\"middle\" font-weight=\"bold\" fill=\"#24292f\">Round {drawnRounds[c]}{(drawnRounds[c] == 0 ? " (shock)" : "")}</text>");
        }
        foreach (var ((from, to), count) in edges.OrderBy(e => e.Key.From.Round))
        {
            var cross = from.Protocol != to.Protocol;
            double x1 = from.X + NodeWidth, y1 = from.Y + NodeHeight / 2.0, x2 = to.X - 2, y2 = to.Y + NodeHeight / 2.0;
            var mid = (x1 + x2) / 2;
            var w = 1 + Math.Log2(count);
            sb.Append(Inv, $"<path d=\"M{x1:0.#},{y1:0.#} C{mid:0.#},{y1:0.#} {mid:0.#},{y2:0.#} {x2:0.#},{y2:0.#}\" fill=\"none\" stroke=\"{(cross ? "#e8590c" : "#8c959f")}\" stroke-width=\"{w:0.##}\" marker-end=\"url(#{(cross ? arrowX : arrow)})\" opacity=\"0.85\">");
            sb.Append(Inv, $"<title>{count} causal link(s){(cross ? ", across protocols" : "")}</title></path>");
        }
        foreach (var g in drawn)
        {
            var colour = parts.Colour(g.Protocol);
            var label = Truncate(parts.ShortMarketLabel(snapshot, g.Protocol, g.Market), 26);
            var stroke = onLongest.Contains(g) ? "stroke=\"#24292f\" stroke-width=\"2.5\"" : $"stroke=\"{colour}\" stroke-width=\"1\"";
            sb.Append(Inv, $"<g><title>{Escape.Html(g.Protocol)} · {Escape.Html(parts.MarketLabel(snapshot, g.Protocol, g.Market))}: {g.Liquidations.Count} liquidation(s), {Escape.Html(Format.Usd(g.DebtRepaidUsd))} debt repaid</title>");
            sb.Append(Inv, $"<rect x=\"{g.X:0.#}\" y=\"{g.Y:0.#}\" width=\"{NodeWidth}\" height=\"{NodeHeight}\" rx=\"5\" fill=\"{colour}\" fill-opacity=\"0.12\" {stroke}/>");
            sb.Append(Inv, $"<rect x=\"{g.X:0.#}\" y=\"{g.Y:0.#}\" width=\"5\" height=\"{NodeHeight}\" rx=\"2\" fill=\"{colour}\"/>");
            sb.Append(Inv, $"<text x=\"{g.X + 11:0.#}\" y=\"{g.Y + 17:0.#}\" fill=\"#24292f\">{Escape.Html(label)}</text>");
            sb.Append(Inv, $"<text x=\"{g.X + 11:0.#}\" y=\"{g.Y + 33:0.#}\" fill=\"#57606a\">{g.Liquidations.Count} liq · {Escape.Html(SvgChart.Compact(g.DebtRepaidUsd))} USD</text></g>");
        }
        // Legend.
        var ly = height - 12;
        var lx = Margin;
        foreach (var p in parts.Protocols.Select(x => x.Protocol))
        {
            sb.Append(Inv, $"<rect x=\"{lx}\" y=\"{ly - 9}\" width=\"10\" height=\"10\" fill=\"{parts.Colour(p)}\"/><text x=\"{lx + 14}\" y=\"{ly}\" fill=\"#24292f\">{p}</text>");
            lx += 100;
        }
        sb.Append(Inv, $"<line x1=\"{lx}\" y1=\"{ly - 4}\" x2=\"{lx + 24}\" y2=\"{ly - 4}\" stroke=\"#e8590c\" stroke-width=\"2\"/><text x=\"{lx + 30}\" y=\"{ly}\" fill=\"#24292f\">cross-protocol cause</text>");
        lx += 150;
        sb.Append(Inv, $"<rect x=\"{lx}\" y=\"{ly - 9}\" width=\"14\" height=\"10\" fill=\"none\" stroke=\"#24292f\" stroke-width=\"2\"/><text x=\"{lx + 20}\" y=\"{ly}\" fill=\"#24292f\">on the longest chain</text>");
        sb.Append("</svg>");
        return new(sb.ToString(), drawn.Count, groups.Count, edges.Count, drawnRounds.Count, rounds.Count);
    }

    /// <summary>Shortens raw text before escaping (escaping first could cut an entity in half).</summary>
    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
