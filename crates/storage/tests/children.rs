//! Children's records on SQLite and PostgreSQL: search within reach (by sound too),
//! merge of duplicates, emergency access and the child's access log.

use assure_domain::children::MatchReason;
use assure_domain::partnership::{AgencyKind, InvolvementKind, LegalStatus, Section, Team, Viewer};
use assure_domain::Role;
use assure_storage::on_both_engines;
use assure_storage::partnership::{ChildInput, ChildSearch, Visible};
use assure_storage::testing::TestDb;
use assure_storage::users::NewUser;
use assure_storage::{Actor, StoreError};
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
        school: db.store.create_agency(&sys, "Hillside High School", Some(AgencyKind::Education)).await.unwrap(),
        other_school: db.store.create_agency(&sys, "Northway Primary School", Some(AgencyKind::Education)).await.unwrap(),
        police: db.store.create_agency(&sys, "Merseyside Police", Some(AgencyKind::Police)).await.unwrap(),
        health: db.store.create_agency(&sys, "Community Health", Some(AgencyKind::Health)).await.unwrap(),
    }
}

/// A person placed in an agency and teams: their actor and viewer.
async fn person(db: &TestDb, email: &str, role: Role, agency: i64, teams: &[Team]) -> (Actor, i64) {
    let sys = Actor::system();
    let uid = db.store.create_user(&sys, NewUser { name: email, email, role, job_title: "", password_hash: "x" }).await.unwrap();
    db.store.set_agency(&sys, uid, agency).await.unwrap();
    for t in teams {
        db.store.add_team_member(&sys, *t, uid).await.unwrap();
    }
    (Actor { user_id: Some(uid), label: email.to_string(), ip: "127.0.0.1".into() }, uid)
}

async fn viewer(db: &TestDb, uid: i64) -> Viewer {
    db.store.viewer(uid).await.unwrap().unwrap()
}

