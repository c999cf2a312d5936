-- PostgreSQL translation of sqlite/2026-11-25-008-link-alert-numbers.sql (same id in schema_migrations): alerts numbered
-- per authority, so one authority's numbers say nothing of the alerts of others; see the SQLite script.
CREATE TABLE link_alerts_numbered (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    authority         TEXT COLLATE "C" NOT NULL,
    number            BIGINT NOT NULL,
    case_id           TEXT COLLATE "C" NOT NULL,
    new_authorities   TEXT COLLATE "C" NOT NULL,
    new_jurisdictions TEXT COLLATE "C" NOT NULL,
    types             TEXT COLLATE "C" NOT NULL,
    created_at        TEXT COLLATE "C" NOT NULL,
    read_at           TEXT COLLATE "C" NULL
);
INSERT INTO link_alerts_numbered (authority, number, case_id, new_authorities, new_jurisdictions, types, created_at, read_at)
SELECT authority, ROW_NUMBER() OVER (PARTITION BY authority ORDER BY id), case_id, new_authorities, new_jurisdictions, types,
       created_at, read_at
FROM link_alerts ORDER BY id;
DROP TABLE link_alerts;
ALTER TABLE link_alerts_numbered RENAME TO link_alerts;
CREATE UNIQUE INDEX ix_link_alerts_number ON link_alerts (authority, number);

CREATE TABLE link_alert_numbers (
    authority   TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    last_number BIGINT NOT NULL
);
INSERT INTO link_alert_numbers (authority, last_number) SELECT authority, MAX(number) FROM link_alerts GROUP BY authority;
