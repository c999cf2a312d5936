-- Link probing: a steward's release of an authority's hold (POST /api/v1/links/probing/{authority}/release). The hits
-- an authority lost up to released_at no longer count against Links:Probing:Limit, and cases it changed before then are
-- not held again. One row per authority, its last release; released_by is the steward's key id (or token subject), as in
-- the audit trail. No case, no token, no identifier.
CREATE TABLE link_probe_releases (
    authority   TEXT NOT NULL PRIMARY KEY,
    released_at TEXT NOT NULL,
    released_by TEXT NOT NULL
) WITHOUT ROWID;
