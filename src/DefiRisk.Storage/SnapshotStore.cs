using System.Numerics;
using Dapper;
using DefiRisk.Core;
using DefiRisk.Core.Domain;
using DefiRisk.Core.Protocols.AaveV3;
using Microsoft.Data.Sqlite;

namespace DefiRisk.Storage;

/// <summary>One row of <see cref="SnapshotStore.List"/>.</summary>
public sealed record SnapshotInfo(long Id, long ChainId, long BlockNumber, long BlockTimestamp, string CreatedAt, long AaveAccounts, long MorphoPositions);

/// <summary>
/// Reads and writes <see cref="Snapshot"/>s in a SQLite file (schema: <c>schema.sql</c>). A write is one
/// transaction that first removes any snapshot of the same (chain, block): re-running an index is safe,
/// and a failure at any row rolls everything back, so a half-written snapshot never exists.
/// </summary>
public sealed class SnapshotStore
{
    private readonly string _connectionString;

    public string Path { get; }

    public SnapshotStore(string path)
    {
        UInt256Handler.Register();
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // No pooling: a closed store leaves no open handle behind (tests delete their files; a
            // killed indexer leaves nothing but the journal SQLite rolls back on next open).
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString();
        using var connection = Open();
    }

    /// <summary>Opens a connection with foreign keys on and the schema applied (idempotent DDL).</summary>
    internal SqliteConnection Open()
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
        if (directory is not null && !Directory.Exists(directory))
            throw new DefiRiskException($"database directory {directory} does not exist");
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            connection.Execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000;");
            connection.Execute(Schema.Text);
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw new DefiRiskException($"database {Path} cannot be used: {ex.Message}", ExitCodes.UserError, ex);
        }
        return connection;
    }

    // ------------------------------------------------------------------ write

    /// <summary>Stores <paramref name="snapshot"/>, replacing one of the same chain and block, in ONE transaction.</summary>
    public long Write(Snapshot snapshot)
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        var chain = snapshot.Chain;

        var existing = connection.ExecuteScalar<long?>(
            "SELECT id FROM snapshots WHERE chain_id = @ChainId AND block_number = @BlockNumber", chain, tx);
        if (existing is { } old) Delete(connection, tx, old);

        var id = connection.ExecuteScalar<long>(
            """
            INSERT INTO snapshots (chain_id, block_number, block_timestamp, created_at)
            VALUES (@ChainId, @BlockNumber, @BlockTimestamp, @CreatedAt);
            SELECT last_insert_rowid();
            """,
            new { chain.ChainId, chain.BlockNumber, chain.BlockTimestamp, CreatedAt = DateTime.UtcNow.ToString("O") }, tx);

        connection.Execute(
            """
            INSERT INTO assets (snapshot_id, address, symbol, decimals, price_usd, oracle_kind, oracle_source,
                                oracle_base_asset, oracle_ratio, oracle_ratio_decimals)
            VALUES (@Id, @Address, @Symbol, @Decimals, @PriceUsd, @Kind, @Source, @BaseAsset, @Ratio, @RatioDecimals)
            """,
            snapshot.Assets.Select(a => new
            {
                Id = id, Address = a.Address.Value, a.Symbol, a.Decimals, a.PriceUsd, Kind = a.Oracle.Kind.ToString(),
                Source = a.Oracle.Source.Value, BaseAsset = a.Oracle.BaseAsset?.Value, a.Oracle.Ratio, a.Oracle.RatioDecimals,
            }), tx);

        foreach (var state in snapshot.AaveV3Markets) WriteAave(connection, tx, id, state);
        foreach (var state in snapshot.MorphoBlue) WriteMorpho(connection, tx, id, state);

        connection.Execute(
            "INSERT INTO uniswap_v2_pools (snapshot_id, pair, token0, token1, reserve0, reserve1) VALUES (@Id, @Pair, @Token0, @Token1, @Reserve0, @Reserve1)",
            snapshot.UniswapV2Pools.Select(p => new { Id = id, Pair = p.Pair.Value, Token0 = p.Token0.Value, Token1 = p.Token1.Value, p.Reserve0, p.Reserve1 }), tx);

        tx.Commit();
        return id;
    }

    private static void WriteAave(SqliteConnection c, SqliteTransaction tx, long id, AaveV3MarketState state)
    {
        var m = state.Market;
        var pool = m.Pool.Value;
        c.Execute(
            """
            INSERT INTO aave_markets (snapshot_id, pool, name, oracle, data_provider, pool_revision, base_currency_unit)
            VALUES (@Id, @Pool, @Name, @Oracle, @DataProvider, @PoolRevision, @BaseCurrencyUnit)
            """,
            new { Id = id, Pool = pool, m.Name, Oracle = m.Oracle.Value, DataProvider = m.DataProvider.Value, m.PoolRevision, m.BaseCurrencyUnit }, tx);

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

    private static void WriteMorpho(SqliteConnection c, SqliteTransaction tx, long id, MorphoBlueState state)
    {
        var morpho = state.Morpho.Value;
        c.Execute("INSERT INTO morpho_instances (snapshot_id, morpho) VALUES (@Id, @Morpho)", new { Id = id, Morpho = morpho }, tx);
        c.Execute(
            """
            INSERT INTO morpho_markets (snapshot_id, morpho, market_id, loan_token, collateral_token, oracle, irm, lltv,
                total_supply_assets, total_supply_shares, total_borrow_assets, total_borrow_shares, last_update, fee, oracle_price)
            VALUES (@Id, @Morpho, @MarketId, @LoanToken, @CollateralToken, @Oracle, @Irm, @Lltv,
                @TotalSupplyAssets, @TotalSupplyShares, @TotalBorrowAssets, @TotalBorrowShares, @LastUpdate, @Fee, @OraclePrice)
            """,
            state.Markets.Select(m => new
            {
                Id = id, Morpho = morpho, MarketId = m.Id, LoanToken = m.LoanToken.Value, CollateralToken = m.CollateralToken.Value,
                Oracle = m.Oracle.Value, Irm = m.Irm.Value, m.Lltv, m.TotalSupplyAssets, m.TotalSupplyShares, m.TotalBorrowAssets,
                m.TotalBorrowShares, m.LastUpdate, m.Fee, m.OraclePrice,
            }), tx);
        c.Execute(
            """
            INSERT INTO morpho_positions (snapshot_id, morpho, market_id, account, supply_shares, borrow_shares, collateral)
            VALUES (@Id, @Morpho, @MarketId, @Account, @SupplyShares, @BorrowShares, @Collateral)
            """,
            state.Positions.Select(p => new { Id = id, Morpho = morpho, p.MarketId, Account = p.Account.Value, p.SupplyShares, p.BorrowShares, p.Collateral }), tx);
    }

    private const string BorrowableFlag = "borrowable", LtvZeroFlag = "ltv-zero";

    private static readonly string[] ChildTables =
    [
        "aave_account_reserves", "aave_accounts", "aave_emode_flags", "aave_reserve_safety", "aave_emode_members", "aave_emode_categories", "aave_reserves", "aave_markets",
        "morpho_positions", "morpho_markets", "morpho_instances", "uniswap_v2_pools", "assets",
    ];

    private static void Delete(SqliteConnection c, SqliteTransaction tx, long id)
    {
        foreach (var table in ChildTables)
            c.Execute($"DELETE FROM {table} WHERE snapshot_id = @id", new { id }, tx);
        c.Execute("DELETE FROM snapshots WHERE id = @id", new { id }, tx);
    }

    // ------------------------------------------------------------------ read

    /// <summary>Every stored snapshot, newest block first.</summary>
    public IReadOnlyList<SnapshotInfo> List()
    {
        using var c = Open();
        return c.Query<InfoRow>(
            """
            SELECT s.id, s.chain_id, s.block_number, s.block_timestamp, s.created_at,
                   (SELECT COUNT(*) FROM aave_accounts a WHERE a.snapshot_id = s.id) AS aave_accounts,
                   (SELECT COUNT(*) FROM morpho_positions p WHERE p.snapshot_id = s.id) AS morpho_positions
            FROM snapshots s ORDER BY s.block_number DESC, s.chain_id
            """).Select(r => new SnapshotInfo(r.Id, r.ChainId, r.BlockNumber, r.BlockTimestamp, r.CreatedAt, r.AaveAccounts, r.MorphoPositions)).ToList();
    }

    /// <summary>
    /// The snapshot of <paramref name="chainId"/> at <paramref name="block"/>; either may be null, then the
    /// latest matching block is taken. Lists come back in a canonical order (by address / id).
    /// </summary>
    public Snapshot Load(long? chainId = null, long? block = null)
    {
        using var c = Open();
        var head = c.QuerySingleOrDefault<SnapshotRow>(
            """
            SELECT id, chain_id, block_number, block_timestamp FROM snapshots
            WHERE (@chainId IS NULL OR chain_id = @chainId) AND (@block IS NULL OR block_number = @block)
            ORDER BY block_number DESC, chain_id LIMIT 1
            """, new { chainId, block });
        if (head is null)
        {
            var what = (chainId, block) switch
            {
                (null, null) => "no snapshot",
                (_, null) => $"no snapshot of chain {chainId}",
                (null, _) => $"no snapshot at block {block}",
                _ => $"no snapshot of chain {chainId} at block {block}",
            };
            throw new DefiRiskException($"{what} in database {Path} (run `defirisk index` first)");
        }
        var id = new { id = head.Id };

        var assets = c.Query<AssetRow>("SELECT * FROM assets WHERE snapshot_id = @id ORDER BY address", id)
            .Select(r => new Asset(A(r.Address), r.Symbol, r.Decimals, r.PriceUsd,
                new AssetOracle(Enum.Parse<OracleKind>(r.OracleKind), A(r.OracleSource),
                    r.OracleBaseAsset is null ? null : A(r.OracleBaseAsset), r.OracleRatio, r.OracleRatioDecimals)))
            .ToList();

        var aave = new List<AaveV3MarketState>();
        var reserves = c.Query<ReserveRow>("SELECT * FROM aave_reserves WHERE snapshot_id = @id ORDER BY pool, reserve_id", id).ToLookup(r => r.Pool);
        var emodes = c.Query<EModeRow>("SELECT * FROM aave_emode_categories WHERE snapshot_id = @id ORDER BY pool, category_id", id).ToLookup(r => r.Pool);
        var members = c.Query<EModeMemberRow>("SELECT * FROM aave_emode_members WHERE snapshot_id = @id ORDER BY pool, category_id, asset", id)
            .ToLookup(r => (r.Pool, r.CategoryId));
        var safety = c.Query<ReserveSafetyRow>("SELECT * FROM aave_reserve_safety WHERE snapshot_id = @id", id).ToDictionary(r => (r.Pool, r.Asset));
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
                    safety.TryGetValue((m.Pool, r.Asset), out var s) ? s.Deficit : BigInteger.Zero, s?.LiquidationGracePeriodUntil ?? 0)).ToList(),
                emodes[m.Pool].Select(e => new AaveV3EModeCategory(e.CategoryId, e.Ltv, e.LiquidationThreshold, e.LiquidationBonus,
                    A(e.PriceSource), e.Label, members[(m.Pool, e.CategoryId)].Select(x => A(x.Asset)).ToList(), e.PriceSourcePrice,
                    m.PoolRevision >= AaveV3Revision.V3_2 ? flags[(m.Pool, e.CategoryId, BorrowableFlag)].Select(x => A(x.Asset)).ToList() : null,
                    m.PoolRevision >= AaveV3Revision.V3_6 ? flags[(m.Pool, e.CategoryId, LtvZeroFlag)].Select(x => A(x.Asset)).ToList() : null)).ToList());
            var marketAccounts = accounts[m.Pool].Select(a => new AaveV3Account(A(a.Account), a.EModeCategory,
                balances[(m.Pool, a.Account)].Select(b => new AaveV3AccountReserve(A(b.Asset), b.Collateral, b.UsedAsCollateral, b.VariableDebt, b.StableDebt))
                    .OrderBy(b => market.Reserve(b.Asset).Id).ToList())).ToList();
            aave.Add(new AaveV3MarketState(market, marketAccounts));
        }

        var morphoMarkets = c.Query<MorphoMarketRow>("SELECT * FROM morpho_markets WHERE snapshot_id = @id ORDER BY morpho, market_id", id).ToLookup(r => r.Morpho);
        var morphoPositions = c.Query<MorphoPositionRow>("SELECT * FROM morpho_positions WHERE snapshot_id = @id ORDER BY morpho, market_id, account", id).ToLookup(r => r.Morpho);
        var morpho = c.Query<string>("SELECT morpho FROM morpho_instances WHERE snapshot_id = @id ORDER BY morpho", id)
            .Select(mo => new MorphoBlueState(A(mo),
                morphoMarkets[mo].Select(m => new MorphoBlueMarket(m.MarketId, A(m.LoanToken), A(m.CollateralToken), A(m.Oracle), A(m.Irm), m.Lltv,
                    m.TotalSupplyAssets, m.TotalSupplyShares, m.TotalBorrowAssets, m.TotalBorrowShares, m.LastUpdate, m.Fee, m.OraclePrice)).ToList(),
                morphoPositions[mo].Select(p => new MorphoBluePosition(p.MarketId, A(p.Account), p.SupplyShares, p.BorrowShares, p.Collateral)).ToList()))
            .ToList();

        var pools = c.Query<PoolRow>("SELECT * FROM uniswap_v2_pools WHERE snapshot_id = @id ORDER BY pair", id)
            .Select(p => new UniswapV2Pool(A(p.Pair), A(p.Token0), A(p.Token1), p.Reserve0, p.Reserve1)).ToList();

        return new Snapshot(new ChainPoint(head.ChainId, head.BlockNumber, head.BlockTimestamp), assets, aave, morpho, pools);
    }

    private static Address A(string canonical) => Address.FromTrusted(canonical);

    // Row shapes: Dapper maps snake_case columns onto these (MatchNamesWithUnderscores), and 256-bit
    // columns through UInt256Handler.
