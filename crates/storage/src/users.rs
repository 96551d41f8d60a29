//! Accounts and their API tokens: `store.users()`. Token secrets are stored only as
//! hashes; the caller makes and hashes them.

use assure_domain::accounts::{check_account, check_api_token, normalise_email, AccountInput, Activation, TokenInput};
use assure_domain::{Checked, Invalid, Role};
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::audit::Event;
use crate::{all_checks, Actor, Result, RowExt, Store, StoreError};

/// The accounts and their API tokens.
#[derive(Clone, Copy)]
pub struct Users<'s> {
    store: &'s Store,
}

impl Store {
    pub fn users(&self) -> Users<'_> {
        Users { store: self }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub job_title: String,
    pub active: bool,
}

const COLS: &str = "id, name, email, role, job_title, active";

fn user(r: &AnyRow) -> Result<User> {
    Ok(User {
        id: r.i("id")?,
        name: r.s("name")?,
        email: r.s("email")?,
        role: r.e("role")?,
        job_title: r.s("job_title")?,
        active: r.i("active")? != 0,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub user_id: i64,
    pub user_email: String,
    pub name: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// An account as code names one, its role already known (the demo, fixtures, the
/// pathway's code): [`Users::create`] checks it as [`Users::create_account`] does.
pub struct NewUser<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub role: Role,
    pub job_title: &'a str,
    pub password_hash: &'a str,
}

impl NewUser<'_> {
    pub fn input(&self) -> AccountInput {
        AccountInput { name: self.name.into(), email: self.email.into(), job_title: self.job_title.into(), role: Some(self.role) }
    }
}

impl Users<'_> {
    /// Create an account named in code: checked as [`Users::create_account`] checks one.
    pub async fn create(&self, actor: &Actor, u: NewUser<'_>) -> Result<i64> {
        self.create_account(actor, &u.input(), u.password_hash).await
    }

    /// Create an account as typed: the domain's checks, and whether the address is
    /// already used, all at once. The caller hashes the password.
    pub async fn create_account(&self, actor: &Actor, input: &AccountInput, password_hash: &str) -> Result<i64> {
        let mut found = Invalid::new();
        let email = normalise_email(&input.email);
        if !email.is_empty() && self.by_email(&email).await?.is_some() {
            found.add("email", "An account with this email address already exists");
        }
        let u = all_checks(check_account(input), found, AccountInput::FIELDS)?;
        let mut tx = self.store.write().await?;
        let id: i64 = sqlx::Row::try_get(
            &self
                .store
                .q("INSERT INTO users (name, email, role, job_title, password_hash, active, created_at) VALUES ($1,$2,$3,$4,$5,1,$6) RETURNING id")
                .bind(u.name.clone())
                .bind(u.email.clone())
                .bind(u.role.slug())
                .bind(u.job_title.clone())
                .bind(password_hash.to_string())
                .bind(self.store.now())
                .fetch_one(tx.conn())
                .await?,
            "id",
        )?;
        tx.audit(actor, Event::new("user.create", "user", id, format!("account created with role {}", u.role.slug()))).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn get(&self, id: i64) -> Result<Option<User>> {
        let sql = format!("SELECT {COLS} FROM users WHERE id = $1");
        self.store.q(&sql).bind(id).fetch_optional(self.store.pool()).await?.as_ref().map(user).transpose()
    }

    /// The account and its password hash, for sign-in.
    pub async fn by_email(&self, email: &str) -> Result<Option<(User, String)>> {
        let sql = format!("SELECT {COLS}, password_hash FROM users WHERE email = $1");
        match self.store.q(&sql).bind(normalise_email(email)).fetch_optional(self.store.pool()).await? {
            None => Ok(None),
            Some(r) => Ok(Some((user(&r)?, r.s("password_hash")?))),
        }
    }

    pub async fn list(&self) -> Result<Vec<User>> {
        let sql = format!("SELECT {COLS} FROM users ORDER BY name");
        self.store.q(&sql).fetch_all(self.store.pool()).await?.iter().map(user).collect()
    }

    /// Accounts that can be named as lead officers.
    pub async fn possible_leads(&self) -> Result<Vec<User>> {
        let sql = format!("SELECT {COLS} FROM users WHERE active = 1 AND role IN ('lead-officer','scrutiny-officer','administrator') ORDER BY name");
        self.store.q(&sql).fetch_all(self.store.pool()).await?.iter().map(user).collect()
    }

    pub async fn set_password(&self, actor: &Actor, user_id: i64, hash: &str) -> Result<()> {
        let mut tx = self.store.write().await?;
        let n = self.store.q("UPDATE users SET password_hash = $1 WHERE id = $2").bind(hash.to_string()).bind(user_id).execute(tx.conn()).await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        // A new password ends every existing session.
        self.store.q("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(tx.conn()).await?;
        tx.audit(actor, Event::new("user.password", "user", user_id, "password set")).await?;
        tx.commit().await
    }

    /// Deactivate (ending its sessions and revoking its tokens) or reactivate an account.
    pub async fn set_active(&self, actor: &Actor, change: &Checked<Activation>) -> Result<()> {
        let Activation { user_id, active } = **change;
        let mut tx = self.store.write().await?;
        let n = self.store.q("UPDATE users SET active = $1 WHERE id = $2").bind(active as i64).bind(user_id).execute(tx.conn()).await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        if !active {
            self.store.q("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(tx.conn()).await?;
            self.store
                .q("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                .bind(self.store.now())
                .bind(user_id)
                .execute(tx.conn())
                .await?;
        }
        let what = if active { "account reactivated" } else { "account deactivated; sessions ended, tokens revoked" };
        tx.audit(actor, Event::new("user.active", "user", user_id, what)).await?;
        tx.commit().await
    }

    /// When each account last signed in (accounts that never have are absent).
    pub async fn last_sign_ins(&self) -> Result<std::collections::BTreeMap<i64, String>> {
        self.store
            .q("SELECT id, last_sign_in_at FROM users WHERE last_sign_in_at IS NOT NULL")
            .fetch_all(self.store.pool())
            .await?
            .iter()
            .map(|r| Ok((r.i("id")?, r.s("last_sign_in_at")?)))
            .collect()
    }

    pub async fn count(&self) -> Result<i64> {
        let r = self.store.q("SELECT COUNT(*) AS n FROM users").fetch_one(self.store.pool()).await?;
        r.i("n")
    }

    // ------------------------------------------------------------ API tokens

    /// Create an API token for an account: what it is for (`name`) checked by the domain
    /// against the account as stored (it must be active). The caller makes and hashes the
    /// secret.
    pub async fn create_token(&self, actor: &Actor, user_id: i64, name: &str, token_hash: &str) -> Result<i64> {
        let user = self.get(user_id).await?.ok_or(StoreError::NotFound)?;
        let t = check_api_token(&TokenInput { name: name.into() }, user.active)?;
        let name = &t.name;
        let mut tx = self.store.write().await?;
        let r = self
            .store
            .q("INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1,$2,$3,$4) RETURNING id")
            .bind(user_id)
            .bind(name.clone())
            .bind(token_hash.to_string())
            .bind(self.store.now())
            .fetch_one(tx.conn())
            .await?;
        let id = r.i("id")?;
        tx.audit(actor, Event::new("token.create", "api_token", id, format!("API token {name:?} created for user {user_id}"))).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The account behind an unrevoked token.
    pub async fn by_token(&self, token_hash: &str) -> Result<Option<User>> {
        let r = self
            .store
            .q("SELECT u.id FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active = 1")
            .bind(token_hash.to_string())
            .fetch_optional(self.store.pool())
            .await?;
        match r {
            None => Ok(None),
            Some(r) => self.get(r.i("id")?).await,
        }
    }

    pub async fn tokens(&self) -> Result<Vec<TokenInfo>> {
        let rows = self
            .store
            .q("SELECT t.id, t.user_id, u.email, t.name, t.created_at, t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id")
            .fetch_all(self.store.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(TokenInfo {
                    id: r.i("id")?,
                    user_id: r.i("user_id")?,
                    user_email: r.s("email")?,
                    name: r.s("name")?,
                    created_at: r.s("created_at")?,
                    revoked_at: r.os("revoked_at")?,
                })
            })
            .collect()
    }

    pub async fn revoke_token(&self, actor: &Actor, id: i64) -> Result<()> {
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(self.store.now())
            .bind(id)
            .execute(tx.conn())
            .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(actor, Event::new("token.revoke", "api_token", id, "API token revoked")).await?;
        tx.commit().await
    }
}
