using System.Globalization;
using System.Text;

namespace DefiRisk.Reporting.Charts;

/// <summary>One line (or one bar group) of a chart: a label and its points.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points);

/// <summary>
/// Inline SVG charts for self-contained reports: no script, no external font or stylesheet, so the
/// HTML opens offline and a forum can host the image as is. All text goes through <see cref="Escape.Html"/>.
/// </summary>
public static class SvgChart
{
    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
    private const int Width = 720, Height = 320, Left = 80, Right = 20, Top = 36, Bottom = 48;

    public static string Line(string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series) =>
        Render(title, xLabel, yLabel, series, bars: false);

    /// <summary>Grouped bars: each series is one colour, X values are the categories (e.g. round numbers).</summary>
    public static string Bars(string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series) =>
        Render(title, xLabel, yLabel, series, bars: true);

    private static string Render(string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series, bool bars)
    {
        var all = series.SelectMany(s => s.Points).ToList();
        double minX = all.Count == 0 ? 0 : all.Min(p => p.X), maxX = all.Count == 0 ? 1 : all.Max(p => p.X);
        double minY = Math.Min(0, all.Count == 0 ? 0 : all.Min(p => p.Y)), maxY = all.Count == 0 ? 1 : all.Max(p => p.Y);
        if (bars) { minX -= 0.5; maxX += 0.5; }
        if (maxX <= minX) maxX = minX + 1;
        if (maxY <= minY) maxY = minY + 1;
        maxY = NiceCeiling(maxY);
        double plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        double Sx(double x) => Left + (x - minX) / (maxX - minX) * plotW;
        double Sy(double y) => Top + plotH - (y - minY) / (maxY - minY) * plotH;

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        sb.Append(CultureInfo.InvariantCulture, $"<title>{Escape.Html(title)}</title>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"18\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{Escape.Html(title)}</text>");
        // Axes, gridlines and ticks.
        for (var i = 0; i <= 4; i++)
        {
            var yv = minY + (maxY - minY) * i / 4;
            var y = Sy(yv);
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Width - Right}\" y2=\"{y:0.#}\" stroke=\"#ddd\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{Compact(yv)}</text>");
        }
        var xs = all.Select(p => p.X).Distinct().OrderBy(x => x).ToList();
        var step = Math.Max(1, xs.Count / 10);
        for (var i = 0; i < xs.Count; i += step)
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Sx(xs[i]):0.#}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{Compact(xs[i])}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top + plotH}\" x2=\"{Width - Right}\" y2=\"{Top + plotH}\" stroke=\"#333\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Top + plotH}\" stroke=\"#333\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + plotW / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\">{Escape.Html(xLabel)}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(14 {Top + plotH / 2}) rotate(-90)\" text-anchor=\"middle\">{Escape.Html(yLabel)}</text>");

        for (var s = 0; s < series.Count; s++)
        {
            var colour = Palette[s % Palette.Length];
            var pts = series[s].Points.OrderBy(p => p.X).ToList();
            if (bars)
            {
                var groupWidth = plotW / Math.Max(1, maxX - minX) * 0.8;
                var barWidth = groupWidth / series.Count;
                foreach (var (x, y) in pts)
                {
                    var bx = Sx(x) - groupWidth / 2 + s * barWidth;
                    var top = Sy(Math.Max(0, y));
                    var h = Math.Abs(Sy(y) - Sy(0));
                    sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{bx:0.##}\" y=\"{top:0.##}\" width=\"{Math.Max(1, barWidth - 1):0.##}\" height=\"{h:0.##}\" fill=\"{colour}\"><title>{Escape.Html(series[s].Name)}: {Compact(y)}</title></rect>");
                }
            }
            else if (pts.Count > 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"");
                foreach (var (x, y) in pts) sb.Append(CultureInfo.InvariantCulture, $"{Sx(x):0.##},{Sy(y):0.##} ");
                sb.Append("\"/>");
                foreach (var (x, y) in pts)
                    sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{Sx(x):0.##}\" cy=\"{Sy(y):0.##}\" r=\"2.5\" fill=\"{colour}\"><title>{Escape.Html(series[s].Name)} @ {Compact(x)}: {Compact(y)}</title></circle>");
            }
            // Legend.
            var lx = Left + 10 + s * 150;
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{lx}\" y=\"{Top - 12}\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{lx + 14}\" y=\"{Top - 3}\">{Escape.Html(series[s].Name)}</text>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static double NiceCeiling(double v)
    {
        if (v <= 0) return 1;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(v)));
        foreach (var m in new[] { 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10 })
            if (m * magnitude >= v) return m * magnitude;
        return 10 * magnitude;
    }

    /// <summary>1234567 → "1.23M": short axis labels, invariant culture.</summary>
    public static string Compact(double v)
    {
        var a = Math.Abs(v);
        return a switch
        {
            >= 1e9 => (v / 1e9).ToString("0.##", CultureInfo.InvariantCulture) + "B",
            >= 1e6 => (v / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + "M",
            >= 1e3 => (v / 1e3).ToString("0.##", CultureInfo.InvariantCulture) + "k",
            _ => v.ToString("0.##", CultureInfo.InvariantCulture),
        };
    }
}
