-- Two-factor sign-in for local accounts (issue 20): a TOTP secret per account and the
-- last time-step used (a code is accepted once); recovery codes kept only as hashes,
-- each used once; and the half-way state of a sign-in whose password was right and
-- whose code is still to come (kept by the hash of a short-lived cookie).
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
CREATE TABLE recovery_codes (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);
CREATE TABLE sign_in_challenges (
    id_hash TEXT NOT NULL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    next TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
);
