using System.Runtime.CompilerServices;

namespace DefiRisk.Reporting.Tests;

/// <summary>
/// The Markdown of a fixed input, compared byte for byte with Expectations/. After an intended change, regenerate with
/// <c>DEFIRISK_UPDATE_GOLDEN=1 dotnet test tests/DefiRisk.Reporting.Tests</c> and review the diff.
/// </summary>
public sealed class GoldenMarkdownTests
{
    [Fact]
    public void Markdown_report_of_the_mini_market_matches_the_golden_file()
    {
        var actual = ReportWriter.Markdown(ReportMarket.FullInput(exactSweep: true));
        var path = Path.Combine(SourceDir(), "Expectations", "MiniMarketReport.verified.md");
        if (Environment.GetEnvironmentVariable("DEFIRISK_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"golden file {path} is missing: run with DEFIRISK_UPDATE_GOLDEN=1 to create it");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        Assert.Equal(expected, actual);
    }

    private static string SourceDir([CallerFilePath] string file = "") => Path.GetDirectoryName(file)!;
}
