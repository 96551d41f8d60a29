//! Monitoring schedules (which committee gets reports, from when, how often), the
//! updates asked of lead officers, and which recommendations still lack one for a report.

use assure_domain::dates::long;
use assure_domain::tracker::{check_schedule, check_update_request, ScheduleInput, UpdateRequestInput};
use assure_domain::Invalid;
use chrono::NaiveDate;
use serde::Serialize;

use super::{rec, RecFilter, Recommendation, Tracker, REC_SELECT};
use crate::audit::Event;
use crate::sql::Sql;
use crate::{all_checks, date_str, opt_date_str, Actor, Result, RowExt, StoreError};

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

/// A monitoring report's scope: a review, optionally one committee, and the
/// window its updates come from.
#[derive(Debug, Clone, Copy)]
pub struct ReportWindow {
    pub review_id: i64,
    pub body_id: Option<i64>,
    pub since: Option<NaiveDate>,
    pub report_date: NaiveDate,
}

impl Tracker<'_> {
    pub async fn schedules(&self, review_id: Option<i64>) -> Result<Vec<Schedule>> {
        let base = "SELECT s.id, s.review_id, v.title, s.body_id, b.name AS body_name, s.first_report_date, s.interval_months, s.resolution_ref FROM monitoring_schedules s JOIN reviews v ON v.id = s.review_id JOIN bodies b ON b.id = s.body_id";
        let rows = match review_id {
            Some(id) => {
                self.store.q(&format!("{base} WHERE s.review_id = $1 ORDER BY s.first_report_date")).bind(id).fetch_all(self.store.pool()).await?
            }
            None => self.store.q(&format!("{base} ORDER BY s.first_report_date")).fetch_all(self.store.pool()).await?,
        };
        rows.iter()
            .map(|r| {
                Ok(Schedule {
                    id: r.i("id")?,
                    review_id: r.i("review_id")?,
                    review_title: r.s("title")?,
                    body_id: r.i("body_id")?,
                    body_name: r.s("body_name")?,
                    first_report_date: r.d("first_report_date")?,
                    interval_months: r.i("interval_months")?,
                    resolution_ref: r.s("resolution_ref")?,
                })
            })
            .collect()
    }

    /// Schedule monitoring reports on a review to a committee (which must exist).
    pub async fn add_schedule(&self, actor: &Actor, review_id: i64, input: &ScheduleInput) -> Result<i64> {
        self.review(review_id).await?;
        let mut found = Invalid::new();
        let body = self.chosen_body(&mut found, input.body_id, "body_id").await?;
        let s = all_checks(check_schedule(input), found, ScheduleInput::FIELDS)?;
        let Some(body) = body.filter(|b| b.id == s.body_id) else {
            return Err(Invalid::single("body_id", "Select a body from the list").into());
        };
        let mut tx = self.store.write().await?;
        let id = self.store
            .q("INSERT INTO monitoring_schedules (review_id, body_id, first_report_date, interval_months, resolution_ref) VALUES ($1,$2,$3,$4,$5) RETURNING id")
            .bind(review_id)
            .bind(body.id)
            .bind(date_str(s.first_report_date))
            .bind(s.interval_months)
            .bind(s.resolution_ref.clone())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(
            actor,
            Event::new("schedule.create", "review", review_id, format!("monitoring reports to {} from {}", body.name, long(s.first_report_date))),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Ask the lead officers of these recommendations for an update by the date given.
    /// Returns how many were asked.
    pub async fn request_updates(&self, actor: &Actor, input: &UpdateRequestInput, today: NaiveDate) -> Result<usize> {
        let r = check_update_request(input, today)?;
        let mut tx = self.store.write().await?;
        for id in &r.recommendation_ids {
            let exists = self.store.q("SELECT id FROM recommendations WHERE id = $1").bind(*id).fetch_optional(tx.conn()).await?;
            if exists.is_none() {
                return Err(StoreError::NotFound);
            }
            self.store.q("INSERT INTO update_requests (recommendation_id, requested_by, requested_at, due_date, for_report_date, message) VALUES ($1,$2,$3,$4,$5,$6)")
                .bind(*id)
                .bind(actor.user_id)
                .bind(self.store.now())
                .bind(date_str(r.due_date))
                .bind(opt_date_str(r.for_report_date))
                .bind(r.message.clone())
                .execute(tx.conn())
                .await?;
            tx.audit(actor, Event::new("recommendation.request-update", "recommendation", *id, format!("update requested by {}", long(r.due_date))))
                .await?;
        }
        tx.commit().await?;
        Ok(r.recommendation_ids.len())
    }

    pub(super) async fn update_requests_for(&self, rec_ids: &[i64]) -> Result<Vec<UpdateRequest>> {
        if rec_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(
            "SELECT q.id, q.recommendation_id, COALESCE(u.name, 'system') AS by_name, q.requested_at, q.due_date, q.for_report_date, q.message, \
             (SELECT COUNT(*) FROM progress_updates p WHERE p.recommendation_id = q.recommendation_id AND p.created_at >= q.requested_at) AS answers \
             FROM update_requests q LEFT JOIN users u ON u.id = q.requested_by WHERE q.recommendation_id IN (",
        );
        sql.bind_list(rec_ids.iter().copied()).push(") ORDER BY q.due_date DESC, q.id DESC");
        sql.query(self.store)
            .fetch_all(self.store.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(UpdateRequest {
                    id: r.i("id")?,
                    recommendation_id: r.i("recommendation_id")?,
                    requested_by: r.s("by_name")?,
                    requested_at: r.s("requested_at")?,
                    due_date: r.d("due_date")?,
                    for_report_date: r.od("for_report_date")?,
                    message: r.s("message")?,
                    answered: r.i("answers")? > 0,
                })
            })
            .collect()
    }

    /// What a lead officer answers for: their recommendations and open requests.
    pub async fn my_recommendations(&self, user_id: i64) -> Result<(Vec<Recommendation>, Vec<UpdateRequest>)> {
        let f = RecFilter { lead_user_id: Some(user_id), ..Default::default() };
        let (recs, _) = self.list_recommendations(&f, 1000, 0).await?;
        let ids: Vec<i64> = recs.iter().map(|r| r.id).collect();
        let requests = self.update_requests_for(&ids).await?.into_iter().filter(|q| !q.answered).collect();
        Ok((recs, requests))
    }

    /// For a report on `report_date`: the open recommendations in scope with no
    /// update dated after `since` (the previous report).
    pub async fn missing_updates(
        &self,
        review_id: i64,
        body_id: Option<i64>,
        since: Option<NaiveDate>,
        report_date: NaiveDate,
    ) -> Result<Vec<Recommendation>> {
        Ok(self.missing_updates_many(&[ReportWindow { review_id, body_id, since, report_date }]).await?.pop().unwrap_or_default())
    }

    /// The same for several reports at once, in one query whatever their number.
    pub async fn missing_updates_many(&self, windows: &[ReportWindow]) -> Result<Vec<Vec<Recommendation>>> {
        if windows.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new("WITH w(idx, review_id, body_id, since, report) AS (VALUES ");
        for (i, w) in windows.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(").bind(i as i64).push(", ").bind(w.review_id).push(", ").bind(w.body_id.unwrap_or(-1)).push(", ");
            sql.bind(w.since.map(date_str).unwrap_or_else(|| "0000-00-00".into())).push(", ").bind(date_str(w.report_date)).push(")");
        }
        sql.push(") ").push(&REC_SELECT.replacen("SELECT ", "SELECT w.idx AS window_idx, ", 1)).push(
            " JOIN w ON w.review_id = r.review_id \
             WHERE r.lifecycle IN ('not-started','in-progress','paused','transferred') \
             AND (w.body_id < 0 OR r.monitoring_body_id = w.body_id OR r.monitoring_body_id IS NULL) \
             AND NOT EXISTS (SELECT 1 FROM progress_updates p WHERE p.recommendation_id = r.id AND p.update_date > w.since AND p.update_date <= w.report) \
             ORDER BY w.idx, r.number, r.sub_label",
        );
        let rows = sql.query(self.store).fetch_all(self.store.pool()).await?;
        let mut all = Vec::with_capacity(rows.len());
        let mut idx = Vec::with_capacity(rows.len());
        for row in &rows {
            idx.push(row.i("window_idx")? as usize);
            all.push(rec(row)?);
        }
        self.attach_leads(&mut all).await?;
        let mut out: Vec<Vec<Recommendation>> = vec![Vec::new(); windows.len()];
        for (i, r) in idx.into_iter().zip(all) {
            out[i].push(r);
        }
        Ok(out)
    }
}
