using System.CommandLine;
using System.Globalization;
using DefiRisk.Core;
using DefiRisk.Core.Domain;
using DefiRisk.Storage;

namespace DefiRisk.Cli.Commands;

/// <summary>The <c>--db</c> / <c>--block</c> pair every analysis verb takes, and loading the snapshot they name.</summary>
internal static class SnapshotSource
{
    public static Option<string?> DbOption() => new("--db") { Description = "SQLite database file (default: appsettings.json Database)" };

    public static Option<string?> BlockOption() => new("--block") { Description = "snapshot block number (default: the latest snapshot)" };

    public static string ResolveDb(string? db) =>
        db ?? AppSettings.Load().Database ?? throw new DefiRiskException("no --db given and no Database in appsettings.json");

    public static long? ParseBlock(string? text) =>
        text is null ? null
        : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
        : throw new DefiRiskException($"--block '{text}' is not a block number");

    /// <summary>The latest snapshot in <paramref name="db"/>, or the one at <paramref name="block"/>.</summary>
    public static Snapshot Load(string db, long? block)
    {
        InputFile.Require(db, "database", " (run `defirisk index` first)");
        return new SnapshotStore(db).Load(block: block);
    }

    /// <summary>A decimal in invariant culture, or a one-line user error naming the option.</summary>
    public static decimal ParseDecimal(string text, string what) =>
        decimal.TryParse(text.Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d)
            ? d : throw new DefiRiskException($"{what} '{text}' is not a number");

    public static int ParseInt(string text, string what, int min) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n : throw new DefiRiskException($"{what} '{text}' must be an integer ≥ {min}");
}
