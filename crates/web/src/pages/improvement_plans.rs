//! Improvement plans, statements of action and strategies ("/plans"): a plan's version
//! with its objectives, areas (what good looks like) and actions (Ref | Action |
//! Progress / review date | Lead | Update commentary, RAG and the outcome each must
//! move); earlier versions; re-drafting from a sheet whose Lineage column says where
//! each action came from; the side-by-side cross-reference of any two versions, as a
//! page and a DOCX appendix; an action's page, where its lead officer updates it beside
//! the measures it must move.

use std::collections::BTreeMap;

use assure_documents::docx::{simple, Part};
use assure_documents::read::read_table;
use assure_domain::datasets::Month;
use assure_domain::import::CellError;
use assure_domain::improvement_plan::{read_sheet, CrossRow, Due, PlanKind};
use assure_domain::scorecard::Outcome;
use assure_domain::tracker::Rag;
use assure_domain::{Invalid, Permission};
use assure_storage::improvement_plans::{ActionUpdateInput, ImprovementPlanAction, ImprovementPlanVersion};
use assure_storage::scorecards::{Linked, PerformanceMeasure};
use assure_storage::StoreError;
use axum::extract::{Multipart, Path, Query, State};
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

/// A multipart form: its text fields and its file (name, bytes).
async fn read_multipart(mut mp: Multipart) -> Result<(Fields, Option<(String, Vec<u8>)>), Invalid> {
    let limit = assure_documents::read::MAX_BYTES / (1024 * 1024);
    let too_big = || Invalid::single("file", format!("The file is too big: it must be smaller than {limit} MB"));
    let mut fields = Vec::new();
    let mut file = None;
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                if name == "file" {
                    let file_name = field.file_name().unwrap_or("").to_string();
                    let bytes = field.bytes().await.map_err(|_| too_big())?;
                    if !file_name.is_empty() || !bytes.is_empty() {
                        file = Some((file_name, bytes.to_vec()));
                    }
                } else {
                    fields.push((name, field.text().await.map_err(|_| too_big())?));
                }
            }
            Ok(None) => break,
            Err(_) => return Err(too_big()),
        }
    }
    Ok((Fields(fields), file))
}

/// Read an uploaded plan sheet: the problems by row and column, or the draft.
async fn read_upload(file: Option<(String, Vec<u8>)>) -> Result<assure_domain::improvement_plan::PlanDraft, (Invalid, Vec<CellError>)> {
    let Some((name, bytes)) = file else {
        return Err((Invalid::single("file", "Choose the plan's XLSX or CSV file"), Vec::new()));
    };
    let table = tokio::task::spawn_blocking(move || read_table(&bytes, &name))
        .await
        .map_err(|_| (Invalid::single("file", "The file could not be read"), Vec::new()))?
        .map_err(|e| (Invalid::single("file", e.to_string()), Vec::new()))?;
    read_sheet(&table).map_err(|rows| {
        (Invalid::single("file", format!("The file has {} problems: nothing was saved. Correct them and upload it again.", rows.len())), rows)
    })
}

fn row_errors(rows: &[CellError]) -> Markup {
    html! {
        @if !rows.is_empty() {
            h2 class="app-heading-m" { "Problems in the file" }
            ul class="app-list app-list--bullet" { @for e in rows { li { (e.message) } } }
        }
    }
}

fn kinds() -> Vec<(String, String)> {
    PlanKind::ALL.iter().map(|k| (k.slug().to_string(), k.label().to_string())).collect()
}

const LAYOUT_HINT: &str = "XLSX or CSV with the columns Ref, Action, Progress / review date, Lead and Update commentary (What good looks like, RAG and Lineage if you have them). Refs such as 1 for an objective, 1.1 for an area and 1.1.7 for an action.";

/// "/plans": every plan, and (for those who keep the tracker) importing one.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    list_with(&state, &ctx, &Fields(vec![]), &Invalid::new(), &[], StatusCode::OK).await
}

