//! Open data in the OParl 1.1 shape (https://oparl.org), read-only, under `/oparl/v1`:
//! the entry object is the System (`/oparl/v1/system`), whose body list holds one Body,
//! the council; its committees are Organizations, the people who sit on them Persons
//! with their Memberships, the municipal years LegislativeTerms, the meetings Meetings
//! with their (published) AgendaItems, each open item's paper a Paper considered at
//! its meeting (a Consultation), and the public agenda packs and uploaded papers Files
//! pointing at the public site's downloads. Lists are paginated as the standard says
//! (`data`, `pagination`, `links` with `next`). Built from the public store only, like
//! the rest of the public site: exempt items are marked not public and carry no paper.

use std::collections::HashMap;

use assure_domain::meetings::{MeetingStatus, MunicipalYear};
use assure_storage::meetings::{AgendaItem, Meeting, Member, Paper, PaperContent, Person};
use assure_storage::tracker::Body;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Value};

use super::PublicState;
use crate::error::{ApiError, AppError};

/// OParl answers in JSON, its errors too (`{"error": …}` with the status).
type OparlResult = Result<Response, ApiError>;
use crate::pages::id;

/// How many objects a list page holds.
pub const ELEMENTS_PER_PAGE: usize = 10;

const SCHEMA: &str = "https://schema.oparl.org/1.1/";

/// The one body the council publishes.
const BODY: i64 = 1;

fn kind(name: &str) -> String {
    format!("{SCHEMA}{name}")
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    page: Option<usize>,
}

fn oparl_json(v: Value) -> Response {
    ([(header::CONTENT_TYPE, "application/json; charset=utf-8")], v.to_string()).into_response()
}

/// Addresses of the objects, absolute (OParl ids are URLs).
struct Urls {
    base: String,
    site: String,
}

impl Urls {
    fn new(state: &PublicState) -> Urls {
        let site = state.base.trim_end_matches('/').to_string();
        Urls { base: format!("{site}/oparl/v1"), site }
    }
    fn at(&self, path: &str) -> String {
        format!("{}/{path}", self.base)
    }
    fn body(&self) -> String {
        self.at(&format!("body/{BODY}"))
    }
    fn body_list(&self, what: &str) -> String {
        self.at(&format!("body/{BODY}/{what}"))
    }
}

/// A list page as OParl paginates: `?page=` from 1; `next` while there are more.
fn list(urls_list: &str, all: Vec<Value>, q: &PageQuery) -> OparlResult {
    let total = all.len();
    let pages = total.div_ceil(ELEMENTS_PER_PAGE).max(1);
    let page = q.page.unwrap_or(1);
    if page == 0 || page > pages {
        return Err(AppError::NotFound.into());
    }
    let data: Vec<Value> = all.into_iter().skip((page - 1) * ELEMENTS_PER_PAGE).take(ELEMENTS_PER_PAGE).collect();
    let mut links = json!({ "first": format!("{urls_list}?page=1"), "last": format!("{urls_list}?page={pages}") });
    if page > 1 {
        links["prev"] = json!(format!("{urls_list}?page={}", page - 1));
    }
    if page < pages {
        links["next"] = json!(format!("{urls_list}?page={}", page + 1));
    }
    Ok(oparl_json(json!({
        "data": data,
        "pagination": { "totalElements": total, "elementsPerPage": ELEMENTS_PER_PAGE, "currentPage": page, "totalPages": pages },
        "links": links,
    })))
}

fn year_id(y: MunicipalYear) -> i64 {
    i64::from(y.0)
}

fn legislative_term(u: &Urls, y: MunicipalYear) -> Value {
    json!({
        "id": u.at(&format!("legislativeterm/{}", year_id(y))),
        "type": kind("LegislativeTerm"),
        "body": u.body(),
        "name": format!("Municipal year {}", y.label()),
        "startDate": y.first_day().to_string(),
        "endDate": y.last_day().to_string(),
    })
}

fn membership(u: &Urls, m: &Member) -> Value {
    let mut v = json!({
        "id": u.at(&format!("membership/{}", m.id)),
        "type": kind("Membership"),
        "person": u.at(&format!("person/{}", m.person.id)),
        "organization": u.at(&format!("organization/{}", m.body_id)),
        "role": m.role.label(),
        "votingRight": m.role.votes(),
        "startDate": m.term_start.to_string(),
    });
    if let Some(end) = m.term_end {
        v["endDate"] = json!(end.to_string());
    }
    v
}

