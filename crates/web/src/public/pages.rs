//! The public site's pages. Every handler here is given [`PublicState`] only.

use assure_domain::dates::long;
use assure_domain::meetings::{meeting_day, schedule_12a, MeetingStatus, MunicipalYear};
use assure_domain::tracker::TagColour;
use assure_storage::meetings::{Meeting, PaperContent};
use axum::extract::{Path, Query, State};
use axum::http::{header, Uri};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;

use super::{layout, PublicState};
use crate::error::{AppError, PageResult};
use crate::pages::forward_plan::{changes, planned_table};
use crate::pages::id;
use crate::pages::meetings::{calendar, ics, members_table, status_tag};
use crate::ui;

#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    q: Option<String>,
    page: Option<i64>,
}

fn search_form(q: &str) -> Markup {
    html! {
        form method="get" action="/public/search" role="search" {
            div class="app-form-group" {
                label class="app-label" for="q" { "Search published papers, minutes, decisions and the forward plan" }
                input class="app-input app-input--width-30" id="q" name="q" type="search" value=(q);
            }
            button type="submit" class="app-button" { "Search" }
        }
    }
}

async fn page(state: &PublicState, uri: &Uri, title: &str, content: Markup) -> PageResult {
    let settings = state.store.settings().await?;
    Ok(layout(&settings, uri.path(), title, content).into_response())
}

/// A document for download.
fn file(content_type: &str, name: &str, bytes: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))], bytes)
        .into_response()
}

/// The municipal year asked for, else the one with today's meetings in it, else the
/// latest that has meetings.
fn year_shown(q: &YearQuery, meetings: &[Meeting], today: chrono::NaiveDate) -> MunicipalYear {
    if let Some(y) = q.year.as_deref().and_then(MunicipalYear::parse) {
        return y;
    }
    let now = MunicipalYear::of(today);
    if meetings.iter().any(|m| m.year == now) || meetings.is_empty() {
        return now;
    }
    meetings.iter().map(|m| m.year).max_by_key(|y| y.0).unwrap_or(now)
}

fn years_with(meetings: &[Meeting]) -> Vec<MunicipalYear> {
    let mut years: Vec<MunicipalYear> = meetings.iter().map(|m| m.year).collect();
    years.sort_by_key(|y| std::cmp::Reverse(y.0));
    years.dedup();
    years
}

fn year_links(base: &str, years: &[MunicipalYear], shown: MunicipalYear) -> Markup {
    html! {
        @if years.len() > 1 {
            nav aria-label="Municipal years" {
                p class="app-body" {
                    "Municipal year: "
                    @for (n, y) in years.iter().enumerate() {
                        @if n > 0 { " · " }
                        @if *y == shown { strong { (y.label()) } } @else {
                            a class="app-link" href={ (base) "?year=" (y.label()) } { (y.label()) }
                        }
                    }
                }
            }
        }
    }
}

fn meetings_table(caption: &str, meetings: &[&Meeting], with_body: bool) -> Markup {
    ui::scroll_table(
        caption,
        html! {
            table class="app-table" {
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Date" }
                    @if with_body { th class="app-table__header" scope="col" { "Committee" } }
                    th class="app-table__header" scope="col" { "Time and venue" }
                    th class="app-table__header" scope="col" { "Status" }
                } }
                tbody class="app-table__body" {
                    @for m in meetings { tr class="app-table__row" {
                        td class="app-table__cell" {
                            a class="app-link" href={ "/public/meetings/" (m.id) } {
                                (long(m.date))
                                @if !with_body { span class="app-visually-hidden" { ", " (m.body_name) } }
                            }
                        }
                        @if with_body { td class="app-table__cell" { (m.body_name) } }
                        td class="app-table__cell" { (m.time) ", " (m.venue) }
                        td class="app-table__cell" { (status_tag(m.status)) }
                    } }
                }
            }
        },
    )
}

// -------------------------------------------------------------------------------- home

