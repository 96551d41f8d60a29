//! The API's handlers: parse, check, call the store, answer JSON.

use assure_domain::dates::parse_iso;
use assure_domain::tracker::{
    check_action, check_response, check_review, ActionInput, ExecutiveResponse, Lifecycle, LifecycleInput, RecommendationInput, ResponseInput,
    ReviewInput, ReviewKind, RevisionInput, UpdateInput,
};
use assure_domain::Invalid;
use assure_storage::tracker::{Body, RecFilter, Review};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;

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

// ------------------------------------------------------------------ reading

pub async fn openapi(State(state): State<AppState>) -> Json<Value> {
    Json(openapi::document(&state.routes))
}

pub async fn me(caller: ApiCaller) -> ApiResult<MeView> {
    Ok(Json(MeView::new(&caller.user)))
}

pub async fn bodies(State(state): State<AppState>) -> ApiResult<Vec<Body>> {
    Ok(Json(state.store.tracker().bodies().await?))
}

pub async fn reviews(State(state): State<AppState>) -> ApiResult<Vec<Review>> {
    Ok(Json(state.store.tracker().reviews().await?))
}

pub async fn review(State(state): State<AppState>, Id(id): Id) -> ApiResult<ReviewDetailView> {
    let today = state.today();
    let review = state.store.tracker().review(id).await?;
    let endorsements = state.store.tracker().endorsements(id).await?;
    let schedules = state.store.tracker().schedules(Some(id)).await?.into_iter().map(|s| ScheduleView::new(s, today)).collect();
    let recommendations = state.store.tracker().review_recommendations(id).await?.into_iter().map(|r| RecView::new(r, today)).collect();
    Ok(Json(ReviewDetailView { review, endorsements, schedules, recommendations }))
}

pub async fn list_recommendations(State(state): State<AppState>, p: Params) -> ApiResult<RecPage> {
    let today = state.today();
    let page = p.positive("page", 1, 1_000_000)?;
    let per_page = p.positive("per_page", 50, 200)?;
    let overdue = p.get("overdue");
    if !matches!(overdue, None | Some("response" | "target")) {
        return Err(AppError::BadRequest(format!("The overdue parameter must be response or target, not {:?}", overdue.unwrap_or(""))).into());
    }
    let filter = RecFilter {
        body_id: p.id("body_id")?,
        review_id: p.id("review_id")?,
        lead_user_id: p.id("lead")?,
        lifecycle: p.slug("lifecycle")?,
        response: p.slug("response")?,
        rag: p.slug("rag")?,
        text: p.get("q").map(str::to_string),
        response_overdue_on: (overdue == Some("response")).then_some(today),
        target_passed_on: (overdue == Some("target")).then_some(today),
    };
    let (recs, total) = state.store.tracker().list_recommendations(&filter, per_page, (page - 1) * per_page).await?;
    Ok(Json(RecPage { total, page, per_page, items: recs.into_iter().map(|r| RecView::new(r, today)).collect() }))
}

pub async fn recommendation(State(state): State<AppState>, Id(id): Id) -> ApiResult<RecDetailView> {
    Ok(Json(RecDetailView::new(state.store.tracker().recommendation_detail(id).await?, state.today())))
}

pub async fn dashboard(State(state): State<AppState>, p: Params) -> ApiResult<DashboardView> {
    let filter = RecFilter { body_id: p.id("body_id")?, ..Default::default() };
    Ok(Json(state.store.tracker().dashboard(&filter, state.today()).await?.into()))
}

pub async fn schedule(State(state): State<AppState>) -> ApiResult<Vec<ScheduleView>> {
    let today = state.today();
    let mut v: Vec<ScheduleView> = state.store.tracker().schedules(None).await?.into_iter().map(|s| ScheduleView::new(s, today)).collect();
    // Soonest report first; schedules with no report to come last.
    v.sort_by_key(|s| (s.next_report_date.is_none(), s.next_report_date));
    Ok(Json(v))
}

// ------------------------------------------------------------------ reviews and recommendations

/// POST /api/v1/reviews. Dates are "YYYY-MM-DD"; kind is a slug.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NewReview {
    pub kind: Option<String>,
    pub title: String,
    pub terms_of_reference: String,
    pub lead_member: String,
    pub members: String,
    pub origin_body_id: Option<i64>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub report_date: Option<String>,
    pub final_report_ref: String,
    pub referred_to_body_id: Option<i64>,
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

pub async fn create_review(State(state): State<AppState>, caller: ApiCaller, ApiJson(b): ApiJson<NewReview>) -> Created<Review> {
    let (input, typed) = b.input();
    if let Some(problems) = refused(typed, || check_review(&input), ReviewInput::FIELDS) {
        return Err(AppError::Invalid(problems).into());
    }
    let id = state.store.tracker().create_review(&caller.actor(), &input).await?;
    created(state.store.tracker().review(id).await?)
}

/// POST /api/v1/reviews/{id}/recommendations.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NewRecommendation {
    pub parent_id: Option<i64>,
    pub number: Option<i64>,
    pub sub_label: String,
    pub committee_wording: String,
    pub executive_wording: String,
    pub who_must_act: String,
    pub area: String,
    pub outcome: String,
    pub monitoring_body_id: Option<i64>,
    pub lead_ids: Vec<i64>,
}

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
    };
    let id = state.store.tracker().create_recommendation(&caller.actor(), review_id, &input).await?;
    created(RecView::new(state.store.tracker().recommendation(id).await?, state.today()))
}

// ------------------------------------------------------------------ changing a recommendation

/// POST /api/v1/recommendations/{id}/updates (no evidence files through the API).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NewUpdate {
    pub update_date: Option<String>,
    pub narrative: String,
    pub progress_percent: Option<i64>,
    pub corrects_id: Option<i64>,
}

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
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseChange {
    #[serde(default)]
    pub response: Option<String>,
    #[serde(default)]
    pub response_date: Option<String>,
    /// Needed when the response is "rejected". Also accepted as `reason`.
    #[serde(default, alias = "reason")]
    pub response_reason: String,
    pub version: i64,
}

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
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleChange {
    #[serde(default)]
    pub lifecycle: Option<String>,
    #[serde(default)]
    pub reason: String,
    pub version: i64,
}

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
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NewAction {
    pub text: String,
    pub owner: String,
    pub target_date: Option<String>,
}

pub async fn add_action(State(state): State<AppState>, caller: ApiCaller, Id(id): Id, ApiJson(b): ApiJson<NewAction>) -> Created<ActionView> {
    let rec = recommendation_for_change(&state, &caller, id).await?;
    let action = check_action(&ActionInput { text: b.text, owner: b.owner, target_date: date(&b.target_date) })?;
    let action_id = state.store.tracker().add_action(&caller.actor(), rec.id, &action).await?;
    created(ActionView::new(state.store.tracker().action(action_id).await?))
}

/// POST /api/v1/actions/{id}/revise.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revision {
    #[serde(default)]
    pub new_date: Option<String>,
    #[serde(default)]
    pub reason: String,
    pub version: i64,
}

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
