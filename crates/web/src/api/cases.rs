//! Child protection cases, MARAC referrals and SPOC monitoring through the API, for
//! partners' systems: the same storage calls, permissions and child door as their pages
//! (`/children/{id}/child-protection`, `/child-protection`, `/children/{id}/marac`,
//! `/spoc/monitoring`). A child out of the caller's reach answers 404 `no_such_child`
//! exactly as one that does not exist (audited against the child); the queue of open CP
//! cases is read a page at a time from a key, with its count; what only JSON can get
//! wrong (an unreadable date, an unknown slug) joins the domain's problems in one 422.

use assure_domain::child_protection::{
    check_conference, check_review, check_s47, check_strategy, ConferenceInput, ConferenceOutcome, CpStage, S47Input, S47Outcome, StrategyDecision,
    StrategyInput, Timeliness,
};
use assure_domain::marac::{check_marac, CseReviewOutcome, MaracInput, MaracStatus, ReviewInput};
use assure_domain::monitoring::{compare, made_none, AgencyUse, ChallengeInput, Period, UseLevel};
use assure_domain::partnership::{AgencyKind, Section};
use assure_domain::referral::MashDecision;
use assure_domain::Invalid;
use assure_storage::child_protection::CpCase;
use assure_storage::keyset::{Cursor, PageRequest};
use assure_storage::marac::MaracReferral;
use assure_storage::monitoring::Challenge;
use assure_storage::ChildRecord;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiCaller, ApiJson, Id, Params};
use super::handlers::{Created, IdParam};
use super::pathway::ChildEpisode;
use super::views::ErrorView;
use crate::auth::Caller;
use crate::error::{ApiResult, AppError};
use crate::{policy, AppState};

const NO_SUCH_CHILD: &str = "no_such_child: no such child, or not one the caller needs to know about (the same answer for both)";

/// An agency, by id and name.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyRef {
    pub id: i64,
    pub name: String,
}

fn opt_date(v: &mut Invalid, field: &str, s: &Option<String>) -> Option<NaiveDate> {
    let s = s.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    let d = assure_domain::dates::parse_iso(s);
    if d.is_none() {
        v.add(field, format!("{field} must be a real date written YYYY-MM-DD, for example 2026-01-16"));
    }
    d
}

/// A slug field: absent is None (the domain names it if it is needed); an unknown one
/// is a problem naming the values allowed.
fn opt_slug<T: Copy>(v: &mut Invalid, field: &str, s: &Option<String>, all: &[T], slug: fn(T) -> &'static str) -> Option<T> {
    let s = s.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    let found = all.iter().copied().find(|x| slug(*x) == s);
    if found.is_none() {
        let allowed: Vec<&str> = all.iter().map(|x| slug(*x)).collect();
        v.add(field, format!("{field} must be one of {}", allowed.join(", ")));
    }
    found
}

/// The JSON's own problems with the domain's others (those not about the same fields),
/// as one 422; none at all lets the write go ahead.
fn problems<T>(edge: Invalid, domain: Result<T, Invalid>) -> Result<(), AppError> {
    if edge.is_empty() {
        return Ok(());
    }
    let rest = domain.err().map(|e| Invalid { errors: e.errors.into_iter().filter(|x| edge.for_field(&x.field).is_none()).collect() });
    Err(AppError::Invalid(edge.merged(rest.unwrap_or_default())))
}

// ------------------------------------------------------------------ child protection

/// One stage of a CP case with its due date (counted in working days where the
/// timescale is) and whether it is on time.
#[derive(Debug, Serialize, ToSchema)]
pub struct CpStageView {
    pub stage: CpStage,
    /// Absent until the stage it is counted from has happened.
    pub due: Option<NaiveDate>,
    pub done_on: Option<NaiveDate>,
    pub timeliness: Timeliness,
}

