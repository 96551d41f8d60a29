//! Missing episodes, return interviews, pattern routing and the missing monitoring
//! group's lists, on SQLite and PostgreSQL: refusals that leave nothing saved, the
//! 72-hour and three-in-90-days lists, a CSE link that refers the child to MACSE, an
//! organised-crime link routed to guns and gangs, and lists that keep to need to know.

use assure_domain::missing::{default_pattern_rules, Findings, Forum, InterviewResponse, MissingFrom, PatternRule, RiskGrading, Trigger};
use assure_domain::partnership::{AgencyKind, InvolvementKind, LegalStatus, Section, Team};
use assure_domain::referral::{MashDecision, ReferralSource, ReferralStatus};
use assure_domain::Clock;
use assure_domain::Role;
use assure_storage::children::{ChildInput, ChildSearch};
use assure_storage::keyset::{Page, PageRequest, Total};
use assure_storage::missing::{EpisodeInput, InterviewInput, MACSE_REASON};
use assure_storage::on_both_engines;
use assure_storage::referrals::ChildRef;
use assure_storage::testing::{self, TestDb};
use assure_storage::users::NewUser;
use assure_storage::{Actor, ChildKey, ChildRecord, Reader, StoreError};
use chrono::{Duration, NaiveDate, NaiveDateTime};

