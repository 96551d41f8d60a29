//! Children's records on SQLite and PostgreSQL: search within reach (by sound too),
//! merge of duplicates, emergency access and the child's access log — all through the
//! door (`open_child`) and the reach-carrying lists.

use assure_domain::children::MatchReason;
use assure_domain::partnership::{AgencyKind, InvolvementKind, LegalStatus, Scope, Section, Team};
use assure_domain::Role;
use assure_storage::audit::AuditFilter;
use assure_storage::children::{Child, ChildInput, ChildSearch};
use assure_storage::keyset::Total;
use assure_storage::on_both_engines;
use assure_storage::testing::{self, TestDb};
use assure_storage::users::NewUser;
use assure_storage::{Actor, ChildKey, ChildRecord, Reader, StoreError};
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

struct Partnership {
    school: i64,
    other_school: i64,
    police: i64,
    health: i64,
}

async fn agencies(db: &TestDb) -> Partnership {
    let sys = Actor::system();
    Partnership {
        school: db.store.partnership().create_agency(&sys, "Hillside High School", Some(AgencyKind::Education)).await.unwrap(),
        other_school: db.store.partnership().create_agency(&sys, "Northway Primary School", Some(AgencyKind::Education)).await.unwrap(),
        police: db.store.partnership().create_agency(&sys, "Merseyside Police", Some(AgencyKind::Police)).await.unwrap(),
        health: db.store.partnership().create_agency(&sys, "Community Health", Some(AgencyKind::Health)).await.unwrap(),
    }
}

/// A person placed in an agency and teams: their reader (as the database knows them now).
async fn person(db: &TestDb, email: &str, role: Role, agency: i64, teams: &[Team]) -> Reader {
    let sys = Actor::system();
    let uid = db.store.users().create(&sys, NewUser { name: email, email, role, job_title: "", password_hash: "x" }).await.unwrap();
    db.store.partnership().set_agency(&sys, uid, agency).await.unwrap();
    for t in teams {
        db.store.partnership().add_team_member(&sys, *t, uid).await.unwrap();
    }
    testing::reader(&db.store, email).await
}

/// A child (a fixture), raised by an agency as a whole if given.
async fn child(db: &TestDb, first: &str, last: &str, dob: Option<NaiveDate>, agency: Option<i64>) -> i64 {
    let id = testing::new_child(
        &db.store,
        &ChildInput {
            first_name: first.into(),
            last_name: last.into(),
            date_of_birth: dob,
            estimated_age: dob.is_none().then_some(14),
            ..Default::default()
        },
    )
    .await;
    if let Some(a) = agency {
        testing::involve(&db.store, id, a, InvolvementKind::RaisedConcern, Scope::Agency, d(2017, 9, 1)).await;
    }
    id
}

async fn open(db: &TestDb, r: &Reader, child: i64, s: Section) -> ChildRecord {
    db.store.open_child(r, ChildKey::Child(child), s).await.unwrap_or_else(|e| panic!("{} opens child {child}: {e:?}", r.actor().label))
}

/// Whether the reader may open the child's record; out of reach must read as no such child.
async fn sees(db: &TestDb, r: &Reader, child: i64) -> bool {
    match db.store.open_child(r, ChildKey::Child(child), Section::Identity).await {
        Ok(_) => true,
        Err(StoreError::NoSuchChild) => false,
        Err(e) => panic!("{e:?}"),
    }
}

fn by_name(name: &str) -> ChildSearch {
    ChildSearch { name: Some(name.into()), date_of_birth: None }
}

fn ids(r: (Vec<Child>, assure_storage::keyset::Total)) -> Vec<i64> {
    r.0.iter().map(|c| c.id).collect()
}

