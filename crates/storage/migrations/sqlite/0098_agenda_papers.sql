-- Committee meetings (issue 18): an agenda item's own paper — a report written in
-- Assure on the council's cover (the cover as JSON), or an uploaded file (the file as
-- uploaded, its SHA-256, and for a Word paper its text as the pack sets it, as JSON).
-- One paper per item; a new one replaces it (version-checked).
CREATE TABLE agenda_papers (
    id INTEGER PRIMARY KEY,
    agenda_item_id INTEGER NOT NULL UNIQUE REFERENCES agenda_items(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('written', 'uploaded')),
    cover_json TEXT,
    file_name TEXT,
    content_type TEXT,
    file_bytes BLOB,
    file_sha256 TEXT,
    blocks_json TEXT,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
