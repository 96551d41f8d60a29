//! What a report says: an issued report's frozen snapshot, or a draft assembled now
//! from the tracker (its recommendations, their actions and the updates dated on or
//! before the meeting), and what changed between two reports.

use std::collections::HashMap;

use assure_domain::datasets::Month;
use assure_domain::report::{diff, MonitoringReport, OutcomeCell, ReportAction, ReportDiff, ReportRow, ReportUpdate, Summary};
use assure_domain::tracker::Rag;
use assure_domain::Invalid;
use chrono::NaiveDate;

use super::{ReportRecord, Reports};
use crate::scorecards::Linked;
use crate::tracker::{rec, Action, ProgressUpdate, Recommendation, REC_SELECT};
use crate::{Result, RowExt, StoreError, IN_LIST_CHUNK};

impl Reports<'_> {
    /// The recommendations a report covers: a review's, or (for a committee alone)
    /// those it monitors directly or through a review's monitoring schedule.
    pub(super) async fn scope_recommendations(&self, review_id: Option<i64>, body_id: Option<i64>) -> Result<Vec<Recommendation>> {
        let order = " ORDER BY v.report_date, r.review_id, r.number, r.sub_label";
        let by_review = format!("{REC_SELECT} WHERE r.review_id = $1{order}");
        let by_body = format!(
            "{REC_SELECT} WHERE r.monitoring_body_id = $1 OR r.review_id IN (SELECT review_id FROM monitoring_schedules WHERE body_id = $2){order}"
        );
        let mut recs = match (review_id, body_id) {
            (Some(rid), _) => self.store.q(&by_review).bind(rid).fetch_all(self.store.pool()).await?,
            (None, Some(bid)) => self.store.q(&by_body).bind(bid).bind(bid).fetch_all(self.store.pool()).await?,
            (None, None) => Vec::new(),
        }
        .iter()
        .map(rec)
        .collect::<Result<Vec<_>>>()?;
        for chunk in recs.chunks_mut(IN_LIST_CHUNK) {
            self.store.tracker().attach_leads(chunk).await?;
        }
        Ok(recs)
    }

    async fn updates_of(&self, rec_ids: &[i64]) -> Result<HashMap<i64, Vec<ProgressUpdate>>> {
        let mut out = HashMap::new();
        for chunk in rec_ids.chunks(IN_LIST_CHUNK) {
            out.extend(self.store.tracker().updates_for(chunk).await?);
        }
        Ok(out)
    }

    /// Everything a draft needs, gathered with a fixed number of queries per 500
    /// recommendations: the rows, in number order.
    async fn report_rows(&self, recs: &[Recommendation], meeting: NaiveDate) -> Result<Vec<ReportRow>> {
        let ids: Vec<i64> = recs.iter().map(|r| r.id).collect();
        let mut actions = self.store.tracker().actions_of(&ids).await?;
        let mut updates = self.updates_of(&ids).await?;
        let mut rows: Vec<ReportRow> = recs
            .iter()
            .map(|r| build_row(r, actions.remove(&r.id).unwrap_or_default(), updates.remove(&r.id).unwrap_or_default(), meeting))
            .collect();
        // Each named measure from the month the recommendation was agreed to the
        // meeting's month (values after the meeting are not yet known to it).
        let linked: Vec<Linked> = ids.iter().map(|id| Linked::Recommendation(*id)).collect();
        // A report is a committee paper: small numbers are always suppressed.
        let threshold = self.store.datasets().threshold().await?;
        let outcomes = self.store.scorecards().outcomes(&linked, Some(Month::of(meeting)), Some(threshold)).await?;
        for row in &mut rows {
            for (_, o) in outcomes.get(&Linked::Recommendation(row.recommendation_id)).into_iter().flatten() {
                row.outcomes.push(OutcomeCell::from(o));
            }
        }
        Ok(rows)
    }

    /// The report as drawn: an issued report's frozen snapshot, or a draft assembled
    /// now from the tracker.
    pub async fn monitoring_report(&self, id: i64, today: NaiveDate) -> Result<MonitoringReport> {
        let r = self.get(id).await?;
        if r.is_issued() {
            return self.snapshot(id).await;
        }
        self.assemble(&r, today).await
    }

    async fn snapshot(&self, id: i64) -> Result<MonitoringReport> {
        let row = self.store.q("SELECT snapshot FROM reports WHERE id = $1").bind(id).fetch_one(self.store.pool()).await?;
        let text = row.os("snapshot")?.ok_or_else(|| StoreError::Corrupt(format!("issued report {id} has no snapshot")))?;
        serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("report {id} snapshot: {e}")))
    }

    pub(super) async fn assemble(&self, r: &ReportRecord, today: NaiveDate) -> Result<MonitoringReport> {
        let recs = self.scope_recommendations(r.review_id, r.body_id).await?;
        let rows = self.report_rows(&recs, r.meeting_date).await?;
        let settings = self.store.settings().load().await?;
        let title = match (&r.review_title, &r.body_name) {
            (Some(t), _) => format!("Progress on recommendations arising from the {t}"),
            (None, Some(b)) => format!("Progress on recommendations monitored by the {b}"),
            _ => "Progress on recommendations".into(),
        };
        let mut report = MonitoringReport {
            organisation: settings.organisation.clone(),
            title,
            scope: r.scope_label(),
            layout: r.layout,
            cover: r.cover.clone(),
            summary: Summary::of(&rows),
            rows,
            rag_key: Rag::ALL.iter().map(|g| (*g, settings.rag_meaning(*g).to_string())).collect(),
            prepared_on: today,
            issue: None,
            changes: None,
        };
        if r.include_changes {
            if let Some(other) = r.compare_with_id {
                let earlier = self.monitoring_report_boxed(other, today).await?;
                report.changes = Some(diff(&earlier, &report));
            }
        }
        Ok(report)
    }

    /// Recursion through an async fn needs a box.
    fn monitoring_report_boxed(
        &self,
        id: i64,
        today: NaiveDate,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<MonitoringReport>> + Send + '_>> {
        Box::pin(async move {
            let r = self.get(id).await?;
            if r.is_issued() {
                self.snapshot(id).await
            } else {
                let mut plain = r.clone();
                plain.include_changes = false;
                self.assemble(&plain, today).await
            }
        })
    }

    /// What changed between two reports for the same review or committee (ordered by meeting).
    pub async fn compare(&self, a: i64, b: i64, today: NaiveDate) -> Result<ReportDiff> {
        let (ra, rb) = (self.get(a).await?, self.get(b).await?);
        if ra.review_id != rb.review_id || ra.body_id != rb.body_id {
            return Err(Invalid::single("with", "Only reports for the same review or committee can be compared").into());
        }
        let (earlier, later) = if (ra.meeting_date, ra.id) <= (rb.meeting_date, rb.id) { (a, b) } else { (b, a) };
        let e = self.monitoring_report_boxed(earlier, today).await?;
        let l = self.monitoring_report_boxed(later, today).await?;
        Ok(diff(&e, &l))
    }
}

