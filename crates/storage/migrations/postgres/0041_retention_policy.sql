-- Retention policy as data (issue 12): per kind of record, kept until the child's
-- birthday of until_age (when set) and at least years_after_last_activity after the
-- last activity; destroyed = 0 for what the daily job never lists (the audit log).
CREATE TABLE retention_policy (
    kind TEXT NOT NULL PRIMARY KEY,
    until_age BIGINT,
    years_after_last_activity BIGINT NOT NULL,
    destroyed BIGINT NOT NULL
);
INSERT INTO retention_policy (kind, until_age, years_after_last_activity, destroyed) VALUES ('child-records', 25, 6, 1);
INSERT INTO retention_policy (kind, until_age, years_after_last_activity, destroyed) VALUES ('audit-log', NULL, 75, 0);
