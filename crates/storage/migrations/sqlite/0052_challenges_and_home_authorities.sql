-- R3: a challenge to an agency about its low use of the CSE forms, with the period
-- looked at and the count then, and the agency's response recorded later.
CREATE TABLE agency_challenges (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    period TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    forms_in_period INTEGER NOT NULL,
    challenge TEXT NOT NULL,
    raised_by INTEGER REFERENCES users(id),
    raised_at TEXT NOT NULL,
    response TEXT,
    responded_by INTEGER REFERENCES users(id),
    responded_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
-- An agency's challenges, newest first.
CREATE INDEX agency_challenges_agency ON agency_challenges(agency_id, raised_at);

-- R12: an invitee who must attend a young person's slot (the home authority of a child
-- placed here from elsewhere).
ALTER TABLE panel_invitations ADD COLUMN must_attend INTEGER NOT NULL DEFAULT 0;
