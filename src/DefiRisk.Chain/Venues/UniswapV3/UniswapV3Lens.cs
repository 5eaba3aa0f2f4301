using System.Globalization;
using System.Numerics;
using DefiRisk.Chain.Rpc;
using DefiRisk.Core;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Venues.UniswapV3;

namespace DefiRisk.Chain.Venues.UniswapV3;

/// <summary>
/// A whole Uniswap v3 pool in one eth_call: <c>UniswapV3Lens.sol</c> (beside this file) runs as the code of an unused
/// address through eth_call's state override, reads <c>slot0</c>, <c>liquidity</c>, fee, spacing, tokens, the bitmap words
/// (all, or within a radius of the current tick's word) and <c>ticks(i)</c> of every set bit, and answers them as one
/// <c>uint256[]</c> — what <see cref="UniswapV3Reader"/> reads in three dependent rounds. The calls carry their own code,
/// so they ride inside another round's request (<see cref="Adapters.IBlockReader.Ride"/>). <c>UniswapV3Lens.runtime.hex</c>
/// is its runtime bytecode (solc 0.8.19, optimizer 200 runs, paris, no metadata hash); a test recompiles the source and compares.
/// </summary>
internal static class UniswapV3Lens
{
    /// <summary>Where the lens runs: an address no contract or key holds, beside the read lens's.</summary>
    public const string Address = "0x0000000000000000000000000000defa11ead3e5";

    public static readonly string RuntimeCode = "0x" + LoadRuntime();

    // read(address,int256)
    private static readonly string Selector = "0x" + Convert.ToHexStringLower(new Nethereum.Util.Sha3Keccack().CalculateHash(
        System.Text.Encoding.ASCII.GetBytes("read(address,int256)")))[..8];

    /// <summary>The lens call for <paramref name="pool"/>; <paramref name="wordRadius"/> null: every word.</summary>
    public static EthCall Call(Address pool, int? wordRadius)
    {
        var radius = new BigInteger(wordRadius ?? -1);
        return new EthCall(Address, Selector + Word(pool.Value[2..].ToLowerInvariant()) + Word(radius), RuntimeCode);
    }

    /// <summary>
    /// The pool as <see cref="UniswapV3Reader"/> would read it; null when <paramref name="answer"/> is not a lens answer
    /// (no override, a revert, out of gas) or does not describe a readable pool: the plain reads then say why.
    /// </summary>
    public static UniswapV3Pool? Decode(Address pool, CallResult answer, int? wordRadius)
    {
        if (!answer.HasData) return null;
        try
        {
            var hex = answer.Data[2..];
            if (hex.Length % 64 != 0 || hex.Length < 64 * 12) return null;
            BigInteger U(int i) => BigInteger.Parse("0" + hex.Substring(64 * i, 64), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            BigInteger S(int i) => BigInteger.Parse(hex.Substring(64 * i, 64), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var length = (int)U(1);
            if (U(0) != 32 || hex.Length != 64 * (2 + length)) return null;
            const int o = 2;
            var (sqrtPriceX96, tick, liquidity, fee, spacing) = (U(o), (int)S(o + 1), U(o + 2), (int)U(o + 3), (int)S(o + 4));
            if (sqrtPriceX96.IsZero || spacing <= 0) return null;
            var all = UniswapV3BitmapWords.All(spacing);
            var range = all;
            if (wordRadius is { } r)
            {
                var current = UniswapV3BitmapWords.WordOf(UniswapV3BitmapWords.Compress(tick, spacing));
                range = new UniswapV3BitmapWords(Math.Max(all.First, current - r), Math.Min(all.Last, current + r));
            }
            if ((int)S(o + 7) != range.First || (int)S(o + 8) != range.Last) return null;
            var n = (int)U(o + 9);
            if (length != 10 + 2 * n) return null;
            var ticks = new List<UniswapV3Tick>(n);
            for (var k = 0; k < n; k++) ticks.Add(new UniswapV3Tick((int)S(o + 10 + 2 * k), S(o + 11 + 2 * k)));
            var state = new UniswapV3PoolState(sqrtPriceX96, tick, liquidity, fee, spacing, ticks, range);
            return new UniswapV3Pool(pool, AddressAt(U(o + 5)), AddressAt(U(o + 6)), state);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
        {
            return null;
        }
    }

    private static Address AddressAt(BigInteger word) => Core.Domain.Address.Parse("0x" + word.ToString("x64", CultureInfo.InvariantCulture)[^40..]);

    private static string Word(string hex) => hex.PadLeft(64, '0');

    private static string Word(BigInteger value) =>
        value.Sign >= 0 ? value.ToString("x64", CultureInfo.InvariantCulture)[^64..] : (BigInteger.Pow(2, 256) + value).ToString("x", CultureInfo.InvariantCulture)[^64..];

    private static string LoadRuntime()
    {
        using var stream = typeof(UniswapV3Lens).Assembly.GetManifestResourceStream("DefiRisk.Chain.Venues.UniswapV3.UniswapV3Lens.runtime.hex")
            ?? throw new DefiRiskException("the Uniswap v3 lens bytecode is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Trim();
    }
}
