//! What the API answers: response types of its own, built from the storage records and
//! domain values, with the values the pages compute (effective RAG, suggested RAG,
//! response state) added and nothing internal (evidence files' names on disk stay on the
//! server). Each derives `ToSchema`, so the OpenAPI document describes exactly what is
//! sent; a storage struct gaining a field does not change the API until a view says so.

use std::collections::BTreeMap;

use assure_domain::partnership::{Involvement, InvolvementKind, Section};
use assure_domain::plan::{ActionStatus, PlanAction, PlanVersion, SectionText};
use assure_domain::referral::{ConcernReporter, MashDecision, ReferralSource, ReferralStatus};
use assure_domain::screening::RiskLevel;
use assure_domain::tracker::{upcoming_report_dates, BodyKind, ExecutiveResponse, Lifecycle, Rag, ResponseState, ReviewKind};
use assure_domain::{FieldError, Permission, Role};
use assure_storage::children::Child;
use assure_storage::referrals::Referral;
use assure_storage::tracker::Body;
use assure_storage::tracker::{
    Action, BodyCount, Dashboard, DateRevision, Endorsement, Evidence, HistoryItem, Lead, ProgressUpdate, Recommendation, RecommendationDetail,
    Review, Schedule, UpdateRequest,
};
use assure_storage::users::User;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

// ------------------------------------------------------------------ errors

/// Every error the API answers: a stable code, a title and a message; a 422 lists
/// every problem at once in `fields`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorView {
    /// A stable code: not_found, unauthorized, forbidden, need_to_know, no_such_child,
    /// csrf_failed, conflict, invalid, bad_request, too_large, throttled or internal.
    pub error: String,
    pub title: String,
    pub message: String,
    /// With 422: one problem per field, in form order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldProblem>>,
}

/// One problem with what was sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The JSON property (or form field) the message is about.
    pub field: String,
    /// A message written for the person who sent it.
    pub message: String,
}

impl From<&FieldError> for FieldProblem {
    fn from(e: &FieldError) -> Self {
        FieldProblem { field: e.field.clone(), message: e.message.clone() }
    }
}

// ------------------------------------------------------------------ the caller

#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// The role's slug, e.g. administrator, scrutiny-officer, lead-officer or committee-member.
    pub role: &'static str,
    pub role_label: &'static str,
    pub job_title: String,
    /// What the role allows, by permission name (as in each operation's x-permission).
    pub permissions: Vec<&'static str>,
}

impl MeView {
    pub fn new(u: &User) -> MeView {
        MeView {
            id: u.id,
            name: u.name.clone(),
            email: u.email.clone(),
            role: u.role.slug(),
            role_label: u.role.label(),
            job_title: u.job_title.clone(),
            permissions: permissions(u.role),
        }
    }
}

pub fn permissions(role: Role) -> Vec<&'static str> {
    Permission::ALL.iter().filter(|p| **p != Permission::Public && role.allows(**p)).map(|p| p.name()).collect()
}

// ------------------------------------------------------------------ the tracker

/// A committee, the executive, a board or another body.
#[derive(Debug, Serialize, ToSchema)]
pub struct BodyView {
    pub id: i64,
    pub name: String,
    pub kind: BodyKind,
    /// This body's own response deadline unit (days, weeks or months), if it overrides the council's.
    pub response_unit: Option<String>,
    pub response_amount: Option<i64>,
    pub version: i64,
}

