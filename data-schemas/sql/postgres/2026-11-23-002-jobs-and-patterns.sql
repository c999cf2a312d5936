-- PostgreSQL translation of sqlite/2026-11-23-002-jobs-and-patterns.sql (same id in schema_migrations). Text columns use the "C" collation:
-- byte order like SQLite's BINARY, so keyset paging and ORDER BY agree with the code whatever the database locale.
-- Recurring job schedules are data a steward edits; Hangfire is told about them at start-up and on change.
CREATE TABLE job_schedules (
    job_id     TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    cron       TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL,
    updated_by TEXT COLLATE "C" NOT NULL
);

-- One row per job execution, so a steward can read outcomes without the Hangfire dashboard.
CREATE TABLE job_runs (
    id          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    job_id      TEXT COLLATE "C" NOT NULL,
    started_at  TEXT COLLATE "C" NOT NULL,
    finished_at TEXT COLLATE "C" NULL,
    outcome     TEXT COLLATE "C" NOT NULL,
    detail      TEXT COLLATE "C" NULL
);
CREATE INDEX ix_job_runs_job ON job_runs (job_id, started_at);

-- Each active case's pattern under a given version of the pattern model.
CREATE TABLE case_patterns (
    case_id       TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES cases (id),
    model_version TEXT COLLATE "C" NOT NULL,
    pattern_id    INTEGER NOT NULL,
    distance      DOUBLE PRECISION NOT NULL
);
CREATE INDEX ix_case_patterns_version ON case_patterns (model_version, pattern_id);

-- Precomputed monthly counts per pattern (refreshed by a job), so list endpoints read a small table.
CREATE TABLE pattern_monthly (
    model_version TEXT COLLATE "C" NOT NULL,
    pattern_id    INTEGER NOT NULL,
    month         TEXT COLLATE "C" NOT NULL,
    jurisdiction  TEXT COLLATE "C" NOT NULL,
    cases         INTEGER NOT NULL,
    PRIMARY KEY (model_version, pattern_id, month, jurisdiction)
);
