-- The pseudonymisation key ring as the store knows it: the ids of its keys in order, never a secret (keys stay in
-- configuration or the key file). A node registers its ring at start-up and refuses to start with one that is behind the
-- store's or differs from it; each case-writing transaction checks that the store's active key is still the writer's.
-- rekeyed_at is set once every stored case holds its tokens under that key; until the active key has it, the rekey-tokens
-- job is moving cases forward and link runs wait, since tokens of two keys never match.
CREATE TABLE key_ring (
    position      INTEGER NOT NULL PRIMARY KEY,
    key_id        TEXT    NOT NULL UNIQUE,
    added_at      TEXT    NOT NULL,
    rekeyed_at    TEXT    NULL
);