impl From<Body> for BodyView {
    fn from(b: Body) -> Self {
        BodyView { id: b.id, name: b.name, kind: b.kind, response_unit: b.response_unit, response_amount: b.response_amount, version: b.version }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewView {
    pub id: i64,
    pub kind: ReviewKind,
    pub title: String,
    pub terms_of_reference: String,
    pub lead_member: String,
    pub members: String,
    pub origin_body_id: Option<i64>,
    pub origin_body_name: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub report_date: Option<NaiveDate>,
    pub final_report_ref: String,
    pub referred_to_body_id: Option<i64>,
    pub referred_to_body_name: Option<String>,
    pub referral_date: Option<NaiveDate>,
    /// The executive's response is due by this date.
    pub response_due: Option<NaiveDate>,
    pub version: i64,
    /// How many recommendations (including sub-items) it made.
    pub recommendation_count: i64,
    pub awaiting_response: i64,
    /// Numbered recommendations whose response the imported tracker did not record.
    pub response_not_recorded: i64,
}

impl From<Review> for ReviewView {
    fn from(r: Review) -> Self {
        ReviewView {
            id: r.id,
            kind: r.kind,
            title: r.title,
            terms_of_reference: r.terms_of_reference,
            lead_member: r.lead_member,
            members: r.members,
            origin_body_id: r.origin_body_id,
            origin_body_name: r.origin_body_name,
            start_date: r.start_date,
            end_date: r.end_date,
            report_date: r.report_date,
            final_report_ref: r.final_report_ref,
            referred_to_body_id: r.referred_to_body_id,
            referred_to_body_name: r.referred_to_body_name,
            referral_date: r.referral_date,
            response_due: r.response_due,
            version: r.version,
            recommendation_count: r.recommendation_count,
            awaiting_response: r.awaiting_response,
            response_not_recorded: r.response_not_recorded,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EndorsementView {
    pub id: i64,
    pub review_id: i64,
    pub body_id: i64,
    pub body_name: String,
    pub endorsed_on: NaiveDate,
    pub minute_ref: String,
}

impl From<Endorsement> for EndorsementView {
    fn from(e: Endorsement) -> Self {
        EndorsementView {
            id: e.id,
            review_id: e.review_id,
            body_id: e.body_id,
            body_name: e.body_name,
            endorsed_on: e.endorsed_on,
            minute_ref: e.minute_ref,
        }
    }
}

/// A lead officer of a recommendation.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadView {
    pub user_id: i64,
    pub name: String,
    pub job_title: String,
}

impl From<Lead> for LeadView {
    fn from(l: Lead) -> Self {
        LeadView { user_id: l.user_id, name: l.name, job_title: l.job_title }
    }
}

/// Where the executive's response stands today.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case", tag = "state")]
pub enum ResponseStateView {
    /// Not referred yet: no deadline running.
    NotReferred,
    Responded,
    /// The imported tracker did not record the executive's response: never overdue.
    NotRecorded,
    /// Due, with this many days left (0 = due today).
    Due {
        days_left: i64,
    },
    Overdue {
        days_over: i64,
    },
}

impl From<ResponseState> for ResponseStateView {
    fn from(s: ResponseState) -> Self {
        match s {
            ResponseState::NotReferred => ResponseStateView::NotReferred,
            ResponseState::Responded => ResponseStateView::Responded,
            ResponseState::NotRecorded => ResponseStateView::NotRecorded,
            ResponseState::Due { days_left } => ResponseStateView::Due { days_left },
            ResponseState::Overdue { days_over } => ResponseStateView::Overdue { days_over },
        }
    }
}

/// A recommendation, plus what the tracker shows for it today.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecView {
    pub id: i64,
    pub review_id: i64,
    pub review_title: String,
    pub parent_id: Option<i64>,
    pub number: i64,
    pub sub_label: String,
    pub reference: String,
    pub committee_wording: String,
    pub executive_wording: String,
    pub who_must_act: String,
    pub area: String,
    pub outcome: String,
    pub response: ExecutiveResponse,
    pub response_date: Option<NaiveDate>,
    pub response_reason: String,
    pub response_due: Option<NaiveDate>,
    pub lifecycle: Lifecycle,
    pub lifecycle_reason: String,
    pub rag_override: Option<Rag>,
    pub rag_override_reason: String,
    pub monitoring_body_id: Option<i64>,
    pub monitoring_body_name: Option<String>,
    /// The latest current target date among the open actions.
    pub target_date: Option<NaiveDate>,
    /// The latest progress an update stated, 0–100.
    pub progress_percent: Option<i64>,
    pub last_update_date: Option<NaiveDate>,
    pub referral_date: Option<NaiveDate>,
    pub created_on: NaiveDate,
    pub version: i64,
    pub leads: Vec<LeadView>,
    /// Lead officers named only as text (by an imported tracker), one per line.
    pub lead_officers_text: String,
    /// Where it came from (a scrutiny review, an inspection, a case review), as written.
    pub origin: String,
    /// When the executive decided on it.
    pub executive_decision_date: Option<NaiveDate>,
    /// "(3)" or "(1)(a)".
    pub label: String,
    /// The executive's wording if there is one, else the committee's.
    pub wording: String,
    /// Effective delivery RAG: the rating given (the council's or an officer's) if any,
    /// else Assure's suggestion when one is used (`rag_suggested`), else null ("Not rated").
    pub rag: Option<Rag>,
    /// Whether `rag` is Assure's suggestion rather than a rating given: always show it
    /// marked as one ("Suggested: Red").
    pub rag_suggested: bool,
    /// Whether a suggestion stands in while no rating is given (false: "Not rated").
    pub rag_suggest: bool,
    pub suggested_rag: Option<Rag>,
    pub response_state: ResponseStateView,
    pub target_passed: bool,
}

impl RecView {
    pub fn new(rec: Recommendation, today: NaiveDate) -> RecView {
        RecView {
            label: rec.label(),
            wording: rec.wording().to_string(),
            rag: rec.rag(today),
            rag_suggested: rec.rag_is_suggested(today),
            rag_suggest: rec.rag_suggest,
            suggested_rag: rec.suggested_rag(today),
            response_state: rec.response_state(today).into(),
            target_passed: rec.target_passed(today),
            id: rec.id,
            review_id: rec.review_id,
            review_title: rec.review_title,
            parent_id: rec.parent_id,
            number: rec.number,
            sub_label: rec.sub_label,
            reference: rec.reference,
            committee_wording: rec.committee_wording,
            executive_wording: rec.executive_wording,
            who_must_act: rec.who_must_act,
            area: rec.area,
            outcome: rec.outcome,
            response: rec.response,
            response_date: rec.response_date,
            response_reason: rec.response_reason,
            response_due: rec.response_due,
            lifecycle: rec.lifecycle,
            lifecycle_reason: rec.lifecycle_reason,
            rag_override: rec.rag_override,
            rag_override_reason: rec.rag_override_reason,
            monitoring_body_id: rec.monitoring_body_id,
            monitoring_body_name: rec.monitoring_body_name,
            target_date: rec.target_date,
            progress_percent: rec.progress_percent,
            last_update_date: rec.last_update_date,
            referral_date: rec.referral_date,
            created_on: rec.created_on,
            version: rec.version,
            leads: rec.leads.into_iter().map(LeadView::from).collect(),
            lead_officers_text: rec.lead_officers_text,
            origin: rec.origin,
            executive_decision_date: rec.executive_decision_date,
        }
    }
}

/// One page of reviews, newest first. The list is read from a key, so it has no page
/// numbers: follow `next` (or send `next_cursor` back as `cursor`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewPage {
    pub total: i64,
    /// Items per answer.
    pub limit: i64,
    /// The link to the next items; absent at the end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// The cursor in `next`, for clients that build their own links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    pub items: Vec<ReviewView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecPage {
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// Items per answer.
    pub limit: i64,
    /// The link to the next items, with the same filters; absent at the end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// The cursor in `next`, for clients that build their own links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    pub items: Vec<RecView>,
}

/// An earlier target date of an action and why it was moved.
#[derive(Debug, Serialize, ToSchema)]
pub struct DateRevisionView {
    pub old_date: NaiveDate,
    pub new_date: NaiveDate,
    pub reason: String,
    pub revised_by: String,
    pub revised_at: String,
}

impl From<DateRevision> for DateRevisionView {
    fn from(r: DateRevision) -> Self {
        DateRevisionView { old_date: r.old_date, new_date: r.new_date, reason: r.reason, revised_by: r.revised_by, revised_at: r.revised_at }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionView {
    pub id: i64,
    pub recommendation_id: i64,
    pub text: String,
    pub owner: String,
    /// None for an ongoing action with no target date.
    pub target_date: Option<NaiveDate>,
    pub done: bool,
    pub version: i64,
    /// Earlier target dates, oldest first.
    pub revisions: Vec<DateRevisionView>,
    /// As trackers write it: "May 2017, revised to July 2017".
    pub date_history: String,
}

impl ActionView {
    pub fn new(a: Action) -> ActionView {
        ActionView {
            date_history: a.date_history(),
            id: a.id,
            recommendation_id: a.recommendation_id,
            text: a.text,
            owner: a.owner,
            target_date: a.target_date,
            done: a.done,
            version: a.version,
            revisions: a.revisions.into_iter().map(DateRevisionView::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceView {
    pub id: i64,
    pub original_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_at: String,
    /// Download (audited), with the same credentials.
    pub download_url: String,
}

impl From<Evidence> for EvidenceView {
    fn from(e: Evidence) -> Self {
        EvidenceView {
            download_url: format!("/evidence/{}", e.id),
            id: e.id,
            original_name: e.original_name,
            content_type: e.content_type,
            size_bytes: e.size_bytes,
            sha256: e.sha256,
            uploaded_at: e.uploaded_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UpdateView {
    pub id: i64,
    pub recommendation_id: i64,
    pub author: String,
    pub update_date: NaiveDate,
    pub narrative: String,
    pub progress_percent: Option<i64>,
    pub corrects_id: Option<i64>,
    pub corrected_by_id: Option<i64>,
    pub created_at: String,
    pub evidence: Vec<EvidenceView>,
}

impl From<ProgressUpdate> for UpdateView {
    fn from(u: ProgressUpdate) -> Self {
        UpdateView {
            id: u.id,
            recommendation_id: u.recommendation_id,
            author: u.author,
            update_date: u.update_date,
            narrative: u.narrative,
            progress_percent: u.progress_percent,
            corrects_id: u.corrects_id,
            corrected_by_id: u.corrected_by_id,
            created_at: u.created_at,
            evidence: u.evidence.into_iter().map(EvidenceView::from).collect(),
        }
    }
}

/// One entry of a recommendation's history: a change of response, status, RAG or committee.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryItemView {
    pub at: String,
    pub by: String,
    pub kind: String,
    pub from_value: String,
    pub to_value: String,
    pub reason: String,
    pub body_name: Option<String>,
    pub meeting_date: Option<NaiveDate>,
    pub minute_ref: String,
}

impl From<HistoryItem> for HistoryItemView {
    fn from(h: HistoryItem) -> Self {
        HistoryItemView {
            at: h.at,
            by: h.by,
            kind: h.kind,
            from_value: h.from_value,
            to_value: h.to_value,
            reason: h.reason,
            body_name: h.body_name,
            meeting_date: h.meeting_date,
            minute_ref: h.minute_ref,
        }
    }
}

/// A request for a progress update, sent to a recommendation's leads.
#[derive(Debug, Serialize, ToSchema)]
pub struct UpdateRequestView {
    pub id: i64,
    pub recommendation_id: i64,
    pub requested_by: String,
    pub requested_at: String,
    pub due_date: NaiveDate,
    pub for_report_date: Option<NaiveDate>,
    pub message: String,
    /// An update was written after the request.
    pub answered: bool,
}

impl From<UpdateRequest> for UpdateRequestView {
    fn from(r: UpdateRequest) -> Self {
        UpdateRequestView {
            id: r.id,
            recommendation_id: r.recommendation_id,
            requested_by: r.requested_by,
            requested_at: r.requested_at,
            due_date: r.due_date,
            for_report_date: r.for_report_date,
            message: r.message,
            answered: r.answered,
        }
    }
}

/// A recommendation's page as data.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecDetailView {
    #[serde(flatten)]
    pub rec: RecView,
    pub parent: Option<RecView>,
    pub children: Vec<RecView>,
    pub actions: Vec<ActionView>,
    /// Newest first; corrections are new entries pointing at the one they correct.
    pub updates: Vec<UpdateView>,
    pub history: Vec<HistoryItemView>,
    pub requests: Vec<UpdateRequestView>,
}

impl RecDetailView {
    pub fn new(d: RecommendationDetail, today: NaiveDate) -> RecDetailView {
        RecDetailView {
            rec: RecView::new(d.rec, today),
            parent: d.parent.map(|p| RecView::new(p, today)),
            children: d.children.into_iter().map(|c| RecView::new(c, today)).collect(),
            actions: d.actions.into_iter().map(ActionView::new).collect(),
            updates: d.updates.into_iter().map(UpdateView::from).collect(),
            history: d.history.into_iter().map(HistoryItemView::from).collect(),
            requests: d.requests.into_iter().map(UpdateRequestView::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewDetailView {
    #[serde(flatten)]
    pub review: ReviewView,
    pub endorsements: Vec<EndorsementView>,
    pub schedules: Vec<ScheduleView>,
    pub recommendations: Vec<RecView>,
}

/// A committee's monitoring of a review: the first report and how often after it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleView {
    pub id: i64,
    pub review_id: i64,
    pub review_title: String,
    pub body_id: i64,
    pub body_name: String,
    pub first_report_date: NaiveDate,
    /// 0 for a single report.
    pub interval_months: i64,
    pub resolution_ref: String,
    /// The next report on or after today (none when a single report has passed).
    pub next_report_date: Option<NaiveDate>,
    /// The next few report dates.
    pub upcoming_report_dates: Vec<NaiveDate>,
}

impl ScheduleView {
    pub fn new(s: Schedule, today: NaiveDate) -> ScheduleView {
        let upcoming = upcoming_report_dates(s.first_report_date, s.interval_months, today, 3);
        ScheduleView {
            next_report_date: upcoming.first().copied(),
            upcoming_report_dates: upcoming,
            id: s.id,
            review_id: s.review_id,
            review_title: s.review_title,
            body_id: s.body_id,
            body_name: s.body_name,
            first_report_date: s.first_report_date,
            interval_months: s.interval_months,
            resolution_ref: s.resolution_ref,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResponseCount {
    pub response: ExecutiveResponse,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LifecycleCount {
    pub lifecycle: Lifecycle,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RagCount {
    /// null: not rated (no rating given and no suggestion used, or nothing to judge by).
    pub rag: Option<Rag>,
    /// Assure's suggestions, counted apart from the ratings given.
    pub suggested: bool,
    pub count: i64,
}

/// One committee's recommendations by RAG (no committee: body_id null): ratings
/// given (red, amber, green), Assure's suggestions apart, and those not rated.
#[derive(Debug, Serialize, ToSchema)]
pub struct BodyCountView {
    pub body_id: Option<i64>,
    pub body_name: String,
    pub total: i64,
    pub red: i64,
    pub amber: i64,
    pub green: i64,
    pub suggested_red: i64,
    pub suggested_amber: i64,
    pub suggested_green: i64,
    pub not_rated: i64,
    pub complete: i64,
}

impl From<BodyCount> for BodyCountView {
    fn from(b: BodyCount) -> Self {
        BodyCountView {
            body_id: b.body_id,
            body_name: b.body_name,
            total: b.total,
            red: b.red,
            amber: b.amber,
            green: b.green,
            suggested_red: b.suggested_red,
            suggested_amber: b.suggested_amber,
            suggested_green: b.suggested_green,
            not_rated: b.not_rated,
            complete: b.complete,
        }
    }
}

/// The dashboard's counts, with each breakdown as a list of objects.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardView {
    pub total: i64,
    pub accepted: i64,
    pub responses_overdue: i64,
    pub responses_due_soon: i64,
    pub targets_passed: i64,
    pub by_response: Vec<ResponseCount>,
    pub by_lifecycle: Vec<LifecycleCount>,
    pub by_rag: Vec<RagCount>,
    pub by_body: Vec<BodyCountView>,
}

impl From<Dashboard> for DashboardView {
    fn from(d: Dashboard) -> Self {
        DashboardView {
            total: d.total,
            accepted: d.accepted,
            responses_overdue: d.responses_overdue,
            responses_due_soon: d.responses_due_soon,
            targets_passed: d.targets_passed,
            by_response: d.by_response.into_iter().map(|(response, count)| ResponseCount { response, count }).collect(),
            by_lifecycle: d.by_lifecycle.into_iter().map(|(lifecycle, count)| LifecycleCount { lifecycle, count }).collect(),
            by_rag: d.by_rag.into_iter().map(|(rag, suggested, count)| RagCount { rag, suggested, count }).collect(),
            by_body: d.by_body.into_iter().map(BodyCountView::from).collect(),
        }
    }
}

// ------------------------------------------------------------------ children

/// An agency involved with a child, and who in it may see the record.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvolvementView {
    pub agency_id: i64,
    pub kind: InvolvementKind,
    /// "agency", "team:<team>" or "person:<account id>".
    pub scope: String,
}

impl From<Involvement> for InvolvementView {
    fn from(i: Involvement) -> Self {
        InvolvementView { agency_id: i.agency_id, kind: i.kind, scope: i.scope.key() }
    }
}

/// A child's identity and legal status.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChildView {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub estimated_age: Option<i64>,
    pub gender: String,
    pub ethnicity: String,
    pub address: String,
    pub ward: String,
    pub school: String,
    pub legal_status: assure_domain::partnership::LegalStatus,
    /// Set when this record was merged into another (a duplicate): the record kept.
    pub merged_into_id: Option<i64>,
    pub version: i64,
    /// The agencies involved, as the caller may be shown them.
    pub involvements: Vec<InvolvementView>,
}

impl From<Child> for ChildView {
    fn from(c: Child) -> Self {
        ChildView {
            legal_status: c.legal_status(),
            id: c.id,
            first_name: c.first_name,
            last_name: c.last_name,
            date_of_birth: c.date_of_birth,
            estimated_age: c.estimated_age,
            gender: c.gender,
            ethnicity: c.ethnicity,
            address: c.address,
            ward: c.ward,
            school: c.school,
            merged_into_id: c.merged_into_id,
            version: c.version,
            involvements: c.involvements.into_iter().map(InvolvementView::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChildPage {
    pub children: Vec<ChildView>,
    /// The children matching, counted as far as 1,000 past this page's start: the whole
    /// count when `total_exact`, otherwise at least this many.
    pub total: i64,
    /// Whether `total` is the whole count (false: there are more than `total`).
    pub total_exact: bool,
    pub page: i64,
    pub per_page: i64,
    /// Items per answer.
    pub limit: i64,
    /// The link to the next items, with the same filters; absent at the end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// The cursor in `next`, for clients that build their own links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A concern or referral, with its screening and MASH decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralView {
    pub id: i64,
    pub child_id: i64,
    pub child_name: String,
    pub agency_id: i64,
    pub agency_name: String,
    pub raised_by: Option<i64>,
    pub raised_by_name: Option<String>,
    pub source: ReferralSource,
    /// Who reported a concern reported to police.
    pub reported_by: Option<ConcernReporter>,
    pub what_seen: String,
    pub seen_on: NaiveDate,
    pub seen_where: String,
    pub seen_by: String,
    pub referral_text: String,
    /// The version of the screening tool the answers were given against.
    pub tool_version: i64,
    /// The screening tool's indicators, by key: present or not.
    pub answers: BTreeMap<String, bool>,
    pub risk_level: RiskLevel,
    pub status: ReferralStatus,
    pub submitted_at: String,
    pub picked_up_at: Option<String>,
    pub decision: Option<MashDecision>,
    pub decision_reasons: Option<String>,
    pub interventions: Option<String>,
    pub keep_monitoring: bool,
    pub decided_at: Option<String>,
    pub decided_by_name: Option<String>,
    pub returned_at: Option<String>,
    pub spoc_acknowledged_at: Option<String>,
    pub spoc_acknowledged_by_name: Option<String>,
    pub version: i64,
}

impl From<Referral> for ReferralView {
    fn from(r: Referral) -> Self {
        ReferralView {
            id: r.id,
            child_id: r.child_id,
            child_name: r.child_name,
            agency_id: r.agency_id,
            agency_name: r.agency_name,
            raised_by: r.raised_by,
            raised_by_name: r.raised_by_name,
            source: r.source,
            reported_by: r.reported_by,
            what_seen: r.what_seen,
            seen_on: r.seen_on,
            seen_where: r.seen_where,
            seen_by: r.seen_by,
            referral_text: r.referral_text,
            tool_version: r.tool_version,
            answers: r.answers,
            risk_level: r.risk_level,
            status: r.status,
            submitted_at: r.submitted_at,
            picked_up_at: r.picked_up_at,
            decision: r.decision,
            decision_reasons: r.decision_reasons,
            interventions: r.interventions,
            keep_monitoring: r.keep_monitoring,
            decided_at: r.decided_at,
            decided_by_name: r.decided_by_name,
            returned_at: r.returned_at,
            spoc_acknowledged_at: r.spoc_acknowledged_at,
            spoc_acknowledged_by_name: r.spoc_acknowledged_by_name,
            version: r.version,
        }
    }
}

/// A plan section's discussion at the panel.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionTextView {
    pub section: Section,
    pub discussion: String,
}

/// One action of a plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanActionView {
    pub section: Section,
    pub text: String,
    pub owner: String,
    pub agency_id: Option<i64>,
    pub due: Option<NaiveDate>,
    pub status: ActionStatus,
}

/// One version of a child's MACSE plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanVersionView {
    pub number: i64,
    pub panel_date: Option<NaiveDate>,
    pub review_date: Option<NaiveDate>,
    pub sections: Vec<SectionTextView>,
    pub actions: Vec<PlanActionView>,
}

impl From<PlanVersion> for PlanVersionView {
    fn from(v: PlanVersion) -> Self {
        PlanVersionView {
            number: v.number,
            panel_date: v.panel_date,
            review_date: v.review_date,
            sections: v.sections.into_iter().map(|SectionText { section, discussion }| SectionTextView { section, discussion }).collect(),
            actions: v
                .actions
                .into_iter()
                .map(|PlanAction { section, text, owner, agency_id, due, status }| PlanActionView { section, text, owner, agency_id, due, status })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    /// The current version, with only the sections this caller may see: the police-only
    /// Prosecute section is absent (not empty) for everyone else.
    pub plan: Option<PlanVersionView>,
}
