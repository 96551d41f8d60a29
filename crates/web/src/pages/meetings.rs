//! Committee meetings (issue 18): each body's meetings, one meeting with its agenda,
//! attendance, declarations, minutes and resolutions (with the reports they
//! requested), the clerk's forms, the work programme and the iCalendar feeds.
//!
//! The democratic services officer (the clerk) keeps meetings (`RunMeetings`);
//! scrutiny officers keep work programmes (`KeepWorkProgramme`); everyone else with
//! `ViewMeetings` reads, and sees an agenda only once it is published and minutes only
//! once approved. Nothing here touches a child's record.

use assure_domain::dates::long;
use assure_domain::meetings::{
    check_pattern, schedule_12a, AgendaItemInput, AgendaKind, Attendance, DeclarationInput, MeetingInput, MeetingStatus, MeetingType,
    MemberChangeInput, MemberRole, MembershipInput, MinuteRef, MunicipalYear, PatternInput, RequestState, ResolutionKind, ResolutionPartInput,
    YearOfMeetings,
};
use assure_domain::{Invalid, Permission};
use assure_storage::meetings::{
    AgendaItem, AttendanceInput, Meeting, Member, Minute, Move, Paper, PaperContent, PaperUpload, Request, WorkItemInput,
};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;

use super::id;
use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::forms::{done, Fields};
use crate::ui::{self, Ctx, Field};
use crate::AppState;
use assure_domain::tracker::TagColour;

fn clerk(ctx: &Ctx) -> bool {
    ctx.can(Permission::RunMeetings)
}

/// Whether the reader sees the meeting's agenda (published, or the clerk's draft).
fn agenda_shown(ctx: &Ctx, m: &Meeting) -> bool {
    clerk(ctx) || m.status.agenda_closed()
}

/// Whether the reader sees the minutes (approved, or the clerk's draft).
fn minutes_shown(ctx: &Ctx, m: &Meeting) -> bool {
    clerk(ctx) || m.status == MeetingStatus::MinutesApproved
}

/// The members sitting on a body: name, role, party and named substitute.
pub(crate) fn members_table(members: &[Member]) -> Markup {
    ui::scroll_table(
        "Members",
        html! {
            table class="app-table" {
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Member" } th class="app-table__header" scope="col" { "Role" }
                    th class="app-table__header" scope="col" { "Party" } th class="app-table__header" scope="col" { "Substitute" }
                } }
                tbody class="app-table__body" {
                    @for x in members { tr class="app-table__row" {
                        td class="app-table__cell" { (x.person.name) } td class="app-table__cell" { (x.role.label()) }
                        td class="app-table__cell" { (x.party) } td class="app-table__cell" { @if let Some(s) = &x.substitute { (s.name) } }
                    } }
                }
            }
        },
    )
}

pub(crate) fn status_tag(s: MeetingStatus) -> Markup {
    let colour = match s {
        MeetingStatus::Scheduled | MeetingStatus::Moved => TagColour::Grey,
        MeetingStatus::AgendaPublished => TagColour::Blue,
        MeetingStatus::Held => TagColour::Yellow,
        MeetingStatus::MinutesApproved => TagColour::Green,
        MeetingStatus::Cancelled => TagColour::Red,
    };
    ui::tag(s.label(), colour)
}

fn request_tag(s: &RequestState) -> Markup {
    let colour = match s {
        RequestState::Due { .. } => TagColour::Blue,
        RequestState::Overdue { .. } => TagColour::Red,
        RequestState::Deferred { .. } => TagColour::Yellow,
        RequestState::Closed { .. } => TagColour::Green,
    };
    ui::tag(s.label(), colour)
}

fn bad_form(errors: &Invalid) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// A store refusal shown on the form; anything else goes up.
fn on_form(r: Result<(), AppError>) -> Result<Option<Invalid>, AppError> {
    match r {
        Ok(()) => Ok(None),
        Err(AppError::Invalid(e)) => Ok(Some(e)),
        Err(e) => Err(e),
    }
}

// ------------------------------------------------------------------------------ list

#[derive(Deserialize, Default)]
pub struct BodyQuery {
    body: Option<String>,
    year: Option<String>,
}

/// Bodies and their meetings.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let bodies = state.store.tracker().bodies().await?;
    let meetings = state.store.meetings().list(None).await?;
    let content = html! {
        h1 class="app-heading-l" { "Meetings" }
        p class="app-body" {
            a class="app-link" href="/work-programme" { "Work programmes" } " · "
            a class="app-link" href="/meetings/calendar.ics" { "All meetings as a calendar (iCalendar)" }
        }
        p class="app-body" { a class="app-link" href="/meetings/my-requests" { "Reports requested of you" } }
        p class="app-body" { a class="app-link" href="/forward-plan" { "Forward plan of key decisions" } }
        @if clerk(&ctx) {
            div class="app-button-group" {
                a class="app-button app-button--secondary" href="/meetings/new" { "Arrange a meeting" }
                a class="app-link" href="/meetings/import" { "Import from ModernGov" }
            }
            h2 class="app-heading-m" { "Bodies" }
            ul class="app-list" {
                @for b in &bodies {
                    li {
                        (b.name) ": "
                        a class="app-link" href={ "/meetings/bodies/" (b.id) "/members" } { "members" span class="app-visually-hidden" { " of " (b.name) } } ", "
                        a class="app-link" href={ "/meetings/bodies/" (b.id) "/generate" } { "arrange a year's meetings" span class="app-visually-hidden" { " of " (b.name) } }
                    }
                }
            }
        }
        @let with: Vec<_> = bodies.iter().filter(|b| meetings.iter().any(|m| m.body_id == b.id)).collect();
        @if with.is_empty() { p class="app-body" { "No meetings have been arranged yet." } }
        @for b in with {
            h2 class="app-heading-m" id={ "body-" (b.id) } { (b.name) }
            p class="app-body" {
                a class="app-link" href={ "/meetings/bodies/" (b.id) "/members" } { "Members of " (b.name) } " · "
                a class="app-link" href={ "/meetings/bodies/" (b.id) "/calendar.ics" } { "Calendar of " (b.name) " (iCalendar)" }
            }
            (ui::scroll_table(&format!("Meetings of {}", b.name), html! {
                table class="app-table" {
                    thead class="app-table__head" { tr class="app-table__row" {
                        th class="app-table__header" scope="col" { "Date" }
                        th class="app-table__header" scope="col" { "Time and venue" }
                        th class="app-table__header" scope="col" { "Type" }
                        th class="app-table__header" scope="col" { "Status" }
                    } }
                    tbody class="app-table__body" {
                        @for m in meetings.iter().filter(|m| m.body_id == b.id) {
                            tr class="app-table__row" {
                                td class="app-table__cell" { a class="app-link" href={ "/meetings/" (m.id) } { (long(m.date)) } }
                                td class="app-table__cell" { (m.time) ", " (m.venue) }
                                td class="app-table__cell" { (m.kind.label()) }
                                td class="app-table__cell" { (status_tag(m.status)) }
                            }
                        }
                    }
                }
            }))
        }
    };
    Ok(ui::layout(&ctx, "Meetings", false, content).into_response())
}

// -------------------------------------------------------------------- a new meeting

fn meeting_input(f: &Fields) -> (MeetingInput, Invalid) {
    let mut typed = Invalid::new();
    if let Some(p) = f.date_problem("date", "The date of the meeting") {
        typed.add("date", p);
    }
    let input = MeetingInput {
        date: f.date("date"),
        time: f.string("time"),
        venue: f.string("venue"),
        kind: MeetingType::from_slug(f.get("kind")),
        joint_with: f.string("joint_with"),
    };
    (input, typed)
}

async fn new_render(state: &AppState, ctx: &Ctx, f: &Fields, errors: &Invalid) -> PageResult {
    let bodies = state.store.tracker().bodies().await?;
    let body_options = ui::options_with_blank("Select a body", bodies.iter().map(|b| (b.id.to_string(), b.name.clone())));
    let kinds: Vec<(String, String)> = MeetingType::ALL.iter().map(|k| (k.slug().to_string(), k.label().to_string())).collect();
    let content = html! {
        (ui::back_link("/meetings", "Back to meetings"))
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Arrange a meeting" }
        form method="post" action="/meetings/new" novalidate {
            (ui::csrf(ctx.csrf()))
            (ui::select(Field::new("body", "Body", f.get("body"), errors), &body_options))
            (ui::date_input(Field::new("date", "Date of the meeting", f.get("date"), errors)))
            (ui::text_input(Field::new("time", "Time", f.get("time"), errors).hint("On the 24-hour clock, for example 18:30"), "app-input--width-5"))
            (ui::text_input(Field::new("venue", "Venue", f.get("venue"), errors).hint("For example, Town Hall, Bootle"), "app-input--width-30"))
            (ui::radios(Field::new("kind", "Type of meeting", f.get("kind"), errors), &kinds, false))
            (ui::text_input(Field::new("joint_with", "For a joint meeting: the other body", f.get("joint_with"), errors), "app-input--width-30"))
            (ui::button("Arrange meeting"))
        }
    };
    Ok((bad_form(errors), ui::layout(ctx, "Arrange a meeting", !errors.is_empty(), content)).into_response())
}

pub async fn new_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    new_render(&state, &ctx, &Fields::default(), &Invalid::new()).await
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let (input, typed) = meeting_input(&f);
    let mut errors = typed;
    let body = f.opt_id("body");
    if body.is_none() {
        errors.add("body", "Select the body that meets");
    }
    if errors.is_empty() {
        let body = body.unwrap_or_default();
        match state.store.meetings().create_meeting(&caller.actor(), body, &input).await {
            Ok(id) => return Ok(done(&format!("/meetings/{id}"), "meeting-created")),
            Err(assure_storage::StoreError::NotFound) => errors.add("body", "Select a body from the list"),
            Err(e) => match AppError::from(e) {
                AppError::Invalid(i) => errors = i.ordered(&["body", "date", "time", "venue", "kind", "joint_with"]),
                e => return Err(e),
            },
        }
    }
    new_render(&state, &ctx, &f, &errors).await
}

// ------------------------------------------------------------------- one meeting

async fn meeting_of(state: &AppState, raw: &str) -> Result<Meeting, AppError> {
    Ok(state.store.meetings().meeting(id(raw)?).await?)
}

pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    let m = meeting_of(&state, &raw).await?;
    let s = state.store.meetings();
    let moves = s.moves(m.id).await?;
    let agenda = if agenda_shown(&ctx, &m) { s.agenda(m.id).await? } else { Vec::new() };
    let papers = if agenda.is_empty() { Vec::new() } else { s.papers(m.id).await? };
    let minutes_visible = minutes_shown(&ctx, &m);
    let (attendance, declarations, minutes) = if minutes_visible {
        (s.attendance(m.id).await?, s.declarations(m.id).await?, s.minutes(m.id).await?)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let requests: Vec<Request> = s.requests(Some(m.body_id)).await?;
    let due_here: Vec<&Request> = requests.iter().filter(|q| q.due_meeting_id == m.id && q.state.is_open()).collect();
    let (rule, voting, present) = s.quorum_of(m.id).await?;
    let members = s.members(m.body_id, m.date).await?;
    // What the work programme plans for this meeting and is not on its agenda yet, for
    // the clerk building the agenda.
    let agenda_open = !matches!(m.status, MeetingStatus::Held | MeetingStatus::MinutesApproved | MeetingStatus::Cancelled);
    let planned: Vec<(String, String)> = if clerk(&ctx) && agenda_open {
        let on_agenda: Vec<String> = s.agenda(m.id).await?.into_iter().map(|i| i.title.trim().to_lowercase()).collect();
        let wp = s.work_programme(m.body_id, m.year).await?;
        let mut planned: Vec<(String, String)> = wp
            .meetings
            .into_iter()
            .filter(|(x, _)| x.id == m.id)
            .flat_map(|(_, items)| items)
            .filter(|w| w.kind != "requested")
            .filter(|w| !on_agenda.contains(&w.title.trim().to_lowercase()))
            .map(|w| {
                let kind = if w.kind == "standing" { AgendaKind::Standing } else { AgendaKind::Report };
                (agenda_prefill(m.id, kind, &w.title, None), w.title)
            })
            .collect();
        planned.extend(due_here.iter().map(|q| {
            (agenda_prefill(m.id, AgendaKind::Report, &q.subject, Some(q.id)), format!("{} (requested at {})", q.subject, q.minute.cite()))
        }));
        planned
    } else {
        Vec::new()
    };
    let title = m.title();
    let content = html! {
        (ui::back_link("/meetings", "Back to meetings"))
        span class="app-caption-l" { (m.body_name) }
        h1 class="app-heading-l" { (assure_domain::meetings::meeting_day(m.date)) }
        dl class="app-summary-list" {
            (ui::summary_row("Time", html! { (m.time) }))
            (ui::summary_row("Venue", html! { (m.venue) }))
            (ui::summary_row("Type", html! { (m.kind.label()) @if let Some(j) = &m.joint_with { " with " (j) } }))
            (ui::summary_row("Status", status_tag(m.status)))
            (ui::summary_row("Quorum", html! { (rule.describe(voting)) }))
            @for mv in &moves {
                (ui::summary_row("Moved", html! { "From " (long(mv.from)) " to " (long(mv.to)) ": " (mv.reason) }))
            }
            @if let Some(fp) = &m.minutes_fingerprint {
                (ui::summary_row("Approved minutes' fingerprint (SHA-256)", html! { code { (fp) } }))
            }
        }
        p class="app-body" { a class="app-link" href={ "/meetings/" (m.id) "/calendar.ics" } { "Add this meeting to your calendar (.ics)" } }
        @if minutes_visible && !minutes.is_empty() {
            p class="app-body" {
                @if m.status == MeetingStatus::MinutesApproved { "The approved minutes: " } @else { "The draft minutes: " }
                a class="app-link" href={ "/meetings/" (m.id) "/minutes-document/docx" } { "Word" } ", "
                a class="app-link" href={ "/meetings/" (m.id) "/minutes-document/pdf" } { "PDF" } "."
            }
        }
        @if agenda_shown(&ctx, &m) && !agenda.is_empty() {
            h2 class="app-heading-m" { "Agenda pack" }
            p class="app-body" {
                "The front sheet, the agenda and each paper in order, with page numbers through the pack"
                @if !m.status.agenda_closed() { " (a draft until the agenda is published)" } ": "
                a class="app-link" href={ "/meetings/" (m.id) "/agenda-pack/docx" } { "Word" } ", "
                a class="app-link" href={ "/meetings/" (m.id) "/agenda-pack/pdf" } { "PDF" } "."
            }
            @if clerk(&ctx) && agenda.iter().any(|i| i.exempt_paragraph.is_some()) {
                p class="app-body" {
                    "The public pack leaves the exempt papers out. The members' pack with them: "
                    a class="app-link" href={ "/meetings/" (m.id) "/agenda-pack-with-exempt/docx" } { "Word" } ", "
                    a class="app-link" href={ "/meetings/" (m.id) "/agenda-pack-with-exempt/pdf" } { "PDF" } "."
                }
            }
        }
        @if clerk(&ctx) {
            h2 class="app-heading-m" { "Keep this meeting" }
            ul class="app-list" {
                @if m.status.may_move() {
                    li { a class="app-link" href={ "/meetings/" (m.id) "/edit" } { "Change the time, venue or type" } }
                    li { a class="app-link" href={ "/meetings/" (m.id) "/move" } { "Move the meeting to another date" } }
                }
                li { a class="app-link" href={ "/meetings/" (m.id) "/agenda" } { "Add an agenda item" } }
                li { a class="app-link" href={ "/meetings/" (m.id) "/attendance" } { "Record attendance" } }
                li { a class="app-link" href={ "/meetings/" (m.id) "/minutes" } { "Draft a minute" } }
                li { a class="app-link" href={ "/meetings/" (m.id) "/declarations" } { "Record a declaration of interest" } }
            }
            @let next: Vec<MeetingStatus> = [MeetingStatus::AgendaPublished, MeetingStatus::Held, MeetingStatus::Cancelled].into_iter().filter(|t| m.status.may_become(*t)).collect();
            @for t in next {
                form method="post" action={ "/meetings/" (m.id) "/status" } class="app-inline-form" {
                    (ui::csrf(ctx.csrf()))
                    input type="hidden" name="version" value=(m.version);
                    input type="hidden" name="status" value=(t.slug());
                    button type="submit" class="app-button app-button--secondary" data-module="app-button" {
                        @match t { MeetingStatus::AgendaPublished => "Publish the agenda", MeetingStatus::Held => "Record the meeting as held", _ => "Cancel the meeting" }
                    }
                }
            }
            @if m.status == MeetingStatus::Held {
                form method="post" action={ "/meetings/" (m.id) "/approve" } {
                    (ui::csrf(ctx.csrf()))
                    input type="hidden" name="version" value=(m.version);
                    button type="submit" class="app-button app-button--secondary" data-module="app-button" { "Approve the minutes (the next meeting approved them)" }
                }
            }
        }
        @if !planned.is_empty() {
            h2 class="app-heading-m" { "Planned for this meeting, not on the agenda yet" }
            p class="app-body" { "From the " a class="app-link" href={ "/work-programme?body=" (m.body_id) "&year=" (m.year.label()) } { "work programme" } " and the reports resolutions requested for this meeting." }
            ul class="app-list" {
                @for (href, what) in &planned {
                    li { (what) " " a class="app-link" href=(href) { "Put on the agenda" span class="app-visually-hidden" { ": " (what) } } }
                }
            }
        }
        h2 class="app-heading-m" { "Members" }
        p class="app-body" { a class="app-link" href={ "/meetings/bodies/" (m.body_id) "/members?year=" (m.year.label()) } { "Membership for " (m.year.label()) } }
        @if members.is_empty() { p class="app-body" { "No members recorded for this date." } } @else {
            (members_table(&members))
        }
        h2 class="app-heading-m" { "Agenda" }
        @if !agenda_shown(&ctx, &m) { p class="app-body" { "The agenda has not been published yet." } }
        @else if agenda.is_empty() { p class="app-body" { "No items yet." } }
        @else {
            ol class="app-list app-list--number" {
                @for i in &agenda {
                    li {
                        (i.title)
                        @if let Some(p) = i.exempt_paragraph { " " (ui::tag("Exempt", TagColour::Red)) " Schedule 12A, paragraph " (p) ": " (schedule_12a(p as u8)) }
                        @if let Some(r) = i.report_id { " — " a class="app-link" href={ "/reports/" (r) } { "monitoring report" } }
                        @if let Some(p) = papers.iter().find(|p| p.agenda_item_id == i.id) {
                            " — paper: "
                            @if matches!(p.content, PaperContent::Uploaded { .. }) && (i.exempt_paragraph.is_none() || clerk(&ctx)) {
                                a class="app-link" href={ "/meetings/agenda-items/" (i.id) "/paper-file" } { (p.describe()) }
                            } @else { (p.describe()) }
                        } @else if let Some(p) = &i.paper_title { " — paper: " (p) }
                        @if clerk(&ctx) && i.report_id.is_none() && assure_domain::meetings::carries_a_paper(i.kind) && agenda_open {
                            " " a class="app-link" href={ "/meetings/agenda-items/" (i.id) "/paper" } {
                                @if papers.iter().any(|p| p.agenda_item_id == i.id) { "Change the paper" } @else { "Add a paper" }
                                span class="app-visually-hidden" { " for item " (i.number) }
                            }
                        }
                    }
                }
            }
        }
        @if !due_here.is_empty() {
            h2 class="app-heading-m" { "Reports requested for this meeting" }
            ul class="app-list" {
                @for q in &due_here { li { (q.subject) " — from " (q.report_from) @if let Some((_, o)) = &q.owner { " (" (o) ")" } " (" (q.minute.cite()) ") " (request_tag(&q.state))
                    @if clerk(&ctx) {
                        " " a class="app-link" href={ "/meetings/requests/" (q.id) "/defer" } { "Defer" span class="app-visually-hidden" { " " (q.subject) } }
                        " " a class="app-link" href={ "/meetings/requests/" (q.id) "/owner" } { "Change the officer" span class="app-visually-hidden" { " for " (q.subject) } }
                    } } }
            }
        }
        @if minutes_visible {
            h2 class="app-heading-m" { "Attendance" }
            @if attendance.is_empty() { p class="app-body" { "No attendance recorded yet." } } @else {
                (ui::scroll_table("Attendance", html! {
                    table class="app-table" {
                        thead class="app-table__head" { tr class="app-table__row" {
                            th class="app-table__header" scope="col" { "Name" } th class="app-table__header" scope="col" { "Attendance" } th class="app-table__header" scope="col" { "Capacity" }
                        } }
                        tbody class="app-table__body" {
                            @for a in &attendance { tr class="app-table__row" {
                                td class="app-table__cell" { (a.name) }
                                td class="app-table__cell" { (a.attendance.label()) @if let Some(s) = &a.substitute { ": " (s) } }
                                td class="app-table__cell" { (a.capacity) }
                            } }
                        }
                    }
                }))
                p class="app-body" { "Voting members present (or substituted): " (present) ". " (if assure_domain::meetings::quorate(rule, voting, present, 0) { "Quorate." } else { "Not quorate." }) }
            }
            h2 class="app-heading-m" { "Declarations of interest" }
            @if declarations.is_empty() { p class="app-body" { "None recorded." } } @else {
                (ui::scroll_table("Declarations of interest", html! {
                    table class="app-table" {
                        thead class="app-table__head" { tr class="app-table__row" {
                            th class="app-table__header" scope="col" { "Member" } th class="app-table__header" scope="col" { "Minute No." }
                            th class="app-table__header" scope="col" { "Reason" } th class="app-table__header" scope="col" { "Action" }
                        } }
                        tbody class="app-table__body" {
                            @for d in &declarations { tr class="app-table__row" {
                                td class="app-table__cell" { (d.member) } td class="app-table__cell" { (d.minute_number) " – " (d.minute_title) }
                                td class="app-table__cell" { (d.reason) } td class="app-table__cell" { (d.action) }
                            } }
                        }
                    }
                }))
            }
            h2 class="app-heading-m" { "Minutes" @if m.status != MeetingStatus::MinutesApproved { " (draft)" } }
            @if minutes.is_empty() { p class="app-body" { "No minutes yet." } }
            @for mi in &minutes {
                h3 class="app-heading-s" id={ "minute-" (mi.number) } { (mi.number) ". " (mi.title) }
                @if let Some((_, r)) = mi.refers_to { p class="app-body" { "Further to " (r.cite()) "." } }
                @if !mi.text.is_empty() { (ui::prose(&mi.text)) }
                @if !mi.parts.is_empty() {
                    p class="app-body" { strong { "RESOLVED:" } " That" }
                    ol class="app-list app-list--number" {
                        @for p in &mi.parts {
                            li {
                                (p.text)
                                " " (ui::tag(p.kind.label(), TagColour::Grey))
                                @if let Some(b) = &p.to_body { " (to " (b) ")" }
                                @if let Some(r) = &p.reason { " (" (r) ")" }
                                @if let Some((v, t)) = &p.review { " — " a class="app-link" href={ "/reviews/" (v) } { (t) } }
                                @if let Some(q) = p.request_id.and_then(|q| requests.iter().find(|x| x.id == q)) {
                                    " — report from " (q.report_from) " due " (long(q.due_date)) " " (request_tag(&q.state))
                                }
                            }
                        }
                    }
                }
                @if clerk(&ctx) && m.status != MeetingStatus::MinutesApproved {
                    p class="app-body" { a class="app-link" href={ "/meetings/" (m.id) "/minutes/" (mi.number) "/resolution" } { "Add to the resolution" span class="app-visually-hidden" { " of minute " (mi.number) } } }
                }
            }
        } @else {
            p class="app-body" { "The minutes of this meeting have not been approved yet." }
        }
    };
    Ok(ui::layout(&ctx, &title, false, content).into_response())
}

pub async fn status(State(state): State<AppState>, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let m = meeting_of(&state, &raw).await?;
    let to = MeetingStatus::from_slug(f.get("status")).ok_or_else(|| AppError::BadRequest("Choose what happens to the meeting.".into()))?;
    state.store.meetings().set_status(&caller.actor(), m.id, f.version()?, to).await?;
    Ok(done(&format!("/meetings/{}", m.id), "meeting-saved"))
}

