using System.CommandLine;
using DefiRisk.Cli.Commands;

namespace DefiRisk.Cli.Commands;

/// <summary>Every verb of the <c>defirisk</c> program, in the order <c>--help</c> lists them.</summary>
internal static class Verbs
{
    public static IEnumerable<Command> All()
    {
        yield return IndexCommand.Create();
        yield return PositionsCommand.Create();
        yield return SimulateCommand.Create();
        yield return SweepCommand.Create();
        yield return CompareCommand.Create();
        yield return BenchCommand.Create();
        yield return FixtureCommands.Create();
    }
}
