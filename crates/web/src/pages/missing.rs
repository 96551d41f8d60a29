//! Missing episodes and return interviews (issue 5): recording an episode (child
//! search-or-create), the missing monitoring group's lists, a child's episodes with
//! their interviews and where the pattern rules took them, and the rules themselves.

use assure_domain::missing::{Findings, Forum, InterviewResponse, MissingFrom, PatternRule, RiskGrading, Trigger};
use assure_domain::partnership::Section;
use assure_domain::tracker::TagColour;
use assure_domain::{Invalid, Permission};
use assure_storage::children::Child;
use assure_storage::keyset::{Page, PageRequest, Total};
use assure_storage::missing::{Episode, EpisodeInput, InterviewInput};
use assure_storage::StoreError;
use assure_storage::{ChildRecord, Reader};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use maud::{html, Markup};

use super::child_picker::{self, Identity, Picker};
use super::id;
use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::forms::{done, Fields};
use crate::ui::{self, Ctx, Field};
use crate::{policy, AppState};

const PICKER: Picker = Picker {
    action: "/missing/new",
    question: "Which child went missing?",
    search_hint: child_picker::REACH_HINT,
    dob_example: "16/01/2010",
    identity: Identity::Short,
    school_in_label: false,
};

fn opts<T: Copy>(all: &[T], slug: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Vec<(String, String)> {
    all.iter().map(|v| (slug(*v).to_string(), label(*v).to_string())).collect()
}

/// A date and time as typed: the browser's `2026-03-01T20:30`, or `01/03/2026 20:30`.
pub fn parse_time(raw: &str) -> Option<NaiveDateTime> {
    let s = raw.trim();
    for f in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d/%m/%Y %H.%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t);
        }
    }
    None
}

fn show_time(t: NaiveDateTime) -> String {
    t.format("%-d %B %Y, %H:%M").to_string()
}

fn input_time(t: Option<NaiveDateTime>) -> String {
    t.map(|t| t.format("%Y-%m-%dT%H:%M").to_string()).unwrap_or_default()
}

/// A typed time, with a message when something was typed that is not a time.
fn time_field(f: &Fields, name: &str, what: &str, v: &mut Invalid) -> Option<NaiveDateTime> {
    // The GOV.UK date input with its time box: the part that is wrong is named.
    let mut first = what.chars();
    let capital = first.next().map(|c| c.to_uppercase().collect::<String>() + first.as_str()).unwrap_or_default();
    if let Some(m) = f.date_problem(name, &capital) {
        v.add(name, m);
        return None;
    }
    let raw = f.get(name).trim();
    if raw.is_empty() {
        return None;
    }
    let t = parse_time(raw);
    if t.is_none() {
        v.add(name, format!("Enter {what} as a date and time, for example 16 1 2026 and 21:30"));
    }
    t
}

fn forum_colour(f: Forum) -> TagColour {
    match f {
        Forum::Macse => TagColour::Red,
        Forum::GunsAndGangs => TagColour::Orange,
        Forum::Cicola => TagColour::Purple,
        Forum::MissingMonitoringGroup => TagColour::Blue,
    }
}

// ---------------------------------------------------------------- recording an episode

fn episode_form(f: &Fields) -> (EpisodeInput, Invalid) {
    let (child, mut v) = child_picker::read(&PICKER, f);
    let started_at = time_field(f, "start", "the time the child went missing", &mut v);
    let ended_at = time_field(f, "end", "the time the child was found or returned", &mut v);
    let input = EpisodeInput {
        child,
        missing_from: MissingFrom::from_slug(f.get("missing_from")),
        started_at,
        ended_at,
        where_found: f.string("where_found"),
        police_reference: f.string("police_reference"),
        risk_grading: RiskGrading::from_slug(f.get("risk_grading")),
    };
    (input, v)
}

