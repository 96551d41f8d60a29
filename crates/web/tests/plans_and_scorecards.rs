//! Plans and scorecards over HTTP, on SQLite and PostgreSQL: a lead officer updates a
//! plan action and sees the measure it must move on the same page (a stale form is a
//! conflict, not an overwrite); a committee member reads the scorecard (small numbers
//! suppressed) and the cross-reference of the statement of action's two versions, and
//! changes nothing; bad input — overlapping bands, bands against their direction, a
//! re-draft naming another plan's action — gets a clear 422 and saves nothing; the
//! monitoring report gains its Outcome column in both layouts when a recommendation
//! names a measure; a recommendation signed off as completed with its outcome not yet
//! improved says so.

mod common;

use assure_domain::report::Layout;
use assure_storage::on_both_engines;
use assure_storage::testing::{self, TestDb};
use axum::http::StatusCode;
use common::{demo_app, Client};

async fn signed_in(db: &TestDb, email: &str) -> Client {
    let mut c = Client::new(demo_app(db).await);
    c.sign_in(email).await;
    c
}

/// The demo's plan titled `title`.
async fn plan_titled(db: &TestDb, title: &str) -> i64 {
    db.store.improvement_plans().list().await.unwrap().into_iter().find(|p| p.title == title).unwrap_or_else(|| panic!("the demo has {title}")).id
}

