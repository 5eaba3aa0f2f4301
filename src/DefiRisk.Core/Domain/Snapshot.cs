using System.Numerics;

namespace DefiRisk.Core.Domain;

/// <summary>
/// Everything the analyser knows about one chain at one pinned block: assets and their oracle prices,
/// lending markets with their risk parameters, every indexed position, and the DEX liquidity that
/// seized collateral is sold into. All amounts are exact integers in the unit the contracts use.
/// Loaded by storage, produced by the indexer; the analyser only reads it.
/// </summary>
public sealed record Snapshot(
    ChainPoint Chain,
    IReadOnlyList<Asset> Assets,
    IReadOnlyList<AaveV3MarketState> AaveV3Markets,
    IReadOnlyList<MorphoBlueState> MorphoBlue,
    IReadOnlyList<UniswapV2Pool> UniswapV2Pools)
{
    // Indexes are rebuilt in the init accessors so that `with { Assets = … }` never keeps a stale one.
    private Dictionary<Address, Asset> _assets = Assets.ToDictionary(a => a.Address);

    public IReadOnlyList<Asset> Assets
    {
        get;
        init { field = value; _assets = value.ToDictionary(a => a.Address); }
    } = Assets;

    public Asset Asset(Address address) =>
        _assets.TryGetValue(address, out var a) ? a : throw new DefiRiskException($"asset {address} is not in the snapshot");

    public Asset? FindAsset(Address address) => _assets.GetValueOrDefault(address);

    /// <summary>Finds an asset by symbol (case-insensitive) or address text; null when neither matches.</summary>
    public Asset? FindAsset(string symbolOrAddress) =>
        Domain.Address.TryParse(symbolOrAddress, out var addr)
            ? FindAsset(addr)
            : Assets.FirstOrDefault(a => string.Equals(a.Symbol, symbolOrAddress, StringComparison.OrdinalIgnoreCase));

    public int PositionCount =>
        AaveV3Markets.Sum(m => m.Accounts.Count) + MorphoBlue.Sum(m => m.Positions.Count);
}

/// <summary>The pinned block every value in a snapshot was read at.</summary>
public sealed record ChainPoint(long ChainId, long BlockNumber, long BlockTimestamp);

/// <summary>
/// An ERC-20 as the lending protocols see it. <see cref="PriceUsd"/> is the oracle price in USD with
/// 8 decimals (Aave's mainnet base currency unit, Chainlink's USD feeds), the common numeraire the
/// analyser shocks. <see cref="Symbol"/> comes from the chain: untrusted, escape it in every report.
/// </summary>
public sealed record Asset(Address Address, string Symbol, int Decimals, BigInteger PriceUsd, AssetOracle Oracle);

public enum OracleKind
{
    /// <summary>A market feed (Chainlink-style): follows the asset's market price.</summary>
    Market,
    /// <summary>
    /// An exchange-rate oracle (Aave CAPO adapters, Morpho ERC-4626 oracles): price = ratio × the base
    /// asset's feed, so a secondary-market depeg of the asset alone does not move it.
    /// </summary>
    ExchangeRate,
}

/// <summary>
/// How an asset's oracle price is formed. For <see cref="OracleKind.ExchangeRate"/>,
/// price = <see cref="Ratio"/> / 10^<see cref="RatioDecimals"/> × price of <see cref="BaseAsset"/>.
/// </summary>
public sealed record AssetOracle(OracleKind Kind, Address Source, Address? BaseAsset = null, BigInteger? Ratio = null, int RatioDecimals = 18)
{
    public static AssetOracle MarketFeed(Address source) => new(OracleKind.Market, source);
}

// ---------------------------------------------------------------- Aave v3

/// <summary>One Aave v3 pool (e.g. mainnet Core or Prime) with its reserves and indexed accounts.</summary>
public sealed record AaveV3MarketState(AaveV3Market Market, IReadOnlyList<AaveV3Account> Accounts);

