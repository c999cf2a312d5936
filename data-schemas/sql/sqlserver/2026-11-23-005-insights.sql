-- SQL Server translation of sqlite/2026-11-23-005-insights.sql (same id in schema_migrations); see 001 for the types.
-- Precomputed aggregates (refreshed by the refresh-aggregates job) so insight endpoints read small tables.
CREATE TABLE summary_counts (
    dimension NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    value     NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    cases     INT NOT NULL,
    PRIMARY KEY (dimension, value)
);
GO

-- Routes are country codes joined by '>': 300 characters hold a hundred hops and keep the key under 900 bytes.
CREATE TABLE route_counts (
    route             NVARCHAR(300) COLLATE Latin1_General_100_BIN2 NOT NULL,
    origin            NVARCHAR(16)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    destination       NVARCHAR(16)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    year              NVARCHAR(10)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    exploitation_type NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    cases             INT NOT NULL,
    PRIMARY KEY (route, year, exploitation_type)
);