async fn search_finds_sound_alikes_within_reach_only(db: &TestDb) {
    let p = agencies(db).await;
    let smith = child(db, "Catherine", "Smith", Some(d(2004, 3, 1)), Some(p.school)).await;
    let smyth = child(db, "Kathryn", "Smyth", Some(d(2005, 6, 2)), Some(p.school)).await;
    let other = child(db, "Cathy", "Smythe", Some(d(2004, 3, 1)), Some(p.other_school)).await;
    let jones = child(db, "Amy", "Jones", Some(d(2004, 3, 1)), Some(p.school)).await;
    let practitioner = person(db, "practitioner@example.org", Role::Practitioner, p.school, &[]).await;

    // "Smith" finds "Smyth" by sound, never the other school's "Smythe".
    let found = ids(db.store.children(&practitioner).search(&by_name("Smith"), 50, 0).await.unwrap());
    assert_eq!(found, vec![smith, smyth]);
    // By the beginning of a first name, by sound of a first name, by two words, by date of birth.
    assert_eq!(ids(db.store.children(&practitioner).search(&by_name("kath"), 50, 0).await.unwrap()), vec![smyth]);
    assert_eq!(ids(db.store.children(&practitioner).search(&by_name("Catherine"), 50, 0).await.unwrap()), vec![smith, smyth]);
    assert_eq!(ids(db.store.children(&practitioner).search(&by_name("kathryn smith"), 50, 0).await.unwrap()), vec![smith, smyth]);
    let dob = ChildSearch { name: None, date_of_birth: Some(d(2004, 3, 1)) };
    assert_eq!(ids(db.store.children(&practitioner).search(&dob, 50, 0).await.unwrap()), vec![jones, smith]);
    let both = ChildSearch { name: Some("smyth".into()), date_of_birth: Some(d(2004, 3, 1)) };
    assert_eq!(ids(db.store.children(&practitioner).search(&both, 50, 0).await.unwrap()), vec![smith]);
    // Wildcards typed in a search are letters, not patterns.
    assert!(ids(db.store.children(&practitioner).search(&by_name("%"), 50, 0).await.unwrap()).len() == 3);
    // Paging and the total.
    let (page, total) = db.store.children(&practitioner).search(&ChildSearch::default(), 2, 2).await.unwrap();
    assert_eq!((page.len(), total.counted(), total.is_exact()), (1, 3, true));

    // The other school's practitioner sees only their own child, whatever they search for.
    let p2 = person(db, "practitioner-2@example.org", Role::Practitioner, p.other_school, &[]).await;
    assert_eq!(ids(db.store.children(&p2).search(&by_name("Smith"), 50, 0).await.unwrap()), vec![other]);
    assert!(ids(db.store.children(&p2).search(&by_name("Jones"), 50, 0).await.unwrap()).is_empty());
    // The MASH sees all four.
    let mash = person(db, "mash-worker@example.org", Role::MashWorker, p.health, &[Team::Mash]).await;
    assert_eq!(ids(db.store.children(&mash).search(&by_name("smith"), 50, 0).await.unwrap()), vec![smith, smyth, other]);
    let _ = p.police;

    // Every list view is audited: the kind of filter and the count, never a name.
    let (listed, _) = db.store.audit().list(&AuditFilter { action: Some("children.list".into()), ..Default::default() }, 100, 0).await.unwrap();
    assert_eq!(listed.len(), 11);
    assert!(listed.iter().any(|e| e.actor == "practitioner@example.org" && e.detail == "name: 2 found, page 1"), "{listed:?}");
    assert!(listed.iter().any(|e| e.detail == "name-and-date-of-birth: 1 found, page 1"));
    assert!(listed.iter().any(|e| e.detail == "all: 3 found, page 2"));
    assert!(listed.iter().all(|e| !e.detail.to_lowercase().contains("smith") && !e.detail.contains("kath")));

    // Possible duplicates (the MASH team, through the record): same DOB and sound-alike
    // surname; not the different DOB.
    let smith_for_mash = open(db, &mash, smith, Section::Identity).await;
    let dups = smith_for_mash.possible_duplicates(d(2018, 1, 16)).await.unwrap();
    assert_eq!(dups.iter().map(|x| (x.child.id, x.reason)).collect::<Vec<_>>(), vec![(other, MatchReason::SoundsAlikeSameDateOfBirth)]);
    let pairs = db.store.children(&mash).duplicate_candidates(d(2018, 1, 16), 100).await.unwrap();
    assert_eq!(pairs.iter().map(|x| (x.a.id, x.b.id)).collect::<Vec<_>>(), vec![(smith, other)]);
    // Not for anyone outside the MASH team, even with the record open.
    let smith_for_practitioner = open(db, &practitioner, smith, Section::Identity).await;
    assert!(matches!(smith_for_practitioner.possible_duplicates(d(2018, 1, 16)).await, Err(StoreError::Forbidden)));
    assert!(matches!(db.store.children(&practitioner).duplicate_candidates(d(2018, 1, 16), 100).await, Err(StoreError::Forbidden)));

    // An edit keeps the phonetic key current, and a stale edit is refused. Identity is
    // the MASH's to change (the role check now sits in storage too, as on the route):
    // the practitioner's record refuses it, and the refusal is audited.
    let for_practitioner = open(db, &practitioner, jones, Section::Identity).await;
    let c = for_practitioner.child().clone();
    let input = ChildInput { first_name: "Amy".into(), last_name: "Smithe".into(), date_of_birth: c.date_of_birth, ..Default::default() };
    assert!(matches!(for_practitioner.update_identity(c.version, &input, Some(LegalStatus::ChildInNeed)).await, Err(StoreError::Forbidden)));
    let rec = open(db, &mash, jones, Section::Identity).await;
    assert_eq!(rec.child().version, c.version, "the refused change saved nothing");
    rec.update_identity(c.version, &input, Some(LegalStatus::ChildInNeed)).await.unwrap();
    assert!(matches!(rec.update_identity(c.version, &input, Some(LegalStatus::ChildInNeed)).await, Err(StoreError::Conflict)));
    let err = rec.update_identity(c.version + 1, &ChildInput { last_name: "X".into(), ..Default::default() }, None).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref i) if i.for_field("first_name").is_some() && i.for_field("legal_status").is_some() && i.for_field("date_of_birth").is_some()),
        "{err:?}"
    );
    assert!(ids(db.store.children(&practitioner).search(&by_name("Smith"), 50, 0).await.unwrap()).contains(&jones));
    let (log, _) = rec.access_log(50, 0).await.unwrap();
    assert!(log.iter().any(|e| e.action == "child.update" && e.detail == "changed: last_name, legal_status"), "{log:?}");
    assert!(
        log.iter().any(|e| e.action == "child.refused"
            && e.actor == "practitioner@example.org"
            && e.detail.contains("identity: refused, the role does not allow it")),
        "{log:?}"
    );
    // The access log itself is for the MASH, the co-chairs and the partnership manager.
    assert!(matches!(for_practitioner.access_log(50, 0).await, Err(StoreError::Restricted)));
}
on_both_engines!(search, search_finds_sound_alikes_within_reach_only);

