//! Issuing a draft (frozen, numbered within its scope, with the updates it included)
//! and recording its downloads.

use assure_domain::dates::long;
use assure_domain::report::{check_issue, check_still_draft, ReportChange};
use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::{scope_where, Reports};
use crate::audit::Event;
use crate::sql::Sql;
use crate::{to_json, Actor, Result, RowExt, StoreError, IN_LIST_CHUNK};

impl Reports<'_> {
    /// Issue a draft: freeze exactly what it says, number it within its scope and
    /// record which updates it included. Returns the issue number.
    pub async fn issue(&self, actor: &Actor, id: i64, version: i64, today: NaiveDate) -> Result<i64> {
        let r = self.get(id).await?;
        check_still_draft(r.is_issued(), ReportChange::Issue)?;
        if r.version != version {
            return Err(StoreError::Conflict);
        }
        // What is frozen is the draft as the domain checked it, numbered here.
        let mut report = check_issue(self.assemble(&r, today).await?)?.into_inner();
        let mut tx = self.store.write().await?;
        let mut sql = Sql::new("SELECT COALESCE(MAX(p.issue), 0) AS n FROM reports p WHERE ");
        sql.append(&scope_where(r.review_id, r.body_id));
        let issue = sql.query(self.store).fetch_one(tx.conn()).await?.i("n")? + 1;
        report.issue = Some(issue);
        if let Some(c) = report.changes.as_mut() {
            c.to = format!("{} (issue {issue})", long(r.meeting_date));
        }
        let json = to_json(&report)?;
        let sha = hex::encode(Sha256::digest(json.as_bytes()));
        let n = self.store
            .q("UPDATE reports SET status = 'issued', issue = $1, snapshot = $2, snapshot_sha256 = $3, issued_at = $4, issued_by = $5, version = version + 1 WHERE id = $6 AND version = $7 AND status = 'draft'")
            .bind(issue)
            .bind(json)
            .bind(sha.clone())
            .bind(self.store.now())
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
            let mut sql = Sql::new("INSERT INTO report_updates (report_id, update_id) VALUES ");
            for (i, u) in chunk.iter().enumerate() {
                sql.push(if i == 0 { "(" } else { ",(" }).bind(id).push(", ").bind(*u).push(")");
            }
            sql.query(self.store).execute(tx.conn()).await?;
        }
        tx.index_report(id, &report, r.meeting_date).await?;
        tx.audit(
            actor,
            Event::new("report.issue", "report", id, format!("issue {issue} for {} frozen, snapshot sha256 {sha}", long(r.meeting_date))),
        )
        .await?;
        tx.commit().await?;
        Ok(issue)
    }

    /// Record that a report was downloaded or printed.
    pub async fn record_export(&self, actor: &Actor, id: i64, format: &str) -> Result<()> {
        self.store.record(actor, Event::new("report.export", "report", id, format!("downloaded as {format}"))).await
    }
}
