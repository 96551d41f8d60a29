//! Server-side sessions and sign-in throttling: `store.sessions()`. Session ids are
//! stored only as hashes; the caller makes and hashes them.

use crate::users::User;
use crate::{Result, RowExt, Store};

/// Who is signed in, and the failed sign-ins that slow the next attempts down.
#[derive(Clone, Copy)]
pub struct Sessions<'s> {
    store: &'s Store,
}

impl Store {
    pub fn sessions(&self) -> Sessions<'_> {
        Sessions { store: self }
    }
}

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user: User,
    pub csrf_token: String,
    pub created_at: String,
    pub last_seen_at: String,
}

impl Sessions<'_> {
    pub async fn create(&self, id_hash: &str, user_id: i64, csrf: &str, ip: &str) -> Result<()> {
        let t = self.store.now();
        let mut tx = self.store.write().await?;
        self.store
            .q("INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, ip) VALUES ($1,$2,$3,$4,$4,$5)")
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
    pub async fn get(&self, id_hash: &str) -> Result<Option<SessionRow>> {
        let r = self.store
            .q("SELECT u.id, u.name, u.email, u.role, u.job_title, u.active, s.csrf_token, s.created_at, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND u.active = 1")
            .bind(id_hash.to_string())
            .fetch_optional(self.store.pool())
            .await?;
        let Some(r) = r else { return Ok(None) };
        Ok(Some(SessionRow {
            user: User { id: r.i("id")?, name: r.s("name")?, email: r.s("email")?, role: r.e("role")?, job_title: r.s("job_title")?, active: true },
            csrf_token: r.s("csrf_token")?,
            created_at: r.s("created_at")?,
            last_seen_at: r.s("last_seen_at")?,
        }))
    }

    pub async fn touch(&self, id_hash: &str) -> Result<()> {
        self.store
            .q("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(self.store.now())
            .bind(id_hash.to_string())
            .execute(self.store.pool())
            .await?;
        Ok(())
    }

    pub async fn delete(&self, id_hash: &str) -> Result<()> {
        self.store.q("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash.to_string()).execute(self.store.pool()).await?;
        Ok(())
    }

    /// Remove sessions idle since before `idle_before` or created before `created_before`.
    pub async fn purge(&self, idle_before: &str, created_before: &str) -> Result<u64> {
        let r = self
            .store
            .q("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
            .bind(idle_before.to_string())
            .bind(created_before.to_string())
            .execute(self.store.pool())
            .await?;
        Ok(r.rows_affected())
    }

    pub async fn record_login_failure(&self, scope: &str, key: &str) -> Result<()> {
        self.store
            .q("INSERT INTO login_failures (scope, key, at) VALUES ($1,$2,$3)")
            .bind(scope.to_string())
            .bind(key.to_string())
            .bind(self.store.now())
            .execute(self.store.pool())
            .await?;
        Ok(())
    }

    pub async fn count_login_failures(&self, scope: &str, key: &str, since: &str) -> Result<i64> {
        let r = self
            .store
            .q("SELECT COUNT(*) AS n FROM login_failures WHERE scope = $1 AND key = $2 AND at >= $3")
            .bind(scope.to_string())
            .bind(key.to_string())
            .bind(since.to_string())
            .fetch_one(self.store.pool())
            .await?;
        r.i("n")
    }

    pub async fn clear_login_failures(&self, scope: &str, key: &str) -> Result<()> {
        self.store
            .q("DELETE FROM login_failures WHERE scope = $1 AND key = $2")
            .bind(scope.to_string())
            .bind(key.to_string())
            .execute(self.store.pool())
            .await?;
        Ok(())
    }
}
