-- SQL Server translation of sqlite/2026-11-25-012-link-probe-releases.sql (same id in schema_migrations): a steward's
-- last release of each authority's link probing hold; see the SQLite script.
CREATE TABLE link_probe_releases (
    authority   NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    released_at NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    released_by NVARCHAR(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    CONSTRAINT pk_link_probe_releases PRIMARY KEY (authority)
);
