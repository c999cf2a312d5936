-- PostgreSQL translation of sqlite/2026-11-23-001-initial.sql (same id in schema_migrations). Text columns use the "C" collation:
-- byte order like SQLite's BINARY, so keyset paging and ORDER BY agree with the code whatever the database locale.
-- Cases: one narrow row per case for scans and aggregates; the wide pseudonymised record
-- (narrative included) lives in case_documents so aggregate queries never read it.
CREATE TABLE cases (
    id             TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    jurisdiction   TEXT COLLATE "C" NOT NULL,
    authority      TEXT COLLATE "C" NOT NULL,
    case_ref_token TEXT COLLATE "C" NOT NULL,
    key_id         TEXT COLLATE "C" NOT NULL,
    stage          TEXT COLLATE "C" NOT NULL,
    period_from    TEXT COLLATE "C" NULL,
    period_to      TEXT COLLATE "C" NULL,
    victim_count   INTEGER NOT NULL,
    suspect_count  INTEGER NOT NULL,
    profile        TEXT COLLATE "C" NOT NULL,
    status         TEXT COLLATE "C" NOT NULL,
    version        INTEGER NOT NULL,
    record_hash    TEXT COLLATE "C" NOT NULL,
    submitted_at   TEXT COLLATE "C" NOT NULL,
    updated_at     TEXT COLLATE "C" NOT NULL,
    CONSTRAINT uq_cases_authority_ref UNIQUE (authority, case_ref_token)
);
CREATE INDEX ix_cases_jurisdiction ON cases (jurisdiction, status);

CREATE TABLE case_documents (
    case_id TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES cases (id),
    record  TEXT COLLATE "C" NOT NULL
);

-- Tokens drive cross-border linking and key rotation; never a raw identifier.
CREATE TABLE case_tokens (
    token   TEXT COLLATE "C" NOT NULL,
    case_id TEXT COLLATE "C" NOT NULL REFERENCES cases (id),
    type    TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (token, case_id)
);
CREATE INDEX ix_case_tokens_case ON case_tokens (case_id);

CREATE TABLE api_keys (
    id           TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    secret_hash  TEXT COLLATE "C" NOT NULL,
    name         TEXT COLLATE "C" NOT NULL,
    role         TEXT COLLATE "C" NOT NULL,
    jurisdiction TEXT COLLATE "C" NULL,
    authority    TEXT COLLATE "C" NULL,
    created_at   TEXT COLLATE "C" NOT NULL,
    revoked_at   TEXT COLLATE "C" NULL
);

CREATE TABLE idempotency_keys (
    principal    TEXT COLLATE "C" NOT NULL,
    idem_key     TEXT COLLATE "C" NOT NULL,
    request_hash TEXT COLLATE "C" NOT NULL,
    status_code  INTEGER NOT NULL,
    response     TEXT COLLATE "C" NOT NULL,
    created_at   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (principal, idem_key)
);
