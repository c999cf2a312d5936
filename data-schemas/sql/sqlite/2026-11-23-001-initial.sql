-- Cases: one narrow row per case for scans and aggregates; the wide pseudonymised record
-- (narrative included) lives in case_documents so aggregate queries never read it.
CREATE TABLE cases (
    id             TEXT    NOT NULL PRIMARY KEY,
    jurisdiction   TEXT    NOT NULL,
    authority      TEXT    NOT NULL,
    case_ref_token TEXT    NOT NULL,
    key_id         TEXT    NOT NULL,
    stage          TEXT    NOT NULL,
    period_from    TEXT    NULL,
    period_to      TEXT    NULL,
    victim_count   INTEGER NOT NULL,
    suspect_count  INTEGER NOT NULL,
    profile        TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    record_hash    TEXT    NOT NULL,
    submitted_at   TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    CONSTRAINT uq_cases_authority_ref UNIQUE (authority, case_ref_token)
);
CREATE INDEX ix_cases_jurisdiction ON cases (jurisdiction, status);

CREATE TABLE case_documents (
    case_id TEXT NOT NULL PRIMARY KEY REFERENCES cases (id),
    record  TEXT NOT NULL
);

-- Tokens drive cross-border linking and key rotation; never a raw identifier.
CREATE TABLE case_tokens (
    token   TEXT NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    type    TEXT NOT NULL,
    PRIMARY KEY (token, case_id)
) WITHOUT ROWID;
CREATE INDEX ix_case_tokens_case ON case_tokens (case_id);

CREATE TABLE api_keys (
    id           TEXT NOT NULL PRIMARY KEY,
    secret_hash  TEXT NOT NULL,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    jurisdiction TEXT NULL,
    authority    TEXT NULL,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT NULL
);

CREATE TABLE idempotency_keys (
    principal    TEXT    NOT NULL,
    idem_key     TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    status_code  INTEGER NOT NULL,
    response     TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    PRIMARY KEY (principal, idem_key)
);