/// <summary>
/// An Aave v3 pool deployment. <see cref="PoolRevision"/> is <c>POOL_REVISION()</c> read from the chain, in Aave's
/// numbering: liquidation and rounding rules branch on it, never on "Aave". For a fork (SparkLend) it is the Aave revision
/// whose rules the fork's own <c>POOL_REVISION</c> maps to in <c>AaveV3Releases</c>. <see cref="BaseCurrencyUnit"/> is
/// <c>AaveOracle.BASE_CURRENCY_UNIT()</c> (1e8 for USD markets).
/// </summary>
public sealed record AaveV3Market(
    string Name,
    Address Pool,
    Address Oracle,
    Address DataProvider,
    int PoolRevision,
    BigInteger BaseCurrencyUnit,
    IReadOnlyList<AaveV3Reserve> Reserves,
    IReadOnlyList<AaveV3EModeCategory> EModeCategories)
{
    private Dictionary<Address, AaveV3Reserve> _byAsset = Reserves.ToDictionary(r => r.Asset);

    public IReadOnlyList<AaveV3Reserve> Reserves
    {
        get;
        init { field = value; _byAsset = value.ToDictionary(r => r.Asset); }
    } = Reserves;

    public AaveV3Reserve Reserve(Address asset) =>
        _byAsset.TryGetValue(asset, out var r) ? r : throw new DefiRiskException($"asset {asset} is not a reserve of Aave market {Name}");

    public AaveV3EModeCategory? EMode(int id) => id == 0 ? null : EModeCategories.FirstOrDefault(e => e.Id == id);
}

/// <summary>
/// One reserve's risk parameters, decoded from the configuration bitmap (<c>ReserveConfiguration.sol</c>).
/// LTV, thresholds, bonus (incl. the 100 %: 10500 = +5 %), fees: bps. Caps: whole tokens (0 = none).
/// <see cref="OraclePrice"/>: <c>AaveOracle.getAssetPrice</c>, base-currency units.
/// <see cref="LiquidityIndex"/> / <see cref="VariableBorrowIndex"/>: ray, normalized to the snapshot block's timestamp
/// (<c>getReserveNormalizedIncome</c> / <c>getReserveNormalizedVariableDebt</c>), i.e. the index <c>balanceOf</c> used for
/// the balances below and the one a liquidation in that block burns with; 0 = unknown.
/// <see cref="Deficit"/>: v3.3+ <c>getReserveDeficit</c>, bad debt booked on the reserve (base units of the asset; 0 before 3.3).
/// <see cref="LiquidationGracePeriodUntil"/>: v3.1+ <c>getLiquidationGracePeriod</c> (unix seconds; liquidations touching the
/// reserve revert while the block time is at or before it; 0 = none).
/// </summary>
public sealed record AaveV3Reserve(
    Address Asset,
    int Id,
    int Decimals,
    int Ltv,
    int LiquidationThreshold,
    int LiquidationBonus,
    int LiquidationProtocolFee,
    int ReserveFactor,
    bool Active,
    bool Frozen,
    bool Paused,
    bool BorrowingEnabled,
    int EModeCategory,
    BigInteger BorrowCap,
    BigInteger SupplyCap,
    BigInteger LiquidityIndex,
    BigInteger VariableBorrowIndex,
    BigInteger OraclePrice,
    Address AToken,
    Address VariableDebtToken,
    Address StableDebtToken,
    BigInteger Deficit = default,
    long LiquidationGracePeriodUntil = 0);

