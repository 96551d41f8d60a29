//! Monitoring reports through the API, as the reports pages have them: the list (drafts
//! for those who manage the tracker only), one report, and a new draft. The same storage
//! calls and checks as the pages; downloads stay on the report's page.

use assure_domain::report::{check_new_report, Layout, ReportInput};
use assure_domain::{Invalid, Permission};
use assure_storage::reports::{ReportRecord, ReportStatus};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{ApiCaller, ApiJson, Id};
use super::handlers::{Created, IdParam};
use super::views::ErrorView;
use crate::error::{ApiResult, AppError};
use crate::forms::refused;
use crate::AppState;

/// The progress table's layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReportLayout {
    /// Recommendation and progress made.
    ProgressMade,
    /// Lead officer, action, date, outcome and RAG.
    RagTracker,
}

impl From<Layout> for ReportLayout {
    fn from(l: Layout) -> Self {
        match l {
            Layout::ProgressMade => ReportLayout::ProgressMade,
            Layout::RagTracker => ReportLayout::RagTracker,
        }
    }
}

/// A draft can be changed; an issued report is frozen as it was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReportState {
    Draft,
    Issued,
}

/// A monitoring report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportView {
    pub id: i64,
    pub review_id: Option<i64>,
    pub review_title: Option<String>,
    pub body_id: Option<i64>,
    pub body_name: Option<String>,
    pub meeting_date: NaiveDate,
    pub layout: ReportLayout,
    pub status: ReportState,
    /// Issued reports: their issue number.
    pub issue: Option<i64>,
    pub issued_at: Option<String>,
    pub issued_by: Option<String>,
    /// SHA-256 of the frozen snapshot, so a copy can be checked against it.
    pub snapshot_sha256: Option<String>,
    pub created_at: String,
    pub version: i64,
    /// The report's page: its downloads (Word, PDF, Excel, CSV, print view) are there.
    pub href: String,
}

impl From<ReportRecord> for ReportView {
    fn from(r: ReportRecord) -> Self {
        ReportView {
            href: format!("/reports/{}", r.id),
            id: r.id,
            review_id: r.review_id,
            review_title: r.review_title,
            body_id: r.body_id,
            body_name: r.body_name,
            meeting_date: r.meeting_date,
            layout: r.layout.into(),
            status: if r.status == ReportStatus::Issued { ReportState::Issued } else { ReportState::Draft },
            issue: r.issue,
            issued_at: r.issued_at,
            issued_by: r.issued_by,
            snapshot_sha256: r.snapshot_sha256,
            created_at: r.created_at,
            version: r.version,
        }
    }
}

fn manages(caller: &ApiCaller) -> bool {
    caller.role().allows(Permission::ManageTracker)
}

#[utoipa::path(get, path = "/api/v1/reports", responses((status = 200, description = "Reports, as the reports page lists them (drafts only for those who manage the tracker)", body = Vec<ReportView>)))]
pub async fn list(State(state): State<AppState>, caller: ApiCaller) -> ApiResult<Vec<ReportView>> {
    let manage = manages(&caller);
    let reports = state.store.reports().list(None).await?;
    Ok(Json(reports.into_iter().filter(|r| manage || r.is_issued()).map(ReportView::from).collect()))
}

#[utoipa::path(
    get,
    path = "/api/v1/reports/{id}",
    params(IdParam),
    responses((status = 200, description = "The report", body = ReportView), (status = 404, description = "No such report (or a draft, to those who do not manage the tracker)", body = ErrorView))
)]
pub async fn show(State(state): State<AppState>, caller: ApiCaller, Id(id): Id) -> ApiResult<ReportView> {
    let r = state.store.reports().get(id).await?;
    if !r.is_issued() && !manages(&caller) {
        return Err(AppError::NotFound.into());
    }
    Ok(Json(r.into()))
}

/// POST /api/v1/reports: a draft monitoring report for a review (optionally one committee).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NewReport {
    #[schema(required = true)]
    pub review_id: Option<i64>,
    /// Only the recommendations this committee monitors.
    pub body_id: Option<i64>,
    /// The meeting the report goes to.
    #[schema(value_type = String, format = Date, example = "2026-02-12", required = true)]
    pub meeting_date: Option<String>,
    /// Absent: progress-made.
    pub layout: Option<ReportLayout>,
}

#[utoipa::path(
    post,
    path = "/api/v1/reports",
    request_body = NewReport,
    responses(
        (status = 201, description = "Created: the draft", body = ReportView),
        (status = 422, description = "Every problem with what was sent", body = ErrorView)
    )
)]
pub async fn create(State(state): State<AppState>, caller: ApiCaller, ApiJson(b): ApiJson<NewReport>) -> Created<ReportView> {
    let mut typed = Invalid::new();
    let meeting_date = match b.meeting_date.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            let d = assure_domain::dates::parse_iso(s);
            if d.is_none() {
                typed.add("meeting_date", "meeting_date must be a real date written YYYY-MM-DD, for example 2018-01-16");
            }
            d
        }
    };
    let input = ReportInput {
        review_id: b.review_id,
        body_id: b.body_id,
        meeting_date,
        layout: b.layout.map(|l| match l {
            ReportLayout::ProgressMade => Layout::ProgressMade,
            ReportLayout::RagTracker => Layout::RagTracker,
        }),
    };
    if let Some(problems) = refused(typed, || check_new_report(&input), ReportInput::FIELDS) {
        return Err(AppError::Invalid(problems).into());
    }
    let id = state.store.reports().create(&caller.actor(), &input).await?;
    Ok((StatusCode::CREATED, Json(state.store.reports().get(id).await?.into())))
}
