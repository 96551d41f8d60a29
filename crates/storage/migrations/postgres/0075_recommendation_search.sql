-- Full-text search of recommendations (issue 13): one tsvector per recommendation over
-- its reference (weight A), the committee's and the executive's wording (B) and the
-- text of its progress updates (C), in a GIN index, kept up to date by triggers. The
-- text is lower-cased and split on anything but letters and digits before PostgreSQL's
-- parser sees it (which would otherwise keep "SC/2016/3" as one file-path token), so
-- the words are those SQLite's unicode61 tokenizer finds: "SC/2016/3" is the adjacent
-- words sc 2016 3 (storage/src/search.rs builds queries the same way). The 'simple'
-- configuration keeps every word as written (no stemming, no stop words): prefix
-- matching does what stemming would. The SQLite migration of the same number keeps an
-- FTS5 table.
CREATE TABLE recommendation_search (
    recommendation_id BIGINT PRIMARY KEY REFERENCES recommendations(id) ON DELETE CASCADE,
    document tsvector NOT NULL
);
CREATE INDEX recommendation_search_document ON recommendation_search USING GIN (document);

CREATE FUNCTION recommendation_search_words(t TEXT) RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
    SELECT to_tsvector('simple'::regconfig, regexp_replace(lower(COALESCE(t, '')), '[^[:alnum:]]+', ' ', 'g'))
$$;

CREATE FUNCTION recommendation_search_refresh(rec BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO recommendation_search (recommendation_id, document)
    SELECT r.id,
           setweight(recommendation_search_words(r.reference), 'A')
           || setweight(recommendation_search_words(r.committee_wording), 'B')
           || setweight(recommendation_search_words(r.executive_wording), 'B')
           || setweight(recommendation_search_words((SELECT string_agg(p.narrative, ' ' ORDER BY p.id) FROM progress_updates p WHERE p.recommendation_id = r.id)), 'C')
    FROM recommendations r WHERE r.id = rec
    ON CONFLICT (recommendation_id) DO UPDATE SET document = EXCLUDED.document;
END
$$;

CREATE FUNCTION recommendation_search_on_recommendation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM recommendation_search_refresh(NEW.id);
    RETURN NULL;
END
$$;

CREATE TRIGGER recommendation_search_recommendation
    AFTER INSERT OR UPDATE OF reference, committee_wording, executive_wording ON recommendations
    FOR EACH ROW EXECUTE FUNCTION recommendation_search_on_recommendation();

CREATE FUNCTION recommendation_search_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM recommendation_search_refresh(OLD.recommendation_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM recommendation_search_refresh(NEW.recommendation_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER recommendation_search_update
    AFTER INSERT OR UPDATE OF narrative, recommendation_id OR DELETE ON progress_updates
    FOR EACH ROW EXECUTE FUNCTION recommendation_search_on_update();

-- Every recommendation already held, with its updates.
INSERT INTO recommendation_search (recommendation_id, document)
SELECT r.id,
       setweight(recommendation_search_words(r.reference), 'A')
       || setweight(recommendation_search_words(r.committee_wording), 'B')
       || setweight(recommendation_search_words(r.executive_wording), 'B')
       || setweight(recommendation_search_words((SELECT string_agg(p.narrative, ' ' ORDER BY p.id) FROM progress_updates p WHERE p.recommendation_id = r.id)), 'C')
FROM recommendations r;
