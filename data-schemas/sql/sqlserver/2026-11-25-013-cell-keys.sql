-- SQL Server translation of sqlite/2026-11-25-013-cell-keys.sql (same id in schema_migrations): each aggregate row's sum
-- modulo 2^32 of its cases' record keys, for cell-key perturbation; see the SQLite script.
ALTER TABLE route_counts ADD cell_key BIGINT NOT NULL CONSTRAINT df_route_counts_cell_key DEFAULT 0;
GO

ALTER TABLE pattern_cells ADD cell_key BIGINT NOT NULL CONSTRAINT df_pattern_cells_cell_key DEFAULT 0;
