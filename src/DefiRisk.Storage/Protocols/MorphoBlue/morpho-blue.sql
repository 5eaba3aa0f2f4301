-- Morpho Blue's tables (MorphoBlueStorage.cs). Conventions as in schema.sql: uint256 = 32-byte big-endian BLOB,
-- addresses TEXT "0x" + 40 lowercase hex, market ids TEXT "0x" + 64 hex; every row carries snapshot_id.

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
