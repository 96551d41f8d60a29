//! Two-factor sign-in for local accounts (`store.two_factor()`): the TOTP secret each
//! account enrolled, the last time-step whose code was accepted (so a code works once),
//! recovery codes kept as hashes and used once, and sign-ins waiting for their code.
//! Codes are checked at the web edge; this module keeps what they are checked against.

use assure_domain::sign_in::{two_factor_required, two_factor_required_by_default};
use assure_domain::Role;
use chrono::Duration;

use crate::audit::Event;
use crate::{stamp, Actor, Result, RowExt, Store, StoreError};

/// A sign-in whose password was right lasts this long waiting for its code.
pub const CHALLENGE_MINUTES: i64 = 5;
/// Wrong codes allowed for one sign-in before it must start again.
pub const CHALLENGE_ATTEMPTS: i64 = 5;

#[derive(Clone, Copy)]
pub struct TwoFactor<'s> {
    store: &'s Store,
}

impl Store {
    pub fn two_factor(&self) -> TwoFactor<'_> {
        TwoFactor { store: self }
    }
}

/// Whether one role must use two-factor sign-in, and whether that is the rule's default
/// or an administrator's choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleRequirement {
    pub role: Role,
    pub required: bool,
    pub by_default: bool,
}

/// A sign-in waiting for its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub user_id: i64,
    pub next: String,
}