/// <summary>
/// An e-mode category (v3.0/3.1 <c>getEModeCategoryData</c>; 3.2+ <c>getEModeCategoryCollateralConfig</c>).
/// <see cref="CollateralAssets"/> are the reserves whose LT/LTV/bonus the category replaces for its users
/// (≤ 3.1: reserves whose configuration bits 168–175 name the category; 3.2+: the collateral bitmap).
/// A non-zero <see cref="PriceSource"/> (≤ 3.1 only) replaces member assets' prices with
/// <see cref="PriceSourcePrice"/>, its oracle price at the block.
/// 3.2+: <see cref="BorrowableAssets"/> from the borrowable bitmap; 3.6+: <see cref="LtvZeroAssets"/> from the ltvzero bitmap
/// (collateral members whose LTV is 0 inside the category: they keep the category's LT). Null when the revision has no such bitmap.
/// </summary>
public sealed record AaveV3EModeCategory(
    int Id,
    int Ltv,
    int LiquidationThreshold,
    int LiquidationBonus,
    Address PriceSource,
    string Label,
    IReadOnlyList<Address> CollateralAssets,
    BigInteger? PriceSourcePrice = null,
    IReadOnlyList<Address>? BorrowableAssets = null,
    IReadOnlyList<Address>? LtvZeroAssets = null)
{
    public bool Contains(Address asset) => CollateralAssets.Contains(asset);

    /// <summary>v3.6 <c>ValidationLogic.getUserReserveLtv</c>: a collateral member flagged in the ltvzero bitmap has LTV 0 in the category.</summary>
    public bool IsLtvZero(Address asset) => LtvZeroAssets is { } z && z.Contains(asset);
}

/// <summary>An Aave v3 account: its e-mode and, per reserve it touches, balances in base units of that asset.</summary>
public sealed record AaveV3Account(Address Account, int EModeCategory, IReadOnlyList<AaveV3AccountReserve> Reserves);

/// <summary>
/// Balances at the pinned block (<c>aToken.balanceOf</c>, <c>variableDebtToken.balanceOf</c>,
/// <c>stableDebtToken.balanceOf</c>; they include the index at that block). <see cref="UsedAsCollateral"/>
/// is the user-configuration collateral bit.
/// </summary>
public sealed record AaveV3AccountReserve(Address Asset, BigInteger Collateral, bool UsedAsCollateral, BigInteger VariableDebt, BigInteger StableDebt)
{
    public BigInteger TotalDebt => VariableDebt + StableDebt;
}

// ---------------------------------------------------------------- Morpho Blue

/// <summary>One Morpho Blue singleton with the indexed markets and positions.</summary>
public sealed record MorphoBlueState(Address Morpho, IReadOnlyList<MorphoBlueMarket> Markets, IReadOnlyList<MorphoBluePosition> Positions);

/// <summary>
/// A Morpho Blue market. <see cref="Id"/> = keccak256(abi.encode(params)) as 0x-hex. <see cref="Lltv"/>, fee: wad.
/// Totals are accrued to the snapshot block timestamp (as <c>_accrueInterest</c> would before any call),
/// so shares convert to the assets a liquidation at that block would see. <see cref="OraclePrice"/>:
/// <c>IOracle.price()</c>, one collateral base unit in loan base units × 1e36.
/// </summary>
public sealed record MorphoBlueMarket(
    string Id,
    Address LoanToken,
    Address CollateralToken,
    Address Oracle,
    Address Irm,
    BigInteger Lltv,
    BigInteger TotalSupplyAssets,
    BigInteger TotalSupplyShares,
    BigInteger TotalBorrowAssets,
    BigInteger TotalBorrowShares,
    long LastUpdate,
    BigInteger Fee,
    BigInteger OraclePrice);

/// <summary><c>Morpho.position(id, user)</c>: shares, and collateral in base units of the collateral token.</summary>
public sealed record MorphoBluePosition(string MarketId, Address Account, BigInteger SupplyShares, BigInteger BorrowShares, BigInteger Collateral);

// ---------------------------------------------------------------- DEX

/// <summary>A Uniswap v2 pair: token0 is the lower address; reserves in base units (<c>getReserves()</c>).</summary>
public sealed record UniswapV2Pool(Address Pair, Address Token0, Address Token1, BigInteger Reserve0, BigInteger Reserve1);
