using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

// ABI bindings for Uniswap v3 (abi/UniswapV3Pool.json, abi/UniswapV3Factory.json; @uniswap/v3-core 1.0.1 artifacts).
namespace DefiRisk.Chain.Venues.UniswapV3.ContractDefinition;

[Function("slot0", typeof(Slot0Output))] public sealed class Slot0Function : FunctionMessage;
[Function("liquidity", "uint128")] public sealed class LiquidityFunction : FunctionMessage;
[Function("fee", "uint24")] public sealed class FeeFunction : FunctionMessage;
[Function("tickSpacing", "int24")] public sealed class TickSpacingFunction : FunctionMessage;
[Function("token0", "address")] public sealed class PoolToken0Function : FunctionMessage;
[Function("token1", "address")] public sealed class PoolToken1Function : FunctionMessage;

/// <summary><c>tickBitmap(int16 wordPosition)</c>: bit b set ⇔ compressed tick wordPosition·256 + b is initialized.</summary>
[Function("tickBitmap", "uint256")]
public sealed class TickBitmapFunction : FunctionMessage
{
    [Parameter("int16", "wordPosition", 1)] public BigInteger WordPosition { get; set; }
}

[Function("ticks", typeof(TicksOutput))]
public sealed class TicksFunction : FunctionMessage
{
    [Parameter("int24", "tick", 1)] public BigInteger Tick { get; set; }
}

[FunctionOutput]
public sealed class Slot0Output : IFunctionOutputDTO
{
    [Parameter("uint160", "sqrtPriceX96", 1)] public BigInteger SqrtPriceX96 { get; set; }
    [Parameter("int24", "tick", 2)] public BigInteger Tick { get; set; }
    [Parameter("uint16", "observationIndex", 3)] public BigInteger ObservationIndex { get; set; }
    [Parameter("uint16", "observationCardinality", 4)] public BigInteger ObservationCardinality { get; set; }
    [Parameter("uint16", "observationCardinalityNext", 5)] public BigInteger ObservationCardinalityNext { get; set; }
    [Parameter("uint8", "feeProtocol", 6)] public BigInteger FeeProtocol { get; set; }
    [Parameter("bool", "unlocked", 7)] public bool Unlocked { get; set; }
}

[FunctionOutput]
public sealed class TicksOutput : IFunctionOutputDTO
{
    [Parameter("uint128", "liquidityGross", 1)] public BigInteger LiquidityGross { get; set; }
    [Parameter("int128", "liquidityNet", 2)] public BigInteger LiquidityNet { get; set; }
    [Parameter("uint256", "feeGrowthOutside0X128", 3)] public BigInteger FeeGrowthOutside0X128 { get; set; }
    [Parameter("uint256", "feeGrowthOutside1X128", 4)] public BigInteger FeeGrowthOutside1X128 { get; set; }
    [Parameter("int56", "tickCumulativeOutside", 5)] public BigInteger TickCumulativeOutside { get; set; }
    [Parameter("uint160", "secondsPerLiquidityOutsideX128", 6)] public BigInteger SecondsPerLiquidityOutsideX128 { get; set; }
    [Parameter("uint32", "secondsOutside", 7)] public BigInteger SecondsOutside { get; set; }
    [Parameter("bool", "initialized", 8)] public bool Initialized { get; set; }
}

[FunctionOutput] public sealed class Int24Output : IFunctionOutputDTO { [Parameter("int24", "", 1)] public BigInteger Value { get; set; } }

/// <summary><c>UniswapV3Factory.getPool(tokenA, tokenB, fee)</c>: the pool address, or zero when none exists.</summary>
[Function("getPool", "address")]
public sealed class GetPoolFunction : FunctionMessage
{
    [Parameter("address", "tokenA", 1)] public string TokenA { get; set; } = "";
    [Parameter("address", "tokenB", 2)] public string TokenB { get; set; } = "";
    [Parameter("uint24", "fee", 3)] public BigInteger Fee { get; set; }
}
