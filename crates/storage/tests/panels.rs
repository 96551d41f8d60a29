//! MACSE panels, plans, police flags and operations in storage, on SQLite and PostgreSQL:
//! lists through the reader's reach, each child's slot, plan and police work through
//! the child's record.

use assure_domain::panels::{parse_time, Attendance, InviteeKind, OperationKind};
use assure_domain::partnership::{AgencyKind, InvolvementKind, Scope, Section, Team};
use assure_domain::plan::{diff, visible_for, ActionStatus, PlanAction, PlanVersion, SectionText, PLAN_SECTIONS};
use assure_domain::Role;
use assure_storage::children::{ChildInput, ChildSearch};
use assure_storage::on_both_engines;
use assure_storage::testing::{self, TestDb};
use assure_storage::users::NewUser;
use assure_storage::{Actor, ChildKey, ChildRecord, Reader, StoreError};
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
    analyst: Reader,
    chair: Reader,
    practitioner: Reader,
    practitioner_2: Reader,
    police_officer: Reader,
    spoc: Reader,
}

async fn person(db: &TestDb, email: &str, role: Role, agency: i64, teams: &[Team], spoc_for: &[i64]) -> Reader {
    let sys = Actor::system();
    let uid = db.store.users().create(&sys, NewUser { name: email, email, role, job_title: "", password_hash: "x" }).await.unwrap();
    db.store.partnership().set_agency(&sys, uid, agency).await.unwrap();
    for t in teams {
        db.store.partnership().add_team_member(&sys, *t, uid).await.unwrap();
    }
    for a in spoc_for {
        db.store.partnership().add_spoc(&sys, *a, uid).await.unwrap();
    }
    testing::reader(&db.store, email).await
}

async fn world(db: &TestDb) -> World {
    let sys = Actor::system();
    let school = db.store.partnership().create_agency(&sys, "Hillside High School", Some(AgencyKind::Education)).await.unwrap();
    let other_school = db.store.partnership().create_agency(&sys, "Northway Primary School", Some(AgencyKind::Education)).await.unwrap();
    let police = db.store.partnership().create_agency(&sys, "Police", Some(AgencyKind::Police)).await.unwrap();
    let health = db.store.partnership().create_agency(&sys, "Health trust", Some(AgencyKind::Health)).await.unwrap();
    let mut kids = Vec::new();
    for (first, last) in [("Amy", "Adams"), ("Ben", "Brown"), ("Cara", "Clark")] {
        let input = ChildInput { first_name: first.into(), last_name: last.into(), date_of_birth: Some(d(2004, 3, 1)), ..Default::default() };
        kids.push(testing::new_child(&db.store, &input).await);
    }
    testing::involve(&db.store, kids[0], school, InvolvementKind::RaisedConcern, Scope::Agency, d(2017, 9, 1)).await;
    testing::involve(&db.store, kids[1], health, InvolvementKind::RaisedConcern, Scope::Agency, d(2017, 9, 1)).await;
    World {
        school,
        other_school,
        police,
        health,
        kids,
        analyst: person(db, "cse-analyst@example.org", Role::CseAnalyst, health, &[Team::CseAnalyst, Team::MacsePanel], &[]).await,
        chair: person(db, "macse-co-chair@example.org", Role::MacseCoChair, police, &[Team::MacsePanel, Team::PoliceCse], &[]).await,
        practitioner: person(db, "practitioner@example.org", Role::Practitioner, school, &[], &[]).await,
        practitioner_2: person(db, "practitioner-2@example.org", Role::Practitioner, other_school, &[], &[]).await,
        police_officer: person(db, "police-cse-officer@example.org", Role::PoliceCseOfficer, police, &[Team::PoliceCse], &[]).await,
        spoc: person(db, "spoc@example.org", Role::Spoc, school, &[], &[school]).await,
    }
}

fn t(s: &str) -> Option<chrono::NaiveTime> {
    parse_time(s)
}

