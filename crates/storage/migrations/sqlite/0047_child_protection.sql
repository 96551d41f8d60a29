-- The child protection route (R5) and a contact's follow-on (R8). A contact for a
-- child already known waits for its multi-agency checks, then the MASH records the
-- follow-on decision (child protection or MACSE) on the referral. A decision of child
-- protection opens a CP case for the child: its stages (strategy meeting with the
-- agencies that attended, section 47 enquiry, initial conference, first review) are
-- dates and outcomes on the case; the CP plan is a version of the child's plan (the
-- MACSE template); next_due_on is the date the next stage is due (none when the case
-- has ended), for the queue of open cases.
ALTER TABLE referrals ADD COLUMN follow_on TEXT;
ALTER TABLE referrals ADD COLUMN follow_on_reasons TEXT;
ALTER TABLE referrals ADD COLUMN follow_on_at TEXT;
ALTER TABLE referrals ADD COLUMN follow_on_by INTEGER REFERENCES users(id);

CREATE TABLE cp_cases (
    id INTEGER PRIMARY KEY,
    child_id INTEGER NOT NULL REFERENCES children(id),
    referral_id INTEGER NOT NULL UNIQUE REFERENCES referrals(id),
    decided_on TEXT NOT NULL,
    reviewing_officer_id INTEGER REFERENCES users(id),
    strategy_on TEXT,
    strategy_decision TEXT,
    strategy_notes TEXT NOT NULL DEFAULT '',
    s47_started_on TEXT,
    s47_outcome TEXT,
    s47_outcome_on TEXT,
    conference_on TEXT,
    conference_outcome TEXT,
    review_on TEXT,
    plan_version INTEGER,
    next_due_on TEXT,
    closed_on TEXT,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cp_cases_child ON cp_cases(child_id);
-- The queue of open cases, the next stage due first.
CREATE INDEX cp_cases_queue ON cp_cases(next_due_on, id);

CREATE TABLE cp_strategy_attendees (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cp_cases(id),
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    UNIQUE (case_id, agency_id)
);
