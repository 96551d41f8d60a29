-- Concerns, CSE 2 screening and referrals to the MASH (issue 4): the screening tool's
-- versions as JSON, each referral with the tool version it was scored with, the MASH
-- team's per-agency checks and decision, and a "no CSE concern" return to the SPOC.
-- Every step is time-stamped so timeliness can be measured.

CREATE TABLE screening_tools (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL UNIQUE,
    tool_json TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL
);

CREATE TABLE referrals (
    id INTEGER PRIMARY KEY,
    child_id INTEGER NOT NULL REFERENCES children(id),
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    raised_by INTEGER REFERENCES users(id),
    source TEXT NOT NULL,
    what_seen TEXT NOT NULL,
    seen_on TEXT NOT NULL,
    seen_where TEXT NOT NULL,
    seen_by TEXT NOT NULL,
    referral_text TEXT NOT NULL,
    tool_version INTEGER NOT NULL,
    answers_json TEXT NOT NULL,
    risk_level TEXT NOT NULL,
    status TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    picked_up_at TEXT,
    decision TEXT,
    decision_reasons TEXT,
    interventions TEXT,
    keep_monitoring INTEGER NOT NULL DEFAULT 0,
    decided_at TEXT,
    decided_by INTEGER REFERENCES users(id),
    returned_at TEXT,
    spoc_acknowledged_at TEXT,
    spoc_acknowledged_by INTEGER REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1
);
-- The MASH queue (undecided, oldest first), a SPOC's agency list, a child's referrals.
CREATE INDEX referrals_queue ON referrals(status, submitted_at);
CREATE INDEX referrals_agency ON referrals(agency_id, submitted_at);
CREATE INDEX referrals_child ON referrals(child_id);

CREATE TABLE mash_checks (
    id INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES referrals(id),
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    holds TEXT NOT NULL,
    recorded_by INTEGER REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX mash_checks_referral ON mash_checks(referral_id);
