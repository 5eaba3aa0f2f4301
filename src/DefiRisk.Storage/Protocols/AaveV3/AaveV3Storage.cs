using System.Data;
using System.Numerics;
using System.Text;
using Dapper;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.AaveV3;

namespace DefiRisk.Storage.Protocols.AaveV3;

/// <summary>
/// Aave v3's book in the snapshot database (tables: <c>aave-v3.sql</c>): per pool its market, reserves, e-mode
/// categories and their members, 3.2+ e-mode bitmaps, 3.1+/3.3+ per-reserve grace periods and deficits, accounts and their balances. The book's liquidation-rule override
/// (<see cref="AaveV3Book.Rule"/>, set only by a proposal) is not stored: a loaded book has the deployed rule.
/// </summary>
public sealed class AaveV3Storage() : BookStorage<AaveV3Book, IProtocolBook>(AaveV3Book.Name, "aave-v3.sql",
    "aave_account_reserves", "aave_accounts", "aave_emode_flags", "aave_reserve_liquidity", "aave_reserve_safety", "aave_emode_members", "aave_emode_categories", "aave_reserves", "aave_reserve_flash_loans", "aave_flash_loans", "aave_markets")
{
    protected override void Write(IDbConnection c, IDbTransaction tx, long id, AaveV3Book book)
    {
        foreach (var state in book.Markets) WriteMarket(c, tx, id, state);
    }

    private static void WriteMarket(IDbConnection c, IDbTransaction tx, long id, AaveV3MarketState state)
    {
        var m = state.Market;
        var pool = m.Pool.Value;
        c.Execute(
            """
            INSERT INTO aave_markets (snapshot_id, pool, name, oracle, data_provider, pool_revision, base_currency_unit)
            VALUES (@Id, @Pool, @Name, @Oracle, @DataProvider, @PoolRevision, @BaseCurrencyUnit)
            """,
            new { Id = id, Pool = pool, m.Name, Oracle = m.Oracle.Value, DataProvider = m.DataProvider.Value, m.PoolRevision, m.BaseCurrencyUnit }, tx);
        if (m.FlashLoanPremiumTotal is { } premium)
            c.Execute("INSERT INTO aave_flash_loans (snapshot_id, pool, flashloan_premium_total) VALUES (@Id, @Pool, @Premium)",
                new { Id = id, Pool = pool, Premium = premium }, tx);

        c.Execute(
            """
            INSERT INTO aave_reserves (snapshot_id, pool, asset, reserve_id, decimals, ltv, liquidation_threshold, liquidation_bonus,
                liquidation_protocol_fee, reserve_factor, active, frozen, paused, borrowing_enabled, emode_category, borrow_cap,
                supply_cap, liquidity_index, variable_borrow_index, oracle_price, a_token, variable_debt_token, stable_debt_token)
            VALUES (@Id, @Pool, @Asset, @ReserveId, @Decimals, @Ltv, @LiquidationThreshold, @LiquidationBonus,
                @LiquidationProtocolFee, @ReserveFactor, @Active, @Frozen, @Paused, @BorrowingEnabled, @EModeCategory, @BorrowCap,
                @SupplyCap, @LiquidityIndex, @VariableBorrowIndex, @OraclePrice, @AToken, @VariableDebtToken, @StableDebtToken)
            """,
            m.Reserves.Select(r => new
            {
                Id = id, Pool = pool, Asset = r.Asset.Value, ReserveId = r.Id, r.Decimals, r.Ltv, r.LiquidationThreshold, r.LiquidationBonus,
                r.LiquidationProtocolFee, r.ReserveFactor, r.Active, r.Frozen, r.Paused, r.BorrowingEnabled, r.EModeCategory, r.BorrowCap,
                r.SupplyCap, r.LiquidityIndex, r.VariableBorrowIndex, r.OraclePrice, AToken = r.AToken.Value,
                VariableDebtToken = r.VariableDebtToken.Value, StableDebtToken = r.StableDebtToken.Value,
            }), tx);

        c.Execute(
            "INSERT INTO aave_reserve_flash_loans (snapshot_id, pool, asset, flash_loan_enabled, underlying_balance) VALUES (@Id, @Pool, @Asset, @Enabled, @UnderlyingBalance)",
            m.Reserves.Where(r => r.FlashLoanEnabled is not null)
                .Select(r => new { Id = id, Pool = pool, Asset = r.Asset.Value, Enabled = r.FlashLoanEnabled!.Value, r.UnderlyingBalance }), tx);

        c.Execute(
            """
            INSERT INTO aave_emode_categories (snapshot_id, pool, category_id, ltv, liquidation_threshold, liquidation_bonus, price_source, label, price_source_price)
            VALUES (@Id, @Pool, @CategoryId, @Ltv, @LiquidationThreshold, @LiquidationBonus, @PriceSource, @Label, @PriceSourcePrice)
            """,
            m.EModeCategories.Select(e => new
            {
                Id = id, Pool = pool, CategoryId = e.Id, e.Ltv, e.LiquidationThreshold, e.LiquidationBonus,
                PriceSource = e.PriceSource.Value, e.Label, e.PriceSourcePrice,
            }), tx);

        c.Execute(
            "INSERT INTO aave_emode_members (snapshot_id, pool, category_id, asset) VALUES (@Id, @Pool, @CategoryId, @Asset)",
            m.EModeCategories.SelectMany(e => e.CollateralAssets.Select(a => new { Id = id, Pool = pool, CategoryId = e.Id, Asset = a.Value })), tx);

        c.Execute(
            """
            INSERT INTO aave_reserve_safety (snapshot_id, pool, asset, deficit, liquidation_grace_period_until)
            VALUES (@Id, @Pool, @Asset, @Deficit, @LiquidationGracePeriodUntil)
            """,
            m.Reserves.Select(r => new { Id = id, Pool = pool, Asset = r.Asset.Value, r.Deficit, r.LiquidationGracePeriodUntil }), tx);
        c.Execute(
            """
            INSERT INTO aave_reserve_liquidity (snapshot_id, pool, asset, virtual_underlying_balance, debt_ceiling, isolation_mode_total_debt)
            VALUES (@Id, @Pool, @Asset, @VirtualUnderlyingBalance, @DebtCeiling, @IsolationModeTotalDebt)
            """,
            m.Reserves.Select(r => new { Id = id, Pool = pool, Asset = r.Asset.Value, r.VirtualUnderlyingBalance, r.DebtCeiling, r.IsolationModeTotalDebt }), tx);
        c.Execute(
            "INSERT INTO aave_emode_flags (snapshot_id, pool, category_id, asset, flag) VALUES (@Id, @Pool, @CategoryId, @Asset, @Flag)",
            m.EModeCategories.SelectMany(e =>
                (e.BorrowableAssets ?? []).Select(a => new { Id = id, Pool = pool, CategoryId = e.Id, Asset = a.Value, Flag = BorrowableFlag })
                .Concat((e.LtvZeroAssets ?? []).Select(a => new { Id = id, Pool = pool, CategoryId = e.Id, Asset = a.Value, Flag = LtvZeroFlag }))), tx);

        c.Execute(
            "INSERT INTO aave_accounts (snapshot_id, pool, account, emode_category) VALUES (@Id, @Pool, @Account, @EModeCategory)",
            state.Accounts.Select(a => new { Id = id, Pool = pool, Account = a.Account.Value, a.EModeCategory }), tx);

        c.Execute(
            """
            INSERT INTO aave_account_reserves (snapshot_id, pool, account, asset, collateral, used_as_collateral, variable_debt, stable_debt)
            VALUES (@Id, @Pool, @Account, @Asset, @Collateral, @UsedAsCollateral, @VariableDebt, @StableDebt)
            """,
            state.Accounts.SelectMany(a => a.Reserves.Select(r => new
            {
                Id = id, Pool = pool, Account = a.Account.Value, Asset = r.Asset.Value, r.Collateral, r.UsedAsCollateral, r.VariableDebt, r.StableDebt,
            })), tx);
    }

    private const string BorrowableFlag = "borrowable", LtvZeroFlag = "ltv-zero";

    /// <summary>Pools by address; reserves by id; categories by id, members by address; accounts by address, balances by reserve id.</summary>
    protected override AaveV3Book Load(IDbConnection c, long snapshotId)
    {
        var id = new { id = snapshotId };
        var markets = new List<AaveV3MarketState>();
        var reserves = c.Query<ReserveRow>("SELECT * FROM aave_reserves WHERE snapshot_id = @id ORDER BY pool, reserve_id", id).ToLookup(r => r.Pool);
        var emodes = c.Query<EModeRow>("SELECT * FROM aave_emode_categories WHERE snapshot_id = @id ORDER BY pool, category_id", id).ToLookup(r => r.Pool);
        var members = c.Query<EModeMemberRow>("SELECT * FROM aave_emode_members WHERE snapshot_id = @id ORDER BY pool, category_id, asset", id)
            .ToLookup(r => (r.Pool, r.CategoryId));
        var safety = c.Query<ReserveSafetyRow>("SELECT * FROM aave_reserve_safety WHERE snapshot_id = @id", id).ToDictionary(r => (r.Pool, r.Asset));
        var liquidity = c.Query<ReserveLiquidityRow>("SELECT * FROM aave_reserve_liquidity WHERE snapshot_id = @id", id).ToDictionary(r => (r.Pool, r.Asset));
        var lending = c.Query<ReserveFlashLoanRow>("SELECT * FROM aave_reserve_flash_loans WHERE snapshot_id = @id", id).ToDictionary(r => (r.Pool, r.Asset));
        var premiums = c.Query<FlashLoanRow>("SELECT * FROM aave_flash_loans WHERE snapshot_id = @id", id)
            .ToDictionary(r => r.Pool, r => r.FlashloanPremiumTotal);
        var flags = c.Query<EModeFlagRow>("SELECT * FROM aave_emode_flags WHERE snapshot_id = @id ORDER BY pool, category_id, asset", id)
            .ToLookup(r => (r.Pool, r.CategoryId, r.Flag));
        var accounts = c.Query<AccountRow>("SELECT * FROM aave_accounts WHERE snapshot_id = @id ORDER BY pool, account", id).ToLookup(r => r.Pool);
        var balances = c.Query<AccountReserveRow>("SELECT * FROM aave_account_reserves WHERE snapshot_id = @id ORDER BY pool, account, asset", id)
            .ToLookup(r => (r.Pool, r.Account));
        foreach (var m in c.Query<MarketRow>("SELECT * FROM aave_markets WHERE snapshot_id = @id ORDER BY pool", id))
        {
            var market = new AaveV3Market(m.Name, A(m.Pool), A(m.Oracle), A(m.DataProvider), m.PoolRevision, m.BaseCurrencyUnit,
                reserves[m.Pool].Select(r => new AaveV3Reserve(A(r.Asset), r.ReserveId, r.Decimals, r.Ltv, r.LiquidationThreshold,
                    r.LiquidationBonus, r.LiquidationProtocolFee, r.ReserveFactor, r.Active, r.Frozen, r.Paused, r.BorrowingEnabled,
                    r.EModeCategory, r.BorrowCap, r.SupplyCap, r.LiquidityIndex, r.VariableBorrowIndex, r.OraclePrice,
                    A(r.AToken), A(r.VariableDebtToken), A(r.StableDebtToken),
                    safety.TryGetValue((m.Pool, r.Asset), out var s) ? s.Deficit : BigInteger.Zero, s?.LiquidationGracePeriodUntil ?? 0,
                    liquidity.TryGetValue((m.Pool, r.Asset), out var l) ? l.VirtualUnderlyingBalance : null, l?.DebtCeiling ?? BigInteger.Zero,
                    l?.IsolationModeTotalDebt ?? BigInteger.Zero,
                    lending.TryGetValue((m.Pool, r.Asset), out var f) ? f.FlashLoanEnabled : null, f?.UnderlyingBalance)).ToList(),
                emodes[m.Pool].Select(e => new AaveV3EModeCategory(e.CategoryId, e.Ltv, e.LiquidationThreshold, e.LiquidationBonus,
                    A(e.PriceSource), e.Label, members[(m.Pool, e.CategoryId)].Select(x => A(x.Asset)).ToList(), e.PriceSourcePrice,
                    m.PoolRevision >= AaveV3Revision.V3_2 ? flags[(m.Pool, e.CategoryId, BorrowableFlag)].Select(x => A(x.Asset)).ToList() : null,
                    m.PoolRevision >= AaveV3Revision.V3_6 ? flags[(m.Pool, e.CategoryId, LtvZeroFlag)].Select(x => A(x.Asset)).ToList() : null)).ToList(),
                premiums.TryGetValue(m.Pool, out var premium) ? premium : null);
            var marketAccounts = accounts[m.Pool].Select(a => new AaveV3Account(A(a.Account), a.EModeCategory,
                balances[(m.Pool, a.Account)].Select(b => new AaveV3AccountReserve(A(b.Asset), b.Collateral, b.UsedAsCollateral, b.VariableDebt, b.StableDebt))
                    .OrderBy(b => market.Reserve(b.Asset).Id).ToList())).ToList();
            markets.Add(new AaveV3MarketState(market, marketAccounts));
        }
        return new AaveV3Book(markets);
    }

    /// <summary>Accounts (one position per pool and account).</summary>
    public override long Count(IDbConnection c, long snapshotId) =>
        c.ExecuteScalar<long>("SELECT COUNT(*) FROM aave_accounts WHERE snapshot_id = @snapshotId", new { snapshotId });

    protected override void AppendCanonical(StringBuilder b, AaveV3Book book)
    {
        foreach (var st in book.Markets.OrderBy(m => m.Market.Pool))
        {
            var m = st.Market;
            b.AppendLine($"aave {m.Pool} {m.Name} {m.Oracle} {m.DataProvider} rev {m.PoolRevision} unit {m.BaseCurrencyUnit}" +
                         (m.FlashLoanPremiumTotal is { } premium ? $" flash-premium {premium}" : ""));
            foreach (var r in m.Reserves.OrderBy(r => r.Id))
                b.AppendLine($"  reserve {r.Id} {r.Asset} dec {r.Decimals} ltv {r.Ltv} lt {r.LiquidationThreshold} bonus {r.LiquidationBonus} fee {r.LiquidationProtocolFee} rf {r.ReserveFactor} " +
                             $"a{B(r.Active)} f{B(r.Frozen)} p{B(r.Paused)} b{B(r.BorrowingEnabled)} emode {r.EModeCategory} caps {r.BorrowCap}/{r.SupplyCap} " +
                             $"idx {r.LiquidityIndex}/{r.VariableBorrowIndex} price {r.OraclePrice} tokens {r.AToken} {r.VariableDebtToken} {r.StableDebtToken}" +
                             // 3.1+/3.3+ fields only when set, so the text of snapshots without them is unchanged.
                             (r.Deficit.IsZero ? "" : $" deficit {r.Deficit}") +
                             (r.LiquidationGracePeriodUntil == 0 ? "" : $" grace-until {r.LiquidationGracePeriodUntil}") +
                             (r.VirtualUnderlyingBalance is { } cash ? $" cash {cash}" : "") +
                             (r.DebtCeiling.IsZero && r.IsolationModeTotalDebt.IsZero ? "" : $" isolation {r.IsolationModeTotalDebt}/{r.DebtCeiling}") +
                             (r.FlashLoanEnabled is { } flash ? $" flash {B(flash)}" : "") +
                             (r.UnderlyingBalance is { } underlying ? $" underlying {underlying}" : ""));
            foreach (var e in m.EModeCategories.OrderBy(e => e.Id))
                b.AppendLine($"  emode {e.Id} {e.Ltv}/{e.LiquidationThreshold}/{e.LiquidationBonus} {e.PriceSource} '{e.Label}' {e.PriceSourcePrice} [{string.Join(",", e.CollateralAssets.Order())}]" +
                             (e.BorrowableAssets is { } borrowable ? $" borrowable [{string.Join(",", borrowable.Order())}]" : "") +
                             (e.LtvZeroAssets is { } ltvZero ? $" ltv-zero [{string.Join(",", ltvZero.Order())}]" : ""));
            foreach (var a in st.Accounts.OrderBy(a => a.Account))
            {
                b.AppendLine($"  account {a.Account} emode {a.EModeCategory}");
                foreach (var r in a.Reserves.OrderBy(r => r.Asset))
                    b.AppendLine($"    {r.Asset} coll {r.Collateral} used {B(r.UsedAsCollateral)} vdebt {r.VariableDebt} sdebt {r.StableDebt}");
            }
        }
    }

    // Row shapes: Dapper maps snake_case columns onto these (MatchNamesWithUnderscores), and 256-bit
    // columns through UInt256Handler.
#pragma warning disable CA1812
    private sealed class MarketRow
    {
        public string Pool { get; set; } = ""; public string Name { get; set; } = ""; public string Oracle { get; set; } = "";
        public string DataProvider { get; set; } = ""; public int PoolRevision { get; set; } public BigInteger BaseCurrencyUnit { get; set; }
    }
    private sealed class ReserveRow
    {
        public string Pool { get; set; } = ""; public string Asset { get; set; } = ""; public int ReserveId { get; set; } public int Decimals { get; set; }
        public int Ltv { get; set; } public int LiquidationThreshold { get; set; } public int LiquidationBonus { get; set; }
        public int LiquidationProtocolFee { get; set; } public int ReserveFactor { get; set; } public bool Active { get; set; }
        public bool Frozen { get; set; } public bool Paused { get; set; } public bool BorrowingEnabled { get; set; } public int EModeCategory { get; set; }
        public BigInteger BorrowCap { get; set; } public BigInteger SupplyCap { get; set; } public BigInteger LiquidityIndex { get; set; }
        public BigInteger VariableBorrowIndex { get; set; } public BigInteger OraclePrice { get; set; } public string AToken { get; set; } = "";
        public string VariableDebtToken { get; set; } = ""; public string StableDebtToken { get; set; } = "";
    }
    private sealed class EModeRow
    {
        public string Pool { get; set; } = ""; public int CategoryId { get; set; } public int Ltv { get; set; } public int LiquidationThreshold { get; set; }
        public int LiquidationBonus { get; set; } public string PriceSource { get; set; } = ""; public string Label { get; set; } = "";
        public BigInteger? PriceSourcePrice { get; set; }
    }
    private sealed class ReserveSafetyRow
    {
        public string Pool { get; set; } = ""; public string Asset { get; set; } = ""; public BigInteger Deficit { get; set; }
        public long LiquidationGracePeriodUntil { get; set; }
    }
    private sealed class ReserveLiquidityRow
    {
        public string Pool { get; set; } = ""; public string Asset { get; set; } = ""; public BigInteger? VirtualUnderlyingBalance { get; set; }
        public BigInteger DebtCeiling { get; set; } public BigInteger IsolationModeTotalDebt { get; set; }
    }
    private sealed class ReserveFlashLoanRow
    {
        public string Pool { get; set; } = ""; public string Asset { get; set; } = ""; public bool FlashLoanEnabled { get; set; }
        public BigInteger? UnderlyingBalance { get; set; }
    }
    private sealed class FlashLoanRow { public string Pool { get; set; } = ""; public int FlashloanPremiumTotal { get; set; } }
    private sealed class EModeFlagRow { public string Pool { get; set; } = ""; public int CategoryId { get; set; } public string Asset { get; set; } = ""; public string Flag { get; set; } = ""; }
    private sealed class EModeMemberRow { public string Pool { get; set; } = ""; public int CategoryId { get; set; } public string Asset { get; set; } = ""; }
    private sealed class AccountRow { public string Pool { get; set; } = ""; public string Account { get; set; } = ""; public int EModeCategory { get; set; } }
    private sealed class AccountReserveRow
    {
        public string Pool { get; set; } = ""; public string Account { get; set; } = ""; public string Asset { get; set; } = "";
        public BigInteger Collateral { get; set; } public bool UsedAsCollateral { get; set; } public BigInteger VariableDebt { get; set; }
        public BigInteger StableDebt { get; set; }
    }
#pragma warning restore CA1812
}
