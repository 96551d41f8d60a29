//! The child protection route (R5) and a contact's follow-on (R8) on SQLite and
//! PostgreSQL: a CP case's life from the MASH decision to the CP plan, its due dates
//! and the queue of open cases, the follow-on decision of a contact for a child
//! already known, the audit of each step, and refusals (roles, stale versions, a
//! child out of reach).

use assure_domain::child_protection::{
    ConferenceInput, ConferenceOutcome, CpStage, S47Input, S47Outcome, StrategyDecision, StrategyInput, Timeliness,
};
use assure_domain::panels::InviteeKind;
use assure_domain::partnership::{AgencyKind, Section, Team};
use assure_domain::plan::{ActionStatus, PlanAction, PlanVersion, SectionText, PLAN_SECTIONS};
use assure_domain::referral::{CheckInput, DecisionInput, FollowOnInput, MashDecision, ReferralSource, ReferralStatus};
use assure_domain::screening::Answers;
use assure_domain::{Clock, Role};
use assure_storage::audit::AuditFilter;
use assure_storage::children::ChildInput;
use assure_storage::keyset::PageRequest;
use assure_storage::on_both_engines;
use assure_storage::referrals::{ChildRef, ConcernForm};
use assure_storage::testing::{self, TestDb};
use assure_storage::users::NewUser;
use assure_storage::{Actor, ChildKey, ChildRecord, Reader, StoreError};
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn at(day: NaiveDate) -> Clock {
    Clock::fixed_london(day.and_hms_opt(10, 0, 0).unwrap())
}

struct World {
    school: i64,
    police: i64,
    care: i64,
    practitioner: Reader,
    outsider: Reader,
    mash: Reader,
    iro: i64,
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
    let school = db.store.partnership().create_agency(&sys, "Hillside High School", Some(AgencyKind::Education)).await.unwrap();
    let other = db.store.partnership().create_agency(&sys, "Northway Primary School", Some(AgencyKind::Education)).await.unwrap();
    let police = db.store.partnership().create_agency(&sys, "Merseyside Police", Some(AgencyKind::Police)).await.unwrap();
    let care = db.store.partnership().create_agency(&sys, "Children's Social Care", Some(AgencyKind::ChildrensSocialCare)).await.unwrap();
    let iro = person(db, "iro@example.org", Role::Practitioner, care, &[]).await.user_id();
    World {
        school,
        police,
        care,
        practitioner: person(db, "practitioner@example.org", Role::Practitioner, school, &[]).await,
        outsider: person(db, "outsider@example.org", Role::Practitioner, other, &[]).await,
        mash: person(db, "mash-worker@example.org", Role::MashWorker, care, &[Team::Mash]).await,
        iro,
    }
}

async fn open(db: &TestDb, r: &Reader, child: i64, s: Section) -> ChildRecord {
    db.store.open_child(r, ChildKey::Child(child), s).await.unwrap_or_else(|e| panic!("{} opens child {child}: {e:?}", r.actor().label))
}

/// A concern raised by the school's practitioner about a new child; (child, referral).
async fn raise(db: &TestDb, w: &World, first: &str) -> (i64, i64) {
    let tool = db.store.screening().current().await.unwrap();
    let answers: Answers = tool.indicators().map(|i| (i.key.clone(), i.key == "picked-up-in-cars")).collect();
    let r = db
        .store
        .referrals(&w.practitioner)
        .raise(&ConcernForm {
            child: Some(ChildRef::New(ChildInput {
                first_name: first.into(),
                last_name: "Example".into(),
                date_of_birth: Some(d(2011, 5, 6)),
                ..Default::default()
            })),
            concern: assure_domain::referral::ConcernInput {
                source: Some(ReferralSource::ProfessionalConcern),
                what_seen: "Seen getting into cars with adults".into(),
                seen_on: Some(db.store.today()),
                seen_where: "Outside school".into(),
                seen_by: "Form tutor".into(),
                referral_text: "Referral".into(),
                ..Default::default()
            },
            answers,
        })
        .await
        .unwrap();
    (r.child_id, r.referral_id)
}

