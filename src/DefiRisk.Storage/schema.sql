-- DefiRisk snapshot database, schema version 5 (PRAGMA user_version; SnapshotStore.SchemaVersion). One snapshot =
-- everything read at ONE pinned block of one chain. This file holds what every snapshot shares; each protocol
-- family's and venue's tables are in the .sql file beside its storage part, applied after this one.
--
-- Conventions (kept portable: the same DDL runs on PostgreSQL with BLOB → BYTEA and
-- INTEGER PRIMARY KEY → BIGINT GENERATED ALWAYS AS IDENTITY):
--   * uint256 / BigInteger values are 32-byte big-endian unsigned BLOBs (columns typed BLOB below):
--     exact, fixed width, and byte order = numeric order, so ORDER BY and range filters work.
--   * addresses are TEXT "0x" + 40 lowercase hex digits; 32-byte ids (e.g. Morpho market ids) TEXT "0x" + 64 hex.
--   * bps / decimals / ids are INTEGER; booleans INTEGER 0/1; block numbers and timestamps INTEGER.
--   * every child row (here and in every family's tables) carries snapshot_id; a snapshot is replaced by
--     deleting its children and itself and inserting again, all in one transaction (SnapshotStore.Write).
--   * version 1 (before per-family parts) had no snapshot_books: such a file is refused, not migrated.
--   * version 2 had no oracle_feeds / oracle_rounds: opening one adds them (empty) and stamps it 3, in one transaction.
--   * versions 2–4 are migrated to 5 by adding the newer tables (4: external market curves; 5: aave_flash_loans), empty.

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

-- Which books a snapshot holds, in the snapshot's order (Snapshot.Books / Snapshot.Venues). Each family's rows
-- live in its own tables (Storage/Protocols/<Family>/<family>.sql, Storage/Venues/<Kind>/<kind>.sql), written
-- and read by the storage part registered under `name`. A family with no row here had no book; an empty book
-- has its row here and no rows in its tables.
CREATE TABLE IF NOT EXISTS snapshot_books (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    kind        TEXT    NOT NULL,              -- 'protocol' (a lending book) | 'venue' (a liquidity venue's book)
    ordinal     INTEGER NOT NULL,              -- index in that list of the snapshot
    name        TEXT    NOT NULL,              -- the book's name = the storage part's name, e.g. 'aave-v3'
    PRIMARY KEY (snapshot_id, kind, ordinal),
    UNIQUE (snapshot_id, kind, name)
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

-- The read phase's completed batches at a block (index item 4): the pending state of that block's snapshot, kept so a
-- failed index resumes, and deleted in the transaction that writes the snapshot. batch_key: a hash of the batch's calls.
CREATE TABLE IF NOT EXISTS read_checkpoints (
    chain_id     INTEGER NOT NULL,
    block_number INTEGER NOT NULL,
    batch_key    TEXT    NOT NULL,
    answers      TEXT    NOT NULL,
    PRIMARY KEY (chain_id, block_number, batch_key)
);

-- ---------------------------------------------------------------- oracle history (schema version 3)

-- Which market assets' oracle rounds were read back with the snapshot (`index --price-history-days`), from which
-- source, in what decimals; `missing` says why a source has no rounds (then the asset needs a history CSV).
-- No row for a snapshot: no history was read.
CREATE TABLE IF NOT EXISTS oracle_feeds (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    asset       TEXT    NOT NULL,
    feed        TEXT    NOT NULL,              -- the AaveOracle source the rounds were read from
    decimals    INTEGER NOT NULL,
    missing     TEXT,                          -- null: rounds were read (possibly none in the horizon)
    PRIMARY KEY (snapshot_id, asset)
);

-- The rounds, as the source presents them (a proxy: phase << 64 | the aggregator's round id).
CREATE TABLE IF NOT EXISTS oracle_rounds (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    asset       TEXT    NOT NULL,
    round_id    BLOB    NOT NULL,              -- uint80, 32-byte big-endian
    answer      TEXT    NOT NULL,              -- int256 as a decimal string (a feed may answer <= 0)
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (snapshot_id, asset, round_id)
);
