-- SQL Server translation of sqlite/2026-11-25-014-key-ring.sql (same id in schema_migrations): the ids of the
-- pseudonymisation key ring in order, never a secret; see the SQLite script.
CREATE TABLE key_ring (
    position   INT           NOT NULL,
    key_id     NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    added_at   NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    rekeyed_at NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NULL,
    CONSTRAINT pk_key_ring PRIMARY KEY (position),
    CONSTRAINT uq_key_ring_key UNIQUE (key_id)
);
