-- E-mail that chases deadlines (issue 20). Each rule is held as data (a missing row is
-- the rule's default: on, with its default lead time). A chase is kept once per event
-- (rule, record, deadline) and person, in the same transaction as its outbox message,
-- so a message is queued exactly once however often the chase job runs and on however
-- many instances. The outbox is sent by a worker with retries and back-off; status is
-- pending, sending (claimed by a worker), sent, logged (no SMTP server configured: the
-- message was written to the log instead) or failed.
CREATE TABLE chase_rules (
    kind TEXT NOT NULL PRIMARY KEY,
    lead_days INTEGER NOT NULL,
    enabled INTEGER NOT NULL
);

CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY,
    user_id INTEGER REFERENCES users(id),
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    event TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_at TEXT,
    sent_at TEXT,
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mail_outbox_queue ON mail_outbox(status, next_attempt_at);

CREATE TABLE chases_fired (
    event_key TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    fired_at TEXT NOT NULL,
    outbox_id INTEGER REFERENCES mail_outbox(id),
    PRIMARY KEY (event_key, user_id)
);
