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

/// A world with a series of five panels (14 Sep – 9 Nov 2017) and, on the first, Amy
/// (the school's child) at 10:00 and Ben (health's) at 10:30.
struct Booked {
    w: World,
    panels: Vec<i64>,
    panel: i64,
    amy_slot: i64,
    ben_slot: i64,
}

async fn booked(db: &TestDb) -> Booked {
    let w = world(db).await;
    let panels = db.store.panel_calendar().generate_series(w.analyst.actor(), Some(d(2017, 9, 14)), Some(d(2017, 11, 9)), "Town hall").await.unwrap();
    let panel = panels[0];
    let amy_slot = db.store.panels(&w.analyst).book_slot(panel, Some(w.kids[0]), t("10:00"), Some(30)).await.unwrap();
    let ben_slot = db.store.panels(&w.analyst).book_slot(panel, Some(w.kids[1]), t("10:30"), Some(30)).await.unwrap();
    Booked { w, panels, panel, amy_slot, ben_slot }
}

impl Booked {
    /// Amy's record, opened by the analyst through her slot.
    async fn amy(&self, db: &TestDb) -> ChildRecord {
        db.store.open_child(&self.w.analyst, ChildKey::Slot { panel: self.panel, slot: self.amy_slot }, Section::PanelMinutes).await.unwrap()
    }
}

fn slot_children(v: Vec<assure_storage::panels::AgendaSlot>) -> Vec<i64> {
    v.into_iter().map(|s| s.child_id).collect()
}

async fn child_audit(db: &TestDb, child: i64) -> Vec<assure_domain::audit::AuditEntry> {
    let filter = assure_storage::audit::AuditFilter { record_type: Some("child".into()), record_id: Some(child.to_string()), ..Default::default() };
    db.store.audit().list(&filter, 1000, 0).await.unwrap().0
}

async fn a_series_adds_only_the_dates_it_does_not_have(db: &TestDb) {
    let w = world(db).await;
    let actor = w.analyst.actor();
    let ids = db.store.panel_calendar().generate_series(actor, Some(d(2017, 9, 14)), Some(d(2017, 10, 26)), "Town hall").await.unwrap();
    assert_eq!(ids.len(), 4, "fortnightly from 14 September to 26 October");
    let more = db.store.panel_calendar().generate_series(actor, Some(d(2017, 9, 14)), Some(d(2017, 11, 9)), "Town hall").await.unwrap();
    assert_eq!(more.len(), 1, "an overlapping run adds 9 November only");
    let bad = db.store.panel_calendar().generate_series(actor, Some(d(2017, 9, 14)), Some(d(2017, 9, 1)), "").await.unwrap_err();
    assert!(matches!(bad, StoreError::Invalid(ref i) if i.for_field("until").is_some()));
    assert_eq!(db.store.panels(&w.analyst).list().await.unwrap().len(), 5, "nothing from the refused run");
}
on_both_engines!(series, a_series_adds_only_the_dates_it_does_not_have);

async fn a_refused_booking_says_why_and_saves_nothing(db: &TestDb) {
    let b = booked(db).await;
    let (w, panel, analyst) = (&b.w, b.panel, &b.w.analyst);
    let clash = db.store.panels(analyst).book_slot(panel, Some(w.kids[2]), t("10:15"), Some(30)).await.unwrap_err();
    assert!(matches!(clash, StoreError::Invalid(ref i) if i.for_field("starts_at").unwrap().contains("clashes")), "{clash:?}");
    let twice = db.store.panels(analyst).book_slot(panel, Some(w.kids[0]), t("14:00"), Some(30)).await.unwrap_err();
    assert!(matches!(twice, StoreError::Invalid(ref i) if i.for_field("child_id").is_some()), "a child is booked once on a panel");
    let unknown = db.store.panels(analyst).book_slot(panel, Some(999_999), t("14:00"), Some(30)).await.unwrap_err();
    assert!(matches!(unknown, StoreError::Invalid(ref i) if i.for_field("child_id").unwrap().contains("999999")));
    assert!(
        matches!(db.store.panels(&w.practitioner).book_slot(panel, Some(w.kids[0]), t("15:00"), Some(30)).await, Err(StoreError::Forbidden)),
        "only those who run panels book slots"
    );
    assert_eq!(slot_children(db.store.panels(analyst).agenda(panel).await.unwrap()), vec![w.kids[0], w.kids[1]]);
    assert_eq!(audit_count(db, "panel.slot").await, 2, "the two bookings, none of the refusals");
}
on_both_engines!(bookings, a_refused_booking_says_why_and_saves_nothing);

