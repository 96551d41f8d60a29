-- Teams from an identity provider's groups (issue 20). Each provider has `group = team`
-- lines as an administrator typed them; each row of oidc_team_grants is a team
-- membership (in team_members) that a provider's groups gave a person at sign-in, so
-- that leaving the group takes away that membership and never one an administrator
-- gave by hand (which has no row here).
ALTER TABLE oidc_providers ADD COLUMN group_teams TEXT NOT NULL DEFAULT '';
CREATE TABLE oidc_team_grants (
    provider_id BIGINT NOT NULL REFERENCES oidc_providers(id),
    team TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    granted_at TEXT NOT NULL,
    PRIMARY KEY (provider_id, team, user_id)
);
CREATE INDEX oidc_team_grants_member ON oidc_team_grants(user_id, team);