/// GET "/public".
pub async fn home(State(state): State<PublicState>, uri: Uri) -> PageResult {
    let today = state.store.today();
    let meetings = state.store.meetings(None).await?;
    let upcoming: Vec<&Meeting> = meetings.iter().filter(|m| m.date >= today && m.status != MeetingStatus::Cancelled).take(5).collect();
    let recent: Vec<&Meeting> = meetings.iter().rev().filter(|m| m.date < today && m.status.agenda_closed()).take(5).collect();
    let plan = state.store.forward_plans().await?.into_iter().next();
    let content = html! {
        h1 class="app-heading-l" { "Committees and decisions" }
        (search_form(""))
        p class="app-body" { "The council's committee meetings, their agendas and papers, approved minutes and decisions, the forward plan of key decisions, and the progress reported to committees on their recommendations." }
        h2 class="app-heading-m" { "Coming up" }
        @if upcoming.is_empty() { p class="app-body" { "No meetings are arranged from today." } } @else { (meetings_table("Meetings coming up", &upcoming, true)) }
        h2 class="app-heading-m" { "Recent meetings" }
        @if recent.is_empty() { p class="app-body" { "No meeting has published an agenda yet." } } @else { (meetings_table("Recent meetings", &recent, true)) }
        p class="app-body" { a class="app-link" href="/public/meetings" { "All meetings" } }
        h2 class="app-heading-m" { "Forward plan" }
        @match &plan {
            Some(p) => p class="app-body" { a class="app-link" href={ "/public/forward-plan/" (p.id) } { "The forward plan published " (long(p.published_on)) } ": the key decisions the council expects to take, at least 28 clear days ahead." },
            None => p class="app-body" { "No forward plan has been published yet." },
        }
        h2 class="app-heading-m" { "Recommendations" }
        p class="app-body" { a class="app-link" href="/public/recommendations" { "Progress on recommendations" } ": the monitoring reports each committee received." }
        h2 class="app-heading-m" { "Open data" }
        p class="app-body" { "Committees, people, meetings, agendas and papers as open data in the OParl 1.1 format: " a class="app-link" href="/oparl/v1/system" { "the OParl entry point" } "." }
    };
    page(&state, &uri, "Committees and decisions", content).await
}

// ---------------------------------------------------------------------------- meetings

/// GET "/public/meetings": the calendar for a municipal year.
pub async fn meetings(State(state): State<PublicState>, uri: Uri, Query(q): Query<YearQuery>) -> PageResult {
    let all = state.store.meetings(None).await?;
    let year = year_shown(&q, &all, state.store.today());
    let shown: Vec<&Meeting> = all.iter().filter(|m| m.year == year).collect();
    let title = format!("Meetings {}", year.label());
    let content = html! {
        h1 class="app-heading-l" { (title) }
        (year_links("/public/meetings", &years_with(&all), year))
        p class="app-body" { a class="app-link" href="/public/meetings/calendar.ics" { "Every meeting as a calendar (iCalendar)" } }
        @if shown.is_empty() { p class="app-body" { "No meetings are arranged in this municipal year." } } @else { (meetings_table(&title, &shown, true)) }
    };
    page(&state, &uri, &title, content).await
}

/// GET "/public/meetings/calendar.ics".
pub async fn calendar_all(State(state): State<PublicState>) -> PageResult {
    let meetings = state.store.meetings(None).await?;
    Ok(ics("meetings.ics", calendar("Committee meetings", &meetings, "assure")))
}

/// GET "/public/meetings/{id}/calendar.ics".
pub async fn meeting_ics(State(state): State<PublicState>, Path(raw): Path<String>) -> PageResult {
    let m = state.store.meeting(id(&raw)?).await?.meeting;
    Ok(ics(&format!("meeting-{}.ics", m.id), calendar(&m.title(), std::slice::from_ref(&m), "assure")))
}

