//! The `assure` command as an operator uses it: the built binary, run against a
//! fresh database on SQLite and on PostgreSQL.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assure_domain::tracker::ReviewKind;
use assure_storage::audit::AuditFilter;
use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use assure_storage::tracker::ReviewInput;
use assure_storage::{Actor, Engine, Store};
use assure_web::auth::{sha256_hex, verify_password};
use sqlx::{AnyPool, Row};

const BIN: &str = env!("CARGO_BIN_EXE_assure");

/// Settings a developer's shell might carry that would change what the binary does.
const ENV_TO_CLEAR: [&str; 8] = [
    "ASSURE_DATABASE_URL",
    "ASSURE_DEMO_PASSWORD",
    "ASSURE_SESSION_IDLE_MINUTES",
    "ASSURE_SESSION_ABSOLUTE_HOURS",
    "ASSURE_PUBLIC_URL",
    "ASSURE_TRUSTED_PROXIES",
    "ASSURE_MAX_UPLOAD_MB",
    "RUST_LOG",
];

fn command(data_dir: &Path, database_url: Option<&str>) -> Command {
    let mut c = Command::new(BIN);
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

/// The binary pointed at the test database: SQLite through `--data-dir` alone
/// (the default location), PostgreSQL through `ASSURE_DATABASE_URL`.
fn assure(db: &TestDb) -> Command {
    let url = (db.engine == Engine::Postgres).then_some(db.url.as_str());
    command(&db.dir, url)
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Out {
    fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

fn output(mut c: Command, stdin: Option<&str>) -> Out {
    c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().expect("run the assure binary");
    {
        let mut pipe = child.stdin.take().expect("stdin");
        if let Some(input) = stdin {
            pipe.write_all(input.as_bytes()).expect("write stdin");
        }
    }
    let o = child.wait_with_output().expect("wait for assure");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn run(db: &TestDb, args: &[&str]) -> Out {
    let mut c = assure(db);
    c.args(args);
    output(c, None)
}

fn run_with_stdin(db: &TestDb, args: &[&str], stdin: &str) -> Out {
    let mut c = assure(db);
    c.args(args);
    output(c, Some(stdin))
}

#[track_caller]
fn expect_code(o: &Out, code: i32, engine: Engine, what: &str) {
    assert_eq!(o.code, code, "{engine:?}: {what}: exit code\nstdout:\n{}\nstderr:\n{}", o.stdout, o.stderr);
}

/// The one-time password a command printed (4 groups of 4, joined by dashes).
fn printed_password(stdout: &str) -> Option<String> {
    stdout
        .split_whitespace()
        .find(|w| {
            let groups: Vec<&str> = w.split('-').collect();
            groups.len() == 4 && groups.iter().all(|g| g.len() == 4 && g.chars().all(|c| c.is_ascii_alphanumeric()))
        })
        .map(str::to_string)
}

/// The API token a command printed (64 hex digits).
fn printed_token(stdout: &str) -> Option<String> {
    stdout.split_whitespace().find(|w| w.len() == 64 && w.chars().all(|c| c.is_ascii_hexdigit())).map(str::to_string)
}

fn add_user(db: &TestDb, name: &str, email: &str, role: &str) {
    let o = run(db, &["user", "add", "--name", name, "--email", email, "--role", role]);
    expect_code(&o, 0, db.engine, "user add");
}

// ------------------------------------------------------------------ accounts

async fn user_add_validates_and_prints_a_one_time_password(db: &TestDb) {
    let e = db.engine;
    let o = run(db, &["migrate"]);
    expect_code(&o, 0, e, "migrate");
    assert!(o.stdout.contains("Migrations applied"), "{e:?}: {}", o.stdout);

    let o = run(db, &["user", "add", "--name", "Ada Lovelace", "--email", "ada.example.org", "--role", "lead-officer"]);
    expect_code(&o, 2, e, "bad email");
    assert!(o.all().contains("Enter an email address in the correct format"), "{e:?}: {}", o.all());
    assert!(!o.all().contains("Invalid") && !o.all().contains("panicked"), "{e:?}: plain messages only: {}", o.all());

    let o = run(db, &["user", "add", "--name", "Ada Lovelace", "--email", "ada@example.org", "--role", "chief"]);
    expect_code(&o, 2, e, "unknown role");
    for slug in ["administrator", "scrutiny-officer", "lead-officer", "committee-member"] {
        assert!(o.stderr.contains(slug), "{e:?}: the valid roles are listed: {}", o.stderr);
    }
    assert!(db.store.users().by_email("ada@example.org").await.unwrap().is_none(), "{e:?}: refused input creates nothing");

    let o = run(
        db,
        &["user", "add", "--name", "Ada Lovelace", "--email", "ada@example.org", "--role", "lead-officer", "--job-title", "Head of Analysis"],
    );
    expect_code(&o, 0, e, "good user add");
    let password = printed_password(&o.stdout).unwrap_or_else(|| panic!("{e:?}: a one-time password is printed: {}", o.stdout));
    let (user, hash) = db.store.users().by_email("ada@example.org").await.unwrap().expect("account created");
    assert_eq!(user.role.slug(), "lead-officer");
    assert_eq!(user.job_title, "Head of Analysis");
    assert!(verify_password(&hash, &password), "{e:?}: the printed password signs in");
    assert!(!hash.contains(&password), "{e:?}: the password is stored hashed");

    // The same address, typed differently, is the same account.
    let o = run(db, &["user", "add", "--name", "Ada Again", "--email", " ADA@Example.org ", "--role", "administrator"]);
    expect_code(&o, 2, e, "duplicate email");
    assert!(o.all().contains("already exists"), "{e:?}: {}", o.all());
    assert_eq!(db.store.users().count().await.unwrap(), 1);

    let o = run(db, &["user", "list"]);
    expect_code(&o, 0, e, "user list");
    let line = o.stdout.lines().find(|l| l.contains("ada@example.org")).unwrap_or_else(|| panic!("{e:?}: listed: {}", o.stdout));
    assert!(line.contains("lead-officer") && line.contains("yes"), "{e:?}: {line}");
}
on_both_engines!(user_add, user_add_validates_and_prints_a_one_time_password);

async fn password_from_stdin_must_meet_the_standard(db: &TestDb) {
    let e = db.engine;
    let args = ["user", "add", "--name", "Bea Short", "--email", "bea@example.org", "--role", "committee-member", "--password-stdin"];
    let o = run_with_stdin(db, &args, "short\n");
    expect_code(&o, 2, e, "short password");
    assert!(o.stderr.contains("12 characters or more"), "{e:?}: {}", o.stderr);
    assert!(db.store.users().by_email("bea@example.org").await.unwrap().is_none(), "{e:?}: no account with a refused password");

    let o = run_with_stdin(db, &args, "");
    expect_code(&o, 2, e, "no password at all");

    let o = run_with_stdin(db, &args, "correct horse battery staple\n");
    expect_code(&o, 0, e, "good password");
    assert!(printed_password(&o.stdout).is_none(), "{e:?}: no one-time password when one was given: {}", o.stdout);
    let (_, hash) = db.store.users().by_email("bea@example.org").await.unwrap().expect("account created");
    assert!(verify_password(&hash, "correct horse battery staple"), "{e:?}: the line read, without its newline, is the password");
}
on_both_engines!(password_stdin, password_from_stdin_must_meet_the_standard);

// ------------------------------------------------------------------ tokens

async fn tokens_are_shown_once_and_work_until_revoked(db: &TestDb) {
    let e = db.engine;
    add_user(db, "Cal Token", "cal@example.org", "scrutiny-officer");

    let o = run(db, &["token", "create", "--user", "cal@example.org", "--name", "reporting"]);
    expect_code(&o, 0, e, "token create");
    let token = printed_token(&o.stdout).unwrap_or_else(|| panic!("{e:?}: a token is printed: {}", o.stdout));
    assert!(o.stdout.contains("cannot be shown again"), "{e:?}: {}", o.stdout);
    let user = db.store.users().by_token(&sha256_hex(&token)).await.unwrap().expect("the printed token authenticates");
    assert_eq!(user.email, "cal@example.org");
    let tokens = db.store.users().tokens().await.unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].name, "reporting");

    let o = run(db, &["token", "create", "--user", "nobody@example.org"]);
    expect_code(&o, 2, e, "token for an unknown account");
    assert!(o.stderr.contains("no account"), "{e:?}: {}", o.stderr);
    assert!(printed_token(&o.stdout).is_none());
    assert_eq!(db.store.users().tokens().await.unwrap().len(), 1, "{e:?}: no token created");

    let id = tokens[0].id.to_string();
    let o = run(db, &["token", "revoke", "--id", &id]);
    expect_code(&o, 0, e, "token revoke");
    assert!(db.store.users().by_token(&sha256_hex(&token)).await.unwrap().is_none(), "{e:?}: a revoked token no longer works");
    let o = run(db, &["token", "revoke", "--id", &id]);
    expect_code(&o, 2, e, "revoking twice");
    let o = run(db, &["token", "revoke", "--id", "999"]);
    expect_code(&o, 2, e, "revoking an unknown token");
}
on_both_engines!(tokens, tokens_are_shown_once_and_work_until_revoked);

// ------------------------------------------------------------------ audit log

/// Four audit entries: two accounts, a token, its revocation.
fn make_activity(db: &TestDb) {
    add_user(db, "Dee Admin", "dee@example.org", "administrator");
    add_user(db, "Eli Lead", "eli@example.org", "lead-officer");
    let o = run(db, &["token", "create", "--user", "dee@example.org"]);
    expect_code(&o, 0, db.engine, "token create");
    let o = run(db, &["token", "revoke", "--id", "1"]);
    expect_code(&o, 0, db.engine, "token revoke");
    let o = run(db, &["audit", "verify"]);
    expect_code(&o, 0, db.engine, "verify an untouched log");
    assert!(o.stdout.contains("Audit log intact: 4 entries verified"), "{:?}: {}", db.engine, o.stdout);
}

async fn raw_pool(db: &TestDb) -> AnyPool {
    sqlx::any::install_default_drivers();
    AnyPool::connect(&db.url).await.expect("connect for tampering")
}

#[track_caller]
fn expect_broken_at(db: &TestDb, seq: i64, what: &str) {
    let o = run(db, &["audit", "verify"]);
    expect_code(&o, 1, db.engine, what);
    assert!(o.stdout.contains("Audit log BROKEN"), "{:?}: {what}: {}", db.engine, o.stdout);
    assert!(o.stdout.contains(&format!("audit entry {seq} ")), "{:?}: {what}: names entry {seq}: {}", db.engine, o.stdout);
}

async fn an_edited_entry_is_named(db: &TestDb) {
    make_activity(db);
    let pool = raw_pool(db).await;
    let n = sqlx::query("UPDATE audit_log SET detail = 'account created with role committee-member' WHERE seq = 2")
        .execute(&pool)
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(n, 1);
    pool.close().await;
    expect_broken_at(db, 2, "edited detail");
}
on_both_engines!(audit_edit, an_edited_entry_is_named);

async fn a_deleted_entry_is_named(db: &TestDb) {
    make_activity(db);
    let pool = raw_pool(db).await;
    let n = sqlx::query("DELETE FROM audit_log WHERE seq = 2").execute(&pool).await.unwrap().rows_affected();
    assert_eq!(n, 1);
    pool.close().await;
    expect_broken_at(db, 2, "deleted entry");
}
on_both_engines!(audit_delete, a_deleted_entry_is_named);

async fn entries_cut_off_the_end_are_found(db: &TestDb) {
    make_activity(db);
    let pool = raw_pool(db).await;
    let last: i64 = sqlx::Row::get(&sqlx::query("SELECT MAX(seq) AS m FROM audit_log").fetch_one(&pool).await.unwrap(), "m");
    sqlx::query("DELETE FROM audit_log WHERE seq = $1").bind(last).execute(&pool).await.unwrap();
    pool.close().await;
    expect_broken_at(db, last, "newest entry deleted");
}
on_both_engines!(audit_truncate, entries_cut_off_the_end_are_found);

async fn reordered_entries_are_found(db: &TestDb) {
    make_activity(db);
    let pool = raw_pool(db).await;
    const CONTENT: [&str; 10] = ["at", "actor_user_id", "actor", "action", "record_type", "record_id", "detail", "ip", "prev_hash", "hash"];
    let select = format!("SELECT {} FROM audit_log WHERE seq = $1", CONTENT.join(", "));
    let update = format!(
        "UPDATE audit_log SET {} WHERE seq = $11",
        CONTENT.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 1)).collect::<Vec<_>>().join(", ")
    );
    let two = sqlx::query(&select).bind(2i64).fetch_one(&pool).await.unwrap();
    let three = sqlx::query(&select).bind(3i64).fetch_one(&pool).await.unwrap();
    // Entry 3's content goes to position 2 and entry 2's to position 3; the hashes travel with them.
    for (seq, row) in [(2i64, &three), (3i64, &two)] {
        let mut q = sqlx::query(&update);
        for c in CONTENT {
            q = if c == "actor_user_id" { q.bind(row.get::<Option<i64>, _>(c)) } else { q.bind(row.get::<String, _>(c)) };
        }
        let n = q.bind(seq).execute(&pool).await.unwrap().rows_affected();
        assert_eq!(n, 1);
    }
    let moved: String = sqlx::query("SELECT action FROM audit_log WHERE seq = 3").fetch_one(&pool).await.unwrap().get("action");
    let was: String = two.get("action");
    assert_eq!(moved, was, "the rows really were swapped");
    pool.close().await;
    expect_broken_at(db, 2, "swapped entries");
}
on_both_engines!(audit_reorder, reordered_entries_are_found);

