using System.CommandLine;
using DefiRisk.Cli.Commands;

namespace DefiRisk.Cli.Commands;

/// <summary>Every verb of the <c>defirisk</c> program, in the order <c>--help</c> lists them.</summary>
internal static class Verbs
{
    public static IEnumerable<Command> All()
    {
        Command[] verbs =
        [
            IndexCommand.Create(),
            PositionsCommand.Create(),
            ParamsCommand.Create(),
            SimulateCommand.Create(),
            SweepCommand.Create(),
            CompareCommand.Create(),
            ReviewCommand.Create(),
            StressCommand.Create(),
            BenchCommand.Create(),
            FixtureCommands.Create(),
        ];
        foreach (var verb in verbs) WithExitCodes(verb);
        return verbs;
    }

    /// <summary>The exit codes every verb shares, and 1 where a verb has <c>--fail-if</c>.</summary>
    public static string ExitCodesText(Command command) =>
        "Exit codes: 0 done, " + (command.Options.Any(o => o.Name == "--fail-if") ? "1 a --fail-if limit crossed, " : "") +
        "2 bad input (one line on stderr), 3 chain or RPC failure.";

    /// <summary>Appends <see cref="ExitCodesText"/> to the help of a verb and of each of its subcommands.</summary>
    private static void WithExitCodes(Command command)
    {
        if (command.Subcommands.Count > 0)
            foreach (var sub in command.Subcommands) WithExitCodes(sub);
        command.Description = $"{command.Description}\n{ExitCodesText(command)}";
    }
}