async fn decide(record: &ChildRecord, referral: i64, decision: MashDecision) {
    let r = record.referral(referral).await.unwrap();
    record
        .decide(r.id, r.version, &DecisionInput { decision: Some(decision), reasons: "Reasons".into(), interventions: String::new() })
        .await
        .unwrap();
}

fn plan(agency: i64) -> PlanVersion {
    PlanVersion {
        number: 0,
        panel_date: None,
        review_date: Some(d(2026, 7, 17)),
        sections: PLAN_SECTIONS
            .iter()
            .filter(|s| **s != Section::Prosecute)
            .map(|s| SectionText { section: *s, discussion: "Discussed".into() })
            .collect(),
        actions: vec![PlanAction {
            section: Section::Protect,
            text: "Safety plan at home".into(),
            owner: "Social worker".into(),
            agency_id: Some(agency),
            due: Some(d(2026, 5, 1)),
            status: ActionStatus::NotStarted,
        }],
    }
}

async fn actions_for(db: &TestDb, child: i64) -> Vec<(String, String)> {
    let (log, _) = db
        .store
        .audit()
        .list(&AuditFilter { record_type: Some("child".into()), record_id: Some(child.to_string()), ..Default::default() }, 500, 0)
        .await
        .unwrap();
    log.into_iter().map(|e| (e.action, e.detail)).collect()
}

