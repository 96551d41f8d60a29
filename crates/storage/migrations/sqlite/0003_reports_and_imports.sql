-- Monitoring reports (drafts and frozen issued snapshots), tracker import presets
-- and staged imports, and lead officers named as text by an imported tracker.

CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    review_id INTEGER REFERENCES reviews(id),
    body_id INTEGER REFERENCES bodies(id),
    meeting_date TEXT NOT NULL,
    layout TEXT NOT NULL,
    cover TEXT NOT NULL,
    compare_with_id INTEGER REFERENCES reports(id),
    include_changes INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'draft',
    issue INTEGER,
    snapshot TEXT,
    snapshot_sha256 TEXT,
    issued_at TEXT,
    issued_by INTEGER REFERENCES users(id),
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX reports_scope ON reports(review_id, body_id, meeting_date);
CREATE INDEX reports_body ON reports(body_id, meeting_date);

CREATE TABLE report_updates (
    report_id INTEGER NOT NULL REFERENCES reports(id),
    update_id INTEGER NOT NULL REFERENCES progress_updates(id),
    PRIMARY KEY (report_id, update_id)
);
CREATE INDEX report_updates_update ON report_updates(update_id);

CREATE TABLE import_presets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    preset TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL
);

CREATE TABLE import_batches (
    id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    sheet TEXT NOT NULL,
    review_id INTEGER REFERENCES reviews(id),
    preset TEXT,
    status TEXT NOT NULL DEFAULT 'staged',
    row_count INTEGER NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    committed_at TEXT,
    committed_count INTEGER
);

ALTER TABLE recommendations ADD COLUMN lead_officers_text TEXT NOT NULL DEFAULT '';
