//! The demo partnership, on SQLite and PostgreSQL: a child at every stage of the
//! pathway, the second school's practitioner involved with none of them, and the
//! police-only content reachable only through police-visible sections.

use std::collections::HashSet;

use assure_domain::partnership::{Section, Viewer};
use assure_domain::plan::visible_for;
use assure_domain::referral::{MashDecision, ReferralSource, ReferralStatus};
use assure_storage::on_both_engines;
use assure_storage::referrals::Referral;
use assure_storage::testing::TestDb;
use chrono::Utc;

async fn viewer(db: &TestDb, email: &str) -> Viewer {
    let (user, _) = db.store.user_by_email(email).await.unwrap().unwrap_or_else(|| panic!("demo account {email}"));
    db.store.viewer(user.id).await.unwrap().unwrap_or_else(|| panic!("{email} is on the pathway"))
}

async fn child_named(db: &TestDb, v: &Viewer, first: &str) -> i64 {
    let (found, _) = db.store.children_for(v, Some(first), 50, 0).await.unwrap();
    found.iter().find(|c| c.first_name == first).unwrap_or_else(|| panic!("demo child {first}")).id
}

async fn demo_partnership_has_every_stage(db: &TestDb) {
    let today = Utc::now().date_naive();
    let started = std::time::Instant::now();
    assert!(assure_storage::demo::load(&db.store, today, "hash").await.unwrap());
    let took = started.elapsed();
    eprintln!("demo load on {:?}: {took:?}", db.engine);
    assert!(took.as_secs_f64() < 10.0, "the demo loads quickly ({took:?})");

    let mash = viewer(db, "mash-worker@example.org").await;
    let (all, total) = db.store.children_for(&mash, None, 1000, 0).await.unwrap();
    assert!(total >= 12, "a dozen children ({total})");

    // Every referral, as the MASH sees them: each status, decision and source.
    let mut referrals: Vec<Referral> = Vec::new();
    for c in &all {
        referrals.extend(db.store.referrals_of_child(c.id).await.unwrap());
    }
    let statuses: HashSet<ReferralStatus> = referrals.iter().map(|r| r.status).collect();
    for s in ReferralStatus::ALL {
        assert!(statuses.contains(s), "a referral {}", s.slug());
    }
    let decisions: HashSet<MashDecision> = referrals.iter().filter_map(|r| r.decision).collect();
    for d in MashDecision::ALL {
        assert!(decisions.contains(d), "a decision {}", d.slug());
    }
    assert!(referrals.iter().any(|r| r.source == ReferralSource::PoliceNotification), "a 101 notification");
    let spoc = viewer(db, "spoc@example.org").await;
    let returned = db.store.spoc_referrals(&spoc).await.unwrap();
    assert!(
        returned.iter().any(|r| r.status == ReferralStatus::ReturnedToSpoc)
            && returned.iter().any(|r| r.status == ReferralStatus::AcknowledgedBySpoc)
    );

    // The queue: one concern a few hours old, one waiting more than a day, one with checks.
    let queue = db.store.mash_queue(&mash, Utc::now()).await.unwrap();
    assert!(queue.len() >= 5, "{}", queue.len());
    assert!(queue.iter().any(|q| q.age_hours < 6) && queue.iter().any(|q| q.age_hours > 24));
    let checked = queue.iter().find(|q| q.referral.status == ReferralStatus::ChecksInProgress).expect("checks in progress");
    assert!(!db.store.mash_checks(checked.referral.id).await.unwrap().is_empty());

    // Panels: a fortnightly series around today, slots at the next one.
    let analyst = viewer(db, "cse-analyst@example.org").await;
    let panels = db.store.panels_for(&analyst).await.unwrap();
    assert!(
        panels.iter().any(|p| p.panel.meeting_date < today) && panels.iter().all(|p| p.panel.meeting_date != today),
        "no panel today (tests add their own)"
    );
    let next = panels.iter().find(|p| p.panel.meeting_date > today).unwrap();
    assert!(next.visible_slots >= 1 && !db.store.agenda(&analyst, next.panel.id).await.unwrap()[0].invitations.is_empty());

    // A plan in two versions, with police-only content in its Prosecute section only.
    let police = viewer(db, "police-cse-officer@example.org").await;
    let jess = child_named(db, &mash, "Jessica").await;
    assert_eq!(db.store.plan_versions(jess).await.unwrap().len(), 2);
    let plan = db.store.current_plan(jess).await.unwrap().unwrap();
    let prosecute: Vec<_> = plan.actions_in(Section::Prosecute).collect();
    assert!(!prosecute.is_empty() && !plan.discussion(Section::Prosecute).is_empty());
    let agencies: HashSet<i64> = plan.actions.iter().filter_map(|a| a.agency_id).collect();
    assert!(agencies.len() >= 3, "actions owned by several agencies");
    let police_words = ["Child Abduction Warning Notice", "Operation Kestrel"];
    for v in [&police, &viewer(db, "macse-co-chair@example.org").await] {
        let seen = visible_for(&plan, v);
        assert!(!seen.actions_in(Section::Prosecute).collect::<Vec<_>>().is_empty() && seen.discussion(Section::Prosecute).contains(police_words[0]));
    }
    for v in [&spoc, &viewer(db, "practitioner@example.org").await, &mash, &analyst] {
        let seen = visible_for(&plan, v);
        assert!(!seen.present_sections().contains(&Section::Prosecute));
        let shown = serde_json::to_string(&seen).unwrap();
        for w in police_words {
            assert!(!shown.contains(w), "{w} is police-only");
        }
        assert!(!v.may_see_section(Section::Operations));
    }

    // Police flags: some MACSE children flagged, some not; an operation with children and an update.
    let cover = db.store.macse_children_without_flag(&police).await.unwrap();
    assert!(cover.flagged >= 1 && !cover.without.is_empty(), "{cover:?}");
    let op = db.store.operations().await.unwrap().into_iter().find(|o| o.name == "Operation Kestrel").unwrap();
    assert!(db.store.operation_children_for(&police, op.id).await.unwrap().0.len() >= 2);
    assert!(!db.store.operation_updates(op.id).await.unwrap().is_empty());

    // A likely duplicate for the MASH, and an emergency access for review.
    assert!(!db.store.duplicate_candidates(today, 50).await.unwrap().is_empty());
    assert!(!db.store.emergency_access_log().await.unwrap().is_empty());

    // Need to know: the Hillside people see several children, not all; Northway none.
    let practitioner = viewer(db, "practitioner@example.org").await;
    let (_, mine) = db.store.children_for(&practitioner, None, 1000, 0).await.unwrap();
    assert!(mine >= 5 && mine < total, "{mine} of {total}");
    let (_, spocs) = db.store.children_for(&spoc, None, 1000, 0).await.unwrap();
    assert!(spocs >= 5);
    let p2 = viewer(db, "practitioner-2@example.org").await;
    assert_eq!(db.store.children_for(&p2, None, 1000, 0).await.unwrap().1, 0);
    assert!(all.iter().all(|c| c.involvements.iter().all(|i| i.agency_id != p2.agency_id)));
}
on_both_engines!(demo_partnership, demo_partnership_has_every_stage);

