using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

// ABI bindings for Morpho Blue (abi/MorphoBlue.json; @morpho-org/morpho-blue 1.0.0 src/interfaces/IMorpho.sol,
// IIrm.sol, IOracle.sol).
namespace DefiRisk.Chain.Protocols.MorphoBlue.ContractDefinition;

/// <summary><c>MarketParams</c>: a static tuple (id = keccak256 of its abi.encode).</summary>
public sealed class MarketParamsTuple
{
    [Parameter("address", "loanToken", 1)] public string LoanToken { get; set; } = "";
    [Parameter("address", "collateralToken", 2)] public string CollateralToken { get; set; } = "";
    [Parameter("address", "oracle", 3)] public string Oracle { get; set; } = "";
    [Parameter("address", "irm", 4)] public string Irm { get; set; } = "";
    [Parameter("uint256", "lltv", 5)] public BigInteger Lltv { get; set; }
}

/// <summary><c>Market</c>: totals as of <c>lastUpdate</c> (not accrued).</summary>
public sealed class MarketTuple
{
    [Parameter("uint128", "totalSupplyAssets", 1)] public BigInteger TotalSupplyAssets { get; set; }
    [Parameter("uint128", "totalSupplyShares", 2)] public BigInteger TotalSupplyShares { get; set; }
    [Parameter("uint128", "totalBorrowAssets", 3)] public BigInteger TotalBorrowAssets { get; set; }
    [Parameter("uint128", "totalBorrowShares", 4)] public BigInteger TotalBorrowShares { get; set; }
    [Parameter("uint128", "lastUpdate", 5)] public BigInteger LastUpdate { get; set; }
    [Parameter("uint128", "fee", 6)] public BigInteger Fee { get; set; }
}

[Function("idToMarketParams", typeof(MarketParamsOutput))]
public sealed class IdToMarketParamsFunction : FunctionMessage
{
    [Parameter("bytes32", "id", 1)] public byte[] Id { get; set; } = [];
}

[FunctionOutput]
public sealed class MarketParamsOutput : IFunctionOutputDTO
{
    [Parameter("address", "loanToken", 1)] public string LoanToken { get; set; } = "";
    [Parameter("address", "collateralToken", 2)] public string CollateralToken { get; set; } = "";
    [Parameter("address", "oracle", 3)] public string Oracle { get; set; } = "";
    [Parameter("address", "irm", 4)] public string Irm { get; set; } = "";
    [Parameter("uint256", "lltv", 5)] public BigInteger Lltv { get; set; }
}

[Function("market", typeof(MarketOutput))]
public sealed class MarketFunction : FunctionMessage
{
    [Parameter("bytes32", "id", 1)] public byte[] Id { get; set; } = [];
}

[FunctionOutput]
public sealed class MarketOutput : IFunctionOutputDTO
{
    [Parameter("uint128", "totalSupplyAssets", 1)] public BigInteger TotalSupplyAssets { get; set; }
    [Parameter("uint128", "totalSupplyShares", 2)] public BigInteger TotalSupplyShares { get; set; }
    [Parameter("uint128", "totalBorrowAssets", 3)] public BigInteger TotalBorrowAssets { get; set; }
    [Parameter("uint128", "totalBorrowShares", 4)] public BigInteger TotalBorrowShares { get; set; }
    [Parameter("uint128", "lastUpdate", 5)] public BigInteger LastUpdate { get; set; }
    [Parameter("uint128", "fee", 6)] public BigInteger Fee { get; set; }
}

[Function("position", typeof(PositionOutput))]
public sealed class PositionFunction : FunctionMessage
{
    [Parameter("bytes32", "id", 1)] public byte[] Id { get; set; } = [];
    [Parameter("address", "user", 2)] public string User { get; set; } = "";
}

[FunctionOutput]
public sealed class PositionOutput : IFunctionOutputDTO
{
    [Parameter("uint256", "supplyShares", 1)] public BigInteger SupplyShares { get; set; }
    [Parameter("uint128", "borrowShares", 2)] public BigInteger BorrowShares { get; set; }
    [Parameter("uint128", "collateral", 3)] public BigInteger Collateral { get; set; }
}

/// <summary><c>IOracle.price()</c>: one collateral base unit in loan base units × 1e36.</summary>
[Function("price", "uint256")] public sealed class OraclePriceFunction : FunctionMessage;

/// <summary><c>IIrm.borrowRateView(marketParams, market)</c>: per-second borrow rate, wad.</summary>
[Function("borrowRateView", "uint256")]
public sealed class BorrowRateViewFunction : FunctionMessage
{
    [Parameter("tuple", "marketParams", 1)] public MarketParamsTuple MarketParams { get; set; } = new();
    [Parameter("tuple", "market", 2)] public MarketTuple Market { get; set; } = new();
}

/// <summary><c>liquidate(marketParams, borrower, seizedAssets, repaidShares, data)</c>: used by the parity tests via eth_call.</summary>
[Function("liquidate", typeof(LiquidateOutput))]
public sealed class LiquidateFunction : FunctionMessage
{
    [Parameter("tuple", "marketParams", 1)] public MarketParamsTuple MarketParams { get; set; } = new();
    [Parameter("address", "borrower", 2)] public string Borrower { get; set; } = "";
    [Parameter("uint256", "seizedAssets", 3)] public BigInteger SeizedAssets { get; set; }
    [Parameter("uint256", "repaidShares", 4)] public BigInteger RepaidShares { get; set; }
    [Parameter("bytes", "data", 5)] public byte[] Data { get; set; } = [];
}

[FunctionOutput]
public sealed class LiquidateOutput : IFunctionOutputDTO
{
    [Parameter("uint256", "", 1)] public BigInteger SeizedAssets { get; set; }
    [Parameter("uint256", "", 2)] public BigInteger RepaidAssets { get; set; }
}

/// <summary><c>accrueInterest(marketParams)</c>: used by the parity tests to let the contract accrue.</summary>
[Function("accrueInterest")]
public sealed class AccrueInterestFunction : FunctionMessage
{
    [Parameter("tuple", "marketParams", 1)] public MarketParamsTuple MarketParams { get; set; } = new();
}

/// <summary><c>repay(marketParams, assets, shares, onBehalf, data)</c> → (assetsRepaid, sharesRepaid): used by the parity tests via eth_call.</summary>
[Function("repay", typeof(RepayOutput))]
public sealed class RepayFunction : FunctionMessage
{
    [Parameter("tuple", "marketParams", 1)] public MarketParamsTuple MarketParams { get; set; } = new();
    [Parameter("uint256", "assets", 2)] public BigInteger Assets { get; set; }
    [Parameter("uint256", "shares", 3)] public BigInteger Shares { get; set; }
    [Parameter("address", "onBehalf", 4)] public string OnBehalf { get; set; } = "";
    [Parameter("bytes", "data", 5)] public byte[] Data { get; set; } = [];
}

[FunctionOutput]
public sealed class RepayOutput : IFunctionOutputDTO
{
    [Parameter("uint256", "assetsRepaid", 1)] public BigInteger AssetsRepaid { get; set; }
    [Parameter("uint256", "sharesRepaid", 2)] public BigInteger SharesRepaid { get; set; }
}
