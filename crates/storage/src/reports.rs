//! Monitoring reports: drafts assembled live from the tracker, and issued reports
//! frozen as a snapshot of exactly what they said (with the updates they included).

use std::collections::HashMap;

use assure_domain::dates::long;
use assure_domain::report::{diff, Cover, Layout, MonitoringReport, ReportAction, ReportDiff, ReportRow, ReportUpdate, Summary};
use assure_domain::tracker::{report_dates, Rag};
use assure_domain::Invalid;
use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;

use crate::audit::Event;
use crate::tracker::{rec, Action, ProgressUpdate, Recommendation, Review, REC_SELECT};
use crate::{date_str, now, to_json, Actor, Result, RowExt, Store, StoreError, IN_LIST_CHUNK};

#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    pub review_id: Option<i64>,
    pub body_id: Option<i64>,
    pub meeting_date: Option<NaiveDate>,
    pub layout: Option<Layout>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportStatus {
    Draft,
    Issued,
}

/// A report as listed and edited.
#[derive(Debug, Clone, Serialize)]
pub struct ReportRecord {
    pub id: i64,
    pub review_id: Option<i64>,
    pub review_title: Option<String>,
    pub body_id: Option<i64>,
    pub body_name: Option<String>,
    pub meeting_date: NaiveDate,
    pub layout: Layout,
    pub cover: Cover,
    pub compare_with_id: Option<i64>,
    pub include_changes: bool,
    pub status: ReportStatus,
    pub issue: Option<i64>,
    pub issued_at: Option<String>,
    pub issued_by: Option<String>,
    /// SHA-256 of the frozen snapshot, so a copy can be checked against it.
    pub snapshot_sha256: Option<String>,
    pub created_at: String,
    pub version: i64,
}

impl ReportRecord {
    /// "Licensing/CSE Working Group – Overview and Scrutiny Committee".
    pub fn scope_label(&self) -> String {
        match (&self.review_title, &self.body_name) {
            (Some(r), Some(b)) => format!("{r} – {b}"),
            (Some(r), None) => r.clone(),
            (None, Some(b)) => b.clone(),
            (None, None) => "Unknown".into(),
        }
    }
    /// "16 January 2018, issue 1" or "16 January 2018, draft".
    pub fn describe(&self) -> String {
        match self.issue {
            Some(n) => format!("{}, issue {n}", long(self.meeting_date)),
            None => format!("{}, draft", long(self.meeting_date)),
        }
    }
    pub fn is_issued(&self) -> bool {
        self.status == ReportStatus::Issued
    }
}

const REPORT_SELECT: &str = "SELECT p.id, p.review_id, v.title AS review_title, p.body_id, b.name AS body_name, p.meeting_date, p.layout, p.cover, p.compare_with_id, p.include_changes, p.status, p.issue, p.issued_at, u.name AS issued_by_name, p.snapshot_sha256, p.created_at, p.version \
 FROM reports p LEFT JOIN reviews v ON v.id = p.review_id LEFT JOIN bodies b ON b.id = p.body_id LEFT JOIN users u ON u.id = p.issued_by";

fn report_row(r: &AnyRow) -> Result<ReportRecord> {
    let cover: Cover = serde_json::from_str(&r.s("cover")?).map_err(|e| StoreError::Corrupt(format!("report cover: {e}")))?;
    let layout = Layout::from_slug(&r.s("layout")?).ok_or_else(|| StoreError::Corrupt("report layout".into()))?;
    Ok(ReportRecord {
        id: r.i("id")?,
        review_id: r.oi("review_id")?,
        review_title: r.os("review_title")?,
        body_id: r.oi("body_id")?,
        body_name: r.os("body_name")?,
        meeting_date: r.d("meeting_date")?,
        layout,
        cover,
        compare_with_id: r.oi("compare_with_id")?,
        include_changes: r.i("include_changes")? != 0,
        status: if r.s("status")? == "issued" { ReportStatus::Issued } else { ReportStatus::Draft },
        issue: r.oi("issue")?,
        issued_at: r.os("issued_at")?,
        issued_by: r.os("issued_by_name")?,
        snapshot_sha256: r.os("snapshot_sha256")?,
        created_at: r.s("created_at")?,
        version: r.i("version")?,
    })
}

