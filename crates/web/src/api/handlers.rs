//! The API's handlers: parse, check, call the store, answer JSON.

use assure_domain::dates::parse_iso;
use assure_domain::tracker::{
    check_action, check_response, check_review, ActionInput, ExecutiveResponse, Lifecycle, LifecycleInput, RecommendationInput, ResponseInput,
    ReviewInput, ReviewKind, RevisionInput, UpdateInput,
};
use assure_domain::Invalid;
use assure_storage::keyset::{Cursor, PageRequest};
use assure_storage::tracker::RecFilter;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiCaller, ApiJson, Id, Params, Slugged};
use super::views::*;
use super::{openapi, recommendation_for_change};
use crate::error::{ApiError, ApiResult, AppError};
use crate::forms::refused;
use crate::AppState;

/// A 201 with the created record.
pub type Created<T> = Result<(StatusCode, Json<T>), ApiError>;

fn created<T>(v: T) -> Created<T> {
    Ok((StatusCode::CREATED, Json(v)))
}

/// A required date: anything that is not "YYYY-MM-DD" counts as missing, so the
/// domain's check names the field.
fn date(s: &Option<String>) -> Option<chrono::NaiveDate> {
    s.as_deref().and_then(parse_iso)
}

/// An optional date: absent or blank is none, but a malformed one is refused
/// rather than silently dropped.
fn opt_date(v: &mut Invalid, field: &str, s: &Option<String>) -> Option<chrono::NaiveDate> {
    let s = s.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    let d = parse_iso(s);
    if d.is_none() {
        v.add(field, format!("{field} must be a real date written YYYY-MM-DD, for example 2017-09-12"));
    }
    d
}

/// The `{id}` path parameter: a record's id.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct IdParam {
    /// The record's id.
    #[param(minimum = 1)]
    pub id: i64,
}

// ------------------------------------------------------------------ reading

#[utoipa::path(get, path = "/api/v1/openapi.json", responses((status = 200, description = "This document", body = Object)))]
pub async fn openapi(State(state): State<AppState>) -> Json<Value> {
    Json(openapi::document(&state.routes))
}

#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, description = "The calling account", body = MeView)))]
pub async fn me(caller: ApiCaller) -> ApiResult<MeView> {
    Ok(Json(MeView::new(&caller.user)))
}

#[utoipa::path(get, path = "/api/v1/bodies", responses((status = 200, description = "Every body, by name", body = Vec<BodyView>)))]
pub async fn bodies(State(state): State<AppState>) -> ApiResult<Vec<BodyView>> {
    Ok(Json(state.store.tracker().bodies().await?.into_iter().map(BodyView::from).collect()))
}

/// GET /api/v1/reviews's paging: the list is read from a key (each `next` starts after
/// the last review of the answer before), so there is no page number.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewQuery {
    /// Items per answer (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Where to continue: the `next_cursor` of the previous answer (opaque).
    pub cursor: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/reviews",
    params(ReviewQuery),
    responses((status = 200, description = "One page of reviews, newest first", body = ReviewPage), (status = 400, description = "A limit or cursor this API cannot read", body = ErrorView))
)]
pub async fn reviews(State(state): State<AppState>, p: Params) -> ApiResult<ReviewPage> {
    let limit = p.positive("limit", 50, 200)?;
    let cursor =
        match p.get("cursor") {
            None => None,
            Some(c) => Some(Cursor::decode(c).ok_or_else(|| {
                AppError::BadRequest("The cursor parameter is not one this API gave: use the next link of the previous answer".into())
            })?),
        };
    let tracker = state.store.tracker();
    let page = tracker.reviews_page(&PageRequest { cursor, limit }).await?;
    let total = tracker.review_count().await?;
    let next = page.next.clone().map(|c| (format!("/api/v1/reviews?limit={limit}&cursor={c}"), c));
    Ok(Json(ReviewPage {
        total,
        limit,
        next_cursor: next.as_ref().map(|(_, c)| c.clone()),
        next: next.map(|(link, _)| link),
        items: page.items.into_iter().map(ReviewView::from).collect(),
    }))
}