impl TwoFactor<'_> {
    /// The account's TOTP secret (base32), when it has enrolled.
    pub async fn secret(&self, user: i64) -> Result<Option<String>> {
        let r = self
            .store
            .q("SELECT totp_secret FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(self.store.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(r.os("totp_secret")?.filter(|s| !s.is_empty()))
    }

    /// How many recovery codes the account has left.
    pub async fn recovery_left(&self, user: i64) -> Result<i64> {
        self.store
            .q("SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
            .bind(user)
            .fetch_one(self.store.pool())
            .await?
            .i("n")
    }

    /// Enrol: keep the secret (whose first code the edge has checked, at `step`) and the
    /// recovery codes' hashes, replacing any earlier ones.
    pub async fn enrol(&self, actor: &Actor, user: i64, secret: &str, step: i64, recovery_hashes: &[String]) -> Result<()> {
        let mut tx = self.store.write().await?;
        self.store
            .q("UPDATE users SET totp_secret = $1, totp_last_step = $2 WHERE id = $3")
            .bind(secret)
            .bind(step)
            .bind(user)
            .execute(tx.conn())
            .await?;
        self.store.q("DELETE FROM recovery_codes WHERE user_id = $1").bind(user).execute(tx.conn()).await?;
        for h in recovery_hashes {
            self.store.q("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)").bind(user).bind(h).execute(tx.conn()).await?;
        }
        tx.audit(
            actor,
            Event::new("user.two-factor-on", "user", user, format!("two-factor sign-in turned on; {} recovery codes", recovery_hashes.len())),
        )
        .await?;
        tx.commit().await
    }

    /// Turn two-factor off for the account (its own choice, with a code, or an administrator's).
    pub async fn turn_off(&self, actor: &Actor, user: i64) -> Result<()> {
        let mut tx = self.store.write().await?;
        self.store.q("UPDATE users SET totp_secret = NULL, totp_last_step = NULL WHERE id = $1").bind(user).execute(tx.conn()).await?;
        self.store.q("DELETE FROM recovery_codes WHERE user_id = $1").bind(user).execute(tx.conn()).await?;
        tx.audit(actor, Event::new("user.two-factor-off", "user", user, "two-factor sign-in turned off")).await?;
        tx.commit().await
    }

    /// Accept a code of time-step `step` once: false when that step (or a later one)
    /// was used already.
    pub async fn use_step(&self, user: i64, step: i64) -> Result<bool> {
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_secret IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < $1)")
            .bind(step)
            .bind(user)
            .execute(tx.conn())
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Use a recovery code (by its hash) once.
    pub async fn use_recovery(&self, actor: &Actor, user: i64, code_hash: &str) -> Result<bool> {
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL")
            .bind(self.store.now())
            .bind(user)
            .bind(code_hash)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n > 0 {
            tx.audit(actor, Event::new("user.recovery-code", "user", user, "signed in with a recovery code")).await?;
        }
        tx.commit().await?;
        Ok(n > 0)
    }

    /// The administrator's choices, one per role that has one.
    async fn chosen(&self) -> Result<Vec<(Role, bool)>> {
        let rows = self.store.q("SELECT role, required FROM two_factor_roles").fetch_all(self.store.pool()).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            if let Some(role) = Role::from_slug(&r.s("role")?) {
                out.push((role, r.i("required")? != 0));
            }
        }
        Ok(out)
    }

    /// Whether local accounts in `role` must sign in with two factors.
    pub async fn required(&self, role: Role) -> Result<bool> {
        Ok(two_factor_required(role, &self.chosen().await?))
    }

    /// Every role's requirement, in the roles' order.
    pub async fn requirements(&self) -> Result<Vec<RoleRequirement>> {
        let chosen = self.chosen().await?;
        Ok(Role::ALL
            .iter()
            .map(|&role| RoleRequirement {
                role,
                required: two_factor_required(role, &chosen),
                by_default: !chosen.iter().any(|(r, on)| *r == role && *on != two_factor_required_by_default(role)),
            })
            .collect())
    }

    /// Require two-factor sign-in of exactly the roles in `required`. A role newly
    /// required signs out its people who have not set it up (they set it up at their
    /// next sign-in), except those who sign in through an identity provider. Returns
    /// how many were signed out.
    pub async fn set_required(&self, actor: &Actor, required: &[Role]) -> Result<u64> {
        let before = self.chosen().await?;
        let now = self.store.now();
        let mut tx = self.store.write().await?;
        let mut signed_out = 0;
        let mut changes = Vec::new();
        for role in Role::ALL {
            let on = required.contains(&role);
            let was = two_factor_required(role, &before);
            self.store.q("DELETE FROM two_factor_roles WHERE role = $1").bind(role.slug()).execute(tx.conn()).await?;
            self.store
                .q("INSERT INTO two_factor_roles (role, required, changed_by, changed_at) VALUES ($1, $2, $3, $4)")
                .bind(role.slug())
                .bind(i64::from(on))
                .bind(actor.user_id)
                .bind(now.clone())
                .execute(tx.conn())
                .await?;
            if on == was {
                continue;
            }
            changes.push(format!("{} {}", role.label(), if on { "required" } else { "not required" }));
            if on {
                signed_out += self
                    .store
                    .q("DELETE FROM sessions WHERE user_id IN (SELECT u.id FROM users u WHERE u.role = $1 AND (u.totp_secret IS NULL OR u.totp_secret = '') \
                        AND NOT EXISTS (SELECT 1 FROM oidc_links l WHERE l.user_id = u.id))")
                    .bind(role.slug())
                    .execute(tx.conn())
                    .await?
                    .rows_affected();
            }
        }
        if !changes.is_empty() {
            let detail = format!("two-factor sign-in: {}; {signed_out} session(s) ended", changes.join(", "));
            tx.audit(actor, Event::new("settings.two-factor-roles", "settings", "two-factor", detail)).await?;
        }
        tx.commit().await?;
        Ok(signed_out)
    }

    /// Keep a sign-in waiting for its code, under the hash of the cookie's secret.
    pub async fn challenge(&self, id_hash: &str, user: i64, next: &str) -> Result<()> {
        let now = self.store.clock().now();
        let mut tx = self.store.write().await?;
        self.store.q("DELETE FROM sign_in_challenges WHERE expires_at < $1").bind(stamp(now)).execute(tx.conn()).await?;
        self.store
            .q("INSERT INTO sign_in_challenges (id_hash, user_id, next, expires_at, attempts) VALUES ($1, $2, $3, $4, 0)")
            .bind(id_hash)
            .bind(user)
            .bind(next)
            .bind(stamp(now + Duration::minutes(CHALLENGE_MINUTES)))
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }

    /// The sign-in waiting under this cookie, if it has not expired or run out of tries.
    pub async fn waiting(&self, id_hash: &str) -> Result<Option<Challenge>> {
        let r = self
            .store
            .q("SELECT user_id, next FROM sign_in_challenges WHERE id_hash = $1 AND expires_at > $2 AND attempts < $3")
            .bind(id_hash)
            .bind(self.store.now())
            .bind(CHALLENGE_ATTEMPTS)
            .fetch_optional(self.store.pool())
            .await?;
        r.map(|r| Ok(Challenge { user_id: r.i("user_id")?, next: r.s("next")? })).transpose()
    }

    /// A wrong code: one try fewer. Returns the tries left.
    pub async fn wrong_code(&self, id_hash: &str) -> Result<i64> {
        let mut tx = self.store.write().await?;
        self.store.q("UPDATE sign_in_challenges SET attempts = attempts + 1 WHERE id_hash = $1").bind(id_hash).execute(tx.conn()).await?;
        let used = self.store.q("SELECT attempts FROM sign_in_challenges WHERE id_hash = $1").bind(id_hash).fetch_optional(tx.conn()).await?;
        tx.commit().await?;
        Ok(used.map(|r| r.i("attempts")).transpose()?.map(|a| (CHALLENGE_ATTEMPTS - a).max(0)).unwrap_or(0))
    }

    /// The code was right: the waiting sign-in is over.
    pub async fn finish(&self, id_hash: &str) -> Result<()> {
        let mut tx = self.store.write().await?;
        self.store.q("DELETE FROM sign_in_challenges WHERE id_hash = $1").bind(id_hash).execute(tx.conn()).await?;
        tx.commit().await
    }
}
