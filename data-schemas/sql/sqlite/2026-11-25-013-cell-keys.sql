-- Cell keys for perturbation (Analytics.Core.Disclosure.CellKeyPerturbation): each aggregate row keeps, beside its count,
-- the sum modulo 2^32 of its cases' record keys, so that a count summed over any rows gets the key of exactly the cases
-- it counts. Rows written before this migration hold 0 until the refresh-aggregates job rewrites them (every 15 minutes).
ALTER TABLE route_counts ADD COLUMN cell_key INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pattern_cells ADD COLUMN cell_key INTEGER NOT NULL DEFAULT 0;
