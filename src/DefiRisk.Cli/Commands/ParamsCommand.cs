using System.CommandLine;
using DefiRisk.Core;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Registry;
using Spectre.Console;

namespace DefiRisk.Cli.Commands;

/// <summary>
/// <c>defirisk params</c>: every reserve's and market's current risk parameters in the snapshot, one row per parameter,
/// as each family's book names them (<see cref="ILendingBook.RiskParameters"/>), so a reviewer never has to guess
/// today's value before reading a proposal.
/// </summary>
internal static class ParamsCommand
{
    public static Command Create()
    {
        var db = SnapshotSource.DbOption();
        var block = SnapshotSource.BlockOption();
        var protocol = new Option<string?>("--protocol") { Description = $"only one protocol: {string.Join(" or ", CoreRegistry.ProtocolNames)}" };
        protocol.AcceptOnlyFromAmong([.. CoreRegistry.ProtocolNames]);
        var json = Json.Option("the parameters (an array)");
        var quiet = new Option<bool>("--quiet", "-q") { Description = "print only the number of parameters" };
        var command = new Command("params", "List each reserve's and market's current risk parameters (LTV, LT, bonus, fees, caps, e-modes; LLTV, LIF, oracle).")
            { db, block, protocol, json, quiet };
        command.SetAction((parse, _) =>
        {
            var path = SnapshotSource.ResolveDb(parse.GetValue(db));
            var blockNumber = SnapshotSource.ParseBlock(parse.GetValue(block));
            var target = parse.GetValue(json);
            if (target is not null) OutputFile.Check(target, "--json");
            var rows = Rows(SnapshotSource.Load(path, blockNumber), parse.GetValue(protocol));
            if (target is not null) Json.Write(rows, target);
            if (target == "-") return Task.FromResult(ExitCodes.Ok);
            if (parse.GetValue(quiet)) Console.Out.WriteLine(rows.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            else Print(rows);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    internal static IReadOnlyList<RiskParameter> Rows(Snapshot snapshot, string? protocol = null) => RiskParameters.Of(snapshot, protocol);

    private static void Print(IReadOnlyList<RiskParameter> rows)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive) AnsiConsole.Profile.Width = 1000;
        var table = new Table().AddColumns("protocol", "market", "of", "parameter", "value");
        table.Columns[4].RightAligned();
        foreach (var r in rows)
            table.AddRow(Markup.Escape(r.Protocol), Markup.Escape(r.Market.Length > 20 ? r.Market[..10] + "…" + r.Market[^8..] : r.Market),
                Markup.Escape(r.Subject), Markup.Escape(r.Name), Markup.Escape(r.Display));
        AnsiConsole.Write(table);
        Console.Out.WriteLine($"{rows.Count} parameters");
    }
}
