//! The pathway through the API, for partners' and other systems: raising a concern,
//! recording a placement notification from another authority and acknowledging it,
//! and a missing episode with its return and return interview. Each goes through the
//! same storage calls as its page (the domain's checked commands, need to know, audit):
//! a child named by id is opened through the child-access door first, so one out of the
//! caller's reach answers 404 `no_such_child` exactly as one that does not exist; what
//! only JSON can get wrong (an unreadable date) joins the domain's problems in one 422.

use assure_domain::children::{ChildInput, ChildRef};
use assure_domain::missing::{Findings, InterviewResponse, MissingFrom, RiskGrading};
use assure_domain::partnership::Section;
use assure_domain::placements::Risk;
use assure_domain::referral::{ConcernReporter, ReferralSource};
use assure_domain::screening::Answers;
use assure_domain::Invalid;
use assure_storage::missing::{EpisodeInput, InterviewInput};
use assure_storage::placements::PlacementInput;
use assure_storage::referrals::ConcernForm;
use assure_storage::StoreError;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::Json;
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiCaller, ApiJson, Id};
use super::handlers::{Created, IdParam};
use super::views::{ErrorView, ReferralView};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, AppError};
use crate::pages::missing::parse_time;
use crate::{policy, AppState};

const NO_SUCH_CHILD: &str = "no_such_child: no such child, or not one the caller needs to know about (the same answer for both)";

// ------------------------------------------------------------------ the child a write names

/// A new child's identity (when the child has no record yet).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NewChild {
    #[schema(required = true, min_length = 1)]
    pub first_name: String,
    #[schema(required = true, min_length = 1)]
    pub last_name: String,
    /// A date of birth or an estimated age is needed.
    #[schema(value_type = Option<String>, format = Date, example = "2009-04-17")]
    pub date_of_birth: Option<String>,
    #[schema(minimum = 0, maximum = 25)]
    pub estimated_age: Option<i64>,
    pub gender: String,
    pub ethnicity: String,
    pub address: String,
    pub ward: String,
    pub school: String,
}

/// The child a write is about: `child_id` (a record in the caller's reach) or
/// `new_child`, not both.
fn child_ref(child_id: Option<i64>, new_child: Option<NewChild>, v: &mut Invalid) -> Option<ChildRef> {
    match (child_id, new_child) {
        (Some(_), Some(_)) => {
            v.add("child", "Send either child_id (a child already recorded) or new_child, not both");
            None
        }
        (Some(id), None) => Some(ChildRef::Existing(id)),
        (None, Some(c)) => Some(ChildRef::New(ChildInput {
            date_of_birth: opt_date(v, "date_of_birth", &c.date_of_birth),
            first_name: c.first_name,
            last_name: c.last_name,
            estimated_age: c.estimated_age,
            gender: c.gender,
            ethnicity: c.ethnicity,
            address: c.address,
            ward: c.ward,
            school: c.school,
        })),
        (None, None) => None,
    }
}

/// A child named by id is opened through the door first: one out of reach answers as one
/// that does not exist (404, audited against the child).
async fn door(state: &AppState, caller: &Caller, child: Option<&ChildRef>) -> Result<(), ApiError> {
    if let Some(ChildRef::Existing(id)) = child {
        policy::child(state, caller, *id, Section::Identity).await?;
    }
    Ok(())
}

fn opt_date(v: &mut Invalid, field: &str, s: &Option<String>) -> Option<NaiveDate> {
    let s = s.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    let d = assure_domain::dates::parse_iso(s);
    if d.is_none() {
        v.add(field, format!("{field} must be a real date written YYYY-MM-DD, for example 2017-09-12"));
    }
    d
}

fn opt_time(v: &mut Invalid, field: &str, s: &Option<String>) -> Option<NaiveDateTime> {
    let s = s.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    let t = parse_time(s);
    if t.is_none() {
        v.add(field, format!("{field} must be a date and time written YYYY-MM-DDTHH:MM, for example 2026-01-16T21:30"));
    }
    t
}

