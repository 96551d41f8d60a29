//! Fault drills against the real `assure serve` binary: its database going away under
//! load and coming back.

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
