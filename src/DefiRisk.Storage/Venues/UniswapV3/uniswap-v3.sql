-- Uniswap v3's tables (UniswapV3Storage.cs). Conventions as in schema.sql: uint256 = 32-byte big-endian BLOB,
-- addresses TEXT "0x" + 40 lowercase hex; every row carries snapshot_id. Added in schema version 3.

-- slot0, liquidity(), fee(), tickSpacing() at the block; first_word..last_word: the tickBitmap words that were read
-- (compressed tick >> 8); a swap model never assumes the words outside are empty.
CREATE TABLE IF NOT EXISTS uniswap_v3_pools (
    snapshot_id    INTEGER NOT NULL REFERENCES snapshots (id),
    pool           TEXT    NOT NULL,
    token0         TEXT    NOT NULL,
    token1         TEXT    NOT NULL,
    sqrt_price_x96 BLOB    NOT NULL,           -- uint160
    tick           INTEGER NOT NULL,           -- int24, as slot0 stores it
    liquidity      BLOB    NOT NULL,           -- uint128, in range at the price
    fee            INTEGER NOT NULL,           -- pips (1e-6)
    tick_spacing   INTEGER NOT NULL,
    first_word     INTEGER NOT NULL,
    last_word      INTEGER NOT NULL,
    PRIMARY KEY (snapshot_id, pool)
);

-- Every initialized tick within the words read. liquidity_net is an int128 and can be negative: it is stored as a
-- signed decimal TEXT integer (the uint256 BLOB convention has no sign), parsed exactly on load.
CREATE TABLE IF NOT EXISTS uniswap_v3_ticks (
    snapshot_id   INTEGER NOT NULL REFERENCES snapshots (id),
    pool          TEXT    NOT NULL,
    tick          INTEGER NOT NULL,
    liquidity_net TEXT    NOT NULL,
    PRIMARY KEY (snapshot_id, pool, tick)
);