#pragma warning disable CA1812
    private sealed class InfoRow
    {
        public long Id { get; set; } public long ChainId { get; set; } public long BlockNumber { get; set; } public long BlockTimestamp { get; set; }
        public string CreatedAt { get; set; } = ""; public long AaveAccounts { get; set; } public long MorphoPositions { get; set; }
    }
    private sealed class SnapshotRow { public long Id { get; set; } public long ChainId { get; set; } public long BlockNumber { get; set; } public long BlockTimestamp { get; set; } }
    private sealed class AssetRow
    {
        public string Address { get; set; } = ""; public string Symbol { get; set; } = ""; public int Decimals { get; set; }
        public BigInteger PriceUsd { get; set; } public string OracleKind { get; set; } = ""; public string OracleSource { get; set; } = "";
        public string? OracleBaseAsset { get; set; } public BigInteger? OracleRatio { get; set; } public int OracleRatioDecimals { get; set; }
    }
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
    private sealed class EModeFlagRow { public string Pool { get; set; } = ""; public int CategoryId { get; set; } public string Asset { get; set; } = ""; public string Flag { get; set; } = ""; }
    private sealed class EModeMemberRow { public string Pool { get; set; } = ""; public int CategoryId { get; set; } public string Asset { get; set; } = ""; }
    private sealed class AccountRow { public string Pool { get; set; } = ""; public string Account { get; set; } = ""; public int EModeCategory { get; set; } }
    private sealed class AccountReserveRow
    {
        public string Pool { get; set; } = ""; public string Account { get; set; } = ""; public string Asset { get; set; } = "";
        public BigInteger Collateral { get; set; } public bool UsedAsCollateral { get; set; } public BigInteger VariableDebt { get; set; }
        public BigInteger StableDebt { get; set; }
    }
    private sealed class MorphoMarketRow
    {
        public string Morpho { get; set; } = ""; public string MarketId { get; set; } = ""; public string LoanToken { get; set; } = "";
        public string CollateralToken { get; set; } = ""; public string Oracle { get; set; } = ""; public string Irm { get; set; } = "";
        public BigInteger Lltv { get; set; } public BigInteger TotalSupplyAssets { get; set; } public BigInteger TotalSupplyShares { get; set; }
        public BigInteger TotalBorrowAssets { get; set; } public BigInteger TotalBorrowShares { get; set; } public long LastUpdate { get; set; }
        public BigInteger Fee { get; set; } public BigInteger OraclePrice { get; set; }
    }
    private sealed class MorphoPositionRow
    {
        public string Morpho { get; set; } = ""; public string MarketId { get; set; } = ""; public string Account { get; set; } = "";
        public BigInteger SupplyShares { get; set; } public BigInteger BorrowShares { get; set; } public BigInteger Collateral { get; set; }
    }
    private sealed class PoolRow
    {
        public string Pair { get; set; } = ""; public string Token0 { get; set; } = ""; public string Token1 { get; set; } = "";
        public BigInteger Reserve0 { get; set; } public BigInteger Reserve1 { get; set; }
    }
#pragma warning restore CA1812
}

/// <summary>The embedded <c>schema.sql</c>.</summary>
internal static class Schema
{
    public static readonly string Text = Read();

    private static string Read()
    {
        var assembly = typeof(Schema).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith("schema.sql", StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
