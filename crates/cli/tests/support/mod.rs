//! The harness for drills against the real `assure serve` binary: spawn it, wait for
//! `/healthz`, `kill -9` it, talk HTTP to it, and run clients that write through the
//! JSON API and keep a ledger of every write the server acknowledged.
//!
//! Used by the crash-injection test (`tests/crash.rs`) and the fault drills
//! (`tests/faults.rs`); each test binary uses part of it.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const BIN: &str = env!("CARGO_BIN_EXE_assure");

/// The binary the drills run: `ASSURE_DRILL_BIN` when set (the long bench runs a copy, so
/// that a build during the run does not swap it), else the one cargo built for the tests.
pub fn bin() -> String {
    std::env::var("ASSURE_DRILL_BIN").ok().filter(|b| !b.is_empty()).unwrap_or_else(|| BIN.to_string())
}

/// Settings a developer's shell might carry that would change what the binary does.
const ENV_TO_CLEAR: [&str; 13] = [
    "ASSURE_DATABASE_URL",
    "ASSURE_DEMO_PASSWORD",
    "ASSURE_SESSION_IDLE_MINUTES",
    "ASSURE_SESSION_ABSOLUTE_HOURS",
    "ASSURE_PUBLIC_URL",
    "ASSURE_TRUSTED_PROXIES",
    "ASSURE_MAX_UPLOAD_MB",
    "ASSURE_DB_ACQUIRE_TIMEOUT_SECS",
    "ASSURE_SMTP_URL",
    "ASSURE_MAIL_FROM",
    "ASSURE_MAIL_POLL_SECONDS",
    "ASSURE_CHASE_SECONDS",
    "RUST_LOG",
];

/// The binary for a data directory and, on PostgreSQL, a database URL.
pub fn command(data_dir: &Path, database_url: Option<&str>) -> Command {
    let mut c = Command::new(bin());
    for v in ENV_TO_CLEAR {
        c.env_remove(v);
    }
    c.env("RUST_LOG", "warn");
    if let Some(url) = database_url {
        c.env("ASSURE_DATABASE_URL", url);
    }
    c.arg("--data-dir").arg(data_dir);
    c
}

/// Run a command to the end: its exit code and everything it printed.
pub fn run(mut c: Command) -> (i32, String) {
    let o = c.stdin(Stdio::null()).output().expect("run the assure binary");
    (o.status.code().unwrap_or(-1), format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))
}

/// An account with the scrutiny officer's role (creates and changes tracker records)
/// and an API token for it, made the way an operator makes them.
pub fn account_and_token(data_dir: &Path, url: Option<&str>, email: &str) -> String {
    let mut c = command(data_dir, url);
    c.args(["user", "add", "--name", "Drill Client", "--email", email, "--role", "scrutiny-officer"]);
    let (code, out) = run(c);
    assert_eq!(code, 0, "user add: {out}");
    let mut c = command(data_dir, url);
    c.args(["token", "create", "--user", email, "--name", "drill"]);
    let (code, out) = run(c);
    assert_eq!(code, 0, "token create: {out}");
    out.split_whitespace().find(|w| w.len() == 64 && w.chars().all(|c| c.is_ascii_hexdigit())).expect("a token is printed").to_string()
}

/// `assure audit verify`: whether it exited 0, and what it said.
pub fn audit_verify(data_dir: &Path, url: Option<&str>) -> (bool, String) {
    let mut c = command(data_dir, url);
    c.args(["audit", "verify"]);
    let (code, out) = run(c);
    (code == 0, out)
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind a free port").local_addr().unwrap().port()
}

/// A small random source (xorshift), seeded so that a failing run can be repeated.
pub struct Rng(u64);