/// Every entry of the log as stored, in order.
async fn entries(pool: &AnyPool) -> Vec<assure_domain::audit::AuditEntry> {
    let rows = sqlx::query(
        "SELECT seq, at, actor_user_id, actor, action, record_type, record_id, detail, ip, prev_hash, key_id, hash FROM audit_log ORDER BY seq",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    rows.iter()
        .map(|r| assure_domain::audit::AuditEntry {
            seq: r.get("seq"),
            at: r.get("at"),
            actor_user_id: r.get("actor_user_id"),
            actor: r.get("actor"),
            action: r.get("action"),
            record_type: r.get("record_type"),
            record_id: r.get("record_id"),
            detail: r.get("detail"),
            ip: r.get("ip"),
            prev_hash: r.get("prev_hash"),
            key_id: r.get("key_id"),
            hash: r.get("hash"),
        })
        .collect()
}

/// Rewrite entry `seq`'s detail and recompute its hash and every later one, and the
/// head, as someone would who can write to the database: with `key` (someone who also
/// stole the audit key), or without (plain SHA-256).
async fn rewrite_and_recompute(pool: &AnyPool, seq: i64, key: Option<&assure_domain::audit::AuditKey>) {
    let mut prev = None;
    for mut e in entries(pool).await {
        if e.seq < seq {
            prev = Some(e.hash.clone());
            continue;
        }
        if e.seq == seq {
            e.detail = "nothing happened here".into();
        }
        e.prev_hash = prev.clone().unwrap_or_else(|| assure_domain::audit::GENESIS.to_string());
        e.hash = e.compute_hash_with(key);
        sqlx::query("UPDATE audit_log SET detail = $1, prev_hash = $2, hash = $3, key_id = $4 WHERE seq = $5")
            .bind(&e.detail)
            .bind(&e.prev_hash)
            .bind(&e.hash)
            .bind(&e.key_id)
            .bind(e.seq)
            .execute(pool)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2").bind(e.seq).bind(&e.hash).execute(pool).await.unwrap();
        prev = Some(e.hash);
    }
}

fn keyring(db: &TestDb) -> assure_domain::audit::Keyring {
    assure_domain::audit::Keyring::parse(&std::fs::read_to_string(db.dir.join("audit-key")).unwrap()).unwrap()
}

#[track_caller]
fn expect_broken(db: &TestDb, args: &[&str], says: &str, what: &str) {
    let o = run(db, args);
    expect_code(&o, 1, db.engine, what);
    assert!(o.stdout.contains("Audit log BROKEN") && o.stdout.contains(says), "{:?}: {what}: {}", db.engine, o.stdout);
}

/// The commands anchor the log's head in <data-dir>/audit-anchors; cutting entries off
/// the end and rewriting the head to match, which the chain alone cannot tell, is
/// found by the anchors.
async fn truncation_with_the_head_rewritten_is_found_by_the_anchors(db: &TestDb) {
    make_activity(db);
    let anchors = std::fs::read_to_string(db.dir.join("audit-anchors")).expect("the commands wrote anchors");
    assert!(anchors.lines().last().unwrap().starts_with("assure-audit-anchor seq=4 "), "{anchors}");
    let o = run(db, &["audit", "verify"]);
    assert!(o.stdout.contains("reaches all") && o.stdout.contains("(the newest: 4 entries at"), "{}", o.stdout);
    let pool = raw_pool(db).await;
    let kept = entries(&pool).await[1].clone();
    sqlx::query("DELETE FROM audit_log WHERE seq > 2").execute(&pool).await.unwrap();
    sqlx::query("UPDATE audit_head SET seq = 2, hash = $1").bind(&kept.hash).execute(&pool).await.unwrap();
    pool.close().await;
    // The chain alone (anchors elsewhere, not given) cannot tell.
    let elsewhere = db.dir.join("moved-anchors");
    std::fs::rename(db.dir.join("audit-anchors"), &elsewhere).unwrap();
    let o = run(db, &["audit", "verify"]);
    expect_code(&o, 0, db.engine, "the cut chain on its own");
    expect_broken(db, &["audit", "verify", "--anchors", elsewhere.to_str().unwrap()], "entries were deleted from the end", "truncated");
    // By default the anchors in the data directory are checked.
    std::fs::rename(&elsewhere, db.dir.join("audit-anchors")).unwrap();
    expect_broken(db, &["audit", "verify"], "the log ends at entry 2, but the anchor written at", "truncated, default anchors");
}
on_both_engines!(audit_anchor_truncate, truncation_with_the_head_rewritten_is_found_by_the_anchors);

/// Rewriting an entry and recomputing every later hash and the head: without the key
/// the keyed hashes do not hold; with the stolen key they do, and the anchors find it.
async fn a_recomputed_chain_is_found(db: &TestDb) {
    make_activity(db);
    let pool = raw_pool(db).await;
    rewrite_and_recompute(&pool, 2, None).await;
    expect_broken(db, &["audit", "verify"], "audit entry 2 has been altered", "recomputed without the key");

    let keys = keyring(db);
    rewrite_and_recompute(&pool, 2, Some(keys.current())).await;
    pool.close().await;
    let anchors = db.dir.join("audit-anchors");
    let moved = db.dir.join("elsewhere");
    std::fs::rename(&anchors, &moved).unwrap();
    let o = run(db, &["audit", "verify"]);
    expect_code(&o, 0, db.engine, "recomputed with the key, no anchors: the chain alone cannot tell");
    std::fs::rename(&moved, &anchors).unwrap();
    expect_broken(db, &["audit", "verify"], "is not the entry anchored at", "recomputed with the key");

    // Forging the anchors to match needs the key too: an edited anchor is refused.
    let text = std::fs::read_to_string(&anchors).unwrap();
    std::fs::write(&anchors, text.replace("seq=4 ", "seq=3 ")).unwrap();
    expect_broken(db, &["audit", "verify"], "is not signed with an audit key", "forged anchor");
}
on_both_engines!(audit_anchor_recompute, a_recomputed_chain_is_found);

/// A rotated key: the rotation is an entry of the chain, the old entries still verify
/// with the old key kept in the keyring, and new entries are made with the new key.
async fn the_audit_key_rotates(db: &TestDb) {
    make_activity(db);
    let before = keyring(db).current().id.clone();
    let o = run(db, &["audit", "rotate-key"]);
    expect_code(&o, 0, db.engine, "rotate-key");
    let after = keyring(db).current().id.clone();
    assert_ne!(before, after);
    assert!(o.stdout.contains(&after), "{}", o.stdout);
    add_user(db, "Fay Later", "fay@example.org", "lead-officer");
    let pool = raw_pool(db).await;
    let all = entries(&pool).await;
    pool.close().await;
    let rotation = all.iter().find(|e| e.action == "audit.key-rotated").expect("the rotation is in the chain");
    assert_eq!(rotation.key_id, after);
    assert!(rotation.detail.contains(&before));
    assert!(all.iter().filter(|e| e.seq < rotation.seq).all(|e| e.key_id == before));
    assert_eq!(all.last().unwrap().key_id, after);
    let o = run(db, &["audit", "verify"]);
    expect_code(&o, 0, db.engine, "verify after rotation");
    // Without the old key, its entries cannot be verified (nor the anchors it signed).
    std::fs::remove_file(db.dir.join("audit-anchors")).unwrap();
    let mut only_new = keyring(db).to_text().lines().last().unwrap().to_string();
    only_new.push('\n');
    std::fs::write(db.dir.join("audit-key"), only_new).unwrap();
    expect_broken(db, &["audit", "verify"], "not in this installation's keyring", "old key missing");
}
on_both_engines!(audit_key_rotation, the_audit_key_rotates);

// ------------------------------------------------------------------ serve --demo

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind a free port").local_addr().unwrap().port()
}