async fn the_agenda_shows_each_reader_only_the_children_in_reach(db: &TestDb) {
    let b = booked(db).await;
    let (w, panel) = (&b.w, b.panel);
    assert_eq!(slot_children(db.store.panels(&w.analyst).agenda(panel).await.unwrap()), vec![w.kids[0], w.kids[1]]);
    assert_eq!(slot_children(db.store.panels(&w.practitioner).agenda(panel).await.unwrap()), vec![w.kids[0]], "the school's own child");
    assert_eq!(slot_children(db.store.panels(&w.practitioner_2).agenda(panel).await.unwrap()), Vec::<i64>::new());
    assert!(db.store.panels(&w.police_officer).agenda(panel).await.unwrap().is_empty(), "the police are not involved yet");
    let listed = db.store.panels(&w.practitioner_2).list().await.unwrap();
    assert_eq!(listed.len(), 5, "every panel is listed");
    assert!(listed.iter().all(|p| p.visible_slots == 0), "with no slot counted that Northway may not see");
    assert_eq!(db.store.panels(&w.analyst).list().await.unwrap()[0].visible_slots, 2);
}
on_both_engines!(agenda_reach, the_agenda_shows_each_reader_only_the_children_in_reach);

async fn the_proposed_invitees_are_the_involved_agencies_the_police_and_the_standing_members(db: &TestDb) {
    let b = booked(db).await;
    let w = &b.w;
    let record = b.amy(db).await;
    assert_eq!(record.id(), w.kids[0], "the slot names its child");
    let proposed = record.proposed_invitees().await.unwrap();
    let kinds: Vec<InviteeKind> = proposed.iter().map(|p| p.kind).collect();
    for kind in [InviteeKind::Spoc, InviteeKind::Practitioner, InviteeKind::PoliceInvestigator, InviteeKind::StandingMember] {
        assert!(kinds.contains(&kind), "{kind:?} in {proposed:?}");
    }
    assert!(proposed.iter().any(|p| p.kind == InviteeKind::Spoc && p.user_id == Some(w.spoc.user_id())), "the school's SPOC by name");
    assert!(!proposed.iter().any(|p| p.name == "practitioner-2@example.org"), "an uninvolved agency's practitioner is not proposed");
    let added = record.invite_proposed(b.panel, b.amy_slot, d(2017, 9, 1)).await.unwrap();
    assert_eq!(added, proposed.len());
    assert_eq!(record.invite_proposed(b.panel, b.amy_slot, d(2017, 9, 1)).await.unwrap(), 0, "no one invited twice");
}
on_both_engines!(proposed_invitees, the_proposed_invitees_are_the_involved_agencies_the_police_and_the_standing_members);

async fn an_invitation_involves_the_person_or_agency_invited(db: &TestDb) {
    let b = booked(db).await;
    let (w, panel, slot) = (&b.w, b.panel, b.amy_slot);
    let record = b.amy(db).await;
    record.invite_proposed(panel, slot, d(2017, 9, 1)).await.unwrap();
    // The police investigator was invited in person: the police are involved through them.
    assert_eq!(slot_children(db.store.panels(&w.police_officer).agenda(panel).await.unwrap()), vec![w.kids[0]]);
    assert!(testing::involvements_of(&db.store, w.kids[0])
        .await
        .iter()
        .any(|i| i.agency_id == w.police && i.kind == InvolvementKind::InvitedToPanel && i.scope == Scope::Person(w.police_officer.user_id())));
    // An agency invited as a whole (Northway) becomes involved as a whole.
    record.invite(panel, slot, Some(InviteeKind::HomeAuthority), None, Some(w.other_school), "", d(2017, 9, 1)).await.unwrap();
    assert_eq!(slot_children(db.store.panels(&w.practitioner_2).agenda(panel).await.unwrap()), vec![w.kids[0]]);
}
on_both_engines!(invitation_involves, an_invitation_involves_the_person_or_agency_invited);

