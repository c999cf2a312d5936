-- The audit chain's verification checkpoint: the last entry a verification found intact, with its hash. GET
-- /api/v1/audit/verify checks the entries after it (and the entry itself against the hash kept here) instead of walking
-- the whole chain on every call; ?full=true walks from the first entry. One row, shared by every node on the database,
-- and kept across restarts. seq 0 with the genesis hash: nothing verified yet. See docs/audit-and-privacy.md.
CREATE TABLE audit_checkpoint (
    id          INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    seq         INTEGER NOT NULL,
    hash        TEXT    NOT NULL,
    verified_at TEXT    NULL
);
INSERT INTO audit_checkpoint (id, seq, hash, verified_at)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', NULL);
