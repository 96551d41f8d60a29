//! The pathway's routes added for issue 15, on SQLite and PostgreSQL: the police
//! sources (a 999 call, a concern reported to police by the public or a taxi driver),
//! the MARAC route for 16 to 18-year-olds (recorded through the child's record, on the
//! MASH queue, reviewed for CSE and referred to MACSE), police flag coverage of every
//! child at risk, and SPOC monitoring with challenges and responses.

use assure_domain::marac::{CseReviewOutcome, MaracInput, MaracStatus, ReviewInput};
use assure_domain::monitoring::{ChallengeInput, Period};
use assure_domain::partnership::{AgencyKind, Section, Team};
use assure_domain::referral::{ConcernInput, ConcernReporter, MashDecision, ReferralSource, ReferralStatus};
use assure_domain::screening::{Answers, ScreeningTool};
use assure_domain::Role;
use assure_storage::audit::AuditFilter;
use assure_storage::children::ChildInput;
use assure_storage::on_both_engines;
use assure_storage::referrals::{ChildRef, ConcernForm};
use assure_storage::testing::{self, TestDb};
use assure_storage::users::NewUser;
use assure_storage::{Actor, ChildKey, ChildRecord, Reader, StoreError};
use chrono::{Months, NaiveDate};

struct World {
    school: i64,
    other_school: i64,
    practitioner: Reader,
    spoc: Reader,
    mash: Reader,
    officer: Reader,
    manager: Reader,
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
    let p = db.store.partnership();
    let school = p.create_agency(&sys, "Hillside High School", Some(AgencyKind::Education)).await.unwrap();
    let other_school = p.create_agency(&sys, "Northway Primary School", Some(AgencyKind::Education)).await.unwrap();
    let police = p.create_agency(&sys, "Merseyside Police", Some(AgencyKind::Police)).await.unwrap();
    let care = p.create_agency(&sys, "Children's Social Care", Some(AgencyKind::ChildrensSocialCare)).await.unwrap();
    World {
        school,
        other_school,
        practitioner: person(db, "practitioner@example.org", Role::Practitioner, school, &[], &[]).await,
        spoc: person(db, "spoc@example.org", Role::Spoc, school, &[], &[school]).await,
        mash: person(db, "mash-worker@example.org", Role::MashWorker, care, &[Team::Mash], &[]).await,
        officer: person(db, "police-cse-officer@example.org", Role::PoliceCseOfficer, police, &[Team::PoliceCse], &[]).await,
        manager: person(db, "partnership-manager@example.org", Role::PartnershipManager, care, &[], &[]).await,
    }
}

async fn open(db: &TestDb, r: &Reader, child: i64, s: Section) -> ChildRecord {
    db.store.open_child(r, ChildKey::Child(child), s).await.unwrap_or_else(|e| panic!("{} opens child {child}: {e:?}", r.actor().label))
}

fn answers(tool: &ScreeningTool, yes: &[&str]) -> Answers {
    tool.indicators().map(|i| (i.key.clone(), yes.contains(&i.key.as_str()))).collect()
}

fn concern(db: &TestDb, source: ReferralSource, reported_by: Option<ConcernReporter>) -> ConcernInput {
    ConcernInput {
        source: Some(source),
        reported_by,
        what_seen: "Seen getting into a car with two adult men late at night".into(),
        seen_on: Some(db.store.today()),
        seen_where: "Taxi rank, High Street".into(),
        seen_by: "Reported on the phone".into(),
        referral_text: "Vulnerable-person notification to the MASH".into(),
    }
}

fn child(first: &str, dob: NaiveDate) -> ChildRef {
    ChildRef::New(ChildInput { first_name: first.into(), last_name: "Routes".into(), date_of_birth: Some(dob), ..Default::default() })
}

fn years_ago(db: &TestDb, years: u32) -> NaiveDate {
    db.store.today().checked_sub_months(Months::new(12 * years)).unwrap()
}