impl Rng {
    /// From `ASSURE_DRILL_SEED` when set, else the clock; the seed is printed.
    pub fn from_env(what: &str) -> Rng {
        let seed = std::env::var("ASSURE_DRILL_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1);
        println!("{what}: ASSURE_DRILL_SEED={seed}");
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    /// A whole number in `lo..=hi`.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

// ------------------------------------------------------------------ the server

/// `assure serve` running, with what it printed.
pub struct Server {
    child: Child,
    pub port: u16,
    output: Arc<Mutex<String>>,
}

impl Server {
    /// `assure serve` on a free port (not yet waited for).
    pub fn spawn(mut c: Command) -> Server {
        let port = free_port();
        c.args(["serve", "--listen", &format!("127.0.0.1:{port}")]).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = c.spawn().expect("start assure serve");
        let output = Arc::new(Mutex::new(String::new()));
        for pipe in [Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>, Box::new(child.stderr.take().unwrap())] {
            let sink = output.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    let mut s = sink.lock().unwrap();
                    s.push_str(&line);
                    s.push('\n');
                }
            });
        }
        Server { child, port, output }
    }

    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// Wait until `/healthz` answers 200; panics with the server's output if it exits or
    /// takes longer than `within`.
    pub async fn wait_ready(&mut self, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("assure serve exited ({status}); it printed:\n{}", self.output());
            }
            if let Ok(r) = request(self.port, "GET", "/healthz", None, None, Duration::from_secs(2)).await {
                if r.status == 200 {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "assure serve did not answer /healthz within {within:?}; it printed:\n{}", self.output());
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// `kill -9`: no chance to finish anything.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Still running?
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill9();
        }
    }
}

// ------------------------------------------------------------------ HTTP

/// A whole HTTP answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// One request on its own connection (`Connection: close`). An error for anything
/// short of a whole answer: refused, reset, cut off part-way, or slower than `timeout`.
pub async fn request(port: u16, method: &str, path: &str, token: Option<&str>, body: Option<&Value>, timeout: Duration) -> std::io::Result<Reply> {
    let auth = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("Authorization", a.as_str())).chain([("Accept", "application/json")]).collect();
    request_with(port, method, path, &headers, body, timeout).await
}

/// [`request`] with the headers given (a browser's `Accept` and `Cookie`, say).
pub async fn request_with(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
    timeout: Duration,
) -> std::io::Result<Reply> {
    match tokio::time::timeout(timeout, exchange(port, method, path, headers, body)).await {
        Ok(r) => r,
        Err(_) => Err(std::io::Error::new(std::io::ErrorKind::TimedOut, format!("no answer within {timeout:?}"))),
    }
}

async fn exchange(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&Value>) -> std::io::Result<Reply> {
    let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_string());
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if body.is_some() {
        head.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", payload.len()));
    }
    head.push_str("\r\n");
    head.push_str(&payload);
    s.write_all(head.as_bytes()).await?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| bad("no complete header"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let rest = &raw[split + 4..];
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|c| c.parse().ok()).ok_or_else(|| bad("no status line"))?;
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string())).collect();
    let get = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let body = if get("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        let mut out = Vec::new();
        let mut at = rest;
        loop {
            let eol = at.windows(2).position(|w| w == b"\r\n").ok_or_else(|| bad("chunk cut off"))?;
            let size = usize::from_str_radix(String::from_utf8_lossy(&at[..eol]).trim(), 16).map_err(|_| bad("bad chunk size"))?;
            at = &at[eol + 2..];
            if size == 0 {
                break;
            }
            if at.len() < size + 2 {
                return Err(bad("chunk cut off"));
            }
            out.extend_from_slice(&at[..size]);
            at = &at[size + 2..];
        }
        out
    } else if let Some(len) = get("content-length").and_then(|l| l.parse::<usize>().ok()) {
        if rest.len() < len {
            return Err(bad("body cut off"));
        }
        rest[..len].to_vec()
    } else {
        rest.to_vec()
    };
    Ok(Reply { status, headers, body: String::from_utf8_lossy(&body).into_owned() })
}

// ------------------------------------------------------------------ writers and their ledger

