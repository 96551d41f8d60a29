//! The need-to-know rule in storage, on SQLite and PostgreSQL: for every viewer and
//! every child, the list filter and the single-record door agree with the domain, and
//! a child out of reach answers exactly as no child at all.

use assure_domain::partnership::{AgencyKind, InvolvementKind, Scope, Section, Team};
use assure_domain::Role;
use assure_storage::children::{ChildInput, ChildSearch};
use assure_storage::on_both_engines;
use assure_storage::testing::{self, TestDb};
use assure_storage::users::NewUser;
use assure_storage::{Actor, ChildKey, StoreError};
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

async fn person(db: &TestDb, email: &str, role: Role) -> i64 {
    db.store.users().create(&Actor::system(), NewUser { name: email, email, role, job_title: "", password_hash: "x" }).await.unwrap()
}

async fn lists_and_records_follow_one_rule(db: &TestDb) {
    let sys = Actor::system();
    let school = db.store.partnership().create_agency(&sys, "Hillside High School", Some(AgencyKind::Education)).await.unwrap();
    let other_school = db.store.partnership().create_agency(&sys, "Northway Primary School", Some(AgencyKind::Education)).await.unwrap();
    let police = db.store.partnership().create_agency(&sys, "Merseyside Police", Some(AgencyKind::Police)).await.unwrap();
    let health = db.store.partnership().create_agency(&sys, "Alder Hey NHS Trust", Some(AgencyKind::Health)).await.unwrap();
    let err = db.store.partnership().create_agency(&sys, "merseyside police", None).await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(ref i) if i.for_field("name").is_some() && i.for_field("kind").is_some()), "{err:?}");

    // People: a practitioner in each school, a SPOC for the school and health, the MASH,
    // a police CSE officer, and two people of team-level agencies in no team.
    let mut people = Vec::new();
    for (email, agency, role, teams, spoc) in [
        ("practitioner@example.org", school, Role::Practitioner, vec![], vec![]),
        ("practitioner-2@example.org", other_school, Role::Practitioner, vec![], vec![]),
        ("spoc@example.org", school, Role::Spoc, vec![], vec![school, health]),
        ("mash-worker@example.org", health, Role::MashWorker, vec![Team::Mash], vec![]),
        ("police-cse-officer@example.org", police, Role::PoliceCseOfficer, vec![Team::PoliceCse], vec![]),
        ("police-practitioner@example.org", police, Role::Practitioner, vec![], vec![]),
        ("nurse@example.org", health, Role::Practitioner, vec![], vec![]),
    ] {
        let uid = person(db, email, role).await;
        db.store.partnership().set_agency(&sys, uid, agency).await.unwrap();
        for t in teams {
            db.store.partnership().add_team_member(&sys, t, uid).await.unwrap();
        }
        for a in spoc {
            db.store.partnership().add_spoc(&sys, a, uid).await.unwrap();
        }
        people.push((email, uid, testing::reader(&db.store, email).await));
    }
    assert!(
        db.store.partnership().viewer(person(db, "member@example.org", Role::CommitteeMember).await).await.unwrap().is_none(),
        "tracker people are not on the pathway"
    );
    let officer_id = people[4].1;
    let mash = people[3].2.clone();

    // Children are added by the MASH only; every problem comes back together.
    let bad = ChildInput { first_name: " ".into(), last_name: "Doe".into(), estimated_age: Some(40), ..Default::default() };
    let e = db.store.children(&mash).create(&bad).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.for_field("first_name").is_some() && i.for_field("estimated_age").is_some()), "{e:?}");
    let amy = ChildInput { first_name: "Amy".into(), last_name: "Adams".into(), date_of_birth: Some(d(2004, 3, 1)), ..Default::default() };
    assert!(matches!(db.store.children(&people[0].2).create(&amy).await, Err(StoreError::Forbidden)), "a practitioner does not add a bare child");

    // Children: one raised by the school with the police officer invited to its panel,
    // one where health as a whole holds an action, one nobody's yet.
    let mut kids = Vec::new();
    for (first, last) in [("Amy", "Adams"), ("Ben", "Brown"), ("Cara", "Clark")] {
        let input = ChildInput { first_name: first.into(), last_name: last.into(), date_of_birth: Some(d(2004, 3, 1)), ..Default::default() };
        kids.push(db.store.children(&mash).create(&input).await.unwrap());
    }
    testing::involve(&db.store, kids[0], school, InvolvementKind::RaisedConcern, Scope::Agency, d(2017, 9, 1)).await;
    // An invited person involves their (team-level) agency through them in person.
    testing::involve(&db.store, kids[0], police, InvolvementKind::InvitedToPanel, Scope::Person(officer_id), d(2017, 9, 14)).await;
    testing::involve(&db.store, kids[1], health, InvolvementKind::HoldsAction, Scope::Agency, d(2017, 10, 1)).await;

    let expected: [(&str, Vec<usize>); 7] = [
        ("practitioner@example.org", vec![0]),
        ("practitioner-2@example.org", vec![]),
        ("spoc@example.org", vec![0, 1]),
        ("mash-worker@example.org", vec![0, 1, 2]),
        ("police-cse-officer@example.org", vec![0]),
        // The team-level rule: the police are involved with Amy only through the officer
        // invited in person, so another police employee in no team sees no child.
        ("police-practitioner@example.org", vec![]),
        // The team-level rule: an involvement of the trust as a whole (Ben's plan action)
        // admits only the trust's SPOC, not every nurse in it.
        ("nurse@example.org", vec![]),
    ];
    for ((email, _, reader), (e_email, want)) in people.iter().zip(expected.iter()) {
        assert_eq!(email, e_email);
        let (listed, total) = db.store.children(reader).search(&ChildSearch::default(), 100, 0).await.unwrap();
        let listed_ids: Vec<i64> = listed.iter().map(|c| c.id).collect();
        let want_ids: Vec<i64> = want.iter().map(|i| kids[*i]).collect();
        assert_eq!(listed_ids, want_ids, "{email} list");
        assert_eq!(total, want.len() as i64);
        // The unaudited fixture applies the same filter.
        let (fixture, _) = testing::children_in_reach(&db.store, reader.viewer(), None, 100, 0).await;
        assert_eq!(fixture.iter().map(|c| c.id).collect::<Vec<_>>(), want_ids, "{email} fixture list");
        for (i, kid) in kids.iter().enumerate() {
            let seen = match db.store.open_child(reader, ChildKey::Child(*kid), Section::Identity).await {
                Ok(r) => {
                    assert_eq!(r.id(), *kid);
                    true
                }
                Err(StoreError::NoSuchChild) => false,
                Err(e) => panic!("{email} record {i}: {e:?}"),
            };
            assert_eq!(seen, want.contains(&i), "{email} record {i}");
            // The police-only part of a record in reach: the police officer alone here.
            // Out of reach is no such child; in reach but police-only is restricted.
            let prosecute = db.store.open_child(reader, ChildKey::Child(*kid), Section::Prosecute).await;
            match (want.contains(&i), *email == "police-cse-officer@example.org") {
                (true, true) => assert!(prosecute.is_ok(), "{email} prosecute {i}"),
                (true, false) => assert!(matches!(prosecute, Err(StoreError::Restricted)), "{email} prosecute {i}"),
                (false, _) => assert!(matches!(prosecute, Err(StoreError::NoSuchChild)), "{email} prosecute {i}"),
            }
        }
        // Search narrows within reach, never beyond it.
        let (found, _) = db.store.children(reader).search(&ChildSearch { name: Some("ada".into()), date_of_birth: None }, 100, 0).await.unwrap();
        assert_eq!(found.iter().map(|c| c.id).collect::<Vec<_>>(), if want.contains(&0) { vec![kids[0]] } else { vec![] }, "{email} search");
    }
    // Every view and every refusal is in the audit log, against the child.
    let (refused, _) = db
        .store
        .audit()
        .list(&assure_storage::audit::AuditFilter { action: Some("child.refused".into()), ..Default::default() }, 100, 0)
        .await
        .unwrap();
    assert!(refused.iter().any(|e| e.actor == "practitioner-2@example.org" && e.record_type == "child" && e.record_id == kids[0].to_string()));
    assert!(refused.iter().any(|e| e.actor == "nurse@example.org" && e.record_id == kids[1].to_string()));
    assert!(refused.iter().any(|e| e.actor == "mash-worker@example.org" && e.detail == "prosecute: refused, restricted section"), "{refused:?}");
    assert!(refused.iter().all(|e| !e.detail.contains("Adams")), "no personal data in the audit detail");
    let (viewed, _) =
        db.store.audit().list(&assure_storage::audit::AuditFilter { action: Some("child.view".into()), ..Default::default() }, 100, 0).await.unwrap();
    assert_eq!(viewed.len(), 1 + 2 + 3 + 1 + 1);
    // Each view says which part was seen and why it was allowed.
    assert!(
        viewed.iter().any(|e| e.actor == "spoc@example.org" && e.detail == format!("identity: viewed as SPOC of involved agency {health}")),
        "{viewed:?}"
    );
    assert!(viewed
        .iter()
        .any(|e| e.actor == "mash-worker@example.org" && e.detail.contains("member of the Multi-agency safeguarding hub (MASH) team")));
    // The officer's own invitation is the reason (scoped to them in person).
    assert!(
        viewed.iter().any(|e| e.actor == "police-cse-officer@example.org" && e.detail == "prosecute: viewed as themselves: invited to a panel"),
        "{viewed:?}"
    );
}
on_both_engines!(need_to_know, lists_and_records_follow_one_rule);