/// A child protection case: its stages, due dates and timeliness, the named CSE
/// reviewing officer and the plan version that is the CP plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct CpCaseView {
    pub id: i64,
    pub child_id: i64,
    pub child_name: String,
    /// The referral whose MASH decision opened the case.
    pub referral_id: i64,
    pub decided_on: Option<NaiveDate>,
    pub strategy_on: Option<NaiveDate>,
    pub strategy_decision: Option<StrategyDecision>,
    pub strategy_notes: String,
    /// The agencies at the strategy meeting.
    pub strategy_attendees: Vec<AgencyRef>,
    pub s47_started_on: Option<NaiveDate>,
    pub s47_outcome: Option<S47Outcome>,
    pub s47_outcome_on: Option<NaiveDate>,
    pub conference_on: Option<NaiveDate>,
    pub conference_outcome: Option<ConferenceOutcome>,
    pub review_on: Option<NaiveDate>,
    pub reviewing_officer_id: Option<i64>,
    pub reviewing_officer_name: Option<String>,
    /// The version of the child's plan (MACSE template) that is the CP plan.
    pub plan_version: Option<i64>,
    /// The next stage due on an open case, and when.
    pub next_stage: Option<CpStage>,
    pub next_due_on: Option<NaiveDate>,
    /// Whether the next stage is past its due date today.
    pub overdue: bool,
    pub closed_on: Option<NaiveDate>,
    pub stages: Vec<CpStageView>,
    /// Send it back with a change; a stale one is refused with 409.
    pub version: i64,
}

impl CpCaseView {
    fn new(c: CpCase, today: NaiveDate) -> CpCaseView {
        let next = c.next().filter(|_| c.is_open());
        let stages =
            c.stages(today).into_iter().map(|s| CpStageView { stage: s.stage, due: s.due, done_on: s.done_on, timeliness: s.timeliness }).collect();
        CpCaseView {
            id: c.id,
            child_id: c.child_id,
            child_name: c.child_name,
            referral_id: c.referral_id,
            decided_on: c.facts.decided_on,
            strategy_on: c.facts.strategy_on,
            strategy_decision: c.facts.strategy_decision,
            strategy_notes: c.strategy_notes,
            strategy_attendees: c.attendees.into_iter().map(|(id, name)| AgencyRef { id, name }).collect(),
            s47_started_on: c.facts.s47_started_on,
            s47_outcome: c.facts.s47_outcome,
            s47_outcome_on: c.facts.s47_outcome_on,
            conference_on: c.facts.conference_on,
            conference_outcome: c.facts.conference_outcome,
            review_on: c.facts.review_on,
            reviewing_officer_id: c.reviewing_officer_id,
            reviewing_officer_name: c.reviewing_officer_name,
            plan_version: c.plan_version,
            next_stage: next.map(|n| n.0),
            next_due_on: c.next_due_on,
            overdue: next.is_some_and(|(_, d)| today > d),
            closed_on: c.closed_on,
            stages,
            version: c.version,
        }
    }
}

/// One page of the open CP cases, the next due first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CpCasePage {
    /// Open cases matching the filter, counted as far as 1,000: the whole count when
    /// `total_exact`, otherwise at least this many.
    pub total: i64,
    /// Whether `total` is the whole count (false: there are more than `total`).
    pub total_exact: bool,
    /// Items per answer.
    pub limit: i64,
    /// The link to the next items, with the same filter; absent at the end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// The cursor in `next`, for clients that build their own links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    pub items: Vec<CpCaseView>,
}

/// GET /api/v1/child-protection's filter and paging (read from a key: no page numbers).
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CpQueueQuery {
    /// true: only cases whose next stage is past due.
    pub overdue: Option<bool>,
    /// Items per answer (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Where to continue: the `next_cursor` of the previous answer (opaque).
    pub cursor: Option<String>,
}

fn cursor(p: &Params) -> Result<Option<Cursor>, AppError> {
    match p.get("cursor") {
        None => Ok(None),
        Some(c) => Cursor::decode(c)
            .map(Some)
            .ok_or_else(|| AppError::BadRequest("The cursor parameter is not one this API gave: use the next link of the previous answer".into())),
    }
}

