-- The placements list, newest first (by the date received, else the start), is read a
-- page at a time from a key: its order is an index, so a page is one index range
-- however many notifications there are (5,000 in the partnership-scale benchmark).
CREATE INDEX placement_notifications_list_order ON placement_notifications((COALESCE(received_date, start_date)) DESC, id DESC);
