using System.Globalization;
using System.Numerics;
using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DefiRisk.Core.Analysis;

/// <summary>
/// System.Text.Json converter writing <see cref="BigInteger"/> as a decimal string ("1500000000000"), because JSON
/// numbers lose precision above 2^53 in most readers. Reads strings or integer numbers. Pure: no I/O.
/// </summary>
public sealed class BigIntegerDecimalStringConverter : JsonConverter<BigInteger>
{
    public override BigInteger Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan.ToArray()),
            _ => null,
        };
        if (text is null || !BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            throw new JsonException($"expected an integer as a decimal string, got {reader.TokenType}");
        return value;
    }

    public override void Write(Utf8JsonWriter writer, BigInteger value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
}
