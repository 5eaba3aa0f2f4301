using System.CommandLine;

namespace DefiRisk.Cli;

/// <summary>Every verb of the <c>defirisk</c> program, in the order <c>--help</c> lists them.</summary>
internal static class Verbs
{
    public static IEnumerable<Command> All()
    {
        yield return Commands.BenchCommand.Create();
    }
}
