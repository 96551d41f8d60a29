//! The public site, on both engines, with the whole demo loaded (its 213 children and
//! their referrals, plans, placements and missing episodes among the committee papers):
//! a reader who has not signed in follows every link from `/public`, opening each page
//! and each Word document, and no response carries a child's name, date of birth or
//! record address; every public route is reached; an exempt paper never appears; pages
//! may be cached and set no cookie. Then a child's name is planted in a public field
//! and the same walk finds it (so the check can fail).

mod common;

use std::collections::{BTreeSet, VecDeque};

use assure_domain::meetings::{AgendaItemInput, AgendaKind, MeetingInput, MeetingType};
use assure_storage::on_both_engines;
use assure_storage::testing::{every_child_identity, exec, TestDb};
use assure_web::routes::{self, Kind};
use axum::http::{header, StatusCode};
use common::{demo_app, docx_text, download, Client};

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// What identifies a child, as it could be written on a page.
struct Identity {
    name: String,
    marks: Vec<String>,
}

async fn identities(db: &TestDb) -> Vec<Identity> {
    every_child_identity(&db.store)
        .await
        .into_iter()
        .map(|(first, last, dob, _)| {
            let mut marks = vec![format!("{first} {last}"), format!("{last}, {first}"), format!("{} {}", first, last.to_uppercase())];
            if let Some(d) = dob {
                marks.push(d.format("%Y-%m-%d").to_string());
                marks.push(d.format("%d/%m/%Y").to_string());
            }
            Identity { name: format!("{first} {last}"), marks }
        })
        .collect()
}

/// One response the walk saw: its path and its text (a Word document's words).
struct Seen {
    path: String,
    text: String,
}

fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|h| h.replace("&amp;", "&"))
        .map(|h| h.split('#').next().unwrap_or("").to_string())
        .filter(|h| h.starts_with("/public") || h.starts_with("/oparl"))
        .collect()
}

