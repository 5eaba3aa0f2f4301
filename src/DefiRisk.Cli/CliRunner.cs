using System.CommandLine;
using DefiRisk.Core;

namespace DefiRisk.Cli.Commands;

/// <summary>
/// Runs the parsed command and turns user-caused failures (<see cref="DefiRiskException"/>)
/// into one line on stderr and a non-zero exit code.
/// </summary>
internal static class CliRunner
{
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        try
        {
            return await root.Parse(args).InvokeAsync(config);
        }
        catch (DefiRiskException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return ex.ExitCode;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("error: cancelled");
            return 130;
        }
    }
}