/// `review_id = $n AND body_id IS NULL`-style conditions for a report's scope; the
/// SQL is built per case so no untyped NULL parameter reaches PostgreSQL.
fn scope_where(review_id: Option<i64>, body_id: Option<i64>, first: usize) -> (String, Vec<i64>) {
    let mut sql = Vec::new();
    let mut args = Vec::new();
    for (col, v) in [("p.review_id", review_id), ("p.body_id", body_id)] {
        match v {
            Some(id) => {
                args.push(id);
                sql.push(format!("{col} = ${}", first + args.len() - 1));
            }
            None => sql.push(format!("{col} IS NULL")),
        }
    }
    (sql.join(" AND "), args)
}

impl Store {
    pub async fn reports(&self, review_id: Option<i64>) -> Result<Vec<ReportRecord>> {
        let rows = match review_id {
            Some(id) => {
                self.q(&format!("{REPORT_SELECT} WHERE p.review_id = $1 ORDER BY p.meeting_date DESC, p.id DESC"))
                    .bind(id)
                    .fetch_all(self.pool())
                    .await?
            }
            None => self.q(&format!("{REPORT_SELECT} ORDER BY p.meeting_date DESC, p.id DESC")).fetch_all(self.pool()).await?,
        };
        rows.iter().map(report_row).collect()
    }

    pub async fn report(&self, id: i64) -> Result<ReportRecord> {
        let row = self.q(&format!("{REPORT_SELECT} WHERE p.id = $1")).bind(id).fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        report_row(&row)
    }

    /// Other reports for the same review/committee, newest meeting first.
    pub async fn reports_in_scope(&self, r: &ReportRecord) -> Result<Vec<ReportRecord>> {
        let (cond, args) = scope_where(r.review_id, r.body_id, 1);
        let sql = format!("{REPORT_SELECT} WHERE {cond} ORDER BY p.meeting_date DESC, p.id DESC");
        let mut q = self.q(&sql);
        for a in args {
            q = q.bind(a);
        }
        q.fetch_all(self.pool()).await?.iter().map(report_row).collect()
    }

    /// The recommendations a report covers: a review's, or (for a committee alone)
    /// those it monitors directly or through a review's monitoring schedule.
    async fn scope_recommendations(&self, review_id: Option<i64>, body_id: Option<i64>) -> Result<Vec<Recommendation>> {
        let order = " ORDER BY v.report_date, r.review_id, r.number, r.sub_label";
        let by_review = format!("{REC_SELECT} WHERE r.review_id = $1{order}");
        let by_body = format!(
            "{REC_SELECT} WHERE r.monitoring_body_id = $1 OR r.review_id IN (SELECT review_id FROM monitoring_schedules WHERE body_id = $2){order}"
        );
        let mut recs = match (review_id, body_id) {
            (Some(rid), _) => self.q(&by_review).bind(rid).fetch_all(self.pool()).await?,
            (None, Some(bid)) => self.q(&by_body).bind(bid).bind(bid).fetch_all(self.pool()).await?,
            (None, None) => Vec::new(),
        }
        .iter()
        .map(rec)
        .collect::<Result<Vec<_>>>()?;
        for chunk in recs.chunks_mut(IN_LIST_CHUNK) {
            self.tracker().attach_leads(chunk).await?;
        }
        Ok(recs)
    }

    async fn updates_of(&self, rec_ids: &[i64]) -> Result<HashMap<i64, Vec<ProgressUpdate>>> {
        let mut out = HashMap::new();
        for chunk in rec_ids.chunks(IN_LIST_CHUNK) {
            out.extend(self.tracker().updates_for(chunk).await?);
        }
        Ok(out)
    }

    /// Everything a draft needs, gathered with a fixed number of queries per 500
    /// recommendations: the rows, in number order.
    async fn report_rows(&self, recs: &[Recommendation], meeting: NaiveDate, today: NaiveDate) -> Result<Vec<ReportRow>> {
        let ids: Vec<i64> = recs.iter().map(|r| r.id).collect();
        let mut actions = self.tracker().actions_of(&ids).await?;
        let mut updates = self.updates_of(&ids).await?;
        Ok(recs
            .iter()
            .map(|r| build_row(r, actions.remove(&r.id).unwrap_or_default(), updates.remove(&r.id).unwrap_or_default(), meeting, today))
            .collect())
    }

