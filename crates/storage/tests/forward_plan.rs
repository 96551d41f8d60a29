//! The key-decision forward plan on SQLite and PostgreSQL: an item not on a plan 28
//! clear days before its decision is refused as taken until an exception is recorded;
//! a published plan is frozen with its fingerprint and the diff between two plans says
//! what is new, moved, taken and withdrawn; bad input and stale edits are refused with
//! nothing saved; every write is audited.

use assure_domain::forward_plan::{DateChange, DecisionMaker, Exception, ItemInput, ItemStatus, TakenUnder};
use assure_domain::Clock;
use assure_storage::on_both_engines;
use assure_storage::testing::{count_rows, TestDb};
use assure_storage::{Actor, StoreError};
use chrono::{NaiveDate, TimeZone, Utc};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn on(day: NaiveDate) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(10, 0, 0).unwrap())
}

fn input(title: &str, expected: NaiveDate) -> ItemInput {
    ItemInput {
        title: title.into(),
        decision_maker: Some(DecisionMaker::Cabinet),
        decision_maker_name: "Cabinet".into(),
        expected: Some(expected),
        financial: true,
        contact_officer: "Jane Smith, Head of Commissioning".into(),
        ..Default::default()
    }
}

fn invalid_on(e: &StoreError, field: &str) -> bool {
    matches!(e, StoreError::Invalid(i) if i.for_field(field).is_some())
}

async fn the_plan_gives_notice_and_its_publications_are_frozen(db: &TestDb) {
    let clock = Clock::fixed(on(d(2027, 3, 1)));
    let db = db.with_clock(clock.clone());
    let s = &db.store;
    let a = Actor::system();
    let p = s.forward_plan();

    // Bad input: nothing saved.
    let e = p.create_item(&a, &ItemInput { contact_officer: String::new(), ..input("x", d(2027, 4, 15)) }).await.unwrap_err();
    assert!(invalid_on(&e, "contact_officer"), "{e:?}");
    let e = p.create_item(&a, &input("Past", d(2027, 2, 1))).await.unwrap_err();
    assert!(invalid_on(&e, "expected"), "{e:?}");
    assert_eq!(count_rows(s, "forward_plan_items").await, 0);

    let service = p.create_item(&a, &input("Commission a return-interview service", d(2027, 4, 15))).await.unwrap();
    let hub = p.create_item(&a, &input("Fund a CSE hub", d(2027, 4, 20))).await.unwrap();
    let taxis = p.create_item(&a, &input("Taxi licensing conditions", d(2027, 5, 6))).await.unwrap();
    let urgent = p.create_item(&a, &input("Emergency placement contract", d(2027, 3, 10))).await.unwrap();
    let minor = p.create_item(&a, &ItemInput { financial: false, ..input("A minor decision", d(2027, 3, 5)) }).await.unwrap();

    // Published on 1 March: notice from then.
    let march = p.publish(&a).await.unwrap();
    let e = p.publish(&a).await.unwrap_err();
    assert!(invalid_on(&e, "publish"), "once a day: {e:?}");
    let item = p.item(service).await.unwrap();
    assert_eq!(item.first_published, Some(d(2027, 3, 1)));
    assert_eq!(item.rule(), "28 clear days' notice: can be taken from 30 March 2027");

    // A key decision 27 clear days after publication: refused; the minor one is not key.
    clock.set(on(d(2027, 3, 29)));
    let v = item.version;
    let e = p.record_taken(&a, service, v, Some(d(2027, 3, 29))).await.unwrap_err();
    assert!(invalid_on(&e, "taken_on"), "{e:?}");
    assert_eq!(p.item(service).await.unwrap().status, ItemStatus::Open, "nothing saved");
    let mv = p.item(minor).await.unwrap().version;
    assert_eq!(p.record_taken(&a, minor, mv, Some(d(2027, 3, 5))).await.unwrap(), TakenUnder::NotKey);
    let e = p.record_taken(&a, service, v, Some(d(2027, 4, 2))).await.unwrap_err();
    assert!(invalid_on(&e, "taken_on"), "not in the future: {e:?}");

    // Special urgency for the one that cannot wait; then it can be taken.
    let uv = p.item(urgent).await.unwrap().version;
    let e = p.record_taken(&a, urgent, uv, Some(d(2027, 3, 10))).await.unwrap_err();
    assert!(invalid_on(&e, "taken_on"), "{e:?}");
    let bad = Exception::SpecialUrgency { chair: " ".into(), agreed: d(2027, 3, 9), reason: "Provider failure".into() };
    assert!(invalid_on(&p.record_exception(&a, urgent, uv, &bad).await.unwrap_err(), "chair"));
    let x = Exception::SpecialUrgency { chair: "Councillor Brannigan".into(), agreed: d(2027, 3, 9), reason: "Provider failure".into() };
    p.record_exception(&a, urgent, uv, &x).await.unwrap();
    assert!(matches!(p.record_exception(&a, urgent, uv, &x).await.unwrap_err(), StoreError::Conflict), "stale");
    let uv = p.item(urgent).await.unwrap().version;
    assert_eq!(
        p.record_taken(&a, urgent, uv, Some(d(2027, 3, 10))).await.unwrap(),
        TakenUnder::SpecialUrgency { chair: "Councillor Brannigan".into() }
    );

    // On 30 March the notice has run.
    clock.set(on(d(2027, 3, 30)));
    let v = p.item(service).await.unwrap().version;
    assert_eq!(p.record_taken(&a, service, v, Some(d(2027, 3, 30))).await.unwrap(), TakenUnder::Notice { published: d(2027, 3, 1) });

    // The hub moves with a reason; taxis are withdrawn; a new item; April's plan.
    let hv = p.item(hub).await.unwrap().version;
    assert!(invalid_on(&p.change_date(&a, hub, hv, Some(d(2027, 5, 27)), " ").await.unwrap_err(), "reason"));
    p.change_date(&a, hub, hv, Some(d(2027, 5, 27)), "Awaiting the consultation's results").await.unwrap();
    assert!(matches!(p.change_date(&a, hub, hv, Some(d(2027, 6, 3)), "Again").await.unwrap_err(), StoreError::Conflict));
    let got = p.item(hub).await.unwrap();
    assert_eq!(
        got.date_changes,
        vec![DateChange { on: d(2027, 3, 30), from: d(2027, 4, 20), to: d(2027, 5, 27), reason: "Awaiting the consultation's results".into() }]
    );
    let tv = p.item(taxis).await.unwrap().version;
    p.withdraw(&a, taxis, tv, "Superseded by the national standards").await.unwrap();
    let new = p.create_item(&a, &input("Adopt the missing children protocol", d(2027, 6, 10))).await.unwrap();
    clock.set(on(d(2027, 4, 1)));
    let april = p.publish(&a).await.unwrap();

    let (plan, before) = p.publication(april).await.unwrap();
    assert!(plan.intact);
    let planned: Vec<i64> = plan.snapshot.planned().iter().map(|i| i.id).collect();
    assert_eq!(planned, vec![hub, new]);
    assert_eq!(plan.snapshot.items.iter().filter(|i| i.new).map(|i| i.id).collect::<Vec<_>>(), vec![new]);
    let (prev, changes) = before.expect("March's plan before it");
    assert_eq!(prev.id, march);
    assert_eq!(changes.new, vec![new]);
    assert_eq!(changes.moved, vec![(hub, d(2027, 4, 20), d(2027, 5, 27))]);
    assert_eq!(changes.taken, vec![minor, urgent, service], "in the order March planned them");
    assert_eq!(changes.withdrawn, vec![taxis]);
    // March's plan still reads as it was published.
    let (march_plan, _) = p.publication(march).await.unwrap();
    assert!(march_plan.intact);
    assert_eq!(march_plan.snapshot.planned().len(), 5);
    assert_eq!(p.item(new).await.unwrap().first_published, Some(d(2027, 4, 1)));

    // A frozen plan that is changed underneath shows it.
    assure_storage::testing::exec(
        s,
        &format!("UPDATE forward_plan_publications SET snapshot_json = REPLACE(snapshot_json, 'Fund a CSE hub', 'Fund a hub') WHERE id = {march}"),
    )
    .await;
    assert!(!p.publication(march).await.unwrap().0.intact, "the fingerprint no longer matches");

    let audited = count_rows(s, "audit_log").await;
    assert!(audited >= 14, "every write audited: {audited}");
}
on_both_engines!(the_plan_gives_notice, the_plan_gives_notice_and_its_publications_are_frozen);

