-- Issue 18: a resolution can endorse a review's report (a working group's, an
-- inspection's, a case review's). The part names the review; the tracker's endorsement
-- it creates names the minute, so each links to the other.
ALTER TABLE resolution_parts ADD COLUMN review_id INTEGER REFERENCES reviews(id);
ALTER TABLE endorsements ADD COLUMN minute_id INTEGER REFERENCES minutes(id);
