using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

// ABI bindings for the Aave v3 Pool and AaveOracle (abi/AaveV3Pool.json, abi/AaveOracle.json; from
// @aave/core-v3 1.19.3 artifacts IPool / AaveOracle). Struct returns that are static tuples
// (ReserveData, ReserveConfigurationMap) are declared flat: their ABI encoding is the same.
namespace DefiRisk.Chain.Protocols.AaveV3.ContractDefinition;

/// <summary><c>POOL_REVISION()</c>: a public constant of the implementation, callable through the proxy.</summary>
[Function("POOL_REVISION", "uint256")] public sealed class PoolRevisionFunction : FunctionMessage;

/// <summary><c>FLASHLOAN_PREMIUM_TOTAL()</c>: the flash-loan fee in bps (a uint128, read into a uint256 word).</summary>
[Function("FLASHLOAN_PREMIUM_TOTAL", "uint128")] public sealed class FlashLoanPremiumTotalFunction : FunctionMessage;

[Function("getReservesList", "address[]")] public sealed class GetReservesListFunction : FunctionMessage;

/// <summary><c>getReserveNormalizedIncome(asset)</c>: the liquidity index at the block's timestamp (ray), what aToken.balanceOf uses.</summary>
[Function("getReserveNormalizedIncome", "uint256")]
public sealed class GetReserveNormalizedIncomeFunction : FunctionMessage
{
    [Parameter("address", "asset", 1)] public string Asset { get; set; } = "";
}

/// <summary><c>getReserveNormalizedVariableDebt(asset)</c>: the variable borrow index at the block's timestamp (ray).</summary>
[Function("getReserveNormalizedVariableDebt", "uint256")]
public sealed class GetReserveNormalizedVariableDebtFunction : FunctionMessage
{
    [Parameter("address", "asset", 1)] public string Asset { get; set; } = "";
}

[Function("getReserveData", typeof(ReserveDataOutput))]
public sealed class GetReserveDataFunction : FunctionMessage
{
    [Parameter("address", "asset", 1)] public string Asset { get; set; } = "";
}

/// <summary><c>DataTypes.ReserveData</c> (v3.0 layout, ABI-stable as ReserveDataLegacy through v3.7).</summary>
[FunctionOutput]
public sealed class ReserveDataOutput : IFunctionOutputDTO
{
    [Parameter("uint256", "configuration", 1)] public BigInteger Configuration { get; set; }
    [Parameter("uint128", "liquidityIndex", 2)] public BigInteger LiquidityIndex { get; set; }
    [Parameter("uint128", "currentLiquidityRate", 3)] public BigInteger CurrentLiquidityRate { get; set; }
    [Parameter("uint128", "variableBorrowIndex", 4)] public BigInteger VariableBorrowIndex { get; set; }
    [Parameter("uint128", "currentVariableBorrowRate", 5)] public BigInteger CurrentVariableBorrowRate { get; set; }
    [Parameter("uint128", "currentStableBorrowRate", 6)] public BigInteger CurrentStableBorrowRate { get; set; }
    [Parameter("uint40", "lastUpdateTimestamp", 7)] public BigInteger LastUpdateTimestamp { get; set; }
    [Parameter("uint16", "id", 8)] public int Id { get; set; }
    [Parameter("address", "aTokenAddress", 9)] public string ATokenAddress { get; set; } = "";
    [Parameter("address", "stableDebtTokenAddress", 10)] public string StableDebtTokenAddress { get; set; } = "";
    [Parameter("address", "variableDebtTokenAddress", 11)] public string VariableDebtTokenAddress { get; set; } = "";
    [Parameter("address", "interestRateStrategyAddress", 12)] public string InterestRateStrategyAddress { get; set; } = "";
    [Parameter("uint128", "accruedToTreasury", 13)] public BigInteger AccruedToTreasury { get; set; }
    [Parameter("uint128", "unbacked", 14)] public BigInteger Unbacked { get; set; }
    [Parameter("uint128", "isolationModeTotalDebt", 15)] public BigInteger IsolationModeTotalDebt { get; set; }
}

[Function("getUserConfiguration", "uint256")]
public sealed class GetUserConfigurationFunction : FunctionMessage
{
    [Parameter("address", "user", 1)] public string User { get; set; } = "";
}

[Function("getUserEMode", "uint256")]
public sealed class GetUserEModeFunction : FunctionMessage
{
    [Parameter("address", "user", 1)] public string User { get; set; } = "";
}

/// <summary>v3.0/3.1 <c>getEModeCategoryData(uint8)</c> → <c>DataTypes.EModeCategory</c> (a dynamic tuple: it holds a string).</summary>
[Function("getEModeCategoryData", typeof(EModeCategoryDataOutput))]
public sealed class GetEModeCategoryDataFunction : FunctionMessage
{
    [Parameter("uint8", "id", 1)] public byte Id { get; set; }
}

[FunctionOutput]
public sealed class EModeCategoryDataOutput : IFunctionOutputDTO
{
    [Parameter("tuple", "", 1)] public EModeCategoryTuple Category { get; set; } = new();
}

public sealed class EModeCategoryTuple
{
    [Parameter("uint16", "ltv", 1)] public int Ltv { get; set; }
    [Parameter("uint16", "liquidationThreshold", 2)] public int LiquidationThreshold { get; set; }
    [Parameter("uint16", "liquidationBonus", 3)] public int LiquidationBonus { get; set; }
    [Parameter("address", "priceSource", 4)] public string PriceSource { get; set; } = "";
    [Parameter("string", "label", 5)] public string Label { get; set; } = "";
}