struct World {
    school: i64,
    practitioner: Reader,
    practitioner_2: Reader,
    mash: Reader,
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

/// A child's record as the reader opens it for the missing section.
async fn open(db: &TestDb, r: &Reader, child: i64) -> ChildRecord {
    db.store
        .open_child(r, ChildKey::Child(child), Section::Missing)
        .await
        .unwrap_or_else(|e| panic!("{} opens child {child}: {e:?}", r.actor().label))
}

/// How many children there are (as the MASH sees them).
async fn children(db: &TestDb, mash: &Reader) -> i64 {
    db.store.children(mash).search(&ChildSearch::default(), 100, 0).await.unwrap().1.counted()
}

async fn world(db: &TestDb) -> World {
    let sys = Actor::system();
    let school = db.store.partnership().create_agency(&sys, "Hillside High School", Some(AgencyKind::Education)).await.unwrap();
    let other_school = db.store.partnership().create_agency(&sys, "Northway Primary School", Some(AgencyKind::Education)).await.unwrap();
    let care = db.store.partnership().create_agency(&sys, "Children's Social Care", Some(AgencyKind::ChildrensSocialCare)).await.unwrap();
    World {
        school,
        practitioner: person(db, "practitioner@example.org", Role::Practitioner, school, &[]).await,
        practitioner_2: person(db, "practitioner-2@example.org", Role::Practitioner, other_school, &[]).await,
        mash: person(db, "mash-worker@example.org", Role::MashWorker, care, &[Team::Mash]).await,
    }
}

fn new_child(first: &str) -> ChildRef {
    ChildRef::New(ChildInput {
        first_name: first.into(),
        last_name: "Example".into(),
        date_of_birth: NaiveDate::from_ymd_opt(2009, 5, 6),
        ..Default::default()
    })
}

/// An episode `days_ago` days back at 20:00 for `hours` hours (`None`: still missing).
fn episode(child: ChildRef, start: NaiveDateTime, hours: Option<i64>) -> EpisodeInput {
    EpisodeInput {
        child: Some(child),
        missing_from: Some(MissingFrom::Care),
        started_at: Some(start),
        ended_at: hours.map(|h| start + Duration::hours(h)),
        where_found: if hours.is_some() { "Returned to the home by police".into() } else { String::new() },
        police_reference: "MP/2026/0001".into(),
        risk_grading: Some(RiskGrading::Medium),
    }
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
}

/// The London time the tests run at: mid-June, no clock change within the episodes'
/// 72 hours (which would move a deadline by an hour).
fn local_now() -> NaiveDateTime {
    at("2026-06-15T12:00")
}

/// The database on a test clock set to [`local_now`].
fn on_test_clock(db: &TestDb) -> TestDb {
    db.with_clock(Clock::fixed_london(local_now()))
}

fn ago(days: i64) -> NaiveDateTime {
    let t = local_now() - Duration::days(days);
    t.date().and_hms_opt(8, 0, 0).unwrap()
}

fn interview(offered: NaiveDateTime, findings: Findings) -> InterviewInput {
    InterviewInput {
        offered_at: Some(offered),
        response: Some(InterviewResponse::Accepted),
        interviewer: "A. Worker".into(),
        provider: "Independent Return Interviews Ltd".into(),
        said_about_cse: if findings.cse { "Was given alcohol by older men at a flat".into() } else { String::new() },
        said_about_organised_crime: if findings.organised_crime { "Was asked to carry a package to another town".into() } else { String::new() },
        where_and_with_whom: "A flat in town with older men".into(),
        follow_up_actions: "Tell the social worker; safety plan".into(),
        findings,
    }
}

fn invalid(e: StoreError, field: &str) -> String {
    match e {
        StoreError::Invalid(i) => i.for_field(field).unwrap_or_else(|| panic!("no message for {field}: {i:?}")).to_string(),
        other => panic!("expected invalid, got {other:?}"),
    }
}

async fn refusals_leave_nothing_saved(db: &TestDb) {
    let db = &on_test_clock(db);
    let w = world(db).await;
    let pr = &w.practitioner;
    // End before start, on a new child: refused, and the child is not created either.
    let mut bad = episode(new_child("Amy"), ago(3), Some(1));
    bad.ended_at = Some(ago(4));
    assert!(invalid(db.store.missing(pr).record_episode(&bad).await.unwrap_err(), "end").contains("after"));
    assert_eq!(children(db, &w.mash).await, 0, "no child saved");
    // The problems alone, without saving, are the same.
    assert!(db.store.missing(pr).problems(&bad).await.unwrap().for_field("end").unwrap().contains("after"));
    // A future start is refused.
    let future = episode(new_child("Amy"), local_now() + Duration::days(1), None);
    assert!(invalid(db.store.missing(pr).record_episode(&future).await.unwrap_err(), "start").contains("future"));

    let (child, first) = db.store.missing(pr).record_episode(&episode(new_child("Amy"), ago(10), Some(30))).await.unwrap();
    // Recording involves the recorder's agency.
    let rec = open(db, pr, child).await;
    assert!(rec.child().involvements.iter().any(|i| i.agency_id == w.school && i.kind == InvolvementKind::RecordedMissing));
    // Overlapping the first episode: refused, nothing saved.
    let overlap = episode(ChildRef::Existing(child), ago(10) + Duration::hours(5), Some(2));
    assert!(invalid(db.store.missing(pr).record_episode(&overlap).await.unwrap_err(), "start").contains("already has a missing episode"));
    assert_eq!(rec.episodes().await.unwrap().len(), 1);
    // A still-missing episode overlaps everything after it.
    let (_, open_ep) = db.store.missing(pr).record_episode(&episode(ChildRef::Existing(child), ago(5), None)).await.unwrap();
    assert!(db.store.missing(pr).record_episode(&episode(ChildRef::Existing(child), ago(2), Some(1))).await.is_err());
    // Ending it before it began is refused; ending it into the first episode cannot happen (it is later).
    let ep = rec.episode(open_ep).await.unwrap();
    assert!(invalid(rec.end_episode(open_ep, ep.version, Some(ago(6)), "Home").await.unwrap_err(), "end").contains("after"));
    assert!(invalid(rec.end_episode(open_ep, ep.version, Some(ago(4)), " ").await.unwrap_err(), "where_found").contains("where"));
    // An episode of another child reads as not found through that child's record.
    let (other_child, _) = db.store.missing(pr).record_episode(&episode(new_child("Ben"), ago(3), Some(2))).await.unwrap();
    let other = open(db, pr, other_child).await;
    assert!(matches!(other.end_episode(open_ep, ep.version, Some(ago(4)), "Home").await.unwrap_err(), StoreError::NotFound));
    assert!(matches!(other.episode(open_ep).await.unwrap_err(), StoreError::NotFound));
    // Ended; a stale version is a conflict.
    rec.end_episode(open_ep, ep.version, Some(ago(4)), "Found at a friend's house").await.unwrap();
    assert!(matches!(rec.end_episode(open_ep, ep.version, Some(ago(4)), "Home").await.unwrap_err(), StoreError::Conflict));
    // An interview before the return, or without an answer, is refused; a stale one conflicts.
    let mut early = interview(ago(11), Findings::default());
    early.response = None;
    let e = rec.record_interview(first, None, &early).await.unwrap_err();
    assert!(invalid(e.clone_invalid(), "offered_at").contains("before the child returned"));
    assert!(invalid(e, "response").contains("accepted or declined"));
    rec.record_interview(first, None, &interview(ago(8), Findings::default())).await.unwrap();
    assert!(matches!(rec.record_interview(first, None, &interview(ago(8), Findings::default())).await.unwrap_err(), StoreError::Conflict));
    let v = rec.episode(first).await.unwrap().interview.unwrap().version;
    rec.record_interview(first, Some(v), &interview(ago(8), Findings::default())).await.unwrap();
    assert!(matches!(rec.record_interview(first, Some(v), &interview(ago(8), Findings::default())).await.unwrap_err(), StoreError::Conflict));
    // Every change is audited against the child, without personal data (the access log is the MASH's to read).
    let (log, _) = db.store.open_child(&w.mash, ChildKey::Child(child), Section::AccessLog).await.unwrap().access_log(100, 0).await.unwrap();
    for a in ["missing.record", "missing.end", "missing.interview"] {
        assert!(log.iter().any(|e| e.action == a), "{a} audited");
    }
    assert!(log.iter().all(|e| !e.detail.contains("Amy") && !e.detail.contains("friend") && !e.detail.contains("MP/2026")));
}
on_both_engines!(refusals, refusals_leave_nothing_saved);

trait CloneInvalid {
    fn clone_invalid(&self) -> StoreError;
}
impl CloneInvalid for StoreError {
    fn clone_invalid(&self) -> StoreError {
        match self {
            StoreError::Invalid(i) => StoreError::Invalid(i.clone()),
            other => panic!("expected invalid, got {other:?}"),
        }
    }
}

async fn the_groups_lists(db: &TestDb) {
    let db = &on_test_clock(db);
    let w = world(db).await;
    let (pr, p2, mash) = (&w.practitioner, &w.practitioner_2, &w.mash);
    let now = local_now();
    // Amy: three episodes in 90 days, the last interview never offered (returned 5 days ago).
    let (amy, _) = db.store.missing(pr).record_episode(&episode(new_child("Amy"), ago(80), Some(4))).await.unwrap();
    db.store.missing(pr).record_episode(&episode(ChildRef::Existing(amy), ago(40), Some(4))).await.unwrap();
    let (_, third) = db.store.missing(pr).record_episode(&episode(ChildRef::Existing(amy), ago(5), Some(4))).await.unwrap();
    // The third episode in 90 days went to the missing monitoring group.
    let routes = open(db, pr, amy).await.episode(third).await.unwrap().routes;
    assert_eq!(routes.iter().map(|r| r.forum).collect::<Vec<_>>(), vec![Forum::MissingMonitoringGroup]);
    // Ben: two in 90 days and one older; interview offered late (4 days after return) on one, in time on the other.
    let (ben, b1) = db.store.missing(pr).record_episode(&episode(new_child("Ben"), ago(120), Some(4))).await.unwrap();
    let (_, b2) = db.store.missing(pr).record_episode(&episode(ChildRef::Existing(ben), ago(30), Some(4))).await.unwrap();
    let (_, b3) = db.store.missing(pr).record_episode(&episode(ChildRef::Existing(ben), ago(20), Some(4))).await.unwrap();
    let ben_rec = open(db, pr, ben).await;
    ben_rec.record_interview(b2, None, &interview(ago(30) + Duration::hours(4 + 73), Findings::default())).await.unwrap();
    ben_rec.record_interview(b3, None, &interview(ago(20) + Duration::hours(4 + 71), Findings::default())).await.unwrap();
    // Cara: still missing, and returned an hour ago (within the 72 hours): on neither interview list.
    let (cara, _) = db.store.missing(pr).record_episode(&episode(new_child("Cara"), ago(3), None)).await.unwrap();
    let (dan, _) = db.store.missing(pr).record_episode(&episode(new_child("Dan"), now - Duration::hours(5), Some(4))).await.unwrap();
    // Eve: looked after by another authority, placed here; recorded by practitioner 2's school only.
    let (eve, _) = db.store.missing(p2).record_episode(&episode(new_child("Eve"), ago(2), Some(3))).await.unwrap();
    let eve_rec = db.store.open_child(mash, ChildKey::Child(eve), Section::Identity).await.unwrap();
    eve_rec
        .update_identity(
            eve_rec.child().version,
            &ChildInput {
                first_name: "Eve".into(),
                last_name: "Example".into(),
                date_of_birth: NaiveDate::from_ymd_opt(2009, 5, 6),
                ..Default::default()
            },
            Some(LegalStatus::LookedAfterElsewhere),
        )
        .await
        .unwrap();

    let ids = |eps: Vec<assure_storage::missing::Episode>| eps.iter().map(|e| e.child_id).collect::<Vec<_>>();
    // Three in 90 days: Amy only (Ben's oldest is outside the window).
    let rep = db.store.missing(mash).repeatedly_missing(now.date(), &PageRequest::first(500)).await.unwrap().0.items;
    assert_eq!(rep.iter().map(|r| (r.child_id, r.episodes)).collect::<Vec<_>>(), vec![(amy, 3)]);
    // Not offered within 72 hours: Amy's three (never offered) and Ben's late and unrecorded ones; not Ben's in-time one, Cara or Dan.
    let late = db.store.missing(mash).interviews_not_offered_in_time(now, &PageRequest::first(500)).await.unwrap().0.items;
    assert!(late.iter().any(|e| e.id == third) && late.iter().any(|e| e.id == b2) && late.iter().any(|e| e.id == b1));
    assert!(!late.iter().any(|e| e.id == b3 || e.child_id == cara || e.child_id == dan), "{:?}", ids(late.clone()));
    assert!(late.iter().all(|e| e.offered_in_time(now) == Some(false)));
    // Children of other authorities: Eve.
    assert_eq!(ids(db.store.missing(mash).placed_from_elsewhere(&PageRequest::first(500)).await.unwrap().0.items), vec![eve]);
    // This month: those that started this month.
    let month = db.store.missing(mash).in_month(now.date(), &PageRequest::first(500)).await.unwrap().0.items;
    let first_of_month = NaiveDate::from_ymd_opt(chrono::Datelike::year(&now.date()), chrono::Datelike::month(&now.date()), 1).unwrap();
    assert!(month.iter().all(|e| e.started_at.date() >= first_of_month));
    assert!(month.iter().any(|e| e.child_id == dan));

    // Need to know: the practitioner's school never sees Eve; practitioner 2 sees only Eve.
    for list in [
        db.store.missing(pr).in_month(now.date(), &PageRequest::first(500)).await.unwrap().0.items,
        db.store.missing(pr).interviews_not_offered_in_time(now, &PageRequest::first(500)).await.unwrap().0.items,
        db.store.missing(pr).placed_from_elsewhere(&PageRequest::first(500)).await.unwrap().0.items,
    ] {
        assert!(!list.iter().any(|e| e.child_id == eve));
    }
    for list in [
        db.store.missing(p2).in_month(now.date(), &PageRequest::first(500)).await.unwrap().0.items,
        db.store.missing(p2).interviews_not_offered_in_time(now, &PageRequest::first(500)).await.unwrap().0.items,
        db.store.missing(p2).placed_from_elsewhere(&PageRequest::first(500)).await.unwrap().0.items,
    ] {
        assert!(list.iter().all(|e| e.child_id == eve));
    }
    assert!(db.store.missing(p2).repeatedly_missing(now.date(), &PageRequest::first(500)).await.unwrap().0.items.is_empty());
    // Practitioner 2 cannot record an episode for a child outside their reach, nor open Amy's record.
    let e = db.store.missing(p2).record_episode(&episode(ChildRef::Existing(amy), ago(1), Some(1))).await.unwrap_err();
    assert!(invalid(e, "child").contains("Choose a child"));
    assert!(matches!(db.store.open_child(p2, ChildKey::Child(amy), Section::Missing).await, Err(StoreError::NoSuchChild)));
}
on_both_engines!(lists, the_groups_lists);

async fn patterns_are_routed(db: &TestDb) {
    let db = &on_test_clock(db);
    let w = world(db).await;
    let pr = &w.practitioner;
    let rules = db.store.pattern_rules().current().await.unwrap();
    assert_eq!((rules.version, rules.rules.clone()), (1, default_pattern_rules()), "the defaults are seeded as version 1");

    // A CSE link: the child is referred to MACSE, decided, from the return interview.
    let (amy, e1) = db.store.missing(pr).record_episode(&episode(new_child("Amy"), ago(20), Some(10))).await.unwrap();
    let amy_rec = open(db, pr, amy).await;
    amy_rec.record_interview(e1, None, &interview(ago(19), Findings { cse: true, ..Default::default() })).await.unwrap();
    let refs = amy_rec.referrals().await.unwrap();
    assert_eq!(refs.len(), 1);
    let r = &refs[0];
    assert_eq!(
        (r.source, r.status, r.decision, r.decision_reasons.as_deref()),
        (ReferralSource::ReturnInterview, ReferralStatus::Decided, Some(MashDecision::Macse), Some(MACSE_REASON))
    );
    assert!(r.answers.is_empty(), "no screening is faked");
    assert_eq!(r.agency_id, w.school);
    let routes = amy_rec.episode(e1).await.unwrap().routes;
    assert_eq!(routes.iter().map(|r| (r.forum, r.referral_id)).collect::<Vec<_>>(), vec![(Forum::Macse, Some(r.id))]);
    // A CSE link in a later episode is noted on that MACSE referral, not a second one.
    let (_, e2) = db.store.missing(pr).record_episode(&episode(ChildRef::Existing(amy), ago(10), Some(10))).await.unwrap();
    amy_rec.record_interview(e2, None, &interview(ago(9), Findings { cse: true, ..Default::default() })).await.unwrap();
    assert_eq!(amy_rec.referrals().await.unwrap().len(), 1);
    assert_eq!(amy_rec.episode(e2).await.unwrap().routes[0].referral_id, Some(r.id));
    // Saving the interview again routes nothing twice; asking for routing now adds nothing either.
    let v = amy_rec.episode(e2).await.unwrap().interview.unwrap().version;
    amy_rec.record_interview(e2, Some(v), &interview(ago(9), Findings { cse: true, ..Default::default() })).await.unwrap();
    assert_eq!(amy_rec.episode(e2).await.unwrap().routes.len(), 1);
    assert!(amy_rec.route_episode(e2).await.unwrap().is_empty());

    // Organised crime and a placement concern: guns and gangs, and CICOLA; no referral.
    let (ben, b1) = db.store.missing(pr).record_episode(&episode(new_child("Ben"), ago(20), Some(10))).await.unwrap();
    let ben_rec = open(db, pr, ben).await;
    ben_rec
        .record_interview(b1, None, &interview(ago(19), Findings { organised_crime: true, placement_concern: true, ..Default::default() }))
        .await
        .unwrap();
    let forums: Vec<Forum> = ben_rec.episode(b1).await.unwrap().routes.iter().map(|r| r.forum).collect();
    assert_eq!(forums, vec![Forum::GunsAndGangs, Forum::Cicola]);
    assert!(ben_rec.referrals().await.unwrap().is_empty());

    // Rules are data: a bad set is refused, a stale edit conflicts, a new version routes new interviews.
    let ma = w.mash.actor();
    let mut no_cse: Vec<PatternRule> = default_pattern_rules().into_iter().filter(|r| r.trigger != Trigger::CseLink).collect();
    assert!(matches!(db.store.pattern_rules().save(ma, 1, &no_cse).await.unwrap_err(), StoreError::Invalid(_)));
    no_cse.push(PatternRule { trigger: Trigger::CseLink, forum: Forum::MissingMonitoringGroup });
    assert_eq!(db.store.pattern_rules().save(ma, 1, &no_cse).await.unwrap(), 2);
    assert!(matches!(db.store.pattern_rules().save(ma, 1, &no_cse).await.unwrap_err(), StoreError::Conflict));
    let (cara, c1) = db.store.missing(pr).record_episode(&episode(new_child("Cara"), ago(20), Some(10))).await.unwrap();
    let cara_rec = open(db, pr, cara).await;
    cara_rec.record_interview(c1, None, &interview(ago(19), Findings { cse: true, ..Default::default() })).await.unwrap();
    let routes = cara_rec.episode(c1).await.unwrap().routes;
    assert_eq!(routes.iter().map(|r| (r.forum, r.rule_set_version)).collect::<Vec<_>>(), vec![(Forum::MissingMonitoringGroup, 2)]);
    assert!(cara_rec.referrals().await.unwrap().is_empty());
    assert_eq!(amy_rec.episode(e1).await.unwrap().routes[0].rule_set_version, 1, "earlier routes keep their rules");
}
on_both_engines!(routing, patterns_are_routed);

async fn a_merge_moves_episodes(db: &TestDb) {
    let db = &on_test_clock(db);
    let w = world(db).await;
    let pr = &w.practitioner;
    let (keep, _) = db.store.missing(pr).record_episode(&episode(new_child("Amy"), ago(20), Some(10))).await.unwrap();
    let (dup, _) = db.store.missing(pr).record_episode(&episode(new_child("Amie"), ago(10), Some(10))).await.unwrap();
    let kept = open(db, &w.mash, keep).await;
    let merged = open(db, &w.mash, dup).await;
    kept.merge(&merged, kept.child().version).await.unwrap();
    assert_eq!(kept.episodes().await.unwrap().len(), 2);
    assert!(open(db, &w.mash, dup).await.episodes().await.unwrap().is_empty());
    // The recorder's school sees the kept record with both episodes; the merged one is no longer theirs.
    assert_eq!(open(db, pr, keep).await.episodes().await.unwrap().len(), 2);
    assert!(matches!(db.store.open_child(pr, ChildKey::Child(dup), Section::Missing).await, Err(StoreError::NoSuchChild)));
}
on_both_engines!(merge, a_merge_moves_episodes);

/// At 23:30 UTC on 30 June it is 00:30 on 1 July in London: an episode that began at
/// 00:15 has begun (read as UTC it would be refused as in the future), and it is an
/// episode of July.
async fn after_midnight_in_summer_is_london_time(db: &TestDb) {
    let clock = Clock::fixed("2026-06-30T23:30:00Z".parse().unwrap());
    let db = &db.with_clock(clock.clone());
    let w = world(db).await;
    let (pr, mash) = (&w.practitioner, &w.mash);
    let later = episode(new_child("Amy"), at("2026-07-01T00:45"), None);
    assert!(invalid(db.store.missing(pr).record_episode(&later).await.unwrap_err(), "start").contains("future"));
    let (amy, _) = db.store.missing(pr).record_episode(&episode(new_child("Amy"), at("2026-07-01T00:15"), None)).await.unwrap();
    let july = db.store.missing(mash).in_month(clock.today(), &PageRequest::first(500)).await.unwrap().0.items;
    assert_eq!(july.iter().map(|e| e.child_id).collect::<Vec<_>>(), vec![amy]);
    assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2026, 7, 1).unwrap());
}
on_both_engines!(after_midnight_in_summer, after_midnight_in_summer_is_london_time);

