-- Committee meetings (issue 18): the officer's account a requested report is asked of,
-- so it appears on their own list of requested reports. Optional: a request may name
-- only a post ("the Head of Service") with no account.
ALTER TABLE report_requests ADD COLUMN owner_id INTEGER REFERENCES users(id);
CREATE INDEX report_requests_owner ON report_requests(owner_id);
