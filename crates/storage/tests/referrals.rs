//! Concerns, screening, the MASH queue and decision, and the return to the SPOC, on
//! SQLite and PostgreSQL: the whole flow (each step through the child's record), and
//! refusals that leave nothing saved.

use assure_domain::partnership::{AgencyKind, InvolvementKind, PathwayRole, Section, Team, Viewer};
use assure_domain::referral::{CheckInput, ConcernInput, DecisionInput, MashDecision, ReferralSource, ReferralStatus};
use assure_domain::screening::{Answers, RiskLevel, ScreeningTool};
use assure_domain::Role;
use assure_storage::audit::AuditFilter;
use assure_storage::children::ChildInput;
use assure_storage::on_both_engines;
use assure_storage::referrals::{ChildRef, ConcernForm};
use assure_storage::testing::{self, TestDb};
use assure_storage::users::NewUser;
use assure_storage::{Actor, ChildKey, ChildRecord, Reader, StoreError};
use chrono::{Duration, NaiveDate};

struct World {
    school: i64,
    other_school: i64,
    police: i64,
    practitioner: Reader,
    practitioner_2: Reader,
    spoc: Reader,
    mash: Reader,
    officer: Reader,
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

async fn open(db: &TestDb, r: &Reader, child: i64, s: Section) -> ChildRecord {
    db.store.open_child(r, ChildKey::Child(child), s).await.unwrap_or_else(|e| panic!("{} opens child {child}: {e:?}", r.actor().label))
}

fn check(agency: Option<i64>, shared: &str, police_only: &str) -> CheckInput {
    CheckInput { agency_id: agency, shared: shared.into(), police_only: police_only.into() }
}

async fn world(db: &TestDb) -> World {
    let sys = Actor::system();
    let school = db.store.partnership().create_agency(&sys, "Hillside High School", Some(AgencyKind::Education)).await.unwrap();
    let other_school = db.store.partnership().create_agency(&sys, "Northway Primary School", Some(AgencyKind::Education)).await.unwrap();
    let police = db.store.partnership().create_agency(&sys, "Merseyside Police", Some(AgencyKind::Police)).await.unwrap();
    let care = db.store.partnership().create_agency(&sys, "Children's Social Care", Some(AgencyKind::ChildrensSocialCare)).await.unwrap();
    World {
        school,
        other_school,
        police,
        practitioner: person(db, "practitioner@example.org", Role::Practitioner, school, &[], &[]).await,
        practitioner_2: person(db, "practitioner-2@example.org", Role::Practitioner, other_school, &[], &[]).await,
        spoc: person(db, "spoc@example.org", Role::Spoc, school, &[], &[school]).await,
        mash: person(db, "mash-worker@example.org", Role::MashWorker, care, &[Team::Mash], &[]).await,
        officer: person(db, "police-cse-officer@example.org", Role::PoliceCseOfficer, police, &[Team::PoliceCse], &[]).await,
    }
}

fn answers(tool: &ScreeningTool, yes: &[&str]) -> Answers {
    tool.indicators().map(|i| (i.key.clone(), yes.contains(&i.key.as_str()))).collect()
}

fn concern(source: ReferralSource) -> ConcernInput {
    ConcernInput {
        source: Some(source),
        reported_by: None,
        what_seen: "Seen getting into a car with two adult men after school".into(),
        seen_on: Some(assure_domain::Clock::system().today()),
        seen_where: "Outside the school gates".into(),
        seen_by: "Form tutor".into(),
        referral_text: "Referral to the MASH for screening".into(),
    }
}

fn new_child(first: &str) -> ChildRef {
    ChildRef::New(ChildInput {
        first_name: first.into(),
        last_name: "Example".into(),
        date_of_birth: NaiveDate::from_ymd_opt(2004, 5, 6),
        ..Default::default()
    })
}

/// (referrals, children) in the whole database, as the MASH sees it (the list through
/// the unaudited fixture, each child's referrals through the MASH worker's record).
async fn counts(db: &TestDb, mash_reader: &Reader) -> (usize, assure_storage::keyset::Total) {
    let mash = Viewer {
        user_id: 0,
        role: PathwayRole::MashWorker,
        agency_id: 0,
        agency_wide: false,
        teams: vec![Team::Mash],
        spoc_for: vec![],
        emergency_children: vec![],
        panel_children: vec![],
        audit_children: vec![],
    };
    let (children, total) = testing::children_in_reach(&db.store, &mash, None, 1000, 0).await;
    let mut n = 0;
    for c in children {
        n += open(db, mash_reader, c.id, Section::Concerns).await.referrals().await.unwrap().len();
    }
    (n, total)
}

async fn the_whole_flow(db: &TestDb) {
    let w = world(db).await;
    let tool = db.store.screening().current().await.unwrap();
    assert_eq!(tool.version, 1, "the default tool is seeded as version 1");
    let (pr, mash) = (&w.practitioner, &w.mash);

    // A concern about a new child, scored high, lands on the MASH queue.
    let raised = db
        .store
        .referrals(pr)
        .raise(&ConcernForm {
            child: Some(new_child("Amy")),
            concern: concern(ReferralSource::ProfessionalConcern),
            answers: answers(&tool, &["picked-up-in-cars"]),
        })
        .await
        .unwrap();
    assert_eq!(raised.risk_level, RiskLevel::High);
    let child = open(db, pr, raised.child_id, Section::Screening).await;
    assert!(child.child().involvements.iter().any(|i| i.agency_id == w.school && i.kind == InvolvementKind::RaisedConcern));
    // A second concern about the same child, chosen from within reach, scored low.
    let second = db
        .store
        .referrals(pr)
        .raise(&ConcernForm {
            child: Some(ChildRef::Existing(raised.child_id)),
            concern: concern(ReferralSource::ProfessionalConcern),
            answers: answers(&tool, &["truancy"]),
        })
        .await
        .unwrap();
    assert_eq!((second.child_id, second.risk_level), (raised.child_id, RiskLevel::Low));
    // A police 101 notification about another child.
    assert!(db.store.referrals(&w.officer).raises_as_police().await.unwrap() && !db.store.referrals(pr).raises_as_police().await.unwrap());
    let police = db
        .store
        .referrals(&w.officer)
        .raise(&ConcernForm { child: Some(new_child("Ben")), concern: concern(ReferralSource::PoliceNotification), answers: answers(&tool, &[]) })
        .await
        .unwrap();
    assert_eq!(police.risk_level, RiskLevel::NoApparentRisk);

    // The queue: oldest first, with age in hours.
    let q = db.store.referrals(mash).mash_queue(db.store.clock().now() + Duration::hours(5)).await.unwrap();
    assert_eq!(q.iter().map(|x| x.referral.id).collect::<Vec<_>>(), vec![raised.referral_id, second.referral_id, police.referral_id]);
    assert!(q.iter().all(|x| (4..=5).contains(&x.age_hours)), "{:?}", q.iter().map(|x| x.age_hours).collect::<Vec<_>>());
    assert_eq!(q[2].referral.source, ReferralSource::PoliceNotification);
    // A practitioner with no involvement sees none of it through the rule.
    assert!(db.store.referrals(&w.practitioner_2).mash_queue(db.store.clock().now()).await.unwrap().is_empty());

    // Checks, then the decision, through the child's record opened by the MASH.
    let record = open(db, mash, raised.child_id, Section::MashDecision).await;
    let r = record.referral(raised.referral_id).await.unwrap();
    assert_eq!((r.status, r.version), (ReferralStatus::Submitted, 1));
    record.record_check(raised.referral_id, &check(Some(w.police), "Two missing episodes reported in March", "")).await.unwrap();
    let e = record.record_check(raised.referral_id, &check(None, " ", "")).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.for_field("agency_id").is_some() && i.for_field("holds").is_some()), "{e:?}");
    // Another child's referral is not found through this record.
    assert!(matches!(record.referral(police.referral_id).await, Err(StoreError::NotFound)));
    assert!(matches!(record.record_check(police.referral_id, &check(Some(w.police), "Nothing held", "")).await, Err(StoreError::NotFound)));
    let r = record.referral(raised.referral_id).await.unwrap();
    assert_eq!(r.status, ReferralStatus::ChecksInProgress);
    assert!(r.picked_up_at.is_some());
    assert_eq!(record.mash_checks(r.id).await.unwrap().len(), 1);
    record
        .decide(
            r.id,
            r.version,
            &DecisionInput { decision: Some(MashDecision::Macse), reasons: "High risk: refer to the panel".into(), interventions: String::new() },
        )
        .await
        .unwrap();
    let decided = record.referral(r.id).await.unwrap();
    assert_eq!((decided.status, decided.decision), (ReferralStatus::Decided, Some(MashDecision::Macse)));
    assert!(decided.decided_at.is_some() && decided.returned_at.is_none() && !decided.keep_monitoring);
    assert_eq!(decided.decided_by_name.as_deref(), Some("mash-worker@example.org"));

    // No CSE concern: returned to the SPOC, who sees it first and acknowledges it.
    let s = record.referral(second.referral_id).await.unwrap();
    record
        .decide(
            s.id,
            s.version,
            &DecisionInput {
                decision: Some(MashDecision::NoCseConcern),
                reasons: "Attendance only".into(),
                interventions: "Attendance officer and mentoring".into(),
            },
        )
        .await
        .unwrap();
    let mine = db.store.referrals(&w.spoc).spoc_referrals().await.unwrap();
    assert_eq!(
        mine.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![second.referral_id, raised.referral_id],
        "returned first, police referral not theirs"
    );
    assert!(mine[0].keep_monitoring && mine[0].returned_at.is_some() && mine[0].status == ReferralStatus::ReturnedToSpoc);
    assert!(db.store.referrals(pr).spoc_referrals().await.unwrap().is_empty(), "not a SPOC");
    let e = open(db, pr, raised.child_id, Section::MashDecision).await.acknowledge_return(mine[0].id, mine[0].version).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)));
    let for_spoc = open(db, &w.spoc, raised.child_id, Section::MashDecision).await;
    assert!(matches!(for_spoc.acknowledge_return(mine[0].id, mine[0].version - 1).await, Err(StoreError::Conflict)));
    for_spoc.acknowledge_return(mine[0].id, mine[0].version).await.unwrap();
    let ack = for_spoc.referral(second.referral_id).await.unwrap();
    assert_eq!(ack.status, ReferralStatus::AcknowledgedBySpoc);
    assert_eq!(ack.spoc_acknowledged_by_name.as_deref(), Some("spoc@example.org"));
    assert!(matches!(for_spoc.acknowledge_return(ack.id, ack.version).await, Err(StoreError::Invalid(_))), "only once");

    // The queue now holds only the police notification.
    assert_eq!(
        db.store.referrals(mash).mash_queue(db.store.clock().now()).await.unwrap().iter().map(|x| x.referral.id).collect::<Vec<_>>(),
        vec![police.referral_id]
    );
    assert_eq!(record.referrals().await.unwrap().len(), 2);

    // Every step is in the child's audit trail, with no personal data.
    let (log, _) = db
        .store
        .audit()
        .list(&AuditFilter { record_type: Some("child".into()), record_id: Some(raised.child_id.to_string()), ..Default::default() }, 100, 0)
        .await
        .unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    for a in ["child.create", "child.involvement", "referral.raise", "referral.check", "referral.decide", "referral.acknowledge"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    assert!(log.iter().all(|e| !e.detail.contains("Amy") && !e.detail.contains("car")), "no personal data in the audit");
}
on_both_engines!(flow, the_whole_flow);

