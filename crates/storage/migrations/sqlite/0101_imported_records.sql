-- Importing from ModernGov (issue 19): which record here each imported record became,
-- so importing the same committee or meeting again finds it instead of adding a copy.
-- source: 'moderngov'; kind: 'committee', 'meeting' or 'person'; external_id: the
-- other system's id; local_id: the body, meeting or meeting person here.
CREATE TABLE imported_records (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    external_id TEXT NOT NULL,
    local_id INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    UNIQUE (source, kind, external_id)
);
