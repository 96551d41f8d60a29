-- Legal holds (issue 12): the information governance officer places a hold on a child's
-- records, with a reason, while litigation, an inquiry or a complaint needs them kept;
-- a held child's records are never destroyed by the retention policy. A hold is lifted,
-- never deleted, so the record of it stays.
CREATE TABLE legal_holds (
    id INTEGER PRIMARY KEY,
    child_id INTEGER NOT NULL REFERENCES children(id),
    reason TEXT NOT NULL,
    placed_by INTEGER REFERENCES users(id),
    placed_at TEXT NOT NULL,
    lifted_by INTEGER REFERENCES users(id),
    lifted_at TEXT,
    lift_reason TEXT NOT NULL DEFAULT ''
);
-- A child's holds, the ones in force.
CREATE INDEX legal_holds_child ON legal_holds(child_id, lifted_at);
