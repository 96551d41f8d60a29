-- A TEXT PRIMARY KEY in SQLite accepts NULL (a long-standing SQLite quirk: only an
-- INTEGER PRIMARY KEY or a WITHOUT ROWID table's key cannot be NULL), so
-- sessions.id_hash and settings.key could each hold any number of NULL keys, which
-- PostgreSQL refuses. Found by the schema parity test (tests/schema_parity.rs).
-- SQLite cannot add NOT NULL in place: both tables are rebuilt with it, as 0004 did for
-- actions. No table refers to either; a row without a key could never be read, so none
-- is kept.
CREATE TABLE sessions_rebuilt (
    id_hash TEXT NOT NULL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ip TEXT NOT NULL DEFAULT ''
);
INSERT INTO sessions_rebuilt (id_hash, user_id, csrf_token, created_at, last_seen_at, ip)
    SELECT id_hash, user_id, csrf_token, created_at, last_seen_at, ip FROM sessions WHERE id_hash IS NOT NULL;
DROP TABLE sessions;
ALTER TABLE sessions_rebuilt RENAME TO sessions;
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE settings_rebuilt (
    key TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO settings_rebuilt (key, value) SELECT key, value FROM settings WHERE key IS NOT NULL;
DROP TABLE settings;
ALTER TABLE settings_rebuilt RENAME TO settings;