/// GET "/public/meetings/{id}".
pub async fn meeting(State(state): State<PublicState>, uri: Uri, Path(raw): Path<String>) -> PageResult {
    let p = state.store.meeting(id(&raw)?).await?;
    let m = &p.meeting;
    let title = m.title();
    let content = html! {
        (ui::back_link(&format!("/public/committees/{}?year={}", m.body_id, m.year.label()), &format!("Back to {}", m.body_name)))
        span class="app-caption-l" { (m.body_name) }
        h1 class="app-heading-l" { (meeting_day(m.date)) }
        dl class="app-summary-list" {
            (ui::summary_row("Time", html! { (m.time) }))
            (ui::summary_row("Venue", html! { (m.venue) }))
            (ui::summary_row("Type", html! { (m.kind.label()) @if let Some(j) = &m.joint_with { " with " (j) } }))
            (ui::summary_row("Status", status_tag(m.status)))
            @for mv in &p.moves {
                (ui::summary_row("Moved", html! { "From " (long(mv.from)) " to " (long(mv.to)) ": " (mv.reason) }))
            }
        }
        p class="app-body" { a class="app-link" href={ "/public/meetings/" (m.id) "/calendar.ics" } { "Add this meeting to your calendar (.ics)" } }
        h2 class="app-heading-m" { "Agenda" }
        @if p.agenda.is_empty() {
            p class="app-body" { @if m.status.agenda_closed() { "The agenda has no items." } @else { "The agenda has not been published yet." } }
        } @else {
            p class="app-body" {
                "The agenda pack — the front sheet, the agenda and each paper in order: "
                a class="app-link" href={ "/public/meetings/" (m.id) "/agenda-pack/docx" } { "Word" span class="app-visually-hidden" { " agenda pack" } } ", "
                a class="app-link" href={ "/public/meetings/" (m.id) "/agenda-pack/pdf" } { "PDF" span class="app-visually-hidden" { " agenda pack" } } "."
            }
            ol class="app-list app-list--number" {
                @for i in &p.agenda {
                    li {
                        (i.title)
                        @if let Some(x) = i.exempt_paragraph {
                            " " (ui::tag("Exempt", TagColour::Red)) " Not for publication: Schedule 12A, paragraph " (x) " (" (schedule_12a(x as u8)) ")."
                        } @else {
                            @if let Some(r) = i.report_id { " — " a class="app-link" href={ "/public/reports/" (r) } { "monitoring report" span class="app-visually-hidden" { " for item " (i.number) } } }
                            @if let Some(pp) = p.papers.iter().find(|pp| pp.agenda_item_id == i.id) {
                                " — paper: "
                                @if matches!(pp.content, PaperContent::Uploaded { .. }) {
                                    a class="app-link" href={ "/public/agenda-items/" (i.id) "/paper-file" } { (pp.describe()) }
                                } @else { (pp.describe()) " (in the pack)" }
                            } @else if let Some(t) = &i.paper_title { " — paper: " (t) }
                        }
                    }
                }
            }
        }
        h2 class="app-heading-m" { "Minutes and decisions" }
        @if !p.minutes_approved {
            p class="app-body" { "The minutes are published once the committee has approved them." }
        } @else {
            @if !p.attendance.is_empty() {
                h3 class="app-heading-s" { "Attendance" }
                ul class="app-list" {
                    @for a in &p.attendance { li { (a.name) ": " (a.attendance.label()) @if let Some(s) = &a.substitute { " (" (s) ")" } @if !a.capacity.is_empty() { ", " (a.capacity) } } }
                }
            }
            p class="app-body" {
                "The minutes as a document: "
                a class="app-link" href={ "/public/meetings/" (m.id) "/minutes/docx" } { "Word" span class="app-visually-hidden" { " minutes" } } ", "
                a class="app-link" href={ "/public/meetings/" (m.id) "/minutes/pdf" } { "PDF" span class="app-visually-hidden" { " minutes" } } "."
            }
            h3 class="app-heading-s" { "Declarations of interest" }
            @if p.declarations.is_empty() { p class="app-body" { "None." } } @else {
                ul class="app-list" {
                    @for d in &p.declarations { li { (d.member) ", minute " (d.minute_number) ": " (d.reason) " (" (d.action) ")" } }
                }
            }
            @for pm in &p.minutes {
                @let mi = &pm.minute;
                h3 class="app-heading-s" id={ "minute-" (mi.number) } { (mi.number) ". " (mi.title) }
                @if let Some(x) = pm.exempt_paragraph {
                    p class="app-body" { "Taken in private: the minute is exempt (Schedule 12A, paragraph " (x) ")." }
                } @else {
                    @if let Some((_, r)) = mi.refers_to { p class="app-body" { "Further to " (r.cite()) "." } }
                    @if !mi.text.is_empty() { (ui::prose(&mi.text)) }
                    @if !mi.parts.is_empty() {
                        p class="app-body" { strong { "RESOLVED:" } " That" }
                        ol class="app-list app-list--number" {
                            @for part in &mi.parts { li { (part.text) @if let Some(b) = &part.to_body { " (to " (b) ")" } @if let Some(r) = &part.reason { " (" (r) ")" } } }
                        }
                    }
                }
            }
        }
    };
    page(&state, &uri, &title, content).await
}

