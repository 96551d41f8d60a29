//! The monthly CSE dataset: the months (live and closed), a month's figures with their
//! breakdowns, restatements and a 12-month trend, and closing a month.
//!
//! What a person sees follows `datasets::dataset_view`: the partnership's analysts,
//! managers, co-chairs and police every figure (each view audited); committee members
//! figures with small numbers suppressed; practitioners only their own agency's
//! referral counts. Police-only measures are shown to police roles only.

use assure_domain::datasets::{
    dataset_view, sees_police_only, Condition, Counting, DatasetView, Dimension, Direction, Measure, MeasureInput, Month, PeriodRule, Source,
};
use assure_domain::disclosure::{unsuppressed, Cell, Published};
use assure_domain::{Invalid, Permission};
use assure_storage::datasets::{MonthDataset, MonthStatus};
use assure_storage::StoreError;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::{html, Markup};
use serde::Deserialize;

use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::forms::{done, Fields};
use crate::ui::{self, Ctx, Field};
use crate::{policy, AppState};

/// How many months the list shows at once.
const PAGE: usize = 24;

fn month_of(raw: &str, ctx: &Ctx) -> Result<Month, AppError> {
    let m = Month::parse(raw).ok_or_else(|| AppError::BadRequest(format!("\"{raw}\" is not a month. Write it as YYYY-MM, for example 2026-03.")))?;
    if m > Month::of(ctx.today) {
        return Err(AppError::BadRequest(format!("There is no dataset for {}: the month has not begun.", m.label())));
    }
    Ok(m)
}

fn view_of(caller: &Caller) -> Result<DatasetView, AppError> {
    match dataset_view(caller.role()) {
        DatasetView::Nothing => Err(AppError::Forbidden),
        v => Ok(v),
    }
}

fn status_text(s: &MonthStatus) -> String {
    match s {
        MonthStatus::InProgress => "In progress (live figures)".into(),
        MonthStatus::Ended => "Ended, not yet closed (live figures)".into(),
        MonthStatus::Closed { closed_by, closed_at, .. } => format!("Closed {} by {closed_by}", ui_instant(closed_at)),
    }
}

fn ui_instant(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|d| assure_domain::dates::long(assure_domain::clock::london_date(d.with_timezone(&chrono::Utc))))
        .map(|d| format!("on {d}"))
        .unwrap_or_default()
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    to: Option<String>,
}

