-- Alerts numbered per authority. The row id counts every authority's alerts, so gaps between one authority's ids told
-- it how many alerts other authorities got in between; prosecutors now see only `number`: 1, 2, 3, … within their own
-- authority, in the order raised. link_alert_numbers holds each authority's last number, so a number is never given
-- twice, even after the newest alert went with a withdrawn case. The table is rebuilt (as 007 does) so that every
-- dialect can add the column and its unique key in one plain script.
CREATE TABLE link_alerts_numbered (
    id                INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    authority         TEXT    NOT NULL,
    number            INTEGER NOT NULL,
    case_id           TEXT    NOT NULL,
    new_authorities   TEXT    NOT NULL,
    new_jurisdictions TEXT    NOT NULL,
    types             TEXT    NOT NULL,
    created_at        TEXT    NOT NULL,
    read_at           TEXT    NULL
);
INSERT INTO link_alerts_numbered (id, authority, number, case_id, new_authorities, new_jurisdictions, types, created_at, read_at)
SELECT id, authority, ROW_NUMBER() OVER (PARTITION BY authority ORDER BY id), case_id, new_authorities, new_jurisdictions, types,
       created_at, read_at
FROM link_alerts;
DROP TABLE link_alerts;
ALTER TABLE link_alerts_numbered RENAME TO link_alerts;
CREATE UNIQUE INDEX ix_link_alerts_number ON link_alerts (authority, number);

CREATE TABLE link_alert_numbers (
    authority   TEXT    NOT NULL PRIMARY KEY,
    last_number INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO link_alert_numbers (authority, last_number) SELECT authority, MAX(number) FROM link_alerts GROUP BY authority;
