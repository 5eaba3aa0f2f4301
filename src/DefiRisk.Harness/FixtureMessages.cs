using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace DefiRisk.Harness;

/// <summary>Function messages for the calls whose arguments are tuples (Aave's initReserves, Morpho's MarketParams).</summary>
internal static class FixtureMessages
{
    /// <summary>Aave v3.0 <c>ConfiguratorInputTypes.InitReserveInput</c>. Field order matters: the impls are
    /// stable then variable, the names variable then stable (LOCAL-CHAIN §7.6).</summary>
    public sealed class InitReserveInput
    {
        [Parameter("address", "aTokenImpl", 1)] public string ATokenImpl { get; set; } = "";
        [Parameter("address", "stableDebtTokenImpl", 2)] public string StableDebtTokenImpl { get; set; } = "";
        [Parameter("address", "variableDebtTokenImpl", 3)] public string VariableDebtTokenImpl { get; set; } = "";
        [Parameter("uint8", "underlyingAssetDecimals", 4)] public byte UnderlyingAssetDecimals { get; set; }
        [Parameter("address", "interestRateStrategyAddress", 5)] public string InterestRateStrategyAddress { get; set; } = "";
        [Parameter("address", "underlyingAsset", 6)] public string UnderlyingAsset { get; set; } = "";
        [Parameter("address", "treasury", 7)] public string Treasury { get; set; } = "";
        [Parameter("address", "incentivesController", 8)] public string IncentivesController { get; set; } = "";
        [Parameter("string", "aTokenName", 9)] public string ATokenName { get; set; } = "";
        [Parameter("string", "aTokenSymbol", 10)] public string ATokenSymbol { get; set; } = "";
        [Parameter("string", "variableDebtTokenName", 11)] public string VariableDebtTokenName { get; set; } = "";
        [Parameter("string", "variableDebtTokenSymbol", 12)] public string VariableDebtTokenSymbol { get; set; } = "";
        [Parameter("string", "stableDebtTokenName", 13)] public string StableDebtTokenName { get; set; } = "";
        [Parameter("string", "stableDebtTokenSymbol", 14)] public string StableDebtTokenSymbol { get; set; } = "";
        [Parameter("bytes", "params", 15)] public byte[] Params { get; set; } = [];
    }

    [Function("initReserves")]
    public sealed class InitReservesFunction : FunctionMessage
    {
        [Parameter("tuple[]", "input", 1)] public List<InitReserveInput> Input { get; set; } = [];
    }

    /// <summary>Morpho Blue <c>MarketParams</c>; its id is keccak256(abi.encode(these five)).</summary>
    public sealed class MarketParams
    {
        [Parameter("address", "loanToken", 1)] public string LoanToken { get; set; } = "";
        [Parameter("address", "collateralToken", 2)] public string CollateralToken { get; set; } = "";
        [Parameter("address", "oracle", 3)] public string Oracle { get; set; } = "";
        [Parameter("address", "irm", 4)] public string Irm { get; set; } = "";
        [Parameter("uint256", "lltv", 5)] public BigInteger Lltv { get; set; }
    }

    [Function("createMarket")]
    public sealed class CreateMarketFunction : FunctionMessage
    {
        [Parameter("tuple", "marketParams", 1)] public MarketParams MarketParams { get; set; } = new();
    }

    [Function("supply")]
    public sealed class SupplyFunction : FunctionMessage
    {
        [Parameter("tuple", "marketParams", 1)] public MarketParams MarketParams { get; set; } = new();
        [Parameter("uint256", "assets", 2)] public BigInteger Assets { get; set; }
        [Parameter("uint256", "shares", 3)] public BigInteger Shares { get; set; }
        [Parameter("address", "onBehalf", 4)] public string OnBehalf { get; set; } = "";
        [Parameter("bytes", "data", 5)] public byte[] Data { get; set; } = [];
    }

    [Function("supplyCollateral")]
    public sealed class SupplyCollateralFunction : FunctionMessage
    {
        [Parameter("tuple", "marketParams", 1)] public MarketParams MarketParams { get; set; } = new();
        [Parameter("uint256", "assets", 2)] public BigInteger Assets { get; set; }
        [Parameter("address", "onBehalf", 3)] public string OnBehalf { get; set; } = "";
        [Parameter("bytes", "data", 4)] public byte[] Data { get; set; } = [];
    }

    [Function("borrow")]
    public sealed class BorrowFunction : FunctionMessage
    {
        [Parameter("tuple", "marketParams", 1)] public MarketParams MarketParams { get; set; } = new();
        [Parameter("uint256", "assets", 2)] public BigInteger Assets { get; set; }
        [Parameter("uint256", "shares", 3)] public BigInteger Shares { get; set; }
        [Parameter("address", "onBehalf", 4)] public string OnBehalf { get; set; } = "";
        [Parameter("address", "receiver", 5)] public string Receiver { get; set; } = "";
    }

    public static string Data<T>(T message) where T : FunctionMessage, new() =>
        "0x" + Convert.ToHexString(message.GetCallData()).ToLowerInvariant();
}
