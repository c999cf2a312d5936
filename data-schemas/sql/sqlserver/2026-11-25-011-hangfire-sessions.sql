-- SQL Server translation of sqlite/2026-11-25-011-hangfire-sessions.sql (same id in schema_migrations): the job
-- dashboard's browser sessions, so that a sign-out on one node ends the session on every node; see the SQLite script.
CREATE TABLE hangfire_sessions (
    id         NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    kind       NVARCHAR(16)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    subject    NVARCHAR(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    opened_at  NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    expires_at NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    ended_at   NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NULL,
    CONSTRAINT pk_hangfire_sessions PRIMARY KEY (id)
);
CREATE INDEX ix_hangfire_sessions_subject ON hangfire_sessions (subject, kind);
CREATE INDEX ix_hangfire_sessions_expires ON hangfire_sessions (expires_at);
