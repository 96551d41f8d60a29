-- Search across what the public site publishes (issue 19): one row per published text —
-- an open agenda item with its paper's words (once the agenda is published), an
-- approved minute with its resolution (never an exempt item's), a forward plan item as
-- last published, an issued monitoring report — with the public page it is on. Kept
-- up to date in the same write transaction as each publication (storage/src/
-- published_index.rs). The FTS5 index reads its text from this table (external
-- content), tokenised as the recommendation search is (storage/src/search.rs builds
-- the queries). The PostgreSQL migration of the same number keeps a tsvector.
CREATE TABLE published_texts (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL CHECK (source IN ('agenda-item', 'minute', 'forward-plan-item', 'report')),
    source_id INTEGER NOT NULL,
    meeting_id INTEGER REFERENCES meetings(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    path TEXT NOT NULL,
    published_on TEXT NOT NULL,
    UNIQUE (source, source_id)
);
CREATE INDEX published_texts_meeting ON published_texts(meeting_id);

CREATE VIRTUAL TABLE published_search USING fts5(
    title, body,
    content = 'published_texts', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER published_search_added AFTER INSERT ON published_texts BEGIN
    INSERT INTO published_search (rowid, title, body) VALUES (NEW.id, NEW.title, NEW.body);
END;

CREATE TRIGGER published_search_removed AFTER DELETE ON published_texts BEGIN
    INSERT INTO published_search (published_search, rowid, title, body) VALUES ('delete', OLD.id, OLD.title, OLD.body);
END;

CREATE TRIGGER published_search_changed AFTER UPDATE ON published_texts BEGIN
    INSERT INTO published_search (published_search, rowid, title, body) VALUES ('delete', OLD.id, OLD.title, OLD.body);
    INSERT INTO published_search (rowid, title, body) VALUES (NEW.id, NEW.title, NEW.body);
END;
