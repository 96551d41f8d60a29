-- Fields councils' trackers carry (issue 14): where a recommendation came from (origin:
-- a scrutiny review, an inspection, a case review — free text kept as written) and the
-- date the executive decided on it. The review's list filters on origin.
ALTER TABLE recommendations ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE recommendations ADD COLUMN executive_decision_date TEXT;
CREATE INDEX recommendations_origin ON recommendations(review_id, origin);
