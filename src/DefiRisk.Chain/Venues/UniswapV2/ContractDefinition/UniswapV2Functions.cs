using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

// ABI bindings for Uniswap v2 (abi/UniswapV2Pair.json, abi/UniswapV2Factory.json; @uniswap/v2-core 1.0.1 build).
namespace DefiRisk.Chain.Venues.UniswapV2.ContractDefinition;

[Function("token0", "address")] public sealed class Token0Function : FunctionMessage;
[Function("token1", "address")] public sealed class Token1Function : FunctionMessage;
[Function("getReserves", typeof(GetReservesOutput))] public sealed class GetReservesFunction : FunctionMessage;

[FunctionOutput]
public sealed class GetReservesOutput : IFunctionOutputDTO
{
    [Parameter("uint112", "_reserve0", 1)] public BigInteger Reserve0 { get; set; }
    [Parameter("uint112", "_reserve1", 2)] public BigInteger Reserve1 { get; set; }
    [Parameter("uint32", "_blockTimestampLast", 3)] public long BlockTimestampLast { get; set; }
}

[Function("getPair", "address")]
public sealed class GetPairFunction : FunctionMessage
{
    [Parameter("address", "tokenA", 1)] public string TokenA { get; set; } = "";
    [Parameter("address", "tokenB", 2)] public string TokenB { get; set; } = "";
}
