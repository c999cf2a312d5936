-- SQL Server translation of sqlite/2026-11-23-002-jobs-and-patterns.sql (same id in schema_migrations); see 001 for the types.
-- Recurring job schedules are data a steward edits; Hangfire is told about them at start-up and on change.
CREATE TABLE job_schedules (
    job_id     NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    cron       NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    updated_at NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    updated_by NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL
);
GO

-- One row per job execution, so a steward can read outcomes without the Hangfire dashboard.
CREATE TABLE job_runs (
    id          NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY,
    job_id      NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    started_at  NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    finished_at NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NULL,
    outcome     NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    detail      NVARCHAR(MAX) COLLATE Latin1_General_100_BIN2 NULL
);
CREATE INDEX ix_job_runs_job ON job_runs (job_id, started_at);
GO

-- Each active case's pattern under a given version of the pattern model.
CREATE TABLE case_patterns (
    case_id       NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL PRIMARY KEY REFERENCES cases (id),
    model_version NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    pattern_id    INT NOT NULL,
    distance      FLOAT NOT NULL
);
CREATE INDEX ix_case_patterns_version ON case_patterns (model_version, pattern_id);
GO

-- Precomputed monthly counts per pattern (refreshed by a job), so list endpoints read a small table.
CREATE TABLE pattern_monthly (
    model_version NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    pattern_id    INT NOT NULL,
    month         NVARCHAR(40)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    jurisdiction  NVARCHAR(32)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    cases         INT NOT NULL,
    PRIMARY KEY (model_version, pattern_id, month, jurisdiction)
);
