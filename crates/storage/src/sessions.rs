//! Server-side sessions, API bearer tokens and sign-in throttling. Secrets are
//! stored only as hashes; the caller makes and hashes them.

use serde::Serialize;

use crate::audit::Event;
use crate::users::User;
use crate::{now, Actor, Result, RowExt, Store, StoreError};

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user: User,
    pub csrf_token: String,
    pub created_at: String,
    pub last_seen_at: String,
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

impl Store {
    pub async fn create_session(&self, id_hash: &str, user_id: i64, csrf: &str, ip: &str) -> Result<()> {
        let t = now();
        let mut tx = self.write().await?;
        self.q("INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, ip) VALUES ($1,$2,$3,$4,$4,$5)")
            .bind(id_hash.to_string())
            .bind(user_id)
            .bind(csrf.to_string())
            .bind(t)
            .bind(ip.to_string())
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }

    /// The session and its (active) account.
    pub async fn session(&self, id_hash: &str) -> Result<Option<SessionRow>> {
        let r = self
            .q("SELECT u.id, u.name, u.email, u.role, u.job_title, u.active, s.csrf_token, s.created_at, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND u.active = 1")
            .bind(id_hash.to_string())
            .fetch_optional(self.pool())
            .await?;
        let Some(r) = r else { return Ok(None) };
        Ok(Some(SessionRow {
            user: User { id: r.i("id")?, name: r.s("name")?, email: r.s("email")?, role: r.e("role")?, job_title: r.s("job_title")?, active: true },
            csrf_token: r.s("csrf_token")?,
            created_at: r.s("created_at")?,
            last_seen_at: r.s("last_seen_at")?,
        }))
    }

    pub async fn touch_session(&self, id_hash: &str) -> Result<()> {
        self.q("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2").bind(now()).bind(id_hash.to_string()).execute(self.pool()).await?;
        Ok(())
    }

    pub async fn delete_session(&self, id_hash: &str) -> Result<()> {
        self.q("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash.to_string()).execute(self.pool()).await?;
        Ok(())
    }

    /// Remove sessions idle since before `idle_before` or created before `created_before`.
    pub async fn purge_sessions(&self, idle_before: &str, created_before: &str) -> Result<u64> {
        let r = self
            .q("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
            .bind(idle_before.to_string())
            .bind(created_before.to_string())
            .execute(self.pool())
            .await?;
        Ok(r.rows_affected())
    }

    pub async fn create_token(&self, actor: &Actor, user_id: i64, name: &str, token_hash: &str) -> Result<i64> {
        let mut tx = self.write().await?;
        let r = self
            .q("INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1,$2,$3,$4) RETURNING id")
            .bind(user_id)
            .bind(name.to_string())
            .bind(token_hash.to_string())
            .bind(now())
            .fetch_one(tx.conn())
            .await?;
        let id = r.i("id")?;
        tx.audit(actor, Event::new("token.create", "api_token", id, format!("API token {name:?} created for user {user_id}"))).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The account behind an unrevoked token.
    pub async fn user_for_token(&self, token_hash: &str) -> Result<Option<User>> {
        let r = self
            .q("SELECT u.id FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active = 1")
            .bind(token_hash.to_string())
            .fetch_optional(self.pool())
            .await?;
        match r {
            None => Ok(None),
            Some(r) => self.user(r.i("id")?).await,
        }
    }

    pub async fn list_tokens(&self) -> Result<Vec<TokenInfo>> {
        let rows = self
            .q("SELECT t.id, t.user_id, u.email, t.name, t.created_at, t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id")
            .fetch_all(self.pool())
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
        let mut tx = self.write().await?;
        let n = self.q("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL").bind(now()).bind(id).execute(tx.conn()).await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(actor, Event::new("token.revoke", "api_token", id, "API token revoked")).await?;
        tx.commit().await
    }

    pub async fn record_login_failure(&self, scope: &str, key: &str) -> Result<()> {
        self.q("INSERT INTO login_failures (scope, key, at) VALUES ($1,$2,$3)")
            .bind(scope.to_string())
            .bind(key.to_string())
            .bind(now())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn count_login_failures(&self, scope: &str, key: &str, since: &str) -> Result<i64> {
        let r = self
            .q("SELECT COUNT(*) AS n FROM login_failures WHERE scope = $1 AND key = $2 AND at >= $3")
            .bind(scope.to_string())
            .bind(key.to_string())
            .bind(since.to_string())
            .fetch_one(self.pool())
            .await?;
        r.i("n")
    }

    pub async fn clear_login_failures(&self, scope: &str, key: &str) -> Result<()> {
        self.q("DELETE FROM login_failures WHERE scope = $1 AND key = $2").bind(scope.to_string()).bind(key.to_string()).execute(self.pool()).await?;
        Ok(())
    }
}
