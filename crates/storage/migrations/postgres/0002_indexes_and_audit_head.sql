-- Indexes found by the national-scale benchmark (crates/web/benches/tracker.rs).
-- "Corrected by" on a recommendation's updates.
CREATE INDEX progress_updates_corrects ON progress_updates(corrects_id);
-- The tracker list's order.
CREATE INDEX recommendations_list_order ON recommendations(review_id DESC, number, sub_label);
-- Reviews awaiting a response, answered from the index.
CREATE INDEX recommendations_review_response ON recommendations(review_id, response, parent_id);
-- Dashboard counts.
CREATE INDEX recommendations_dashboard ON recommendations(monitoring_body_id, response, lifecycle, rag_override, rag_suggested);

-- The newest audit entry, written in the same transaction as the entry, so that
-- entries cut off the end of the log are detected too.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
