//! Sign-in through an identity provider (`store.oidc()`): the providers an administrator
//! set up, which account each provider's stable subject is, the sign-ins sent to a
//! provider and not yet back, where a session signs out at its provider, and which
//! team memberships a provider's groups gave. The protocol itself is the web edge's;
//! this keeps what it is checked against.

use assure_domain::partnership::Team;
use assure_domain::sign_in::Provider;
use assure_domain::{Checked, Role};
use chrono::Duration;
use sqlx::any::AnyRow;

use crate::audit::Event;
use crate::users::User;
use crate::{stamp, Actor, Result, RowExt, Store, StoreError};

/// A sign-in sent to a provider lasts this long waiting for the answer.
pub const SIGN_IN_MINUTES: i64 = 10;

#[derive(Clone, Copy)]
pub struct Oidc<'s> {
    store: &'s Store,
}

impl Store {
    pub fn oidc(&self) -> Oidc<'_> {
        Oidc { store: self }
    }
}

/// A provider as kept, with its row id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredProvider {
    pub id: i64,
    pub provider: Provider,
}

/// The teams a sign-in's groups put a person in and took them out of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamChanges {
    pub joined: Vec<Team>,
    pub left: Vec<Team>,
}

/// What a sign-in through a provider does to one of a person's teams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TeamStep {
    /// Join it (or, in it through another provider's groups, hold it through this one's too).
    Join(Team),
    /// Leave it: only this provider's groups gave it, and they no longer do.
    Leave(Team),
    /// Stop holding it through this provider: another provider's groups still give it.
    Release(Team),
}

/// The steps that bring a person's teams into line with the `teams` provider
/// `provider_id`'s groups give, from which provider gave which team (`grants`) and the
/// teams the person is in (`members`). A team they are in that no provider gave was
/// given by hand: never a step.
fn team_steps(provider_id: i64, grants: &[(i64, Team)], members: &[Team], teams: &[Team]) -> Vec<TeamStep> {
    let ours = |t: Team| grants.iter().any(|(p, g)| *p == provider_id && *g == t);
    let others = |t: Team| grants.iter().any(|(p, g)| *p != provider_id && *g == t);
    let mut steps = Vec::new();
    for &t in teams {
        let member = members.contains(&t);
        // Already this provider's, or given by hand.
        if member && (ours(t) || !others(t)) {
            continue;
        }
        steps.push(TeamStep::Join(t));
    }
    for &(p, t) in grants {
        if p == provider_id && !teams.contains(&t) {
            steps.push(if others(t) { TeamStep::Release(t) } else { TeamStep::Leave(t) });
        }
    }
    steps
}

/// A sign-in sent to a provider: what its answer is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub provider_id: i64,
    pub browser_hash: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub next: String,
}

const COLS: &str = "id, slug, label, issuer, client_id, secret_env, email_claim, groups_claim, group_roles, group_teams, create_accounts, active";

fn provider(r: &AnyRow) -> Result<StoredProvider> {
    Ok(StoredProvider {
        id: r.i("id")?,
        provider: Provider {
            slug: r.s("slug")?,
            label: r.s("label")?,
            issuer: r.s("issuer")?,
            client_id: r.s("client_id")?,
            secret_env: r.s("secret_env")?,
            email_claim: r.s("email_claim")?,
            groups_claim: r.s("groups_claim")?,
            group_roles: r.s("group_roles")?,
            group_teams: r.s("group_teams")?,
            create_accounts: r.i("create_accounts")? != 0,
            active: r.i("active")? != 0,
        },
    })
}

