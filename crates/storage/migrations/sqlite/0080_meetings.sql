-- Committee meetings (issue 18): a body's quorum rule, the people who sit on bodies
-- (a person can sit on several), memberships by term with a named substitute,
-- meetings and their moves, agendas whose items link to papers, attendance,
-- declarations of interest, minutes numbered through the municipal year per body
-- (frozen with a fingerprint once approved), resolutions whose parts are typed,
-- the reports they requested (tracked until a paper answers them) and the work
-- programme.

ALTER TABLE bodies ADD COLUMN quorum_denominator INTEGER NOT NULL DEFAULT 4;
ALTER TABLE bodies ADD COLUMN quorum_minimum INTEGER NOT NULL DEFAULT 3;

CREATE TABLE meeting_people (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    party TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

CREATE TABLE body_members (
    id INTEGER PRIMARY KEY,
    body_id INTEGER NOT NULL REFERENCES bodies(id),
    person_id INTEGER NOT NULL REFERENCES meeting_people(id),
    role TEXT NOT NULL,
    party TEXT NOT NULL DEFAULT '',
    substitute_id INTEGER REFERENCES meeting_people(id),
    term_start TEXT NOT NULL,
    term_end TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX body_members_body ON body_members(body_id, term_start);

CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    body_id INTEGER NOT NULL REFERENCES bodies(id),
    meeting_date TEXT NOT NULL,
    start_time TEXT NOT NULL,
    venue TEXT NOT NULL,
    kind TEXT NOT NULL,
    joint_with TEXT,
    status TEXT NOT NULL DEFAULT 'scheduled',
    municipal_year INTEGER NOT NULL,
    minutes_fingerprint TEXT,
    minutes_approved_at TEXT,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX meetings_body ON meetings(body_id, meeting_date);
CREATE INDEX meetings_date ON meetings(meeting_date);

CREATE TABLE meeting_moves (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    from_date TEXT NOT NULL,
    to_date TEXT NOT NULL,
    reason TEXT NOT NULL,
    moved_at TEXT NOT NULL
);
CREATE INDEX meeting_moves_meeting ON meeting_moves(meeting_id);

CREATE TABLE agenda_items (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    exempt_paragraph INTEGER,
    report_id INTEGER REFERENCES reports(id),
    paper_title TEXT,
    answers_request_id INTEGER,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX agenda_items_meeting ON agenda_items(meeting_id, position);

CREATE TABLE meeting_attendance (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    person_id INTEGER REFERENCES meeting_people(id),
    name TEXT NOT NULL,
    attendance TEXT NOT NULL,
    substitute_id INTEGER REFERENCES meeting_people(id),
    capacity TEXT NOT NULL DEFAULT ''
);
CREATE INDEX meeting_attendance_meeting ON meeting_attendance(meeting_id);

CREATE TABLE minutes (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    body_id INTEGER NOT NULL REFERENCES bodies(id),
    municipal_year INTEGER NOT NULL,
    number INTEGER NOT NULL,
    agenda_item_id INTEGER REFERENCES agenda_items(id),
    title TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    refers_to_id INTEGER REFERENCES minutes(id),
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (body_id, municipal_year, number)
);
CREATE INDEX minutes_meeting ON minutes(meeting_id, number);

CREATE TABLE meeting_declarations (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    member TEXT NOT NULL,
    minute_id INTEGER NOT NULL REFERENCES minutes(id),
    reason TEXT NOT NULL,
    action TEXT NOT NULL
);
CREATE INDEX meeting_declarations_meeting ON meeting_declarations(meeting_id);

CREATE TABLE resolution_parts (
    id INTEGER PRIMARY KEY,
    minute_id INTEGER NOT NULL REFERENCES minutes(id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    to_body TEXT,
    reason TEXT
);
CREATE INDEX resolution_parts_minute ON resolution_parts(minute_id, position);

CREATE TABLE report_requests (
    id INTEGER PRIMARY KEY,
    resolution_part_id INTEGER NOT NULL REFERENCES resolution_parts(id),
    body_id INTEGER NOT NULL REFERENCES bodies(id),
    subject TEXT NOT NULL,
    report_from TEXT NOT NULL,
    due_meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    deferred_reason TEXT,
    closed_by_item_id INTEGER REFERENCES agenda_items(id),
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX report_requests_due ON report_requests(due_meeting_id);
CREATE INDEX report_requests_body ON report_requests(body_id);

CREATE TABLE report_request_deferrals (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES report_requests(id),
    from_meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    to_meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    reason TEXT NOT NULL,
    deferred_at TEXT NOT NULL
);
CREATE INDEX report_request_deferrals_request ON report_request_deferrals(request_id);

CREATE TABLE work_programme_items (
    id INTEGER PRIMARY KEY,
    body_id INTEGER NOT NULL REFERENCES bodies(id),
    municipal_year INTEGER NOT NULL,
    meeting_id INTEGER REFERENCES meetings(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    officer TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX work_programme_items_body ON work_programme_items(body_id, municipal_year);
