//! An in-process client for the pages: cookies, CSRF tokens, demo sign-in.
#![allow(dead_code)]

use assure_storage::testing::TestDb;
use assure_web::{app, Config};
use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use axum::Router;
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
    /// The CSRF token in the page's forms.
    pub fn csrf(&self) -> String {
        let i = self.body.find("name=\"_csrf\" value=\"").expect("page has a CSRF field") + 20;
        self.body[i..i + 64].to_string()
    }
    pub fn has(&self, s: &str) -> bool {
        self.body.contains(s)
    }
}

pub struct Client {
    pub app: Router,
    pub cookies: Vec<(String, String)>,
}

impl Client {
    pub fn new(app: Router) -> Client {
        Client { app, cookies: Vec::new() }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    pub async fn send(&mut self, req: Request<Body>) -> Resp {
        let resp = self.app.clone().oneshot(req).await.expect("response");
        for sc in resp.headers().get_all(header::SET_COOKIE) {
            let s = sc.to_str().unwrap();
            let (kv, attrs) = s.split_once(';').unwrap_or((s, ""));
            let (k, v) = kv.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != k);
            if !attrs.contains("Max-Age=0") {
                self.cookies.push((k.to_string(), v.to_string()));
            }
        }
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = String::from_utf8_lossy(&to_bytes(resp.into_body(), 64 * 1024 * 1024).await.unwrap()).to_string();
        Resp { status, headers, body }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        let req = Request::get(path).header(header::COOKIE, self.cookie_header()).body(Body::empty()).unwrap();
        self.send(req).await
    }

    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields.iter()).finish();
        let req = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// A JSON POST to the API with this session, its CSRF token in the header.
    pub async fn post_json(&mut self, path: &str, csrf: &str, body: &serde_json::Value) -> Resp {
        let req = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-csrf-token", csrf)
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(req).await
    }

    pub async fn post_multipart(&mut self, path: &str, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Resp {
        let boundary = "----assureboundary7f3a";
        let mut body: Vec<u8> = Vec::new();
        for (k, v) in fields {
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
        }
        for (field, name, bytes) in files {
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
            body.extend(*bytes);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{boundary}--\r\n").as_bytes());
        let req = Request::post(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// Sign in through the form as a person would.
    pub async fn sign_in(&mut self, email: &str) -> Resp {
        let page = self.get("/login").await;
        let token = page.csrf();
        let r = self.post_form("/login", &[("_csrf", &token), ("email", email), ("password", PASSWORD), ("next", "/")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "sign-in as {email} failed: {}", r.body);
        r
    }

    /// The CSRF token of the signed-in session (read from any page).
    pub async fn csrf(&mut self) -> String {
        self.get("/").await.csrf()
    }
}

/// A demo-loaded app on the given test database.
/// The demo accounts' password hash (for `on_both_engines!(…, demo = crate::common::password_hash())`).
pub fn password_hash() -> String {
    assure_web::auth::hash_password(PASSWORD)
}

pub async fn demo_app(db: &TestDb) -> Router {
    demo_app_with(db, |_| {}).await
}

pub async fn demo_app_with(db: &TestDb, tweak: impl FnOnce(&mut Config)) -> Router {
    // A database made with the demo loaded (`on_both_engines!(…, demo = …)`) needs no load.
    if assure_storage::demo::to_load(&db.store).await.unwrap() {
        assure_storage::demo::load(&db.store, db.store.today(), &password_hash()).await.unwrap();
    }
    let mut config = Config::new(db.dir.clone());
    tweak(&mut config);
    app(db.store.clone(), config)
}

pub fn today() -> chrono::NaiveDate {
    assure_domain::Clock::system().today()
}

/// A child's record opened through the door, as the demo's MASH worker (who sees every
/// child): for reading back what a page saved. The view is audited like any other.
pub async fn mash_record(db: &TestDb, child: i64) -> assure_storage::ChildRecord {
    record_as(db, "mash-worker@example.org", child, assure_domain::partnership::Section::Identity).await
}

/// A child's record opened through the door by this account, for one section.
pub async fn record_as(db: &TestDb, email: &str, child: i64, section: assure_domain::partnership::Section) -> assure_storage::ChildRecord {
    let reader = assure_storage::testing::reader(&db.store, email).await;
    db.store.open_child(&reader, assure_storage::ChildKey::Child(child), section).await.unwrap_or_else(|e| panic!("{email} opens child {child}: {e}"))
}

/// The text of a DOCX's Word parts (the document, headers and footers), as XML.
pub fn docx_text(bytes: &[u8]) -> String {
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
pub async fn download(c: &Client, path: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let cookies = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let req = Request::get(path).header(header::COOKIE, cookies).body(Body::empty()).unwrap();
    let resp = c.app.clone().oneshot(req).await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    (status, headers, to_bytes(resp.into_body(), 64 * 1024 * 1024).await.unwrap().to_vec())
}

#[allow(unused_imports)]
pub use assure_storage::testing::{scrutiny_recommendation, scrutiny_review};

/// An issued monitoring report, and a meeting next month whose published agenda has an
/// open paper (a PDF), the report, and an exempt paper.
pub async fn published_papers(db: &TestDb) -> (i64, i64, i64) {
    let a = assure_storage::Actor::system();
    let today = db.store.today();
    let rec = scrutiny_recommendation(&db.store).await;
    let input = assure_storage::reports::ReportInput { review_id: Some(rec.review_id), body_id: None, meeting_date: Some(today), layout: None };
    let report = db.store.reports().create(&a, &input).await.unwrap();
    db.store.reports().issue(&a, report, 1, today).await.unwrap();

    let body = db.store.tracker().bodies().await.unwrap()[0].id;
    let m = db.store.meetings();
    let date = today + chrono::Duration::days(30);
    let meeting = m
        .create_meeting(
            &a,
            body,
            &assure_domain::meetings::MeetingInput {
                date: Some(date),
                time: "18:30".into(),
                venue: "Committee Room 1".into(),
                kind: Some(assure_domain::meetings::MeetingType::Ordinary),
                joint_with: String::new(),
            },
        )
        .await
        .unwrap();
    let item =
        |kind, title: &str, exempt_paragraph| assure_domain::meetings::AgendaItemInput { kind: Some(kind), title: title.into(), exempt_paragraph };
    let open =
        m.add_agenda_item(&a, meeting, &item(assure_domain::meetings::AgendaKind::Report, "Police figures", None), None, None, None).await.unwrap();
    m.add_agenda_item(&a, meeting, &item(assure_domain::meetings::AgendaKind::Report, "Recommendations monitoring", None), Some(report), None, None)
        .await
        .unwrap();
    let exempt = m
        .add_agenda_item(&a, meeting, &item(assure_domain::meetings::AgendaKind::Exempt, "Provider contract", Some(3)), None, None, None)
        .await
        .unwrap();
    let pdf = assure_storage::meetings::PaperUpload {
        name: "police-figures.pdf".into(),
        content_type: "application/pdf".into(),
        bytes: b"%PDF-1.4 open figures".to_vec(),
        blocks: None,
    };
    m.upload_paper(&a, open, 0, &pdf).await.unwrap();
    let secret = assure_storage::meetings::PaperUpload {
        name: "contract.docx".into(),
        content_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document".into(),
        bytes: vec![0x50, 0x4b, 3, 4, 1, 2, 3],
        blocks: Some(vec![assure_domain::meetings::PaperBlock::Paragraph("Kestrel Homes breach of contract".into())]),
    };
    m.upload_paper(&a, exempt, 0, &secret).await.unwrap();
    let v = m.meeting(meeting).await.unwrap().version;
    m.set_status(&a, meeting, v, assure_domain::meetings::MeetingStatus::AgendaPublished).await.unwrap();
    (meeting, exempt, report)
}
