using System.Text.Json;
using System.Text.Json.Serialization;
using DefiRisk.Core;
using DefiRisk.Core.Analysis;
using DefiRisk.Core.Domain;

using DefiRisk.Cli.Commands;

namespace DefiRisk.Cli.Commands;

/// <summary>
/// The one place the CLI's JSON shape is decided (simulate, sweep, compare, reports): camelCase, indented,
/// BigInteger as decimal strings (<see cref="BigIntegerDecimalStringConverter"/>, exact base units), addresses as
/// lowercase hex strings, doubles that are not finite as named literals instead of an exception.
/// </summary>
internal static class Json
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = true,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        };
        o.Converters.Add(new BigIntegerDecimalStringConverter());
        o.Converters.Add(new AddressStringConverter());
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>
    /// <c>--json FILE</c> on every verb: the result as JSON to FILE (the usual output still printed), or to stdout with
    /// <c>-</c> (then nothing else goes to stdout). One meaning everywhere, so scripts need not know which verb is which.
    /// </summary>
    public static System.CommandLine.Option<string?> Option(string what) =>
        new("--json") { Description = $"write {what} as JSON to FILE ('-' = stdout, nothing else on stdout)", HelpName = "FILE|-" };

    /// <summary>
    /// Writes <paramref name="value"/> to <paramref name="target"/>: "-" is stdout, anything else a file (its directory
    /// must exist). An unwritable path is the user's error (exit 2), not a crash.
    /// </summary>
    public static void Write<T>(T value, string target, TextWriter? stdout = null)
    {
        var text = Serialize(value);
        if (target == "-")
        {
            (stdout ?? Console.Out).WriteLine(text);
            return;
        }
        OutputFile.Check(target, "--json");
        try
        {
            File.WriteAllText(target, text + Environment.NewLine);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DefiRiskException($"cannot write --json {target}: {ex.Message}");
        }
    }

    /// <summary><see cref="Address"/> as its canonical lowercase "0x…" text.</summary>
    private sealed class AddressStringConverter : JsonConverter<Address>
    {
        public override Address Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Address.TryParse(reader.GetString(), out var a) ? a : throw new JsonException("expected an address as 0x-hex text");

        public override void Write(Utf8JsonWriter writer, Address value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.Value);
    }
}
