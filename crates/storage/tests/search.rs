//! Searching recommendations through each engine's full-text index (FTS5 on SQLite,
//! a tsvector on PostgreSQL), run on both engines: ranked, prefix and reference
//! matching, kept up to date by edits, updates and deletion, paginated with its count,
//! and no typed text can make the engine fail.

use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use assure_storage::tracker::{RecFilter, RecommendationInput, ReviewInput, UpdateInput};
use assure_storage::{Actor, Engine, StoreError};
use chrono::NaiveDate;
use sqlx::Connection;

fn actor() -> Actor {
    Actor::system()
}

async fn review(db: &TestDb) -> i64 {
    let input =
        ReviewInput { kind: Some(assure_domain::tracker::ReviewKind::Other), title: "Taxi licensing and safeguarding".into(), ..Default::default() };
    db.store.tracker().create_review(&actor(), &input).await.unwrap()
}

async fn rec(db: &TestDb, review: i64, number: i64, committee: &str, executive: &str) -> i64 {
    let input =
        RecommendationInput { number: Some(number), committee_wording: committee.into(), executive_wording: executive.into(), ..Default::default() };
    db.store.tracker().create_recommendation(&actor(), review, &input).await.unwrap()
}

/// Ids of a search's first page (and its count).
async fn search(db: &TestDb, text: &str) -> (Vec<i64>, i64) {
    let (recs, total) = db.store.tracker().list_recommendations(&RecFilter { text: Some(text.into()), ..Default::default() }, 50, 0).await.unwrap();
    (recs.iter().map(|r| r.id).collect(), total)
}

