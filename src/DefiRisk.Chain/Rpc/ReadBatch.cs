using System.Reflection;
using DefiRisk.Core;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;

namespace DefiRisk.Chain.Rpc;

/// <summary>
/// Typed view calls collected into one round of batched eth_calls at a pinned block: add calls (each
/// gives back a <see cref="Reply{T}"/>), run the batch once, then read the replies. Used only inside the
/// chain adapters, so Nethereum DTOs never leave them.
/// </summary>
public sealed class ReadBatch
{
    private readonly List<EthCall> _calls = [];
    private readonly List<Action<CallResult, long>> _sinks = [];

    public int Count => _calls.Count;

    /// <summary>
    /// Characters of request body the calls added so far take packed for <see cref="ReadLens"/> (a 4-byte head and the call
    /// data, in hex): what a caller sizes a round by so it fills whole requests.
    /// </summary>
    public long PackedChars { get; private set; }

    public Reply<TOut> Add<TMsg, TOut>(string to, TMsg message)
        where TMsg : FunctionMessage, new()
        where TOut : IFunctionOutputDTO, new()
    {
        // Name and address kept apart, joined only for an error: 300,000 replies of a large book held a message each.
        var reply = new Reply<TOut>(FunctionName<TMsg>.Value, to);
        var data = StaticAbi.Encode(message) ?? message.GetCallData().ToHex(prefix: true);
        _calls.Add(new EthCall(to, data));
        PackedChars += 6 + data.Length;
        _sinks.Add(reply.Set);
        return reply;
    }

    /// <summary>A call whose return data is kept undecoded, for answers whose type varies by contract (<c>symbol()</c>: string or bytes32).</summary>
    public RawReply AddRaw<TMsg>(string to, TMsg message) where TMsg : FunctionMessage, new()
    {
        var reply = new RawReply();
        var data = message.GetCallData().ToHex(prefix: true);
        _calls.Add(new EthCall(to, data));
        PackedChars += 6 + data.Length;
        _sinks.Add((result, _) => reply.Result = result);
        return reply;
    }

    /// <summary>A call as it goes to the node (one carrying its own code included), its answer given to <paramref name="sink"/> undecoded.</summary>
    internal void AddCall(EthCall call, Action<CallResult> sink)
    {
        _calls.Add(call);
        PackedChars += 6 + call.Data.Length;
        _sinks.Add((result, _) => sink(result));
    }

    /// <param name="checkpoint">where the read phase keeps completed requests (resume after a failure); null: none.</param>
    public async Task ExecuteAsync(EthRpc rpc, long block, CancellationToken ct, ReadCheckpointScope? checkpoint = null)
    {
        if (_calls.Count == 0) return;
        var results = await rpc.CallAsync(_calls, block, ct, checkpoint);
        for (var i = 0; i < results.Length; i++) _sinks[i](results[i], block);
        _calls.Clear();
        _sinks.Clear();
        PackedChars = 0;
    }
}

/// <summary>A function message's Solidity name, looked up once per type (a read phase adds thousands of calls).</summary>
internal static class FunctionName<TMsg>
{
    public static readonly string Value = typeof(TMsg).GetCustomAttribute<FunctionAttribute>()?.Name ?? typeof(TMsg).Name;
}

/// <summary>The decoded answer of one call in a <see cref="ReadBatch"/>.</summary>
public sealed class Reply<T>(string function, string to) where T : IFunctionOutputDTO, new()
{
    private static readonly FunctionCallDecoder Decoder = new();
    private T? _value;
    private string? _error;
    private long _block;
    private bool _done;

    /// <summary>The call returned data that decoded; false when it reverted, returned nothing, or did not decode.</summary>
    public bool Ok => _done && _error is null;

    /// <summary>The decoded value; a required read that failed is a chain error naming the call and block.</summary>
    public T Value => Ok ? _value! : throw new DefiRiskException(
        _done ? $"{function} on {to} failed at block {_block}: {_error}" : $"{function} on {to} was read before its batch ran", ExitCodes.ChainError);

    public T? OrDefault => Ok ? _value : default;

    /// <summary>Why the call failed (revert reason, empty or undecodable data); null when it succeeded or has not run.</summary>
    public string? Error => _error;

    internal void Set(CallResult result, long block)
    {
        _done = true;
        _block = block;
        if (!result.Success) { _error = result.Error ?? "reverted"; return; }
        if (!result.HasData) { _error = "empty return data (no such function, or no contract)"; return; }
        try { _value = StaticAbi.Decode<T>(result.Data) ?? Decoder.DecodeFunctionOutput<T>(result.Data); }
        catch (Exception ex) { _error = $"undecodable return data: {ex.Message.Split('\n')[0]}"; }
    }
}

/// <summary>The undecoded answer of one call in a <see cref="ReadBatch"/>; null until its batch ran.</summary>
public sealed class RawReply
{
    public CallResult? Result { get; internal set; }

    /// <summary>The 0x-hex return data when the call succeeded with data, else null.</summary>
    public string? Data => Result is { HasData: true } r ? r.Data : null;
}