pub async fn approve(State(state): State<AppState>, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let m = meeting_of(&state, &raw).await?;
    state.store.meetings().approve_minutes(&caller.actor(), m.id, f.version()?).await?;
    Ok(done(&format!("/meetings/{}", m.id), "minutes-approved"))
}

// ---------------------------------------------------------------- the clerk's forms

fn form_page(ctx: &Ctx, m: &Meeting, heading: &str, action: &str, errors: &Invalid, fields: Markup, button: &str) -> Response {
    let back = format!("/meetings/{}", m.id);
    let content = html! {
        (ui::back_link(&back, "Back to the meeting"))
        (ui::error_summary(errors))
        span class="app-caption-l" { (m.title()) }
        h1 class="app-heading-l" { (heading) }
        form method="post" action=(action) novalidate {
            (ui::csrf(ctx.csrf()))
            (fields)
            (ui::button(button))
        }
    };
    (bad_form(errors), ui::layout(ctx, heading, !errors.is_empty(), content)).into_response()
}

async fn agenda_render(state: &AppState, ctx: &Ctx, m: &Meeting, f: &Fields, errors: &Invalid) -> PageResult {
    let kinds: Vec<(String, String)> = AgendaKind::ALL.iter().map(|k| (k.slug().to_string(), k.label().to_string())).collect();
    let paras = ui::options_with_blank("Not exempt", (1..=7).map(|p| (p.to_string(), format!("Paragraph {p}: {}", schedule_12a(p)))));
    let reports = state.store.reports().list(None).await?;
    let issued = ui::options_with_blank(
        "No monitoring report",
        reports
            .iter()
            .filter(|r| r.status == assure_storage::reports::ReportStatus::Issued)
            .map(|r| (r.id.to_string(), format!("{} ({})", r.scope_label(), r.describe()))),
    );
    let open: Vec<(String, String)> = state
        .store
        .meetings()
        .requests(Some(m.body_id))
        .await?
        .into_iter()
        .filter(|q| q.state.is_open())
        .map(|q| (q.id.to_string(), format!("{} — from {} ({})", q.subject, q.report_from, q.minute.cite())))
        .collect();
    let requests = ui::options_with_blank("It answers no request", open);
    let fields = html! {
        (ui::radios(Field::new("kind", "Kind of item", f.get("kind"), errors), &kinds, false))
        (ui::text_input(Field::new("title", "Title", f.get("title"), errors), "app-input--width-30"))
        (ui::select(Field::new("exempt_paragraph", "For an exempt item: the paragraph of Schedule 12A to the Local Government Act 1972", f.get("exempt_paragraph"), errors).hint("Exempt items go at the end of the agenda and never in the public pack"), &paras))
        (ui::select(Field::new("report_id", "Monitoring report (issued in Assure)", f.get("report_id"), errors), &issued))
        (ui::text_input(Field::new("paper_title", "Or another paper: its title", f.get("paper_title"), errors), "app-input--width-30"))
        (ui::select(Field::new("answers_request", "The report a resolution requested, if this paper answers it", f.get("answers_request"), errors), &requests))
    };
    Ok(form_page(ctx, m, "Add an agenda item", &format!("/meetings/{}/agenda", m.id), errors, fields, "Add item"))
}

/// GET "/meetings/{id}/agenda": the form, filled in from the query when the clerk came
/// from an item planned for the meeting (`kind`, `title`, `answers_request`).
pub async fn agenda_page(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>, Query(q): Query<Vec<(String, String)>>) -> PageResult {
    let m = meeting_of(&state, &raw).await?;
    let planned = Fields(q.into_iter().filter(|(k, _)| matches!(k.as_str(), "kind" | "title" | "answers_request")).collect());
    agenda_render(&state, &ctx, &m, &planned, &Invalid::new()).await
}

/// The agenda form's address filled in with a planned item.
fn agenda_prefill(meeting: i64, kind: AgendaKind, title: &str, request: Option<i64>) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("kind", kind.slug()).append_pair("title", title);
    if let Some(r) = request {
        q.append_pair("answers_request", &r.to_string());
    }
    format!("/meetings/{meeting}/agenda?{}", q.finish())
}

pub async fn agenda_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let m = meeting_of(&state, &raw).await?;
    let mut typed = Invalid::new();
    let para = f.opt_int("exempt_paragraph").unwrap_or_else(|_| {
        typed.add("exempt_paragraph", "Select a paragraph from the list");
        None
    });
    let input = AgendaItemInput { kind: AgendaKind::from_slug(f.get("kind")), title: f.string("title"), exempt_paragraph: para };
    let errors = if typed.is_empty() {
        let r = state
            .store
            .meetings()
            .add_agenda_item(&caller.actor(), m.id, &input, f.opt_id("report_id"), Some(f.get("paper_title")), f.opt_id("answers_request"))
            .await
            .map(|_| ())
            .map_err(AppError::from);
        on_form(r)?
    } else {
        Some(typed)
    };
    match errors {
        None => Ok(done(&format!("/meetings/{}", m.id), "agenda-item-added")),
        Some(e) => agenda_render(&state, &ctx, &m, &f, &e.ordered(&["kind", "title", "exempt_paragraph", "report_id", "answers_request"])).await,
    }
}

async fn attendance_render(state: &AppState, ctx: &Ctx, m: &Meeting, f: &Fields, errors: &Invalid) -> PageResult {
    let people = ui::options_with_blank(
        "Someone else (type the name below)",
        state.store.meetings().people().await?.into_iter().map(|p| (p.id.to_string(), p.name)),
    );
    let subs = ui::options_with_blank("No substitute", state.store.meetings().people().await?.into_iter().map(|p| (p.id.to_string(), p.name)));
    let kinds: Vec<(String, String)> = Attendance::ALL.iter().map(|k| (k.slug().to_string(), k.label().to_string())).collect();
    let fields = html! {
        (ui::select(Field::new("person", "Member", f.get("person"), errors), &people))
        (ui::text_input(Field::new("name", "Or the name of an officer or guest", f.get("name"), errors), "app-input--width-20"))
        (ui::radios(Field::new("attendance", "Attendance", f.get("attendance"), errors), &kinds, false))
        (ui::select(Field::new("substitute", "The substitute who attended", f.get("substitute"), errors), &subs))
        (ui::text_input(Field::new("capacity", "Capacity (for example Healthwatch representative, Head of Service)", f.get("capacity"), errors), "app-input--width-20"))
    };
    Ok(form_page(ctx, m, "Record attendance", &format!("/meetings/{}/attendance", m.id), errors, fields, "Record attendance"))
}

pub async fn attendance_page(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    let m = meeting_of(&state, &raw).await?;
    attendance_render(&state, &ctx, &m, &Fields::default(), &Invalid::new()).await
}

pub async fn attendance_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let m = meeting_of(&state, &raw).await?;
    let errors = match Attendance::from_slug(f.get("attendance")) {
        None => Some(Invalid::single("attendance", "Select how they attended")),
        Some(a) => {
            let input = AttendanceInput {
                person: f.opt_id("person"),
                name: f.string("name"),
                attendance: a,
                substitute: f.opt_id("substitute"),
                capacity: f.string("capacity"),
            };
            on_form(state.store.meetings().record_attendance(&caller.actor(), m.id, &input).await.map(|_| ()).map_err(AppError::from))?
        }
    };
    match errors {
        None => Ok(done(&format!("/meetings/{}", m.id), "meeting-attendance-recorded")),
        Some(e) => attendance_render(&state, &ctx, &m, &f, &e.ordered(&["person", "name", "attendance", "substitute", "capacity"])).await,
    }
}

fn minute_render(ctx: &Ctx, m: &Meeting, f: &Fields, errors: &Invalid) -> Response {
    let fields = html! {
        (ui::text_input(Field::new("title", "Heading", f.get("title"), errors).hint("For example, Corporate Parenting Board annual report"), "app-input--width-30"))
        (ui::textarea(Field::new("text", "Minute", f.get("text"), errors), 8))
        (ui::text_input(Field::new("refers_number", "Further to Minute No. (optional)", f.get("refers_number"), errors), "app-input--width-5"))
        (ui::date_input(Field::new("refers_date", "Of the meeting held on", f.get("refers_date"), errors)))
    };
    form_page(ctx, m, "Draft a minute", &format!("/meetings/{}/minutes", m.id), errors, fields, "Add minute")
}

pub async fn minute_page(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    let m = meeting_of(&state, &raw).await?;
    Ok(minute_render(&ctx, &m, &Fields::default(), &Invalid::new()))
}

pub async fn minute_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let m = meeting_of(&state, &raw).await?;
    let mut typed = Invalid::new();
    let number = f.opt_int("refers_number").unwrap_or_else(|_| {
        typed.add("refers_number", "Enter the minute number as a whole number, for example 5");
        None
    });
    if let Some(p) = f.date_problem("refers_date", "The date of the earlier meeting") {
        typed.add("refers_date", p);
    }
    let refers = match (number, f.date("refers_date")) {
        (Some(n), Some(d)) => Some(MinuteRef { number: n, meeting_date: d }),
        (None, None) => None,
        (Some(_), None) => {
            typed.add("refers_date", "Enter the date of the meeting whose minute this refers to");
            None
        }
        (None, Some(_)) => {
            typed.add("refers_number", "Enter the number of the minute this refers to");
            None
        }
    };
    let errors = if typed.is_empty() {
        let r = state
            .store
            .meetings()
            .add_minute(&caller.actor(), m.id, f.get("title"), f.get("text"), None, refers)
            .await
            .map(|_| ())
            .map_err(AppError::from);
        on_form(r)?.map(|mut e| {
            // The cross-reference's problem is shown at the number.
            for x in &mut e.errors {
                if x.field == "refers_to" {
                    x.field = "refers_number".into();
                }
            }
            e
        })
    } else {
        Some(typed)
    };
    match errors {
        None => Ok(done(&format!("/meetings/{}", m.id), "minute-added")),
        Some(e) => Ok(minute_render(&ctx, &m, &f, &e.ordered(&["title", "text", "refers_number", "refers_date"]))),
    }
}

async fn resolution_render(state: &AppState, ctx: &Ctx, m: &Meeting, n: i64, f: &Fields, errors: &Invalid) -> PageResult {
    let kinds: Vec<(String, String)> = ResolutionKind::ALL.iter().map(|k| (k.slug().to_string(), k.label().to_string())).collect();
    let later = state.store.meetings().list(Some(m.body_id)).await?.into_iter().filter(|x| x.date > m.date && x.status != MeetingStatus::Cancelled);
    let later = ui::options_with_blank("Select a meeting", later.map(|x| (x.id.to_string(), long(x.date))));
    let owners = owner_options(state).await?;
    let reviews =
        ui::options_with_blank("Select a report", state.store.tracker().review_titles().await?.into_iter().map(|(id, t)| (id.to_string(), t)));
    let fields = html! {
        (ui::radios(Field::new("kind", "This part of the resolution", f.get("kind"), errors), &kinds, false))
        (ui::textarea(Field::new("text", "That …", f.get("text"), errors).hint("For example, the report be noted"), 3))
        (ui::text_input(Field::new("to_body", "Recommended to: the body", f.get("to_body"), errors), "app-input--width-20"))
        (ui::text_input(Field::new("report_from", "Report requested from", f.get("report_from"), errors).hint("For example, the Head of Schools and Families"), "app-input--width-20"))
        (ui::select(Field::new("owner", "The officer asked for it (it appears on their own list)", f.get("owner"), errors), &owners))
        (ui::select(Field::new("due_meeting", "The meeting the report is due at", f.get("due_meeting"), errors), &later))
        (ui::text_input(Field::new("reason", "Deferred: why", f.get("reason"), errors), "app-input--width-30"))
        (ui::select(Field::new("review", "Endorsed: the report (its recommendations are then endorsed in the tracker)", f.get("review"), errors), &reviews))
    };
    Ok(form_page(
        ctx,
        m,
        &format!("Add to the resolution of Minute No. {n}"),
        &format!("/meetings/{}/minutes/{n}/resolution", m.id),
        errors,
        fields,
        "Add to the resolution",
    ))
}

