//! Children through the API: the same search and the same door as the pages (a child
//! outside the caller's reach answers 404 `no_such_child`, exactly as one that does
//! not exist, and the attempt is audited).

use assure_domain::partnership::Section;
use assure_storage::children::ChildSearch;
use axum::extract::State;
use axum::Json;
use utoipa::IntoParams;

use super::extract::{ApiCaller, Id, Params};
use super::handlers::IdParam;
use super::views::{ChildPage, ChildView, ErrorView, PlanView, ReferralView};
use crate::error::{ApiResult, AppError};
use crate::{policy, AppState};

/// GET /api/v1/children's search. Blank values count as absent.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChildQuery {
    /// One or more words, each matching a first name or surname by its beginning or by sound.
    pub name: Option<String>,
    /// YYYY-MM-DD.
    #[param(value_type = Option<String>, format = Date, example = "2009-04-17")]
    pub date_of_birth: Option<chrono::NaiveDate>,
    /// Page number (older paging; `cursor` is preferred).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page (older name of `limit`).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
    /// Items per answer (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Where to continue: the `next_cursor` of the previous answer (opaque).
    pub cursor: Option<String>,
}

impl ChildQuery {
    fn read(p: &Params) -> Result<ChildQuery, AppError> {
        let date_of_birth = match p.get("date_of_birth") {
            None => None,
            Some(s) => Some(
                assure_domain::dates::parse_iso(s)
                    .ok_or_else(|| AppError::BadRequest("date_of_birth must be a real date written YYYY-MM-DD".into()))?,
            ),
        };
        Ok(ChildQuery {
            name: p.get("name").map(str::to_string),
            date_of_birth,
            // Read through Params::paging.
            page: None,
            per_page: None,
            limit: None,
            cursor: None,
        })
    }
}

const NO_SUCH_CHILD: &str = "no_such_child: no such child, or not one the caller needs to know about (the same answer for both)";

/// GET /api/v1/children?name=&date_of_birth=YYYY-MM-DD&page=&per_page=
#[utoipa::path(get, path = "/api/v1/children", params(ChildQuery), responses((status = 200, description = "One page of the children in the caller's reach that match", body = ChildPage)))]
pub async fn list(State(state): State<AppState>, caller: ApiCaller, p: Params) -> ApiResult<ChildPage> {
    let reader = policy::reader(&state, &caller).await?;
    let q = ChildQuery::read(&p)?;
    let paging = p.paging()?;
    let search = ChildSearch { name: q.name, date_of_birth: q.date_of_birth };
    let (children, total) = state.store.children(&reader).search(&search, paging.limit, paging.offset).await?;
    let next = p.next_link("/api/v1/children", paging, total.counted());
    Ok(Json(ChildPage {
        children: children.into_iter().map(ChildView::from).collect(),
        total: total.counted(),
        total_exact: total.is_exact(),
        page: paging.page,
        per_page: paging.limit,
        limit: paging.limit,
        next_cursor: next.as_ref().map(|(_, c)| c.clone()),
        next: next.map(|(link, _)| link),
    }))
}

/// GET /api/v1/children/{id}
#[utoipa::path(
    get,
    path = "/api/v1/children/{id}",
    params(IdParam),
    responses((status = 200, description = "The child's identity and agencies involved", body = ChildView), (status = 404, description = NO_SUCH_CHILD, body = ErrorView))
)]
pub async fn show(State(state): State<AppState>, caller: ApiCaller, Id(id): Id) -> ApiResult<ChildView> {
    let record = policy::child(&state, &caller, id, Section::Identity).await?;
    Ok(Json(record.child().clone().into()))
}

/// GET /api/v1/children/{id}/referrals: the child's concerns and referrals with their
/// screening and MASH decisions.
#[utoipa::path(
    get,
    path = "/api/v1/children/{id}/referrals",
    params(IdParam),
    responses((status = 200, description = "The child's concerns and referrals", body = Vec<ReferralView>), (status = 404, description = NO_SUCH_CHILD, body = ErrorView))
)]
pub async fn referrals(State(state): State<AppState>, caller: ApiCaller, Id(id): Id) -> ApiResult<Vec<ReferralView>> {
    let record = policy::child(&state, &caller, id, Section::Concerns).await?;
    Ok(Json(record.referrals().await?.into_iter().map(ReferralView::from).collect()))
}

/// GET /api/v1/children/{id}/plan: the current MACSE plan through the same filter as the
/// plan page and its downloads.
#[utoipa::path(
    get,
    path = "/api/v1/children/{id}/plan",
    params(IdParam),
    responses((status = 200, description = "The current plan, as the caller may see it", body = PlanView), (status = 404, description = NO_SUCH_CHILD, body = ErrorView))
)]
pub async fn plan(State(state): State<AppState>, caller: ApiCaller, Id(id): Id) -> ApiResult<PlanView> {
    let record = policy::child(&state, &caller, id, Section::Profile).await?;
    if record.may_see(Section::Prosecute) {
        // Opening the police-only part is its own audited view.
        policy::child(&state, &caller, id, Section::Prosecute).await?;
    }
    Ok(Json(PlanView { plan: record.plan().await?.map(Into::into) }))
}
