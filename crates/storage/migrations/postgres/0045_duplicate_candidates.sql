-- A child's possible duplicates are read by a sound-alike surname and either a
-- sound-alike first name or the same date of birth, current records only: each
-- an index range, so a common surname does not mean reading every child who has it.
CREATE INDEX children_duplicates_first ON children(phonetic_last, phonetic_first, merged_into_id);
CREATE INDEX children_duplicates_dob ON children(phonetic_last, date_of_birth, merged_into_id);