/// The officers a report can be asked of: anyone active who sees the meetings.
async fn owner_options(state: &AppState) -> Result<Vec<(String, String)>, AppError> {
    Ok(ui::options_with_blank(
        "No one with an account",
        state.store.meetings().possible_owners().await?.into_iter().map(|u| {
            let what = if u.job_title.trim().is_empty() { u.role.label().to_string() } else { u.job_title.trim().to_string() };
            (u.id.to_string(), format!("{} ({what})", u.name))
        }),
    ))
}

async fn minute_id(state: &AppState, m: &Meeting, raw_n: &str) -> Result<i64, AppError> {
    let n: i64 = raw_n.parse().map_err(|_| AppError::NotFound)?;
    state.store.meetings().minutes(m.id).await?.iter().find(|x| x.number == n).map(|x| x.id).ok_or(AppError::NotFound)
}

pub async fn resolution_page(State(state): State<AppState>, ctx: Ctx, Path((raw, n)): Path<(String, String)>) -> PageResult {
    let m = meeting_of(&state, &raw).await?;
    minute_id(&state, &m, &n).await?;
    resolution_render(&state, &ctx, &m, n.parse().unwrap_or_default(), &Fields::default(), &Invalid::new()).await
}

pub async fn resolution_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    caller: Caller,
    Path((raw, n)): Path<(String, String)>,
    f: Fields,
) -> PageResult {
    let m = meeting_of(&state, &raw).await?;
    let mid = minute_id(&state, &m, &n).await?;
    let input = ResolutionPartInput {
        kind: ResolutionKind::from_slug(f.get("kind")),
        text: f.string("text"),
        to_body: f.string("to_body"),
        report_from: f.string("report_from"),
        due_meeting: f.opt_id("due_meeting"),
        reason: f.string("reason"),
        owner: f.opt_id("owner"),
        review: f.opt_id("review"),
    };
    let r = state.store.meetings().add_resolution_part(&caller.actor(), mid, &input).await.map(|_| ()).map_err(AppError::from);
    match on_form(r)? {
        None => Ok(done(&format!("/meetings/{}#minute-{n}", m.id), "resolution-added")),
        Some(e) => resolution_render(&state, &ctx, &m, n.parse().unwrap_or_default(), &f, &e.ordered(ResolutionPartInput::FIELDS)).await,
    }
}

fn declaration_render(ctx: &Ctx, m: &Meeting, f: &Fields, errors: &Invalid) -> Response {
    let fields = html! {
        (ui::text_input(Field::new("member", "Member", f.get("member"), errors), "app-input--width-20"))
        (ui::text_input(Field::new("minute", "Minute No.", f.get("minute"), errors), "app-input--width-5"))
        (ui::textarea(Field::new("reason", "Reason", f.get("reason"), errors).hint("The interest and why it was declared"), 3))
        (ui::textarea(Field::new("action", "Action", f.get("action"), errors).hint("For example, stayed in the room and took part in the consideration of the item"), 3))
    };
    form_page(ctx, m, "Record a declaration of interest", &format!("/meetings/{}/declarations", m.id), errors, fields, "Record declaration")
}

pub async fn declaration_page(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    let m = meeting_of(&state, &raw).await?;
    Ok(declaration_render(&ctx, &m, &Fields::default(), &Invalid::new()))
}

pub async fn declaration_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let m = meeting_of(&state, &raw).await?;
    let errors = match f.opt_int("minute") {
        Err(_) => Some(Invalid::single("minute", "Enter the minute number as a whole number, for example 22")),
        Ok(minute) => {
            let d = DeclarationInput { member: f.string("member"), minute, reason: f.string("reason"), action: f.string("action") };
            on_form(state.store.meetings().add_declaration(&caller.actor(), m.id, &d).await.map(|_| ()).map_err(AppError::from))?
        }
    };
    match errors {
        None => Ok(done(&format!("/meetings/{}", m.id), "declaration-added")),
        Some(e) => Ok(declaration_render(&ctx, &m, &f, &e.ordered(DeclarationInput::FIELDS))),
    }
}

async fn defer_render(state: &AppState, ctx: &Ctx, q: &Request, f: &Fields, errors: &Invalid) -> PageResult {
    let m = state.store.meetings().meeting(q.due_meeting_id).await?;
    let later =
        state.store.meetings().list(Some(q.body_id)).await?.into_iter().filter(|x| x.date > q.due_date && x.status != MeetingStatus::Cancelled);
    let later = ui::options_with_blank("Select a meeting", later.map(|x| (x.id.to_string(), long(x.date))));
    let fields = html! {
        input type="hidden" name="version" value=(if f.get("version").is_empty() { q.version.to_string() } else { f.string("version") });
        p class="app-body" { (q.subject) " — from " (q.report_from) ", requested at " (q.minute.cite()) ", due " (long(q.due_date)) "." }
        (ui::select(Field::new("due_meeting", "Now due at", f.get("due_meeting"), errors), &later))
        (ui::textarea(Field::new("reason", "Why it is deferred", f.get("reason"), errors), 3))
    };
    Ok(form_page(ctx, &m, "Defer a requested report", &format!("/meetings/requests/{}/defer", q.id), errors, fields, "Defer"))
}

pub async fn defer_page(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    let q = state.store.meetings().request(id(&raw)?).await?;
    defer_render(&state, &ctx, &q, &Fields::default(), &Invalid::new()).await
}

pub async fn defer_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let q = state.store.meetings().request(id(&raw)?).await?;
    let r = state
        .store
        .meetings()
        .defer_request(&caller.actor(), q.id, f.version()?, f.opt_id("due_meeting"), f.get("reason"))
        .await
        .map_err(AppError::from);
    match on_form(r)? {
        None => Ok(done(&format!("/meetings/{}", q.due_meeting_id), "request-deferred")),
        Some(e) => defer_render(&state, &ctx, &q, &f, &e.ordered(&["due_meeting", "reason"])).await,
    }
}

async fn owner_render(state: &AppState, ctx: &Ctx, q: &Request, f: &Fields, errors: &Invalid) -> PageResult {
    let m = state.store.meetings().meeting(q.due_meeting_id).await?;
    let owners = owner_options(state).await?;
    let current = q.owner.as_ref().map(|o| o.0.to_string()).unwrap_or_default();
    let chosen = if f.get("version").is_empty() { current.as_str() } else { f.get("owner") };
    let fields = html! {
        input type="hidden" name="version" value=(if f.get("version").is_empty() { q.version.to_string() } else { f.string("version") });
        p class="app-body" { (q.subject) " — from " (q.report_from) ", requested at " (q.minute.cite()) ", due " (long(q.due_date)) "." }
        p class="app-body" { "Asked of: " @if let Some((_, o)) = &q.owner { (o) } @else { "no one with an account" } "." }
        (ui::select(Field::new("owner", "The officer asked for it (it appears on their own list)", chosen, errors), &owners))
    };
    Ok(form_page(ctx, &m, "Change who a requested report is asked of", &format!("/meetings/requests/{}/owner", q.id), errors, fields, "Save"))
}

pub async fn owner_page(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    let q = state.store.meetings().request(id(&raw)?).await?;
    owner_render(&state, &ctx, &q, &Fields::default(), &Invalid::new()).await
}

/// POST "/meetings/requests/{id}/owner": ask an open request of another officer (or of
/// no one named); a stale form is refused with 409.
pub async fn owner_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let q = state.store.meetings().request(id(&raw)?).await?;
    let r = state.store.meetings().set_request_owner(&caller.actor(), q.id, f.version()?, f.opt_id("owner")).await.map_err(AppError::from);
    match on_form(r)? {
        None => Ok(done(&format!("/meetings/{}", q.due_meeting_id), "request-owner-changed")),
        Some(e) => owner_render(&state, &ctx, &q, &f, &e).await,
    }
}

// ------------------------------------------------------------------ work programme

async fn programme_render(state: &AppState, ctx: &Ctx, q: &BodyQuery, f: &Fields, errors: &Invalid) -> PageResult {
    let bodies = state.store.tracker().bodies().await?;
    let all = state.store.meetings().list(None).await?;
    let body =
        q.body.as_deref().and_then(|b| b.parse::<i64>().ok()).or_else(|| all.first().map(|m| m.body_id)).or_else(|| bodies.first().map(|b| b.id));
    let year = q.year.as_deref().and_then(MunicipalYear::parse).unwrap_or_else(|| MunicipalYear::of(ctx.today));
    let body_options: Vec<(String, String)> = bodies.iter().map(|b| (b.id.to_string(), b.name.clone())).collect();
    let mut years: Vec<MunicipalYear> = all.iter().map(|m| m.year).chain([MunicipalYear::of(ctx.today), year]).collect();
    years.sort();
    years.dedup();
    let year_options: Vec<(String, String)> = years.iter().map(|y| (y.label(), y.label())).collect();
    let wp = match body {
        Some(b) => Some(state.store.meetings().work_programme(b, year).await?),
        None => None,
    };
    let body_name = bodies.iter().find(|b| Some(b.id) == body).map(|b| b.name.clone()).unwrap_or_default();
    let none = Invalid::new();
    let content = html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Work programme" }
        form method="get" action="/work-programme" {
            (ui::select(Field::new("body", "Body", &body.map(|b| b.to_string()).unwrap_or_default(), &none), &body_options))
            (ui::select(Field::new("year", "Municipal year", &year.label(), &none), &year_options))
            (ui::secondary_button("Show"))
        }
        @if let Some(wp) = &wp {
            h2 class="app-heading-m" { (body_name) ": " (wp.year.label()) }
            @if wp.meetings.is_empty() { p class="app-body" { "No meetings arranged in this year." } }
            (ui::scroll_table("Work programme", html! {
                table class="app-table" {
                    thead class="app-table__head" { tr class="app-table__row" {
                        th class="app-table__header" scope="col" { "Meeting" } th class="app-table__header" scope="col" { "Item" }
                        th class="app-table__header" scope="col" { "Kind" } th class="app-table__header" scope="col" { "Responsible officer" }
                    } }
                    tbody class="app-table__body" {
                        @for (m, items) in &wp.meetings {
                            @if items.is_empty() {
                                tr class="app-table__row" { td class="app-table__cell" { a class="app-link" href={ "/meetings/" (m.id) } { (long(m.date)) } } td class="app-table__cell" { "Nothing planned yet" } td class="app-table__cell" {} td class="app-table__cell" {} }
                            }
                            @for i in items {
                                tr class="app-table__row" {
                                    td class="app-table__cell" { a class="app-link" href={ "/meetings/" (m.id) } { (long(m.date)) } }
                                    td class="app-table__cell" { (i.title) }
                                    td class="app-table__cell" { (kind_label(&i.kind)) }
                                    td class="app-table__cell" { (i.officer) }
                                }
                            }
                        }
                        @for i in &wp.unplaced {
                            tr class="app-table__row" { td class="app-table__cell" { "Not yet placed" } td class="app-table__cell" { (i.title) } td class="app-table__cell" { (kind_label(&i.kind)) } td class="app-table__cell" { (i.officer) } }
                        }
                    }
                }
            }))
            @let q = format!("?body={}&year={}", body.unwrap_or_default(), wp.year.label());
            p class="app-body" {
                "Download the work programme: "
                a class="app-link" href={ "/work-programme/download/docx" (q) } { "Word" } ", "
                a class="app-link" href={ "/work-programme/download/xlsx" (q) } { "Excel" } ", "
                a class="app-link" href={ "/work-programme/download/csv" (q) } { "CSV" } "."
            }
            @if ctx.can(Permission::KeepWorkProgramme) {
                h2 class="app-heading-m" { "Add an item" }
                @let meetings = ui::options_with_blank("Not yet placed", wp.meetings.iter().map(|(m, _)| (m.id.to_string(), long(m.date))));
                form method="post" action={ "/work-programme?body=" (body.unwrap_or_default()) "&year=" (wp.year.label()) } novalidate {
                    (ui::csrf(ctx.csrf()))
                    (ui::select(Field::new("meeting", "Meeting", f.get("meeting"), errors), &meetings))
                    (ui::radios(Field::new("kind", "Kind", f.get("kind"), errors), &[("standing".into(), "Standing item".into()), ("other".into(), "Other item".into())], true))
                    (ui::text_input(Field::new("title", "Item", f.get("title"), errors), "app-input--width-30"))
                    (ui::text_input(Field::new("officer", "Responsible officer", f.get("officer"), errors), "app-input--width-20"))
                    (ui::button("Add item"))
                }
            }
        }
    };
    Ok((bad_form(errors), ui::layout(ctx, "Work programme", !errors.is_empty(), content)).into_response())
}

