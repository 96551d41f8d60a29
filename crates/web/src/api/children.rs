//! Children through the API: the same search and the same door as the pages (a child
//! outside the caller's reach answers 404 `no_such_child`, exactly as one that does
//! not exist, and the attempt is audited).

use assure_domain::partnership::Section;
use assure_storage::children::{Child, ChildSearch};
use axum::extract::State;
use axum::Json;
use serde::Serialize;

use super::extract::{ApiCaller, Id, Params};
use crate::error::{ApiResult, AppError};
use crate::{policy, AppState};

#[derive(Serialize)]
pub struct ChildPage {
    pub children: Vec<Child>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// GET /api/v1/children?name=&date_of_birth=YYYY-MM-DD&page=&per_page=
pub async fn list(State(state): State<AppState>, caller: ApiCaller, p: Params) -> ApiResult<ChildPage> {
    let reader = policy::reader(&state, &caller).await?;
    let page = p.positive("page", 1, 1_000_000)?;
    let per_page = p.positive("per_page", 50, 200)?;
    let dob = match p.get("date_of_birth").map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            assure_domain::dates::parse_iso(s).ok_or_else(|| AppError::BadRequest("date_of_birth must be a real date written YYYY-MM-DD".into()))?,
        ),
    };
    let search = ChildSearch { name: p.get("name").map(str::to_string), date_of_birth: dob };
    let (children, total) = state.store.children(&reader).search(&search, per_page, (page - 1) * per_page).await?;
    Ok(Json(ChildPage { children, total, page, per_page }))
}

/// GET /api/v1/children/{id}
pub async fn show(State(state): State<AppState>, caller: ApiCaller, Id(id): Id) -> ApiResult<Child> {
    let record = policy::child(&state, &caller, id, Section::Identity).await?;
    Ok(Json(record.child().clone()))
}

/// GET /api/v1/children/{id}/referrals: the child's concerns and referrals with their
/// screening and MASH decisions.
pub async fn referrals(State(state): State<AppState>, caller: ApiCaller, Id(id): Id) -> ApiResult<Vec<assure_storage::referrals::Referral>> {
    let record = policy::child(&state, &caller, id, Section::Concerns).await?;
    Ok(Json(record.referrals().await?))
}

#[derive(Serialize)]
pub struct PlanView {
    /// The current version, with only the sections this caller may see: the police-only
    /// Prosecute section is absent (not empty) for everyone else.
    pub plan: Option<assure_domain::plan::PlanVersion>,
}

/// GET /api/v1/children/{id}/plan: the current MACSE plan through the same filter as the
/// plan page and its downloads.
pub async fn plan(State(state): State<AppState>, caller: ApiCaller, Id(id): Id) -> ApiResult<PlanView> {
    let record = policy::child(&state, &caller, id, Section::Profile).await?;
    if record.may_see(Section::Prosecute) {
        // Opening the police-only part is its own audited view.
        policy::child(&state, &caller, id, Section::Prosecute).await?;
    }
    Ok(Json(PlanView { plan: record.plan().await? }))
}
