//! What is decided about a recommendation: the executive's response, its status, a
//! RAG override, sign-off and transfer to another committee. Each is version-checked,
//! kept in the recommendation's history and audited.

use assure_domain::dates::long;
use assure_domain::tracker::{validate_lifecycle_change, validate_response, ExecutiveResponse, Lifecycle, Rag};
use assure_domain::Invalid;
use chrono::NaiveDate;

use super::{check_version, Tracker};
use crate::audit::Event;
use crate::{now, opt_date_str, Actor, Result, WriteTx};

impl Tracker<'_> {
    /// Bump the version (or fail on a stale one) before changing a recommendation.
    async fn claim(&self, tx: &mut WriteTx<'_>, id: i64, version: i64) -> Result<()> {
        let n = self
            .store
            .q("UPDATE recommendations SET version = version + 1 WHERE id = $1 AND version = $2")
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) async fn history(
        &self,
        tx: &mut WriteTx<'_>,
        actor: &Actor,
        rec_id: i64,
        kind: &str,
        from: &str,
        to: &str,
        reason: &str,
        body_id: Option<i64>,
        meeting: Option<NaiveDate>,
        minute_ref: &str,
    ) -> Result<()> {
        self.store.q("INSERT INTO recommendation_history (recommendation_id, at, user_id, kind, from_value, to_value, reason, body_id, meeting_date, minute_ref) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)")
            .bind(rec_id)
            .bind(now())
            .bind(actor.user_id)
            .bind(kind.to_string())
            .bind(from.to_string())
            .bind(to.to_string())
            .bind(reason.trim().to_string())
            .bind(body_id)
            .bind(opt_date_str(meeting))
            .bind(minute_ref.trim().to_string())
            .execute(tx.conn())
            .await?;
        Ok(())
    }

    pub async fn record_response(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        response: ExecutiveResponse,
        date: Option<NaiveDate>,
        reason: &str,
    ) -> Result<()> {
        let current = self.recommendation(id).await?;
        validate_response(response, date, reason)?;
        let mut tx = self.store.write().await?;
        self.claim(&mut tx, id, version).await?;
        self.store
            .q("UPDATE recommendations SET response = $1, response_date = $2, response_reason = $3 WHERE id = $4")
            .bind(response.slug())
            .bind(opt_date_str(date))
            .bind(reason.trim().to_string())
            .bind(id)
            .execute(tx.conn())
            .await?;
        self.history(&mut tx, actor, id, "response", current.response.label(), response.label(), reason, None, date, "").await?;
        self.refresh_rec(&mut tx, id).await?;
        tx.audit(actor, Event::new("recommendation.response", "recommendation", id, format!("executive response: {}", response.label()))).await?;
        tx.commit().await
    }

    pub async fn set_lifecycle(&self, actor: &Actor, id: i64, version: i64, to: Lifecycle, reason: &str) -> Result<()> {
        let current = self.recommendation(id).await?;
        validate_lifecycle_change(current.lifecycle, to, reason)?;
        let mut tx = self.store.write().await?;
        self.claim(&mut tx, id, version).await?;
        self.store
            .q("UPDATE recommendations SET lifecycle = $1, lifecycle_reason = $2 WHERE id = $3")
            .bind(to.slug())
            .bind(if to.needs_reason() { reason.trim().to_string() } else { String::new() })
            .bind(id)
            .execute(tx.conn())
            .await?;
        self.history(&mut tx, actor, id, "lifecycle", current.lifecycle.label(), to.label(), reason, None, None, "").await?;
        self.refresh_rec(&mut tx, id).await?;
        tx.audit(
            actor,
            Event::new("recommendation.lifecycle", "recommendation", id, format!("status {} → {}", current.lifecycle.label(), to.label())),
        )
        .await?;
        tx.commit().await
    }

    /// Override the suggested RAG (or clear the override with `None`). Both are kept.
    pub async fn set_rag_override(&self, actor: &Actor, id: i64, version: i64, rag: Option<Rag>, reason: &str) -> Result<()> {
        let current = self.recommendation(id).await?;
        if rag.is_some() && reason.trim().is_empty() {
            return Err(Invalid::single("rag_reason", "Enter the reason for overriding the suggested RAG").into());
        }
        let mut tx = self.store.write().await?;
        self.claim(&mut tx, id, version).await?;
        self.store
            .q("UPDATE recommendations SET rag_override = $1, rag_override_reason = $2 WHERE id = $3")
            .bind(rag.map(|r| r.slug()))
            .bind(reason.trim().to_string())
            .bind(id)
            .execute(tx.conn())
            .await?;
        let from = current.rag_override.map(|r| r.label()).unwrap_or("Suggested");
        let to = rag.map(|r| r.label()).unwrap_or("Suggested");
        self.history(&mut tx, actor, id, "rag", from, to, reason, None, None, "").await?;
        tx.audit(actor, Event::new("recommendation.rag", "recommendation", id, format!("RAG override {from} → {to}"))).await?;
        tx.commit().await
    }

    pub async fn sign_off(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        body_id: Option<i64>,
        meeting: Option<NaiveDate>,
        minute_ref: &str,
    ) -> Result<()> {
        let current = self.recommendation(id).await?;
        let mut v = Invalid::new();
        if current.lifecycle != Lifecycle::CompleteAwaitingSignOff {
            v.add("lifecycle", "Only a recommendation that is complete and awaiting sign-off can be signed off: record it as complete first");
        }
        let body = self.pick_body(&mut v, body_id, "body_id", "Select the committee that signed it off").await?;
        if meeting.is_none() {
            v.add("meeting_date", "Enter the date of the meeting, for example 16 July 2018");
        }
        if minute_ref.trim().is_empty() {
            v.add("minute_ref", "Enter the minute reference of the decision");
        }
        v.finish()?;
        let body = body.unwrap();
        let mut tx = self.store.write().await?;
        self.claim(&mut tx, id, version).await?;
        self.store.q("UPDATE recommendations SET lifecycle = 'signed-off', lifecycle_reason = '' WHERE id = $1").bind(id).execute(tx.conn()).await?;
        self.history(&mut tx, actor, id, "sign-off", current.lifecycle.label(), Lifecycle::SignedOff.label(), "", Some(body.id), meeting, minute_ref)
            .await?;
        self.refresh_rec(&mut tx, id).await?;
        tx.audit(
            actor,
            Event::new(
                "recommendation.sign-off",
                "recommendation",
                id,
                format!("signed off by {} on {} ({})", body.name, long(meeting.unwrap()), minute_ref.trim()),
            ),
        )
        .await?;
        tx.commit().await
    }

    pub async fn transfer(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        to_body: Option<i64>,
        meeting: Option<NaiveDate>,
        minute_ref: &str,
        reason: &str,
    ) -> Result<()> {
        let current = self.recommendation(id).await?;
        let mut v = Invalid::new();
        if matches!(current.lifecycle, Lifecycle::SignedOff | Lifecycle::CompleteAwaitingSignOff) {
            v.add("lifecycle", "Only incomplete recommendations can be transferred to another committee");
        }
        let body = self.pick_body(&mut v, to_body, "body_id", "Select the committee that takes it over").await?;
        if let (Some(b), Some(cur)) = (&body, current.monitoring_body_id) {
            if b.id == cur {
                v.add("body_id", "Select a different committee from the one monitoring it now");
            }
        }
        if meeting.is_none() {
            v.add("meeting_date", "Enter the date of the meeting that decided the transfer");
        }
        v.finish()?;
        let body = body.unwrap();
        let mut tx = self.store.write().await?;
        self.claim(&mut tx, id, version).await?;
        self.store
            .q("UPDATE recommendations SET lifecycle = 'transferred', monitoring_body_id = $1 WHERE id = $2")
            .bind(body.id)
            .bind(id)
            .execute(tx.conn())
            .await?;
        let from = current.monitoring_body_name.clone().unwrap_or_else(|| "no committee".into());
        self.history(&mut tx, actor, id, "transfer", &from, &body.name, reason, Some(body.id), meeting, minute_ref).await?;
        self.refresh_rec(&mut tx, id).await?;
        tx.audit(actor, Event::new("recommendation.transfer", "recommendation", id, format!("transferred from {from} to {}", body.name))).await?;
        tx.commit().await
    }
}