async fn an_invitation_is_refused_without_a_kind_off_its_slot_or_by_someone_who_does_not_run_panels(db: &TestDb) {
    let b = booked(db).await;
    let (w, panel, slot) = (&b.w, b.panel, b.amy_slot);
    let record = b.amy(db).await;
    let no_kind = record.invite(panel, slot, None, None, None, "", d(2017, 9, 1)).await.unwrap_err();
    assert!(matches!(no_kind, StoreError::Invalid(ref i) if i.for_field("kind").is_some() && i.for_field("name").is_some()), "both problems at once");
    let parent = |p, s| record.invite(p, s, Some(InviteeKind::ParentCarer), None, None, "X", d(2017, 9, 1));
    assert!(matches!(parent(b.panels[1], slot).await.unwrap_err(), StoreError::NotFound), "a slot is found through its own panel only");
    assert!(matches!(parent(panel, b.ben_slot).await.unwrap_err(), StoreError::NotFound), "nor another child's slot through this record");
    let for_school = db.store.open_child(&w.practitioner, ChildKey::Slot { panel, slot }, Section::PanelMinutes).await.unwrap();
    assert!(matches!(
        for_school.invite(panel, slot, Some(InviteeKind::ParentCarer), None, None, "X", d(2017, 9, 1)).await,
        Err(StoreError::Forbidden)
    ));
    assert!(db.store.panels(&w.analyst).agenda(panel).await.unwrap().iter().all(|s| s.invitations.is_empty()), "nothing saved");
}
on_both_engines!(invitation_refused, an_invitation_is_refused_without_a_kind_off_its_slot_or_by_someone_who_does_not_run_panels);

async fn attendance_is_recorded_against_an_invitation(db: &TestDb) {
    let b = booked(db).await;
    let (panel, slot) = (b.panel, b.amy_slot);
    let record = b.amy(db).await;
    record.invite(panel, slot, Some(InviteeKind::ParentCarer), None, None, "Mrs Adams", d(2017, 9, 1)).await.unwrap();
    let agenda = db.store.panels(&b.w.analyst).agenda(panel).await.unwrap();
    let inv = agenda[0].invitations.iter().find(|i| i.kind == InviteeKind::ParentCarer).unwrap().id;
    record.record_attendance(panel, slot, inv, Some(Attendance::SentApologies)).await.unwrap();
    assert!(matches!(record.record_attendance(panel, slot, inv, None).await.unwrap_err(), StoreError::Invalid(_)), "attendance must be chosen");
    let agenda = db.store.panels(&b.w.analyst).agenda(panel).await.unwrap();
    assert_eq!(agenda[0].invitations.iter().find(|i| i.id == inv).unwrap().attendance, Some(Attendance::SentApologies));
}
on_both_engines!(attendance, attendance_is_recorded_against_an_invitation);

