using System.Numerics;
using System.Text;
using Nethereum.Hex.HexConvertors.Extensions;

namespace DefiRisk.Chain.Contracts;

/// <summary>
/// An ERC-20 <c>symbol()</c> answer, decoded whichever way the token returns it: an ABI <c>string</c> (the standard), or a
/// <c>bytes32</c> (early tokens: MKR, SAI) read as UTF-8 without its zero padding. Bytes that are not valid UTF-8, or
/// that hold control characters, come back as 0x-hex: the text is untrusted and must never break a line or a report.
/// </summary>
public static class TokenSymbol
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The symbol in <paramref name="returnData"/> (0x-hex), or null when it holds none (empty, all zero, malformed).</summary>
    public static string? Decode(string returnData)
    {
        byte[] data;
        try { data = returnData.HexToByteArray(); }
        catch (Exception ex) when (ex is FormatException or ArgumentException or IndexOutOfRangeException) { return null; }
        if (data.Length < 32) return null;
        if (data.Length >= 64 && AbiString(data) is { } text) return Text(text);
        return Text(data.AsSpan(0, 32)); // bytes32, or the first word of an answer that is no ABI string
    }

    /// <summary>The bytes of an ABI-encoded dynamic string (offset word, length word, data), or null if the layout does not hold.</summary>
    private static byte[]? AbiString(byte[] data)
    {
        var offset = Word(data, 0);
        if (offset > data.Length - 32 || offset % 32 != 0) return null;
        var length = Word(data, (int)offset);
        if (length > data.Length - (int)offset - 32) return null;
        return data.AsSpan((int)offset + 32, (int)length).ToArray();
    }

    private static BigInteger Word(byte[] data, int at) => new(data.AsSpan(at, 32), isUnsigned: true, isBigEndian: true);

    private static string? Text(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.Length;
        while (end > 0 && bytes[end - 1] == 0) end--;
        var start = 0;
        while (start < end && bytes[start] == 0) start++;
        var trimmed = bytes[start..end];
        if (trimmed.IsEmpty) return null;
        string text;
        try { text = StrictUtf8.GetString(trimmed); }
        catch (DecoderFallbackException) { return Hex(trimmed); }
        if (text.Any(char.IsControl)) return Hex(trimmed);
        text = text.Trim();
        return text.Length == 0 ? null : text;
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => "0x" + Convert.ToHexStringLower(bytes);
}
