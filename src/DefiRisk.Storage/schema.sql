-- DefiRisk snapshot database. One snapshot = everything read at ONE pinned block of one chain.
--
-- Conventions (kept portable: the same DDL runs on PostgreSQL with BLOB → BYTEA and
-- INTEGER PRIMARY KEY → BIGINT GENERATED ALWAYS AS IDENTITY):
--   * uint256 / BigInteger values are 32-byte big-endian unsigned BLOBs (columns typed BLOB below):
--     exact, fixed width, and byte order = numeric order, so ORDER BY and range filters work.
--   * addresses are TEXT "0x" + 40 lowercase hex digits; Morpho market ids TEXT "0x" + 64 hex.
--   * bps / decimals / ids are INTEGER; booleans INTEGER 0/1; block numbers and timestamps INTEGER.
--   * every child row carries snapshot_id; a snapshot is replaced by deleting its children and
--     itself and inserting again, all in one transaction (SnapshotStore.Write).

CREATE TABLE IF NOT EXISTS snapshots (
    id              INTEGER PRIMARY KEY,
    chain_id        INTEGER NOT NULL,
    block_number    INTEGER NOT NULL,
    block_timestamp INTEGER NOT NULL,
    created_at      TEXT    NOT NULL,          -- ISO-8601 UTC, informational only
    UNIQUE (chain_id, block_number)
);

-- Every token a market or pool names, with its oracle price in USD (8 decimals).
CREATE TABLE IF NOT EXISTS assets (
    snapshot_id           INTEGER NOT NULL REFERENCES snapshots (id),
    address               TEXT    NOT NULL,
    symbol                TEXT    NOT NULL,    -- from the chain: untrusted text
    decimals              INTEGER NOT NULL,
    price_usd             BLOB    NOT NULL,    -- USD × 1e8
    oracle_kind           TEXT    NOT NULL,    -- 'Market' | 'ExchangeRate'
    oracle_source         TEXT    NOT NULL,    -- AaveOracle.getSourceOfAsset(asset)
    oracle_base_asset     TEXT,                -- ExchangeRate: the asset whose feed the ratio multiplies
    oracle_ratio          BLOB,                -- ExchangeRate: getRatio()
    oracle_ratio_decimals INTEGER NOT NULL,    -- ExchangeRate: RATIO_DECIMALS()
    PRIMARY KEY (snapshot_id, address)
);

-- ---------------------------------------------------------------- Aave v3

CREATE TABLE IF NOT EXISTS aave_markets (
    snapshot_id        INTEGER NOT NULL REFERENCES snapshots (id),
    pool               TEXT    NOT NULL,
    name               TEXT    NOT NULL,
    oracle             TEXT    NOT NULL,
    data_provider      TEXT    NOT NULL,
    pool_revision      INTEGER NOT NULL,       -- POOL_REVISION(); rules branch on it
    base_currency_unit BLOB    NOT NULL,       -- AaveOracle.BASE_CURRENCY_UNIT()
    PRIMARY KEY (snapshot_id, pool)
);

-- Pool.getReserveData + the decoded configuration bitmap (ReserveConfiguration.sol).
CREATE TABLE IF NOT EXISTS aave_reserves (
    snapshot_id              INTEGER NOT NULL REFERENCES snapshots (id),
    pool                     TEXT    NOT NULL,
    asset                    TEXT    NOT NULL,
    reserve_id               INTEGER NOT NULL, -- index in getReservesList = bit pair in the user bitmap
    decimals                 INTEGER NOT NULL,
    ltv                      INTEGER NOT NULL, -- bps
    liquidation_threshold    INTEGER NOT NULL, -- bps
    liquidation_bonus        INTEGER NOT NULL, -- bps incl. 100 % (10500 = +5 %)
    liquidation_protocol_fee INTEGER NOT NULL, -- bps of the bonus part
    reserve_factor           INTEGER NOT NULL, -- bps
    active                   INTEGER NOT NULL,
    frozen                   INTEGER NOT NULL,
    paused                   INTEGER NOT NULL,
    borrowing_enabled        INTEGER NOT NULL,
    emode_category           INTEGER NOT NULL, -- config bits 168–175
    borrow_cap               BLOB    NOT NULL, -- whole tokens, 0 = none
    supply_cap               BLOB    NOT NULL, -- whole tokens, 0 = none
    liquidity_index          BLOB    NOT NULL, -- ray
    variable_borrow_index    BLOB    NOT NULL, -- ray
    oracle_price             BLOB    NOT NULL, -- base-currency units
    a_token                  TEXT    NOT NULL,
    variable_debt_token      TEXT    NOT NULL,
    stable_debt_token        TEXT    NOT NULL, -- zero address from v3.2
    PRIMARY KEY (snapshot_id, pool, asset)
);

CREATE TABLE IF NOT EXISTS aave_emode_categories (
    snapshot_id           INTEGER NOT NULL REFERENCES snapshots (id),
    pool                  TEXT    NOT NULL,
    category_id           INTEGER NOT NULL,
    ltv                   INTEGER NOT NULL,    -- bps
    liquidation_threshold INTEGER NOT NULL,    -- bps
    liquidation_bonus     INTEGER NOT NULL,    -- bps incl. 100 %
    price_source          TEXT    NOT NULL,    -- ≤ v3.1; zero address = none
    label                 TEXT    NOT NULL,
    price_source_price    BLOB,                -- AaveOracle price of price_source, when set
    PRIMARY KEY (snapshot_id, pool, category_id)
);

-- The reserves whose LT/LTV/bonus a category replaces for its users.
CREATE TABLE IF NOT EXISTS aave_emode_members (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    pool        TEXT    NOT NULL,
    category_id INTEGER NOT NULL,
    asset       TEXT    NOT NULL,
    PRIMARY KEY (snapshot_id, pool, category_id, asset)
);