async fn general_business_is_versioned_and_read_by_runners_and_those_invited_in_person(db: &TestDb) {
    let b = booked(db).await;
    let (w, panel) = (&b.w, b.panel);
    b.amy(db).await.invite_proposed(panel, b.amy_slot, d(2017, 9, 1)).await.unwrap();
    b.amy(db).await.invite(panel, b.amy_slot, Some(InviteeKind::HomeAuthority), None, Some(w.other_school), "", d(2017, 9, 1)).await.unwrap();
    let p = db.store.panels(&w.analyst).get(panel).await.unwrap();
    db.store.panels(&w.analyst).save_business(panel, p.version, "First minutes", None).await.unwrap();
    let stale = db.store.panels(&w.analyst).save_business(panel, p.version, "Stale minutes", None).await.unwrap_err();
    assert!(matches!(stale, StoreError::Conflict), "a stale edit does not overwrite");
    assert!(matches!(db.store.panels(&w.spoc).save_business(panel, p.version + 1, "Mine", None).await, Err(StoreError::Forbidden)));
    assert_eq!(db.store.panels(&w.analyst).get(panel).await.unwrap().business, "First minutes");
    assert_eq!(db.store.panels(&w.spoc).get(panel).await.unwrap().business, "First minutes", "the SPOC was invited in person");
    assert_eq!(db.store.panels(&w.practitioner_2).get(panel).await.unwrap().business, "", "Northway was invited as an agency, not this person");
    assert_eq!(db.store.panels(&w.spoc).get(b.panels[1]).await.unwrap().business, "", "not invited to that panel");
}
on_both_engines!(business, general_business_is_versioned_and_read_by_runners_and_those_invited_in_person);

async fn a_childs_discussion_is_kept_with_their_slot_under_their_rule(db: &TestDb) {
    let b = booked(db).await;
    let (w, panel) = (&b.w, b.panel);
    let record = b.amy(db).await;
    record.save_discussion(panel, b.amy_slot, 1, "Amy: plan agreed").await.unwrap();
    assert!(matches!(record.save_discussion(panel, b.amy_slot, 1, "Stale").await, Err(StoreError::Conflict)));
    let discussion = |v: &[assure_storage::panels::AgendaSlot], child: i64| v.iter().find(|s| s.child_id == child).map(|s| s.discussion.clone());
    assert_eq!(discussion(&db.store.panels(&w.analyst).agenda(panel).await.unwrap(), w.kids[0]).as_deref(), Some("Amy: plan agreed"));
    let spocs = db.store.panels(&w.spoc).agenda(panel).await.unwrap();
    assert_eq!(discussion(&spocs, w.kids[0]).as_deref(), Some("Amy: plan agreed"));
    assert!(spocs.iter().all(|s| s.child_id == w.kids[0]), "Ben's slot is not the school's");
    assert_eq!(open(db, &w.practitioner, w.kids[0], Section::PanelMinutes).await.slots().await.unwrap()[0].discussion, "Amy: plan agreed");
}
on_both_engines!(discussion, a_childs_discussion_is_kept_with_their_slot_under_their_rule);

async fn a_panel_moves_only_to_a_free_date(db: &TestDb) {
    let b = booked(db).await;
    let (actor, panel) = (b.w.analyst.actor(), b.panel);
    let p = db.store.panels(&b.w.analyst).get(panel).await.unwrap();
    let taken = db.store.panel_calendar().set_date(actor, panel, p.version, Some(d(2017, 9, 28)), "").await.unwrap_err();
    assert!(matches!(taken, StoreError::Invalid(ref i) if i.for_field("meeting_date").is_some()), "28 September has a panel");
    db.store.panel_calendar().set_date(actor, panel, p.version, Some(d(2017, 9, 15)), "Room 2").await.unwrap();
    assert_eq!(db.store.panels(&b.w.analyst).get(panel).await.unwrap().meeting_date, d(2017, 9, 15));
}
on_both_engines!(move_panel, a_panel_moves_only_to_a_free_date);

