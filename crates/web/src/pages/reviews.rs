//! Reviews: where recommendations come from, their endorsements, referral to
//! the executive, monitoring schedules and update requests.

use assure_domain::dates::{iso, long};
use assure_domain::tracker::{
    check_recommendation, upcoming_report_dates, EndorsementInput, RecommendationInput, ReviewInput, ReviewKind, ScheduleInput, TagColour,
    UpdateRequestInput,
};
use assure_domain::{Invalid, Permission};
use assure_storage::keyset::PageRequest;
use assure_storage::tracker::Review;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::html;

use super::dashboard::rec_table;
use super::id;
use super::recommendations::{rec_form, rec_input, RecChoices};
use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::forms::{done, refused, unreadable_dates, Fields};
use crate::ui::{self, Ctx, Field};
use crate::AppState;

/// Reviews on one page of the list; recommendations on one page of a review.
const REVIEWS_PER_PAGE: i64 = 50;
const RECS_PER_PAGE: i64 = 50;

/// The `cursor` of a list's link (the page to show).
fn cursor(q: &[(String, String)]) -> Option<&str> {
    q.iter().find(|(k, _)| k == "cursor").map(|(_, v)| v.as_str())
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<Vec<(String, String)>>) -> PageResult {
    let page = state.store.tracker().reviews_page(&PageRequest::from_link(cursor(&q), REVIEWS_PER_PAGE)).await?;
    let reviews = &page.items;
    let content = html! {
        h1 class="app-heading-l" { "Reviews" }
        p class="app-body" { "Working groups, inspections and case reviews, and the recommendations each made." }
        @if ctx.can(Permission::ManageTracker) { p class="app-body" { a class="app-button" href="/reviews/new" role="button" draggable="false" { "Add a review" } } }
        div class="app-table-wrapper" tabindex="0" role="region" aria-label="Reviews" {
        table class="app-table" {
            thead class="app-table__head" { tr class="app-table__row" {
                th class="app-table__header" scope="col" { "Review" }
                th class="app-table__header" scope="col" { "Kind" }
                th class="app-table__header" scope="col" { "Report date" }
                th class="app-table__header app-table__header--numeric" scope="col" { "Recommendations" }
                th class="app-table__header" scope="col" { "Executive response" }
            } }
            tbody class="app-table__body" {
                @for r in reviews {
                    tr class="app-table__row" {
                        td class="app-table__cell" { a class="app-link" href={ "/reviews/" (r.id) } { (r.title) } }
                        td class="app-table__cell" { (r.kind.label()) }
                        td class="app-table__cell" { (ui::date(r.report_date)) }
                        td class="app-table__cell app-table__cell--numeric" { (r.recommendation_count) }
                        td class="app-table__cell" { (response_summary(&ctx, r)) }
                    }
                }
            }
        }
        }
        (ui::pager("/reviews", &page))
    };
    Ok(ui::layout(&ctx, "Reviews", false, content).into_response())
}

fn response_summary(ctx: &Ctx, r: &Review) -> maud::Markup {
    html! {
        @match (r.awaiting_response, r.response_due) {
            _ if r.recommendation_count == 0 => { "No recommendations yet" }
            (0, _) if r.response_not_recorded > 0 => { "Not recorded in the imported tracker" }
            (0, _) => { "Responded" }
            (n, Some(due)) if due < ctx.today => { (ui::tag(&format!("{n} overdue since {}", long(due)), TagColour::Red)) }
            (n, Some(due)) => { (ui::tag(&format!("{n} due by {}", long(due)), TagColour::Yellow)) }
            (n, None) => { (n) " awaiting; not yet referred" }
        }
    }
}

fn review_fields(r: &Review) -> Fields {
    let d = |x: Option<chrono::NaiveDate>| x.map(iso).unwrap_or_default();
    Fields(vec![
        ("version".into(), r.version.to_string()),
        ("kind".into(), r.kind.slug().into()),
        ("title".into(), r.title.clone()),
        ("terms_of_reference".into(), r.terms_of_reference.clone()),
        ("lead_member".into(), r.lead_member.clone()),
        ("members".into(), r.members.clone()),
        ("origin_body_id".into(), r.origin_body_id.map(|b| b.to_string()).unwrap_or_default()),
        ("start_date".into(), d(r.start_date)),
        ("end_date".into(), d(r.end_date)),
        ("report_date".into(), d(r.report_date)),
        ("final_report_ref".into(), r.final_report_ref.clone()),
        ("referred_to_body_id".into(), r.referred_to_body_id.map(|b| b.to_string()).unwrap_or_default()),
        ("referral_date".into(), d(r.referral_date)),
    ])
}

