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
use common::{demo_app, docx_text, Client};

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
on_both_engines!(the_clerk_runs_a_meeting_on, the_clerk_runs_a_meeting, demo = crate::common::password_hash());

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
    assert_eq!(
        common::download(&member, &format!("/meetings/{mid}/agenda-pack/docx")).await.0,
        StatusCode::NOT_FOUND,
        "no pack before the agenda is published"
    );

    // The clerk's draft says so; publishing the agenda lets members have the public pack.
    let (status, _, draft) = common::download(&clerk, &format!("/meetings/{mid}/agenda-pack/docx")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(docx_text(&draft).contains("DRAFT"), "the draft pack says DRAFT");
    let v = m.meeting(mid).await.unwrap().version;
    m.set_status(&clerk_actor, mid, v, MeetingStatus::AgendaPublished).await.unwrap();

    let (status, headers, public) = common::download(&member, &format!("/meetings/{mid}/agenda-pack/docx")).await;
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
    assert_eq!(common::download(&member, &format!("/meetings/{mid}/agenda-pack-with-exempt/docx")).await.0, StatusCode::FORBIDDEN);
    let (status, _, full) = common::download(&clerk, &format!("/meetings/{mid}/agenda-pack-with-exempt/docx")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(docx_text(&full).contains("Kestrel Homes"), "the members' pack has the exempt paper");
    assert_eq!(common::download(&member, &format!("/meetings/{mid}/agenda-pack/xlsx")).await.0, StatusCode::NOT_FOUND);

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
on_both_engines!(agenda_pack, the_agenda_pack_holds_the_papers_and_never_an_exempt_one_in_public, demo = crate::common::password_hash());

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
    let (status, _, docx) = common::download(&member, &format!("/meetings/{}/minutes-document/docx", approved.id)).await;
    assert_eq!(status, StatusCode::OK);
    let text = docx_text(&docx);
    for n in &minutes {
        assert!(text.contains(&format!("{}. ", n.number)), "minute {} in the document", n.number);
    }
    assert!(text.contains("Approved minutes") && text.contains(approved.minutes_fingerprint.as_deref().unwrap()));
    if minutes.iter().any(|n| !n.parts.is_empty()) {
        assert!(text.contains("RESOLVED: That"));
    }
    assert_eq!(
        common::download(&member, &format!("/meetings/{}/minutes-document/docx", held.id)).await.0,
        StatusCode::NOT_FOUND,
        "no draft minutes for members"
    );
    let mut clerk = Client::new(app.clone());
    clerk.sign_in("clerk@example.org").await;
    let (status, _, draft) = common::download(&clerk, &format!("/meetings/{}/minutes-document/docx", held.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(docx_text(&draft).contains("DRAFT minutes"));
    if std::env::var("ASSURE_SKIP_LIBREOFFICE").is_ok_and(|v| v == "1") {
        eprintln!("LibreOffice check skipped: ASSURE_SKIP_LIBREOFFICE=1");
    } else {
        let pdf = assure_documents::pdf::to_pdf(&docx, "docx").expect("LibreOffice opens the minutes");
        assert!(pdf.starts_with(b"%PDF"));
    }
}
on_both_engines!(minutes_document, minutes_download_as_a_document, demo = crate::common::password_hash());

/// The work programme downloads: Word (a table per meeting), Excel and CSV (a row per
/// item), with the demo year's items; a year that is not one is a clear 400.
async fn the_work_programme_downloads(db: &TestDb) {
    let app = demo_app(db).await;
    let body = db.store.meetings().list(None).await.unwrap().first().expect("the demo's meetings").body_id;
    let mut member = Client::new(app.clone());
    member.sign_in("committee-member@example.org").await;
    let page = member.get(&format!("/work-programme?body={body}&year=2017/18")).await;
    assert!(page.has(&format!("/work-programme/download/docx?body={body}&amp;year=2017/18")), "{}", page.body);
    let (status, _, csv) = common::download(&member, &format!("/work-programme/download/csv?body={body}&year=2017/18")).await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.trim_start_matches('\u{feff}').starts_with("\"Meeting\",\"Item\",\"Kind\",\"Responsible officer\""), "{csv}");
    assert!(csv.contains("Corporate Parenting Board Annual Report") && csv.contains("Head of Children's Social Care"), "{csv}");
    let (status, _, xlsx) = common::download(&member, &format!("/work-programme/download/xlsx?body={body}&year=2017/18")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(xlsx.starts_with(b"PK"));
    let (status, _, docx) = common::download(&member, &format!("/work-programme/download/docx?body={body}&year=2017/18")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(docx_text(&docx).contains("Corporate Parenting Board Annual Report"));
    if std::env::var("ASSURE_SKIP_LIBREOFFICE").is_ok_and(|v| v == "1") {
        eprintln!("LibreOffice check skipped: ASSURE_SKIP_LIBREOFFICE=1");
    } else {
        assert!(assure_documents::pdf::to_pdf(&docx, "docx").expect("LibreOffice opens the work programme").starts_with(b"%PDF"));
    }
    assert_eq!(common::download(&member, &format!("/work-programme/download/csv?body={body}&year=someday")).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(common::download(&member, &format!("/work-programme/download/pdf?body={body}&year=2017/18")).await.0, StatusCode::NOT_FOUND);
}
on_both_engines!(work_programme_downloads, the_work_programme_downloads, demo = crate::common::password_hash());

fn date_fields(name: &str, d: chrono::NaiveDate) -> [(String, String); 3] {
    [
        (format!("{name}-day"), d.format("%-d").to_string()),
        (format!("{name}-month"), d.format("%-m").to_string()),
        (format!("{name}-year"), d.format("%Y").to_string()),
    ]
}

/// A POST of fixed fields and date fields.
async fn post(c: &mut Client, path: &str, fields: &[(&str, &str)], dates: &[(&str, chrono::NaiveDate)]) -> common::Resp {
    let mut all: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    for (name, d) in dates {
        all.extend(date_fields(name, *d));
    }
    let refs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    c.post_form(path, &refs).await
}

/// A membership form: its fields and its dates.
type MemberForm<'a> = (Vec<(String, String)>, Vec<(&'a str, chrono::NaiveDate)>);

async fn add(c: &mut Client, path: &str, (fields, dates): MemberForm<'_>) -> common::Resp {
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    post(c, path, &refs, &dates).await
}

/// The clerk keeps a body's membership for a municipal year: the demo's members with
/// roles, parties and substitutes; a new person added and made a member; a member as
/// their own substitute, or a term ending before it starts, refused with the error
/// summary and nothing saved; a term ended, and the same form sent again refused (409);
/// each change audited. A committee member reads the list and changes nothing.
async fn the_clerk_keeps_the_membership(db: &TestDb) {
    use assure_domain::meetings::MunicipalYear;
    let app = demo_app(db).await;
    let body =
        db.store.tracker().bodies().await.unwrap().into_iter().find(|b| b.name.starts_with("Overview and Scrutiny Committee (Children")).unwrap();
    let mut c = Client::new(app.clone());
    c.sign_in("clerk@example.org").await;
    let page = c.get(&format!("/meetings/bodies/{}/members?year=2017/18", body.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    for seen in [
        "Members, 2017/18",
        "Councillor Helen Brannigan",
        "Chair",
        "Councillor Paul Hendry",
        "Healthwatch representative",
        "18 May 2017 to 17 May 2018",
    ] {
        assert!(page.has(seen), "{seen}: {}", page.body);
    }
    let csrf = page.csrf();

    // This year's membership: a new person, then a member.
    let year = MunicipalYear::of(common::today());
    let members = format!("/meetings/bodies/{}/members?year={}", body.id, year.label());
    let r = c
        .post_form(
            &format!("/meetings/bodies/{}/people?year={}", body.id, year.label()),
            &[("_csrf", &csrf), ("name", "Councillor Jane Okoro"), ("person_party", "Labour")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c.post_form(&format!("/meetings/bodies/{}/people?year={}", body.id, year.label()), &[("_csrf", &csrf), ("name", " ")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("There is a problem") || r.has("app-error-summary"), "{}", r.body);
    let people = db.store.meetings().people().await.unwrap();
    let okoro = people.iter().find(|p| p.name == "Councillor Jane Okoro").unwrap().id.to_string();
    let hendry = people.iter().find(|p| p.name == "Councillor Paul Hendry").unwrap().id.to_string();
    let start = year.first_day().max(common::today());
    let before = count_rows(&db.store, "body_members").await;
    let send = |sub: &str, end: Option<chrono::NaiveDate>| {
        let fields = vec![
            ("_csrf".to_string(), csrf.clone()),
            ("person".into(), okoro.clone()),
            ("role".into(), "co-opted".into()),
            ("party".into(), "Labour".into()),
            ("substitute".into(), sub.to_string()),
        ];
        let mut dates = vec![("term_start", start)];
        dates.extend(end.map(|e| ("term_end", e)));
        (fields, dates)
    };
    let r = add(&mut c, &members, send(&okoro, None)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("A member cannot be their own substitute") && r.has("app-error-summary"), "{}", r.body);
    let r = add(&mut c, &members, send(&hendry, Some(start - chrono::Duration::days(1)))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("The term must end after it starts"), "{}", r.body);
    assert_eq!(count_rows(&db.store, "body_members").await, before, "nothing saved");
    let r = add(&mut c, &members, send(&hendry, None)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.get(r.location()).await;
    assert!(page.has("Member added") && page.has("Councillor Jane Okoro") && page.has("Co-opted member"), "{}", page.body);
    let r = add(&mut c, &members, send(&hendry, None)).await;
    assert!(r.has("This person is already a member of the body for this term"), "sitting twice: {}", r.body);

    // Ending the term: before it starts refused; then ended; the same form again is stale.
    let m = db.store.meetings().memberships(body.id, year).await.unwrap().into_iter().find(|m| m.person.name == "Councillor Jane Okoro").unwrap();
    let page = c.get(&format!("/meetings/members/{}/end", m.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("End the term of Councillor Jane Okoro"));
    let v = m.version.to_string();
    let end = format!("/meetings/members/{}/end", m.id);
    let r = post(&mut c, &end, &[("_csrf", &csrf), ("version", &v)], &[("term_end", start)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("The term must end after it starts, on"), "{}", r.body);
    let end_date = start + chrono::Duration::days(30);
    let r = post(&mut c, &end, &[("_csrf", &csrf), ("version", &v)], &[("term_end", end_date)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = post(&mut c, &end, &[("_csrf", &csrf), ("version", &v)], &[("term_end", end_date + chrono::Duration::days(1))]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let got = db.store.meetings().member(m.id).await.unwrap();
    assert_eq!(got.term_end, Some(end_date));
    let page = c.get(&members).await;
    assert!(page.has(&format!("{} to {}", assure_domain::dates::long(start), assure_domain::dates::long(end_date))), "{}", page.body);
    let (rows, _) = db
        .store
        .audit()
        .list(&assure_storage::audit::AuditFilter { action: Some("body-member.end".into()), ..Default::default() }, 100, 0)
        .await
        .unwrap();
    assert!(rows.iter().any(|e| e.detail.contains("Councillor Jane Okoro")), "the end of the term audited: {rows:?}");

    // A sitting member's role, party and substitute change; never to themselves; a
    // stale form is refused (409); the change is audited.
    let sitting = assure_domain::meetings::MembershipInput {
        person: Some(hendry.parse().unwrap()),
        role: Some(assure_domain::meetings::MemberRole::Councillor),
        party: "Labour".into(),
        term_start: Some(start),
        ..Default::default()
    };
    let sitting = db.store.meetings().add_member(&assure_storage::Actor::system(), body.id, &sitting).await.unwrap();
    let brannigan = db.store.meetings().member(sitting).await.unwrap();
    let edit = format!("/meetings/members/{}/edit", brannigan.id);
    let page = c.get(&format!("/meetings/bodies/{}/members?year={}", body.id, year.label())).await;
    assert!(page.has(&format!("href=\"{edit}\"")), "{}", page.body);
    let form = c.get(&edit).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.has(&format!("Change the membership of {}", brannigan.person.name)), "{}", form.body);
    let bv = brannigan.version.to_string();
    let own = brannigan.person.id.to_string();
    let r = c.post_form(&edit, &[("_csrf", &csrf), ("version", &bv), ("role", "vice-chair"), ("party", "Labour"), ("substitute", &own)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("A member cannot be their own substitute") && r.has("app-error-summary"), "{}", r.body);
    let r = c.post_form(&edit, &[("_csrf", &csrf), ("version", &bv), ("role", "vice-chair"), ("party", "Independent"), ("substitute", &okoro)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let got = db.store.meetings().member(brannigan.id).await.unwrap();
    assert_eq!(
        (got.role, got.party.as_str(), got.substitute.map(|p| p.name)),
        (assure_domain::meetings::MemberRole::ViceChair, "Independent", Some("Councillor Jane Okoro".to_string()))
    );
    assert_eq!((got.person.id, got.term_start), (brannigan.person.id, brannigan.term_start), "the person and the term stay");
    let r = c.post_form(&edit, &[("_csrf", &csrf), ("version", &bv), ("role", "chair"), ("party", ""), ("substitute", "")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(db.store.meetings().member(brannigan.id).await.unwrap().role, assure_domain::meetings::MemberRole::ViceChair, "nothing overwritten");
    let (rows, _) = db
        .store
        .audit()
        .list(&assure_storage::audit::AuditFilter { action: Some("body-member.update".into()), ..Default::default() }, 100, 0)
        .await
        .unwrap();
    assert!(rows.iter().any(|e| e.detail.contains(&brannigan.person.name) && e.detail.contains("to Vice-chair")), "audited: {rows:?}");

    // A member reads the membership, with no forms, and cannot change it.
    let mut member = Client::new(app.clone());
    member.sign_in("committee-member@example.org").await;
    let page = member.get(&members).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("Councillor Jane Okoro") && !page.has("Add a member") && !page.has("End the term"));
    let mcsrf = member.csrf().await;
    let r = member.post_form(&members, &[("_csrf", &mcsrf), ("person", &okoro)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(member.get(&end).await.status, StatusCode::FORBIDDEN);
    assert_eq!(member.get(&edit).await.status, StatusCode::FORBIDDEN);
}
on_both_engines!(membership, the_clerk_keeps_the_membership, demo = crate::common::password_hash());

/// The clerk arranges a year's meetings from a pattern (the second Tuesday of every
/// month, a month skipped): the dates are shown first and nothing is saved until
/// confirmed; a first meeting in the past is refused with a clear message; sending the
/// same pattern again clashes and saves nothing. A meeting is changed, then moved (not
/// into the past): the meeting page shows the old date and the reason; a stale move is
/// refused (409). A report requested of an officer shows on their own list as due.
async fn the_clerk_arranges_a_year_and_moves_a_meeting(db: &TestDb) {
    use assure_domain::dates::long;
    use assure_domain::meetings::{pattern_dates, Repeat};
    use chrono::Datelike;
    let app = demo_app(db).await;
    let body =
        db.store.tracker().bodies().await.unwrap().into_iter().find(|b| !b.name.starts_with("Overview and Scrutiny Committee (Children")).unwrap();
    let mut c = Client::new(app.clone());
    c.sign_in("clerk@example.org").await;
    let page = c.get(&format!("/meetings/bodies/{}/generate", body.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page.csrf();
    let path = format!("/meetings/bodies/{}/generate", body.id);
    // The second Tuesday of next month.
    let today = common::today();
    // The second Tuesday of next month (or of a later one, so the year has two or more
    // meetings), skipping a month other than the first's (August, unless it is August).
    let mut month = today.with_day(1).unwrap();
    let (first, skip, expected) = loop {
        month = (month + chrono::Duration::days(32)).with_day(1).unwrap();
        let first = (7..14).map(|i| month + chrono::Duration::days(i)).find(|d| d.weekday() == chrono::Weekday::Tue).unwrap();
        let skip = if first.month() == 8 { "9" } else { "8" };
        let expected = pattern_dates(first, Repeat::MonthsSameWeekday(1), &[skip.parse().unwrap()]);
        if expected.len() >= 2 {
            break (first, skip, expected);
        }
    };
    let base = [
        ("_csrf", csrf.as_str()),
        ("every", "1"),
        ("unit", "months-weekday"),
        ("skip", skip),
        ("time", "18:30"),
        ("venue", "Committee Room 2, Town Hall"),
        ("kind", "ordinary"),
    ];
    let before = count_rows(&db.store, "meetings").await;

    let r = post(&mut c, &path, &base, &[("date", today - chrono::Duration::days(1))]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("The date of the first meeting must be today or later") && r.has("app-error-summary"), "{}", r.body);
    let r = post(
        &mut c,
        &path,
        &[("_csrf", csrf.as_str()), ("every", "13"), ("unit", "months-weekday"), ("time", "18:30"), ("venue", "x"), ("kind", "ordinary")],
        &[("date", first)],
    )
    .await;
    assert!(r.has("Enter how often the body meets as a whole number of months from 1 to 12"), "{}", r.body);

    let r = post(&mut c, &path, &base, &[("date", first)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.has("the second Tuesday of every month") && r.has("Arrange these meetings"), "{}", r.body);
    for d in &expected {
        assert!(r.has(&long(*d)), "{d} shown");
    }
    assert_eq!(count_rows(&db.store, "meetings").await, before, "nothing arranged before it is confirmed");
    let mut confirm = base.to_vec();
    confirm.push(("confirm", "yes"));
    let r = post(&mut c, &path, &confirm, &[("date", first)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(count_rows(&db.store, "meetings").await, before + expected.len() as i64);
    let ours: Vec<_> =
        db.store.meetings().list(Some(body.id)).await.unwrap().into_iter().filter(|m| m.venue == "Committee Room 2, Town Hall").collect();
    assert_eq!(ours.iter().map(|m| m.date).collect::<Vec<_>>(), expected);
    let r = post(&mut c, &path, &confirm, &[("date", first)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("already meets on"), "{}", r.body);
    assert_eq!(count_rows(&db.store, "meetings").await, before + expected.len() as i64, "a clash saves nothing");

    // Change the first meeting's venue, then move it.
    let m = &ours[0];
    let page = c.get(&format!("/meetings/{}", m.id)).await;
    assert!(page.has("Move the meeting to another date") && page.has("Change the time, venue or type"));
    let v = m.version.to_string();
    let r = c
        .post_form(
            &format!("/meetings/{}/edit", m.id),
            &[("_csrf", &csrf), ("version", &v), ("time", "14:00"), ("venue", "Bootle Town Hall"), ("kind", "ordinary")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let m = db.store.meetings().meeting(m.id).await.unwrap();
    assert_eq!((m.time.as_str(), m.venue.as_str()), ("14:00", "Bootle Town Hall"));
    let v = m.version.to_string();
    let move_path = format!("/meetings/{}/move", m.id);
    let r = post(&mut c, &move_path, &[("_csrf", &csrf), ("version", &v), ("reason", "Clash")], &[("date", today - chrono::Duration::days(2))]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("The new date must be today or later, not"), "{}", r.body);
    let r = post(&mut c, &move_path, &[("_csrf", &csrf), ("version", &v), ("reason", " ")], &[("date", first + chrono::Duration::days(1))]).await;
    assert!(r.has("Enter why the meeting is moving"), "{}", r.body);
    assert_eq!(db.store.meetings().meeting(m.id).await.unwrap().date, first, "nothing moved");
    // Onto a day the body already meets: refused, nothing moved.
    let r = post(&mut c, &move_path, &[("_csrf", &csrf), ("version", &v), ("reason", "Clash")], &[("date", ours[1].date)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has(&format!("The body already meets on {}", long(ours[1].date))) && r.has("app-error-summary"), "{}", r.body);
    assert_eq!(db.store.meetings().meeting(m.id).await.unwrap().date, first, "nothing moved");
    let to = first + chrono::Duration::days(1);
    let r =
        post(&mut c, &move_path, &[("_csrf", &csrf), ("version", &v), ("reason", "Clash with the meeting of full Council")], &[("date", to)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.get(r.location()).await;
    assert!(
        page.has("Meeting moved") && page.has(&format!("From {} to {}: Clash with the meeting of full Council", long(first), long(to))),
        "{}",
        page.body
    );
    assert!(page.has("Moved"));
    let r = post(&mut c, &move_path, &[("_csrf", &csrf), ("version", &v), ("reason", "Again")], &[("date", to + chrono::Duration::days(1))]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // A report requested of the lead officer, due at the next meeting: on their own list.
    let r = c.post_form(&format!("/meetings/{}/minutes", m.id), &[("_csrf", &csrf), ("title", "Early help performance"), ("text", "")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let n = db.store.meetings().minutes(m.id).await.unwrap()[0].number.to_string();
    let lead = db.store.users().by_email("lead-officer@example.org").await.unwrap().unwrap().0;
    let page = c.get(&format!("/meetings/{}/minutes/{n}/resolution", m.id)).await;
    assert!(page.has(&lead.name), "the officer is offered: {}", page.body);
    let r = c
        .post_form(
            &format!("/meetings/{}/minutes/{n}/resolution", m.id),
            &[
                ("_csrf", &csrf),
                ("kind", "requested-report"),
                ("text", "a report on early help performance be submitted to the next meeting"),
                ("report_from", "Head of Early Help"),
                ("owner", &lead.id.to_string()),
                ("due_meeting", &ours[1].id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut officer = Client::new(app.clone());
    officer.sign_in("lead-officer@example.org").await;
    let page = officer.get("/meetings").await;
    assert!(page.has("href=\"/meetings/my-requests\""));
    let mine = officer.get("/meetings/my-requests").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.has("Early help performance") && mine.has(&long(ours[1].date)) && mine.has(">Due<"), "{}", mine.body);
    // Someone else's list does not have it.
    let other = c.get("/meetings/my-requests").await;
    assert!(!other.has("Early help performance"));

    // The clerk asks it of another officer instead: it moves from one list to the other;
    // the same form again is stale (409); the change is audited.
    let q = db.store.meetings().requests(Some(body.id)).await.unwrap().into_iter().find(|q| q.subject == "Early help performance").unwrap();
    let schools = db.store.users().by_email("schools-lead@example.org").await.unwrap().unwrap().0;
    let page = c.get(&format!("/meetings/{}", ours[1].id)).await;
    assert!(page.has(&format!("/meetings/requests/{}/owner", q.id)), "{}", page.body);
    let form = c.get(&format!("/meetings/requests/{}/owner", q.id)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.has(&format!("Asked of: {}", lead.name)), "{}", form.body);
    let owner_path = format!("/meetings/requests/{}/owner", q.id);
    let qv = q.version.to_string();
    let r = c.post_form(&owner_path, &[("_csrf", &csrf), ("version", &qv), ("owner", &lead.id.to_string())]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Select a different officer"), "{}", r.body);
    let r = c.post_form(&owner_path, &[("_csrf", &csrf), ("version", &qv), ("owner", &schools.id.to_string())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c.post_form(&owner_path, &[("_csrf", &csrf), ("version", &qv), ("owner", "")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(!officer.get("/meetings/my-requests").await.has("Early help performance"), "off the lead officer's list");
    let mut schools_c = Client::new(app.clone());
    schools_c.sign_in("schools-lead@example.org").await;
    assert!(schools_c.get("/meetings/my-requests").await.has("Early help performance"), "on the schools lead's list");
    let (rows, _) = db
        .store
        .audit()
        .list(&assure_storage::audit::AuditFilter { action: Some("report-request.owner".into()), ..Default::default() }, 100, 0)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "the change of officer audited once: {rows:?}");
    // Only the clerk changes it.
    let ocsrf = officer.csrf().await;
    let r = officer.post_form(&owner_path, &[("_csrf", &ocsrf), ("version", "2"), ("owner", &lead.id.to_string())]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
on_both_engines!(year_of_meetings, the_clerk_arranges_a_year_and_moves_a_meeting, demo = crate::common::password_hash());

/// The demo's officers see the reports the 2017/18 year asked of them: the taxi
/// training report overdue, the NEET report answered.
async fn the_demo_officers_see_their_requested_reports(db: &TestDb) {
    let app = demo_app(db).await;
    let mut c = Client::new(app.clone());
    c.sign_in("regulation-lead@example.org").await;
    let page = c.get("/meetings/my-requests").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("Licensing/Child Sexual Exploitation Working Group") && page.has(">Overdue<") && page.has("13 March 2018"), "{}", page.body);
    let mut c = Client::new(app.clone());
    c.sign_in("schools-lead@example.org").await;
    let page = c.get("/meetings/my-requests").await;
    assert!(
        page.has("Reports that have arrived") && page.has("Work Programme 2017/18") && page.has("No committee is waiting for a report from you"),
        "{}",
        page.body
    );
}
on_both_engines!(demo_requested_reports, the_demo_officers_see_their_requested_reports, demo = crate::common::password_hash());

/// A recommendation signed off at a meeting Assure holds links to that meeting's
/// minute.
async fn a_sign_off_links_to_the_minutes(db: &TestDb) {
    let app = demo_app(db).await;
    let m = db
        .store
        .meetings()
        .list(None)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.status == assure_domain::meetings::MeetingStatus::MinutesApproved)
        .expect("a demo meeting with approved minutes");
    let t = db.store.tracker();
    let first = common::scrutiny_recommendation(&db.store).await.id;
    assure_storage::testing::exec(&db.store, &format!("UPDATE recommendations SET lifecycle = 'complete-awaiting-sign-off' WHERE id = {first}"))
        .await;
    let rec = t.recommendation(first).await.unwrap();
    let actor = assure_storage::testing::actor(&db.store, "scrutiny-officer@example.org").await;
    let input = assure_domain::tracker::SignOffInput {
        body_id: Some(m.body_id),
        meeting_date: Some(m.date),
        minute_ref: "Minute No. 3".into(),
        ..Default::default()
    };
    t.sign_off(&actor, rec.id, rec.version, &input).await.unwrap();
    let mut c = Client::new(app.clone());
    c.sign_in("scrutiny-officer@example.org").await;
    let page = c.get(&format!("/recommendations/{}", rec.id)).await;
    assert!(page.has(&format!("href=\"/meetings/{}#minute-3\"", m.id)), "{}", page.body);
}
on_both_engines!(sign_off_links_to_the_minutes, a_sign_off_links_to_the_minutes, demo = crate::common::password_hash());

/// The text of the element `data-testid={id}` (one line, no markup inside).
fn testid_text(body: &str, id: &str) -> String {
    let at = body.find(&format!("data-testid=\"{id}\"")).unwrap_or_else(|| panic!("{id} on the page: {body}"));
    let start = at + body[at..].find('>').unwrap() + 1;
    let end = start + body[start..].find('<').unwrap();
    body[start..end].to_string()
}

/// A person's own calendar feed: started from their account page (the address shown
/// once), fetched with no session by a calendar program and parsed as iCalendar; a new
/// address stops the old one; turning it off stops it; a deactivated account's feed
/// answers "not found", as does a made-up address. Each start and stop is audited.
async fn a_calendar_feed_needs_no_sign_in(db: &TestDb) {
    use assure_storage::audit::AuditFilter;
    let app = demo_app(db).await;
    let mut clerk = Client::new(app.clone());
    clerk.sign_in("clerk@example.org").await;
    let account = clerk.get("/account").await;
    assert!(account.has("Meetings in your calendar") && account.has("Start a calendar feed"), "{}", account.body);
    let csrf = account.csrf();
    let r = clerk.post_form("/account/calendar-feed", &[("_csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let address = testid_text(&r.body, "feed-address");
    let path = address.split_once("://").map(|(_, rest)| &rest[rest.find('/').unwrap()..]).unwrap().to_string();
    assert!(path.starts_with("/meetings/feed/") && path.ends_with("/calendar.ics"), "{address}");
    let secret = path.trim_start_matches("/meetings/feed/").trim_end_matches("/calendar.ics").to_string();
    assert!(!clerk.get("/account").await.has(&secret), "the address is shown only once");

    // A calendar program: no cookie, no session.
    let mut program = Client::new(app.clone());
    let r = program.get(&path).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.headers[axum::http::header::CONTENT_TYPE].to_str().unwrap().starts_with("text/calendar"));
    let cal: icalendar::Calendar = r.body.parse().expect("the feed parses");
    let events = cal.components.iter().filter_map(|c| c.as_event()).count();
    assert_eq!(events as usize, db.store.meetings().list(None).await.unwrap().len(), "every meeting is in the feed");
    assert_eq!(program.get("/meetings/calendar.ics").await.status, StatusCode::SEE_OTHER, "the signed-in feed still needs a session");
    let made_up = format!("/meetings/feed/{}/calendar.ics", "0".repeat(64));
    assert_eq!(program.get(&made_up).await.status, StatusCode::NOT_FOUND);
    assert_eq!(program.get("/meetings/feed/short/calendar.ics").await.status, StatusCode::NOT_FOUND);

    // A new address stops the old one.
    let account = clerk.get("/account").await;
    assert!(account.has("Make a new address") && account.has("Turn the feed off"), "{}", account.body);
    let r = clerk.post_form("/account/calendar-feed", &[("_csrf", &csrf)]).await;
    let second = testid_text(&r.body, "feed-address");
    assert_ne!(second, address);
    let second_path = format!("/meetings/feed/{}", second.split("/meetings/feed/").nth(1).unwrap());
    assert_eq!(program.get(&path).await.status, StatusCode::NOT_FOUND, "the old address stopped");
    assert_eq!(program.get(&second_path).await.status, StatusCode::OK);

    // Turned off: not found.
    let r = clerk.post_form("/account/calendar-feed/off", &[("_csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(clerk.get(r.location()).await.has("Your calendar feed is off"));
    assert_eq!(program.get(&second_path).await.status, StatusCode::NOT_FOUND);

    // A deactivated account's feed stops too.
    let mut member = Client::new(app.clone());
    member.sign_in("committee-member@example.org").await;
    let mcsrf = member.csrf().await;
    let r = member.post_form("/account/calendar-feed", &[("_csrf", &mcsrf)]).await;
    let member_address = testid_text(&r.body, "feed-address");
    let member_path = format!("/meetings/feed/{}", member_address.split("/meetings/feed/").nth(1).unwrap());
    assert_eq!(program.get(&member_path).await.status, StatusCode::OK);
    let uid = db.store.users().by_email("committee-member@example.org").await.unwrap().unwrap().0.id;
    let change = assure_domain::accounts::check_activation(None, uid, false).expect("another account may be deactivated");
    db.store.users().set_active(&assure_storage::Actor::system(), &change).await.unwrap();
    assert_eq!(program.get(&member_path).await.status, StatusCode::NOT_FOUND);

    // Someone who does not see the meetings has no feed to start.
    let mut worker = Client::new(app.clone());
    worker.sign_in("mash-worker@example.org").await;
    let page = worker.get("/account").await;
    assert!(!page.has("Meetings in your calendar"));
    let wcsrf = page.csrf();
    assert_eq!(worker.post_form("/account/calendar-feed", &[("_csrf", &wcsrf)]).await.status, StatusCode::FORBIDDEN);

    let (rows, _) = db.store.audit().list(&AuditFilter { record_type: Some("user".into()), ..Default::default() }, 100, 0).await.unwrap();
    let starts = rows.iter().filter(|e| e.action == "calendar-feed.create").count();
    let stops = rows.iter().filter(|e| e.action == "calendar-feed.delete").count();
    assert_eq!((starts, stops), (3, 1), "{rows:?}");
}
on_both_engines!(calendar_feed, a_calendar_feed_needs_no_sign_in, demo = crate::common::password_hash());

/// An agenda item's own paper: the clerk writes one on the council's cover (the cover's
/// checks refuse an incomplete one, nothing saved), uploads a Word paper for another
/// item and for an exempt one, and a PDF for a third. The pack sets the written report
/// and the Word papers' text in its own pages (the exempt one only in the members'
/// pack), and names the PDF; a file that is neither Word nor PDF, or a stale form, is
/// refused. Members download a published item's file, never an exempt one's.
async fn papers_written_or_uploaded_go_in_the_pack(db: &TestDb) {
    use assure_documents::docx::Part;
    use assure_domain::meetings::{AgendaItemInput, AgendaKind, MeetingInput, MeetingStatus, MeetingType};
    let app = demo_app(db).await;
    let store = &db.store;
    let clerk_actor = assure_storage::testing::actor(store, "clerk@example.org").await;
    let body = store.tracker().bodies().await.unwrap()[0].clone();
    let m = store.meetings();
    let date = common::today() + chrono::Duration::days(35);
    let meeting = MeetingInput {
        date: Some(date),
        time: "10:00".into(),
        venue: "Town Hall".into(),
        kind: Some(MeetingType::Ordinary),
        joint_with: String::new(),
    };
    let mid = m.create_meeting(&clerk_actor, body.id, &meeting).await.unwrap();
    let item = |kind, title: &str, exempt| AgendaItemInput { kind: Some(kind), title: title.into(), exempt_paragraph: exempt };
    let add = |input: AgendaItemInput| {
        let actor = clerk_actor.clone();
        async move { m.add_agenda_item(&actor, mid, &input, None, None, None).await.unwrap() }
    };
    let apologies = add(item(AgendaKind::Apologies, "Apologies for absence", None)).await;
    let written = add(item(AgendaKind::Report, "Return interviews after missing episodes", None)).await;
    let word = add(item(AgendaKind::Report, "Licensing enforcement update", None)).await;
    let pdf = add(item(AgendaKind::Standing, "Police performance figures", None)).await;
    let exempt = add(item(AgendaKind::Exempt, "Provider contract review", Some(3))).await;

    let mut clerk = Client::new(app.clone());
    clerk.sign_in("clerk@example.org").await;
    let page = clerk.get(&format!("/meetings/{mid}")).await;
    for i in [written, word, pdf, exempt] {
        assert!(page.has(&format!("/meetings/agenda-items/{i}/paper\"")), "item {i} offers a paper: {}", page.body);
    }
    assert!(!page.has(&format!("/meetings/agenda-items/{apologies}/paper\"")), "apologies carry no paper");
    let form = clerk.get(&format!("/meetings/agenda-items/{written}/paper")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.has("Write it on the council") && form.has("Or upload the paper") && form.has("Return interviews after missing episodes"),
        "{}",
        form.body
    );
    let csrf = form.csrf();

    // Written on the cover: the cover's own checks first, nothing saved.
    let path = format!("/meetings/agenda-items/{written}/paper");
    let mut fields: Vec<(String, String)> = vec![
        ("_csrf".into(), csrf.clone()),
        ("version".into(), "0".into()),
        ("report_to".into(), format!("{} – {}", body.name, assure_domain::dates::long(date))),
        ("subject".into(), "Return interviews after missing episodes".into()),
        ("report_of".into(), "Head of Children's Social Care".into()),
        ("key_decision".into(), "no".into()),
        ("in_forward_plan".into(), "no".into()),
        ("exempt".into(), "no".into()),
        ("equality".into(), "none".into()),
        ("introduction".into(), "Of 61 episodes in the quarter, 48 return interviews were offered within 72 hours.".into()),
    ];
    fields.extend([
        ("meeting_date-day".into(), date.format("%-d").to_string()),
        ("meeting_date-month".into(), date.format("%-m").to_string()),
        ("meeting_date-year".into(), date.format("%Y").to_string()),
    ]);
    let as_refs = |all: &[(String, String)]| all.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<Vec<(String, String)>>();
    let r = post_owned(&mut clerk, &path, &as_refs(&fields)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Enter the recommendation to the committee") && r.has("app-error-summary"), "{}", r.body);
    assert!(m.paper(written).await.unwrap().is_none(), "nothing saved");
    fields.push(("recommendation".into(), "That the report be noted.".into()));
    let r = post_owned(&mut clerk, &path, &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The same form again (version 0) is stale: the item has a paper now.
    let r = post_owned(&mut clerk, &path, &fields).await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // Uploaded: a Word paper, an exempt Word paper, a PDF; a picture refused.
    let paper = |heading: &str, text: &str| {
        assure_documents::docx::simple(
            heading,
            "",
            &[
                Part::Heading(heading.into()),
                Part::Text(text.into()),
                Part::Table(vec!["Quarter".into(), "Checks".into()], vec![vec!["Q2".into(), "37".into()]]),
            ],
        )
        .unwrap()
    };
    let licensing = paper("Enforcement in the quarter", "Taxi drivers trained in safeguarding: 412 of 430.");
    let contract = paper("Contract review", "Kestrel Homes: notice of breach of contract served.");
    let r = upload_paper(&mut clerk, &csrf, word, "photo.png", b"\x89PNG\r\n\x1a\n0000", "0").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("must be a Word document (.docx) or a PDF"), "{}", r.body);
    assert!(m.paper(word).await.unwrap().is_none(), "nothing saved");
    assert_eq!(upload_paper(&mut clerk, &csrf, word, "licensing.docx", &licensing, "0").await.status, StatusCode::SEE_OTHER);
    assert_eq!(upload_paper(&mut clerk, &csrf, exempt, "contract.docx", &contract, "0").await.status, StatusCode::SEE_OTHER);
    let pdf_bytes = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec();
    assert_eq!(upload_paper(&mut clerk, &csrf, pdf, "police-figures.pdf", &pdf_bytes, "0").await.status, StatusCode::SEE_OTHER);
    assert_eq!(upload_paper(&mut clerk, &csrf, pdf, "police-figures.pdf", &pdf_bytes, "0").await.status, StatusCode::CONFLICT, "stale");

    // The pack: the written report on its cover, the Word papers' text, the PDF named.
    let v = m.meeting(mid).await.unwrap().version;
    m.set_status(&clerk_actor, mid, v, MeetingStatus::AgendaPublished).await.unwrap();
    let mut member = Client::new(app.clone());
    member.sign_in("committee-member@example.org").await;
    let (status, _, public) = common::download(&member, &format!("/meetings/{mid}/agenda-pack/docx")).await;
    assert_eq!(status, StatusCode::OK);
    let text = docx_text(&public);
    for expected in [
        "Return interviews after missing episodes",
        "Head of Children",
        "That the report be noted.",
        "48 return interviews were offered within 72 hours",
        "Enforcement in the quarter",
        "Taxi drivers trained in safeguarding: 412 of 430.",
        "Checks",
        "police-figures.pdf",
    ] {
        assert!(text.contains(expected), "{expected} in the public pack");
    }
    assert!(!text.contains("Kestrel Homes") && !text.contains("Contract review"), "the exempt paper is not in the public pack");
    let (_, _, full) = common::download(&clerk, &format!("/meetings/{mid}/agenda-pack-with-exempt/docx")).await;
    assert!(docx_text(&full).contains("Kestrel Homes: notice of breach of contract served."), "the members' pack has it");

    // Downloads as uploaded: members a published item's, never an exempt one's.
    let (status, headers, got) = common::download(&member, &format!("/meetings/agenda-items/{word}/paper-file")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got, licensing, "the file as uploaded");
    assert!(headers["content-disposition"].to_str().unwrap().contains("licensing.docx"));
    assert_eq!(common::download(&member, &format!("/meetings/agenda-items/{exempt}/paper-file")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        common::download(&clerk, &format!("/meetings/agenda-items/{exempt}/paper-file")).await.1["content-type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let page = member.get(&format!("/meetings/{mid}")).await;
    assert!(
        page.has(&format!("/meetings/agenda-items/{pdf}/paper-file")) && !page.has(&format!("/meetings/agenda-items/{exempt}/paper-file")),
        "{}",
        page.body
    );
    assert!(!page.has("Add a paper") && !page.has("Change the paper"));
    assert_eq!(member.get(&format!("/meetings/agenda-items/{word}/paper")).await.status, StatusCode::FORBIDDEN);

    // The pack with the papers opens in LibreOffice, page numbers through it.
    if std::env::var("ASSURE_SKIP_LIBREOFFICE").is_ok_and(|v| v == "1") {
        eprintln!("LibreOffice check skipped: ASSURE_SKIP_LIBREOFFICE=1");
    } else {
        let pdf = assure_documents::pdf::to_pdf(&full, "docx").expect("LibreOffice opens the pack");
        let dir = std::env::temp_dir().join(format!("assure-papers-{}-{mid}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("pack.pdf"), &pdf).unwrap();
        let out = std::process::Command::new("pdftotext").arg("-layout").arg(dir.join("pack.pdf")).arg("-").output().expect("pdftotext");
        let _ = std::fs::remove_dir_all(&dir);
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let pages = text.matches('\u{c}').count().max(1);
        assert!(text.contains("412 of 430") && text.contains(&format!("Page {pages} of {pages}")), "{text}");
    }
    let (audit, _) = store
        .audit()
        .list(&assure_storage::audit::AuditFilter { action: Some("agenda-paper.save".into()), ..Default::default() }, 20, 0)
        .await
        .unwrap();
    assert_eq!(audit.len(), 4, "each paper saved audited once: {audit:?}");
}
on_both_engines!(papers, papers_written_or_uploaded_go_in_the_pack, demo = crate::common::password_hash());

/// A POST of owned fields.
async fn post_owned(c: &mut Client, path: &str, fields: &[(String, String)]) -> common::Resp {
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    c.post_form(path, &refs).await
}

/// Upload an agenda item's paper through the form.
async fn upload_paper(c: &mut Client, csrf: &str, item: i64, name: &str, bytes: &[u8], version: &str) -> common::Resp {
    c.post_multipart(&format!("/meetings/agenda-items/{item}/paper-file?_csrf={csrf}"), &[("version", version)], &[("file", name, bytes)]).await
}

/// The clerk brings a council's ModernGov history in through the page: checking the
/// files shows what will happen and writes nothing; importing writes it all and links
/// each meeting; a broken set is refused whole with every problem's file and line; a
/// committee member cannot reach the page. The imported approved minutes are on the
/// public site, the exempt item's minute is not.
async fn the_clerk_imports_from_moderngov(db: &TestDb) {
    let app = demo_app(db).await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../storage/tests/moderngov");
    let read = |n: &str| std::fs::read(dir.join(n)).unwrap();
    let (committees, meetings, detail) = (read("committees.xml"), read("meetings.xml"), read("meeting-1001.xml"));
    let files: Vec<(&str, &str, &[u8])> =
        vec![("files", "committees.xml", &committees), ("files", "meetings.xml", &meetings), ("files", "meeting-1001.xml", &detail)];

    let mut member = Client::new(app.clone());
    member.sign_in("committee-member@example.org").await;
    assert_eq!(member.get("/meetings/import").await.status, StatusCode::FORBIDDEN);

    let mut c = Client::new(app.clone());
    c.sign_in("clerk@example.org").await;
    let page = c.get("/meetings/import").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(c.get("/meetings").await.has("href=\"/meetings/import\""));
    let csrf = page.csrf();
    let path = format!("/meetings/import?_csrf={csrf}");
    let before = count_rows(&db.store, "meetings").await;

    let r = c.post_multipart(&path, &[("action", "check")], &files).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.has("Nothing has been imported yet") && r.has("Minutes approved") && r.has("ModernGov meeting 1001"), "{}", r.body);
    assert_eq!(count_rows(&db.store, "meetings").await, before, "checking writes nothing");

    let broken: Vec<(&str, &str, &[u8])> = vec![("files", "committees.xml", &committees), ("files", "cut.xml", b"<meetings>\n<meeting>")];
    let r = c.post_multipart(&path, &[("action", "import")], &broken).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Nothing was imported: the files have 1 problem") && r.has("<td class=\"app-table__cell\">cut.xml</td>"), "{}", r.body);
    let r = c.post_multipart(&path, &[("action", "import")], &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Select the XML files from ModernGov"), "{}", r.body);
    assert_eq!(count_rows(&db.store, "meetings").await, before);

    let r = c.post_multipart(&path, &[("action", "import")], &files).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.has("Imported 3 meetings from ModernGov"), "{}", r.body);
    assert_eq!(count_rows(&db.store, "meetings").await, before + 3);
    let id = db
        .store
        .meetings()
        .list(None)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.date == chrono::NaiveDate::from_ymd_opt(2015, 3, 10).unwrap())
        .expect("the held meeting")
        .id;
    assert!(r.has(&format!("href=\"/meetings/{id}\"")), "{}", r.body);

    let mut resident = Client::new(app.clone());
    let public = resident.get(&format!("/public/meetings/{id}")).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.has("circulate the quarterly referral figures") && !public.has("Ospreyvale"), "{}", public.body);
    // The minutes as a resident downloads them: the decision in, the exempt minute withheld.
    let (status, _, bytes) = common::download(&resident, &format!("/public/meetings/{id}/minutes/docx")).await;
    assert_eq!(status, StatusCode::OK);
    let text = docx_text(&bytes);
    assert!(text.contains("RESOLVED: That (1) the report be noted; (2) the Cabinet Member be requested"), "{text}");
    assert!(text.contains("48. Residential Placement Commissioning") && text.contains("Taken in private") && !text.contains("Ospreyvale"), "{text}");
    let future =
        db.store.meetings().list(None).await.unwrap().into_iter().find(|m| m.status == assure_domain::meetings::MeetingStatus::Scheduled).unwrap().id;
    assert_eq!(common::download(&resident, &format!("/public/meetings/{future}/minutes/docx")).await.0, StatusCode::NOT_FOUND);
}
on_both_engines!(moderngov_import, the_clerk_imports_from_moderngov, demo = crate::common::password_hash());
