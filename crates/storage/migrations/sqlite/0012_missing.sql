-- Missing episodes, return interviews and pattern routing (issue 5). Column names follow
-- the Standard Safeguarding Dataset and the DfE Annex A return where they exist: the
-- episode's start and end ("missing_start_date"/"missing_end_date" there, here with the
-- time), "return_interview_offered" (offered_at: the date and time offered) and
-- "return_interview_accepted" (response: accepted or declined). Pattern rules are held
-- as data (JSON, versioned like the screening tool); routes record where each episode
-- went and, for MACSE, the referral it made or was linked to.

CREATE TABLE missing_episodes (
    id INTEGER PRIMARY KEY,
    child_id INTEGER NOT NULL REFERENCES children(id),
    missing_from TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    -- ended_at + 72 hours: when the return interview must have been offered by.
    interview_due_by TEXT,
    where_found TEXT NOT NULL DEFAULT '',
    police_reference TEXT NOT NULL DEFAULT '',
    risk_grading TEXT NOT NULL,
    recorded_by INTEGER REFERENCES users(id),
    recorded_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
-- A child's episodes; the month's list; the 90-day count.
CREATE INDEX missing_episodes_child ON missing_episodes(child_id, started_at);
CREATE INDEX missing_episodes_started ON missing_episodes(started_at);
CREATE INDEX missing_episodes_due ON missing_episodes(interview_due_by);

CREATE TABLE return_interviews (
    id INTEGER PRIMARY KEY,
    episode_id INTEGER NOT NULL UNIQUE REFERENCES missing_episodes(id),
    offered_at TEXT,
    response TEXT,
    interviewer TEXT NOT NULL DEFAULT '',
    provider TEXT NOT NULL DEFAULT '',
    said_about_cse TEXT NOT NULL DEFAULT '',
    said_about_organised_crime TEXT NOT NULL DEFAULT '',
    where_and_with_whom TEXT NOT NULL DEFAULT '',
    follow_up_actions TEXT NOT NULL DEFAULT '',
    finding_cse INTEGER NOT NULL DEFAULT 0,
    finding_organised_crime INTEGER NOT NULL DEFAULT 0,
    finding_placement_concern INTEGER NOT NULL DEFAULT 0,
    recorded_by INTEGER REFERENCES users(id),
    recorded_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE pattern_rule_sets (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL UNIQUE,
    rules_json TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL
);
INSERT INTO pattern_rule_sets (version, rules_json, created_by, created_at) VALUES (1,
    '[{"trigger":"cse-link","forum":"macse"},{"trigger":"organised-crime-link","forum":"guns-and-gangs"},{"trigger":"placement-concern","forum":"cicola"},{"trigger":"repeated","forum":"missing-monitoring-group"}]',
    NULL, '2026-01-01T00:00:00.000000Z');

CREATE TABLE episode_routes (
    id INTEGER PRIMARY KEY,
    episode_id INTEGER NOT NULL REFERENCES missing_episodes(id),
    forum TEXT NOT NULL,
    rule_set_version INTEGER NOT NULL,
    routed_at TEXT NOT NULL,
    routed_by INTEGER REFERENCES users(id),
    referral_id INTEGER REFERENCES referrals(id),
    UNIQUE (episode_id, forum)
);
CREATE INDEX episode_routes_referral ON episode_routes(referral_id);
