//! Placement notifications in storage, on SQLite and PostgreSQL: each default routing
//! rule reaches exactly the right teams' queues, an edited rule changes routing for new
//! notifications only, acknowledgement is for the teams routed to, bad input saves
//! nothing, and authorities above five placed children are marked.

use std::collections::BTreeSet;

use assure_domain::partnership::{AgencyKind, InvolvementKind, Scope, Section, Team};
use assure_domain::placements::{default_rules, Condition, EscalationStep, Risk, RoutingRule, Timeliness};
use assure_domain::Role;
use assure_storage::children::{ChildInput, ChildSearch};
use assure_storage::on_both_engines;
use assure_storage::placements::{Notification, PlacementInput, ProviderConcernInput};
use assure_storage::referrals::ChildRef;
use assure_storage::testing::{self, TestDb};
use assure_storage::users::NewUser;
use assure_storage::{Actor, ChildKey, Reader, StoreError};
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn today() -> NaiveDate {
    d(2026, 3, 20)
}

/// The teams a notification can be routed to, each with a member in their own agency.
const ROUTED: [(Team, &str, AgencyKind); 6] = [
    (Team::HealthLead, "Community Health NHS Trust", AgencyKind::Health),
    (Team::EducationLead, "Virtual School", AgencyKind::Education),
    (Team::PoliceCse, "Merseyside Police", AgencyKind::Police),
    (Team::MissingFromHome, "Missing From Home Service", AgencyKind::VoluntarySector),
    (Team::CseAnalyst, "Children's Social Care", AgencyKind::ChildrensSocialCare),
    (Team::YouthOffending, "Youth Offending Service", AgencyKind::YouthOffending),
];

struct World {
    officer: Reader,
    /// One member per routed team, in ROUTED's order.
    members: Vec<(Team, Reader)>,
    /// Someone in no routed team, in another agency.
    outsider: Reader,
    /// A nurse of the health trust (team-level) who is not in the health lead team.
    nurse: Reader,
    /// A teacher of the virtual school (agency-wide) who is not in the education lead team.
    teacher: Reader,
}

async fn person(db: &TestDb, email: &str, role: Role, agency: i64, teams: &[Team]) -> Reader {
    let sys = Actor::system();
    let uid = db.store.users().create(&sys, NewUser { name: email, email, role, job_title: "", password_hash: "x" }).await.unwrap();
    db.store.partnership().set_agency(&sys, uid, agency).await.unwrap();
    for t in teams {
        db.store.partnership().add_team_member(&sys, *t, uid).await.unwrap();
    }
    testing::reader(&db.store, email).await
}

async fn world(db: &TestDb) -> World {
    let sys = Actor::system();
    let placements = db.store.partnership().create_agency(&sys, "Placements Team", Some(AgencyKind::ChildrensSocialCare)).await.unwrap();
    let officer = person(db, "notification-officer@example.org", Role::NotificationOfficer, placements, &[Team::PlacementNotifications]).await;
    let mut members = Vec::new();
    let mut agencies = Vec::new();
    for (i, (team, agency, kind)) in ROUTED.iter().enumerate() {
        let a = db.store.partnership().create_agency(&sys, agency, Some(*kind)).await.unwrap();
        let role = if *team == Team::PoliceCse {
            Role::PoliceCseOfficer
        } else if *team == Team::CseAnalyst {
            Role::CseAnalyst
        } else {
            Role::Practitioner
        };
        members.push((*team, person(db, &format!("member-{i}@example.org"), role, a, &[*team]).await));
        agencies.push(a);
    }
    let school = db.store.partnership().create_agency(&sys, "Northway Primary School", Some(AgencyKind::Education)).await.unwrap();
    let outsider = person(db, "practitioner-2@example.org", Role::Practitioner, school, &[]).await;
    let nurse = person(db, "nurse@example.org", Role::Practitioner, agencies[0], &[]).await;
    let teacher = person(db, "teacher@example.org", Role::Practitioner, agencies[1], &[]).await;
    World { officer, members, outsider, nurse, teacher }
}

/// Whether the reader may open the child's placements; out of reach must read as no such child.
async fn sees(db: &TestDb, r: &Reader, child: i64) -> bool {
    match db.store.open_child(r, ChildKey::Child(child), Section::Placements).await {
        Ok(_) => true,
        Err(StoreError::NoSuchChild) => false,
        Err(e) => panic!("{e:?}"),
    }
}