async fn panel_work_is_audited_against_the_child_without_names(db: &TestDb) {
    let b = booked(db).await;
    let (panel, slot) = (b.panel, b.amy_slot);
    let record = b.amy(db).await;
    record.invite_proposed(panel, slot, d(2017, 9, 1)).await.unwrap();
    record.invite(panel, slot, Some(InviteeKind::ParentCarer), None, None, "Mrs Adams", d(2017, 9, 1)).await.unwrap();
    let inv = db.store.panels(&b.w.analyst).agenda(panel).await.unwrap()[0].invitations[0].id;
    record.record_attendance(panel, slot, inv, Some(Attendance::Attended)).await.unwrap();
    record.save_discussion(panel, slot, 1, "Amy Adams: plan agreed").await.unwrap();
    let entries = child_audit(db, b.w.kids[0]).await;
    for a in ["panel.slot", "panel.invite", "panel.attendance", "panel.minutes", "child.involvement"] {
        assert!(entries.iter().any(|e| e.action == a), "{a}");
    }
    assert!(entries.iter().all(|e| !e.detail.contains("Adams") && !e.detail.contains("Amy")), "no names in the audit");
}
on_both_engines!(panel_audit, panel_work_is_audited_against_the_child_without_names);

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

/// A world with one panel on 14 September 2017 and Cara (no agency involved yet) as the
/// child whose plan is made; the co-chair holds her record.
struct Planning {
    w: World,
    panel: i64,
    child: i64,
}

async fn planning(db: &TestDb) -> Planning {
    let w = world(db).await;
    let panel = db.store.panel_calendar().generate_series(w.chair.actor(), Some(d(2017, 9, 14)), Some(d(2017, 9, 14)), "").await.unwrap()[0];
    let child = w.kids[2];
    Planning { w, panel, child }
}

impl Planning {
    async fn chairs(&self, db: &TestDb) -> ChildRecord {
        open(db, &self.w.chair, self.child, Section::Profile).await
    }
    /// The first version saved (health holds a Prevent action, the police "Interview suspect"),
    /// then a second (the Prosecute action now "Charge suspect", Protect's discussion changed).
    async fn with_two_versions(&self, db: &TestDb) -> ChildRecord {
        let record = self.chairs(db).await;
        assert_eq!(
            record
                .save_plan_version(0, Some(self.panel), &plan("Interview suspect", self.w.health, self.w.police), None, d(2017, 9, 14))
                .await
                .unwrap(),
            1
        );
        let mut next = plan("Interview suspect", self.w.health, self.w.police);
        next.review_date = Some(d(2017, 11, 9));
        next.actions[0].status = ActionStatus::InProgress;
        next.actions[1].text = "Charge suspect".into();
        next.sections[2].discussion = "Protect: moved to a safe placement".into();
        assert_eq!(record.save_plan_version(1, None, &next, None, d(2017, 10, 12)).await.unwrap(), 2);
        record
    }
}

async fn a_plan_with_a_problem_is_refused_whole(db: &TestDb) {
    let p = planning(db).await;
    let (w, child) = (&p.w, p.child);
    let record = p.chairs(db).await;
    assert!(record.plan().await.unwrap().is_none());
    assert_eq!(record.plan_number().await.unwrap(), 0);
    let mut bad = plan("Interview suspect", w.health, w.police);
    bad.actions[0].owner = String::new();
    let e = record.save_plan_version(0, Some(p.panel), &bad, Some(&[1, 4]), d(2017, 9, 14)).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.for_field("action-1-owner").unwrap().contains("no owner")), "{e:?}");
    assert!(record.plan().await.unwrap().is_none() && record.plan_versions().await.unwrap().is_empty(), "no version saved");
    assert!(db.store.panels(&w.analyst).agenda(p.panel).await.unwrap().is_empty(), "no slot booked");
    assert!(!seen_by(db, &w.police_officer).await.contains(&child), "no involvement from a refused plan");
    assert!(testing::involvements_of(&db.store, child).await.is_empty());
    // What only the database knows (an unknown agency or panel) arrives as field problems too.
    let mut unknown = plan("Interview suspect", 999_999, w.police);
    unknown.review_date = Some(d(2017, 9, 1));
    let e = record.save_plan_version(0, Some(999_999), &unknown, None, d(2017, 9, 14)).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.for_field("action-1-agency").is_some() && i.for_field("panel_id").is_some()), "{e:?}");
}
on_both_engines!(plan_refused, a_plan_with_a_problem_is_refused_whole);

