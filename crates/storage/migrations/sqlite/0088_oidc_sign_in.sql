-- Sign-in through the council's identity provider (OpenID Connect, issue 20).
-- The providers an administrator set up (the client secret is never here: only the name
-- of the environment variable that holds it); which account each provider's stable
-- subject signs in as; sign-ins sent to a provider and not yet back (by the hash of
-- their state, with the nonce and the PKCE verifier, bound to the browser by the hash
-- of a cookie); and, per session, where to send the browser to sign out at the provider.
CREATE TABLE oidc_providers (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    issuer TEXT NOT NULL,
    client_id TEXT NOT NULL,
    secret_env TEXT NOT NULL,
    email_claim TEXT NOT NULL,
    groups_claim TEXT NOT NULL,
    group_roles TEXT NOT NULL,
    create_accounts INTEGER NOT NULL,
    active INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE oidc_links (
    provider_id INTEGER NOT NULL REFERENCES oidc_providers(id),
    subject TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    linked_at TEXT NOT NULL,
    PRIMARY KEY (provider_id, subject)
);
CREATE INDEX oidc_links_user ON oidc_links(user_id);
CREATE TABLE oidc_sign_ins (
    state_hash TEXT NOT NULL PRIMARY KEY,
    provider_id INTEGER NOT NULL REFERENCES oidc_providers(id),
    browser_hash TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
ALTER TABLE sessions ADD COLUMN end_session_url TEXT;
