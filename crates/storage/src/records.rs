//! The tracker's records as they are read: what pages, the API and reports show.

use assure_domain::tracker::{
    number_label, response_state, suggested_rag, BodyKind, ExecutiveResponse, Lifecycle, Rag, RagInput, ResponseDeadline, ResponseState, ReviewKind,
};
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Body {
    pub id: i64,
    pub name: String,
    pub kind: BodyKind,
    pub response_unit: Option<String>,
    pub response_amount: Option<i64>,
    pub version: i64,
}

impl Body {
    pub fn deadline(&self) -> ResponseDeadline {
        ResponseDeadline::from_override(self.response_unit.as_deref(), self.response_amount)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Review {
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
    /// The executive's response is due by this date (computed when saved).
    pub response_due: Option<NaiveDate>,
    pub version: i64,
    /// How many recommendations (including sub-items) it made.
    pub recommendation_count: i64,
    pub awaiting_response: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Endorsement {
    pub id: i64,
    pub review_id: i64,
    pub body_id: i64,
    pub body_name: String,
    pub endorsed_on: NaiveDate,
    pub minute_ref: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Lead {
    pub user_id: i64,
    pub name: String,
    pub job_title: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
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
    pub leads: Vec<Lead>,
    /// Lead officers named only as text (by an imported tracker), one per line.
    pub lead_officers_text: String,
}

impl Recommendation {
    pub fn label(&self) -> String {
        number_label(self.number, Some(&self.sub_label))
    }

    /// The wording the executive agreed, falling back to the committee's.
    pub fn wording(&self) -> &str {
        if self.executive_wording.trim().is_empty() {
            &self.committee_wording
        } else {
            &self.executive_wording
        }
    }

    pub fn rag_input(&self, today: NaiveDate) -> RagInput {
        RagInput {
            lifecycle: self.lifecycle,
            start: self.response_date.or(self.referral_date).unwrap_or(self.created_on),
            target: self.target_date,
            progress_percent: self.progress_percent,
            today,
        }
    }

    pub fn suggested_rag(&self, today: NaiveDate) -> Option<Rag> {
        suggested_rag(self.rag_input(today))
    }

    /// What the tracker shows: the officer's override if there is one, else the suggestion.
    pub fn rag(&self, today: NaiveDate) -> Option<Rag> {
        self.rag_override.or_else(|| self.suggested_rag(today))
    }

    pub fn response_state(&self, today: NaiveDate) -> ResponseState {
        response_state(self.response, self.response_due, today)
    }

    pub fn target_passed(&self, today: NaiveDate) -> bool {
        self.lifecycle.is_open() && self.target_date.is_some_and(|t| t < today)
    }

    pub fn is_led_by(&self, user_id: i64) -> bool {
        self.leads.iter().any(|l| l.user_id == user_id)
    }

    /// Every lead officer as reports write them: "Name, Job title", accounts first,
    /// then those named only as text.
    pub fn lead_lines(&self) -> Vec<String> {
        let mut out: Vec<String> =
            self.leads.iter().map(|l| if l.job_title.trim().is_empty() { l.name.clone() } else { format!("{}, {}", l.name, l.job_title) }).collect();
        out.extend(self.lead_officers_text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from));
        out
    }

    pub fn lead_ids(&self) -> Vec<i64> {
        self.leads.iter().map(|l| l.user_id).collect()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DateRevision {
    pub old_date: NaiveDate,
    pub new_date: NaiveDate,
    pub reason: String,
    pub revised_by: String,
    pub revised_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Action {
    pub id: i64,
    pub recommendation_id: i64,
    pub text: String,
    pub owner: String,
    /// `None` for an ongoing action with no target date.
    pub target_date: Option<NaiveDate>,
    pub done: bool,
    pub version: i64,
    /// Earlier target dates, oldest first.
    pub revisions: Vec<DateRevision>,
}

impl Action {
    /// The date as trackers write it: "May 2017, revised to July 2017".
    pub fn date_history(&self) -> String {
        use assure_domain::dates::month_year;
        let mut parts: Vec<String> = Vec::new();
        if let Some(first) = self.revisions.first() {
            parts.push(month_year(first.old_date));
        }
        for r in &self.revisions {
            parts.push(format!("revised to {}", month_year(r.new_date)));
        }
        if parts.is_empty() {
            parts.push(self.target_date.map(month_year).unwrap_or_else(|| "Ongoing".into()));
        }
        parts.join(", ")
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub id: i64,
    pub update_id: i64,
    pub original_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    /// The file's name on disk: never sent to anyone.
    #[serde(skip_serializing)]
    pub stored_name: String,
    pub uploaded_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProgressUpdate {
    pub id: i64,
    pub recommendation_id: i64,
    pub author: String,
    pub update_date: NaiveDate,
    pub narrative: String,
    pub progress_percent: Option<i64>,
    /// This entry corrects an earlier one.
    pub corrects_id: Option<i64>,
    /// A later entry corrects this one.
    pub corrected_by_id: Option<i64>,
    pub created_at: String,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HistoryItem {
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

#[derive(Debug, Clone, Serialize)]
pub struct Schedule {
    pub id: i64,
    pub review_id: i64,
    pub review_title: String,
    pub body_id: i64,
    pub body_name: String,
    pub first_report_date: NaiveDate,
    pub interval_months: i64,
    pub resolution_ref: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UpdateRequest {
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

/// Everything on a recommendation's page.
#[derive(Debug, Clone, Serialize)]
pub struct RecommendationDetail {
    pub rec: Recommendation,
    pub parent: Option<Recommendation>,
    pub children: Vec<Recommendation>,
    pub actions: Vec<Action>,
    pub updates: Vec<ProgressUpdate>,
    pub history: Vec<HistoryItem>,
    pub requests: Vec<UpdateRequest>,
}

/// Counts that members ask for twice a year.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Dashboard {
    pub total: i64,
    pub accepted: i64,
    pub by_response: Vec<(ExecutiveResponse, i64)>,
    pub by_lifecycle: Vec<(Lifecycle, i64)>,
    pub by_rag: Vec<(Option<Rag>, i64)>,
    pub responses_overdue: i64,
    pub responses_due_soon: i64,
    pub targets_passed: i64,
    pub by_body: Vec<BodyCount>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BodyCount {
    pub body_id: Option<i64>,
    pub body_name: String,
    pub total: i64,
    pub red: i64,
    pub amber: i64,
    pub green: i64,
    pub complete: i64,
}