async fn a_cp_case_from_decision_to_plan(db: &TestDb) {
    let clock = at(d(2026, 4, 2));
    let db = &db.with_clock(clock.clone());
    let w = world(db).await;
    let (child, referral) = raise(db, &w, "Amy").await;
    let mash = open(db, &w.mash, child, Section::MashDecision).await;
    decide(&mash, referral, MashDecision::ChildProtection).await;

    // The decision opened a case: the strategy meeting is due in 3 working days (over Easter).
    let record = open(db, &w.mash, child, Section::ChildProtection).await;
    let cases = record.cp_cases().await.unwrap();
    assert_eq!(cases.len(), 1);
    let case = &cases[0];
    assert_eq!((case.referral_id, case.facts.decided_on), (referral, Some(d(2026, 4, 2))));
    assert_eq!(case.next(), Some((CpStage::StrategyMeeting, d(2026, 4, 9))));
    assert_eq!(case.next_due_on, Some(d(2026, 4, 9)));
    let (page, total) = db.store.child_protection(&w.mash).queue_page(db.store.today(), false, &PageRequest::first(50)).await.unwrap();
    assert_eq!((total.counted(), page.items.len(), page.items[0].overdue), (1, 1, false));

    // Every problem at once; nothing saved.
    clock.set(at(d(2026, 4, 7)).now());
    let e = record
        .record_strategy_meeting(
            case.id,
            case.version,
            &StrategyInput { held_on: Some(d(2026, 4, 1)), agencies: vec![], decision: None, notes: String::new() },
        )
        .await
        .unwrap_err();
    let StoreError::Invalid(i) = e else { panic!("{e:?}") };
    assert!(i.for_field("held_on").is_some() && i.for_field("agencies").is_some() && i.for_field("decision").is_some(), "{i:?}");
    assert_eq!(record.cp_case(case.id).await.unwrap().version, case.version);

    // The practitioner may read the case (their agency is involved), but not record a stage.
    let theirs = open(db, &w.practitioner, child, Section::ChildProtection).await;
    assert_eq!(theirs.cp_cases().await.unwrap().len(), 1);
    let strategy = StrategyInput {
        held_on: Some(d(2026, 4, 7)),
        agencies: vec![w.police, w.care, w.school],
        decision: Some(StrategyDecision::Section47),
        notes: "Police and social care agree a joint enquiry".into(),
    };
    assert!(matches!(theirs.record_strategy_meeting(case.id, case.version, &strategy).await, Err(StoreError::Forbidden)));
    // A practitioner of an agency not involved: the child does not exist for them.
    assert!(matches!(db.store.open_child(&w.outsider, ChildKey::Child(child), Section::ChildProtection).await, Err(StoreError::NoSuchChild)));

    record.record_strategy_meeting(case.id, case.version, &strategy).await.unwrap();
    // A stale form is a conflict.
    assert!(matches!(record.record_section_47(case.id, case.version, &S47Input::default()).await, Err(StoreError::Conflict)));
    let case = record.cp_case(case.id).await.unwrap();
    assert_eq!(case.attendees.len(), 3);
    // 15 working days after Tuesday 7 April 2026: Tuesday 28 April.
    assert_eq!(case.stages(db.store.today())[2].due, Some(d(2026, 4, 28)));
    record.record_section_47(case.id, case.version, &S47Input { started_on: Some(d(2026, 4, 7)), ..Default::default() }).await.unwrap();
    clock.set(at(d(2026, 4, 20)).now());
    let case = record.cp_case(case.id).await.unwrap();
    let outcome = S47Input { outcome: Some(S47Outcome::ConferenceNeeded), outcome_on: Some(d(2026, 4, 14)), ..Default::default() };
    record.record_section_47(case.id, case.version, &outcome).await.unwrap();
    let case = record.cp_case(case.id).await.unwrap();
    // The plan waits for the conference.
    assert!(matches!(record.save_cp_plan(case.id, 0, &plan(w.care), None, db.store.today()).await, Err(StoreError::Invalid(_))));
    record
        .record_conference(case.id, case.version, &ConferenceInput { held_on: Some(d(2026, 4, 17)), outcome: Some(ConferenceOutcome::CpPlan) })
        .await
        .unwrap();
    let case = record.cp_case(case.id).await.unwrap();
    assert!(case.stages(db.store.today())[..3].iter().all(|s| s.timeliness == Timeliness::DoneOnTime), "{:?}", case.stages(db.store.today()));
    assert_eq!(case.next(), Some((CpStage::ReviewConference, d(2026, 7, 17))));

    // The named CSE reviewing officer is invited to the child's coming panel slot, and proposed for later ones.
    let analyst = person(db, "cse-analyst@example.org", Role::CseAnalyst, w.care, &[Team::CseAnalyst, Team::MacsePanel]).await;
    let panels = db.store.panel_calendar().generate_series(analyst.actor(), Some(d(2026, 4, 27)), Some(d(2026, 5, 11)), "Town hall").await.unwrap();
    let slot = db.store.panels(&analyst).book_slot(panels[0], Some(child), chrono::NaiveTime::from_hms_opt(9, 30, 0), Some(30)).await.unwrap();
    assert!(db
        .store
        .open_child(&testing::reader(&db.store, "iro@example.org").await, ChildKey::Child(child), Section::ChildProtection)
        .await
        .is_err());
    record.name_reviewing_officer(case.id, case.version, Some(w.iro)).await.unwrap();
    let agenda = db.store.panels(&analyst).agenda(panels[0]).await.unwrap();
    let invited =
        agenda.iter().find(|s| s.id == slot).unwrap().invitations.iter().find(|i| i.user_id == Some(w.iro)).expect("the officer is invited");
    assert_eq!(invited.kind, InviteeKind::CseReviewingOfficer);
    // Invited in person, the officer now sees the child.
    open(db, &testing::reader(&db.store, "iro@example.org").await, child, Section::ChildProtection).await;
    let proposed = record.proposed_invitees().await.unwrap();
    assert!(proposed.iter().any(|p| p.user_id == Some(w.iro) && p.kind == InviteeKind::CseReviewingOfficer), "{proposed:?}");
    let case = record.cp_case(case.id).await.unwrap();
    assert_eq!(case.reviewing_officer_name.as_deref(), Some("iro@example.org"));
    assert!(matches!(record.name_reviewing_officer(case.id, case.version, Some(999_999)).await, Err(StoreError::Invalid(_))));

    // The CP plan is a version of the child's plan, in the MACSE template.
    let n = record.save_cp_plan(case.id, 0, &plan(w.care), None, db.store.today()).await.unwrap();
    let case = record.cp_case(case.id).await.unwrap();
    assert_eq!(case.plan_version, Some(n));
    let on_plan = open(db, &w.mash, child, Section::Profile).await;
    assert_eq!(on_plan.plan().await.unwrap().unwrap().actions[0].text, "Safety plan at home");

    // Overdue: the review conference not held by 17 July.
    clock.set(at(d(2026, 7, 20)).now());
    let (page, total) = db.store.child_protection(&w.mash).queue_page(db.store.today(), true, &PageRequest::first(50)).await.unwrap();
    assert_eq!(
        (total.counted(), page.items[0].case.id, page.items[0].overdue, page.items[0].next_stage),
        (1, case.id, true, Some(CpStage::ReviewConference))
    );
    // The practitioner's role has no queue.
    assert!(matches!(
        db.store.child_protection(&w.practitioner).queue_page(db.store.today(), false, &PageRequest::first(50)).await,
        Err(StoreError::Forbidden)
    ));
    record.record_review_conference(case.id, case.version, Some(d(2026, 7, 20))).await.unwrap();
    let (_, total) = db.store.child_protection(&w.mash).queue_page(db.store.today(), false, &PageRequest::first(50)).await.unwrap();
    assert_eq!(total, 0, "nothing more due");

    // Each step is audited against the child, with no personal data.
    let log = actions_for(db, child).await;
    for a in ["cp.open", "cp.strategy-meeting", "cp.section-47", "cp.conference", "cp.reviewing-officer", "cp.plan", "cp.review-conference"] {
        assert!(log.iter().any(|(x, _)| x == a), "{a} in {log:?}");
    }
    assert!(log.iter().any(|(a, detail)| a == "child.view" && detail.starts_with("child-protection:")));
    assert!(log.iter().any(|(a, detail)| a == "child.refused" && detail.contains("cp-strategy-meeting")));
    assert!(log.iter().all(|(_, detail)| !detail.contains("Amy") && !detail.contains("joint enquiry")));
}
on_both_engines!(cp_case_lifecycle, a_cp_case_from_decision_to_plan);