fn yes_no(p: &Params, name: &str) -> Result<bool, AppError> {
    match p.get(name) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(v) => Err(AppError::BadRequest(format!("The {name} parameter must be true or false, not {v:?}"))),
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/child-protection",
    params(CpQueueQuery),
    responses((status = 200, description = "One page of the open CP cases of children in the caller's reach, the next stage due first", body = CpCasePage))
)]
pub async fn queue(State(state): State<AppState>, caller: ApiCaller, p: Params) -> ApiResult<CpCasePage> {
    let reader = policy::reader(&state, &caller).await?;
    let overdue = yes_no(&p, "overdue")?;
    let limit = p.positive("limit", 50, 200)?;
    let req = PageRequest { cursor: cursor(&p)?, limit };
    let today = state.today();
    let (page, total) = state.store.child_protection(&reader).queue_page(today, overdue, &req).await?;
    let filter = if overdue { "overdue=true&" } else { "" };
    let next = page.next.clone().map(|c| (format!("/api/v1/child-protection?{filter}limit={limit}&cursor={c}"), c));
    Ok(Json(CpCasePage {
        total: total.counted(),
        total_exact: total.is_exact(),
        limit,
        next_cursor: next.as_ref().map(|(_, c)| c.clone()),
        next: next.map(|(link, _)| link),
        items: page.items.into_iter().map(|q| CpCaseView::new(q.case, today)).collect(),
    }))
}

#[utoipa::path(
    get,
    path = "/api/v1/children/{id}/child-protection",
    params(IdParam),
    responses(
        (status = 200, description = "The child's CP cases, newest first (need to know; audited)", body = Vec<CpCaseView>),
        (status = 404, description = NO_SUCH_CHILD, body = ErrorView)
    )
)]
pub async fn child_cases(State(state): State<AppState>, caller: ApiCaller, Id(id): Id) -> ApiResult<Vec<CpCaseView>> {
    let record = policy::child(&state, &caller, id, Section::ChildProtection).await?;
    let today = state.today();
    Ok(Json(record.cp_cases().await?.into_iter().map(|c| CpCaseView::new(c, today)).collect()))
}

/// The `{id}` (child) and `{cid}` (CP case) path parameters.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CaseParams {
    /// The child's id.
    #[param(minimum = 1)]
    pub id: i64,
    /// The CP case's id.
    #[param(minimum = 1)]
    pub cid: i64,
}

async fn open_case(state: &AppState, caller: &Caller, child_id: i64, case_id: i64) -> Result<(ChildRecord, CpCase), AppError> {
    let record = policy::child(state, caller, child_id, Section::ChildProtection).await?;
    let case = record.cp_case(case_id).await?;
    Ok((record, case))
}

async fn case_answer(state: &AppState, record: &ChildRecord, case_id: i64) -> ApiResult<CpCaseView> {
    Ok(Json(CpCaseView::new(record.cp_case(case_id).await?, state.today())))
}

/// POST /api/v1/children/{id}/child-protection/{cid}/strategy-meeting.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct StrategyMeeting {
    #[schema(value_type = String, format = Date, example = "2026-01-16", required = true)]
    pub held_on: Option<String>,
    /// The agencies attending, by id.
    pub agencies: Vec<i64>,
    #[schema(value_type = StrategyDecision, required = true)]
    pub decision: Option<String>,
    pub notes: String,
    /// The case's version as read.
    #[schema(required = true)]
    pub version: i64,
}

const CHANGE_RESPONSES: &str = "The case as it now is";

#[utoipa::path(
    post,
    path = "/api/v1/children/{id}/child-protection/{cid}/strategy-meeting",
    params(CaseParams),
    request_body = StrategyMeeting,
    responses(
        (status = 200, description = CHANGE_RESPONSES, body = CpCaseView),
        (status = 404, description = NO_SUCH_CHILD, body = ErrorView),
        (status = 409, description = "Someone else changed the case since the version sent: nothing was saved", body = ErrorView),
        (status = 422, description = "Every problem with what was sent", body = ErrorView)
    )
)]
pub async fn strategy(
    State(state): State<AppState>,
    caller: ApiCaller,
    ChildEpisode(child_id, case_id): ChildEpisode,
    ApiJson(b): ApiJson<StrategyMeeting>,
) -> ApiResult<CpCaseView> {
    let (record, case) = open_case(&state, &caller, child_id, case_id).await?;
    let mut edge = Invalid::new();
    let input = StrategyInput {
        held_on: opt_date(&mut edge, "held_on", &b.held_on),
        agencies: b.agencies,
        decision: opt_slug(&mut edge, "decision", &b.decision, StrategyDecision::ALL, StrategyDecision::slug),
        notes: b.notes,
    };
    problems(edge, check_strategy(&input, &case.facts, state.today()))?;
    record.record_strategy_meeting(case.id, b.version, &input).await?;
    case_answer(&state, &record, case.id).await
}