async fn plans_are_saved_only_by_those_who_run_panels(db: &TestDb) {
    let p = planning(db).await;
    let w = &p.w;
    let by_officer = db.store.open_child(&w.police_officer, ChildKey::Child(w.kids[0]), Section::Profile).await;
    assert!(matches!(by_officer, Err(StoreError::NoSuchChild)), "the police are not involved with Amy");
    let for_school = open(db, &w.practitioner, w.kids[0], Section::Profile).await;
    assert!(matches!(for_school.save_plan_version(0, None, &plan("x", w.health, w.police), None, d(2017, 9, 14)).await, Err(StoreError::Forbidden)));
    assert!(for_school.plan().await.unwrap().is_none());
}
on_both_engines!(plan_who, plans_are_saved_only_by_those_who_run_panels);

async fn each_actions_agency_becomes_involved_the_police_through_their_cse_unit(db: &TestDb) {
    let p = planning(db).await;
    let (w, child) = (&p.w, p.child);
    let record = p.chairs(db).await;
    assert_eq!(record.save_plan_version(0, Some(p.panel), &plan("Interview suspect", w.health, w.police), None, d(2017, 9, 14)).await.unwrap(), 1);
    assert!(seen_by(db, &w.police_officer).await.contains(&child), "the police CSE unit holds an action");
    let mut stored: Vec<_> = testing::involvements_of(&db.store, child).await.iter().map(|i| (i.agency_id, i.kind, i.scope)).collect();
    stored.sort();
    let mut want =
        vec![(w.health, InvolvementKind::HoldsAction, Scope::Agency), (w.police, InvolvementKind::HoldsPoliceAction, Scope::Team(Team::PoliceCse))];
    want.sort();
    assert_eq!(stored, want);
    let v1 = record.plan().await.unwrap().unwrap();
    assert_eq!((v1.panel_date, v1.actions.len()), (Some(d(2017, 9, 14)), 2), "the panel's date and both actions");
}
on_both_engines!(plan_involves, each_actions_agency_becomes_involved_the_police_through_their_cse_unit);

async fn a_new_version_keeps_the_old_and_a_stale_one_is_refused(db: &TestDb) {
    let p = planning(db).await;
    let record = p.with_two_versions(db).await;
    assert!(
        matches!(
            record.save_plan_version(1, None, &plan("x", p.w.health, p.w.police), None, d(2017, 10, 12)).await.unwrap_err(),
            StoreError::Conflict
        ),
        "an editor who started from version 1"
    );
    let versions = record.plan_versions().await.unwrap();
    assert_eq!(versions.iter().map(|v| v.number).collect::<Vec<_>>(), vec![2, 1]);
    assert_eq!(versions[1].panel_date, Some(d(2017, 9, 14)));
    let (a, b) = record.plan_pair(1, 2).await.unwrap();
    let df = diff(&a, &b);
    assert!(df.sections.iter().any(|s| s.section == Section::Protect && s.discussion.is_some()));
    assert!(df.sections.iter().any(|s| s.section == Section::Prevent && s.changed.len() == 1));
    assert!(df.sections.iter().any(|s| s.section == Section::Prosecute && s.added.len() == 1 && s.removed.len() == 1));
    assert!(matches!(record.plan_pair(1, 9).await.unwrap_err(), StoreError::NotFound));
}
on_both_engines!(plan_versions, a_new_version_keeps_the_old_and_a_stale_one_is_refused);