/// The site's own addresses in an OParl document (its ids are absolute URLs), as paths.
fn json_links(v: &serde_json::Value, out: &mut Vec<String>) {
    let base = assure_web::Config::new(std::path::PathBuf::new()).public_url;
    match v {
        serde_json::Value::String(s) => {
            if let Some(path) = s.strip_prefix(&base) {
                if path.starts_with("/public") || path.starts_with("/oparl") {
                    out.push(path.to_string());
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| json_links(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| json_links(x, out)),
        _ => {}
    }
}

/// Follow every public link from `/public` (and the search form's results). PDFs are left out: each is converted from
/// the Word document the walk reads.
async fn walk(c: &Client) -> Vec<Seen> {
    // The search form's answers too (a form, not a link): a common word, and the exempt
    // paper's words.
    let mut queue: VecDeque<String> =
        ["/public", "/public/search?q=work+programme", "/public/search?q=kestrel+homes"].into_iter().map(String::from).collect();
    let mut visited: BTreeSet<String> = BTreeSet::new();
    let mut seen = Vec::new();
    while let Some(path) = queue.pop_front() {
        if !visited.insert(path.clone()) || path.ends_with("/pdf") {
            continue;
        }
        assert!(visited.len() < 3000, "the walk ends");
        let (status, headers, bytes) = download(c, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}: a public link answers");
        assert!(headers.get(header::SET_COOKIE).is_none(), "{path}: the public site sets no cookie");
        assert_eq!(headers.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()), Some("public, max-age=300"), "{path}: cacheable");
        let kind = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let text = if kind == DOCX { docx_text(&bytes) } else { String::from_utf8_lossy(&bytes).to_string() };
        let found = if kind.starts_with("text/html") {
            links(&text)
        } else if kind.starts_with("application/json") {
            let mut v = Vec::new();
            json_links(&serde_json::from_str(&text).expect("JSON"), &mut v);
            v
        } else {
            Vec::new()
        };
        {
            for l in found {
                if !visited.contains(&l) {
                    queue.push_back(l);
                }
            }
        }
        seen.push(Seen { path, text });
    }
    seen
}

/// Every way a child shows in what the walk saw: (path, what).
fn leaks(seen: &[Seen], children: &[Identity]) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for s in seen {
        for needle in ["/children/", "child_id"] {
            if s.text.contains(needle) {
                found.push((s.path.clone(), needle.to_string()));
            }
        }
        for k in children {
            if let Some(m) = k.marks.iter().find(|m| s.text.contains(m.as_str())) {
                found.push((s.path.clone(), format!("{} ({m})", k.name)));
            }
        }
    }
    found
}

/// Whether a path is an instance of a route template.
fn matches(template: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len() && t.iter().zip(&p).all(|(a, b)| (a.starts_with('{') && !b.is_empty()) || a == b)
}

async fn the_public_site_never_shows_a_child(db: &TestDb) {
    let app = demo_app(db).await;
    let children = identities(db).await;
    assert!(children.len() > 100, "the demo's children are loaded ({})", children.len());
    let (meeting, exempt, report) = common::published_papers(db).await;
    let c = Client::new(app);

    let seen = walk(&c).await;
    let found = leaks(&seen, &children);
    assert!(found.is_empty(), "a child shows on the public site: {found:?}");

    // Every public route was walked.
    let table = routes::table();
    let public: Vec<&str> = table.specs.iter().filter(|s| s.kind == Kind::PublicSite).map(|s| s.path).collect();
    assert!(public.len() >= 15, "the public routes are declared");
    for t in &public {
        assert!(seen.iter().any(|s| matches(t, &s.path)), "the walk reached no page of {t}");
    }
    // What was published is there: the meeting's open paper and its report, the demo's
    // minutes and forward plan.
    let all: String = seen.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join("\n");
    for published in
        ["open figures", "Police figures", "Provider contract", "RESOLVED:", "Forward plan published", "Licensing/Child Sexual Exploitation"]
    {
        assert!(all.contains(published), "the walk saw {published:?}");
    }
    assert!(seen.iter().any(|s| s.path == format!("/public/reports/{report}")), "the issued report is linked");
    let search = seen.iter().find(|s| s.path == "/public/search?q=work+programme").expect("the search was walked");
    assert!(search.text.contains("Agenda item") && search.text.contains("Minute"), "the search finds agenda items and minutes: {}", search.text);
    // The exempt paper never: not in a page, not in the pack, not as a file.
    assert!(!all.contains("Kestrel Homes"), "an exempt paper reached the public site");
    let (status, _, _) = download(&c, &format!("/public/agenda-items/{exempt}/paper-file")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A draft report, a meeting's draft agenda: not found, and not listed.
    let a = assure_storage::Actor::system();
    let rec = common::scrutiny_recommendation(&db.store).await;
    let input =
        assure_storage::reports::ReportInput { review_id: Some(rec.review_id), body_id: None, meeting_date: Some(db.store.today()), layout: None };
    let draft = db.store.reports().create(&a, &input).await.unwrap();
    let (status, _, body) = download(&c, &format!("/public/reports/{draft}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(String::from_utf8_lossy(&body).contains("href=\"/public\""), "the public site's own not-found page, with the way home");
    let body = db.store.tracker().bodies().await.unwrap()[0].id;
    let later = db
        .store
        .meetings()
        .create_meeting(
            &a,
            body,
            &MeetingInput {
                date: Some(db.store.today() + chrono::Duration::days(60)),
                time: "18:30".into(),
                venue: "Room 2".into(),
                kind: Some(MeetingType::Ordinary),
                joint_with: String::new(),
            },
        )
        .await
        .unwrap();
    db.store
        .meetings()
        .add_agenda_item(
            &a,
            later,
            &AgendaItemInput { kind: Some(AgendaKind::Report), title: "Draft item".into(), exempt_paragraph: None },
            None,
            None,
            None,
        )
        .await
        .unwrap();
    let page = download(&c, &format!("/public/meetings/{later}")).await;
    assert_eq!(page.0, StatusCode::OK);
    assert!(!String::from_utf8_lossy(&page.2).contains("Draft item"), "an unpublished agenda is not shown");
    assert_eq!(download(&c, &format!("/public/meetings/{later}/agenda-pack/docx")).await.0, StatusCode::NOT_FOUND);

    // The check can fail: a child's name typed into a public field is found.
    let planted = &children[0];
    let venue = planted.name.replace('\'', "''");
    exec(&db.store, &format!("UPDATE meetings SET venue = '{venue}' WHERE id = {meeting}")).await;
    let found = leaks(&walk(&c).await, &children);
    assert!(
        found.iter().any(|(path, what)| path == &format!("/public/meetings/{meeting}") && what.starts_with(&planted.name)),
        "the planted name is found: {found:?}"
    );
}
on_both_engines!(never_a_child, the_public_site_never_shows_a_child, demo = crate::common::password_hash());
