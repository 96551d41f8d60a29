//! The child protection route (R5) on a child's record: the CP case opened by a MASH
//! decision of child protection, its stages (strategy meeting, section 47 enquiry,
//! initial and first review conferences) with their due dates and whether they are on
//! time, the named CSE reviewing officer, and the CP plan in the MACSE template; and
//! the queue of open CP cases with the next stage due. Everything is read and written
//! through the child's record (the door audits every view and change).

use assure_domain::child_protection::{
    timescale, ConferenceInput, ConferenceOutcome, S47Input, S47Outcome, StrategyDecision, StrategyInput, Timeliness,
};
use assure_domain::dates::long;
use assure_domain::partnership::Section;
use assure_domain::tracker::TagColour;
use assure_domain::{Invalid, Permission};
use assure_storage::child_protection::CpCase;
use assure_storage::keyset::PageRequest;
use assure_storage::ChildRecord;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::NaiveDate;
use maud::{html, Markup};

use super::id;
use super::plans::{self, EditTarget};
use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::forms::{done, Fields};
use crate::ui::{self, Ctx, Field};
use crate::{policy, AppState};

fn page_href(child_id: i64) -> String {
    format!("/children/{child_id}/child-protection")
}

fn case_href(c: &CpCase) -> String {
    format!("/children/{}/child-protection/{}", c.child_id, c.id)
}

fn opts<T: Copy>(all: &[T], slug: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Vec<(String, String)> {
    all.iter().map(|v| (slug(*v).to_string(), label(*v).to_string())).collect()
}

fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(long).unwrap_or_else(|| "Not recorded".into())
}

/// Read the dates of a form; problems typed into them come back together.
fn dates<const N: usize>(f: &Fields, fields: [(&str, &str); N]) -> ([Option<NaiveDate>; N], Invalid) {
    let mut v = Invalid::new();
    let mut out = [None; N];
    for (i, (name, what)) in fields.iter().enumerate() {
        match crate::forms::read_date_parts(f, name, what) {
            Ok(d) => out[i] = d,
            Err(m) => v.add(name, m),
        }
    }
    (out, v)
}

// ---------------------------------------------------------------- the child's CP page

/// Which of the page's forms was sent back with problems.
struct Sent<'a> {
    case_id: i64,
    which: &'a str,
    fields: &'a Fields,
    errors: &'a Invalid,
}

fn timeliness_tag(t: Timeliness) -> Markup {
    ui::tag(t.label(), t.colour())
}

fn stage_table(c: &CpCase, today: NaiveDate) -> Markup {
    html! {
        div class="app-table-wrapper" tabindex="0" role="region" aria-label="Stages and their timescales" {
        table class="app-table" {
            caption class="app-table__caption app-table__caption--s" { "Stages and their timescales" }
            thead class="app-table__head" { tr class="app-table__row" {
                th class="app-table__header" scope="col" { "Stage" }
                th class="app-table__header" scope="col" { "Due" }
                th class="app-table__header" scope="col" { "Done" }
                th class="app-table__header" scope="col" { "Timeliness" }
            } }
            tbody class="app-table__body" {
                @for s in c.stages(today) {
                    @let t = timescale(s.stage);
                    tr class="app-table__row" data-stage=(s.stage.slug()) {
                        td class="app-table__cell" {
                            (s.stage.label())
                            div class="app-hint" { "Within " (t.within.describe()) ". " (t.source) "." }
                        }
                        td class="app-table__cell" { @match s.due { Some(d) => (long(d)), None => "When the earlier stage is recorded" } }
                        td class="app-table__cell" { (opt_date(s.done_on)) }
                        td class="app-table__cell" { (timeliness_tag(s.timeliness)) }
                    }
                }
            }
        }
        }
    }
}

fn form_state<'a>(sent: &'a Option<Sent<'a>>, case_id: i64, which: &str, empty: &'a Fields, none: &'a Invalid) -> (&'a Fields, &'a Invalid) {
    match sent {
        Some(s) if s.case_id == case_id && s.which == which => (s.fields, s.errors),
        _ => (empty, none),
    }
}

