//! Server-side sessions and sign-in throttling: `store.sessions()`. Session ids are
//! stored only as hashes; the caller makes and hashes them.

use crate::users::User;
use crate::{Engine, Result, RowExt, Store};

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
        self.store.q("UPDATE users SET last_sign_in_at = $1 WHERE id = $2").bind(self.store.now()).bind(user_id).execute(tx.conn()).await?;
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

    /// Claim one sign-in attempt against every limit at once, before the password is
    /// checked: in one transaction (SQLite's write lock; PostgreSQL's row locks, taken in
    /// one order so that concurrent claims and other instances queue rather than race),
    /// every limit is read, and either the attempt is refused with the seconds to wait, or
    /// it is counted against every limit and each limit's next allowed time is moved on.
    /// So of any number of concurrent attempts, at most each limit's `free` are checked.
    pub async fn claim_sign_in(&self, limits: &[Limit<'_>], forget_after: chrono::Duration) -> Result<Claim> {
        let mut limits: Vec<&Limit<'_>> = limits.iter().collect();
        limits.sort_by(|a, b| (a.scope, a.key).cmp(&(b.scope, b.key)));
        let now = self.store.clock().now();
        let stamp = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let parse = |t: &str| chrono::DateTime::parse_from_rfc3339(t).map(|d| d.with_timezone(&chrono::Utc)).unwrap_or(now);
        let mut tx = self.store.write().await?;
        let lock = if self.store.engine() == Engine::Postgres { " FOR UPDATE" } else { "" };
        let mut current = Vec::with_capacity(limits.len());
        for l in &limits {
            self.store
                .q("INSERT INTO sign_in_throttle (scope, key, failures, last_at, blocked_until) VALUES ($1,$2,0,$3,$3) ON CONFLICT (scope, key) DO NOTHING")
                .bind(l.scope.to_string())
                .bind(l.key.to_string())
                .bind(stamp(now))
                .execute(tx.conn())
                .await?;
            let sql = format!("SELECT failures, last_at, blocked_until FROM sign_in_throttle WHERE scope = $1 AND key = $2{lock}");
            let r = self.store.q(&sql).bind(l.scope.to_string()).bind(l.key.to_string()).fetch_one(tx.conn()).await?;
            let quiet = now - parse(&r.s("last_at")?) > forget_after;
            let failures = if quiet { 0 } else { r.i("failures")? };
            current.push((failures, parse(&r.s("blocked_until")?)));
        }
        let wait = current.iter().map(|(_, until)| *until - now).max().unwrap_or_default();
        if wait > chrono::Duration::zero() {
            // Nothing is counted for a refused attempt (the transaction is dropped).
            let secs = (wait.num_milliseconds() + 999) / 1000;
            return Ok(Claim::Wait(secs.max(1)));
        }
        for (l, (failures, _)) in limits.iter().zip(current) {
            let failures = failures + 1;
            let until = now + l.delay_after(failures);
            self.store
                .q("UPDATE sign_in_throttle SET failures = $1, last_at = $2, blocked_until = $3 WHERE scope = $4 AND key = $5")
                .bind(failures)
                .bind(stamp(now))
                .bind(stamp(until))
                .bind(l.scope.to_string())
                .bind(l.key.to_string())
                .execute(tx.conn())
                .await?;
        }
        tx.commit().await?;
        Ok(Claim::Go)
    }

    /// After a correct password: the limits in `forget` start again, and the attempt
    /// counted against each of `refund` is given back. Rows are touched in the order
    /// claims lock them, so that the two cannot deadlock on PostgreSQL.
    pub async fn sign_in_succeeded(&self, forget: &[(&str, &str)], refund: &[(&str, &str)]) -> Result<()> {
        let mut rows: Vec<(&str, &str, bool)> =
            forget.iter().map(|(s, k)| (*s, *k, true)).chain(refund.iter().map(|(s, k)| (*s, *k, false))).collect();
        rows.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        let mut tx = self.store.write().await?;
        for (scope, key, forget) in rows {
            let sql = if forget {
                "DELETE FROM sign_in_throttle WHERE scope = $1 AND key = $2"
            } else {
                "UPDATE sign_in_throttle SET failures = failures - 1 WHERE scope = $1 AND key = $2 AND failures > 0"
            };
            self.store.q(sql).bind(scope.to_string()).bind(key.to_string()).execute(tx.conn()).await?;
        }
        tx.commit().await
    }
}

/// One limit a sign-in attempt is held to: the first `free` attempts (since the key
/// was last quiet) go at once; after that each attempt must wait, starting at
/// `first_delay` and doubling up to `max_delay`. Delays, not a lock-out: nobody can
/// stop an account being used for longer than `max_delay`.
#[derive(Debug, Clone)]
pub struct Limit<'a> {
    pub scope: &'a str,
    pub key: &'a str,
    pub free: i64,
    pub first_delay: chrono::Duration,
    pub max_delay: chrono::Duration,
}

impl Limit<'_> {
    /// The wait imposed after the `n`th counted attempt.
    pub fn delay_after(&self, n: i64) -> chrono::Duration {
        if n < self.free {
            return chrono::Duration::zero();
        }
        let doublings = (n - self.free).min(30) as u32;
        let ms = self.first_delay.num_milliseconds().saturating_mul(1i64 << doublings);
        chrono::Duration::milliseconds(ms).min(self.max_delay)
    }
}

/// Whether a sign-in attempt may go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    Go,
    /// Refused: try again after this many seconds.
    Wait(i64),
}
