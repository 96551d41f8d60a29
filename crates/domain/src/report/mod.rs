//! Monitoring reports as committee papers: the cover in the council's report
//! template, the progress table in either of the two layouts councils use, the
//! summary members ask for, and the comparison of two reports.
//!
//! A [`MonitoringReport`] is plain data. Storage assembles it from the tracker (a
//! draft) or reads it back from an issued report's frozen snapshot; the renderers
//! (DOCX, PDF, XLSX, CSV, HTML) only ever draw one. Nothing here performs I/O.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::dates::long;
use crate::tracker::{ExecutiveResponse, Lifecycle, Rag};
use crate::validation::Invalid;

mod drafts;

pub use drafts::{check_draft, check_issue, check_new_report, check_still_draft, DraftChange, DraftInput, NewReport, ReportChange, ReportInput};

/// The two progress-table layouts seen in councils' monitoring reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// Recommendation | Progress made (seed 000).
    ProgressMade,
    /// Recommendation | Lead officer | Action | Date | Improved outcome | RAG.
    RagTracker,
}

impl Layout {
    pub const ALL: &'static [Layout] = &[Layout::ProgressMade, Layout::RagTracker];
    pub fn slug(self) -> &'static str {
        match self {
            Layout::ProgressMade => "progress-made",
            Layout::RagTracker => "rag-tracker",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Layout::ProgressMade => "Recommendation and progress made",
            Layout::RagTracker => "RAG tracker: lead officer, action, date, outcome and RAG",
        }
    }
    pub fn from_slug(s: &str) -> Option<Layout> {
        Layout::ALL.iter().copied().find(|l| l.slug() == s)
    }
    /// The progress table's column headings.
    pub fn headings(self) -> &'static [&'static str] {
        match self {
            Layout::ProgressMade => &["Recommendation", "Progress made"],
            Layout::RagTracker => &["Recommendation", "Lead officer", "Action", "Date", "Improved outcome for children and young people", "RAG"],
        }
    }
}

/// The equality implication options of the report template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum EqualityOption {
    #[default]
    None,
    IdentifiedMitigated,
    IdentifiedRiskRemains,
}

impl EqualityOption {
    pub const ALL: &'static [EqualityOption] = &[EqualityOption::None, EqualityOption::IdentifiedMitigated, EqualityOption::IdentifiedRiskRemains];
    pub fn slug(self) -> &'static str {
        match self {
            EqualityOption::None => "none",
            EqualityOption::IdentifiedMitigated => "identified-mitigated",
            EqualityOption::IdentifiedRiskRemains => "identified-risk-remains",
        }
    }
    /// Worded as the council template numbers them.
    pub fn label(self) -> &'static str {
        match self {
            EqualityOption::None => "1. No Equality Implication",
            EqualityOption::IdentifiedMitigated => "2. Equality Implications identified and mitigated",
            EqualityOption::IdentifiedRiskRemains => "3. Equality Implication identified and risk remains",
        }
    }
    pub fn from_slug(s: &str) -> Option<EqualityOption> {
        EqualityOption::ALL.iter().copied().find(|o| o.slug() == s)
    }
}

/// The cover of a council report (DOMAIN.md §3), pre-filled and editable until issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Cover {
    /// One line per body, e.g. "Overview and Scrutiny Committee (Children's Services) – 30 January 2018".
    pub report_to: String,
    pub meeting_date: Option<NaiveDate>,
    pub subject: String,
    pub report_of: String,
    pub wards_affected: String,
    pub portfolio: String,
    pub key_decision: bool,
    pub in_forward_plan: bool,
    pub exempt: bool,
    pub purpose: String,
    pub recommendation: String,
    pub reasons: String,
    pub alternative_options: String,
    pub revenue_costs: String,
    pub capital_costs: String,
    pub implications_financial: String,
    pub implications_legal: String,
    pub implications_hr: String,
    pub equality: EqualityOption,
    pub corporate_objectives: String,
    pub consultations: String,
    pub finance_ref: String,
    pub legal_ref: String,
    pub implementation_date: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub appendices: String,
    pub background_papers: String,
    /// Introduction / background: the text before the progress table.
    pub introduction: String,
}

