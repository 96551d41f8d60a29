//! Crash injection: the real `assure serve` under a write load through the JSON API is
//! killed with `kill -9` at random moments and started again. After every restart the
//! server answers, every write it acknowledged is in the database as acknowledged, and
//! `assure audit verify` passes.
//!
//! `ASSURE_CRASH_KILLS` kills per engine (20 by default, the short run in the test
//! suite); `scripts/crash-bench` runs the long one. `ASSURE_DRILL_SEED` repeats a run's
//! kill timings.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assure_storage::testing::TestDb;
use assure_storage::{on_both_engines, Engine};
use support::{Ledger, Load, OnRefusal, Rng, Server};

/// Load clients writing at once.
const CLIENTS: usize = 4;

fn kills() -> usize {
    std::env::var("ASSURE_CRASH_KILLS").ok().and_then(|k| k.parse().ok()).filter(|k| *k > 0).unwrap_or(20)
}

async fn kill_nine_under_write_load_loses_no_acknowledged_write(db: &TestDb) {
    let engine = db.engine;
    let name = if engine == Engine::Sqlite { "sqlite" } else { "postgres" };
    let kills = kills();
    db.store.close().await;
    let url = db.url.clone();
    let pg = (engine == Engine::Postgres).then_some(url.as_str());
    let dir = db.dir.clone();
    let token = support::account_and_token(&dir, pg, "drill@example.org");
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let mut rng = Rng::from_env(&format!("crash drill ({name})"));
    let started = Instant::now();

    let mut server = Server::spawn(support::command(&dir, pg));
    server.wait_ready(Duration::from_secs(60)).await;
    let own = support::set_up_clients(server.port, &token, CLIENTS, &ledger).await;

    let mut lost = Vec::new();
    let mut broken_audit = Vec::new();
    let mut unanswered = Vec::new();
    let mut verified = 0usize;
    for round in 1..=kills {
        let load = Load::start(server.port, &token, &own, ledger.clone(), &format!("k{round}"), OnRefusal::Fail);
        tokio::time::sleep(Duration::from_millis(rng.between(30, 700))).await;
        assert!(server.running(), "{name}: the server died by itself before kill {round}:\n{}", server.output());
        server.kill9();
        load.finish().await;
        if let Some(url) = pg {
            support::wait_for_other_sessions_to_end(url).await;
        }

        server = Server::spawn(support::command(&dir, pg));
        server.wait_ready(Duration::from_secs(60)).await;
        lost.extend(support::lost_writes(&url, &ledger).await.into_iter().map(|l| format!("after kill {round}: {l}")));

        // The restarted server shows an acknowledged record as it was acknowledged.
        let (id, title) = {
            let l = ledger.lock().unwrap();
            let newest = l.reviews.keys().max().copied().expect("a review");
            (newest, l.reviews[&newest].clone())
        };
        match support::request(server.port, "GET", &format!("/api/v1/reviews/{id}"), Some(&token), None, Duration::from_secs(20)).await {
            Ok(r) if r.status == 200 && r.json()["title"] == title.as_str() => {}
            Ok(r) => unanswered.push(format!("after kill {round}: GET review {id} answered {}: {}", r.status, r.body)),
            Err(e) => unanswered.push(format!("after kill {round}: GET review {id}: {e}")),
        }

        let (d, u) = (dir.clone(), pg.map(str::to_string));
        let (ok, out) = tokio::task::spawn_blocking(move || support::audit_verify(&d, u.as_deref())).await.unwrap();
        if ok {
            verified += 1;
        } else {
            broken_audit.push(format!("after kill {round}: {out}"));
        }
        if round % 100 == 0 {
            let acked = ledger.lock().unwrap().acknowledged();
            println!(
                "crash drill ({name}): {round} kills so far, {acked} acknowledged writes, {} lost, {:.0} s",
                lost.len(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    server.kill9();

    let l = ledger.lock().unwrap();
    let summary = format!(
        "crash drill ({name}): {kills} kills, {} acknowledged writes ({} reviews, {} progress updates, {} date revisions), {} lost, \
         {verified}/{kills} audit verifications passed, {:.0} s",
        l.acknowledged(),
        l.reviews.len(),
        l.updates.len(),
        l.revisions,
        lost.len(),
        started.elapsed().as_secs_f64()
    );
    println!("{summary}");
    assert!(l.failures.is_empty(), "{name}: answers that were not a success under load:\n{}", l.failures.join("\n"));
    assert!(lost.is_empty(), "{name}: acknowledged writes lost or changed:\n{}", lost.join("\n"));
    assert!(broken_audit.is_empty(), "{name}: audit verify failed:\n{}", broken_audit.join("\n"));
    assert!(unanswered.is_empty(), "{name}: the restarted server did not show an acknowledged record:\n{}", unanswered.join("\n"));
    assert!(l.acknowledged() >= kills * 2, "{name}: the load really wrote between kills: {summary}");
}
on_both_engines!(crash_injection, kill_nine_under_write_load_loses_no_acknowledged_write);