/// One notification, as the officer who recorded it reads it on the child's record.
async fn notification(db: &TestDb, w: &World, child: i64, id: i64) -> Notification {
    let record = db.store.open_child(&w.officer, ChildKey::Child(child), Section::Placements).await.unwrap();
    record.notifications().await.unwrap().into_iter().find(|n| n.id == id).unwrap_or_else(|| panic!("notification {id} of child {child}"))
}

fn risks(yes: &[Risk]) -> Vec<(Risk, Option<bool>, String)> {
    Risk::ALL.iter().map(|r| (*r, Some(yes.contains(r)), if yes.contains(r) { "Declared on the form".to_string() } else { String::new() })).collect()
}

fn input(first: &str, authority: &str, yes: &[Risk], received: NaiveDate) -> PlacementInput {
    PlacementInput {
        child: Some(ChildRef::New(ChildInput {
            first_name: first.into(),
            last_name: "Placed".into(),
            estimated_age: Some(15),
            ..Default::default()
        })),
        placing_authority: authority.into(),
        new_provider: "Brookside Children's Homes Ltd".into(),
        home: "Brookside House".into(),
        address: "1 Brook Lane".into(),
        ward: "Linacre".into(),
        start_date: Some(d(2026, 3, 1)),
        received_date: Some(received),
        risks: risks(yes),
        ..Default::default()
    }
}

/// Which of the world's teams have the notification in their queue (and the officer's check of the recipients).
async fn queues_with(db: &TestDb, w: &World, (notification_id, child): (i64, i64)) -> BTreeSet<Team> {
    let mut out = BTreeSet::new();
    for (team, r) in &w.members {
        let q = db.store.placements(r).queue(today()).await.unwrap();
        if q.iter().any(|i| i.notification.id == notification_id) {
            assert!(q.iter().filter(|i| i.notification.id == notification_id).all(|i| i.recipient.team == *team));
            out.insert(*team);
        }
    }
    let recorded: BTreeSet<Team> = notification(db, w, child, notification_id).await.recipients.iter().map(|r| r.team).collect();
    assert_eq!(recorded, out, "the recipients recorded are the queues that show it");
    out
}

