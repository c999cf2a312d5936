-- Per-pattern counts by month, jurisdiction, exploitation-type set and age-band set (refreshed by a job). Each case
-- falls in exactly one cell, so any filter on these columns sums to a count of distinct cases; the set columns hold
-- sorted codes between bars ('|labour|sexual|') so a filter is a LIKE on '%|code|%'. The six columns are too wide for
-- SQL Server's 900-byte key: rows are clustered by version and pattern instead (the job writes each cell once).
CREATE TABLE pattern_cells (
    model_version      NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    pattern_id         INT NOT NULL,
    month              NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    jurisdiction       NVARCHAR(32)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    exploitation_types NVARCHAR(1000) COLLATE Latin1_General_100_BIN2 NOT NULL,
    age_bands          NVARCHAR(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
    cases              INT NOT NULL
);
CREATE CLUSTERED INDEX ix_pattern_cells ON pattern_cells (model_version, pattern_id, month);