async fn police_sources_reach_the_mash_queue_and_say_who_reported_them(db: &TestDb) {
    let w = world(db).await;
    let tool = db.store.screening().current().await.unwrap();
    let police = db.store.referrals(&w.officer);
    let call = police
        .raise(&ConcernForm {
            child: Some(child("Nia", years_ago(db, 14))),
            concern: concern(db, ReferralSource::PoliceEmergencyCall, None),
            answers: answers(&tool, &[]),
        })
        .await
        .unwrap();
    // A concern reported to police says who reported it: all problems at once, nothing saved.
    let form = ConcernForm {
        child: Some(child("Ola", years_ago(db, 15))),
        concern: concern(db, ReferralSource::ReportedToPolice, None),
        answers: answers(&tool, &["picked-up-in-cars"]),
    };
    let e = police.raise(&form).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.for_field("reported_by").is_some()), "{e:?}");
    let form = ConcernForm { concern: concern(db, ReferralSource::ReportedToPolice, Some(ConcernReporter::TaxiDriver)), ..form };
    let taxi = police.raise(&form).await.unwrap();
    // Only police accounts record the police sources.
    let e =
        db.store.referrals(&w.practitioner).raise(&ConcernForm { child: Some(child("Pip", years_ago(db, 13))), ..form.clone() }).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.for_field("source").is_some()), "{e:?}");

    let q = db.store.referrals(&w.mash).mash_queue(db.store.clock().now()).await.unwrap();
    let sources: Vec<(i64, ReferralSource, Option<ConcernReporter>)> =
        q.iter().map(|x| (x.referral.id, x.referral.source, x.referral.reported_by)).collect();
    assert_eq!(
        sources,
        vec![
            (call.referral_id, ReferralSource::PoliceEmergencyCall, None),
            (taxi.referral_id, ReferralSource::ReportedToPolice, Some(ConcernReporter::TaxiDriver))
        ]
    );
    let r = open(db, &w.mash, taxi.child_id, Section::Concerns).await.referral(taxi.referral_id).await.unwrap();
    assert_eq!((r.status, r.reported_by), (ReferralStatus::Submitted, Some(ConcernReporter::TaxiDriver)));
    // Existing rows (no reporter) still read.
    let old = open(db, &w.mash, call.child_id, Section::Concerns).await.referrals().await.unwrap();
    assert_eq!(old[0].reported_by, None);
}
on_both_engines!(police_sources, police_sources_reach_the_mash_queue_and_say_who_reported_them);

fn marac_input(on: NaiveDate) -> MaracInput {
    MaracInput { referred_on: Some(on), referred_by: "IDVA service".into(), relationship: "Controlled by a 24-year-old boyfriend".into() }
}