async fn each_default_rule_reaches_exactly_its_teams(db: &TestDb) {
    let w = world(db).await;
    let officer = &w.officer;
    assert_eq!(db.store.routing_rules().current().await.unwrap().version, 1);
    let always: BTreeSet<Team> = [Team::HealthLead, Team::EducationLead].into();
    let cases: Vec<(&[Risk], Vec<Team>)> = vec![
        (&[], vec![]),
        (&[Risk::Cse], vec![Team::PoliceCse, Team::MissingFromHome, Team::CseAnalyst]),
        (&[Risk::Offending], vec![Team::YouthOffending]),
        (&[Risk::OrganisedCrime], vec![Team::YouthOffending]),
        (&[Risk::Missing], vec![Team::MissingFromHome]),
        (&[Risk::SubstanceMisuse, Risk::MentalHealth], vec![]),
        (&[Risk::Cse, Risk::Missing, Risk::Offending], vec![Team::PoliceCse, Team::MissingFromHome, Team::CseAnalyst, Team::YouthOffending]),
    ];
    let mut first = None;
    for (i, (yes, extra)) in cases.iter().enumerate() {
        let (id, child) =
            db.store.placements(officer).record_notification(&input(&format!("Child{i}"), "Knowsley", yes, d(2026, 2, 27)), today()).await.unwrap();
        first.get_or_insert(child);
        let mut want = always.clone();
        want.extend(extra.iter().copied());
        assert_eq!(queues_with(db, &w, (id, child)).await, want, "{yes:?}");
        // Each routed team (through its members' agencies, in that team's scope) may now
        // see the child; the officer too; no one else.
        for (team, r) in &w.members {
            assert_eq!(sees(db, r, child).await, want.contains(team) || team.sees_every_child(), "{team:?} sees child of {yes:?}");
        }
        let placed = db.store.open_child(officer, ChildKey::Child(child), Section::Placements).await.expect("the officer sees the child");
        assert_eq!(placed.child().legal_status, "looked-after-elsewhere", "a placed child is looked after by the placing authority");
        assert!(!sees(db, &w.outsider, child).await);
        // The team-level rule: the health trust is involved through its health lead team
        // only, so another nurse of the trust (in no routed team) no longer sees the
        // child; the virtual school is involved as a whole, so all its people do.
        assert!(!sees(db, &w.nurse, child).await, "the trust's other nurse");
        assert!(sees(db, &w.teacher, child).await, "the virtual school's other teacher");
        assert!(testing::involvements_of(&db.store, child)
            .await
            .iter()
            .filter(|i| i.kind == InvolvementKind::NotifiedOfPlacement)
            .all(|i| matches!(i.scope, Scope::Team(t) if want.contains(&t) || t == Team::PlacementNotifications)));
    }
    // The nurse's searches agree with the record.
    assert_eq!(db.store.children(&w.nurse).search(&ChildSearch::default(), 100, 0).await.unwrap().1, 0);
    // A team reached by two rules is notified once, with both things to acknowledge.
    let record = db.store.open_child(officer, ChildKey::Child(first.unwrap()), Section::Placements).await.unwrap();
    assert_eq!(record.notifications().await.unwrap().len(), 1);
    let (cse_missing, twice) = db
        .store
        .placements(officer)
        .record_notification(&input("Twice", "Knowsley", &[Risk::Cse, Risk::Missing], d(2026, 2, 27)), today())
        .await
        .unwrap();
    let mfh = notification(db, &w, twice, cse_missing).await.recipients.into_iter().find(|r| r.team == Team::MissingFromHome).unwrap();
    assert_eq!(mfh.acknowledge.len(), 2);
    // The child's record shows the placement; the audit has no personal data.
    let (log, _) = db
        .store
        .audit()
        .list(
            &assure_storage::audit::AuditFilter { record_type: Some("child".into()), record_id: Some(twice.to_string()), ..Default::default() },
            100,
            0,
        )
        .await
        .unwrap();
    let rec = log.iter().find(|e| e.action == "placement.record").unwrap();
    assert!(rec.detail.contains("police-cse") && !rec.detail.contains("Twice") && !rec.detail.contains("Brook"), "{}", rec.detail);
}
on_both_engines!(default_rules_route, each_default_rule_reaches_exactly_its_teams);

async fn an_edited_rule_changes_routing_for_new_notifications_only(db: &TestDb) {
    let w = world(db).await;
    let officer = &w.officer;
    let admin = Actor { user_id: None, label: "partnership-manager@example.org".into(), ip: String::new() };
    let before = db
        .store
        .placements(officer)
        .record_notification(&input("Before", "Liverpool", &[Risk::SubstanceMisuse], d(2026, 3, 2)), today())
        .await
        .unwrap();
    assert_eq!(queues_with(db, &w, before).await, [Team::HealthLead, Team::EducationLead].into());
    // A team that no longer exists is refused at save, and nothing changes.
    let mut bad = default_rules();
    bad.push(RoutingRule { condition: Condition::AnyOf(vec![Risk::SubstanceMisuse]), team: "drugs-team-old".into(), acknowledge: "Known".into() });
    let err = db.store.routing_rules().save(&admin, &bad).await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(ref i) if i.for_field("rule-8-team").is_some_and(|m| m.contains("does not exist"))), "{err:?}");
    assert_eq!(db.store.routing_rules().current().await.unwrap().version, 1);
    // Substance misuse now reaches the youth offending team; health is no longer always told.
    let mut rules = default_rules();
    rules.retain(|r| r.team != Team::HealthLead.slug());
    rules.push(RoutingRule {
        condition: Condition::AnyOf(vec![Risk::SubstanceMisuse]),
        team: Team::YouthOffending.slug().into(),
        acknowledge: "A substance misuse worker is offered".into(),
    });
    assert_eq!(db.store.routing_rules().save(&admin, &rules).await.unwrap(), 2);
    let after = db
        .store
        .placements(officer)
        .record_notification(&input("After", "Liverpool", &[Risk::SubstanceMisuse], d(2026, 3, 2)), today())
        .await
        .unwrap();
    assert_eq!(queues_with(db, &w, after).await, [Team::EducationLead, Team::YouthOffending].into());
    assert_eq!(queues_with(db, &w, before).await, [Team::HealthLead, Team::EducationLead].into(), "earlier notifications keep their recipients");
    assert_eq!(notification(db, &w, before.1, before.0).await.rules_version, 1);
    assert_eq!(notification(db, &w, after.1, after.0).await.rules_version, 2);
    // The health lead was not told of the later child: out of reach.
    assert!(!sees(db, &w.members[0].1, after.1).await && sees(db, &w.members[0].1, before.1).await);
}
on_both_engines!(edited_rules, an_edited_rule_changes_routing_for_new_notifications_only);