async fn a_case_ends_when_no_further_action(db: &TestDb) {
    let clock = at(d(2026, 12, 24));
    let db = &db.with_clock(clock.clone());
    let w = world(db).await;
    let (child, referral) = raise(db, &w, "Ben").await;
    decide(&open(db, &w.mash, child, Section::MashDecision).await, referral, MashDecision::ChildProtection).await;
    let record = open(db, &w.mash, child, Section::ChildProtection).await;
    let case = record.cp_cases().await.unwrap().remove(0);
    // 3 working days after Christmas Eve 2026: 25, 26 (and the 28th, Boxing Day's substitute) are out.
    assert_eq!(case.next_due_on, Some(d(2026, 12, 31)));
    let strategy = StrategyInput {
        held_on: Some(d(2026, 12, 24)),
        agencies: vec![w.care],
        decision: Some(StrategyDecision::NoFurtherAction),
        notes: String::new(),
    };
    record.record_strategy_meeting(case.id, case.version, &strategy).await.unwrap();
    let case = record.cp_case(case.id).await.unwrap();
    assert!(!case.is_open() && case.next_due_on.is_none());
    let e = record.record_section_47(case.id, case.version, &S47Input { started_on: Some(d(2026, 12, 24)), ..Default::default() }).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.for_field("started_on").unwrap().contains("ended")), "{e:?}");
    let (_, total) = db.store.child_protection(&w.mash).queue_page(db.store.today(), false, &PageRequest::first(50)).await.unwrap();
    assert_eq!(total, 0);
}
on_both_engines!(cp_case_ends, a_case_ends_when_no_further_action);

