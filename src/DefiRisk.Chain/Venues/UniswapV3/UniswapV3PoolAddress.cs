using System.Numerics;
using DefiRisk.Core.Domain;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Util;

namespace DefiRisk.Chain.Venues.UniswapV3;

/// <summary>
/// Where the factory deploys a pool: CREATE2 from the factory with salt keccak256(abi.encode(token0, token1, fee)) and
/// the pool's init code hash (<c>PoolAddress.computeAddress</c> in v3-periphery). No call is needed to know the address;
/// whether a pool is there is read at the block.
/// </summary>
public static class UniswapV3PoolAddress
{
    /// <summary>keccak256 of <c>UniswapV3Pool</c>'s creation bytecode as mainnet's factory deploys it; a test checks it
    /// against the npm <c>@uniswap/v3-core</c> artifact.</summary>
    public const string PoolInitCodeHash = "0xe34f199b19b2b4f47f68442619d555527d244f78a3297ea89325f843f87b8b54";

    /// <summary>The pool address for the two tokens (either order) and fee tier (pips).</summary>
    public static Address Compute(Address factory, Address tokenA, Address tokenB, int fee, string initCodeHash = PoolInitCodeHash)
    {
        var (token0, token1) = tokenA.CompareTo(tokenB) < 0 ? (tokenA, tokenB) : (tokenB, tokenA);
        var encoded = new byte[96];
        token0.Value.HexToByteArray().CopyTo(encoded, 12);
        token1.Value.HexToByteArray().CopyTo(encoded, 44);
        var feeBytes = new BigInteger(fee).ToByteArray(isUnsigned: true, isBigEndian: true);
        feeBytes.CopyTo(encoded, 96 - feeBytes.Length);
        var salt = Sha3Keccack.Current.CalculateHash(encoded);

        var preimage = new byte[85];
        preimage[0] = 0xff;
        factory.Value.HexToByteArray().CopyTo(preimage, 1);
        salt.CopyTo(preimage, 21);
        initCodeHash.HexToByteArray().CopyTo(preimage, 53);
        var hash = Sha3Keccack.Current.CalculateHash(preimage);
        return Address.Parse("0x" + hash.AsSpan(12).ToArray().ToHex());
    }
}
