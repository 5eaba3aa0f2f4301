-- The external market's tables (ExternalMarketStorage.cs). Conventions as in schema.sql: uint256 = 32-byte big-endian
-- BLOB, addresses TEXT "0x" + 40 lowercase hex; every row carries snapshot_id. Added in schema version 4.
-- The curves are configuration, not chain state: stored so a snapshot says which depth it was indexed with.

-- One row per asset with a curve: the reference price (quote base units per asset base unit, as a fraction of the
-- snapshot's oracle prices), where the numbers come from (provenance) and where the curve was read (origin: the
-- deployments file and section, or an --external-depth file).
CREATE TABLE IF NOT EXISTS external_market_curves (
    snapshot_id       INTEGER NOT NULL REFERENCES snapshots (id),
    asset             TEXT    NOT NULL,
    quote             TEXT    NOT NULL,
    price_numerator   BLOB    NOT NULL,
    price_denominator BLOB    NOT NULL,
    provenance        TEXT    NOT NULL,
    origin            TEXT    NOT NULL,
    PRIMARY KEY (snapshot_id, asset)
);

-- The curve's points in order: after size (base units of the asset) sold, the marginal price is the reference price
-- × (1 − impact_ppm / 10^6). The first point has size 0.
CREATE TABLE IF NOT EXISTS external_market_points (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    asset       TEXT    NOT NULL,
    ordinal     INTEGER NOT NULL,
    size        BLOB    NOT NULL,
    impact_ppm  INTEGER NOT NULL,
    PRIMARY KEY (snapshot_id, asset, ordinal)
);