/// Back on the Friday before the clocks go forward (29 March 2026), the return interview
/// is due 72 real hours later: 11:00 on the Monday by the clock, not 10:00.
async fn the_72_hours_across_the_clocks_going_forward(db: &TestDb) {
    let clock = Clock::fixed_london(at("2026-03-27T10:00"));
    let db = &db.with_clock(clock.clone());
    let w = world(db).await;
    let (pr, mash) = (&w.practitioner, &w.mash);
    let (_, ep) = db.store.missing(pr).record_episode(&episode(new_child("Amy"), at("2026-03-27T06:00"), Some(4))).await.unwrap();
    let late = |db: &TestDb| {
        let store = db.store.clone();
        let mash = mash.clone();
        async move { store.missing(&mash).interviews_not_offered_in_time(store.clock().local_now(), &PageRequest::first(500)).await.unwrap().0.items }
    };
    clock.set("2026-03-30T09:30:00Z".parse().unwrap()); // 10:30 BST: 71½ hours after
    assert_eq!(clock.local_now(), at("2026-03-30T10:30"));
    assert!(late(db).await.is_empty(), "not yet late by the London clock");
    clock.advance(Duration::hours(1)); // 11:30 BST: 72½ hours after
    let late = late(db).await;
    assert_eq!(late.iter().map(|e| e.id).collect::<Vec<_>>(), vec![ep]);
    assert_eq!(late[0].interview_due_by, Some(at("2026-03-30T11:00")));
}
on_both_engines!(interview_deadline_across_clock_change, the_72_hours_across_the_clocks_going_forward);

