-- SQL Server translation of sqlite/2026-11-23-003-links.sql (same id in schema_migrations); see 001 for the types.
-- Cross-border links, recomputed by the compute-links job from case_tokens. Only case ids, jurisdictions,
-- authorities and identifier types are stored here: never a token, so these tables cannot re-identify anyone.

-- One row per connected component of cases that share a token; id is internal (the smallest case id) and never shown.
CREATE TABLE link_groups (
    id            NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    size          INT NOT NULL,
    jurisdictions NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL, -- sorted, comma-separated
    authorities   INT NOT NULL,
    types         NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL, -- identifier types that join the group, comma-separated
    computed_at   NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL
);
GO

-- Each linked active case, its group and the identifier types it shares directly with another case of the group.
CREATE TABLE case_links (
    case_id      NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY REFERENCES cases (id),
    group_id     NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    jurisdiction NVARCHAR(32)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    authority    NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    types        NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL
);
CREATE INDEX ix_case_links_group ON case_links (group_id, authority);
CREATE INDEX ix_case_links_authority ON case_links (authority, case_id);
GO

-- Which other authorities a case has already been alerted about, so an alert is raised once per new counterpart.
CREATE TABLE link_alert_seen (
    case_id         NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    other_authority NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    PRIMARY KEY (case_id, other_authority)
);
GO

-- Notifications for prosecutors: a case of theirs gained a hit with an authority it was not linked to before.
CREATE TABLE link_alerts (
    id                BIGINT IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    authority         NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    case_id           NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    new_authorities   NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    new_jurisdictions NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    types             NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    created_at        NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    read_at           NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NULL
);
CREATE INDEX ix_link_alerts_authority ON link_alerts (authority, id);