async fn new_render(state: &AppState, ctx: &Ctx, caller: &Caller, reader: &Reader, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let matches = child_picker::matches(state, caller, reader, f).await?;
    let (search, child) = child_picker::render(&PICKER, &matches, f, errors);
    let content = html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Record a missing episode" }
        p class="app-body" { "Record every time a child goes missing from home, care or education. When the child is back, record where they were found; the return interview is recorded on the child's missing page." }
        (search)
        form method="post" action=(PICKER.action) novalidate {
            (ui::csrf(ctx.csrf()))
            (child)
            h2 class="app-heading-m" { "The episode" }
            (ui::radios(Field::new("missing_from", "Missing from", f.get("missing_from"), errors), &opts(MissingFrom::ALL, MissingFrom::slug, MissingFrom::label), true))
            (ui::datetime_input(Field::new("start", "When the child went missing", f.get("start"), errors).hint("For example, 16 1 2026 and 21:30")))
            (ui::datetime_input(Field::new("end", "When the child was found or returned", f.get("end"), errors).hint("Leave blank if the child is still missing")))
            (ui::text_input(Field::new("where_found", "Where the child was found or returned to", f.get("where_found"), errors), "app-input--width-30"))
            (ui::text_input(Field::new("police_reference", "Police reference", f.get("police_reference"), errors).hint("If the episode was reported to the police"), "app-input--width-20"))
            (ui::radios(Field::new("risk_grading", "Police risk grading", f.get("risk_grading"), errors), &opts(RiskGrading::ALL, RiskGrading::slug, RiskGrading::label), false))
            (ui::button("Record the episode"))
        }
    };
    Ok((status, ui::layout(ctx, "Record a missing episode", !errors.is_empty(), content)).into_response())
}

pub async fn new_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<Vec<(String, String)>>) -> PageResult {
    let caller = ctx.caller()?.clone();
    let reader = policy::reader(&state, &caller).await?;
    let f = child_picker::query(q);
    new_render(&state, &ctx, &caller, &reader, &f, &Invalid::new(), StatusCode::OK).await
}

