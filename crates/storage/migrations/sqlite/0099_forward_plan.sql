-- The key-decision forward plan (issue 19): its items, every change of an item's
-- expected date with the reason, and each published plan frozen as it was published
-- (its items as JSON, with a fingerprint) with the items it planned, so an item's first
-- publication — which starts its 28 clear days' notice — is one indexed lookup.
CREATE TABLE forward_plan_items (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    decision_maker TEXT NOT NULL,
    decision_maker_name TEXT NOT NULL,
    expected_date TEXT NOT NULL,
    financial INTEGER NOT NULL,
    wards_effect INTEGER NOT NULL,
    exempt_paragraph INTEGER,
    public_interest TEXT NOT NULL,
    wards TEXT NOT NULL,
    scrutiny_area TEXT NOT NULL,
    consultees TEXT NOT NULL,
    consultation_method TEXT NOT NULL,
    background_documents TEXT NOT NULL,
    contact_officer TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'taken', 'withdrawn')),
    exception_json TEXT,
    taken_on TEXT,
    taken_under_json TEXT,
    withdrawn_reason TEXT,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX forward_plan_items_expected ON forward_plan_items(status, expected_date, id);

CREATE TABLE forward_plan_date_changes (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES forward_plan_items(id) ON DELETE CASCADE,
    changed_on TEXT NOT NULL,
    from_date TEXT NOT NULL,
    to_date TEXT NOT NULL,
    reason TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX forward_plan_date_changes_item ON forward_plan_date_changes(item_id, id);

CREATE TABLE forward_plan_publications (
    id INTEGER PRIMARY KEY,
    published_on TEXT NOT NULL UNIQUE,
    snapshot_json TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    published_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE forward_plan_publication_items (
    publication_id INTEGER NOT NULL REFERENCES forward_plan_publications(id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES forward_plan_items(id) ON DELETE CASCADE,
    PRIMARY KEY (publication_id, item_id)
);
CREATE INDEX forward_plan_publication_items_item ON forward_plan_publication_items(item_id);
