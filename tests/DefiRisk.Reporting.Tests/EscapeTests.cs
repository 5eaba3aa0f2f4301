using DefiRisk.Reporting;
using DefiRisk.Reporting.Charts;

namespace DefiRisk.Reporting.Tests;

public sealed class EscapeTests
{
    private const string MaliciousSymbol = "<img src=x onerror=alert(1)>";

    [Fact]
    public void A_malicious_symbol_becomes_inert_text_in_html()
    {
        var html = Escape.Html(MaliciousSymbol);
        Assert.Equal("&lt;img src=x onerror=alert(1)&gt;", html);
        Assert.DoesNotContain('<', html);
    }

    [Fact]
    public void A_malicious_symbol_cannot_open_a_tag_or_a_link_in_markdown()
    {
        var md = Escape.Markdown(MaliciousSymbol + "[click](javascript:x)");
        Assert.DoesNotContain('<', md);
        Assert.Contains("\\[click\\]\\(javascript:x\\)", md);
    }

    [Fact]
    public void Chart_labels_and_series_names_are_escaped()
    {
        var svg = SvgChart.Line("t<script>", "x", "y", [new ChartSeries(MaliciousSymbol, [(0, 1), (1, 2)])]);
        Assert.DoesNotContain("<img", svg);
        Assert.DoesNotContain("<script", svg);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", svg);
        Assert.StartsWith("<svg", svg);
        Assert.Contains("<polyline", svg);
    }

    [Theory]
    [InlineData("US\u200BDC", "US\uFFFDDC")]          // zero-width space: must not pass for USDC
    [InlineData("\u202EcdSU", "\uFFFDcdSU")]          // right-to-left override
    [InlineData("W\u2066ETH\u2069", "W\uFFFDETH\uFFFD")]  // bidi isolates
    public void Invisible_formatting_characters_become_visible_in_html_and_markdown(string symbol, string shown)
    {
        Assert.Equal(shown, Escape.Html(symbol));
        Assert.Equal(shown, Escape.Markdown(symbol));
    }

    [Theory]
    [InlineData(1234567d, "1.23M")]
    [InlineData(950d, "950")]
    [InlineData(2_500_000_000d, "2.5B")]
    public void Axis_labels_are_compact_and_culture_invariant(double value, string expected) =>
        Assert.Equal(expected, SvgChart.Compact(value));
}
