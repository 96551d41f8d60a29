-- Issue 13, found by scripts/load-bench at national scale: every list of children (and
-- of what is recorded about them) keeps only children not merged into another, with
-- `c.merged_into_id IS NULL`. An index holding every child under NULL looked to SQLite's
-- planner like a way in, so it read every child and sorted them all instead of walking
-- the list's own order: the missing children's lists took 2.2-2.5 s at 150,000 episodes
-- and 50,000 children (200-240 ms after), the children list 25 ms (0.1 ms after).
-- Indexing only the merged children keeps `merged_into_id = ?` (a merge's
-- look-ups) fast and takes the index out of the way of everything else.
DROP INDEX children_merged_into;
CREATE INDEX children_merged_into ON children(merged_into_id) WHERE merged_into_id IS NOT NULL;
