//! Importing an existing tracker: upload an XLSX or CSV, map its columns to fields
//! (or apply a saved preset), preview with every problem listed by row and column,
//! then add all rows or none. Also the register's export.

use assure_documents::read::read_table;
use assure_domain::import::{
    check_preset, check_upload, guess_header_row, headings, plan, suggest_mapping, validate_mapping, CellError, ImportField, ImportPlan, Mapping,
    Preset,
};
use assure_domain::{Checked, Invalid};
use assure_storage::imports::{CommitOptions, ImportBatch, InPlace, OnExisting};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use maud::{html, Markup};
use serde::Deserialize;

use super::id;
use crate::auth::Caller;
use crate::error::{AppError, PageResult};
use crate::forms::{done, Fields};
use crate::ui::{self, Ctx, Field};
use crate::AppState;

async fn upload_page(state: &AppState, ctx: &Ctx, errors: &Invalid, status: StatusCode) -> PageResult {
    let presets = state.store.imports().presets().await?;
    let content = html! {
        (ui::error_summary(errors))
        h1 class="app-heading-l" { "Import a tracker" }
        p class="app-body" { "Upload the spreadsheet your recommendations are kept in today. You will choose which column holds what, see every row before anything is saved, and then add all of them or none." }
        form method="post" action={ "/imports?_csrf=" (ctx.csrf()) } enctype="multipart/form-data" novalidate {
            div class=(if errors.for_field("file").is_some() { "app-form-group app-form-group--error" } else { "app-form-group" }) {
                label class="app-label" for="file" { "Spreadsheet (XLSX or CSV)" }
                div class="app-hint" id="file-hint" { "Up to " (assure_documents::read::MAX_BYTES / (1024 * 1024)) " MB. CSV files may be UTF-8 or Windows-1252." }
                @if let Some(m) = errors.for_field("file") { p class="app-error-message" id="file-error" { span class="app-visually-hidden" { "Error: " } (m) } }
                input class="app-file-upload" id="file" name="file" type="file" accept=".xlsx,.csv,.txt" aria-describedby={ "file-hint" @if errors.for_field("file").is_some() { " file-error" } };
            }
            (ui::button("Upload"))
        }
        h2 class="app-heading-m" { "Saved column mappings" }
        ul class="app-list app-list--bullet" {
            @for p in &presets { li { (p.name) } }
        }
        h2 class="app-heading-m" { "Export the register" }
        p class="app-body" {
            "Download every recommendation as "
            a class="app-link" href="/export/register.xlsx" { "Excel (XLSX)" } " or " a class="app-link" href="/export/register.csv" { "CSV" }
            ". The download can be imported again with the “Assure register” mapping. Filtered exports are on the recommendations list."
        }
    };
    Ok((status, ui::layout(ctx, "Import a tracker", !errors.is_empty(), content)).into_response())
}

pub async fn page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    upload_page(&state, &ctx, &Invalid::new(), StatusCode::OK).await
}

