//! Importing a tracker through the API, as the import pages do it: upload the XLSX or
//! CSV (kept as a staged batch), then preview and apply it with the same choices the
//! mapping page takes (the review, the heading row, which column holds which field).
//! Every check is the page's own ([`crate::pages::imports::plan_import`]): all rows or
//! none, every problem by row and column in one 422.

use std::collections::BTreeMap;

use assure_documents::read::{read_table, MAX_BYTES};
use assure_domain::import::{check_upload, guess_header_row, headings, suggest_mapping, ImportField, Mapping, Preset};
use assure_domain::tracker::number_label;
use assure_domain::Invalid;
use assure_storage::imports::{ImportBatch, OnExisting};
use axum::body::{to_bytes, Body};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiCaller, ApiJson, Id, Params};
use super::handlers::{Created, IdParam};
use super::views::ErrorView;
use crate::error::{ApiResult, AppError};
use crate::pages::imports::{plan_import, Refusal};
use crate::AppState;

/// An uploaded tracker, staged until it is applied.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportView {
    pub id: i64,
    pub file_name: String,
    /// staged, or committed once applied.
    pub status: String,
    pub row_count: i64,
    pub created_at: String,
    /// The row that seems to hold the column headings (1-based).
    pub header_row: usize,
    /// That row's headings.
    pub headings: Vec<String>,
    /// Which heading seems to hold each field, by field: a starting point for `columns`.
    pub suggested_columns: BTreeMap<String, String>,
    /// Once applied: how many recommendations, into which review.
    pub committed_count: Option<i64>,
    pub review_id: Option<i64>,
}

impl From<ImportBatch> for ImportView {
    fn from(b: ImportBatch) -> Self {
        let header_row = guess_header_row(&b.table);
        let headings = headings(&b.table, header_row);
        let suggested_columns = suggest_mapping(&headings).columns.into_iter().map(|(f, h)| (f.slug().to_string(), h)).collect();
        ImportView {
            id: b.id,
            file_name: b.file_name,
            status: b.status,
            row_count: b.row_count,
            created_at: b.created_at,
            header_row,
            headings,
            suggested_columns,
            committed_count: b.committed_count,
            review_id: b.review_id,
        }
    }
}

/// POST /api/v1/imports's query: the file's name (its extension says how to read it).
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// tracker.xlsx or tracker.csv.
    #[param(min_length = 1, max_length = 255)]
    pub file_name: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/imports",
    params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The XLSX or CSV file, as it is (at most 10 MB)"),
    responses(
        (status = 201, description = "Staged: the rows as read, with the headings and a suggested mapping", body = ImportView),
        (status = 413, description = "The file is too big", body = ErrorView),
        (status = 422, description = "Not a tracker this can read, with the reason", body = ErrorView)
    )
)]
pub async fn upload(State(state): State<AppState>, caller: ApiCaller, p: Params, body: Body) -> Created<ImportView> {
    let name = p.get("file_name").unwrap_or("").to_string();
    let bytes = to_bytes(body, MAX_BYTES)
        .await
        .map_err(|_| AppError::TooLarge(format!("The file is too big: it must be smaller than {} MB", MAX_BYTES / (1024 * 1024))))?;
    let file = if name.is_empty() {
        // The domain's message for an upload with no name.
        check_upload("", Vec::new())
    } else {
        let read_name = name.clone();
        let table = tokio::task::spawn_blocking(move || read_table(&bytes, &read_name))
            .await
            .map_err(|e| AppError::Internal(format!("reading stopped: {e}")))?
            .map_err(|e| AppError::Invalid(Invalid::single("file", e.to_string())))?;
        check_upload(&crate::evidence::safe_name(&name), table)
    }
    .map_err(AppError::Invalid)?;
    let id = state.store.imports().stage(&caller.actor(), &file).await?;
    Ok((StatusCode::CREATED, Json(state.store.imports().batch(id).await?.into())))
}

/// The choices the mapping page takes: the review, the heading row, which column holds
/// which field, and (when applying) a name to keep the mapping under.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ImportChoices {
    /// The review the recommendations go into.
    #[schema(required = true)]
    pub review_id: Option<i64>,
    /// The row holding the column headings (1-based); absent: the one suggested.
    #[schema(minimum = 1)]
    pub header_row: Option<i64>,
    /// By field (reference, number, recommendation, lead-officer, action, action-date,
    /// rag, ...): the heading of the column that holds it. Problems name `col_<field>`.
    #[schema(required = true)]
    pub columns: BTreeMap<String, String>,
    /// When applying: keep this mapping as a preset under this name.
    pub preset_name: String,
    /// When applying: where the file gives no RAG, let Assure suggest one (always marked
    /// as a suggestion, never the council's rating). Absent or false: such rows are
    /// "Not rated".
    pub suggest_rag: bool,
    /// Rows whose reference a recommendation elsewhere in the register already holds:
    /// "update" updates those recommendations in place (matched by reference; the
    /// preview lists every change), "new" imports them as new recommendations with
    /// fresh references. Absent: such a file is refused, naming every holder.
    pub on_existing: String,
    /// When applying an update in place: the recommendations (and versions) the
    /// preview listed in `updated`. If any differs now, nothing is imported (422). Absent:
    /// the versions as they are when applying.
    pub expected_versions: Vec<VersionView>,
}