async fn acknowledgement_is_for_the_teams_routed_to(db: &TestDb) {
    let w = world(db).await;
    let officer = &w.officer;
    let (older, _) = db.store.placements(officer).record_notification(&input("Older", "Wirral", &[Risk::Cse], d(2026, 3, 5)), today()).await.unwrap();
    let (newer, newer_child) =
        db.store.placements(officer).record_notification(&input("Newer", "Wirral", &[], d(2026, 3, 18)), today()).await.unwrap();
    let health = &w.members[0].1;
    let q = db.store.placements(health).queue(today()).await.unwrap();
    assert_eq!(q.iter().map(|i| (i.notification.id, i.age_days)).collect::<Vec<_>>(), vec![(older, 15), (newer, 2)], "oldest first, with their age");
    let health_line = q[1].recipient.id;
    // The youth offending team was told of neither: the line names a child out of its
    // reach, so it reads as no line at all (before the door it was a form error saying
    // the line was routed to another team, which told them the child exists).
    let yot = &w.members[5].1;
    assert!(matches!(db.store.placements(yot).acknowledge(health_line).await.unwrap_err(), StoreError::NoSuchChild));
    assert!(matches!(db.store.placements(yot).acknowledge(999_999).await.unwrap_err(), StoreError::NoSuchChild));
    let (refused, _) = db
        .store
        .audit()
        .list(&assure_storage::audit::AuditFilter { action: Some("child.refused".into()), ..Default::default() }, 100, 0)
        .await
        .unwrap();
    assert!(refused.iter().any(|e| e.actor == "member-5@example.org" && e.record_type == "child" && e.record_id == newer_child.to_string()));
    assert!(refused
        .iter()
        .any(|e| e.actor == "member-5@example.org" && e.record_type == "unknown-child" && e.record_id == "notification line 999999"));
    // Someone who sees the child but is not in the team routed to cannot acknowledge it.
    let education = &w.members[1].1;
    let err = db.store.placements(education).acknowledge(health_line).await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(ref i) if i.for_field("recipient").is_some()), "{err:?}");
    let err = db.store.placements(officer).acknowledge(health_line).await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)));
    assert!(notification(db, &w, newer_child, newer).await.recipients.iter().all(|r| r.acknowledged_at.is_none()), "nothing was acknowledged");
    // The health lead acknowledges the newer: it moves below the unacknowledged one.
    db.store.placements(health).acknowledge(health_line).await.unwrap();
    let q = db.store.placements(health).queue(today()).await.unwrap();
    assert_eq!(q.iter().map(|i| (i.notification.id, i.recipient.acknowledged_at.is_some())).collect::<Vec<_>>(), vec![(older, false), (newer, true)]);
    assert_eq!(q[1].recipient.acknowledged_by_name.as_deref(), Some("member-0@example.org"));
    let again = db.store.placements(health).acknowledge(health_line).await.unwrap_err();
    assert!(matches!(again, StoreError::Invalid(_)), "acknowledged once");
    // A line of another child is not found through this child's record.
    let older_line = q[0].recipient.id;
    let record = db.store.open_child(health, ChildKey::Child(newer_child), Section::Placements).await.unwrap();
    assert!(matches!(record.acknowledge(older_line).await, Err(StoreError::NotFound)));
    assert_eq!(record.recipient(health_line).await.unwrap().acknowledged_by_name.as_deref(), Some("member-0@example.org"));
    // The other teams still have theirs to do.
    let n = notification(db, &w, newer_child, newer).await;
    assert!(n.recipients.iter().any(|r| r.team == Team::EducationLead && r.acknowledged_at.is_none()));
    assert!(db.store.placements(yot).queue(today()).await.unwrap().is_empty());
    assert!(db.store.placements(&w.outsider).queue(today()).await.unwrap().is_empty());
}
on_both_engines!(acknowledgements, acknowledgement_is_for_the_teams_routed_to);

