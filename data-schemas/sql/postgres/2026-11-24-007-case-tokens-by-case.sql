-- case_tokens keyed by case first (see the SQLite script): case ids are time-ordered, tokens are random, so a new
-- case's entries go to the right edge of the key's index instead of a dozen random pages.
CREATE TABLE case_tokens_by_case (
    token   TEXT COLLATE "C" NOT NULL,
    case_id TEXT COLLATE "C" NOT NULL REFERENCES cases (id),
    type    TEXT COLLATE "C" NOT NULL,
    CONSTRAINT pk_case_tokens PRIMARY KEY (case_id, token)
);
INSERT INTO case_tokens_by_case (token, case_id, type) SELECT token, case_id, type FROM case_tokens ORDER BY case_id, token;
DROP TABLE case_tokens;
ALTER TABLE case_tokens_by_case RENAME TO case_tokens;
