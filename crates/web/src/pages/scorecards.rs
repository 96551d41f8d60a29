//! Scorecards ("/scorecards"): each performance measure's latest value, its band in
//! words and colour, the direction of travel and a sparkline; a measure's page with its
//! trend as an SVG chart over its bands and the same values as a table, each with where
//! it came from; adding measures and entering values (those who keep the tracker); the
//! six-monthly scorecard for committee as DOCX and XLSX.
//!
//! Values computed from the CSE dataset that rest on a small number are suppressed as
//! the dataset's published figures are, for everyone who does not see the dataset in
//! full, and always in the committee documents.

use assure_documents::docx::{simple, Part};
use assure_documents::spreadsheet::table_xlsx;
use assure_domain::datasets::{dataset_view, DatasetView, Direction, Month};
use assure_domain::scorecard::{suppressed, Bands, BandsInput, MeasureInput, Range, ValueSource};
use assure_domain::{Invalid, Permission};
use assure_storage::scorecards::{MeasureValue, PerformanceMeasure};
use assure_storage::StoreError;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use maud::{html, Markup};

use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::forms::{done, Fields};
use crate::ui::{self, Ctx, Field};
use crate::AppState;

fn id_of(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// How values are shown to this reader: in full, or with small numbers suppressed.
#[derive(Clone, Copy)]
pub struct Shown {
    full: bool,
    threshold: i64,
}

impl Shown {
    pub async fn for_reader(state: &AppState, caller: Option<&Caller>) -> Result<Shown, AppError> {
        let full = caller.is_some_and(|c| dataset_view(c.role()) == DatasetView::Full);
        Ok(Shown { full, threshold: state.store.datasets().threshold().await? })
    }
    /// The threshold below which this reader's outcomes leave values out (`None`: in full).
    pub fn suppress_below(&self) -> Option<i64> {
        (!self.full).then_some(self.threshold)
    }
    fn hides(&self, v: &MeasureValue) -> bool {
        !self.full && suppressed(v.size, self.threshold)
    }
    /// A value as this reader may see it.
    pub fn value(&self, m: &PerformanceMeasure, v: &MeasureValue) -> String {
        if self.hides(v) {
            format!("Fewer than {} (suppressed)", self.threshold)
        } else {
            m.show(v.value)
        }
    }
    /// The values this reader may see (a suppressed value is left out of charts and bands).
    pub fn points(&self, m: &PerformanceMeasure) -> Vec<(Month, f64)> {
        m.values.iter().filter(|v| !self.hides(v)).map(|v| (v.month, v.value)).collect()
    }
}

fn bands_cells(b: &Bands) -> [String; 3] {
    match b {
        Bands::Ranges { .. } => {
            let d = b.describe();
            let mut parts = d.split(" | ").map(str::to_string);
            [parts.next().unwrap_or_default(), parts.next().unwrap_or_default(), parts.next().unwrap_or_default()]
        }
        Bands::DirectionOnly { .. } => [String::new(), String::new(), b.describe()],
    }
}

/// A sparkline of the last twelve values (no script; its numbers are in the table beside it).
fn sparkline(points: &[(Month, f64)]) -> Markup {
    let pts: Vec<(Month, f64)> = points.iter().rev().take(12).rev().copied().collect();
    if pts.len() < 2 {
        return html! {};
    }
    let (w, h) = (120.0_f64, 28.0_f64);
    let (lo, hi) = pts.iter().fold((f64::MAX, f64::MIN), |(lo, hi), (_, v)| (lo.min(*v), hi.max(*v)));
    let span = if hi - lo < 1e-9 { 1.0 } else { hi - lo };
    let step = w / (pts.len() - 1) as f64;
    let path: Vec<String> =
        pts.iter().enumerate().map(|(i, (_, v))| format!("{:.1},{:.1}", i as f64 * step, h - 2.0 - (v - lo) / span * (h - 4.0))).collect();
    html! {
        svg class="app-sparkline" viewBox={ "0 0 " (w) " " (h) } width="120" height="28" aria-hidden="true" focusable="false" {
            polyline class="app-sparkline__line" fill="none" points=(path.join(" ")) {}
        }
    }
}

/// A measure's values as a line over its bands (drawn as shaded ranges), with the same
/// values as a table.
pub fn measure_chart(m: &PerformanceMeasure, shown: Shown) -> Markup {
    let pts = shown.points(m);
    let id = format!("measure-{}", m.id);
    let (width, height, top, bottom, left) = (600.0_f64, 240.0_f64, 16.0_f64, 200.0_f64, 40.0_f64);
    let mut lo = pts.iter().map(|p| p.1).fold(f64::MAX, f64::min);
    let mut hi = pts.iter().map(|p| p.1).fold(f64::MIN, f64::max);
    if let Bands::Ranges { requires_improvement, outstanding, .. } = &m.bands {
        for x in [requires_improvement.from, requires_improvement.to, outstanding.from, outstanding.to].into_iter().filter(|x| !Range::is_open(*x)) {
            lo = lo.min(x);
            hi = hi.max(x);
        }
    }
    if pts.is_empty() && !matches!(m.bands, Bands::Ranges { .. }) {
        lo = 0.0;
        hi = 1.0;
    }
    let span = if hi - lo < 1e-9 { 1.0 } else { hi - lo };
    let y = |v: f64| bottom - (v - lo) / span * (bottom - top);
    let step = if pts.len() > 1 { (width - left - 10.0) / (pts.len() - 1) as f64 } else { 0.0 };
    let x = |i: usize| left + step * i as f64;
    let bands: Vec<(&str, f64, f64, &str)> = match &m.bands {
        Bands::Ranges { requires_improvement, good, outstanding, .. } => vec![
            ("Requires improvement", requires_improvement.from, requires_improvement.to, "app-chart__band--ri"),
            ("Good", good.from, good.to, "app-chart__band--good"),
            ("Outstanding", outstanding.from, outstanding.to, "app-chart__band--outstanding"),
        ],
        Bands::DirectionOnly { .. } => vec![],
    };
    let summary = match (pts.first(), pts.last()) {
        (Some((fm, fv)), Some((lm, lv))) => {
            format!("{} in {} and {} in {}; bands {}.", m.show(*fv), fm.label(), m.show(*lv), lm.label(), m.bands.describe())
        }
        _ => "No values yet.".into(),
    };
    html! {
        figure class="app-chart" {
            figcaption class="app-heading-s" { (m.title) }
            svg viewBox={ "0 0 " (width) " " (height) } role="img" aria-labelledby={ (id) "-title " (id) "-desc" } focusable="false" {
                title id={ (id) "-title" } { (m.title) }
                desc id={ (id) "-desc" } { (summary) }
                @for (_, a, b, class) in &bands {
                    @let (y1, y2) = (y(a.max(*b).min(hi)), y(a.min(*b).max(lo)));
                    rect class={ "app-chart__band " (class) } x=(left) y=(format!("{y1:.1}")) width=(width - left) height=(format!("{:.1}", (y2 - y1).max(1.0))) {}
                }
                line class="app-chart__axis" x1=(left) y1=(bottom) x2=(width) y2=(bottom) {}
                @if pts.len() > 1 {
                    polyline class="app-chart__line" fill="none" points=(pts.iter().enumerate().map(|(i, (_, v))| format!("{:.1},{:.1}", x(i), y(*v))).collect::<Vec<_>>().join(" ")) {}
                }
                @for (i, (mo, v)) in pts.iter().enumerate() {
                    circle class="app-chart__point" cx=(format!("{:.1}", x(i))) cy=(format!("{:.1}", y(*v))) r="3" {}
                    @if i == 0 || i + 1 == pts.len() || pts.len() <= 8 {
                        text class="app-chart__label" x=(format!("{:.1}", x(i))) y=(format!("{:.1}", bottom + 16.0)) text-anchor="middle" { (mo.first_day().format("%b %y")) }
                    }
                }
            }
        }
    }
}

fn values_table(m: &PerformanceMeasure, shown: Shown) -> Markup {
    html! {
        (ui::scroll_table(&format!("Values of {}", m.title), html! {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--m" { "Values" }
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Month" }
                    th class="app-table__header app-table__header--numeric" scope="col" { "Value" }
                    th class="app-table__header" scope="col" { "Band" }
                    th class="app-table__header" scope="col" { "Source" }
                } }
                tbody class="app-table__body" {
                    @if m.values.is_empty() { tr class="app-table__row" { td class="app-table__cell" colspan="4" { "No values yet." } } }
                    @for v in m.values.iter().rev() {
                        tr class="app-table__row" {
                            th class="app-table__header" scope="row" { (v.month.label()) }
                            td class="app-table__cell app-table__cell--numeric" { (shown.value(m, v)) }
                            td class="app-table__cell" {
                                @if !shown.hides(v) {
                                    @if let Some(b) = assure_domain::scorecard::classify(&m.bands, v.value) { (ui::band_tag(b)) } @else { "No bands" }
                                }
                            }
                            td class="app-table__cell" {
                                (v.source.label())
                                @if !v.note.is_empty() { ": " (v.note) }
                                @if v.source != ValueSource::Computed { " (" (v.recorded_by) ")" }
                            }
                        }
                    }
                }
            }
        }))
    }
}