async fn bad_input_saves_nothing(db: &TestDb) {
    let w = world(db).await;
    let officer = &w.officer;
    let mut bad = input("Bad", "Gotham", &[], d(2026, 3, 2));
    bad.end_date = Some(d(2026, 2, 1));
    bad.risks = vec![];
    let err = db.store.placements(officer).record_notification(&bad, today()).await.unwrap_err();
    let StoreError::Invalid(e) = err else { panic!("{err:?}") };
    for f in ["placing_authority", "end_date", "risks", "risk-cse"] {
        assert!(e.for_field(f).is_some(), "{f}: {e:?}");
    }
    assert_eq!(db.store.placements(officer).problems(&bad, today()).await.unwrap(), e, "the same problems without saving");
    // Only the notification officer records placements.
    assert!(matches!(
        db.store.placements(&w.outsider).record_notification(&input("X", "Sefton", &[], d(2026, 3, 2)), today()).await,
        Err(StoreError::Forbidden)
    ));
    // A child outside the officer's reach reads like no child at all; a yes needs detail.
    let other = testing::new_child(
        &db.store,
        &ChildInput { first_name: "Out".into(), last_name: "Of Reach".into(), estimated_age: Some(12), ..Default::default() },
    )
    .await;
    for id in [other, 999_999] {
        let mut bad = input("Bad", "Sefton", &[], d(2026, 3, 2));
        bad.child = Some(ChildRef::Existing(id));
        bad.risks[0] = (Risk::Cse, Some(true), " ".into());
        bad.received_date = None;
        let StoreError::Invalid(e) = db.store.placements(officer).record_notification(&bad, today()).await.unwrap_err() else { panic!() };
        assert!(e.for_field("child").is_some() && e.for_field("risk-cse-detail").is_some() && e.for_field("received_date").is_some(), "{e:?}");
    }
    assert!(db.store.placements(officer).list(None).await.unwrap().is_empty());
    assert!(db.store.providers().list().await.unwrap().is_empty(), "the new provider was not added either");
    assert_eq!(
        db.store.children(&w.members[4].1).search(&ChildSearch::default(), 100, 0).await.unwrap().1,
        1,
        "no child was added (the analyst sees every child: only the one made above)"
    );
    // A placement found without a notification is recorded against its authority as such.
    let mut found = input("Found", "Sefton", &[], d(2026, 3, 2));
    found.received_date = None;
    let (id, child) = db.store.placements(officer).record_found_without_notification(&found, today()).await.unwrap();
    assert_eq!(notification(db, &w, child, id).await.timeliness(), Timeliness::NotNotified);
}
on_both_engines!(bad_input, bad_input_saves_nothing);

async fn authorities_placements_lateness_escalations_and_counts(db: &TestDb) {
    let w = world(db).await;
    let officer = &w.officer;
    for i in 0..6 {
        db.store
            .placements(officer)
            .record_notification(&input(&format!("K{i}"), "knowsley", &[], d(2026, 3, if i == 0 { 20 } else { 2 })), today())
            .await
            .unwrap();
    }
    for i in 0..5 {
        db.store.placements(officer).record_notification(&input(&format!("L{i}"), "Liverpool", &[], d(2026, 3, 2)), today()).await.unwrap();
    }
    // An ended placement no longer counts.
    let mut ended = input("Ended", "Wirral", &[], d(2026, 3, 2));
    ended.end_date = Some(d(2026, 3, 10));
    db.store.placements(officer).record_notification(&ended, today()).await.unwrap();
    let counts = db.store.placing_authorities().placed_counts(today()).await.unwrap();
    assert_eq!(counts, vec![("Knowsley".to_string(), 6, true), ("Liverpool".to_string(), 5, false)]);

    let s = db.store.placements(officer).authority_summary("Knowsley").await.unwrap();
    assert_eq!((s.total, s.late, s.not_notified, s.children.len(), s.notifications.len()), (6, 1, 0, 6, 6));
    // Someone outside the children's agencies sees the counts but no children; so does
    // the trust's nurse outside the health lead team (the team-level rule).
    for r in [&w.outsider, &w.nurse] {
        let s = db.store.placements(r).authority_summary("Knowsley").await.unwrap();
        assert_eq!((s.total, s.children.len(), s.notifications.len()), (6, 0, 0));
    }
    assert!(matches!(db.store.placements(officer).authority_summary("Gotham").await.unwrap_err(), StoreError::NotFound));

    let oa = officer.actor();
    let StoreError::Invalid(e) = db.store.placing_authorities().escalate(oa, "Knowsley", None, Some(d(2027, 1, 1)), "", today()).await.unwrap_err()
    else {
        panic!()
    };
    assert!(e.for_field("step").is_some() && e.for_field("step_date").is_some());
    db.store
        .placing_authorities()
        .escalate(oa, "Knowsley", Some(EscalationStep::DirectorContact), Some(d(2026, 3, 10)), "Letter from the director", today())
        .await
        .unwrap();
    db.store.placing_authorities().escalate(oa, "knowsley", Some(EscalationStep::Ofsted), Some(d(2026, 3, 18)), "", today()).await.unwrap();
    let s = db.store.placements(officer).authority_summary("Knowsley").await.unwrap();
    assert_eq!(s.escalations.iter().map(|e| e.step).collect::<Vec<_>>(), vec![EscalationStep::Ofsted, EscalationStep::DirectorContact]);
    assert!(db.store.placing_authorities().escalations("Liverpool").await.unwrap().is_empty());
    assert_eq!(db.store.placements(officer).list(Some("Liverpool")).await.unwrap().len(), 5);
}
on_both_engines!(authorities, authorities_placements_lateness_escalations_and_counts);

