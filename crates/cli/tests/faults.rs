//! Fault drills against the real `assure serve` binary: its database going away under
//! load and coming back, and the database's disk filling up.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assure_storage::testing::TestDb;
use assure_storage::Engine;
use serde_json::json;
use support::{Ledger, Load, OnRefusal, Proxy, Server};

/// `host:port` of a `postgres://user@host:port/db` URL.
fn host_port(url: &str) -> &str {
    let after_scheme = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let authority = after_scheme.split('/').next().unwrap_or(after_scheme);
    authority.rsplit_once('@').map(|(_, h)| h).unwrap_or(authority)
}

/// PostgreSQL becomes unreachable for a few seconds while clients write through the API
/// (every connection Assure had is dropped and new ones are refused, by a proxy in
/// between; the shared server itself is not restarted). Pages and the API answer 503 with
/// Retry-After within a bounded time, never 500; nothing acknowledged is lost; and the
/// same Assure process serves again once the database is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_going_away_under_load_gives_503_and_assure_recovers_by_itself() {
    if !assure_storage::testing::engines().contains(&Engine::Postgres) {
        return;
    }
    let db = TestDb::new(Engine::Postgres).await;
    db.store.close().await;
    let upstream: std::net::SocketAddr = host_port(&db.url).replace("localhost", "127.0.0.1").parse().expect("the test database's address");
    let proxy = Proxy::start(upstream).await;
    let via_proxy = db.url.replacen(host_port(&db.url), &format!("127.0.0.1:{}", proxy.port), 1);
    let token = support::account_and_token(&db.dir, Some(&db.url), "drill@example.org");

    // The default acquire timeout: what an operator gets without setting anything.
    let mut server = Server::spawn(support::command(&db.dir, Some(&via_proxy)));
    server.wait_ready(Duration::from_secs(60)).await;
    let port = server.port;
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let own = support::set_up_clients(port, &token, 3, &ledger).await;
    let load = Load::start(port, &token, &own, ledger.clone(), "outage", OnRefusal::RetryOn503);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before = ledger.lock().unwrap().acknowledged();
    assert!(before > 0, "writes were acknowledged before the outage");

    proxy.cut().await;
    let cut = Instant::now();
    let (mut api_503, mut page_503, mut health_503) = (None, None, None);
    let mut slowest = Duration::ZERO;
    let bound = Duration::from_secs(10);
    while cut.elapsed() < Duration::from_secs(7) {
        let t = Instant::now();
        let api = support::request(port, "GET", "/api/v1/reviews", Some(&token), None, Duration::from_secs(30)).await;
        slowest = slowest.max(t.elapsed());
        let api = api.expect("the API answers while the database is away");
        assert!(api.status == 200 || api.status == 503, "API during the outage: {} {}", api.status, api.body);
        if api.status == 503 {
            api_503 = Some(api);
        }
        // A browser with a session cookie: the session cannot be looked up.
        let t = Instant::now();
        let headers = [("Accept", "text/html"), ("Cookie", "assure_session=a-session-the-database-would-know")];
        let page = support::request_with(port, "GET", "/", &headers, None, Duration::from_secs(30)).await;
        slowest = slowest.max(t.elapsed());
        let page = page.expect("pages answer while the database is away");
        assert!(page.status == 200 || page.status == 303 || page.status == 503, "page during the outage: {} {}", page.status, page.body);
        if page.status == 503 {
            page_503 = Some(page);
        }
        let health = support::request(port, "GET", "/healthz", None, None, Duration::from_secs(30)).await.expect("/healthz answers");
        if health.status == 503 {
            health_503 = Some(health);
        }
    }
    proxy.restore().await;
    let restored = Instant::now();

    let api = api_503.expect("the API answered 503 while the database was away");
    assert!(api.header("retry-after").is_some_and(|s| s.parse::<u32>().is_ok_and(|n| n > 0)), "Retry-After in seconds: {:?}", api.headers);
    assert_eq!(api.json()["error"], "unavailable", "{}", api.body);
    assert!(api.json()["message"].as_str().is_some_and(|m| m.contains("Try again")), "{}", api.body);
    let page = page_503.expect("a page answered 503 while the database was away");
    assert!(page.header("retry-after").is_some(), "{:?}", page.headers);
    assert!(page.header("content-type").is_some_and(|c| c.starts_with("text/html")), "{:?}", page.headers);
    assert!(page.body.contains("Sorry, the service is unavailable") && page.body.contains("<h1"), "a plain error page:\n{}", page.body);
    assert!(health_503.is_some_and(|h| h.header("retry-after").is_some()), "/healthz says the database is unavailable");
    assert!(slowest < bound, "no request waited longer than {bound:?} for the database (slowest {slowest:?})");

    // Back without a restart: the same process takes a write again.
    let recovered = loop {
        let body = json!({ "kind": "working-group", "title": "Written after the outage" });
        let r = support::request(port, "POST", "/api/v1/reviews", Some(&token), Some(&body), Duration::from_secs(15)).await.expect("answers");
        if r.status == 201 {
            let id = r.json()["id"].as_i64().unwrap();
            ledger.lock().unwrap().reviews.insert(id, "Written after the outage".into());
            break restored.elapsed();
        }
        assert_eq!(r.status, 503, "while recovering: {}", r.body);
        assert!(restored.elapsed() < Duration::from_secs(30), "Assure did not recover within 30 s of the database coming back");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let at_recovery = ledger.lock().unwrap().acknowledged();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    load.finish().await;
    assert!(server.running(), "the same Assure process is still serving:\n{}", server.output());
    assert_eq!(support::request(port, "GET", "/healthz", None, None, Duration::from_secs(10)).await.unwrap().status, 200);

    let (after, failures) = {
        let l = ledger.lock().unwrap();
        (l.acknowledged(), l.failures.clone())
    };
    assert!(failures.is_empty(), "every answer under load was a success or a 503 with Retry-After:\n{}", failures.join("\n"));
    assert!(after > at_recovery, "the load clients' writes succeed again after the outage ({at_recovery} -> {after})");
    let lost = support::lost_writes(&db.url, &ledger).await;
    assert!(lost.is_empty(), "acknowledged writes lost:\n{}", lost.join("\n"));
    let (ok, out) = support::audit_verify(&db.dir, Some(&db.url));
    assert!(ok, "audit verify after the outage:\n{out}");
    println!("outage drill: {before} writes acknowledged before the cut, {after} in all; recovered {recovered:?} after the database came back; slowest answer during the outage {slowest:?}");
    server.kill9();
    db.cleanup().await;
}

