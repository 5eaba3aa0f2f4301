using System.CommandLine;
using DefiRisk.Chain.Tests.Indexing;
using DefiRisk.Cli;

namespace DefiRisk.Chain.Tests.Analysis;

/// <summary><c>--report</c> on the analysis verbs, run in-process on the indexed demo fixture.</summary>
[Collection(DemoChainCollection.Name)]
[Trait("Category", "ChainParity")]
public sealed class ReportVerbTests(DemoChain chain)
{
    private static readonly string ExampleProposal = Path.Combine(RepoRoot(), "fixtures", "example-proposal.json");

    private static Task<int> Run(params string[] args)
    {
        var root = new RootCommand("test");
        foreach (var verb in Verbs.All()) root.Subcommands.Add(verb);
        return CliRunner.RunAsync(root, args);
    }

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "DefiRisk.sln"))) return d.FullName;
        throw new InvalidOperationException("repository root (DefiRisk.sln) not found above the test assembly");
    }

    private string Temp(string extension) => Path.Combine(chain.TempDir, $"{Guid.NewGuid():N}{extension}");

    [Fact]
    public async Task Simulate_writes_a_self_contained_html_report_with_the_cascade()
    {
        var file = Temp(".html");
        Assert.Equal(0, await Run("simulate", "--db", chain.Database, "--shock", "WETH=-10%", "--report", file, "--quiet"));
        var html = File.ReadAllText(file);
        Assert.Contains("Content-Security-Policy", html);
        Assert.Contains("<svg", html);
        Assert.Contains("WETH=-10%", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Compare_writes_a_markdown_report_with_baseline_and_proposal_side_by_side()
    {
        var file = Temp(".md");
        Assert.Equal(0, await Run("compare", "--db", chain.Database, "--proposal", ExampleProposal, "--shock", "WETH=-10%",
            "--sweep-asset", "WETH", "--from", "0%", "--to", "20%", "--step", "10%", "--report", file, "--quiet"));
        var md = File.ReadAllText(file);
        Assert.Contains("weth\\-lt\\-and\\-breakers", md);
        Assert.Contains("Baseline vs proposal", md, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("| Figure |", md);
    }

    [Fact]
    public async Task A_report_path_with_an_unknown_extension_is_refused_with_exit_2()
    {
        Assert.Equal(2, await Run("simulate", "--db", chain.Database, "--shock", "WETH=-10%", "--report", Temp(".pdf"), "--quiet"));
    }
}
