using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using DefiRisk.Core;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Numerics;
using DefiRisk.Core.Lending;
using DefiRisk.Core.Registry;
using DefiRisk.Storage;
using Spectre.Console;

namespace DefiRisk.Cli.Commands;

/// <summary>
/// <c>defirisk positions</c>: every indexed position of the latest snapshot with its health factor
/// (wad, exact) and collateral/debt values (USD, 8 decimals).
/// </summary>
internal static class PositionsCommand
{
    public static Command Create()
    {
        var db = SnapshotSource.DbOption();
        var protocol = new Option<string?>("--protocol") { Description = $"only one protocol: {string.Join(" or ", CoreRegistry.ProtocolNames)}" };
        protocol.AcceptOnlyFromAmong([.. CoreRegistry.ProtocolNames]);
        var below = new Option<string?>("--below") { Description = "only positions with a health factor below this (e.g. 1.05)" };
        var json = Json.Option("the rows (an array)");
        var quiet = new Option<bool>("--quiet", "-q") { Description = "print only the count of matching positions" };
        var command = new Command("positions", "List indexed positions with health factor, collateral and debt value.") { db, protocol, below, json, quiet };
        command.SetAction((parse, _) =>
        {
            var path = parse.GetValue(db) ?? AppSettings.Load().Database ?? throw new DefiRiskException("no --db given and no Database in appsettings.json");
            InputFile.Require(path, "database", " (run `defirisk index` first)");
            var threshold = parse.GetValue(below) is { } b ? ParseWad(b, "--below") : (BigInteger?)null;
            var jsonTarget = parse.GetValue(json);
            if (jsonTarget is not null) OutputFile.Check(jsonTarget, "--json");
            var rows = Rows(new SnapshotStore(path).Load(), parse.GetValue(protocol), threshold);
            if (jsonTarget == "-") Console.Out.WriteLine(ToJson(rows));
            else if (jsonTarget is not null) WriteFile(jsonTarget, ToJson(rows));
            if (jsonTarget == "-") return Task.FromResult(ExitCodes.Ok);
            if (parse.GetValue(quiet)) Console.Out.WriteLine(rows.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            else PrintTable(rows);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>One position. <see cref="HealthFactor"/>: wad, null without debt. Values: USD × 1e8.</summary>
    internal sealed record PositionRow(string Protocol, Address Account, string Market, BigInteger? HealthFactor, BigInteger CollateralValue, BigInteger DebtValue);

    internal static List<PositionRow> Rows(Snapshot snapshot, string? protocol = null, BigInteger? below = null)
    {
        // Each protocol's own account math at the snapshot's prices (ILendingBook.Positions): HF wad, values USD 8 decimals.
        var assets = new AssetIndex(snapshot);
        var rows = new List<PositionRow>();
        foreach (var book in snapshot.Books.OfType<ILendingBook>())
        {
            if (protocol is not null && book.Protocol != protocol) continue;
            foreach (var p in book.Positions(assets))
                rows.Add(new PositionRow(book.Protocol, p.Account, p.Market, p.HealthFactor, p.CollateralUsd8, p.DebtUsd8));
        }
        return rows
            .Where(r => below is null || (r.HealthFactor is { } hf && hf < below))
            .OrderBy(r => r.Protocol, StringComparer.Ordinal)
            .ThenBy(r => r.HealthFactor is null ? 1 : 0).ThenBy(r => r.HealthFactor ?? 0)
            .ThenBy(r => r.Market, StringComparer.Ordinal).ThenBy(r => r.Account)
            .ToList();
    }

    internal static string ToJson(IEnumerable<PositionRow> rows) => JsonSerializer.Serialize(rows.Select(r => new
    {
        protocol = r.Protocol,
        account = r.Account.Value,
        market = r.Market,
        healthFactor = r.HealthFactor is { } hf ? FixedPoint.FormatFixed(hf, 18) : null,
        collateralValue = FixedPoint.FormatFixed(r.CollateralValue, 8),
        debtValue = FixedPoint.FormatFixed(r.DebtValue, 8),
    }), new JsonSerializerOptions { WriteIndented = true });

    private static void WriteFile(string path, string json)
    {
        try { File.WriteAllText(path, json + Environment.NewLine); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { throw new DefiRiskException($"cannot write --json {path}: {ex.Message}"); }
    }

    private static void PrintTable(List<PositionRow> rows)
    {
        // Piped or redirected: no terminal width to respect, and wrapped cells would break scripts.
        if (!AnsiConsole.Profile.Capabilities.Interactive) AnsiConsole.Profile.Width = 1000;
        var table = new Table().AddColumns("protocol", "market", "account", "health factor", "collateral (USD)", "debt (USD)");
        foreach (var c in new[] { 3, 4, 5 }) table.Columns[c].RightAligned();
        foreach (var r in rows)
            table.AddRow(Markup.Escape(r.Protocol), Markup.Escape(r.Market.Length > 20 ? r.Market[..10] + "…" + r.Market[^8..] : r.Market),
                r.Account.Value, r.HealthFactor is { } hf ? FixedPoint.FormatFixed(hf, 18) : "-",
                FixedPoint.FormatFixed(r.CollateralValue, 8), FixedPoint.FormatFixed(r.DebtValue, 8));
        AnsiConsole.Write(table);
        Console.Out.WriteLine($"{rows.Count} positions");
    }

    /// <summary>A decimal text ("1.05") as a wad, exactly; more than 18 decimals is refused.</summary>
    internal static BigInteger ParseWad(string text, string what)
    {
        var t = text.Trim();
        var dot = t.IndexOf('.');
        var whole = dot < 0 ? t : t[..dot];
        var frac = dot < 0 ? "" : t[(dot + 1)..];
        if (whole.Length == 0 && frac.Length == 0 || frac.Length > 18 || !(whole + frac).All(char.IsAsciiDigit))
            throw new DefiRiskException($"{what} '{text}' is not a non-negative decimal with at most 18 decimals");
        return BigInteger.Parse((whole.Length == 0 ? "0" : whole) + frac.PadRight(18, '0'), CultureInfo.InvariantCulture);
    }
}