/// GET "/public/meetings/{id}/agenda-pack/{format}".
pub async fn agenda_pack(State(state): State<PublicState>, Path((raw, ext)): Path<(String, String)>) -> PageResult {
    let format =
        assure_documents::Format::from_extension(&ext).filter(|f| assure_documents::AGENDA_PACK_FORMATS.contains(f)).ok_or(AppError::NotFound)?;
    let pack = state.store.agenda_pack(id(&raw)?).await?;
    let name = format!("{}.{}", pack.file_stem(), format.extension());
    let bytes = tokio::task::spawn_blocking(move || assure_documents::render_agenda_pack(&pack, format))
        .await
        .map_err(|e| AppError::Internal(format!("rendering stopped: {e}")))?
        .map_err(AppError::from)?;
    Ok(file(format.content_type(), &name, bytes))
}

/// GET "/public/meetings/{id}/minutes/{format}": the approved minutes as DOCX or PDF,
/// an exempt item's minute withheld; none before they are approved.
pub async fn minutes(State(state): State<PublicState>, Path((raw, ext)): Path<(String, String)>) -> PageResult {
    let format =
        assure_documents::Format::from_extension(&ext).filter(|f| assure_documents::AGENDA_PACK_FORMATS.contains(f)).ok_or(AppError::NotFound)?;
    let p = state.store.meeting(id(&raw)?).await?;
    if !p.minutes_approved {
        return Err(AppError::NotFound);
    }
    let minutes: Vec<_> = p.minutes.into_iter().map(|pm| (pm.minute, pm.exempt_paragraph)).collect();
    let bytes = crate::pages::meetings::minutes_file(&p.meeting, &p.attendance, &p.declarations, &minutes, format).await?;
    Ok(file(format.content_type(), &format!("minutes-{}.{}", p.meeting.date.format("%Y-%m-%d"), format.extension()), bytes))
}

/// GET "/public/agenda-items/{id}/paper-file".
pub async fn paper_file(State(state): State<PublicState>, Path(raw): Path<String>) -> PageResult {
    let (name, content_type, bytes) = state.store.paper_file(id(&raw)?).await?;
    let safe: String = name.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ')).collect();
    Ok(file(&content_type, &safe, bytes))
}

// -------------------------------------------------------------------------- committees

/// GET "/public/committees".
pub async fn bodies(State(state): State<PublicState>, uri: Uri) -> PageResult {
    let bodies = state.store.bodies().await?;
    let content = html! {
        h1 class="app-heading-l" { "Committees" }
        @if bodies.is_empty() { p class="app-body" { "No committees are recorded." } }
        ul class="app-list" {
            @for b in &bodies { li { a class="app-link" href={ "/public/committees/" (b.id) } { (b.name) } } }
        }
    };
    page(&state, &uri, "Committees", content).await
}

/// GET "/public/committees/{id}": members and meetings in a municipal year.
pub async fn body(State(state): State<PublicState>, uri: Uri, Path(raw): Path<String>, Query(q): Query<YearQuery>) -> PageResult {
    let b = state.store.body(id(&raw)?).await?;
    let meetings = state.store.meetings(Some(b.id)).await?;
    let year = year_shown(&q, &meetings, state.store.today());
    let members = state.store.memberships(b.id, year).await?;
    let shown: Vec<&Meeting> = meetings.iter().filter(|m| m.year == year).collect();
    let base = format!("/public/committees/{}", b.id);
    let content = html! {
        (ui::back_link("/public/committees", "Back to committees"))
        span class="app-caption-l" { (year.label()) }
        h1 class="app-heading-l" { (b.name) }
        (year_links(&base, &years_with(&meetings), year))
        p class="app-body" {
            a class="app-link" href={ (base) "/work-programme?year=" (year.label()) } { "Work programme " (year.label()) } " · "
            a class="app-link" href={ (base) "/calendar.ics" } { "Meetings as a calendar (iCalendar)" }
        }
        h2 class="app-heading-m" { "Members" }
        @if members.is_empty() { p class="app-body" { "No members are recorded for this year." } } @else {
            (members_table(&members))
        }
        h2 class="app-heading-m" { "Meetings" }
        @if shown.is_empty() { p class="app-body" { "No meetings are arranged in this municipal year." } } @else { (meetings_table(&format!("Meetings of {}", b.name), &shown, false)) }
    };
    page(&state, &uri, &b.name, content).await
}

