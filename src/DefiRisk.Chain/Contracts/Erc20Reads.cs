using DefiRisk.Chain.Contracts.ContractDefinition;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core.Domain;

namespace DefiRisk.Chain.Contracts;

/// <summary>ERC-20 <c>symbol()</c> and <c>decimals()</c> in a batch, tolerant of non-standard tokens.</summary>
internal sealed class Erc20Reads
{
    private Reply<StringOutput> _symbol = null!;
    private Reply<Uint8Output> _decimals = null!;

    public static Erc20Reads Add(ReadBatch batch, string token) => new()
    {
        _symbol = batch.Add<SymbolFunction, StringOutput>(token, new()),
        _decimals = batch.Add<DecimalsFunction, Uint8Output>(token, new()),
    };

    /// <summary>The on-chain symbol (untrusted text), or a short address when the token has none or returns bytes32 (MKR).</summary>
    public string Symbol(Address token) =>
        _symbol.Ok && !string.IsNullOrWhiteSpace(_symbol.Value.Value) ? _symbol.Value.Value.Trim() : token.Value[..10];

    public int Decimals => _decimals.Value.Value;
}