async fn prosecute_never_leaves_the_record_for_anyone_but_the_police(db: &TestDb) {
    let p = planning(db).await;
    let (w, child) = (&p.w, p.child);
    let record = p.with_two_versions(db).await;
    let (a, b) = record.plan_pair(1, 2).await.unwrap();
    // The analyst sees every child, but is not police: the record cuts Prosecute before it leaves storage.
    let analysts = open(db, &w.analyst, child, Section::Profile).await;
    let (a2, b2) = analysts.plan_pair(1, 2).await.unwrap();
    assert!(diff(&a2, &b2).sections.iter().all(|s| s.section != Section::Prosecute));
    assert!(!serde_json::to_string(&b2).unwrap().contains("suspect"), "no police-only text in what leaves the record");
    assert_eq!((a2, b2), (visible_for(&a, w.analyst.viewer()), visible_for(&b, w.analyst.viewer())));
    assert_eq!(
        analysts.plan_for_export(true).await.unwrap().unwrap().actions_in(Section::Prosecute).count(),
        0,
        "nor in an export asked for with police"
    );
    let police_record = open(db, &w.police_officer, child, Section::Profile).await;
    let has_charge = |v: PlanVersion| v.actions.iter().any(|x| x.text == "Charge suspect");
    assert!(has_charge(police_record.plan().await.unwrap().unwrap()));
    assert!(has_charge(police_record.plan_for_export(true).await.unwrap().unwrap()), "the police export with police sections");
    assert!(!has_charge(police_record.plan_for_export(false).await.unwrap().unwrap()), "and without, when they ask");
}
on_both_engines!(plan_prosecute, prosecute_never_leaves_the_record_for_anyone_but_the_police);

async fn a_version_saved_without_prosecute_keeps_the_prosecute_it_could_not_see(db: &TestDb) {
    let p = planning(db).await;
    let record = p.with_two_versions(db).await;
    let analysts = open(db, &p.w.analyst, p.child, Section::Profile).await;
    let seen = analysts.plan().await.unwrap().unwrap();
    assert_eq!(analysts.save_plan_version(2, None, &seen, None, d(2017, 10, 12)).await.unwrap(), 3);
    assert!(record.plan().await.unwrap().unwrap().actions.iter().any(|x| x.text == "Charge suspect"));
}
on_both_engines!(plan_keeps_prosecute, a_version_saved_without_prosecute_keeps_the_prosecute_it_could_not_see);

async fn police_flags_count_the_macse_children_in_reach_by_their_latest_entry(db: &TestDb) {
    let p = planning(db).await;
    let (w, officer) = (&p.w, &p.w.police_officer);
    p.with_two_versions(db).await;
    let cov = db.store.police(officer).children_without_flag().await.unwrap();
    assert_eq!((cov.total, cov.flagged, cov.percent()), (1, 0, 0));
    assert!(matches!(db.store.police(&w.analyst).children_without_flag().await, Err(StoreError::Forbidden)), "police-only");
    let flags = open(db, officer, p.child, Section::Operations).await;
    let e = flags.record_police_flag(None, None, d(2017, 10, 1)).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.errors.len() == 2), "both problems at once");
    flags.record_police_flag(Some(true), Some(d(2017, 9, 20)), d(2017, 10, 1)).await.unwrap();
    let cov = db.store.police(officer).children_without_flag().await.unwrap();
    assert_eq!((cov.total, cov.flagged, cov.percent()), (1, 1, 100));
    flags.record_police_flag(Some(false), Some(d(2017, 9, 30)), d(2017, 10, 1)).await.unwrap();
    let cov = db.store.police(officer).children_without_flag().await.unwrap();
    assert_eq!((cov.flagged, cov.without.len(), cov.without[0].flagged), (0, 1, Some(false)), "the latest entry is current");
    assert_eq!(flags.police_flags().await.unwrap().len(), 2);
    // A police CSE officer outside the unit does not count the child (its only police
    // involvement is the unit's), and police work is not the analyst's section.
    let outside = person(db, "police-outside@example.org", Role::PoliceCseOfficer, w.police, &[], &[]).await;
    assert_eq!(db.store.police(&outside).children_without_flag().await.unwrap().total, 0, "reach applies");
    let analysts = open(db, &w.analyst, p.child, Section::Profile).await;
    assert!(matches!(analysts.police_flags().await, Err(StoreError::Restricted)));
}
on_both_engines!(police_flags, police_flags_count_the_macse_children_in_reach_by_their_latest_entry);

