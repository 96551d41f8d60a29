-- MACSE panels, plans, police CSE flags and operations (issue 4).

CREATE TABLE panels (
    id INTEGER PRIMARY KEY,
    meeting_date TEXT NOT NULL UNIQUE,
    location TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'scheduled',
    minutes TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE panel_slots (
    id INTEGER PRIMARY KEY,
    panel_id INTEGER NOT NULL REFERENCES panels(id),
    child_id INTEGER NOT NULL REFERENCES children(id),
    starts_at TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (panel_id, child_id)
);
CREATE INDEX panel_slots_child ON panel_slots(child_id);

CREATE TABLE panel_invitations (
    id INTEGER PRIMARY KEY,
    slot_id INTEGER NOT NULL REFERENCES panel_slots(id),
    kind TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    agency_id INTEGER REFERENCES agencies(id),
    name TEXT NOT NULL DEFAULT '',
    attendance TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX panel_invitations_slot ON panel_invitations(slot_id);
CREATE INDEX panel_invitations_user ON panel_invitations(user_id);

CREATE TABLE plans (
    id INTEGER PRIMARY KEY,
    child_id INTEGER NOT NULL UNIQUE REFERENCES children(id),
    current_version INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE plan_versions (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    number INTEGER NOT NULL,
    panel_id INTEGER REFERENCES panels(id),
    review_date TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (plan_id, number)
);
CREATE INDEX plan_versions_review ON plan_versions(review_date);

CREATE TABLE plan_sections (
    version_id INTEGER NOT NULL REFERENCES plan_versions(id),
    section TEXT NOT NULL,
    discussion TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (version_id, section)
);

CREATE TABLE plan_actions (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES plan_versions(id),
    position INTEGER NOT NULL DEFAULT 0,
    section TEXT NOT NULL,
    text TEXT NOT NULL,
    owner TEXT NOT NULL,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    due_date TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE INDEX plan_actions_version ON plan_actions(version_id);
CREATE INDEX plan_actions_agency ON plan_actions(agency_id, status);

CREATE TABLE police_flags (
    id INTEGER PRIMARY KEY,
    child_id INTEGER NOT NULL REFERENCES children(id),
    flagged INTEGER NOT NULL,
    flag_date TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX police_flags_child ON police_flags(child_id, id);

CREATE TABLE operations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    lead TEXT NOT NULL,
    outcome TEXT NOT NULL DEFAULT '',
    decided_at_panel_id INTEGER REFERENCES panels(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX operations_kind ON operations(kind);

CREATE TABLE operation_children (
    operation_id INTEGER NOT NULL REFERENCES operations(id),
    child_id INTEGER NOT NULL REFERENCES children(id),
    PRIMARY KEY (operation_id, child_id)
);
CREATE INDEX operation_children_child ON operation_children(child_id);

CREATE TABLE operation_updates (
    id INTEGER PRIMARY KEY,
    operation_id INTEGER NOT NULL REFERENCES operations(id),
    update_date TEXT NOT NULL,
    text TEXT NOT NULL,
    written_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX operation_updates_operation ON operation_updates(operation_id, update_date);
