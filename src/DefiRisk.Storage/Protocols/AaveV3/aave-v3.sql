-- Aave v3's tables (AaveV3Storage.cs). Conventions as in schema.sql: uint256 = 32-byte big-endian BLOB,
-- addresses TEXT "0x" + 40 lowercase hex, bps INTEGER, booleans INTEGER 0/1; every row carries snapshot_id.

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

-- v3.1+ / v3.3+ per-reserve state (a table of its own, so that files written before it keep opening).
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

-- Liquidity and isolation per reserve (a table of its own, so that files written before it keep opening; no row = not read).
CREATE TABLE IF NOT EXISTS aave_reserve_liquidity (
    snapshot_id                INTEGER NOT NULL REFERENCES snapshots (id),
    pool                       TEXT    NOT NULL,
    asset                      TEXT    NOT NULL,
    virtual_underlying_balance BLOB,             -- Pool.getVirtualUnderlyingBalance (3.1+), base units; NULL before 3.1
    debt_ceiling               BLOB    NOT NULL, -- configuration bits 212–251, USD with 2 decimals; 0 = not isolated
    isolation_mode_total_debt  BLOB    NOT NULL, -- getReserveData().isolationModeTotalDebt, USD with 2 decimals
    PRIMARY KEY (snapshot_id, pool, asset)
);

-- Pool.FLASHLOAN_PREMIUM_TOTAL() at the block, bps (schema 5; a table of its own, so that older files keep opening; no row = not read).
CREATE TABLE IF NOT EXISTS aave_flash_loans (
    snapshot_id             INTEGER NOT NULL REFERENCES snapshots (id),
    pool                    TEXT    NOT NULL,
    flashloan_premium_total INTEGER NOT NULL, -- bps of the amount borrowed
    PRIMARY KEY (snapshot_id, pool)
);

-- Per reserve, what flashLoanSimple can lend (schema 6; a table of its own, so that older files keep opening; no row = not read).
CREATE TABLE IF NOT EXISTS aave_reserve_flash_loans (
    snapshot_id        INTEGER NOT NULL REFERENCES snapshots (id),
    pool               TEXT    NOT NULL,
    asset              TEXT    NOT NULL,
    flash_loan_enabled INTEGER NOT NULL, -- configuration bit 63
    underlying_balance BLOB,             -- before 3.1: the aToken's balanceOf the underlying, base units; NULL from 3.1 (virtual balance)
    PRIMARY KEY (snapshot_id, pool, asset)
);