/// One page of one of the group's lists as `r` reads it, as ids (the episode's; the
/// child's for the repeatedly missing), with how many there are in all.
async fn list_page(db: &TestDb, r: &Reader, which: &str, req: &PageRequest) -> (Page<i64>, Total) {
    let m = db.store.missing(r);
    let now = db.store.clock().local_now();
    let episodes = |(p, n): (Page<assure_storage::missing::Episode>, Total)| (p.map(|e| e.id), n);
    match which {
        "month" => episodes(m.in_month(now.date(), req).await.unwrap()),
        "late" => episodes(m.interviews_not_offered_in_time(now, req).await.unwrap()),
        "to-offer" => episodes(m.interviews_to_offer(req).await.unwrap()),
        "elsewhere" => episodes(m.placed_from_elsewhere(req).await.unwrap()),
        "repeated" => {
            let (p, n) = m.repeatedly_missing(now.date(), req).await.unwrap();
            (p.map(|c| c.child_id), n)
        }
        _ => unreachable!("{which}"),
    }
}

/// Walk a list three at a time by its Next links, then back by its Previous links from
/// the last page: each way every row once, in the list's order, as one page of all holds
/// them. Returns that whole list.
async fn walk(db: &TestDb, r: &Reader, which: &str) -> Vec<i64> {
    let who = format!("{} {which}", r.actor().label);
    let (all, total) = list_page(db, r, which, &PageRequest::first(500)).await;
    assert_eq!(all.items.len() as i64, total, "{who}: the count");
    assert!(all.next.is_none() && all.previous.is_none(), "{who}: one page holds them all");
    let mut forwards = Vec::new();
    let mut req = PageRequest::first(3);
    let last = loop {
        let (p, n) = list_page(db, r, which, &req).await;
        assert_eq!(n, total, "{who}: the count on every page");
        assert!(!p.items.is_empty() && p.items.len() <= 3, "{who}: {:?}", p.items);
        assert_eq!(p.previous.is_some(), !forwards.is_empty(), "{who}: a Previous link on every page but the first");
        forwards.extend(p.items.iter().copied());
        match &p.next {
            Some(c) => req = PageRequest::from_link(Some(c), 3),
            None => break p,
        }
    };
    assert_eq!(forwards, all.items, "{who}: forwards, no row twice, none missed, in order");
    let mut backwards = last.items.clone();
    let mut cursor = last.previous.clone();
    while let Some(c) = cursor {
        let (p, _) = list_page(db, r, which, &PageRequest::from_link(Some(&c), 3)).await;
        assert!(p.next.is_some(), "{who}: going back, a Next link on every page");
        backwards.splice(0..0, p.items.iter().copied());
        cursor = p.previous.clone();
    }
    assert_eq!(backwards, all.items, "{who}: backwards, no row twice, none missed, in order");
    all.items
}