/// A list of more children than its bound is counted only as far as the bound past the
/// page's start: "more than 1,000", never a count of every row; at the bound exactly, the
/// whole count.
async fn a_long_list_is_counted_only_as_far_as_its_bound(db: &TestDb) {
    let p = agencies(db).await;
    let mash = person(db, "mash-worker@example.org", Role::MashWorker, p.health, &[Team::Mash]).await;
    let bound = Total::BOUND;
    // The bound's worth of children, copied in one statement (the engines' own series).
    testing::exec(
        &db.store,
        &format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {bound}) \
             INSERT INTO children (first_name, last_name, search_first, search_last, created_at) \
             SELECT 'Child', 'Copy', 'child', 'copy', '2026-01-01T00:00:00Z' FROM n"
        ),
    )
    .await;
    let everyone = ChildSearch::default();
    let (_, total) = db.store.children(&mash).search(&everyone, 25, 0).await.unwrap();
    assert_eq!((total, total.to_string()), (Total::exact(bound), "1,000".to_string()), "{:?}: at the bound, the whole count", db.engine);

    child(db, "Amy", "Jones", Some(d(2004, 3, 1)), None).await;
    let (page, total) = db.store.children(&mash).search(&everyone, 25, 0).await.unwrap();
    assert_eq!(page.len(), 25);
    assert!(!total.is_exact(), "{:?}: one past the bound", db.engine);
    assert_eq!(total.to_string(), "more than 1,000");
    assert_eq!(total.counted(), bound);
    // Further down the list, the bound runs from the page's start: the pages beyond are
    // still offered, and near the end the count is whole again.
    let (_, deeper) = db.store.children(&mash).search(&everyone, 25, 500).await.unwrap();
    assert_eq!(deeper, bound + 1, "{:?}: 500 skipped, 1,000 more counted: all of them", db.engine);
    // A search within the bound is counted in full.
    let (found, total) = db.store.children(&mash).search(&by_name("jones"), 25, 0).await.unwrap();
    assert_eq!((found.len(), total), (1, Total::exact(1)));
}
on_both_engines!(bounded_count, a_long_list_is_counted_only_as_far_as_its_bound);

