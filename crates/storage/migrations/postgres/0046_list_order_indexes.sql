-- The long lists are read a page at a time from a key (keyset pagination): each
-- list's order is an index, so a page is one index range however long the list.
-- The reviews list, newest first.
CREATE INDEX reviews_list_order ON reviews((COALESCE(report_date, created_at)) DESC, id DESC);
-- The MASH queue, oldest first within each waiting status.
CREATE INDEX referrals_queue_order ON referrals(status, submitted_at, id);