/// Problems only JSON can have come back with the store's own, all at once.
async fn refuse_with<F: std::future::Future<Output = Result<Invalid, StoreError>>>(edge: Invalid, store_problems: F) -> ApiError {
    match store_problems.await {
        Ok(found) => AppError::Invalid(edge.merged(found)).into(),
        Err(e) => e.into(),
    }
}

/// What a create answers besides its status: the new record's id, its child, and where
/// the pages show it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedView {
    pub id: i64,
    pub child_id: i64,
    /// The page that shows it (same credentials).
    pub href: String,
}

// ------------------------------------------------------------------ raising a concern

/// POST /api/v1/concerns: a CSE 1, the CSE 2 screening answers and the referral.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NewConcern {
    /// A child already recorded, in the caller's reach.
    pub child_id: Option<i64>,
    /// Or a child not yet recorded.
    pub new_child: Option<NewChild>,
    /// Where the concern came from (police sources only for police agencies).
    #[schema(value_type = ReferralSource, required = true)]
    pub source: Option<String>,
    /// Who reported it, for a concern reported to police (`reported-to-police`).
    #[schema(value_type = Option<ConcernReporter>)]
    pub reported_by: Option<String>,
    /// What was seen or heard.
    #[schema(required = true, min_length = 1)]
    pub what_seen: String,
    #[schema(value_type = String, format = Date, example = "2026-01-16", required = true)]
    pub seen_on: Option<String>,
    pub seen_where: String,
    pub seen_by: String,
    /// The professional referral.
    #[schema(required = true, min_length = 1)]
    pub referral_text: String,
    /// Every question of the current screening tool, by key: true (present) or false.
    #[schema(required = true)]
    pub answers: Answers,
}

#[utoipa::path(
    post,
    path = "/api/v1/concerns",
    request_body = NewConcern,
    responses(
        (status = 201, description = "Created: the referral, on the MASH team's queue", body = ReferralView),
        (status = 404, description = NO_SUCH_CHILD, body = ErrorView),
        (status = 422, description = "Every problem with what was sent", body = ErrorView)
    )
)]
pub async fn raise_concern(State(state): State<AppState>, caller: ApiCaller, ApiJson(b): ApiJson<NewConcern>) -> Created<ReferralView> {
    let reader = policy::reader(&state, &caller).await?;
    let mut edge = Invalid::new();
    let child = child_ref(b.child_id, b.new_child, &mut edge);
    door(&state, &caller, child.as_ref()).await?;
    let source = match b.source.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            let source = ReferralSource::from_slug(s);
            if source.is_none() {
                let all: Vec<&str> = ReferralSource::ALL.iter().map(|s| s.slug()).collect();
                edge.add("source", format!("source must be one of {}", all.join(", ")));
            }
            source
        }
    };
    let reported_by = match b.reported_by.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            let r = ConcernReporter::from_slug(s);
            if r.is_none() {
                let all: Vec<&str> = ConcernReporter::ALL.iter().map(|s| s.slug()).collect();
                edge.add("reported_by", format!("reported_by must be one of {}", all.join(", ")));
            }
            r
        }
    };
    let concern = assure_domain::referral::ConcernInput {
        source,
        reported_by,
        seen_on: opt_date(&mut edge, "seen_on", &b.seen_on),
        what_seen: b.what_seen,
        seen_where: b.seen_where,
        seen_by: b.seen_by,
        referral_text: b.referral_text,
    };
    let form = ConcernForm { child, concern, answers: b.answers };
    if !edge.is_empty() {
        return Err(refuse_with(edge, state.store.referrals(&reader).problems(&form)).await);
    }
    let raised = state.store.referrals(&reader).raise(&form).await?;
    let record = policy::child(&state, &caller, raised.child_id, Section::Concerns).await?;
    Ok((axum::http::StatusCode::CREATED, Json(record.referral(raised.referral_id).await?.into())))
}

// ------------------------------------------------------------------ placements

/// A declared risk of a placed child.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskAnswer {
    pub risk: Risk,
    /// Yes or no; absent when not known.
    #[serde(default)]
    pub present: Option<bool>,
    #[serde(default)]
    pub detail: String,
}

