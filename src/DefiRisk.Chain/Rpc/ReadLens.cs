using System.Reflection;
using DefiRisk.Core;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;

namespace DefiRisk.Chain.Rpc;

/// <summary>
/// Many view calls in one eth_call: <c>ReadLens.sol</c> (beside this file; ABI in <c>abi/ReadLens.json</c>) runs as the
/// code of an unused address through eth_call's state override, so nothing is deployed, and staticcalls each target at
/// the pinned block. Metered providers bill per eth_call, so a read phase of 15,000 view calls costs 30 eth_calls, not
/// 15,000. Each call's success and return data come back as a separate eth_call would give them (a revert is a failed
/// call, not a fault). <c>ReadLens.runtime.hex</c> is its runtime bytecode (solc 0.8.19, optimizer 200 runs, paris, no
/// metadata hash); a test recompiles the source and compares.
/// </summary>
internal static class ReadLens
{
    /// <summary>Where the lens runs: an address no contract or key holds ("defirisk lens" in hexspeak).</summary>
    public const string Address = "0x0000000000000000000000000000defa11ead1e5";

    public static readonly string RuntimeCode = "0x" + LoadRuntime();

    private static readonly FunctionCallDecoder Decoder = new();

    /// <summary>Hex characters one call adds to a lens call's data: the (address, bytes) tuple, its offset, its padded data.</summary>
    public static int PackedChars(EthCall call) => 2 * (4 * 32 + (call.Data.Length / 2 + 31) / 32 * 32);

    /// <summary>One lens eth_call carrying <paramref name="calls"/>.</summary>
    public static EthCall Pack(IReadOnlyList<EthCall> calls, int start, int count)
    {
        var message = new ReadFunction { Calls = new List<LensCall>(count) };
        for (var i = start; i < start + count; i++)
            message.Calls.Add(new LensCall { Target = calls[i].To, Data = calls[i].Data.HexToByteArray() });
        return new EthCall(Address, message.GetCallData().ToHex(prefix: true), RuntimeCode);
    }

    /// <summary>
    /// The answers inside a lens call's return data, in call order; null when the data is not the lens's answer (a node
    /// that ignored the state override runs no code at the address and returns nothing).
    /// </summary>
    public static CallResult[]? Unpack(CallResult lens, int count)
    {
        if (!lens.HasData) return null;
        ReadOutput output;
        try { output = Decoder.DecodeFunctionOutput<ReadOutput>(lens.Data); }
        catch (Exception ex) when (ex is not OperationCanceledException) { return null; }
        if (output.Results.Count != count) return null;
        return output.Results.Select(r => r.Success
            ? new CallResult(true, r.Data.ToHex(prefix: true), null)
            : new CallResult(false, "0x", r.Data.Length == 0 ? "execution reverted" : $"execution reverted (data {r.Data.ToHex(prefix: true)})")).ToArray();
    }

    private static string LoadRuntime()
    {
        using var stream = typeof(ReadLens).Assembly.GetManifestResourceStream("DefiRisk.Chain.Rpc.ReadLens.runtime.hex")
            ?? throw new DefiRiskException("the read lens bytecode is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Trim();
    }

    [Function("read", typeof(ReadOutput))]
    private sealed class ReadFunction : FunctionMessage
    {
        [Parameter("tuple[]", "calls", 1)] public List<LensCall> Calls { get; set; } = [];
    }

    private sealed class LensCall
    {
        [Parameter("address", "target", 1)] public string Target { get; set; } = "";
        [Parameter("bytes", "data", 2)] public byte[] Data { get; set; } = [];
    }

    [FunctionOutput]
    private sealed class ReadOutput : IFunctionOutputDTO
    {
        [Parameter("tuple[]", "results", 1)] public List<LensResult> Results { get; set; } = [];
    }

    private sealed class LensResult
    {
        [Parameter("bool", "success", 1)] public bool Success { get; set; }
        [Parameter("bytes", "data", 2)] public byte[] Data { get; set; } = [];
    }
}