/// POST /api/v1/children/{id}/child-protection/{cid}/section-47.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Section47 {
    #[schema(value_type = String, format = Date, example = "2026-01-16", required = true)]
    pub started_on: Option<String>,
    /// The outcome, once there is one (with its date).
    #[schema(value_type = Option<S47Outcome>)]
    pub outcome: Option<String>,
    #[schema(value_type = Option<String>, format = Date, example = "2026-02-20")]
    pub outcome_on: Option<String>,
    #[schema(required = true)]
    pub version: i64,
}

#[utoipa::path(
    post,
    path = "/api/v1/children/{id}/child-protection/{cid}/section-47",
    params(CaseParams),
    request_body = Section47,
    responses(
        (status = 200, description = CHANGE_RESPONSES, body = CpCaseView),
        (status = 404, description = NO_SUCH_CHILD, body = ErrorView),
        (status = 409, description = "Someone else changed the case since the version sent: nothing was saved", body = ErrorView),
        (status = 422, description = "Every problem with what was sent", body = ErrorView)
    )
)]
pub async fn section_47(
    State(state): State<AppState>,
    caller: ApiCaller,
    ChildEpisode(child_id, case_id): ChildEpisode,
    ApiJson(b): ApiJson<Section47>,
) -> ApiResult<CpCaseView> {
    let (record, case) = open_case(&state, &caller, child_id, case_id).await?;
    let mut edge = Invalid::new();
    let input = S47Input {
        started_on: opt_date(&mut edge, "started_on", &b.started_on),
        outcome: opt_slug(&mut edge, "outcome", &b.outcome, S47Outcome::ALL, S47Outcome::slug),
        outcome_on: opt_date(&mut edge, "outcome_on", &b.outcome_on),
    };
    problems(edge, check_s47(&input, &case.facts, state.today()))?;
    record.record_section_47(case.id, b.version, &input).await?;
    case_answer(&state, &record, case.id).await
}

/// POST /api/v1/children/{id}/child-protection/{cid}/conference (the initial conference)
/// and …/review-conference (the first review: `outcome` is not sent).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Conference {
    #[schema(value_type = String, format = Date, example = "2026-02-02", required = true)]
    pub held_on: Option<String>,
    /// The initial conference's outcome.
    #[schema(value_type = Option<ConferenceOutcome>)]
    pub outcome: Option<String>,
    #[schema(required = true)]
    pub version: i64,
}

#[utoipa::path(
    post,
    path = "/api/v1/children/{id}/child-protection/{cid}/conference",
    params(CaseParams),
    request_body = Conference,
    responses(
        (status = 200, description = CHANGE_RESPONSES, body = CpCaseView),
        (status = 404, description = NO_SUCH_CHILD, body = ErrorView),
        (status = 409, description = "Someone else changed the case since the version sent: nothing was saved", body = ErrorView),
        (status = 422, description = "Every problem with what was sent", body = ErrorView)
    )
)]
pub async fn conference(
    State(state): State<AppState>,
    caller: ApiCaller,
    ChildEpisode(child_id, case_id): ChildEpisode,
    ApiJson(b): ApiJson<Conference>,
) -> ApiResult<CpCaseView> {
    let (record, case) = open_case(&state, &caller, child_id, case_id).await?;
    let mut edge = Invalid::new();
    let input = ConferenceInput {
        held_on: opt_date(&mut edge, "held_on", &b.held_on),
        outcome: opt_slug(&mut edge, "outcome", &b.outcome, ConferenceOutcome::ALL, ConferenceOutcome::slug),
    };
    problems(edge, check_conference(&input, &case.facts, state.today()))?;
    record.record_conference(case.id, b.version, &input).await?;
    case_answer(&state, &record, case.id).await
}