async fn a_lead_officer_updates_an_action_beside_its_outcome(db: &TestDb) {
    let plan = plan_titled(db, "Children's services improvement plan").await;
    let v = db.store.improvement_plans().version(plan, 1).await.unwrap();
    let action = v.actions.iter().find(|a| a.r#ref == "1.1.7").unwrap();
    let mut lead = signed_in(db, "lead-officer@example.org").await;
    let page = lead.get(&format!("/plans/{plan}/actions/{}", action.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("Assessments completed within 45 days: 72% ("), "the outcome from the month agreed: {}", page.body);
    assert!(page.has("Good; improving."), "{}", page.body);
    assert!(page.has("<svg") && page.has("Update the action"));
    let token = page.csrf();
    let path = format!("/plans/{plan}/actions/{}", action.id);
    let version = action.version.to_string();
    let r = lead
        .post_form(
            &path,
            &[("_csrf", &token), ("version", &version), ("commentary", "Clinics now twice weekly."), ("due", "ongoing"), ("rag", "amber")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = lead.get(&path).await;
    assert!(page.has("Clinics now twice weekly.") && page.has("Amber") && page.has("Assessments completed within 45 days"));
    // The same form again, on the version it was read at: refused, nothing overwritten.
    let r = lead.post_form(&path, &[("_csrf", &token), ("version", &version), ("commentary", "Stale."), ("due", "ongoing")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(!lead.get(&path).await.has("Stale."));
    // An update with nothing in it says what to do.
    let now = db.store.improvement_plans().action(action.id).await.unwrap().version.to_string();
    let r = lead.post_form(&path, &[("_csrf", &token), ("version", &now), ("due", "by-date")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Enter the review date"), "{}", r.body);
}
on_both_engines!(lead_officer_updates, a_lead_officer_updates_an_action_beside_its_outcome, demo = crate::common::password_hash());

async fn a_committee_member_reads_the_scorecard_and_the_cross_reference(db: &TestDb) {
    let soa = plan_titled(db, "Statement of action: children missing from home and care").await;
    let mut member = signed_in(db, "committee-member@example.org").await;
    let page = member.get(&format!("/plans/{soa}/cross-reference?from=1&to=2")).await;
    assert_eq!(page.status, StatusCode::OK);
    for s in ["Split into", "Merged into", "Replaced by", "Dropped", "held in May 2026; its actions are in A2.1.3", "A2.1.5", "New"] {
        assert!(page.has(s), "{s}: {}", page.body);
    }
    let paper = member.get(&format!("/plans/{soa}/versions/2/docx")).await;
    assert_eq!(paper.status, StatusCode::OK);
    assert!(paper.headers.get("content-disposition").unwrap().to_str().unwrap().contains("version-2.docx"));
    let docx = member.get(&format!("/plans/{soa}/cross-reference/docx?from=1&to=2")).await;
    assert_eq!(docx.status, StatusCode::OK);
    assert_eq!(docx.headers.get("content-type").unwrap(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    let cse = db.store.scorecards().list().await.unwrap().into_iter().find(|c| c.title == "CSE partnership scorecard").unwrap().id;
    let card = member.get(&format!("/scorecards/{cse}")).await;
    assert_eq!(card.status, StatusCode::OK);
    assert!(card.has("Return interviews within 72 hours") && card.has("Requires improvement") && card.has("app-sparkline"));
    assert!(card.has("suppressed"), "a committee member reads published figures: {}", card.body);
    // A member changes nothing.
    let token = card.csrf();
    let before = testing::count_rows(&db.store, "performance_measures").await;
    let r = member.post_form(&format!("/scorecards/{cse}/measures"), &[("_csrf", &token), ("title", "Mine"), ("outstanding", "Increase")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(testing::count_rows(&db.store, "performance_measures").await, before);
    // A practitioner has no plans at all.
    let mut teacher = signed_in(db, "practitioner@example.org").await;
    assert_eq!(teacher.get("/plans").await.status, StatusCode::FORBIDDEN);
    assert_eq!(teacher.get("/scorecards").await.status, StatusCode::FORBIDDEN);
    // The analyst sees the CSE scorecard in full.
    let mut analyst = signed_in(db, "cse-analyst@example.org").await;
    let full = analyst.get(&format!("/scorecards/{cse}")).await;
    assert!(!full.has("(suppressed)"), "{}", full.body);
}
on_both_engines!(committee_reads, a_committee_member_reads_the_scorecard_and_the_cross_reference, demo = crate::common::password_hash());

async fn bad_bands_and_bad_lineage_get_a_clear_answer_and_save_nothing(db: &TestDb) {
    let mut officer = signed_in(db, "scrutiny-officer@example.org").await;
    let card = db.store.scorecards().list().await.unwrap()[0].id;
    let token = officer.csrf().await;
    let before = testing::count_rows(&db.store, "performance_measures").await;
    let path = format!("/scorecards/{card}/measures");
    let overlapping = [
        ("_csrf", token.as_str()),
        ("title", "Visits on time"),
        ("requires_improvement", "65-79"),
        ("good", "75-89"),
        ("outstanding", "90-100"),
        ("source", "entered"),
    ];
    let r = officer.post_form(&path, &overlapping).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("There is a problem") && r.has("overlaps"), "{}", r.body);
    assert!(r.has("value=\"75-89\""), "what was typed is kept");
    let against = [
        ("_csrf", token.as_str()),
        ("title", "Caseloads"),
        ("requires_improvement", "35-26"),
        ("good", "25-20"),
        ("outstanding", "19-10"),
        ("direction", "higher-is-better"),
        ("source", "entered"),
    ];
    let r = officer.post_form(&path, &against).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("The bands run downwards so lower is better"), "{}", r.body);
    assert_eq!(testing::count_rows(&db.store, "performance_measures").await, before);

    // A re-draft of the improvement plan naming the statement of action's action.
    let plan = plan_titled(db, "Children's services improvement plan").await;
    let versions = testing::count_rows(&db.store, "improvement_plan_versions").await;
    let csv = "Ref,Action,Lineage\n1.1.7,Clinics,Replaces 1.1.7\n1.1.8,Audit,Replaces A2.1.7\n1.1.18,Scorecard,Replaces 1.1.18\n1.2.1,Recruit,Replaces 1.2.1\n1.2.2,Carers,Replaces 1.2.2\n";
    let r = officer
        .post_multipart(&format!("/plans/{plan}/versions?_csrf={token}"), &[("note", "Board feedback")], &[("file", "plan.csv", csv.as_bytes())])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.has("A2.1.7 which the version before has not got"), "{}", r.body);
    assert!(r.has("Action 1.1.8 of the version before is neither carried forward nor dropped"), "{}", r.body);
    assert_eq!(testing::count_rows(&db.store, "improvement_plan_versions").await, versions);
    // A file with problems in its cells is refused row by row.
    let csv = "Ref,Action,Progress / review date,Lineage\n1.1.x,Clinics,soon,Borrowed\n";
    let r = officer
        .post_multipart(&format!("/plans/{plan}/versions?_csrf={token}"), &[("note", "Board feedback")], &[("file", "plan.csv", csv.as_bytes())])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Row 2, column “Ref”"), "{}", r.body);
    assert_eq!(testing::count_rows(&db.store, "improvement_plan_versions").await, versions);
    // A good re-draft saves, and opens on its cross-reference.
    let csv = "Ref,Action,Lineage\n1.1.7,Clinics,Replaces 1.1.7\n1.1.8,Audit,Replaces 1.1.8\n1.1.18,Scorecard,Dropped: in the new dashboard\n1.2.1,Recruit,Merged from 1.2.1 and 1.2.2\n";
    let r = officer
        .post_multipart(&format!("/plans/{plan}/versions?_csrf={token}"), &[("note", "Board feedback")], &[("file", "plan.csv", csv.as_bytes())])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let xref = officer.get(r.location()).await;
    assert!(xref.has("Merged into") && xref.has("in the new dashboard"), "{}", xref.body);
    // The measure followed the carried-forward action into version 2.
    let v2 = db.store.improvement_plans().version(plan, 2).await.unwrap();
    let a = v2.actions.iter().find(|a| a.r#ref == "1.1.7").unwrap();
    assert!(officer.get(&format!("/plans/{plan}/actions/{}", a.id)).await.has("Assessments completed within 45 days: 72%"));
}
on_both_engines!(bad_input, bad_bands_and_bad_lineage_get_a_clear_answer_and_save_nothing, demo = crate::common::password_hash());

async fn the_monitoring_report_gains_its_outcome_column(db: &TestDb) {
    let review =
        db.store.tracker().reviews().await.unwrap().into_iter().find(|r| r.title == "Licensing/Child Sexual Exploitation Working Group").unwrap().id;
    let officer = assure_storage::Actor::system();
    for layout in [Layout::ProgressMade, Layout::RagTracker] {
        let input = assure_storage::reports::ReportInput {
            review_id: Some(review),
            body_id: None,
            meeting_date: Some(common::today()),
            layout: Some(layout),
        };
        let id = db.store.reports().create(&officer, &input).await.unwrap();
        let report = db.store.reports().monitoring_report(id, common::today()).await.unwrap();
        assert!(report.has_outcomes());
        assert_eq!(report.headings().last(), Some(&"Outcome"), "{layout:?}");
        let linked = report.rows.iter().filter(|r| !r.outcomes.is_empty()).count();
        assert_eq!(linked, 4, "the demo links four of the working group's recommendations");
        let first = &report.rows[0].outcomes[0];
        assert!(first.text.starts_with("Return interviews within 72 hours: "), "{}", first.text);
        let mut c = signed_in(db, "scrutiny-officer@example.org").await;
        let page = c.get(&format!("/reports/{id}")).await;
        assert!(page.has(">Outcome<") && page.has("Return interviews within 72 hours: "), "{layout:?}: {}", page.body);
        let docx = c.get(&format!("/reports/{id}/download/docx")).await;
        assert_eq!(docx.status, StatusCode::OK);
        let csv = c.get(&format!("/reports/{id}/download/csv")).await;
        assert!(csv.body.lines().next().unwrap().ends_with("\"Outcome\""), "{}", csv.body);
    }
    // Signed off with the outcome not yet improved: the recommendation and the dashboard say so.
    let not_moved = db.store.scorecards().not_moved(None).await.unwrap();
    assert!(not_moved.iter().any(|n| n.label.starts_with("Plan action 1.2.2")), "{not_moved:?}");
    assert!(not_moved.iter().any(|n| n.label.starts_with("Recommendation")), "{not_moved:?}");
    let mut c = signed_in(db, "scrutiny-officer@example.org").await;
    assert!(c.get("/").await.has("Done, but the outcome has not moved"));
    let mut awaiting = None;
    for n in &not_moved {
        if let assure_storage::scorecards::Linked::Recommendation(id) = n.linked {
            let r = db.store.tracker().recommendation(id).await.unwrap();
            if r.lifecycle == assure_domain::tracker::Lifecycle::CompleteAwaitingSignOff {
                awaiting = Some(r);
            }
        }
    }
    let r = awaiting.expect("a complete recommendation awaiting sign-off whose outcome has not moved");
    let rid = r.id;
    let page = c.get(&format!("/recommendations/{rid}")).await;
    assert!(page.has("Completed — outcome not yet improved"), "the sign-off offers it");
    let body = db.store.tracker().bodies().await.unwrap()[0].id.to_string();
    let token = page.csrf();
    let date = common::today();
    let resp = c
        .post_form(
            &format!("/recommendations/{rid}/sign-off"),
            &[
                ("_csrf", &token),
                ("version", &r.version.to_string()),
                ("body_id", &body),
                ("meeting_date-day", &date.format("%d").to_string()),
                ("meeting_date-month", &date.format("%m").to_string()),
                ("meeting_date-year", &date.format("%Y").to_string()),
                ("minute_ref", "Minute 9"),
                ("outcome_not_improved", "yes"),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    assert!(db.store.tracker().recommendation(rid).await.unwrap().outcome_not_improved);
    assert!(c.get(&format!("/recommendations/{rid}")).await.has("app-tag--orange"));
}
on_both_engines!(outcome_column, the_monitoring_report_gains_its_outcome_column, demo = crate::common::password_hash());

async fn a_scorecard_sheet_imports_whole_or_not_at_all(db: &TestDb) {
    let mut officer = signed_in(db, "scrutiny-officer@example.org").await;
    let token = officer.csrf().await;
    let card = db.store.scorecards().list().await.unwrap().into_iter().find(|c| c.title.starts_with("Children's services")).unwrap().id;
    let path = format!("/scorecards/{card}/import?_csrf={token}");
    let before = testing::count_rows(&db.store, "performance_measures").await;
    let values = testing::count_rows(&db.store, "measure_values").await;
    // One row's bands overlap, another's value is not a number: nothing is saved.
    let bad = "Performance measure,What does it show?,Requires improvement,Good,Outstanding,Apr 2026\n\
               Children seen within 10 days,Views heard,65-75,75-84,85-100,80\n\
               Supervisions to standard,Regular supervision,70-79,80-89,90-100,most\n";
    let r = officer.post_multipart(&path, &[], &[("file", "scorecard.csv", bad.as_bytes())]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Row 2, column “Good”") && r.has("Row 3, column “Apr 2026”"), "{}", r.body);
    assert_eq!(testing::count_rows(&db.store, "performance_measures").await, before);
    // A good file adds the new measure and writes every value, the existing measure's too.
    let good = "Performance measure,What does it show?,Requires improvement,Good,Outstanding,Mar 2026,Apr 2026\n\
                Children seen within 10 days,Views heard,65-74,75-84,85-100,78,86\n\
                Average caseload of a social worker,,35-26,25-20,19-10,,22\n";
    let r = officer.post_multipart(&path, &[], &[("file", "scorecard.csv", good.as_bytes())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(testing::count_rows(&db.store, "performance_measures").await, before + 1);
    let (_, measures) = db.store.scorecards().scorecard(card).await.unwrap();
    let seen = measures.iter().find(|m| m.title == "Children seen within 10 days").unwrap();
    assert_eq!(seen.points().iter().map(|p| p.1).collect::<Vec<_>>(), [78.0, 86.0]);
    let caseloads = measures.iter().find(|m| m.title == "Average caseload of a social worker").unwrap();
    let april = caseloads.values.iter().find(|v| v.month == assure_domain::datasets::Month::new(2026, 4).unwrap()).unwrap();
    assert_eq!((april.value, april.source), (22.0, assure_domain::scorecard::ValueSource::Imported));
    assert!(testing::count_rows(&db.store, "measure_values").await >= values + 2);
    let page = officer.get(&format!("/scorecards/{card}")).await;
    assert!(page.has("Children seen within 10 days"), "{}", page.body);
    // The CSE scorecard's computed measures take no values from a file.
    let cse = db.store.scorecards().list().await.unwrap().into_iter().find(|c| c.title == "CSE partnership scorecard").unwrap().id;
    let computed = "Performance measure,Requires improvement,Good,Outstanding,Apr 2026\nReturn interviews within 72 hours,0-79,80-94,95-100,99\n";
    let r = officer.post_multipart(&format!("/scorecards/{cse}/import?_csrf={token}"), &[], &[("file", "cse.csv", computed.as_bytes())]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("is computed from the CSE dataset"), "{}", r.body);
}
on_both_engines!(scorecard_import, a_scorecard_sheet_imports_whole_or_not_at_all, demo = crate::common::password_hash());
