using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

// ABI bindings (abi/ERC20.json, abi/ExchangeRateAggregator.json, the fixture's CAPO-surface source): ERC-20 metadata and balances, and the
// price-source surface of Aave's CAPO exchange-rate adapters (bgd-labs/aave-capo PriceCapAdapterBase).
namespace DefiRisk.Chain.Contracts.ContractDefinition;

[Function("symbol", "string")] public sealed class SymbolFunction : FunctionMessage;
[Function("decimals", "uint8")] public sealed class DecimalsFunction : FunctionMessage;

[Function("balanceOf", "uint256")]
public sealed class BalanceOfFunction : FunctionMessage
{
    [Parameter("address", "account", 1)] public string Account { get; set; } = "";
}

/// <summary>CAPO <c>getRatio()</c>: the exchange rate (e.g. stETH per wstETH), <c>RATIO_DECIMALS</c> decimals.</summary>
[Function("getRatio", "int256")] public sealed class GetRatioFunction : FunctionMessage;
/// <summary>CAPO <c>BASE_TO_USD_AGGREGATOR()</c>: the feed the ratio multiplies (ETH/USD for wstETH).</summary>
[Function("BASE_TO_USD_AGGREGATOR", "address")] public sealed class BaseToUsdAggregatorFunction : FunctionMessage;
[Function("RATIO_DECIMALS", "uint8")] public sealed class RatioDecimalsFunction : FunctionMessage;

[FunctionOutput] public sealed class StringOutput : IFunctionOutputDTO { [Parameter("string", "", 1)] public string Value { get; set; } = ""; }
[FunctionOutput] public sealed class Uint8Output : IFunctionOutputDTO { [Parameter("uint8", "", 1)] public byte Value { get; set; } }
[FunctionOutput] public sealed class Uint256Output : IFunctionOutputDTO { [Parameter("uint256", "", 1)] public BigInteger Value { get; set; } }
[FunctionOutput] public sealed class Int256Output : IFunctionOutputDTO { [Parameter("int256", "", 1)] public BigInteger Value { get; set; } }
[FunctionOutput] public sealed class AddressOutput : IFunctionOutputDTO { [Parameter("address", "", 1)] public string Value { get; set; } = ""; }
[FunctionOutput] public sealed class AddressArrayOutput : IFunctionOutputDTO { [Parameter("address[]", "", 1)] public List<string> Value { get; set; } = []; }
[FunctionOutput] public sealed class Uint256ArrayOutput : IFunctionOutputDTO { [Parameter("uint256[]", "", 1)] public List<BigInteger> Value { get; set; } = []; }