// ------------------------------------------------------------------ the disk fills up

/// A small filesystem of the drill's own (tmpfs), so that it can be filled without
/// touching the machine's disk. Mounting needs root, as CI runs; elsewhere the drill says
/// why it did not run.
struct SmallDisk {
    path: std::path::PathBuf,
    filler: std::path::PathBuf,
}

impl SmallDisk {
    fn mount(name: &str, megabytes: u32, owner: Option<&str>) -> Option<SmallDisk> {
        let path = std::env::temp_dir().join(format!("assure_small_disk_{}_{name}", std::process::id()));
        std::fs::create_dir_all(&path).expect("a mount point");
        let mut options = format!("size={megabytes}m,mode=0755");
        if let Some(user) = owner {
            let id = |flag: &str| {
                let out = std::process::Command::new("id").args([flag, user]).output().expect("run id");
                String::from_utf8_lossy(&out.stdout).trim().to_string()
            };
            options = format!("size={megabytes}m,mode=0700,uid={},gid={}", id("-u"), id("-g"));
        }
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &options, "tmpfs"])
            .arg(&path)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !mounted {
            let _ = std::fs::remove_dir(&path);
            return None;
        }
        let filler = path.join("filler");
        Some(SmallDisk { path, filler })
    }

    /// Fill whatever room is left with one file, to the last block.
    fn fill(&self) {
        use std::io::Write;
        let mut f = std::fs::File::create(&self.filler).expect("create the filler");
        for chunk in [1 << 20, 1 << 12, 1] {
            let block = vec![0x5a_u8; chunk];
            while f.write_all(&block).is_ok() {}
        }
        let _ = f.sync_all();
    }

    /// Room again, as an operator who cleared the disk would make.
    fn make_room(&self) {
        std::fs::remove_file(&self.filler).expect("remove the filler");
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg("-l").arg(&self.path).status();
        let _ = std::fs::remove_dir(&self.path);
    }
}

