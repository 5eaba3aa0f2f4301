using DefiRisk.Chain.Protocols.Common;

namespace DefiRisk.Chain.Tests.Indexing;

/// <summary>ERC-20 <c>symbol()</c> answers as tokens really return them: ABI strings, bytes32 (MKR), and junk.</summary>
public sealed class TokenSymbolTests
{
    private const string Zero = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>The ABI encoding of a dynamic string answer: offset 0x20, length, bytes padded to 32.</summary>
    private static string AbiString(byte[] bytes) =>
        "0x" + (0x20).ToString("x64") + bytes.Length.ToString("x64") + Convert.ToHexStringLower(bytes).PadRight((bytes.Length + 31) / 32 * 64, '0');

    private static string Bytes32(byte[] bytes) => "0x" + Convert.ToHexStringLower(bytes).PadRight(64, '0');

    [Fact]
    public void A_bytes32_symbol_reads_as_text_without_its_zero_padding()
    {
        // MKR's symbol() on mainnet (0x9f8f72aa9304c8b593d555f12ef6589cc3a579a2) returns bytes32 "MKR".
        Assert.Equal("MKR", TokenSymbol.Decode("0x4d4b520000000000000000000000000000000000000000000000000000000000"));
        Assert.Equal("SAI", TokenSymbol.Decode(Bytes32("SAI"u8.ToArray())));
    }

    [Fact]
    public void A_string_symbol_reads_as_text()
    {
        Assert.Equal("USDC", TokenSymbol.Decode(AbiString("USDC"u8.ToArray())));
        Assert.Equal("wstETH", TokenSymbol.Decode(AbiString("wstETH"u8.ToArray())));
        Assert.Equal("Ξ-ETH", TokenSymbol.Decode(AbiString("Ξ-ETH"u8.ToArray()))); // UTF-8 beyond ASCII is text
        var longSymbol = new string('A', 40); // more than one word of data
        Assert.Equal(longSymbol, TokenSymbol.Decode(AbiString(System.Text.Encoding.UTF8.GetBytes(longSymbol))));
    }

    [Fact]
    public void Bytes_that_are_not_valid_utf8_or_hold_control_characters_fall_back_to_hex()
    {
        Assert.Equal("0xfffe41", TokenSymbol.Decode(Bytes32([0xff, 0xfe, 0x41])));
        Assert.Equal("0xc328", TokenSymbol.Decode(AbiString([0xc3, 0x28]))); // a truncated two-byte sequence
        Assert.Equal("0x5553440a4443", TokenSymbol.Decode(AbiString("USD\nDC"u8.ToArray()))); // a newline would break one-line output
    }

    [Theory]
    [InlineData("0x")]
    [InlineData("0x" + Zero)]
    [InlineData("0x00000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("0x1234")]
    [InlineData("not hex")]
    public void An_empty_or_malformed_answer_has_no_symbol(string data) => Assert.Null(TokenSymbol.Decode(data));
}