async fn a_marac_referral_is_reviewed_for_cse_and_goes_to_macse(db: &TestDb) {
    let w = world(db).await;
    let tool = db.store.screening().current().await.unwrap();
    let today = db.store.today();
    // A young person the school is involved with (a concern raised, decided elsewhere).
    let raised = db
        .store
        .referrals(&w.practitioner)
        .raise(&ConcernForm {
            child: Some(child("Rhea", years_ago(db, 17))),
            concern: concern(db, ReferralSource::ProfessionalConcern, None),
            answers: answers(&tool, &[]),
        })
        .await
        .unwrap();
    let kid = raised.child_id;
    let mash_record = open(db, &w.mash, kid, Section::MashDecision).await;
    let r = mash_record.referral(raised.referral_id).await.unwrap();
    mash_record
        .decide(
            r.id,
            r.version,
            &assure_domain::referral::DecisionInput {
                decision: Some(MashDecision::NoCseConcern),
                reasons: "Nothing found".into(),
                interventions: "Mentoring".into(),
            },
        )
        .await
        .unwrap();

    // The practitioner records the MARAC referral through the child's record.
    let record = open(db, &w.practitioner, kid, Section::Concerns).await;
    let e = record.record_marac(&MaracInput::default()).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.errors.len() == 3), "every problem at once: {e:?}");
    let mid = record.record_marac(&marac_input(today)).await.unwrap();
    let m = record.marac_referral(mid).await.unwrap();
    assert_eq!((m.status, m.age_at_referral, m.referral_id), (MaracStatus::AwaitingReview, 17, None));
    // On the MASH queue, and nobody else's list.
    let waiting = db.store.marac(&w.mash).awaiting_review().await.unwrap();
    assert_eq!(waiting.iter().map(|m| m.id).collect::<Vec<_>>(), vec![mid]);
    let other = person(db, "practitioner-2@example.org", Role::Practitioner, w.other_school, &[], &[]).await;
    assert!(db.store.marac(&other).awaiting_review().await.unwrap().is_empty(), "reach applies");
    // Only the MASH reviews.
    let e = record.review_marac(mid, m.version, &ReviewInput { outcome: Some(CseReviewOutcome::CseConcern), reasons: "x".into() }).await.unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    let mash_record = open(db, &w.mash, kid, Section::MashDecision).await;
    let e = mash_record.review_marac(mid, m.version, &ReviewInput::default()).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.for_field("outcome").is_some() && i.for_field("reasons").is_some()), "{e:?}");
    assert!(matches!(mash_record.review_marac(mid, m.version + 1, &ReviewInput::default()).await, Err(StoreError::Conflict)));
    let review = ReviewInput { outcome: Some(CseReviewOutcome::CseConcern), reasons: "Older partner; gifts and alcohol".into() };
    assert_eq!(mash_record.review_marac(mid, m.version, &review).await.unwrap(), MaracStatus::ReferredToMacse);
    let m = mash_record.marac_referral(mid).await.unwrap();
    let rid = m.referral_id.expect("referred to MACSE");
    let macse = mash_record.referral(rid).await.unwrap();
    assert_eq!((macse.source, macse.decision, macse.status), (ReferralSource::Marac, Some(MashDecision::Macse), ReferralStatus::Decided));
    assert!(db.store.marac(&w.mash).awaiting_review().await.unwrap().is_empty());
    // Reviewed once.
    let e = mash_record.review_marac(mid, m.version, &review).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.for_field("outcome").unwrap().contains("already")), "{e:?}");
    // A second MARAC referral with a CSE concern is noted on the MACSE referral already made.
    let second = record.record_marac(&marac_input(today)).await.unwrap();
    let v = mash_record.marac_referral(second).await.unwrap().version;
    mash_record.review_marac(second, v, &review).await.unwrap();
    assert_eq!(mash_record.marac_referral(second).await.unwrap().referral_id, Some(rid));
    assert_eq!(mash_record.referrals().await.unwrap().len(), 2, "the concern and the one MACSE referral");
    // The child is now a MACSE slot candidate, as every MACSE referral makes them.
    let chair = person(db, "macse-co-chair@example.org", Role::MacseCoChair, w.school, &[Team::MacsePanel], &[]).await;
    testing::exec(&db.store, "INSERT INTO panels (id, meeting_date, created_at) VALUES (901, '2030-02-01', '2026-01-01T00:00:00Z')").await;
    let candidates = db.store.panels(&chair).slot_candidates(901).await.unwrap();
    assert!(candidates.iter().any(|(id, _)| *id == kid), "{candidates:?}");
    // Audited against the child with ids only.
    let log = db.store.audit().list(&AuditFilter { record_type: Some("child".into()), ..Default::default() }, 200, 0).await.unwrap().0;
    assert!(log.iter().any(|e| e.action == "marac.record" && e.record_id == kid.to_string() && !e.detail.contains("boyfriend")));
    assert!(log.iter().any(|e| e.action == "marac.review" && e.detail.contains("cse-concern")));
}
on_both_engines!(marac_to_macse, a_marac_referral_is_reviewed_for_cse_and_goes_to_macse);