/// GET "/public/committees/{id}/calendar.ics".
pub async fn body_ics(State(state): State<PublicState>, Path(raw): Path<String>) -> PageResult {
    let b = state.store.body(id(&raw)?).await?;
    let meetings = state.store.meetings(Some(b.id)).await?;
    Ok(ics(&format!("committee-{}.ics", b.id), calendar(&b.name, &meetings, "assure")))
}

/// GET "/public/committees/{id}/work-programme".
pub async fn work_programme(State(state): State<PublicState>, uri: Uri, Path(raw): Path<String>, Query(q): Query<YearQuery>) -> PageResult {
    let b = state.store.body(id(&raw)?).await?;
    let meetings = state.store.meetings(Some(b.id)).await?;
    let year = year_shown(&q, &meetings, state.store.today());
    let wp = state.store.work_programme(b.id, year).await?;
    let title = format!("Work programme {}", year.label());
    let content = html! {
        (ui::back_link(&format!("/public/committees/{}?year={}", b.id, year.label()), &format!("Back to {}", b.name)))
        span class="app-caption-l" { (b.name) }
        h1 class="app-heading-l" { (title) }
        (year_links(&format!("/public/committees/{}/work-programme", b.id), &years_with(&meetings), year))
        @if wp.meetings.is_empty() && wp.unplaced.is_empty() { p class="app-body" { "Nothing is planned for this year." } }
        @for (m, items) in &wp.meetings {
            h2 class="app-heading-m" { a class="app-link" href={ "/public/meetings/" (m.id) } { (long(m.date)) } }
            @if items.is_empty() { p class="app-body" { "Nothing planned yet." } } @else {
                ul class="app-list app-list--bullet" {
                    @for w in items { li { (w.title) @if !w.officer.is_empty() { " (" (w.officer) ")" } } }
                }
            }
        }
        @if !wp.unplaced.is_empty() {
            h2 class="app-heading-m" { "Not yet placed at a meeting" }
            ul class="app-list app-list--bullet" {
                @for w in &wp.unplaced { li { (w.title) @if !w.officer.is_empty() { " (" (w.officer) ")" } } }
            }
        }
    };
    page(&state, &uri, &format!("{title} – {}", b.name), content).await
}

// ------------------------------------------------------------------------ forward plan

/// GET "/public/forward-plan": the plan as last published, and the earlier ones.
pub async fn forward_plan(State(state): State<PublicState>, uri: Uri) -> PageResult {
    let plans = state.store.forward_plans().await?;
    let content = html! {
        h1 class="app-heading-l" { "Forward plan of key decisions" }
        p class="app-body" { "The key decisions the council expects to take, published at least 28 clear days before each is taken, with the dates that moved and why." }
        @match plans.first() {
            None => p class="app-body" { "No forward plan has been published yet." },
            Some(p) => {
                h2 class="app-heading-m" { "Published " (long(p.published_on)) }
                p class="app-body" {
                    a class="app-link" href={ "/public/forward-plan/" (p.id) } { "The plan published " (long(p.published_on)) ", with the changes since the one before" }
                }
                @if p.snapshot.planned().is_empty() { p class="app-body" { "Nothing was planned." } } @else { (planned_table(&p.snapshot.planned())) }
            }
        }
        @if plans.len() > 1 {
            h2 class="app-heading-m" { "Earlier plans" }
            ul class="app-list" {
                @for p in plans.iter().skip(1) { li { a class="app-link" href={ "/public/forward-plan/" (p.id) } { "Published " (long(p.published_on)) } } }
            }
        }
    };
    page(&state, &uri, "Forward plan", content).await
}

/// GET "/public/forward-plan/{id}".
pub async fn forward_plan_one(State(state): State<PublicState>, uri: Uri, Path(raw): Path<String>) -> PageResult {
    let (p, before) = state.store.forward_plan(id(&raw)?).await?;
    let heading = format!("Forward plan published {}", long(p.published_on));
    let content = html! {
        (ui::back_link("/public/forward-plan", "Back to the forward plan"))
        h1 class="app-heading-l" { (heading) }
        p class="app-body" {
            "As published: "
            a class="app-link" href={ "/public/forward-plan/" (p.id) "/document/docx" } { "Word" span class="app-visually-hidden" { " forward plan" } } ", "
            a class="app-link" href={ "/public/forward-plan/" (p.id) "/document/pdf" } { "PDF" span class="app-visually-hidden" { " forward plan" } } "."
        }
        dl class="app-summary-list" {
            (ui::summary_row("Fingerprint (SHA-256)", html! { code { (p.fingerprint) } }))
        }
        @if p.snapshot.planned().is_empty() { p class="app-body" { "Nothing was planned." } } @else { (planned_table(&p.snapshot.planned())) }
        @for i in p.snapshot.planned() {
            @if !i.date_changes.is_empty() {
                h2 class="app-heading-s" { "Date changes: " (i.details.title) }
                ul class="app-list app-list--bullet" {
                    @for c in &i.date_changes { li { "From " (long(c.from)) " to " (long(c.to)) ": " (c.reason) } }
                }
            }
        }
        @if let Some((b, d)) = &before { (changes(d, b, &p)) }
    };
    page(&state, &uri, &heading, content).await
}

