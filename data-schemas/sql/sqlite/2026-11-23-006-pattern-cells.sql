-- Per-pattern counts by month, jurisdiction, exploitation-type set and age-band set (refreshed by a job). Each case
-- falls in exactly one cell, so any filter on these columns sums to a count of distinct cases; the set columns hold
-- sorted codes between bars ('|labour|sexual|') so a filter is a LIKE on '%|code|%'.
CREATE TABLE pattern_cells (
    model_version      TEXT    NOT NULL,
    pattern_id         INTEGER NOT NULL,
    month              TEXT    NOT NULL,
    jurisdiction       TEXT    NOT NULL,
    exploitation_types TEXT    NOT NULL,
    age_bands          TEXT    NOT NULL,
    cases              INTEGER NOT NULL,
    PRIMARY KEY (model_version, pattern_id, month, jurisdiction, exploitation_types, age_bands)
);