/// POST /api/v1/placements: a looked-after child placed here by another authority.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NewPlacement {
    /// A child already recorded, in the caller's reach.
    pub child_id: Option<i64>,
    /// Or a child not yet recorded.
    pub new_child: Option<NewChild>,
    /// The local authority in England that placed the child.
    #[schema(required = true, min_length = 1)]
    pub placing_authority: String,
    /// A provider already on the list.
    pub provider_id: Option<i64>,
    /// Or a provider not on the list (added with the notification).
    pub new_provider: String,
    pub home: String,
    pub address: String,
    pub ward: String,
    #[schema(value_type = String, format = Date, example = "2026-01-16", required = true)]
    pub start_date: Option<String>,
    #[schema(value_type = Option<String>, format = Date, example = "2026-03-16")]
    pub end_date: Option<String>,
    /// When the notification arrived (not with found_without_notification).
    #[schema(value_type = Option<String>, format = Date, example = "2026-01-17")]
    pub received_date: Option<String>,
    /// The child was found here without a notification from the placing authority.
    pub found_without_notification: bool,
    /// Every risk answered yes or no (a risk left out is unanswered: 422 names it as `risk-<risk>`).
    #[schema(required = true)]
    pub risks: Vec<RiskAnswer>,
}

#[utoipa::path(
    post,
    path = "/api/v1/placements",
    request_body = NewPlacement,
    responses(
        (status = 201, description = "Created: the notification, routed to the teams the rules name", body = CreatedView),
        (status = 404, description = NO_SUCH_CHILD, body = ErrorView),
        (status = 422, description = "Every problem with what was sent", body = ErrorView)
    )
)]
pub async fn record_placement(State(state): State<AppState>, caller: ApiCaller, ApiJson(b): ApiJson<NewPlacement>) -> Created<CreatedView> {
    let reader = policy::reader(&state, &caller).await?;
    let today = state.today();
    let mut edge = Invalid::new();
    let child = child_ref(b.child_id, b.new_child, &mut edge);
    door(&state, &caller, child.as_ref()).await?;
    let risks = Risk::ALL
        .iter()
        .map(|r| {
            let answer = b.risks.iter().find(|a| a.risk == *r);
            (*r, answer.and_then(|a| a.present), answer.map(|a| a.detail.clone()).unwrap_or_default())
        })
        .collect();
    let input = PlacementInput {
        child,
        start_date: opt_date(&mut edge, "start_date", &b.start_date),
        end_date: opt_date(&mut edge, "end_date", &b.end_date),
        received_date: opt_date(&mut edge, "received_date", &b.received_date),
        placing_authority: b.placing_authority,
        provider_id: b.provider_id,
        new_provider: b.new_provider,
        home: b.home,
        address: b.address,
        ward: b.ward,
        found_without_notification: b.found_without_notification,
        risks,
    };
    if !edge.is_empty() {
        return Err(refuse_with(edge, state.store.placements(&reader).problems(&input, today)).await);
    }
    let (id, child_id) = state.store.placements(&reader).record_notification(&input, today).await?;
    Ok((axum::http::StatusCode::CREATED, Json(CreatedView { id, child_id, href: format!("/children/{child_id}/placements") })))
}

/// The acknowledgement recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcknowledgedView {
    /// The notification's line (one per team it was routed to).
    pub id: i64,
    pub acknowledged: bool,
}

#[utoipa::path(
    post,
    path = "/api/v1/notifications/{id}/acknowledge",
    params(IdParam),
    responses(
        (status = 200, description = "Acknowledged", body = AcknowledgedView),
        (status = 422, description = "Already acknowledged", body = ErrorView),
        (status = 403, description = "The caller is not in the team the notification was routed to", body = ErrorView),
        (status = 404, description = "No such notification line, or one of a child the caller may not see (the same answer for both)", body = ErrorView)
    )
)]
pub async fn acknowledge(State(state): State<AppState>, caller: ApiCaller, Id(line): Id) -> ApiResult<AcknowledgedView> {
    policy::acknowledge_notification(&state, &caller, line).await?;
    Ok(Json(AcknowledgedView { id: line, acknowledged: true }))
}

// ------------------------------------------------------------------ missing episodes

