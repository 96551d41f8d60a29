-- Full-text search of recommendations (issue 13): one FTS5 row per recommendation
-- (rowid = recommendations.id) over its reference, the committee's and the executive's
-- wording and the text of its progress updates. Contentless: the text stays in its own
-- tables and the index keeps only what finding and ranking (bm25) need;
-- contentless_delete lets the triggers below delete and re-add a row when its text
-- changes. unicode61 folds case and diacritics and splits on punctuation, so
-- "SC/2016/3" is indexed as the adjacent words sc 2016 3 (storage/src/search.rs builds
-- queries the same way). The PostgreSQL migration of the same number keeps a tsvector.
CREATE VIRTUAL TABLE recommendation_search USING fts5(
    reference, committee_wording, executive_wording, updates,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER recommendation_search_added AFTER INSERT ON recommendations BEGIN
    INSERT INTO recommendation_search (rowid, reference, committee_wording, executive_wording, updates)
    VALUES (NEW.id, NEW.reference, NEW.committee_wording, NEW.executive_wording,
            COALESCE((SELECT group_concat(p.narrative, ' ') FROM progress_updates p WHERE p.recommendation_id = NEW.id), ''));
END;

CREATE TRIGGER recommendation_search_changed AFTER UPDATE OF reference, committee_wording, executive_wording ON recommendations BEGIN
    DELETE FROM recommendation_search WHERE rowid = OLD.id;
    INSERT INTO recommendation_search (rowid, reference, committee_wording, executive_wording, updates)
    VALUES (NEW.id, NEW.reference, NEW.committee_wording, NEW.executive_wording,
            COALESCE((SELECT group_concat(p.narrative, ' ') FROM progress_updates p WHERE p.recommendation_id = NEW.id), ''));
END;

CREATE TRIGGER recommendation_search_removed AFTER DELETE ON recommendations BEGIN
    DELETE FROM recommendation_search WHERE rowid = OLD.id;
END;

CREATE TRIGGER recommendation_search_update_added AFTER INSERT ON progress_updates BEGIN
    DELETE FROM recommendation_search WHERE rowid = NEW.recommendation_id;
    INSERT INTO recommendation_search (rowid, reference, committee_wording, executive_wording, updates)
    SELECT r.id, r.reference, r.committee_wording, r.executive_wording,
           COALESCE((SELECT group_concat(p.narrative, ' ') FROM progress_updates p WHERE p.recommendation_id = r.id), '')
    FROM recommendations r WHERE r.id = NEW.recommendation_id;
END;

CREATE TRIGGER recommendation_search_update_changed AFTER UPDATE OF narrative, recommendation_id ON progress_updates BEGIN
    DELETE FROM recommendation_search WHERE rowid IN (OLD.recommendation_id, NEW.recommendation_id);
    INSERT INTO recommendation_search (rowid, reference, committee_wording, executive_wording, updates)
    SELECT r.id, r.reference, r.committee_wording, r.executive_wording,
           COALESCE((SELECT group_concat(p.narrative, ' ') FROM progress_updates p WHERE p.recommendation_id = r.id), '')
    FROM recommendations r WHERE r.id IN (OLD.recommendation_id, NEW.recommendation_id);
END;

CREATE TRIGGER recommendation_search_update_removed AFTER DELETE ON progress_updates BEGIN
    DELETE FROM recommendation_search WHERE rowid = OLD.recommendation_id;
    INSERT INTO recommendation_search (rowid, reference, committee_wording, executive_wording, updates)
    SELECT r.id, r.reference, r.committee_wording, r.executive_wording,
           COALESCE((SELECT group_concat(p.narrative, ' ') FROM progress_updates p WHERE p.recommendation_id = r.id), '')
    FROM recommendations r WHERE r.id = OLD.recommendation_id;
END;

-- Every recommendation already held, with its updates.
INSERT INTO recommendation_search (rowid, reference, committee_wording, executive_wording, updates)
SELECT r.id, r.reference, r.committee_wording, r.executive_wording,
       COALESCE((SELECT group_concat(p.narrative, ' ') FROM progress_updates p WHERE p.recommendation_id = r.id), '')
FROM recommendations r;
