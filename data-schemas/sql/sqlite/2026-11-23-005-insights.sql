-- Precomputed aggregates (refreshed by the refresh-aggregates job) so insight endpoints read small tables.
CREATE TABLE summary_counts (
    dimension TEXT    NOT NULL,
    value     TEXT    NOT NULL,
    cases     INTEGER NOT NULL,
    PRIMARY KEY (dimension, value)
);

CREATE TABLE route_counts (
    route             TEXT    NOT NULL,
    origin            TEXT    NOT NULL,
    destination       TEXT    NOT NULL,
    year              TEXT    NOT NULL,
    exploitation_type TEXT    NOT NULL,
    cases             INTEGER NOT NULL,
    PRIMARY KEY (route, year, exploitation_type)
);
