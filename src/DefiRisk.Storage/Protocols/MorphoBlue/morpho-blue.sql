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

-- A market's oracle composition as the indexer identified it (MorphoOracleParts); no row: an unknown oracle, or a file
-- written before oracles were read (such snapshots keep every oracle's snapshot ratio). Added in place: the idempotent
-- DDL creates both tables in an existing version-2 file on open.
CREATE TABLE IF NOT EXISTS morpho_oracles (
    snapshot_id        INTEGER NOT NULL REFERENCES snapshots (id),
    morpho             TEXT    NOT NULL,
    market_id          TEXT    NOT NULL,
    kind               TEXT    NOT NULL,      -- ChainlinkV2 | ChainlinkV1 | Fixed
    scale_factor       BLOB    NOT NULL,      -- SCALE_FACTOR
    base_vault         TEXT    NOT NULL,      -- 0x0 when none
    base_vault_sample  BLOB    NOT NULL,
    base_vault_assets  BLOB    NOT NULL,      -- convertToAssets(sample) at the block; 1 without a vault
    quote_vault        TEXT    NOT NULL,
    quote_vault_sample BLOB    NOT NULL,
    quote_vault_assets BLOB    NOT NULL,
    PRIMARY KEY (snapshot_id, morpho, market_id)
);

CREATE TABLE IF NOT EXISTS morpho_oracle_feeds (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    morpho      TEXT    NOT NULL,
    market_id   TEXT    NOT NULL,
    slot        INTEGER NOT NULL,             -- 0 BASE_FEED_1, 1 BASE_FEED_2, 2 QUOTE_FEED_1, 3 QUOTE_FEED_2 (absent feeds: no row)
    feed        TEXT    NOT NULL,
    answer      BLOB    NOT NULL,             -- latestRoundData answer at the block (feed decimals)
    follows     TEXT,                         -- the asset it moves with; NULL: it holds
    PRIMARY KEY (snapshot_id, morpho, market_id, slot)
);
