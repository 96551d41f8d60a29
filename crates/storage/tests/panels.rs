//! MACSE panels, plans, police flags and operations in storage, on SQLite and PostgreSQL.

use assure_domain::panels::{parse_time, Attendance, InviteeKind, OperationKind};
use assure_domain::partnership::{AgencyKind, InvolvementKind, Section, Team, Viewer};
use assure_domain::plan::{diff, visible_for, ActionStatus, PlanAction, PlanVersion, SectionText, PLAN_SECTIONS};
use assure_domain::Role;
use assure_storage::on_both_engines;
use assure_storage::partnership::ChildInput;
use assure_storage::testing::TestDb;
use assure_storage::users::NewUser;
use assure_storage::{Actor, StoreError};
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

struct World {
    school: i64,
    other_school: i64,
    police: i64,
    health: i64,
    kids: Vec<i64>,
    analyst: Viewer,
    practitioner: Viewer,
    practitioner_2: Viewer,
    police_officer: Viewer,
    spoc: Viewer,
    spoc_id: i64,
}

async fn person(db: &TestDb, email: &str, role: Role, agency: i64, teams: &[Team], spoc_for: &[i64]) -> (i64, Viewer) {
    let sys = Actor::system();
    let uid = db.store.create_user(&sys, NewUser { name: email, email, role, job_title: "", password_hash: "x" }).await.unwrap();
    db.store.set_agency(&sys, uid, agency).await.unwrap();
    for t in teams {
        db.store.add_team_member(&sys, *t, uid).await.unwrap();
    }
    for a in spoc_for {
        db.store.add_spoc(&sys, *a, uid).await.unwrap();
    }
    (uid, db.store.viewer(uid).await.unwrap().unwrap())
}

async fn world(db: &TestDb) -> World {
    let sys = Actor::system();
    let school = db.store.create_agency(&sys, "Hillside High School", Some(AgencyKind::Education)).await.unwrap();
    let other_school = db.store.create_agency(&sys, "Northway Primary School", Some(AgencyKind::Education)).await.unwrap();
    let police = db.store.create_agency(&sys, "Police", Some(AgencyKind::Police)).await.unwrap();
    let health = db.store.create_agency(&sys, "Health trust", Some(AgencyKind::Health)).await.unwrap();
    let mut kids = Vec::new();
    for (first, last) in [("Amy", "Adams"), ("Ben", "Brown"), ("Cara", "Clark")] {
        let input = ChildInput { first_name: first.into(), last_name: last.into(), date_of_birth: Some(d(2004, 3, 1)), ..Default::default() };
        kids.push(db.store.create_child(&sys, &input).await.unwrap());
    }
    db.store.add_involvement(&sys, kids[0], school, InvolvementKind::RaisedConcern, d(2017, 9, 1)).await.unwrap();
    db.store.add_involvement(&sys, kids[1], health, InvolvementKind::RaisedConcern, d(2017, 9, 1)).await.unwrap();
    let (_, analyst) = person(db, "cse-analyst@example.org", Role::CseAnalyst, health, &[Team::CseAnalyst, Team::MacsePanel], &[]).await;
    let (_, practitioner) = person(db, "practitioner@example.org", Role::Practitioner, school, &[], &[]).await;
    let (_, practitioner_2) = person(db, "practitioner-2@example.org", Role::Practitioner, other_school, &[], &[]).await;
    let (_, police_officer) = person(db, "police-cse-officer@example.org", Role::PoliceCseOfficer, police, &[Team::PoliceCse], &[]).await;
    let (spoc_id, spoc) = person(db, "spoc@example.org", Role::Spoc, school, &[], &[school]).await;
    World { school, other_school, police, health, kids, analyst, practitioner, practitioner_2, police_officer, spoc, spoc_id }
}

fn t(s: &str) -> Option<chrono::NaiveTime> {
    parse_time(s)
}

async fn audit_count(db: &TestDb, action: &str) -> usize {
    let (e, _) =
        db.store.list_audit(&assure_storage::audit::AuditFilter { action: Some(action.into()), ..Default::default() }, 1000, 0).await.unwrap();
    e.len()
}

