using System.Text.Json;

namespace DefiRisk.Harness;

/// <summary>
/// <see cref="FixtureBuilder.Canonicalize"/> as a stream: the same bytes (traces emptied, blocks sorted by number,
/// transactions by (block, index)), without holding the state. Tokens are copied one at a time; each block and
/// transaction is written once to a scratch file with its sort key, and the sorted arrays are copied back from it,
/// so memory is one element plus a 24-byte key per element — a 100,000-borrower state is GBs of JSON.
/// </summary>
internal sealed class FixtureStateCanonicalizer
{
    private const int InitialBuffer = 1 << 20;
    private const int FlushAt = 1 << 20;

    private readonly Stream _input;
    private byte[] _buffer;
    private int _length;
    private bool _final;

    private FixtureStateCanonicalizer(Stream input, int bufferSize)
    {
        _input = input;
        _buffer = new byte[bufferSize];
    }

    /// <summary>Reads anvil's state JSON from <paramref name="input"/> and writes the canonical JSON to <paramref name="output"/>;
    /// <paramref name="bufferSize"/> is where the read buffer starts (it grows to the longest token).</summary>
    public static void Canonicalize(Stream input, Stream output, string scratchDirectory, int bufferSize = InitialBuffer)
    {
        var canonicalizer = new FixtureStateCanonicalizer(input, bufferSize);
        canonicalizer.Run(output, scratchDirectory);
    }

    private enum ArrayKind { Blocks, Transactions }

    private void Run(Stream output, string scratchDirectory)
    {
        Fill(0);
        var reader = new Utf8JsonReader(_buffer.AsSpan(0, _length), _final, default);
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        if (!Next(ref reader) || reader.TokenType != JsonTokenType.StartObject) throw new InvalidDataException("anvil state: not a JSON object");
        writer.WriteStartObject();
        while (Next(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            writer.WritePropertyName(name);
            if (!Next(ref reader)) throw new InvalidDataException("anvil state: ends after a property name");
            if (reader.TokenType == JsonTokenType.StartArray && name is "blocks" or "transactions")
                CopySorted(ref reader, writer, name == "blocks" ? ArrayKind.Blocks : ArrayKind.Transactions, scratchDirectory);
            else
                CopyValue(ref reader, writer);
        }
        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary>Copies the array at the reader (on its StartArray) element by element through a scratch file, then writes it in key order.</summary>
    private void CopySorted(ref Utf8JsonReader reader, Utf8JsonWriter writer, ArrayKind kind, string scratchDirectory)
    {
        var path = Path.Combine(scratchDirectory, $"defirisk-canonical-{Guid.NewGuid():N}.tmp");
        using var scratch = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        var element = new MemoryStream();
        var elementWriter = new Utf8JsonWriter(element, new JsonWriterOptions { SkipValidation = true });
        var entries = new List<(long Key1, long Key2, int Order, long Offset, int Length)>();
        while (Next(ref reader) && reader.TokenType != JsonTokenType.EndArray)
        {
            element.SetLength(0);
            elementWriter.Reset(element);
            var (key1, key2) = CopyElement(ref reader, elementWriter, kind);
            elementWriter.Flush();
            entries.Add((key1, key2, entries.Count, scratch.Position, (int)element.Length));
            scratch.Write(element.GetBuffer(), 0, (int)element.Length);
        }
        scratch.Flush();
        // Stable, as OrderBy is in the in-memory version: equal keys keep anvil's order.
        entries.Sort((a, b) => a.Key1 != b.Key1 ? a.Key1.CompareTo(b.Key1) : a.Key2 != b.Key2 ? a.Key2.CompareTo(b.Key2) : a.Order.CompareTo(b.Order));
        writer.WriteStartArray();
        var bytes = new byte[1 << 16];
        var handle = scratch.SafeFileHandle;
        foreach (var e in entries)
        {
            if (bytes.Length < e.Length) bytes = new byte[Math.Max(e.Length, bytes.Length * 2)];
            var read = 0;
            while (read < e.Length) read += RandomAccess.Read(handle, bytes.AsSpan(read, e.Length - read), e.Offset + read);
            writer.WriteRawValue(bytes.AsSpan(0, e.Length), skipInputValidation: true);
            if (writer.BytesPending > FlushAt) writer.Flush();
        }
        writer.WriteEndArray();
    }

    /// <summary>
    /// Copies one block or transaction, emptying <c>info.traces</c>, and returns its sort key:
    /// (header.number, 0) for a block, (block_number, info.transaction_index) for a transaction.
    /// </summary>
    private (long, long) CopyElement(ref Utf8JsonReader reader, Utf8JsonWriter writer, ArrayKind kind)
    {
        long key1 = 0, key2 = 0;
        var depth = 0;
        string? parent = null; // the depth-1 property whose object we are in
        string? property = null;
        do
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    if (depth == 1) parent = property;
                    WriteToken(ref reader, writer);
                    depth++;
                    break;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    WriteToken(ref reader, writer);
                    depth--;
                    if (depth == 1) parent = null;
                    break;
                case JsonTokenType.PropertyName:
                    property = reader.GetString();
                    WriteToken(ref reader, writer);
                    if (depth == 2 && parent == "info" && property == "traces" && kind == ArrayKind.Transactions)
                    {
                        Next(ref reader);
                        SkipValue(ref reader);
                        writer.WriteStartArray();
                        writer.WriteEndArray();
                    }
                    else if (depth == 1 && property == "block_number" && kind == ArrayKind.Transactions)
                    {
                        Next(ref reader);
                        key1 = Quantity(ref reader);
                        CopyValue(ref reader, writer);
                    }
                    else if (depth == 2 && parent == "info" && property == "transaction_index" && kind == ArrayKind.Transactions)
                    {
                        Next(ref reader);
                        key2 = Quantity(ref reader);
                        CopyValue(ref reader, writer);
                    }
                    else if (depth == 2 && parent == "header" && property == "number" && kind == ArrayKind.Blocks)
                    {
                        Next(ref reader);
                        key1 = Quantity(ref reader);
                        CopyValue(ref reader, writer);
                    }
                    break;
                default:
                    WriteToken(ref reader, writer);
                    break;
            }
        }
        while (depth > 0 && Next(ref reader));
        return (key1, key2);
    }