/// What the server said yes to, and what may or may not have happened.
#[derive(Debug, Default)]
pub struct Ledger {
    /// Reviews created: id → title.
    pub reviews: HashMap<i64, String>,
    /// Progress updates added: id → (recommendation id, narrative).
    pub updates: HashMap<i64, (i64, String)>,
    /// Each client's action: id → its target date as last acknowledged, and the date of a
    /// revision sent but not answered (it may or may not have been saved).
    pub actions: HashMap<i64, ActionState>,
    /// How many revisions of a target date were acknowledged.
    pub revisions: usize,
    /// Answers that were whole but not a success, with what was asked.
    pub failures: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ActionState {
    pub date: String,
    pub version: i64,
    pub pending: Option<String>,
}

impl Ledger {
    pub fn acknowledged(&self) -> usize {
        self.reviews.len() + self.updates.len() + self.revisions
    }
}

/// One client's own records: a review, a recommendation in it and an action on that.
#[derive(Debug, Clone, Copy)]
pub struct Own {
    pub client: usize,
    pub recommendation: i64,
    pub action: i64,
}

/// A date `n` days after 1 January 2030, as the API takes it.
fn date_for(n: u64) -> String {
    (chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap() + chrono::Duration::days((n % 3000) as i64)).format("%Y-%m-%d").to_string()
}

/// Create each client's review, recommendation and action (acknowledged, into the ledger).
pub async fn set_up_clients(port: u16, token: &str, clients: usize, ledger: &Mutex<Ledger>) -> Vec<Own> {
    let t = Duration::from_secs(30);
    let mut own = Vec::new();
    for client in 0..clients {
        let title = format!("Drill client {client}'s review");
        let r = request(port, "POST", "/api/v1/reviews", Some(token), Some(&json!({ "kind": "working-group", "title": title })), t).await.unwrap();
        assert_eq!(r.status, 201, "create a review: {}", r.body);
        let review = r.json()["id"].as_i64().expect("review id");
        ledger.lock().unwrap().reviews.insert(review, title);
        let body = json!({ "number": 1, "committee_wording": format!("Client {client} keeps writing") });
        let r = request(port, "POST", &format!("/api/v1/reviews/{review}/recommendations"), Some(token), Some(&body), t).await.unwrap();
        assert_eq!(r.status, 201, "create a recommendation: {}", r.body);
        let recommendation = r.json()["id"].as_i64().expect("recommendation id");
        let date = date_for(0);
        let body = json!({ "text": "Report back", "target_date": date });
        let r = request(port, "POST", &format!("/api/v1/recommendations/{recommendation}/actions"), Some(token), Some(&body), t).await.unwrap();
        assert_eq!(r.status, 201, "create an action: {}", r.body);
        let a = r.json();
        let action = a["id"].as_i64().expect("action id");
        let version = a["version"].as_i64().expect("action version");
        ledger.lock().unwrap().actions.insert(action, ActionState { date, version, pending: None });
        own.push(Own { client, recommendation, action });
    }
    own
}

/// Clients writing through the JSON API until told to stop or the server goes away:
/// each creates reviews, adds progress updates and revises its action's target date in
/// turn, and every success is written into the ledger as soon as it is answered.
pub struct Load {
    stop: Arc<AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// How a load client treats an answer that is whole but not a success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnRefusal {
    /// Note it as a failure and stop (the crash drill: nothing but success is expected).
    Fail,
    /// Keep trying; a 503 with Retry-After is expected (the outage drill). Anything else
    /// is noted as a failure.
    RetryOn503,
}

impl Load {
    pub fn start(port: u16, token: &str, own: &[Own], ledger: Arc<Mutex<Ledger>>, tag: &str, on_refusal: OnRefusal) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let tasks = own
            .iter()
            .map(|o| {
                let (o, stop, ledger, token, tag) = (*o, stop.clone(), ledger.clone(), token.to_string(), tag.to_string());
                tokio::spawn(async move { client(port, &token, o, &ledger, &stop, &tag, on_refusal).await })
            })
            .collect();
        Load { stop, tasks }
    }

    /// Tell the clients to stop, and wait for them.
    pub async fn finish(self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.tasks {
            t.await.expect("a load client panicked");
        }
    }
}

