-- The API's Idempotency-Key (issue 11): per account, a key names one request (by a hash
-- of its path and body) and keeps its first answer, so a retried create answers as the
-- first did instead of creating twice. status 0: the first request is still running.
CREATE TABLE idempotency_keys (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);
