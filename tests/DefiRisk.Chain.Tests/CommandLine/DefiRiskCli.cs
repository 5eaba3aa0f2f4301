using System.CommandLine;
using DefiRisk.Cli;

namespace DefiRisk.Chain.Tests.CommandLine;

/// <summary>What a CLI run left: its exit code, stdout and stderr.</summary>
public sealed record CliOutput(int Code, string Stdout, string Stderr)
{
    /// <summary>stderr's non-empty lines.</summary>
    public IReadOnlyList<string> ErrorLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {Code}; stderr: {Stderr.Trim()}; stdout: {(Stdout.Length > 300 ? Stdout[..300] + "…" : Stdout)}";
}

/// <summary>Runs the real <c>defirisk</c> command tree in-process, as <c>Program</c> does, capturing stdout and stderr.</summary>
public static class DefiRiskCli
{
    // Console.SetOut/SetError are process-wide: one run at a time (collections run one after another anyway).
    private static readonly SemaphoreSlim ConsoleLock = new(1, 1);

    public static async Task<CliOutput> RunAsync(params string[] args)
    {
        var root = new RootCommand();
        foreach (var verb in Verbs.All()) root.Subcommands.Add(verb);
        var errors = new StringWriter();
        var output = new StringWriter();
        await ConsoleLock.WaitAsync();
        var (oldErr, oldOut) = (Console.Error, Console.Out);
        try
        {
            Console.SetError(errors);
            Console.SetOut(output);
            var code = await CliRunner.RunAsync(root, args);
            return new CliOutput(code, output.ToString(), errors.ToString());
        }
        finally
        {
            Console.SetError(oldErr);
            Console.SetOut(oldOut);
            ConsoleLock.Release();
        }
    }

    /// <summary>A bad-input or chain failure as the house rules want it: the code, exactly one line on stderr, no stack trace, no help.</summary>
    public static string AssertOneLineFailure(CliOutput run, int code)
    {
        Assert.True(run.Code == code, $"expected exit {code}: {run}");
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: ", line);
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.DoesNotContain("Exception", run.Stderr);
        Assert.DoesNotContain("Usage:", run.Stdout + run.Stderr);
        return line;
    }
}
