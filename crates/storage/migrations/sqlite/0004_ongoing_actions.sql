-- Actions may have no target date: trackers write "Ongoing" in the date column.
-- SQLite cannot drop NOT NULL in place, and migrations run inside a transaction
-- with foreign keys enforced, so the table is rebuilt with its one child table's
-- rows set aside and put back.
CREATE TABLE actions_rebuilt (
    id INTEGER PRIMARY KEY,
    recommendation_id INTEGER NOT NULL REFERENCES recommendations(id),
    text TEXT NOT NULL,
    owner TEXT NOT NULL DEFAULT '',
    target_date TEXT,
    done INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
INSERT INTO actions_rebuilt (id, recommendation_id, text, owner, target_date, done, version, created_at)
    SELECT id, recommendation_id, text, owner, target_date, done, version, created_at FROM actions;
CREATE TABLE action_date_revisions_kept AS SELECT * FROM action_date_revisions;
DELETE FROM action_date_revisions;
DROP TABLE actions;
ALTER TABLE actions_rebuilt RENAME TO actions;
CREATE INDEX actions_recommendation ON actions(recommendation_id);
INSERT INTO action_date_revisions SELECT * FROM action_date_revisions_kept;
DROP TABLE action_date_revisions_kept;
