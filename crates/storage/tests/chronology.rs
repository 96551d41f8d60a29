//! A child's chronology (issue 21), on SQLite and PostgreSQL: built from the records of
//! the demo partnership, read through the door. It holds exactly the events of the
//! child's records, in time order; a SPOC's chronology is the co-chair's less the
//! police-only entries, with nothing left behind that betrays them; a significant-event
//! note is versioned, audited and refuses a stale version; the number of statements
//! does not grow with the number of events.

use std::collections::BTreeSet;

use assure_domain::chronology::{EntryKey, EntryKind};
use assure_domain::partnership::Section;
use assure_storage::audit::AuditFilter;
use assure_storage::children::ChildSearch;
use assure_storage::on_both_engines;
use assure_storage::testing::{self, TestDb};
use assure_storage::{ChildKey, ChildRecord, Reader, StoreError};

async fn reader(db: &TestDb, email: &str) -> Reader {
    testing::reader(&db.store, email).await
}

async fn child_named(db: &TestDb, r: &Reader, first: &str) -> i64 {
    let (found, _) = db.store.children(r).search(&ChildSearch { name: Some(first.into()), date_of_birth: None }, 50, 0).await.unwrap();
    found.iter().find(|c| c.first_name == first).unwrap_or_else(|| panic!("demo child {first}")).id
}

async fn open(db: &TestDb, r: &Reader, child: i64) -> ChildRecord {
    db.store.open_child(r, ChildKey::Child(child), Section::Identity).await.unwrap()
}

fn keys_of(entries: &[assure_domain::chronology::Entry], kind: EntryKind) -> BTreeSet<i64> {
    entries.iter().filter(|e| e.kind == kind).map(|e| e.record_id).collect()
}

async fn a_demo_childs_chronology_is_its_records_in_order(db: &TestDb) {
    let today = db.store.today();
    assert!(assure_storage::demo::load(&db.store, today, "hash").await.unwrap());
    let chair = reader(db, "macse-co-chair@example.org").await;
    let mash = reader(db, "mash-worker@example.org").await;
    for first in ["Jessica", "Tia"] {
        let id = child_named(db, &mash, first).await;
        let rec = open(db, &chair, id).await;
        let entries = rec.chronology().await.unwrap();
        // In time order, oldest first, each entry once.
        assert!(entries.windows(2).all(|w| w[0].at <= w[1].at), "{first}: in time order");
        let keys: BTreeSet<EntryKey> = entries.iter().map(|e| e.key()).collect();
        assert_eq!(keys.len(), entries.len(), "{first}: no entry twice");

        // Exactly the records, kind by kind, as the record's own sections list them.
        let referrals = rec.referrals().await.unwrap();
        assert_eq!(keys_of(&entries, EntryKind::Concern), referrals.iter().map(|r| r.id).collect(), "{first}: a concern per referral");
        assert_eq!(
            keys_of(&entries, EntryKind::MashDecision),
            referrals.iter().filter(|r| r.decided_at.is_some() && r.decision.is_some()).map(|r| r.id).collect(),
            "{first}: a decision per decided referral"
        );
        let mut checks = BTreeSet::new();
        for r in &referrals {
            checks.extend(rec.mash_checks(r.id).await.unwrap().iter().map(|c| c.id));
        }
        assert_eq!(keys_of(&entries, EntryKind::MashCheck), checks, "{first}: every MASH check the reader may see");
        let episodes = rec.episodes().await.unwrap();
        assert_eq!(keys_of(&entries, EntryKind::MissingEpisode), episodes.iter().map(|e| e.id).collect(), "{first}: every missing episode");
        assert_eq!(
            keys_of(&entries, EntryKind::Return),
            episodes.iter().filter(|e| e.ended_at.is_some()).map(|e| e.id).collect(),
            "{first}: every return"
        );
        assert_eq!(
            keys_of(&entries, EntryKind::ReturnInterview).len(),
            episodes.iter().filter(|e| e.interview.is_some()).count(),
            "{first}: every return interview"
        );
        assert_eq!(keys_of(&entries, EntryKind::PanelSlot), rec.slots().await.unwrap().iter().map(|s| s.id).collect(), "{first}: every panel slot");
        assert_eq!(keys_of(&entries, EntryKind::PlanVersion).len(), rec.plan_versions().await.unwrap().len(), "{first}: every plan version");
        let plan = rec.plan().await.unwrap();
        assert_eq!(
            keys_of(&entries, EntryKind::PlanAction).len(),
            plan.as_ref().map_or(0, |p| p.actions.len()),
            "{first}: every action of the current plan"
        );
        assert_eq!(keys_of(&entries, EntryKind::PoliceFlag), rec.police_flags().await.unwrap().iter().map(|f| f.id).collect(), "{first}: flags");
        assert_eq!(keys_of(&entries, EntryKind::Operation), rec.operations().await.unwrap().iter().map(|o| o.id).collect(), "{first}: operations");
        let placements = rec.notifications().await.unwrap();
        assert_eq!(keys_of(&entries, EntryKind::Placement), placements.iter().map(|n| n.id).collect(), "{first}: placements");
        // Nothing of another child.
        assert!(entries.iter().all(|e| e.link.starts_with(&format!("/children/{id}")) || e.link.starts_with("/panels/")), "{first}: links");
    }
    // Jessica: the co-chair sees police material; Tia: emergency access was used.
    let jess = child_named(db, &mash, "Jessica").await;
    let tia = child_named(db, &mash, "Tia").await;
    let jess_all = open(db, &chair, jess).await.chronology().await.unwrap();
    assert!(jess_all.iter().any(|e| e.kind == EntryKind::PoliceFlag));
    assert!(jess_all.iter().any(|e| e.kind == EntryKind::Operation));
    assert!(jess_all.iter().any(|e| e.section == Section::Prosecute));
    assert!(open(db, &chair, tia).await.chronology().await.unwrap().iter().any(|e| e.kind == EntryKind::BreakGlass));
}
on_both_engines!(demo_child, a_demo_childs_chronology_is_its_records_in_order);

