-- Search across what the public site publishes (issue 19): one row per published text —
-- an open agenda item with its paper's words (once the agenda is published), an
-- approved minute with its resolution (never an exempt item's), a forward plan item as
-- last published, an issued monitoring report — with the public page it is on. Kept
-- up to date in the same write transaction as each publication (storage/src/
-- published_index.rs). The words are split as the recommendation search splits them
-- (recommendation_search_words, migration 0075): the title weighs A, the text B, in a
-- GIN index. The SQLite migration of the same number keeps an FTS5 table.
CREATE TABLE published_texts (
    id BIGSERIAL PRIMARY KEY,
    source TEXT NOT NULL CHECK (source IN ('agenda-item', 'minute', 'forward-plan-item', 'report')),
    source_id BIGINT NOT NULL,
    meeting_id BIGINT REFERENCES meetings(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    path TEXT NOT NULL,
    published_on TEXT NOT NULL,
    document tsvector GENERATED ALWAYS AS (
        setweight(recommendation_search_words(title), 'A') || setweight(recommendation_search_words(body), 'B')
    ) STORED,
    UNIQUE (source, source_id)
);
CREATE INDEX published_texts_meeting ON published_texts(meeting_id);
CREATE INDEX published_texts_document ON published_texts USING GIN (document);