async fn client(port: u16, token: &str, own: Own, ledger: &Mutex<Ledger>, stop: &AtomicBool, tag: &str, on_refusal: OnRefusal) {
    // The outage drill: no answer may take longer than this (the pool's acquire timeout
    // bounds a request's wait for the database).
    let timeout = Duration::from_secs(if on_refusal == OnRefusal::RetryOn503 { 15 } else { 20 });
    let mut n: u64 = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let (path, body, what) = match n % 3 {
            0 => {
                let title = format!("Review {tag}/{}/{n}", own.client);
                ("/api/v1/reviews".to_string(), json!({ "kind": "working-group", "title": title }), 0)
            }
            1 => {
                let narrative = format!("Progress {tag}/{}/{n}", own.client);
                let body = json!({ "update_date": "2030-01-01", "narrative": narrative, "progress_percent": (n % 101) });
                (format!("/api/v1/recommendations/{}/updates", own.recommendation), body, 1)
            }
            _ => {
                let (date, version) = {
                    let mut l = ledger.lock().unwrap();
                    let a = l.actions.get_mut(&own.action).unwrap();
                    // A revision whose fate is unknown is sent again, unchanged.
                    let mut date = a.pending.clone().unwrap_or_else(|| date_for(n));
                    if date == a.date {
                        date = date_for(n + 1);
                    }
                    a.pending = Some(date.clone());
                    (date, a.version)
                };
                let body = json!({ "new_date": date, "reason": format!("Drill {tag}/{n}"), "version": version });
                (format!("/api/v1/actions/{}/revise", own.action), body, 2)
            }
        };
        let reply = match request(port, "POST", &path, Some(token), Some(&body), timeout).await {
            Ok(r) => r,
            // Refused, reset or cut off: not acknowledged. The server is gone (the crash
            // drill) or the answer was lost; either way this client is done.
            Err(_) if on_refusal == OnRefusal::Fail => return,
            // The server stays up through an outage of its database: every request is answered.
            Err(e) => {
                ledger.lock().unwrap().failures.push(format!("POST {path}: no whole answer: {e}"));
                return;
            }
        };
        let revision_pending = what == 2 && ledger.lock().unwrap().actions[&own.action].pending.is_some();
        let mut l = ledger.lock().unwrap();
        match (reply.status, what) {
            (201, 0) => {
                let id = reply.json()["id"].as_i64().expect("review id");
                l.reviews.insert(id, body["title"].as_str().unwrap().to_string());
            }
            (201, 1) => {
                let id = reply.json()["id"].as_i64().expect("update id");
                l.updates.insert(id, (own.recommendation, body["narrative"].as_str().unwrap().to_string()));
            }
            (200, 2) => {
                let a = reply.json();
                let state = l.actions.get_mut(&own.action).unwrap();
                state.date = a["target_date"].as_str().expect("target date").to_string();
                state.version = a["version"].as_i64().expect("version");
                state.pending = None;
                l.revisions += 1;
            }
            (503, _) if on_refusal == OnRefusal::RetryOn503 && reply.header("retry-after").is_some() => {
                // The database was away. Whether a revision was saved before the answer
                // failed is not known: it stays pending until the action is read back.
                drop(l);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            (409 | 422, 2) if on_refusal == OnRefusal::RetryOn503 && revision_pending => {
                // A revision answered 503 was saved after all, so sending it again is refused
                // (a stale version, or the date it already has): settle from what is stored.
                drop(l);
                let path = format!("/api/v1/recommendations/{}", own.recommendation);
                let Ok(r) = request(port, "GET", &path, Some(token), None, timeout).await else { continue };
                let Some(stored) = r.json()["actions"].as_array().and_then(|a| a.iter().find(|a| a["id"].as_i64() == Some(own.action)).cloned())
                else {
                    continue;
                };
                let (date, version) = (stored["target_date"].as_str().unwrap_or_default().to_string(), stored["version"].as_i64().unwrap_or(0));
                let mut l = ledger.lock().unwrap();
                let state = l.actions.get_mut(&own.action).unwrap();
                if state.pending.as_deref() == Some(date.as_str()) && version == state.version + 1 {
                    state.date = date;
                    state.version = version;
                    state.pending = None;
                    l.revisions += 1;
                } else {
                    let failure = format!("action {}: acknowledged {state:?}, stored {date} (version {version})", own.action);
                    l.failures.push(failure);
                    return;
                }
            }
            (status, _) => {
                l.failures.push(format!("POST {path} answered {status}: {}", reply.body));
                return;
            }
        }
    }
}

// ------------------------------------------------------------------ checking what was kept

