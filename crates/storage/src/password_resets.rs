//! Password reset by an e-mailed link (`store.password_resets()`): a request keeps the
//! link secret's hash and queues the e-mail in one transaction; using the link sets the
//! password, ends every session, and spends every outstanding link of the account.
//! Whether an address has an account is never told to the person asking.

use assure_domain::password_reset::{self, LINK_MINUTES, RESEND_AFTER_MINUTES};
use assure_domain::Checked;
use chrono::Duration;

use crate::audit::Event;
use crate::{stamp, Actor, Result, RowExt, Store};

#[derive(Clone, Copy)]
pub struct PasswordResets<'s> {
    store: &'s Store,
}

impl Store {
    pub fn password_resets(&self) -> PasswordResets<'_> {
        PasswordResets { store: self }
    }
}

/// What became of a request for a link: told to nobody but the log and the tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requested {
    /// A link was queued to the account's address.
    Sent,
    /// No active account has that address.
    NoAccount,
    /// A link went to this account moments ago.
    TooSoon,
}

impl PasswordResets<'_> {
    /// Ask for a link for `email` (normalised by the caller). `token_hash` is the hash of
    /// the secret in `link`.
    pub async fn request(&self, ip: &str, email: &str, token_hash: &str, service: &str, link: &str) -> Result<Requested> {
        let now = self.store.clock().now();
        let mut tx = self.store.write().await?;
        let Some(user) = self.store.q("SELECT id, email FROM users WHERE email = $1 AND active = 1").bind(email).fetch_optional(tx.conn()).await?
        else {
            return Ok(Requested::NoAccount);
        };
        let user_id = user.i("id")?;
        let recent = self
            .store
            .q("SELECT COUNT(*) AS n FROM password_resets WHERE user_id = $1 AND created_at > $2")
            .bind(user_id)
            .bind(stamp(now - Duration::minutes(RESEND_AFTER_MINUTES)))
            .fetch_one(tx.conn())
            .await?
            .i("n")?;
        if recent > 0 {
            return Ok(Requested::TooSoon);
        }
        self.store
            .q("INSERT INTO password_resets (user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(user_id)
            .bind(token_hash)
            .bind(stamp(now))
            .bind(stamp(now + Duration::minutes(LINK_MINUTES)))
            .execute(tx.conn())
            .await?;
        let (subject, body) = password_reset::message(service, link);
        let at = stamp(now);
        self.store.mail().insert(&mut tx, Some(user_id), &user.s("email")?, &subject, &body, "password-reset", "pending", &at).await?;
        let actor = Actor { user_id: Some(user_id), label: "anonymous".into(), ip: ip.into() };
        tx.audit(&actor, Event::new("user.password-reset-requested", "user", user_id, "a password reset link was e-mailed")).await?;
        tx.commit().await?;
        Ok(Requested::Sent)
    }

    /// Whether a link is still good (unused, not expired), for showing its form.
    pub async fn usable(&self, token_hash: &str) -> Result<bool> {
        let n = self
            .store
            .q("SELECT COUNT(*) AS n FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
            .bind(token_hash)
            .bind(self.store.now())
            .fetch_one(self.store.pool())
            .await?
            .i("n")?;
        Ok(n > 0)
    }

    /// Use a link: set the password (already hashed) to one [`password_reset::check_new_password`]
    /// passed, end every session, spend every link of the account. `None` when the link is
    /// unknown, used or expired (nothing changes).
    pub async fn reset(&self, ip: &str, token_hash: &str, _checked: &Checked<String>, password_hash: &str) -> Result<Option<i64>> {
        let now = self.store.now();
        let mut tx = self.store.write().await?;
        let spent = self
            .store
            .q("UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id")
            .bind(&now)
            .bind(token_hash)
            .fetch_optional(tx.conn())
            .await?;
        let Some(row) = spent else { return Ok(None) };
        let user_id = row.i("user_id")?;
        self.store
            .q("UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
            .bind(&now)
            .bind(user_id)
            .execute(tx.conn())
            .await?;
        let n = self
            .store
            .q("UPDATE users SET password_hash = $1 WHERE id = $2 AND active = 1")
            .bind(password_hash)
            .bind(user_id)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Ok(None); // deactivated since the link was sent: nothing is kept
        }
        self.store.q("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(tx.conn()).await?;
        let actor = Actor { user_id: Some(user_id), label: "anonymous".into(), ip: ip.into() };
        tx.audit(&actor, Event::new("user.password-reset", "user", user_id, "password reset by e-mailed link; every session ended")).await?;
        tx.commit().await?;
        Ok(Some(user_id))
    }
}