async fn refusals_save_nothing(db: &TestDb) {
    let w = world(db).await;
    let tool = db.store.screening().current().await.unwrap();
    let pr = &w.practitioner;
    let before = counts(db, &w.mash).await;

    // No screening answers: every question is named, nothing saved (not even the new child).
    let e = db
        .store
        .referrals(pr)
        .raise(&ConcernForm { child: Some(new_child("Cara")), concern: concern(ReferralSource::ProfessionalConcern), answers: Answers::new() })
        .await
        .unwrap_err();
    let StoreError::Invalid(i) = e else { panic!("{e:?}") };
    assert!(i.for_field("screening").unwrap().contains("no answers"));
    assert!(i.for_field("answer-second-phone").is_some());
    assert_eq!(counts(db, &w.mash).await, before);

    // Everything wrong at once comes back at once.
    let e = db
        .store
        .referrals(pr)
        .raise(&ConcernForm {
            child: Some(ChildRef::New(ChildInput::default())),
            concern: ConcernInput { source: Some(ReferralSource::PoliceNotification), ..Default::default() },
            answers: answers(&tool, &[]),
        })
        .await
        .unwrap_err();
    let StoreError::Invalid(i) = e else { panic!() };
    for f in ["first_name", "last_name", "date_of_birth", "source", "what_seen", "seen_on", "seen_where", "seen_by", "referral_text"] {
        assert!(i.for_field(f).is_some(), "{f}: {i}");
    }
    assert!(i.for_field("source").unwrap().contains("Only police"));
    // The problems alone, without saving, are the same.
    let problems = db
        .store
        .referrals(pr)
        .problems(&ConcernForm {
            child: Some(ChildRef::New(ChildInput::default())),
            concern: ConcernInput { source: Some(ReferralSource::PoliceNotification), ..Default::default() },
            answers: answers(&tool, &[]),
        })
        .await
        .unwrap();
    assert_eq!(problems, i);

    // A child out of the raiser's reach is refused like one that does not exist.
    let other = db
        .store
        .referrals(&w.practitioner_2)
        .raise(&ConcernForm { child: Some(new_child("Dan")), concern: concern(ReferralSource::ProfessionalConcern), answers: answers(&tool, &[]) })
        .await
        .unwrap();
    let after_other = counts(db, &w.mash).await;
    for id in [other.child_id, 999_999] {
        let e = db
            .store
            .referrals(pr)
            .raise(&ConcernForm {
                child: Some(ChildRef::Existing(id)),
                concern: concern(ReferralSource::ProfessionalConcern),
                answers: answers(&tool, &[]),
            })
            .await
            .unwrap_err();
        let StoreError::Invalid(i) = e else { panic!() };
        assert_eq!(i.for_field("child"), Some("Choose a child from the search results, or enter a new child's details"));
    }
    assert_eq!(counts(db, &w.mash).await, after_other);
    let still = db.store.open_child(pr, ChildKey::Child(other.child_id), Section::Identity).await;
    assert!(matches!(still, Err(StoreError::NoSuchChild)), "the refused concern did not involve the school");

    // A decision without a reason, and a stale one.
    let record = open(db, &w.mash, other.child_id, Section::MashDecision).await;
    let r = record.referral(other.referral_id).await.unwrap();
    let e = record
        .decide(
            r.id,
            r.version,
            &DecisionInput { decision: Some(MashDecision::ChildProtection), reasons: String::new(), interventions: String::new() },
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.for_field("reasons").is_some()));
    let e = record
        .decide(r.id, r.version, &DecisionInput { decision: Some(MashDecision::NoCseConcern), reasons: "None".into(), interventions: String::new() })
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.for_field("interventions").is_some()));
    let e = record
        .decide(r.id, r.version + 1, &DecisionInput { decision: Some(MashDecision::Macse), reasons: "Stale".into(), interventions: String::new() })
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict));
    // Someone whose role does not decide, with the record open: refused before anything is read.
    let raiser = open(db, &w.practitioner_2, other.child_id, Section::MashDecision).await;
    let e = raiser
        .decide(r.id, r.version, &DecisionInput { decision: Some(MashDecision::Macse), reasons: "Mine".into(), interventions: String::new() })
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden), "{e:?}");
    assert!(matches!(raiser.record_check(r.id, &check(Some(w.school), "Nothing", "")).await, Err(StoreError::Forbidden)));
    let unchanged = record.referral(r.id).await.unwrap();
    assert_eq!((unchanged.status, unchanged.decision, unchanged.version), (ReferralStatus::Submitted, None, r.version));
    assert!(record.mash_checks(r.id).await.unwrap().is_empty());
}
on_both_engines!(refusals, refusals_save_nothing);

