-- PostgreSQL translation of sqlite/2026-11-25-010-link-probes.sql (same id in schema_migrations): the link job's record
-- of hits lost by their own authority's change, counted against Links:Probing:Limit; see the SQLite script.
CREATE TABLE link_probes (
    case_id   TEXT COLLATE "C" NOT NULL,
    lost_at   TEXT COLLATE "C" NOT NULL,
    authority TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (case_id, lost_at)
);
CREATE INDEX ix_link_probes_authority ON link_probes (authority, lost_at);