/// "/datasets": the months, newest first, 24 at a time.
pub async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    let caller = ctx.caller()?.clone();
    view_of(&caller)?;
    let current = Month::of(ctx.today);
    let to = match q.to.as_deref().filter(|s| !s.is_empty()) {
        Some(raw) => month_of(raw, &ctx)?,
        None => current,
    };
    let months: Vec<Month> = to.trailing(PAGE).into_iter().rev().collect();
    let closed = state.store.datasets().closed_months(Some(to.next()), PAGE as i64).await?;
    let earlier = months.last().map(|m| m.previous());
    let mut later = to;
    for _ in 0..PAGE {
        if later < current {
            later = later.next();
        }
    }
    let content = html! {
        h1 class="app-heading-l" { "CSE dataset" }
        p class="app-body" { "The monthly multi-agency CSE dataset for the CSE and missing sub-group, counted from the pathway's own records. A month is closed on the first working day after it ends: its figures are then frozen, and anything recorded late shows beside them as a restatement." }
        @if ctx.can(Permission::ViewQuarterlyReports) {
            p class="app-body" { a class="app-link" href="/quarterly-reports" { "Quarterly reports" } ": the MACSE report to the partnership board and the report to Cabinet, made from closed months and signed by the co-chairs." }
        }
        @if ctx.can(Permission::RunDatasets) {
            p class="app-body" { a class="app-link" href="/datasets/measures" { "Measures and small numbers" } ": what the dataset counts and how, adding a measure, and the threshold below which published figures are suppressed." }
        }
        @if ctx.can(Permission::ViewChildren) {
            p class="app-body" { a class="app-link" href="/case-audits" { "Case-file audits" } ": the six-monthly multi-agency audit of a sample of case files, and audits a figure triggered; auditors find the cases assigned to them here." }
        }
        div class="app-table-wrapper" tabindex="0" role="region" aria-label="Months" {
        table class="app-table" {
            caption class="app-table__caption app-table__caption--m" { "Months" }
            thead class="app-table__head" { tr class="app-table__row" {
                th class="app-table__header" scope="col" { "Month" }
                th class="app-table__header" scope="col" { "Status" }
            } }
            tbody class="app-table__body" {
                @for m in &months {
                    tr class="app-table__row" {
                        th class="app-table__header" scope="row" { a class="app-link" href={ "/datasets/" (m) } { (m.label()) } }
                        td class="app-table__cell" {
                            @match closed.iter().find(|(c, _, _)| c == m) {
                                Some((_, by, at)) => { "Closed " (ui_instant(at)) " by " (by) }
                                None => @if *m == current { "In progress" } @else { "Ended, not yet closed" },
                            }
                        }
                    }
                }
            }
        }
        }
        nav class="app-pagination" aria-label="Months" {
            @if to < current {
                a class="app-link" href={ "/datasets?to=" (later) } { "Later months" }
                " "
            }
            @if let Some(e) = earlier {
                a class="app-link" href={ "/datasets?to=" (e) } { "Earlier months" }
            }
        }
    };
    Ok(ui::layout(&ctx, "CSE dataset", false, content).into_response())
}

#[derive(Deserialize, Default)]
pub struct MonthQuery {
    measure: Option<String>,
    /// The trend's length: 12 months unless 24 is asked for.
    months: Option<String>,
}

/// "/datasets/{month}": the month's figures as the viewer may see them.
pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>, Query(q): Query<MonthQuery>) -> PageResult {
    let month = month_of(&raw, &ctx)?;
    let months = if q.months.as_deref() == Some("24") { 24 } else { 12 };
    show_with(&state, &ctx, month, q.measure.as_deref(), months, &Invalid::new(), StatusCode::OK).await
}

async fn show_with(
    state: &AppState,
    ctx: &Ctx,
    month: Month,
    trend_of: Option<&str>,
    months: usize,
    errors: &Invalid,
    status: StatusCode,
) -> PageResult {
    let caller = ctx.caller()?.clone();
    let view = view_of(&caller)?;
    let sets = state.store.datasets();
    let d = sets.month(month).await?;
    let police = sees_police_only(caller.role());
    let content = match view {
        DatasetView::OwnAgencyReferrals => own_agency(state, &caller, &d).await?,
        DatasetView::Published => {
            let published = sets.published(&d).await?;
            figures_page(ctx, &d, &published, police, false, errors, html! {})
        }
        _ => {
            sets.audit_unsuppressed(&caller.actor(), month, "viewed").await?;
            let full: Vec<Published> = d.figures.iter().map(unsuppressed).collect();
            let slug = trend_of.filter(|s| d.measures.iter().any(|m| m.slug == *s && (police || !m.police_only))).unwrap_or("referrals");
            let trend = sets.trend(slug, month, months).await?;
            let name = d.measures.iter().find(|m| m.slug == slug).map_or(slug.to_string(), |m| m.name.clone());
            let points: Vec<(chrono::NaiveDate, i64)> =
                trend.iter().map(|(m, f)| (m.first_day(), f.as_ref().map_or(0, |f| f.total.headline().round() as i64))).collect();
            let chart = html! {
                h2 class="app-heading-m" id="trend" { "Trend over " (months) " months" }
                form method="get" action={ "/datasets/" (month) "#trend" } {
                    div class="app-form-group" {
                        label class="app-label" for="measure" { "Measure" }
                        select class="app-select" id="measure" name="measure" {
                            @for m in d.measures.iter().filter(|m| police || !m.police_only) {
                                option value=(m.slug) selected[m.slug == slug] { (m.name) }
                            }
                        }
                    }
                    @let lengths = [("12".to_string(), "12 months".to_string()), ("24".to_string(), "24 months".to_string())];
                    (ui::radios(Field::new("months", "Over", &months.to_string(), &Invalid::new()), &lengths, true))
                    (ui::button("Show the trend"))
                }
                (crate::pages::pathway::trend_chart(&format!("{name}, {months} months to {}", month.label()), &name, &points))
            };
            figures_page(ctx, &d, &full, police, true, errors, chart)
        }
    };
    Ok((status, ui::layout(ctx, &format!("CSE dataset: {}", month.label()), !errors.is_empty(), content)).into_response())
}

