using System.Text;

namespace DefiRisk.Reporting;

/// <summary>
/// Markdown for a governance-forum post: headings, key figures and tables; charts as PNG files beside the post, linked
/// by relative name (<see cref="ReportWriter.Write"/> writes them), each with its caption. On-chain segments go through <see cref="Escape.Markdown"/>; our own text only has the
/// characters that could break a table or open HTML escaped, so numbers stay readable in the raw post.
/// </summary>
public static class MarkdownReportWriter
{
    /// <summary>The charts of <paramref name="doc"/> in order, named as <see cref="Write"/> links them: <c>STEM-chart-01.png</c> …</summary>
    public static IReadOnlyList<(Figure Figure, string File)> Charts(ReportDocument doc, string stem)
    {
        var figures = new List<Figure>();
        void Collect(Block block)
        {
            if (block is Figure f) figures.Add(f);
            else if (block is SideBySide pair) { Collect(pair.Left); Collect(pair.Right); }
        }
        foreach (var block in doc.Blocks) Collect(block);
        return figures.Select((f, i) => (f, $"{stem}-chart-{i + 1:00}.png")).ToList();
    }

    /// <param name="chartStem">charts are linked as PNG files <c>STEM-chart-NN.png</c> beside the post (<see cref="Charts"/>).</param>
    public static string Write(ReportDocument doc, string chartStem = "report")
    {
        var sb = new StringBuilder(32 * 1024);
        var images = new Dictionary<object, string>(ReferenceEqualityComparer.Instance);
        foreach (var (figure, file) in Charts(doc, chartStem)) images[figure] = file;
        sb.Append("# ").Append(M(doc.Title)).Append("\n\n*").Append(M(doc.Subtitle)).Append("*\n");
        foreach (var block in doc.Blocks) WriteBlock(sb, block, images);
        sb.Append("\n---\n\n*").Append(M(doc.Footer)).Append("*\n");
        return sb.ToString();
    }

    private static void WriteBlock(StringBuilder sb, Block block, IReadOnlyDictionary<object, string> images)
    {
        switch (block)
        {
            case Heading h:
                sb.Append('\n').Append(h.Level == 2 ? "## " : "### ").Append(M(h.Title)).Append('\n');
                break;
            case Paragraph p:
                sb.Append('\n').Append(M(p.Content)).Append('\n');
                break;
            case Note n:
                sb.Append("\n*").Append(M(n.Content)).Append("*\n");
                break;
            case BulletList l:
                sb.Append('\n');
                foreach (var item in l.Items) sb.Append("- ").Append(M(item)).Append('\n');
                break;
            case KeyFigures k:
                sb.Append("\n| Figure | Value |\n|:--|--:|\n");
                foreach (var (label, value) in k.Items) sb.Append("| ").Append(M(label)).Append(" | ").Append(M(value)).Append(" |\n");
                break;
            case Table t:
                WriteTable(sb, t);
                break;
            case Figure f:
                // The image's alt text is the caption, escaped for a link label; the caption follows as text.
                var alt = M(f.Caption).Replace("[", "\\[", StringComparison.Ordinal).Replace("]", "\\]", StringComparison.Ordinal);
                sb.Append("\n![").Append(alt).Append("](").Append(images[f]).Append(")\n\n*").Append(M(f.Caption)).Append("*\n");
                break;
            case SideBySide pair:
                WriteBlock(sb, pair.Left, images);
                WriteBlock(sb, pair.Right, images);
                break;
        }
    }

    private static void WriteTable(StringBuilder sb, Table t)
    {
        sb.Append("\n**").Append(M(t.Caption)).Append("**\n\n|");
        foreach (var h in t.Headers) sb.Append(' ').Append(M(h)).Append(" |");
        sb.Append("\n|");
        for (var i = 0; i < t.Headers.Count; i++) sb.Append(i < t.Numeric.Count && t.Numeric[i] ? "--:|" : ":--|");
        sb.Append('\n');
        foreach (var row in t.Rows)
        {
            sb.Append('|');
            foreach (var cell in row) sb.Append(' ').Append(M(cell)).Append(" |");
            sb.Append('\n');
        }
    }

    private static string M(Text text)
    {
        var sb = new StringBuilder();
        foreach (var s in text.Segments) sb.Append(s.OnChain ? Escape.Markdown(s.Value) : Own(s.Value));
        return sb.ToString();
    }

    /// <summary>Our own text: keep it readable, but never let it close a table cell, open a tag or an entity.</summary>
    private static string Own(string s)
    {
        var sb = new StringBuilder(s.Length + 8);
        foreach (var c in s)
        {
            switch (c)
            {
                case '|': sb.Append("\\|"); break;
                case '\\': sb.Append("\\\\"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '\n' or '\r': sb.Append(' '); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }
}