/// <summary><c>getUserAccountData(user)</c>: read by the parity tests as the reference.</summary>
[Function("getUserAccountData", typeof(UserAccountDataOutput))]
public sealed class GetUserAccountDataFunction : FunctionMessage
{
    [Parameter("address", "user", 1)] public string User { get; set; } = "";
}

[FunctionOutput]
public sealed class UserAccountDataOutput : IFunctionOutputDTO
{
    [Parameter("uint256", "totalCollateralBase", 1)] public BigInteger TotalCollateralBase { get; set; }
    [Parameter("uint256", "totalDebtBase", 2)] public BigInteger TotalDebtBase { get; set; }
    [Parameter("uint256", "availableBorrowsBase", 3)] public BigInteger AvailableBorrowsBase { get; set; }
    [Parameter("uint256", "currentLiquidationThreshold", 4)] public BigInteger CurrentLiquidationThreshold { get; set; }
    [Parameter("uint256", "ltv", 5)] public BigInteger Ltv { get; set; }
    [Parameter("uint256", "healthFactor", 6)] public BigInteger HealthFactor { get; set; }
}

// ---------------------------------------------------------------- AaveOracle

[Function("BASE_CURRENCY_UNIT", "uint256")] public sealed class BaseCurrencyUnitFunction : FunctionMessage;

[Function("getAssetsPrices", "uint256[]")]
public sealed class GetAssetsPricesFunction : FunctionMessage
{
    [Parameter("address[]", "assets", 1)] public List<string> Assets { get; set; } = [];
}

[Function("getAssetPrice", "uint256")]
public sealed class GetAssetPriceFunction : FunctionMessage
{
    [Parameter("address", "asset", 1)] public string Asset { get; set; } = "";
}

[Function("getSourceOfAsset", "address")]
public sealed class GetSourceOfAssetFunction : FunctionMessage
{
    [Parameter("address", "asset", 1)] public string Asset { get; set; } = "";
}

// ---------------------------------------------------------------- e-mode, v3.2+ (aave-v3-origin IPool)

/// <summary>v3.2+ <c>getEModeCategoryCollateralConfig(uint8)</c> → <c>CollateralConfig</c> (static tuple, flat).</summary>
[Function("getEModeCategoryCollateralConfig", typeof(EModeCollateralConfigOutput))]
public sealed class GetEModeCategoryCollateralConfigFunction : FunctionMessage
{
    [Parameter("uint8", "id", 1)] public byte Id { get; set; }
}

[FunctionOutput]
public sealed class EModeCollateralConfigOutput : IFunctionOutputDTO
{
    [Parameter("uint16", "ltv", 1)] public int Ltv { get; set; }
    [Parameter("uint16", "liquidationThreshold", 2)] public int LiquidationThreshold { get; set; }
    [Parameter("uint16", "liquidationBonus", 3)] public int LiquidationBonus { get; set; }
}

/// <summary>v3.2+ <c>getEModeCategoryCollateralBitmap(uint8)</c>: bit i = reserve id i is collateral in the category.</summary>
[Function("getEModeCategoryCollateralBitmap", "uint128")]
public sealed class GetEModeCategoryCollateralBitmapFunction : FunctionMessage
{
    [Parameter("uint8", "id", 1)] public byte Id { get; set; }
}

[Function("getEModeCategoryLabel", "string")]
public sealed class GetEModeCategoryLabelFunction : FunctionMessage
{
    [Parameter("uint8", "id", 1)] public byte Id { get; set; }
}

/// <summary>v3.2+ <c>getEModeCategoryBorrowableBitmap(uint8)</c>: bit i = reserve id i may be borrowed in the category.</summary>
[Function("getEModeCategoryBorrowableBitmap", "uint128")]
public sealed class GetEModeCategoryBorrowableBitmapFunction : FunctionMessage
{
    [Parameter("uint8", "id", 1)] public byte Id { get; set; }
}

/// <summary>v3.6+ <c>getEModeCategoryLtvzeroBitmap(uint8)</c>: bit i = reserve id i is collateral with LTV 0 in the category.</summary>
[Function("getEModeCategoryLtvzeroBitmap", "uint128")]
public sealed class GetEModeCategoryLtvzeroBitmapFunction : FunctionMessage
{
    [Parameter("uint8", "id", 1)] public byte Id { get; set; }
}

/// <summary>v3.3+ <c>getReserveDeficit(asset)</c>: bad debt booked on the reserve, base units of the asset.</summary>
[Function("getReserveDeficit", "uint256")]
public sealed class GetReserveDeficitFunction : FunctionMessage
{
    [Parameter("address", "asset", 1)] public string Asset { get; set; } = "";
}

/// <summary>v3.1+ <c>getLiquidationGracePeriod(asset)</c> → uint40 unix seconds (decoded into a uint256 word).</summary>
[Function("getLiquidationGracePeriod", "uint40")]
public sealed class GetLiquidationGracePeriodFunction : FunctionMessage
{
    [Parameter("address", "asset", 1)] public string Asset { get; set; } = "";
}

/// <summary>v3.1+ <c>getVirtualUnderlyingBalance(asset)</c> → uint128: the reserve's cash as the pool accounts for it (base units).</summary>
[Function("getVirtualUnderlyingBalance", "uint128")]
public sealed class GetVirtualUnderlyingBalanceFunction : FunctionMessage
{
    [Parameter("address", "asset", 1)] public string Asset { get; set; } = "";
}