/// A practitioner's view: their own agency's referrals in the month.
async fn own_agency(state: &AppState, caller: &Caller, d: &MonthDataset) -> Result<Markup, AppError> {
    let reader = policy::reader(state, caller).await?;
    let agency_id = reader.viewer().agency_id;
    let agencies = state.store.partnership().agencies().await?;
    let name = agencies.iter().find(|a| a.id == agency_id).map(|a| a.name.clone()).unwrap_or_default();
    let n = d
        .figure("referrals")
        .and_then(|f| f.breakdowns.iter().find(|b| b.dimension == Dimension::Agency))
        .and_then(|b| b.rows.iter().find(|(l, _)| *l == name))
        .map(|(_, v)| v.display())
        .unwrap_or_else(|| "0".into());
    Ok(html! {
        span class="app-caption-l" { "CSE dataset" }
        h1 class="app-heading-l" { (d.month.label()) }
        p class="app-body" { "Referrals to the MASH from " strong { (name) } " in " (d.month.label()) ": " strong { (n) } "." }
        p class="app-body" { "The rest of the dataset is for the partnership's analysts and managers." }
    })
}

fn cell_text(c: Cell) -> String {
    c.display()
}

#[allow(clippy::too_many_arguments)]
fn figures_page(ctx: &Ctx, d: &MonthDataset, figures: &[Published], police: bool, full: bool, errors: &Invalid, chart: Markup) -> Markup {
    let measures: Vec<&Measure> = d.measures.iter().filter(|m| police || !m.police_only).collect();
    html! {
        (ui::error_summary(errors))
        span class="app-caption-l" { "CSE dataset" }
        h1 class="app-heading-l" { (d.month.label()) }
        dl class="app-summary-list" {
            div class="app-summary-list__row" { dt class="app-summary-list__key" { "Status" } dd class="app-summary-list__value" { (status_text(&d.status)) } }
            @if let MonthStatus::Closed { fingerprint, .. } = &d.status {
                div class="app-summary-list__row" { dt class="app-summary-list__key" { "Fingerprint" } dd class="app-summary-list__value" { code { (fingerprint) } } }
            }
            div class="app-summary-list__row" { dt class="app-summary-list__key" { "Small numbers" } dd class="app-summary-list__value" {
                @if full { "Shown in full. Every view of these figures is recorded in the audit log." } @else { "Counts below " (d.threshold) " are shown as \"fewer than " (d.threshold) "\", and some others withheld so they cannot be worked out." }
            } }
        }
        @if full && d.status == MonthStatus::Ended && ctx.can(Permission::RunDatasets) {
            form method="post" action={ "/datasets/" (d.month) "/close" } novalidate {
                (ui::csrf(ctx.csrf()))
                p class="app-body" { "Closing freezes every figure with its definition's version and a fingerprint. It cannot be undone." }
                (ui::button(&format!("Close {}", d.month.label())))
            }
        }
        @if full && !d.restatements.is_empty() {
            h2 class="app-heading-m" { "Restatements" }
            p class="app-body" { "Figures that read differently now than when the month closed, because something was recorded late." }
            div class="app-table-wrapper" tabindex="0" role="region" aria-label="Restatements" {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--s" { "Restatements" }
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Measure" }
                    th class="app-table__header" scope="col" { "Row" }
                    th class="app-table__header app-table__header--numeric" scope="col" { "Closed figure" }
                    th class="app-table__header app-table__header--numeric" scope="col" { "Figure now" }
                    th class="app-table__header app-table__header--numeric" scope="col" { "Difference" }
                } }
                tbody class="app-table__body" {
                    @for r in d.restatements.iter().filter(|r| measures.iter().any(|m| m.slug == r.measure)) {
                        tr class="app-table__row" {
                            td class="app-table__cell" { (measures.iter().find(|m| m.slug == r.measure).map_or(r.measure.as_str(), |m| m.name.as_str())) }
                            td class="app-table__cell" { @match &r.row { None => "Total", Some((dim, label)) => { (dim.label()) ": " (label) } } }
                            td class="app-table__cell app-table__cell--numeric" { (r.closed.display()) }
                            td class="app-table__cell app-table__cell--numeric" { (r.now.display()) }
                            td class="app-table__cell app-table__cell--numeric" { (format!("{:+}", r.difference())) }
                        }
                    }
                }
            }
            }
        }
        (chart)
        h2 class="app-heading-m" { "Figures" }
        @for m in &measures {
            @if let Some(p) = figures.iter().find(|p| p.measure == m.slug) {
                section class="app-section" aria-labelledby={ "m-" (m.slug) } {
                    h3 class="app-heading-s" id={ "m-" (m.slug) } { (m.name) @if m.police_only { " (police only)" } }
                    p class="app-body" { (m.shows) }
                    p class="app-body-s" { "Counted: " (m.how_counted()) ". " (m.direction.label()) ". Definition version " (m.version) "." }
                    p class="app-body" { "Total: " strong { (cell_text(p.total)) } }
                    @for (dim, rows) in &p.breakdowns {
                        div class="app-table-wrapper" tabindex="0" role="region" aria-label={ (m.name) " by " (dim.label().to_lowercase()) } {
                        table class="app-table" {
                            caption class="app-table__caption app-table__caption--s" { (m.name) " by " (dim.label().to_lowercase()) }
                            thead class="app-table__head" { tr class="app-table__row" {
                                th class="app-table__header" scope="col" { (dim.label()) }
                                th class="app-table__header app-table__header--numeric" scope="col" { "Figure" }
                            } }
                            tbody class="app-table__body" {
                                @for (label, c) in rows {
                                    tr class="app-table__row" {
                                        th class="app-table__header" scope="row" { (label) }
                                        td class="app-table__cell app-table__cell--numeric" { (cell_text(*c)) }
                                    }
                                }
                            }
                        }
                        }
                    }
                }
            }
        }
    }
}