/// GET "/public/forward-plan/{id}/document/{format}".
pub async fn forward_plan_document(State(state): State<PublicState>, Path((raw, ext)): Path<(String, String)>) -> PageResult {
    let format = assure_documents::Format::from_extension(&ext)
        .filter(|f| matches!(f, assure_documents::Format::Docx | assure_documents::Format::Pdf))
        .ok_or(AppError::NotFound)?;
    let (p, _) = state.store.forward_plan(id(&raw)?).await?;
    let organisation = state.store.settings().await?.organisation;
    let name = format!("forward-plan-{}.{}", p.published_on.format("%Y-%m-%d"), format.extension());
    let bytes = tokio::task::spawn_blocking(move || assure_documents::render_forward_plan(&organisation, &p.snapshot, &p.fingerprint, format))
        .await
        .map_err(|e| AppError::Internal(format!("rendering stopped: {e}")))?
        .map_err(AppError::from)?;
    Ok(file(format.content_type(), &name, bytes))
}

// --------------------------------------------------------------------- recommendations

/// GET "/public/recommendations": the issued monitoring reports, by what they cover.
pub async fn recommendations(State(state): State<PublicState>, uri: Uri) -> PageResult {
    let reports = state.store.reports().await?;
    let mut scopes: Vec<String> = reports.iter().map(|r| r.scope_label()).collect();
    scopes.sort();
    scopes.dedup();
    let content = html! {
        h1 class="app-heading-l" { "Progress on recommendations" }
        p class="app-body" { "What each committee was told: the monitoring reports issued to it, with each recommendation's wording, the executive's response, its status and its RAG rating as reported." }
        @if reports.is_empty() { p class="app-body" { "No monitoring report has been issued yet." } }
        @for s in &scopes {
            h2 class="app-heading-m" { (s) }
            ul class="app-list" {
                @for r in reports.iter().filter(|r| r.scope_label() == *s) {
                    li {
                        a class="app-link" href={ "/public/reports/" (r.id) } { "Monitoring report for the meeting of " (long(r.meeting_date)) }
                        @if let Some(b) = &r.body_name { " (" (b) ")" }
                    }
                }
            }
        }
    };
    page(&state, &uri, "Progress on recommendations", content).await
}

/// GET "/public/reports/{id}": an issued report as issued.
pub async fn report(State(state): State<PublicState>, uri: Uri, Path(raw): Path<String>) -> PageResult {
    let (r, report) = state.store.report(id(&raw)?).await?;
    let content = html! {
        (ui::back_link("/public/recommendations", "Back to recommendations"))
        span class="app-caption-l" { (report.scope) }
        h1 class="app-heading-l" { (report.title) }
        p class="app-body" { "As issued for the meeting of " (long(r.meeting_date)) @if let Some(n) = report.issue { " (issue " (n) ")" } "." }
        p class="app-body" {
            "Download: "
            a class="app-link" href={ "/public/reports/" (r.id) "/download/docx" } { "Word" } ", "
            a class="app-link" href={ "/public/reports/" (r.id) "/download/csv" } { "CSV" } ", "
            a class="app-link" href={ "/public/reports/" (r.id) "/download/json" } { "JSON" } "."
        }
        (ui::scroll_table("Recommendations", html! {
            table class="app-table" {
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Recommendation" }
                    th class="app-table__header" scope="col" { "Response" }
                    th class="app-table__header" scope="col" { "Status" }
                    th class="app-table__header" scope="col" { "RAG" }
                    th class="app-table__header" scope="col" { "Latest progress reported" }
                } }
                tbody class="app-table__body" {
                    @for row in &report.rows { tr class="app-table__row" {
                        td class="app-table__cell" { strong { (row.label) } " " (row.wording) }
                        td class="app-table__cell" { (ui::response_tag(row.response)) }
                        td class="app-table__cell" { (ui::lifecycle_tag(row.lifecycle)) }
                        td class="app-table__cell" { (ui::rec_rag_tag(row.rag, row.rag_suggested)) }
                        td class="app-table__cell" {
                            @if let Some(u) = row.updates.last() { (long(u.date)) ": " (u.narrative) } @else { "None reported." }
                        }
                    } }
                }
            }
        }))
    };
    page(&state, &uri, &report.title, content).await
}

