-- Uniswap v2's table (UniswapV2Storage.cs). Conventions as in schema.sql: uint256 = 32-byte big-endian BLOB,
-- addresses TEXT "0x" + 40 lowercase hex; every row carries snapshot_id.

-- getReserves() at the block, in base units of token0 / token1 (token0 = the lower address).
CREATE TABLE IF NOT EXISTS uniswap_v2_pools (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    pair        TEXT    NOT NULL,
    token0      TEXT    NOT NULL,
    token1      TEXT    NOT NULL,
    reserve0    BLOB    NOT NULL,
    reserve1    BLOB    NOT NULL,
    PRIMARY KEY (snapshot_id, pair)
);