#[utoipa::path(
    get,
    path = "/api/v1/reviews/{id}",
    params(IdParam),
    responses((status = 200, description = "The review", body = ReviewDetailView), (status = 404, description = "No such review", body = ErrorView))
)]
pub async fn review(State(state): State<AppState>, Id(id): Id) -> ApiResult<ReviewDetailView> {
    let today = state.today();
    let review = state.store.tracker().review(id).await?.into();
    let endorsements = state.store.tracker().endorsements(id).await?.into_iter().map(EndorsementView::from).collect();
    let schedules = state.store.tracker().schedules(Some(id)).await?.into_iter().map(|s| ScheduleView::new(s, today)).collect();
    let recommendations = state.store.tracker().review_recommendations(id).await?.into_iter().map(|r| RecView::new(r, today)).collect();
    Ok(Json(ReviewDetailView { review, endorsements, schedules, recommendations }))
}

/// Which deadline has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Overdue {
    /// The executive's response is overdue.
    Response,
    /// Open, with its target date passed.
    Target,
}

/// GET /api/v1/recommendations's filters. Blank values count as absent; anything
/// else that is not what a parameter needs is a 400 naming it.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecQuery {
    /// Monitored by this committee.
    pub body_id: Option<i64>,
    /// Made by this review.
    pub review_id: Option<i64>,
    /// Led by this account.
    pub lead: Option<i64>,
    pub lifecycle: Option<Lifecycle>,
    pub response: Option<ExecutiveResponse>,
    /// Effective delivery RAG.
    pub rag: Option<assure_domain::tracker::Rag>,
    pub overdue: Option<Overdue>,
    /// Words in the reference or wording.
    pub q: Option<String>,
    /// Where it came from, exactly as written (e.g. Ofsted inspection).
    pub origin: Option<String>,
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