    /// <summary>A JSON number or a "0x…" quantity; anything else sorts as 0, as in the in-memory version.</summary>
    private static long Quantity(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Number when reader.TryGetInt64(out var l) => l,
        JsonTokenType.String => (long)AnvilRpc.Quantity(reader.GetString()!),
        _ => 0,
    };

    /// <summary>Copies the value at the reader (a primitive, or a whole object or array).</summary>
    private void CopyValue(ref Utf8JsonReader reader, Utf8JsonWriter writer)
    {
        var depth = 0;
        do
        {
            WriteToken(ref reader, writer);
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) depth++;
            else if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray) depth--;
            if (writer.BytesPending > FlushAt) writer.Flush();
        }
        while (depth > 0 && Next(ref reader));
    }

    private void SkipValue(ref Utf8JsonReader reader)
    {
        var depth = 0;
        do
        {
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) depth++;
            else if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray) depth--;
        }
        while (depth > 0 && Next(ref reader));
    }

    /// <summary>Writes one token as the JsonNode round trip would: strings and names re-escaped by the default encoder, numbers verbatim.</summary>
    private static void WriteToken(ref Utf8JsonReader reader, Utf8JsonWriter writer)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject: writer.WriteStartObject(); break;
            case JsonTokenType.EndObject: writer.WriteEndObject(); break;
            case JsonTokenType.StartArray: writer.WriteStartArray(); break;
            case JsonTokenType.EndArray: writer.WriteEndArray(); break;
            case JsonTokenType.PropertyName:
                if (reader.ValueIsEscaped) writer.WritePropertyName(reader.GetString()!);
                else writer.WritePropertyName(reader.ValueSpan);
                break;
            case JsonTokenType.String:
                if (reader.ValueIsEscaped) writer.WriteStringValue(reader.GetString());
                else writer.WriteStringValue(reader.ValueSpan);
                break;
            case JsonTokenType.Number: writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true); break;
            case JsonTokenType.True: writer.WriteBooleanValue(true); break;
            case JsonTokenType.False: writer.WriteBooleanValue(false); break;
            case JsonTokenType.Null: writer.WriteNullValue(); break;
            default: throw new InvalidDataException($"anvil state: unexpected {reader.TokenType}");
        }
    }

    /// <summary>Reads the next token, refilling (and if one token needs it, growing) the buffer; false at the end.</summary>
    private bool Next(ref Utf8JsonReader reader)
    {
        while (!reader.Read())
        {
            if (_final) return false;
            var consumed = (int)reader.BytesConsumed;
            var left = _length - consumed;
            if (consumed == 0 && left == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
            Buffer.BlockCopy(_buffer, consumed, _buffer, 0, left);
            Fill(left);
            reader = new Utf8JsonReader(_buffer.AsSpan(0, _length), _final, reader.CurrentState);
        }
        return true;
    }

    private void Fill(int kept)
    {
        _length = kept;
        while (_length < _buffer.Length)
        {
            var n = _input.Read(_buffer, _length, _buffer.Length - _length);
            if (n == 0) { _final = true; break; }
            _length += n;
        }
    }
}