/// `GET /healthz` over a plain HTTP/1.1 connection: the status code, if it answered.
fn healthz(port: u16) -> Option<u16> {
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").ok()?;
    let mut response = String::new();
    s.read_to_string(&mut response).ok()?;
    response.lines().next()?.split_whitespace().nth(1)?.parse().ok()
}

struct Server {
    child: Child,
    stdout: Arc<Mutex<String>>,
    port: u16,
}

const DEMO_PASSWORD: &str = "demo-password-for-the-cli-test";

impl Server {
    fn start(data_dir: &Path) -> Server {
        let mut server = Server::spawn(command(data_dir, None));
        server.wait_until_ready();
        server
    }

    /// `assure serve --demo` on a free port, not yet waited for.
    fn spawn(mut c: Command) -> Server {
        let port = free_port();
        c.args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
            .env("ASSURE_DEMO_PASSWORD", DEMO_PASSWORD)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = c.spawn().expect("start assure serve");
        let stdout = Arc::new(Mutex::new(String::new()));
        let pipe = child.stdout.take().expect("stdout");
        let sink = stdout.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        Server { child, stdout, port }
    }

    fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("assure serve exited early ({status}); stdout:\n{}", self.stdout());
            }
            if healthz(self.port) == Some(200) && self.stdout().contains("Assure is listening on http://127.0.0.1:") {
                return;
            }
            assert!(Instant::now() < deadline, "assure serve did not become healthy; stdout:\n{}", self.stdout());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// SIGTERM, as a service manager stops it: it must exit cleanly and promptly.
    fn stop(mut self) {
        let sent = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        if !sent.map(|s| s.success()).unwrap_or(false) {
            let _ = self.child.kill();
            let _ = self.child.wait();
            return;
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "assure serve stops cleanly on SIGTERM: {status}");
                return;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("assure serve did not stop within 10 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // On a failed assertion: do not leave the server running.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn temp_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("assure_cli_serve_{}_{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const DEMO_EMAILS: [&str; 21] = [
    "administrator@example.org",
    "scrutiny-officer@example.org",
    "lead-officer@example.org",
    "committee-member@example.org",
    "schools-lead@example.org",
    "regulation-lead@example.org",
    "practitioner@example.org",
    "practitioner-2@example.org",
    "spoc@example.org",
    "mash-worker@example.org",
    "macse-co-chair@example.org",
    "macse-co-chair-2@example.org",
    "cse-analyst@example.org",
    "police-cse-officer@example.org",
    "partnership-manager@example.org",
    "notification-officer@example.org",
    "ig-officer@example.org",
    "health-lead@example.org",
    "education-lead@example.org",
    "missing-officer@example.org",
    "clerk@example.org",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_loads_once_and_lists_the_accounts() {
    if !assure_storage::testing::engines().contains(&Engine::Sqlite) {
        return;
    }
    let dir = temp_dir();

    let first = Server::start(&dir);
    let out = first.stdout();
    for email in DEMO_EMAILS {
        assert!(out.contains(email), "the demo account {email} is listed:\n{out}");
    }
    assert!(out.contains("ASSURE_DEMO_PASSWORD"), "says the password is the one given:\n{out}");
    assert!(!out.contains(DEMO_PASSWORD), "a password given in the environment is not echoed:\n{out}");
    first.stop();

    let second = Server::start(&dir);
    let out = second.stdout();
    assert!(out.contains("already loaded"), "a second start says the demo is already there:\n{out}");
    assert!(!out.contains("administrator@example.org"), "and does not announce the accounts again:\n{out}");
    // The planner's statistics are gathered in the background once serving has started.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let store = Store::open(&assure_storage::sqlite_url(&dir)).await.expect("open the served database");
        let rows = assure_storage::testing::sqlite_statistics_rows(&store).await;
        store.close().await;
        if rows > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the server gathered no statistics (sqlite_stat1 is empty)");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    second.stop();

    let store = Store::open(&assure_storage::sqlite_url(&dir)).await.expect("open the served database");
    assert_eq!(store.users().count().await.unwrap(), DEMO_EMAILS.len() as i64, "the demo was loaded exactly once");
    let (_, hash) = store.users().by_email("administrator@example.org").await.unwrap().expect("demo administrator");
    assert!(verify_password(&hash, DEMO_PASSWORD), "the demo accounts use ASSURE_DEMO_PASSWORD");
    // The server anchored the audit log's head outside the database (at start, and when it stopped).
    let (seq, head) = store.audit().head().await.unwrap();
    assert!(seq > 0);
    let anchors = std::fs::read_to_string(dir.join("audit-anchors")).expect("the server wrote anchors");
    let last = anchors.lines().last().unwrap_or_default();
    assert!(last.starts_with(&format!("assure-audit-anchor seq={seq} hash={head} ")), "{anchors}");
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// `SELECT COUNT(*) FROM users`, when the database answers (it may not exist yet).
async fn users_so_far(url: &str) -> Option<i64> {
    sqlx::any::install_default_drivers();
    let pool = AnyPool::connect(url).await.ok()?;
    let n = sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(&pool).await.ok().map(|r| r.get::<i64, _>("n"));
    pool.close().await;
    n
}

async fn a_demo_load_killed_part_way_is_loaded_whole_at_the_next_start(db: &TestDb) {
    let url = db.url.clone();
    db.store.close().await;
    // Killed (SIGKILL: no chance to tidy up) once the demo's first accounts are written.
    let mut first = Server::spawn(assure(db));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(first.child.try_wait().unwrap().is_none(), "serve --demo exited before it was killed:\n{}", first.stdout());
        if users_so_far(&url).await.unwrap_or(0) > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the demo load did not start writing");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    assert!(!first.stdout().contains("Demo data loaded"), "killed part-way, not after:\n{}", first.stdout());

    // The next start loads the whole demo, once, and says so.
    let mut second = Server::spawn(assure(db));
    second.wait_until_ready();
    let out = second.stdout();
    assert!(out.contains("Demo data loaded"), "the interrupted load is not taken as loaded:\n{out}");
    second.stop();
    let store = Store::open(&url).await.unwrap();
    assert_eq!(store.users().count().await.unwrap(), DEMO_EMAILS.len() as i64, "every demo account, once");
    assert_eq!(store.first_run_mark("demo").await.unwrap(), assure_storage::first_run::Mark::Finished);
    store.close().await;
    let o = run(db, &["audit", "verify"]);
    expect_code(&o, 0, db.engine, "the audit chain after the reload");
}
on_both_engines!(demo_killed, a_demo_load_killed_part_way_is_loaded_whole_at_the_next_start);

#[test]
fn a_database_url_of_another_kind_is_refused() {
    let dir = temp_dir();
    let mut c = command(&dir, Some("mysql://localhost/assure"));
    c.arg("migrate");
    let o = output(c, None);
    assert_eq!(o.code, 2, "{}", o.all());
    assert!(o.stderr.contains("postgres://") && o.stderr.contains("sqlite://"), "{}", o.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------------------ reports, import and export

const WORKING_GROUP: &str = "Licensing/Child Sexual Exploitation Working Group";

async fn load_demo(db: &TestDb) {
    assert!(assure_storage::demo::load(&db.store, db.store.today(), "not-a-real-hash").await.unwrap(), "{:?}: the demo loads", db.engine);
}

async fn count_recommendations(db: &TestDb, review_id: i64) -> usize {
    db.store.tracker().review_recommendations(review_id).await.unwrap().len()
}

async fn audit_count(db: &TestDb, action: &str) -> usize {
    let filter = AuditFilter { action: Some(action.into()), ..Default::default() };
    db.store.audit().list(&filter, 1000, 0).await.unwrap().0.len()
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).filter(|n| n.ends_with(".tmp")).collect()
}

async fn report_generate_writes_every_format(db: &TestDb) {
    let e = db.engine;
    load_demo(db).await;
    let dir = db.dir.join("papers");
    std::fs::create_dir_all(&dir).unwrap();
    let mut created = None;
    for format in ["docx", "xlsx", "csv", "html"] {
        let out = dir.join(format!("wg.{format}"));
        let o = run(
            db,
            &["report", "generate", "--review", WORKING_GROUP, "--meeting", "2018-01-16", "--format", format, "--out", out.to_str().unwrap()],
        );
        expect_code(&o, 0, e, &format!("report generate --format {format}"));
        assert!(o.stdout.contains("Wrote "), "{e:?}: {}", o.stdout);
        assert!(!o.stderr.contains('\u{1b}'), "{e:?}: no progress drawing when stderr is not a terminal: {:?}", o.stderr);
        // The first run creates a draft and names it; the others reuse it.
        match created {
            None => {
                assert!(o.stderr.contains("Created draft report "), "{e:?}: {}", o.stderr);
                created = Some(());
            }
            Some(()) => assert!(o.stderr.contains("Using draft report "), "{e:?}: {format}: {}", o.stderr),
        }
        let bytes = std::fs::read(&out).unwrap_or_else(|err| panic!("{e:?}: {format} written: {err}"));
        match format {
            "docx" | "xlsx" => assert!(bytes.starts_with(b"PK"), "{e:?}: {format} is a zip"),
            "csv" => {
                let text = String::from_utf8(bytes).unwrap();
                assert!(text.contains("Members of Parliament"), "{e:?}: the recommendations are in the CSV:\n{text}");
                assert!(["Red", "Amber", "Green"].iter().any(|g| text.contains(g)), "{e:?}: a RAG rating is in the CSV:\n{text}");
            }
            _ => {
                let html = String::from_utf8(bytes).unwrap();
                assert!(html.contains("Members of Parliament"), "{e:?}: html");
                // Opened from disk it has its borders, RAG colours and orientation:
                // the print stylesheet is in the file, nothing links to the server.
                assert!(!html.contains("<link") && !html.contains("/assets/print.css"), "{e:?}: no external stylesheet");
                assert!(
                    html.contains("<style>") && html.contains(".app-rag--red") && html.contains("border: 1px solid"),
                    "{e:?}: the print CSS is inside"
                );
            }
        }
    }
    assert!(leftovers(&dir).is_empty(), "{e:?}: no temporary files left behind");
    let reports = db.store.reports().list(None).await.unwrap();
    assert_eq!(reports.len(), 1, "{e:?}: one draft, reused for every format");
    assert!(!reports[0].is_issued());
    assert_eq!(audit_count(db, "report.export").await, 4, "{e:?}: every file written is audited");

    // Once issued, the frozen snapshot is written, and says so.
    let r = &reports[0];
    db.store.reports().issue(&Actor::system(), r.id, r.version, db.store.today()).await.unwrap();
    let out = dir.join("issued.csv");
    let o = run(db, &["report", "generate", "--review", WORKING_GROUP, "--meeting", "2018-01-16", "--out", out.to_str().unwrap()]);
    expect_code(&o, 0, e, "report generate for an issued report");
    assert!(o.stderr.contains("issue 1, issued "), "{e:?}: {}", o.stderr);
    assert!(std::fs::read_to_string(&out).unwrap().contains("Members of Parliament"));
    assert_eq!(db.store.reports().list(None).await.unwrap().len(), 1, "{e:?}: no new draft beside an issued report");

    // PDF through LibreOffice: once is enough.
    if e == Engine::Sqlite && std::env::var("ASSURE_SKIP_LIBREOFFICE").as_deref() != Ok("1") {
        let out = dir.join("wg.pdf");
        let o =
            run(db, &["report", "generate", "--review", WORKING_GROUP, "--meeting", "2018-01-16", "--format", "pdf", "--out", out.to_str().unwrap()]);
        expect_code(&o, 0, e, "report generate --format pdf (set ASSURE_SKIP_LIBREOFFICE=1 where LibreOffice is missing)");
        assert!(std::fs::read(&out).unwrap().starts_with(b"%PDF"), "{e:?}: a PDF");
    }
    assert_eq!(run(db, &["audit", "verify"]).code, 0, "{e:?}: the audit log still verifies");
}
on_both_engines!(report_generate_formats, report_generate_writes_every_format);

async fn report_generate_refuses_what_it_cannot_write(db: &TestDb) {
    let e = db.engine;
    load_demo(db).await;
    let out = db.dir.join("report.docx");
    let out = out.to_str().unwrap();

    // The working group body monitors no recommendations itself.
    let o =
        run(db, &["report", "generate", "--committee", "Licensing/CSE Working Group", "--meeting", "2018-01-16", "--format", "docx", "--out", out]);
    expect_code(&o, 2, e, "a committee with no recommendations");
    assert!(o.stderr.contains("There are no recommendations to report to this meeting"), "{e:?}: {}", o.stderr);

    let o = run(db, &["report", "generate", "--committee", "Planning Committee", "--meeting", "2018-01-16", "--out", out]);
    expect_code(&o, 2, e, "an unknown committee");
    assert!(o.stderr.contains("“Planning Committee”") && o.stderr.contains("Cabinet"), "{e:?}: names it and lists the choices: {}", o.stderr);

    let o = run(db, &["report", "generate", "--review", "No such review", "--meeting", "2018-01-16", "--out", out]);
    expect_code(&o, 2, e, "an unknown review");
    assert!(o.stderr.contains("“No such review”") && o.stderr.contains(WORKING_GROUP), "{e:?}: {}", o.stderr);

    let o = run(db, &["report", "generate", "--review", WORKING_GROUP, "--meeting", "16/13/2018", "--out", out]);
    expect_code(&o, 2, e, "a date that is not one");
    assert!(o.stderr.contains("2018-01-16"), "{e:?}: an example is given: {}", o.stderr);

    let o = run(db, &["report", "generate", "--meeting", "2018-01-16", "--out", out]);
    expect_code(&o, 2, e, "no committee or review");
    assert!(o.stderr.contains("--committee") && o.stderr.contains("--review"), "{e:?}: {}", o.stderr);

    let o = run(db, &["report", "generate", "--review", WORKING_GROUP, "--meeting", "2018-01-16", "--format", "odt", "--out", out]);
    expect_code(&o, 2, e, "an unknown format");

    assert!(!Path::new(out).exists(), "{e:?}: nothing written");
    assert!(db.store.reports().list(None).await.unwrap().is_empty(), "{e:?}: no draft created by a refused command");
    assert_eq!(audit_count(db, "report.").await, 0, "{e:?}");
}
on_both_engines!(report_generate_refusals, report_generate_refuses_what_it_cannot_write);

async fn new_review(db: &TestDb, title: &str) -> i64 {
    db.store
        .tracker()
        .create_review(&Actor::system(), &ReviewInput { kind: Some(ReviewKind::WorkingGroup), title: title.into(), ..Default::default() })
        .await
        .unwrap()
}

/// The demo's working group exported, then imported into an empty review of a
/// second council's database: dry run, for real, then refused the second time.
async fn an_export_imports_once(db: &TestDb) {
    let e = db.engine;
    load_demo(db).await;
    let file = db.dir.join("register.csv");
    let o = run(db, &["export", "--format", "csv", "--out", file.to_str().unwrap(), "--review", WORKING_GROUP]);
    expect_code(&o, 0, e, "export --format csv");
    assert!(o.stdout.contains("Exported 8 recommendations"), "{e:?}: {}", o.stdout);
    let csv = std::fs::read_to_string(&file).unwrap();
    assert!(csv.contains("Members of Parliament") && csv.contains("Reference"), "{e:?}:\n{csv}");
    assert_eq!(audit_count(db, "register.export").await, 1, "{e:?}: the export is audited");
    let o = run(db, &["export", "--out", db.dir.join("register.xlsx").to_str().unwrap()]);
    expect_code(&o, 0, e, "export as xlsx, the format from the file name");
    assert!(std::fs::read(db.dir.join("register.xlsx")).unwrap().starts_with(b"PK"));

    let other = TestDb::new(e).await;
    let review = new_review(&other, "Imported working group").await;
    let review_arg = review.to_string();
    let args = ["import", file.to_str().unwrap(), "--preset", "Assure register", "--review", review_arg.as_str()];

    let mut dry = args.to_vec();
    dry.push("--dry-run");
    let o = run(&other, &dry);
    expect_code(&o, 0, e, "import --dry-run");
    assert!(o.stdout.contains("8 recommendations"), "{e:?}: {}", o.stdout);
    assert!(o.stdout.contains("(1)(a)") && o.stdout.contains("SR (17/18) 01a"), "{e:?}: a line per recommendation: {}", o.stdout);
    assert_eq!(count_recommendations(&other, review).await, 0, "{e:?}: a dry run adds nothing");

    let o = run(&other, &args);
    expect_code(&o, 0, e, "import");
    assert!(o.stdout.contains("Imported 8 recommendations"), "{e:?}: {}", o.stdout);
    assert_eq!(count_recommendations(&other, review).await, 8, "{e:?}: all eight added");

    let o = run(&other, &args);
    expect_code(&o, 1, e, "importing the same file again");
    assert!(o.stderr.contains("already used"), "{e:?}: {}", o.stderr);
    assert!(o.stderr.contains("Nothing was imported."), "{e:?}: {}", o.stderr);
    assert_eq!(count_recommendations(&other, review).await, 8, "{e:?}: nothing added the second time");

    // By title, into the source database: every reference is taken there too.
    let o = run(db, &["import", file.to_str().unwrap(), "--preset", "assure register", "--review", WORKING_GROUP]);
    expect_code(&o, 1, e, "importing into the review it came from");
    assert!(o.stderr.lines().filter(|l| l.contains("already used")).count() == 8, "{e:?}: every problem, one per line: {}", o.stderr);

    assert_eq!(run(&other, &["audit", "verify"]).code, 0, "{e:?}");
    other.cleanup().await;
}
on_both_engines!(export_import_round_trip, an_export_imports_once);

async fn a_bad_file_imports_nothing(db: &TestDb) {
    let e = db.engine;
    let review = new_review(db, "Tracker from a spreadsheet").await;
    let review_arg = review.to_string();
    // The register's own layout (whatever its columns are), with one date that is not one.
    let headings = assure_domain::import::register_headings();
    let row = |cells: &[(&str, &str)]| -> Vec<String> {
        headings.iter().map(|h| cells.iter().find(|(k, _)| k == h).map(|(_, v)| v.to_string()).unwrap_or_default()).collect()
    };
    let table = vec![
        headings.clone(),
        row(&[
            ("Reference", "T1"),
            ("Number", "1"),
            ("Recommendation", "Write to the Members of Parliament"),
            ("Lead officer", "Steph Cordon, Head of Service"),
            ("Action", "Write letters"),
            ("Date", "May 2017"),
            ("RAG", "Amber"),
        ]),
        row(&[
            ("Reference", "T2"),
            ("Number", "2"),
            ("Recommendation", "Promote the e-learning tool"),
            ("Action", "Email schools"),
            ("Date", "Dec 202017"),
            ("RAG", "Red"),
        ]),
    ];
    let csv = assure_documents::spreadsheet::table_csv(&table);
    let file = db.dir.join("tracker.csv");
    std::fs::write(&file, csv).unwrap();
    let o = run(db, &["import", file.to_str().unwrap(), "--preset", "Assure register", "--review", &review_arg]);
    expect_code(&o, 1, e, "a date that is not one");
    assert!(o.stderr.contains("Row 3") && o.stderr.contains("“Date”"), "{e:?}: names the row and column: {}", o.stderr);
    assert!(o.stderr.contains("Nothing was imported."), "{e:?}: {}", o.stderr);
    assert_eq!(count_recommendations(db, review).await, 0, "{e:?}: all or nothing");

    let o = run(db, &["import", file.to_str().unwrap(), "--preset", "Assure register"]);
    expect_code(&o, 2, e, "no --review");
    assert!(o.stderr.contains("--review") && o.stderr.contains("Tracker from a spreadsheet"), "{e:?}: {}", o.stderr);

    let o = run(db, &["import", file.to_str().unwrap(), "--preset", "Children's tracker", "--review", &review_arg]);
    expect_code(&o, 2, e, "an unknown preset");
    assert!(o.stderr.contains("Assure register"), "{e:?}: the presets are listed: {}", o.stderr);

    let corrupt = db.dir.join("tracker.xlsx");
    std::fs::write(&corrupt, b"PK\x03\x04garbage").unwrap();
    let expected = assure_documents::read::read_table(b"PK\x03\x04garbage", "tracker.xlsx").unwrap_err().to_string();
    let o = run(db, &["import", corrupt.to_str().unwrap(), "--preset", "Assure register", "--review", "Tracker from a spreadsheet"]);
    expect_code(&o, 2, e, "a corrupt workbook");
    assert!(o.stderr.contains(&expected), "{e:?}: the reader's message {expected:?}: {}", o.stderr);

    let o = run(db, &["import", db.dir.join("missing.csv").to_str().unwrap(), "--preset", "Assure register", "--review", &review_arg]);
    expect_code(&o, 2, e, "a missing file");
    assert_eq!(count_recommendations(db, review).await, 0, "{e:?}");
    assert_eq!(audit_count(db, "import.").await, 0, "{e:?}: nothing audited as imported");
}
on_both_engines!(import_refusals, a_bad_file_imports_nothing);

/// `assure import-moderngov` with the storage tests' ModernGov answers: a dry run
/// prints what would come in and changes nothing; the import prints each meeting; a
/// second run adds nothing; a broken file refuses everything, naming the file and line.
async fn moderngov_history_imports_once(db: &TestDb) {
    let e = db.engine;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../storage/tests/moderngov");
    let files: Vec<String> =
        ["committees.xml", "meetings.xml", "meeting-1001.xml"].iter().map(|f| dir.join(f).to_string_lossy().into_owned()).collect();
    let mut args: Vec<&str> = vec!["import-moderngov"];
    args.extend(files.iter().map(String::as_str));
    let mut dry = args.clone();
    dry.push("--dry-run");
    let o = run(db, &dry);
    expect_code(&o, 0, e, "import-moderngov --dry-run");
    assert!(o.stdout.contains("Would import a new body: Licensing and Regulatory Committee"), "{e:?}: {}", o.stdout);
    assert!(o.stdout.contains("Nothing was changed (--dry-run)."), "{e:?}: {}", o.stdout);
    assert_eq!(audit_count(db, "meeting.import").await, 0, "{e:?}: a dry run writes nothing");

    let o = run(db, &args);
    expect_code(&o, 0, e, "import-moderngov");
    assert!(
        o.stdout.contains("Imported Overview and Scrutiny Committee (Children's Services and Safeguarding), 10 March 2015 (minutes approved): 4 agenda items, 4 minutes, 3 decisions, 4 attendance records"),
        "{e:?}: {}",
        o.stdout
    );
    assert!(o.stdout.contains("Imported 3 meetings and 2 new bodies from ModernGov"), "{e:?}: {}", o.stdout);
    assert!(o.stdout.contains("Note: committees.xml, line 18: Committee 99: it is marked deleted"), "{e:?}: {}", o.stdout);
    assert_eq!(audit_count(db, "meeting.import").await, 3, "{e:?}: each meeting's import is audited");

    let o = run(db, &args);
    expect_code(&o, 0, e, "import-moderngov again");
    assert!(
        o.stdout.contains("Imported 0 meetings and 0 new bodies") && o.stdout.contains("Imported before, left as it is: Meeting 1001"),
        "{e:?}: {}",
        o.stdout
    );

    let broken = db.dir.join("cut.xml");
    std::fs::write(&broken, "<meetings>\n<meeting>\n<meetingid>7</meetingid>").unwrap();
    let o = run(db, &["import-moderngov", files[0].as_str(), broken.to_str().unwrap()]);
    expect_code(&o, 1, e, "a broken file");
    assert!(
        o.stderr.contains("cut.xml, line 3: the file ends before its elements are closed") && o.stderr.contains("Nothing was imported."),
        "{e:?}: {}",
        o.stderr
    );
}
on_both_engines!(moderngov_import, moderngov_history_imports_once);

/// `assure import --guess` reads the columns as the web's mapping page guesses them (a
/// dry run prints the guessed mapping); a saved mapping finds its heading row in each
/// file (issue 14, fault 6); `--update-existing` updates in place the recommendations
/// whose references the file holds, printing each change in a dry run.
async fn guessing_saved_mappings_and_updating_in_place(db: &TestDb) {
    use assure_domain::import::{check_preset, ImportField, Mapping, Preset};
    let e = db.engine;
    let review = new_review(db, "Tracker from a workbook").await;
    let review_arg = review.to_string();
    let write = |name: &str, rows: &[&[&str]]| -> PathBuf {
        let table: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        let file = db.dir.join(name);
        std::fs::write(&file, assure_documents::spreadsheet::table_csv(&table)).unwrap();
        file
    };
    let titled = write(
        "titled.csv",
        &[
            &["Scrutiny recommendations: monitoring", "", "", ""],
            &["Ref", "Recommendation", "RAG", "Progress made"],
            &["T1", "Write to the Members of Parliament", "Amber", "7 December 2017: letters sent"],
            &["T2", "Promote the e-learning tool", "Red", ""],
        ],
    );
    let f = titled.to_str().unwrap();
    let o = run(db, &["import", f, "--guess", "--dry-run", "--review", &review_arg]);
    expect_code(&o, 0, e, "import --guess --dry-run");
    assert!(o.stdout.contains("Guessed mapping: headings on row 2"), "{e:?}: {}", o.stdout);
    assert!(o.stdout.contains("← “Progress made”") && o.stdout.contains("← “Ref”"), "{e:?}: {}", o.stdout);
    assert!(o.stdout.contains("2 recommendations, 0 actions and 1 updates would be imported"), "{e:?}: {}", o.stdout);
    assert_eq!(count_recommendations(db, review).await, 0, "{e:?}: a dry run adds nothing");
    let o = run(db, &["import", f, "--review", &review_arg]);
    expect_code(&o, 2, e, "neither --preset nor --guess");
    assert!(o.stderr.contains("--preset NAME") && o.stderr.contains("--guess"), "{e:?}: {}", o.stderr);
    let o = run(db, &["import", f, "--guess", "--review", &review_arg]);
    expect_code(&o, 0, e, "import --guess");
    assert_eq!(count_recommendations(db, review).await, 2, "{e:?}");

    // A mapping saved with its headings on row 2 reads a CSV whose headings are on row 1.
    let saved = Preset {
        name: "Council workbook".into(),
        header_row: 2,
        mapping: Mapping {
            columns: vec![
                (ImportField::Reference, "Ref".into()),
                (ImportField::Recommendation, "Recommendation".into()),
                (ImportField::Rag, "RAG".into()),
                (ImportField::Progress, "Progress made".into()),
            ],
        },
    };
    db.store.imports().save_preset(&Actor::system(), &check_preset(&saved).unwrap()).await.unwrap();
    let plain = write(
        "plain.csv",
        &[
            &["Ref", "Recommendation", "RAG", "Progress made"],
            &["T1", "Write to the Members of Parliament", "Green", "7 December 2017: letters sent\n9 January 2018: replies received"],
            &["T2", "Promote the e-learning tool", "Red", ""],
        ],
    );
    let f = plain.to_str().unwrap();
    let o = run(db, &["import", f, "--preset", "Council workbook", "--review", &review_arg]);
    expect_code(&o, 1, e, "references already held, with no choice made");
    assert!(o.stderr.contains("“T1” is already used by recommendation (1) of “Tracker from a workbook”"), "{e:?}: {}", o.stderr);
    assert!(o.stderr.contains("--update-existing"), "{e:?}: the choice is named: {}", o.stderr);
    assert!(!o.stderr.contains("has no column headed"), "{e:?}: the heading row is found: {}", o.stderr);

    let o = run(db, &["import", f, "--preset", "Council workbook", "--update-existing", "--dry-run", "--review", &review_arg]);
    expect_code(&o, 0, e, "import --update-existing --dry-run");
    assert!(o.stdout.contains("1 recommendations already in the register would be updated in place"), "{e:?}: {}", o.stdout);
    assert!(o.stdout.contains("RAG: Amber → Green"), "{e:?}: {}", o.stdout);
    assert!(o.stdout.contains("Update added: 9 January 2018: replies received"), "{e:?}: {}", o.stdout);
    let o = run(db, &["import", f, "--preset", "Council workbook", "--update-existing", "--review", &review_arg]);
    expect_code(&o, 0, e, "import --update-existing");
    assert!(o.stdout.contains("Updated 1 recommendations already in the register in place (1 unchanged)"), "{e:?}: {}", o.stdout);
    assert_eq!(count_recommendations(db, review).await, 2, "{e:?}: updated, not added");
    assert_eq!(audit_count(db, "recommendation.import-update").await, 1, "{e:?}");
    let o = run(db, &["import", "--help"]);
    assert!(o.stdout.contains("--update-existing") && o.stdout.contains("--guess"), "{}", o.stdout);
}
on_both_engines!(import_guess_and_update, guessing_saved_mappings_and_updating_in_place);

/// `assure subject-access`: everything held about one child in a ZIP (a Word summary and
/// JSON per kind of record), audited; a number that names no child is refused, nothing written.
async fn subject_access_writes_a_zip(db: &TestDb) {
    let e = db.engine;
    load_demo(db).await;
    let mash = assure_storage::testing::reader(&db.store, "mash-worker@example.org").await;
    let child = db.store.children(&mash).search(&Default::default(), 1, 0).await.unwrap().0[0].id;
    let file = db.dir.join("sar.zip");
    let o = run(db, &["subject-access", "--child", &child.to_string(), "--out", file.to_str().unwrap()]);
    expect_code(&o, 0, e, "subject-access");
    assert!(o.stdout.contains(&format!("about child {child}")) && o.stdout.contains("marked for redaction review"), "{e:?}: {}", o.stdout);
    let mut z = zip::ZipArchive::new(std::fs::File::open(&file).unwrap()).unwrap();
    let mut children = String::new();
    z.by_name("children.json").unwrap().read_to_string(&mut children).unwrap();
    assert!(children.contains(&format!("\"id\": {child}")), "{e:?}: {children}");
    assert!(z.by_name("summary.docx").is_ok());
    assert_eq!(audit_count(db, "child.subject-access").await, 1, "{e:?}: the export is audited");
    assert!(leftovers(&db.dir).is_empty());

    let o = run(db, &["retention", "due"]);
    expect_code(&o, 0, e, "retention due");
    assert!(o.stdout.contains("No child's record is due for destruction today."), "{e:?}: {}", o.stdout);

    let missing = db.dir.join("none.zip");
    let o = run(db, &["subject-access", "--child", "999999", "--out", missing.to_str().unwrap()]);
    expect_code(&o, 2, e, "subject-access for no child");
    assert!(o.stderr.contains("no child has the record number 999999"), "{e:?}: {}", o.all());
    assert!(!missing.exists());
}
on_both_engines!(subject_access, subject_access_writes_a_zip);

// ------------------------------------------------------------------ backup and restore

/// `assure` pointed at a restore target: its data directory, and its database on PostgreSQL.
fn at_target(dir: &Path, url: Option<&str>) -> Command {
    command(dir, url)
}

async fn drill_entries(url: &str) -> Vec<i64> {
    let store = Store::open(url).await.expect("open the restored database");
    let (entries, _) = store.audit().list(&AuditFilter { action: Some("drill.write".into()), ..Default::default() }, 1_000_000, 0).await.unwrap();
    store.close().await;
    entries.iter().map(|e| e.record_id.parse().unwrap()).collect()
}

async fn a_backup_taken_under_write_load_restores_every_acknowledged_write(db: &TestDb) {
    // An uploaded file in the data directory comes back too.
    std::fs::create_dir_all(db.dir.join("evidence")).unwrap();
    std::fs::write(db.dir.join("evidence").join("minutes.pdf"), b"%PDF-1.4 evidence bytes").unwrap();
    let out = db.dir.with_extension("assure-backup");
    // The audit key and an anchor of the head in the data directory: restored with it,
    // and the anchor checked by the verify that ends the restore.
    let o = run(db, &["audit", "anchor"]);
    expect_code(&o, 0, db.engine, "audit anchor");
    assert!(db.dir.join("audit-anchors").is_file() && db.dir.join("audit-key").is_file(), "the anchor and key are in the data directory");

    // Writes keep arriving while the backup is taken; each is recorded once acknowledged.
    let acked = Arc::new(Mutex::new(Vec::<i64>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (store, acked, stop) = (db.store.clone(), acked.clone(), stop.clone());
        tokio::spawn(async move {
            let mut i = 0i64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                i += 1;
                store.record(&Actor::system(), assure_storage::audit::Event::new("drill.write", "drill", i, "a write under load")).await.unwrap();
                acked.lock().unwrap().push(i);
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before: Vec<i64> = acked.lock().unwrap().clone();
    assert!(!before.is_empty(), "writes were acknowledged before the backup");
    let o = {
        let mut c = assure(db);
        c.arg("backup").arg("--out").arg(&out);
        tokio::task::spawn_blocking(move || output(c, None)).await.unwrap()
    };
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.await.unwrap();
    expect_code(&o, 0, db.engine, "backup under load");
    assert!(o.stdout.contains("Backup written to"), "{}", o.stdout);
    assert!(acked.lock().unwrap().len() > before.len(), "writes carried on during the backup");

    let (dir, url) = assure_storage::testing::empty_target(db.engine).await;
    let mut c = at_target(&dir, url.as_deref());
    c.arg("restore").arg(&out);
    let o = output(c, None);
    expect_code(&o, 0, db.engine, "restore into an empty target");
    assert!(o.stdout.contains("Audit log intact"), "the chain is verified after the restore:\n{}", o.stdout);
    let restored_url = url.clone().unwrap_or_else(|| assure_storage::sqlite_url(&dir));
    let restored = drill_entries(&restored_url).await;
    for i in &before {
        assert!(restored.contains(i), "{:?}: write {i}, acknowledged before the backup began, is in the restore", db.engine);
    }
    let mut sorted = restored.clone();
    sorted.sort();
    assert_eq!(sorted, (1..=restored.len() as i64).collect::<Vec<_>>(), "a consistent cut: no write missing before the last one restored");
    assert_eq!(std::fs::read(dir.join("evidence").join("minutes.pdf")).unwrap(), b"%PDF-1.4 evidence bytes", "the evidence file");
    assert_eq!(std::fs::read(dir.join("audit-key")).unwrap(), std::fs::read(db.dir.join("audit-key")).unwrap(), "the audit key");
    let o = output(
        {
            let mut c = at_target(&dir, url.as_deref());
            c.args(["audit", "verify", "--anchors"]).arg(dir.join("audit-anchors"));
            c
        },
        None,
    );
    expect_code(&o, 0, db.engine, "the restored chain reaches the restored anchors");

    // A second restore into the now-used target is refused, and changes nothing.
    let mut c = at_target(&dir, url.as_deref());
    c.arg("restore").arg(&out);
    let again = output(c, None);
    expect_code(&again, 2, db.engine, "restore into a target that is not empty");
    assert!(again.stderr.contains("not empty"), "{}", again.stderr);
    assert_eq!(drill_entries(&restored_url).await.len(), restored.len());
    assure_storage::testing::drop_target(&dir, url.as_deref()).await;
    let _ = std::fs::remove_file(&out);
}
on_both_engines!(backup_drill, a_backup_taken_under_write_load_restores_every_acknowledged_write);

async fn a_damaged_or_mismatched_backup_restores_nothing(db: &TestDb) {
    make_activity(db);
    let out = db.dir.with_extension("assure-backup");
    let o = run(db, &["backup", "--out", out.to_str().unwrap()]);
    expect_code(&o, 0, db.engine, "backup");
    let again = run(db, &["backup", "--out", out.to_str().unwrap()]);
    expect_code(&again, 2, db.engine, "a backup over an existing file");
    assert!(again.stderr.contains("exists already"), "{}", again.stderr);

    // One byte changed in the database copy: its checksum no longer matches.
    let mut bytes = std::fs::read(&out).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
    let start = zip.by_name(if db.engine == Engine::Sqlite { "database.sqlite3" } else { "database.pgdump" }).unwrap().data_start().unwrap() as usize;
    drop(zip);
    bytes[start + 10] ^= 0xff;
    let damaged = db.dir.with_extension("damaged-backup");
    std::fs::write(&damaged, &bytes).unwrap();
    let (dir, url) = assure_storage::testing::empty_target(db.engine).await;
    let mut c = at_target(&dir, url.as_deref());
    c.arg("restore").arg(&damaged);
    let o = output(c, None);
    expect_code(&o, 2, db.engine, "a damaged backup");
    assert!(o.stderr.contains("damaged"), "{}", o.stderr);
    assert!(!dir.exists(), "nothing written for a damaged backup");
    if let Some(u) = &url {
        assert!(assure_storage::backup::tables_in(u).await.unwrap().is_empty(), "nothing restored into the database");
    }

    // A backup of one engine is not restored into the other.
    let other = if db.engine == Engine::Sqlite { Some(assure_storage::testing::empty_target(Engine::Postgres).await.1.unwrap()) } else { None };
    let mut c = at_target(&dir, other.as_deref());
    c.arg("restore").arg(&out);
    let o = output(c, None);
    expect_code(&o, 2, db.engine, "a backup into the other engine");
    assert!(o.stderr.contains("same kind of database"), "{}", o.stderr);

    // Not a backup at all.
    let junk = db.dir.with_extension("junk");
    std::fs::write(&junk, "Recommendation,Status\n1,Open\n").unwrap();
    let mut c = at_target(&dir, url.as_deref());
    c.arg("restore").arg(&junk);
    let o = output(c, None);
    expect_code(&o, 2, db.engine, "a file that is not a backup");
    assert!(o.stderr.contains("not an Assure backup"), "{}", o.stderr);
    assert!(!dir.exists(), "nothing written");

    assure_storage::testing::drop_target(&dir, url.as_deref()).await;
    if let Some(u) = other {
        assure_storage::testing::drop_target(&dir, Some(&u)).await;
    }
    let _ = std::fs::remove_file(&out);
    let _ = std::fs::remove_file(&damaged);
    let _ = std::fs::remove_file(&junk);
}
on_both_engines!(backup_refusals, a_damaged_or_mismatched_backup_restores_nothing);

/// `assure report generate --quarterly`: refused, writing nothing, while the quarter's
/// months are open; once they are closed, a draft is started and written as DOCX; a
/// quarter that is not one and a format the report does not come in are usage errors.
async fn quarterly_reports_are_generated_from_closed_months(db: &TestDb) {
    let quarter = assure_domain::quarterly::Quarter::of(assure_domain::Clock::system().today()).previous().previous();
    let q = quarter.to_string();
    let out = db.dir.join("macse.docx");
    let o = run(db, &["report", "generate", "--quarterly", "macse", "--quarter", &q, "--out", out.to_str().unwrap()]);
    expect_code(&o, 2, db.engine, "months not closed");
    assert!(o.stderr.contains("not closed yet"), "{}", o.all());
    assert!(!out.exists());
    for m in quarter.months() {
        let o = run(db, &["dataset", "close", "--month", &m.to_string()]);
        expect_code(&o, 0, db.engine, "close a month");
    }
    let o = run(db, &["report", "generate", "--quarterly", "macse", "--quarter", &q, "--out", out.to_str().unwrap()]);
    expect_code(&o, 0, db.engine, "the quarterly report");
    assert!(o.all().contains("Started a draft"), "{}", o.all());
    assert!(std::fs::read(&out).unwrap().starts_with(b"PK"));
    let o = run(db, &["report", "generate", "--quarterly", "cabinet", "--quarter", "2026-Q9", "--out", out.to_str().unwrap()]);
    expect_code(&o, 2, db.engine, "not a quarter");
    assert!(o.stderr.contains("is not a quarter"), "{}", o.all());
    let o = run(db, &["report", "generate", "--quarterly", "macse", "--quarter", &q, "--format", "html", "--out", out.to_str().unwrap()]);
    expect_code(&o, 2, db.engine, "no print view");
    let o = run(db, &["report", "generate", "--quarterly", "macse", "--out", out.to_str().unwrap()]);
    expect_code(&o, 2, db.engine, "--quarter needed");
}
on_both_engines!(quarterly_generate, quarterly_reports_are_generated_from_closed_months);