async fn a_contact_goes_on_after_its_checks(db: &TestDb) {
    let w = world(db).await;
    let (child, referral) = raise(db, &w, "Cara").await;
    let record = open(db, &w.mash, child, Section::MashDecision).await;
    decide(&record, referral, MashDecision::KnownChildContact).await;
    let r = record.referral(referral).await.unwrap();
    assert_eq!((r.status, r.decision, r.follow_on), (ReferralStatus::ContactChecks, Some(MashDecision::KnownChildContact), None));
    // The contact is the MASH's work: on its queue.
    let q = db.store.referrals(&w.mash).mash_queue(db.store.clock().now()).await.unwrap();
    assert!(q.iter().any(|x| x.referral.id == referral));
    // Not before the checks; not by the first decision again.
    let cp = FollowOnInput { decision: Some(MashDecision::ChildProtection), reasons: "Parenting concerns found in the checks".into() };
    let e = record.follow_on(referral, r.version, &cp).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.for_field("follow_on").unwrap().contains("checks")), "{e:?}");
    let again = record
        .decide(referral, r.version, &DecisionInput { decision: Some(MashDecision::Macse), reasons: "x".into(), interventions: String::new() })
        .await;
    assert!(matches!(again, Err(StoreError::Invalid(_))));
    // The practitioner's role cannot record it.
    let theirs = open(db, &w.practitioner, child, Section::MashDecision).await;
    assert!(matches!(theirs.follow_on(referral, r.version, &cp).await, Err(StoreError::Forbidden)));

    record
        .record_check(referral, &CheckInput { agency_id: Some(w.care), shared: "Open to child in need".into(), police_only: String::new() })
        .await
        .unwrap();
    let r = record.referral(referral).await.unwrap();
    assert_eq!(r.status, ReferralStatus::ContactChecks, "checks keep the contact waiting");
    assert!(matches!(record.follow_on(referral, r.version - 1, &cp).await, Err(StoreError::Conflict)));
    record.follow_on(referral, r.version, &cp).await.unwrap();
    let r = record.referral(referral).await.unwrap();
    assert_eq!((r.status, r.follow_on), (ReferralStatus::Decided, Some(MashDecision::ChildProtection)));
    assert_eq!(r.follow_on_by_name.as_deref(), Some("mash-worker@example.org"));
    // Child protection opened a case; the follow-on is final.
    let cases = open(db, &w.mash, child, Section::ChildProtection).await.cp_cases().await.unwrap();
    assert_eq!(cases.iter().map(|c| c.referral_id).collect::<Vec<_>>(), vec![referral]);
    assert!(matches!(record.follow_on(referral, r.version, &cp).await, Err(StoreError::Invalid(_))));
    assert!(!db.store.referrals(&w.mash).mash_queue(db.store.clock().now()).await.unwrap().iter().any(|x| x.referral.id == referral));

    // MACSE: the same as a MACSE decision, the child can be booked a panel slot.
    let (child_2, referral_2) = raise(db, &w, "Dan").await;
    let record_2 = open(db, &w.mash, child_2, Section::MashDecision).await;
    decide(&record_2, referral_2, MashDecision::KnownChildContact).await;
    record_2
        .record_check(referral_2, &CheckInput { agency_id: Some(w.police), shared: "Known to police".into(), police_only: String::new() })
        .await
        .unwrap();
    let r2 = record_2.referral(referral_2).await.unwrap();
    record_2
        .follow_on(referral_2, r2.version, &FollowOnInput { decision: Some(MashDecision::Macse), reasons: "No parenting concerns".into() })
        .await
        .unwrap();
    assert_eq!(record_2.referral(referral_2).await.unwrap().follow_on, Some(MashDecision::Macse));
    assert!(open(db, &w.mash, child_2, Section::ChildProtection).await.cp_cases().await.unwrap().is_empty());

    let log = actions_for(db, child).await;
    assert!(log.iter().any(|(a, detail)| a == "referral.follow-on" && detail.ends_with("child-protection")), "{log:?}");
    assert!(log.iter().any(|(a, detail)| a == "child.refused" && detail.contains("mash-follow-on")));
}
on_both_engines!(contact_follow_on, a_contact_goes_on_after_its_checks);
