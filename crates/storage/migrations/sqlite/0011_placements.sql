-- Placement notifications (issue 5): looked-after children placed in the area by other
-- authorities. The routing rules' versions as JSON (the highest is in force), providers
-- of children's homes, each notification with the risks it declared and the rules
-- version it was routed with, one recipient row per team notified (with everything
-- that team must acknowledge, as a JSON list), escalations of placing authorities that
-- do not notify, and concerns about providers and their homes.

CREATE TABLE routing_rule_sets (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL UNIQUE,
    rules_json TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL
);

CREATE TABLE providers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE placement_notifications (
    id INTEGER PRIMARY KEY,
    child_id INTEGER NOT NULL REFERENCES children(id),
    placing_authority TEXT NOT NULL,
    provider_id INTEGER REFERENCES providers(id),
    home TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    ward TEXT NOT NULL DEFAULT '',
    start_date TEXT NOT NULL,
    end_date TEXT,
    -- NULL: the placement was found without a notification.
    received_date TEXT,
    risks_json TEXT NOT NULL,
    rules_version INTEGER NOT NULL,
    recorded_by INTEGER REFERENCES users(id),
    recorded_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX placement_notifications_child ON placement_notifications(child_id);
CREATE INDEX placement_notifications_authority ON placement_notifications(placing_authority, start_date);

CREATE TABLE notification_recipients (
    id INTEGER PRIMARY KEY,
    notification_id INTEGER NOT NULL REFERENCES placement_notifications(id),
    team TEXT NOT NULL,
    acknowledge TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by INTEGER REFERENCES users(id),
    UNIQUE (notification_id, team)
);
-- Each team's queue: what it has not yet acknowledged.
CREATE INDEX notification_recipients_queue ON notification_recipients(team, acknowledged_at);

CREATE TABLE authority_escalations (
    id INTEGER PRIMARY KEY,
    authority TEXT NOT NULL,
    step TEXT NOT NULL,
    step_date TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    recorded_by INTEGER REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX authority_escalations_authority ON authority_escalations(authority, step_date);

CREATE TABLE provider_concerns (
    id INTEGER PRIMARY KEY,
    provider_id INTEGER NOT NULL REFERENCES providers(id),
    home TEXT NOT NULL DEFAULT '',
    raised_on TEXT NOT NULL,
    concern TEXT NOT NULL,
    action TEXT NOT NULL DEFAULT '',
    ofsted_referral_date TEXT,
    recorded_by INTEGER REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX provider_concerns_provider ON provider_concerns(provider_id, raised_on);
