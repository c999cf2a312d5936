-- Link probing: a case of an authority that had a hit with another authority and lost it by its own authority's
-- change (withdrawn, or corrected so that the link ended). Submitting a guessed identifier, reading hit or no hit and
-- taking the case back is how an authority could ask the platform about identifiers it does not hold; the link job
-- records each such loss here, and an authority with too many in its window has the hits of its recent cases held back
-- from it (Links:Probing:Limit, Links:Probing:WindowDays). No token and no identifier: who, which case, when.
CREATE TABLE link_probes (
    case_id   TEXT NOT NULL,
    lost_at   TEXT NOT NULL,
    authority TEXT NOT NULL,
    PRIMARY KEY (case_id, lost_at)
) WITHOUT ROWID;
CREATE INDEX ix_link_probes_authority ON link_probes (authority, lost_at);
