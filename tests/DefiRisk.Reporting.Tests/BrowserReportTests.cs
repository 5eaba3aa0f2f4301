using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace DefiRisk.Reporting.Tests;

/// <summary>
/// Opens the HTML report in a real browser (Debian's headless Chromium, installed by .ci/run): the DOM it builds must have
/// the charts and tables, the hostile symbols as text, no element they would have injected and no script having run.
/// The screenshot is kept under TestResults/ at the repository root for a human to look at.
/// </summary>
[Trait("Category", "Browser")]
public sealed class BrowserReportTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public void Chromium_renders_the_report_with_charts_and_tables_and_runs_no_script()
    {
        Assert.True(File.Exists(Chromium), "chromium not found: run `apt-get install -y chromium` (done by .ci/run)");
        var dir = Directory.CreateTempSubdirectory("defirisk-browser-");
        try
        {
            var input = ReportMarket.FullInput();
            var report = Path.Combine(dir.FullName, "report.html");
            ReportWriter.Write(report, input);
            var url = new Uri(report).AbsoluteUri;

            var dom = RunChromium(dir.FullName, "--dump-dom", url);
            Assert.Contains("<svg", dom);
            var charts = Regex.Matches(dom, "<svg[^>]*class=\"chart").Count;
            Assert.Equal(8, charts);
            Assert.True(Regex.Matches(dom, "<table>").Count >= 8, "tables missing from the DOM");
            Assert.Equal(Regex.Matches(dom, "<table>").Count, Regex.Matches(dom, "<caption>").Count);
            foreach (var id in ReportBuilder.SectionIds) Assert.Contains($"<section id=\"{id}\">", dom);

            // The hostile symbols are text nodes: serialised escaped, and no element they spell exists.
            Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", dom);
            Assert.DoesNotContain("<img", dom, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;", dom);
            Assert.DoesNotContain("<script", dom, StringComparison.OrdinalIgnoreCase);
            // The canary would have set the title to 'pwned' had any script run.
            Assert.Equal(input.Title, Regex.Match(dom, "<title>(.*?)</title>").Groups[1].Value);

            var shot = Path.Combine(dir.FullName, "shot.png");
            RunChromium(dir.FullName, $"--screenshot={shot}", "--window-size=1280,4000", "--hide-scrollbars", url);
            Assert.True(File.Exists(shot) && new FileInfo(shot).Length > 10_000, "no screenshot written");
            var kept = Path.Combine(RepoRoot(), "TestResults", "report-screenshot.png");
            Directory.CreateDirectory(Path.GetDirectoryName(kept)!);
            File.Copy(shot, kept, overwrite: true);
            File.Copy(report, Path.ChangeExtension(kept, ".html"), overwrite: true);
            output.WriteLine($"screenshot: {kept}");
        }
        finally { dir.Delete(true); }
    }

    /// <summary>
    /// The measurements a reader at 1,280 px would make, by a script added to a copy of the report (the report itself
    /// forbids scripts): elements whose content is wider than their box, the page's width, where the verdict and the
    /// parameter table end, and every chart text's rendered height and effective font size.
    /// </summary>
    private const string Probe = """
<pre id="probe"></pre><script>
(function () {
  const out = { overflowing: [], pageWidth: document.documentElement.scrollWidth, verdictBottom: -1, parameterHeaderBottom: -1,
                parameterFirstRowBottom: -1, smallText: [], chartTexts: 0 };
  for (const el of document.querySelectorAll('body *')) {
    if (el.id === 'probe' || el.closest('svg')) continue;
    if (el.scrollWidth > el.clientWidth && el.clientWidth > 0) out.overflowing.push(el.tagName + '.' + el.className + ' ' + el.scrollWidth + '>' + el.clientWidth);
  }
  for (const t of document.querySelectorAll('table')) {
    const caption = t.caption ? t.caption.textContent : '';
    if (caption.startsWith('Verdict')) out.verdictBottom = t.getBoundingClientRect().bottom;
    if (caption.startsWith('Parameters the proposal changes')) {
      out.parameterHeaderBottom = t.tHead.getBoundingClientRect().bottom;
      out.parameterFirstRowBottom = t.tBodies[0].rows[0].getBoundingClientRect().bottom;
    }
  }
  for (const svg of document.querySelectorAll('svg.chart')) {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const text of svg.querySelectorAll('text')) {
      if (!text.textContent.trim()) continue;
      out.chartTexts++;
      const height = text.getBoundingClientRect().height;
      const font = parseFloat(getComputedStyle(text).fontSize) * scale;
      if (height < 11 || font < 11) out.smallText.push(text.textContent.slice(0, 30) + ' h=' + height.toFixed(1) + ' font=' + font.toFixed(1));
    }
  }
  document.getElementById('probe').textContent = JSON.stringify(out);
})();
</script>
""";

    [Fact]
    public void At_1280_px_nothing_overflows_the_verdict_and_parameter_table_are_in_the_first_screen_and_chart_text_is_at_least_11_px()
    {
        Assert.True(File.Exists(Chromium), "chromium not found: run `apt-get install -y chromium` (done by .ci/run)");
        var dir = Directory.CreateTempSubdirectory("defirisk-browser-layout-");
        try
        {
            var html = ReportWriter.Html(ReportMarket.FullInput());
            var csp = $"<meta http-equiv=\"Content-Security-Policy\" content=\"{HtmlReportWriter.ContentSecurityPolicy}\">";
            Assert.Contains(csp, html);
            var probed = Path.Combine(dir.FullName, "probed.html");
            File.WriteAllText(probed, html.Replace(csp, "").Replace("</body>", Probe + "</body>"));

            var dom = RunChromium(dir.FullName, "--window-size=1280,900", "--hide-scrollbars", "--dump-dom", new Uri(probed).AbsoluteUri);
            var json = System.Net.WebUtility.HtmlDecode(Regex.Match(dom, "<pre id=\"probe\">(.*?)</pre>", RegexOptions.Singleline).Groups[1].Value);
            Assert.False(string.IsNullOrEmpty(json), "the probe did not run");
            var m = System.Text.Json.JsonDocument.Parse(json).RootElement;
            output.WriteLine(json);

            Assert.True(m.GetProperty("overflowing").GetArrayLength() == 0, "elements wider than their box: " + m.GetProperty("overflowing"));
            Assert.InRange(m.GetProperty("pageWidth").GetDouble(), 1, 1280);
            Assert.InRange(m.GetProperty("verdictBottom").GetDouble(), 1, 900);
            Assert.InRange(m.GetProperty("parameterHeaderBottom").GetDouble(), 1, 900);
            Assert.InRange(m.GetProperty("parameterFirstRowBottom").GetDouble(), 1, 900);
            Assert.True(m.GetProperty("chartTexts").GetInt32() > 50, "chart texts not found");
            Assert.True(m.GetProperty("smallText").GetArrayLength() == 0, "chart text under 11 px: " + m.GetProperty("smallText"));
        }
        finally { dir.Delete(true); }
    }

    /// <summary>One headless Chromium run with a fresh profile and no network chatter; stdout returned.</summary>
    private static string RunChromium(string workDir, params string[] args)
    {
        var profile = Directory.CreateTempSubdirectory("defirisk-chromium-profile-");
        var psi = new ProcessStartInfo(Chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workDir,
        };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", $"--user-data-dir={profile.FullName}" }.Concat(args))
            psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromSeconds(90)))
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium {string.Join(' ', args)} did not finish within 90 s; stderr: {stderr.Result}");
            }
            Assert.True(p.ExitCode == 0, $"chromium exited with {p.ExitCode}: {stderr.Result}");
            return stdout.Result;
        }
        finally { profile.Delete(true); }
    }

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "DefiRisk.sln"))) return d.FullName;
        return AppContext.BaseDirectory;
    }
}