fn kind_label(k: &str) -> &'static str {
    match k {
        "standing" => "Standing item",
        "requested" => "Requested report",
        "monitoring" => "Monitoring report due",
        _ => "Item",
    }
}

pub async fn programme(State(state): State<AppState>, ctx: Ctx, Query(q): Query<BodyQuery>) -> PageResult {
    programme_render(&state, &ctx, &q, &Fields::default(), &Invalid::new()).await
}

pub async fn programme_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Query(q): Query<BodyQuery>, f: Fields) -> PageResult {
    let body = q.body.as_deref().and_then(|b| b.parse::<i64>().ok()).ok_or_else(|| AppError::BadRequest("Choose a body first.".into()))?;
    let year = q.year.as_deref().and_then(MunicipalYear::parse).ok_or_else(|| AppError::BadRequest("Choose a municipal year first.".into()))?;
    let w = WorkItemInput { meeting: f.opt_id("meeting"), kind: f.string("kind"), title: f.string("title"), officer: f.string("officer") };
    let r = state.store.meetings().add_work_item(&caller.actor(), body, year, &w).await.map(|_| ()).map_err(AppError::from);
    match on_form(r)? {
        None => Ok(done(&format!("/work-programme?body={body}&year={}", year.label()), "work-item-added")),
        Some(e) => programme_render(&state, &ctx, &q, &f, &e.ordered(&["meeting", "kind", "title", "officer"])).await,
    }
}

// ---------------------------------------------------------------------- calendars

/// Meetings as an iCalendar document (cancelled meetings marked so).
pub fn calendar(name: &str, meetings: &[Meeting], base: &str) -> String {
    use icalendar::{Component, EventLike, EventStatus};
    let mut cal = icalendar::Calendar::new();
    cal.name(name);
    for m in meetings {
        let time = chrono::NaiveTime::parse_from_str(&m.time, "%H:%M").unwrap_or_default();
        let start = assure_domain::clock::from_london(m.date.and_time(time));
        let mut e = icalendar::Event::new();
        e.uid(&format!("meeting-{}@{}", m.id, base))
            .summary(&m.body_name)
            .location(&m.venue)
            .starts(start)
            .ends(start + chrono::Duration::hours(2))
            .description(&format!("{} meeting, {}", m.kind.label(), m.status.label()));
        if m.status == MeetingStatus::Cancelled {
            e.status(EventStatus::Cancelled);
        }
        cal.push(e.done());
    }
    cal.done().to_string()
}

pub(crate) fn ics(file: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
        ],
        body,
    )
        .into_response()
}

pub async fn calendar_all(State(state): State<AppState>) -> PageResult {
    let meetings = state.store.meetings().list(None).await?;
    Ok(ics("meetings.ics", calendar("Meetings", &meetings, "assure")))
}

/// GET "/meetings/feed/{secret}/calendar.ics": every body's meetings for a calendar
/// program, which cannot sign in: the secret in the address is the person's own feed
/// (account page), and it answers only while their account is active and may see the
/// meetings. Anything else is "not found", whatever the reason.
pub async fn calendar_feed(State(state): State<AppState>, Path(secret): Path<String>) -> PageResult {
    if secret.len() != 64 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let owner = state.store.meetings().feed_owner(&crate::auth::sha256_hex(&secret)).await?;
    if !owner.is_some_and(|u| u.role.allows(Permission::ViewMeetings)) {
        return Err(AppError::NotFound);
    }
    let meetings = state.store.meetings().list(None).await?;
    Ok(ics("meetings.ics", calendar("Meetings", &meetings, "assure")))
}

pub async fn calendar_body(State(state): State<AppState>, Path(raw): Path<String>) -> PageResult {
    let body = state.store.tracker().body(id(&raw)?).await?;
    let meetings = state.store.meetings().list(Some(body.id)).await?;
    Ok(ics(&format!("body-{}.ics", body.id), calendar(&body.name, &meetings, "assure")))
}

pub async fn calendar_one(State(state): State<AppState>, Path(raw): Path<String>) -> PageResult {
    let m = meeting_of(&state, &raw).await?;
    Ok(ics(&format!("meeting-{}.ics", m.id), calendar(&m.title(), std::slice::from_ref(&m), "assure")))
}

async fn agenda_pack_file(state: &AppState, ctx: &Ctx, caller: &Caller, raw: &str, ext: &str, public: bool) -> PageResult {
    let m = meeting_of(state, raw).await?;
    if !agenda_shown(ctx, &m) {
        return Err(AppError::NotFound);
    }
    let format =
        assure_documents::Format::from_extension(ext).filter(|f| assure_documents::AGENDA_PACK_FORMATS.contains(f)).ok_or(AppError::NotFound)?;
    let pack = state.store.meetings().agenda_pack(m.id, public, ctx.today).await?;
    let stem = pack.file_stem();
    let bytes = tokio::task::spawn_blocking(move || assure_documents::render_agenda_pack(&pack, format))
        .await
        .map_err(|e| AppError::Internal(format!("rendering stopped: {e}")))?
        .map_err(AppError::from)?;
    state
        .store
        .record(
            &caller.actor(),
            assure_storage::audit::Event::new(
                "meeting.agenda-pack",
                "meeting",
                m.id,
                format!("{} agenda pack downloaded as {}", if public { "public" } else { "members' (with exempt papers)" }, format.extension()),
            ),
        )
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{stem}.{}\"", format.extension())),
        ],
        bytes,
    )
        .into_response())
}

/// GET "/meetings/{id}/agenda-pack/{format}": the public agenda pack (no exempt paper),
/// once the agenda is published (the clerk's draft before).
pub async fn agenda_pack(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path((raw, ext)): Path<(String, String)>) -> PageResult {
    agenda_pack_file(&state, &ctx, &caller, &raw, &ext, true).await
}

/// GET "/meetings/{id}/agenda-pack-with-exempt/{format}": the members' pack, exempt
/// papers included (the clerk).
pub async fn agenda_pack_with_exempt(
    State(state): State<AppState>,
    ctx: Ctx,
    caller: Caller,
    Path((raw, ext)): Path<(String, String)>,
) -> PageResult {
    agenda_pack_file(&state, &ctx, &caller, &raw, &ext, false).await
}

/// A meeting's minutes as a Word document (or PDF from it): attendance, declarations,
/// each minute with its resolution, and, once approved, the fingerprint. A minute with
/// an exempt paragraph (the public site's) keeps its number and title only.
pub(crate) async fn minutes_file(
    m: &Meeting,
    attendance: &[assure_storage::meetings::AttendanceRow],
    declarations: &[assure_storage::meetings::Declaration],
    minutes: &[(Minute, Option<i64>)],
    format: assure_documents::Format,
) -> Result<Vec<u8>, AppError> {
    use assure_documents::docx::{self, Part as DocPart};
    let approved = m.status == MeetingStatus::MinutesApproved;
    let mut parts = vec![DocPart::Text(format!("{} at {}, {}.", long(m.date), m.time, m.venue))];
    parts.push(DocPart::Heading("Attendance".into()));
    parts.push(DocPart::Table(
        vec!["Name".into(), "Attendance".into(), "Capacity".into()],
        attendance
            .iter()
            .map(|a| {
                let how = match &a.substitute {
                    Some(sub) => format!("{} ({sub})", a.attendance.label()),
                    None => a.attendance.label().to_string(),
                };
                vec![a.name.clone(), how, a.capacity.clone()]
            })
            .collect(),
    ));
    parts.push(DocPart::Heading("Declarations of interest".into()));
    parts.push(DocPart::Table(
        vec!["Member".into(), "Minute No.".into(), "Reason".into(), "Action".into()],
        declarations
            .iter()
            .map(|d| vec![d.member.clone(), format!("{} {}", d.minute_number, d.minute_title), d.reason.clone(), d.action.clone()])
            .collect(),
    ));
    parts.push(DocPart::Heading("Minutes".into()));
    for (n, exempt) in minutes {
        parts.push(DocPart::Subheading(format!("{}. {}", n.number, n.title)));
        if let Some(x) = exempt {
            parts.push(DocPart::Text(format!("Taken in private: the minute is exempt (Schedule 12A, paragraph {x}).")));
            continue;
        }
        let mut text = Vec::new();
        if let Some((_, r)) = &n.refers_to {
            text.push(format!("Further to {}.", r.cite()));
        }
        if !n.text.trim().is_empty() {
            text.push(n.text.clone());
        }
        let resolved: Vec<&str> = n.parts.iter().map(|p| p.text.as_str()).collect();
        if !resolved.is_empty() {
            text.push(assure_domain::meetings::resolved_text(&resolved));
        }
        parts.push(DocPart::Text(text.join("\n")));
    }
    if let Some(fp) = &m.minutes_fingerprint {
        parts.push(DocPart::Text(format!("Approved by the next meeting. Fingerprint of the approved minutes (SHA-256): {fp}")));
    }
    let title = format!("{}: minutes of the meeting held on {}", m.body_name, long(m.date));
    let marking = if approved { "Approved minutes".to_string() } else { "DRAFT minutes, not yet approved".to_string() };
    tokio::task::spawn_blocking(move || {
        let doc = docx::simple(&title, &marking, &parts)?;
        match format {
            assure_documents::Format::Pdf => assure_documents::pdf::from_docx(&doc),
            _ => Ok(doc),
        }
    })
    .await
    .map_err(|e| AppError::Internal(format!("rendering stopped: {e}")))?
    .map_err(AppError::from)
}

/// GET "/meetings/{id}/minutes-document/{format}": the minutes as a Word document or PDF
/// — who was present (and apologies, substitutes), declarations of interest, then each
/// minute by its number through the municipal year with what it refers to and what was
/// resolved. Approved minutes carry their fingerprint; the clerk's draft says DRAFT.
/// Members see approved minutes only.
pub async fn minutes_document(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path((raw, ext)): Path<(String, String)>) -> PageResult {
    let m = meeting_of(&state, &raw).await?;
    if !minutes_shown(&ctx, &m) {
        return Err(AppError::NotFound);
    }
    let format =
        assure_documents::Format::from_extension(&ext).filter(|f| assure_documents::AGENDA_PACK_FORMATS.contains(f)).ok_or(AppError::NotFound)?;
    let s = state.store.meetings();
    let (attendance, declarations, minutes) = (s.attendance(m.id).await?, s.declarations(m.id).await?, s.minutes(m.id).await?);
    let minutes: Vec<(Minute, Option<i64>)> = minutes.into_iter().map(|x| (x, None)).collect();
    let bytes = minutes_file(&m, &attendance, &declarations, &minutes, format).await?;
    state
        .store
        .record(
            &caller.actor(),
            assure_storage::audit::Event::new("meeting.minutes-document", "meeting", m.id, format!("minutes downloaded as {}", format.extension())),
        )
        .await?;
    let stem = format!("minutes-{}", m.date.format("%Y-%m-%d"));
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{stem}.{}\"", format.extension())),
        ],
        bytes,
    )
        .into_response())
}

