//! Actions: what is being done about a recommendation, by when, and every revision
//! of that date with its reason.

use std::collections::HashMap;

use assure_domain::dates::month_year;
use assure_domain::tracker::{check_date_revision, NewAction, RevisionInput};
use assure_domain::Checked;
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;

use super::{check_version, Tracker};
use crate::audit::Event;
use crate::sql::Sql;
use crate::{date_str, Actor, Result, RowExt, StoreError, IN_LIST_CHUNK};

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

impl Tracker<'_> {
    pub async fn add_action(&self, actor: &Actor, rec_id: i64, a: &Checked<NewAction>) -> Result<i64> {
        let current = self.recommendation(rec_id).await?;
        let mut tx = self.store.write().await?;
        let id = self
            .store
            .q("INSERT INTO actions (recommendation_id, text, owner, target_date, created_at) VALUES ($1,$2,$3,$4,$5) RETURNING id")
            .bind(rec_id)
            .bind(a.text.clone())
            .bind(a.owner.clone())
            .bind(date_str(a.target_date))
            .bind(self.store.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        self.refresh_rec(&mut tx, rec_id).await?;
        tx.audit(
            actor,
            Event::new(
                "action.create",
                "recommendation",
                rec_id,
                format!("action {id} added to {} due {}", current.reference, month_year(a.target_date)),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn action(&self, id: i64) -> Result<Action> {
        let rows = self
            .store
            .q("SELECT id, recommendation_id, text, owner, target_date, done, version FROM actions WHERE id = $1")
            .bind(id)
            .fetch_all(self.store.pool())
            .await?;
        let mut actions = self.actions_from_rows(&rows).await?;
        actions.pop().ok_or(StoreError::NotFound)
    }

    /// Revise an action's target date, checked against the date as stored; the earlier
    /// date is kept with the reason.
    pub async fn revise_action_date(&self, actor: &Actor, action_id: i64, version: i64, input: &RevisionInput) -> Result<()> {
        let a = self.action(action_id).await?;
        let r = check_date_revision(input, a.target_date)?;
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE actions SET target_date = $1, version = version + 1 WHERE id = $2 AND version = $3")
            .bind(date_str(r.to))
            .bind(action_id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())?;
        self.store
            .q("INSERT INTO action_date_revisions (action_id, old_date, new_date, reason, revised_by, revised_at) VALUES ($1,$2,$3,$4,$5,$6)")
            .bind(action_id)
            .bind(date_str(r.from))
            .bind(date_str(r.to))
            .bind(r.reason.clone())
            .bind(actor.user_id)
            .bind(self.store.now())
            .execute(tx.conn())
            .await?;
        self.refresh_rec(&mut tx, a.recommendation_id).await?;
        tx.audit(
            actor,
            Event::new(
                "action.revise-date",
                "recommendation",
                a.recommendation_id,
                format!("action {action_id} target {} → {}", month_year(r.from), month_year(r.to)),
            ),
        )
        .await?;
        tx.commit().await
    }

    pub async fn set_action_done(&self, actor: &Actor, action_id: i64, version: i64, done: bool) -> Result<()> {
        let a = self.action(action_id).await?;
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE actions SET done = $1, version = version + 1 WHERE id = $2 AND version = $3")
            .bind(done as i64)
            .bind(action_id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())?;
        self.refresh_rec(&mut tx, a.recommendation_id).await?;
        tx.audit(
            actor,
            Event::new(
                "action.done",
                "recommendation",
                a.recommendation_id,
                format!("action {action_id} marked {}", if done { "done" } else { "not done" }),
            ),
        )
        .await?;
        tx.commit().await
    }

    pub(crate) async fn actions_from_rows(&self, rows: &[AnyRow]) -> Result<Vec<Action>> {
        let mut actions = Vec::new();
        for r in rows {
            actions.push(Action {
                id: r.i("id")?,
                recommendation_id: r.i("recommendation_id")?,
                text: r.s("text")?,
                owner: r.s("owner")?,
                target_date: r.od("target_date")?,
                done: r.i("done")? != 0,
                version: r.i("version")?,
                revisions: Vec::new(),
            });
        }
        if actions.is_empty() {
            return Ok(actions);
        }
        let mut sql = Sql::new(
            "SELECT d.action_id, d.old_date, d.new_date, d.reason, d.revised_at, COALESCE(u.name, 'system') AS by_name FROM action_date_revisions d LEFT JOIN users u ON u.id = d.revised_by WHERE d.action_id IN (",
        );
        sql.bind_list(actions.iter().map(|a| a.id)).push(") ORDER BY d.id");
        let mut by_action: HashMap<i64, Vec<DateRevision>> = HashMap::new();
        for r in sql.query(self.store).fetch_all(self.store.pool()).await? {
            by_action.entry(r.i("action_id")?).or_default().push(DateRevision {
                old_date: r.d("old_date")?,
                new_date: r.d("new_date")?,
                reason: r.s("reason")?,
                revised_by: r.s("by_name")?,
                revised_at: r.s("revised_at")?,
            });
        }
        for a in &mut actions {
            a.revisions = by_action.remove(&a.id).unwrap_or_default();
        }
        Ok(actions)
    }

    /// The actions of many recommendations, with their date history, a fixed number
    /// of queries per 500 recommendations.
    pub(crate) async fn actions_of(&self, rec_ids: &[i64]) -> Result<HashMap<i64, Vec<Action>>> {
        let mut out: HashMap<i64, Vec<Action>> = HashMap::new();
        for chunk in rec_ids.chunks(IN_LIST_CHUNK) {
            let mut sql = Sql::new("SELECT id, recommendation_id, text, owner, target_date, done, version FROM actions WHERE recommendation_id IN (");
            sql.bind_list(chunk.iter().copied()).push(") ORDER BY recommendation_id, id");
            let rows = sql.query(self.store).fetch_all(self.store.pool()).await?;
            for a in self.actions_from_rows(&rows).await? {
                out.entry(a.recommendation_id).or_default().push(a);
            }
        }
        Ok(out)
    }
}