/// A recommendation's version, as a preview read it.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, ToSchema)]
pub struct VersionView {
    pub id: i64,
    pub version: i64,
}

impl ImportChoices {
    fn on_existing(&self) -> OnExisting {
        OnExisting::from_slug(&self.on_existing)
    }

    fn options(&self) -> assure_storage::imports::CommitOptions {
        assure_storage::imports::CommitOptions {
            suggest_rag: self.suggest_rag,
            on_existing: self.on_existing(),
            expected: self.expected_versions.iter().map(|v| (v.id, v.version)).collect(),
        }
    }

    fn preset(self, batch: &ImportBatch) -> (Preset, Invalid, Option<i64>) {
        let mut v = Invalid::new();
        let rows = batch.table.len().max(1);
        let header_row = match self.header_row {
            None => guess_header_row(&batch.table),
            Some(n) if n >= 1 && n as usize <= rows => n as usize,
            Some(_) => {
                v.add("header_row", format!("Enter the number of the row that holds the column headings, from 1 to {rows}"));
                1
            }
        };
        let mut columns = Vec::new();
        for (field, heading) in self.columns {
            let heading = heading.trim().to_string();
            match ImportField::ALL.iter().find(|f| f.slug() == field) {
                _ if heading.is_empty() => {}
                Some(f) => columns.push((*f, heading)),
                None => {
                    let all: Vec<&str> = ImportField::ALL.iter().map(|f| f.slug()).collect();
                    v.add(&format!("col_{field}"), format!("There is no field {field:?}: the fields are {}", all.join(", ")));
                }
            }
        }
        (Preset { name: self.preset_name.trim().to_string(), header_row, mapping: Mapping { columns } }, v, self.review_id)
    }
}

fn refused(r: Refusal) -> AppError {
    match r {
        Refusal::Choices(v) => AppError::Invalid(v),
        Refusal::Cells(cells) => {
            let mut v = Invalid::new();
            for c in cells {
                let field = if c.row == 0 { "file".to_string() } else { format!("row-{}", c.row) };
                v.add(&field, c.message);
            }
            AppError::Invalid(v)
        }
    }
}

/// One recommendation as the import would add it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewEntry {
    /// The spreadsheet row it starts on.
    pub row: usize,
    /// "(3)" or "(1)(a)".
    pub label: String,
    pub reference: String,
    pub committee_wording: String,
    /// The RAG the file gives, kept as the council's; null: none given (imported as not
    /// rated unless `suggest_rag`).
    pub rag: Option<assure_domain::tracker::Rag>,
    pub actions: usize,
    pub updates: usize,
}

/// A problem with a cell, a row or the file that does not stop the import.
#[derive(Debug, Serialize, ToSchema)]
pub struct CellNote {
    /// 0 for the whole file.
    pub row: usize,
    pub column: String,
    pub message: String,
}

/// One field an update in place changes.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldChangeView {
    /// The field's slug (rag, status, lead-officer, ...).
    pub field: String,
    pub old: String,
    pub new: String,
}

/// A recommendation already in the register that the import updates in place.
#[derive(Debug, Serialize, ToSchema)]
pub struct InPlaceUpdateView {
    pub row: usize,
    pub reference: String,
    /// The recommendation updated, and its version now (send back in `expected_versions`).
    pub id: i64,
    pub version: i64,
    /// "recommendation (1) of “Review title”".
    pub holder: String,
    pub changes: Vec<FieldChangeView>,
    pub actions_added: usize,
    pub updates_added: usize,
}

/// What applying would do; nothing is saved.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewView {
    pub review_id: i64,
    /// Recommendations added.
    pub count: usize,
    pub entries: Vec<PreviewEntry>,
    /// With on_existing "update": the recommendations updated in place.
    pub updated: Vec<InPlaceUpdateView>,
    pub warnings: Vec<CellNote>,
}