pub async fn new_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let reader = policy::reader(&state, &caller).await?;
    let (input, edge) = episode_form(&f);
    if !edge.is_empty() {
        let all = edge.merged(state.store.missing(&reader).problems(&input).await?);
        return new_render(&state, &ctx, &caller, &reader, &f, &all, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match state.store.missing(&reader).record_episode(&input).await {
        Ok((child_id, _)) => Ok(done(&format!("/children/{child_id}/missing"), "missing-recorded")),
        Err(StoreError::Invalid(e)) => new_render(&state, &ctx, &caller, &reader, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- the group's lists

/// Rows a list shows at a time (each list of the page is read a page at a time from a key).
const PER_LIST: i64 = 50;

/// One list of the page: its section, the page of it shown and how many there are in
/// all, with its Previous and Next links (`list` names the list they move on).
fn list_pager<T>(month: &str, section: &str, caption: &str, page: &Page<T>) -> Markup {
    ui::pager_in(&format!("/missing?month={month}&list={section}"), section, &format!("{caption}: pages"), page)
}

fn episode_table(caption: &str, rows: &[Episode], total: Total, now: NaiveDateTime) -> Markup {
    ui::scroll_table(
        caption,
        html! {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label=(caption) {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--m" { (caption) " (" (total) ")" }
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Child" }
                    th class="app-table__header" scope="col" { "Missing from" }
                    th class="app-table__header" scope="col" { "Went missing" }
                    th class="app-table__header" scope="col" { "Found or returned" }
                    th class="app-table__header" scope="col" { "Risk" }
                    th class="app-table__header" scope="col" { "Return interview" }
                } }
                tbody class="app-table__body" {
                    @for e in rows {
                        tr class="app-table__row" {
                            td class="app-table__cell" { a class="app-link" href={ "/children/" (e.child_id) "/missing#episode-" (e.id) } { (e.child_name) } }
                            td class="app-table__cell" { (e.missing_from.label()) }
                            td class="app-table__cell" { (show_time(e.started_at)) }
                            td class="app-table__cell" { @match e.ended_at { Some(t) => (show_time(t)), None => (ui::tag("Still missing", TagColour::Red)) } }
                            td class="app-table__cell" { (e.risk_grading.label()) }
                            td class="app-table__cell" { (interview_state(e, now)) }
                        }
                    }
                }
            }
            }
        },
    )
}

fn interview_state(e: &Episode, now: NaiveDateTime) -> Markup {
    let offered = e.interview.as_ref().and_then(|i| i.offered_at);
    html! {
        @match (offered, e.offered_in_time(now)) {
            (Some(o), Some(false)) => { "Offered " (show_time(o)) " " (ui::tag("Late", TagColour::Orange)) }
            (Some(o), _) => { "Offered " (show_time(o)) }
            (None, Some(false)) => (ui::tag("Not offered within 72 hours", TagColour::Red)),
            (None, _) if e.ended_at.is_none() => "When the child returns",
            (None, _) => { "Due by " (e.interview_due_by.map(show_time).unwrap_or_default()) }
        }
    }
}

/// The months the group can look back over on the lists page: this one and the 23
/// before it, as (`YYYY-MM`, "November 2026").
fn recent_months(today: NaiveDate) -> Vec<(String, String)> {
    let first = today.with_day(1).unwrap_or(today);
    (0..24u32)
        .filter_map(|back| first.checked_sub_months(chrono::Months::new(back)))
        .map(|m| (m.format("%Y-%m").to_string(), m.format("%B %Y").to_string()))
        .collect()
}

pub async fn lists(State(state): State<AppState>, ctx: Ctx, caller: Caller, Query(q): Query<Vec<(String, String)>>) -> PageResult {
    let reader = policy::reader(&state, &caller).await?;
    let now = ctx.now;
    let today: NaiveDate = ctx.today;
    let f = Fields(q);
    let months = recent_months(today);
    let mut errors = Invalid::new();
    let chosen = match f.get("month").trim() {
        "" => today,
        m => match months.iter().find(|(v, _)| v == m) {
            Some(_) => NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").unwrap_or(today),
            None => {
                errors.add("month", "Choose a month from the list: the last two years can be shown");
                today
            }
        },
    };
    let month_value = chosen.format("%Y-%m").to_string();
    // Which list the Previous and Next links move on (the others show their first page).
    let list = f.get("list");
    let req = |name: &str| if list == name { PageRequest::from_link(Some(f.get("cursor")), PER_LIST) } else { PageRequest::first(PER_LIST) };
    let missing = state.store.missing(&reader);
    let (month, month_total) = missing.in_month(chosen, &req("month")).await?;
    let (repeated, repeated_total) = missing.repeatedly_missing(today, &req("repeated")).await?;
    let (late, late_total) = missing.interviews_not_offered_in_time(now, &req("late")).await?;
    let (to_offer, to_offer_total) = missing.interviews_to_offer(&req("to-offer")).await?;
    let (elsewhere, elsewhere_total) = missing.placed_from_elsewhere(&req("elsewhere")).await?;
    let month_caption = format!("Episodes that started in {}", chosen.format("%B %Y"));
    let repeated_caption = "Missing three or more times in 90 days";
    let to_offer_caption = "Return interviews to offer, the first due first";
    let late_caption = "Return interviews not offered within 72 hours of the return";
    let elsewhere_caption = "Episodes of children looked after by other authorities";
    let content = html! {
        (ui::error_summary(&errors))
        h1 class="app-heading-l" { "Missing children" }
        p class="app-body" { "The missing monitoring group's lists. Only children your agency is involved with are shown. Each list shows " (PER_LIST) " at a time." }
        @if ctx.can(Permission::RecordMissing) {
            p class="app-body" { a class="app-link" href="/missing/new" { "Record a missing episode" } }
        }
        nav aria-label="Lists" {
            ul class="app-list" {
                li { a class="app-link" href="#month" { (chosen.format("%B %Y")) " (" (month_total) ")" } }
                li { a class="app-link" href="#repeated" { "Missing three or more times in 90 days (" (repeated_total) ")" } }
                li { a class="app-link" href="#to-offer" { "Return interviews to offer (" (to_offer_total) ")" } }
                li { a class="app-link" href="#late" { "Return interviews not offered within 72 hours (" (late_total) ")" } }
                li { a class="app-link" href="#elsewhere" { "Children of other authorities (" (elsewhere_total) ")" } }
            }
        }
        section id="month" {
            form method="get" action="/missing" class="app-filter" novalidate {
                (ui::select(Field::new("month", "Episodes that started in", &month_value, &errors), &months))
                (ui::button("Show the month"))
            }
            (episode_table(&month_caption, &month.items, month_total, now))
            (list_pager(&month_value, "month", &month_caption, &month))
        }
        section id="repeated" {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label=(repeated_caption) {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--m" { (repeated_caption) " (" (repeated_total) ")" }
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Child" }
                    th class="app-table__header app-table__header--numeric" scope="col" { "Episodes in 90 days" }
                    th class="app-table__header" scope="col" { "Last went missing" }
                } }
                tbody class="app-table__body" {
                    @for r in &repeated.items {
                        tr class="app-table__row" {
                            td class="app-table__cell" { a class="app-link" href={ "/children/" (r.child_id) "/missing" } { (r.child_name) } }
                            td class="app-table__cell app-table__cell--numeric" { (r.episodes) }
                            td class="app-table__cell" { (show_time(r.last_started_at)) }
                        }
                    }
                }
            }
            }
            (list_pager(&month_value, "repeated", repeated_caption, &repeated))
        }
        section id="to-offer" {
            (episode_table(to_offer_caption, &to_offer.items, to_offer_total, now))
            (list_pager(&month_value, "to-offer", to_offer_caption, &to_offer))
        }
        section id="late" {
            (episode_table(late_caption, &late.items, late_total, now))
            (list_pager(&month_value, "late", late_caption, &late))
        }
        section id="elsewhere" {
            (episode_table(elsewhere_caption, &elsewhere.items, elsewhere_total, now))
            (list_pager(&month_value, "elsewhere", elsewhere_caption, &elsewhere))
        }
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, ui::layout(&ctx, "Missing children", !errors.is_empty(), content)).into_response())
}

