-- Actions may have no target date: trackers write "Ongoing" in the date column.
ALTER TABLE actions ALTER COLUMN target_date DROP NOT NULL;