/// The scorecard table: measure, what it shows, bands, baseline, latest, band, travel, trend.
fn scorecard_table(measures: &[PerformanceMeasure], shown: Shown) -> Markup {
    html! {
        (ui::scroll_table("Performance measures", html! {
            table class="app-table" {
                caption class="app-table__caption app-table__caption--m" { "Performance measures" }
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Performance measure" }
                    th class="app-table__header" scope="col" { "Requires improvement" }
                    th class="app-table__header" scope="col" { "Good" }
                    th class="app-table__header" scope="col" { "Outstanding" }
                    th class="app-table__header" scope="col" { "Latest" }
                    th class="app-table__header" scope="col" { "Band" }
                    th class="app-table__header" scope="col" { "Direction of travel" }
                    th class="app-table__header" scope="col" { "Trend" }
                } }
                tbody class="app-table__body" {
                    @if measures.is_empty() { tr class="app-table__row" { td class="app-table__cell" colspan="8" { "No measures yet." } } }
                    @for m in measures {
                        @let pts = shown.points(m);
                        @let latest_hidden = m.values.last().is_some_and(|v| shown.hides(v));
                        @let standing = assure_domain::scorecard::standing(&m.bands, &pts);
                        @let cells = bands_cells(&m.bands);
                        tr class="app-table__row" {
                            th class="app-table__header" scope="row" {
                                a class="app-link" href={ "/scorecards/measures/" (m.id) } { (m.title) }
                                @if !m.shows.is_empty() { br; span class="app-hint" { (m.shows) } }
                            }
                            @for c in &cells { td class="app-table__cell" { (c) } }
                            td class="app-table__cell" {
                                @match m.values.last() {
                                    Some(v) => { (shown.value(m, v)) br; span class="app-hint" { (v.month.label()) } }
                                    None => "No values yet",
                                }
                            }
                            td class="app-table__cell" { @if latest_hidden { "Suppressed" } @else if let Some(b) = standing.band { (ui::band_tag(b)) } }
                            td class="app-table__cell" { @if latest_hidden { "Suppressed" } @else if let Some(t) = standing.travel { (ui::travel_tag(t)) } }
                            td class="app-table__cell" { (sparkline(&pts)) }
                        }
                    }
                }
            }
        }))
    }
}

