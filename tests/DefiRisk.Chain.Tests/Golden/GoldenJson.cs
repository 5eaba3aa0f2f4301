using System.Globalization;
using System.IO.Compression;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace DefiRisk.Chain.Tests.Golden;

/// <summary>One place two JSON texts differ: the JSON path (<c>$.rounds[3].liquidations[0].debtRepaid</c>) and both values as JSON text.</summary>
public sealed record GoldenDifference(string Path, string Expected, string Actual)
{
    public override string ToString() => $"{Path}: expected {Expected} got {Actual}";
}

/// <summary>
/// Structural comparison of a verb's JSON output with its golden expectation, as issue 10 states "behaviour is unchanged":
/// the same object keys in the same order and the same array lengths; strings (decimal-string integers, addresses, hex)
/// equal byte for byte; JSON integers equal exactly; any other JSON number (a double or decimal) within
/// <see cref="RelativeTolerance"/> relative (|a−b| ≤ 1e-12·max(|a|,|b|), so 0 only equals 0); booleans and nulls equal.
/// A number is an integer when its text has no '.', 'e' or 'E'; when one side is an integer and the other is not, both
/// are compared as doubles (a double field that happens to print as "5" is still a double).
/// </summary>
public static class GoldenJson
{
    public const double RelativeTolerance = 1e-12;

    /// <summary>Every difference, in document order (the first is the one to fix first).</summary>
    public static IReadOnlyList<GoldenDifference> Compare(string expectedJson, string actualJson)
    {
        using var expected = JsonDocument.Parse(expectedJson);
        using var actual = JsonDocument.Parse(actualJson);
        var differences = new List<GoldenDifference>();
        Compare(expected.RootElement, actual.RootElement, "$", differences);
        return differences;
    }

    /// <summary>Fails with the path and values of the first difference and the number of differences.</summary>
    public static void AssertMatches(string expectedJson, string actualJson, string what)
    {
        var differences = Compare(expectedJson, actualJson);
        if (differences.Count > 0)
            Assert.Fail($"{what}: {differences.Count} difference(s) from the golden output; first {differences[0]}");
    }

    /// <summary>Two doubles agree within <see cref="RelativeTolerance"/> relative; exact for 0.</summary>
    public static bool Close(double expected, double actual) =>
        expected == actual || Math.Abs(expected - actual) <= RelativeTolerance * Math.Max(Math.Abs(expected), Math.Abs(actual));

    /// <summary>A golden file's text: <c>name.json</c>, or <c>name.json.gz</c> when stored compressed.</summary>
    public static string Read(string pathWithoutGz)
    {
        if (File.Exists(pathWithoutGz)) return File.ReadAllText(pathWithoutGz, Encoding.UTF8);
        var gz = pathWithoutGz + ".gz";
        if (!File.Exists(gz))
            throw new FileNotFoundException($"no golden output {pathWithoutGz}(.gz): generate it with {GoldenOutput.RegenerateVariable}=1", pathWithoutGz);
        using var stream = new GZipStream(File.OpenRead(gz), CompressionMode.Decompress);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static void Compare(JsonElement e, JsonElement a, string path, List<GoldenDifference> differences)
    {
        if (e.ValueKind != a.ValueKind && !(IsBoolean(e) && IsBoolean(a)))
        {
            differences.Add(new GoldenDifference(path, Show(e), Show(a)));
            return;
        }
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                var eKeys = e.EnumerateObject().Select(p => p.Name).ToList();
                var aKeys = a.EnumerateObject().Select(p => p.Name).ToList();
                if (!eKeys.SequenceEqual(aKeys, StringComparer.Ordinal))
                    differences.Add(new GoldenDifference(path, "keys " + string.Join(",", eKeys), "keys " + string.Join(",", aKeys)));
                // Keys present on both sides are still compared, so the count says how far apart the outputs are.
                foreach (var key in eKeys.Where(k => aKeys.Contains(k, StringComparer.Ordinal)))
                    Compare(e.GetProperty(key), a.GetProperty(key), Child(path, key), differences);
                break;
            case JsonValueKind.Array:
                var eLength = e.GetArrayLength();
                var aLength = a.GetArrayLength();
                if (eLength != aLength)
                    differences.Add(new GoldenDifference(path, $"{eLength} elements", $"{aLength} elements"));
                for (var i = 0; i < Math.Min(eLength, aLength); i++)
                    Compare(e[i], a[i], $"{path}[{i}]", differences);
                break;
            case JsonValueKind.String:
                // Byte for byte: decimal-string integers, addresses and hex are compared as the text they are.
                if (!string.Equals(e.GetString(), a.GetString(), StringComparison.Ordinal))
                    differences.Add(new GoldenDifference(path, Show(e), Show(a)));
                break;
            case JsonValueKind.Number:
                if (!NumbersAgree(e.GetRawText(), a.GetRawText()))
                    differences.Add(new GoldenDifference(path, Show(e), Show(a)));
                break;
            case JsonValueKind.True or JsonValueKind.False:
                if (e.ValueKind != a.ValueKind) differences.Add(new GoldenDifference(path, Show(e), Show(a)));
                break;
            case JsonValueKind.Null:
                break;
        }
    }

    private static bool NumbersAgree(string expected, string actual)
    {
        if (IsInteger(expected) && IsInteger(actual))
            return BigInteger.Parse(expected, CultureInfo.InvariantCulture) == BigInteger.Parse(actual, CultureInfo.InvariantCulture);
        return Close(double.Parse(expected, CultureInfo.InvariantCulture), double.Parse(actual, CultureInfo.InvariantCulture));
    }

    private static bool IsInteger(string raw) => raw.IndexOfAny(['.', 'e', 'E']) < 0;

    private static bool IsBoolean(JsonElement x) => x.ValueKind is JsonValueKind.True or JsonValueKind.False;

    private static string Child(string path, string key) =>
        key.Length > 0 && (char.IsAsciiLetter(key[0]) || key[0] == '_') && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? $"{path}.{key}"
            : $"{path}[{JsonSerializer.Serialize(key)}]";

    private static string Show(JsonElement x) => x.ValueKind switch
    {
        JsonValueKind.Object => $"an object with {x.EnumerateObject().Count()} keys",
        JsonValueKind.Array => $"an array of {x.GetArrayLength()} elements",
        _ => x.GetRawText(),
    };
}