async fn child(db: &TestDb, first: &str, last: &str, dob: Option<NaiveDate>, agency: Option<i64>) -> i64 {
    let sys = Actor::system();
    let id = db
        .store
        .create_child(
            &sys,
            &ChildInput {
                first_name: first.into(),
                last_name: last.into(),
                date_of_birth: dob,
                estimated_age: dob.is_none().then_some(14),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    if let Some(a) = agency {
        db.store.add_involvement(&sys, id, a, InvolvementKind::RaisedConcern, d(2017, 9, 1)).await.unwrap();
    }
    id
}

fn by_name(name: &str) -> ChildSearch {
    ChildSearch { name: Some(name.into()), date_of_birth: None }
}

async fn search_finds_sound_alikes_within_reach_only(db: &TestDb) {
    let p = agencies(db).await;
    let smith = child(db, "Catherine", "Smith", Some(d(2004, 3, 1)), Some(p.school)).await;
    let smyth = child(db, "Kathryn", "Smyth", Some(d(2005, 6, 2)), Some(p.school)).await;
    let other = child(db, "Cathy", "Smythe", Some(d(2004, 3, 1)), Some(p.other_school)).await;
    let jones = child(db, "Amy", "Jones", Some(d(2004, 3, 1)), Some(p.school)).await;
    let (practitioner, pid) = person(db, "practitioner@example.org", Role::Practitioner, p.school, &[]).await;
    let v = viewer(db, pid).await;

    let ids = |r: (Vec<assure_storage::partnership::Child>, i64)| r.0.iter().map(|c| c.id).collect::<Vec<_>>();
    // "Smith" finds "Smyth" by sound, never the other school's "Smythe".
    let found = ids(db.store.search_children(&practitioner, &v, &by_name("Smith"), 50, 0).await.unwrap());
    assert_eq!(found, vec![smith, smyth]);
    // By the beginning of a first name, by sound of a first name, by two words, by date of birth.
    assert_eq!(ids(db.store.search_children(&practitioner, &v, &by_name("kath"), 50, 0).await.unwrap()), vec![smyth]);
    assert_eq!(ids(db.store.search_children(&practitioner, &v, &by_name("Catherine"), 50, 0).await.unwrap()), vec![smith, smyth]);
    assert_eq!(ids(db.store.search_children(&practitioner, &v, &by_name("kathryn smith"), 50, 0).await.unwrap()), vec![smith, smyth]);
    let dob = ChildSearch { name: None, date_of_birth: Some(d(2004, 3, 1)) };
    assert_eq!(ids(db.store.search_children(&practitioner, &v, &dob, 50, 0).await.unwrap()), vec![jones, smith]);
    let both = ChildSearch { name: Some("smyth".into()), date_of_birth: Some(d(2004, 3, 1)) };
    assert_eq!(ids(db.store.search_children(&practitioner, &v, &both, 50, 0).await.unwrap()), vec![smith]);
    // Wildcards typed in a search are letters, not patterns.
    assert!(ids(db.store.search_children(&practitioner, &v, &by_name("%"), 50, 0).await.unwrap()).len() == 3);
    // Paging and the total.
    let (page, total) = db.store.search_children(&practitioner, &v, &ChildSearch::default(), 2, 2).await.unwrap();
    assert_eq!((page.len(), total), (1, 3));

    // The other school's practitioner sees only their own child, whatever they search for.
    let (p2, p2id) = person(db, "practitioner-2@example.org", Role::Practitioner, p.other_school, &[]).await;
    let v2 = viewer(db, p2id).await;
    assert_eq!(ids(db.store.search_children(&p2, &v2, &by_name("Smith"), 50, 0).await.unwrap()), vec![other]);
    assert!(ids(db.store.search_children(&p2, &v2, &by_name("Jones"), 50, 0).await.unwrap()).is_empty());
    // The MASH sees all four.
    let (mash, mid) = person(db, "mash-worker@example.org", Role::MashWorker, p.health, &[Team::Mash]).await;
    let vm = viewer(db, mid).await;
    assert_eq!(ids(db.store.search_children(&mash, &vm, &by_name("smith"), 50, 0).await.unwrap()), vec![smith, smyth, other]);
    let _ = p.police;

    // Every list view is audited: the kind of filter and the count, never a name.
    let (listed, _) = db
        .store
        .list_audit(&assure_storage::audit::AuditFilter { action: Some("children.list".into()), ..Default::default() }, 100, 0)
        .await
        .unwrap();
    assert_eq!(listed.len(), 11);
    assert!(listed.iter().any(|e| e.actor == "practitioner@example.org" && e.detail == "name: 2 found, page 1"), "{listed:?}");
    assert!(listed.iter().any(|e| e.detail == "name-and-date-of-birth: 1 found, page 1"));
    assert!(listed.iter().any(|e| e.detail == "all: 3 found, page 2"));
    assert!(listed.iter().all(|e| !e.detail.to_lowercase().contains("smith") && !e.detail.contains("kath")));

    // Possible duplicates: same DOB and sound-alike surname; not the different DOB.
    let dups = db.store.possible_duplicates(smith, d(2018, 1, 16)).await.unwrap();
    assert_eq!(dups.iter().map(|x| (x.child.id, x.reason)).collect::<Vec<_>>(), vec![(other, MatchReason::SoundsAlikeSameDateOfBirth)]);
    let pairs = db.store.duplicate_candidates(d(2018, 1, 16), 100).await.unwrap();
    assert_eq!(pairs.iter().map(|x| (x.a.id, x.b.id)).collect::<Vec<_>>(), vec![(smith, other)]);

    // An edit keeps the phonetic key current, and a stale edit is refused.
    let c = match db.store.child_for(&practitioner, &v, jones, Section::Identity).await.unwrap() {
        Visible::Yes(c) => c,
        Visible::Refused => panic!("in reach"),
    };
    let input = ChildInput { first_name: "Amy".into(), last_name: "Smithe".into(), date_of_birth: c.date_of_birth, ..Default::default() };
    db.store.update_child(&practitioner, jones, c.version, &input, Some(LegalStatus::ChildInNeed)).await.unwrap();
    assert!(matches!(
        db.store.update_child(&practitioner, jones, c.version, &input, Some(LegalStatus::ChildInNeed)).await,
        Err(StoreError::Conflict)
    ));
    let err = db
        .store
        .update_child(&practitioner, jones, c.version + 1, &ChildInput { last_name: "X".into(), ..Default::default() }, None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref i) if i.for_field("first_name").is_some() && i.for_field("legal_status").is_some() && i.for_field("date_of_birth").is_some()),
        "{err:?}"
    );
    assert!(ids(db.store.search_children(&practitioner, &v, &by_name("Smith"), 50, 0).await.unwrap()).contains(&jones));
    let (log, _) = db.store.child_access_log(jones, 50, 0).await.unwrap();
    assert!(log.iter().any(|e| e.action == "child.update" && e.detail == "changed: last_name, legal_status"), "{log:?}");
}
on_both_engines!(search, search_finds_sound_alikes_within_reach_only);

