using DefiRisk.Core;

namespace DefiRisk.Reporting;

/// <summary>
/// The entry point for the CLI's <c>--report FILE</c>: the file's extension picks the format (.html/.htm → a
/// self-contained HTML page, .md/.markdown → Markdown for a forum post).
/// </summary>
public static class ReportWriter
{
    public static string Html(ReportInput input) => HtmlReportWriter.Write(ReportBuilder.Build(input));

    /// <param name="chartStem">the PNG charts' name stem (<c>STEM-chart-NN.png</c>, linked beside the post).</param>
    public static string Markdown(ReportInput input, string chartStem = "report") => MarkdownReportWriter.Write(ReportBuilder.Build(input), chartStem);

    /// <summary>
    /// Writes the report to <paramref name="path"/> (UTF-8, no BOM); returns the format written ("html" or "markdown").
    /// Markdown also writes its charts as PNG files beside it (<c>NAME-chart-01.png</c> … for <c>NAME.md</c>).
    /// </summary>
    public static string Write(string path, ReportInput input)
    {
        var stem = Path.GetFileNameWithoutExtension(path);
        var doc = ReportBuilder.Build(input);
        var (format, text) = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".html" or ".htm" => ("html", HtmlReportWriter.Write(doc)),
            ".md" or ".markdown" => ("markdown", MarkdownReportWriter.Write(doc, stem)),
            var ext => throw new DefiRiskException($"report file '{path}' must end in .html or .md (got '{ext}')"),
        };
        try
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            if (format == "markdown")
                foreach (var (figure, file) in MarkdownReportWriter.Charts(doc, stem))
                    File.WriteAllBytes(Path.Combine(dir ?? ".", file), Charts.PngChart.FromSvg(figure.Svg));
            File.WriteAllText(path, text, new System.Text.UTF8Encoding(false));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DefiRiskException($"cannot write report '{path}': {e.Message}");
        }
        return format;
    }
}
