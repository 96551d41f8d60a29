-- Improvement plans, statements of action and strategies with versions and lineage,
-- performance measures with bands and monthly values, and the outcome links that tie
-- a recommendation or a plan action to the measures it must move (issue 17).

CREATE TABLE improvement_plans (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL
);

-- number: 1, 2, ... within its plan; note: why it was re-drafted.
CREATE TABLE improvement_plan_versions (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES improvement_plans(id),
    number INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users(id),
    created_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (plan_id, number)
);

-- kind: 'objective' or 'area'; good: what good looks like (areas).
CREATE TABLE improvement_plan_areas (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES improvement_plan_versions(id),
    ref TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    good TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL,
    UNIQUE (version_id, ref)
);

-- due: 'by-date', 'ongoing' or 'completed'; lineage: how it came from the version
-- before ('new', 'replaces', 'split-from', 'merged-from'; NULL in a first version),
-- lineage_from_json: the refs it came from.
CREATE TABLE improvement_plan_actions (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES improvement_plan_versions(id),
    ref TEXT NOT NULL,
    area_ref TEXT NOT NULL,
    text TEXT NOT NULL,
    due TEXT NOT NULL,
    review_on TEXT,
    leads TEXT NOT NULL DEFAULT '',
    rag TEXT,
    lineage TEXT,
    lineage_from_json TEXT NOT NULL DEFAULT '[]',
    position INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (version_id, ref)
);

CREATE TABLE improvement_plan_updates (
    id INTEGER PRIMARY KEY,
    action_id INTEGER NOT NULL REFERENCES improvement_plan_actions(id),
    written_on TEXT,
    text TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX improvement_plan_updates_action ON improvement_plan_updates(action_id, id);

-- An action of the version before not carried into this one, and why.
CREATE TABLE improvement_plan_dropped (
    version_id INTEGER NOT NULL REFERENCES improvement_plan_versions(id),
    ref TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (version_id, ref)
);

CREATE TABLE scorecards (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    purpose TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

-- bands_json: the checked bands; baseline, target: numbers as text; source:
-- 'computed', 'imported' or 'entered'; dataset_measure, dataset_json: the CSE dataset
-- figure a computed measure takes.
CREATE TABLE performance_measures (
    id INTEGER PRIMARY KEY,
    scorecard_id INTEGER NOT NULL REFERENCES scorecards(id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    shows TEXT NOT NULL DEFAULT '',
    unit TEXT NOT NULL DEFAULT '',
    bands_json TEXT NOT NULL,
    baseline TEXT,
    target TEXT,
    source TEXT NOT NULL,
    dataset_measure TEXT,
    dataset_json TEXT,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX performance_measures_scorecard ON performance_measures(scorecard_id, position);
CREATE INDEX performance_measures_dataset ON performance_measures(dataset_measure);

-- month: 'YYYY-MM'; value: a number as text; source as the measure's, per value;
-- size: for a computed value, the count it rests on (small numbers are suppressed
-- wherever the dataset's would be).
CREATE TABLE measure_values (
    measure_id INTEGER NOT NULL REFERENCES performance_measures(id),
    month TEXT NOT NULL,
    value TEXT NOT NULL,
    size INTEGER,
    source TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    recorded_by_name TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (measure_id, month)
);

-- A recommendation or a plan action, and a measure it must move, from the month it was
-- agreed (the outcome's baseline).
CREATE TABLE outcome_links (
    id INTEGER PRIMARY KEY,
    measure_id INTEGER NOT NULL REFERENCES performance_measures(id),
    recommendation_id INTEGER REFERENCES recommendations(id),
    plan_action_id INTEGER REFERENCES improvement_plan_actions(id),
    from_month TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX outcome_links_recommendation ON outcome_links(recommendation_id, measure_id);
CREATE UNIQUE INDEX outcome_links_action ON outcome_links(plan_action_id, measure_id);
CREATE INDEX outcome_links_measure ON outcome_links(measure_id);

-- Signed off as "completed — outcome not yet improved".
ALTER TABLE recommendations ADD COLUMN outcome_not_improved INTEGER NOT NULL DEFAULT 0;