async fn a_spoc_sees_no_police_only_entry_and_no_gap(db: &TestDb) {
    let today = db.store.today();
    assert!(assure_storage::demo::load(&db.store, today, "hash").await.unwrap());
    let chair = reader(db, "macse-co-chair@example.org").await;
    let spoc = reader(db, "spoc@example.org").await;
    let jess = child_named(db, &spoc, "Jessica").await;
    let full = open(db, &chair, jess).await.chronology().await.unwrap();
    let cut = open(db, &spoc, jess).await.chronology().await.unwrap();
    assert!(cut.iter().all(|e| !e.section.is_police_only()), "no police-only entry");
    assert!(cut.iter().all(|e| !matches!(e.kind, EntryKind::PoliceFlag | EntryKind::Operation)));
    // Exactly the co-chair's entries less those of sections the SPOC may not see: the
    // same entries, the same summaries, the same dates — nothing renumbered or moved.
    let expected: Vec<_> = full.iter().filter(|e| spoc.viewer().may_see_section(e.section)).cloned().collect();
    assert_eq!(cut, expected);
    assert!(cut.len() < full.len());
    let text: String = cut.iter().map(|e| format!("{} {} {}", e.summary, e.agency, e.link)).collect();
    for leak in ["Kestrel", "Abduction Warning", "police-flag", "/police"] {
        assert!(!text.contains(leak), "{leak} leaks into the SPOC's chronology");
    }
    // What happens next: no police-only action either.
    let next = open(db, &spoc, jess).await.next_steps().await.unwrap();
    assert!(next.iter().all(|n| !n.detail.contains("Kestrel") && !n.detail.contains("DC Sam Hughes")), "{next:?}");
    // A police-only entry cannot be marked, or its marks read, by the SPOC: as if none.
    let flag = full.iter().find(|e| e.kind == EntryKind::PoliceFlag).unwrap().key();
    let rec = open(db, &spoc, jess).await;
    assert!(matches!(rec.mark_significant(flag, 0, true, "Guess").await, Err(StoreError::NotFound)));
    assert!(matches!(rec.mark_history(flag).await, Err(StoreError::NotFound)));
}
on_both_engines!(spoc_cut, a_spoc_sees_no_police_only_entry_and_no_gap);