async fn merge_moves_involvements_and_checks_the_version(db: &TestDb) {
    let p = agencies(db).await;
    let keep = child(db, "Amy", "O'Neill", Some(d(2004, 3, 1)), Some(p.school)).await;
    let dup = child(db, "Amy", "ONeill", Some(d(2004, 3, 1)), Some(p.police)).await;
    let sys = Actor::system();
    db.store.add_involvement(&sys, dup, p.school, InvolvementKind::InvitedToPanel, d(2017, 10, 1)).await.unwrap();
    db.store.add_involvement(&sys, dup, p.school, InvolvementKind::RaisedConcern, d(2017, 10, 1)).await.unwrap();
    let (mash, mid) = person(db, "mash-worker@example.org", Role::MashWorker, p.health, &[Team::Mash]).await;
    let vm = viewer(db, mid).await;
    // A grant on the duplicate (a reference in another table) moves too.
    let (outside, oid) = person(db, "mash-2@example.org", Role::MashWorker, p.health, &[]).await;
    db.store.break_glass(&outside, &viewer(db, oid).await, dup, "Police report the child missing tonight").await.unwrap();

    let dups = db.store.possible_duplicates(keep, d(2018, 1, 16)).await.unwrap();
    assert_eq!(dups.len(), 1);
    assert_eq!(dups[0].reason, MatchReason::SameNameAndDateOfBirth);
    let version = match db.store.child_for(&mash, &vm, keep, Section::Identity).await.unwrap() {
        Visible::Yes(c) => c.version,
        Visible::Refused => panic!(),
    };
    assert!(matches!(db.store.merge_children(&mash, keep, dup, version + 5).await, Err(StoreError::Conflict)), "stale version refused");
    assert!(matches!(db.store.merge_children(&mash, keep, keep, version).await, Err(StoreError::Invalid(_))));
    db.store.merge_children(&mash, keep, dup, version).await.unwrap();
    let kept = match db.store.child_for(&mash, &vm, keep, Section::Identity).await.unwrap() {
        Visible::Yes(c) => c,
        Visible::Refused => panic!(),
    };
    let mut inv: Vec<(i64, &str)> = kept.involvements.iter().map(|i| (i.agency_id, i.kind.slug())).collect();
    inv.sort();
    let mut want = vec![(p.school, "raised-concern"), (p.school, "invited-to-panel"), (p.police, "raised-concern")];
    want.sort();
    assert_eq!(inv, want, "involvements moved without doubling");
    assert_eq!(kept.version, version + 1);
    // The duplicate remains, marked, out of every list; its grant now points at the record kept.
    let (all, _) = db.store.children_for(&vm, None, 50, 0).await.unwrap();
    assert_eq!(all.iter().map(|c| c.id).collect::<Vec<_>>(), vec![keep]);
    assert!(db.store.emergency_access_log().await.unwrap().iter().all(|g| g.child_id == keep));
    assert!(matches!(db.store.merge_children(&mash, keep, dup, version + 1).await, Err(StoreError::Invalid(_))), "already merged");
    // Audited on both records; the kept record's log includes the duplicate's history.
    let (log, _) = db.store.child_access_log(keep, 100, 0).await.unwrap();
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
    let (mash, mid) = person(db, "mash-worker@example.org", Role::MashWorker, p.health, &[]).await;
    let v = viewer(db, mid).await;
    assert!(matches!(db.store.child_for(&mash, &v, kid, Section::Identity).await.unwrap(), Visible::Refused));

    // No reason, or a reason that says nothing: refused, nothing granted.
    for reason in ["", "   ", "urgent"] {
        let e = db.store.break_glass(&mash, &v, kid, reason).await.unwrap_err();
        assert!(matches!(e, StoreError::Invalid(ref i) if i.for_field("reason").is_some()), "{e:?}");
    }
    // Not a MASH role: refused whatever the reason.
    let (practitioner, pid) = person(db, "practitioner-2@example.org", Role::Practitioner, p.other_school, &[]).await;
    let pv = viewer(db, pid).await;
    assert!(matches!(db.store.break_glass(&practitioner, &pv, kid, "I am worried about this child tonight").await, Err(StoreError::Invalid(_))));
    assert!(db.store.emergency_access_log().await.unwrap().is_empty());
    assert!(matches!(db.store.break_glass(&mash, &v, 999_999, "Police report the child missing tonight").await, Err(StoreError::NotFound)));

    let grant = db.store.break_glass(&mash, &v, kid, "Police report the child missing tonight, seen with an adult").await.unwrap();
    let v = viewer(db, mid).await;
    assert_eq!(v.emergency_children, vec![kid]);
    // Exactly that child, for that person: the record, the list and the search agree.
    assert!(matches!(db.store.child_for(&mash, &v, kid, Section::Identity).await.unwrap(), Visible::Yes(_)));
    assert!(matches!(db.store.child_for(&mash, &v, other, Section::Identity).await.unwrap(), Visible::Refused));
    let (listed, _) = db.store.search_children(&mash, &v, &ChildSearch::default(), 50, 0).await.unwrap();
    assert_eq!(listed.iter().map(|c| c.id).collect::<Vec<_>>(), vec![kid]);
    let (p2, p2id) = person(db, "colleague@example.org", Role::MashWorker, p.health, &[]).await;
    assert!(
        matches!(db.store.child_for(&p2, &viewer(db, p2id).await, kid, Section::Identity).await.unwrap(), Visible::Refused),
        "not for a colleague"
    );
    // A grant is listed for review; the review is recorded once.
    let log = db.store.emergency_access_log().await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].id, log[0].child_id, log[0].user_email.as_str(), log[0].reviewed_at.is_none()), (grant, kid, "mash-worker@example.org", true));
    assert!(log[0].reason.starts_with("Police report"));
    let admin = Actor { user_id: None, label: "administrator@example.org".into(), ip: String::new() };
    assert!(matches!(db.store.review_emergency_access(&admin, grant, " ").await, Err(StoreError::Invalid(_))));
    db.store.review_emergency_access(&admin, grant, "Justified: missing episode").await.unwrap();
    assert!(matches!(db.store.review_emergency_access(&admin, grant, "again").await, Err(StoreError::Invalid(_))));
    assert!(db.store.emergency_access_log().await.unwrap()[0].reviewed_at.is_some());

    // An expired grant admits nothing.
    let (late, lid) = person(db, "mash-3@example.org", Role::MashWorker, p.health, &[]).await;
    let lv = viewer(db, lid).await;
    db.store
        .break_glass_at(&late, &lv, kid, "Missing from home two days ago, found", chrono::Utc::now() - chrono::Duration::hours(25))
        .await
        .unwrap();
    let lv = viewer(db, lid).await;
    assert!(lv.emergency_children.is_empty());
    assert!(matches!(db.store.child_for(&late, &lv, kid, Section::Identity).await.unwrap(), Visible::Refused));

    // The child's access log: each view and refusal with its reason; the grant without its free text.
    let (entries, _) = db.store.child_access_log(kid, 100, 0).await.unwrap();
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
    assert_eq!(db.store.emergency_grants_for_child(kid).await.unwrap().len(), 2);
}
on_both_engines!(break_glass, break_glass_admits_one_child_for_one_person_until_expiry);