/// GET "/public/reports/{id}/download/{format}": CSV (the progress table), JSON (the
/// rows as issued) or Word.
pub async fn report_download(State(state): State<PublicState>, Path((raw, ext)): Path<(String, String)>) -> PageResult {
    let (_, report) = state.store.report(id(&raw)?).await?;
    let stem = report.file_stem();
    match ext.as_str() {
        "json" => {
            let body = serde_json::to_vec_pretty(&serde_json::json!({
                "title": report.title,
                "scope": report.scope,
                "meeting": report.cover.meeting_date,
                "issue": report.issue,
                "recommendations": report.rows.iter().map(|r| serde_json::json!({
                    "reference": r.reference,
                    "label": r.label,
                    "wording": r.wording,
                    "response": r.response.label(),
                    "status": r.lifecycle.label(),
                    "rag": r.rag.map(|g| g.label()),
                    "rag_suggested": r.rag_suggested,
                    "progress": r.updates.iter().map(|u| serde_json::json!({ "date": u.date, "narrative": u.narrative })).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            }))
            .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(file("application/json", &format!("{stem}.json"), body))
        }
        "csv" | "docx" => {
            let format = assure_documents::Format::from_extension(&ext).ok_or(AppError::NotFound)?;
            let bytes = tokio::task::spawn_blocking(move || assure_documents::render(&report, format))
                .await
                .map_err(|e| AppError::Internal(format!("rendering stopped: {e}")))?
                .map_err(AppError::from)?;
            Ok(file(format.content_type(), &format!("{stem}.{}", format.extension()), bytes))
        }
        _ => Err(AppError::NotFound),
    }
}

// ---------------------------------------------------------------------------- search

/// GET "/public/search?q=": what is published that matches, best first, 20 a page.
pub async fn search(State(state): State<PublicState>, uri: Uri, Query(q): Query<SearchQuery>) -> PageResult {
    let text = q.q.unwrap_or_default();
    let at = q.page.unwrap_or(1).max(1);
    let (found, total) = state.store.search(&text, at).await?;
    let per = assure_storage::published_index::RESULTS_PER_PAGE;
    let pages = (total + per - 1) / per;
    let query: String = form_urlencoded::byte_serialize(text.trim().as_bytes()).collect();
    let kind = |s: &str| match s {
        "agenda-item" => "Agenda item",
        "minute" => "Minute",
        "forward-plan-item" => "Forward plan",
        _ => "Monitoring report",
    };
    let title = if text.trim().is_empty() { "Search".to_string() } else { format!("Search: {}", text.trim()) };
    let content = html! {
        h1 class="app-heading-l" { "Search" }
        (search_form(text.trim()))
        @if !text.trim().is_empty() {
            h2 class="app-heading-m" { (total) @if total == 1 { " result" } @else { " results" } }
            @if found.is_empty() && total == 0 { p class="app-body" { "Nothing published matches. Check the spelling, or try fewer words." } }
            ol class="app-list" {
                @for f in &found {
                    li {
                        h3 class="app-heading-s" { a class="app-link" href=(f.path) { (f.title) } }
                        p class="app-body app-hint" { (kind(&f.source)) ", " (long(f.published_on)) }
                        @if !f.excerpt.is_empty() { p class="app-body" { (f.excerpt) @if f.excerpt.chars().count() >= 300 { "…" } } }
                    }
                }
            }
            @if pages > 1 {
                nav aria-label="Results pages" {
                    p class="app-body" {
                        @if at > 1 { a class="app-link" href={ "/public/search?q=" (query) "&page=" (at - 1) } { "Previous page" } " " }
                        "Page " (at) " of " (pages)
                        @if at < pages { " " a class="app-link" href={ "/public/search?q=" (query) "&page=" (at + 1) } { "Next page" } }
                    }
                }
            }
        }
    };
    page(&state, &uri, &title, content).await
}