/// POST "/datasets/{month}/close".
pub async fn close(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>) -> PageResult {
    let month = month_of(&raw, &ctx)?;
    match state.store.datasets().close(&caller.actor(), month).await.map_err(AppError::from) {
        Ok(_) => Ok(done(&format!("/datasets/{month}"), "dataset-closed")),
        Err(AppError::Invalid(e)) => show_with(&state, &ctx, month, None, 12, &e, StatusCode::CONFLICT).await,
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------- measures and the threshold

/// The measures a caller may define or change: police-only ones stay with police roles.
fn may_handle(caller: &Caller, m: &Measure) -> bool {
    sees_police_only(caller.role()) || !m.police_only
}

fn options<T: Copy>(all: &[T], slug: impl Fn(T) -> &'static str, label: impl Fn(T) -> &'static str) -> Vec<(String, String)> {
    all.iter().map(|v| (slug(*v).to_string(), label(*v).to_string())).collect()
}

/// "/datasets/measures": every measure in force with how it is counted, the small-numbers
/// threshold, and the way to add a measure.
pub async fn measures(State(state): State<AppState>, ctx: Ctx, caller: Caller) -> PageResult {
    measures_with(&state, &ctx, &caller, &Invalid::new(), None, StatusCode::OK).await
}

async fn measures_with(state: &AppState, ctx: &Ctx, caller: &Caller, errors: &Invalid, typed: Option<&str>, status: StatusCode) -> PageResult {
    let sets = state.store.datasets();
    let all = sets.measures().await?;
    let threshold = sets.threshold().await?.to_string();
    let shown: Vec<&Measure> = all.iter().filter(|m| may_handle(caller, m)).collect();
    let content = html! {
        (ui::error_summary(errors))
        (ui::breadcrumbs(&[("/datasets", "CSE dataset")]))
        h1 class="app-heading-l" { "Measures" }
        p class="app-body" { "What the monthly dataset counts. Each measure is built from the same blocks — what it counts, how, which records fall in a month, its breakdowns — so a new one needs no release. Changing a measure saves a new version: months already closed keep the version they were counted by." }
        p class="app-body" { a class="app-button app-button--secondary" href="/datasets/measures/new" { "Add a measure" } }
        (ui::scroll_table("Measures", html! {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--m" { "Measures in force" }
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Measure" }
                    th class="app-table__header" scope="col" { "How it is counted" }
                    th class="app-table__header" scope="col" { "Breakdowns" }
                    th class="app-table__header" scope="col" { "Better" }
                    th class="app-table__header app-table__header--numeric" scope="col" { "Version" }
                } }
                tbody class="app-table__body" {
                    @for m in &shown {
                        tr class="app-table__row" {
                            th class="app-table__header" scope="row" {
                                a class="app-link" href={ "/datasets/measures/" (m.slug) } { (m.name) }
                                @if m.police_only { " (police only)" }
                            }
                            td class="app-table__cell" { (m.source.label()) ": " (m.how_counted()) }
                            td class="app-table__cell" {
                                @if m.breakdowns.is_empty() { "None" } @else { (m.breakdowns.iter().map(|d| d.label()).collect::<Vec<_>>().join(", ")) }
                            }
                            td class="app-table__cell" { (m.direction.label()) }
                            td class="app-table__cell app-table__cell--numeric" { (m.version) }
                        }
                    }
                }
            }
        }))
        h2 class="app-heading-m" id="small-numbers" { "Small numbers" }
        form method="post" action="/datasets/threshold" novalidate {
            (ui::csrf(ctx.csrf()))
            (ui::input_of_type(
                Field::new("threshold", "Suppress counts below", typed.unwrap_or(&threshold), errors)
                    .hint("Committee members and anything published see counts below this as \"fewer than\" it, with other cells withheld so they cannot be worked out. A whole number from 2 to 50; 5 unless changed."),
                "app-input--width-3",
                "text",
                None,
            ))
            (ui::button("Save the threshold"))
        }
    };
    Ok((status, ui::layout(ctx, "Dataset measures", !errors.is_empty(), content)).into_response())
}

