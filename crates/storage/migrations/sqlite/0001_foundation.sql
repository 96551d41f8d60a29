-- Assure foundation and recommendation tracker (SQLite).
-- Dates are ISO-8601 TEXT ("2017-10-05"); timestamps RFC 3339 UTC TEXT. The
-- PostgreSQL schema uses the same column types so both engines share one code path.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    job_title TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(scope, key, at);

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_user_id INTEGER,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    detail TEXT NOT NULL,
    ip TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_record ON audit_log(record_type, record_id);
CREATE INDEX audit_actor ON audit_log(actor_user_id);
CREATE INDEX audit_action ON audit_log(action);
CREATE INDEX audit_at ON audit_log(at);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE bodies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    response_unit TEXT,
    response_amount INTEGER,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    terms_of_reference TEXT NOT NULL DEFAULT '',
    lead_member TEXT NOT NULL DEFAULT '',
    members TEXT NOT NULL DEFAULT '',
    origin_body_id INTEGER REFERENCES bodies(id),
    start_date TEXT,
    end_date TEXT,
    report_date TEXT,
    final_report_ref TEXT NOT NULL DEFAULT '',
    referred_to_body_id INTEGER REFERENCES bodies(id),
    referral_date TEXT,
    response_due TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE endorsements (
    id INTEGER PRIMARY KEY,
    review_id INTEGER NOT NULL REFERENCES reviews(id),
    body_id INTEGER NOT NULL REFERENCES bodies(id),
    endorsed_on TEXT NOT NULL,
    minute_ref TEXT NOT NULL DEFAULT ''
);
CREATE INDEX endorsements_review ON endorsements(review_id);

CREATE TABLE recommendations (
    id INTEGER PRIMARY KEY,
    review_id INTEGER NOT NULL REFERENCES reviews(id),
    parent_id INTEGER REFERENCES recommendations(id),
    number INTEGER NOT NULL,
    sub_label TEXT NOT NULL DEFAULT '',
    reference TEXT NOT NULL,
    committee_wording TEXT NOT NULL,
    executive_wording TEXT NOT NULL DEFAULT '',
    who_must_act TEXT NOT NULL DEFAULT '',
    area TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL DEFAULT '',
    response TEXT NOT NULL DEFAULT 'awaiting',
    response_date TEXT,
    response_reason TEXT NOT NULL DEFAULT '',
    lifecycle TEXT NOT NULL DEFAULT 'not-started',
    lifecycle_reason TEXT NOT NULL DEFAULT '',
    rag_override TEXT,
    rag_suggested TEXT,
    rag_override_reason TEXT NOT NULL DEFAULT '',
    monitoring_body_id INTEGER REFERENCES bodies(id),
    target_date TEXT,
    progress_percent INTEGER,
    last_update_date TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    UNIQUE (review_id, number, sub_label)
);
CREATE INDEX recommendations_review ON recommendations(review_id);
CREATE INDEX recommendations_parent ON recommendations(parent_id);
CREATE INDEX recommendations_body ON recommendations(monitoring_body_id);
CREATE INDEX recommendations_lifecycle ON recommendations(lifecycle);
CREATE INDEX recommendations_rag ON recommendations(rag_override, rag_suggested);
CREATE INDEX reviews_response_due ON reviews(response_due);
CREATE INDEX recommendations_reference ON recommendations(reference);

CREATE TABLE recommendation_leads (
    recommendation_id INTEGER NOT NULL REFERENCES recommendations(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (recommendation_id, user_id)
);
CREATE INDEX recommendation_leads_user ON recommendation_leads(user_id);

CREATE TABLE actions (
    id INTEGER PRIMARY KEY,
    recommendation_id INTEGER NOT NULL REFERENCES recommendations(id),
    text TEXT NOT NULL,
    owner TEXT NOT NULL DEFAULT '',
    target_date TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX actions_recommendation ON actions(recommendation_id);

CREATE TABLE action_date_revisions (
    id INTEGER PRIMARY KEY,
    action_id INTEGER NOT NULL REFERENCES actions(id),
    old_date TEXT NOT NULL,
    new_date TEXT NOT NULL,
    reason TEXT NOT NULL,
    revised_by INTEGER REFERENCES users(id),
    revised_at TEXT NOT NULL
);
CREATE INDEX action_date_revisions_action ON action_date_revisions(action_id);

CREATE TABLE progress_updates (
    id INTEGER PRIMARY KEY,
    recommendation_id INTEGER NOT NULL REFERENCES recommendations(id),
    author_id INTEGER REFERENCES users(id),
    update_date TEXT NOT NULL,
    narrative TEXT NOT NULL,
    progress_percent INTEGER,
    corrects_id INTEGER REFERENCES progress_updates(id),
    created_at TEXT NOT NULL
);
CREATE INDEX progress_updates_recommendation ON progress_updates(recommendation_id, update_date);

CREATE TABLE evidence_files (
    id INTEGER PRIMARY KEY,
    update_id INTEGER NOT NULL REFERENCES progress_updates(id),
    original_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    stored_name TEXT NOT NULL,
    uploaded_by INTEGER REFERENCES users(id),
    uploaded_at TEXT NOT NULL
);
CREATE INDEX evidence_files_update ON evidence_files(update_id);

CREATE TABLE recommendation_history (
    id INTEGER PRIMARY KEY,
    recommendation_id INTEGER NOT NULL REFERENCES recommendations(id),
    at TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    kind TEXT NOT NULL,
    from_value TEXT NOT NULL DEFAULT '',
    to_value TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    body_id INTEGER REFERENCES bodies(id),
    meeting_date TEXT,
    minute_ref TEXT NOT NULL DEFAULT ''
);
CREATE INDEX recommendation_history_rec ON recommendation_history(recommendation_id);

CREATE TABLE monitoring_schedules (
    id INTEGER PRIMARY KEY,
    review_id INTEGER NOT NULL REFERENCES reviews(id),
    body_id INTEGER NOT NULL REFERENCES bodies(id),
    first_report_date TEXT NOT NULL,
    interval_months INTEGER NOT NULL,
    resolution_ref TEXT NOT NULL DEFAULT ''
);
CREATE INDEX monitoring_schedules_review ON monitoring_schedules(review_id);

CREATE TABLE update_requests (
    id INTEGER PRIMARY KEY,
    recommendation_id INTEGER NOT NULL REFERENCES recommendations(id),
    requested_by INTEGER REFERENCES users(id),
    requested_at TEXT NOT NULL,
    due_date TEXT NOT NULL,
    for_report_date TEXT,
    message TEXT NOT NULL DEFAULT ''
);
CREATE INDEX update_requests_rec ON update_requests(recommendation_id);