impl Cover {
    /// The default wording of a monitoring report's cover, as the seeds write it.
    pub fn defaults(review_title: &str, meeting_date: NaiveDate, report_to: &str, report_of: &str) -> Cover {
        let no_cost = "There are no financial implications arising for the Council as a direct result of this report.";
        Cover {
            report_to: report_to.to_string(),
            meeting_date: Some(meeting_date),
            subject: format!("Monitoring report: {review_title}"),
            report_of: report_of.to_string(),
            wards_affected: "All Wards".into(),
            portfolio: String::new(),
            key_decision: false,
            in_forward_plan: false,
            exempt: false,
            purpose: format!("To provide a monitoring report setting out progress made against each of the recommendations of the {review_title}."),
            recommendation: format!("That the report setting out progress made against each of the recommendations of the {review_title} be noted."),
            reasons: "To comply with the decision to submit monitoring reports setting out progress made against each of the recommendations.".into(),
            alternative_options: "No alternative options were considered. Monitoring reports have been requested.".into(),
            revenue_costs: no_cost.into(),
            capital_costs: no_cost.into(),
            implications_financial: String::new(),
            implications_legal: String::new(),
            implications_hr: String::new(),
            equality: EqualityOption::None,
            corporate_objectives: String::new(),
            consultations: String::new(),
            finance_ref: String::new(),
            legal_ref: String::new(),
            implementation_date: "Following the meeting of the committee.".into(),
            contact_name: String::new(),
            contact_phone: String::new(),
            contact_email: String::new(),
            appendices: String::new(),
            background_papers: "There are no background papers available for inspection.".into(),
            introduction: String::new(),
        }
    }

    pub fn validate(&self) -> Result<(), Invalid> {
        let mut v = Invalid::new();
        if self.report_to.trim().is_empty() {
            v.add("report_to", "Enter who the report is to");
        }
        if self.meeting_date.is_none() {
            v.add("meeting_date", "Enter the date of the meeting, for example 16/01/2018");
        }
        if self.subject.trim().is_empty() {
            v.add("subject", "Enter the subject of the report");
        }
        if self.report_of.trim().is_empty() {
            v.add("report_of", "Enter who the report is of, for example Head of Regulation and Compliance");
        }
        if self.recommendation.trim().is_empty() {
            v.add("recommendation", "Enter the recommendation to the committee, for example that the report be noted");
        }
        if !self.contact_email.trim().is_empty() && !self.contact_email.contains('@') {
            v.add("contact_email", "Enter the contact officer's email address in the correct format, like name@example.org");
        }
        v.finish()
    }

    /// The cover as label/value pairs in the template's order, for renderers.
    pub fn rows(&self) -> Vec<(&'static str, String)> {
        let yn = |b: bool| if b { "Yes" } else { "No" }.to_string();
        vec![
            ("Report to", self.report_to.clone()),
            ("Date of meeting", self.meeting_date.map(long).unwrap_or_default()),
            ("Subject", self.subject.clone()),
            ("Report of", self.report_of.clone()),
            ("Wards affected", self.wards_affected.clone()),
            ("Portfolio", self.portfolio.clone()),
            ("Is this a key decision?", yn(self.key_decision)),
            ("Is it included in the Forward Plan?", yn(self.in_forward_plan)),
            ("Exempt/confidential report?", yn(self.exempt)),
        ]
    }

    /// The sections after the summary box: (heading, text), in the template's order.
    pub fn sections(&self) -> Vec<(&'static str, String)> {
        let mut consult = self.consultations.clone();
        for (label, r) in [("Finance", &self.finance_ref), ("Legal", &self.legal_ref)] {
            if !r.trim().is_empty() {
                if !consult.is_empty() {
                    consult.push('\n');
                }
                consult.push_str(&format!("{label} reference: {r}"));
            }
        }
        let contact = [self.contact_name.as_str(), &format!("Tel: {}", self.contact_phone), &format!("Email: {}", self.contact_email)]
            .iter()
            .filter(|l| !l.trim().is_empty() && !l.trim().ends_with(':'))
            .cloned()
            .collect::<Vec<_>>()
            .join("\n");
        vec![
            ("Purpose/Summary", self.purpose.clone()),
            ("Recommendation(s)", self.recommendation.clone()),
            ("Reasons for the Recommendation(s)", self.reasons.clone()),
            ("Alternative Options Considered and Rejected", self.alternative_options.clone()),
            ("(A) Revenue Costs", self.revenue_costs.clone()),
            ("(B) Capital Costs", self.capital_costs.clone()),
            ("Implications: Financial", self.implications_financial.clone()),
            ("Implications: Legal", self.implications_legal.clone()),
            ("Implications: Human Resources", self.implications_hr.clone()),
            ("Implications: Equality", self.equality.label().to_string()),
            ("Contribution to the Council's Core Purpose", self.corporate_objectives.clone()),
            ("What consultations have taken place on the proposals and when?", consult),
            ("Implementation Date for the Decision", self.implementation_date.clone()),
            ("Contact Officer", contact),
            ("Appendices", self.appendices.clone()),
            ("Background Papers", self.background_papers.clone()),
        ]
    }
}

