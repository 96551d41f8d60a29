//! Progress updates and their evidence. Updates are never edited: a correction is a
//! new entry pointing at the one it corrects.

use std::collections::HashMap;

use assure_domain::tracker::{check_update, EvidenceInput, Lifecycle, UpdateInput};
use assure_domain::Invalid;
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;

use super::Tracker;
use crate::audit::Event;
use crate::sql::Sql;
use crate::{all_checks, date_str, Actor, Result, RowExt, StoreError};

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

impl Tracker<'_> {
    /// Add a progress update (with evidence already stored on disk). Updates are
    /// never edited: a correction is a new entry pointing at the one it corrects.
    pub async fn add_update(&self, actor: &Actor, rec_id: i64, input: &UpdateInput, evidence: &[EvidenceInput]) -> Result<i64> {
        let current = self.recommendation(rec_id).await?;
        let mut found = Invalid::new();
        if let Some(c) = input.corrects_id {
            let ok = self
                .store
                .q("SELECT id FROM progress_updates WHERE id = $1 AND recommendation_id = $2")
                .bind(c)
                .bind(rec_id)
                .fetch_optional(self.store.pool())
                .await?;
            if ok.is_none() {
                found.add("corrects_id", "The update being corrected is not an update of this recommendation");
            }
        }
        let u = all_checks(check_update(input, evidence), found, UpdateInput::FIELDS)?;
        let mut tx = self.store.write().await?;
        let id = self.store
            .q("INSERT INTO progress_updates (recommendation_id, author_id, update_date, narrative, progress_percent, corrects_id, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id")
            .bind(rec_id)
            .bind(actor.user_id)
            .bind(date_str(u.update_date))
            .bind(u.narrative.clone())
            .bind(u.progress_percent)
            .bind(u.corrects_id)
            .bind(self.store.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        for e in &u.evidence {
            self.store.q("INSERT INTO evidence_files (update_id, original_name, content_type, size_bytes, sha256, stored_name, uploaded_by, uploaded_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)")
                .bind(id)
                .bind(e.original_name.clone())
                .bind(e.content_type.clone())
                .bind(e.size_bytes)
                .bind(e.sha256.clone())
                .bind(e.stored_name.clone())
                .bind(actor.user_id)
                .bind(self.store.now())
                .execute(tx.conn())
                .await?;
        }
        // A first update moves a not-started recommendation into progress.
        if current.lifecycle == Lifecycle::NotStarted {
            self.store.q("UPDATE recommendations SET lifecycle = 'in-progress' WHERE id = $1").bind(rec_id).execute(tx.conn()).await?;
            self.history(
                &mut tx,
                actor,
                rec_id,
                "lifecycle",
                Lifecycle::NotStarted.label(),
                Lifecycle::InProgress.label(),
                "first progress update",
                None,
                None,
                "",
            )
            .await?;
        }
        self.store.q("UPDATE recommendations SET version = version + 1 WHERE id = $1").bind(rec_id).execute(tx.conn()).await?;
        self.refresh_rec(&mut tx, rec_id).await?;
        let what = match u.corrects_id {
            Some(c) => format!("update {id} added, correcting update {c}, with {} evidence file(s)", u.evidence.len()),
            None => format!("update {id} added with {} evidence file(s)", u.evidence.len()),
        };
        tx.audit(actor, Event::new("recommendation.progress", "recommendation", rec_id, what)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// An evidence file and the recommendation it belongs to.
    pub async fn evidence(&self, id: i64) -> Result<(Evidence, i64)> {
        let r = self.store
            .q("SELECT e.id, e.update_id, e.original_name, e.content_type, e.size_bytes, e.sha256, e.stored_name, e.uploaded_at, p.recommendation_id FROM evidence_files e JOIN progress_updates p ON p.id = e.update_id WHERE e.id = $1")
            .bind(id)
            .fetch_optional(self.store.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok((evidence_row(&r)?, r.i("recommendation_id")?))
    }

    /// Updates of several recommendations, newest first, with evidence (two queries).
    pub async fn updates_for(&self, rec_ids: &[i64]) -> Result<HashMap<i64, Vec<ProgressUpdate>>> {
        let mut out: HashMap<i64, Vec<ProgressUpdate>> = HashMap::new();
        if rec_ids.is_empty() {
            return Ok(out);
        }
        let mut sql = Sql::new(
            "SELECT p.id, p.recommendation_id, COALESCE(u.name, 'system') AS author, p.update_date, p.narrative, p.progress_percent, p.corrects_id, p.created_at, c.corrected_by FROM progress_updates p LEFT JOIN users u ON u.id = p.author_id LEFT JOIN (SELECT corrects_id, MIN(id) AS corrected_by FROM progress_updates WHERE corrects_id IS NOT NULL GROUP BY corrects_id) c ON c.corrects_id = p.id WHERE p.recommendation_id IN (",
        );
        sql.bind_list(rec_ids.iter().copied()).push(") ORDER BY p.update_date DESC, p.id DESC");
        let rows = sql.query(self.store).fetch_all(self.store.pool()).await?;
        let mut updates = Vec::new();
        for r in &rows {
            updates.push(ProgressUpdate {
                id: r.i("id")?,
                recommendation_id: r.i("recommendation_id")?,
                author: r.s("author")?,
                update_date: r.d("update_date")?,
                narrative: r.s("narrative")?,
                progress_percent: r.oi("progress_percent")?,
                corrects_id: r.oi("corrects_id")?,
                corrected_by_id: r.oi("corrected_by")?,
                created_at: r.s("created_at")?,
                evidence: Vec::new(),
            });
        }
        if !updates.is_empty() {
            let mut sql = Sql::new(
                "SELECT e.id, e.update_id, e.original_name, e.content_type, e.size_bytes, e.sha256, e.stored_name, e.uploaded_at FROM evidence_files e JOIN progress_updates p ON p.id = e.update_id WHERE p.recommendation_id IN (",
            );
            sql.bind_list(rec_ids.iter().copied()).push(") ORDER BY e.id");
            let mut by_update: HashMap<i64, Vec<Evidence>> = HashMap::new();
            for r in sql.query(self.store).fetch_all(self.store.pool()).await? {
                let e = evidence_row(&r)?;
                by_update.entry(e.update_id).or_default().push(e);
            }
            for u in &mut updates {
                u.evidence = by_update.remove(&u.id).unwrap_or_default();
            }
        }
        for u in updates {
            out.entry(u.recommendation_id).or_default().push(u);
        }
        Ok(out)
    }
}

fn evidence_row(r: &AnyRow) -> Result<Evidence> {
    Ok(Evidence {
        id: r.i("id")?,
        update_id: r.i("update_id")?,
        original_name: r.s("original_name")?,
        content_type: r.s("content_type")?,
        size_bytes: r.i("size_bytes")?,
        sha256: r.s("sha256")?,
        stored_name: r.s("stored_name")?,
        uploaded_at: r.s("uploaded_at")?,
    })
}