impl RecQuery {
    fn read(p: &Params) -> Result<RecQuery, AppError> {
        let overdue = match p.get("overdue") {
            None => None,
            Some("response") => Some(Overdue::Response),
            Some("target") => Some(Overdue::Target),
            Some(other) => return Err(AppError::BadRequest(format!("The overdue parameter must be response or target, not {other:?}"))),
        };
        Ok(RecQuery {
            body_id: p.id("body_id")?,
            review_id: p.id("review_id")?,
            lead: p.id("lead")?,
            lifecycle: p.slug("lifecycle")?,
            response: p.slug("response")?,
            rag: p.slug("rag")?,
            overdue,
            q: p.get("q").map(str::to_string),
            origin: p.get("origin").map(str::to_string),
            // Read through Params::paging.
            page: None,
            per_page: None,
            limit: None,
            cursor: None,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/recommendations", params(RecQuery), responses((status = 200, description = "One page of matching recommendations", body = RecPage)))]
pub async fn list_recommendations(State(state): State<AppState>, p: Params) -> ApiResult<RecPage> {
    let today = state.today();
    let q = RecQuery::read(&p)?;
    let paging = p.paging()?;
    let filter = RecFilter {
        body_id: q.body_id,
        review_id: q.review_id,
        lead_user_id: q.lead,
        lifecycle: q.lifecycle,
        response: q.response,
        rag: q.rag,
        rag_suggested: None,
        text: q.q,
        origin: q.origin,
        response_overdue_on: (q.overdue == Some(Overdue::Response)).then_some(today),
        target_passed_on: (q.overdue == Some(Overdue::Target)).then_some(today),
    };
    let (recs, total) = state.store.tracker().list_recommendations(&filter, paging.limit, paging.offset).await?;
    let next = p.next_link("/api/v1/recommendations", paging, total);
    Ok(Json(RecPage {
        total,
        page: paging.page,
        per_page: paging.limit,
        limit: paging.limit,
        next_cursor: next.as_ref().map(|(_, c)| c.clone()),
        next: next.map(|(link, _)| link),
        items: recs.into_iter().map(|r| RecView::new(r, today)).collect(),
    }))
}

#[utoipa::path(
    get,
    path = "/api/v1/recommendations/{id}",
    params(IdParam),
    responses((status = 200, description = "The recommendation", body = RecDetailView), (status = 404, description = "No such recommendation", body = ErrorView))
)]
pub async fn recommendation(State(state): State<AppState>, Id(id): Id) -> ApiResult<RecDetailView> {
    Ok(Json(RecDetailView::new(state.store.tracker().recommendation_detail(id).await?, state.today())))
}

/// GET /api/v1/dashboard's filter.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// Only recommendations monitored by this committee.
    pub body_id: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/dashboard", params(DashboardQuery), responses((status = 200, description = "The counts", body = DashboardView)))]
pub async fn dashboard(State(state): State<AppState>, p: Params) -> ApiResult<DashboardView> {
    let q = DashboardQuery { body_id: p.id("body_id")? };
    let filter = RecFilter { body_id: q.body_id, ..Default::default() };
    Ok(Json(state.store.tracker().dashboard(&filter, state.today()).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/schedule", responses((status = 200, description = "Schedules, soonest report first", body = Vec<ScheduleView>)))]
pub async fn schedule(State(state): State<AppState>) -> ApiResult<Vec<ScheduleView>> {
    let today = state.today();
    let mut v: Vec<ScheduleView> = state.store.tracker().schedules(None).await?.into_iter().map(|s| ScheduleView::new(s, today)).collect();
    // Soonest report first; schedules with no report to come last.
    v.sort_by_key(|s| (s.next_report_date.is_none(), s.next_report_date));
    Ok(Json(v))
}

// ------------------------------------------------------------------ reviews and recommendations

/// POST /api/v1/reviews. Dates are "YYYY-MM-DD"; kind is a slug.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NewReview {
    #[schema(value_type = ReviewKind, required = true)]
    pub kind: Option<String>,
    /// Title of the review.
    #[schema(required = true, min_length = 1)]
    pub title: String,
    pub terms_of_reference: String,
    pub lead_member: String,
    pub members: String,
    /// The body the review came from.
    pub origin_body_id: Option<i64>,
    /// Review started.
    #[schema(value_type = Option<String>, format = Date, example = "2017-10-05")]
    pub start_date: Option<String>,
    /// Review ended (not before the start).
    #[schema(value_type = Option<String>, format = Date, example = "2017-10-05")]
    pub end_date: Option<String>,
    /// Date of the final report.
    #[schema(value_type = Option<String>, format = Date, example = "2017-10-05")]
    pub report_date: Option<String>,
    pub final_report_ref: String,
    /// The body the recommendations were referred to (needed with referral_date).
    pub referred_to_body_id: Option<i64>,
    /// Date referred: the response deadline runs from the later of this and the report date.
    #[schema(value_type = Option<String>, format = Date, example = "2017-10-05")]
    pub referral_date: Option<String>,
}

impl NewReview {
    /// The review as sent, and what only the API can see: a kind that is not a slug,
    /// dates not written YYYY-MM-DD.
    fn input(self) -> (ReviewInput, Invalid) {
        let mut v = Invalid::new();
        let kind = match self.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
            None => None,
            Some(k) => {
                let kind = ReviewKind::from_slug(k);
                if kind.is_none() {
                    v.add("kind", format!("kind must be one of {}", ReviewKind::allowed()));
                }
                kind
            }
        };
        let input = ReviewInput {
            kind,
            start_date: opt_date(&mut v, "start_date", &self.start_date),
            end_date: opt_date(&mut v, "end_date", &self.end_date),
            report_date: opt_date(&mut v, "report_date", &self.report_date),
            referral_date: opt_date(&mut v, "referral_date", &self.referral_date),
            title: self.title,
            terms_of_reference: self.terms_of_reference,
            lead_member: self.lead_member,
            members: self.members,
            origin_body_id: self.origin_body_id,
            final_report_ref: self.final_report_ref,
            referred_to_body_id: self.referred_to_body_id,
        };
        (input, v)
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/reviews",
    request_body = NewReview,
    responses((status = 201, description = "Created: the new review", body = ReviewView), (status = 422, description = "Every problem with what was sent", body = ErrorView))
)]
pub async fn create_review(State(state): State<AppState>, caller: ApiCaller, ApiJson(b): ApiJson<NewReview>) -> Created<ReviewView> {
    let (input, typed) = b.input();
    if let Some(problems) = refused(typed, || check_review(&input), ReviewInput::FIELDS) {
        return Err(AppError::Invalid(problems).into());
    }
    let id = state.store.tracker().create_review(&caller.actor(), &input).await?;
    created(state.store.tracker().review(id).await?.into())
}

/// POST /api/v1/reviews/{id}/recommendations.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NewRecommendation {
    /// For a sub-item: the numbered recommendation it belongs to.
    pub parent_id: Option<i64>,
    /// Needed unless parent_id is given.
    #[schema(minimum = 1, maximum = 999)]
    pub number: Option<i64>,
    /// For a sub-item: its letter, e.g. a.
    pub sub_label: String,
    /// The recommendation as the committee worded it.
    #[schema(required = true, min_length = 1)]
    pub committee_wording: String,
    pub executive_wording: String,
    pub who_must_act: String,
    pub area: String,
    pub outcome: String,
    /// The committee monitoring it.
    pub monitoring_body_id: Option<i64>,
    /// Lead officers' account ids.
    pub lead_ids: Vec<i64>,
    /// Where it came from (a scrutiny review, an inspection, a case review), as written.
    #[schema(max_length = 500)]
    pub origin: String,
    /// When the executive decided on it.
    pub executive_decision_date: Option<chrono::NaiveDate>,
}

#[utoipa::path(
    post,
    path = "/api/v1/reviews/{id}/recommendations",
    params(IdParam),
    request_body = NewRecommendation,
    responses(
        (status = 201, description = "Created: the new recommendation", body = RecView),
        (status = 404, description = "No such review", body = ErrorView),
        (status = 422, description = "Every problem with what was sent", body = ErrorView)
    )
)]
pub async fn create_recommendation(
    State(state): State<AppState>,
    caller: ApiCaller,
    Id(review_id): Id,
    ApiJson(b): ApiJson<NewRecommendation>,
) -> Created<RecView> {
    let input = RecommendationInput {
        parent_id: b.parent_id,
        number: b.number,
        sub_label: b.sub_label,
        committee_wording: b.committee_wording,
        executive_wording: b.executive_wording,
        who_must_act: b.who_must_act,
        area: b.area,
        outcome: b.outcome,
        monitoring_body_id: b.monitoring_body_id,
        lead_ids: b.lead_ids,
        lead_officers_text: None,
        origin: b.origin,
        executive_decision_date: b.executive_decision_date,
    };
    let id = state.store.tracker().create_recommendation(&caller.actor(), review_id, &input).await?;
    created(RecView::new(state.store.tracker().recommendation(id).await?, state.today()))
}

