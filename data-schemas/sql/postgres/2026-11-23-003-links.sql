-- PostgreSQL translation of sqlite/2026-11-23-003-links.sql (same id in schema_migrations). Text columns use the "C" collation:
-- byte order like SQLite's BINARY, so keyset paging and ORDER BY agree with the code whatever the database locale.
-- Cross-border links, recomputed by the compute-links job from case_tokens. Only case ids, jurisdictions,
-- authorities and identifier types are stored here: never a token, so these tables cannot re-identify anyone.

-- One row per connected component of cases that share a token; id is internal (the smallest case id) and never shown.
CREATE TABLE link_groups (
    id            TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    size          INTEGER NOT NULL,
    jurisdictions TEXT COLLATE "C" NOT NULL, -- sorted, comma-separated
    authorities   INTEGER NOT NULL,
    types         TEXT COLLATE "C" NOT NULL, -- identifier types that join the group, comma-separated
    computed_at   TEXT COLLATE "C" NOT NULL
);

-- Each linked active case, its group and the identifier types it shares directly with another case of the group.
CREATE TABLE case_links (
    case_id      TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES cases (id),
    group_id     TEXT COLLATE "C" NOT NULL,
    jurisdiction TEXT COLLATE "C" NOT NULL,
    authority    TEXT COLLATE "C" NOT NULL,
    types        TEXT COLLATE "C" NOT NULL
);
CREATE INDEX ix_case_links_group ON case_links (group_id, authority);
CREATE INDEX ix_case_links_authority ON case_links (authority, case_id);

-- Which other authorities a case has already been alerted about, so an alert is raised once per new counterpart.
CREATE TABLE link_alert_seen (
    case_id         TEXT COLLATE "C" NOT NULL,
    other_authority TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (case_id, other_authority)
);

-- Notifications for prosecutors: a case of theirs gained a hit with an authority it was not linked to before.
CREATE TABLE link_alerts (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    authority         TEXT COLLATE "C" NOT NULL,
    case_id           TEXT COLLATE "C" NOT NULL,
    new_authorities   TEXT COLLATE "C" NOT NULL,
    new_jurisdictions TEXT COLLATE "C" NOT NULL,
    types             TEXT COLLATE "C" NOT NULL,
    created_at        TEXT COLLATE "C" NOT NULL,
    read_at           TEXT COLLATE "C" NULL
);
CREATE INDEX ix_link_alerts_authority ON link_alerts (authority, id);
