-- The monthly CSE dataset (issue 16): measure definitions held as data (each version
-- kept, the highest in force; a measure retired by an administrator stays for the
-- closed months that counted it), and closed months frozen as snapshots (every figure,
-- each measure's definition version, the suppression threshold and a fingerprint).

CREATE TABLE dataset_measures (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL,
    version INTEGER NOT NULL,
    position INTEGER NOT NULL,
    definition_json TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (slug, version)
);

CREATE TABLE dataset_months (
    month TEXT NOT NULL PRIMARY KEY,
    snapshot_json TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    closed_by INTEGER REFERENCES users(id),
    closed_by_name TEXT NOT NULL,
    closed_at TEXT NOT NULL
);
