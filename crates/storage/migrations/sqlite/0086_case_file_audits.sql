-- Multi-agency case-file audits (issue 16): an audit round (six-monthly, or triggered
-- by a dataset figure crossing its threshold, recorded as the reason) samples children
-- from referrals, CP, CIN and MACSE plans with a recorded seed, so the same seed gives
-- the same children. Auditors from the partnership's agencies are assigned cases and
-- see exactly those children while the round runs. The audit tool's questions are
-- data (the round keeps the ones it used); actions become tracked recommendations in
-- the round's own review (origin "case-file audit").

CREATE TABLE audit_questions (
    id INTEGER PRIMARY KEY,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE audit_rounds (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    seed INTEGER NOT NULL,
    per_stratum INTEGER NOT NULL,
    trigger_json TEXT,
    questions_json TEXT NOT NULL,
    review_id INTEGER REFERENCES reviews(id),
    status TEXT NOT NULL DEFAULT 'open',
    closed_at TEXT,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE audit_cases (
    round_id INTEGER NOT NULL REFERENCES audit_rounds(id),
    child_id INTEGER NOT NULL REFERENCES children(id),
    position INTEGER NOT NULL,
    stratum TEXT NOT NULL,
    auditor_id INTEGER REFERENCES users(id),
    grade TEXT,
    answers_json TEXT NOT NULL DEFAULT '[]',
    findings TEXT NOT NULL DEFAULT '',
    graded_at TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (round_id, child_id)
);
CREATE INDEX audit_cases_auditor ON audit_cases(auditor_id, round_id);