/// "/scorecards": every scorecard, and (for those who keep the tracker) starting one.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    list_with(&state, &ctx, &Fields(vec![]), &Invalid::new(), StatusCode::OK).await
}

async fn list_with(state: &AppState, ctx: &Ctx, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let cards = state.store.scorecards().list().await?;
    let content = html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Scorecards" }
        p class="app-body" { "Performance measures with their bands (requires improvement, good, outstanding), the latest value and the direction of travel. Measures taken from the CSE dataset are updated when each month closes." }
        @if cards.is_empty() {
            p class="app-body" { "There are no scorecards yet." }
        } @else {
            ul class="app-list" {
                @for c in &cards {
                    li { a class="app-link" href={ "/scorecards/" (c.id) } { (c.title) } " — " (c.measures) " measures" }
                }
            }
        }
        @if ctx.can(Permission::KeepPlans) {
            h2 class="app-heading-m" { "Start a scorecard" }
            form method="post" action="/scorecards" novalidate {
                (ui::csrf(ctx.csrf()))
                (ui::text_input(Field::new("title", "Title", f.get("title"), errors), "app-input--width-30"))
                (ui::textarea(Field::new("purpose", "What it is for (optional)", f.get("purpose"), errors), 3))
                (ui::button("Start the scorecard"))
            }
        }
        p class="app-body" { a class="app-link" href="/plans" { "Improvement plans" } }
    };
    Ok((status, ui::layout(ctx, "Scorecards", !errors.is_empty(), content)).into_response())
}