// ---------------------------------------------------------------- a child's episodes

/// Which episode's form came back with problems.
struct Sent<'a> {
    episode: i64,
    which: &'a str,
    fields: &'a Fields,
    errors: &'a Invalid,
}

fn end_form(ctx: &Ctx, child: &Child, e: &Episode, f: &Fields, errors: &Invalid) -> Markup {
    let p = format!("end-{}", e.id);
    html! {
        form method="post" action={ "/children/" (child.id) "/missing/" (e.id) "/end" } novalidate {
            (ui::csrf(ctx.csrf()))
            input type="hidden" name="version" value=(e.version);
            h3 class="app-heading-s" { "The child was found or returned" }
            (ui::datetime_input(Field::new("end", "When", f.get("end"), errors).prefixed(&p).hint("For example, 16 1 2026 and 21:30")))
            (ui::text_input(Field::new("where_found", "Where the child was found or returned to", if f.0.is_empty() { &e.where_found } else { f.get("where_found") }, errors).prefixed(&p), "app-input--width-30"))
            (ui::button("Record the return"))
        }
    }
}

fn interview_form(ctx: &Ctx, child: &Child, e: &Episode, f: &Fields, errors: &Invalid) -> Markup {
    let p = format!("interview-{}", e.id);
    let i = e.interview.as_ref();
    // The form shows what was sent back, else what is recorded.
    let sent = !f.0.is_empty();
    let val = |name: &str, stored: String| if sent { f.string(name) } else { stored };
    let offered = val("offered_at", input_time(i.and_then(|i| i.offered_at)));
    let response = val("response", i.and_then(|i| i.response).map(|r| r.slug().to_string()).unwrap_or_default());
    let interviewer = val("interviewer", i.map(|i| i.interviewer.clone()).unwrap_or_default());
    let provider = val("provider", i.map(|i| i.provider.clone()).unwrap_or_default());
    let cse = val("said_about_cse", i.map(|i| i.said_about_cse.clone()).unwrap_or_default());
    let oc = val("said_about_organised_crime", i.map(|i| i.said_about_organised_crime.clone()).unwrap_or_default());
    let whom = val("where_and_with_whom", i.map(|i| i.where_and_with_whom.clone()).unwrap_or_default());
    let follow = val("follow_up_actions", i.map(|i| i.follow_up_actions.clone()).unwrap_or_default());
    let findings = if sent { f.all("finding") } else { i.map(|i| findings_slugs(&i.findings)).unwrap_or_default() };
    let finding_opts = [
        ("cse", "A link to child sexual exploitation (referred to MACSE)"),
        ("organised-crime", "A link to organised crime"),
        ("placement-concern", "A concern about the placing authority or the home"),
    ];
    html! {
        form method="post" action={ "/children/" (child.id) "/missing/" (e.id) "/interview" } novalidate {
            (ui::csrf(ctx.csrf()))
            @if let Some(i) = i { input type="hidden" name="version" value=(i.version); }
            h3 class="app-heading-s" { @if i.is_some() { "Correct the return interview" } @else { "Record the return interview" } }
            (ui::datetime_input(Field::new("offered_at", "When the return interview was offered", &offered, errors).prefixed(&p).hint("Statutory guidance expects an offer within 72 hours of the return")))
            (ui::radios(Field::new("response", "Did the child accept the interview?", &response, errors).prefixed(&p), &opts(InterviewResponse::ALL, InterviewResponse::slug, InterviewResponse::label), true))
            (ui::text_input(Field::new("provider", "Independent provider", &provider, errors).prefixed(&p), "app-input--width-30"))
            (ui::text_input(Field::new("interviewer", "Interviewer", &interviewer, errors).prefixed(&p), "app-input--width-20"))
            (ui::textarea(Field::new("where_and_with_whom", "Where the child was and with whom", &whom, errors).prefixed(&p), 3))
            (ui::textarea(Field::new("said_about_cse", "What the child said about sexual exploitation", &cse, errors).prefixed(&p), 3))
            (ui::textarea(Field::new("said_about_organised_crime", "What the child said about organised crime", &oc, errors).prefixed(&p), 3))
            (ui::textarea(Field::new("follow_up_actions", "Follow-up actions", &follow, errors).prefixed(&p), 3))
            div class="app-form-group" {
                fieldset class="app-fieldset" {
                    legend class="app-fieldset__legend app-fieldset__legend--s" { "What the interview found" }
                    div class="app-hint" { "Each link is routed by the partnership's pattern rules." }
                    div class="app-checkboxes app-checkboxes--small" {
                        @for (v, l) in finding_opts {
                            @let fid = format!("{p}-finding-{v}");
                            div class="app-checkboxes__item" {
                                input class="app-checkboxes__input" id=(fid) name="finding" type="checkbox" value=(v) checked[findings.iter().any(|s| s == v)];
                                label class="app-label app-checkboxes__label" for=(fid) { (l) }
                            }
                        }
                    }
                }
            }
            (ui::button(if i.is_some() { "Save the interview" } else { "Record the interview" }))
        }
    }
}

