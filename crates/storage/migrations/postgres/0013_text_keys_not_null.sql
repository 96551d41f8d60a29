-- The pair of SQLite's 0013, which rebuilds sessions and settings so that their TEXT
-- primary keys are NOT NULL, as a PostgreSQL primary key always is: here it changes
-- nothing, and says so.
ALTER TABLE sessions ALTER COLUMN id_hash SET NOT NULL;
ALTER TABLE settings ALTER COLUMN key SET NOT NULL;
