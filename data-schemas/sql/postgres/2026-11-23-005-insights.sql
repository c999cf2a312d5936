-- PostgreSQL translation of sqlite/2026-11-23-005-insights.sql (same id in schema_migrations). Text columns use the "C" collation:
-- byte order like SQLite's BINARY, so keyset paging and ORDER BY agree with the code whatever the database locale.
-- Precomputed aggregates (refreshed by the refresh-aggregates job) so insight endpoints read small tables.
CREATE TABLE summary_counts (
    dimension TEXT COLLATE "C" NOT NULL,
    value     TEXT COLLATE "C" NOT NULL,
    cases     INTEGER NOT NULL,
    PRIMARY KEY (dimension, value)
);

CREATE TABLE route_counts (
    route             TEXT COLLATE "C" NOT NULL,
    origin            TEXT COLLATE "C" NOT NULL,
    destination       TEXT COLLATE "C" NOT NULL,
    year              TEXT COLLATE "C" NOT NULL,
    exploitation_type TEXT COLLATE "C" NOT NULL,
    cases             INTEGER NOT NULL,
    PRIMARY KEY (route, year, exploitation_type)
);