async fn a_marac_referral_needs_a_child_of_16_to_18_by_date_of_birth(db: &TestDb) {
    let w = world(db).await;
    let today = db.store.today();
    let young = testing::new_child(
        &db.store,
        &ChildInput {
            first_name: "Sam".into(),
            last_name: "Young".into(),
            date_of_birth: Some(years_ago(db, 16).succ_opt().unwrap()),
            ..Default::default()
        },
    )
    .await;
    let sixteen = testing::new_child(
        &db.store,
        &ChildInput { first_name: "Tom".into(), last_name: "Sixteen".into(), date_of_birth: Some(years_ago(db, 16)), ..Default::default() },
    )
    .await;
    let unknown = testing::new_child(
        &db.store,
        &ChildInput { first_name: "Uma".into(), last_name: "Unknown".into(), estimated_age: Some(17), ..Default::default() },
    )
    .await;
    let mash = |c| open(db, &w.mash, c, Section::Concerns);
    let e = mash(young).await.record_marac(&marac_input(today)).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.for_field("referred_on").unwrap().contains("was 15")), "{e:?}");
    assert!(mash(sixteen).await.record_marac(&marac_input(today)).await.is_ok(), "the 16th birthday");
    let e = mash(unknown).await.record_marac(&marac_input(today)).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.for_field("referred_on").unwrap().contains("date of birth")), "{e:?}");
    // No CSE concern: recorded with reasons, no referral made.
    let rec = mash(sixteen).await;
    let m = rec.marac_referrals().await.unwrap().remove(0);
    let rec = open(db, &w.mash, sixteen, Section::MashDecision).await;
    let st = rec
        .review_marac(m.id, m.version, &ReviewInput { outcome: Some(CseReviewOutcome::NoCseConcern), reasons: "Peer relationship".into() })
        .await
        .unwrap();
    assert_eq!(st, MaracStatus::NoCseConcern);
    let m = rec.marac_referral(m.id).await.unwrap();
    assert_eq!((m.referral_id, m.review_reasons.as_deref()), (None, Some("Peer relationship")));
    assert!(rec.referrals().await.unwrap().is_empty());
    // A child out of reach is not there at all.
    assert!(matches!(db.store.open_child(&w.practitioner, ChildKey::Child(sixteen), Section::Concerns).await, Err(StoreError::NoSuchChild)));
}
on_both_engines!(marac_ages, a_marac_referral_needs_a_child_of_16_to_18_by_date_of_birth);

async fn flag_coverage_counts_every_child_at_risk_and_the_macse_children(db: &TestDb) {
    let w = world(db).await;
    let tool = db.store.screening().current().await.unwrap();
    let raise = |first: &'static str, yes: &'static [&'static str]| {
        let tool = tool.clone();
        let officer = w.officer.clone();
        async move {
            db.store
                .referrals(&officer)
                .raise(&ConcernForm {
                    child: Some(child(first, NaiveDate::from_ymd_opt(2012, 1, 1).unwrap())),
                    concern: concern(db, ReferralSource::PoliceNotification, None),
                    answers: answers(&tool, yes),
                })
                .await
                .unwrap()
                .child_id
        }
    };
    let high = raise("Hana", &["picked-up-in-cars"]).await;
    let low = raise("Lola", &["truancy"]).await;
    let none = raise("Nora", &[]).await;
    // Hana is also on MACSE (a slot at a panel).
    testing::exec(&db.store, "INSERT INTO panels (id, meeting_date, created_at) VALUES (900, '2030-01-01', '2026-01-01T00:00:00Z')").await;
    testing::exec(
        &db.store,
        &format!(
            "INSERT INTO panel_slots (panel_id, child_id, starts_at, minutes, created_at) VALUES (900, {high}, '10:00', 20, '2026-01-01T00:00:00Z')"
        ),
    )
    .await;
    let cov = db.store.police(&w.officer).flag_coverage().await.unwrap();
    assert_eq!((cov.at_risk.total, cov.at_risk.flagged, cov.macse.total, cov.macse.flagged), (2, 0, 1, 0));
    assert!(cov.at_risk.without.iter().all(|r| r.child_id != none), "no apparent risk is not counted");
    assert!(cov.at_risk.without.iter().any(|r| r.child_id == high && r.macse) && cov.at_risk.without.iter().any(|r| r.child_id == low && !r.macse));
    open(db, &w.officer, low, Section::Operations).await.record_police_flag(Some(true), Some(db.store.today()), db.store.today()).await.unwrap();
    let cov = db.store.police(&w.officer).flag_coverage().await.unwrap();
    assert_eq!((cov.at_risk.flagged, cov.at_risk.percent(), cov.macse.percent()), (1, 50, 0));
    assert_eq!(db.store.police(&w.officer).children_without_flag().await.unwrap().total, 1, "the MACSE figure as before");
    assert!(matches!(db.store.police(&w.mash).flag_coverage().await, Err(StoreError::Forbidden)), "police-only");
}
on_both_engines!(flag_coverage, flag_coverage_counts_every_child_at_risk_and_the_macse_children);