// ------------------------------------------------------------------ changing a recommendation

/// POST /api/v1/recommendations/{id}/updates (no evidence files through the API).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NewUpdate {
    /// Date of the update.
    #[schema(value_type = String, format = Date, example = "2017-10-05", required = true)]
    pub update_date: Option<String>,
    /// The progress made.
    #[schema(required = true, min_length = 1)]
    pub narrative: String,
    #[schema(minimum = 0, maximum = 100)]
    pub progress_percent: Option<i64>,
    /// An earlier update of this recommendation that this one corrects.
    pub corrects_id: Option<i64>,
}

#[utoipa::path(
    post,
    path = "/api/v1/recommendations/{id}/updates",
    params(IdParam),
    request_body = NewUpdate,
    responses(
        (status = 201, description = "Created: the new update", body = UpdateView),
        (status = 403, description = "The caller's role does not allow this, or the caller does not lead the recommendation", body = ErrorView),
        (status = 404, description = "No such recommendation", body = ErrorView),
        (status = 422, description = "Every problem with what was sent", body = ErrorView)
    )
)]
pub async fn add_update(State(state): State<AppState>, caller: ApiCaller, Id(id): Id, ApiJson(b): ApiJson<NewUpdate>) -> Created<UpdateView> {
    let rec = recommendation_for_change(&state, &caller, id).await?;
    let input =
        UpdateInput { update_date: date(&b.update_date), narrative: b.narrative, progress_percent: b.progress_percent, corrects_id: b.corrects_id };
    let update_id = state.store.tracker().add_update(&caller.actor(), rec.id, &input, &[]).await?;
    let update = state
        .store
        .tracker()
        .updates_for(&[rec.id])
        .await?
        .remove(&rec.id)
        .and_then(|us| us.into_iter().find(|u| u.id == update_id))
        .ok_or_else(|| AppError::Internal(format!("update {update_id} not found after it was saved")))?;
    created(update.into())
}

