-- Recurring job schedules are data a steward edits; Hangfire is told about them at start-up and on change.
CREATE TABLE job_schedules (
    job_id     TEXT NOT NULL PRIMARY KEY,
    cron       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

-- One row per job execution, so a steward can read outcomes without the Hangfire dashboard.
CREATE TABLE job_runs (
    id          TEXT NOT NULL PRIMARY KEY,
    job_id      TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT NULL,
    outcome     TEXT NOT NULL,
    detail      TEXT NULL
);
CREATE INDEX ix_job_runs_job ON job_runs (job_id, started_at);

-- Each active case's pattern under a given version of the pattern model.
CREATE TABLE case_patterns (
    case_id       TEXT    NOT NULL PRIMARY KEY REFERENCES cases (id),
    model_version TEXT    NOT NULL,
    pattern_id    INTEGER NOT NULL,
    distance      REAL    NOT NULL
);
CREATE INDEX ix_case_patterns_version ON case_patterns (model_version, pattern_id);

-- Precomputed monthly counts per pattern (refreshed by a job), so list endpoints read a small table.
CREATE TABLE pattern_monthly (
    model_version TEXT    NOT NULL,
    pattern_id    INTEGER NOT NULL,
    month         TEXT    NOT NULL,
    jurisdiction  TEXT    NOT NULL,
    cases         INTEGER NOT NULL,
    PRIMARY KEY (model_version, pattern_id, month, jurisdiction)
);
