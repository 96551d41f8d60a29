-- Children's records (issue 4): phonetic keys for search before create and possible
-- duplicates, filled by the application on every insert and update; emergency
-- ("break glass") access grants with their reason, expiry and review.

ALTER TABLE children ADD COLUMN phonetic_last TEXT NOT NULL DEFAULT '';
ALTER TABLE children ADD COLUMN phonetic_first TEXT NOT NULL DEFAULT '';
CREATE INDEX children_phonetic_last ON children(phonetic_last);
CREATE INDEX children_phonetic_first ON children(phonetic_first);
CREATE INDEX children_merged_into ON children(merged_into_id);

CREATE TABLE emergency_access (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    child_id INTEGER NOT NULL REFERENCES children(id),
    reason TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    reviewed_by INTEGER REFERENCES users(id),
    reviewed_at TEXT,
    review_note TEXT NOT NULL DEFAULT ''
);
-- The viewer's active grants, and a child's grants.
CREATE INDEX emergency_access_user ON emergency_access(user_id, expires_at);
CREATE INDEX emergency_access_child ON emergency_access(child_id);
CREATE INDEX emergency_access_review ON emergency_access(reviewed_at, granted_at);
