-- Hash-chained audit trail: one row per API request, appended in order by a single writer.
-- hash = SHA-256(prev_hash || canonical JSON of the other columns); see docs/audit-and-privacy.md.
-- Never a request body, never a free-form client value: parameters hold allow-listed keys and platform ids only.
CREATE TABLE audit_log (
    seq          INTEGER NOT NULL PRIMARY KEY,
    at           TEXT    NOT NULL,
    principal    TEXT    NOT NULL,
    role         TEXT    NULL,
    jurisdiction TEXT    NULL,
    action       TEXT    NOT NULL,
    method       TEXT    NOT NULL,
    route        TEXT    NOT NULL,
    parameters   TEXT    NOT NULL,
    status       INTEGER NOT NULL,
    result_size  INTEGER NOT NULL,
    duration_ms  INTEGER NOT NULL,
    prev_hash    TEXT    NOT NULL,
    hash         TEXT    NOT NULL
);
CREATE INDEX ix_audit_log_principal ON audit_log (principal, seq);
CREATE INDEX ix_audit_log_action ON audit_log (action, seq);
