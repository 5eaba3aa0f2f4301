using System.Numerics;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Lending;

namespace DefiRisk.Core.Protocols.AaveV3;

/// <summary>
/// Aave v3's part of a snapshot: every indexed pool (e.g. mainnet Core and Prime) with its reserves and accounts, and
/// the liquidation rule's constants (the deployed close factor, or a proposal's code upgrade of it).
/// </summary>
public sealed partial record AaveV3Book(IReadOnlyList<AaveV3MarketState> Markets, AaveV3LiquidationRule? Rule = null) : ILendingBook
{
    /// <summary>The family's name in results, proposals (<c>"aave-v3": {…}</c>) and reports.</summary>
    public const string Name = "aave-v3";

    public string Protocol => Name;

    public AaveV3LiquidationRule LiquidationRule => Rule ?? AaveV3LiquidationRule.Instance;

    public int PositionCount => Markets.Sum(m => m.Accounts.Count);

    public IEnumerable<(Address Asset, string Role)> AssetReferences() =>
        Markets.SelectMany(m => m.Market.Reserves.Select(r => (r.Asset, $"reserve of Aave market {m.Market.Name}")));
}

/// <summary>Where a snapshot's Aave v3 book is read and replaced.</summary>
public static class AaveV3SnapshotExtensions
{
    /// <summary>The snapshot's Aave v3 pools (none when it has no Aave book).</summary>
    public static IReadOnlyList<AaveV3MarketState> AaveV3Markets(this Snapshot snapshot) => snapshot.Book<AaveV3Book>()?.Markets ?? [];

    public static Snapshot WithAaveV3Markets(this Snapshot snapshot, IReadOnlyList<AaveV3MarketState> markets) =>
        snapshot.WithBook((snapshot.Book<AaveV3Book>() ?? new AaveV3Book([])) with { Markets = markets });
}



/// <summary>One Aave v3 pool (e.g. mainnet Core or Prime) with its reserves and indexed accounts.</summary>
public sealed record AaveV3MarketState(AaveV3Market Market, IReadOnlyList<AaveV3Account> Accounts);

/// <summary>
/// An Aave v3 pool deployment. <see cref="PoolRevision"/> is <c>POOL_REVISION()</c> read from the chain, in Aave's
/// numbering: liquidation and rounding rules branch on it, never on "Aave". For a fork (SparkLend) it is the Aave revision
/// whose rules the fork's own <c>POOL_REVISION</c> maps to in <c>AaveV3Releases</c>. <see cref="BaseCurrencyUnit"/> is
/// <c>AaveOracle.BASE_CURRENCY_UNIT()</c> (1e8 for USD markets). <see cref="FlashLoanPremiumTotal"/>: the pool's
/// <c>FLASHLOAN_PREMIUM_TOTAL()</c> (bps) read at the snapshot block; null = not read (an older snapshot), see <c>AaveV3FlashLoans.cs</c>.
/// </summary>
public sealed record AaveV3Market(
    string Name,
    Address Pool,
    Address Oracle,
    Address DataProvider,
    int PoolRevision,
    BigInteger BaseCurrencyUnit,
    IReadOnlyList<AaveV3Reserve> Reserves,
    IReadOnlyList<AaveV3EModeCategory> EModeCategories,
    int? FlashLoanPremiumTotal = null)
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
/// <see cref="VirtualUnderlyingBalance"/>: v3.1+ <c>getVirtualUnderlyingBalance</c>, the cash the pool accounts for (base units;
/// null = not read, before 3.1): a withdrawal of the underlying, a liquidation with <c>receiveAToken = false</c> included,
/// cannot take more. <see cref="DebtCeiling"/>: configuration bits 212–251, USD with 2 decimals (0 = not an isolated
/// collateral); <see cref="IsolationModeTotalDebt"/>: <c>getReserveData().isolationModeTotalDebt</c>, the debt borrowed against
/// it in isolation mode, same unit. <see cref="FlashLoanEnabled"/>: configuration bit 63 (null = not read: assumed on);
/// <see cref="UnderlyingBalance"/>: before 3.1, the aToken's balance of the underlying (null from 3.1, or not read).
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
    long LiquidationGracePeriodUntil = 0,
    BigInteger? VirtualUnderlyingBalance = null,
    BigInteger DebtCeiling = default,
    BigInteger IsolationModeTotalDebt = default,
    bool? FlashLoanEnabled = null,
    BigInteger? UnderlyingBalance = null)
{
    /// <summary>
    /// What a withdrawal of the underlying (a liquidation with <c>receiveAToken = false</c>, <c>flashLoanSimple</c>) can take:
    /// 3.1+ the virtual balance, before 3.1 the aToken's balance of the underlying; null when neither was read (no known limit).
    /// </summary>
    public BigInteger? Cash => VirtualUnderlyingBalance ?? UnderlyingBalance;

    /// <summary>3.1+ (virtual accounting): a liquidation's repaid debt enters the cash before its collateral leaves; before 3.1 the liquidator pays it in last.</summary>
    public bool RepaymentArrivesFirst => VirtualUnderlyingBalance is not null;

    /// <summary>This reserve with <paramref name="delta"/> added to its <see cref="Cash"/> (unchanged when not read).</summary>
    public AaveV3Reserve WithCashMoved(BigInteger delta) =>
        VirtualUnderlyingBalance is { } v ? this with { VirtualUnderlyingBalance = v + delta }
        : UnderlyingBalance is { } u ? this with { UnderlyingBalance = u + delta }
        : this;
}

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

