-- A recommendation's RAG as the council wrote it (issue 14): rag_suggest = 1 when a
-- rule-based suggestion stands in while no one has rated it (shown marked "Suggested"),
-- 0 when it is "Not rated" instead (an import whose tracker gave no RAG, unless a
-- suggestion was asked for). rag_suggested is then kept empty.
ALTER TABLE recommendations ADD COLUMN rag_suggest BIGINT NOT NULL DEFAULT 1;