/// One recommendation's row: its actions with their date history, the updates dated on
/// or before the meeting (a correction replaces what it corrects), and the RAG as at the
/// meeting (a suggestion marked as one), whenever the report is drawn.
fn build_row(r: &Recommendation, actions: Vec<Action>, updates: Vec<ProgressUpdate>, meeting: NaiveDate) -> ReportRow {
    let mut included: Vec<ReportUpdate> = updates
        .into_iter()
        .filter(|u| u.update_date <= meeting && u.corrected_by_id.is_none())
        .map(|u| ReportUpdate { id: u.id, date: u.update_date, author: u.author, narrative: u.narrative })
        .collect();
    included.sort_by_key(|u| (u.date, u.id));
    ReportRow {
        recommendation_id: r.id,
        reference: r.reference.clone(),
        label: r.label(),
        wording: r.wording().to_string(),
        lead_officers: r.lead_lines(),
        actions: actions
            .iter()
            .map(|a| ReportAction {
                text: a.text.clone(),
                owner: a.owner.clone(),
                target_date: a.target_date,
                date_text: a.date_history(),
                done: a.done,
            })
            .collect(),
        outcome: r.outcome.clone(),
        response: r.response,
        lifecycle: r.lifecycle,
        rag: r.rag(meeting),
        rag_suggested: r.rag_is_suggested(meeting),
        updates: included,
        origin: r.origin.clone(),
        executive_decision_date: r.executive_decision_date,
        outcomes: Vec::new(),
    }
}
