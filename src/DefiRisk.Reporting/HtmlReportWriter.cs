using System.Text;

namespace DefiRisk.Reporting;

/// <summary>
/// One self-contained HTML file: inline CSS, charts as inline SVG, no script, font, image or stylesheet from anywhere,
/// and a Content-Security-Policy that forbids scripts and every fetch, so even text that slipped past escaping could
/// neither run nor phone home. Every text segment is escaped with <see cref="Escape.Html"/>.
/// </summary>
public static class HtmlReportWriter
{
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

    public static string Write(ReportDocument doc)
    {
        var sb = new StringBuilder(64 * 1024);
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        sb.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"").Append(ContentSecurityPolicy).Append("\">\n");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        sb.Append("<meta name=\"referrer\" content=\"no-referrer\">\n");
        sb.Append("<title>").Append(H(doc.Title)).Append("</title>\n<style>").Append(Css).Append("</style>\n</head>\n<body>\n");
        sb.Append("<header class=\"report-header\"><div class=\"wrap\"><div class=\"brand\">DefiRisk</div><h1>").Append(H(doc.Title))
          .Append("</h1><p class=\"meta\">").Append(H(doc.Subtitle)).Append("</p></div></header>\n<main class=\"wrap\">\n");
        var open = false;
        foreach (var block in doc.Blocks)
        {
            if (block is SectionStart section)
            {
                if (open) sb.Append("</section>\n");
                sb.Append("<section id=\"").Append(Escape.Html(section.Id)).Append("\">\n");
                open = true;
            }
            else WriteBlock(sb, block);
        }
        if (open) sb.Append("</section>\n");
        sb.Append("</main>\n<footer class=\"wrap\"><p>").Append(H(doc.Footer)).Append("</p></footer>\n</body>\n</html>\n");
        return sb.ToString();
    }

    private static void WriteBlock(StringBuilder sb, Block block)
    {
        switch (block)
        {
            case Heading h:
                sb.Append('<').Append(h.Level == 2 ? "h2" : "h3").Append('>').Append(H(h.Title)).Append("</").Append(h.Level == 2 ? "h2" : "h3").Append(">\n");
                break;
            case Paragraph p:
                sb.Append("<p>").Append(H(p.Content)).Append("</p>\n");
                break;
            case Note n:
                sb.Append("<p class=\"note\">").Append(H(n.Content)).Append("</p>\n");
                break;
            case BulletList l:
                sb.Append("<ul>");
                foreach (var item in l.Items) sb.Append("<li>").Append(H(item)).Append("</li>");
                sb.Append("</ul>\n");
                break;
            case KeyFigures k:
                sb.Append("<div class=\"kpis\">");
                foreach (var (label, value) in k.Items)
                    sb.Append("<div class=\"kpi\"><div class=\"kpi-value\">").Append(H(value)).Append("</div><div class=\"kpi-label\">").Append(H(label)).Append("</div></div>");
                sb.Append("</div>\n");
                break;
            case Table t:
                WriteTable(sb, t);
                break;
            case Figure f:
                sb.Append("<figure>").Append(f.Svg).Append("<figcaption>").Append(H(f.Caption)).Append("</figcaption></figure>\n");
                break;
            case SideBySide pair:
                sb.Append("<div class=\"pair\">\n");
                WriteBlock(sb, pair.Left);
                WriteBlock(sb, pair.Right);
                sb.Append("</div>\n");
                break;
        }
    }

    private static void WriteTable(StringBuilder sb, Table t)
    {
        sb.Append("<div class=\"table-wrap\"><table>\n<caption>").Append(H(t.Caption)).Append("</caption>\n<thead><tr>");
        for (var i = 0; i < t.Headers.Count; i++)
            sb.Append(Num(t, i) ? "<th class=\"num\" scope=\"col\">" : "<th scope=\"col\">").Append(H(t.Headers[i])).Append("</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in t.Rows)
        {
            sb.Append("<tr>");
            for (var i = 0; i < row.Count; i++)
                sb.Append(Num(t, i) ? "<td class=\"num\">" : "<td>").Append(H(row[i])).Append("</td>");
            sb.Append("</tr>\n");
        }
        sb.Append("</tbody>\n</table></div>\n");
    }

    private static bool Num(Table t, int i) => i < t.Numeric.Count && t.Numeric[i];

    /// <summary>Every segment escaped, ours included: nothing reaches the page raw.</summary>
    private static string H(Text text)
    {
        var sb = new StringBuilder();
        foreach (var s in text.Segments) sb.Append(Escape.Html(s.Value));
        return sb.ToString();
    }

    // A sober, print-friendly look: system fonts only (no web font request), tabular figures in tables.
    private const string Css = """

:root{--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa;--accent:#0b3d91}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;color:var(--ink);background:#fff;font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif}
.wrap{max-width:1180px;margin:0 auto;padding:0 32px}
.report-header{background:var(--accent);color:#fff;padding:28px 0 22px;margin-bottom:8px}
.report-header h1{margin:2px 0 6px;font-size:28px;font-weight:650;letter-spacing:-.01em}
.report-header .meta{margin:0;color:#d7e3fb;font-size:14px}
.brand{font-size:12px;text-transform:uppercase;letter-spacing:.14em;color:#9fbaf0;font-weight:600}
section{padding:8px 0 18px;border-bottom:1px solid var(--line)}
section:last-of-type{border-bottom:0}
h2{font-size:21px;margin:26px 0 10px;font-weight:650;color:var(--accent)}
h3{font-size:16px;margin:24px 0 8px;font-weight:650}
p{margin:8px 0;max-width:82ch}
p.note{color:var(--muted);font-style:italic}
ul{margin:8px 0 12px;padding-left:22px}
.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px;margin:12px 0 6px}
.kpi{border:1px solid var(--line);border-radius:8px;padding:12px 14px;background:var(--soft)}
.kpi-value{font-size:20px;font-weight:650;font-variant-numeric:tabular-nums;word-break:break-word}
.kpi-label{font-size:12.5px;color:var(--muted);margin-top:2px;word-break:break-word}
.table-wrap{overflow-x:auto;margin:12px 0 18px}
table{border-collapse:collapse;width:100%;font-size:13.5px;font-variant-numeric:tabular-nums}
caption{caption-side:top;text-align:left;font-weight:600;color:var(--ink);padding:0 0 6px;font-size:13.5px}
th,td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top;line-height:1.4}
th{background:var(--soft);font-weight:600;border-top:1px solid var(--line);vertical-align:bottom}
tbody tr:nth-child(even){background:#fbfcfd}
td.num,th.num{text-align:right}
td.num{white-space:nowrap}
figure{margin:14px 0 18px;padding:14px 14px 10px;border:1px solid var(--line);border-radius:8px;background:#fff}
svg.chart{display:block;max-width:100%;height:auto;margin:0 auto}
figcaption{font-size:13px;color:var(--muted);margin-top:8px}
.pair{display:grid;grid-template-columns:minmax(0,1fr);gap:4px;align-items:start}
.pair figure,.pair .table-wrap{margin:8px 0 14px}
footer{color:var(--muted);font-size:12.5px;padding:18px 32px 40px}
@media print{.report-header{background:#fff;color:var(--ink);border-bottom:2px solid var(--ink)}.report-header .meta,.brand{color:var(--muted)}figure,table{break-inside:avoid}}

""";
}