async fn merge_moves_involvements_and_checks_the_version(db: &TestDb) {
    let p = agencies(db).await;
    let keep = child(db, "Amy", "O'Neill", Some(d(2004, 3, 1)), Some(p.school)).await;
    let dup = child(db, "Amy", "ONeill", Some(d(2004, 3, 1)), Some(p.police)).await;
    testing::involve(&db.store, dup, p.school, InvolvementKind::InvitedToPanel, Scope::Agency, d(2017, 10, 1)).await;
    testing::involve(&db.store, dup, p.school, InvolvementKind::RaisedConcern, Scope::Agency, d(2017, 10, 1)).await;
    let mash = person(db, "mash-worker@example.org", Role::MashWorker, p.health, &[Team::Mash]).await;
    // A grant on the duplicate (a reference in another table) moves too.
    let outside = person(db, "mash-2@example.org", Role::MashWorker, p.health, &[]).await;
    db.store.children(&outside).break_glass(dup, "Police report the child missing tonight").await.unwrap();

    let keep_rec = open(db, &mash, keep, Section::Identity).await;
    let dup_rec = open(db, &mash, dup, Section::Identity).await;
    let dups = keep_rec.possible_duplicates(d(2018, 1, 16)).await.unwrap();
    assert_eq!(dups.len(), 1);
    assert_eq!(dups[0].reason, MatchReason::SameNameAndDateOfBirth);
    let version = keep_rec.child().version;
    assert!(matches!(keep_rec.merge(&dup_rec, version + 5).await, Err(StoreError::Conflict)), "stale version refused");
    assert!(matches!(keep_rec.merge(&keep_rec, version).await, Err(StoreError::Invalid(_))));
    // Merging is the MASH team's: a MASH worker outside the team, with the duplicate open
    // under their grant, may not.
    let outside = testing::reader(&db.store, "mash-2@example.org").await;
    let dup_outside = open(db, &outside, dup, Section::Identity).await;
    assert!(matches!(dup_outside.merge(&keep_rec, version).await, Err(StoreError::Forbidden)));
    keep_rec.merge(&dup_rec, version).await.unwrap();
    let kept = open(db, &mash, keep, Section::Identity).await;
    let mut inv: Vec<(i64, &str)> = kept.child().involvements.iter().map(|i| (i.agency_id, i.kind.slug())).collect();
    inv.sort();
    let mut want = vec![(p.school, "raised-concern"), (p.school, "invited-to-panel"), (p.police, "raised-concern")];
    want.sort();
    assert_eq!(inv, want, "involvements moved without doubling");
    assert_eq!(kept.child().version, version + 1);
    // The duplicate remains, marked, out of every list; its grant now points at the record kept.
    let (all, _) = db.store.children(&mash).search(&ChildSearch::default(), 50, 0).await.unwrap();
    assert_eq!(all.iter().map(|c| c.id).collect::<Vec<_>>(), vec![keep]);
    assert!(db.store.emergency_access().log().await.unwrap().iter().all(|g| g.child_id == keep));
    let merged = open(db, &mash, dup, Section::Identity).await;
    assert_eq!(merged.child().merged_into_id, Some(keep));
    assert!(matches!(kept.merge(&merged, version + 1).await, Err(StoreError::Invalid(_))), "already merged");
    // Audited on both records; the kept record's log includes the duplicate's history.
    let (log, _) = kept.access_log(100, 0).await.unwrap();
    assert!(log.iter().any(|e| e.action == "child.merge" && e.record_id == keep && e.detail.contains(&format!("child {dup} merged"))));
    assert!(log.iter().any(|e| e.action == "child.merge" && e.record_id == dup && e.detail == format!("merged into child {keep}")));
    assert!(log.iter().any(|e| e.action == "child.emergency-access" && e.record_id == dup));
}
on_both_engines!(merge, merge_moves_involvements_and_checks_the_version);

