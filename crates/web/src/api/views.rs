//! What the API answers: the storage records, with the values the pages compute
//! (effective RAG, suggested RAG, response state) added, and nothing internal
//! (evidence files' names on disk stay on the server).

use assure_domain::tracker::{upcoming_report_dates, ExecutiveResponse, Lifecycle, Rag, ResponseState};
use assure_domain::{Permission, Role};
use assure_storage::tracker::{
    Action, Dashboard, Endorsement, Evidence, HistoryItem, ProgressUpdate, Recommendation, RecommendationDetail, Review, Schedule, UpdateRequest,
};
use assure_storage::users::User;
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct MeView {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// The role's slug: administrator, scrutiny-officer, lead-officer or committee-member.
    pub role: &'static str,
    pub role_label: &'static str,
    pub job_title: String,
    /// What the role allows, by permission name (as in each route's x-permission).
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

/// A recommendation as stored, plus what the tracker shows for it today.
#[derive(Debug, Serialize)]
pub struct RecView {
    #[serde(flatten)]
    pub rec: Recommendation,
    /// "(3)" or "(1)(a)".
    pub label: String,
    /// The executive's wording if there is one, else the committee's.
    pub wording: String,
    /// Effective delivery RAG: the officer's override if any, else the suggestion.
    pub rag: Option<Rag>,
    pub suggested_rag: Option<Rag>,
    pub response_state: ResponseState,
    pub target_passed: bool,
}

impl RecView {
    pub fn new(rec: Recommendation, today: NaiveDate) -> RecView {
        RecView {
            label: rec.label(),
            wording: rec.wording().to_string(),
            rag: rec.rag(today),
            suggested_rag: rec.suggested_rag(today),
            response_state: rec.response_state(today),
            target_passed: rec.target_passed(today),
            rec,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct RecPage {
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub items: Vec<RecView>,
}

#[derive(Debug, Serialize)]
pub struct ActionView {
    #[serde(flatten)]
    pub action: Action,
    /// As trackers write it: "May 2017, revised to July 2017".
    pub date_history: String,
}

impl ActionView {
    pub fn new(action: Action) -> ActionView {
        ActionView { date_history: action.date_history(), action }
    }
}

#[derive(Debug, Serialize)]
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

#[derive(Debug, Serialize)]
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

/// A recommendation's page as data.
#[derive(Debug, Serialize)]
pub struct RecDetailView {
    #[serde(flatten)]
    pub rec: RecView,
    pub parent: Option<RecView>,
    pub children: Vec<RecView>,
    pub actions: Vec<ActionView>,
    /// Newest first; corrections are new entries pointing at the one they correct.
    pub updates: Vec<UpdateView>,
    pub history: Vec<HistoryItem>,
    pub requests: Vec<UpdateRequest>,
}

impl RecDetailView {
    pub fn new(d: RecommendationDetail, today: NaiveDate) -> RecDetailView {
        RecDetailView {
            rec: RecView::new(d.rec, today),
            parent: d.parent.map(|p| RecView::new(p, today)),
            children: d.children.into_iter().map(|c| RecView::new(c, today)).collect(),
            actions: d.actions.into_iter().map(ActionView::new).collect(),
            updates: d.updates.into_iter().map(UpdateView::from).collect(),
            history: d.history,
            requests: d.requests,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ReviewDetailView {
    #[serde(flatten)]
    pub review: Review,
    pub endorsements: Vec<Endorsement>,
    pub schedules: Vec<ScheduleView>,
    pub recommendations: Vec<RecView>,
}

#[derive(Debug, Serialize)]
pub struct ScheduleView {
    #[serde(flatten)]
    pub schedule: Schedule,
    /// The next report on or after today (none when a single report has passed).
    pub next_report_date: Option<NaiveDate>,
    /// The next few report dates.
    pub upcoming_report_dates: Vec<NaiveDate>,
}

impl ScheduleView {
    pub fn new(schedule: Schedule, today: NaiveDate) -> ScheduleView {
        let upcoming = upcoming_report_dates(schedule.first_report_date, schedule.interval_months, today, 3);
        ScheduleView { next_report_date: upcoming.first().copied(), upcoming_report_dates: upcoming, schedule }
    }
}

#[derive(Debug, Serialize)]
pub struct Count<K: Serialize> {
    #[serde(flatten)]
    pub key: K,
    pub count: i64,
}

#[derive(Debug, Serialize)]
pub struct ResponseKey {
    pub response: ExecutiveResponse,
}
#[derive(Debug, Serialize)]
pub struct LifecycleKey {
    pub lifecycle: Lifecycle,
}
#[derive(Debug, Serialize)]
pub struct RagKey {
    /// null: no target date yet, or no longer being delivered.
    pub rag: Option<Rag>,
}

/// The dashboard's counts, with each breakdown as a list of objects.
#[derive(Debug, Serialize)]
pub struct DashboardView {
    pub total: i64,
    pub accepted: i64,
    pub responses_overdue: i64,
    pub responses_due_soon: i64,
    pub targets_passed: i64,
    pub by_response: Vec<Count<ResponseKey>>,
    pub by_lifecycle: Vec<Count<LifecycleKey>>,
    pub by_rag: Vec<Count<RagKey>>,
    pub by_body: Vec<assure_storage::tracker::BodyCount>,
}

impl From<Dashboard> for DashboardView {
    fn from(d: Dashboard) -> Self {
        DashboardView {
            total: d.total,
            accepted: d.accepted,
            responses_overdue: d.responses_overdue,
            responses_due_soon: d.responses_due_soon,
            targets_passed: d.targets_passed,
            by_response: d.by_response.into_iter().map(|(response, count)| Count { key: ResponseKey { response }, count }).collect(),
            by_lifecycle: d.by_lifecycle.into_iter().map(|(lifecycle, count)| Count { key: LifecycleKey { lifecycle }, count }).collect(),
            by_rag: d.by_rag.into_iter().map(|(rag, count)| Count { key: RagKey { rag }, count }).collect(),
            by_body: d.by_body,
        }
    }
}
