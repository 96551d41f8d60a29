//! The append-only, hash-chained audit log: entries are appended with `tx.audit` inside
//! the change they record (or `store.record` for an event that changes nothing else),
//! and read back and verified through `store.audit()`.

use assure_domain::audit::{AuditEntry, ChainBreak, ChainVerifier, GENESIS};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::sql::Sql;
use crate::{now, Engine, Result, RowExt, Store, WriteTx};

/// Who is acting, and from where. Passed to every change so it can be audited.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    /// As shown to people: the account's e-mail address, or "system".
    pub label: String,
    pub ip: String,
}

impl Actor {
    pub fn system() -> Actor {
        Actor { user_id: None, label: "system".into(), ip: String::new() }
    }
}

/// What to record.
pub struct Event<'a> {
    pub action: &'a str,
    pub record_type: &'a str,
    pub record_id: String,
    pub detail: String,
}

impl<'a> Event<'a> {
    pub fn new(action: &'a str, record_type: &'a str, record_id: impl ToString, detail: impl Into<String>) -> Self {
        Event { action, record_type, record_id: record_id.to_string(), detail: detail.into() }
    }
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    /// ISO dates, inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
}

const COLS: &str = "seq, at, actor_user_id, actor, action, record_type, record_id, detail, ip, prev_hash, hash";

fn entry(r: &AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.i("seq")?,
        at: r.s("at")?,
        actor_user_id: r.oi("actor_user_id")?,
        actor: r.s("actor")?,
        action: r.s("action")?,
        record_type: r.s("record_type")?,
        record_id: r.s("record_id")?,
        detail: r.s("detail")?,
        ip: r.s("ip")?,
        prev_hash: r.s("prev_hash")?,
        hash: r.s("hash")?,
    })
}

impl WriteTx<'_> {
    /// Append an audit entry inside this transaction.
    pub async fn audit(&mut self, actor: &Actor, ev: Event<'_>) -> Result<()> {
        let store = self.store;
        let (seq, prev_hash) = match self.audit_tail.take() {
            Some((seq, hash)) => (seq + 1, hash),
            None => {
                if store.engine == Engine::Postgres {
                    // Several instances may append at once: one at a time, in this transaction.
                    store.q("SELECT pg_advisory_xact_lock(724200)").execute(self.conn()).await?;
                }
                let last = store.q("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(self.conn()).await?;
                match last {
                    Some(r) => (r.try_get::<i64, _>("seq")? + 1, r.try_get::<String, _>("hash")?),
                    None => (1, GENESIS.to_string()),
                }
            }
        };
        let mut e = AuditEntry {
            seq,
            at: now(),
            actor_user_id: actor.user_id,
            actor: actor.label.clone(),
            action: ev.action.to_string(),
            record_type: ev.record_type.to_string(),
            record_id: ev.record_id,
            detail: ev.detail,
            ip: actor.ip.clone(),
            prev_hash,
            hash: String::new(),
        };
        e.hash = e.compute_hash();
        store
            .q("INSERT INTO audit_log (seq, at, actor_user_id, actor, action, record_type, record_id, detail, ip, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)")
            .bind(e.seq)
            .bind(e.at)
            .bind(e.actor_user_id)
            .bind(e.actor)
            .bind(e.action)
            .bind(e.record_type)
            .bind(e.record_id)
            .bind(e.detail)
            .bind(e.ip)
            .bind(e.prev_hash)
            .bind(e.hash.clone())
            .execute(self.conn())
            .await?;
        self.audit_tail = Some((seq, e.hash));
        Ok(())
    }

    /// The chain's head is the last entry this transaction appended (called by `commit`).
    pub(crate) async fn write_audit_head(&mut self) -> Result<()> {
        if let Some((seq, hash)) = self.audit_tail.clone() {
            let store = self.store;
            store.q("DELETE FROM audit_head").execute(self.conn()).await?;
            store.q("INSERT INTO audit_head (id, seq, hash) VALUES (1, $1, $2)").bind(seq).bind(hash).execute(self.conn()).await?;
        }
        Ok(())
    }
}

impl Store {
    /// Record an event that changes nothing else (a view, a download, a sign-in).
    pub async fn record(&self, actor: &Actor, ev: Event<'_>) -> Result<()> {
        let mut tx = self.write().await?;
        tx.audit(actor, ev).await?;
        tx.commit().await
    }
}

/// Reading the log back: listing and verifying the chain (`store.audit()`).
#[derive(Clone, Copy)]
pub struct AuditLog<'s> {
    store: &'s Store,
}

impl Store {
    pub fn audit(&self) -> AuditLog<'_> {
        AuditLog { store: self }
    }
}

impl AuditLog<'_> {
    /// Walk the whole log in order. `Ok(n)` when all `n` entries are intact.
    pub async fn verify(&self) -> Result<Result<i64, ChainBreak>> {
        let mut v = ChainVerifier::default();
        let mut after = 0i64;
        loop {
            let sql = format!("SELECT {COLS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 5000");
            let rows = self.store.q(&sql).bind(after).fetch_all(self.store.pool()).await?;
            if rows.is_empty() {
                let head = self.store.q("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_optional(self.store.pool()).await?;
                let head = match head {
                    Some(r) => Some((r.i("seq")?, r.s("hash")?)),
                    None => None,
                };
                return Ok(v.finish(head.as_ref().map(|(s, h)| (*s, h.as_str()))));
            }
            for r in &rows {
                let e = entry(r)?;
                if let Err(b) = v.check(&e) {
                    return Ok(Err(b));
                }
                after = e.seq;
            }
        }
    }

    /// Newest first, filtered; returns one page and whether there are more.
    pub async fn list(&self, f: &AuditFilter, limit: i64, offset: i64) -> Result<(Vec<AuditEntry>, bool)> {
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        for (field, what, v) in [
            ("actor", "person", &f.actor),
            ("action", "action", &f.action),
            ("record_type", "record type", &f.record_type),
            ("record_id", "record", &f.record_id),
        ] {
            if let Some(problem) = v.as_deref().and_then(|t| assure_domain::text::search_problem(what, t)) {
                return Err(assure_domain::Invalid::single(field, problem).into());
            }
        }
        let mut sql = Sql::new(format!("SELECT {COLS} FROM audit_log WHERE 1=1"));
        if let Some(a) = given(&f.actor) {
            sql.push(" AND LOWER(actor) LIKE ").bind(format!("%{}%", a.to_lowercase()));
        }
        if let Some(a) = given(&f.action) {
            sql.push(" AND action LIKE ").bind(format!("{a}%"));
        }
        if let Some(a) = given(&f.record_type) {
            sql.push(" AND record_type = ").bind(a);
        }
        if let Some(a) = given(&f.record_id) {
            sql.push(" AND record_id = ").bind(a);
        }
        if let Some(a) = given(&f.from) {
            sql.push(" AND at >= ").bind(a);
        }
        if let Some(a) = given(&f.to) {
            // Inclusive of the whole "to" day.
            sql.push(" AND at < ").bind(format!("{a}T99"));
        }
        sql.push(&format!(" ORDER BY seq DESC LIMIT {} OFFSET {}", limit + 1, offset.max(0)));
        let rows = sql.query(self.store).fetch_all(self.store.pool()).await?;
        let more = rows.len() as i64 > limit;
        let entries = rows.iter().take(limit as usize).map(entry).collect::<Result<Vec<_>>>()?;
        Ok((entries, more))
    }
}
