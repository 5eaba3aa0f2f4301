using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace DefiRisk.Chain.Protocols.MorphoBlue.ContractDefinition;

// The getters of morpho-blue-oracles' MorphoChainlinkOracleV2 and of the first ChainlinkOracle (immutables), the
// Chainlink feed surface they read, ERC-4626 convertToAssets, and Chainlink proxies' aggregator().

[Function("BASE_VAULT", "address")] public sealed class BaseVaultFunction : FunctionMessage;
[Function("BASE_VAULT_CONVERSION_SAMPLE", "uint256")] public sealed class BaseVaultConversionSampleFunction : FunctionMessage;
[Function("QUOTE_VAULT", "address")] public sealed class QuoteVaultFunction : FunctionMessage;
[Function("QUOTE_VAULT_CONVERSION_SAMPLE", "uint256")] public sealed class QuoteVaultConversionSampleFunction : FunctionMessage;
[Function("VAULT", "address")] public sealed class VaultFunction : FunctionMessage;
[Function("VAULT_CONVERSION_SAMPLE", "uint256")] public sealed class VaultConversionSampleFunction : FunctionMessage;
[Function("BASE_FEED_1", "address")] public sealed class BaseFeed1Function : FunctionMessage;
[Function("BASE_FEED_2", "address")] public sealed class BaseFeed2Function : FunctionMessage;
[Function("QUOTE_FEED_1", "address")] public sealed class QuoteFeed1Function : FunctionMessage;
[Function("QUOTE_FEED_2", "address")] public sealed class QuoteFeed2Function : FunctionMessage;
[Function("SCALE_FACTOR", "uint256")] public sealed class ScaleFactorFunction : FunctionMessage;
[Function("aggregator", "address")] public sealed class AggregatorFunction : FunctionMessage;

// latestRoundData: the shared Chainlink binding (Contracts/ContractDefinition/ChainlinkFeeds.cs).

[Function("convertToAssets", "uint256")]
public sealed class ConvertToAssetsFunction : FunctionMessage
{
    [Parameter("uint256", "shares", 1)] public BigInteger Shares { get; set; }
}