/// An action as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportAction {
    pub text: String,
    pub owner: String,
    /// The current target date; `None` for an ongoing action.
    pub target_date: Option<NaiveDate>,
    /// As trackers write it: "May 2017, revised to July 2017".
    pub date_text: String,
    pub done: bool,
}

/// A progress update included in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportUpdate {
    pub id: i64,
    pub date: NaiveDate,
    pub author: String,
    pub narrative: String,
}

/// One recommendation's row in the progress table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRow {
    pub recommendation_id: i64,
    pub reference: String,
    /// "(1)" or "(1) a)".
    pub label: String,
    /// The wording the executive agreed (else the committee's).
    pub wording: String,
    /// "Vicky Buchanan, Head of Children's Social Care", one per lead.
    pub lead_officers: Vec<String>,
    pub actions: Vec<ReportAction>,
    pub outcome: String,
    pub response: ExecutiveResponse,
    pub lifecycle: Lifecycle,
    /// As at the meeting: the rating given, or Assure's suggestion ([`Self::rag_suggested`]).
    pub rag: Option<Rag>,
    /// Whether `rag` is Assure's rule-based suggestion rather than a rating given: it is
    /// always printed marked as one ("Suggested: Red").
    #[serde(default)]
    pub rag_suggested: bool,
    /// Updates up to the meeting, oldest first (corrections replace what they correct).
    pub updates: Vec<ReportUpdate>,
    /// Where it came from (a scrutiny review, an inspection, a case review), as written.
    #[serde(default)]
    pub origin: String,
    /// When the executive decided on it.
    #[serde(default)]
    pub executive_decision_date: Option<NaiveDate>,
    /// The measures it must move, each from the month it was agreed to the meeting.
    #[serde(default)]
    pub outcomes: Vec<OutcomeCell>,
}

/// One measure in a row's Outcome cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeCell {
    /// "Return interviews within 72 hours: 62% (April 2026) → 85% (October 2026). Good; improving."
    pub text: String,
    pub band: Option<crate::scorecard::Band>,
    pub improved: bool,
}

impl From<&crate::scorecard::Outcome> for OutcomeCell {
    fn from(o: &crate::scorecard::Outcome) -> Self {
        OutcomeCell { text: o.describe(), band: o.band, improved: o.improved() }
    }
}

/// The heading of the column a report gains when a recommendation names a measure.
pub const OUTCOME_HEADING: &str = "Outcome";

impl ReportRow {
    /// The Outcome cell: one line per measure.
    pub fn outcome_cell(&self) -> String {
        self.outcomes.iter().map(|o| o.text.clone()).collect::<Vec<_>>().join("\n")
    }

    /// The date cell of the RAG tracker: each action's date history, one per line.
    pub fn date_cell(&self) -> String {
        self.actions.iter().map(|a| a.date_text.clone()).collect::<Vec<_>>().join("\n")
    }
    /// Where it came from and when the executive decided, for under the reference:
    /// "Origin: Ofsted inspection 2016. Executive decision: 5 October 2017". `None` when
    /// neither is recorded.
    pub fn origin_line(&self) -> Option<String> {
        let mut parts = Vec::new();
        if !self.origin.trim().is_empty() {
            parts.push(format!("Origin: {}", self.origin.trim()));
        }
        if let Some(d) = self.executive_decision_date {
            parts.push(format!("Executive decision: {}", crate::dates::long(d)));
        }
        (!parts.is_empty()).then(|| parts.join(". "))
    }

