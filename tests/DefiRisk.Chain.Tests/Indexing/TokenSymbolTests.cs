using DefiRisk.Chain.Contracts;

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

/// <summary>The same answers read from contracts on a real anvil, through the batch the indexer uses.</summary>
[Trait("Category", "ChainParity")]
public sealed class TokenSymbolChainTests
{
    // Runtime code answering any call with the bytes32 word "MKR" (as MKR's symbol() does): PUSH32 word, MSTORE at 0, RETURN 32 bytes.
    private const string ReturnsBytes32Mkr = "0x7f4d4b52" + "0000000000000000000000000000000000000000000000000000000000" + "600052" + "60206000f3";
    // Runtime code answering with the ABI string "USDC": offset 0x20 at 0, length 4 at 0x20, the padded bytes at 0x40; RETURN 96 bytes.
    private const string ReturnsStringUsdc = "0x6020600052" + "6004602052" + "7f55534443" + "00000000000000000000000000000000000000000000000000000000" + "604052" + "60606000f3";

    private const string Mkr = "0x00000000000000000000000000000000000000c1";
    private const string Usdc = "0x00000000000000000000000000000000000000c2";
    private const string NoCode = "0x00000000000000000000000000000000000000c3";

    [Fact]
    public async Task The_indexer_reads_a_bytes32_symbol_and_a_string_symbol_alike()
    {
        await using var node = await DefiRisk.Harness.AnvilNode.StartAsync(new DefiRisk.Harness.AnvilOptions { ChainId = 31337 });
        await node.Rpc.CallAsync("anvil_setCode", Mkr, ReturnsBytes32Mkr);
        await node.Rpc.CallAsync("anvil_setCode", Usdc, ReturnsStringUsdc);
        await node.MineAsync();
        using var rpc = new DefiRisk.Chain.Rpc.EthRpc(node.RpcUrl, DemoChain.TestRpc);
        var block = await rpc.BlockNumberAsync(default);

        var batch = new DefiRisk.Chain.Rpc.ReadBatch();
        var reads = new[] { Mkr, Usdc, NoCode }.Select(t => Erc20Reads.Add(batch, t)).ToList();
        await batch.ExecuteAsync(rpc, block, default);

        Assert.Equal("MKR", reads[0].Symbol(DefiRisk.Core.Domain.Address.Parse(Mkr)));
        Assert.Equal("USDC", reads[1].Symbol(DefiRisk.Core.Domain.Address.Parse(Usdc)));
        Assert.Equal(NoCode[..10], reads[2].Symbol(DefiRisk.Core.Domain.Address.Parse(NoCode))); // no symbol at all: a short address
    }
}