#[utoipa::path(
    post,
    path = "/api/v1/children/{id}/child-protection/{cid}/review-conference",
    params(CaseParams),
    request_body = Conference,
    responses(
        (status = 200, description = CHANGE_RESPONSES, body = CpCaseView),
        (status = 404, description = NO_SUCH_CHILD, body = ErrorView),
        (status = 409, description = "Someone else changed the case since the version sent: nothing was saved", body = ErrorView),
        (status = 422, description = "Every problem with what was sent", body = ErrorView)
    )
)]
pub async fn review_conference(
    State(state): State<AppState>,
    caller: ApiCaller,
    ChildEpisode(child_id, case_id): ChildEpisode,
    ApiJson(b): ApiJson<Conference>,
) -> ApiResult<CpCaseView> {
    let (record, case) = open_case(&state, &caller, child_id, case_id).await?;
    let mut edge = Invalid::new();
    let held_on = opt_date(&mut edge, "held_on", &b.held_on);
    if b.outcome.is_some() {
        edge.add("outcome", "A review conference has no outcome here: leave outcome out");
    }
    problems(edge, check_review(held_on, &case.facts, state.today()))?;
    record.record_review_conference(case.id, b.version, held_on).await?;
    case_answer(&state, &record, case.id).await
}

// ------------------------------------------------------------------ MARAC

/// A MARAC referral of a 16 to 18-year-old and its CSE review.
#[derive(Debug, Serialize, ToSchema)]
pub struct MaracView {
    pub id: i64,
    pub child_id: i64,
    pub child_name: String,
    /// The agency that recorded it.
    pub agency_id: i64,
    pub agency_name: String,
    pub recorded_by_name: Option<String>,
    pub referred_on: NaiveDate,
    pub referred_by: String,
    pub relationship: String,
    /// The young person's age on the day of the referral.
    pub age_at_referral: i64,
    pub status: MaracStatus,
    pub recorded_at: String,
    pub review_outcome: Option<CseReviewOutcome>,
    pub review_reasons: Option<String>,
    pub reviewed_by_name: Option<String>,
    pub reviewed_at: Option<String>,
    /// The referral decided "MACSE" that a CSE concern led to.
    pub referral_id: Option<i64>,
    pub version: i64,
}

