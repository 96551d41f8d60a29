//! Committee meetings over HTTP, on both engines: the clerk arranges meetings (one in
//! the past refused, nothing saved), drafts a minute (a cross-reference to a minute
//! that does not exist refused), records a resolution that requests a report for the
//! next meeting — which shows as due on that meeting's page and the work programme — and
//! a stale edit is refused with 409. A committee member sees no draft and changes
//! nothing. The calendar feeds parse as iCalendar.

mod common;

use assure_storage::on_both_engines;
use assure_storage::testing::{count_rows, TestDb};
use axum::http::StatusCode;
use common::{demo_app, Client};

async fn the_clerk_runs_a_meeting(db: &TestDb) {
    let app = demo_app(db).await;
    let mut c = Client::new(app.clone());
    c.sign_in("clerk@example.org").await;
    let body = db.store.tracker().bodies().await.unwrap()[0].clone();
    let b = body.id.to_string();
    let page = c.get("/meetings/new").await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page.csrf();
    let day = |days: i64| common::today() + chrono::Duration::days(days);
    let parts = |d: chrono::NaiveDate| (d.format("%-d").to_string(), d.format("%-m").to_string(), d.format("%Y").to_string());
    let before = count_rows(&db.store, "meetings").await;

    // A meeting in the past: refused with a message, nothing saved.
    let (dd, mm, yy) = parts(day(-1));
    let r = c
        .post_form(
            "/meetings/new",
            &[
                ("_csrf", &csrf),
                ("body", &b),
                ("date-day", &dd),
                ("date-month", &mm),
                ("date-year", &yy),
                ("time", "18:30"),
                ("venue", "Town Hall"),
                ("kind", "ordinary"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("The date of the meeting must be today or later"), "{}", r.body);
    assert_eq!(count_rows(&db.store, "meetings").await, before);

    let mut ids = Vec::new();
    for days in [14, 70] {
        let (dd, mm, yy) = parts(day(days));
        let r = c
            .post_form(
                "/meetings/new",
                &[
                    ("_csrf", &csrf),
                    ("body", &b),
                    ("date-day", &dd),
                    ("date-month", &mm),
                    ("date-year", &yy),
                    ("time", "18:30"),
                    ("venue", "Town Hall, Bootle"),
                    ("kind", "ordinary"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        ids.push(r.location().trim_start_matches("/meetings/").split('?').next().unwrap().parse::<i64>().unwrap());
    }
    let (first, next) = (ids[0], ids[1]);

    // A minute referring to one that does not exist: refused.
    let minutes_before = count_rows(&db.store, "minutes").await;
    let r = c
        .post_form(
            &format!("/meetings/{first}/minutes"),
            &[
                ("_csrf", &csrf),
                ("title", "Work programme"),
                ("text", "x"),
                ("refers_number", "9"),
                ("refers_date-day", "12"),
                ("refers_date-month", "7"),
                ("refers_date-year", "2016"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("There is no Minute No. 9 of 12 July 2016"), "{}", r.body);
    assert_eq!(count_rows(&db.store, "minutes").await, minutes_before);
    let r = c
        .post_form(
            &format!("/meetings/{first}/minutes"),
            &[("_csrf", &csrf), ("title", "Work programme"), ("text", "The Committee considered its work programme.")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // The resolution requests a report for the next meeting.
    let r = c
        .post_form(
            &format!("/meetings/{first}/minutes/1/resolution"),
            &[
                ("_csrf", &csrf),
                ("kind", "requested-report"),
                ("text", "a progress report be submitted to the next meeting"),
                ("report_from", "Head of Schools and Families"),
                ("due_meeting", &next.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.get(&format!("/meetings/{next}")).await;
    assert!(page.has("Reports requested for this meeting") && page.has("Head of Schools and Families"), "{}", page.body);
    let wp = c.get(&format!("/work-programme?body={b}&year={}", assure_domain::meetings::MunicipalYear::of(day(70)).label())).await;
    assert_eq!(wp.status, StatusCode::OK);
    assert!(wp.has("Requested report") && wp.has("Head of Schools and Families"), "{}", wp.body);

    // A stale edit: refused with 409.
    let m = db.store.meetings().meeting(first).await.unwrap();
    let v = m.version.to_string();
    let r = c.post_form(&format!("/meetings/{first}/status"), &[("_csrf", &csrf), ("version", &v), ("status", "agenda-published")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = c.post_form(&format!("/meetings/{first}/status"), &[("_csrf", &csrf), ("version", &v), ("status", "cancelled")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // A member sees the published agenda, not the draft minutes, and changes nothing.
    let mut member = Client::new(app.clone());
    member.sign_in("committee-member@example.org").await;
    let page = member.get(&format!("/meetings/{first}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.has("The Committee considered its work programme."));
    assert!(page.has("have not been approved yet"));
    let mcsrf = member.csrf().await;
    let r = member.post_form(&format!("/meetings/{first}/minutes"), &[("_csrf", &mcsrf), ("title", "x")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The feeds parse as iCalendar.
    for path in ["/meetings/calendar.ics".to_string(), format!("/meetings/bodies/{b}/calendar.ics"), format!("/meetings/{first}/calendar.ics")] {
        let r = c.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.headers[axum::http::header::CONTENT_TYPE].to_str().unwrap().starts_with("text/calendar"));
        let cal: icalendar::Calendar = r.body.parse().unwrap_or_else(|e| panic!("{path}: {e}"));
        let events: Vec<_> = cal.components.iter().filter_map(|c| c.as_event()).collect();
        assert!(!events.is_empty(), "{path}");
        use icalendar::{Component, EventLike};
        let ours: Vec<_> = events.iter().filter(|e| e.get_summary() == Some(body.name.as_str())).collect();
        assert!(!ours.is_empty() && ours.iter().all(|e| e.get_location() == Some("Town Hall, Bootle")), "{path}");
        assert!(events.iter().any(|e| e.get_uid() == Some(&format!("meeting-{first}@assure"))), "{path}");
    }
}
on_both_engines!(the_clerk_runs_a_meeting_on, the_clerk_runs_a_meeting);

fn docx_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a DOCX is a zip");
    let mut s = String::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().map(|n| n.to_string()).unwrap_or_default();
        if name.starts_with("word/") && name.ends_with(".xml") {
            f.read_to_string(&mut s).unwrap();
        }
    }
    s
}

/// A download as bytes, with its status and headers.
async fn file(c: &Client, path: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    use tower::ServiceExt;
    let cookies = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let req = axum::http::Request::get(path).header(axum::http::header::COOKIE, cookies).body(axum::body::Body::empty()).unwrap();
    let resp = c.app.clone().oneshot(req).await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    (status, headers, axum::body::to_bytes(resp.into_body(), 64 * 1024 * 1024).await.unwrap().to_vec())
}

/// The agenda pack: one file with the front sheet, the agenda and each paper in order
/// (an issued monitoring report in full), page numbers through the whole pack (read back
/// from LibreOffice's PDF); the public pack names an exempt item but holds nothing of its
/// paper, the clerk's members' pack has it; no member sees a pack before the agenda is
/// published; each download is audited.
async fn the_agenda_pack_holds_the_papers_and_never_an_exempt_one_in_public(db: &TestDb) {
    use assure_domain::meetings::{AgendaItemInput, AgendaKind, MeetingInput, MeetingStatus, MeetingType};
    let app = demo_app(db).await;
    let store = &db.store;
    let clerk_actor = assure_storage::testing::actor(store, "clerk@example.org").await;
    let body = store.tracker().bodies().await.unwrap()[0].clone();
    let m = store.meetings();
    let date = common::today() + chrono::Duration::days(21);
    let mid = m
        .create_meeting(
            &clerk_actor,
            body.id,
            &MeetingInput {
                date: Some(date),
                time: "18:30".into(),
                venue: "Town Hall, Committee Room 1".into(),
                kind: Some(MeetingType::Ordinary),
                joint_with: String::new(),
            },
        )
        .await
        .unwrap();
    // A monitoring report on the Licensing/CSE working group, issued for this meeting.
    let officer = assure_storage::testing::actor(store, "scrutiny-officer@example.org").await;
    let review =
        store.tracker().reviews().await.unwrap().into_iter().find(|r| r.title.starts_with("Licensing")).expect("the demo's working group").id;
    let input = assure_storage::reports::ReportInput {
        review_id: Some(review),
        body_id: None,
        meeting_date: Some(date),
        layout: Some(assure_domain::report::Layout::RagTracker),
    };
    let rid = store.reports().create(&officer, &input).await.unwrap();
    let v = store.reports().get(rid).await.unwrap().version;
    store.reports().issue(&officer, rid, v, store.today()).await.unwrap();
    let issued = store.reports().get(rid).await.unwrap();
    let report = store.reports().monitoring_report(issued.id, store.today()).await.unwrap();
    let item = |kind, title: &str, exempt| AgendaItemInput { kind: Some(kind), title: title.into(), exempt_paragraph: exempt };
    m.add_agenda_item(&clerk_actor, mid, &item(AgendaKind::Apologies, "Apologies for absence", None), None, None, None).await.unwrap();
    m.add_agenda_item(&clerk_actor, mid, &item(AgendaKind::Report, "Monitoring report on the recommendations", None), Some(issued.id), None, None)
        .await
        .unwrap();
    m.add_agenda_item(
        &clerk_actor,
        mid,
        &item(AgendaKind::Exempt, "Out-of-area placement costs", Some(3)),
        None,
        Some("Costs schedule for Provider Kestrel Homes"),
        None,
    )
    .await
    .unwrap();

    let mut clerk = Client::new(app.clone());
    clerk.sign_in("clerk@example.org").await;
    let mut member = Client::new(app.clone());
    member.sign_in("committee-member@example.org").await;
    let page = clerk.get(&format!("/meetings/{mid}")).await;
    assert!(page.has(&format!("/meetings/{mid}/agenda-pack/docx")) && page.has(&format!("/meetings/{mid}/agenda-pack-with-exempt/docx")));
    assert_eq!(file(&member, &format!("/meetings/{mid}/agenda-pack/docx")).await.0, StatusCode::NOT_FOUND, "no pack before the agenda is published");

    // The clerk's draft says so; publishing the agenda lets members have the public pack.
    let (status, _, draft) = file(&clerk, &format!("/meetings/{mid}/agenda-pack/docx")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(docx_text(&draft).contains("DRAFT"), "the draft pack says DRAFT");
    let v = m.meeting(mid).await.unwrap().version;
    m.set_status(&clerk_actor, mid, v, MeetingStatus::AgendaPublished).await.unwrap();

    let (status, headers, public) = file(&member, &format!("/meetings/{mid}/agenda-pack/docx")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or("").ends_with(".docx\""));
    let text = docx_text(&public);
    assert!(!text.contains("DRAFT"), "a published pack is no draft");
    for expected in [
        "Agenda",
        "Apologies for absence",
        "Item 2: Monitoring report on the recommendations",
        "Out-of-area placement costs",
        "paragraph 3",
        "Not for publication",
    ] {
        assert!(text.contains(expected), "{expected} in the public pack");
    }
    assert!(text.contains(&report.title), "the monitoring report is in the pack in full");
    assert!(!text.contains("Kestrel Homes"), "nothing of the exempt paper in the public pack");
    assert_eq!(file(&member, &format!("/meetings/{mid}/agenda-pack-with-exempt/docx")).await.0, StatusCode::FORBIDDEN);
    let (status, _, full) = file(&clerk, &format!("/meetings/{mid}/agenda-pack-with-exempt/docx")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(docx_text(&full).contains("Kestrel Homes"), "the members' pack has the exempt paper");
    assert_eq!(file(&member, &format!("/meetings/{mid}/agenda-pack/xlsx")).await.0, StatusCode::NOT_FOUND);

    // Page numbers run through the whole pack: LibreOffice's PDF, read back.
    if std::env::var("ASSURE_SKIP_LIBREOFFICE").is_ok_and(|v| v == "1") {
        eprintln!("LibreOffice check skipped: ASSURE_SKIP_LIBREOFFICE=1");
    } else {
        let pdf = assure_documents::pdf::to_pdf(&public, "docx").expect("LibreOffice opens the agenda pack");
        let dir = std::env::temp_dir().join(format!("assure-pack-{}-{mid}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("pack.pdf");
        std::fs::write(&path, &pdf).unwrap();
        let out = std::process::Command::new("pdftotext").arg("-layout").arg(&path).arg("-").output().expect("pdftotext (poppler-utils)");
        let _ = std::fs::remove_dir_all(&dir);
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let pages = text.matches('\u{c}').count().max(1);
        assert!(pages >= 3, "front sheet, agenda and the report: {pages} pages");
        let last = format!("Page {pages} of {pages}");
        assert!(text.contains("Page 1 of ") && text.contains(&last), "numbered through the pack ({last}):\n{text}");
    }
    let (audit, _) = store
        .audit()
        .list(&assure_storage::audit::AuditFilter { action: Some("meeting.agenda-pack".into()), ..Default::default() }, 20, 0)
        .await
        .unwrap();
    assert!(audit.len() >= 3, "each download audited: {audit:?}");
}
on_both_engines!(agenda_pack, the_agenda_pack_holds_the_papers_and_never_an_exempt_one_in_public);

/// The minutes as a Word document: approved minutes for anyone who reads meetings, with
/// their numbers through the year, what was resolved and the fingerprint; a draft only
/// for the clerk, marked DRAFT. It opens in LibreOffice.
async fn minutes_download_as_a_document(db: &TestDb) {
    use assure_domain::meetings::MeetingStatus;
    let app = demo_app(db).await;
    let meetings = db.store.meetings().list(None).await.unwrap();
    let approved = meetings.iter().find(|m| m.status == MeetingStatus::MinutesApproved).expect("an approved demo meeting");
    let held = meetings.iter().find(|m| m.status == MeetingStatus::Held).expect("a held demo meeting, minutes in draft");
    let minutes = db.store.meetings().minutes(approved.id).await.unwrap();
    let mut member = Client::new(app.clone());
    member.sign_in("committee-member@example.org").await;
    let page = member.get(&format!("/meetings/{}", approved.id)).await;
    assert!(page.has(&format!("/meetings/{}/minutes-document/docx", approved.id)));
    let (status, _, docx) = file(&member, &format!("/meetings/{}/minutes-document/docx", approved.id)).await;
    assert_eq!(status, StatusCode::OK);
    let text = docx_text(&docx);
    for n in &minutes {
        assert!(text.contains(&format!("{}. ", n.number)), "minute {} in the document", n.number);
    }
    assert!(text.contains("Approved minutes") && text.contains(approved.minutes_fingerprint.as_deref().unwrap()));
    if minutes.iter().any(|n| !n.parts.is_empty()) {
        assert!(text.contains("RESOLVED: That"));
    }
    assert_eq!(file(&member, &format!("/meetings/{}/minutes-document/docx", held.id)).await.0, StatusCode::NOT_FOUND, "no draft minutes for members");
    let mut clerk = Client::new(app.clone());
    clerk.sign_in("clerk@example.org").await;
    let (status, _, draft) = file(&clerk, &format!("/meetings/{}/minutes-document/docx", held.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(docx_text(&draft).contains("DRAFT minutes"));
    if std::env::var("ASSURE_SKIP_LIBREOFFICE").is_ok_and(|v| v == "1") {
        eprintln!("LibreOffice check skipped: ASSURE_SKIP_LIBREOFFICE=1");
    } else {
        let pdf = assure_documents::pdf::to_pdf(&docx, "docx").expect("LibreOffice opens the minutes");
        assert!(pdf.starts_with(b"%PDF"));
    }
}
on_both_engines!(minutes_document, minutes_download_as_a_document);

/// The work programme downloads: Word (a table per meeting), Excel and CSV (a row per
/// item), with the demo year's items; a year that is not one is a clear 400.
async fn the_work_programme_downloads(db: &TestDb) {
    let app = demo_app(db).await;
    let body = db.store.meetings().list(None).await.unwrap().first().expect("the demo's meetings").body_id;
    let mut member = Client::new(app.clone());
    member.sign_in("committee-member@example.org").await;
    let page = member.get(&format!("/work-programme?body={body}&year=2017/18")).await;
    assert!(page.has(&format!("/work-programme/download/docx?body={body}&amp;year=2017/18")), "{}", page.body);
    let (status, _, csv) = file(&member, &format!("/work-programme/download/csv?body={body}&year=2017/18")).await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.trim_start_matches('\u{feff}').starts_with("\"Meeting\",\"Item\",\"Kind\",\"Responsible officer\""), "{csv}");
    assert!(csv.contains("Corporate Parenting Board Annual Report") && csv.contains("Head of Children's Social Care"), "{csv}");
    let (status, _, xlsx) = file(&member, &format!("/work-programme/download/xlsx?body={body}&year=2017/18")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(xlsx.starts_with(b"PK"));
    let (status, _, docx) = file(&member, &format!("/work-programme/download/docx?body={body}&year=2017/18")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(docx_text(&docx).contains("Corporate Parenting Board Annual Report"));
    if std::env::var("ASSURE_SKIP_LIBREOFFICE").is_ok_and(|v| v == "1") {
        eprintln!("LibreOffice check skipped: ASSURE_SKIP_LIBREOFFICE=1");
    } else {
        assert!(assure_documents::pdf::to_pdf(&docx, "docx").expect("LibreOffice opens the work programme").starts_with(b"%PDF"));
    }
    assert_eq!(file(&member, &format!("/work-programme/download/csv?body={body}&year=someday")).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(file(&member, &format!("/work-programme/download/pdf?body={body}&year=2017/18")).await.0, StatusCode::NOT_FOUND);
}
on_both_engines!(work_programme_downloads, the_work_programme_downloads);