/// GET "/work-programme/download/{format}?body=&year=": a body's work programme for a
/// municipal year as Word (a table per meeting, then the items not yet placed), Excel or
/// CSV (one row per item).
pub async fn programme_download(State(state): State<AppState>, Query(q): Query<BodyQuery>, Path(ext): Path<String>) -> PageResult {
    use assure_documents::docx::{self, Part as DocPart};
    use assure_documents::Format;
    let format = Format::from_extension(&ext).filter(|f| matches!(f, Format::Docx | Format::Xlsx | Format::Csv)).ok_or(AppError::NotFound)?;
    let body = q.body.as_deref().and_then(|b| b.parse::<i64>().ok()).ok_or_else(|| AppError::BadRequest("Choose a body.".into()))?;
    let year =
        q.year.as_deref().and_then(MunicipalYear::parse).ok_or_else(|| AppError::BadRequest("Choose a municipal year, like 2017/18.".into()))?;
    let name = state.store.tracker().bodies().await?.into_iter().find(|b| b.id == body).ok_or(AppError::NotFound)?.name;
    let wp = state.store.meetings().work_programme(body, year).await?;
    let row = |when: String, i: &assure_storage::meetings::WorkItem| vec![when, i.title.clone(), kind_label(&i.kind).to_string(), i.officer.clone()];
    let title = format!("{name}: work programme {}", year.label());
    let stem = format!("work-programme-{}", year.label().replace('/', "-"));
    let bytes = match format {
        Format::Docx => {
            let headings: Vec<String> = ["Item", "Kind", "Responsible officer"].iter().map(|s| s.to_string()).collect();
            let mut parts = Vec::new();
            for (m, items) in &wp.meetings {
                parts.push(DocPart::Subheading(format!(
                    "{}{}",
                    long(m.date),
                    if m.status == MeetingStatus::Cancelled { " (cancelled)" } else { "" }
                )));
                parts.push(DocPart::Table(headings.clone(), items.iter().map(|i| row(String::new(), i)[1..].to_vec()).collect()));
            }
            if !wp.unplaced.is_empty() {
                parts.push(DocPart::Subheading("Not yet placed".into()));
                parts.push(DocPart::Table(headings, wp.unplaced.iter().map(|i| row(String::new(), i)[1..].to_vec()).collect()));
            }
            docx::simple(&title, "Work programme", &parts)
        }
        _ => {
            let mut table = vec![vec!["Meeting".to_string(), "Item".into(), "Kind".into(), "Responsible officer".into()]];
            for (m, items) in &wp.meetings {
                table.extend(items.iter().map(|i| row(assure_domain::dates::iso(m.date), i)));
            }
            table.extend(wp.unplaced.iter().map(|i| row("Not yet placed".into(), i)));
            if format == Format::Csv {
                Ok(assure_documents::spreadsheet::table_csv(&table))
            } else {
                assure_documents::spreadsheet::table_xlsx(&[("Work programme", &table)])
            }
        }
    }
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{stem}.{}\"", format.extension())),
        ],
        bytes,
    )
        .into_response())
}

// ------------------------------------------------------------------------ membership

#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<String>,
}

fn year_of(ctx: &Ctx, q: &YearQuery) -> MunicipalYear {
    q.year.as_deref().and_then(MunicipalYear::parse).unwrap_or_else(|| MunicipalYear::of(ctx.today))
}

fn term(m: &Member) -> String {
    match m.term_end {
        Some(e) => format!("{} to {}", long(m.term_start), long(e)),
        None => format!("From {}", long(m.term_start)),
    }
}

async fn members_render(state: &AppState, ctx: &Ctx, raw: &str, year: MunicipalYear, f: &Fields, errors: &Invalid) -> PageResult {
    let body = state.store.tracker().body(id(raw)?).await?;
    let s = state.store.meetings();
    let members = s.memberships(body.id, year).await?;
    let people = s.people().await?;
    let person_options = ui::options_with_blank("Select a person", people.iter().map(|p| (p.id.to_string(), p.name.clone())));
    let sub_options = ui::options_with_blank("No substitute", people.iter().map(|p| (p.id.to_string(), p.name.clone())));
    let roles: Vec<(String, String)> = MemberRole::ALL.iter().map(|r| (r.slug().to_string(), r.label().to_string())).collect();
    let years: Vec<(String, String)> = (year.0 - 2..=year.0 + 2).map(|y| (MunicipalYear(y).label(), MunicipalYear(y).label())).collect();
    let here = format!("/meetings/bodies/{}/members?year={}", body.id, year.label());
    let none = Invalid::new();
    let heading = format!("Members, {}", year.label());
    let content = html! {
        (ui::back_link("/meetings", "Back to meetings"))
        (ui::error_summary(errors))
        span class="app-caption-l" { (body.name) }
        h1 class="app-heading-l" { (heading) }
        p class="app-body" { "The municipal year runs from " (long(year.first_day())) " to " (long(year.last_day())) "." }
        form method="get" action={ "/meetings/bodies/" (body.id) "/members" } {
            (ui::select(Field::new("year", "Municipal year", &year.label(), &none), &years))
            (ui::secondary_button("Show"))
        }
        @if members.is_empty() { p class="app-body" { "Nobody sat on this body in " (year.label()) "." } } @else {
            (ui::scroll_table(&heading, html! {
                table class="app-table" {
                    thead class="app-table__head" { tr class="app-table__row" {
                        th class="app-table__header" scope="col" { "Member" } th class="app-table__header" scope="col" { "Role" }
                        th class="app-table__header" scope="col" { "Party" } th class="app-table__header" scope="col" { "Substitute" }
                        th class="app-table__header" scope="col" { "Term" }
                        @if clerk(ctx) { th class="app-table__header" scope="col" { span class="app-visually-hidden" { "Actions" } } }
                    } }
                    tbody class="app-table__body" {
                        @for x in &members { tr class="app-table__row" {
                            td class="app-table__cell" { (x.person.name) } td class="app-table__cell" { (x.role.label()) }
                            td class="app-table__cell" { (x.party) } td class="app-table__cell" { @if let Some(s) = &x.substitute { (s.name) } @else { "None" } }
                            td class="app-table__cell" { (term(x)) }
                            @if clerk(ctx) { td class="app-table__cell" {
                                @if x.term_end.is_none_or(|e| e > ctx.today) {
                                    a class="app-link" href={ "/meetings/members/" (x.id) "/edit" } { "Change" span class="app-visually-hidden" { " the role, party or substitute of " (x.person.name) } }
                                    " "
                                    a class="app-link" href={ "/meetings/members/" (x.id) "/end" } { "End the term" span class="app-visually-hidden" { " of " (x.person.name) } }
                                }
                            } }
                        } }
                    }
                }
            }))
        }
        @if clerk(ctx) {
            h2 class="app-heading-m" { "Add a member" }
            form method="post" action=(here) novalidate {
                (ui::csrf(ctx.csrf()))
                (ui::select(Field::new("person", "Member", f.get("person"), errors).hint("Not in the list? Add the person below first."), &person_options))
                (ui::radios(Field::new("role", "Role", f.get("role"), errors), &roles, false))
                (ui::text_input(Field::new("party", "Party (optional)", f.get("party"), errors), "app-input--width-20"))
                (ui::select(Field::new("substitute", "Named substitute", f.get("substitute"), errors), &sub_options))
                (ui::date_input(Field::new("term_start", "Term starts", f.get("term_start"), errors).hint("Usually the annual meeting in May, for example 18 5 2017")))
                (ui::date_input(Field::new("term_end", "Term ends (optional)", f.get("term_end"), errors)))
                (ui::button("Add member"))
            }
            h2 class="app-heading-m" { "Add a person who sits on bodies" }
            form method="post" action={ "/meetings/bodies/" (body.id) "/people?year=" (year.label()) } novalidate {
                (ui::csrf(ctx.csrf()))
                (ui::text_input(Field::new("name", "Name", f.get("name"), errors).hint("For example, Councillor Helen Brannigan"), "app-input--width-20"))
                (ui::text_input(Field::new("person_party", "Party (optional)", f.get("person_party"), errors), "app-input--width-20"))
                (ui::secondary_button("Add person"))
            }
        }
    };
    Ok((bad_form(errors), ui::layout(ctx, &format!("{} – {heading}", body.name), !errors.is_empty(), content)).into_response())
}

/// GET "/meetings/bodies/{id}/members?year=2017/18": who sits on the body in a
/// municipal year, with roles, parties, substitutes and terms; the clerk's forms.
pub async fn members_page(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>, Query(q): Query<YearQuery>) -> PageResult {
    let year = year_of(&ctx, &q);
    members_render(&state, &ctx, &raw, year, &Fields::default(), &Invalid::new()).await
}

/// POST "/meetings/bodies/{id}/members": add a member for a term (not their own
/// substitute, a term that ends after it starts, one seat per person).
pub async fn member_add(
    State(state): State<AppState>,
    ctx: Ctx,
    caller: Caller,
    Path(raw): Path<String>,
    Query(q): Query<YearQuery>,
    f: Fields,
) -> PageResult {
    let year = year_of(&ctx, &q);
    let body = id(&raw)?;
    let mut typed = Invalid::new();
    for (name, what) in [("term_start", "The start of the term"), ("term_end", "The end of the term")] {
        if let Some(p) = f.date_problem(name, what) {
            typed.add(name, p);
        }
    }
    let input = MembershipInput {
        person: f.opt_id("person"),
        role: MemberRole::from_slug(f.get("role")),
        party: f.string("party"),
        substitute: f.opt_id("substitute"),
        term_start: f.date("term_start"),
        term_end: f.date("term_end"),
    };
    let errors = if typed.is_empty() {
        on_form(state.store.meetings().add_member(&caller.actor(), body, &input).await.map(|_| ()).map_err(AppError::from))?
    } else {
        Some(typed)
    };
    match errors {
        None => Ok(done(&format!("/meetings/bodies/{body}/members?year={}", year.label()), "member-added")),
        Some(e) => members_render(&state, &ctx, &raw, year, &f, &e.ordered(MembershipInput::FIELDS)).await,
    }
}

/// POST "/meetings/bodies/{id}/people": add a person who can then be made a member or
/// a substitute (of this body or any other).
pub async fn person_add(
    State(state): State<AppState>,
    ctx: Ctx,
    caller: Caller,
    Path(raw): Path<String>,
    Query(q): Query<YearQuery>,
    f: Fields,
) -> PageResult {
    let year = year_of(&ctx, &q);
    let body = state.store.tracker().body(id(&raw)?).await?;
    let r = state.store.meetings().add_person(&caller.actor(), f.get("name"), f.get("person_party")).await.map(|_| ()).map_err(AppError::from);
    match on_form(r)? {
        None => Ok(done(&format!("/meetings/bodies/{}/members?year={}", body.id, year.label()), "meeting-person-added")),
        Some(mut e) => {
            for x in &mut e.errors {
                if x.field == "party" {
                    x.field = "person_party".into();
                }
            }
            members_render(&state, &ctx, &raw, year, &f, &e).await
        }
    }
}

async fn change_render(state: &AppState, ctx: &Ctx, m: &Member, f: &Fields, errors: &Invalid) -> PageResult {
    let body = state.store.tracker().body(m.body_id).await?;
    let back = format!("/meetings/bodies/{}/members?year={}", body.id, MunicipalYear::of(m.term_start).label());
    let fresh = f.get("version").is_empty();
    let version = if fresh { m.version.to_string() } else { f.string("version") };
    let people = state.store.meetings().people().await?;
    let sub_options =
        ui::options_with_blank("No substitute", people.iter().filter(|p| p.id != m.person.id).map(|p| (p.id.to_string(), p.name.clone())));
    let roles: Vec<(String, String)> = MemberRole::ALL.iter().map(|r| (r.slug().to_string(), r.label().to_string())).collect();
    let sub = m.substitute.as_ref().map(|p| p.id.to_string()).unwrap_or_default();
    let (role, party, substitute) =
        if fresh { (m.role.slug(), m.party.as_str(), sub.as_str()) } else { (f.get("role"), f.get("party"), f.get("substitute")) };
    let content = html! {
        (ui::back_link(&back, "Back to the members"))
        (ui::error_summary(errors))
        span class="app-caption-l" { (body.name) }
        h1 class="app-heading-l" { "Change the membership of " (m.person.name) }
        dl class="app-summary-list" {
            (ui::summary_row("Term", html! { (term(m)) }))
        }
        form method="post" action={ "/meetings/members/" (m.id) "/edit" } novalidate {
            (ui::csrf(ctx.csrf()))
            input type="hidden" name="version" value=(version);
            (ui::radios(Field::new("role", "Role", role, errors), &roles, false))
            (ui::text_input(Field::new("party", "Party (optional)", party, errors), "app-input--width-20"))
            (ui::select(Field::new("substitute", "Named substitute", substitute, errors), &sub_options))
            (ui::button("Save changes"))
        }
    };
    Ok((bad_form(errors), ui::layout(ctx, "Change a membership", !errors.is_empty(), content)).into_response())
}

