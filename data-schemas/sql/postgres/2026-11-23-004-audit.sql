-- PostgreSQL translation of sqlite/2026-11-23-004-audit.sql (same id in schema_migrations). Text columns use the "C" collation:
-- byte order like SQLite's BINARY, so keyset paging and ORDER BY agree with the code whatever the database locale.
-- Hash-chained audit trail: one row per API request, appended in order by a single writer.
-- hash = SHA-256(prev_hash || canonical JSON of the other columns); see docs/audit-and-privacy.md.
-- Never a request body, never a free-form client value: parameters hold allow-listed keys and platform ids only.
CREATE TABLE audit_log (
    seq          BIGINT  NOT NULL PRIMARY KEY,
    at           TEXT COLLATE "C" NOT NULL,
    principal    TEXT COLLATE "C" NOT NULL,
    role         TEXT COLLATE "C" NULL,
    jurisdiction TEXT COLLATE "C" NULL,
    action       TEXT COLLATE "C" NOT NULL,
    method       TEXT COLLATE "C" NOT NULL,
    route        TEXT COLLATE "C" NOT NULL,
    parameters   TEXT COLLATE "C" NOT NULL,
    status       INTEGER NOT NULL,
    result_size  BIGINT  NOT NULL,
    duration_ms  BIGINT  NOT NULL,
    prev_hash    TEXT COLLATE "C" NOT NULL,
    hash         TEXT COLLATE "C" NOT NULL
);
CREATE INDEX ix_audit_log_principal ON audit_log (principal, seq);
CREATE INDEX ix_audit_log_action ON audit_log (action, seq);