async fn list_with(state: &AppState, ctx: &Ctx, f: &Fields, errors: &Invalid, rows: &[CellError], status: StatusCode) -> PageResult {
    let plans = state.store.improvement_plans().list().await?;
    let content = html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Improvement plans" }
        p class="app-body" { "Improvement plans, statements of action and strategies, each in its versions. Every action shows the measures it must move, so members see whether the outcome moved as well as whether the work was done." }
        p class="app-body" { a class="app-link" href="/scorecards" { "See the scorecards" } " of those measures against their bands." }
        @if plans.is_empty() {
            p class="app-body" { "There are no plans yet." }
        } @else {
            (ui::scroll_table("Plans", html! {
                table class="app-table" {
                    caption class="app-table__caption app-table__caption--m" { "Plans" }
                    thead class="app-table__head" { tr class="app-table__row" {
                        th class="app-table__header" scope="col" { "ImprovementPlan" }
                        th class="app-table__header" scope="col" { "Kind" }
                        th class="app-table__header app-table__header--numeric" scope="col" { "Version" }
                        th class="app-table__header app-table__header--numeric" scope="col" { "Actions" }
                        th class="app-table__header app-table__header--numeric" scope="col" { "Completed" }
                        th class="app-table__header app-table__header--numeric" scope="col" { "Red" }
                    } }
                    tbody class="app-table__body" {
                        @for p in &plans {
                            tr class="app-table__row" {
                                td class="app-table__cell" { a class="app-link" href={ "/plans/" (p.id) } { (p.title) } }
                                td class="app-table__cell" { (p.kind.label()) }
                                td class="app-table__cell app-table__cell--numeric" { (p.latest) }
                                td class="app-table__cell app-table__cell--numeric" { (p.actions) }
                                td class="app-table__cell app-table__cell--numeric" { (p.completed) }
                                td class="app-table__cell app-table__cell--numeric" { (p.red) }
                            }
                        }
                    }
                }
            }))
        }
        @if ctx.can(Permission::KeepPlans) {
            h2 class="app-heading-m" { "Import a plan" }
            (row_errors(rows))
            form method="post" action={ "/plans?_csrf=" (ctx.csrf()) } enctype="multipart/form-data" novalidate {
                (ui::text_input(Field::new("title", "Title", f.get("title"), errors), "app-input--width-30"))
                (ui::radios(Field::new("kind", "What it is", if f.get("kind").is_empty() { "improvement-plan" } else { f.get("kind") }, errors), &kinds(), false))
                (file_input(errors))
                (ui::button("Import the plan"))
            }
        }
    };
    Ok((status, ui::layout(ctx, "Improvement plans", !errors.is_empty(), content)).into_response())
}

fn file_input(errors: &Invalid) -> Markup {
    let err = errors.for_field("file");
    html! {
        div class={ "app-form-group" @if err.is_some() { " app-form-group--error" } } {
            label class="app-label" for="file" { "The plan's file" }
            div class="app-hint" id="file-hint" { (LAYOUT_HINT) }
            @if let Some(e) = err { p class="app-error-message" id="file-error" { span class="app-visually-hidden" { "Error: " } (e) } }
            input class="app-file-upload" id="file" name="file" type="file" accept=".xlsx,.csv,.txt" aria-describedby={ "file-hint" @if err.is_some() { " file-error" } };
        }
    }
}