pub async fn change_page(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    let m = state.store.meetings().member(id(&raw)?).await?;
    change_render(&state, &ctx, &m, &Fields::default(), &Invalid::new()).await
}

/// POST "/meetings/members/{id}/edit": change a member's role, party or named
/// substitute (never themselves); a stale form is refused with 409.
pub async fn change_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let m = state.store.meetings().member(id(&raw)?).await?;
    let input = MemberChangeInput { role: MemberRole::from_slug(f.get("role")), party: f.string("party"), substitute: f.opt_id("substitute") };
    let r = state.store.meetings().change_member(&caller.actor(), m.id, f.version()?, &input).await.map_err(AppError::from);
    match on_form(r)? {
        None => Ok(done(&format!("/meetings/bodies/{}/members?year={}", m.body_id, MunicipalYear::of(m.term_start).label()), "member-changed")),
        Some(e) => change_render(&state, &ctx, &m, &f, &e.ordered(MemberChangeInput::FIELDS)).await,
    }
}

async fn end_render(state: &AppState, ctx: &Ctx, m: &Member, f: &Fields, errors: &Invalid) -> PageResult {
    let body = state.store.tracker().body(m.body_id).await?;
    let back = format!("/meetings/bodies/{}/members?year={}", body.id, MunicipalYear::of(m.term_start).label());
    let version = if f.get("version").is_empty() { m.version.to_string() } else { f.string("version") };
    let content = html! {
        (ui::back_link(&back, "Back to the members"))
        (ui::error_summary(errors))
        span class="app-caption-l" { (body.name) }
        h1 class="app-heading-l" { "End the term of " (m.person.name) }
        dl class="app-summary-list" {
            (ui::summary_row("Role", html! { (m.role.label()) }))
            (ui::summary_row("Term", html! { (term(m)) }))
        }
        form method="post" action={ "/meetings/members/" (m.id) "/end" } novalidate {
            (ui::csrf(ctx.csrf()))
            input type="hidden" name="version" value=(version);
            (ui::date_input(Field::new("term_end", "The term ends on", f.get("term_end"), errors).hint("They no longer sit on the body from this date")))
            (ui::button("End the term"))
        }
    };
    Ok((bad_form(errors), ui::layout(ctx, "End a member's term", !errors.is_empty(), content)).into_response())
}

pub async fn end_page(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    let m = state.store.meetings().member(id(&raw)?).await?;
    end_render(&state, &ctx, &m, &Fields::default(), &Invalid::new()).await
}

/// POST "/meetings/members/{id}/end": end a term on a date after it started; a stale
/// form is refused with 409.
pub async fn end_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let m = state.store.meetings().member(id(&raw)?).await?;
    let errors = match f.date_problem("term_end", "The end of the term") {
        Some(p) => Some(Invalid::single("term_end", p)),
        None => {
            on_form(state.store.meetings().end_membership(&caller.actor(), m.id, f.version()?, f.date("term_end")).await.map_err(AppError::from))?
        }
    };
    match errors {
        None => Ok(done(&format!("/meetings/bodies/{}/members?year={}", m.body_id, MunicipalYear::of(m.term_start).label()), "member-term-ended")),
        Some(e) => end_render(&state, &ctx, &m, &f, &e).await,
    }
}

// ------------------------------------------------------- a year's meetings, moves

const MONTHS: [&str; 12] = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

fn pattern_input(f: &Fields) -> (PatternInput, Invalid) {
    let (meeting, mut typed) = meeting_input(f);
    let every = f.opt_int("every").unwrap_or_else(|_| {
        typed.add("every", "Enter how often the body meets as a whole number, for example 6");
        None
    });
    let skip_months = f.all("skip").iter().map(|m| m.trim().parse::<u32>().unwrap_or(0)).collect();
    (PatternInput { meeting, every, unit: f.string("unit"), skip_months }, typed)
}

async fn generate_render(state: &AppState, ctx: &Ctx, raw: &str, f: &Fields, errors: &Invalid, preview: Option<&YearOfMeetings>) -> PageResult {
    let body = state.store.tracker().body(id(raw)?).await?;
    let kinds: Vec<(String, String)> = MeetingType::ALL.iter().map(|k| (k.slug().to_string(), k.label().to_string())).collect();
    let units: Vec<(String, String)> = vec![
        ("months-weekday".into(), "Months, on the same weekday of the month (for example the second Tuesday)".into()),
        ("months-date".into(), "Months, on the same date".into()),
        ("weeks".into(), "Weeks".into()),
    ];
    // May to April, as the municipal year runs.
    let months: Vec<(String, String)> = (0..12).map(|i| (i + 4) % 12 + 1).map(|m: u32| (m.to_string(), MONTHS[m as usize - 1].to_string())).collect();
    let skipped = f.all("skip");
    let action = format!("/meetings/bodies/{}/generate", body.id);
    let content = html! {
        (ui::back_link("/meetings", "Back to meetings"))
        (ui::error_summary(errors))
        span class="app-caption-l" { (body.name) }
        h1 class="app-heading-l" { "Arrange a year's meetings" }
        p class="app-body" { "Describe the pattern the body meets in. The dates run from the first meeting to the end of its municipal year (30 April). Check them before they are arranged; each can be changed or moved afterwards." }
        @if let Some(y) = preview {
            div class="app-inset-text" {
                h2 class="app-heading-m" { (y.dates.len()) " meetings: " (y.described) }
                p class="app-body" { (y.meeting.time.format("%H:%M").to_string()) ", " (y.meeting.venue) " (" (y.meeting.kind.label()) ")" }
                ul class="app-list" { @for d in &y.dates { li { (assure_domain::meetings::meeting_day(*d)) } } }
            }
        }
        form method="post" action=(action) novalidate {
            (ui::csrf(ctx.csrf()))
            (ui::date_input(Field::new("date", "Date of the first meeting", f.get("date"), errors)))
            (ui::text_input(Field::new("every", "Meets every", f.get("every"), errors).hint("A number: of weeks (1 to 26) or of months (1 to 12)"), "app-input--width-3"))
            (ui::radios(Field::new("unit", "Of", f.get("unit"), errors), &units, false))
            (ui::checkboxes("skip", "Months with no meeting", Some("For example August"), &months, &skipped, errors))
            (ui::text_input(Field::new("time", "Time", f.get("time"), errors).hint("On the 24-hour clock, for example 18:30"), "app-input--width-5"))
            (ui::text_input(Field::new("venue", "Venue", f.get("venue"), errors).hint("For example, Town Hall, Bootle"), "app-input--width-30"))
            (ui::radios(Field::new("kind", "Type of meeting", f.get("kind"), errors), &kinds, false))
            (ui::text_input(Field::new("joint_with", "For a joint meeting: the other body", f.get("joint_with"), errors), "app-input--width-30"))
            @if preview.is_some() {
                button type="submit" class="app-button" data-module="app-button" name="confirm" value="yes" { "Arrange these meetings" }
                " "
                (ui::secondary_button("Show the dates again"))
            } @else {
                (ui::button("Show the dates"))
            }
        }
    };
    Ok((bad_form(errors), ui::layout(ctx, "Arrange a year's meetings", !errors.is_empty(), content)).into_response())
}

/// GET "/meetings/bodies/{id}/generate": the pattern form.
pub async fn generate_page(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    generate_render(&state, &ctx, &raw, &Fields::default(), &Invalid::new(), None).await
}

/// POST "/meetings/bodies/{id}/generate": show the dates a pattern gives; with
/// `confirm=yes`, arrange them all (or, on any problem, none).
pub async fn generate_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let body = id(&raw)?;
    let (input, typed) = pattern_input(&f);
    let checked = if typed.is_empty() { check_pattern(&input, ctx.today).map(|c| c.into_inner()) } else { Err(typed) };
    let year = match checked {
        Ok(y) => y,
        Err(e) => return generate_render(&state, &ctx, &raw, &f, &e.ordered(PatternInput::FIELDS), None).await,
    };
    if f.get("confirm") != "yes" {
        return generate_render(&state, &ctx, &raw, &f, &Invalid::new(), Some(&year)).await;
    }
    let r = state.store.meetings().generate_meetings(&caller.actor(), body, &input).await.map(|_| ()).map_err(AppError::from);
    match on_form(r)? {
        None => Ok(done(&format!("/meetings#body-{body}"), "meetings-arranged")),
        Some(e) => generate_render(&state, &ctx, &raw, &f, &e.ordered(PatternInput::FIELDS), Some(&year)).await,
    }
}

fn meeting_fields(m: &Meeting) -> Fields {
    Fields(vec![
        ("time".into(), m.time.clone()),
        ("venue".into(), m.venue.clone()),
        ("kind".into(), m.kind.slug().into()),
        ("joint_with".into(), m.joint_with.clone().unwrap_or_default()),
        ("version".into(), m.version.to_string()),
    ])
}

fn edit_render(ctx: &Ctx, m: &Meeting, f: &Fields, errors: &Invalid) -> Response {
    let kinds: Vec<(String, String)> = MeetingType::ALL.iter().map(|k| (k.slug().to_string(), k.label().to_string())).collect();
    let fields = html! {
        input type="hidden" name="version" value=(f.get("version"));
        p class="app-body" { "To change the date, " a class="app-link" href={ "/meetings/" (m.id) "/move" } { "move the meeting" } "." }
        (ui::text_input(Field::new("time", "Time", f.get("time"), errors).hint("On the 24-hour clock, for example 18:30"), "app-input--width-5"))
        (ui::text_input(Field::new("venue", "Venue", f.get("venue"), errors), "app-input--width-30"))
        (ui::radios(Field::new("kind", "Type of meeting", f.get("kind"), errors), &kinds, false))
        (ui::text_input(Field::new("joint_with", "For a joint meeting: the other body", f.get("joint_with"), errors), "app-input--width-30"))
    };
    form_page(ctx, m, "Change the meeting", &format!("/meetings/{}/edit", m.id), errors, fields, "Save")
}

pub async fn edit_page(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    let m = meeting_of(&state, &raw).await?;
    Ok(edit_render(&ctx, &m, &meeting_fields(&m), &Invalid::new()))
}

/// POST "/meetings/{id}/edit": its time, venue and type (a stale form: 409).
pub async fn edit_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let m = meeting_of(&state, &raw).await?;
    let input = MeetingInput {
        date: Some(m.date),
        time: f.string("time"),
        venue: f.string("venue"),
        kind: MeetingType::from_slug(f.get("kind")),
        joint_with: f.string("joint_with"),
    };
    let r = state.store.meetings().update_meeting(&caller.actor(), m.id, f.version()?, &input).await.map_err(AppError::from);
    match on_form(r)? {
        None => Ok(done(&format!("/meetings/{}", m.id), "meeting-saved")),
        Some(e) => Ok(edit_render(&ctx, &m, &f, &e.ordered(&["time", "venue", "kind", "joint_with"]))),
    }
}

fn move_render(ctx: &Ctx, m: &Meeting, moves: &[Move], f: &Fields, errors: &Invalid) -> Response {
    let version = if f.get("version").is_empty() { m.version.to_string() } else { f.string("version") };
    let fields = html! {
        input type="hidden" name="version" value=(version);
        p class="app-body" { "The meeting is on " (long(m.date)) ". The old date and the reason are kept and shown on the meeting's page." }
        @for mv in moves { p class="app-body" { "Moved before: from " (long(mv.from)) " to " (long(mv.to)) ": " (mv.reason) } }
        (ui::date_input(Field::new("date", "New date", f.get("date"), errors)))
        (ui::textarea(Field::new("reason", "Why it is moving", f.get("reason"), errors).hint("For example, clash with the meeting of full Council"), 3))
    };
    form_page(ctx, m, "Move the meeting", &format!("/meetings/{}/move", m.id), errors, fields, "Move the meeting")
}

pub async fn move_page(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    let m = meeting_of(&state, &raw).await?;
    let moves = state.store.meetings().moves(m.id).await?;
    Ok(move_render(&ctx, &m, &moves, &Fields::default(), &Invalid::new()))
}

