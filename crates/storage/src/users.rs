//! Accounts.

use assure_domain::{Invalid, Role};
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::audit::Event;
use crate::{now, Actor, Result, RowExt, Store, StoreError};

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

pub struct NewUser<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub role: Role,
    pub job_title: &'a str,
    pub password_hash: &'a str,
}

/// Normalise and check an e-mail address the way sign-in compares it.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn looks_like_email(e: &str) -> bool {
    let mut parts = e.split('@');
    matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(b), None) if !a.is_empty() && b.contains('.') && !b.starts_with('.') && !b.ends_with('.'))
        && !e.chars().any(char::is_whitespace)
}

impl Store {
    pub async fn create_user(&self, actor: &Actor, u: NewUser<'_>) -> Result<i64> {
        let email = normalise_email(u.email);
        let mut v = Invalid::new();
        let name = v.required("name", u.name, "Enter the person's full name");
        v.max_len("name", &name, 200, "Name");
        if email.is_empty() {
            v.add("email", "Enter an email address");
        } else if !looks_like_email(&email) {
            v.add("email", "Enter an email address in the correct format, like name@example.org");
        } else if self.user_by_email(&email).await?.is_some() {
            v.add("email", "An account with this email address already exists");
        }
        v.finish()?;
        let mut tx = self.write().await?;
        let id: i64 = sqlx::Row::try_get(
            &self
                .q("INSERT INTO users (name, email, role, job_title, password_hash, active, created_at) VALUES ($1,$2,$3,$4,$5,1,$6) RETURNING id")
                .bind(name.clone())
                .bind(email.clone())
                .bind(u.role.slug())
                .bind(u.job_title.trim().to_string())
                .bind(u.password_hash.to_string())
                .bind(now())
                .fetch_one(tx.conn())
                .await?,
            "id",
        )?;
        tx.audit(actor, Event::new("user.create", "user", id, format!("account created with role {}", u.role.slug()))).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>> {
        let sql = format!("SELECT {COLS} FROM users WHERE id = $1");
        self.q(&sql).bind(id).fetch_optional(self.pool()).await?.as_ref().map(user).transpose()
    }

    /// The account and its password hash, for sign-in.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<(User, String)>> {
        let sql = format!("SELECT {COLS}, password_hash FROM users WHERE email = $1");
        match self.q(&sql).bind(normalise_email(email)).fetch_optional(self.pool()).await? {
            None => Ok(None),
            Some(r) => Ok(Some((user(&r)?, r.s("password_hash")?))),
        }
    }

    pub async fn list_users(&self) -> Result<Vec<User>> {
        let sql = format!("SELECT {COLS} FROM users ORDER BY name");
        self.q(&sql).fetch_all(self.pool()).await?.iter().map(user).collect()
    }

    /// Accounts that can be named as lead officers.
    pub async fn possible_leads(&self) -> Result<Vec<User>> {
        let sql = format!("SELECT {COLS} FROM users WHERE active = 1 AND role IN ('lead-officer','scrutiny-officer','administrator') ORDER BY name");
        self.q(&sql).fetch_all(self.pool()).await?.iter().map(user).collect()
    }

    pub async fn set_password(&self, actor: &Actor, user_id: i64, hash: &str) -> Result<()> {
        let mut tx = self.write().await?;
        let n = self.q("UPDATE users SET password_hash = $1 WHERE id = $2").bind(hash.to_string()).bind(user_id).execute(tx.conn()).await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        // A new password ends every existing session.
        self.q("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(tx.conn()).await?;
        tx.audit(actor, Event::new("user.password", "user", user_id, "password set")).await?;
        tx.commit().await
    }

    pub async fn set_user_active(&self, actor: &Actor, user_id: i64, active: bool) -> Result<()> {
        let mut tx = self.write().await?;
        let n = self.q("UPDATE users SET active = $1 WHERE id = $2").bind(active as i64).bind(user_id).execute(tx.conn()).await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        if !active {
            self.q("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(tx.conn()).await?;
            self.q("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                .bind(now())
                .bind(user_id)
                .execute(tx.conn())
                .await?;
        }
        let what = if active { "account reactivated" } else { "account deactivated; sessions ended, tokens revoked" };
        tx.audit(actor, Event::new("user.active", "user", user_id, what)).await?;
        tx.commit().await
    }

    pub async fn count_users(&self) -> Result<i64> {
        let r = self.q("SELECT COUNT(*) AS n FROM users").fetch_one(self.pool()).await?;
        r.i("n")
    }
}

#[cfg(test)]
mod tests {
    use super::looks_like_email;

    #[test]
    fn email_shape() {
        assert!(looks_like_email("a.b@example.org"));
        assert!(!looks_like_email("a.b@example"));
        assert!(!looks_like_email("a b@example.org"));
        assert!(!looks_like_email("@example.org"));
        assert!(!looks_like_email("a@b@example.org"));
    }
}