async fn render(state: &AppState, ctx: &Ctx, record: &ChildRecord, sent: Option<Sent<'_>>, status: StatusCode) -> PageResult {
    let child = record.child();
    let cases = record.cp_cases().await?;
    let agencies = state.store.partnership().agencies().await?;
    let people = if ctx.can(Permission::DecideReferrals) { state.store.partnership().pathway_people().await? } else { Vec::new() };
    let today = ctx.today;
    let may_record = ctx.can(Permission::DecideReferrals);
    let child_name = format!("{} {}", child.first_name, child.last_name);
    let (empty, none) = (Fields::default(), Invalid::new());
    let errors = sent.as_ref().map(|s| s.errors).unwrap_or(&none);
    let agency_opts: Vec<(String, String)> = agencies.iter().filter(|a| a.active).map(|a| (a.id.to_string(), a.name.clone())).collect();
    let officer_opts = ui::options_with_blank(
        "Select a person",
        people.iter().filter(|p| p.active && p.agency_id.is_some()).map(|p| (p.user_id.to_string(), format!("{} ({})", p.name, p.role.label()))),
    );
    let content = html! {
        (ui::breadcrumbs(&[("/children", "Children"), (&format!("/children/{}", child.id), &child_name)]))
        @if let Some(s) = &sent { (ui::error_summary_for(s.errors, &format!("{}-{}", s.which, s.case_id))) }
        span class="app-caption-l" { (child_name) }
        h1 class="app-heading-l" { "Child protection" }
        @if cases.is_empty() {
            p class="app-body" { "There is no child protection case for this child. A case opens when the MASH decides a referral is a child protection matter." }
        }
        @for c in &cases {
            @let prefix = |which: &str| format!("{which}-{}", c.id);
            section class="app-section" id={ "case-" (c.id) } {
                h2 class="app-heading-m" {
                    "Case opened " (opt_date(c.facts.decided_on)) " "
                    @if c.is_open() { (ui::tag("Open", TagColour::Blue)) } @else { (ui::tag("Ended", TagColour::Grey)) }
                }
                dl class="app-summary-list" {
                    (ui::summary_row("Decision", html! { a class="app-link" href={ "/children/" (c.child_id) "/referrals/" (c.referral_id) } { "The MASH decision of child protection" } }))
                    (ui::summary_row("CSE reviewing officer", html! { (c.reviewing_officer_name.as_deref().unwrap_or("Not named yet")) }))
                    (ui::summary_row("Next stage due", html! { @match c.next() { Some((s, d)) => { (s.label()) ", " (long(d)) " " @if today > d { (ui::tag("Overdue", TagColour::Red)) } }, None => "Nothing due" } }))
                    @if let Some(d) = c.closed_on { (ui::summary_row("Ended", html! { (long(d)) })) }
                }
                (stage_table(c, today))
                h3 class="app-heading-s" { "Strategy meeting" }
                dl class="app-summary-list" {
                    (ui::summary_row("Held on", html! { (opt_date(c.facts.strategy_on)) }))
                    (ui::summary_row("Agencies attending", html! {
                        @if c.attendees.is_empty() { "Not recorded" } @else { ul class="app-list" { @for (_, n) in &c.attendees { li { (n) } } } }
                    }))
                    (ui::summary_row("Decision", html! { (c.facts.strategy_decision.map(|d| d.label()).unwrap_or("Not recorded")) }))
                    @if !c.strategy_notes.is_empty() { (ui::summary_row("Notes", ui::prose(&c.strategy_notes))) }
                }
                h3 class="app-heading-s" { "Section 47 enquiry" }
                dl class="app-summary-list" {
                    (ui::summary_row("Started", html! { (opt_date(c.facts.s47_started_on)) }))
                    (ui::summary_row("Outcome", html! { (c.facts.s47_outcome.map(|o| o.label()).unwrap_or("Not recorded")) }))
                    (ui::summary_row("Outcome recorded for", html! { (opt_date(c.facts.s47_outcome_on)) }))
                }
                h3 class="app-heading-s" { "Initial child protection conference" }
                dl class="app-summary-list" {
                    (ui::summary_row("Held on", html! { (opt_date(c.facts.conference_on)) }))
                    (ui::summary_row("Outcome", html! { (c.facts.conference_outcome.map(|o| o.label()).unwrap_or("Not recorded")) }))
                    (ui::summary_row("First review conference", html! { (opt_date(c.facts.review_on)) }))
                }
                h3 class="app-heading-s" { "Child protection plan" }
                @if c.facts.on_plan() {
                    p class="app-body" {
                        "The CP plan uses the MACSE plan template. "
                        @match c.plan_version {
                            Some(n) => { a class="app-link" href={ "/children/" (c.child_id) "/plan/versions/" (n) } { "Version " (n) " of the plan" } " is the child protection plan." },
                            None => "It has not been written yet.",
                        }
                    }
                    @if may_record && c.is_open() {
                        p class="app-body" { a class="app-link" href={ (case_href(c)) "/plan" } { @if c.plan_version.is_some() { "Write a new version of the CP plan" } @else { "Write the CP plan" } } }
                    }
                } @else {
                    p class="app-body" { "Written once the initial conference decides on a child protection plan." }
                }
                @if may_record && c.is_open() {
                    @let (f, e) = form_state(&sent, c.id, "officer", &empty, &none);
                    h3 class="app-heading-s" { "Name the CSE reviewing officer" }
                    form method="post" action={ (case_href(c)) "/reviewing-officer" } novalidate {
                        (ui::csrf(ctx.csrf()))
                        input type="hidden" name="version" value=(c.version);
                        (ui::select(Field::new("officer", "CSE reviewing officer", if f.get("officer").is_empty() { c.reviewing_officer_id.map(|i| i.to_string()).unwrap_or_default() } else { f.string("officer") }.as_str(), e).prefixed(&prefix("officer")).hint("They attend MACSE for this child: they are invited to the child's panel slots."), &officer_opts))
                        (ui::secondary_button("Save the reviewing officer"))
                    }
                    @if c.facts.strategy_on.is_none() {
                        @let (f, e) = form_state(&sent, c.id, "strategy", &empty, &none);
                        h3 class="app-heading-s" { "Record the strategy meeting" }
                        form method="post" action={ (case_href(c)) "/strategy-meeting" } novalidate {
                            (ui::csrf(ctx.csrf()))
                            input type="hidden" name="version" value=(c.version);
                            (ui::date_parts("held_on", &prefix("strategy"), "Date the strategy meeting was held", "For example, 27 3 2026", f, e))
                            (ui::checkboxes(&format!("{}-agencies", prefix("strategy")), "Agencies attending", None, &agency_opts, &f.all(&format!("{}-agencies", prefix("strategy"))), &field_alias(e, "agencies", &format!("{}-agencies", prefix("strategy")))))
                            (ui::radios(Field::new("decision", "Decision", f.get("decision"), e).prefixed(&prefix("strategy")), &opts(StrategyDecision::ALL, StrategyDecision::slug, StrategyDecision::label), false))
                            (ui::textarea(Field::new("notes", "Notes (optional)", f.get("notes"), e).prefixed(&prefix("strategy")), 3))
                            (ui::button("Record the strategy meeting"))
                        }
                    }
                    @if c.facts.s47_outcome.is_none() {
                        @let (f, e) = form_state(&sent, c.id, "s47", &empty, &none);
                        h3 class="app-heading-s" { @if c.facts.s47_started_on.is_none() { "Record the section 47 enquiry" } @else { "Record the section 47 enquiry's outcome" } }
                        form method="post" action={ (case_href(c)) "/section-47" } novalidate {
                            (ui::csrf(ctx.csrf()))
                            input type="hidden" name="version" value=(c.version);
                            @if c.facts.s47_started_on.is_none() {
                                (ui::date_parts("started_on", &prefix("s47"), "Date the enquiry started", "For example, 27 3 2026", f, e))
                            }
                            (ui::radios(Field::new("outcome", if c.facts.s47_started_on.is_none() { "Outcome (if known)" } else { "Outcome" }, f.get("outcome"), e).prefixed(&prefix("s47")), &opts(S47Outcome::ALL, S47Outcome::slug, S47Outcome::label), false))
                            (ui::date_parts("outcome_on", &prefix("s47"), "Date of the outcome", "For example, 27 3 2026", f, e))
                            (ui::button(if c.facts.s47_started_on.is_none() { "Record the section 47 enquiry" } else { "Record the outcome" }))
                        }
                    }
                    @if c.facts.conference_on.is_none() && c.facts.s47_outcome == Some(S47Outcome::ConferenceNeeded) {
                        @let (f, e) = form_state(&sent, c.id, "conference", &empty, &none);
                        h3 class="app-heading-s" { "Record the initial child protection conference" }
                        form method="post" action={ (case_href(c)) "/conference" } novalidate {
                            (ui::csrf(ctx.csrf()))
                            input type="hidden" name="version" value=(c.version);
                            (ui::date_parts("held_on", &prefix("conference"), "Date the conference was held", "For example, 27 3 2026", f, e))
                            (ui::radios(Field::new("outcome", "Outcome", f.get("outcome"), e).prefixed(&prefix("conference")), &opts(ConferenceOutcome::ALL, ConferenceOutcome::slug, ConferenceOutcome::label), false))
                            (ui::button("Record the conference"))
                        }
                    }
                    @if c.facts.on_plan() && c.facts.review_on.is_none() {
                        @let (f, e) = form_state(&sent, c.id, "review", &empty, &none);
                        h3 class="app-heading-s" { "Record the first review conference" }
                        form method="post" action={ (case_href(c)) "/review-conference" } novalidate {
                            (ui::csrf(ctx.csrf()))
                            input type="hidden" name="version" value=(c.version);
                            (ui::date_parts("review_on", &prefix("review"), "Date the review conference was held", "For example, 27 3 2026", f, e))
                            (ui::secondary_button("Record the review conference"))
                        }
                    }
                }
            }
        }
    };
    Ok((status, ui::layout(ctx, "Child protection", !errors.is_empty(), content)).into_response())
}