/// Text that neither engine can compress away, so each update takes real room.
fn incompressible(seed: u64, len: usize) -> String {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'a' + (x % 26) as u8)
        })
        .collect()
}

/// The database's disk fills up while someone writes through the API: each write that
/// cannot be kept is answered 507 with a message saying the disk is full (never 500),
/// reading goes on, nothing half-saved appears, and once an operator makes room the same
/// Assure process saves again; every acknowledged write is there and the audit chain
/// verifies.
async fn full_disk_drill(engine: Engine) {
    let name = if engine == Engine::Sqlite { "sqlite" } else { "postgres" };
    let Some(disk) = SmallDisk::mount(name, 24, (engine == Engine::Postgres).then_some("postgres")) else {
        eprintln!("{name}: the full-disk drill needs to mount a small tmpfs (run as root, as CI does); not run here");
        return;
    };
    // SQLite keeps its database in the data directory, which sits on the small disk;
    // PostgreSQL keeps this database in a tablespace on it.
    let (dir, url, admin_cleanup) = match engine {
        Engine::Sqlite => {
            let dir = disk.path.join("data");
            (dir.clone(), assure_storage::sqlite_url(&dir), None)
        }
        Engine::Postgres => {
            use sqlx::{Connection, Executor};
            let admin = assure_storage::testing::postgres_admin_url();
            let mut conn = sqlx::PgConnection::connect(&admin).await.expect("PostgreSQL for the drill");
            let tag = format!("assure_full_{}", std::process::id());
            conn.execute(format!("CREATE TABLESPACE {tag} LOCATION '{}'", disk.path.display()).as_str())
                .await
                .expect("a tablespace on the small disk");
            conn.execute(format!("CREATE DATABASE {tag} TABLESPACE {tag}").as_str()).await.expect("a database in it");
            let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(admin.clone());
            let dir = std::env::temp_dir().join(format!("{tag}_data"));
            (dir, format!("{base}/{tag}"), Some((admin, tag)))
        }
    };
    std::fs::create_dir_all(&dir).expect("data directory");
    let pg = (engine == Engine::Postgres).then_some(url.as_str());
    let token = support::account_and_token(&dir, pg, "disk@example.org");
    let mut server = Server::spawn(support::command(&dir, pg));
    server.wait_ready(Duration::from_secs(60)).await;
    let port = server.port;
    let t = Duration::from_secs(30);
    let ledger = Mutex::new(Ledger::default());
    let own = support::set_up_clients(port, &token, 1, &ledger).await[0];
    let updates = format!("/api/v1/recommendations/{}/updates", own.recommendation);
    let write = |n: u64| json!({ "update_date": "2030-01-01", "narrative": incompressible(n, 1500), "progress_percent": n % 101 });
    for n in 0..10 {
        let r = support::request(port, "POST", &updates, Some(&token), Some(&write(n)), t).await.expect("answers");
        assert_eq!(r.status, 201, "{name}: a write before the disk fills: {}", r.body);
        ledger.lock().unwrap().updates.insert(r.json()["id"].as_i64().unwrap(), (own.recommendation, write(n)["narrative"].as_str().unwrap().into()));
    }

    disk.fill();
    let (mut full, mut in_a_row, mut saved_while_filling) = (None, 0, 0);
    for n in 10..3000 {
        let r = support::request(port, "POST", &updates, Some(&token), Some(&write(n)), t).await.expect("every write is answered");
        match r.status {
            201 => {
                // Room the database had already taken (free pages, the WAL) is used first.
                saved_while_filling += 1;
                in_a_row = 0;
                ledger
                    .lock()
                    .unwrap()
                    .updates
                    .insert(r.json()["id"].as_i64().unwrap(), (own.recommendation, write(n)["narrative"].as_str().unwrap().into()));
            }
            507 => {
                in_a_row += 1;
                full = Some(r);
                if in_a_row == 3 {
                    break;
                }
            }
            other => panic!("{name}: a write on a full disk answered {other}: {}\n{}", r.body, server.output()),
        }
    }
    let full = full.unwrap_or_else(|| panic!("{name}: no write was refused for a full disk ({saved_while_filling} saved)"));
    assert_eq!(full.json()["error"], "storage_full", "{}", full.body);
    assert!(full.json()["message"].as_str().is_some_and(|m| m.contains("disk is full") && m.contains("not saved")), "{}", full.body);
    let read =
        support::request(port, "GET", &format!("/api/v1/recommendations/{}", own.recommendation), Some(&token), None, t).await.expect("answers");
    assert_eq!(read.status, 200, "{name}: reading goes on while the disk is full: {}", read.body);
    let page = support::request_with(port, "GET", "/login", &[("Accept", "text/html")], None, t).await.expect("answers");
    assert_eq!(page.status, 200, "{name}: pages are served while the disk is full");

    disk.make_room();
    let made_room = Instant::now();
    let mut n = 5000;
    loop {
        let r = support::request(port, "POST", &updates, Some(&token), Some(&write(n)), t).await.expect("answers");
        if r.status == 201 {
            ledger
                .lock()
                .unwrap()
                .updates
                .insert(r.json()["id"].as_i64().unwrap(), (own.recommendation, write(n)["narrative"].as_str().unwrap().into()));
            break;
        }
        assert_eq!(r.status, 507, "{name}: after room was made: {}\n{}", r.body, server.output());
        assert!(made_room.elapsed() < Duration::from_secs(20), "{name}: Assure did not save again within 20 s of room being made");
        n += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(server.running(), "{name}: the same process serves on:\n{}", server.output());
    server.kill9();
    if let Some(url) = pg {
        support::wait_for_other_sessions_to_end(url).await;
    }
    let lost = support::lost_writes(&url, &ledger).await;
    assert!(lost.is_empty(), "{name}: acknowledged writes lost:\n{}", lost.join("\n"));
    let (ok, out) = support::audit_verify(&dir, pg);
    assert!(ok, "{name}: audit verify after the disk was full:\n{out}");
    if engine == Engine::Sqlite {
        use sqlx::{Connection, Row};
        let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("open the database");
        let check: String = sqlx::query("PRAGMA integrity_check").fetch_one(&mut conn).await.expect("integrity check").get(0);
        assert_eq!(check, "ok", "the SQLite database is whole");
        conn.close().await.ok();
    }
    println!("{name}: full-disk drill: {saved_while_filling} writes saved into room already taken, then 507; saved again after room was made");
    if let Some((admin, tag)) = admin_cleanup {
        use sqlx::{Connection, Executor};
        let mut conn = sqlx::PgConnection::connect(&admin).await.expect("PostgreSQL");
        let _ = conn.execute(format!("DROP DATABASE IF EXISTS {tag} WITH (FORCE)").as_str()).await;
        let _ = conn.execute(format!("DROP TABLESPACE IF EXISTS {tag}").as_str()).await;
        let _ = std::fs::remove_dir_all(&dir);
    }
    drop(disk);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_gives_507_loses_nothing_and_assure_saves_again_sqlite() {
    if assure_storage::testing::engines().contains(&Engine::Sqlite) {
        full_disk_drill(Engine::Sqlite).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_gives_507_loses_nothing_and_assure_saves_again_postgres() {
    if assure_storage::testing::engines().contains(&Engine::Postgres) {
        full_disk_drill(Engine::Postgres).await;
    }
}
