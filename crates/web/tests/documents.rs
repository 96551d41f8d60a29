//! Report and import pages over HTTP, on SQLite and PostgreSQL: what a scrutiny
//! officer and a committee member see, and bad files refused with nothing saved.

mod common;

use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use assure_storage::tracker::RecFilter;
use axum::http::StatusCode;
use common::{demo_app, Client};

async fn licensing(db: &TestDb) -> i64 {
    db.store.tracker().reviews().await.unwrap().into_iter().find(|r| r.title.starts_with("Licensing")).unwrap().id
}

async fn count(db: &TestDb) -> usize {
    db.store.imports().register_entries(&RecFilter::default(), common::today()).await.unwrap().len()
}

async fn reports_are_prepared_issued_and_read(db: &TestDb) {
    let app = demo_app(db).await;
    let wg = licensing(db).await;
    let mut c = Client::new(app.clone());
    c.sign_in("scrutiny-officer@example.org").await;
    let t = c.csrf().await;
    // Nothing to report: a review without recommendations.
    let empty = db
        .store
        .tracker()
        .create_review(
            &assure_storage::Actor::system(),
            &assure_storage::tracker::ReviewInput {
                kind: Some(assure_domain::tracker::ReviewKind::Other),
                title: "Empty".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = c
        .post_form("/reports", &[("_csrf", &t), ("review_id", &empty.to_string()), ("meeting_date", "16/01/2018"), ("layout", "progress-made")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("There are no recommendations to report to this meeting"));
    let r =
        c.post_form("/reports", &[("_csrf", &t), ("review_id", &wg.to_string()), ("meeting_date", "31/02/2018"), ("layout", "progress-made")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("must be a real date"));
    assert!(db.store.reports().list(None).await.unwrap().is_empty());

    let r =
        c.post_form("/reports", &[("_csrf", &t), ("review_id", &wg.to_string()), ("meeting_date", "16/01/2018"), ("layout", "rag-tracker")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = r.location().split('?').next().unwrap().to_string();
    let id: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
    let draft = c.get(&page).await;
    assert!(draft.has("Monitoring report for 16 January 2018") && draft.has("Draft"));
    // The preview of a RAG-tracker draft has the RAG tracker's columns, not the
    // progress-made ones.
    for h in ["Lead officer", "Action", "Date", "Improved outcome for children and young people", "RAG"] {
        assert!(draft.has(&format!(r#"<th class="app-table__header" scope="col">{h}</th>"#)), "the preview has the {h} column");
    }
    for h in ["Progress made", "Progress and dates", "Status"] {
        assert!(!draft.has(&format!(r#"<th class="app-table__header" scope="col">{h}</th>"#)), "the preview has no {h} column");
    }
    // The print view carries its own stylesheet, landscape for the RAG tracker,
    // and the server allows exactly that style element.
    let print = c.get(&format!("{page}/download/html")).await;
    assert!(!print.has("<link") && !print.has("/assets/print.css"), "no external stylesheet");
    assert!(print.has("<style>") && print.has("size: A4 landscape") && print.has(".app-rag--red"), "the print stylesheet is in the page");
    let csp = print.headers.get("content-security-policy").unwrap().to_str().unwrap().to_string();
    assert!(csp.contains("style-src 'self' 'sha256-") && !csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(csp, assure_web::security::csp_with_style(&assure_documents::html::style_text(assure_domain::report::Layout::RagTracker)));
    assert!(
        !c.get(&page).await.headers.get("content-security-policy").unwrap().to_str().unwrap().contains("sha256"),
        "other pages allow no inline style"
    );
    // A committee member never sees a draft.
    let mut member = Client::new(app.clone());
    member.sign_in("committee-member@example.org").await;
    assert_eq!(member.get(&page).await.status, StatusCode::NOT_FOUND);
    assert!(!member.get("/reports").await.has(&page));

    // Every format downloads, and each download is audited.
    for (ext, ctype, magic) in [
        ("docx", "wordprocessingml", "PK"),
        ("xlsx", "spreadsheetml", "PK"),
        ("csv", "text/csv", "\u{feff}"),
        ("html", "text/html", "<!DOCTYPE html>"),
    ] {
        let d = c.get(&format!("{page}/download/{ext}")).await;
        assert_eq!(d.status, StatusCode::OK, "{ext}");
        assert!(d.headers.get("content-type").unwrap().to_str().unwrap().contains(ctype), "{ext}");
        assert!(d.body.starts_with(magic), "{ext}");
    }
    let csv = c.get(&format!("{page}/download/csv")).await;
    assert!(csv.has("Members of Parliament") && csv.has("revised to"), "the revised date is in the CSV");
    assert!(c.get(&format!("{page}/download/exe")).await.status == StatusCode::NOT_FOUND);
    let (audit, _) = db
        .store
        .audit()
        .list(&assure_storage::audit::AuditFilter { action: Some("report.export".into()), ..Default::default() }, 50, 0)
        .await
        .unwrap();
    assert_eq!(audit.len(), 6, "the print view above, four formats and the CSV again");

    // The cover is edited with the error-summary pattern, then issued and frozen.
    let version = db.store.reports().get(id).await.unwrap().version.to_string();
    let cover = c.get(&format!("{page}/cover")).await;
    assert!(cover.has("name=\"report_of\""));
    let mut fields: Vec<(String, String)> = vec![];
    for name in ["report_to", "subject", "wards_affected", "purpose", "recommendation", "reasons"] {
        let r = db.store.reports().get(id).await.unwrap();
        let v = match name {
            "report_to" => r.cover.report_to,
            "subject" => String::new(),
            "wards_affected" => r.cover.wards_affected,
            "purpose" => r.cover.purpose,
            "recommendation" => r.cover.recommendation,
            _ => r.cover.reasons,
        };
        fields.push((name.into(), v));
    }
    let base: Vec<(&str, &str)> = vec![
        ("_csrf", &t),
        ("version", &version),
        ("meeting_date", "16/01/2018"),
        ("report_of", "Head of Regulation and Compliance"),
        ("key_decision", "no"),
        ("in_forward_plan", "no"),
        ("exempt", "no"),
        ("equality", "none"),
        ("layout", "rag-tracker"),
        ("include_changes", "no"),
        ("finance_ref", "FD 4974/17"),
    ];
    let mut form: Vec<(&str, &str)> = base.clone();
    form.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let r = c.post_form(&format!("{page}/cover"), &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("There is a problem") && r.has("Enter the subject of the report") && r.has("href=\"#subject\""));
    let form: Vec<(&str, &str)> =
        form.into_iter().map(|(k, v)| if k == "subject" { (k, "Licensing/CSE: monitoring report") } else { (k, v) }).collect();
    let r = c.post_form(&format!("{page}/cover"), &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(db.store.reports().get(id).await.unwrap().cover.report_of, "Head of Regulation and Compliance");
    let r = c.post_form(&format!("{page}/cover"), &form).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a stale cover edit is refused");

    let version = db.store.reports().get(id).await.unwrap().version.to_string();
    let r = c.post_form(&format!("{page}/issue"), &[("_csrf", &t), ("version", &version)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let issued = member.get(&page).await;
    assert_eq!(issued.status, StatusCode::OK, "members read issued reports");
    assert!(issued.has("Issued: issue 1") && !issued.has("Issue the report") && issued.has("Head of Regulation and Compliance"));
    assert_eq!(member.get(&format!("{page}/download/csv")).await.status, StatusCode::OK);
    let again = c.get(&format!("{page}/cover")).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(again.has("has been issued"));
}
on_both_engines!(reports, reports_are_prepared_issued_and_read, demo = crate::common::password_hash());

const TRACKER_CSV: &str = "Children's services tracker,,,,\r\n\
Ref,Recommendation,Lead Officer,Action,Date,RAG\r\n\
R1,\"1. That the Cabinet Member write to all schools\",Steph Cordon Head of Service,Email all heads,May 2017 / Revised to July 2017,Amber\r\n\
R2,\"2. That the taxi licensing policy be reviewed\nwith the Liverpool City Region\",\"Tom Reid, Head of Regulation and Compliance\",Report to Licensing Committee,Ongoing,G\r\n";

async fn a_tracker_is_imported_all_or_nothing(db: &TestDb) {
    let app = demo_app(db).await;
    let wg = licensing(db).await;
    let review = db
        .store
        .tracker()
        .create_review(
            &assure_storage::Actor::system(),
            &assure_storage::tracker::ReviewInput {
                kind: Some(assure_domain::tracker::ReviewKind::WorkingGroup),
                title: "Children's services tracker".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut c = Client::new(app);
    c.sign_in("scrutiny-officer@example.org").await;
    let t = c.csrf().await;
    let before = count(db).await;

    // Files that are not trackers are refused with a reason, and nothing is kept.
    let r = c.post_multipart(&format!("/imports?_csrf={t}"), &[], &[("file", "tracker.xlsx", b"PK\x03\x04garbage")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("There is a problem"));
    let r = c.post_multipart(&format!("/imports?_csrf={t}"), &[], &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Select the spreadsheet to upload"));

    // A typo in a date: every problem by row and column, nothing imported.
    let bad = TRACKER_CSV.replace("Ongoing", "Dec 202017");
    let r = c.post_multipart(&format!("/imports?_csrf={t}"), &[], &[("file", "tracker.csv", bad.as_bytes())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let batch = r.location().split('?').next().unwrap().to_string();
    let map = c.get(&batch).await;
    assert!(map.has("Choose what each column holds"));
    let mapping = [
        ("_csrf", t.as_str()),
        ("review_id", &review.to_string()),
        ("header_row", "2"),
        ("col_reference", "Ref"),
        ("col_recommendation", "Recommendation"),
        ("col_lead-officer", "Lead Officer"),
        ("col_action", "Action"),
        ("col_action-date", "Date"),
        ("col_rag", "RAG"),
    ];
    let r = c.post_form(&format!("{batch}/preview"), &mapping).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.has("nothing has been imported") && r.has("Row 4") && r.has("Dec 202017"), "{}", r.body);
    // Leaving the recommendation unmapped is refused with a message on that field.
    let unmapped: Vec<(&str, &str)> = mapping.iter().copied().filter(|(k, _)| *k != "col_recommendation").collect();
    let r = c.post_form(&format!("{batch}/preview"), &unmapped).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("There is a problem"));
    assert_eq!(count(db).await, before);

    // The good file: preview, then commit every row, saving the mapping as a preset.
    let r = c.post_multipart(&format!("/imports?_csrf={t}"), &[], &[("file", "tracker.csv", TRACKER_CSV.as_bytes())]).await;
    let batch = r.location().split('?').next().unwrap().to_string();
    let mut with_name = mapping.to_vec();
    with_name.push(("preset_name", "Children's services tracker"));
    let r = c.post_form(&format!("{batch}/preview"), &with_name).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.has("2 recommendations will be added") && r.has("May 2017, revised to July 2017") && r.has("Steph Cordon"), "{}", r.body);
    assert_eq!(count(db).await, before, "a preview saves nothing");
    let r = c.post_form(&format!("{batch}/commit"), &with_name).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(count(db).await, before + 2);
    let recs = db.store.tracker().review_recommendations(review).await.unwrap();
    assert_eq!(recs[0].committee_wording, "That the Cabinet Member write to all schools");
    assert!(recs[0].lead_lines().iter().any(|l| l.contains("Steph Cordon")));
    assert!(db.store.imports().preset("Children's services tracker").await.is_ok());
    // The same file again: refused as a whole (its references are taken).
    let r = c.post_form(&format!("{batch}/commit"), &with_name).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(count(db).await, before + 2);
    let _ = wg;
}
on_both_engines!(imports, a_tracker_is_imported_all_or_nothing, demo = crate::common::password_hash());

/// Over HTTP: a file whose references are held asks the choice (and cannot be committed
/// without one, nor as an update without the versions its preview showed); the preview
/// of an update lists each change; a mapping is saved from the preview (its name checked,
/// in the error summary); a saved mapping finds its heading row in each file (fault 6).
async fn references_held_ask_a_choice_and_mappings_fit_each_file(db: &TestDb) {
    let app = demo_app(db).await;
    licensing(db).await;
    let review = db
        .store
        .tracker()
        .create_review(
            &assure_storage::Actor::system(),
            &assure_storage::tracker::ReviewInput {
                kind: Some(assure_domain::tracker::ReviewKind::WorkingGroup),
                title: "Schools tracker".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut c = Client::new(app);
    c.sign_in("scrutiny-officer@example.org").await;
    let t = c.csrf().await;
    let review_arg = review.to_string();
    let mapping = [
        ("_csrf", t.as_str()),
        ("review_id", review_arg.as_str()),
        ("header_row", "2"),
        ("col_reference", "Ref"),
        ("col_recommendation", "Recommendation"),
        ("col_lead-officer", "Lead Officer"),
        ("col_action", "Action"),
        ("col_action-date", "Date"),
        ("col_rag", "RAG"),
    ];
    let r = c.post_multipart(&format!("/imports?_csrf={t}"), &[], &[("file", "tracker.csv", TRACKER_CSV.as_bytes())]).await;
    let batch = r.location().split('?').next().unwrap().to_string();

    // Saving the mapping from the preview: a name is needed.
    let mut save = mapping.to_vec();
    save.push(("mapping_name", " "));
    let r = c.post_form(&format!("{batch}/mapping"), &save).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.has("There is a problem") && r.has("href=\"#mapping_name\"") && r.has("Enter a name for the column mapping"), "{}", r.body);
    save.pop();
    save.push(("mapping_name", "Schools workbook"));
    let r = c.post_form(&format!("{batch}/mapping"), &save).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.has("The column mapping was saved as “Schools workbook”"), "{}", r.body);
    assert_eq!(db.store.imports().preset("Schools workbook").await.unwrap().header_row, 2);
    let r = c.post_form(&format!("{batch}/commit"), &mapping).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // The same rows again, with a new RAG, in a CSV whose headings are on row 1: the saved
    // mapping finds them there.
    let again = TRACKER_CSV.split_once("\r\n").unwrap().1.replace(",Amber\r\n", ",Green\r\n");
    let r = c.post_multipart(&format!("/imports?_csrf={t}"), &[], &[("file", "again.csv", again.as_bytes())]).await;
    let batch = r.location().split('?').next().unwrap().to_string();
    let map = c.get(&format!("{batch}?preset=Schools+workbook")).await;
    assert!(map.has("id=\"header_row\"") && map.has("value=\"1\""), "the heading row is found in this file: {}", map.body);
    assert!(map.has("<option value=\"Recommendation\" selected"), "the columns are kept: {}", map.body);
    let mut fitted = mapping.to_vec();
    fitted[2] = ("header_row", "1");
    let before = db.store.imports().register_entries(&Default::default(), chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()).await.unwrap();
    let r = c.post_form(&format!("{batch}/preview"), &fitted).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.has("“R1” is already used by recommendation (1) of “Schools tracker”") && r.has("name=\"existing\""), "{}", r.body);
    let r = c.post_form(&format!("{batch}/commit"), &fitted).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "no choice made: {}", r.body);
    let mut update = fitted.clone();
    update.push(("existing", "update"));
    let r = c.post_form(&format!("{batch}/preview"), &update).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.has("0 recommendations will be added") && r.has("1 recommendation already in the register will be updated in place"), "{}", r.body);
    assert!(r.has(">Amber<") && r.has(">Green<") && r.has("Update 1 recommendation"), "{}", r.body);
    let r = c.post_form(&format!("{batch}/commit"), &update).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "an update without the previewed versions: {}", r.body);
    let after = db.store.imports().register_entries(&Default::default(), chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()).await.unwrap();
    assert_eq!(before, after, "nothing changed");
}
on_both_engines!(held_references_and_fitted_mappings, references_held_ask_a_choice_and_mappings_fit_each_file, demo = crate::common::password_hash());

async fn the_register_exports_without_formulas(db: &TestDb) {
    let app = demo_app(db).await;
    let wg = licensing(db).await;
    let rec = db.store.tracker().review_recommendations(wg).await.unwrap().remove(0);
    let mut input = assure_storage::tracker::RecommendationInput {
        committee_wording: "=HYPERLINK(\"http://evil.example\",\"Click\")".into(),
        number: Some(rec.number),
        lead_ids: rec.lead_ids(),
        ..Default::default()
    };
    input.executive_wording = rec.executive_wording.clone();
    db.store.tracker().update_recommendation(&assure_storage::Actor::system(), rec.id, rec.version, &input).await.unwrap();
    let mut c = Client::new(app);
    c.sign_in("committee-member@example.org").await;
    let r = c.get(&format!("/export/register.csv?review_id={wg}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers.get(axum::http::header::CONTENT_LENGTH).is_none(), "the export is streamed, not built whole first");
    assert!(r.has("'=HYPERLINK("), "formula injection is defused");
    assert!(!r.body.contains(",=HYPERLINK") && !r.body.contains("\"=HYPERLINK"));
    // Filtered like the list: only the working group's eight recommendations.
    assert_eq!(r.body.matches("SR (17/18)").count(), 8, "{}", r.body);
    assert!(!c.get(&format!("/export/register.csv?review_id={wg}&rag=green")).await.has("SR (17/18) 04"), "a red one is filtered out");
    let x = c.get("/export/register.xlsx").await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.body.starts_with("PK"));
    assert_eq!(c.get("/export/passwords.csv").await.status, StatusCode::NOT_FOUND);
}
on_both_engines!(export, the_register_exports_without_formulas, demo = crate::common::password_hash());

/// Wrong values on the report forms: each a clear message, nothing changed.
async fn report_forms_refuse_wrong_values(db: &TestDb) {
    let app = demo_app(db).await;
    let wg = licensing(db).await;
    let other = db.store.tracker().reviews().await.unwrap().into_iter().find(|r| r.id != wg && r.recommendation_count > 0).unwrap().id;
    let sys = assure_storage::Actor::system();
    let input = |review: i64, m: &str| assure_storage::reports::ReportInput {
        review_id: Some(review),
        body_id: None,
        meeting_date: assure_domain::dates::parse_iso(m),
        layout: None,
    };
    let jan = db.store.reports().create(&sys, &input(wg, "2018-01-16")).await.unwrap();
    let elsewhere = db.store.reports().create(&sys, &input(other, "2018-01-16")).await.unwrap();
    let mut c = Client::new(app);
    c.sign_in("scrutiny-officer@example.org").await;
    let t = c.csrf().await;
    let page = format!("/reports/{jan}");

    // The cover: unanswered yes/no questions and a malformed email, each named.
    let v = db.store.reports().get(jan).await.unwrap().version.to_string();
    let r = c
        .post_form(
            &format!("{page}/cover"),
            &[
                ("_csrf", &t),
                ("version", &v),
                ("report_to", "Committee"),
                ("meeting_date", "16/01/2018"),
                ("subject", "S"),
                ("report_of", "Head"),
                ("recommendation", "Noted"),
                ("equality", "none"),
                ("layout", "progress-made"),
                ("include_changes", "no"),
                ("contact_email", "paul.fraser"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Select yes or no: is this a key decision?") && r.has("href=\"#key_decision\""), "{}", r.body);
    assert!(r.has("in the correct format"));
    assert_eq!(db.store.reports().get(jan).await.unwrap().version.to_string(), v, "nothing saved");

    // Comparing needs another report, of the same review.
    let r = c.get(&format!("{page}/compare")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.has("Choose a report to compare with"));
    let r = c.get(&format!("{page}/compare?with={elsewhere}")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Only reports for the same review or committee can be compared"));

    // Issuing from a stale page is refused; an issued report cannot be deleted or issued again.
    let r = c.post_form(&format!("{page}/issue"), &[("_csrf", &t), ("version", "999")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(!db.store.reports().get(jan).await.unwrap().is_issued());
    let r = c.post_form(&format!("{page}/issue"), &[("_csrf", &t), ("version", &v)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let v = db.store.reports().get(jan).await.unwrap().version.to_string();
    let r = c.post_form(&format!("{page}/delete"), &[("_csrf", &t), ("version", &v)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("cannot be deleted"));
    let r = c.post_form(&format!("{page}/issue"), &[("_csrf", &t), ("version", &v)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("already been issued"));
    assert!(db.store.reports().get(jan).await.is_ok());

    // The import preview needs a review to import into.
    let csv = "Recommendation\r\nWrite to all schools\r\n";
    let r = c.post_multipart(&format!("/imports?_csrf={t}"), &[], &[("file", "tracker.csv", csv.as_bytes())]).await;
    let batch = r.location().split('?').next().unwrap().to_string();
    let r = c.post_form(&format!("{batch}/preview"), &[("_csrf", &t), ("header_row", "1"), ("col_recommendation", "Recommendation")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Select the review the recommendations belong to"));
    let r = c
        .post_form(
            &format!("{batch}/preview"),
            &[("_csrf", &t), ("review_id", &wg.to_string()), ("header_row", "9"), ("col_recommendation", "Recommendation")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Enter the number of the row that holds the column headings"));
}
on_both_engines!(report_refusals, report_forms_refuse_wrong_values, demo = crate::common::password_hash());

/// Fault 2 of issue 14: lead officers kept as the council wrote them were printed in
/// reports but invisible on the pages. A real RAG tracker's leads, one with an account
/// (Tom Reid) and two without, are shown on the recommendation page, in the review's
/// table and on the edit form, where a name that matches an account is suggested for
/// linking and someone without an account can be named to lead.
async fn leads_kept_as_written_are_shown_and_can_be_linked(db: &TestDb) {
    let app = demo_app(db).await;
    let review = db
        .store
        .tracker()
        .create_review(
            &assure_storage::Actor::system(),
            &assure_storage::tracker::ReviewInput {
                kind: Some(assure_domain::tracker::ReviewKind::WorkingGroup),
                title: "Children's services tracker".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let csv = "Recommendation,Lead Officer,Action,Date,RAG\r\n\
\"1. That the Cabinet Member writes to MPs\",\"Steph Cordon, Head of Service\",Write letters,May 2017 / Revised to July 2017,Amber\r\n\
,Vicky Buchanan – Head of Children's Social Care,Brief members,Completed,\r\n\
\"2. Training for taxi drivers\",\"Tom Reid, Head of Regulation and Compliance\",Run courses,31/03/2018,Green\r\n";
    let table = assure_documents::read::read_table(csv.as_bytes(), "tracker.csv").unwrap();
    let preset = assure_domain::import::Preset {
        name: "RAG tracker".into(),
        header_row: 1,
        mapping: assure_domain::import::Mapping {
            columns: vec![
                (assure_domain::import::ImportField::Recommendation, "Recommendation".into()),
                (assure_domain::import::ImportField::LeadOfficer, "Lead Officer".into()),
                (assure_domain::import::ImportField::Action, "Action".into()),
                (assure_domain::import::ImportField::ActionDate, "Date".into()),
                (assure_domain::import::ImportField::Rag, "RAG".into()),
            ],
        },
    };
    let plan = assure_domain::import::plan(&table, &preset, common::today()).unwrap();
    let out =
        db.store.imports().commit(&assure_storage::Actor::system(), review, &plan, common::today(), "tracker.csv", None).await.unwrap().unwrap();
    assert_eq!((out.leads_linked, out.leads_as_text), (1, 2));
    let recs = db.store.tracker().review_recommendations(review).await.unwrap();
    let first = recs.iter().find(|r| r.number == 1).unwrap();

    let mut c = Client::new(app);
    c.sign_in("scrutiny-officer@example.org").await;
    let page = c.get(&format!("/recommendations/{}", first.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.has("None named"), "{}", page.body);
    assert!(page.has("Steph Cordon, Head of Service") && page.has("Vicky Buchanan"), "{}", page.body);
    let table = c.get(&format!("/reviews/{review}")).await;
    assert!(table.has("Steph Cordon, Vicky Buchanan") && table.has("Tom Reid"), "the review's table names every lead: {}", table.body);

    // The edit form offers the names as written; one that is an account's is suggested.
    let edit = c.get(&format!("/recommendations/{}/edit", first.id)).await;
    assert!(edit.has("Lead officers without an account") && edit.has("Steph Cordon, Head of Service"), "{}", edit.body);
    assert!(!edit.has("lead-suggestion"));
    let t = c.csrf().await;
    let version = first.version.to_string();
    let wording = first.committee_wording.clone();
    let form = [
        ("_csrf", t.as_str()),
        ("version", version.as_str()),
        ("number", "1"),
        ("committee_wording", wording.as_str()),
        ("lead_officers_text", "Steph Cordon, Head of Service\nTom Reid, Head of Regulation and Compliance\nAmina Patel, Virtual School Head"),
    ];
    let r = c.post_form(&format!("/recommendations/{}/edit", first.id), &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.get(&format!("/recommendations/{}", first.id)).await;
    assert!(page.has("Amina Patel, Virtual School Head"), "someone without an account leads: {}", page.body);
    let edit = c.get(&format!("/recommendations/{}/edit", first.id)).await;
    assert!(edit.has("lead-suggestion") && edit.has("“Tom Reid, Head of Regulation and Compliance” may be Tom Reid"), "{}", edit.body);
}
on_both_engines!(leads_as_written, leads_kept_as_written_are_shown_and_can_be_linked, demo = crate::common::password_hash());

/// Fault 4 of issue 14: an update cell beginning "Update 14 October 2025: ..." was
/// stored with the import's date and printed as "<today> — Update 14 October 2025: ...".
/// A "Recommendation | Progress made" tracker imported on the web: the preview shows
/// each update's date as the council wrote it, and so does the recommendation page.
async fn update_dates_are_read_from_the_text_as_written(db: &TestDb) {
    let app = demo_app(db).await;
    let review = db
        .store
        .tracker()
        .create_review(
            &assure_storage::Actor::system(),
            &assure_storage::tracker::ReviewInput {
                kind: Some(assure_domain::tracker::ReviewKind::WorkingGroup),
                title: "Licensing/CSE monitoring 2025".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let csv = "Recommendation,Progress made\r\n\
\"(1) That Sefton's Members write to the MPs\",\"Update 14 October 2025: The Cabinet Member wrote to all three MPs.\n14/10/25 – Two replies received\nOct 2025: Reply from the Home Office awaited\"\r\n";
    let mut c = Client::new(app);
    c.sign_in("scrutiny-officer@example.org").await;
    let t = c.csrf().await;
    let r = c.post_multipart(&format!("/imports?_csrf={t}"), &[], &[("file", "progress.csv", csv.as_bytes())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let batch = r.location().split('?').next().unwrap().to_string();
    let review_id = review.to_string();
    let mapping = [
        ("_csrf", t.as_str()),
        ("review_id", review_id.as_str()),
        ("header_row", "1"),
        ("col_recommendation", "Recommendation"),
        ("col_progress", "Progress made"),
    ];
    let r = c.post_form(&format!("{batch}/preview"), &mapping).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.has("14 October 2025<br>14 October 2025<br>1 October 2025<br>"), "the preview shows each update's date: {}", r.body);
    let r = c.post_form(&format!("{batch}/commit"), &mapping).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let rec = db.store.tracker().review_recommendations(review).await.unwrap().remove(0);
    let page = c.get(&format!("/recommendations/{}", rec.id)).await;
    assert!(page.has("14 October 2025") && page.has("The Cabinet Member wrote to all three MPs."), "{}", page.body);
    assert!(!page.has("Update 14 October 2025"), "the date is not left in the text: {}", page.body);
    assert!(!page.has(&assure_domain::dates::long(common::today())), "no update carries the import's date: {}", page.body);
}
on_both_engines!(update_dates, update_dates_are_read_from_the_text_as_written, demo = crate::common::password_hash());

/// Faults 3 and 8 of issue 14, as a new user importing a council's tracker on the web
/// sees them. Its RAG column is blank but for one row, it has a paused row and no
/// column for the executive's response: the rows read are counted without the
/// headings, a blank RAG is "Not rated" unless the preview's tick-box asks for a
/// suggestion (then "Suggested: Red", never plain Red), the paused row carries "Reason
/// not recorded in the imported tracker", and no response is shown overdue.
async fn imported_rag_and_states_are_kept_as_written(db: &TestDb) {
    let app = demo_app(db).await;
    let csv = "Recommendation,Action,Date,Status,RAG\r\n\
\"1. That the Cabinet Member writes to the MPs\",Write letters,31 May 2019,In progress,Amber\r\n\
\"2. That training on CSE is given to taxi drivers\",Run courses,31 May 2019,In progress,\r\n\
\"3. That schools report children missing education\",Agree a protocol,31 March 2018,Paused,\r\n";
    let mut c = Client::new(app);
    c.sign_in("scrutiny-officer@example.org").await;
    for (title, suggest) in [("Taxi licensing tracker", false), ("Taxi licensing tracker (suggested)", true)] {
        let review = db
            .store
            .tracker()
            .create_review(
                &assure_storage::Actor::system(),
                &assure_storage::tracker::ReviewInput {
                    kind: Some(assure_domain::tracker::ReviewKind::WorkingGroup),
                    title: title.into(),
                    report_date: Some(chrono::NaiveDate::from_ymd_opt(2017, 9, 12).unwrap()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let t = c.csrf().await;
        let r = c.post_multipart(&format!("/imports?_csrf={t}"), &[], &[("file", "tracker.csv", csv.as_bytes())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let batch = r.location().split('?').next().unwrap().to_string();
        let page = c.get(&batch).await;
        assert!(page.has("3 rows were read below the headings on row 1."), "not 4 with the headings: {}", page.body);
        let review_id = review.to_string();
        let mut form = vec![
            ("_csrf", t.as_str()),
            ("review_id", review_id.as_str()),
            ("header_row", "1"),
            ("col_recommendation", "Recommendation"),
            ("col_action", "Action"),
            ("col_action-date", "Date"),
            ("col_status", "Status"),
            ("col_rag", "RAG"),
        ];
        let r = c.post_form(&format!("{batch}/preview"), &form).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.has("name=\"suggest_rag\"") && r.has("2 of them have no RAG in the file"), "the preview's tick-box: {}", r.body);
        if suggest {
            form.push(("suggest_rag", "yes"));
        }
        let r = c.post_form(&format!("{batch}/commit"), &form).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let recs = db.store.tracker().review_recommendations(review).await.unwrap();
        let page_of = |n: i64| format!("/recommendations/{}", recs.iter().find(|r| r.number == n).unwrap().id);
        let second = c.get(&page_of(2)).await;
        if suggest {
            assert!(second.has("Suggested: Red") && second.has("data-rag-suggested"), "{}", second.body);
        } else {
            assert!(second.has("Not rated") && !second.has("Suggested: Red"), "{}", second.body);
            assert!(!second.has("app-tag--red\">Red<"), "a blank RAG is never shown Red: {}", second.body);
        }
        assert!(second.has("Response not recorded") && !second.has("Response overdue"), "{}", second.body);
        let paused = c.get(&page_of(3)).await;
        assert!(paused.has("Reason not recorded in the imported tracker"), "{}", paused.body);
        assert!(!paused.has("Target date passed"), "a paused recommendation is not overdue: {}", paused.body);
        let first = c.get(&page_of(1)).await;
        assert!(first.has("app-tag--orange\">Amber<") && !first.has("Suggested: Amber"), "the council's rating as given: {}", first.body);
        let table = c.get(&format!("/reviews/{review}")).await;
        assert!(table.has("Not recorded in the imported tracker") && !table.has("overdue since"), "{}", table.body);
    }
    // The dashboard's committee table counts suggestions and Not rated apart from
    // the ratings given (the suggested Red above is not the committee's Red).
    let home = c.get("/").await;
    assert!(
        home.has(r#"scope="col">Suggested (not rated by the council)</th>"#) && home.has(r#"scope="col">Not rated</th>"#),
        "the committee table's columns: {}",
        home.body
    );
    let suggested: Vec<&str> = home.body.split("data-suggested=\"").skip(1).filter_map(|rest| rest.split('<').next()).collect();
    assert!(
        suggested.iter().any(|cell| cell.contains(" Red") && !cell.starts_with("0\"")),
        "a committee's suggested Reds counted as suggestions: {suggested:?}"
    );
}
on_both_engines!(rag_and_states_as_written, imported_rag_and_states_are_kept_as_written, demo = crate::common::password_hash());

/// Fault 5 of issue 14: origin and executive decision date are fields of a
/// recommendation: typed on the edit form (a date that cannot be read is refused with
/// the rest), shown on its page, filtered on from the review's page and exported.
async fn origin_and_decision_date_are_edited_filtered_and_exported(db: &TestDb) {
    let app = demo_app(db).await;
    let wg = licensing(db).await;
    let recs = db.store.tracker().review_recommendations(wg).await.unwrap();
    let first = &recs[0];
    let mut c = Client::new(app);
    c.sign_in("scrutiny-officer@example.org").await;
    let t = c.csrf().await;
    let version = first.version.to_string();
    let number = first.number.to_string();
    let wording = first.committee_wording.clone();
    let mut form = vec![
        ("_csrf", t.as_str()),
        ("version", version.as_str()),
        ("number", number.as_str()),
        ("committee_wording", wording.as_str()),
        ("origin", "Licensing/CSE scrutiny review"),
        ("executive_decision_date", "next Cabinet"),
    ];
    let r = c.post_form(&format!("/recommendations/{}/edit", first.id), &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.has("The executive decision date must be a real date"), "{}", r.body);
    form[5] = ("executive_decision_date", "5/10/2017");
    let r = c.post_form(&format!("/recommendations/{}/edit", first.id), &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.get(&format!("/recommendations/{}", first.id)).await;
    assert!(page.has("Licensing/CSE scrutiny review") && page.has("5 October 2017"), "{}", page.body);
    let edit = c.get(&format!("/recommendations/{}/edit", first.id)).await;
    // Shown in the GOV.UK date input: day, month and year.
    assert!(
        edit.has("name=\"executive_decision_date-day\"") && edit.has("value=\"5\"") && edit.has("value=\"10\"") && edit.has("value=\"2017\""),
        "{}",
        edit.body
    );

    let review = c.get(&format!("/reviews/{wg}")).await;
    assert!(review.has("Show only those from") && review.has("Licensing/CSE scrutiny review"), "{}", review.body);
    let list = c.get(&format!("/recommendations?review_id={wg}&origin=Licensing%2FCSE+scrutiny+review")).await;
    assert!(list.has("<strong>1</strong> recommendation found"), "{}", list.body);
    let csv = c.get(&format!("/export/register.csv?review_id={wg}&origin=Licensing%2FCSE+scrutiny+review")).await;
    assert!(csv.has("\"Origin\"") && csv.has("\"Executive decision date\"") && csv.has("\"5 October 2017\""), "{}", csv.body);
}
on_both_engines!(origin_and_decision_date, origin_and_decision_date_are_edited_filtered_and_exported, demo = crate::common::password_hash());
