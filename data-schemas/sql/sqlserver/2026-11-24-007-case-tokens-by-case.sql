-- case_tokens clustered by case first (see the SQLite script): case ids are time-ordered, tokens are random, so a new
-- case's entries are appended instead of splitting pages all over the clustered index.
CREATE TABLE case_tokens_by_case (
    token   NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    case_id NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL REFERENCES cases (id),
    type    NVARCHAR(32)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    CONSTRAINT pk_case_tokens PRIMARY KEY (case_id, token)
);
INSERT INTO case_tokens_by_case (token, case_id, type) SELECT token, case_id, type FROM case_tokens;
DROP TABLE case_tokens;
EXEC sp_rename 'case_tokens_by_case', 'case_tokens';
