-- R10: a 16 to 18-year-old referred to MARAC as the victim of an abusive relationship,
-- with the age on the day checked against the date of birth; the MASH's CSE review
-- (its outcome, reasons, who and when) and the referral to MACSE a CSE concern made
-- (its id, not a foreign key: a referral may be noted by several records and a
-- retention destruction removes each table after those that refer to it).
CREATE TABLE marac_referrals (
    id INTEGER PRIMARY KEY,
    child_id INTEGER NOT NULL REFERENCES children(id),
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    recorded_by INTEGER REFERENCES users(id),
    referred_on TEXT NOT NULL,
    referred_by TEXT NOT NULL,
    relationship TEXT NOT NULL,
    age_at_referral INTEGER NOT NULL,
    status TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    review_outcome TEXT,
    review_reasons TEXT,
    reviewed_by INTEGER REFERENCES users(id),
    reviewed_at TEXT,
    referral_id INTEGER,
    version INTEGER NOT NULL DEFAULT 1
);
-- A child's MARAC referrals; those awaiting the CSE review, oldest first.
CREATE INDEX marac_referrals_child ON marac_referrals(child_id);
CREATE INDEX marac_referrals_status ON marac_referrals(status, recorded_at, id);
