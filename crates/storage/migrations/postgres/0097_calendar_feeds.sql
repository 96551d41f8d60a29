-- Committee meetings (issue 18): a person's own calendar feed, which a calendar program
-- fetches without signing in. Only the SHA-256 of the feed's secret is kept; a new feed
-- replaces the old one, and turning it off deletes it.
CREATE TABLE calendar_feeds (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