async fn panels_slots_invitations_and_minutes(db: &TestDb) {
    let w = world(db).await;
    let actor = Actor { user_id: None, label: "cse-analyst@example.org".into(), ip: String::new() };
    let ids = db.store.generate_panel_series(&actor, Some(d(2017, 9, 14)), Some(d(2017, 10, 26)), "Town hall").await.unwrap();
    assert_eq!(ids.len(), 4);
    // A second run over an overlapping range only adds the new dates.
    let more = db.store.generate_panel_series(&actor, Some(d(2017, 9, 14)), Some(d(2017, 11, 9)), "Town hall").await.unwrap();
    assert_eq!(more.len(), 1);
    let bad = db.store.generate_panel_series(&actor, Some(d(2017, 9, 14)), Some(d(2017, 9, 1)), "").await.unwrap_err();
    assert!(matches!(bad, StoreError::Invalid(ref i) if i.for_field("until").is_some()));
    let panel = ids[0];

    db.store.book_slot(&actor, panel, Some(w.kids[0]), t("10:00"), Some(30)).await.unwrap();
    db.store.book_slot(&actor, panel, Some(w.kids[1]), t("10:30"), Some(30)).await.unwrap();
    // A clash is refused with a message, and nothing is saved.
    let clash = db.store.book_slot(&actor, panel, Some(w.kids[2]), t("10:15"), Some(30)).await.unwrap_err();
    assert!(matches!(clash, StoreError::Invalid(ref i) if i.for_field("starts_at").unwrap().contains("clashes")), "{clash:?}");
    let twice = db.store.book_slot(&actor, panel, Some(w.kids[0]), t("14:00"), Some(30)).await.unwrap_err();
    assert!(matches!(twice, StoreError::Invalid(ref i) if i.for_field("child_id").is_some()));
    let unknown = db.store.book_slot(&actor, panel, Some(999_999), t("14:00"), Some(30)).await.unwrap_err();
    assert!(matches!(unknown, StoreError::Invalid(ref i) if i.for_field("child_id").unwrap().contains("999999")));
    assert_eq!(db.store.agenda(&w.analyst, panel).await.unwrap().len(), 2, "nothing saved by the refused bookings");
    assert_eq!(audit_count(db, "panel.slot").await, 2);

    // The agenda is filtered by reach: the school sees its own child only, Northway none.
    let names = |v: Vec<assure_storage::panels::AgendaSlot>| v.into_iter().map(|s| s.child_id).collect::<Vec<_>>();
    assert_eq!(names(db.store.agenda(&w.analyst, panel).await.unwrap()), vec![w.kids[0], w.kids[1]]);
    assert_eq!(names(db.store.agenda(&w.practitioner, panel).await.unwrap()), vec![w.kids[0]]);
    assert_eq!(names(db.store.agenda(&w.practitioner_2, panel).await.unwrap()), Vec::<i64>::new());
    let listed = db.store.panels_for(&w.practitioner_2).await.unwrap();
    assert_eq!(listed.len(), 5);
    assert!(listed.iter().all(|p| p.visible_slots == 0));
    assert_eq!(db.store.panels_for(&w.analyst).await.unwrap()[0].visible_slots, 2);

    // Invitations: the proposals cover the involved agency's SPOC and practitioner, the police and the standing members.
    let slot = db.store.agenda(&w.analyst, panel).await.unwrap()[0].id;
    let proposed = db.store.proposed_invitees(slot).await.unwrap();
    let kinds: Vec<InviteeKind> = proposed.iter().map(|p| p.kind).collect();
    assert!(
        kinds.contains(&InviteeKind::Spoc)
            && kinds.contains(&InviteeKind::Practitioner)
            && kinds.contains(&InviteeKind::PoliceInvestigator)
            && kinds.contains(&InviteeKind::StandingMember),
        "{proposed:?}"
    );
    assert!(proposed.iter().any(|p| p.kind == InviteeKind::Spoc && p.user_id == Some(w.spoc_id)));
    assert!(!proposed.iter().any(|p| p.name == "practitioner-2@example.org"), "an uninvolved agency's practitioner is not proposed");
    assert!(db.store.agenda(&w.police_officer, panel).await.unwrap().is_empty(), "police not involved yet");
    let added = db.store.invite_proposed(&actor, panel, slot, d(2017, 9, 1)).await.unwrap();
    assert_eq!(added, proposed.len());
    assert_eq!(db.store.invite_proposed(&actor, panel, slot, d(2017, 9, 1)).await.unwrap(), 0, "no one invited twice");
    // Inviting the police investigator involved the police with the child: the agenda now shows the slot to the police.
    assert_eq!(names(db.store.agenda(&w.police_officer, panel).await.unwrap()), vec![w.kids[0]]);
    // An agency invited by itself (health to the first child's slot) becomes involved.
    db.store.invite(&actor, panel, slot, Some(InviteeKind::HomeAuthority), None, Some(w.other_school), "", d(2017, 9, 1)).await.unwrap();
    assert_eq!(names(db.store.agenda(&w.practitioner_2, panel).await.unwrap()), vec![w.kids[0]]);
    let no_kind = db.store.invite(&actor, panel, slot, None, None, None, "", d(2017, 9, 1)).await.unwrap_err();
    assert!(matches!(no_kind, StoreError::Invalid(ref i) if i.for_field("kind").is_some() && i.for_field("name").is_some()));
    db.store.invite(&actor, panel, slot, Some(InviteeKind::ParentCarer), None, None, "Mrs Adams", d(2017, 9, 1)).await.unwrap();
    // A slot on another panel is not found through this one.
    assert!(matches!(
        db.store.invite(&actor, ids[1], slot, Some(InviteeKind::ParentCarer), None, None, "X", d(2017, 9, 1)).await.unwrap_err(),
        StoreError::NotFound
    ));

    // Attendance.
    let agenda = db.store.agenda(&w.analyst, panel).await.unwrap();
    let inv = agenda[0].invitations.iter().find(|i| i.kind == InviteeKind::ParentCarer).unwrap().id;
    db.store.record_attendance(&actor, panel, slot, inv, Some(Attendance::SentApologies)).await.unwrap();
    assert!(matches!(db.store.record_attendance(&actor, panel, slot, inv, None).await.unwrap_err(), StoreError::Invalid(_)));
    let agenda = db.store.agenda(&w.analyst, panel).await.unwrap();
    assert_eq!(agenda[0].invitations.iter().find(|i| i.id == inv).unwrap().attendance, Some(Attendance::SentApologies));
    assert!(db.store.invited_to_panel(panel, w.spoc_id).await.unwrap());

    // Minutes: a stale edit is a conflict and does not overwrite.
    let p = db.store.panel(panel).await.unwrap();
    db.store.save_minutes(&actor, panel, p.version, "First minutes", None).await.unwrap();
    let stale = db.store.save_minutes(&actor, panel, p.version, "Stale minutes", None).await.unwrap_err();
    assert!(matches!(stale, StoreError::Conflict));
    assert_eq!(db.store.panel(panel).await.unwrap().minutes, "First minutes");
    // Moving a panel to a date that has one already is refused.
    let p = db.store.panel(panel).await.unwrap();
    let taken = db.store.set_panel_date(&actor, panel, p.version, Some(d(2017, 9, 28)), "").await.unwrap_err();
    assert!(matches!(taken, StoreError::Invalid(ref i) if i.for_field("meeting_date").is_some()));
    db.store.set_panel_date(&actor, panel, p.version, Some(d(2017, 9, 15)), "Room 2").await.unwrap();
    assert_eq!(db.store.panel(panel).await.unwrap().meeting_date, d(2017, 9, 15));

    // The changes to the child's record are audited against the child, without names.
    let (entries, _) = db
        .store
        .list_audit(
            &assure_storage::audit::AuditFilter { record_type: Some("child".into()), record_id: Some(w.kids[0].to_string()), ..Default::default() },
            1000,
            0,
        )
        .await
        .unwrap();
    for a in ["panel.slot", "panel.invite", "panel.attendance", "child.involvement"] {
        assert!(entries.iter().any(|e| e.action == a), "{a}");
    }
    assert!(entries.iter().all(|e| !e.detail.contains("Adams") && !e.detail.contains("Amy")));
    let _ = (w.school, w.police, w.health, &w.spoc);
}
on_both_engines!(panels, panels_slots_invitations_and_minutes);