async fn providers_of_concern(db: &TestDb) {
    let w = world(db).await;
    let oa = w.officer.actor();
    let p = db.store.providers().add(oa, "Hilltop Care Ltd").await.unwrap();
    let StoreError::Invalid(e) = db.store.providers().add(oa, "hilltop care ltd").await.unwrap_err() else { panic!() };
    assert!(e.for_field("name").is_some());
    let bad = ProviderConcernInput {
        provider_id: Some(p),
        raised_on: Some(d(2026, 3, 10)),
        ofsted_referral_date: Some(d(2026, 3, 1)),
        ..Default::default()
    };
    let StoreError::Invalid(e) = db.store.providers().add_concern(oa, &bad, today()).await.unwrap_err() else { panic!() };
    assert!(e.for_field("concern").is_some() && e.for_field("ofsted_referral_date").is_some());
    let ok = ProviderConcernInput {
        provider_id: Some(p),
        home: "Hilltop House".into(),
        raised_on: Some(d(2026, 3, 10)),
        concern: "Staff do not report children missing".into(),
        action: "Raised with the registered manager".into(),
        ofsted_referral_date: Some(d(2026, 3, 12)),
    };
    db.store.providers().add_concern(oa, &ok, today()).await.unwrap();
    db.store.providers().add(oa, "Quiet Homes").await.unwrap();
    let list = db.store.providers().list().await.unwrap();
    assert_eq!(list[0].name, "Hilltop Care Ltd");
    assert_eq!(list[0].concerns[0].ofsted_referral_date, Some(d(2026, 3, 12)));
    assert!(list[1].concerns.is_empty());
}
on_both_engines!(providers, providers_of_concern);

