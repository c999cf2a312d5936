-- SQL Server translation of sqlite/2026-11-23-004-audit.sql (same id in schema_migrations); see 001 for the types.
-- Hash-chained audit trail: one row per API request, appended in order by a single writer.
-- hash = SHA-256(prev_hash || canonical JSON of the other columns); see docs/audit-and-privacy.md.
-- Never a request body, never a free-form client value: parameters hold allow-listed keys and platform ids only.
CREATE TABLE audit_log (
    seq          BIGINT NOT NULL PRIMARY KEY,
    at           NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    principal    NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    role         NVARCHAR(32)  COLLATE Latin1_General_100_BIN2 NULL,
    jurisdiction NVARCHAR(32)  COLLATE Latin1_General_100_BIN2 NULL,
    action       NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    method       NVARCHAR(16)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    route        NVARCHAR(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    parameters   NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    status       INT NOT NULL,
    result_size  BIGINT NOT NULL,
    duration_ms  BIGINT NOT NULL,
    prev_hash    NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    hash         NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL
);
CREATE INDEX ix_audit_log_principal ON audit_log (principal, seq);
CREATE INDEX ix_audit_log_action ON audit_log (action, seq);