/// POST "/scorecards".
pub async fn create(State(state): State<AppState>, ctx: Ctx, caller: Caller, f: Fields) -> PageResult {
    match state.store.scorecards().create(&caller.actor(), f.get("title"), f.get("purpose")).await {
        Ok(id) => Ok(done(&format!("/scorecards/{id}"), "scorecard-created")),
        Err(StoreError::Invalid(e)) => list_with(&state, &ctx, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}

/// "/scorecards/{id}": the scorecard, its downloads and (for those who keep the tracker)
/// adding a measure.
pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    show_with(&state, &ctx, id_of(&raw)?, &Fields(vec![]), &Invalid::new(), StatusCode::OK).await
}

async fn show_with(state: &AppState, ctx: &Ctx, id: i64, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let (card, measures) = state.store.scorecards().scorecard(id).await?;
    let shown = Shown::for_reader(state, ctx.caller().ok()).await?;
    let dataset: Vec<(String, String)> =
        state.store.datasets().measures().await?.into_iter().filter(|m| !m.police_only).map(|m| (m.slug.clone(), m.name.clone())).collect();
    let sources: Vec<(String, String)> = ValueSource::ALL.iter().map(|s| (s.slug().to_string(), s.label().to_string())).collect();
    let directions = vec![
        (String::new(), "As the bands run".to_string()),
        (Direction::HigherIsBetter.slug().to_string(), Direction::HigherIsBetter.label().to_string()),
        (Direction::LowerIsBetter.slug().to_string(), Direction::LowerIsBetter.label().to_string()),
    ];
    let content = html! {
        (ui::breadcrumbs(&[("/scorecards", "Scorecards")]))
        (ui::error_summary(errors))
        h1 class="app-heading-l" { (card.title) }
        @if !card.purpose.is_empty() { (ui::prose(&card.purpose)) }
        @if !shown.full { p class="app-body" { "Values from the CSE dataset that rest on fewer than " (shown.threshold) " records are suppressed." } }
        (scorecard_table(&measures, shown))
        h2 class="app-heading-m" { "For committee" }
        p class="app-body" {
            "The six-monthly scorecard, small numbers suppressed: "
            a class="app-link" href={ "/scorecards/" (id) "/download/docx" } { "Word document (DOCX)" } " or "
            a class="app-link" href={ "/scorecards/" (id) "/download/xlsx" } { "spreadsheet (XLSX)" } "."
        }
        @if ctx.can(Permission::KeepPlans) {
            h2 class="app-heading-m" id="import" { "Import measures and values" }
            form method="post" action={ "/scorecards/" (id) "/import?_csrf=" (ctx.csrf()) } enctype="multipart/form-data" novalidate {
                @let err = errors.for_field("file");
                div class={ "app-form-group" @if err.is_some() { " app-form-group--error" } } {
                    label class="app-label" for="file" { "The scorecard's file" }
                    div class="app-hint" id="file-hint" { "XLSX or CSV with the columns Performance measure, What does it show?, Requires improvement, Good and Outstanding, then a column for each month's values headed like Oct 2026. Measures not yet on the scorecard are added. Nothing is saved from a file with a problem." }
                    @if let Some(e) = err { p class="app-error-message" id="file-error" { span class="app-visually-hidden" { "Error: " } (e) } }
                    input class="app-file-upload" id="file" name="file" type="file" accept=".xlsx,.csv,.txt" aria-describedby={ "file-hint" @if err.is_some() { " file-error" } };
                }
                (ui::secondary_button("Import the file"))
            }
            h2 class="app-heading-m" id="add-measure" { "Add a performance measure" }
            form method="post" action={ "/scorecards/" (id) "/measures" } novalidate {
                (ui::csrf(ctx.csrf()))
                (ui::text_input(Field::new("title", "Performance measure", f.get("title"), errors), "app-input--width-30"))
                (ui::textarea(Field::new("shows", "What does it show?", f.get("shows"), errors), 2))
                (ui::text_input(Field::new("unit", "Unit (optional)", f.get("unit"), errors).hint("% for a percentage, or a word such as cases"), "app-input--width-10"))
                fieldset class="app-fieldset" {
                    legend class="app-fieldset__legend app-fieldset__legend--s" { "Bands" }
                    div class="app-hint" { "As ranges, such as 65-79, 80-89 and 90-100 (or 35-26, 25-20 and 19-10 where lower is better); or only Increase or Decrease in one of them." }
                    (ui::text_input(Field::new("requires_improvement", "Requires improvement", f.get("requires_improvement"), errors), "app-input--width-10"))
                    (ui::text_input(Field::new("good", "Good", f.get("good"), errors), "app-input--width-10"))
                    (ui::text_input(Field::new("outstanding", "Outstanding", f.get("outstanding"), errors), "app-input--width-10"))
                }
                (ui::select(Field::new("direction", "Which way is better", f.get("direction"), errors), &directions))
                (ui::text_input(Field::new("baseline", "Baseline (optional)", f.get("baseline"), errors), "app-input--width-10"))
                (ui::text_input(Field::new("target", "Target (optional)", f.get("target"), errors), "app-input--width-10"))
                (ui::radios(Field::new("source", "Where its values come from", if f.get("source").is_empty() { "entered" } else { f.get("source") }, errors), &sources, false))
                (ui::select(Field::new("dataset_measure", "CSE dataset measure (for a computed measure)", f.get("dataset_measure"), errors), &ui::options_with_blank("Choose a measure", dataset)))
                (ui::text_input(Field::new("dataset_row", "Breakdown row (optional)", f.get("dataset_row"), errors).hint("For one row of a breakdown, such as agency:Schools; empty for the measure's total"), "app-input--width-20"))
                (ui::button("Add the measure"))
            }
        }
    };
    Ok((status, ui::layout(ctx, &card.title, !errors.is_empty(), content)).into_response())
}

fn measure_input(f: &Fields) -> MeasureInput {
    MeasureInput {
        title: f.string("title"),
        shows: f.string("shows"),
        unit: f.string("unit"),
        bands: BandsInput {
            requires_improvement: f.string("requires_improvement"),
            good: f.string("good"),
            outstanding: f.string("outstanding"),
            direction: Direction::from_slug(f.get("direction")),
        },
        baseline: f.string("baseline"),
        target: f.string("target"),
        source: ValueSource::from_slug(f.get("source")),
        dataset_measure: f.string("dataset_measure"),
        dataset_row: f.string("dataset_row"),
    }
}

/// POST "/scorecards/{id}/measures".
pub async fn add_measure(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let id = id_of(&raw)?;
    match state.store.scorecards().add_measure(&caller.actor(), id, &measure_input(&f)).await {
        Ok(mid) => Ok(done(&format!("/scorecards/measures/{mid}"), "measure-added")),
        Err(StoreError::Invalid(e)) => show_with(&state, &ctx, id, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}

/// "/scorecards/measures/{id}": a measure's trend over its bands, its values with their
/// sources, and (for those who keep the tracker) entering a month's value.
pub async fn measure(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    measure_with(&state, &ctx, id_of(&raw)?, &Fields(vec![]), &Invalid::new(), StatusCode::OK).await
}

async fn measure_with(state: &AppState, ctx: &Ctx, id: i64, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let m = state.store.scorecards().measure(id).await?;
    let shown = Shown::for_reader(state, ctx.caller().ok()).await?;
    let standing = assure_domain::scorecard::standing(&m.bands, &shown.points(&m));
    let content = html! {
        (ui::breadcrumbs(&[("/scorecards", "Scorecards"), (&format!("/scorecards/{}", m.scorecard_id), &m.scorecard_title)]))
        (ui::error_summary(errors))
        h1 class="app-heading-l" { (m.title) }
        dl class="app-summary-list" {
            @if !m.shows.is_empty() { (ui::summary_row("What it shows", html! { (m.shows) })) }
            (ui::summary_row("Bands", html! { (m.bands.describe()) " (" (m.bands.direction().label().to_lowercase()) ")" }))
            (ui::summary_row("Baseline", html! { (m.baseline.map(|b| m.show(b)).unwrap_or_else(|| "Not set".into())) }))
            (ui::summary_row("Target", html! { (m.target.map(|b| m.show(b)).unwrap_or_else(|| "Not set".into())) }))
            (ui::summary_row("Values", html! {
                (m.source.label())
                @if let Some(d) = &m.dataset { ": " (d.measure) @if let Some((dim, row)) = &d.breakdown { ", " (dim.label().to_lowercase()) " " (row) } }
            }))
            (ui::summary_row("Now", html! {
                @if let Some(b) = standing.band { (ui::band_tag(b)) " " }
                @if let Some(t) = standing.travel { (ui::travel_tag(t)) }
                @if standing.band.is_none() && standing.travel.is_none() { "Not enough values yet" }
            }))
        }
        (measure_chart(&m, shown))
        (values_table(&m, shown))
        @if ctx.can(Permission::KeepPlans) && m.source != ValueSource::Computed {
            h2 class="app-heading-m" { "Enter a month's value" }
            form method="post" action={ "/scorecards/measures/" (m.id) "/values" } novalidate {
                (ui::csrf(ctx.csrf()))
                input type="hidden" name="version" value=(m.version);
                (ui::text_input(Field::new("month", "Month", f.get("month"), errors).hint("For example, 2026-10"), "app-input--width-10"))
                (ui::text_input(Field::new("value", "Value", f.get("value"), errors), "app-input--width-10"))
                (ui::text_input(Field::new("note", "Where the value comes from", f.get("note"), errors), "app-input--width-30"))
                (ui::button("Save the value"))
            }
        }
    };
    Ok((status, ui::layout(ctx, &m.title, !errors.is_empty(), content)).into_response())
}

/// POST "/scorecards/measures/{id}/values".
pub async fn enter_value(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let id = id_of(&raw)?;
    let version = f.version()?;
    match state.store.scorecards().enter_value(&caller.actor(), id, version, Month::parse(f.get("month").trim()), f.get("value"), f.get("note")).await
    {
        Ok(()) => Ok(done(&format!("/scorecards/measures/{id}"), "measure-value-saved")),
        Err(StoreError::Invalid(e)) => measure_with(&state, &ctx, id, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}

/// The scorecard as committee reads it (small numbers always suppressed): the seed's
/// columns, then the last six months, the band now and the direction of travel.
fn committee_table(measures: &[PerformanceMeasure], threshold: i64) -> (Vec<String>, Vec<Vec<String>>) {
    let shown = Shown { full: false, threshold };
    let last = measures.iter().filter_map(|m| m.values.last().map(|v| v.month)).max();
    let months: Vec<Month> = last.map(|l| l.trailing(6)).unwrap_or_default();
    let mut headings: Vec<String> =
        ["Performance measure", "What does it show?", "Requires improvement", "Good", "Outstanding"].iter().map(|s| s.to_string()).collect();
    headings.extend(months.iter().map(|m| m.first_day().format("%b %Y").to_string()));
    headings.extend(["Band".to_string(), "Direction of travel".to_string()]);
    let rows = measures
        .iter()
        .map(|m| {
            let [ri, good, out] = bands_cells(&m.bands);
            let mut row = vec![m.title.clone(), m.shows.clone(), ri, good, out];
            for mo in &months {
                row.push(m.values.iter().find(|v| v.month == *mo).map(|v| shown.value(m, v)).unwrap_or_default());
            }
            let standing = assure_domain::scorecard::standing(&m.bands, &shown.points(m));
            if m.values.last().is_some_and(|v| shown.hides(v)) {
                row.extend(["Suppressed".to_string(), "Suppressed".to_string()]);
            } else {
                row.push(standing.band.map(|b| b.label().to_string()).unwrap_or_default());
                row.push(standing.travel.map(|t| t.label().to_string()).unwrap_or_default());
            }
            row
        })
        .collect();
    (headings, rows)
}

/// "/scorecards/{id}/download/{format}": DOCX or XLSX for committee.
pub async fn download(State(state): State<AppState>, caller: Caller, Path((raw, ext)): Path<(String, String)>) -> PageResult {
    let (card, measures) = state.store.scorecards().scorecard(id_of(&raw)?).await?;
    let threshold = state.store.datasets().threshold().await?;
    let (headings, rows) = committee_table(&measures, threshold);
    let title = card.title.clone();
    let (bytes, content_type) = match ext.as_str() {
        "docx" => {
            let intro = format!(
                "Each measure's bands, its values over the last six months, its band now and its direction of travel. Values from the CSE dataset that rest on fewer than {threshold} records are suppressed."
            );
            let parts = vec![Part::Text(intro), Part::Table(headings, rows)];
            let bytes = crate::export::rendered(move || simple(&title, "OFFICIAL", &parts)).await?;
            (bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        }
        "xlsx" => {
            let mut table = vec![headings];
            table.extend(rows);
            let bytes = crate::export::rendered(move || table_xlsx(&[("Scorecard", &table)])).await?;
            (bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        }
        _ => return Err(AppError::NotFound),
    };
    state
        .store
        .record(
            &caller.actor(),
            assure_storage::audit::Event::new("scorecard.download", "scorecard", card.id, format!("\"{}\" downloaded as {ext}", card.title)),
        )
        .await?;
    let stem: String = card.title.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let disposition = format!("attachment; filename=\"{stem}.{ext}\"");
    Ok(([(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}

/// POST "/scorecards/{id}/import": measures and values from the scorecard's sheet, all
/// or nothing, every problem by row and column.
pub async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    caller: Caller,
    Path(raw): Path<String>,
    mut mp: axum::extract::Multipart,
) -> PageResult {
    let id = id_of(&raw)?;
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Ok(Some(field)) = mp.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_string();
            match field.bytes().await {
                Ok(b) if !b.is_empty() => file = Some((name, b.to_vec())),
                Ok(_) => {}
                Err(_) => {
                    let e = Invalid::single("file", "The file is too big");
                    return show_with(&state, &ctx, id, &Fields(vec![]), &e, StatusCode::PAYLOAD_TOO_LARGE).await;
                }
            }
        }
    }
    let Some((name, bytes)) = file else {
        return show_with(
            &state,
            &ctx,
            id,
            &Fields(vec![]),
            &Invalid::single("file", "Choose the scorecard's XLSX or CSV file"),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let read_name = name.clone();
    let table = tokio::task::spawn_blocking(move || assure_documents::read::read_table(&bytes, &read_name))
        .await
        .map_err(|e| AppError::Internal(format!("reading stopped: {e}")))?;
    let rows = match table
        .map_err(|e| vec![e.to_string()])
        .and_then(|t| assure_domain::scorecard::read_scorecard_sheet(&t).map_err(|e| e.into_iter().map(|c| c.message).collect()))
    {
        Ok(rows) => rows,
        Err(messages) => {
            let e = Invalid { errors: messages.into_iter().map(|m| assure_domain::FieldError { field: "file".into(), message: m }).collect() };
            return show_with(&state, &ctx, id, &Fields(vec![]), &e, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    match state.store.scorecards().import_sheet(&caller.actor(), id, &rows, &crate::evidence::safe_name(&name)).await {
        Ok(_) => Ok(done(&format!("/scorecards/{id}"), "scorecard-imported")),
        Err(StoreError::Invalid(e)) => show_with(&state, &ctx, id, &Fields(vec![]), &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}
