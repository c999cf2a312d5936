-- PostgreSQL translation of sqlite/2026-11-25-013-cell-keys.sql (same id in schema_migrations): each aggregate row's sum
-- modulo 2^32 of its cases' record keys, for cell-key perturbation; see the SQLite script.
ALTER TABLE route_counts ADD COLUMN cell_key BIGINT NOT NULL DEFAULT 0;
ALTER TABLE pattern_cells ADD COLUMN cell_key BIGINT NOT NULL DEFAULT 0;
