//! The need-to-know rule in storage, on SQLite and PostgreSQL: for every viewer and
//! every child, the list filter and the single-record check agree with the domain.

use assure_domain::partnership::{AgencyKind, InvolvementKind, Section, Team};
use assure_domain::Role;
use assure_storage::on_both_engines;
use assure_storage::partnership::{ChildInput, Visible};
use assure_storage::testing::TestDb;
use assure_storage::users::NewUser;
use assure_storage::Actor;
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

async fn person(db: &TestDb, email: &str, role: Role) -> i64 {
    db.store.create_user(&Actor::system(), NewUser { name: email, email, role, job_title: "", password_hash: "x" }).await.unwrap()
}

async fn lists_and_records_follow_one_rule(db: &TestDb) {
    let sys = Actor::system();
    let school = db.store.create_agency(&sys, "Hillside High School", Some(AgencyKind::Education)).await.unwrap();
    let other_school = db.store.create_agency(&sys, "Northway Primary School", Some(AgencyKind::Education)).await.unwrap();
    let police = db.store.create_agency(&sys, "Merseyside Police", Some(AgencyKind::Police)).await.unwrap();
    let health = db.store.create_agency(&sys, "Alder Hey NHS Trust", Some(AgencyKind::Health)).await.unwrap();
    let err = db.store.create_agency(&sys, "merseyside police", None).await.unwrap_err();
    assert!(matches!(err, assure_storage::StoreError::Invalid(ref i) if i.for_field("name").is_some() && i.for_field("kind").is_some()), "{err:?}");

    // Children: one raised by the school with the police invited, one health only, one nobody's yet.
    let mut kids = Vec::new();
    for (first, last) in [("Amy", "Adams"), ("Ben", "Brown"), ("Cara", "Clark")] {
        let input = ChildInput { first_name: first.into(), last_name: last.into(), date_of_birth: Some(d(2004, 3, 1)), ..Default::default() };
        kids.push(db.store.create_child(&sys, &input).await.unwrap());
    }
    db.store.add_involvement(&sys, kids[0], school, InvolvementKind::RaisedConcern, d(2017, 9, 1)).await.unwrap();
    db.store.add_involvement(&sys, kids[0], police, InvolvementKind::InvitedToPanel, d(2017, 9, 14)).await.unwrap();
    db.store.add_involvement(&sys, kids[1], health, InvolvementKind::HoldsAction, d(2017, 10, 1)).await.unwrap();
    let bad = db
        .store
        .create_child(&sys, &ChildInput { first_name: " ".into(), last_name: "Doe".into(), estimated_age: Some(40), ..Default::default() })
        .await
        .unwrap_err();
    assert!(
        matches!(bad, assure_storage::StoreError::Invalid(ref i) if i.for_field("first_name").is_some() && i.for_field("estimated_age").is_some())
    );

    // People: a practitioner in each school, a SPOC for health, the MASH, a police officer.
    let mut viewers = Vec::new();
    for (email, agency, role, teams, spoc) in [
        ("practitioner@example.org", school, Role::Practitioner, vec![], vec![]),
        ("practitioner-2@example.org", other_school, Role::Practitioner, vec![], vec![]),
        ("spoc@example.org", school, Role::Spoc, vec![], vec![school, health]),
        ("mash-worker@example.org", health, Role::MashWorker, vec![Team::Mash], vec![]),
        ("police-cse-officer@example.org", police, Role::PoliceCseOfficer, vec![Team::PoliceCse], vec![]),
    ] {
        let uid = person(db, email, role).await;
        db.store.set_agency(&sys, uid, agency).await.unwrap();
        for t in teams {
            db.store.add_team_member(&sys, t, uid).await.unwrap();
        }
        for a in spoc {
            db.store.add_spoc(&sys, a, uid).await.unwrap();
        }
        let v = db.store.viewer(uid).await.unwrap().expect("a pathway member");
        viewers.push((email, uid, v));
    }
    assert!(
        db.store.viewer(person(db, "member@example.org", Role::CommitteeMember).await).await.unwrap().is_none(),
        "tracker people are not on the pathway"
    );

    let expected: [(&str, Vec<usize>); 5] = [
        ("practitioner@example.org", vec![0]),
        ("practitioner-2@example.org", vec![]),
        ("spoc@example.org", vec![0, 1]),
        ("mash-worker@example.org", vec![0, 1, 2]),
        ("police-cse-officer@example.org", vec![0]),
    ];
    for ((email, uid, v), (e_email, want)) in viewers.iter().zip(expected.iter()) {
        assert_eq!(email, e_email);
        let actor = Actor { user_id: Some(*uid), label: email.to_string(), ip: "127.0.0.1".into() };
        let (listed, total) = db.store.children_for(v, None, 100, 0).await.unwrap();
        let listed_ids: Vec<i64> = listed.iter().map(|c| c.id).collect();
        let want_ids: Vec<i64> = want.iter().map(|i| kids[*i]).collect();
        assert_eq!(listed_ids, want_ids, "{email} list");
        assert_eq!(total as usize, want.len());
        for (i, kid) in kids.iter().enumerate() {
            let seen = matches!(db.store.child_for(&actor, v, *kid, Section::Identity).await.unwrap(), Visible::Yes(_));
            assert_eq!(seen, want.contains(&i), "{email} record {i}");
            // The police-only part of a record in reach: the police officer alone here.
            let prosecute = matches!(db.store.child_for(&actor, v, *kid, Section::Prosecute).await.unwrap(), Visible::Yes(_));
            assert_eq!(prosecute, want.contains(&i) && *email == "police-cse-officer@example.org", "{email} prosecute {i}");
        }
        // Search narrows within reach, never beyond it.
        let (found, _) = db.store.children_for(v, Some("ada"), 100, 0).await.unwrap();
        assert_eq!(found.iter().map(|c| c.id).collect::<Vec<_>>(), if want.contains(&0) { vec![kids[0]] } else { vec![] }, "{email} search");
    }
    // Every view and every refusal is in the audit log, against the child.
    let (refused, _) = db
        .store
        .list_audit(&assure_storage::audit::AuditFilter { action: Some("child.refused".into()), ..Default::default() }, 100, 0)
        .await
        .unwrap();
    assert!(refused.iter().any(|e| e.actor == "practitioner-2@example.org" && e.record_id == kids[0].to_string()));
    assert!(refused.iter().all(|e| !e.detail.contains("Adams")), "no personal data in the audit detail");
    let (viewed, _) =
        db.store.list_audit(&assure_storage::audit::AuditFilter { action: Some("child.view".into()), ..Default::default() }, 100, 0).await.unwrap();
    assert_eq!(viewed.len(), 1 + 2 + 3 + 1 + 1);
    // Each view says which part was seen and why it was allowed.
    assert!(viewed.iter().any(|e| e.actor == "spoc@example.org" && e.detail == "identity: viewed as SPOC of involved agency 4"), "{viewed:?}");
    assert!(viewed
        .iter()
        .any(|e| e.actor == "mash-worker@example.org" && e.detail.contains("member of the Multi-agency safeguarding hub (MASH) team")));
    assert!(viewed
        .iter()
        .any(|e| e.actor == "police-cse-officer@example.org" && e.detail == "prosecute: viewed as their agency: invited to a panel"));
}
on_both_engines!(need_to_know, lists_and_records_follow_one_rule);
