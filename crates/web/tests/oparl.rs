//! OParl 1.1 open data over the demo, on both engines. From the System, a client
//! follows every address under `/oparl/v1` (lists page by page through `links.next`):
//! every object and list page validates against the OParl 1.1 schemas kept in
//! `tests/oparl/` (written from the specification's object definitions; no property
//! outside them); every embedded object is the one its own address answers; each list
//! holds `totalElements` distinct objects across its pages; the committees, meetings
//! and people are the store's; an exempt item is not public and has no paper; an
//! unpublished agenda shows no item; an unknown object is 404.

mod common;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use axum::http::StatusCode;
use common::{demo_app, download, Client};
use serde_json::Value;

const SCHEMA: &str = "https://schema.oparl.org/1.1/";
const KINDS: &[&str] =
    &["System", "Body", "Organization", "Person", "Membership", "Meeting", "AgendaItem", "Paper", "File", "Consultation", "LegislativeTerm", "List"];

struct Validator {
    schemas: boon::Schemas,
    index: BTreeMap<String, boon::SchemaIndex>,
}

impl Validator {
    fn new() -> Validator {
        let mut compiler = boon::Compiler::new();
        compiler.enable_format_assertions();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oparl");
        for k in KINDS {
            let text = std::fs::read_to_string(dir.join(format!("{k}.json"))).expect("a schema");
            compiler.add_resource(&format!("https://assure.test/oparl/1.1/{k}.json"), serde_json::from_str(&text).unwrap()).unwrap();
        }
        let mut schemas = boon::Schemas::new();
        let index = KINDS
            .iter()
            .map(|k| (k.to_string(), compiler.compile(&format!("https://assure.test/oparl/1.1/{k}.json"), &mut schemas).unwrap()))
            .collect();
        Validator { schemas, index }
    }

    fn valid(&self, kind: &str, v: &Value) -> bool {
        self.schemas.validate(v, self.index[kind]).is_ok()
    }

    fn check(&self, kind: &str, v: &Value, at: &str) {
        let i = *self.index.get(kind).unwrap_or_else(|| panic!("{at}: unknown kind {kind}"));
        if let Err(e) = self.schemas.validate(v, i) {
            panic!("{at} is not a valid OParl 1.1 {kind}: {e:#}\n{v:#}");
        }
    }
}

fn kind_of(v: &Value) -> Option<&str> {
    v.get("type")?.as_str()?.strip_prefix(SCHEMA)
}

/// Every object (with an id and an OParl type) inside `v`, embedded ones too.
fn objects<'v>(v: &'v Value, out: &mut Vec<&'v Value>) {
    match v {
        Value::Object(o) => {
            if kind_of(v).is_some() && o.contains_key("id") {
                out.push(v);
            }
            o.values().for_each(|x| objects(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| objects(x, out)),
        _ => {}
    }
}

fn addresses(v: &Value, base: &str, out: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            if let Some(p) = s.strip_prefix(base).filter(|p| p.starts_with("/oparl/")) {
                out.push(p.to_string());
            }
        }
        Value::Array(a) => a.iter().for_each(|x| addresses(x, base, out)),
        Value::Object(o) => o.values().for_each(|x| addresses(x, base, out)),
        _ => {}
    }
}