/// The placements demo: ~200 children placed by ~27 authorities, several above the
/// threshold, one authority escalated, providers of concern, and missing episodes in
/// every list the missing monitoring group works from; Northway still sees no child.
async fn demo_placements_fill_every_list(db: &TestDb) {
    let today = Utc::now().date_naive();
    assert!(assure_storage::demo::load(&db.store, today, "hash").await.unwrap());
    let officer = viewer(db, "notification-officer@example.org").await;
    let mash = viewer(db, "mash-worker@example.org").await;

    let notifications = db.store.list_notifications(&officer, None).await.unwrap();
    assert!((190..=210).contains(&notifications.len()), "about 200 notifications ({})", notifications.len());
    let authorities: HashSet<&str> = notifications.iter().map(|n| n.placing_authority.as_str()).collect();
    assert!((25..=29).contains(&authorities.len()), "about 27 authorities ({})", authorities.len());
    let counts = db.store.placed_counts_by_authority(today).await.unwrap();
    assert!(counts.iter().filter(|(_, _, over)| *over).count() >= 3, "several authorities above five: {counts:?}");
    assert!(notifications.iter().any(|n| n.present_risks().is_empty()) && notifications.iter().any(|n| !n.present_risks().is_empty()));
    use assure_domain::placements::Timeliness;
    assert_eq!(notifications.iter().filter(|n| n.timeliness() == Timeliness::NotNotified).count(), 2, "two found without a notification");
    assert!(notifications.iter().filter(|n| matches!(n.timeliness(), Timeliness::Late(_))).count() >= 3, "a handful late");

    let mut escalated = Vec::new();
    for a in &authorities {
        if !db.store.escalations(a).await.unwrap().is_empty() {
            escalated.push(*a);
        }
    }
    assert_eq!(escalated.len(), 1, "one authority escalated: {escalated:?}");
    assert_eq!(db.store.escalations(escalated[0]).await.unwrap().len(), 2, "the director, then Ofsted");
    let providers = db.store.providers().await.unwrap();
    let with_concerns: Vec<_> = providers.iter().filter(|p| !p.concerns.is_empty()).collect();
    assert!(with_concerns.len() >= 3 && with_concerns.iter().any(|p| p.concerns.iter().any(|c| c.ofsted_referral_date.is_some())));

    // The missing monitoring group's lists.
    let now = assure_storage::missing::local_now();
    assert!(!db.store.episodes_in_month(&mash, now.date()).await.unwrap().is_empty(), "episodes this month");
    assert!(!db.store.repeatedly_missing_children(&mash, now.date()).await.unwrap().is_empty(), "missing three times in 90 days");
    assert!(!db.store.interviews_not_offered_in_time(&mash, now).await.unwrap().is_empty(), "an interview offered late");
    let placed = db.store.episodes_of_children_placed_from_elsewhere(&mash).await.unwrap();
    assert!(placed.len() >= 4 && placed.iter().any(|e| e.ended_at.is_none()), "other authorities' children, one still missing");
    assert!(
        placed.iter().any(|e| e.routes.iter().any(|r| r.forum == assure_domain::missing::Forum::Macse && r.referral_id.is_some())),
        "a CSE link referred to MACSE"
    );

    // The queues: the police CSE unit has CSE notifications to acknowledge; Northway sees nothing.
    let police = viewer(db, "police-cse-officer@example.org").await;
    assert!(!db.store.notification_queue(&police, today).await.unwrap().is_empty());
    let p2 = viewer(db, "practitioner-2@example.org").await;
    assert_eq!(db.store.children_for(&p2, None, 1000, 0).await.unwrap().1, 0);
    assert!(db.store.list_notifications(&p2, None).await.unwrap().is_empty() && db.store.notification_queue(&p2, today).await.unwrap().is_empty());
    assert!(db.store.episodes_in_month(&p2, now.date()).await.unwrap().is_empty());
}
on_both_engines!(demo_placements, demo_placements_fill_every_list);