impl Oidc<'_> {
    /// Every provider, by name.
    pub async fn providers(&self) -> Result<Vec<StoredProvider>> {
        let sql = format!("SELECT {COLS} FROM oidc_providers ORDER BY label, slug");
        self.store.q(&sql).fetch_all(self.store.pool()).await?.iter().map(provider).collect()
    }

    pub async fn provider(&self, slug: &str) -> Result<Option<StoredProvider>> {
        let sql = format!("SELECT {COLS} FROM oidc_providers WHERE slug = $1");
        self.store.q(&sql).bind(slug).fetch_optional(self.store.pool()).await?.as_ref().map(provider).transpose()
    }

    async fn provider_by_id(&self, id: i64) -> Result<Option<StoredProvider>> {
        let sql = format!("SELECT {COLS} FROM oidc_providers WHERE id = $1");
        self.store.q(&sql).bind(id).fetch_optional(self.store.pool()).await?.as_ref().map(provider).transpose()
    }

    /// Add a provider, or change the one with the same short name. Returns its id.
    pub async fn save(&self, actor: &Actor, p: &Checked<Provider>) -> Result<i64> {
        let mut tx = self.store.write().await?;
        let existing = self.store.q("SELECT id FROM oidc_providers WHERE slug = $1").bind(p.slug.clone()).fetch_optional(tx.conn()).await?;
        let id = match existing {
            Some(r) => {
                let id = r.i("id")?;
                self.store
                    .q("UPDATE oidc_providers SET label = $1, issuer = $2, client_id = $3, secret_env = $4, email_claim = $5, groups_claim = $6, \
                        group_roles = $7, group_teams = $8, create_accounts = $9, active = $10, updated_at = $11 WHERE id = $12")
                    .bind(p.label.clone())
                    .bind(p.issuer.clone())
                    .bind(p.client_id.clone())
                    .bind(p.secret_env.clone())
                    .bind(p.email_claim.clone())
                    .bind(p.groups_claim.clone())
                    .bind(p.group_roles.clone())
                    .bind(p.group_teams.clone())
                    .bind(i64::from(p.create_accounts))
                    .bind(i64::from(p.active))
                    .bind(self.store.now())
                    .bind(id)
                    .execute(tx.conn())
                    .await?;
                id
            }
            None => sqlx::Row::try_get(
                &self
                    .store
                    .q("INSERT INTO oidc_providers (slug, label, issuer, client_id, secret_env, email_claim, groups_claim, group_roles, group_teams, create_accounts, active, updated_at) \
                        VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING id")
                    .bind(p.slug.clone())
                    .bind(p.label.clone())
                    .bind(p.issuer.clone())
                    .bind(p.client_id.clone())
                    .bind(p.secret_env.clone())
                    .bind(p.email_claim.clone())
                    .bind(p.groups_claim.clone())
                    .bind(p.group_roles.clone())
                    .bind(p.group_teams.clone())
                    .bind(i64::from(p.create_accounts))
                    .bind(i64::from(p.active))
                    .bind(self.store.now())
                    .fetch_one(tx.conn())
                    .await?,
                "id",
            )?,
        };
        let detail = format!(
            "sign-in provider {} ({}): issuer {}, client {}, accounts created at first sign-in {}, {}",
            p.slug,
            p.label,
            p.issuer,
            p.client_id,
            if p.create_accounts { "yes" } else { "no" },
            if p.active { "in use" } else { "not in use" }
        );
        tx.audit(actor, Event::new("settings.sign-in-provider", "oidc_provider", id, detail)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The provider the environment configures: added, or brought into line with the
    /// environment's issuer and client id (the rest stays as an administrator set it).
    /// Nothing is written when it already matches.
    pub async fn from_environment(&self, p: &Checked<Provider>) -> Result<i64> {
        if let Some(have) = self.provider(&p.slug).await? {
            if have.provider.issuer == p.issuer && have.provider.client_id == p.client_id && have.provider.secret_env == p.secret_env {
                return Ok(have.id);
            }
            let mut kept = have.provider.clone();
            kept.issuer = p.issuer.clone();
            kept.client_id = p.client_id.clone();
            kept.secret_env = p.secret_env.clone();
            let again = assure_domain::sign_in::check_provider(&assure_domain::sign_in::ProviderInput {
                slug: kept.slug,
                label: kept.label,
                issuer: kept.issuer,
                client_id: kept.client_id,
                secret_env: kept.secret_env,
                email_claim: kept.email_claim,
                groups_claim: kept.groups_claim,
                group_roles: kept.group_roles,
                group_teams: kept.group_teams,
                create_accounts: kept.create_accounts,
                active: kept.active,
            })?;
            return self.save(&Actor::system(), &again).await;
        }
        self.save(&Actor::system(), p).await
    }

    /// The account a provider's subject signs in as.
    pub async fn linked(&self, provider_id: i64, subject: &str) -> Result<Option<i64>> {
        let r = self
            .store
            .q("SELECT user_id FROM oidc_links WHERE provider_id = $1 AND subject = $2")
            .bind(provider_id)
            .bind(subject)
            .fetch_optional(self.store.pool())
            .await?;
        r.map(|r| r.i("user_id")).transpose()
    }

    /// Link a provider's subject to an account (the first sign-in, matched by a verified
    /// address, or an account just created for it).
    pub async fn link(&self, actor: &Actor, provider_id: i64, subject: &str, user_id: i64, how: &str) -> Result<()> {
        let mut tx = self.store.write().await?;
        self.store
            .q("INSERT INTO oidc_links (provider_id, subject, user_id, linked_at) VALUES ($1, $2, $3, $4)")
            .bind(provider_id)
            .bind(subject)
            .bind(user_id)
            .bind(self.store.now())
            .execute(tx.conn())
            .await?;
        tx.audit(actor, Event::new("user.sign-in-linked", "user", user_id, format!("linked to sign-in provider {provider_id}: {how}"))).await?;
        tx.commit().await
    }

    /// The role a provider's groups give an account, when it differs from the one it has.
    pub async fn set_role_from_groups(&self, actor: &Actor, user: &User, role: Role) -> Result<()> {
        if user.role == role {
            return Ok(());
        }
        let mut tx = self.store.write().await?;
        self.store.q("UPDATE users SET role = $1 WHERE id = $2").bind(role.slug()).bind(user.id).execute(tx.conn()).await?;
        tx.audit(
            actor,
            Event::new(
                "user.role-from-groups",
                "user",
                user.id,
                format!("role {} → {} from the identity provider's groups", user.role.slug(), role.slug()),
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Bring a person's teams into line with the teams a provider's groups give them
    /// (`teams`, from [`assure_domain::sign_in::teams_for_groups`]) at a sign-in through
    /// it. A team they are not in is joined, and kept as the provider's; a team the
    /// provider gave that their groups no longer give is left, unless another provider's
    /// groups still give it. A membership an administrator gave by hand is never
    /// touched: a group naming it leaves it as it is, and it is not the provider's to
    /// take away. Every change is audited in the same transaction.
    pub async fn teams_from_groups(&self, actor: &Actor, provider: &StoredProvider, user_id: i64, teams: &[Team]) -> Result<TeamChanges> {
        let mut changes = TeamChanges::default();
        // Nothing to change (most sign-ins): nothing written.
        let (grants, members) = self.team_grants(None, user_id).await?;
        if team_steps(provider.id, &grants, &members, teams).is_empty() {
            return Ok(changes);
        }
        let slug = &provider.provider.slug;
        let partnership = self.store.partnership();
        let mut tx = self.store.write().await?;
        let (grants, members) = self.team_grants(Some(&mut tx), user_id).await?;
        for step in team_steps(provider.id, &grants, &members, teams) {
            let (action, detail) = match step {
                TeamStep::Join(team) => {
                    let joined = partnership.join_team(&mut tx, team, user_id).await?;
                    self.store
                        .q("INSERT INTO oidc_team_grants (provider_id, team, user_id, granted_at) VALUES ($1,$2,$3,$4) \
                            ON CONFLICT (provider_id, team, user_id) DO NOTHING")
                        .bind(provider.id)
                        .bind(team.slug())
                        .bind(user_id)
                        .bind(self.store.now())
                        .execute(tx.conn())
                        .await?;
                    if joined {
                        changes.joined.push(team);
                        ("team.join-from-groups", format!("joined {} from the groups at sign-in provider {slug}", team.slug()))
                    } else {
                        ("team.join-from-groups", format!("in {} already, now from the groups at sign-in provider {slug} too", team.slug()))
                    }
                }
                TeamStep::Leave(team) => {
                    if partnership.leave_team(&mut tx, team, user_id).await? {
                        changes.left.push(team);
                    }
                    ("team.leave-from-groups", format!("left {}: no longer in a group that gives it at sign-in provider {slug}", team.slug()))
                }
                TeamStep::Release(team) => {
                    self.store
                        .q("DELETE FROM oidc_team_grants WHERE provider_id = $1 AND team = $2 AND user_id = $3")
                        .bind(provider.id)
                        .bind(team.slug())
                        .bind(user_id)
                        .execute(tx.conn())
                        .await?;
                    (
                        "team.leave-from-groups",
                        format!("still in {} from another sign-in provider's groups, no longer from those at {slug}", team.slug()),
                    )
                }
            };
            tx.audit(actor, Event::new(action, "user", user_id, detail)).await?;
        }
        tx.commit().await?;
        Ok(changes)
    }

    /// Which provider gave which of a person's teams, and the teams they are in.
    async fn team_grants(&self, tx: Option<&mut crate::WriteTx<'_>>, user_id: i64) -> Result<(Vec<(i64, Team)>, Vec<Team>)> {
        let grants_sql = "SELECT provider_id, team FROM oidc_team_grants WHERE user_id = $1";
        let members_sql = "SELECT team FROM team_members WHERE user_id = $1";
        let (grants, members) = match tx {
            Some(tx) => (
                self.store.q(grants_sql).bind(user_id).fetch_all(tx.conn()).await?,
                self.store.q(members_sql).bind(user_id).fetch_all(tx.conn()).await?,
            ),
            None => (
                self.store.q(grants_sql).bind(user_id).fetch_all(self.store.pool()).await?,
                self.store.q(members_sql).bind(user_id).fetch_all(self.store.pool()).await?,
            ),
        };
        Ok((
            grants.iter().map(|r| Ok((r.i("provider_id")?, r.e("team")?))).collect::<Result<_>>()?,
            members.iter().map(|r| r.e("team")).collect::<Result<_>>()?,
        ))
    }

    /// Keep a sign-in sent to a provider, under the hash of its state.
    pub async fn begin(&self, state_hash: &str, p: &Pending) -> Result<()> {
        let now = self.store.clock().now();
        let mut tx = self.store.write().await?;
        self.store.q("DELETE FROM oidc_sign_ins WHERE expires_at < $1").bind(stamp(now)).execute(tx.conn()).await?;
        self.store
            .q("INSERT INTO oidc_sign_ins (state_hash, provider_id, browser_hash, nonce, pkce_verifier, next, expires_at) VALUES ($1,$2,$3,$4,$5,$6,$7)")
            .bind(state_hash)
            .bind(p.provider_id)
            .bind(p.browser_hash.clone())
            .bind(p.nonce.clone())
            .bind(p.pkce_verifier.clone())
            .bind(p.next.clone())
            .bind(stamp(now + Duration::minutes(SIGN_IN_MINUTES)))
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }

    /// Take the sign-in a provider's answer names (once: it is gone afterwards), with its
    /// provider, if it has not expired.
    pub async fn take(&self, state_hash: &str) -> Result<Option<(Pending, StoredProvider)>> {
        let mut tx = self.store.write().await?;
        let r = self
            .store
            .q("SELECT provider_id, browser_hash, nonce, pkce_verifier, next FROM oidc_sign_ins WHERE state_hash = $1 AND expires_at > $2")
            .bind(state_hash)
            .bind(self.store.now())
            .fetch_optional(tx.conn())
            .await?;
        self.store.q("DELETE FROM oidc_sign_ins WHERE state_hash = $1").bind(state_hash).execute(tx.conn()).await?;
        tx.commit().await?;
        let Some(r) = r else { return Ok(None) };
        let pending = Pending {
            provider_id: r.i("provider_id")?,
            browser_hash: r.s("browser_hash")?,
            nonce: r.s("nonce")?,
            pkce_verifier: r.s("pkce_verifier")?,
            next: r.s("next")?,
        };
        let p = self.provider_by_id(pending.provider_id).await?.ok_or(StoreError::NotFound)?;
        Ok(Some((pending, p)))
    }

    /// Where the session signs out at its provider (when the provider has such an address).
    pub async fn set_end_session(&self, session_hash: &str, url: &str) -> Result<()> {
        let mut tx = self.store.write().await?;
        self.store.q("UPDATE sessions SET end_session_url = $1 WHERE id_hash = $2").bind(url).bind(session_hash).execute(tx.conn()).await?;
        tx.commit().await
    }

    pub async fn end_session(&self, session_hash: &str) -> Result<Option<String>> {
        let r = self.store.q("SELECT end_session_url FROM sessions WHERE id_hash = $1").bind(session_hash).fetch_optional(self.store.pool()).await?;
        Ok(r.map(|r| r.os("end_session_url")).transpose()?.flatten())
    }
}