async fn break_glass_admits_one_child_for_one_person_until_expiry(db: &TestDb) {
    let p = agencies(db).await;
    let kid = child(db, "Ben", "Brown", Some(d(2005, 1, 1)), Some(p.school)).await;
    let other = child(db, "Cara", "Clark", Some(d(2005, 1, 1)), Some(p.school)).await;
    // A MASH worker whose account is not (yet) in the MASH team: only their own agency's children.
    let mash = person(db, "mash-worker@example.org", Role::MashWorker, p.health, &[]).await;
    assert!(!sees(db, &mash, kid).await);

    // No reason, or a reason that says nothing: refused, nothing granted.
    for reason in ["", "   ", "urgent"] {
        let e = db.store.children(&mash).break_glass(kid, reason).await.unwrap_err();
        assert!(matches!(e, StoreError::Invalid(ref i) if i.for_field("reason").is_some()), "{e:?}");
    }
    // Not a MASH role: refused whatever the reason, and the attempt is audited against the child.
    let practitioner = person(db, "practitioner-2@example.org", Role::Practitioner, p.other_school, &[]).await;
    assert!(matches!(db.store.children(&practitioner).break_glass(kid, "I am worried about this child tonight").await, Err(StoreError::Invalid(_))));
    assert!(db.store.emergency_access().log().await.unwrap().is_empty());
    let (refused, _) = db.store.audit().list(&AuditFilter { action: Some("child.refused".into()), ..Default::default() }, 100, 0).await.unwrap();
    assert!(
        refused.iter().any(|e| e.actor == "practitioner-2@example.org"
            && e.record_type == "child"
            && e.record_id == kid.to_string()
            && e.detail.starts_with("emergency-access")),
        "{refused:?}"
    );
    // A record number that names no child answers as a child out of reach does (it was
    // NotFound before the door), and is audited against the unknown id.
    assert!(matches!(db.store.children(&mash).break_glass(999_999, "Police report the child missing tonight").await, Err(StoreError::NoSuchChild)));
    let (refused, _) = db.store.audit().list(&AuditFilter { action: Some("child.refused".into()), ..Default::default() }, 100, 0).await.unwrap();
    assert!(refused.iter().any(|e| e.record_type == "unknown-child" && e.record_id == "999999"), "{refused:?}");

    let grant = db.store.children(&mash).break_glass(kid, "Police report the child missing tonight, seen with an adult").await.unwrap();
    let mash = testing::reader(&db.store, "mash-worker@example.org").await;
    assert_eq!(mash.viewer().emergency_children, vec![kid]);
    // Exactly that child, for that person: the record, the list and the search agree.
    assert!(matches!(open(db, &mash, kid, Section::Identity).await.basis(), assure_domain::partnership::Basis::Emergency));
    assert!(!sees(db, &mash, other).await);
    let (listed, _) = db.store.children(&mash).search(&ChildSearch::default(), 50, 0).await.unwrap();
    assert_eq!(listed.iter().map(|c| c.id).collect::<Vec<_>>(), vec![kid]);
    let colleague = person(db, "colleague@example.org", Role::MashWorker, p.health, &[]).await;
    assert!(!sees(db, &colleague, kid).await, "not for a colleague");
    // A grant is listed for review; the review is recorded once.
    let log = db.store.emergency_access().log().await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].id, log[0].child_id, log[0].user_email.as_str(), log[0].reviewed_at.is_none()), (grant, kid, "mash-worker@example.org", true));
    assert!(log[0].reason.starts_with("Police report"));
    let admin = Actor { user_id: None, label: "administrator@example.org".into(), ip: String::new() };
    assert!(matches!(db.store.emergency_access().review(&admin, grant, " ").await, Err(StoreError::Invalid(_))));
    db.store.emergency_access().review(&admin, grant, "Justified: missing episode").await.unwrap();
    assert!(matches!(db.store.emergency_access().review(&admin, grant, "again").await, Err(StoreError::Invalid(_))));
    assert!(db.store.emergency_access().log().await.unwrap()[0].reviewed_at.is_some());

    // An expired grant admits nothing.
    let late = person(db, "mash-3@example.org", Role::MashWorker, p.health, &[]).await;
    db.store
        .children(&late)
        .break_glass_at(kid, "Missing from home two days ago, found", db.store.clock().now() - chrono::Duration::hours(25))
        .await
        .unwrap();
    let late = testing::reader(&db.store, "mash-3@example.org").await;
    assert!(late.viewer().emergency_children.is_empty());
    assert!(!sees(db, &late, kid).await);

    // The child's access log: each view and refusal with its reason; the grant without its free text.
    let record = open(db, &mash, kid, Section::AccessLog).await;
    let (entries, _) = record.access_log(100, 0).await.unwrap();
    assert!(
        entries.iter().any(|e| e.actor == "mash-worker@example.org"
            && e.action == "child.view"
            && e.detail == "identity: viewed as emergency access (break glass) with a recorded reason"),
        "{entries:?}"
    );
    assert!(entries.iter().any(|e| e.actor == "mash-worker@example.org" && e.action == "child.refused"));
    assert!(entries.iter().any(|e| e.action == "child.emergency-access" && e.detail.starts_with(&format!("emergency access {grant} granted until"))));
    assert!(entries.iter().any(|e| e.action == "child.emergency-review"));
    assert!(entries.iter().all(|e| !e.detail.contains("Police report")), "free text stays out of the audit");
    assert!(entries.iter().any(|e| e.actor_name.as_deref() == Some("mash-worker@example.org")));
    assert_eq!(record.emergency_grants().await.unwrap().len(), 2);
}
on_both_engines!(break_glass, break_glass_admits_one_child_for_one_person_until_expiry);