async fn an_operation_names_only_the_children_in_the_readers_reach(db: &TestDb) {
    let p = planning(db).await;
    let (w, officer, child) = (&p.w, &p.w.police_officer, p.child);
    p.with_two_versions(db).await;
    let e = db.store.police(officer).create_operation("", None, "", None).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.errors.len() == 3));
    assert!(matches!(
        db.store.police(&w.analyst).create_operation("Operation X", Some(OperationKind::Disruption), "DI X", None).await,
        Err(StoreError::Forbidden)
    ));
    let op =
        db.store.police(officer).create_operation("Operation Bluebell", Some(OperationKind::Disruption), "DI Shaw", Some(p.panel)).await.unwrap();
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
    assert!(
        child_audit(db, w.kids[1]).await.iter().any(|e| e.action == "child.refused" && e.actor == "police-cse-officer@example.org"),
        "the refused link is audited"
    );
    db.store.police(&w.chair).link_child(op, Some(w.kids[1])).await.unwrap();
    let (kids, others) = db.store.police(officer).operation_children(op).await.unwrap();
    assert_eq!((kids.iter().map(|k| k.0).collect::<Vec<_>>(), others), (vec![child], 1), "only children in reach are named");
    assert_eq!(open(db, officer, child, Section::Operations).await.operations().await.unwrap()[0].name, "Operation Bluebell");
}
on_both_engines!(operation_children, an_operation_names_only_the_children_in_the_readers_reach);

async fn an_operations_updates_and_outcome_are_police_only_and_versioned(db: &TestDb) {
    let p = planning(db).await;
    let (w, officer) = (&p.w, &p.w.police_officer);
    let op =
        db.store.police(officer).create_operation("Operation Bluebell", Some(OperationKind::Disruption), "DI Shaw", Some(p.panel)).await.unwrap();
    db.store.police(officer).add_update(op, Some(d(2017, 9, 21)), "Visited the address", d(2017, 10, 1)).await.unwrap();
    assert!(
        matches!(db.store.police(officer).add_update(op, Some(d(2018, 1, 1)), "x", d(2017, 10, 1)).await.unwrap_err(), StoreError::Invalid(_)),
        "an update dated after today"
    );
    assert_eq!(db.store.police(officer).updates(op).await.unwrap().len(), 1);
    let o = db.store.police(officer).operation(op).await.unwrap();
    db.store.police(officer).record_outcome(op, o.version, "Closed").await.unwrap();
    assert!(matches!(db.store.police(officer).record_outcome(op, o.version, "Again").await.unwrap_err(), StoreError::Conflict));
    assert_eq!(db.store.police(officer).of_panel(p.panel).await.unwrap().len(), 1, "the operations a panel agreed");
    assert!(db.store.police(&w.analyst).of_panel(p.panel).await.unwrap().is_empty(), "are police-only");
    assert!(matches!(db.store.police(&w.analyst).operations().await, Err(StoreError::Forbidden)));
}
on_both_engines!(operation_updates, an_operations_updates_and_outcome_are_police_only_and_versioned);

async fn plan_and_police_work_are_audited_against_the_child_without_names(db: &TestDb) {
    let p = planning(db).await;
    let (officer, child) = (&p.w.police_officer, p.child);
    p.with_two_versions(db).await;
    open(db, officer, child, Section::Operations).await.record_police_flag(Some(true), Some(d(2017, 9, 20)), d(2017, 10, 1)).await.unwrap();
    let op = db.store.police(officer).create_operation("Operation Bluebell", Some(OperationKind::Disruption), "DI Shaw", None).await.unwrap();
    db.store.police(officer).link_child(op, Some(child)).await.unwrap();
    let entries = child_audit(db, child).await;
    for a in ["plan.version", "police.flag", "operation.link", "child.involvement"] {
        assert!(entries.iter().any(|e| e.action == a), "{a}");
    }
    assert!(entries.iter().all(|e| !e.detail.contains("suspect") && !e.detail.contains("Clark")), "no names or plan text in the audit");
}
on_both_engines!(plan_audit, plan_and_police_work_are_audited_against_the_child_without_names);