fn plan(prosecute: &str, agency: i64, police: i64) -> PlanVersion {
    PlanVersion {
        number: 0,
        panel_date: None,
        review_date: Some(d(2017, 10, 12)),
        sections: PLAN_SECTIONS.iter().map(|s| SectionText { section: *s, discussion: format!("{s:?} discussion") }).collect(),
        actions: vec![
            PlanAction {
                section: Section::Prevent,
                text: "Weekly mentoring".into(),
                owner: "J Smith".into(),
                agency_id: Some(agency),
                due: Some(d(2017, 9, 30)),
                status: ActionStatus::NotStarted,
            },
            PlanAction {
                section: Section::Prosecute,
                text: prosecute.into(),
                owner: "DC Jones".into(),
                agency_id: Some(police),
                due: Some(d(2017, 9, 30)),
                status: ActionStatus::NotStarted,
            },
        ],
    }
}

async fn plans_versions_and_involvement(db: &TestDb) {
    let w = world(db).await;
    let actor = Actor { user_id: None, label: "macse-co-chair@example.org".into(), ip: String::new() };
    let panel = db.store.generate_panel_series(&actor, Some(d(2017, 9, 14)), Some(d(2017, 9, 14)), "").await.unwrap()[0];
    let child = w.kids[2];
    assert!(db.store.current_plan(child).await.unwrap().is_none());

    // An action without an owner: the whole version is refused, nothing saved, no involvement added.
    let mut bad = plan("Interview suspect", w.health, w.police);
    bad.actions[0].owner = String::new();
    let e = db.store.save_plan_version(&actor, child, 0, Some(panel), &bad, Some(&[1, 4]), d(2017, 9, 14)).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.for_field("action-1-owner").unwrap().contains("no owner")), "{e:?}");
    assert!(db.store.current_plan(child).await.unwrap().is_none());
    assert!(db.store.plan_versions(child).await.unwrap().is_empty());
    assert!(db.store.agenda(&w.analyst, panel).await.unwrap().is_empty());
    let (seen, _) = db.store.children_for(&w.police_officer, None, 100, 0).await.unwrap();
    assert!(!seen.iter().any(|c| c.id == child), "no involvement from a refused plan");
    // An unknown agency or panel is a field error too.
    let mut unknown = plan("Interview suspect", 999_999, w.police);
    unknown.review_date = Some(d(2017, 9, 1));
    let e = db.store.save_plan_version(&actor, child, 0, Some(999_999), &unknown, None, d(2017, 9, 14)).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.for_field("action-1-agency").is_some() && i.for_field("panel_id").is_some()), "{e:?}");

    // The first version; each action's agency now holds an action on the child.
    assert_eq!(
        db.store
            .save_plan_version(&actor, child, 0, Some(panel), &plan("Interview suspect", w.health, w.police), None, d(2017, 9, 14))
            .await
            .unwrap(),
        1
    );
    let (seen, _) = db.store.children_for(&w.police_officer, None, 100, 0).await.unwrap();
    assert!(seen.iter().any(|c| c.id == child), "the police hold an action");
    let v1 = db.store.current_plan(child).await.unwrap().unwrap();
    assert_eq!(v1.panel_date, Some(d(2017, 9, 14)));
    assert_eq!(v1.actions.len(), 2);

    // A stale editor (started from no plan) is refused.
    assert!(matches!(
        db.store.save_plan_version(&actor, child, 0, None, &plan("x", w.health, w.police), None, d(2017, 9, 14)).await.unwrap_err(),
        StoreError::Conflict
    ));

    // A second version keeps the first; the diff shows the change.
    let mut next = plan("Interview suspect", w.health, w.police);
    next.review_date = Some(d(2017, 11, 9));
    next.actions[0].status = ActionStatus::InProgress;
    next.actions[1].text = "Charge suspect".into();
    next.sections[2].discussion = "Protect: moved to a safe placement".into();
    assert_eq!(db.store.save_plan_version(&actor, child, 1, None, &next, None, d(2017, 10, 12)).await.unwrap(), 2);
    let versions = db.store.plan_versions(child).await.unwrap();
    assert_eq!(versions.iter().map(|v| v.number).collect::<Vec<_>>(), vec![2, 1]);
    assert_eq!(versions[1].panel_date, Some(d(2017, 9, 14)));
    let (a, b) = db.store.plan_pair(child, 1, 2).await.unwrap();
    assert_eq!(a, v1);
    let df = diff(&a, &b);
    assert!(df.sections.iter().any(|s| s.section == Section::Protect && s.discussion.is_some()));
    assert!(df.sections.iter().any(|s| s.section == Section::Prevent && s.changed.len() == 1));
    assert!(df.sections.iter().any(|s| s.section == Section::Prosecute && s.added.len() == 1 && s.removed.len() == 1));
    // The SPOC's compare never includes Prosecute.
    let spoc_diff = diff(&visible_for(&a, &w.spoc), &visible_for(&b, &w.spoc));
    assert!(spoc_diff.sections.iter().all(|s| s.section != Section::Prosecute));
    assert!(visible_for(&b, &w.police_officer).actions.iter().any(|x| x.text == "Charge suspect"));
    assert!(matches!(db.store.plan_pair(child, 1, 9).await.unwrap_err(), StoreError::NotFound));

    // Police flags: MACSE children (plan or slot) without a current "yes".
    let cov = db.store.macse_children_without_flag(&w.analyst).await.unwrap();
    assert_eq!((cov.total, cov.flagged, cov.percent()), (1, 0, 0));
    let pactor = Actor { user_id: None, label: "police-cse-officer@example.org".into(), ip: String::new() };
    let e = db.store.record_police_flag(&pactor, child, None, None, d(2017, 10, 1)).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.errors.len() == 2));
    db.store.record_police_flag(&pactor, child, Some(true), Some(d(2017, 9, 20)), d(2017, 10, 1)).await.unwrap();
    let cov = db.store.macse_children_without_flag(&w.analyst).await.unwrap();
    assert_eq!((cov.total, cov.flagged, cov.percent()), (1, 1, 100));
    db.store.record_police_flag(&pactor, child, Some(false), Some(d(2017, 9, 30)), d(2017, 10, 1)).await.unwrap();
    let cov = db.store.macse_children_without_flag(&w.analyst).await.unwrap();
    assert_eq!((cov.flagged, cov.without.len(), cov.without[0].flagged), (0, 1, Some(false)), "the latest entry is current");
    assert_eq!(db.store.police_flags(child).await.unwrap().len(), 2);
    assert_eq!(db.store.macse_children_without_flag(&w.practitioner_2).await.unwrap().total, 0, "reach applies");

    // Operations.
    let e = db.store.create_operation(&pactor, "", None, "", None).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.errors.len() == 3));
    let op = db.store.create_operation(&pactor, "Operation Bluebell", Some(OperationKind::Disruption), "DI Shaw", Some(panel)).await.unwrap();
    db.store.link_operation_child(&pactor, op, Some(child)).await.unwrap();
    db.store.link_operation_child(&pactor, op, Some(w.kids[1])).await.unwrap();
    db.store.link_operation_child(&pactor, op, Some(child)).await.unwrap();
    let (kids, others) = db.store.operation_children_for(&w.police_officer, op).await.unwrap();
    assert_eq!((kids.iter().map(|k| k.0).collect::<Vec<_>>(), others), (vec![child], 1), "only children in reach are named");
    assert_eq!(db.store.child_operations(child).await.unwrap()[0].name, "Operation Bluebell");
    db.store.add_operation_update(&pactor, op, Some(d(2017, 9, 21)), "Visited the address", d(2017, 10, 1)).await.unwrap();
    assert!(matches!(
        db.store.add_operation_update(&pactor, op, Some(d(2018, 1, 1)), "x", d(2017, 10, 1)).await.unwrap_err(),
        StoreError::Invalid(_)
    ));
    assert_eq!(db.store.operation_updates(op).await.unwrap().len(), 1);
    let o = db.store.operation(op).await.unwrap();
    db.store.record_operation_outcome(&pactor, op, o.version, "Closed").await.unwrap();
    assert!(matches!(db.store.record_operation_outcome(&pactor, op, o.version, "Again").await.unwrap_err(), StoreError::Conflict));

    let (entries, _) = db
        .store
        .list_audit(
            &assure_storage::audit::AuditFilter { record_type: Some("child".into()), record_id: Some(child.to_string()), ..Default::default() },
            1000,
            0,
        )
        .await
        .unwrap();
    for a in ["plan.version", "police.flag", "operation.link", "child.involvement"] {
        assert!(entries.iter().any(|e| e.action == a), "{a}");
    }
    assert!(entries.iter().all(|e| !e.detail.contains("suspect") && !e.detail.contains("Clark")));
    let _ = (w.school, w.other_school, &w.practitioner);
}
on_both_engines!(plans, plans_versions_and_involvement);