/// POST "/plans": a new plan from its sheet, all or nothing.
pub async fn import(State(state): State<AppState>, ctx: Ctx, caller: Caller, mp: Multipart) -> PageResult {
    let (f, file) = match read_multipart(mp).await {
        Ok(x) => x,
        Err(e) => return list_with(&state, &ctx, &Fields(vec![]), &e, &[], StatusCode::PAYLOAD_TOO_LARGE).await,
    };
    let mut errors = Invalid::new();
    let kind = PlanKind::from_slug(f.get("kind"));
    if kind.is_none() {
        errors.add("kind", "Select what the plan is");
    }
    let draft = match read_upload(file).await {
        Ok(d) => Some(d),
        Err((e, rows)) => {
            if f.get("title").trim().is_empty() {
                errors.add("title", "Enter the plan's title, such as Children's services improvement plan");
            }
            errors.absorb(e);
            return list_with(&state, &ctx, &f, &errors.ordered(&["title", "kind", "file"]), &rows, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let (Some(kind), Some(draft)) = (kind, draft) else {
        return list_with(&state, &ctx, &f, &errors, &[], StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    match state.store.improvement_plans().create(&caller.actor(), f.get("title"), kind, &draft).await {
        Ok(id) => Ok(done(&format!("/plans/{id}"), "plan-imported")),
        Err(StoreError::Invalid(e)) => list_with(&state, &ctx, &f, &e, &[], StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}

/// "/plans/{id}": the version in force.
pub async fn show(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>) -> PageResult {
    let id = id_of(&raw)?;
    let plan = state.store.improvement_plans().plan(id).await?;
    version_with(&state, &ctx, id, plan.latest(), &Fields(vec![]), &Invalid::new(), &[], StatusCode::OK).await
}

/// "/plans/{id}/versions/{n}": one version as it was agreed.
pub async fn version(State(state): State<AppState>, ctx: Ctx, Path((raw, n)): Path<(String, String)>) -> PageResult {
    version_with(&state, &ctx, id_of(&raw)?, id_of(&n)?, &Fields(vec![]), &Invalid::new(), &[], StatusCode::OK).await
}

/// Each action's outcomes (two statements for the whole version).
async fn outcomes_of(
    state: &AppState,
    ctx: &Ctx,
    actions: &[ImprovementPlanAction],
) -> Result<BTreeMap<Linked, Vec<(PerformanceMeasure, Outcome)>>, AppError> {
    let keys: Vec<Linked> = actions.iter().map(|a| Linked::PlanAction(a.id)).collect();
    let shown = crate::pages::scorecards::Shown::for_reader(state, ctx.caller().ok()).await?;
    Ok(state.store.scorecards().outcomes(&keys, None, shown.suppress_below()).await?)
}

fn outcome_lines(list: Option<&Vec<(PerformanceMeasure, Outcome)>>) -> Markup {
    html! {
        @match list {
            None => span class="app-hint" { "No measure named" },
            Some(list) => {
                @for (m, o) in list {
                    p class="app-body-s" {
                        a class="app-link" href={ "/scorecards/measures/" (m.id) } { (o.describe()) }
                    }
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn version_with(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    number: i64,
    f: &Fields,
    errors: &Invalid,
    rows: &[CellError],
    status: StatusCode,
) -> PageResult {
    let v = state.store.improvement_plans().version(id, number).await?;
    let outcomes = outcomes_of(state, ctx, &v.actions).await?;
    let latest = v.plan.latest();
    let versions: Vec<(String, String)> = v.plan.versions.iter().map(|x| (x.number.to_string(), format!("Version {}", x.number))).collect();
    let info = v.plan.versions.iter().find(|x| x.number == number);
    let content = html! {
        (ui::breadcrumbs(&[("/plans", "Improvement plans")]))
        (ui::error_summary(errors))
        span class="app-caption-l" { (v.plan.kind.label()) }
        h1 class="app-heading-l" { (v.plan.title) }
        p class="app-body" {
            "Version " (number) " of " (latest)
            @if let Some(i) = info { ", " (ui::when(&i.created_at)) @if !i.note.is_empty() { ": " (i.note) } }
            @if number != latest { ". " a class="app-link" href={ "/plans/" (id) } { "See the version in force" } }
        }
        p class="app-body" { a class="app-link" href={ "/plans/" (id) "/versions/" (number) "/docx" } { "Download this version with its outcomes (DOCX)" } }
        (plan_body(&v, &outcomes))
        @if latest > 1 {
            h2 class="app-heading-m" id="cross-reference" { "Compare versions" }
            form method="get" action={ "/plans/" (id) "/cross-reference" } novalidate {
                (ui::select(Field::new("from", "Earlier version", &(latest - 1).to_string(), errors), &versions))
                (ui::select(Field::new("to", "Later version", &latest.to_string(), errors), &versions))
                (ui::button("Show the cross-reference"))
            }
        }
        @if latest > 1 {
            h2 class="app-heading-m" { "Versions" }
            ul class="app-list" {
                @for x in &v.plan.versions {
                    li { a class="app-link" href={ "/plans/" (id) "/versions/" (x.number) } { "Version " (x.number) } " — " (ui::when(&x.created_at)) @if !x.note.is_empty() { ": " (x.note) } }
                }
            }
        }
        @if ctx.can(Permission::KeepPlans) {
            h2 class="app-heading-m" id="redraft" { "Re-draft the plan" }
            p class="app-body" { "Upload the new version. Its Lineage column says where each action came from: New, Replaces 1.1.7, Split from 1.1.7, Merged from 1.1.7, 1.1.8 — and a row for each action not carried forward, Dropped: and why." }
            (row_errors(rows))
            form method="post" action={ "/plans/" (id) "/versions?_csrf=" (ctx.csrf()) } enctype="multipart/form-data" novalidate {
                (ui::textarea(Field::new("note", "Why it was re-drafted", f.get("note"), errors), 2))
                (file_input(errors))
                (ui::button("Save the new version"))
            }
        }
    };
    Ok((status, ui::layout(ctx, &v.plan.title, !errors.is_empty(), content)).into_response())
}

fn plan_body(v: &ImprovementPlanVersion, outcomes: &BTreeMap<Linked, Vec<(PerformanceMeasure, Outcome)>>) -> Markup {
    html! {
        @for h in &v.headings {
            @if h.objective {
                h2 class="app-heading-m" { (h.r#ref) " " (h.title) }
            } @else {
                h3 class="app-heading-s" { (h.r#ref) " " (h.title) }
                @if !h.good.is_empty() { p class="app-body" { strong { "What good looks like: " } (h.good) } }
                @let actions: Vec<&ImprovementPlanAction> = v.actions.iter().filter(|a| a.area_ref == h.r#ref).collect();
                @if !actions.is_empty() {
                    (ui::scroll_table(&format!("Actions of {}", h.r#ref), html! {
                        table class="app-table" {
                            caption class="app-table__caption app-visually-hidden" { "Actions of " (h.r#ref) }
                            thead class="app-table__head" { tr class="app-table__row" {
                                th class="app-table__header" scope="col" { "Ref" }
                                th class="app-table__header" scope="col" { "Action" }
                                th class="app-table__header" scope="col" { "Progress / review date" }
                                th class="app-table__header" scope="col" { "Lead" }
                                th class="app-table__header" scope="col" { "Update commentary" }
                                th class="app-table__header" scope="col" { "RAG" }
                                th class="app-table__header" scope="col" { "Outcome" }
                            } }
                            tbody class="app-table__body" {
                                @for a in actions {
                                    tr class="app-table__row" {
                                        th class="app-table__header" scope="row" { a class="app-link" href={ "/plans/" (v.plan.id) "/actions/" (a.id) } { (a.r#ref) } }
                                        td class="app-table__cell" {
                                            (a.text)
                                            @if let Some(k) = a.lineage { br; span class="app-hint" { (k.label()) @if !a.from.is_empty() { " " (a.from.join(", ")) } } }
                                        }
                                        td class="app-table__cell" { (a.due_text()) }
                                        td class="app-table__cell" { (a.leads) }
                                        td class="app-table__cell" {
                                            @match a.commentary.last() {
                                                Some(c) => { @if let Some(d) = c.written_on { strong { (assure_domain::dates::long(d)) ": " } } (c.text) }
                                                None => span class="app-hint" { "No update yet" },
                                            }
                                        }
                                        td class="app-table__cell" { (ui::rag_tag(a.rag)) }
                                        td class="app-table__cell" { (outcome_lines(outcomes.get(&Linked::PlanAction(a.id)))) }
                                    }
                                }
                            }
                        }
                    }))
                }
            }
        }
        @if !v.dropped.is_empty() {
            h2 class="app-heading-m" { "Dropped from the version before" }
            ul class="app-list app-list--bullet" { @for d in &v.dropped { li { strong { (d.action) } ": " (d.reason) } } }
        }
    }
}

/// POST "/plans/{id}/versions": a re-draft from its sheet, its lineage checked, all or nothing.
pub async fn redraft(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, mp: Multipart) -> PageResult {
    let id = id_of(&raw)?;
    let latest = state.store.improvement_plans().plan(id).await?.latest();
    let (f, file) = match read_multipart(mp).await {
        Ok(x) => x,
        Err(e) => return version_with(&state, &ctx, id, latest, &Fields(vec![]), &e, &[], StatusCode::PAYLOAD_TOO_LARGE).await,
    };
    let draft = match read_upload(file).await {
        Ok(d) => d,
        Err((e, rows)) => return version_with(&state, &ctx, id, latest, &f, &e, &rows, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    match state.store.improvement_plans().redraft(&caller.actor(), id, f.get("note"), &draft).await {
        Ok(n) => Ok(done(&format!("/plans/{id}/cross-reference?from={}&to={n}", n - 1), "plan-redrafted")),
        Err(StoreError::Invalid(e)) => {
            // Lineage problems name actions; the page shows them against the file.
            let rows: Vec<CellError> = e.errors.iter().map(|x| CellError { row: 0, column: x.field.clone(), message: x.message.clone() }).collect();
            let summary = Invalid::single(
                if e.for_field("note").is_some() { "note" } else { "file" },
                e.for_field("note")
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("The new version's lineage has {} problems: nothing was saved", rows.len())),
            );
            version_with(&state, &ctx, id, latest, &f, &summary, &rows, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct Between {
    from: Option<String>,
    to: Option<String>,
}

fn between(q: &Between, latest: i64) -> (i64, i64) {
    let to = q.to.as_deref().and_then(|s| s.parse().ok()).unwrap_or(latest);
    let from = q.from.as_deref().and_then(|s| s.parse().ok()).unwrap_or(to - 1);
    (from, to)
}

fn cross_table(rows: &[CrossRow]) -> (Vec<String>, Vec<Vec<String>>) {
    let headings = ["Earlier version", "What became of it", "Later version", "Why dropped"].iter().map(|s| s.to_string()).collect();
    let rows = rows
        .iter()
        .map(|r| {
            vec![
                r.old.iter().map(|a| format!("{} {}", a.r#ref, a.text)).collect::<Vec<_>>().join("\n"),
                r.became().to_string(),
                r.new.as_ref().map(|a| format!("{} {}", a.r#ref, a.text)).unwrap_or_default(),
                r.reason.clone(),
            ]
        })
        .collect();
    (headings, rows)
}

/// "/plans/{id}/cross-reference?from=&to=": the side-by-side view of two versions.
pub async fn cross_reference(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>, Query(q): Query<Between>) -> PageResult {
    let id = id_of(&raw)?;
    let plan = state.store.improvement_plans().plan(id).await?;
    let (from, to) = between(&q, plan.latest());
    let (old, new, rows) = state.store.improvement_plans().cross_reference(id, from, to).await?;
    let content = html! {
        (ui::breadcrumbs(&[("/plans", "Improvement plans"), (&format!("/plans/{id}"), &plan.title)]))
        h1 class="app-heading-l" { "Version " (from) " and version " (to) ": cross-reference" }
        p class="app-body" { "Each action of version " (from) " of " (plan.title) " beside what became of it in version " (to) " — replaced, split, merged or dropped, and why — then the actions that are new." }
        p class="app-body" { a class="app-link" href={ "/plans/" (id) "/cross-reference/docx?from=" (from) "&to=" (to) } { "Download the cross-reference (DOCX)" } }
        (ui::scroll_table("Cross-reference", html! {
            table class="app-table" {
                caption class="app-table__caption app-visually-hidden" { "Cross-reference of version " (from) " and version " (to) }
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Version " (from) }
                    th class="app-table__header" scope="col" { "What became of it" }
                    th class="app-table__header" scope="col" { "Version " (to) }
                    th class="app-table__header" scope="col" { "Why dropped" }
                } }
                tbody class="app-table__body" {
                    @for r in &rows {
                        tr class="app-table__row" {
                            td class="app-table__cell" { @for a in &r.old { p class="app-body-s" { strong { (a.r#ref) } " " (a.text) } } }
                            td class="app-table__cell" { (r.became()) }
                            td class="app-table__cell" { @if let Some(a) = &r.new { p class="app-body-s" { strong { (a.r#ref) } " " (a.text) } } }
                            td class="app-table__cell" { (r.reason) }
                        }
                    }
                }
            }
        }))
        p class="app-body" { (old.actions.len()) " actions in version " (from) "; " (new.actions.len()) " in version " (to) "." }
    };
    Ok(ui::layout(&ctx, &format!("{}: cross-reference", plan.title), false, content).into_response())
}

/// The cross-reference of two versions as a DOCX appendix for committee papers.
pub fn cross_reference_document(plan_title: &str, from: i64, to: i64, rows: &[CrossRow]) -> Result<Vec<u8>, assure_documents::DocumentError> {
    let (headings, table) = cross_table(rows);
    let title = format!("{plan_title}: cross-reference of version {from} and version {to}");
    let intro = format!(
        "Appendix. Each action of version {from} beside what became of it in version {to} (replaced, split, merged or dropped, with the reason), then the actions new in version {to}."
    );
    simple(&title, "OFFICIAL", &[Part::Text(intro), Part::Table(headings, table)])
}

/// "/plans/{id}/cross-reference/docx": the same, as an appendix for committee papers.
pub async fn cross_reference_docx(State(state): State<AppState>, caller: Caller, Path(raw): Path<String>, Query(q): Query<Between>) -> PageResult {
    let id = id_of(&raw)?;
    let plan = state.store.improvement_plans().plan(id).await?;
    let (from, to) = between(&q, plan.latest());
    let (_, _, rows) = state.store.improvement_plans().cross_reference(id, from, to).await?;
    let plan_title = plan.title.clone();
    let bytes = crate::export::rendered(move || cross_reference_document(&plan_title, from, to, &rows)).await?;
    state
        .store
        .record(
            &caller.actor(),
            assure_storage::audit::Event::new("plan.cross-reference", "improvement_plan", id, format!("versions {from} and {to} downloaded")),
        )
        .await?;
    let disposition = format!("attachment; filename=\"plan-{id}-versions-{from}-{to}.docx\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.wordprocessingml.document".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// "/plans/{id}/actions/{action}": an action, its commentary, the measures it must move
/// (each from the month it was agreed, against its bands), and its lead officer's update.
pub async fn action(State(state): State<AppState>, ctx: Ctx, Path((raw, aid)): Path<(String, String)>) -> PageResult {
    action_with(&state, &ctx, id_of(&raw)?, id_of(&aid)?, &Fields(vec![]), &Invalid::new(), StatusCode::OK).await
}

async fn action_with(state: &AppState, ctx: &Ctx, plan_id: i64, id: i64, f: &Fields, errors: &Invalid, status: StatusCode) -> PageResult {
    let a = state.store.improvement_plans().action(id).await?;
    if a.plan_id != plan_id {
        return Err(AppError::NotFound);
    }
    let plan = state.store.improvement_plans().plan(plan_id).await?;
    let shown = crate::pages::scorecards::Shown::for_reader(state, ctx.caller().ok()).await?;
    let outcomes = state.store.scorecards().outcomes(&[Linked::PlanAction(id)], None, shown.suppress_below()).await?;
    let linked = outcomes.get(&Linked::PlanAction(id));
    let in_force = a.version_number == plan.latest();
    let dues: Vec<(String, String)> = Due::ALL.iter().map(|d| (d.slug().to_string(), d.label().to_string())).collect();
    let rags: Vec<(String, String)> = std::iter::once((String::new(), "Not rated".to_string()))
        .chain(Rag::ALL.iter().map(|r| (r.slug().to_string(), r.label().to_string())))
        .collect();
    let measures = state.store.scorecards().all_measures().await?;
    let due_value = if f.get("due").is_empty() { a.due.slug() } else { f.get("due") };
    let review_value = if f.0.is_empty() { a.review_on.map(|d| d.to_string()).unwrap_or_default() } else { f.string("review_on") };
    let rag_value = if f.0.is_empty() { a.rag.map(|r| r.slug().to_string()).unwrap_or_default() } else { f.string("rag") };
    let content = html! {
        (ui::breadcrumbs(&[("/plans", "Improvement plans"), (&format!("/plans/{plan_id}/versions/{}", a.version_number), &plan.title)]))
        (ui::error_summary(errors))
        span class="app-caption-l" { (plan.title) ", version " (a.version_number) }
        h1 class="app-heading-l" { "Action " (a.r#ref) }
        p class="app-body-l" { (a.text) }
        dl class="app-summary-list" {
            (ui::summary_row("Progress / review date", html! { (a.due_text()) }))
            (ui::summary_row("Lead", html! { (a.leads) }))
            (ui::summary_row("RAG", ui::rag_tag(a.rag)))
            @if let Some(k) = a.lineage { (ui::summary_row("Came from", html! { (k.label()) " " (a.from.join(", ")) })) }
        }
        h2 class="app-heading-m" { "The outcome it must move" }
        @match linked {
            None => p class="app-body" { "No measure is named for this action yet." },
            Some(list) => {
                @for (m, o) in list {
                    p class="app-body" {
                        (o.describe()) " "
                        @if let Some(b) = o.band { (ui::band_tag(b)) " " }
                        @if let Some(t) = o.travel { (ui::travel_tag(t)) }
                    }
                    (crate::pages::scorecards::measure_chart(m, shown))
                    p class="app-body" { a class="app-link" href={ "/scorecards/measures/" (m.id) } { "All values of " (m.title) } }
                }
            }
        }
        @if ctx.can(Permission::KeepPlans) && !measures.is_empty() {
            form method="post" action={ "/plans/" (plan_id) "/actions/" (id) "/measures" } novalidate {
                (ui::csrf(ctx.csrf()))
                (ui::select(Field::new("measure_id", "Name a measure it must move", f.get("measure_id"), errors), &ui::options_with_blank("Choose a measure", measures.iter().map(|m| (m.id.to_string(), format!("{} ({})", m.title, m.scorecard_title))))))
                (ui::secondary_button("Link the measure"))
            }
        }
        h2 class="app-heading-m" { "Update commentary" }
        @if a.commentary.is_empty() { p class="app-body" { "No update yet." } }
        @for c in a.commentary.iter().rev() {
            div class="app-update" {
                p class="app-body" { strong { (c.written_on.map(assure_domain::dates::long).unwrap_or_else(|| "Undated".into())) } " — " (c.author) }
                (ui::prose(&c.text))
            }
        }
        @if in_force && ctx.can(Permission::UpdatePlanActions) {
            h2 class="app-heading-m" id="update" { "Update the action" }
            form method="post" action={ "/plans/" (plan_id) "/actions/" (id) } novalidate {
                (ui::csrf(ctx.csrf()))
                input type="hidden" name="version" value=(a.version);
                (ui::textarea(Field::new("commentary", "Update", f.get("commentary"), errors).hint("What has been done since the last update, and what it has changed"), 5))
                (ui::radios(Field::new("due", "Progress / review date", due_value, errors), &dues, true))
                (ui::date_text_input(Field::new("review_on", "Review date", &review_value, errors).hint("For example, 31 March 2027 (for a review date, or the date it was completed)")))
                (ui::select(Field::new("rag", "RAG", &rag_value, errors), &rags))
                (ui::button("Save the update"))
            }
        }
    };
    Ok((status, ui::layout(ctx, &format!("Action {}", a.r#ref), !errors.is_empty(), content)).into_response())
}

/// POST "/plans/{id}/actions/{action}": a lead officer's update.
pub async fn update_action(
    State(state): State<AppState>,
    ctx: Ctx,
    caller: Caller,
    Path((raw, aid)): Path<(String, String)>,
    f: Fields,
) -> PageResult {
    let (plan_id, id) = (id_of(&raw)?, id_of(&aid)?);
    let version = f.version()?;
    let mut typed = Invalid::new();
    let review_on = match f.get("review_on").trim() {
        "" => None,
        s => match assure_domain::import::parse_date(s) {
            Some((d, _)) => Some(d),
            None => {
                typed.add("review_on", "Enter the review date as a date, for example 31 March 2027");
                None
            }
        },
    };
    let rag = match f.get("rag") {
        "" => None,
        s => Some(Rag::from_slug(s).ok_or(AppError::BadRequest("unknown RAG".into()))?),
    };
    if !typed.is_empty() {
        return action_with(&state, &ctx, plan_id, id, &f, &typed, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let input = ActionUpdateInput { commentary: f.string("commentary"), due: Due::from_slug(f.get("due")), review_on, rag };
    match state.store.improvement_plans().update_action(&caller.actor(), id, version, &input).await {
        Ok(()) => Ok(done(&format!("/plans/{plan_id}/actions/{id}"), "plan-action-updated")),
        Err(StoreError::Invalid(e)) => action_with(&state, &ctx, plan_id, id, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}

/// POST "/plans/{id}/actions/{action}/measures": name a measure the action must move
/// (its baseline is the month the action's version was agreed).
pub async fn link_measure(
    State(state): State<AppState>,
    ctx: Ctx,
    caller: Caller,
    Path((raw, aid)): Path<(String, String)>,
    f: Fields,
) -> PageResult {
    let (plan_id, id) = (id_of(&raw)?, id_of(&aid)?);
    let a = state.store.improvement_plans().action(id).await?;
    let plan = state.store.improvement_plans().plan(plan_id).await?;
    let agreed = plan
        .versions
        .iter()
        .find(|v| v.number == a.version_number)
        .and_then(|v| v.created_at.get(..7).and_then(Month::parse))
        .unwrap_or(Month::of(ctx.today));
    let Some(measure) = f.opt_id("measure_id") else {
        return action_with(
            &state,
            &ctx,
            plan_id,
            id,
            &f,
            &Invalid::single("measure_id", "Choose a performance measure from the list"),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    match state.store.scorecards().link(&caller.actor(), Linked::PlanAction(id), measure, agreed).await {
        Ok(()) => Ok(done(&format!("/plans/{plan_id}/actions/{id}"), "measure-linked")),
        Err(StoreError::Invalid(e)) => action_with(&state, &ctx, plan_id, id, &f, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}

/// A version of a plan as a committee paper: each area's actions in the seed's columns
/// with the Outcome column (small numbers suppressed, as in every committee paper).
pub fn plan_document(
    v: &ImprovementPlanVersion,
    outcomes: &BTreeMap<Linked, Vec<(PerformanceMeasure, Outcome)>>,
) -> Result<Vec<u8>, assure_documents::DocumentError> {
    let mut parts = Vec::new();
    for h in &v.headings {
        if h.objective {
            parts.push(Part::Heading(format!("{} {}", h.r#ref, h.title)));
            continue;
        }
        parts.push(Part::Subheading(format!("{} {}", h.r#ref, h.title).trim().to_string()));
        if !h.good.is_empty() {
            parts.push(Part::Text(format!("What good looks like: {}", h.good)));
        }
        let rows: Vec<Vec<String>> = v
            .actions
            .iter()
            .filter(|a| a.area_ref == h.r#ref)
            .map(|a| {
                vec![
                    a.r#ref.clone(),
                    a.text.clone(),
                    a.due_text(),
                    a.leads.clone(),
                    a.commentary
                        .iter()
                        .map(|c| format!("{}{}", c.written_on.map(|d| format!("{}: ", assure_domain::dates::long(d))).unwrap_or_default(), c.text))
                        .collect::<Vec<_>>()
                        .join("\n"),
                    assure_domain::tracker::rag_words(a.rag, false),
                    outcomes
                        .get(&Linked::PlanAction(a.id))
                        .map(|l| l.iter().map(|(_, o)| o.describe()).collect::<Vec<_>>().join("\n"))
                        .unwrap_or_default(),
                ]
            })
            .collect();
        let headings =
            ["Ref", "Action", "Progress / review date", "Lead", "Update commentary", "RAG", "Outcome"].iter().map(|s| s.to_string()).collect();
        parts.push(Part::Table(headings, rows));
    }
    if !v.dropped.is_empty() {
        parts.push(Part::Heading("Dropped from the version before".into()));
        parts.push(Part::Text(v.dropped.iter().map(|d| format!("{}: {}", d.action, d.reason)).collect::<Vec<_>>().join("\n")));
    }
    simple(&format!("{}, version {}", v.plan.title, v.number), "OFFICIAL", &parts)
}

/// "/plans/{id}/versions/{n}/docx": a version of a plan with its outcomes, for committee.
pub async fn version_docx(State(state): State<AppState>, caller: Caller, Path((raw, n)): Path<(String, String)>) -> PageResult {
    let (id, number) = (id_of(&raw)?, id_of(&n)?);
    let v = state.store.improvement_plans().version(id, number).await?;
    let keys: Vec<Linked> = v.actions.iter().map(|a| Linked::PlanAction(a.id)).collect();
    let threshold = state.store.datasets().threshold().await?;
    let outcomes = state.store.scorecards().outcomes(&keys, None, Some(threshold)).await?;
    let bytes = crate::export::rendered(move || plan_document(&v, &outcomes)).await?;
    state
        .store
        .record(
            &caller.actor(),
            assure_storage::audit::Event::new("plan.download", "improvement_plan", id, format!("version {number} downloaded as DOCX")),
        )
        .await?;
    let disposition = format!("attachment; filename=\"plan-{id}-version-{number}.docx\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.wordprocessingml.document".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