/// A plan the API can go ahead with: references held elsewhere need a choice.
async fn checked(
    state: &AppState,
    batch: &ImportBatch,
    b: ImportChoices,
    today: chrono::NaiveDate,
) -> Result<crate::pages::imports::CheckedImport, AppError> {
    let on_existing = b.on_existing();
    let (preset, v, review_id) = b.preset(batch);
    let c = plan_import(state, batch, preset, v, review_id, today, on_existing).await?.map_err(refused)?;
    if !c.held.is_empty() {
        let mut cells = c.held;
        for h in &mut cells {
            h.message
                .push_str(". Send on_existing \"update\" to update those recommendations in place, or \"new\" to import them with fresh references");
        }
        return Err(refused(Refusal::Cells(cells)));
    }
    Ok(c)
}

const CHOICES_REFUSED: &str = "Every problem with the choices, or with the file by row and column (fields row-<n>); nothing is imported";

#[utoipa::path(
    post,
    path = "/api/v1/imports/{id}/preview",
    params(IdParam),
    request_body = ImportChoices,
    responses(
        (status = 200, description = "What applying would add", body = PreviewView),
        (status = 404, description = "No such import", body = ErrorView),
        (status = 422, description = CHOICES_REFUSED, body = ErrorView)
    )
)]
pub async fn preview(State(state): State<AppState>, Id(id): Id, ApiJson(b): ApiJson<ImportChoices>) -> ApiResult<PreviewView> {
    let batch = state.store.imports().batch(id).await?;
    let c = checked(&state, &batch, b, state.today()).await?;
    let updating: std::collections::HashSet<usize> = c.in_place.iter().map(|u| u.index).collect();
    let updated = c
        .in_place
        .iter()
        .map(|u| InPlaceUpdateView {
            row: u.row,
            reference: u.reference.clone(),
            id: u.holder.id,
            version: u.holder.version,
            holder: u.holder.name.clone(),
            changes: u
                .changes
                .fields
                .iter()
                .map(|f| FieldChangeView { field: f.field.slug().into(), old: f.old.clone(), new: f.new.clone() })
                .collect(),
            actions_added: u.changes.actions_added.len(),
            updates_added: u.changes.updates_added.len(),
        })
        .collect();
    let (review_id, plan) = (c.review_id, c.plan.into_inner());
    let entries: Vec<PreviewEntry> = plan
        .entries
        .iter()
        .enumerate()
        .filter(|(i, _)| !updating.contains(i))
        .map(|(_, e)| PreviewEntry {
            row: e.row,
            label: number_label(e.number, Some(&e.sub_label)),
            reference: e.reference.clone(),
            committee_wording: e.committee_wording.clone(),
            rag: e.rag,
            actions: e.actions.len(),
            updates: e.updates.len(),
        })
        .collect();
    Ok(Json(PreviewView {
        review_id,
        count: entries.len(),
        entries,
        updated,
        warnings: plan.warnings.into_iter().map(|w| CellNote { row: w.row, column: w.column, message: w.message }).collect(),
    }))
}

/// What an applied import added.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppliedView {
    pub review_id: i64,
    pub recommendations: usize,
    pub actions: usize,
    pub updates: usize,
    /// Recommendations already in the register updated in place.
    pub updated: usize,
    /// The review's page.
    pub href: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/imports/{id}/apply",
    params(IdParam),
    request_body = ImportChoices,
    responses(
        (status = 201, description = "Imported: every row", body = AppliedView),
        (status = 404, description = "No such import", body = ErrorView),
        (status = 409, description = "This file has already been imported", body = ErrorView),
        (status = 422, description = CHOICES_REFUSED, body = ErrorView)
    )
)]
pub async fn apply(State(state): State<AppState>, caller: ApiCaller, Id(id): Id, ApiJson(b): ApiJson<ImportChoices>) -> Created<AppliedView> {
    let batch = state.store.imports().batch(id).await?;
    if batch.status == "committed" {
        return Err(AppError::Conflict.into());
    }
    let today = state.today();
    let options = b.options();
    let c = checked(&state, &batch, b, today).await?;
    let (review_id, to_save, plan) = (c.review_id, c.preset, c.plan);
    let outcome = state
        .store
        .imports()
        .commit_with(&caller.actor(), review_id, &plan, today, &batch.file_name, Some(batch.id), options)
        .await?
        .map_err(|cells| refused(Refusal::Cells(cells)))?;
    if let Some(p) = &to_save {
        state.store.imports().save_preset(&caller.actor(), p).await?;
    }
    Ok((
        StatusCode::CREATED,
        Json(AppliedView {
            review_id,
            recommendations: outcome.recommendations,
            actions: outcome.actions,
            updates: outcome.updates,
            updated: outcome.updated,
            href: format!("/reviews/{review_id}"),
        }),
    ))
}