fn person(u: &Urls, p: &Person, memberships: &[&Member]) -> Value {
    json!({
        "id": u.at(&format!("person/{}", p.id)),
        "type": kind("Person"),
        "body": u.body(),
        "name": p.name,
        "membership": memberships.iter().map(|m| membership(u, m)).collect::<Vec<_>>(),
    })
}

fn organization(u: &Urls, b: &Body, memberships: &[&Member]) -> Value {
    json!({
        "id": u.at(&format!("organization/{}", b.id)),
        "type": kind("Organization"),
        "body": u.body(),
        "name": b.name,
        "organizationType": "committee",
        "classification": b.kind.label(),
        "membership": memberships.iter().map(|m| u.at(&format!("membership/{}", m.id))).collect::<Vec<_>>(),
        "meeting": u.at(&format!("organization/{}/meetings", b.id)),
        "web": format!("{}/public/committees/{}", u.site, b.id),
    })
}

fn pack_file(u: &Urls, m: &Meeting) -> Value {
    json!({
        "id": u.at(&format!("file/pack-{}", m.id)),
        "type": kind("File"),
        "name": format!("Agenda pack, {} {}", m.body_name, m.date),
        "fileName": format!("agenda-pack-{}.docx", m.date),
        "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "accessUrl": format!("{}/public/meetings/{}/agenda-pack/docx", u.site, m.id),
        "downloadUrl": format!("{}/public/meetings/{}/agenda-pack/docx", u.site, m.id),
        "meeting": [u.at(&format!("meeting/{}", m.id))],
    })
}

fn paper_file(u: &Urls, m: &Meeting, item: i64, name: &str, mime: &str) -> Value {
    json!({
        "id": u.at(&format!("file/paper-{item}")),
        "type": kind("File"),
        "name": name,
        "fileName": name,
        "mimeType": mime,
        "accessUrl": format!("{}/public/agenda-items/{item}/paper-file", u.site),
        "downloadUrl": format!("{}/public/agenda-items/{item}/paper-file", u.site),
        "meeting": [u.at(&format!("meeting/{}", m.id))],
        "paper": [u.at(&format!("paper/{item}"))],
    })
}

/// Whether an agenda item has a paper the public may read.
fn has_paper(i: &AgendaItem, papers: &[Paper]) -> bool {
    i.exempt_paragraph.is_none()
        && (i.report_id.is_some()
            || papers.iter().any(|p| p.agenda_item_id == i.id)
            || i.paper_title.as_deref().is_some_and(|t| !t.trim().is_empty()))
}

fn agenda_item(u: &Urls, m: &Meeting, i: &AgendaItem, papers: &[Paper]) -> Value {
    let mut v = json!({
        "id": u.at(&format!("agendaitem/{}", i.id)),
        "type": kind("AgendaItem"),
        "meeting": u.at(&format!("meeting/{}", m.id)),
        "number": i.number.to_string(),
        "order": i.number,
        "name": i.title,
        "public": i.exempt_paragraph.is_none(),
        "web": format!("{}/public/meetings/{}", u.site, m.id),
    });
    if has_paper(i, papers) {
        v["consultation"] = json!(u.at(&format!("consultation/{}", i.id)));
    }
    v
}

fn meeting(u: &Urls, m: &Meeting, agenda: Option<&Vec<AgendaItem>>, papers: &[Paper]) -> Value {
    let time = chrono::NaiveTime::parse_from_str(&m.time, "%H:%M").unwrap_or_default();
    let start = assure_domain::clock::from_london(m.date.and_time(time));
    let state = match m.status {
        MeetingStatus::Scheduled | MeetingStatus::Moved => "scheduled",
        MeetingStatus::AgendaPublished => "invited",
        MeetingStatus::Held | MeetingStatus::MinutesApproved => "held",
        MeetingStatus::Cancelled => "cancelled",
    };
    let mut v = json!({
        "id": u.at(&format!("meeting/{}", m.id)),
        "type": kind("Meeting"),
        "name": m.title(),
        "meetingState": state,
        "cancelled": m.status == MeetingStatus::Cancelled,
        "start": start.to_rfc3339(),
        "organization": [u.at(&format!("organization/{}", m.body_id))],
        "web": format!("{}/public/meetings/{}", u.site, m.id),
    });
    if let Some(items) = agenda {
        v["agendaItem"] = json!(items.iter().map(|i| agenda_item(u, m, i, papers)).collect::<Vec<_>>());
        v["invitation"] = pack_file(u, m);
    }
    v
}

