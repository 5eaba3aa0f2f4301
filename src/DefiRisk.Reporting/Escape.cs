using System.Text;

namespace DefiRisk.Reporting.Document;

/// <summary>
/// On-chain strings (token symbols and names) are chosen by whoever deployed the token: every report
/// passes them through here. HTML: entity-encode; Markdown: backslash-escape Markdown syntax and
/// entity-encode angle brackets, since forum renderers pass inline HTML through. Both: control characters become
/// spaces, and invisible formatting characters (bidi overrides, zero-width spaces: Unicode category Cf) become U+FFFD,
/// so a symbol like "US\u200BDC" cannot pass for USDC and "\u202E" cannot reverse the text after it.
/// </summary>
public static class Escape
{
    public static string Html(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                default:
                    if (char.IsControl(c)) sb.Append(' ');
                    else if (IsInvisibleFormat(c)) sb.Append('\uFFFD');
                    else sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    private const string MarkdownSpecials = "\\`*_{}[]()#+-.!|~";

    public static string Markdown(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (c == '<') sb.Append("&lt;");
            else if (c == '>') sb.Append("&gt;");
            else if (c == '&') sb.Append("&amp;");
            else if (char.IsControl(c)) sb.Append(' ');
            else if (IsInvisibleFormat(c)) sb.Append('\uFFFD');
            else
            {
                if (MarkdownSpecials.IndexOf(c) >= 0) sb.Append('\\');
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    private static bool IsInvisibleFormat(char c) => char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format;
}
