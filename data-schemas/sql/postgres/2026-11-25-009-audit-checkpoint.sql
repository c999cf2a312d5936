-- PostgreSQL translation of sqlite/2026-11-25-009-audit-checkpoint.sql (same id in schema_migrations): the audit chain's
-- verification checkpoint, one row shared by every node; see the SQLite script.
CREATE TABLE audit_checkpoint (
    id          INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    seq         BIGINT  NOT NULL,
    hash        TEXT COLLATE "C" NOT NULL,
    verified_at TEXT COLLATE "C" NULL
);
INSERT INTO audit_checkpoint (id, seq, hash, verified_at)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', NULL);
