-- Names as the search reads them (lower case, accents and marks folded: the domain's
-- `children::normalise`), each indexed, so a prefix search is an index range instead of
-- a scan of every child. Byte order ("C") makes the range exact for any prefix, as on
-- SQLite. Rows written before this are filled with LOWER(name).
ALTER TABLE children ADD COLUMN search_first TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE children ADD COLUMN search_last TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE children SET search_first = LOWER(first_name), search_last = LOWER(last_name);
CREATE INDEX children_search_last ON children(search_last);
CREATE INDEX children_search_first ON children(search_first);
