-- The job dashboard's browser sessions (Auth/HangfireSession.cs). Each sign-in (POST /api/v1/hangfire-session) writes a
-- row whose id is sealed into the cookie; every request under /hangfire looks the id up here, and a sign-out (DELETE) sets
-- ended_at on every open session of the same key id or token subject. Kept in the database so that a sign-out on one node
-- ends the session on every node, and after a restart. A row is kept until the cookie's own expiry (expires_at), then
-- purged at the next sign-in or sign-out. No key, no secret: the key's id or the token's subject, and times.
CREATE TABLE hangfire_sessions (
    id         TEXT NOT NULL PRIMARY KEY,
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    opened_at  TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    ended_at   TEXT NULL
) WITHOUT ROWID;
CREATE INDEX ix_hangfire_sessions_subject ON hangfire_sessions (subject, kind);
CREATE INDEX ix_hangfire_sessions_expires ON hangfire_sessions (expires_at);