/// The checkboxes take their id from their name: an error for `field` is shown under it.
fn field_alias(errors: &Invalid, field: &str, name: &str) -> Invalid {
    let mut v = Invalid::new();
    if let Some(m) = errors.for_field(field) {
        v.add(name, m);
    }
    v
}

pub async fn child(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>) -> PageResult {
    let record = policy::child(&state, &caller, id(&raw)?, Section::ChildProtection).await?;
    render(&state, &ctx, &record, None, StatusCode::OK).await
}

async fn open_case(state: &AppState, caller: &Caller, cid: &str, kid: &str) -> Result<(ChildRecord, CpCase), AppError> {
    let record = policy::child(state, caller, id(cid)?, Section::ChildProtection).await?;
    let case = record.cp_case(id(kid)?).await?;
    Ok((record, case))
}

/// After a stage's form: back to the case, or the page again with every problem.
#[allow(clippy::too_many_arguments)]
async fn answer(
    state: &AppState,
    ctx: &Ctx,
    record: &ChildRecord,
    case: &CpCase,
    which: &str,
    f: &Fields,
    result: Result<(), assure_storage::StoreError>,
    notice: &str,
) -> PageResult {
    match result {
        Ok(()) => Ok(done(&format!("{}#case-{}", page_href(case.child_id), case.id), notice)),
        Err(assure_storage::StoreError::Invalid(e)) => {
            render(state, ctx, record, Some(Sent { case_id: case.id, which, fields: f, errors: &e }), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Problems typed into the dates, or the store's answer (which adds its own).
async fn typed_or<F: std::future::Future<Output = Result<(), assure_storage::StoreError>>>(
    typed: Invalid,
    check: impl FnOnce() -> Invalid,
    write: F,
) -> Result<(), assure_storage::StoreError> {
    if typed.is_empty() {
        write.await
    } else {
        Err(typed.merged(check()).into())
    }
}

pub async fn strategy(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path((cid, kid)): Path<(String, String)>, f: Fields) -> PageResult {
    let (record, case) = open_case(&state, &caller, &cid, &kid).await?;
    let ([held_on], typed) = dates(&f, [("held_on", "The date of the strategy meeting")]);
    let agencies = f.ids(&format!("strategy-{}-agencies", case.id));
    let input = StrategyInput { held_on, agencies, decision: StrategyDecision::from_slug(f.get("decision")), notes: f.string("notes") };
    let version = f.version()?;
    let check = || {
        assure_domain::child_protection::check_strategy(&input, &case.facts, ctx.today)
            .err()
            .map(|e| Invalid { errors: e.errors.into_iter().filter(|x| x.field != "held_on").collect() })
            .unwrap_or_default()
    };
    let result = typed_or(typed, check, record.record_strategy_meeting(case.id, version, &input)).await;
    answer(&state, &ctx, &record, &case, "strategy", &f, result, "cp-strategy-recorded").await
}

pub async fn section_47(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path((cid, kid)): Path<(String, String)>, f: Fields) -> PageResult {
    let (record, case) = open_case(&state, &caller, &cid, &kid).await?;
    let ([started_on, outcome_on], typed) = dates(&f, [("started_on", "The date the enquiry started"), ("outcome_on", "The date of the outcome")]);
    let input = S47Input { started_on, outcome: S47Outcome::from_slug(f.get("outcome")), outcome_on };
    let version = f.version()?;
    let bad: Vec<String> = typed.errors.iter().map(|e| e.field.clone()).collect();
    let check = || {
        assure_domain::child_protection::check_s47(&input, &case.facts, ctx.today)
            .err()
            .map(|e| Invalid { errors: e.errors.into_iter().filter(|x| !bad.contains(&x.field)).collect() })
            .unwrap_or_default()
    };
    let result = typed_or(typed.clone(), check, record.record_section_47(case.id, version, &input)).await;
    answer(&state, &ctx, &record, &case, "s47", &f, result, "cp-s47-recorded").await
}

pub async fn conference(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path((cid, kid)): Path<(String, String)>, f: Fields) -> PageResult {
    let (record, case) = open_case(&state, &caller, &cid, &kid).await?;
    let ([held_on], typed) = dates(&f, [("held_on", "The date of the conference")]);
    let input = ConferenceInput { held_on, outcome: ConferenceOutcome::from_slug(f.get("outcome")) };
    let version = f.version()?;
    let check = || {
        assure_domain::child_protection::check_conference(&input, &case.facts, ctx.today)
            .err()
            .map(|e| Invalid { errors: e.errors.into_iter().filter(|x| x.field != "held_on").collect() })
            .unwrap_or_default()
    };
    let result = typed_or(typed, check, record.record_conference(case.id, version, &input)).await;
    answer(&state, &ctx, &record, &case, "conference", &f, result, "cp-conference-recorded").await
}

pub async fn review(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path((cid, kid)): Path<(String, String)>, f: Fields) -> PageResult {
    let (record, case) = open_case(&state, &caller, &cid, &kid).await?;
    let ([review_on], typed) = dates(&f, [("review_on", "The date of the review conference")]);
    let version = f.version()?;
    let result = typed_or(typed, Invalid::new, record.record_review_conference(case.id, version, review_on)).await;
    answer(&state, &ctx, &record, &case, "review", &f, result, "cp-review-recorded").await
}

pub async fn reviewing_officer(
    State(state): State<AppState>,
    ctx: Ctx,
    caller: Caller,
    Path((cid, kid)): Path<(String, String)>,
    f: Fields,
) -> PageResult {
    let (record, case) = open_case(&state, &caller, &cid, &kid).await?;
    let result = record.name_reviewing_officer(case.id, f.version()?, f.opt_id("officer")).await;
    answer(&state, &ctx, &record, &case, "officer", &f, result, "cp-officer-named").await
}

// ---------------------------------------------------------------- the CP plan

fn plan_target(c: &CpCase) -> EditTarget<'static> {
    EditTarget {
        action: format!("{}/plan", case_href(c)),
        back: (format!("{}#case-{}", page_href(c.child_id), c.id), "Back to child protection"),
        title: "Child protection plan (MACSE plan template)",
        with_panel: false,
    }
}

pub async fn plan_page(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path((cid, kid)): Path<(String, String)>) -> PageResult {
    let (_, case) = open_case(&state, &caller, &cid, &kid).await?;
    let record = plans::open(&state, &caller, case.child_id).await?;
    if assure_domain::child_protection::check_plan_allowed(&case.facts).is_err() || !case.is_open() {
        let child = record.child();
        let content = html! {
            (ui::back_link(&format!("{}#case-{}", page_href(case.child_id), case.id), "Back to child protection"))
            span class="app-caption-l" { (child.first_name) " " (child.last_name) }
            h1 class="app-heading-l" { "Child protection plan" }
            p class="app-body" { "The child protection plan is written once the initial child protection conference decides on one, while the case is open." }
        };
        return Ok(ui::layout(&ctx, "Child protection plan", false, content).into_response());
    }
    let number = record.plan_number().await?;
    let current = record.plan().await?;
    let f = plans::fields_from(current.as_ref(), number);
    plans::edit_form_for(&state, &ctx, &record, &f, &Invalid::new(), StatusCode::OK, &plan_target(&case)).await
}

pub async fn plan_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path((cid, kid)): Path<(String, String)>, f: Fields) -> PageResult {
    let (_, case) = open_case(&state, &caller, &cid, &kid).await?;
    let record = plans::open(&state, &caller, case.child_id).await?;
    let based_on = f.version()?;
    let (v, rows) = plans::version_from(&f, record.viewer());
    match record.save_cp_plan(case.id, based_on, &v, Some(&rows), ctx.today).await.map_err(AppError::from) {
        Ok(_) => Ok(done(&format!("{}#case-{}", page_href(case.child_id), case.id), "cp-plan-saved")),
        Err(AppError::Invalid(e)) => plans::edit_form_for(&state, &ctx, &record, &f, &e, StatusCode::UNPROCESSABLE_ENTITY, &plan_target(&case)).await,
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------- the queue

/// Cases on one page of the queue.
const QUEUE_PER_PAGE: i64 = 50;

pub async fn queue(State(state): State<AppState>, ctx: Ctx, caller: Caller, Query(q): Query<Vec<(String, String)>>) -> PageResult {
    let reader = policy::reader(&state, &caller).await?;
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let overdue_only = get("overdue") == Some("yes");
    let req = PageRequest::from_link(get("cursor"), QUEUE_PER_PAGE);
    let (page, total) = state.store.child_protection(&reader).queue_page(ctx.today, overdue_only, &req).await?;
    let base = if overdue_only { "/child-protection?overdue=yes" } else { "/child-protection" };
    let content = html! {
        h1 class="app-heading-l" { "Child protection cases" }
        p class="app-body" { "Open child protection cases with a stage due, the next due first. Timescales are counted in working days (England and Wales bank holidays left out)." }
        form method="get" action="/child-protection" class="app-filter" {
            (ui::radios(Field::new("overdue", "Show", if overdue_only { "yes" } else { "no" }, &Invalid::new()), &[("no".into(), "Every open case".into()), ("yes".into(), "Only cases with an overdue stage".into())], true))
            (ui::secondary_button("Apply"))
        }
        @if page.items.is_empty() {
            p class="app-body" { @if overdue_only { "No open case has an overdue stage." } @else { "There are no open child protection cases with a stage due." } }
        } @else {
            div class="app-table-wrapper" role="region" aria-label="Child protection cases" tabindex="0" {
                table class="app-table" {
                    caption class="app-table__caption app-table__caption--m" { (total) " case" @if total != 1 { "s" } @if overdue_only { " with an overdue stage" } }
                    thead class="app-table__head" { tr class="app-table__row" {
                        th class="app-table__header" scope="col" { "Child" }
                        th class="app-table__header" scope="col" { "Next stage" }
                        th class="app-table__header" scope="col" { "Due" }
                        th class="app-table__header" scope="col" { "Timeliness" }
                        th class="app-table__header" scope="col" { "CSE reviewing officer" }
                    } }
                    tbody class="app-table__body" {
                        @for q in &page.items {
                            @let c = &q.case;
                            tr class="app-table__row" {
                                td class="app-table__cell" { a class="app-link" href={ (page_href(c.child_id)) "#case-" (c.id) } { (c.child_name) } }
                                td class="app-table__cell" { (q.next_stage.map(|s| s.label()).unwrap_or("Nothing due")) }
                                td class="app-table__cell" { (opt_date(c.next_due_on)) }
                                td class="app-table__cell" { @if q.overdue { (timeliness_tag(Timeliness::Overdue)) } @else { (timeliness_tag(Timeliness::OnTime)) } }
                                td class="app-table__cell" { (c.reviewing_officer_name.as_deref().unwrap_or("Not named yet")) }
                            }
                        }
                    }
                }
            }
        }
        (ui::pager(base, &page))
    };
    Ok(ui::layout(&ctx, "Child protection cases", false, content).into_response())
}