async fn audit_count(db: &TestDb, action: &str) -> usize {
    let (e, _) =
        db.store.audit().list(&assure_storage::audit::AuditFilter { action: Some(action.into()), ..Default::default() }, 1000, 0).await.unwrap();
    e.len()
}

async fn open(db: &TestDb, r: &Reader, child: i64, s: Section) -> ChildRecord {
    db.store.open_child(r, ChildKey::Child(child), s).await.unwrap_or_else(|e| panic!("{} opens child {child}: {e:?}", r.actor().label))
}

async fn seen_by(db: &TestDb, r: &Reader) -> Vec<i64> {
    db.store.children(r).search(&ChildSearch::default(), 100, 0).await.unwrap().0.iter().map(|c| c.id).collect()
}

async fn panels_slots_invitations_and_minutes(db: &TestDb) {
    let w = world(db).await;
    let analyst = &w.analyst;
    let actor = analyst.actor();
    let ids = db.store.panel_calendar().generate_series(actor, Some(d(2017, 9, 14)), Some(d(2017, 10, 26)), "Town hall").await.unwrap();
    assert_eq!(ids.len(), 4);
    // A second run over an overlapping range only adds the new dates.
    let more = db.store.panel_calendar().generate_series(actor, Some(d(2017, 9, 14)), Some(d(2017, 11, 9)), "Town hall").await.unwrap();
    assert_eq!(more.len(), 1);
    let bad = db.store.panel_calendar().generate_series(actor, Some(d(2017, 9, 14)), Some(d(2017, 9, 1)), "").await.unwrap_err();
    assert!(matches!(bad, StoreError::Invalid(ref i) if i.for_field("until").is_some()));
    let panel = ids[0];

    db.store.panels(analyst).book_slot(panel, Some(w.kids[0]), t("10:00"), Some(30)).await.unwrap();
    db.store.panels(analyst).book_slot(panel, Some(w.kids[1]), t("10:30"), Some(30)).await.unwrap();
    // A clash is refused with a message, and nothing is saved.
    let clash = db.store.panels(analyst).book_slot(panel, Some(w.kids[2]), t("10:15"), Some(30)).await.unwrap_err();
    assert!(matches!(clash, StoreError::Invalid(ref i) if i.for_field("starts_at").unwrap().contains("clashes")), "{clash:?}");
    let twice = db.store.panels(analyst).book_slot(panel, Some(w.kids[0]), t("14:00"), Some(30)).await.unwrap_err();
    assert!(matches!(twice, StoreError::Invalid(ref i) if i.for_field("child_id").is_some()));
    let unknown = db.store.panels(analyst).book_slot(panel, Some(999_999), t("14:00"), Some(30)).await.unwrap_err();
    assert!(matches!(unknown, StoreError::Invalid(ref i) if i.for_field("child_id").unwrap().contains("999999")));
    // Only those who run panels book slots.
    assert!(matches!(db.store.panels(&w.practitioner).book_slot(panel, Some(w.kids[0]), t("15:00"), Some(30)).await, Err(StoreError::Forbidden)));
    assert_eq!(db.store.panels(analyst).agenda(panel).await.unwrap().len(), 2, "nothing saved by the refused bookings");
    assert_eq!(audit_count(db, "panel.slot").await, 2);

    // The agenda is filtered by reach: the school sees its own child only, Northway none.
    let names = |v: Vec<assure_storage::panels::AgendaSlot>| v.into_iter().map(|s| s.child_id).collect::<Vec<_>>();
    assert_eq!(names(db.store.panels(analyst).agenda(panel).await.unwrap()), vec![w.kids[0], w.kids[1]]);
    assert_eq!(names(db.store.panels(&w.practitioner).agenda(panel).await.unwrap()), vec![w.kids[0]]);
    assert_eq!(names(db.store.panels(&w.practitioner_2).agenda(panel).await.unwrap()), Vec::<i64>::new());
    let listed = db.store.panels(&w.practitioner_2).list().await.unwrap();
    assert_eq!(listed.len(), 5);
    assert!(listed.iter().all(|p| p.visible_slots == 0));
    assert_eq!(db.store.panels(analyst).list().await.unwrap()[0].visible_slots, 2);

    // Invitations: the proposals cover the involved agency's SPOC and practitioner, the police and the standing members.
    let slot = db.store.panels(analyst).agenda(panel).await.unwrap()[0].id;
    let record = db.store.open_child(analyst, ChildKey::Slot { panel, slot }, Section::PanelMinutes).await.unwrap();
    assert_eq!(record.id(), w.kids[0], "the slot names its child");
    let proposed = record.proposed_invitees().await.unwrap();
    let kinds: Vec<InviteeKind> = proposed.iter().map(|p| p.kind).collect();
    assert!(
        kinds.contains(&InviteeKind::Spoc)
            && kinds.contains(&InviteeKind::Practitioner)
            && kinds.contains(&InviteeKind::PoliceInvestigator)
            && kinds.contains(&InviteeKind::StandingMember),
        "{proposed:?}"
    );
    assert!(proposed.iter().any(|p| p.kind == InviteeKind::Spoc && p.user_id == Some(w.spoc.user_id())));
    assert!(!proposed.iter().any(|p| p.name == "practitioner-2@example.org"), "an uninvolved agency's practitioner is not proposed");
    assert!(db.store.panels(&w.police_officer).agenda(panel).await.unwrap().is_empty(), "police not involved yet");
    let added = record.invite_proposed(panel, slot, d(2017, 9, 1)).await.unwrap();
    assert_eq!(added, proposed.len());
    assert_eq!(record.invite_proposed(panel, slot, d(2017, 9, 1)).await.unwrap(), 0, "no one invited twice");
    // Inviting the police investigator (in person) involved the police with the child
    // through them: the agenda now shows the slot to the investigator.
    assert_eq!(names(db.store.panels(&w.police_officer).agenda(panel).await.unwrap()), vec![w.kids[0]]);
    assert!(testing::involvements_of(&db.store, w.kids[0])
        .await
        .iter()
        .any(|i| i.agency_id == w.police && i.kind == InvolvementKind::InvitedToPanel && i.scope == Scope::Person(w.police_officer.user_id())));
    // An agency invited by itself (Northway to the first child's slot) becomes involved as a whole.
    record.invite(panel, slot, Some(InviteeKind::HomeAuthority), None, Some(w.other_school), "", d(2017, 9, 1)).await.unwrap();
    assert_eq!(names(db.store.panels(&w.practitioner_2).agenda(panel).await.unwrap()), vec![w.kids[0]]);
    let no_kind = record.invite(panel, slot, None, None, None, "", d(2017, 9, 1)).await.unwrap_err();
    assert!(matches!(no_kind, StoreError::Invalid(ref i) if i.for_field("kind").is_some() && i.for_field("name").is_some()));
    record.invite(panel, slot, Some(InviteeKind::ParentCarer), None, None, "Mrs Adams", d(2017, 9, 1)).await.unwrap();
    // A slot on another panel is not found through this one; nor another child's slot through this record.
    assert!(matches!(
        record.invite(ids[1], slot, Some(InviteeKind::ParentCarer), None, None, "X", d(2017, 9, 1)).await.unwrap_err(),
        StoreError::NotFound
    ));
    let ben_slot = db.store.panels(analyst).agenda(panel).await.unwrap()[1].id;
    assert!(matches!(
        record.invite(panel, ben_slot, Some(InviteeKind::ParentCarer), None, None, "X", d(2017, 9, 1)).await.unwrap_err(),
        StoreError::NotFound
    ));
    // Someone who may see the child but does not run panels invites no one.
    let for_school = db.store.open_child(&w.practitioner, ChildKey::Slot { panel, slot }, Section::PanelMinutes).await.unwrap();
    assert!(matches!(
        for_school.invite(panel, slot, Some(InviteeKind::ParentCarer), None, None, "X", d(2017, 9, 1)).await,
        Err(StoreError::Forbidden)
    ));

    // Attendance.
    let agenda = db.store.panels(analyst).agenda(panel).await.unwrap();
    let inv = agenda[0].invitations.iter().find(|i| i.kind == InviteeKind::ParentCarer).unwrap().id;
    record.record_attendance(panel, slot, inv, Some(Attendance::SentApologies)).await.unwrap();
    assert!(matches!(record.record_attendance(panel, slot, inv, None).await.unwrap_err(), StoreError::Invalid(_)));
    let agenda = db.store.panels(analyst).agenda(panel).await.unwrap();
    assert_eq!(agenda[0].invitations.iter().find(|i| i.id == inv).unwrap().attendance, Some(Attendance::SentApologies));

    // General business: a stale edit is a conflict and does not overwrite.
    let p = db.store.panels(analyst).get(panel).await.unwrap();
    db.store.panels(analyst).save_business(panel, p.version, "First minutes", None).await.unwrap();
    let stale = db.store.panels(analyst).save_business(panel, p.version, "Stale minutes", None).await.unwrap_err();
    assert!(matches!(stale, StoreError::Conflict));
    assert!(matches!(db.store.panels(&w.spoc).save_business(panel, p.version + 1, "Mine", None).await, Err(StoreError::Forbidden)));
    assert_eq!(db.store.panels(analyst).get(panel).await.unwrap().business, "First minutes");
    // It is read by those who run panels and those invited in person (the SPOC was), no one else.
    assert_eq!(db.store.panels(&w.spoc).get(panel).await.unwrap().business, "First minutes");
    assert_eq!(db.store.panels(&w.practitioner_2).get(panel).await.unwrap().business, "", "Northway was invited as an agency, not this person");
    assert_eq!(db.store.panels(&w.spoc).get(ids[1]).await.unwrap().business, "", "not invited to that panel");
    // The young person's own part of the minutes is kept with their slot, under their rule.
    record.save_discussion(panel, slot, 1, "Amy: plan agreed").await.unwrap();
    assert!(matches!(record.save_discussion(panel, slot, 1, "Stale").await, Err(StoreError::Conflict)));
    let discussion = |v: &[assure_storage::panels::AgendaSlot], child: i64| v.iter().find(|s| s.child_id == child).map(|s| s.discussion.clone());
    assert_eq!(discussion(&db.store.panels(analyst).agenda(panel).await.unwrap(), w.kids[0]).as_deref(), Some("Amy: plan agreed"));
    assert_eq!(discussion(&db.store.panels(&w.spoc).agenda(panel).await.unwrap(), w.kids[0]).as_deref(), Some("Amy: plan agreed"));
    assert!(db.store.panels(&w.spoc).agenda(panel).await.unwrap().iter().all(|s| s.child_id == w.kids[0]), "Ben's slot is not the school's");
    assert_eq!(open(db, &w.practitioner, w.kids[0], Section::PanelMinutes).await.slots().await.unwrap()[0].discussion, "Amy: plan agreed");
    // Moving a panel to a date that has one already is refused.
    let p = db.store.panels(analyst).get(panel).await.unwrap();
    let taken = db.store.panel_calendar().set_date(actor, panel, p.version, Some(d(2017, 9, 28)), "").await.unwrap_err();
    assert!(matches!(taken, StoreError::Invalid(ref i) if i.for_field("meeting_date").is_some()));
    db.store.panel_calendar().set_date(actor, panel, p.version, Some(d(2017, 9, 15)), "Room 2").await.unwrap();
    assert_eq!(db.store.panels(analyst).get(panel).await.unwrap().meeting_date, d(2017, 9, 15));

    // The changes to the child's record are audited against the child, without names.
    let (entries, _) = db
        .store
        .audit()
        .list(
            &assure_storage::audit::AuditFilter { record_type: Some("child".into()), record_id: Some(w.kids[0].to_string()), ..Default::default() },
            1000,
            0,
        )
        .await
        .unwrap();
    for a in ["panel.slot", "panel.invite", "panel.attendance", "panel.minutes", "child.involvement"] {
        assert!(entries.iter().any(|e| e.action == a), "{a}");
    }
    assert!(entries.iter().all(|e| !e.detail.contains("Adams") && !e.detail.contains("Amy")));
    let _ = (w.school, w.health, &w.chair);
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
    let chair = &w.chair;
    let panel = db.store.panel_calendar().generate_series(chair.actor(), Some(d(2017, 9, 14)), Some(d(2017, 9, 14)), "").await.unwrap()[0];
    let child = w.kids[2];
    let record = open(db, chair, child, Section::Profile).await;
    assert!(record.plan().await.unwrap().is_none());
    assert_eq!(record.plan_number().await.unwrap(), 0);

    // An action without an owner: the whole version is refused, nothing saved, no involvement added.
    let mut bad = plan("Interview suspect", w.health, w.police);
    bad.actions[0].owner = String::new();
    let e = record.save_plan_version(0, Some(panel), &bad, Some(&[1, 4]), d(2017, 9, 14)).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.for_field("action-1-owner").unwrap().contains("no owner")), "{e:?}");
    assert!(record.plan().await.unwrap().is_none());
    assert!(record.plan_versions().await.unwrap().is_empty());
    assert!(db.store.panels(&w.analyst).agenda(panel).await.unwrap().is_empty());
    assert!(!seen_by(db, &w.police_officer).await.contains(&child), "no involvement from a refused plan");
    assert!(testing::involvements_of(&db.store, child).await.is_empty());
    // An unknown agency or panel is a field error too.
    let mut unknown = plan("Interview suspect", 999_999, w.police);
    unknown.review_date = Some(d(2017, 9, 1));
    let e = record.save_plan_version(0, Some(999_999), &unknown, None, d(2017, 9, 14)).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.for_field("action-1-agency").is_some() && i.for_field("panel_id").is_some()), "{e:?}");
    // Plans are saved by those who run panels only.
    let by_officer = db.store.open_child(&w.police_officer, ChildKey::Child(w.kids[0]), Section::Profile).await;
    assert!(matches!(by_officer, Err(StoreError::NoSuchChild)), "the police are not involved with Amy");
    let analysts = open(db, &w.analyst, child, Section::Profile).await;
    let for_school = open(db, &w.practitioner, w.kids[0], Section::Profile).await;
    assert!(matches!(for_school.save_plan_version(0, None, &plan("x", w.health, w.police), None, d(2017, 9, 14)).await, Err(StoreError::Forbidden)));

    // The first version; each action's agency now holds an action on the child: health
    // as a whole for Prevent, the police CSE unit (for police eyes only) for Prosecute.
    assert_eq!(record.save_plan_version(0, Some(panel), &plan("Interview suspect", w.health, w.police), None, d(2017, 9, 14)).await.unwrap(), 1);
    assert!(seen_by(db, &w.police_officer).await.contains(&child), "the police CSE unit holds an action");
    let mut stored: Vec<_> = testing::involvements_of(&db.store, child).await.iter().map(|i| (i.agency_id, i.kind, i.scope)).collect();
    stored.sort();
    let mut want =
        vec![(w.health, InvolvementKind::HoldsAction, Scope::Agency), (w.police, InvolvementKind::HoldsPoliceAction, Scope::Team(Team::PoliceCse))];
    want.sort();
    assert_eq!(stored, want);
    let v1 = record.plan().await.unwrap().unwrap();
    assert_eq!(v1.panel_date, Some(d(2017, 9, 14)));
    assert_eq!(v1.actions.len(), 2);

    // A stale editor (started from no plan) is refused.
    assert!(matches!(
        record.save_plan_version(0, None, &plan("x", w.health, w.police), None, d(2017, 9, 14)).await.unwrap_err(),
        StoreError::Conflict
    ));

    // A second version keeps the first; the diff shows the change.
    let mut next = plan("Interview suspect", w.health, w.police);
    next.review_date = Some(d(2017, 11, 9));
    next.actions[0].status = ActionStatus::InProgress;
    next.actions[1].text = "Charge suspect".into();
    next.sections[2].discussion = "Protect: moved to a safe placement".into();
    assert_eq!(record.save_plan_version(1, None, &next, None, d(2017, 10, 12)).await.unwrap(), 2);
    let versions = record.plan_versions().await.unwrap();
    assert_eq!(versions.iter().map(|v| v.number).collect::<Vec<_>>(), vec![2, 1]);
    assert_eq!(versions[1].panel_date, Some(d(2017, 9, 14)));
    let (a, b) = record.plan_pair(1, 2).await.unwrap();
    assert_eq!(a, v1);
    let df = diff(&a, &b);
    assert!(df.sections.iter().any(|s| s.section == Section::Protect && s.discussion.is_some()));
    assert!(df.sections.iter().any(|s| s.section == Section::Prevent && s.changed.len() == 1));
    assert!(df.sections.iter().any(|s| s.section == Section::Prosecute && s.added.len() == 1 && s.removed.len() == 1));
    // Anyone else's compare never includes Prosecute: the record cuts it before it leaves
    // storage (the analyst sees every child, but is not police).
    let (a2, b2) = analysts.plan_pair(1, 2).await.unwrap();
    let analyst_diff = diff(&a2, &b2);
    assert!(analyst_diff.sections.iter().all(|s| s.section != Section::Prosecute));
    assert!(!serde_json::to_string(&b2).unwrap().contains("suspect"), "no police-only text in what leaves the record");
    assert_eq!((a2.clone(), b2.clone()), (visible_for(&a, w.analyst.viewer()), visible_for(&b, w.analyst.viewer())));
    assert_eq!(analysts.plan_for_export(true).await.unwrap().unwrap().actions_in(Section::Prosecute).count(), 0);
    let police_record = open(db, &w.police_officer, child, Section::Profile).await;
    assert!(police_record.plan().await.unwrap().unwrap().actions.iter().any(|x| x.text == "Charge suspect"));
    assert!(police_record.plan_for_export(true).await.unwrap().unwrap().actions.iter().any(|x| x.text == "Charge suspect"));
    assert!(!police_record.plan_for_export(false).await.unwrap().unwrap().actions.iter().any(|x| x.text == "Charge suspect"));
    assert!(matches!(record.plan_pair(1, 9).await.unwrap_err(), StoreError::NotFound));
    // The analyst's copy of the plan, saved again, keeps the Prosecute section it could not see.
    assert_eq!(analysts.save_plan_version(2, None, &b2, None, d(2017, 10, 12)).await.unwrap(), 3);
    assert!(record.plan().await.unwrap().unwrap().actions.iter().any(|x| x.text == "Charge suspect"));

    // Police flags (police-only): MACSE children (plan or slot) in reach without a current "yes".
    let officer = &w.police_officer;
    let cov = db.store.police(officer).children_without_flag().await.unwrap();
    assert_eq!((cov.total, cov.flagged, cov.percent()), (1, 0, 0));
    // The list was the analyst's before police work was police-only; it now refuses anyone else.
    assert!(matches!(db.store.police(&w.analyst).children_without_flag().await, Err(StoreError::Forbidden)));
    let flags = open(db, officer, child, Section::Operations).await;
    let e = flags.record_police_flag(None, None, d(2017, 10, 1)).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.errors.len() == 2));
    flags.record_police_flag(Some(true), Some(d(2017, 9, 20)), d(2017, 10, 1)).await.unwrap();
    let cov = db.store.police(officer).children_without_flag().await.unwrap();
    assert_eq!((cov.total, cov.flagged, cov.percent()), (1, 1, 100));
    flags.record_police_flag(Some(false), Some(d(2017, 9, 30)), d(2017, 10, 1)).await.unwrap();
    let cov = db.store.police(officer).children_without_flag().await.unwrap();
    assert_eq!((cov.flagged, cov.without.len(), cov.without[0].flagged), (0, 1, Some(false)), "the latest entry is current");
    assert_eq!(flags.police_flags().await.unwrap().len(), 2);
    // Reach applies: a police CSE officer outside the unit does not count the child (its
    // only police involvement is the unit's), and police work is not the analyst's section.
    let outside = person(db, "police-outside@example.org", Role::PoliceCseOfficer, w.police, &[], &[]).await;
    assert_eq!(db.store.police(&outside).children_without_flag().await.unwrap().total, 0, "reach applies");
    assert!(matches!(analysts.police_flags().await, Err(StoreError::Restricted)));

    // Operations.
    let e = db.store.police(officer).create_operation("", None, "", None).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.errors.len() == 3));
    assert!(matches!(
        db.store.police(&w.analyst).create_operation("Operation X", Some(OperationKind::Disruption), "DI X", None).await,
        Err(StoreError::Forbidden)
    ));
    let op = db.store.police(officer).create_operation("Operation Bluebell", Some(OperationKind::Disruption), "DI Shaw", Some(panel)).await.unwrap();
    db.store.police(officer).link_child(op, Some(child)).await.unwrap();
    // Ben is out of the officer's reach: the link is refused as for no child at all (and
    // audited); the co-chair, who sees every child, links him.
    let e = db.store.police(officer).link_child(op, Some(w.kids[1])).await.unwrap_err();
    let e999 = db.store.police(officer).link_child(op, Some(999_999)).await.unwrap_err();
    let msg = |e: &StoreError| match e {
        StoreError::Invalid(i) => i.for_field("child_id").unwrap().to_string(),
        other => panic!("{other:?}"),
    };
    assert_eq!(msg(&e).replace(&w.kids[1].to_string(), "N"), msg(&e999).replace("999999", "N"), "out of reach reads as no child");
    db.store.police(chair).link_child(op, Some(w.kids[1])).await.unwrap();
    db.store.police(officer).link_child(op, Some(child)).await.unwrap();
    let (kids, others) = db.store.police(officer).operation_children(op).await.unwrap();
    assert_eq!((kids.iter().map(|k| k.0).collect::<Vec<_>>(), others), (vec![child], 1), "only children in reach are named");
    assert_eq!(flags.operations().await.unwrap()[0].name, "Operation Bluebell");
    db.store.police(officer).add_update(op, Some(d(2017, 9, 21)), "Visited the address", d(2017, 10, 1)).await.unwrap();
    assert!(matches!(db.store.police(officer).add_update(op, Some(d(2018, 1, 1)), "x", d(2017, 10, 1)).await.unwrap_err(), StoreError::Invalid(_)));
    assert_eq!(db.store.police(officer).updates(op).await.unwrap().len(), 1);
    let o = db.store.police(officer).operation(op).await.unwrap();
    db.store.police(officer).record_outcome(op, o.version, "Closed").await.unwrap();
    assert!(matches!(db.store.police(officer).record_outcome(op, o.version, "Again").await.unwrap_err(), StoreError::Conflict));
    // The operations a panel agreed are police-only.
    assert_eq!(db.store.police(officer).of_panel(panel).await.unwrap().len(), 1);
    assert!(db.store.police(&w.analyst).of_panel(panel).await.unwrap().is_empty());
    assert!(matches!(db.store.police(&w.analyst).operations().await, Err(StoreError::Forbidden)));

    let (entries, _) = db
        .store
        .audit()
        .list(
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
    let (ben_entries, _) = db
        .store
        .audit()
        .list(
            &assure_storage::audit::AuditFilter { record_type: Some("child".into()), record_id: Some(w.kids[1].to_string()), ..Default::default() },
            1000,
            0,
        )
        .await
        .unwrap();
    assert!(ben_entries.iter().any(|e| e.action == "child.refused" && e.actor == "police-cse-officer@example.org"), "the refused link is audited");
    let _ = (w.school, w.other_school, &w.practitioner_2, &w.spoc);
}
on_both_engines!(plans, plans_versions_and_involvement);
