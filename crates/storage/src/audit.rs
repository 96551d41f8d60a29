//! The append-only, hash-chained audit log: entries are appended with `tx.audit` inside
//! the change they record (or `store.record` for an event that changes nothing else),
//! and read back and verified through `store.audit()`.

use std::io::Write;
use std::path::{Path, PathBuf};

use assure_domain::audit::{Anchor, AnchorBreak, Anchors, AuditEntry, ChainBreak, ChainVerifier, Keyring, GENESIS};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::sql::Sql;
use crate::{Engine, Result, RowExt, Store, StoreError, WriteTx};

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

const COLS: &str = "seq, at, actor_user_id, actor, action, record_type, record_id, detail, ip, prev_hash, key_id, hash";

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
        key_id: r.s("key_id")?,
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
                let (seq, hash) = self.chain_tail().await?;
                (seq + 1, hash)
            }
        };
        let mut e = AuditEntry {
            seq,
            at: self.store.now(),
            actor_user_id: actor.user_id,
            actor: actor.label.clone(),
            action: ev.action.to_string(),
            record_type: ev.record_type.to_string(),
            record_id: ev.record_id,
            detail: ev.detail,
            ip: actor.ip.clone(),
            prev_hash,
            key_id: String::new(),
            hash: String::new(),
        };
        let keys = store.audit_keys();
        let key = keys.as_ref().map(|k| k.current());
        e.key_id = key.map(|k| k.id.clone()).unwrap_or_default();
        e.hash = e.compute_hash_with(key);
        store
            .q("INSERT INTO audit_log (seq, at, actor_user_id, actor, action, record_type, record_id, detail, ip, prev_hash, key_id, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)")
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
            .bind(e.key_id)
            .bind(e.hash.clone())
            .execute(self.conn())
            .await?;
        self.audit_tail = Some((seq, e.hash));
        Ok(())
    }

    /// Take the chain for this transaction and read its last entry (seq 0 and the
    /// genesis hash when it is empty): on PostgreSQL several instances may append at
    /// once, so one at a time, by an advisory lock held until this transaction ends; on
    /// SQLite the transaction is already the only writer.
    async fn chain_tail(&mut self) -> Result<(i64, String)> {
        let store = self.store;
        if store.engine == Engine::Postgres {
            store.q("SELECT pg_advisory_xact_lock(724200)").execute(self.conn()).await?;
        }
        let last = store.q("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(self.conn()).await?;
        Ok(match last {
            Some(r) => (r.try_get::<i64, _>("seq")?, r.try_get::<String, _>("hash")?),
            None => (0, GENESIS.to_string()),
        })
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
    /// Append audit entries with these keys from now on (their current key).
    pub fn set_audit_keys(&self, keys: Keyring) {
        *self.audit_keys.write().unwrap_or_else(|e| e.into_inner()) = Some(keys);
    }

    /// The audit keys in use, if any.
    pub fn audit_keys(&self) -> Option<Keyring> {
        self.audit_keys.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Record an event that changes nothing else (a view, a download, a sign-in), and
    /// return once it is committed: never before.
    ///
    /// Such events share commits (group commit): each waits in a queue, and one writer
    /// at a time takes the chain (the write lock on SQLite, the audit lock on
    /// PostgreSQL), then every entry waiting by then, appends them all in one
    /// transaction and commits, and only then answers each caller. So 64 people opening
    /// children's records at once make a few commits, not 64 in a row, and nobody is
    /// answered before their own entry is durable. If the batch cannot be written, every
    /// caller in it gets the error: none is lost silently.
    pub async fn record(&self, actor: &Actor, ev: Event<'_>) -> Result<()> {
        let (done, answer) = tokio::sync::oneshot::channel();
        let waiting = Waiting {
            actor: actor.clone(),
            action: ev.action.to_string(),
            record_type: ev.record_type.to_string(),
            record_id: ev.record_id,
            detail: ev.detail,
            done,
        };
        let start = {
            let mut q = self.audit_queue.lock();
            q.entries.push(waiting);
            !std::mem::replace(&mut q.flushing, true)
        };
        if start {
            // Its own task: a request given up half way cannot strand the others.
            let store = self.clone();
            tokio::spawn(async move { store.flush_audit_queue().await });
        }
        match answer.await {
            Ok(r) => r,
            Err(_) => Err(StoreError::Corrupt("the audit entry's commit stopped before it was written".into())),
        }
    }

    /// How many audit entries wait for their commit (for tests).
    #[doc(hidden)]
    pub fn audit_entries_waiting(&self) -> usize {
        self.audit_queue.lock().entries.len()
    }

    /// The one writer of the queue: until it is empty, commit whatever waits.
    async fn flush_audit_queue(&self) {
        let mut stop = FlushStop { store: self, armed: true };
        loop {
            {
                // Checked and given up under the lock a caller pushes under: an entry
                // pushed after this finds no writer and starts one, and this writer is
                // then done with the queue (disarmed, so its end cannot touch what the
                // next writer is answering).
                let mut q = self.audit_queue.lock();
                if q.entries.is_empty() {
                    q.flushing = false;
                    stop.armed = false;
                    return;
                }
            }
            let (batch, result) = self.commit_audit_batch().await;
            match result {
                Ok(()) => {
                    for w in batch {
                        let _ = w.done.send(Ok(()));
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, entries = batch.len(), "audit entries could not be written; every request in the batch fails");
                    let e = std::sync::Arc::new(e);
                    for w in batch {
                        let _ = w.done.send(Err(StoreError::Shared(e.clone())));
                    }
                }
            }
        }
    }

    /// Take the chain, then every entry waiting (at most [`AUDIT_BATCH`]), and append
    /// and commit them together. Returns the entries taken and how it went (if the
    /// chain cannot be taken, those waiting are taken to be told so).
    async fn commit_audit_batch(&self) -> (Vec<Waiting>, Result<()>) {
        let mut tx = match self.write().await {
            Ok(tx) => tx,
            Err(e) => return (self.take_audit_batch(), Err(e)),
        };
        let tail = match tx.chain_tail().await {
            Ok(t) => t,
            Err(e) => return (self.take_audit_batch(), Err(e)),
        };
        tx.audit_tail = Some(tail);
        let batch = self.take_audit_batch();
        for w in &batch {
            let ev = Event { action: &w.action, record_type: &w.record_type, record_id: w.record_id.clone(), detail: w.detail.clone() };
            if let Err(e) = tx.audit(&w.actor, ev).await {
                return (batch, Err(e));
            }
        }
        if batch.is_empty() {
            // Nothing to write: the transaction ends unchanged.
            tx.audit_tail = None;
            return (batch, tx.commit().await);
        }
        let result = tx.commit().await;
        (batch, result)
    }

    fn take_audit_batch(&self) -> Vec<Waiting> {
        let mut q = self.audit_queue.lock();
        let n = q.entries.len().min(AUDIT_BATCH);
        q.entries.drain(..n).collect()
    }
}

/// At most this many entries in one group commit.
const AUDIT_BATCH: usize = 500;

/// An event waiting for its commit, and the caller to answer.
struct Waiting {
    actor: Actor,
    action: String,
    record_type: String,
    record_id: String,
    detail: String,
    done: tokio::sync::oneshot::Sender<Result<()>>,
}

/// The events waiting for the next group commit ([`Store::record`]), and whether a
/// writer is committing them.
#[derive(Default)]
pub(crate) struct AuditQueue {
    state: std::sync::Mutex<QueueState>,
}

#[derive(Default)]
struct QueueState {
    entries: Vec<Waiting>,
    flushing: bool,
}

impl AuditQueue {
    fn lock(&self) -> std::sync::MutexGuard<'_, QueueState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// If the writer stops other than by finding the queue empty (a panic, the runtime
/// shutting down), everyone still waiting is answered with an error (their senders
/// dropped) and the next caller starts a new writer. A writer that found the queue empty
/// is disarmed first: by the time it ends, another caller may already have started the
/// next writer, whose entries are not this one's to drop.
struct FlushStop<'s> {
    store: &'s Store,
    armed: bool,
}

impl Drop for FlushStop<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let mut q = self.store.audit_queue.lock();
        q.entries.clear();
        q.flushing = false;
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
        Ok(self.verify_against(&Anchors::default()).await?.map_err(|b| match b {
            Broken::Chain(c) => c,
            Broken::Anchor(_) => unreachable!("no anchors were given"),
        }))
    }

    /// Walk the whole log in order with the store's audit keys, checking each entry
    /// against the anchors written outside the database. `Ok(n)` when all `n` entries
    /// are intact and every anchor is reached.
    pub async fn verify_against(&self, anchors: &Anchors) -> Result<Result<i64, Broken>> {
        let mut v = ChainVerifier::new(self.store.audit_keys().unwrap_or_default());
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
                let n = match v.finish(head.as_ref().map(|(s, h)| (*s, h.as_str()))) {
                    Ok(n) => n,
                    Err(b) => return Ok(Err(Broken::Chain(b))),
                };
                return Ok(anchors.finish(n).map(|_| n).map_err(Broken::Anchor));
            }
            for r in &rows {
                let e = entry(r)?;
                if let Err(b) = v.check(&e) {
                    return Ok(Err(Broken::Chain(b)));
                }
                if let Err(b) = anchors.check(e.seq, &e.hash) {
                    return Ok(Err(Broken::Anchor(b)));
                }
                after = e.seq;
            }
        }
    }

    /// The head of the chain: how many entries, and the newest one's hash.
    pub async fn head(&self) -> Result<(i64, String)> {
        let last = self.store.q("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(self.store.pool()).await?;
        Ok(match last {
            Some(r) => (r.i("seq")?, r.s("hash")?),
            None => (0, GENESIS.to_string()),
        })
    }

    /// Append the chain's head, signed with the current audit key, to the anchors file
    /// at `path` (append-only; created if missing), unless the newest anchor there
    /// already records it. Returns the anchor written. Nothing is written without keys.
    pub async fn anchor(&self, path: &Path) -> Result<Option<Anchor>> {
        let Some(keys) = self.store.audit_keys() else { return Ok(None) };
        let (seq, hash) = self.head().await?;
        let existing = std::fs::read_to_string(path).unwrap_or_default();
        let newest = existing.lines().rev().find_map(Anchor::parse);
        if newest.is_some_and(|a| a.seq == seq && a.hash == hash) {
            return Ok(None);
        }
        let a = Anchor::new(seq, &hash, &self.store.now(), keys.current());
        let io = |e: std::io::Error| StoreError::Corrupt(format!("cannot write the audit anchors file {}: {e}", path.display()));
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(io)?;
        f.write_all(format!("{}\n", a.line()).as_bytes()).map_err(io)?;
        f.sync_all().map_err(io)?;
        Ok(Some(a))
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

/// Why verification failed: the chain itself, or the chain against the anchors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Broken {
    Chain(ChainBreak),
    Anchor(AnchorBreak),
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Broken::Chain(b) => b.fmt(f),
            Broken::Anchor(b) => b.fmt(f),
        }
    }
}