impl From<MaracReferral> for MaracView {
    fn from(m: MaracReferral) -> Self {
        MaracView {
            id: m.id,
            child_id: m.child_id,
            child_name: m.child_name,
            agency_id: m.agency_id,
            agency_name: m.agency_name,
            recorded_by_name: m.recorded_by_name,
            referred_on: m.referred_on,
            referred_by: m.referred_by,
            relationship: m.relationship,
            age_at_referral: m.age_at_referral,
            status: m.status,
            recorded_at: m.recorded_at,
            review_outcome: m.review_outcome,
            review_reasons: m.review_reasons,
            reviewed_by_name: m.reviewed_by_name,
            reviewed_at: m.reviewed_at,
            referral_id: m.referral_id,
            version: m.version,
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/children/{id}/marac",
    params(IdParam),
    responses(
        (status = 200, description = "The young person's MARAC referrals, newest first (need to know; audited)", body = Vec<MaracView>),
        (status = 404, description = NO_SUCH_CHILD, body = ErrorView)
    )
)]
pub async fn marac_list(State(state): State<AppState>, caller: ApiCaller, Id(id): Id) -> ApiResult<Vec<MaracView>> {
    let record = policy::child(&state, &caller, id, Section::Concerns).await?;
    Ok(Json(record.marac_referrals().await?.into_iter().map(MaracView::from).collect()))
}

/// POST /api/v1/children/{id}/marac: a MARAC referral of a 16 to 18-year-old victim of an
/// abusive relationship (the age is checked against the date of birth on the day).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NewMarac {
    #[schema(value_type = String, format = Date, example = "2026-01-16", required = true)]
    pub referred_on: Option<String>,
    /// Who referred them (agency and role), e.g. "IDVA service".
    #[schema(required = true, min_length = 1)]
    pub referred_by: String,
    /// The abusive relationship, as MARAC heard it.
    #[schema(required = true, min_length = 1)]
    pub relationship: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/children/{id}/marac",
    params(IdParam),
    request_body = NewMarac,
    responses(
        (status = 201, description = "Recorded: waiting for the MASH's CSE review", body = MaracView),
        (status = 404, description = NO_SUCH_CHILD, body = ErrorView),
        (status = 422, description = "Every problem with what was sent", body = ErrorView)
    )
)]
pub async fn marac_record(State(state): State<AppState>, caller: ApiCaller, Id(id): Id, ApiJson(b): ApiJson<NewMarac>) -> Created<MaracView> {
    let record = policy::child(&state, &caller, id, Section::Concerns).await?;
    let mut edge = Invalid::new();
    let input =
        MaracInput { referred_on: opt_date(&mut edge, "referred_on", &b.referred_on), referred_by: b.referred_by, relationship: b.relationship };
    problems(edge, check_marac(&input, record.child().date_of_birth, state.store.today()))?;
    let mid = record.record_marac(&input).await?;
    Ok((StatusCode::CREATED, Json(record.marac_referral(mid).await?.into())))
}

/// The `{id}` (child) and `{mid}` (MARAC referral) path parameters.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct MaracParams {
    /// The child's id.
    #[param(minimum = 1)]
    pub id: i64,
    /// The MARAC referral's id.
    #[param(minimum = 1)]
    pub mid: i64,
}

/// POST /api/v1/children/{id}/marac/{mid}/review: the MASH's CSE review.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct MaracReview {
    /// A CSE concern refers the young person to MACSE.
    #[schema(value_type = CseReviewOutcome, required = true)]
    pub outcome: Option<String>,
    /// The reasons (needed when there is no CSE concern).
    pub reasons: String,
    #[schema(required = true)]
    pub version: i64,
}

#[utoipa::path(
    post,
    path = "/api/v1/children/{id}/marac/{mid}/review",
    params(MaracParams),
    request_body = MaracReview,
    responses(
        (status = 200, description = "The referral, reviewed", body = MaracView),
        (status = 404, description = NO_SUCH_CHILD, body = ErrorView),
        (status = 409, description = "Someone else changed the referral since the version sent: nothing was saved", body = ErrorView),
        (status = 422, description = "Every problem with what was sent", body = ErrorView)
    )
)]
pub async fn marac_review(
    State(state): State<AppState>,
    caller: ApiCaller,
    ChildEpisode(child_id, mid): ChildEpisode,
    ApiJson(b): ApiJson<MaracReview>,
) -> ApiResult<MaracView> {
    let record = policy::child(&state, &caller, child_id, Section::MashDecision).await?;
    let m = record.marac_referral(mid).await?;
    let mut edge = Invalid::new();
    let input =
        ReviewInput { outcome: opt_slug(&mut edge, "outcome", &b.outcome, CseReviewOutcome::ALL, CseReviewOutcome::slug), reasons: b.reasons };
    problems(edge, assure_domain::marac::check_review(&input, m.status))?;
    record.review_marac(m.id, b.version, &input).await?;
    Ok(Json(record.marac_referral(m.id).await?.into()))
}

// ------------------------------------------------------------------ SPOC monitoring

/// Forms of one agency that the MASH decided one way.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeCount {
    pub decision: MashDecision,
    pub forms: i64,
}

/// One agency's use of the CSE forms in the period, against agencies of its kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyUseView {
    pub agency_id: i64,
    pub name: String,
    pub kind: AgencyKind,
    /// CSE forms raised (concerns and the police's 101, 999 and reported concerns).
    pub forms: i64,
    /// Still waiting for the MASH's decision.
    pub awaiting: i64,
    /// Decided, by decision.
    pub outcomes: Vec<OutcomeCount>,
    /// Active agencies of the same kind, this one included.
    pub peers: i64,
    /// Forms per agency of that kind, to one decimal place.
    pub peer_average: f64,
    pub use_level: UseLevel,
}

