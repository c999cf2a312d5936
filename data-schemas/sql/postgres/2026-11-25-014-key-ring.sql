-- PostgreSQL translation of sqlite/2026-11-25-014-key-ring.sql (same id in schema_migrations): the ids of the
-- pseudonymisation key ring in order, never a secret; see the SQLite script.
CREATE TABLE key_ring (
    position   INTEGER NOT NULL PRIMARY KEY,
    key_id     TEXT COLLATE "C" NOT NULL UNIQUE,
    added_at   TEXT COLLATE "C" NOT NULL,
    rekeyed_at TEXT COLLATE "C" NULL
);