    /// The RAG cell in words (never colour alone), a suggestion marked as one.
    pub fn rag_words(&self) -> String {
        crate::tracker::rag_words(self.rag, self.rag_suggested)
    }
}

/// Counts members ask for: accepted, and how many sit in each status and RAG.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Summary {
    pub total: usize,
    pub accepted: usize,
    pub by_response: Vec<(ExecutiveResponse, usize)>,
    pub by_lifecycle: Vec<(Lifecycle, usize)>,
    /// Ratings given: Red, Amber, Green, then not rated (`None`).
    pub by_rag: Vec<(Option<Rag>, usize)>,
    /// Assure's suggestions, counted apart from the ratings given: Red, Amber, Green.
    #[serde(default)]
    pub suggested_by_rag: Vec<(Rag, usize)>,
}

impl Summary {
    pub fn of(rows: &[ReportRow]) -> Summary {
        let mut response: HashMap<ExecutiveResponse, usize> = HashMap::new();
        let mut lifecycle: HashMap<Lifecycle, usize> = HashMap::new();
        let mut rag: HashMap<Option<Rag>, usize> = HashMap::new();
        let mut suggested: HashMap<Rag, usize> = HashMap::new();
        for r in rows {
            *response.entry(r.response).or_default() += 1;
            *lifecycle.entry(r.lifecycle).or_default() += 1;
            match (r.rag, r.rag_suggested) {
                (Some(g), true) => *suggested.entry(g).or_default() += 1,
                (g, _) => *rag.entry(g).or_default() += 1,
            }
        }
        let rags = [Some(Rag::Red), Some(Rag::Amber), Some(Rag::Green), None];
        Summary {
            total: rows.len(),
            accepted: rows.iter().filter(|r| r.response.is_accepted()).count(),
            by_response: ExecutiveResponse::ALL.iter().map(|s| (*s, response.get(s).copied().unwrap_or(0))).collect(),
            by_lifecycle: Lifecycle::ALL.iter().map(|s| (*s, lifecycle.get(s).copied().unwrap_or(0))).collect(),
            by_rag: rags.iter().map(|s| (*s, rag.get(s).copied().unwrap_or(0))).collect(),
            suggested_by_rag: Rag::ALL.iter().map(|g| (*g, suggested.get(g).copied().unwrap_or(0))).collect(),
        }
    }

    /// The summary as sentences/lines for documents: "12 recommendations, 10 accepted".
    pub fn lines(&self) -> Vec<(String, usize)> {
        let mut out = vec![("Recommendations".to_string(), self.total), ("Accepted (in full, in principle or in part)".to_string(), self.accepted)];
        for (s, n) in &self.by_lifecycle {
            if *n > 0 {
                out.push((format!("Status: {}", s.label()), *n));
            }
        }
        for (r, n) in self.by_rag.iter().filter(|(r, _)| r.is_some()) {
            out.push((format!("RAG: {}", crate::tracker::rag_words(*r, false)), *n));
        }
        // Suggestions apart from the ratings given, and only the colours suggested.
        for (g, n) in self.suggested_by_rag.iter().filter(|(_, n)| *n > 0) {
            out.push((format!("RAG: {}", crate::tracker::rag_words(Some(*g), true)), *n));
        }
        for (_, n) in self.by_rag.iter().filter(|(r, _)| r.is_none()) {
            out.push(("RAG: Not rated".to_string(), *n));
        }
        out
    }
}

/// A whole monitoring report, as drawn by every renderer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitoringReport {
    pub organisation: String,
    /// "Progress on recommendations arising from the Licensing/Child Sexual Exploitation Working Group".
    pub title: String,
    /// What the report covers: a review's title or a committee's name.
    pub scope: String,
    pub layout: Layout,
    pub cover: Cover,
    pub rows: Vec<ReportRow>,
    pub summary: Summary,
    /// What each colour means, as configured by the council.
    pub rag_key: Vec<(Rag, String)>,
    /// When the draft was assembled or the report issued.
    pub prepared_on: NaiveDate,
    /// Issue number within its scope (1, 2, ...); `None` while a draft.
    pub issue: Option<i64>,
    /// What changed since an earlier report, when included as an appendix.
    pub changes: Option<ReportDiff>,
}

impl MonitoringReport {
    /// Whether any recommendation names a measure: the table then has an Outcome column.
    pub fn has_outcomes(&self) -> bool {
        self.rows.iter().any(|r| !r.outcomes.is_empty())
    }

