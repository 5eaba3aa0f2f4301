using DefiRisk.Chain.Contracts.ContractDefinition;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core.Domain;

namespace DefiRisk.Chain.Contracts;

/// <summary>ERC-20 <c>symbol()</c> and <c>decimals()</c> in a batch, tolerant of non-standard tokens.</summary>
internal sealed class Erc20Reads
{
    private RawReply _symbol = null!;
    private Reply<Uint8Output> _decimals = null!;

    public static Erc20Reads Add(ReadBatch batch, string token) => new()
    {
        _symbol = batch.AddRaw(token, new SymbolFunction()),
        _decimals = batch.Add<DecimalsFunction, Uint8Output>(token, new()),
    };

    /// <summary>
    /// The on-chain symbol (untrusted text), a string or a bytes32 (MKR) alike (<see cref="TokenSymbol"/>), or a short
    /// address when the token has none.
    /// </summary>
    public string Symbol(Address token) =>
        _symbol.Data is { } data && TokenSymbol.Decode(data) is { } symbol ? symbol : token.Value[..10];

    public int Decimals => _decimals.Value.Value;
}
