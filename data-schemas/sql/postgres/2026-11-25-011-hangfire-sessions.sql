-- PostgreSQL translation of sqlite/2026-11-25-011-hangfire-sessions.sql (same id in schema_migrations): the job
-- dashboard's browser sessions, so that a sign-out on one node ends the session on every node; see the SQLite script.
CREATE TABLE hangfire_sessions (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    kind       TEXT COLLATE "C" NOT NULL,
    subject    TEXT COLLATE "C" NOT NULL,
    opened_at  TEXT COLLATE "C" NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL,
    ended_at   TEXT COLLATE "C" NULL
);
CREATE INDEX ix_hangfire_sessions_subject ON hangfire_sessions (subject, kind);
CREATE INDEX ix_hangfire_sessions_expires ON hangfire_sessions (expires_at);
