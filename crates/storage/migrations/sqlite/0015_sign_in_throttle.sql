-- Sign-in throttling that holds under concurrency (issue 12): one row per limit
-- (an address and account together, an address, an account), claimed and updated in
-- the same transaction as the check, before the password is checked. Keys are hashes,
-- never the e-mail address or the address itself.
DROP TABLE login_failures;
CREATE TABLE sign_in_throttle (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    failures BIGINT NOT NULL,
    last_at TEXT NOT NULL,
    blocked_until TEXT NOT NULL,
    PRIMARY KEY (scope, key)
);