fn consultation(u: &Urls, m: &Meeting, i: &AgendaItem) -> Value {
    json!({
        "id": u.at(&format!("consultation/{}", i.id)),
        "type": kind("Consultation"),
        "paper": u.at(&format!("paper/{}", i.id)),
        "agendaItem": u.at(&format!("agendaitem/{}", i.id)),
        "meeting": u.at(&format!("meeting/{}", m.id)),
        "organization": [u.at(&format!("organization/{}", m.body_id))],
        "authoritative": false,
        "role": "For consideration",
    })
}

fn paper(u: &Urls, m: &Meeting, i: &AgendaItem, papers: &[Paper]) -> Value {
    let own = papers.iter().find(|p| p.agenda_item_id == i.id);
    let name = match (own, &i.paper_title) {
        (Some(p), _) => p.describe(),
        (None, Some(t)) if !t.trim().is_empty() => t.clone(),
        _ => i.title.clone(),
    };
    let mut v = json!({
        "id": u.at(&format!("paper/{}", i.id)),
        "type": kind("Paper"),
        "body": u.body(),
        "name": name,
        "reference": format!("{}/{}", m.date, i.number),
        "date": m.date.to_string(),
        "paperType": if i.report_id.is_some() { "Monitoring report" } else { "Report" },
        "consultation": [consultation(u, m, i)],
        "web": format!("{}/public/meetings/{}", u.site, m.id),
    });
    if let Some(Paper { content: PaperContent::Uploaded { name, content_type, .. }, .. }) = own {
        v["mainFile"] = paper_file(u, m, i.id, name, content_type);
    }
    v
}

/// Everything published, gathered once per request.
struct Published {
    meetings: Vec<Meeting>,
    agendas: HashMap<i64, Vec<AgendaItem>>,
    papers: Vec<Paper>,
}

impl Published {
    async fn load(state: &PublicState) -> Result<Published, AppError> {
        Ok(Published {
            meetings: state.store.meetings(None).await?,
            agendas: state.store.published_agendas().await?.into_iter().collect(),
            papers: state.store.published_papers().await?,
        })
    }
    fn meeting(&self, id: i64) -> Option<&Meeting> {
        self.meetings.iter().find(|m| m.id == id)
    }
    /// Each published item with its meeting.
    fn items(&self) -> impl Iterator<Item = (&Meeting, &AgendaItem)> {
        self.meetings.iter().flat_map(move |m| self.agendas.get(&m.id).into_iter().flatten().map(move |i| (m, i)))
    }
    fn item(&self, id: i64) -> Option<(&Meeting, &AgendaItem)> {
        self.items().find(|(_, i)| i.id == id)
    }
    fn papered(&self) -> impl Iterator<Item = (&Meeting, &AgendaItem)> {
        self.items().filter(|(_, i)| has_paper(i, &self.papers))
    }
}

async fn terms(state: &PublicState) -> Result<Vec<MunicipalYear>, AppError> {
    let mut years: Vec<MunicipalYear> = state.store.meetings(None).await?.iter().map(|m| m.year).collect();
    years.extend(state.store.all_memberships().await?.iter().map(|m| MunicipalYear::of(m.term_start)));
    years.sort_by_key(|y| y.0);
    years.dedup();
    Ok(years)
}

// ------------------------------------------------------------------------- handlers

/// GET "/oparl/v1/system": the entry object.
pub async fn system(State(state): State<PublicState>) -> OparlResult {
    let u = Urls::new(&state);
    let settings = state.store.settings().await?;
    Ok(oparl_json(json!({
        "id": u.at("system"),
        "type": kind("System"),
        "oparlVersion": SCHEMA,
        "name": format!("{}: committees and decisions", settings.organisation),
        "body": u.at("bodies"),
        "website": format!("{}/public", u.site),
        "web": format!("{}/public", u.site),
    })))
}

async fn body_object(state: &PublicState) -> Result<Value, AppError> {
    let u = Urls::new(state);
    let settings = state.store.settings().await?;
    Ok(json!({
        "id": u.body(),
        "type": kind("Body"),
        "system": u.at("system"),
        "name": settings.organisation,
        "website": format!("{}/public", u.site),
        "organization": u.body_list("organizations"),
        "person": u.body_list("people"),
        "meeting": u.body_list("meetings"),
        "paper": u.body_list("papers"),
        "membership": u.body_list("memberships"),
        "legislativeTermList": u.body_list("legislativeterms"),
        "legislativeTerm": terms(state).await?.into_iter().map(|y| legislative_term(&u, y)).collect::<Vec<_>>(),
        "web": format!("{}/public", u.site),
    }))
}

