using System.Numerics;
using Nethereum.ABI;
using Nethereum.Util;

namespace DefiRisk.Harness;

/// <summary>
/// Call data for flat-typed functions written as their Solidity signature, e.g.
/// <c>Abi.Call("mint(address,uint256)", to, amount)</c>: the full signature picks the overload
/// (MintableERC20 has <c>mint(uint256)</c> and <c>mint(address,uint256)</c>, LOCAL-CHAIN §7.4).
/// Functions taking tuples use the FunctionMessage DTOs in <see cref="FixtureMessages"/> instead.
/// </summary>
internal static class Abi
{
    private static readonly ABIEncode Encoder = new();

    public static string Selector(string signature) => Sha3Keccack.Current.CalculateHash(signature)[..8];

    /// <summary>"0x" + selector + ABI-encoded arguments.</summary>
    public static string Call(string signature, params object[] args) =>
        "0x" + Selector(signature) + Encode(Types(signature), args);

    /// <summary>Creation code + ABI-encoded constructor arguments, for the types in <paramref name="constructorTypes"/> ("(address,uint256)").</summary>
    public static string Deploy(string bytecode, string constructorTypes = "()", params object[] args) =>
        "0x" + bytecode + Encode(Types(constructorTypes), args);

    public static string Encode(string[] types, object[] args)
    {
        if (types.Length != args.Length) throw new ArgumentException($"{types.Length} types but {args.Length} arguments");
        if (types.Length == 0) return "";
        var values = types.Select((t, i) => new ABIValue(t, args[i])).ToArray();
        return Convert.ToHexString(Encoder.GetABIEncoded(values)).ToLowerInvariant();
    }

    private static string[] Types(string signature)
    {
        var open = signature.IndexOf('(');
        var inner = signature[(open + 1)..signature.LastIndexOf(')')];
        return inner.Length == 0 ? [] : inner.Split(',');
    }

    // ---- decoding return data ----------------------------------------------------------------

    /// <summary>The <paramref name="index"/>th 32-byte word of return data.</summary>
    public static string Word(string hex, int index)
    {
        var h = hex.StartsWith("0x", StringComparison.Ordinal) ? hex[2..] : hex;
        return h.Substring(index * 64, 64);
    }

    public static string AddressAt(string hex, int index) => "0x" + Word(hex, index)[24..];

    public static BigInteger UIntAt(string hex, int index) => AnvilRpc.Quantity(Word(hex, index));

    public static BigInteger IntAt(string hex, int index)
    {
        var v = UIntAt(hex, index);
        return v >= BigInteger.One << 255 ? v - (BigInteger.One << 256) : v;
    }
}