/// The review as typed, and the dates typed but not understood (reported as such, not
/// silently dropped).
fn review_input(f: &Fields) -> (ReviewInput, Invalid) {
    let typed = unreadable_dates(
        f,
        &[("start_date", "start date"), ("end_date", "end date"), ("report_date", "report date"), ("referral_date", "referral date")],
    );
    let input = ReviewInput {
        kind: ReviewKind::from_slug(f.get("kind")),
        title: f.string("title"),
        terms_of_reference: f.string("terms_of_reference"),
        lead_member: f.string("lead_member"),
        members: f.string("members"),
        origin_body_id: f.opt_id("origin_body_id"),
        start_date: f.date("start_date"),
        end_date: f.date("end_date"),
        report_date: f.date("report_date"),
        final_report_ref: f.string("final_report_ref"),
        referred_to_body_id: f.opt_id("referred_to_body_id"),
        referral_date: f.date("referral_date"),
    };
    (input, typed)
}

async fn review_form(state: &AppState, ctx: &Ctx, action: &str, heading: &str, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let bodies = state.store.tracker().bodies().await?;
    let body_opts = ui::options_with_blank("None", bodies.iter().map(|b| (b.id.to_string(), b.name.clone())));
    let content = html! {
        (ui::back_link("/reviews", "Back to reviews"))
        (ui::error_summary(errors))
        h1 class="app-heading-l" { (heading) }
        form method="post" action=(action) novalidate {
            (ui::csrf(ctx.csrf()))
            @if !f.get("version").is_empty() { input type="hidden" name="version" value=(f.get("version")); }
            (ui::radios(Field::new("kind", "Kind of review", f.get("kind"), errors), &ReviewKind::ALL.iter().map(|k| (k.slug().to_string(), k.label().to_string())).collect::<Vec<_>>(), false))
            (ui::text_input(Field::new("title", "Title", f.get("title"), errors), "app-input--width-30"))
            (ui::textarea(Field::new("terms_of_reference", "Terms of reference", f.get("terms_of_reference"), errors), 5))
            (ui::text_input(Field::new("lead_member", "Lead member", f.get("lead_member"), errors), "app-input--width-20"))
            (ui::textarea(Field::new("members", "Members", f.get("members"), errors), 2))
            (ui::select(Field::new("origin_body_id", "Body that set up the review", f.get("origin_body_id"), errors), &body_opts))
            (ui::date_input(Field::new("start_date", "Start date", f.get("start_date"), errors)))
            (ui::date_input(Field::new("end_date", "End date", f.get("end_date"), errors)))
            (ui::date_input(Field::new("report_date", "Date of the final report", f.get("report_date"), errors).hint("The references of its recommendations use this date's municipal year. For example, 12 9 2017")))
            (ui::text_input(Field::new("final_report_ref", "Final report reference", f.get("final_report_ref"), errors), "app-input--width-30"))
            h2 class="app-heading-m" { "Referral to the executive" }
            (ui::select(Field::new("referred_to_body_id", "Referred to", f.get("referred_to_body_id"), errors), &body_opts))
            (ui::date_input(Field::new("referral_date", "Date referred", f.get("referral_date"), errors).hint("The response is due two calendar months after the later of the report and referral dates, unless the body has its own deadline")))
            (ui::button("Save review"))
        }
    };
    Ok((status, ui::layout(ctx, heading, !errors.is_empty(), content)).into_response())
}

/// With a date the page could not read, every other problem too (the domain's rules
/// and the store's: a body not on the list), so they arrive at once rather than in
/// rounds. `None` when the page found nothing: the store then checks as it saves.
async fn all_problems(state: &AppState, typed: Invalid, input: &ReviewInput) -> Result<Option<Invalid>, AppError> {
    if typed.is_empty() {
        return Ok(None);
    }
    let found = state.store.tracker().review_problems(input).await?;
    Ok(Some(typed.merged(found).ordered(ReviewInput::FIELDS)))
}

