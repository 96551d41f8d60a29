-- The quarterly reports (issue 16): the MACSE quarterly report to the partnership
-- board and the quarterly report to Cabinet, one of each kind per quarter, drawn from
-- the quarter's closed months. Both MACSE co-chairs sign; an edit clears a standing
-- signature; the second signature freezes the report as a fingerprinted snapshot.

CREATE TABLE quarterly_reports (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    quarter TEXT NOT NULL,
    cover TEXT NOT NULL,
    narrative TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft',
    snapshot TEXT,
    snapshot_sha256 TEXT,
    signed_at TEXT,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (kind, quarter)
);

CREATE TABLE quarterly_report_signatures (
    report_id INTEGER NOT NULL REFERENCES quarterly_reports(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    signer_name TEXT NOT NULL,
    job_title TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    PRIMARY KEY (report_id, user_id)
);