async fn partnership_people_and_spocs(db: &TestDb) {
    let p = agencies(db).await;
    let sys = Actor::system();
    let spoc = person(db, "spoc@example.org", Role::Spoc, p.school, &[Team::MissingFromHome]).await.user_id();
    db.store.partnership().add_spoc(&sys, p.school, spoc).await.unwrap();
    let spocs = db.store.partnership().spocs().await.unwrap();
    assert_eq!(spocs.iter().map(|s| (s.agency.as_str(), s.email.as_str())).collect::<Vec<_>>(), vec![("Hillside High School", "spoc@example.org")]);
    let people = db.store.partnership().pathway_people().await.unwrap();
    let me = people.iter().find(|x| x.user_id == spoc).unwrap();
    assert_eq!((me.agency_id, me.teams.clone(), me.spoc_for.clone()), (Some(p.school), vec![Team::MissingFromHome], vec![p.school]));
    db.store.partnership().remove_spoc(&sys, p.school, spoc).await.unwrap();
    db.store.partnership().remove_team_member(&sys, Team::MissingFromHome, spoc).await.unwrap();
    assert!(db.store.partnership().spocs().await.unwrap().is_empty());
    let v = testing::reader_of(&db.store, spoc).await;
    assert!(v.viewer().teams.is_empty() && v.viewer().spoc_for.is_empty());
    // An agency's level: its kind's default, changed by the partnership manager.
    let levels = db.store.partnership().agencies().await.unwrap();
    let level = |id: i64| levels.iter().find(|a| a.id == id).unwrap().level;
    use assure_domain::partnership::InvolvementLevel::{AgencyWide, TeamLevel};
    assert_eq!((level(p.school), level(p.police), level(p.health)), (AgencyWide, TeamLevel, TeamLevel));
    assert!(v.viewer().agency_wide, "a school is involved as a whole");
    db.store.partnership().set_involvement_level(&sys, p.school, Some(TeamLevel)).await.unwrap();
    assert!(!testing::reader_of(&db.store, spoc).await.viewer().agency_wide);
    assert!(matches!(db.store.partnership().set_involvement_level(&sys, p.school, None).await, Err(StoreError::Invalid(_))));
    assert!(matches!(db.store.partnership().set_involvement_level(&sys, 999_999, Some(AgencyWide)).await, Err(StoreError::NotFound)));
}
on_both_engines!(people, partnership_people_and_spocs);

/// A child with a common surname: their page reads at most a bounded number of possible
/// duplicates however many children share the sound of the name, the same date of birth
/// first, and children who only share the surname's sound are not read at all.
async fn possible_duplicates_are_bounded(db: &TestDb) {
    let p = agencies(db).await;
    let mash = person(db, "mash-worker@example.org", Role::MashWorker, p.health, &[Team::Mash]).await;
    let me = child(db, "Catherine", "Smith", Some(d(2004, 3, 1)), Some(p.school)).await;
    // 130 sound-alike names with an estimated age (each a candidate), 20 that differ
    // only in first name and date of birth (never a candidate), one twin-like same DOB.
    for _ in 0..130 {
        child(db, "Kathryn", "Smyth", None, Some(p.school)).await;
    }
    for _ in 0..20 {
        child(db, "Zebedee", "Smith", Some(d(2010, 1, 1)), Some(p.school)).await;
    }
    let same_dob = child(db, "Wilhelmina", "Smythe", Some(d(2004, 3, 1)), Some(p.school)).await;
    let rec = open(db, &mash, me, Section::Identity).await;
    let start = db.store.query_count();
    let dups = rec.possible_duplicates(d(2018, 1, 16)).await.unwrap();
    let statements = db.store.query_count() - start;
    assert_eq!(dups.len(), assure_storage::children::DUPLICATE_CANDIDATES);
    assert_eq!((dups[0].child.id, dups[0].reason), (same_dob, MatchReason::SoundsAlikeSameDateOfBirth));
    assert!(dups[1..].iter().all(|x| x.reason == MatchReason::SoundsAlikeSimilarAge && x.child.first_name == "Kathryn"));
    assert!(statements <= 4, "{statements} statements for one child's duplicates");
}
on_both_engines!(duplicates_bounded, possible_duplicates_are_bounded);