    /// The progress table's headings: the layout's, and Outcome when a recommendation
    /// names a measure.
    pub fn headings(&self) -> Vec<&'static str> {
        let mut h = self.layout.headings().to_vec();
        if self.has_outcomes() {
            h.push(OUTCOME_HEADING);
        }
        h
    }

    /// The file name stem for downloads: "monitoring-report-2018-01-16".
    pub fn file_stem(&self) -> String {
        let date = self.cover.meeting_date.map(crate::dates::iso).unwrap_or_else(|| "draft".into());
        format!("monitoring-report-{date}")
    }
}

/// A revised date seen between two reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateChange {
    pub action: String,
    pub from: String,
    pub to: String,
}

/// What changed for one recommendation between two reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowChange {
    pub recommendation_id: i64,
    pub reference: String,
    pub label: String,
    pub wording: String,
    /// In the later report only.
    pub added: bool,
    /// In the earlier report only.
    pub removed: bool,
    pub new_updates: Vec<ReportUpdate>,
    pub response: Option<(ExecutiveResponse, ExecutiveResponse)>,
    pub lifecycle: Option<(Lifecycle, Lifecycle)>,
    pub rag: Option<(Option<Rag>, Option<Rag>)>,
    pub dates: Vec<DateChange>,
    pub new_actions: Vec<String>,
}

impl RowChange {
    fn is_empty(&self) -> bool {
        !self.added
            && !self.removed
            && self.new_updates.is_empty()
            && self.response.is_none()
            && self.lifecycle.is_none()
            && self.rag.is_none()
            && self.dates.is_empty()
            && self.new_actions.is_empty()
    }
}

/// What changed between two reports for the same scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportDiff {
    /// "16 January 2018 (issue 1)".
    pub from: String,
    pub to: String,
    /// Only recommendations where something changed, in the later report's order.
    pub changes: Vec<RowChange>,
}

fn describe(r: &MonitoringReport) -> String {
    let date = r.cover.meeting_date.map(long).unwrap_or_else(|| "undated".into());
    match r.issue {
        Some(n) => format!("{date} (issue {n})"),
        None => format!("{date} (draft)"),
    }
}

/// Compare an earlier report with a later one: new updates, status and RAG moves,
/// revised dates, new actions, recommendations added or removed.
pub fn diff(earlier: &MonitoringReport, later: &MonitoringReport) -> ReportDiff {
    let before: HashMap<i64, &ReportRow> = earlier.rows.iter().map(|r| (r.recommendation_id, r)).collect();
    let after_ids: std::collections::HashSet<i64> = later.rows.iter().map(|r| r.recommendation_id).collect();
    let mut changes = Vec::new();
    for row in &later.rows {
        let mut c = RowChange {
            recommendation_id: row.recommendation_id,
            reference: row.reference.clone(),
            label: row.label.clone(),
            wording: row.wording.clone(),
            added: false,
            removed: false,
            new_updates: vec![],
            response: None,
            lifecycle: None,
            rag: None,
            dates: vec![],
            new_actions: vec![],
        };
        match before.get(&row.recommendation_id) {
            None => {
                c.added = true;
                c.new_updates = row.updates.clone();
            }
            Some(old) => {
                let seen: std::collections::HashSet<i64> = old.updates.iter().map(|u| u.id).collect();
                c.new_updates = row.updates.iter().filter(|u| !seen.contains(&u.id)).cloned().collect();
                if old.response != row.response {
                    c.response = Some((old.response, row.response));
                }
                if old.lifecycle != row.lifecycle {
                    c.lifecycle = Some((old.lifecycle, row.lifecycle));
                }
                if old.rag != row.rag {
                    c.rag = Some((old.rag, row.rag));
                }
                // Actions are matched by their text, in order.
                let mut old_actions: BTreeMap<&str, Vec<&ReportAction>> = BTreeMap::new();
                for a in &old.actions {
                    old_actions.entry(a.text.as_str()).or_default().push(a);
                }
                for a in &row.actions {
                    match old_actions.get_mut(a.text.as_str()).and_then(|v| if v.is_empty() { None } else { Some(v.remove(0)) }) {
                        Some(prev) if prev.target_date != a.target_date => {
                            c.dates.push(DateChange { action: a.text.clone(), from: prev.date_text.clone(), to: a.date_text.clone() })
                        }
                        Some(_) => {}
                        None => c.new_actions.push(a.text.clone()),
                    }
                }
            }
        }
        if !c.is_empty() {
            changes.push(c);
        }
    }
    for old in &earlier.rows {
        if !after_ids.contains(&old.recommendation_id) {
            changes.push(RowChange {
                recommendation_id: old.recommendation_id,
                reference: old.reference.clone(),
                label: old.label.clone(),
                wording: old.wording.clone(),
                added: false,
                removed: true,
                new_updates: vec![],
                response: None,
                lifecycle: None,
                rag: None,
                dates: vec![],
                new_actions: vec![],
            });
        }
    }
    ReportDiff { from: describe(earlier), to: describe(later), changes }
}

