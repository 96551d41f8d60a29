-- A person's role on the pathway is their account's role (users.role), written in
-- one place; partnership_members keeps only which agency they belong to.
ALTER TABLE partnership_members DROP COLUMN pathway_role;
