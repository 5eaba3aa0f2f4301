using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net.Sockets;
using System.Text.Json;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core;

namespace DefiRisk.Cli.Commands;

/// <summary>
/// Parses and runs a command, and is the one place where a failure becomes the user's one line on stderr and an exit
/// code (<see cref="ExitCodes"/>): a parse error (unknown option or verb, missing value) is bad input, exit 2, with a
/// pointer to the verb's help — never the whole help and exit 1, which scripts read as a crossed <c>--fail-if</c>.
/// Exceptions are mapped by <see cref="Describe"/>; nothing reaches the runtime's stack-trace printer.
/// </summary>
internal static class CliRunner
{
    /// <summary>Set to 1 to print the full exception of an unexpected failure (a bug) after its one line.</summary>
    public const string TraceVariable = "DEFIRISK_TRACE";

    /// <summary>An unexpected failure, a bug (sysexits' EX_SOFTWARE); never a user's mistake or the node's.</summary>
    public const int InternalError = 70;

    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        try
        {
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                Console.Error.WriteLine($"error: {ParseFailure(parse)}");
                return ExitCodes.UserError;
            }
            return await parse.InvokeAsync(config);
        }
        catch (Exception ex)
        {
            var (line, code) = Describe(ex);
            Console.Error.WriteLine($"error: {line}");
            if (code == InternalError && Environment.GetEnvironmentVariable(TraceVariable) == "1") Console.Error.WriteLine(ex);
            return code;
        }
    }

    /// <summary>
    /// The one line and exit code for an exception. Typed failures below the CLI carry their facts: a
    /// <see cref="DefiRiskException"/> its own code; a node's JSON-RPC error answer (<see cref="RpcErrorException"/>: a
    /// block whose state the node no longer keeps, a reverted call) and transport failures are chain failures (3);
    /// file-system and JSON problems are bad input (2). Anything else is a bug: one line naming it, exit 70.
    /// </summary>
    internal static (string Line, int Code) Describe(Exception ex)
    {
        switch (ex)
        {
            case DefiRiskException d:
                return (OneLine(d.Message), d.ExitCode);
            case OperationCanceledException:
                return ("cancelled", 130);
            case RpcErrorException rpc:
                return (OneLine($"the node refused {rpc.Message}{Hint(rpc)}"), ExitCodes.ChainError);
            case HttpRequestException or SocketException or TimeoutException:
                return (OneLine($"RPC failure: {ex.Message}"), ExitCodes.ChainError);
            case JsonException json:
                return (OneLine($"malformed JSON: {JsonErrorText.Describe(json, null)}"), ExitCodes.UserError);
            case UnauthorizedAccessException or IOException:
                return (OneLine(ex.Message), ExitCodes.UserError);
            case AggregateException { InnerExceptions.Count: 1 } agg:
                return Describe(agg.InnerExceptions[0]);
            default:
                return (OneLine($"internal error ({ex.GetType().Name}): {ex.Message} (set {TraceVariable}=1 for the stack trace)"), InternalError);
        }
    }

    private static string Hint(RpcErrorException rpc) =>
        rpc.RpcMessage.Contains("BlockOutOfRange", StringComparison.OrdinalIgnoreCase)
        || rpc.RpcMessage.Contains("missing trie node", StringComparison.OrdinalIgnoreCase)
        || rpc.RpcMessage.Contains("header not found", StringComparison.OrdinalIgnoreCase)
            ? "; the node has no state at that block (index at a block it keeps, e.g. the fixture's own block, or use an archive node)"
            : "";

    private static string OneLine(string text)
    {
        var first = text.Split('\n')[0].TrimEnd('\r');
        return first;
    }

    /// <summary>One line for a parse error: what was wrong, a suggestion for a likely typo, and where the help is.</summary>
    internal static string ParseFailure(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var help = $"see '{CommandPath(parse.CommandResult)} --help'";
        if (parse.UnmatchedTokens.Count > 0)
        {
            var token = parse.UnmatchedTokens[0];
            if (token.StartsWith('-'))
            {
                var names = command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal));
                return $"unknown option '{token}'{Suggest(token, names)}; {help}";
            }
            if (command.Subcommands.Count > 0)
                return $"unknown verb '{token}'{Suggest(token, command.Subcommands.Select(c => c.Name))}; {help}";
            return $"unexpected argument '{token}'; {help}";
        }
        var error = parse.Errors[0];
        if (error.SymbolResult is CommandResult { Command.Subcommands.Count: > 0 } && command.Subcommands.Count > 0 && command.Action is null)
            return $"no verb given ({string.Join(", ", command.Subcommands.Select(c => c.Name))}); {help}";
        var message = error.Message.TrimEnd('.');
        if (message.Length > 0) message = char.ToLowerInvariant(message[0]) + message[1..];
        return $"{OneLine(message)}; {help}";
    }

    /// <summary>"defirisk fixture up": the program's name, then each command down to the one parsed.</summary>
    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is not null; r = r.Parent)
            if (r is CommandResult c && c.Command is not RootCommand) names.Insert(0, c.Command.Name);
        names.Insert(0, "defirisk");
        return string.Join(" ", names);
    }

    /// <summary>" (did you mean '--shock'?)" when one known name is within two edits of the typo.</summary>
    private static string Suggest(string typo, IEnumerable<string> known)
    {
        var best = known.Distinct().Select(n => (Name: n, Distance: Distance(typo, n))).Where(x => x.Distance <= 2).OrderBy(x => x.Distance).ToList();
        return best.Count > 0 ? $" (did you mean '{best[0].Name}'?)" : "";
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