impl AgencyUseView {
    fn new(a: &AgencyUse, all: &[AgencyUse]) -> AgencyUseView {
        let c = compare(a, all);
        AgencyUseView {
            agency_id: a.agency_id,
            name: a.name.clone(),
            kind: a.kind,
            forms: a.forms,
            awaiting: a.awaiting,
            outcomes: a.outcomes.iter().map(|(d, n)| OutcomeCount { decision: *d, forms: *n }).collect(),
            peers: c.peers as i64,
            peer_average: c.peer_average,
            use_level: c.use_level,
        }
    }
}

/// The use of the CSE forms in a period: counts only, no child named.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonitoringView {
    pub period: Period,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// True for the partnership manager (every agency); a SPOC sees their agencies.
    pub every_agency: bool,
    /// The agencies the caller monitors, by kind and name.
    pub agencies: Vec<AgencyUseView>,
    /// Every active agency that raised no form in the period, by name.
    pub made_none: Vec<AgencyRef>,
}

/// GET /api/v1/spoc/monitoring's period.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonitoringQuery {
    /// The period ending today (default this-month).
    #[param(value_type = Option<Period>)]
    pub period: Option<String>,
}

fn period(p: &Params) -> Result<Period, AppError> {
    match p.get("period") {
        None => Ok(Period::ThisMonth),
        Some(v) => Period::from_slug(v).ok_or_else(|| {
            let all: Vec<&str> = Period::ALL.iter().map(|p| p.slug()).collect();
            AppError::BadRequest(format!("The period parameter must be one of {}, not {v:?}", all.join(", ")))
        }),
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/spoc/monitoring",
    params(MonitoringQuery),
    responses((status = 200, description = "The forms raised per agency in the period and their outcomes (SPOCs: their agencies; the partnership manager: all)", body = MonitoringView))
)]
pub async fn monitoring(State(state): State<AppState>, caller: ApiCaller, p: Params) -> ApiResult<MonitoringView> {
    let period = period(&p)?;
    let reader = policy::reader(&state, &caller).await?;
    let m = state.store.monitoring(&reader);
    let today = state.today();
    let all = m.usage(period, today).await?;
    let mut agencies: Vec<AgencyUseView> = all.iter().filter(|a| m.monitors(a.agency_id)).map(|a| AgencyUseView::new(a, &all)).collect();
    agencies.sort_by(|a, b| (a.kind.label(), &a.name).cmp(&(b.kind.label(), &b.name)));
    Ok(Json(MonitoringView {
        period,
        start: period.start(today),
        end: today,
        every_agency: m.sees_all(),
        agencies,
        made_none: made_none(&all).into_iter().map(|a| AgencyRef { id: a.agency_id, name: a.name.clone() }).collect(),
    }))
}

/// A challenge to an agency about its use of the forms, with its response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChallengeView {
    pub id: i64,
    pub agency_id: i64,
    pub agency_name: String,
    pub period: Period,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// Forms the agency had raised in the period when it was challenged.
    pub forms_in_period: i64,
    pub challenge: String,
    pub raised_by_name: Option<String>,
    pub raised_at: String,
    pub response: Option<String>,
    pub responded_by_name: Option<String>,
    pub responded_at: Option<String>,
    pub version: i64,
}

impl From<Challenge> for ChallengeView {
    fn from(c: Challenge) -> Self {
        ChallengeView {
            id: c.id,
            agency_id: c.agency_id,
            agency_name: c.agency_name,
            period: c.period,
            period_start: c.period_start,
            period_end: c.period_end,
            forms_in_period: c.forms_in_period,
            challenge: c.challenge,
            raised_by_name: c.raised_by_name,
            raised_at: c.raised_at,
            response: c.response,
            responded_by_name: c.responded_by_name,
            responded_at: c.responded_at,
            version: c.version,
        }
    }
}