fn findings_slugs(f: &Findings) -> Vec<String> {
    [(f.cse, "cse"), (f.organised_crime, "organised-crime"), (f.placement_concern, "placement-concern")]
        .iter()
        .filter(|(b, _)| *b)
        .map(|(_, s)| s.to_string())
        .collect()
}

async fn child_render(ctx: &Ctx, record: &ChildRecord, sent: Option<Sent<'_>>, status: StatusCode) -> PageResult {
    let child = record.child();
    let episodes = record.episodes().await?;
    let now = ctx.now;
    let none = Invalid::new();
    let empty = Fields::default();
    let may_record = ctx.can(Permission::RecordMissing);
    let errors = sent.as_ref().map(|s| s.errors).unwrap_or(&none);
    let form_of = |e: &Episode, which: &str| match &sent {
        Some(s) if s.episode == e.id && s.which == which => (s.fields, s.errors),
        _ => (&empty, &none),
    };
    let summary_prefix = sent.as_ref().map(|s| format!("{}-{}", s.which, s.episode)).unwrap_or_default();
    let content = html! {
        (ui::error_summary_for(errors, &summary_prefix))
        span class="app-caption-l" { (child.first_name) " " (child.last_name) }
        h1 class="app-heading-l" { "Missing episodes" }
        @if may_record {
            p class="app-body" { a class="app-link" href={ "/missing/new?child=" (child.id) } { "Record a missing episode for this child" } }
        }
        @if episodes.is_empty() {
            p class="app-body" { "No missing episodes have been recorded for this child." }
        }
        @for e in &episodes {
            // The rule is an `hr` of its own: the section-break class has no height, and on the section it let the footer cover the episodes.
            section id={ "episode-" (e.id) } {
                hr class="app-section-break app-section-break--l app-section-break--visible";
                h2 class="app-heading-m" { "Missing from " (e.missing_from.label().to_lowercase()) ", " (show_time(e.started_at)) }
                dl class="app-summary-list" {
                    (ui::summary_row("Found or returned", html! { @match e.ended_at { Some(t) => (show_time(t)), None => (ui::tag("Still missing", TagColour::Red)) } }))
                    (ui::summary_row("Where found", html! { (e.where_found) }))
                    (ui::summary_row("Police reference", html! { (e.police_reference) }))
                    (ui::summary_row("Risk grading", html! { (e.risk_grading.label()) }))
                    (ui::summary_row("Recorded by", html! { (e.recorded_by_name.clone().unwrap_or_default()) }))
                    (ui::summary_row("Return interview", interview_state(e, now)))
                    @if let Some(i) = &e.interview {
                        (ui::summary_row("Accepted or declined", html! { (i.response.map(|r| r.label()).unwrap_or("")) }))
                        (ui::summary_row("Provider and interviewer", html! { (i.provider) @if !i.interviewer.is_empty() { ", " (i.interviewer) } }))
                        (ui::summary_row("Where and with whom", ui::prose(&i.where_and_with_whom)))
                        (ui::summary_row("About sexual exploitation", ui::prose(&i.said_about_cse)))
                        (ui::summary_row("About organised crime", ui::prose(&i.said_about_organised_crime)))
                        (ui::summary_row("Follow-up actions", ui::prose(&i.follow_up_actions)))
                    }
                    (ui::summary_row("Routed to", html! {
                        @if e.routes.is_empty() { "Not routed" }
                        @for r in &e.routes {
                            (ui::tag(r.forum.label(), forum_colour(r.forum))) " "
                            @if let Some(rid) = r.referral_id { a class="app-link" href={ "/children/" (child.id) "/referrals/" (rid) } { "MACSE referral" } " " }
                        }
                    }))
                }
                @if may_record {
                    @if e.ended_at.is_none() {
                        @let (f, er) = form_of(e, "end");
                        (end_form(ctx, child, e, f, er))
                    } @else {
                        @let (f, er) = form_of(e, "interview");
                        details class="app-details" open[sent.as_ref().is_some_and(|s| s.episode == e.id) || e.interview.is_none()] {
                            summary class="app-details__summary" { @if e.interview.is_some() { "Correct the return interview" } @else { "Record the return interview" } }
                            div class="app-details__text" { (interview_form(ctx, child, e, f, er)) }
                        }
                    }
                }
            }
        }
    };
    Ok((status, ui::layout(ctx, "Missing episodes", !errors.is_empty(), content)).into_response())
}