pub async fn new_page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    review_form(&state, &ctx, "/reviews", "Add a review", &Fields::default(), &Invalid::new(), StatusCode::OK).await
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let (input, typed) = review_input(&f);
    let r = match all_problems(&state, typed, &input).await? {
        Some(i) => Err(AppError::Invalid(i)),
        None => state.store.tracker().create_review(&caller.actor(), &input).await.map_err(AppError::from),
    };
    match r {
        Ok(rid) => Ok(done(&format!("/reviews/{rid}"), "review-created")),
        Err(AppError::Invalid(e)) => review_form(&state, &ctx, "/reviews", "Add a review", &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

pub async fn edit_page(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    let r = state.store.tracker().review(id(&raw)?).await?;
    review_form(&state, &ctx, &format!("/reviews/{}/edit", r.id), "Edit review", &review_fields(&r), &Invalid::new(), StatusCode::OK).await
}

pub async fn edit_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let rid = id(&raw)?;
    let (input, typed) = review_input(&f);
    let r = match all_problems(&state, typed, &input).await? {
        Some(i) => Err(AppError::Invalid(i)),
        None => state.store.tracker().update_review(&caller.actor(), rid, f.version()?, &input).await.map_err(AppError::from),
    };
    match r {
        Ok(()) => Ok(done(&format!("/reviews/{rid}"), "review-saved")),
        Err(AppError::Invalid(e)) => {
            review_form(&state, &ctx, &format!("/reviews/{rid}/edit"), "Edit review", &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>, Query(q): Query<Vec<(String, String)>>) -> PageResult {
    let shown = Shown { cursor: cursor(&q), which: "", f: &Fields::default(), errors: &Invalid::new(), status: StatusCode::OK };
    show_page(&state, &ctx, id(&raw)?, shown).await
}

async fn show_with(state: &AppState, ctx: &Ctx, rid: i64, which: &str, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    show_page(state, ctx, rid, Shown { cursor: None, which, f, errors, status }).await
}

/// What a review's page shows besides the review: which page of its recommendations,
/// and a form sent back with its errors.
struct Shown<'a> {
    cursor: Option<&'a str>,
    which: &'a str,
    f: &'a Fields,
    errors: &'a Invalid,
    status: StatusCode,
}

async fn show_page(state: &AppState, ctx: &Ctx, rid: i64, shown: Shown<'_>) -> PageResult {
    let Shown { cursor, which, f, errors, status } = shown;
    let r = state.store.tracker().review(rid).await?;
    let endorsements = state.store.tracker().endorsements(rid).await?;
    let schedules = state.store.tracker().schedules(Some(rid)).await?;
    let page = state.store.tracker().review_recommendations_page(rid, &PageRequest::from_link(cursor, RECS_PER_PAGE)).await?;
    let recs = &page.items;
    let paged = page.next.is_some() || page.previous.is_some();
    let bodies = state.store.tracker().bodies().await?;
    let origins = state.store.tracker().origins(Some(rid)).await?;
    let body_opts = ui::options_with_blank("Select a body", bodies.iter().map(|b| (b.id.to_string(), b.name.clone())));
    let manage = ctx.can(Permission::ManageTracker);
    let none = Invalid::new();
    let errs = |w: &str| if w == which { errors } else { &none };
    let val = |w: &str, n: &str| if w == which { f.get(n).to_string() } else { String::new() };
    let refs: Vec<&_> = recs.iter().collect();
    let open: Vec<&_> = recs.iter().filter(|r| r.lifecycle.is_open()).collect();
    let content = html! {
        (ui::breadcrumbs(&[("/reviews", "Reviews")]))
        @if !errors.is_empty() { (ui::error_summary_for(errors, if which == "request" { "" } else { which })) }
        span class="app-caption-l" { (r.kind.label()) }
        h1 class="app-heading-l" { (r.title) }
        dl class="app-summary-list" {
            (ui::summary_row("Terms of reference", ui::prose(&r.terms_of_reference)))
            (ui::summary_row("Lead member", html! { (r.lead_member) }))
            (ui::summary_row("Members", html! { (r.members) }))
            (ui::summary_row("Set up by", html! { (r.origin_body_name.clone().unwrap_or_default()) }))
            (ui::summary_row("Dates", html! { (ui::date(r.start_date)) " to " (ui::date(r.end_date)) }))
            (ui::summary_row("Final report", html! { (r.final_report_ref) " (" (ui::date(r.report_date)) ")" }))
            (ui::summary_row("Referred to", html! {
                @if let Some(b) = &r.referred_to_body_name { (b) " on " (ui::date(r.referral_date)) } @else { "Not yet referred" }
            }))
            (ui::summary_row("Executive response due", html! {
                (ui::date(r.response_due)) " " (response_summary(ctx, &r))
            }))
        }
        @if manage { p class="app-body" { a class="app-link" href={ "/reviews/" (r.id) "/edit" } { "Edit the review" } } }

        h2 class="app-heading-m" { "Recommendations" }
        @if manage { p class="app-body" { a class="app-button" role="button" draggable="false" href={ "/reviews/" (r.id) "/recommendations/new" } { "Add a recommendation" } } }
        @if !origins.is_empty() {
            form method="get" action="/recommendations" class="app-filter" {
                input type="hidden" name="review_id" value=(r.id);
                div class="app-filter__row" {
                    (ui::select(Field::new("origin", "Show only those from", "", &none), &ui::options_with_blank("Any origin", origins.iter().map(|o| (o.clone(), o.clone())))))
                    (ui::secondary_button("Show"))
                }
            }
        }
        (rec_table(ctx, &refs))
        (ui::pager(&format!("/reviews/{}", r.id), &page))

        h2 class="app-heading-m" { "Endorsements" }
        @if endorsements.is_empty() { p class="app-body" { "Not yet endorsed." } } @else {
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="Endorsements" {
            table class="app-table" {
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Body" } th class="app-table__header" scope="col" { "Date" } th class="app-table__header" scope="col" { "Minute" }
                } }
                tbody class="app-table__body" {
                    @for e in &endorsements { tr class="app-table__row" { td class="app-table__cell" { (e.body_name) } td class="app-table__cell" { (long(e.endorsed_on)) } td class="app-table__cell" {
                        @match e.minute { Some((meeting, n)) if ctx.can(Permission::ViewMeetings) => { a class="app-link" href={ "/meetings/" (meeting) "#minute-" (n) } { (e.minute_ref) } }, _ => { (e.minute_ref) } }
                    } } }
                }
            }
            }
        }
        @if manage {
            details class="app-details" open[which == "endorse"] {
                summary class="app-details__summary" { "Record an endorsement" }
                div class="app-details__text" {
                    form method="post" action={ "/reviews/" (r.id) "/endorsements" } novalidate {
                        (ui::csrf(ctx.csrf()))
                        (ui::select(Field::new("body_id", "Body", &val("endorse", "body_id"), errs("endorse")).prefixed("endorse"), &body_opts))
                        (ui::date_input(Field::new("endorsed_on", "Date of the meeting", &val("endorse", "endorsed_on"), errs("endorse")).prefixed("endorse")))
                        (ui::text_input(Field::new("minute_ref", "Minute reference", &val("endorse", "minute_ref"), errs("endorse")).prefixed("endorse"), "app-input--width-10"))
                        (ui::secondary_button("Record endorsement"))
                    }
                }
            }
        }

        h2 class="app-heading-m" { "Monitoring schedule" }
        @if schedules.is_empty() { p class="app-body" { "No monitoring reports scheduled." } }
        ul class="app-list" {
            @for s in &schedules {
                li {
                    (s.body_name) ": first report " (long(s.first_report_date))
                    @if s.interval_months > 0 { ", then every " (s.interval_months) " months; next " (upcoming_report_dates(s.first_report_date, s.interval_months, ctx.today, 1).first().map(|d| long(*d)).unwrap_or_default()) }
                    @if !s.resolution_ref.is_empty() { " (" (s.resolution_ref) ")" }
                }
            }
        }
        @if manage {
            details class="app-details" open[which == "schedule"] {
                summary class="app-details__summary" { "Add a monitoring schedule" }
                div class="app-details__text" {
                    form method="post" action={ "/reviews/" (r.id) "/schedules" } novalidate {
                        (ui::csrf(ctx.csrf()))
                        (ui::select(Field::new("body_id", "Committee", &val("schedule", "body_id"), errs("schedule")).prefixed("schedule"), &body_opts))
                        (ui::date_input(Field::new("first_report_date", "First report", &val("schedule", "first_report_date"), errs("schedule")).prefixed("schedule")))
                        (ui::text_input(Field::new("interval_months", "Then every (months)", &val("schedule", "interval_months"), errs("schedule")).prefixed("schedule").hint("For example 6 for six-monthly; 0 for a single report"), "app-input--width-5"))
                        (ui::text_input(Field::new("resolution_ref", "Resolution", &val("schedule", "resolution_ref"), errs("schedule")).prefixed("schedule").hint("For example: Cabinet, 5 October 2017, recommendation (5)"), "app-input--width-30"))
                        (ui::secondary_button("Add schedule"))
                    }
                }
            }
            h2 class="app-heading-m" id="request-updates" { "Ask lead officers for updates" }
            @if paged { p class="app-body" { "These are the open recommendations on this page of the list." } }
            @if open.is_empty() { p class="app-body" { "No open recommendations." } } @else {
                form method="post" action={ "/reviews/" (r.id) "/request-updates" } novalidate {
                    (ui::csrf(ctx.csrf()))
                    (ui::checkboxes("recommendation_ids", "Recommendations", None, &open.iter().map(|x| (x.id.to_string(), format!("{} {} — {}", x.label(), x.reference, x.lead_names().join(", ")))).collect::<Vec<_>>(), &if which == "request" { f.all("recommendation_ids") } else { open.iter().map(|x| x.id.to_string()).collect() }, errs("request")))
                    (ui::date_input(Field::new("due_date", "Update needed by", &val("request", "due_date"), errs("request"))))
                    (ui::date_input(Field::new("for_report_date", "For the report on (optional)", &val("request", "for_report_date"), errs("request"))))
                    (ui::textarea(Field::new("message", "Message (optional)", &val("request", "message"), errs("request")), 3))
                    (ui::secondary_button("Ask for updates"))
                }
            }
        }
    };
    Ok((status, ui::layout(ctx, &r.title, !errors.is_empty(), content)).into_response())
}

pub async fn endorse(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let rid = id(&raw)?;
    match state
        .store
        .tracker()
        .add_endorsement(
            &caller.actor(),
            rid,
            &EndorsementInput { body_id: f.opt_id("body_id"), endorsed_on: f.date("endorsed_on"), minute_ref: f.string("minute_ref") },
        )
        .await
        .map_err(AppError::from)
    {
        Ok(_) => Ok(done(&format!("/reviews/{rid}"), "endorsement-added")),
        Err(AppError::Invalid(e)) => show_with(&state, &ctx, rid, "endorse", &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

pub async fn add_schedule(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let rid = id(&raw)?;
    let input = ScheduleInput {
        body_id: f.opt_id("body_id"),
        first_report_date: f.date("first_report_date"),
        interval_months: f.get("interval_months").trim().parse::<i64>().ok(),
        resolution_ref: f.string("resolution_ref"),
    };
    match state.store.tracker().add_schedule(&caller.actor(), rid, &input).await.map_err(AppError::from) {
        Ok(_) => Ok(done(&format!("/reviews/{rid}"), "schedule-added")),
        Err(AppError::Invalid(e)) => show_with(&state, &ctx, rid, "schedule", &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

pub async fn request_updates(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let rid = id(&raw)?;
    let recs = state.store.tracker().review_recommendations(rid).await?;
    let input = UpdateRequestInput {
        recommendation_ids: f.ids("recommendation_ids").into_iter().filter(|i| recs.iter().any(|r| r.id == *i)).collect(),
        due_date: f.date("due_date"),
        for_report_date: f.date("for_report_date"),
        message: f.string("message"),
    };
    match state.store.tracker().request_updates(&caller.actor(), &input, ctx.today).await.map_err(AppError::from) {
        Ok(_) => Ok(done(&format!("/reviews/{rid}"), "updates-requested")),
        Err(AppError::Invalid(e)) => show_with(&state, &ctx, rid, "request", &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

async fn new_rec_render(state: &AppState, ctx: &Ctx, rid: i64, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let review = state.store.tracker().review(rid).await?;
    let bodies = state.store.tracker().bodies().await?;
    let leads = state.store.users().possible_leads().await?;
    let recs = state.store.tracker().review_recommendations(rid).await?;
    let parents: Vec<_> = recs.into_iter().filter(|r| r.parent_id.is_none()).collect();
    let content = html! {
        (ui::back_link(&format!("/reviews/{rid}"), "Back to the review"))
        span class="app-caption-l" { (review.title) }
        (rec_form(ctx, &format!("/reviews/{rid}/recommendations"), "Add a recommendation", f, errors, RecChoices { bodies: &bodies, leads: &leads, parents: Some(&parents) }))
    };
    Ok((status, ui::layout(ctx, "Add a recommendation", !errors.is_empty(), content)).into_response())
}

pub async fn new_rec_page(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    let rid = id(&raw)?;
    let next = state.store.tracker().review_recommendations(rid).await?.iter().map(|r| r.number).max().unwrap_or(0) + 1;
    new_rec_render(&state, &ctx, rid, &Fields(vec![("number".into(), next.to_string())]), &Invalid::new(), StatusCode::OK).await
}

pub async fn create_rec(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let rid = id(&raw)?;
    let (input, typed) = rec_input(&f);
    let r = match refused(typed, || check_recommendation(&input), RecommendationInput::FIELDS) {
        Some(i) => Err(AppError::Invalid(i)),
        None => state.store.tracker().create_recommendation(&caller.actor(), rid, &input).await.map_err(AppError::from),
    };
    match r {
        Ok(new_id) => Ok(done(&format!("/recommendations/{new_id}"), "recommendation-created")),
        Err(AppError::Invalid(e)) => new_rec_render(&state, &ctx, rid, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}