async fn the_tool_is_versioned(db: &TestDb) {
    let w = world(db).await;
    let pr = &w.practitioner;
    let v1 = db.store.screening().current().await.unwrap();
    let first = db
        .store
        .referrals(pr)
        .raise(&ConcernForm { child: Some(new_child("Eve")), concern: concern(ReferralSource::ProfessionalConcern), answers: answers(&v1, &[]) })
        .await
        .unwrap();
    let mut edited = v1.clone();
    edited.categories.truncate(2);
    edited.rules.retain(|r| r.weight != Some(assure_domain::screening::Weight::Low));
    let mut bad = edited.clone();
    bad.categories[0].indicators.clear();
    assert!(matches!(db.store.screening().save(pr.actor(), &bad).await, Err(StoreError::Invalid(_))));
    assert_eq!(db.store.screening().current().await.unwrap().version, 1);
    assert_eq!(db.store.screening().save(pr.actor(), &edited).await.unwrap(), 2);
    let v2 = db.store.screening().current().await.unwrap();
    assert_eq!((v2.version, v2.categories.len()), (2, 2));
    // Old answers no longer fit: the unknown questions are refused.
    let e = db
        .store
        .referrals(pr)
        .raise(&ConcernForm { child: Some(new_child("Fay")), concern: concern(ReferralSource::ProfessionalConcern), answers: answers(&v1, &[]) })
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(ref i) if i.for_field("screening").unwrap().contains("not a question")));
    // The old referral keeps its version, which can still be read.
    let record = open(db, pr, first.child_id, Section::Screening).await;
    assert_eq!(record.referral(first.referral_id).await.unwrap().tool_version, 1);
    assert_eq!(db.store.screening().version(1).await.unwrap(), v1);
    let _ = (w.other_school, &w.spoc);
}
on_both_engines!(tool_versions, the_tool_is_versioned);