-- v3.1+ / v3.3+ per-reserve state (a table of its own, so that databases written before it keep opening).
CREATE TABLE IF NOT EXISTS aave_reserve_safety (
    snapshot_id                    INTEGER NOT NULL REFERENCES snapshots (id),
    pool                           TEXT    NOT NULL,
    asset                          TEXT    NOT NULL,
    deficit                        BLOB    NOT NULL, -- Pool.getReserveDeficit (3.3+), base units; 0 before
    liquidation_grace_period_until INTEGER NOT NULL, -- Pool.getLiquidationGracePeriod (3.1+), unix seconds; 0 = none
    PRIMARY KEY (snapshot_id, pool, asset)
);

-- 3.2+ e-mode bitmaps other than collateral: 'borrowable' (getEModeCategoryBorrowableBitmap) and, 3.6+, 'ltv-zero'
-- (getEModeCategoryLtvzeroBitmap). Which bitmaps a market has follows from its pool_revision.
CREATE TABLE IF NOT EXISTS aave_emode_flags (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    pool        TEXT    NOT NULL,
    category_id INTEGER NOT NULL,
    asset       TEXT    NOT NULL,
    flag        TEXT    NOT NULL,
    PRIMARY KEY (snapshot_id, pool, category_id, asset, flag)
);

CREATE TABLE IF NOT EXISTS aave_accounts (
    snapshot_id    INTEGER NOT NULL REFERENCES snapshots (id),
    pool           TEXT    NOT NULL,
    account        TEXT    NOT NULL,
    emode_category INTEGER NOT NULL,           -- Pool.getUserEMode
    PRIMARY KEY (snapshot_id, pool, account)
);

-- Balances at the block in base units of the asset (balanceOf includes the index at that block).
CREATE TABLE IF NOT EXISTS aave_account_reserves (
    snapshot_id        INTEGER NOT NULL REFERENCES snapshots (id),
    pool               TEXT    NOT NULL,
    account            TEXT    NOT NULL,
    asset              TEXT    NOT NULL,
    collateral         BLOB    NOT NULL,       -- aToken.balanceOf
    used_as_collateral INTEGER NOT NULL,       -- user configuration collateral bit
    variable_debt      BLOB    NOT NULL,       -- variableDebtToken.balanceOf
    stable_debt        BLOB    NOT NULL,       -- stableDebtToken.balanceOf (0 from v3.2)
    PRIMARY KEY (snapshot_id, pool, account, asset)
);

-- ---------------------------------------------------------------- Morpho Blue

CREATE TABLE IF NOT EXISTS morpho_instances (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    morpho      TEXT    NOT NULL,
    PRIMARY KEY (snapshot_id, morpho)
);

-- Totals accrued to the snapshot block timestamp (as _accrueInterest would before any call).
CREATE TABLE IF NOT EXISTS morpho_markets (
    snapshot_id         INTEGER NOT NULL REFERENCES snapshots (id),
    morpho              TEXT    NOT NULL,
    market_id           TEXT    NOT NULL,
    loan_token          TEXT    NOT NULL,
    collateral_token    TEXT    NOT NULL,
    oracle              TEXT    NOT NULL,
    irm                 TEXT    NOT NULL,
    lltv                BLOB    NOT NULL,      -- wad
    total_supply_assets BLOB    NOT NULL,
    total_supply_shares BLOB    NOT NULL,
    total_borrow_assets BLOB    NOT NULL,
    total_borrow_shares BLOB    NOT NULL,
    last_update         INTEGER NOT NULL,      -- unix seconds
    fee                 BLOB    NOT NULL,      -- wad
    oracle_price        BLOB    NOT NULL,      -- IOracle.price(), 1e36-scaled
    PRIMARY KEY (snapshot_id, morpho, market_id)
);

CREATE TABLE IF NOT EXISTS morpho_positions (
    snapshot_id   INTEGER NOT NULL REFERENCES snapshots (id),
    morpho        TEXT    NOT NULL,
    market_id     TEXT    NOT NULL,
    account       TEXT    NOT NULL,
    supply_shares BLOB    NOT NULL,
    borrow_shares BLOB    NOT NULL,
    collateral    BLOB    NOT NULL,            -- collateral token base units
    PRIMARY KEY (snapshot_id, morpho, market_id, account)
);

-- ---------------------------------------------------------------- DEX

CREATE TABLE IF NOT EXISTS uniswap_v2_pools (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    pair        TEXT    NOT NULL,
    token0      TEXT    NOT NULL,
    token1      TEXT    NOT NULL,
    reserve0    BLOB    NOT NULL,
    reserve1    BLOB    NOT NULL,
    PRIMARY KEY (snapshot_id, pair)
);

-- ---------------------------------------------------------------- discovery (not per snapshot)

-- The last block whose logs were scanned, per contract: a re-run resumes at last_scanned_block + 1.
CREATE TABLE IF NOT EXISTS checkpoints (
    chain_id           INTEGER NOT NULL,
    protocol           TEXT    NOT NULL,       -- 'aave-v3' | 'morpho-blue'
    contract           TEXT    NOT NULL,
    last_scanned_block INTEGER NOT NULL,
    PRIMARY KEY (chain_id, protocol, contract)
);

-- Borrowers found in logs. market: the Aave pool, or the Morpho market id. A Morpho market found in
-- CreateMarket logs is stored with account = ''.
CREATE TABLE IF NOT EXISTS discovered_accounts (
    chain_id INTEGER NOT NULL,
    protocol TEXT    NOT NULL,
    market   TEXT    NOT NULL,
    account  TEXT    NOT NULL,
    PRIMARY KEY (chain_id, protocol, market, account)
);