/// POST "/datasets/threshold".
pub async fn threshold_submit(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    let raw = f.get("threshold").trim().to_string();
    let result = match raw.parse::<i64>() {
        Ok(n) => state.store.datasets().set_threshold(&caller.actor(), n).await.map_err(AppError::from),
        Err(_) => Err(AppError::Invalid(Invalid::single("threshold", "Enter the threshold as a whole number from 2 to 50, like 5"))),
    };
    match result {
        Ok(()) => Ok(done("/datasets/measures", "dataset-threshold-saved")),
        Err(AppError::Invalid(e)) => measures_with(&state, &ctx, &caller, &e, Some(&raw), StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

/// The form's fields as the person last entered them.
fn input_from(f: &Fields) -> MeasureInput {
    MeasureInput {
        slug: f.string("slug").trim().to_string(),
        name: f.string("name"),
        shows: f.string("shows"),
        source: Source::from_slug(f.get("source")),
        counting: Counting::from_slug(f.get("counting")),
        period: PeriodRule::from_slug(f.get("period")),
        filter: Condition::from_slug(f.get("filter")),
        numerator: Condition::from_slug(f.get("numerator")),
        breakdowns: f.all("breakdowns").iter().filter_map(|s| Dimension::from_slug(s)).collect(),
        direction: Direction::from_slug(f.get("direction")),
        police_only: false,
    }
}

fn input_of(m: &Measure) -> MeasureInput {
    MeasureInput {
        slug: m.slug.clone(),
        name: m.name.clone(),
        shows: m.shows.clone(),
        source: Some(m.source),
        counting: Some(m.counting),
        period: Some(m.period),
        filter: m.filter,
        numerator: m.numerator,
        breakdowns: m.breakdowns.clone(),
        direction: Some(m.direction),
        police_only: m.police_only,
    }
}

/// What each kind of record can be counted by, in words, for the form's hints.
fn blocks_hint(part: impl Fn(Source) -> Vec<&'static str>) -> String {
    Source::ALL
        .iter()
        .filter(|s| !s.police_only())
        .map(|s| {
            let items = part(*s);
            format!("{}: {}", s.label(), if items.is_empty() { "none".to_string() } else { items.join(", ").to_lowercase() })
        })
        .collect::<Vec<_>>()
        .join(". ")
}

fn measure_form(ctx: &Ctx, caller: &Caller, input: &MeasureInput, version: Option<i64>, errors: &Invalid) -> Markup {
    let police = sees_police_only(caller.role());
    let sources: Vec<(String, String)> =
        Source::ALL.iter().filter(|s| police || !s.police_only()).map(|s| (s.slug().to_string(), s.label().to_string())).collect();
    let conditions = ui::options_with_blank("None", options(Condition::ALL, Condition::slug, Condition::label));
    let period_hint = blocks_hint(|s| s.periods().iter().map(|p| p.label()).collect());
    let condition_hint = blocks_hint(|s| s.conditions().iter().map(|c| c.label()).collect());
    let breakdown_hint = blocks_hint(|s| s.dimensions().iter().map(|d| d.label()).collect());
    let selected: Vec<String> = input.breakdowns.iter().map(|d| d.slug().to_string()).collect();
    let slug_of = |v: Option<&'static str>| v.unwrap_or("").to_string();
    let (source, counting, period, filter, numerator, direction) = (
        slug_of(input.source.map(Source::slug)),
        slug_of(input.counting.map(Counting::slug)),
        slug_of(input.period.map(PeriodRule::slug)),
        slug_of(input.filter.map(Condition::slug)),
        slug_of(input.numerator.map(Condition::slug)),
        slug_of(input.direction.map(Direction::slug)),
    );
    let action = match version {
        Some(_) => format!("/datasets/measures/{}", input.slug),
        None => "/datasets/measures/new".to_string(),
    };
    html! {
        form method="post" action=(action) novalidate {
            (ui::csrf(ctx.csrf()))
            @if let Some(v) = version {
                input type="hidden" name="version" value=(v);
                input type="hidden" name="slug" value=(input.slug);
            } @else {
                (ui::text_input(Field::new("slug", "Short name", &input.slug, errors).hint("Lower-case letters, digits and hyphens, such as placements-cse-risk. It cannot be changed later."), "app-input--width-20"))
            }
            (ui::text_input(Field::new("name", "Name", &input.name, errors), "app-!-width-full"))
            (ui::textarea(Field::new("shows", "What it shows", &input.shows, errors).hint("In words a committee member understands."), 3))
            (ui::radios(Field::new("source", "What it counts", &source, errors), &sources, false))
            (ui::radios(Field::new("counting", "How it is counted", &counting, errors).hint("A median time is only for referrals (from submission to the MASH decision)."), &options(Counting::ALL, Counting::slug, Counting::label), false))
            (ui::radios(Field::new("period", "Which records fall in a month", &period, errors).hint(&period_hint), &options(PeriodRule::ALL, PeriodRule::slug, PeriodRule::label), false))
            (ui::select(Field::new("filter", "Count only records where (optional)", &filter, errors).hint(&condition_hint), &conditions))
            (ui::select(Field::new("numerator", "Numerator, for a proportion", &numerator, errors).hint("The condition the records above the line meet; only a proportion has one."), &conditions))
            (ui::checkboxes("breakdowns", "Breakdowns", Some(&breakdown_hint), &options(Dimension::ALL, Dimension::slug, Dimension::label), &selected, errors))
            (ui::radios(Field::new("direction", "Which direction is better", &direction, errors), &options(Direction::ALL, Direction::slug, Direction::label), false))
            (ui::button(if version.is_some() { "Save a new version" } else { "Add the measure" }))
        }
    }
}

fn measure_page(ctx: &Ctx, caller: &Caller, input: &MeasureInput, version: Option<i64>, errors: &Invalid, status: StatusCode) -> PageResult {
    let title = match version {
        Some(v) => format!("{} (version {v})", input.name),
        None => "Add a measure".to_string(),
    };
    let content = html! {
        (ui::error_summary(errors))
        (ui::breadcrumbs(&[("/datasets", "CSE dataset"), ("/datasets/measures", "Measures")]))
        @if version.is_some() { span class="app-caption-l" { "Change a measure" } }
        h1 class="app-heading-l" { (title) }
        @if version.is_some() {
            p class="app-body" { "Saving keeps this version for the months already closed with it, and counts every month not yet closed by the new one." }
        }
        (measure_form(ctx, caller, input, version, errors))
    };
    Ok((status, ui::layout(ctx, &title, !errors.is_empty(), content)).into_response())
}

/// "/datasets/measures/new".
pub async fn measure_new(ctx: Ctx, caller: Caller) -> PageResult {
    measure_page(&ctx, &caller, &MeasureInput::default(), None, &Invalid::new(), StatusCode::OK)
}

/// "/datasets/measures/{slug}": the measure's definition, to change as a new version.
pub async fn measure_edit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(slug): Path<String>) -> PageResult {
    let m = state.store.datasets().measure(&slug).await?;
    if !may_handle(&caller, &m) {
        return Err(AppError::NotFound);
    }
    measure_page(&ctx, &caller, &input_of(&m), Some(m.version), &Invalid::new(), StatusCode::OK)
}

/// POST "/datasets/measures/new".
pub async fn measure_create(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    save_measure(&state, &ctx, &caller, input_from(&f), None).await
}

/// POST "/datasets/measures/{slug}": a new version, from the version the form was read at.
pub async fn measure_update(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(slug): Path<String>, f: Fields) -> PageResult {
    let current = state.store.datasets().measure(&slug).await?;
    if !may_handle(&caller, &current) {
        return Err(AppError::NotFound);
    }
    let read = f.version()?;
    let mut input = input_from(&f);
    input.slug = slug;
    input.police_only = current.police_only;
    save_measure(&state, &ctx, &caller, input, Some(read)).await
}

async fn save_measure(state: &AppState, ctx: &Ctx, caller: &Caller, input: MeasureInput, based_on: Option<i64>) -> PageResult {
    if input.source.is_some_and(Source::police_only) && !sees_police_only(caller.role()) {
        let e = Invalid::single("source", "Only police roles may define a measure of police operations: its figures never leave them");
        return measure_page(ctx, caller, &input, based_on, &e, StatusCode::UNPROCESSABLE_ENTITY);
    }
    match state.store.datasets().save_measure(&caller.actor(), &input, based_on).await {
        Ok(_) => Ok(done("/datasets/measures", if based_on.is_some() { "dataset-measure-changed" } else { "dataset-measure-added" })),
        Err(StoreError::Invalid(e)) => measure_page(ctx, caller, &input, based_on, &e, StatusCode::UNPROCESSABLE_ENTITY),
        Err(e) => Err(e.into()),
    }
}