/// POST /api/v1/missing: a child missing from home, care or education.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NewEpisode {
    /// A child already recorded, in the caller's reach.
    pub child_id: Option<i64>,
    /// Or a child not yet recorded.
    pub new_child: Option<NewChild>,
    #[schema(value_type = MissingFrom, required = true)]
    pub missing_from: Option<String>,
    /// When the child went missing: YYYY-MM-DDTHH:MM.
    #[schema(value_type = String, example = "2026-01-16T21:30", required = true)]
    pub started_at: Option<String>,
    /// When the child was found or returned; absent while still missing.
    #[schema(value_type = Option<String>, example = "2026-01-17T08:15")]
    pub ended_at: Option<String>,
    pub where_found: String,
    pub police_reference: String,
    #[schema(value_type = RiskGrading, required = true)]
    pub risk_grading: Option<String>,
}

fn slug_of<T: Copy>(v: &mut Invalid, field: &str, given: &Option<String>, all: &[T], slug: fn(T) -> &'static str) -> Option<T> {
    let s = given.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    let found = all.iter().copied().find(|x| slug(*x) == s);
    if found.is_none() {
        let slugs: Vec<&str> = all.iter().map(|x| slug(*x)).collect();
        v.add(field, format!("{field} must be one of {}", slugs.join(", ")));
    }
    found
}

#[utoipa::path(
    post,
    path = "/api/v1/missing",
    request_body = NewEpisode,
    responses(
        (status = 201, description = "Created: the episode, routed by the pattern rules", body = CreatedView),
        (status = 404, description = NO_SUCH_CHILD, body = ErrorView),
        (status = 422, description = "Every problem with what was sent (an overlap with another of the child's episodes too)", body = ErrorView)
    )
)]
pub async fn record_episode(State(state): State<AppState>, caller: ApiCaller, ApiJson(b): ApiJson<NewEpisode>) -> Created<CreatedView> {
    let reader = policy::reader(&state, &caller).await?;
    let mut edge = Invalid::new();
    let child = child_ref(b.child_id, b.new_child, &mut edge);
    door(&state, &caller, child.as_ref()).await?;
    let input = EpisodeInput {
        child,
        missing_from: slug_of(&mut edge, "missing_from", &b.missing_from, MissingFrom::ALL, MissingFrom::slug),
        started_at: opt_time(&mut edge, "started_at", &b.started_at),
        ended_at: opt_time(&mut edge, "ended_at", &b.ended_at),
        where_found: b.where_found,
        police_reference: b.police_reference,
        risk_grading: slug_of(&mut edge, "risk_grading", &b.risk_grading, RiskGrading::ALL, RiskGrading::slug),
    };
    if !edge.is_empty() {
        return Err(refuse_with(edge, state.store.missing(&reader).problems(&input)).await);
    }
    let (child_id, id) = state.store.missing(&reader).record_episode(&input).await?;
    Ok((axum::http::StatusCode::CREATED, Json(CreatedView { id, child_id, href: format!("/children/{child_id}/missing#episode-{id}") })))
}

/// A child's id and one of their episodes' ids, from the path.
pub struct ChildEpisode(pub i64, pub i64);

impl<S: Send + Sync> FromRequestParts<S> for ChildEpisode {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path((c, e)) = Path::<(String, String)>::from_request_parts(parts, state).await.map_err(|_| ApiError(AppError::NotFound))?;
        let id = |s: &str| s.parse::<i64>().ok().filter(|id| *id > 0);
        match (id(&c), id(&e)) {
            (Some(c), Some(e)) => Ok(ChildEpisode(c, e)),
            _ => Err(ApiError(AppError::NotFound)),
        }
    }
}

/// The `{id}` (child) and `{eid}` (episode) path parameters.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct EpisodeParams {
    /// The child's id.
    #[param(minimum = 1)]
    pub id: i64,
    /// The episode's id.
    #[param(minimum = 1)]
    pub eid: i64,
}

/// POST /api/v1/children/{id}/missing/{eid}/return.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EpisodeReturn {
    /// When the child was found or returned: YYYY-MM-DDTHH:MM.
    #[serde(default)]
    #[schema(value_type = String, example = "2026-01-17T08:15", required = true)]
    pub ended_at: Option<String>,
    #[serde(default)]
    pub where_found: String,
    /// The episode's version as read; a stale one is refused with 409.
    pub version: i64,
}

