-- Two-factor sign-in required per role (issue 20). A row is an administrator's choice
-- for one role; a role with no row takes the rule's default (every pathway role needs
-- it: assure_domain::sign_in::two_factor_required_by_default).
CREATE TABLE two_factor_roles (
    role TEXT NOT NULL PRIMARY KEY,
    required BIGINT NOT NULL,
    changed_by BIGINT REFERENCES users(id),
    changed_at TEXT NOT NULL
);
