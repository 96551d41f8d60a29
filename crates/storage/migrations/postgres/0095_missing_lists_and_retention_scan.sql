-- Issue 13, the last measurement at national scale (3,000,000 missing episodes,
-- 10,000,000 audit entries).
--
-- The missing children's lists are read a page at a time from a key (keyset): the
-- episodes newest first, (started_at, id) descending, and the return interviews to
-- offer the first due first, (interview_due_by, id). Each page is one range of an index
-- in that order, the id breaking ties on the time, on both engines (SQLite's
-- single-column indexes held the id as the row's; PostgreSQL's did not, and sorted every
-- episode of the month instead).
DROP INDEX missing_episodes_started;
CREATE INDEX missing_episodes_started ON missing_episodes(started_at, id);
DROP INDEX missing_episodes_due;
CREATE INDEX missing_episodes_due ON missing_episodes(interview_due_by, id);

-- The daily retention scan finds each child's last activity: the latest of the child's
-- audit entries that are not a view, a refusal or an export. Through audit_record it
-- read every one of the child's entries from the table for its time and action (2.7 to
-- 9.8 s at 50,000 children and 500,000 entries); this index holds both, so the scan
-- reads the index alone. Only children's entries: the rest of the log does not pay.
CREATE INDEX audit_child_activity ON audit_log(record_type, record_id, at, action) WHERE record_type = 'child';