/// Run a statement on the database itself (what no command of Assure does: give a
/// reference its own text, delete a recommendation).
async fn run(db: &TestDb, sql: &str) {
    match db.engine {
        Engine::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
        Engine::Postgres => {
            let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
    }
}

async fn ranked_prefix_and_reference_search(db: &TestDb) {
    let v = review(db).await;
    let once = rec(db, v, 1, "Review the safeguarding policy for drivers every year.", "").await;
    let thrice = rec(db, v, 2, "Safeguarding training for drivers; safeguarding leads keep safeguarding records.", "").await;
    let none = rec(db, v, 3, "Publish the licensing fees on the council's website.", "").await;
    let words = rec(db, v, 4, "In 2016 the SC met 3 times about fees.", "").await;
    let exact = rec(db, v, 5, "Share the drivers' register with neighbouring councils.", "").await;
    let longer = rec(db, v, 6, "Check the drivers' register monthly.", "").await;
    run(db, &format!("UPDATE recommendations SET reference = 'SC/2016/3' WHERE id = {exact}")).await;
    run(db, &format!("UPDATE recommendations SET reference = 'SC/2016/30' WHERE id = {longer}")).await;

    // Ranking: three mentions above one; a partial word finds the whole word.
    assert_eq!(search(db, "safeguarding").await, (vec![thrice, once], 2));
    assert_eq!(search(db, "safeguard").await, (vec![thrice, once], 2), "a partial word is the start of a word");
    assert_eq!(search(db, "SAFEGUARD drivers").await, (vec![thrice, once], 2), "every word must be found, in any case");
    assert_eq!(search(db, "safeguard fees").await.1, 0);
    assert_eq!(search(db, "guarding").await.1, 0, "a word is matched from its start");

    // A reference: its parts next to each other, the exact reference first; words that
    // merely appear apart do not match.
    let (found, n) = search(db, "SC/2016/3").await;
    assert_eq!((found, n), (vec![exact, longer], 2), "the exact reference first, then those it starts");
    assert_eq!(search(db, "sc/2016").await.1, 2);
    assert!(!search(db, "SC/2016/3").await.0.contains(&words));
    assert!(search(db, "2016").await.0.contains(&words));

    // The count and the pages agree, in the same order.
    let f = RecFilter { text: Some("safeguard".into()), ..Default::default() };
    let (p1, t1) = db.store.tracker().list_recommendations(&f, 1, 0).await.unwrap();
    let (p2, t2) = db.store.tracker().list_recommendations(&f, 1, 1).await.unwrap();
    assert_eq!((p1[0].id, p2[0].id, t1, t2), (thrice, once, 2, 2));
    let dash = db.store.tracker().dashboard(&f, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).await.unwrap();
    assert_eq!(dash.total, 2, "the dashboard counts what the search finds");

    // No search: every recommendation, in number order.
    let (all, total) = db.store.tracker().list_recommendations(&RecFilter::default(), 50, 0).await.unwrap();
    assert_eq!(total, 6);
    assert_eq!(all.iter().map(|r| r.id).collect::<Vec<_>>(), [once, thrice, none, words, exact, longer]);
}
on_both_engines!(ranked, ranked_prefix_and_reference_search);

async fn the_index_follows_edits_updates_and_deletion(db: &TestDb) {
    let v = review(db).await;
    let a = rec(db, v, 1, "Audit the exploitation toolkit.", "").await;
    let b = rec(db, v, 2, "Train the licensing panel.", "Agreed: training for the panel by March.").await;
    assert_eq!(search(db, "toolkit").await, (vec![a], 1));
    assert_eq!(search(db, "march").await, (vec![b], 1), "the executive's wording is searched");

    // An edit replaces the old words with the new.
    let current = db.store.tracker().recommendation(b).await.unwrap();
    let input = RecommendationInput { number: Some(2), committee_wording: "Give the panel a toolkit.".into(), ..Default::default() };
    db.store.tracker().update_recommendation(&actor(), b, current.version, &input).await.unwrap();
    assert_eq!(search(db, "march").await.1, 0);
    assert_eq!(search(db, "licensing").await.1, 0);
    assert_eq!(search(db, "toolkit").await.1, 2);

    // A progress update's text is found.
    let update = UpdateInput {
        update_date: NaiveDate::from_ymd_opt(2026, 11, 2),
        narrative: "Dashboards delivered to the panel.".into(),
        progress_percent: Some(40),
        corrects_id: None,
    };
    db.store.tracker().add_update(&actor(), a, &update, &[]).await.unwrap();
    assert_eq!(search(db, "dashboards").await, (vec![a], 1));
    assert_eq!(search(db, "toolkit dashboard").await, (vec![a], 1), "words from the wording and the updates together");

    // A deleted recommendation leaves the index.
    let c = rec(db, v, 3, "A toolkit recommendation made in error.", "").await;
    assert_eq!(search(db, "toolkit").await.1, 3);
    run(db, &format!("DELETE FROM recommendations WHERE id = {c}")).await;
    assert_eq!(search(db, "toolkit").await.1, 2);
    assert!(!search(db, "error").await.0.contains(&c));

    // The migration's backfill indexes what was already there: empty the index and run
    // the migration's last statement again.
    let dir = match db.engine {
        Engine::Sqlite => "sqlite",
        Engine::Postgres => "postgres",
    };
    let file = std::fs::read_to_string(format!("{}/migrations/{dir}/0075_recommendation_search.sql", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let (_, backfill) = file.split_once("-- Every recommendation already held, with its updates.").unwrap();
    run(db, "DELETE FROM recommendation_search").await;
    assert_eq!(search(db, "toolkit").await.1, 0);
    run(db, backfill).await;
    assert_eq!(search(db, "toolkit").await.1, 2);
    assert_eq!(search(db, "dashboards").await, (vec![a], 1));
}
on_both_engines!(kept_up_to_date, the_index_follows_edits_updates_and_deletion);

async fn no_typed_text_is_an_engine_error(db: &TestDb) {
    let v = review(db).await;
    let a = rec(db, v, 1, "Council's \"quoted\" wording: e-learning (phase 2) * 100%", "").await;
    for q in [
        "\"",
        "'",
        "\"unterminated",
        "it's",
        "NEAR(a b)",
        "a AND OR NOT b",
        "*",
        "col:value",
        "^start",
        "a & b | !c <-> d",
        "(((",
        "%_%",
        "\\",
        "'; DROP TABLE recommendations; --",
        "½ ² ﬁ é́ 日本語 🙂",
        "-",
        "e-learning",
        "\"quoted\"",
        "100%",
    ] {
        let f = RecFilter { text: Some(q.into()), ..Default::default() };
        match db.store.tracker().list_recommendations(&f, 50, 0).await {
            Ok(_) => {}
            Err(StoreError::Invalid(_)) => {}
            Err(e) => panic!("searching {q:?} failed in the database: {e}"),
        }
        match db.store.tracker().dashboard(&f, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).await {
            Ok(_) | Err(StoreError::Invalid(_)) => {}
            Err(e) => panic!("the dashboard for {q:?} failed in the database: {e}"),
        }
    }
    assert_eq!(search(db, "e-learning").await, (vec![a], 1));
    assert_eq!(search(db, "\"quoted\"").await, (vec![a], 1));
    assert_eq!(search(db, "100%").await, (vec![a], 1));
    assert_eq!(search(db, "\"'*:&").await.1, 0, "no letter or digit: nothing found");
}
on_both_engines!(punctuation, no_typed_text_is_an_engine_error);