/// The queue and the list of every notification a page at a time (keyset) with their
/// filters: forwards through every page and back again, each line once and in order,
/// the count with every page; the health lead's waiting count and oldest agree.
async fn the_lists_are_paged_by_key_and_filtered(db: &TestDb) {
    use assure_storage::keyset::PageRequest;
    use assure_storage::placements::NotificationFilter;
    let w = world(db).await;
    let officer = &w.officer;
    let authorities = ["Wirral", "Knowsley"];
    let mut recorded = Vec::new();
    for i in 0..7u32 {
        let received = d(2026, 3, 1 + i);
        let first = format!("Paged{}", (b'a' + i as u8) as char);
        recorded.push(
            db.store.placements(officer).record_notification(&input(&first, authorities[i as usize % 2], &[], received), today()).await.unwrap().0,
        );
    }
    let health = &w.members[0].1;
    // Acknowledge the newest, so the whole queue is six waiting then one acknowledged.
    let q = db.store.placements(health).queue(today()).await.unwrap();
    let newest_line = q.iter().find(|i| i.notification.id == recorded[6]).unwrap().recipient.id;
    db.store.placements(health).acknowledge(newest_line).await.unwrap();
    let all: Vec<i64> = db.store.placements(health).queue(today()).await.unwrap().iter().map(|i| i.notification.id).collect();
    let mut expected = recorded[..6].to_vec();
    expected.push(recorded[6]);
    assert_eq!(all, expected, "waiting, oldest first, then acknowledged");

    for (filter, want) in [
        (NotificationFilter::default(), expected.clone()),
        (NotificationFilter { acknowledged: Some(false), ..Default::default() }, recorded[..6].to_vec()),
        (NotificationFilter { acknowledged: Some(true), ..Default::default() }, vec![recorded[6]]),
        (NotificationFilter { placing_authority: Some("Knowsley".into()), ..Default::default() }, vec![recorded[1], recorded[3], recorded[5]]),
        (NotificationFilter { since: Some(d(2026, 3, 5)), acknowledged: Some(false), ..Default::default() }, vec![recorded[4], recorded[5]]),
    ] {
        let mut pages: Vec<Vec<i64>> = Vec::new();
        let mut req = PageRequest::first(2);
        loop {
            let (page, total) = db.store.placements(health).queue_page(&filter, today(), &req).await.unwrap();
            assert_eq!(total, want.len() as i64, "{filter:?}");
            assert_eq!(page.previous.is_some(), !pages.is_empty(), "{filter:?}: a previous page from page 2 on");
            pages.push(page.items.iter().map(|i| i.notification.id).collect());
            match &page.next {
                Some(n) => req = PageRequest::from_link(Some(n), 2),
                None => {
                    let mut back = page.previous.clone();
                    let mut i = pages.len() - 1;
                    while let Some(p) = back {
                        i -= 1;
                        let (prev, _) = db.store.placements(health).queue_page(&filter, today(), &PageRequest::from_link(Some(&p), 2)).await.unwrap();
                        assert_eq!(prev.items.iter().map(|i| i.notification.id).collect::<Vec<_>>(), pages[i], "{filter:?}: back");
                        back = prev.previous;
                    }
                    assert_eq!(i, 0, "{filter:?}: back to the first page");
                    break;
                }
            }
        }
        assert_eq!(pages.concat(), want, "{filter:?}: every line once, in order");
    }

    // The officer's list of every notification: newest first, filtered the same way.
    let (page, total) = db.store.placements(officer).list_page(&NotificationFilter::default(), &PageRequest::first(4)).await.unwrap();
    assert_eq!(total, 7);
    assert_eq!(page.items.iter().map(|n| n.id).collect::<Vec<_>>(), vec![recorded[6], recorded[5], recorded[4], recorded[3]]);
    assert!(page.items.iter().all(|n| !n.recipients.is_empty()), "each with its teams");
    let (second, _) =
        db.store.placements(officer).list_page(&NotificationFilter::default(), &PageRequest::from_link(page.next.as_deref(), 4)).await.unwrap();
    assert_eq!(second.items.iter().map(|n| n.id).collect::<Vec<_>>(), vec![recorded[2], recorded[1], recorded[0]]);
    let (knowsley, n) = db
        .store
        .placements(officer)
        .list_page(&NotificationFilter { placing_authority: Some("Knowsley".into()), ..Default::default() }, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!((n.counted(), knowsley.items.len()), (3, 3));
    let (done, n) = db
        .store
        .placements(officer)
        .list_page(&NotificationFilter { acknowledged: Some(true), ..Default::default() }, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!((n.counted(), done.items.len()), (0, 0), "no notification is acknowledged by every team yet");

    // The home page's count for the health lead: six waiting, the oldest first; none for the outsider.
    let waiting = db.store.waiting(health).notifications(today()).await.unwrap();
    assert_eq!(waiting.count, 6);
    assert_eq!(waiting.overdue, 6, "those waiting a week or more (each arrived by 6 March)");
    assert_eq!(waiting.oldest.unwrap().since, "2026-03-01");
    assert_eq!(db.store.waiting(&w.outsider).notifications(today()).await.unwrap().count, 0);
    let (none, n) = db.store.placements(&w.outsider).queue_page(&NotificationFilter::default(), today(), &PageRequest::first(2)).await.unwrap();
    assert!(none.items.is_empty() && n == 0);
}
on_both_engines!(paged_lists, the_lists_are_paged_by_key_and_filtered);
