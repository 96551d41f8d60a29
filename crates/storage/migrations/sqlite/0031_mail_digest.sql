-- A person chooses each chase as it happens or one e-mail a day (issue 20). A chase for
-- someone who chose the digest is queued 'held'; the daily digest gathers their held
-- messages into one, which is then sent like any other, and marks each held message
-- 'digested' with the digest's id.
ALTER TABLE users ADD COLUMN mail_digest INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mail_outbox ADD COLUMN digest_id INTEGER REFERENCES mail_outbox(id);
CREATE INDEX mail_outbox_held ON mail_outbox(user_id, status);