async fn get_json(c: &Client, path: &str) -> Value {
    let (status, headers, body) = download(c, path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    assert!(headers.get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("application/json")), "{path} is JSON");
    serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn open_data_validates(db: &TestDb) {
    let app = demo_app(db).await;
    let (meeting, exempt, _) = common::published_papers(db).await;
    let c = Client::new(app);
    let base = assure_web::Config::new(std::path::PathBuf::new()).public_url;
    let v = Validator::new();
    // The schemas can fail: a System without its body list, a misspelt property, a date
    // that is not one, an embedded File without its address.
    let system = get_json(&c, "/oparl/v1/system").await;
    assert!(v.valid("System", &system));
    let mut bad = system.clone();
    bad.as_object_mut().unwrap().remove("body");
    assert!(!v.valid("System", &bad));
    let mut bad = system.clone();
    bad["webSite"] = system["website"].clone();
    assert!(!v.valid("System", &bad));
    let term = serde_json::json!({ "id": format!("{base}/oparl/v1/legislativeterm/2017"), "type": format!("{SCHEMA}LegislativeTerm"), "startDate": "21 May 2017" });
    assert!(!v.valid("LegislativeTerm", &term));
    let meeting_without_file = serde_json::json!({ "id": format!("{base}/oparl/v1/meeting/1"), "type": format!("{SCHEMA}Meeting"), "invitation": { "id": format!("{base}/oparl/v1/file/pack-1"), "type": format!("{SCHEMA}File") } });
    assert!(!v.valid("Meeting", &meeting_without_file));

    // The walk: every address, every page of every list.
    let mut queue = VecDeque::from(["/oparl/v1/system".to_string()]);
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut answers: BTreeMap<String, Value> = BTreeMap::new();
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let doc = get_json(&c, &path).await;
        if doc.get("data").is_some() {
            v.check("List", &doc, &path);
        }
        let mut found = Vec::new();
        objects(&doc, &mut found);
        for o in found {
            v.check(kind_of(o).unwrap(), o, &path);
        }
        let mut next = Vec::new();
        addresses(&doc, &base, &mut next);
        queue.extend(next.into_iter().filter(|p| !seen.contains(p)));
        answers.insert(path, doc);
    }
    assert!(seen.len() > 40, "the walk found the data ({} addresses)", seen.len());
    for t in assure_web::routes::table().specs.iter().filter(|s| s.path.starts_with("/oparl/")) {
        let parts: Vec<&str> = t.path.split('/').collect();
        let reached = seen.iter().any(|p| {
            let q: Vec<&str> = p.split('?').next().unwrap().split('/').collect();
            q.len() == parts.len() && parts.iter().zip(&q).all(|(a, b)| a.starts_with('{') || a == b)
        });
        assert!(reached, "the walk reached no {}", t.path);
    }

    // An embedded object is the object its address answers.
    for (path, doc) in &answers {
        let mut found = Vec::new();
        objects(doc, &mut found);
        for o in found {
            let id = o["id"].as_str().unwrap().strip_prefix(&base).unwrap();
            assert_eq!(answers.get(id), Some(o), "{id}, as embedded in {path}, is what its own address answers");
        }
    }

    // Each list holds totalElements distinct objects across its pages.
    let lists: Vec<&String> = answers.keys().filter(|p| answers[*p].get("data").is_some() && !p.contains('?')).collect();
    let mut totals = BTreeMap::new();
    for l in lists {
        let mut ids = BTreeSet::new();
        let mut page = answers[l].clone();
        loop {
            for o in page["data"].as_array().unwrap() {
                assert!(ids.insert(o["id"].as_str().unwrap().to_string()), "{l}: an object listed twice");
            }
            match page["links"].get("next").and_then(|n| n.as_str()) {
                Some(n) => page = get_json(&c, n.strip_prefix(&base).unwrap()).await,
                None => break,
            }
        }
        assert_eq!(ids.len() as u64, answers[l]["pagination"]["totalElements"].as_u64().unwrap(), "{l}");
        totals.insert(l.to_string(), ids.len());
    }
    assert!(answers.keys().any(|p| p.contains("?page=2")), "a list runs over more than one page");
    assert_eq!(totals["/oparl/v1/body/1/organizations"], db.store.tracker().bodies().await.unwrap().len());
    assert_eq!(totals["/oparl/v1/body/1/meetings"], db.store.meetings().list(None).await.unwrap().len());
    assert_eq!(totals["/oparl/v1/body/1/people"], db.store.meetings().people().await.unwrap().len());

    // The test meeting: its exempt item is not public and has no paper; its open paper
    // is a Paper whose file is the public site's download.
    let m = get_json(&c, &format!("/oparl/v1/meeting/{meeting}")).await;
    let items = m["agendaItem"].as_array().unwrap();
    let secret = items.iter().find(|i| i["id"].as_str().unwrap().ends_with(&format!("/agendaitem/{exempt}"))).expect("the exempt item is listed");
    assert_eq!(secret["public"], false);
    assert!(secret.get("consultation").is_none(), "no paper for an exempt item");
    assert_eq!(download(&c, &format!("/oparl/v1/paper/{exempt}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(download(&c, &format!("/oparl/v1/file/paper-{exempt}")).await.0, StatusCode::NOT_FOUND);
    let open = items.iter().find(|i| i["name"] == "Police figures").expect("the open item");
    let paper = get_json(&c, open["consultation"].as_str().unwrap().strip_prefix(&base).unwrap().replace("consultation", "paper").as_str()).await;
    let file = paper["mainFile"]["accessUrl"].as_str().unwrap().strip_prefix(&base).unwrap().to_string();
    let (status, _, bytes) = download(&c, &file).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, b"%PDF-1.4 open figures");
    assert!(m["invitation"]["accessUrl"].as_str().unwrap().ends_with(&format!("/public/meetings/{meeting}/agenda-pack/docx")));

    // A meeting whose agenda is not published lists no item; unknown objects are 404.
    let scheduled = db
        .store
        .meetings()
        .list(None)
        .await
        .unwrap()
        .into_iter()
        .find(|m| !m.status.agenda_closed() && m.status != assure_domain::meetings::MeetingStatus::Cancelled)
        .expect("the demo has a meeting still to publish its agenda");
    let doc = get_json(&c, &format!("/oparl/v1/meeting/{}", scheduled.id)).await;
    assert!(doc.get("agendaItem").is_none() && doc.get("invitation").is_none(), "{doc:#}");
    for gone in ["/oparl/v1/body/2", "/oparl/v1/meeting/999999", "/oparl/v1/file/pack-999999", "/oparl/v1/file/x", "/oparl/v1/body/1/people?page=99"]
    {
        let (status, headers, body) = download(&c, gone).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{gone}");
        assert!(headers[axum::http::header::CONTENT_TYPE].to_str().unwrap().starts_with("application/json"), "{gone}: an API answers JSON");
        assert!(serde_json::from_slice::<serde_json::Value>(&body).is_ok(), "{gone}: {}", String::from_utf8_lossy(&body));
    }
}
on_both_engines!(open_data, open_data_validates, demo = crate::common::password_hash());