/// Lines describing one change, in plain words, for every renderer.
pub fn change_lines(c: &RowChange) -> Vec<String> {
    let mut out = Vec::new();
    if c.added {
        out.push("New in this report".to_string());
    }
    if c.removed {
        out.push("No longer in this report".to_string());
    }
    if let Some((a, b)) = c.response {
        out.push(format!("Executive response: {} → {}", a.label(), b.label()));
    }
    if let Some((a, b)) = c.lifecycle {
        out.push(format!("Status: {} → {}", a.label(), b.label()));
    }
    if let Some((a, b)) = c.rag {
        let w = |r: Option<Rag>| r.map(|r| r.label()).unwrap_or("Not rated");
        out.push(format!("RAG: {} → {}", w(a), w(b)));
    }
    for d in &c.dates {
        out.push(format!("Date for \"{}\": {} → {}", d.action, d.from, d.to));
    }
    for a in &c.new_actions {
        out.push(format!("New action: {a}"));
    }
    for u in &c.new_updates {
        out.push(format!("Update {}: {}", long(u.date), u.narrative));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn row(id: i64, lifecycle: Lifecycle, rag: Option<Rag>, updates: &[i64], date: &str) -> ReportRow {
        ReportRow {
            recommendation_id: id,
            reference: format!("SR {id}"),
            label: format!("({id})"),
            wording: format!("Recommendation {id}"),
            lead_officers: vec![],
            actions: vec![ReportAction {
                text: "Write to MPs".into(),
                owner: String::new(),
                target_date: Some(d(date)),
                date_text: date.into(),
                done: false,
            }],
            outcome: String::new(),
            response: ExecutiveResponse::Accepted,
            lifecycle,
            rag,
            rag_suggested: false,
            origin: String::new(),
            executive_decision_date: None,
            outcomes: vec![],
            updates: updates
                .iter()
                .map(|u| ReportUpdate { id: *u, date: d("2017-12-07"), author: "A".into(), narrative: format!("update {u}") })
                .collect(),
        }
    }

    fn report(rows: Vec<ReportRow>, issue: Option<i64>) -> MonitoringReport {
        MonitoringReport {
            organisation: "Council".into(),
            title: "T".into(),
            scope: "S".into(),
            layout: Layout::ProgressMade,
            cover: Cover::defaults("Working Group", d("2018-01-16"), "Committee", "Head"),
            summary: Summary::of(&rows),
            rows,
            rag_key: vec![],
            prepared_on: d("2018-01-02"),
            issue,
            changes: None,
        }
    }

    #[test]
    fn diff_reports_new_updates_status_rag_and_revised_dates_only_where_changed() {
        let a = report(
            vec![
                row(1, Lifecycle::InProgress, Some(Rag::Amber), &[10], "2018-05-31"),
                row(2, Lifecycle::InProgress, Some(Rag::Green), &[20], "2018-05-31"),
                row(3, Lifecycle::NotStarted, None, &[], "2018-05-31"),
            ],
            Some(1),
        );
        let b = report(
            vec![
                row(1, Lifecycle::CompleteAwaitingSignOff, Some(Rag::Green), &[10, 11], "2018-05-31"),
                row(2, Lifecycle::InProgress, Some(Rag::Green), &[20], "2018-07-31"),
                row(4, Lifecycle::NotStarted, None, &[], "2018-05-31"),
            ],
            Some(2),
        );
        let diff = diff(&a, &b);
        assert_eq!(diff.from, "16 January 2018 (issue 1)");
        let ids: Vec<i64> = diff.changes.iter().map(|c| c.recommendation_id).collect();
        assert_eq!(ids, vec![1, 2, 4, 3]);
        let one = &diff.changes[0];
        assert_eq!(one.new_updates.iter().map(|u| u.id).collect::<Vec<_>>(), vec![11]);
        assert_eq!(one.lifecycle, Some((Lifecycle::InProgress, Lifecycle::CompleteAwaitingSignOff)));
        assert_eq!(one.rag, Some((Some(Rag::Amber), Some(Rag::Green))));
        let two = &diff.changes[1];
        assert!(two.new_updates.is_empty() && two.lifecycle.is_none());
        assert_eq!(two.dates, vec![DateChange { action: "Write to MPs".into(), from: "2018-05-31".into(), to: "2018-07-31".into() }]);
        assert!(diff.changes[2].added && diff.changes[3].removed);
        assert!(change_lines(one).iter().any(|l| l == "RAG: Amber → Green"));
    }

    #[test]
    fn identical_reports_have_no_changes() {
        let a = report(vec![row(1, Lifecycle::InProgress, Some(Rag::Amber), &[10], "2018-05-31")], Some(1));
        assert!(diff(&a, &a.clone()).changes.is_empty());
    }

    #[test]
    fn summary_counts_accepted_statuses_and_rag_including_unrated() {
        let mut rows = vec![
            row(1, Lifecycle::InProgress, Some(Rag::Amber), &[], "2018-05-31"),
            row(2, Lifecycle::InProgress, None, &[], "2018-05-31"),
            row(3, Lifecycle::SignedOff, Some(Rag::Green), &[], "2018-05-31"),
        ];
        rows[1].response = ExecutiveResponse::Rejected;
        let s = Summary::of(&rows);
        assert_eq!((s.total, s.accepted), (3, 2));
        assert!(s.by_lifecycle.contains(&(Lifecycle::InProgress, 2)));
        assert_eq!(s.by_rag, vec![(Some(Rag::Red), 0), (Some(Rag::Amber), 1), (Some(Rag::Green), 1), (None, 1)]);
    }

    /// Fault 3 of issue 14: a suggestion is never counted, or printed, as the council's rating.
    #[test]
    fn suggestions_are_counted_apart_and_marked() {
        let mut rows = vec![
            row(1, Lifecycle::InProgress, Some(Rag::Amber), &[], "2018-05-31"),
            row(2, Lifecycle::InProgress, Some(Rag::Red), &[], "2018-05-31"),
            row(3, Lifecycle::InProgress, None, &[], "2018-05-31"),
        ];
        rows[1].rag_suggested = true;
        assert_eq!(rows[1].rag_words(), "Suggested: Red");
        assert_eq!(rows[2].rag_words(), "Not rated");
        let s = Summary::of(&rows);
        assert_eq!(s.by_rag, vec![(Some(Rag::Red), 0), (Some(Rag::Amber), 1), (Some(Rag::Green), 0), (None, 1)]);
        assert_eq!(s.suggested_by_rag, vec![(Rag::Red, 1), (Rag::Amber, 0), (Rag::Green, 0)]);
        let lines: Vec<String> = s.lines().into_iter().filter(|(l, _)| l.starts_with("RAG")).map(|(l, n)| format!("{l} {n}")).collect();
        assert_eq!(lines, ["RAG: Red 0", "RAG: Amber 1", "RAG: Green 0", "RAG: Suggested: Red 1", "RAG: Not rated 1"]);
        // A report issued before suggestions were marked still reads.
        let old = serde_json::to_value(&rows[0]).unwrap();
        let mut old = old.as_object().unwrap().clone();
        old.remove("rag_suggested");
        let back: ReportRow = serde_json::from_value(serde_json::Value::Object(old)).unwrap();
        assert!(!back.rag_suggested);
    }

    #[test]
    fn cover_needs_its_core_fields_and_a_real_email() {
        let mut c = Cover::defaults("Working Group", d("2018-01-16"), "Committee", "Head");
        assert!(c.validate().is_ok());
        c.report_of.clear();
        c.contact_email = "paul.fraser".into();
        let e = c.validate().unwrap_err();
        assert!(e.for_field("report_of").is_some());
        assert!(e.for_field("contact_email").is_some());
    }
}