#[utoipa::path(
    post,
    path = "/api/v1/children/{id}/missing/{eid}/return",
    params(EpisodeParams),
    request_body = EpisodeReturn,
    responses(
        (status = 200, description = "The return recorded", body = CreatedView),
        (status = 404, description = NO_SUCH_CHILD, body = ErrorView),
        (status = 409, description = "Someone else changed the episode since the version sent: nothing was saved", body = ErrorView),
        (status = 422, description = "Every problem with what was sent", body = ErrorView)
    )
)]
pub async fn record_return(
    State(state): State<AppState>,
    caller: ApiCaller,
    ChildEpisode(child_id, eid): ChildEpisode,
    ApiJson(b): ApiJson<EpisodeReturn>,
) -> ApiResult<CreatedView> {
    let record = policy::child(&state, &caller, child_id, Section::Missing).await?;
    record.episode(eid).await?;
    let mut v = Invalid::new();
    let ended = opt_time(&mut v, "ended_at", &b.ended_at);
    if !v.is_empty() {
        return Err(AppError::Invalid(v).into());
    }
    record.end_episode(eid, b.version, ended, &b.where_found).await?;
    Ok(Json(CreatedView { id: eid, child_id, href: format!("/children/{child_id}/missing#episode-{eid}") }))
}

/// POST /api/v1/children/{id}/missing/{eid}/interview: the independent return interview
/// (recording it again corrects it: send the version read).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ReturnInterview {
    /// When the interview was offered: YYYY-MM-DDTHH:MM.
    #[schema(value_type = String, example = "2026-01-17T10:00", required = true)]
    pub offered_at: Option<String>,
    #[schema(value_type = InterviewResponse, required = true)]
    pub response: Option<String>,
    pub interviewer: String,
    /// The independent provider that offered or held it.
    pub provider: String,
    pub said_about_cse: String,
    pub said_about_organised_crime: String,
    pub where_and_with_whom: String,
    pub follow_up_actions: String,
    /// A link to child sexual exploitation (routed to MACSE).
    pub cse: bool,
    pub organised_crime: bool,
    /// A concern about the placing authority or the home.
    pub placement_concern: bool,
    /// With a correction: the interview's version as read.
    pub version: Option<i64>,
}

#[utoipa::path(
    post,
    path = "/api/v1/children/{id}/missing/{eid}/interview",
    params(EpisodeParams),
    request_body = ReturnInterview,
    responses(
        (status = 201, description = "The interview recorded; its links routed by the pattern rules", body = CreatedView),
        (status = 404, description = NO_SUCH_CHILD, body = ErrorView),
        (status = 409, description = "Someone else changed the interview since the version sent: nothing was saved", body = ErrorView),
        (status = 422, description = "Every problem with what was sent", body = ErrorView)
    )
)]
pub async fn record_interview(
    State(state): State<AppState>,
    caller: ApiCaller,
    ChildEpisode(child_id, eid): ChildEpisode,
    ApiJson(b): ApiJson<ReturnInterview>,
) -> Created<CreatedView> {
    let record = policy::child(&state, &caller, child_id, Section::Missing).await?;
    record.episode(eid).await?;
    let mut v = Invalid::new();
    let input = InterviewInput {
        offered_at: opt_time(&mut v, "offered_at", &b.offered_at),
        response: slug_of(&mut v, "response", &b.response, InterviewResponse::ALL, InterviewResponse::slug),
        interviewer: b.interviewer,
        provider: b.provider,
        said_about_cse: b.said_about_cse,
        said_about_organised_crime: b.said_about_organised_crime,
        where_and_with_whom: b.where_and_with_whom,
        follow_up_actions: b.follow_up_actions,
        findings: Findings { cse: b.cse, organised_crime: b.organised_crime, placement_concern: b.placement_concern },
    };
    if !v.is_empty() {
        return Err(AppError::Invalid(v).into());
    }
    let id = record.record_interview(eid, b.version, &input).await?;
    Ok((axum::http::StatusCode::CREATED, Json(CreatedView { id, child_id, href: format!("/children/{child_id}/missing#episode-{eid}") })))
}