pub async fn child(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>) -> PageResult {
    let record = policy::child(&state, &caller, id(&raw)?, Section::Missing).await?;
    child_render(&ctx, &record, None, StatusCode::OK).await
}

pub async fn end(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path((raw, raw_e)): Path<(String, String)>, f: Fields) -> PageResult {
    let record = policy::child(&state, &caller, id(&raw)?, Section::Missing).await?;
    let child = record.child();
    let eid = id(&raw_e)?;
    record.episode(eid).await?;
    let version = f.version()?;
    let mut v = Invalid::new();
    let ended = time_field(&f, "end", "the time the child was found or returned", &mut v);
    let result = if v.is_empty() { record.end_episode(eid, version, ended, f.get("where_found")).await } else { Err(StoreError::Invalid(v)) };
    match result {
        Ok(()) => Ok(done(&format!("/children/{}/missing#episode-{eid}", child.id), "missing-returned")),
        Err(StoreError::Invalid(e)) => {
            child_render(&ctx, &record, Some(Sent { episode: eid, which: "end", fields: &f, errors: &e }), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn interview(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path((raw, raw_e)): Path<(String, String)>, f: Fields) -> PageResult {
    let record = policy::child(&state, &caller, id(&raw)?, Section::Missing).await?;
    let child = record.child();
    let eid = id(&raw_e)?;
    record.episode(eid).await?;
    let version = match f.get("version").trim() {
        "" => None,
        s => Some(s.parse().map_err(|_| AppError::BadRequest("The form's version could not be read: reload the page and try again.".into()))?),
    };
    let mut v = Invalid::new();
    let findings = f.all("finding");
    let input = InterviewInput {
        offered_at: time_field(&f, "offered_at", "the time the interview was offered", &mut v),
        response: InterviewResponse::from_slug(f.get("response")),
        interviewer: f.string("interviewer"),
        provider: f.string("provider"),
        said_about_cse: f.string("said_about_cse"),
        said_about_organised_crime: f.string("said_about_organised_crime"),
        where_and_with_whom: f.string("where_and_with_whom"),
        follow_up_actions: f.string("follow_up_actions"),
        findings: Findings {
            cse: findings.iter().any(|s| s == "cse"),
            organised_crime: findings.iter().any(|s| s == "organised-crime"),
            placement_concern: findings.iter().any(|s| s == "placement-concern"),
        },
    };
    let result = if v.is_empty() { record.record_interview(eid, version, &input).await } else { Err(StoreError::Invalid(v)) };
    match result {
        Ok(_) => Ok(done(&format!("/children/{}/missing#episode-{eid}", child.id), "interview-recorded")),
        Err(StoreError::Invalid(e)) => {
            child_render(&ctx, &record, Some(Sent { episode: eid, which: "interview", fields: &f, errors: &e }), StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- pattern rules

fn rule_value(r: &PatternRule) -> String {
    format!("{}:{}", r.trigger.slug(), r.forum.slug())
}

async fn rules_render(state: &AppState, ctx: &Ctx, chosen: Option<Vec<String>>, errors: &Invalid, status: StatusCode) -> PageResult {
    let current = state.store.pattern_rules().current().await?;
    let chosen = chosen.unwrap_or_else(|| current.rules.iter().map(rule_value).collect());
    let content = html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Pattern rules for missing episodes" }
        p class="app-body" { "When an episode or its return interview shows a pattern, it is routed to the groups chosen here. A link to CSE routed to MACSE refers the child to MACSE. Each change is a new version (this is version " (current.version) "); episodes already routed keep their routes." }
        form method="post" action="/partnership/pattern-rules" novalidate {
            (ui::csrf(ctx.csrf()))
            input type="hidden" name="version" value=(current.version);
            @if let Some(m) = errors.for_field("rules") {
                p class="app-error-message" id="rules" { span class="app-visually-hidden" { "Error: " } (m) }
            }
            @for t in Trigger::ALL {
                @let name = format!("trigger.{}", t.slug());
                @let options: Vec<(String, String)> = Forum::ALL.iter().map(|f| (format!("{}:{}", t.slug(), f.slug()), f.label().to_string())).collect();
                @let selected: Vec<String> = chosen.iter().filter(|c| c.starts_with(&format!("{}:", t.slug()))).cloned().collect();
                (rule_checkboxes(&name, t.label(), &options, &selected, errors))
            }
            (ui::button("Save the rules as a new version"))
        }
    };
    Ok((status, ui::layout(ctx, "Pattern rules", !errors.is_empty(), content)).into_response())
}

/// One trigger's forums: checkboxes all named "rule", in a fieldset with the trigger's id.
fn rule_checkboxes(id: &str, label: &str, options: &[(String, String)], selected: &[String], errors: &Invalid) -> Markup {
    let err = errors.for_field(id);
    html! {
        div class={ "app-form-group" @if err.is_some() { " app-form-group--error" } } {
            fieldset class="app-fieldset" {
                legend class="app-fieldset__legend app-fieldset__legend--s" { (label) }
                @if let Some(m) = err { p class="app-error-message" id={ (id) "-error" } { span class="app-visually-hidden" { "Error: " } (m) } }
                div class="app-checkboxes app-checkboxes--small" {
                    @for (i, (v, l)) in options.iter().enumerate() {
                        @let cid = if i == 0 { id.to_string() } else { format!("{id}-{}", i + 1) };
                        div class="app-checkboxes__item" {
                            input class="app-checkboxes__input" id=(cid) name="rule" type="checkbox" value=(v) checked[selected.contains(v)];
                            label class="app-label app-checkboxes__label" for=(cid) { (l) }
                        }
                    }
                }
            }
        }
    }
}

pub async fn rules_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    rules_render(&state, &ctx, None, &Invalid::new(), StatusCode::OK).await
}

pub async fn rules_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let version = f.version()?;
    let chosen = f.all("rule");
    let mut v = Invalid::new();
    let mut rules = Vec::new();
    for c in &chosen {
        let parsed = c.split_once(':').and_then(|(t, fo)| Some(PatternRule { trigger: Trigger::from_slug(t)?, forum: Forum::from_slug(fo)? }));
        match parsed {
            Some(r) => rules.push(r),
            None => v.add("rules", "One of the rules was not recognised: reload the page and choose again"),
        }
    }
    let result =
        if v.is_empty() { state.store.pattern_rules().save(&caller.actor(), version, &rules).await.map(|_| ()) } else { Err(StoreError::Invalid(v)) };
    match result {
        Ok(()) => Ok(done("/partnership/pattern-rules", "pattern-rules-saved")),
        Err(StoreError::Invalid(e)) => rules_render(&state, &ctx, Some(chosen), &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}