/// POST /api/v1/recommendations/{id}/response.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseChange {
    /// Any response but awaiting.
    #[serde(default)]
    #[schema(value_type = ExecutiveResponse, required = true)]
    pub response: Option<String>,
    /// Date of the executive's response.
    #[serde(default)]
    #[schema(value_type = String, format = Date, example = "2017-10-05", required = true)]
    pub response_date: Option<String>,
    /// Needed when the response is "rejected". Also accepted as `reason`.
    #[serde(default, alias = "reason")]
    pub response_reason: String,
    /// The record's version as read; a stale one is refused with 409.
    pub version: i64,
}

#[utoipa::path(
    post,
    path = "/api/v1/recommendations/{id}/response",
    params(IdParam),
    request_body = ResponseChange,
    responses(
        (status = 200, description = "The recommendation as changed", body = RecView),
        (status = 404, description = "No such recommendation", body = ErrorView),
        (status = 409, description = "Someone else changed the record since the version sent: nothing was saved", body = ErrorView),
        (status = 422, description = "Every problem with what was sent", body = ErrorView)
    )
)]
pub async fn record_response(
    State(state): State<AppState>,
    caller: ApiCaller,
    Id(id): Id,
    ApiJson(b): ApiJson<ResponseChange>,
) -> ApiResult<RecView> {
    // Unknown or missing: the domain's check names the field ("Select the executive's response").
    let input = ResponseInput {
        response: b.response.as_deref().and_then(ExecutiveResponse::from_slug),
        response_date: date(&b.response_date),
        response_reason: b.response_reason,
    };
    let decision = check_response(&input)?;
    state.store.tracker().record_response(&caller.actor(), id, b.version, &decision).await?;
    Ok(Json(RecView::new(state.store.tracker().recommendation(id).await?, state.today())))
}

/// POST /api/v1/recommendations/{id}/lifecycle.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LifecycleChange {
    /// Sign-off and transfer are committee decisions, not set here.
    #[serde(default)]
    #[schema(value_type = Lifecycle, required = true)]
    pub lifecycle: Option<String>,
    /// Needed for paused, not-feasible and superseded.
    #[serde(default)]
    pub reason: String,
    /// The record's version as read; a stale one is refused with 409.
    pub version: i64,
}

