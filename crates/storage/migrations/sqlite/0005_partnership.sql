-- The CSE partnership (issue 4): agencies, their SPOCs, people's agency, pathway role
-- and teams, children, and each agency's involvement with a child (which the
-- need-to-know rule reads).

CREATE TABLE agencies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE partnership_members (
    user_id INTEGER PRIMARY KEY REFERENCES users(id),
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    pathway_role TEXT NOT NULL
);
CREATE INDEX partnership_members_agency ON partnership_members(agency_id);

CREATE TABLE agency_spocs (
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (agency_id, user_id)
);
CREATE INDEX agency_spocs_user ON agency_spocs(user_id);

CREATE TABLE team_members (
    team TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (team, user_id)
);
CREATE INDEX team_members_user ON team_members(user_id);

CREATE TABLE children (
    id INTEGER PRIMARY KEY,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    date_of_birth TEXT,
    estimated_age INTEGER,
    gender TEXT NOT NULL DEFAULT '',
    ethnicity TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    ward TEXT NOT NULL DEFAULT '',
    school TEXT NOT NULL DEFAULT '',
    legal_status TEXT NOT NULL DEFAULT 'none',
    merged_into_id INTEGER REFERENCES children(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX children_name ON children(last_name, first_name);
CREATE INDEX children_dob ON children(date_of_birth);

CREATE TABLE child_involvements (
    child_id INTEGER NOT NULL REFERENCES children(id),
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    kind TEXT NOT NULL,
    since TEXT NOT NULL,
    PRIMARY KEY (child_id, agency_id, kind)
);
-- The need-to-know filter: children an agency is involved with.
CREATE INDEX child_involvements_agency ON child_involvements(agency_id, child_id);