async fn a_significant_note_is_versioned_and_audited(db: &TestDb) {
    let today = db.store.today();
    assert!(assure_storage::demo::load(&db.store, today, "hash").await.unwrap());
    let chair = reader(db, "macse-co-chair@example.org").await;
    let spoc = reader(db, "spoc@example.org").await;
    let jess = child_named(db, &spoc, "Jessica").await;
    let rec = open(db, &chair, jess).await;
    let entry = rec.chronology().await.unwrap().into_iter().find(|e| e.kind == EntryKind::Concern).unwrap();
    let key = entry.key();
    assert!(matches!(rec.mark_significant(key, 0, true, "  ").await, Err(StoreError::Invalid(_))), "a note is needed");
    assert_eq!(rec.mark_significant(key, 0, true, "First concern: picked up by the older male").await.unwrap(), 1);
    assert!(matches!(rec.mark_significant(key, 0, true, "Stale").await, Err(StoreError::Conflict)), "a stale version is refused");
    assert_eq!(rec.mark_significant(key, 1, true, "The same older male as in the police report").await.unwrap(), 2);
    let history = rec.mark_history(key).await.unwrap();
    assert_eq!(history.iter().map(|m| m.version).collect::<Vec<_>>(), vec![1, 2], "every version kept");
    assert_eq!(history[0].note, "First concern: picked up by the older male");
    // Everyone who may see the entry sees the mark; the significant-only filter finds it.
    let seen = open(db, &spoc, jess).await.chronology().await.unwrap();
    let marked = seen.iter().find(|e| e.key() == key).unwrap();
    assert!(marked.is_significant());
    assert_eq!(marked.significance.as_ref().unwrap().version, 2);
    let f = assure_domain::chronology::Filter { significant_only: true, ..Default::default() };
    assert_eq!(assure_domain::chronology::apply(seen, &f).len(), 1);
    // Taken off, with a reason: the entry is no longer significant, the history stays.
    assert_eq!(rec.mark_significant(key, 2, false, "Linked in error to the wrong adult").await.unwrap(), 3);
    assert!(!rec.chronology().await.unwrap().iter().find(|e| e.key() == key).unwrap().is_significant());
    let audit = db.store.audit().list(&AuditFilter::default(), 100_000, 0).await.unwrap().0;
    let marks = audit.iter().filter(|a| a.action.starts_with("chronology.") && a.record_id == jess.to_string()).count();
    assert_eq!(marks, 3, "each version audited");
}
on_both_engines!(significant, a_significant_note_is_versioned_and_audited);

async fn the_statements_do_not_grow_with_the_events(db: &TestDb) {
    let today = db.store.today();
    assert!(assure_storage::demo::load(&db.store, today, "hash").await.unwrap());
    let chair = reader(db, "macse-co-chair@example.org").await;
    let jess = child_named(db, &chair, "Jessica").await;
    let tia = child_named(db, &chair, "Tia").await;
    let count = |id: i64| {
        let chair = chair.clone();
        async move {
            let rec = open(db, &chair, id).await;
            let start = db.store.query_count();
            let n = rec.chronology().await.unwrap().len();
            (n, db.store.query_count() - start)
        }
    };
    let (n1, q1) = count(jess).await;
    let (n2, q2) = count(tia).await;
    assert_ne!(n1, n2);
    assert_eq!(q1, q2, "the same statements for {n1} and {n2} events");
}
on_both_engines!(bounded, the_statements_do_not_grow_with_the_events);

/// A screening's entry carries the categories of the CSE 2 tool answered yes at it (for
/// the risk over time), from the tool version it was scored with; only with its level.
async fn a_screening_says_which_indicator_categories_it_was_about(db: &TestDb) {
    use assure_domain::referral::{ConcernForm, ConcernInput, ReferralSource};
    use assure_storage::children::ChildRef;
    let today = db.store.today();
    assert!(assure_storage::demo::load(&db.store, today, "hash").await.unwrap());
    let chair = reader(db, "macse-co-chair@example.org").await;
    let practitioner = reader(db, "practitioner@example.org").await;
    let jess = child_named(db, &practitioner, "Jessica").await;
    let tool = db.store.screening().current().await.unwrap();
    let first = &tool.categories[0];
    let last = tool.categories.last().unwrap();
    let yes = [first.indicators[0].key.clone(), last.indicators[0].key.clone()];
    let form = ConcernForm {
        child: Some(ChildRef::Existing(jess)),
        concern: ConcernInput {
            source: Some(ReferralSource::ProfessionalConcern),
            reported_by: None,
            what_seen: "Seen with the same adult again".into(),
            seen_on: Some(today),
            seen_where: "Outside the school".into(),
            seen_by: "Form tutor".into(),
            referral_text: "For screening".into(),
        },
        answers: tool.indicators().map(|i| (i.key.clone(), yes.contains(&i.key))).collect(),
    };
    let id = db.store.referrals(&practitioner).raise(&form).await.unwrap().referral_id;
    let entries = open(db, &chair, jess).await.chronology().await.unwrap();
    let e = entries.iter().find(|e| e.kind == EntryKind::Concern && e.record_id == id).expect("the new concern");
    assert!(e.facts.risk_level.is_some());
    assert_eq!(e.facts.categories, vec![first.title.clone(), last.title.clone()]);
    assert!(entries.iter().all(|e| e.facts.risk_level.is_some() || e.facts.categories.is_empty()), "categories only with a screening");
}
on_both_engines!(categories, a_screening_says_which_indicator_categories_it_was_about);
