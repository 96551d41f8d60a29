-- Significant events of a child's chronology (issue 21). The chronology itself is built
-- from the records each time; only the marks are kept: every version of the mark on an
-- entry (its kind and the id of its record), with its note, who and when. A version
-- is never overwritten: the next one is a new row.
CREATE TABLE chronology_marks (
    id INTEGER PRIMARY KEY,
    child_id INTEGER NOT NULL REFERENCES children(id),
    entry_kind TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    significant INTEGER NOT NULL,
    note TEXT NOT NULL,
    marked_by INTEGER REFERENCES users(id),
    marked_at TEXT NOT NULL,
    UNIQUE (child_id, entry_kind, record_id, version)
);
