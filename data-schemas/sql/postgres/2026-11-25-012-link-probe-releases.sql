-- PostgreSQL translation of sqlite/2026-11-25-012-link-probe-releases.sql (same id in schema_migrations): a steward's
-- last release of each authority's link probing hold; see the SQLite script.
CREATE TABLE link_probe_releases (
    authority   TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    released_at TEXT COLLATE "C" NOT NULL,
    released_by TEXT COLLATE "C" NOT NULL
);