/// POST "/meetings/{id}/move": a new date today or later, with the reason; the old date
/// and the reason are kept (a stale form: 409).
pub async fn move_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let m = meeting_of(&state, &raw).await?;
    let errors = match f.date_problem("date", "The new date") {
        Some(p) => Some(Invalid::single("date", p)),
        None => on_form(
            state.store.meetings().move_meeting(&caller.actor(), m.id, f.version()?, f.date("date"), f.get("reason")).await.map_err(AppError::from),
        )?,
    };
    match errors {
        None => Ok(done(&format!("/meetings/{}", m.id), "meeting-moved")),
        Some(e) => {
            let moves = state.store.meetings().moves(m.id).await?;
            Ok(move_render(&ctx, &m, &moves, &f, &e.ordered(&["date", "reason"])))
        }
    }
}

// ----------------------------------------------------- the officer's own requests

/// GET "/meetings/my-requests": the reports committees asked of the signed-in officer,
/// with the meeting each is due at and whether it is due, overdue or deferred; those
/// answered after.
pub async fn my_requests(State(state): State<AppState>, ctx: Ctx, caller: Caller) -> PageResult {
    let requests = state.store.meetings().requests_owned_by(caller.user.id).await?;
    let (open, closed): (Vec<&Request>, Vec<&Request>) = requests.iter().partition(|q| q.state.is_open());
    let table = |label: &str, rows: &[&Request]| {
        html! {
            (ui::scroll_table(label, html! {
                table class="app-table" {
                    thead class="app-table__head" { tr class="app-table__row" {
                        th class="app-table__header" scope="col" { "Report" } th class="app-table__header" scope="col" { "Committee" }
                        th class="app-table__header" scope="col" { "Due at the meeting on" } th class="app-table__header" scope="col" { "Status" }
                        th class="app-table__header" scope="col" { "Requested at" }
                    } }
                    tbody class="app-table__body" {
                        @for q in rows { tr class="app-table__row" {
                            td class="app-table__cell" { (q.subject) }
                            td class="app-table__cell" { (q.body_name) }
                            td class="app-table__cell" { a class="app-link" href={ "/meetings/" (q.due_meeting_id) } { (long(q.due_date)) } }
                            td class="app-table__cell" {
                                (request_tag(&q.state))
                                @if let RequestState::Deferred { reason, .. } = &q.state { " " (reason) }
                            }
                            td class="app-table__cell" { (q.minute.cite()) }
                        } }
                    }
                }
            }))
        }
    };
    let content = html! {
        (ui::back_link("/meetings", "Back to meetings"))
        h1 class="app-heading-l" { "Reports requested of you" }
        p class="app-body" { "Reports a committee resolved to ask of you, and the meeting each is due at. A report is overdue once that meeting's agenda has closed without it." }
        @if open.is_empty() { p class="app-body" { "No committee is waiting for a report from you." } } @else { (table("Reports to write", &open)) }
        @if !closed.is_empty() {
            h2 class="app-heading-m" { "Reports that have arrived" }
            (table("Reports that have arrived", &closed))
        }
    };
    Ok(ui::layout(&ctx, "Reports requested of you", false, content).into_response())
}

// ------------------------------------------------------------ an agenda item's paper

/// A new paper's cover, filled in from the meeting and the item.
fn new_cover(m: &Meeting, item: &AgendaItem) -> assure_domain::report::Cover {
    assure_domain::report::Cover {
        report_to: format!("{} – {}", m.body_name, long(m.date)),
        meeting_date: Some(m.date),
        subject: item.title.clone(),
        wards_affected: "All Wards".into(),
        exempt: item.exempt_paragraph.is_some(),
        background_papers: "There are no background papers available for inspection.".into(),
        ..Default::default()
    }
}

fn paper_kind_words(p: &Paper) -> &'static str {
    match &p.content {
        PaperContent::Written(_) => "a report on the council's cover, in the pack",
        PaperContent::Uploaded { blocks: Some(_), .. } => "a Word document, set in the pack with page numbers running through it",
        PaperContent::Uploaded { .. } => "a PDF, published with the agenda beside the pack",
    }
}

#[allow(clippy::too_many_arguments)]
async fn paper_render(
    ctx: &Ctx,
    m: &Meeting,
    item: &AgendaItem,
    paper: Option<&Paper>,
    f: &Fields,
    errors: &Invalid,
    status: StatusCode,
) -> PageResult {
    let version = paper.map_or(0, |p| p.version);
    let refused = assure_domain::meetings::check_paper_target(item.kind, item.report_id.is_some(), m.status).err();
    let content = html! {
        (ui::back_link(&format!("/meetings/{}", m.id), "Back to the meeting"))
        (ui::error_summary(errors))
        span class="app-caption-l" { (m.title()) }
        h1 class="app-heading-l" { "The paper for item " (item.number) ": " (item.title) }
        @if let Some(p) = paper {
            dl class="app-summary-list" {
                (ui::summary_row("Paper", html! { (p.describe()) }))
                (ui::summary_row("What it is", html! { (paper_kind_words(p)) }))
                (ui::summary_row("Last saved", html! { (p.updated_by) ", " (p.updated_at.get(..10).unwrap_or(&p.updated_at)) }))
                @if let PaperContent::Uploaded { .. } = &p.content {
                    (ui::summary_row("File", html! { a class="app-link" href={ "/meetings/agenda-items/" (item.id) "/paper-file" } { "Download the file as uploaded" } }))
                }
            }
            p class="app-body" { "Writing or uploading another paper replaces this one." }
        }
        @if let Some(why) = refused {
            p class="app-body" { (why.errors.first().map(|e| e.message.as_str()).unwrap_or_default()) "." }
        } @else {
            h2 class="app-heading-m" { "Write it on the council's cover" }
            p class="app-body" { "The same cover as a monitoring report's. Put the report itself under Introduction/background; a blank line starts a new paragraph." }
            form method="post" action={ "/meetings/agenda-items/" (item.id) "/paper" } novalidate {
                (ui::csrf(ctx.csrf()))
                input type="hidden" name="version" value=(version);
                (super::reports::cover_inputs(f, errors))
                (ui::button("Save the report"))
            }
            h2 class="app-heading-m" { "Or upload the paper" }
            form method="post" action={ "/meetings/agenda-items/" (item.id) "/paper-file?_csrf=" (ctx.csrf()) } enctype="multipart/form-data" novalidate {
                input type="hidden" name="version" value=(version);
                div class=(if errors.for_field("file").is_some() { "app-form-group app-form-group--error" } else { "app-form-group" }) {
                    label class="app-label" for="file" { "A Word document (.docx) or a PDF" }
                    div class="app-hint" id="file-hint" {
                        "A Word paper's text, headings and tables are set in the pack, so page numbers run through it; a PDF is published beside the pack. Pictures are left out of the pack: the file stays downloadable as uploaded."
                    }
                    @if let Some(msg) = errors.for_field("file") { p class="app-error-message" id="file-error" { span class="app-visually-hidden" { "Error: " } (msg) } }
                    input class="app-file-upload" id="file" name="file" type="file" accept=".docx,.pdf" aria-describedby={ "file-hint" @if errors.for_field("file").is_some() { " file-error" } };
                }
                (ui::secondary_button("Upload the paper"))
            }
        }
    };
    Ok((status, ui::layout(ctx, "An agenda item's paper", !errors.is_empty(), content)).into_response())
}

/// GET "/meetings/agenda-items/{id}/paper": the item's paper, and the clerk's two ways
/// to give it one — written on the council's cover, or uploaded.
pub async fn paper_page(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    let (m, item) = state.store.meetings().agenda_item(id(&raw)?).await?;
    let paper = state.store.meetings().paper(item.id).await?;
    let cover = match paper.as_ref().map(|p| &p.content) {
        Some(PaperContent::Written(c)) => (**c).clone(),
        _ => new_cover(&m, &item),
    };
    let f = super::reports::fields_of_cover(&cover);
    paper_render(&ctx, &m, &item, paper.as_ref(), &f, &Invalid::new(), StatusCode::OK).await
}

/// POST "/meetings/agenda-items/{id}/paper": the paper written on the council's cover
/// (the cover's own checks; version-checked; audited).
pub async fn paper_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let (m, item) = state.store.meetings().agenda_item(id(&raw)?).await?;
    let (cover, typed) = super::reports::cover_from(&f);
    let errors = if typed.is_empty() {
        on_form(state.store.meetings().write_paper(&caller.actor(), item.id, f.version()?, &cover).await.map_err(AppError::from))?
    } else {
        Some(typed)
    };
    match errors {
        None => Ok(done(&format!("/meetings/{}", m.id), "paper-saved")),
        Some(e) => {
            let paper = state.store.meetings().paper(item.id).await?;
            paper_render(&ctx, &m, &item, paper.as_ref(), &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// POST "/meetings/agenda-items/{id}/paper-file": the paper uploaded — a Word document
/// (read into the pack's text now, so an unreadable one is refused before it is kept)
/// or a PDF, checked by its content; version-checked; audited.
pub async fn paper_upload(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, mut mp: Multipart) -> PageResult {
    let (m, item) = state.store.meetings().agenda_item(id(&raw)?).await?;
    let max = state.config.max_upload_bytes;
    let too_big = || Invalid::single("file", format!("The selected file must be smaller than {} MB", max / (1024 * 1024)));
    let mut version = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut problem = None;
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("file") => {
                    let name = crate::evidence::safe_name(field.file_name().unwrap_or(""));
                    match field.bytes().await {
                        Ok(b) => file = Some((name, b.to_vec())),
                        Err(_) => problem = Some(too_big()),
                    }
                }
                Some("version") => version = field.text().await.unwrap_or_default(),
                _ => {}
            },
            Ok(None) => break,
            Err(_) => {
                problem = Some(too_big());
                break;
            }
        }
    }
    let version: i64 =
        version.trim().parse().map_err(|_| AppError::BadRequest("The form is missing its version: reload the page and try again.".into()))?;
    let result: Result<(), AppError> = async {
        if let Some(p) = problem {
            return Err(AppError::Invalid(p));
        }
        let (name, bytes) = file.unwrap_or_default();
        let kind = crate::evidence::classify(&name, &bytes);
        assure_domain::meetings::check_paper_upload(&name, bytes.len(), max, kind).map_err(AppError::Invalid)?;
        let content_type = kind.unwrap_or_default().to_string();
        let blocks = if content_type == "application/pdf" {
            None
        } else {
            let b = bytes.clone();
            let read = tokio::task::spawn_blocking(move || assure_documents::paper::read_paper(&b))
                .await
                .map_err(|e| AppError::Internal(format!("reading the paper stopped: {e}")))?;
            Some(read.map_err(|e| AppError::Invalid(Invalid::single("file", e.to_string())))?)
        };
        let upload = PaperUpload { name, content_type, bytes, blocks };
        Ok(state.store.meetings().upload_paper(&caller.actor(), item.id, version, &upload).await?)
    }
    .await;
    let result = on_form(result)?.map_or(Ok(()), Err);
    match result {
        Ok(()) => Ok(done(&format!("/meetings/{}", m.id), "paper-saved")),
        Err(e) => {
            let paper = state.store.meetings().paper(item.id).await?;
            let f = match paper.as_ref().map(|p| &p.content) {
                Some(PaperContent::Written(c)) => super::reports::fields_of_cover(c),
                _ => super::reports::fields_of_cover(&new_cover(&m, &item)),
            };
            paper_render(&ctx, &m, &item, paper.as_ref(), &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// GET "/meetings/agenda-items/{id}/paper-file": an uploaded paper as it was uploaded,
/// for whoever reads the agenda (published, or the clerk's draft); an exempt item's
/// paper for the clerk only. Audited.
pub async fn paper_download(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>) -> PageResult {
    let (m, item) = state.store.meetings().agenda_item(id(&raw)?).await?;
    if !agenda_shown(&ctx, &m) || (item.exempt_paragraph.is_some() && !clerk(&ctx)) {
        return Err(AppError::NotFound);
    }
    let (name, content_type, bytes) = state.store.meetings().paper_file(item.id).await?;
    state
        .store
        .record(
            &caller.actor(),
            assure_storage::audit::Event::new("agenda-paper.download", "meeting", m.id, format!("the paper for item {} downloaded", item.number)),
        )
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", crate::evidence::safe_name(&name))),
        ],
        bytes,
    )
        .into_response())
}