fn the_body(raw: &str) -> Result<(), AppError> {
    if id(raw)? == BODY {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// GET "/oparl/v1/bodies".
pub async fn bodies(State(state): State<PublicState>, Query(q): Query<PageQuery>) -> OparlResult {
    let u = Urls::new(&state);
    list(&u.at("bodies"), vec![body_object(&state).await?], &q)
}

/// GET "/oparl/v1/body/{id}".
pub async fn body(State(state): State<PublicState>, Path(raw): Path<String>) -> OparlResult {
    the_body(&raw)?;
    Ok(oparl_json(body_object(&state).await?))
}

/// GET "/oparl/v1/body/{id}/organizations".
pub async fn organizations(State(state): State<PublicState>, Path(raw): Path<String>, Query(q): Query<PageQuery>) -> OparlResult {
    the_body(&raw)?;
    let u = Urls::new(&state);
    let all = state.store.all_memberships().await?;
    let data =
        state.store.bodies().await?.iter().map(|b| organization(&u, b, &all.iter().filter(|m| m.body_id == b.id).collect::<Vec<_>>())).collect();
    list(&u.body_list("organizations"), data, &q)
}

/// GET "/oparl/v1/body/{id}/people".
pub async fn people(State(state): State<PublicState>, Path(raw): Path<String>, Query(q): Query<PageQuery>) -> OparlResult {
    the_body(&raw)?;
    let u = Urls::new(&state);
    let all = state.store.all_memberships().await?;
    let data = state.store.people().await?.iter().map(|p| person(&u, p, &all.iter().filter(|m| m.person.id == p.id).collect::<Vec<_>>())).collect();
    list(&u.body_list("people"), data, &q)
}

/// GET "/oparl/v1/body/{id}/memberships".
pub async fn memberships(State(state): State<PublicState>, Path(raw): Path<String>, Query(q): Query<PageQuery>) -> OparlResult {
    the_body(&raw)?;
    let u = Urls::new(&state);
    let data = state.store.all_memberships().await?.iter().map(|m| membership(&u, m)).collect();
    list(&u.body_list("memberships"), data, &q)
}

/// GET "/oparl/v1/body/{id}/meetings".
pub async fn meetings(State(state): State<PublicState>, Path(raw): Path<String>, Query(q): Query<PageQuery>) -> OparlResult {
    the_body(&raw)?;
    let u = Urls::new(&state);
    let p = Published::load(&state).await?;
    let data = p.meetings.iter().map(|m| meeting(&u, m, p.agendas.get(&m.id), &p.papers)).collect();
    list(&u.body_list("meetings"), data, &q)
}

/// GET "/oparl/v1/body/{id}/papers".
pub async fn papers(State(state): State<PublicState>, Path(raw): Path<String>, Query(q): Query<PageQuery>) -> OparlResult {
    the_body(&raw)?;
    let u = Urls::new(&state);
    let p = Published::load(&state).await?;
    let data = p.papered().map(|(m, i)| paper(&u, m, i, &p.papers)).collect();
    list(&u.body_list("papers"), data, &q)
}

/// GET "/oparl/v1/body/{id}/legislativeterms".
pub async fn legislative_terms(State(state): State<PublicState>, Path(raw): Path<String>, Query(q): Query<PageQuery>) -> OparlResult {
    the_body(&raw)?;
    let u = Urls::new(&state);
    let data = terms(&state).await?.into_iter().map(|y| legislative_term(&u, y)).collect();
    list(&u.body_list("legislativeterms"), data, &q)
}

/// GET "/oparl/v1/organization/{id}".
pub async fn organization_one(State(state): State<PublicState>, Path(raw): Path<String>) -> OparlResult {
    let u = Urls::new(&state);
    let b = state.store.body(id(&raw)?).await?;
    let all = state.store.all_memberships().await?;
    Ok(oparl_json(organization(&u, &b, &all.iter().filter(|m| m.body_id == b.id).collect::<Vec<_>>())))
}

/// GET "/oparl/v1/organization/{id}/meetings".
pub async fn organization_meetings(State(state): State<PublicState>, Path(raw): Path<String>, Query(q): Query<PageQuery>) -> OparlResult {
    let u = Urls::new(&state);
    let b = state.store.body(id(&raw)?).await?;
    let p = Published::load(&state).await?;
    let data = p.meetings.iter().filter(|m| m.body_id == b.id).map(|m| meeting(&u, m, p.agendas.get(&m.id), &p.papers)).collect();
    list(&u.at(&format!("organization/{}/meetings", b.id)), data, &q)
}

/// GET "/oparl/v1/person/{id}".
pub async fn person_one(State(state): State<PublicState>, Path(raw): Path<String>) -> OparlResult {
    let u = Urls::new(&state);
    let pid = id(&raw)?;
    let p = state.store.people().await?.into_iter().find(|p| p.id == pid).ok_or(AppError::NotFound)?;
    let all = state.store.all_memberships().await?;
    Ok(oparl_json(person(&u, &p, &all.iter().filter(|m| m.person.id == p.id).collect::<Vec<_>>())))
}

/// GET "/oparl/v1/membership/{id}".
pub async fn membership_one(State(state): State<PublicState>, Path(raw): Path<String>) -> OparlResult {
    let u = Urls::new(&state);
    let mid = id(&raw)?;
    let m = state.store.all_memberships().await?.into_iter().find(|m| m.id == mid).ok_or(AppError::NotFound)?;
    Ok(oparl_json(membership(&u, &m)))
}

/// GET "/oparl/v1/meeting/{id}".
pub async fn meeting_one(State(state): State<PublicState>, Path(raw): Path<String>) -> OparlResult {
    let u = Urls::new(&state);
    let p = Published::load(&state).await?;
    let m = p.meeting(id(&raw)?).ok_or(AppError::NotFound)?;
    Ok(oparl_json(meeting(&u, m, p.agendas.get(&m.id), &p.papers)))
}

/// GET "/oparl/v1/agendaitem/{id}".
pub async fn agenda_item_one(State(state): State<PublicState>, Path(raw): Path<String>) -> OparlResult {
    let u = Urls::new(&state);
    let p = Published::load(&state).await?;
    let (m, i) = p.item(id(&raw)?).ok_or(AppError::NotFound)?;
    Ok(oparl_json(agenda_item(&u, m, i, &p.papers)))
}

/// GET "/oparl/v1/paper/{id}".
pub async fn paper_one(State(state): State<PublicState>, Path(raw): Path<String>) -> OparlResult {
    let u = Urls::new(&state);
    let p = Published::load(&state).await?;
    let wanted = id(&raw)?;
    let (m, i) = p.papered().find(|(_, i)| i.id == wanted).ok_or(AppError::NotFound)?;
    Ok(oparl_json(paper(&u, m, i, &p.papers)))
}

/// GET "/oparl/v1/consultation/{id}".
pub async fn consultation_one(State(state): State<PublicState>, Path(raw): Path<String>) -> OparlResult {
    let u = Urls::new(&state);
    let p = Published::load(&state).await?;
    let wanted = id(&raw)?;
    let (m, i) = p.papered().find(|(_, i)| i.id == wanted).ok_or(AppError::NotFound)?;
    Ok(oparl_json(consultation(&u, m, i)))
}

/// GET "/oparl/v1/file/{id}": `pack-{meeting}` (a published agenda's public pack) or
/// `paper-{item}` (an open item's uploaded paper).
pub async fn file_one(State(state): State<PublicState>, Path(raw): Path<String>) -> OparlResult {
    let u = Urls::new(&state);
    let p = Published::load(&state).await?;
    if let Some(n) = raw.strip_prefix("pack-") {
        let m = p.meeting(id(n)?).filter(|m| p.agendas.contains_key(&m.id)).ok_or(AppError::NotFound)?;
        return Ok(oparl_json(pack_file(&u, m)));
    }
    let n = id(raw.strip_prefix("paper-").ok_or(AppError::NotFound)?)?;
    let (m, _) = p.papered().find(|(_, i)| i.id == n).ok_or(AppError::NotFound)?;
    match p.papers.iter().find(|x| x.agenda_item_id == n) {
        Some(Paper { content: PaperContent::Uploaded { name, content_type, .. }, .. }) => Ok(oparl_json(paper_file(&u, m, n, name, content_type))),
        _ => Err(AppError::NotFound.into()),
    }
}

/// GET "/oparl/v1/legislativeterm/{id}".
pub async fn legislative_term_one(State(state): State<PublicState>, Path(raw): Path<String>) -> OparlResult {
    let u = Urls::new(&state);
    let y = i32::try_from(id(&raw)?).map_err(|_| AppError::NotFound)?;
    let y = terms(&state).await?.into_iter().find(|t| t.0 == y).ok_or(AppError::NotFound)?;
    Ok(oparl_json(legislative_term(&u, y)))
}
