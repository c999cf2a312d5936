-- Per-pattern counts by month, jurisdiction, exploitation-type set and age-band set (refreshed by a job). Each case
-- falls in exactly one cell, so any filter on these columns sums to a count of distinct cases; the set columns hold
-- sorted codes between bars ('|labour|sexual|') so a filter is a LIKE on '%|code|%'.
CREATE TABLE pattern_cells (
    model_version      TEXT COLLATE "C" NOT NULL,
    pattern_id         INTEGER NOT NULL,
    month              TEXT COLLATE "C" NOT NULL,
    jurisdiction       TEXT COLLATE "C" NOT NULL,
    exploitation_types TEXT COLLATE "C" NOT NULL,
    age_bands          TEXT COLLATE "C" NOT NULL,
    cases              INTEGER NOT NULL,
    PRIMARY KEY (model_version, pattern_id, month, jurisdiction, exploitation_types, age_bands)
);