async fn partnership_people_and_spocs(db: &TestDb) {
    let p = agencies(db).await;
    let sys = Actor::system();
    let (_, spoc) = person(db, "spoc@example.org", Role::Spoc, p.school, &[Team::MissingFromHome]).await;
    db.store.add_spoc(&sys, p.school, spoc).await.unwrap();
    let spocs = db.store.spocs().await.unwrap();
    assert_eq!(spocs.iter().map(|s| (s.agency.as_str(), s.email.as_str())).collect::<Vec<_>>(), vec![("Hillside High School", "spoc@example.org")]);
    let people = db.store.pathway_people().await.unwrap();
    let me = people.iter().find(|x| x.user_id == spoc).unwrap();
    assert_eq!((me.agency_id, me.teams.clone(), me.spoc_for.clone()), (Some(p.school), vec![Team::MissingFromHome], vec![p.school]));
    db.store.remove_spoc(&sys, p.school, spoc).await.unwrap();
    db.store.remove_team_member(&sys, Team::MissingFromHome, spoc).await.unwrap();
    assert!(db.store.spocs().await.unwrap().is_empty());
    let v = viewer(db, spoc).await;
    assert!(v.teams.is_empty() && v.spoc_for.is_empty());
}
on_both_engines!(people, partnership_people_and_spocs);