async fn a_spoc_monitors_their_agency_and_challenges_low_use(db: &TestDb) {
    let w = world(db).await;
    let tool = db.store.screening().current().await.unwrap();
    for first in ["Ann", "Bea"] {
        db.store
            .referrals(&w.practitioner)
            .raise(&ConcernForm {
                child: Some(child(first, NaiveDate::from_ymd_opt(2011, 1, 1).unwrap())),
                concern: concern(db, ReferralSource::ProfessionalConcern, None),
                answers: answers(&tool, &[]),
            })
            .await
            .unwrap();
    }
    let today = db.store.today();
    let m = db.store.monitoring(&w.spoc);
    assert!(m.monitors(w.school) && !m.monitors(w.other_school) && !m.sees_all());
    let usage = m.usage(Period::ThisMonth, today).await.unwrap();
    let school = usage.iter().find(|a| a.agency_id == w.school).unwrap();
    assert_eq!((school.forms, school.awaiting), (2, 2));
    let other = usage.iter().find(|a| a.agency_id == w.other_school).unwrap();
    assert_eq!(other.forms, 0);
    assert_eq!(assure_domain::monitoring::made_none(&usage).len(), 3, "the other school, the police and social care raised none");
    // Neither a SPOC nor the manager: refused, audited.
    assert!(matches!(db.store.monitoring(&w.practitioner).usage(Period::ThisMonth, today).await, Err(StoreError::Forbidden)));
    // A SPOC challenges only their own agencies; every problem at once.
    let e = m.challenge(&ChallengeInput::default(), today).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.errors.len() == 3), "{e:?}");
    let e = m
        .challenge(&ChallengeInput { agency_id: Some(w.other_school), period: Some(Period::SixMonths), challenge: "Why none?".into() }, today)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.for_field("agency_id").is_some()), "{e:?}");
    let id = m
        .challenge(&ChallengeInput { agency_id: Some(w.school), period: Some(Period::SixMonths), challenge: "Two forms in six months".into() }, today)
        .await
        .unwrap();
    // The manager challenges any agency and sees every challenge.
    let mgr = db.store.monitoring(&w.manager);
    assert!(mgr.sees_all());
    mgr.challenge(
        &ChallengeInput { agency_id: Some(w.other_school), period: Some(Period::TwelveMonths), challenge: "No forms at all".into() },
        today,
    )
    .await
    .unwrap();
    assert_eq!(mgr.challenges().await.unwrap().len(), 2);
    let mine = m.challenges().await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!((mine[0].id, mine[0].forms_in_period, mine[0].response.is_none()), (id, 2, true));
    // The response, once, at the version read.
    assert!(matches!(m.respond(id, mine[0].version + 1, "Training booked").await, Err(StoreError::Conflict)));
    m.respond(id, mine[0].version, "Training booked for all staff").await.unwrap();
    let c = m.challenges().await.unwrap().remove(0);
    assert_eq!(c.response.as_deref(), Some("Training booked for all staff"));
    assert!(matches!(m.respond(id, c.version, "Again").await, Err(StoreError::Invalid(_))));
    let others = mgr.challenges().await.unwrap().into_iter().find(|c| c.agency_id == w.other_school).unwrap();
    assert!(matches!(m.respond(others.id, others.version, "Not mine").await, Err(StoreError::NotFound)), "another agency's challenge");
    let log = db.store.audit().list(&AuditFilter { record_type: Some("agency".into()), ..Default::default() }, 50, 0).await.unwrap().0;
    assert!(log.iter().any(|e| e.action == "agency.challenge" && e.record_id == w.school.to_string()));
    assert!(log.iter().any(|e| e.action == "agency.challenge-response"));
}
on_both_engines!(spoc_monitoring, a_spoc_monitors_their_agency_and_challenges_low_use);

