-- SQL Server translation of sqlite/2026-11-25-008-link-alert-numbers.sql (same id in schema_migrations): alerts numbered
-- per authority, so one authority's numbers say nothing of the alerts of others; see the SQLite script.
CREATE TABLE link_alerts_numbered (
    id                BIGINT IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    authority         NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    number            BIGINT NOT NULL,
    case_id           NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    new_authorities   NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    new_jurisdictions NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    types             NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NOT NULL,
    created_at        NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    read_at           NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NULL
);
CREATE UNIQUE INDEX ix_link_alerts_number ON link_alerts_numbered (authority, number);
INSERT INTO link_alerts_numbered (authority, number, case_id, new_authorities, new_jurisdictions, types, created_at, read_at)
SELECT authority, ROW_NUMBER() OVER (PARTITION BY authority ORDER BY id), case_id, new_authorities, new_jurisdictions, types,
       created_at, read_at
FROM link_alerts ORDER BY id;
DROP TABLE link_alerts;
EXEC sp_rename 'link_alerts_numbered', 'link_alerts';
GO

CREATE TABLE link_alert_numbers (
    authority   NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    last_number BIGINT NOT NULL
);
INSERT INTO link_alert_numbers (authority, last_number) SELECT authority, MAX(number) FROM link_alerts GROUP BY authority;
GO