/// One page of challenges, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChallengePage {
    pub total: i64,
    /// Items per answer.
    pub limit: i64,
    /// The link to the next items; absent at the end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    pub items: Vec<ChallengeView>,
}

/// GET /api/v1/spoc/challenges's paging.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChallengeQuery {
    /// Items per answer (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Where to continue: the `next_cursor` of the previous answer (opaque).
    pub cursor: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/spoc/challenges",
    params(ChallengeQuery),
    responses((status = 200, description = "Challenges of the agencies the caller monitors, newest first, with their responses", body = ChallengePage))
)]
pub async fn challenges(State(state): State<AppState>, caller: ApiCaller, p: Params) -> ApiResult<ChallengePage> {
    let paging = p.paging()?;
    let reader = policy::reader(&state, &caller).await?;
    let all = state.store.monitoring(&reader).challenges().await?;
    let total = all.len() as i64;
    let next = p.next_link("/api/v1/spoc/challenges", paging, total);
    Ok(Json(ChallengePage {
        total,
        limit: paging.limit,
        next_cursor: next.as_ref().map(|(_, c)| c.clone()),
        next: next.map(|(link, _)| link),
        items: all.into_iter().skip(paging.offset.max(0) as usize).take(paging.limit as usize).map(ChallengeView::from).collect(),
    }))
}

/// POST /api/v1/spoc/challenges: challenge an agency the caller monitors about its use of
/// the forms in a period (the count at the time is kept with it).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NewChallenge {
    #[schema(required = true)]
    pub agency_id: Option<i64>,
    #[schema(value_type = Period, required = true)]
    pub period: Option<String>,
    /// What is asked of the agency.
    #[schema(required = true, min_length = 1)]
    pub challenge: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/spoc/challenges",
    request_body = NewChallenge,
    responses(
        (status = 201, description = "Recorded (audited against the agency)", body = ChallengeView),
        (status = 422, description = "Every problem with what was sent", body = ErrorView)
    )
)]
pub async fn challenge(State(state): State<AppState>, caller: ApiCaller, ApiJson(b): ApiJson<NewChallenge>) -> Created<ChallengeView> {
    let reader = policy::reader(&state, &caller).await?;
    let mut edge = Invalid::new();
    let input = ChallengeInput {
        agency_id: b.agency_id,
        period: opt_slug(&mut edge, "period", &b.period, Period::ALL, Period::slug),
        challenge: b.challenge,
    };
    problems(edge, assure_domain::monitoring::check_challenge(&input))?;
    let m = state.store.monitoring(&reader);
    let id = m.challenge(&input, state.today()).await?;
    let made = m.challenges().await?.into_iter().find(|c| c.id == id).ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(made.into())))
}

/// POST /api/v1/spoc/challenges/{id}/response: the agency's response (once).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ChallengeResponse {
    #[schema(required = true, min_length = 1)]
    pub response: String,
    /// The challenge's version as read.
    #[schema(required = true)]
    pub version: i64,
}

#[utoipa::path(
    post,
    path = "/api/v1/spoc/challenges/{id}/response",
    params(IdParam),
    request_body = ChallengeResponse,
    responses(
        (status = 200, description = "The challenge with its response (audited against the agency)", body = ChallengeView),
        (status = 404, description = "No such challenge, or one of an agency the caller does not monitor", body = ErrorView),
        (status = 409, description = "Someone else changed the challenge since the version sent: nothing was saved", body = ErrorView),
        (status = 422, description = "Every problem with what was sent", body = ErrorView)
    )
)]
pub async fn respond(
    State(state): State<AppState>,
    caller: ApiCaller,
    Id(id): Id,
    ApiJson(b): ApiJson<ChallengeResponse>,
) -> ApiResult<ChallengeView> {
    let reader = policy::reader(&state, &caller).await?;
    let m = state.store.monitoring(&reader);
    m.respond(id, b.version, &b.response).await?;
    let c = m.challenges().await?.into_iter().find(|c| c.id == id).ok_or(AppError::NotFound)?;
    Ok(Json(c.into()))
}