/// Where the audit keys live: `ASSURE_AUDIT_KEY` (a keyring's text, one
/// `<id> <hex secret>` a line, or one hex secret) when set, otherwise the file
/// `audit-key` in the data directory.
pub const AUDIT_KEY_ENV: &str = "ASSURE_AUDIT_KEY";
pub const AUDIT_KEY_FILE: &str = "audit-key";
/// Where the anchors go: `ASSURE_AUDIT_ANCHORS` when set, otherwise the file
/// `audit-anchors` in the data directory.
pub const AUDIT_ANCHORS_ENV: &str = "ASSURE_AUDIT_ANCHORS";
pub const AUDIT_ANCHORS_FILE: &str = "audit-anchors";

pub fn anchors_path(data_dir: &Path) -> PathBuf {
    match std::env::var_os(AUDIT_ANCHORS_ENV).filter(|p| !p.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => data_dir.join(AUDIT_ANCHORS_FILE),
    }
}

fn random_secret() -> Vec<u8> {
    use rand::RngCore;
    let mut secret = vec![0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    secret
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("new");
    {
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        let mut f = o.open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

/// The audit keys: from `ASSURE_AUDIT_KEY`, or the data directory's `audit-key` file,
/// which is made (one new random key, readable only by its owner) on first run.
pub fn load_or_create_audit_keys(data_dir: &Path) -> std::result::Result<Keyring, String> {
    if let Some(text) = std::env::var(AUDIT_KEY_ENV).ok().filter(|t| !t.trim().is_empty()) {
        return Keyring::parse(&text).map_err(|e| format!("{AUDIT_KEY_ENV}: {e}"));
    }
    let path = data_dir.join(AUDIT_KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => Keyring::parse(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let keys = Keyring::new(random_secret());
            write_private(&path, &keys.to_text()).map_err(|e| format!("cannot write the audit key {}: {e}", path.display()))?;
            Ok(keys)
        }
        Err(e) => Err(format!("cannot read the audit key {}: {e}", path.display())),
    }
}

impl Store {
    /// Rotate the audit key kept in the data directory: a new key is added to the
    /// keyring file (the old ones stay, to verify the entries they made), and the
    /// rotation is recorded in the chain, made with the new key.
    pub async fn rotate_audit_key(&self, actor: &Actor, data_dir: &Path) -> Result<String> {
        if std::env::var(AUDIT_KEY_ENV).ok().is_some_and(|t| !t.trim().is_empty()) {
            return Err(assure_domain::Invalid::single(
                "key",
                format!("The audit keys come from {AUDIT_KEY_ENV}: add a new key as the last line there (\"<id> <hex secret>\") instead"),
            )
            .into());
        }
        let mut keys = load_or_create_audit_keys(data_dir).map_err(StoreError::Corrupt)?;
        let old = keys.current().id.clone();
        let new = keys.rotate(random_secret()).id.clone();
        let path = data_dir.join(AUDIT_KEY_FILE);
        write_private(&path, &keys.to_text()).map_err(|e| StoreError::Corrupt(format!("cannot write the audit key {}: {e}", path.display())))?;
        self.set_audit_keys(keys);
        self.record(actor, Event::new("audit.key-rotated", "audit-key", &new, format!("audit key {old} replaced by {new}"))).await?;
        Ok(new)
    }
}