/// The demo's forward plan: the seed's October 2017 decisions taken on notice, the
/// CAMHS item moved twice with its reasons, one taken under the general exception, an
/// exempt one; three plans published, intact, the later ones saying what changed.
async fn the_demo_plan(db: &TestDb) {
    let s = &db.store;
    assure_storage::demo::load(s, s.today(), "demo-hash").await.unwrap();
    let p = s.forward_plan();
    let items = p.items(true).await.unwrap();
    assert_eq!(items.len(), 6);
    assert!(items.iter().all(|i| i.status == ItemStatus::Taken), "every 2017 decision was taken");
    let camhs = items.iter().find(|i| i.details.title.starts_with("Children and Adolescent Mental Health")).unwrap();
    let camhs = p.item(camhs.id).await.unwrap();
    assert_eq!(camhs.date_changes.len(), 2);
    assert!(camhs.date_changes.iter().all(|c| c.reason == "The Working Group is still deliberating on its Final Report"));
    assert_eq!(camhs.date_changes[0].on, d(2017, 3, 27));

    let under: Vec<String> = items.iter().filter_map(|i| i.taken_under.as_ref().map(|t| t.describe())).collect();
    assert!(under.iter().any(|u| u.starts_with("The general exception")), "{under:?}");
    assert!(items.iter().any(|i| i.details.exempt_paragraph == Some(3)));
    let plans = p.publications().await.unwrap();
    assert_eq!(plans.iter().map(|x| x.published_on).collect::<Vec<_>>(), vec![d(2017, 11, 1), d(2017, 9, 1), d(2017, 3, 1)]);
    assert!(plans.iter().all(|x| x.intact));
    let (september, _) = p.publication(plans[1].id).await.unwrap();
    let frozen = september.snapshot.items.iter().find(|i| i.id == camhs.id).unwrap();
    assert_eq!(frozen.date_changes.len(), 2, "the plan froze the item's date changes");
    let (_, before) = p.publication(plans[0].id).await.unwrap();
    let (_, changes) = before.unwrap();
    assert_eq!(changes.taken.len(), 4, "the four October decisions on September's plan were taken");
    assert_eq!(changes.new.len(), 1, "the exempt contract award is new on November's plan");
}
on_both_engines!(the_demo_plan_on, the_demo_plan);