/// The group's lists are read a page at a time from a key: walked page by page either
/// way they hold every row once, in order, ties on the time (and on the count and the
/// name) broken by the id; the same for a practitioner whose reach is their school's.
async fn the_groups_lists_page_by_page(db: &TestDb) {
    let db = &on_test_clock(db);
    let w = world(db).await;
    let (pr, mash) = (&w.practitioner, &w.mash);
    // Twelve children, three by each name (so that names tie), each missing at one of
    // three times this month (so that starts, returns and interviews' due times tie),
    // back after two hours; the first eight twice more in the last 90 days, the first
    // four a fourth time (so that the counts tie).
    let times = [ago(2), ago(5), ago(9)];
    let names = ["Amy", "Ben", "Cara", "Dan"];
    let mut kids = Vec::new();
    for i in 0..12 {
        let child = ChildRef::New(ChildInput {
            first_name: names[i / 3].into(),
            last_name: "Example".into(),
            date_of_birth: NaiveDate::from_ymd_opt(2009, 1, 1 + i as u32),
            ..Default::default()
        });
        let (id, _) = db.store.missing(pr).record_episode(&episode(child, times[i % 3], Some(2))).await.unwrap();
        kids.push(id);
        let earlier: &[i64] = if i < 4 {
            &[20, 30, 40]
        } else if i < 8 {
            &[20, 30]
        } else {
            &[]
        };
        for d in earlier {
            db.store.missing(pr).record_episode(&episode(ChildRef::Existing(id), ago(*d), Some(2))).await.unwrap();
        }
    }
    let elsewhere: Vec<String> = kids.iter().step_by(2).map(i64::to_string).collect();
    testing::exec(&db.store, &format!("UPDATE children SET legal_status = 'looked-after-elsewhere' WHERE id IN ({})", elsewhere.join(","))).await;
    // Another school's child, out of the practitioner's reach, at a tied time.
    let (other, _) = db.store.missing(&w.practitioner_2).record_episode(&episode(new_child("Zed"), times[0], Some(2))).await.unwrap();

    for r in [mash, pr] {
        let month = walk(db, r, "month").await;
        // This month's: one episode a child, newest first, ties by the newest record first.
        let mut want: Vec<(NaiveDateTime, i64)> = Vec::new();
        for (i, k) in kids.iter().chain([&other]).enumerate() {
            if *k == other && r.actor().label == pr.actor().label {
                continue;
            }
            let first = open(db, mash, *k).await.episodes().await.unwrap().into_iter().find(|e| e.started_at == times[i % 3]).unwrap();
            want.push((first.started_at, first.id));
        }
        want.sort_by(|a, b| b.cmp(a));
        assert_eq!(month, want.iter().map(|(_, id)| *id).collect::<Vec<_>>(), "{}: this month's, newest first", r.actor().label);
        // Not offered in 72 hours: every episode returned more than 72 hours ago (all but
        // those of two days ago), newest first; to offer: every returned one, the first due first.
        let late = walk(db, r, "late").await;
        let to_offer = walk(db, r, "to-offer").await;
        let mut all = Vec::new();
        for k in kids.iter().chain([&other]) {
            if *k == other && r.actor().label == pr.actor().label {
                continue;
            }
            all.extend(open(db, mash, *k).await.episodes().await.unwrap());
        }
        let mut by_start: Vec<_> = all.iter().filter(|e| e.started_at != times[0]).map(|e| (e.started_at, e.id)).collect();
        by_start.sort_by(|a, b| b.cmp(a));
        assert_eq!(late, by_start.iter().map(|(_, id)| *id).collect::<Vec<_>>(), "{}: late", r.actor().label);
        let mut by_due: Vec<_> = all.iter().map(|e| (e.interview_due_by.unwrap(), e.id)).collect();
        by_due.sort();
        assert_eq!(to_offer, by_due.iter().map(|(_, id)| *id).collect::<Vec<_>>(), "{}: to offer", r.actor().label);
        // Children of other authorities: every episode of the even children, newest first.
        let mut placed: Vec<_> = all.iter().filter(|e| elsewhere.contains(&e.child_id.to_string())).map(|e| (e.started_at, e.id)).collect();
        placed.sort_by(|a, b| b.cmp(a));
        assert_eq!(walk(db, r, "elsewhere").await, placed.iter().map(|(_, id)| *id).collect::<Vec<_>>(), "{}: elsewhere", r.actor().label);
        // Missing three or more times: the first four (four times) then the next four
        // (three), each count by name, the same names by record number.
        let mut repeated: Vec<(i64, &str, i64)> =
            kids.iter().take(8).enumerate().map(|(i, k)| (if i < 4 { -4 } else { -3 }, names[i / 3], *k)).collect();
        repeated.sort();
        assert_eq!(walk(db, r, "repeated").await, repeated.iter().map(|(_, _, k)| *k).collect::<Vec<_>>(), "{}: repeated", r.actor().label);
    }
}
on_both_engines!(lists_page_by_page, the_groups_lists_page_by_page);
