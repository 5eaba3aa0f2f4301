using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DefiRisk.Core;

/// <summary>
/// A <see cref="JsonException"/> in plain words for a one-line error: "line 3, column 14: an object or list is not
/// closed". System.Text.Json counts lines and bytes from 0 and speaks of readers ("isFinalBlock",
/// "BytePositionInLine"); a user's editor counts lines and characters from 1.
/// </summary>
public static class JsonErrorText
{
    /// <summary>Where and what; <paramref name="text"/> (the parsed JSON, when known) turns the byte offset into a character column.</summary>
    public static string Describe(JsonException ex, string? text)
    {
        var what = Reason(ex);
        if (ex.LineNumber is not { } line) return what;
        var column = Column(text, line, ex.BytePositionInLine ?? 0);
        return string.Create(CultureInfo.InvariantCulture, $"line {line + 1}, column {column}: {what}");
    }

    private static long Column(string? text, long line, long bytePosition)
    {
        if (text is null) return bytePosition + 1;
        var lines = text.Split('\n');
        if (line >= lines.Length) return bytePosition + 1;
        var bytes = Encoding.UTF8.GetBytes(lines[line]);
        var count = (int)Math.Min(bytePosition, bytes.Length);
        return Encoding.UTF8.GetCharCount(bytes, 0, count) + 1;
    }

    private static string Reason(JsonException ex)
    {
        // The reader's message, without its own position and path suffixes.
        var message = ex.Message.Split('\n')[0];
        foreach (var cut in new[] { " LineNumber:", " Path:", " | LineNumber" })
        {
            var i = message.IndexOf(cut, StringComparison.Ordinal);
            if (i >= 0) message = message[..i];
        }
        message = message.Trim().TrimEnd('.').Trim();
        var path = ex.Path is { Length: > 1 } p ? $" at {p}" : "";
        if (message.Contains("does not contain any JSON tokens", StringComparison.Ordinal)) return "the file is empty";
        if (message.Contains("isFinalBlock", StringComparison.Ordinal) || message.Contains("Expected depth to be zero", StringComparison.Ordinal)
            || message.Contains("end of the JSON payload", StringComparison.Ordinal) || message.Contains("incomplete", StringComparison.OrdinalIgnoreCase))
            return "the JSON ends before every object and list is closed";
        if (message.Contains("is invalid after a value", StringComparison.Ordinal)) return $"{Token(message)} after a value: expected ',' or a closing '}}' or ']'";
        if (message.Contains("is an invalid start of a value", StringComparison.Ordinal)) return $"{Token(message)} cannot start a value (strings take double quotes)";
        if (message.Contains("is an invalid start of a property name", StringComparison.Ordinal)) return $"{Token(message)} where a key was expected (keys take double quotes)";
        if (message.Contains("could not be mapped to any", StringComparison.Ordinal)) return $"unknown key {Token(message)}{path}";
        if (message.Contains("could not be converted to", StringComparison.Ordinal)) return $"a value of the wrong kind{path}";
        if (message.Contains("trailing comma", StringComparison.OrdinalIgnoreCase)) return "a trailing comma";
        // Anything else that speaks .NET: say only that it is not JSON.
        return message.Contains("System.", StringComparison.Ordinal) || message.Contains("Utf8JsonReader", StringComparison.Ordinal)
            ? $"not valid JSON{path}"
            : message + path;
    }

    /// <summary>The first quoted token of the reader's message ("'}' is an invalid …" → "'}'").</summary>
    private static string Token(string message)
    {
        var start = message.IndexOf('\'');
        var end = start < 0 ? -1 : message.IndexOf('\'', start + 2);
        return end > start ? message[start..(end + 1)] : "a character";
    }
}
