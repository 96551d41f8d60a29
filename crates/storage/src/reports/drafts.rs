//! Starting a report for a meeting (its cover pre-filled), editing a draft and
//! deleting one.

use assure_domain::dates::long;
use assure_domain::report::{check_draft, check_new_report, check_still_draft, Cover, DraftInput, ReportChange, ReportInput};
use assure_domain::tracker::report_dates;
use assure_domain::Invalid;
use chrono::NaiveDate;

use super::{scope_where, Reports};
use crate::audit::Event;
use crate::sql::Sql;
use crate::tracker::Review;
use crate::{all_checks, date_str, to_json, Actor, Result, RowExt, StoreError};

impl Reports<'_> {
    /// Start a report for a meeting, its cover pre-filled from the review, its
    /// schedule, its lead officers and the person preparing it.
    pub async fn create(&self, actor: &Actor, input: &ReportInput) -> Result<i64> {
        let mut found = Invalid::new();
        let review = match input.review_id {
            Some(id) => match self.store.tracker().review(id).await {
                Ok(r) => Some(r),
                Err(StoreError::NotFound) => {
                    found.add("review_id", "Choose a review from the list");
                    None
                }
                Err(e) => return Err(e),
            },
            None => None,
        };
        let body = match input.body_id {
            Some(id) => match self.store.tracker().body(id).await {
                Ok(b) => Some(b),
                Err(StoreError::NotFound) => {
                    found.add("body_id", "Choose a committee from the list");
                    None
                }
                Err(e) => return Err(e),
            },
            None => None,
        };
        // Something to report on, once what is chosen exists.
        let mut recs = Vec::new();
        if found.is_empty() && (input.review_id.is_some() || input.body_id.is_some()) {
            recs = self.scope_recommendations(input.review_id, input.body_id).await?;
            if recs.is_empty() {
                let field = if input.review_id.is_some() { "review_id" } else { "body_id" };
                found.add(field, "There are no recommendations to report to this meeting. Add the review's recommendations first, or choose another review or committee");
            }
        }
        let new = all_checks(check_new_report(input), found, ReportInput::FIELDS)?;
        let meeting = new.meeting_date;
        // Who it goes to: the chosen committee, else the bodies whose schedule has a report due that day.
        let report_to = match &body {
            Some(b) => format!("{} – {}", b.name, long(meeting)),
            None => {
                let schedules = self.store.tracker().schedules(new.review_id).await?;
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
            Some(uid) => self.store.users().get(uid).await?,
            None => None,
        };
        if let Some(u) = me {
            cover.contact_name = u.name.clone();
            cover.contact_email = u.email.clone();
        }
        cover.introduction = self.introduction(review.as_ref(), recs.len()).await?;
        let previous = self.previous_issued(new.review_id, new.body_id, meeting).await?;
        let mut tx = self.store.write().await?;
        let id = self.store
            .q("INSERT INTO reports (review_id, body_id, meeting_date, layout, cover, compare_with_id, include_changes, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id")
            .bind(new.review_id)
            .bind(new.body_id)
            .bind(date_str(meeting))
            .bind(new.layout.slug())
            .bind(to_json(&cover)?)
            .bind(previous)
            .bind(previous.is_some() as i64)
            .bind(actor.user_id)
            .bind(self.store.now())
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
        let endorsements = self.store.tracker().endorsements(review.id).await?;
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
        let mut sql = Sql::new("SELECT p.id FROM reports p WHERE ");
        sql.append(&scope_where(review_id, body_id)).push(" AND p.status = 'issued' AND p.meeting_date < ").bind(date_str(meeting));
        sql.push(" ORDER BY p.meeting_date DESC, p.issue DESC LIMIT 1");
        sql.query(self.store).fetch_optional(self.store.pool()).await?.map(|r| r.i("id")).transpose()
    }

    /// Change a draft's cover, layout and comparison, checked against the report as
    /// stored (issued reports never change; the comparison is with an earlier report of
    /// the same scope).
    pub async fn save(&self, actor: &Actor, id: i64, version: i64, input: &DraftInput) -> Result<()> {
        let current = self.get(id).await?;
        let mut found = Invalid::new();
        if let Some(other) = input.compare_with_id {
            match self.get(other).await {
                Ok(o) if o.review_id == current.review_id && o.body_id == current.body_id && o.id != id => {}
                Ok(_) | Err(StoreError::NotFound) => found.add("compare_with_id", "Choose an earlier report for the same review to compare with"),
                Err(e) => return Err(e),
            }
        }
        let d = all_checks(check_draft(input, current.is_issued()), found, DraftInput::FIELDS)?;
        let mut tx = self.store.write().await?;
        let n = self.store
            .q("UPDATE reports SET cover = $1, layout = $2, include_changes = $3, compare_with_id = $4, meeting_date = $5, version = version + 1 WHERE id = $6 AND version = $7 AND status = 'draft'")
            .bind(to_json(&d.cover)?)
            .bind(d.layout.slug())
            .bind(d.include_changes as i64)
            .bind(d.compare_with_id)
            .bind(date_str(d.meeting_date))
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
    pub async fn delete_draft(&self, actor: &Actor, id: i64, version: i64) -> Result<()> {
        let current = self.get(id).await?;
        check_still_draft(current.is_issued(), ReportChange::Delete)?;
        let mut tx = self.store.write().await?;
        self.store.q("UPDATE reports SET compare_with_id = NULL WHERE compare_with_id = $1").bind(id).execute(tx.conn()).await?;
        let n =
            self.store.q("DELETE FROM reports WHERE id = $1 AND version = $2 AND status = 'draft'").bind(id).bind(version).execute(tx.conn()).await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        tx.audit(actor, Event::new("report.delete", "report", id, format!("draft for {} deleted", long(current.meeting_date)))).await?;
        tx.commit().await
    }
}
