using DefiRisk.Core;

namespace DefiRisk.Reporting;

/// <summary>
/// The entry point for the CLI's <c>--report FILE</c>: the file's extension picks the format (.html/.htm → a
/// self-contained HTML page, .md/.markdown → Markdown for a forum post).
/// </summary>
public static class ReportWriter
{
    public static string Html(ReportInput input) => HtmlReportWriter.Write(ReportBuilder.Build(input));

    public static string Markdown(ReportInput input) => MarkdownReportWriter.Write(ReportBuilder.Build(input));

    /// <summary>Writes the report to <paramref name="path"/> (UTF-8, no BOM); returns the format written ("html" or "markdown").</summary>
    public static string Write(string path, ReportInput input)
    {
        var (format, text) = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".html" or ".htm" => ("html", Html(input)),
            ".md" or ".markdown" => ("markdown", Markdown(input)),
            var ext => throw new DefiRiskException($"report file '{path}' must end in .html or .md (got '{ext}')"),
        };
        try
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            File.WriteAllText(path, text, new System.Text.UTF8Encoding(false));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DefiRiskException($"cannot write report '{path}': {e.Message}");
        }
        return format;
    }
}
