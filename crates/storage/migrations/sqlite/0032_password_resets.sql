-- Password reset by an e-mailed link (issue 20): only the link secret's hash is kept;
-- a link is used once and lasts an hour. And when each account last signed in.
CREATE TABLE password_resets (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX password_resets_user ON password_resets(user_id, created_at);
ALTER TABLE users ADD COLUMN last_sign_in_at TEXT;
