-- case_tokens keyed by case first. Tokens are HMACs, so a token-first key put each new case's dozen entries on pages
-- all over the tree, and every write transaction rewrote most of the tree's pages into the WAL (and the checkpoint
-- wrote them again). Case ids are time-ordered (UUIDv7), so a case-first key appends a new case's entries at the end.
-- The key still forbids a token twice for one case, and serves "the tokens of this case" (correction, withdrawal);
-- the link job reads every entry and sorts by token itself, as no request looks up a single token.
CREATE TABLE case_tokens_by_case (
    token   TEXT NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    type    TEXT NOT NULL,
    PRIMARY KEY (case_id, token)
) WITHOUT ROWID;
INSERT INTO case_tokens_by_case (token, case_id, type) SELECT token, case_id, type FROM case_tokens ORDER BY case_id, token;
DROP TABLE case_tokens;
ALTER TABLE case_tokens_by_case RENAME TO case_tokens;