/// The MASH queue a page at a time (keyset): forwards through every page and back again,
/// each referral once and in queue order, the count of all waiting with every page.
async fn the_queue_is_paged_by_key(db: &TestDb) {
    use assure_storage::keyset::{Page, PageRequest};
    let w = world(db).await;
    let tool = db.store.screening().current().await.unwrap();
    for i in 0..8 {
        let form = ConcernForm {
            child: Some(new_child(&format!("Paged{i}"))),
            concern: concern(ReferralSource::ProfessionalConcern),
            answers: answers(&tool, &[]),
        };
        db.store.referrals(&w.practitioner).raise(&form).await.unwrap();
    }
    let now = db.store.clock().now();
    let all: Vec<i64> = db.store.referrals(&w.mash).mash_queue(now).await.unwrap().iter().map(|q| q.referral.id).collect();
    assert_eq!(all.len(), 8);
    let ids = |p: &Page<assure_storage::referrals::Queued>| p.items.iter().map(|q| q.referral.id).collect::<Vec<_>>();
    let mut seen = Vec::new();
    let mut req = PageRequest::first(3);
    let mut pages = Vec::new();
    loop {
        let (page, waiting) = db.store.referrals(&w.mash).mash_queue_page(now, &req).await.unwrap();
        assert_eq!(waiting, 8);
        assert_eq!(page.previous.is_some(), !pages.is_empty(), "a previous page from page 2 on");
        seen.extend(ids(&page));
        pages.push(ids(&page));
        match &page.next {
            Some(n) => req = PageRequest::from_link(Some(n), 3),
            None => {
                // Back from the last page: the pages before, in the same order.
                let mut back = page.previous.clone();
                let mut i = pages.len() - 1;
                while let Some(p) = back {
                    i -= 1;
                    let (prev, _) = db.store.referrals(&w.mash).mash_queue_page(now, &PageRequest::from_link(Some(&p), 3)).await.unwrap();
                    assert_eq!(ids(&prev), pages[i]);
                    assert!(prev.next.is_some());
                    back = prev.previous;
                }
                assert_eq!(i, 0, "back to the first page");
                break;
            }
        }
    }
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), vec![3, 3, 2]);
    assert_eq!(seen, all, "every referral once, oldest first");
    // A practitioner with no involvement: nothing, on any page.
    let (none, n) = db.store.referrals(&w.practitioner_2).mash_queue_page(now, &PageRequest::first(3)).await.unwrap();
    assert!(none.items.is_empty() && none.next.is_none() && n == 0);
}
on_both_engines!(queue_paged, the_queue_is_paged_by_key);