async fn the_analysts_stand_on_the_panel_and_a_home_authority_must_attend(db: &TestDb) {
    use assure_domain::panels::InviteeKind;
    let w = world(db).await;
    let sys = Actor::system();
    let today = db.store.today();
    let police = db.store.partnership().agencies().await.unwrap().into_iter().find(|a| a.kind == AgencyKind::Police).unwrap().id;
    let chair = person(db, "macse-co-chair@example.org", Role::MacseCoChair, police, &[Team::MacsePanel, Team::PoliceCse], &[]).await;
    person(db, "police-analyst@example.org", Role::CseAnalyst, police, &[Team::PoliceAnalyst], &[]).await;
    person(db, "performance-analyst@example.org", Role::CseAnalyst, w.school, &[Team::PerformanceAnalyst], &[]).await;
    let notifier = person(db, "notification-officer@example.org", Role::NotificationOfficer, w.school, &[Team::PlacementNotifications], &[]).await;
    let local = testing::new_child(
        &db.store,
        &ChildInput { first_name: "Lou".into(), last_name: "Local".into(), date_of_birth: Some(years_ago(db, 14)), ..Default::default() },
    )
    .await;
    let placement = assure_storage::placements::PlacementInput {
        child: Some(child("Pia", years_ago(db, 14))),
        placing_authority: "Knowsley".into(),
        new_provider: "Routes Homes Ltd".into(),
        home: "Routes House".into(),
        address: "1 Routes Lane".into(),
        ward: "Linacre".into(),
        start_date: Some(today - chrono::Duration::days(3)),
        received_date: Some(today - chrono::Duration::days(2)),
        risks: assure_domain::placements::Risk::ALL.iter().map(|r| (*r, Some(false), String::new())).collect(),
        ..Default::default()
    };
    let (_, placed) = db.store.placements(&notifier).record_notification(&placement, today).await.unwrap();
    let panel = db
        .store
        .panel_calendar()
        .generate_series(&sys, Some(today + chrono::Duration::days(7)), Some(today + chrono::Duration::days(7)), "Town hall")
        .await
        .unwrap()[0];
    // Before the panel: the analysts (standing members, not in the panel team) cannot open Lou's record.
    for email in ["police-analyst@example.org", "performance-analyst@example.org"] {
        let analyst = testing::reader(&db.store, email).await;
        assert!(matches!(db.store.open_child(&analyst, ChildKey::Child(local), Section::Identity).await, Err(StoreError::NoSuchChild)), "{email}");
    }
    let mut slots = Vec::new();
    for (i, kid) in [placed, local].into_iter().enumerate() {
        let start = chrono::NaiveTime::from_hms_opt(10 + i as u32, 0, 0).unwrap();
        let slot = db.store.panels(&chair).book_slot(panel, Some(kid), Some(start), Some(30)).await.unwrap();
        let rec = open(db, &chair, kid, Section::PanelMinutes).await;
        let proposed = rec.proposed_invitees().await.unwrap();
        let standing: Vec<&str> = proposed.iter().filter(|p| p.kind == InviteeKind::StandingMember).map(|p| p.name.as_str()).collect();
        assert!(standing.contains(&"police-analyst@example.org (police analyst)"), "{standing:?}");
        assert!(standing.contains(&"performance-analyst@example.org (performance analyst)"), "{standing:?}");
        assert!(standing.contains(&"macse-co-chair@example.org"), "{standing:?}");
        let home: Vec<&str> = proposed.iter().filter(|p| p.kind == InviteeKind::HomeAuthority).map(|p| p.name.as_str()).collect();
        assert_eq!(home, if kid == placed { vec!["Knowsley"] } else { vec![] }, "only a child placed from elsewhere has a home authority");
        let added = rec.invite_proposed(panel, slot, today).await.unwrap();
        assert_eq!(added, proposed.len());
        assert_eq!(rec.invite_proposed(panel, slot, today).await.unwrap(), 0, "nobody invited twice, the home authority included");
        slots.push(slot);
    }
    let agenda = db.store.panels(&chair).agenda(panel).await.unwrap();
    let slot = agenda.iter().find(|s| s.id == slots[0]).unwrap();
    let must: Vec<(&str, bool)> =
        slot.invitations.iter().filter(|i| i.must_attend).map(|i| (i.name.as_str(), i.kind == InviteeKind::HomeAuthority)).collect();
    assert_eq!(must, vec![("Knowsley", true)], "the home authority must attend");
    assert!(agenda.iter().find(|s| s.id == slots[1]).unwrap().invitations.iter().all(|i| !i.must_attend));
    // Invited by hand as the home authority: must attend too.
    let rec = open(db, &chair, local, Section::PanelMinutes).await;
    let id = rec.invite(panel, slots[1], Some(InviteeKind::HomeAuthority), None, None, "Sefton", today).await.unwrap();
    let agenda = db.store.panels(&chair).agenda(panel).await.unwrap();
    assert!(agenda.iter().flat_map(|s| &s.invitations).any(|i| i.id == id && i.must_attend));

    // Invited to the slots as standing members, the analysts now see those children (need to
    // know through the panel), each view audited with that reason; a child on no slot of
    // theirs stays out of reach, and no police-only section opens through the panel.
    let elsewhere = testing::new_child(
        &db.store,
        &ChildInput { first_name: "Ned".into(), last_name: "Nopanel".into(), date_of_birth: Some(years_ago(db, 13)), ..Default::default() },
    )
    .await;
    for (email, team) in [("police-analyst@example.org", Team::PoliceAnalyst), ("performance-analyst@example.org", Team::PerformanceAnalyst)] {
        let analyst = testing::reader(&db.store, email).await;
        // (Pia's notification made the performance analyst's own agency involved: that is the reason shown for her.)
        open(db, &analyst, placed, Section::PanelMinutes).await;
        let rec = open(db, &analyst, local, Section::PanelMinutes).await;
        assert_eq!(rec.basis(), &assure_domain::partnership::Basis::StandingMember(team), "{email}");
        assert!(matches!(db.store.open_child(&analyst, ChildKey::Child(elsewhere), Section::Identity).await, Err(StoreError::NoSuchChild)));
        assert!(matches!(db.store.open_child(&analyst, ChildKey::Child(local), Section::Prosecute).await, Err(StoreError::Restricted)));
        let uid = analyst.actor().user_id.unwrap();
        let log = db.store.audit().list(&AuditFilter { record_type: Some("child".into()), ..Default::default() }, 500, 0).await.unwrap().0;
        let viewed = log
            .iter()
            .find(|e| e.action == "child.view" && e.record_id == local.to_string() && e.actor_user_id == Some(uid))
            .expect("the view is audited");
        assert!(viewed.detail.contains("standing member"), "{}", viewed.detail);
    }
}
on_both_engines!(panel_invitees, the_analysts_stand_on_the_panel_and_a_home_authority_must_attend);