#[utoipa::path(
    post,
    path = "/api/v1/recommendations/{id}/lifecycle",
    params(IdParam),
    request_body = LifecycleChange,
    responses(
        (status = 200, description = "The recommendation as changed", body = RecView),
        (status = 403, description = "The caller's role does not allow this, or the caller does not lead the recommendation", body = ErrorView),
        (status = 404, description = "No such recommendation", body = ErrorView),
        (status = 409, description = "Someone else changed the record since the version sent: nothing was saved", body = ErrorView),
        (status = 422, description = "Every problem with what was sent", body = ErrorView)
    )
)]
pub async fn set_lifecycle(State(state): State<AppState>, caller: ApiCaller, Id(id): Id, ApiJson(b): ApiJson<LifecycleChange>) -> ApiResult<RecView> {
    let rec = recommendation_for_change(&state, &caller, id).await?;
    // A status that is not a slug is the API's to name, with the choices; the store checks the rest.
    let given = b.lifecycle.as_deref().map(str::trim).filter(|l| !l.is_empty());
    let lifecycle = given.and_then(Lifecycle::from_slug);
    if given.is_some() && lifecycle.is_none() {
        let choices: Vec<&str> = Lifecycle::officer_choices().iter().map(|l| l.slug()).collect();
        return Err(AppError::Invalid(Invalid::single("lifecycle", format!("Select a status: one of {}", choices.join(", ")))).into());
    }
    state.store.tracker().set_lifecycle(&caller.actor(), rec.id, b.version, &LifecycleInput { lifecycle, reason: b.reason }).await?;
    Ok(Json(RecView::new(state.store.tracker().recommendation(rec.id).await?, state.today())))
}

/// POST /api/v1/recommendations/{id}/actions.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NewAction {
    /// The action.
    #[schema(required = true, min_length = 1)]
    pub text: String,
    /// Who owns it.
    pub owner: String,
    /// Target date.
    #[schema(value_type = String, format = Date, example = "2017-10-05", required = true)]
    pub target_date: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/recommendations/{id}/actions",
    params(IdParam),
    request_body = NewAction,
    responses(
        (status = 201, description = "Created: the new action", body = ActionView),
        (status = 403, description = "The caller's role does not allow this, or the caller does not lead the recommendation", body = ErrorView),
        (status = 404, description = "No such recommendation", body = ErrorView),
        (status = 422, description = "Every problem with what was sent", body = ErrorView)
    )
)]
pub async fn add_action(State(state): State<AppState>, caller: ApiCaller, Id(id): Id, ApiJson(b): ApiJson<NewAction>) -> Created<ActionView> {
    let rec = recommendation_for_change(&state, &caller, id).await?;
    let action = check_action(&ActionInput { text: b.text, owner: b.owner, target_date: date(&b.target_date) })?;
    let action_id = state.store.tracker().add_action(&caller.actor(), rec.id, &action).await?;
    created(ActionView::new(state.store.tracker().action(action_id).await?))
}

/// POST /api/v1/actions/{id}/revise.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Revision {
    /// The new target date; the earlier one is kept in the history.
    #[serde(default)]
    #[schema(value_type = String, format = Date, example = "2017-10-05", required = true)]
    pub new_date: Option<String>,
    /// Why the date is being revised.
    #[serde(default)]
    #[schema(required = true, min_length = 1)]
    pub reason: String,
    /// The record's version as read; a stale one is refused with 409.
    pub version: i64,
}

#[utoipa::path(
    post,
    path = "/api/v1/actions/{id}/revise",
    params(IdParam),
    request_body = Revision,
    responses(
        (status = 200, description = "The action as changed", body = ActionView),
        (status = 403, description = "The caller's role does not allow this, or the caller does not lead the recommendation", body = ErrorView),
        (status = 404, description = "No such action", body = ErrorView),
        (status = 409, description = "Someone else changed the record since the version sent: nothing was saved", body = ErrorView),
        (status = 422, description = "Every problem with what was sent", body = ErrorView)
    )
)]
pub async fn revise_action(State(state): State<AppState>, caller: ApiCaller, Id(id): Id, ApiJson(b): ApiJson<Revision>) -> ApiResult<ActionView> {
    let action = state.store.tracker().action(id).await?;
    recommendation_for_change(&state, &caller, action.recommendation_id).await?;
    state
        .store
        .tracker()
        .revise_action_date(&caller.actor(), id, b.version, &RevisionInput { new_date: date(&b.new_date), reason: b.reason })
        .await?;
    Ok(Json(ActionView::new(state.store.tracker().action(id).await?)))
}
