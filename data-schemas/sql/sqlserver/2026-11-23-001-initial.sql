-- SQL Server translation of sqlite/2026-11-23-001-initial.sql (same id in schema_migrations). Text columns are NVARCHAR with
-- the binary collation Latin1_General_100_BIN2: code-point order like SQLite's BINARY, so keyset paging and ORDER BY agree
-- with the code whatever the server's default collation. Keyed columns are bounded (an index key holds at most 900 bytes);
-- documents and JSON are NVARCHAR(MAX). Batches are separated by GO lines, as sqlcmd reads them.
-- Cases: one narrow row per case for scans and aggregates; the wide pseudonymised record
-- (narrative included) lives in case_documents so aggregate queries never read it.
CREATE TABLE cases (
    id             NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    jurisdiction   NVARCHAR(32)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    authority      NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    case_ref_token NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    key_id         NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    stage          NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    period_from    NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NULL,
    period_to      NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NULL,
    victim_count   INT NOT NULL,
    suspect_count  INT NOT NULL,
    profile        NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    status         NVARCHAR(20)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    version        INT NOT NULL,
    record_hash    NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    submitted_at   NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    updated_at     NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    CONSTRAINT uq_cases_authority_ref UNIQUE (authority, case_ref_token)
);
CREATE INDEX ix_cases_jurisdiction ON cases (jurisdiction, status);
GO

CREATE TABLE case_documents (
    case_id NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY REFERENCES cases (id),
    record  NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL
);
GO

-- Tokens drive cross-border linking and key rotation; never a raw identifier.
CREATE TABLE case_tokens (
    token   NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    case_id NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL REFERENCES cases (id),
    type    NVARCHAR(32)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    PRIMARY KEY (token, case_id)
);
CREATE INDEX ix_case_tokens_case ON case_tokens (case_id);
GO

CREATE TABLE api_keys (
    id           NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    secret_hash  NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    name         NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    role         NVARCHAR(32)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    jurisdiction NVARCHAR(32)  COLLATE Latin1_General_100_BIN2 NULL,
    authority    NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NULL,
    created_at   NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    revoked_at   NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NULL
);
GO

CREATE TABLE idempotency_keys (
    principal    NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    idem_key     NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    request_hash NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    status_code  INT NOT NULL,
    response     NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    created_at   NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    PRIMARY KEY (principal, idem_key)
);