/// PostgreSQL: wait until no session but this check's own is in a statement or a
/// transaction on the database. After a
/// `kill -9` the killed server's sessions live on until PostgreSQL notices the dead
/// socket; one that had sent COMMIT may still be committing. Checking before they end
/// would race with it.
pub async fn wait_for_other_sessions_to_end(url: &str) {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new().max_connections(1).connect(url).await.expect("open the database");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        // Client sessions in a statement or a transaction: one idle outside a transaction
        // has nothing left to commit, and PostgreSQL's own workers (autovacuum) come and go.
        let sessions = "SELECT COUNT(*) AS n FROM pg_stat_activity \
                        WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' \
                        AND state <> 'idle'";
        let n: i64 = sqlx::query(sessions).fetch_one(&pool).await.expect("count sessions").get("n");
        if n == 0 {
            break;
        }
        if Instant::now() > deadline {
            let what: Vec<String> = sqlx::query(
                "SELECT COALESCE(state, '') || ' ' || COALESCE(wait_event_type, '') || ' ' || LEFT(COALESCE(query, ''), 100) AS s \
                 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
            )
            .fetch_all(&pool)
            .await
            .unwrap_or_default()
            .iter()
            .map(|r| r.get::<String, _>("s"))
            .collect();
            panic!("the killed server's {n} database sessions did not end within 30 s: {what:?}");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    pool.close().await;
}

/// Every acknowledged write, read back from the database itself: the list of those
/// missing or changed (empty when all is well). Actions that were being revised when the
/// server died are settled to what was kept, which must be the acknowledged date or the
/// one sent.
pub async fn lost_writes(url: &str, ledger: &Mutex<Ledger>) -> Vec<String> {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new().max_connections(1).connect(url).await.expect("open the database to check it");
    let mut lost = Vec::new();
    let reviews: HashMap<i64, String> = sqlx::query("SELECT id, title FROM reviews")
        .fetch_all(&pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<i64, _>("id"), r.get::<String, _>("title")))
        .collect();
    let updates: HashMap<i64, (i64, String)> = sqlx::query("SELECT id, recommendation_id, narrative FROM progress_updates")
        .fetch_all(&pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<i64, _>("id"), (r.get::<i64, _>("recommendation_id"), r.get::<String, _>("narrative"))))
        .collect();
    let actions: HashMap<i64, (String, i64)> = sqlx::query("SELECT id, target_date, version FROM actions")
        .fetch_all(&pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<i64, _>("id"), (r.get::<Option<String>, _>("target_date").unwrap_or_default(), r.get::<i64, _>("version"))))
        .collect();
    pool.close().await;

    let mut l = ledger.lock().unwrap();
    for (id, title) in &l.reviews {
        match reviews.get(id) {
            Some(t) if t == title => {}
            Some(t) => lost.push(format!("review {id}: acknowledged as {title:?}, stored as {t:?}")),
            None => lost.push(format!("review {id} ({title:?}) acknowledged, not stored")),
        }
    }
    for (id, u) in &l.updates {
        match updates.get(id) {
            Some(s) if s == u => {}
            Some(s) => lost.push(format!("progress update {id}: acknowledged as {u:?}, stored as {s:?}")),
            None => lost.push(format!("progress update {id} ({u:?}) acknowledged, not stored")),
        }
    }
    for (id, a) in l.actions.iter_mut() {
        let Some((date, version)) = actions.get(id) else {
            lost.push(format!("action {id} acknowledged, not stored"));
            continue;
        };
        if *date == a.date && *version == a.version {
            a.pending = None;
        } else if a.pending.as_ref() == Some(date) && *version == a.version + 1 {
            // The revision in flight was saved; its answer was lost with the server.
            a.date = date.clone();
            a.version = *version;
            a.pending = None;
        } else {
            lost.push(format!(
                "action {id}: acknowledged target date {} (version {}), in flight {:?}, stored {date} (version {version})",
                a.date, a.version, a.pending
            ));
        }
    }
    lost
}

// ------------------------------------------------------------------ a database that goes away

/// A TCP proxy between Assure and its database that can be cut (every connection
/// dropped, new ones refused) and restored, on the same port.
pub struct Proxy {
    pub port: u16,
    upstream: std::net::SocketAddr,
    accept: Mutex<Option<tokio::task::JoinHandle<()>>>,
    conns: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Proxy {
    pub async fn start(upstream: std::net::SocketAddr) -> Proxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the proxy");
        let port = listener.local_addr().unwrap().port();
        let proxy = Proxy { port, upstream, accept: Mutex::new(None), conns: Arc::new(Mutex::new(Vec::new())) };
        proxy.serve(listener);
        proxy
    }

    fn serve(&self, listener: tokio::net::TcpListener) {
        let (upstream, conns) = (self.upstream, self.conns.clone());
        let task = tokio::spawn(async move {
            while let Ok((mut down, _)) = listener.accept().await {
                let conn = tokio::spawn(async move {
                    if let Ok(mut up) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut down, &mut up).await;
                    }
                });
                conns.lock().unwrap().push(conn);
            }
        });
        *self.accept.lock().unwrap() = Some(task);
    }

    /// The database goes away: every open connection is dropped and new ones are refused.
    pub async fn cut(&self) {
        let accept = self.accept.lock().unwrap().take();
        if let Some(task) = accept {
            task.abort();
            // Once the task is gone its listener is closed: new connections are refused.
            let _ = task.await;
        }
        let conns: Vec<_> = std::mem::take(&mut *self.conns.lock().unwrap());
        for c in &conns {
            c.abort();
        }
        for c in conns {
            let _ = c.await;
        }
    }

    /// The database is back, at the same address.
    pub async fn restore(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await {
                Ok(listener) => return self.serve(listener),
                Err(e) => assert!(Instant::now() < deadline, "the proxy could not listen on port {} again: {e}", self.port),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