    /// Start a report for a meeting, its cover pre-filled from the review, its
    /// schedule, its lead officers and the person preparing it.
    pub async fn create_report(&self, actor: &Actor, input: &ReportInput) -> Result<i64> {
        let mut v = Invalid::new();
        if input.review_id.is_none() && input.body_id.is_none() {
            v.add("review_id", "Choose a review or a committee to report on");
        }
        if input.meeting_date.is_none() {
            v.add("meeting_date", "Enter the date of the meeting, for example 16/01/2018");
        }
        let layout = input.layout.unwrap_or(Layout::ProgressMade);
        let review = match input.review_id {
            Some(id) => match self.tracker().review(id).await {
                Ok(r) => Some(r),
                Err(StoreError::NotFound) => {
                    v.add("review_id", "Choose a review from the list");
                    None
                }
                Err(e) => return Err(e),
            },
            None => None,
        };
        let body = match input.body_id {
            Some(id) => match self.tracker().body(id).await {
                Ok(b) => Some(b),
                Err(StoreError::NotFound) => {
                    v.add("body_id", "Choose a committee from the list");
                    None
                }
                Err(e) => return Err(e),
            },
            None => None,
        };
        v.finish()?;
        let meeting = input.meeting_date.unwrap_or_default();
        let recs = self.scope_recommendations(input.review_id, input.body_id).await?;
        if recs.is_empty() {
            let field = if input.review_id.is_some() { "review_id" } else { "body_id" };
            return Err(Invalid::single(field, "There are no recommendations to report to this meeting. Add the review's recommendations first, or choose another review or committee").into());
        }
        // Who it goes to: the chosen committee, else the bodies whose schedule has a report due that day.
        let report_to = match &body {
            Some(b) => format!("{} – {}", b.name, long(meeting)),
            None => {
                let schedules = self.tracker().schedules(input.review_id).await?;
                let due: Vec<String> = schedules
                    .iter()
                    .filter(|s| report_dates(s.first_report_date, s.interval_months, meeting).contains(&meeting))
                    .map(|s| format!("{} – {}", s.body_name, long(meeting)))
                    .collect();
                if due.is_empty() {
                    // No schedule names this meeting: the monitoring body, else the body that set the review up.
                    schedules
                        .first()
                        .map(|s| s.body_name.clone())
                        .or_else(|| review.as_ref().and_then(|r| r.origin_body_name.clone().or(r.referred_to_body_name.clone())))
                        .map(|b| format!("{b} – {}", long(meeting)))
                        .unwrap_or_default()
                } else {
                    due.join("\n")
                }
            }
        };
        let mut titles: Vec<String> = Vec::new();
        for r in &recs {
            for l in &r.leads {
                if !l.job_title.trim().is_empty() && !titles.contains(&l.job_title) {
                    titles.push(l.job_title.clone());
                }
            }
        }
        let report_of = if titles.is_empty() { "Scrutiny Officer".to_string() } else { titles.join(" and ") };
        let scope_title = review.as_ref().map(|r| r.title.clone()).or(body.as_ref().map(|b| b.name.clone())).unwrap_or_default();
        let mut cover = Cover::defaults(&scope_title, meeting, &report_to, &report_of);
        let me = match actor.user_id {
            Some(uid) => self.users().get(uid).await?,
            None => None,
        };
        if let Some(u) = me {
            cover.contact_name = u.name.clone();
            cover.contact_email = u.email.clone();
        }
        cover.introduction = self.introduction(review.as_ref(), recs.len()).await?;
        let previous = self.previous_issued(input.review_id, input.body_id, meeting).await?;
        let mut tx = self.write().await?;
        let id = self
            .q("INSERT INTO reports (review_id, body_id, meeting_date, layout, cover, compare_with_id, include_changes, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id")
            .bind(input.review_id)
            .bind(input.body_id)
            .bind(date_str(meeting))
            .bind(layout.slug())
            .bind(to_json(&cover)?)
            .bind(previous)
            .bind(previous.is_some() as i64)
            .bind(actor.user_id)
            .bind(now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(actor, Event::new("report.create", "report", id, format!("draft monitoring report for {scope_title}, meeting {}", long(meeting))))
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn introduction(&self, review: Option<&Review>, count: usize) -> Result<String> {
        let Some(review) = review else {
            return Ok(format!("This report sets out progress made against each of the {count} recommendations the committee monitors."));
        };
        let endorsements = self.tracker().endorsements(review.id).await?;
        let mut text = format!("The {} made {count} recommendations", review.title);
        if !endorsements.is_empty() {
            let by: Vec<String> = endorsements.iter().map(|e| format!("{} on {}", e.body_name, long(e.endorsed_on))).collect();
            text.push_str(&format!(", endorsed by {}", by.join(" and ")));
        }
        if let (Some(b), Some(d)) = (&review.referred_to_body_name, review.referral_date) {
            text.push_str(&format!(", and referred to {b} on {}", long(d)));
        }
        text.push_str(". The table attached to the report sets out progress made against each of the recommendations.");
        Ok(text)
    }

    async fn previous_issued(&self, review_id: Option<i64>, body_id: Option<i64>, meeting: NaiveDate) -> Result<Option<i64>> {
        let (cond, args) = scope_where(review_id, body_id, 2);
        let sql = format!("SELECT p.id FROM reports p WHERE {cond} AND p.status = 'issued' AND p.meeting_date < $1 ORDER BY p.meeting_date DESC, p.issue DESC LIMIT 1");
        let mut q = self.q(&sql).bind(date_str(meeting));
        for a in args {
            q = q.bind(a);
        }
        q.fetch_optional(self.pool()).await?.map(|r| r.i("id")).transpose()
    }

    /// Change a draft's cover, layout and comparison. Issued reports never change.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_report(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        cover: &Cover,
        layout: Layout,
        include_changes: bool,
        compare_with_id: Option<i64>,
    ) -> Result<()> {
        let current = self.report(id).await?;
        if current.is_issued() {
            return Err(
                Invalid::single("report", "This report has been issued and can no longer change. Start a new report for the next meeting").into()
            );
        }
        let mut v = match cover.validate() {
            Ok(()) => Invalid::new(),
            Err(e) => e,
        };
        if let Some(other) = compare_with_id {
            match self.report(other).await {
                Ok(o) if o.review_id == current.review_id && o.body_id == current.body_id && o.id != id => {}
                Ok(_) | Err(StoreError::NotFound) => v.add("compare_with_id", "Choose an earlier report for the same review to compare with"),
                Err(e) => return Err(e),
            }
        } else if include_changes {
            v.add("compare_with_id", "Choose the earlier report whose changes the appendix should show");
        }
        v.finish()?;
        let meeting = cover.meeting_date.unwrap_or(current.meeting_date);
        let mut tx = self.write().await?;
        let n = self
            .q("UPDATE reports SET cover = $1, layout = $2, include_changes = $3, compare_with_id = $4, meeting_date = $5, version = version + 1 WHERE id = $6 AND version = $7 AND status = 'draft'")
            .bind(to_json(cover)?)
            .bind(layout.slug())
            .bind(include_changes as i64)
            .bind(compare_with_id)
            .bind(date_str(meeting))
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        tx.audit(actor, Event::new("report.update", "report", id, "cover, layout or comparison of a draft changed")).await?;
        tx.commit().await
    }

    /// Delete a draft (issued reports are kept for ever).
    pub async fn delete_draft_report(&self, actor: &Actor, id: i64, version: i64) -> Result<()> {
        let current = self.report(id).await?;
        if current.is_issued() {
            return Err(Invalid::single("report", "An issued report is a record of what members were told and cannot be deleted").into());
        }
        let mut tx = self.write().await?;
        self.q("UPDATE reports SET compare_with_id = NULL WHERE compare_with_id = $1").bind(id).execute(tx.conn()).await?;
        let n = self.q("DELETE FROM reports WHERE id = $1 AND version = $2 AND status = 'draft'").bind(id).bind(version).execute(tx.conn()).await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        tx.audit(actor, Event::new("report.delete", "report", id, format!("draft for {} deleted", long(current.meeting_date)))).await?;
        tx.commit().await
    }

    /// The report as drawn: an issued report's frozen snapshot, or a draft assembled
    /// now from the tracker.
    pub async fn monitoring_report(&self, id: i64, today: NaiveDate) -> Result<MonitoringReport> {
        let r = self.report(id).await?;
        if r.is_issued() {
            return self.snapshot(id).await;
        }
        self.assemble(&r, today).await
    }

    async fn snapshot(&self, id: i64) -> Result<MonitoringReport> {
        let row = self.q("SELECT snapshot FROM reports WHERE id = $1").bind(id).fetch_one(self.pool()).await?;
        let text = row.os("snapshot")?.ok_or_else(|| StoreError::Corrupt(format!("issued report {id} has no snapshot")))?;
        serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("report {id} snapshot: {e}")))
    }

    async fn assemble(&self, r: &ReportRecord, today: NaiveDate) -> Result<MonitoringReport> {
        let recs = self.scope_recommendations(r.review_id, r.body_id).await?;
        let rows = self.report_rows(&recs, r.meeting_date, today).await?;
        let settings = self.settings().load().await?;
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
            let r = self.report(id).await?;
            if r.is_issued() {
                self.snapshot(id).await
            } else {
                let mut plain = r.clone();
                plain.include_changes = false;
                self.assemble(&plain, today).await
            }
        })
    }

    /// Issue a draft: freeze exactly what it says, number it within its scope and
    /// record which updates it included. Returns the issue number.
    pub async fn issue_report(&self, actor: &Actor, id: i64, version: i64, today: NaiveDate) -> Result<i64> {
        let r = self.report(id).await?;
        if r.is_issued() {
            return Err(Invalid::single("report", "This report has already been issued").into());
        }
        if r.version != version {
            return Err(StoreError::Conflict);
        }
        r.cover.validate()?;
        let mut report = self.assemble(&r, today).await?;
        if report.rows.is_empty() {
            return Err(Invalid::single("report", "There are no recommendations in this report, so there is nothing to issue").into());
        }
        let mut tx = self.write().await?;
        let (cond, args) = scope_where(r.review_id, r.body_id, 1);
        let sql = format!("SELECT COALESCE(MAX(p.issue), 0) AS n FROM reports p WHERE {cond}");
        let mut q = self.q(&sql);
        for a in args {
            q = q.bind(a);
        }
        let issue = q.fetch_one(tx.conn()).await?.i("n")? + 1;
        report.issue = Some(issue);
        if let Some(c) = report.changes.as_mut() {
            c.to = format!("{} (issue {issue})", long(r.meeting_date));
        }
        let json = to_json(&report)?;
        let sha = hex::encode(Sha256::digest(json.as_bytes()));
        let n = self
            .q("UPDATE reports SET status = 'issued', issue = $1, snapshot = $2, snapshot_sha256 = $3, issued_at = $4, issued_by = $5, version = version + 1 WHERE id = $6 AND version = $7 AND status = 'draft'")
            .bind(issue)
            .bind(json)
            .bind(sha.clone())
            .bind(now())
            .bind(actor.user_id)
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        let included: Vec<i64> = report.rows.iter().flat_map(|r| r.updates.iter().map(|u| u.id)).collect();
        for chunk in included.chunks(IN_LIST_CHUNK) {
            let values = (0..chunk.len()).map(|i| format!("($1, ${})", i + 2)).collect::<Vec<_>>().join(",");
            let sql = format!("INSERT INTO report_updates (report_id, update_id) VALUES {values}");
            let mut q = self.q(&sql).bind(id);
            for u in chunk {
                q = q.bind(*u);
            }
            q.execute(tx.conn()).await?;
        }
        tx.audit(
            actor,
            Event::new("report.issue", "report", id, format!("issue {issue} for {} frozen, snapshot sha256 {sha}", long(r.meeting_date))),
        )
        .await?;
        tx.commit().await?;
        Ok(issue)
    }

    /// What changed between two reports for the same review or committee (ordered by meeting).
    pub async fn compare_reports(&self, a: i64, b: i64, today: NaiveDate) -> Result<ReportDiff> {
        let (ra, rb) = (self.report(a).await?, self.report(b).await?);
        if ra.review_id != rb.review_id || ra.body_id != rb.body_id {
            return Err(Invalid::single("with", "Only reports for the same review or committee can be compared").into());
        }
        let (earlier, later) = if (ra.meeting_date, ra.id) <= (rb.meeting_date, rb.id) { (a, b) } else { (b, a) };
        let e = self.monitoring_report_boxed(earlier, today).await?;
        let l = self.monitoring_report_boxed(later, today).await?;
        Ok(diff(&e, &l))
    }

    /// Record that a report was downloaded or printed.
    pub async fn record_report_export(&self, actor: &Actor, id: i64, format: &str) -> Result<()> {
        self.record(actor, Event::new("report.export", "report", id, format!("downloaded as {format}"))).await
    }
}

/// One recommendation's row: its actions with their date history, and the updates
/// dated on or before the meeting (a correction replaces what it corrects).
fn build_row(r: &Recommendation, actions: Vec<Action>, updates: Vec<ProgressUpdate>, meeting: NaiveDate, today: NaiveDate) -> ReportRow {
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
        rag: r.rag(today),
        updates: included,
    }
}