pub async fn upload(State(state): State<AppState>, ctx: Ctx, caller: Caller, mut mp: Multipart) -> PageResult {
    let limit = assure_documents::read::MAX_BYTES / (1024 * 1024);
    let too_big =
        || Invalid::single("file", format!("The file is too big: it must be smaller than {limit} MB. Split it, or remove columns you do not need."));
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => {
                if field.name() == Some("file") {
                    let name = field.file_name().unwrap_or("").to_string();
                    match field.bytes().await {
                        Ok(b) => file = Some((name, b.to_vec())),
                        Err(_) => return upload_page(&state, &ctx, &too_big(), StatusCode::PAYLOAD_TOO_LARGE).await,
                    }
                }
            }
            Ok(None) => break,
            Err(_) => return upload_page(&state, &ctx, &too_big(), StatusCode::PAYLOAD_TOO_LARGE).await,
        }
    }
    let Some((name, bytes)) = file.filter(|(n, b)| !n.is_empty() || !b.is_empty()) else {
        // No file chosen: the domain's message for an upload with no name.
        let nothing = check_upload("", Vec::new()).err().unwrap_or_default();
        return upload_page(&state, &ctx, &nothing, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let read_name = name.clone();
    let table =
        tokio::task::spawn_blocking(move || read_table(&bytes, &read_name)).await.map_err(|e| AppError::Internal(format!("reading stopped: {e}")))?;
    match table {
        Ok(t) => match check_upload(&crate::evidence::safe_name(&name), t) {
            Ok(file) => {
                let bid = state.store.imports().stage(&caller.actor(), &file).await?;
                Ok(done(&format!("/imports/{bid}"), "import-uploaded"))
            }
            Err(e) => upload_page(&state, &ctx, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        },
        Err(e) => upload_page(&state, &ctx, &Invalid::single("file", e.to_string()), StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

/// The preset the form describes (or the one named in the query, or a guess).
fn preset_from(f: &Fields, table: &assure_domain::import::Table) -> (Preset, Invalid) {
    let mut v = Invalid::new();
    let header_row = match f.get("header_row").trim() {
        "" => guess_header_row(table),
        s => match s.parse::<usize>() {
            Ok(n) if n >= 1 && n <= table.len().max(1) => n,
            _ => {
                v.add("header_row", format!("Enter the number of the row that holds the column headings, from 1 to {}", table.len().max(1)));
                1
            }
        },
    };
    let columns = ImportField::ALL.iter().filter_map(|field| {
        let h = f.get(&format!("col_{}", field.slug())).trim().to_string();
        if h.is_empty() {
            None
        } else {
            Some((*field, h))
        }
    });
    (Preset { name: f.string("preset_name").trim().to_string(), header_row, mapping: Mapping { columns: columns.collect() } }, v)
}

fn preset_fields(p: &Preset) -> Fields {
    let mut f = vec![("header_row".to_string(), p.header_row.to_string())];
    for (field, h) in &p.mapping.columns {
        f.push((format!("col_{}", field.slug()), h.clone()));
    }
    Fields(f)
}

#[derive(Deserialize, Default)]
pub struct MapQuery {
    preset: Option<String>,
}

async fn mapping_page(
    state: &AppState,
    ctx: &Ctx,
    batch: &ImportBatch,
    f: &Fields,
    errors: &Invalid,
    problems: &[CellError],
    status: StatusCode,
) -> PageResult {
    let reviews = state.store.tracker().review_titles().await?;
    let presets = state.store.imports().presets().await?;
    let header_row = f.get("header_row").parse().unwrap_or(1usize);
    let heads = headings(&batch.table, header_row);
    let head_opts = ui::options_with_blank("Not in this file", heads.iter().filter(|h| !h.is_empty()).map(|h| (h.clone(), h.clone())));
    let content = html! {
        (ui::back_link("/imports", "Back to import"))
        @if !errors.is_empty() { (ui::error_summary(errors)) }
        @if !problems.is_empty() { (problem_list(problems)) }
        span class="app-caption-l" { (batch.file_name) }
        h1 class="app-heading-l" { "Choose what each column holds" }
        p class="app-body" { (rows_read(&batch.table, header_row)) " Nothing is saved until you confirm the preview." }
        @if batch.status == "committed" {
            (ui::important_banner("Already imported", html! { p class="app-body" { "This file was imported: " (batch.committed_count.unwrap_or(0)) " recommendations were added." } }))
        }
        form method="get" action={ "/imports/" (batch.id) } {
            (ui::select(Field::new("preset", "Use a saved column mapping", "", &Invalid::new()), &ui::options_with_blank("Choose a mapping", presets.iter().map(|p| (p.name.clone(), p.name.clone())))))
            (ui::secondary_button("Apply the mapping"))
        }
        (file_preview(&batch.table, header_row))
        form method="post" action={ "/imports/" (batch.id) "/preview" } novalidate {
            (ui::csrf(ctx.csrf()))
            (ui::select(Field::new("review_id", "Review the recommendations belong to", f.get("review_id"), errors).hint("Add the review first if it is not listed"),
                &ui::options_with_blank("Select a review", reviews.iter().map(|(i, t)| (i.to_string(), t.clone())))))
            (ui::text_input(Field::new("header_row", "Row holding the column headings", f.get("header_row"), errors).hint("Rows above it, such as a title, are ignored"), "app-input--width-3"))
            fieldset class="app-fieldset" {
                legend class="app-fieldset__legend app-fieldset__legend--m" { "Columns" }
                @for field in ImportField::ALL {
                    @let name = format!("col_{}", field.slug());
                    (ui::select(Field::new(&name, field.label(), f.get(&name), errors), &head_opts))
                }
            }
            (ui::text_input(Field::new("preset_name", "Save this mapping as (optional)", f.get("preset_name"), errors).hint("Give it a name to use it again for the next file in the same layout"), "app-input--width-20"))
            (ui::button("Preview the import"))
        }
    };
    Ok((status, ui::layout(ctx, "Choose what each column holds", !errors.is_empty() || !problems.is_empty(), content)).into_response())
}

/// How many rows were read, not counting the headings and the rows above them (a title)
/// nor empty rows: "8 rows were read below the headings on row 1."
fn rows_read(table: &assure_domain::import::Table, header_row: usize) -> String {
    let n = table.iter().skip(header_row).filter(|r| r.iter().any(|c| !c.trim().is_empty())).count();
    format!("{n} row{} {} read below the headings on row {header_row}.", if n == 1 { "" } else { "s" }, if n == 1 { "was" } else { "were" })
}

fn file_preview(table: &assure_domain::import::Table, header_row: usize) -> Markup {
    let width = table.iter().map(|r| r.len()).max().unwrap_or(0).min(14);
    html! {
        h2 class="app-heading-m" { "The first rows of the file" }
        div class="app-table-wrapper" tabindex="0" role="region" aria-label="The first rows of the uploaded file" {
            table class="app-table app-table--small" {
                caption class="app-table__caption app-visually-hidden" { "The first rows of the uploaded file" }
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Row" }
                    @for c in 0..width { th class="app-table__header" scope="col" { "Column " (c + 1) } }
                } }
                tbody class="app-table__body" {
                    @for (i, row) in table.iter().take(header_row + 4).enumerate() {
                        tr class="app-table__row" {
                            th class="app-table__header" scope="row" { (i + 1) @if i + 1 == header_row { " (headings)" } }
                            @for c in 0..width { td class="app-table__cell" { (super::dashboard::truncate(row.get(c).map(String::as_str).unwrap_or(""), 80)) } }
                        }
                    }
                }
            }
        }
    }
}

/// Every problem, by row and column, in the error-summary pattern.
fn problem_list(problems: &[CellError]) -> Markup {
    html! {
        div class="app-error-summary" role="alert" tabindex="-1" data-module="app-error-summary" {
            h2 class="app-error-summary__title" { "There is a problem: nothing has been imported" }
            div class="app-error-summary__body" {
                p class="app-body" { "Correct the file (or the column choices) and try again. " (problems.len()) " problem" @if problems.len() != 1 { "s" } " found:" }
                ul class="app-list app-error-summary__list" {
                    @for p in problems.iter().take(200) { li { (p.message) } }
                    @if problems.len() > 200 { li { "and " (problems.len() - 200) " more" } }
                }
            }
        }
    }
}

pub async fn mapping(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>, Query(q): Query<MapQuery>) -> PageResult {
    let batch = state.store.imports().batch(id(&raw)?).await?;
    let preset = match q.preset.as_deref().filter(|p| !p.is_empty()) {
        // A saved mapping's heading row is found in this file.
        Some(name) => state.store.imports().preset(name).await?.fitted(&batch.table),
        None => {
            let header_row = guess_header_row(&batch.table);
            Preset { name: String::new(), header_row, mapping: suggest_mapping(&headings(&batch.table, header_row)) }
        }
    };
    mapping_page(&state, &ctx, &batch, &preset_fields(&preset), &Invalid::new(), &[], StatusCode::OK).await
}

/// What a checked import is: the review it goes into, the mapping to save under its
/// name (if one was given), the plan, and what it does with references already held.
pub struct CheckedImport {
    pub review_id: i64,
    pub preset: Option<Checked<Preset>>,
    pub plan: Checked<ImportPlan>,
    /// With no choice made: the rows whose reference the register already holds, each
    /// naming every holder. The import cannot go ahead until the user chooses.
    pub held: Vec<CellError>,
    /// The choice made about references already held.
    pub on_existing: OnExisting,
    /// When updating in place: what each matched row changes.
    pub in_place: Vec<InPlace>,
}

/// Why an import cannot go ahead: problems with the choices (by field), or with the
/// file's rows and cells.
pub enum Refusal {
    Choices(Invalid),
    Cells(Vec<CellError>),
}

/// Read the form, validate the mapping (and the name to save it under) and plan the
/// import; problems come back as a page, never a half-applied import.
async fn checked_plan(
    state: &AppState,
    ctx: &Ctx,
    batch: &ImportBatch,
    f: &Fields,
) -> Result<Result<CheckedImport, axum::response::Response>, AppError> {
    let (preset, v) = preset_from(f, &batch.table);
    match plan_import(state, batch, preset, v, f.opt_id("review_id"), ctx.today, OnExisting::from_slug(f.get("existing"))).await? {
        Ok(checked) => Ok(Ok(checked)),
        Err(Refusal::Choices(v)) => Ok(Err(mapping_page(state, ctx, batch, f, &v, &[], StatusCode::UNPROCESSABLE_ENTITY).await?)),
        Err(Refusal::Cells(cells)) => Ok(Err(mapping_page(state, ctx, batch, f, &Invalid::new(), &cells, StatusCode::UNPROCESSABLE_ENTITY).await?)),
    }
}

/// Every check an import passes before it is previewed or applied, for the page and the
/// API alike: the review, the mapping against the file's headings (`v` holds what the
/// caller already found), the name to keep the mapping under, every row's cells, and
/// the references and numbers the register already holds. References held elsewhere
/// with no choice made come back in [`CheckedImport::held`], for the caller to ask.
#[allow(clippy::too_many_arguments)]
pub async fn plan_import(
    state: &AppState,
    batch: &ImportBatch,
    preset: Preset,
    mut v: Invalid,
    review_id: Option<i64>,
    today: chrono::NaiveDate,
    on_existing: OnExisting,
) -> Result<Result<CheckedImport, Refusal>, AppError> {
    match review_id {
        None => v.add("review_id", "Select the review the recommendations belong to"),
        Some(r) if state.store.tracker().review(r).await.is_err() => v.add("review_id", "Select a review from the list"),
        _ => {}
    }
    if let Err(e) = validate_mapping(&headings(&batch.table, preset.header_row), &preset.mapping) {
        for fe in e.errors {
            let field = ImportField::ALL
                .iter()
                .find(|x| x.slug().replace('-', "_") == fe.field || x.slug() == fe.field)
                .map(|x| format!("col_{}", x.slug()))
                .unwrap_or(fe.field);
            v.add(&field, fe.message);
        }
    }
    // Saved as a preset once the import is committed: its name is checked now.
    let to_save = if preset.name.is_empty() {
        None
    } else {
        match check_preset(&preset) {
            Ok(p) => Some(p),
            Err(e) => {
                v.absorb(e);
                None
            }
        }
    };
    let Some(review_id) = review_id.filter(|_| v.is_empty()) else {
        return Ok(Err(Refusal::Choices(v)));
    };
    let plan = match plan(&batch.table, &preset, today) {
        Ok(p) => p,
        Err(problems) => return Ok(Err(Refusal::Cells(problems))),
    };
    let conflicts = state.store.imports().conflicts_with(review_id, &plan, on_existing).await?;
    // References held elsewhere are a question for the user, unless the file has other
    // problems too.
    let (held, other): (Vec<CellError>, Vec<CellError>) =
        conflicts.into_iter().partition(|c| on_existing == OnExisting::Refuse && c.column == "Reference");
    if !other.is_empty() {
        return Ok(Err(Refusal::Cells(other.into_iter().chain(held).collect())));
    }
    let in_place = match on_existing {
        OnExisting::Update => match state.store.imports().in_place(&plan, today).await? {
            Ok(v) => v,
            Err(problems) => return Ok(Err(Refusal::Cells(problems))),
        },
        _ => Vec::new(),
    };
    Ok(Ok(CheckedImport { review_id, preset: to_save, plan, held, on_existing, in_place }))
}

/// The versions the preview showed, as the commit form carries them ("id:version").
fn expected_versions(f: &Fields) -> Vec<(i64, i64)> {
    f.all("expect").iter().filter_map(|s| s.split_once(':')).filter_map(|(i, v)| Some((i.trim().parse().ok()?, v.trim().parse().ok()?))).collect()
}

/// Form fields carried from one step to the next, less those a step sets itself.
fn carried(f: &Fields, except: &[&str]) -> Markup {
    html! {
        @for (k, v) in &f.0 {
            @if k != "_csrf" && !except.contains(&k.as_str()) { input type="hidden" name=(k) value=(v); }
        }
    }
}

pub async fn preview(State(state): State<AppState>, ctx: Ctx, Path(raw): Path<String>, f: Fields) -> PageResult {
    let batch = state.store.imports().batch(id(&raw)?).await?;
    preview_page(&state, &ctx, &batch, &f, &Invalid::new(), None, StatusCode::OK).await
}

/// The preview: what the import adds, what it changes in place, the choice about
/// references held elsewhere, and saving the mapping.
#[allow(clippy::too_many_arguments)]
async fn preview_page(
    state: &AppState,
    ctx: &Ctx,
    batch: &ImportBatch,
    f: &Fields,
    save_errors: &Invalid,
    saved: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let checked = match checked_plan(state, ctx, batch, f).await? {
        Ok(p) => p,
        Err(page) => return Ok(page),
    };
    let review = state.store.tracker().review(checked.review_id).await?;
    let plan = &checked.plan;
    let updating: std::collections::HashSet<usize> = checked.in_place.iter().map(|u| u.index).collect();
    let added: Vec<&assure_domain::import::RegisterEntry> =
        plan.entries.iter().enumerate().filter(|(i, _)| !updating.contains(i)).map(|(_, e)| e).collect();
    let changed = checked.in_place.iter().filter(|u| !u.changes.is_empty()).count();
    let content = html! {
        (ui::back_link(&format!("/imports/{}", batch.id), "Back to the column choices"))
        (ui::error_summary(save_errors))
        @if let Some(name) = saved { (ui::success_banner(&format!("The column mapping was saved as “{name}”. Choose it for the next file in the same layout."))) }
        span class="app-caption-l" { (batch.file_name) }
        h1 class="app-heading-l" { "Check the import" }
        @if !checked.held.is_empty() {
            (held_choice(ctx, batch, f, &checked.held))
        } @else {
            p class="app-body" data-testid="import-summary" {
                (added.len()) " recommendation" @if added.len() != 1 { "s" } " will be added to " strong { (review.title) } "."
                @if !checked.in_place.is_empty() {
                    " " (changed) " recommendation" @if changed != 1 { "s" } " already in the register will be updated in place"
                    @let same = checked.in_place.len() - changed;
                    @if same > 0 { " (" (same) " match" @if same != 1 { "es" } " and change" @if same == 1 { "s" } " nothing)" }
                    "."
                }
            }
            @if checked.on_existing == OnExisting::AsNew {
                p class="app-body" { "References already held elsewhere in the register are replaced by fresh ones in the council's pattern." }
            }
            @if !plan.warnings.is_empty() {
                (ui::important_banner("Notes about the file", html! { ul class="app-list app-list--bullet" { @for w in &plan.warnings { li { (w.message) } } } }))
            }
            @if !checked.in_place.is_empty() { (changes_table(&checked.in_place)) }
            @if !added.is_empty() { (added_table(&added)) }
            form method="post" action={ "/imports/" (batch.id) "/commit" } novalidate {
                (ui::csrf(ctx.csrf()))
                (carried(f, &["suggest_rag", "expect", "mapping_name"]))
                @for u in &checked.in_place { input type="hidden" name="expect" value={ (u.holder.id) ":" (u.holder.version) }; }
                @let unrated = added.iter().filter(|e| e.rag.is_none()).count();
                @if unrated > 0 {
                    (ui::checkboxes("suggest_rag", "Recommendations with no RAG in the file",
                        Some(&format!("{unrated} of them have no RAG in the file. They are imported as “Not rated”: the RAG ratings the file gives are kept as the council's. Assure can instead suggest a RAG for them from the time elapsed towards the target date against the progress stated; a suggestion is always shown marked “Suggested”, never as the council's rating.")),
                        &[("yes".to_string(), "Suggest a RAG for them (marked as Assure's suggestion)".to_string())], &f.all("suggest_rag"), &Invalid::new()))
                }
                (ui::button(&commit_label(added.len(), changed)))
            }
        }
        h2 class="app-heading-m" { "Save this mapping" }
        p class="app-body" { "Keep these column choices under a name to use them for the next file in the same layout. The heading row is found in each file." }
        form method="post" action={ "/imports/" (batch.id) "/mapping" } novalidate {
            (ui::csrf(ctx.csrf()))
            (carried(f, &["mapping_name", "expect"]))
            (ui::text_input(Field::new("mapping_name", "Name for the column mapping", f.get("mapping_name"), save_errors).hint("For example, Children's services tracker"), "app-input--width-20"))
            (ui::secondary_button("Save this mapping"))
        }
    };
    Ok((status, ui::layout(ctx, "Check the import", !save_errors.is_empty(), content)).into_response())
}

fn commit_label(added: usize, changed: usize) -> String {
    match (added, changed) {
        (a, 0) => format!("Import {a} recommendations"),
        (0, c) => format!("Update {c} recommendation{}", if c == 1 { "" } else { "s" }),
        (a, c) => format!("Import {a} and update {c} recommendation{}", if c == 1 { "" } else { "s" }),
    }
}

/// References the register already holds: every holder named, and the choice.
fn held_choice(ctx: &Ctx, batch: &ImportBatch, f: &Fields, held: &[CellError]) -> Markup {
    html! {
        p class="app-body" {
            strong {
                (held.len()) " row" @if held.len() != 1 { "s" } " of the file " @if held.len() == 1 { "has a reference" } @else { "have references" } " already held in the register. Nothing is imported until you choose what to do with them."
            }
        }
        ul class="app-list app-list--bullet" data-testid="held-references" { @for h in held { li { (h.message) } } }
        form method="post" action={ "/imports/" (batch.id) "/preview" } novalidate {
            (ui::csrf(ctx.csrf()))
            (carried(f, &["existing", "expect", "mapping_name"]))
            (ui::radios(Field::new("existing", "What should the import do with them?", f.get("existing"), &Invalid::new()), &[
                ("update".to_string(), "Update those recommendations in place, matched by reference (you will see every change first)".to_string()),
                ("new".to_string(), "Import them as new recommendations with fresh references".to_string()),
            ], false))
            (ui::button("Continue"))
        }
    }
}

/// Each recommendation updated in place: field by field, what it holds now and after.
fn changes_table(in_place: &[InPlace]) -> Markup {
    html! {
        h2 class="app-heading-m" { "Changes to recommendations already in the register" }
        p class="app-body" { "Only the columns the file maps are compared; a blank cell changes nothing." }
        div class="app-table-wrapper" tabindex="0" role="region" aria-label="Changes to recommendations already in the register" {
            table class="app-table app-table--small" data-testid="changes" {
                caption class="app-table__caption app-visually-hidden" { "Changes to recommendations already in the register" }
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Row" }
                    th class="app-table__header" scope="col" { "Recommendation" }
                    th class="app-table__header" scope="col" { "What changes" }
                    th class="app-table__header" scope="col" { "Now" }
                    th class="app-table__header" scope="col" { "After the import" }
                } }
                tbody class="app-table__body" {
                    @for u in in_place {
                        @let lines = change_lines(u);
                        @for (i, (what, old, new)) in lines.iter().enumerate() {
                            tr class="app-table__row" data-testid="change" {
                                @if i == 0 {
                                    td class="app-table__cell" rowspan=(lines.len()) { (u.row) }
                                    th class="app-table__header" scope="rowgroup" rowspan=(lines.len()) { (u.reference) br; span class="app-hint" { (u.holder.name) } }
                                }
                                td class="app-table__cell" { (what) }
                                td class="app-table__cell app-pre" { (super::dashboard::truncate(old, 300)) }
                                td class="app-table__cell app-pre" { (super::dashboard::truncate(new, 300)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One line per change: what, now, after.
fn change_lines(u: &InPlace) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = u
        .changes
        .fields
        .iter()
        .map(|c| (c.field.label().to_string(), if c.old.is_empty() { "(blank)".into() } else { c.old.clone() }, c.new.clone()))
        .collect();
    for a in &u.changes.actions_added {
        let date = assure_domain::import::format_date_cell(a);
        out.push(("Action added".into(), String::new(), if date.is_empty() { a.text.clone() } else { format!("{} — {date}", a.text) }));
    }
    for up in &u.changes.updates_added {
        let date = up.date.map(assure_domain::dates::long).unwrap_or_else(|| "Undated".into());
        out.push(("Update added".into(), String::new(), format!("{date}: {}", up.narrative)));
    }
    if out.is_empty() {
        out.push(("No change".into(), String::new(), String::new()));
    }
    out
}

fn added_table(entries: &[&assure_domain::import::RegisterEntry]) -> Markup {
    html! {
        div class="app-table-wrapper" tabindex="0" role="region" aria-label="Recommendations to import" {
            table class="app-table app-table--small" {
                caption class="app-table__caption app-visually-hidden" { "Recommendations to import" }
                thead class="app-table__head" { tr class="app-table__row" {
                    th class="app-table__header" scope="col" { "Row" }
                    th class="app-table__header" scope="col" { "Number" }
                    th class="app-table__header" scope="col" { "Recommendation" }
                    th class="app-table__header" scope="col" { "Lead officer" }
                    th class="app-table__header" scope="col" { "Actions and dates" }
                    th class="app-table__header" scope="col" { "Status and RAG" }
                    th class="app-table__header" scope="col" { "Updates, by date" }
                } }
                tbody class="app-table__body" {
                    @for e in entries {
                        tr class="app-table__row" {
                            td class="app-table__cell" { (e.row) }
                            td class="app-table__cell" { (assure_domain::tracker::number_label(e.number, Some(&e.sub_label))) br; span class="app-hint" { (e.reference) } }
                            td class="app-table__cell" { (super::dashboard::truncate(&e.committee_wording, 200)) }
                            td class="app-table__cell" { @for l in &e.leads { (assure_domain::import::format_lead(l)) br; } }
                            td class="app-table__cell" { @for a in &e.actions { (super::dashboard::truncate(&a.text, 100)) " — " (assure_domain::import::format_date_cell(a)) br; } }
                            td class="app-table__cell" {
                                @if let Some(l) = e.lifecycle { (ui::lifecycle_tag(l)) " " }
                                (ui::rag_tag(e.rag))
                                @if e.rag.is_none() { br; span class="app-hint" { "No RAG in the file" } }
                            }
                            td class="app-table__cell" data-testid="update-dates" {
                                @for u in &e.updates { (u.date.map(assure_domain::dates::long).unwrap_or_else(|| "Undated".into())) br; }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Save the column choices under a name from the preview, without importing.
pub async fn save_mapping(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let batch = state.store.imports().batch(id(&raw)?).await?;
    let (mut preset, mut v) = preset_from(&f, &batch.table);
    preset.name = f.get("mapping_name").trim().to_string();
    if let Err(e) = validate_mapping(&headings(&batch.table, preset.header_row), &preset.mapping) {
        for fe in e.errors {
            v.add("mapping_name", format!("The column choices cannot be saved: {}", fe.message));
        }
    }
    let checked = match check_preset(&preset) {
        Ok(p) => Some(p),
        Err(e) => {
            for fe in e.errors {
                v.add("mapping_name", fe.message);
            }
            None
        }
    };
    match checked.filter(|_| v.is_empty()) {
        Some(p) => {
            state.store.imports().save_preset(&caller.actor(), &p).await?;
            preview_page(&state, &ctx, &batch, &f, &Invalid::new(), Some(&p.name), StatusCode::OK).await
        }
        None => preview_page(&state, &ctx, &batch, &f, &v, None, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

pub async fn commit(State(state): State<AppState>, ctx: Ctx, caller: Caller, Path(raw): Path<String>, f: Fields) -> PageResult {
    let batch = state.store.imports().batch(id(&raw)?).await?;
    if batch.status == "committed" {
        return mapping_page(
            &state,
            &ctx,
            &batch,
            &f,
            &Invalid::single("review_id", "This file has already been imported. Upload it again only if you mean to add it a second time."),
            &[],
            StatusCode::CONFLICT,
        )
        .await;
    }
    let checked = match checked_plan(&state, &ctx, &batch, &f).await? {
        Ok(p) => p,
        Err(page) => return Ok(page),
    };
    if !checked.held.is_empty() {
        return mapping_page(&state, &ctx, &batch, &f, &Invalid::new(), &checked.held, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let options = CommitOptions {
        suggest_rag: matches!(f.get("suggest_rag"), "yes" | "true" | "on"),
        on_existing: checked.on_existing,
        expected: expected_versions(&f),
    };
    // An update in place commits only what the preview showed: with no versions from it,
    // nothing is updated.
    if checked.on_existing == OnExisting::Update && options.expected.is_empty() && !checked.in_place.is_empty() {
        return preview_page(&state, &ctx, &batch, &f, &Invalid::new(), None, StatusCode::CONFLICT).await;
    }
    match state
        .store
        .imports()
        .commit_with(&caller.actor(), checked.review_id, &checked.plan, ctx.today, &batch.file_name, Some(batch.id), options)
        .await?
    {
        Ok(_) => {
            if let Some(preset) = &checked.preset {
                state.store.imports().save_preset(&caller.actor(), preset).await?;
            }
            Ok(done(&format!("/reviews/{}", checked.review_id), "import-committed"))
        }
        Err(problems) => mapping_page(&state, &ctx, &batch, &f, &Invalid::new(), &problems, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

/// The register, whole or filtered as the list is, as XLSX or CSV (audited), streamed:
/// the recommendations are read a chunk at a time and the file is sent as it is
/// written, so the server's memory does not grow with the register.
pub async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    caller: Caller,
    Path(file): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    let xlsx = match file.as_str() {
        "register.xlsx" => true,
        "register.csv" => false,
        _ => return Err(AppError::NotFound),
    };
    let filter = super::recommendations::list_filter(&Fields(q), ctx.today);
    // Counted first (which also refuses a filter that cannot be read, before any byte
    // is sent), and audited before the file leaves.
    let count = state.store.imports().register_count(&filter).await?;
    state
        .store
        .record(&caller.actor(), assure_storage::audit::Event::new("register.export", "register", &file, format!("{count} recommendations exported")))
        .await?;
    let ctype = if xlsx { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" } else { "text/csv; charset=utf-8" };
    let body = crate::export::register_body(state.store.clone(), filter, ctx.today, xlsx);
    Ok(([(header::CONTENT_TYPE, ctype.to_string()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\""))], body).into_response())
}
