//! What is decided about a recommendation: the executive's response, its status, a
//! RAG override, sign-off and transfer to another committee. Each is version-checked,
//! kept in the recommendation's history and audited.

use assure_domain::dates::long;
use assure_domain::tracker::{
    check_lifecycle_change, check_sign_off, check_transfer, Lifecycle, LifecycleInput, RagOverride, ResponseDecision, SignOffInput, TransferInput,
};
use assure_domain::{Checked, Invalid};
use chrono::NaiveDate;

use super::{check_version, Tracker};
use crate::audit::Event;
use crate::{all_checks, opt_date_str, Actor, Result, WriteTx};

/// How a sign-off with the outcome not yet moved reads.
pub const OUTCOME_NOT_IMPROVED: &str = "Completed — outcome not yet improved";

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
            .bind(self.store.now())
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

    pub async fn record_response(&self, actor: &Actor, id: i64, version: i64, d: &Checked<ResponseDecision>) -> Result<()> {
        let current = self.recommendation(id).await?;
        let mut tx = self.store.write().await?;
        self.claim(&mut tx, id, version).await?;
        self.store
            .q("UPDATE recommendations SET response = $1, response_date = $2, response_reason = $3 WHERE id = $4")
            .bind(d.response.slug())
            .bind(opt_date_str(Some(d.date)))
            .bind(d.reason.clone())
            .bind(id)
            .execute(tx.conn())
            .await?;
        self.history(&mut tx, actor, id, "response", current.response.label(), d.response.label(), &d.reason, None, Some(d.date), "").await?;
        self.refresh_rec(&mut tx, id).await?;
        tx.audit(actor, Event::new("recommendation.response", "recommendation", id, format!("executive response: {}", d.response.label()))).await?;
        tx.commit().await
    }

    /// An officer's change of status, checked against the status as stored.
    pub async fn set_lifecycle(&self, actor: &Actor, id: i64, version: i64, input: &LifecycleInput) -> Result<()> {
        let current = self.recommendation(id).await?;
        let c = check_lifecycle_change(input, current.lifecycle)?;
        let mut tx = self.store.write().await?;
        self.claim(&mut tx, id, version).await?;
        self.store
            .q("UPDATE recommendations SET lifecycle = $1, lifecycle_reason = $2 WHERE id = $3")
            .bind(c.to.slug())
            .bind(c.reason.clone())
            .bind(id)
            .execute(tx.conn())
            .await?;
        self.history(&mut tx, actor, id, "lifecycle", c.from.label(), c.to.label(), &c.note, None, None, "").await?;
        self.refresh_rec(&mut tx, id).await?;
        tx.audit(actor, Event::new("recommendation.lifecycle", "recommendation", id, format!("status {} → {}", c.from.label(), c.to.label())))
            .await?;
        tx.commit().await
    }

    /// Override the suggested RAG (or clear the override). Both are kept.
    pub async fn set_rag_override(&self, actor: &Actor, id: i64, version: i64, o: &Checked<RagOverride>) -> Result<()> {
        let current = self.recommendation(id).await?;
        let mut tx = self.store.write().await?;
        self.claim(&mut tx, id, version).await?;
        self.store
            .q("UPDATE recommendations SET rag_override = $1, rag_override_reason = $2, rag_suggest = $3 WHERE id = $4")
            .bind(o.rag.map(|r| r.slug()))
            .bind(o.reason.clone())
            .bind(i64::from(o.suggest))
            .bind(id)
            .execute(tx.conn())
            .await?;
        self.refresh_rec(&mut tx, id).await?;
        let words = |rag: Option<assure_domain::tracker::Rag>, suggest: bool| match rag {
            Some(r) => r.label(),
            None if suggest => "Suggested",
            None => "Not rated",
        };
        let from = words(current.rag_override, current.rag_suggest);
        let to = words(o.rag, o.suggest);
        self.history(&mut tx, actor, id, "rag", from, to, &o.reason, None, None, "").await?;
        tx.audit(actor, Event::new("recommendation.rag", "recommendation", id, format!("RAG override {from} → {to}"))).await?;
        tx.commit().await
    }

    /// A committee's sign-off, checked against the status as stored.
    pub async fn sign_off(&self, actor: &Actor, id: i64, version: i64, input: &SignOffInput) -> Result<()> {
        let current = self.recommendation(id).await?;
        let mut found = Invalid::new();
        let body = self.chosen_body(&mut found, input.body_id, "body_id").await?;
        let s = all_checks(check_sign_off(input, current.lifecycle), found, SignOffInput::FIELDS)?;
        let Some(body) = body.filter(|b| b.id == s.body_id) else {
            return Err(Invalid::single("body_id", "Select a body from the list").into());
        };
        let mut tx = self.store.write().await?;
        self.claim(&mut tx, id, version).await?;
        self.store
            .q("UPDATE recommendations SET lifecycle = 'signed-off', lifecycle_reason = '', outcome_not_improved = $1 WHERE id = $2")
            .bind(i64::from(s.outcome_not_improved))
            .bind(id)
            .execute(tx.conn())
            .await?;
        self.history(
            &mut tx,
            actor,
            id,
            "sign-off",
            s.from.label(),
            Lifecycle::SignedOff.label(),
            if s.outcome_not_improved { OUTCOME_NOT_IMPROVED } else { "" },
            Some(body.id),
            Some(s.meeting_date),
            &s.minute_ref,
        )
        .await?;
        self.refresh_rec(&mut tx, id).await?;
        tx.audit(
            actor,
            Event::new(
                "recommendation.sign-off",
                "recommendation",
                id,
                format!(
                    "signed off by {} on {} ({}){}",
                    body.name,
                    long(s.meeting_date),
                    s.minute_ref,
                    if s.outcome_not_improved { format!(" as {}", OUTCOME_NOT_IMPROVED.to_lowercase()) } else { String::new() }
                ),
            ),
        )
        .await?;
        tx.commit().await
    }

    /// A transfer to another committee, checked against the status and committee as
    /// stored.
    pub async fn transfer(&self, actor: &Actor, id: i64, version: i64, input: &TransferInput) -> Result<()> {
        let current = self.recommendation(id).await?;
        let mut found = Invalid::new();
        let body = self.chosen_body(&mut found, input.body_id, "body_id").await?;
        let t = all_checks(check_transfer(input, current.lifecycle, current.monitoring_body_id), found, TransferInput::FIELDS)?;
        let Some(body) = body.filter(|b| b.id == t.body_id) else {
            return Err(Invalid::single("body_id", "Select a body from the list").into());
        };
        let mut tx = self.store.write().await?;
        self.claim(&mut tx, id, version).await?;
        self.store
            .q("UPDATE recommendations SET lifecycle = 'transferred', monitoring_body_id = $1 WHERE id = $2")
            .bind(body.id)
            .bind(id)
            .execute(tx.conn())
            .await?;
        let from = current.monitoring_body_name.clone().unwrap_or_else(|| "no committee".into());
        self.history(&mut tx, actor, id, "transfer", &from, &body.name, &t.reason, Some(body.id), Some(t.meeting_date), &t.minute_ref).await?;
        self.refresh_rec(&mut tx, id).await?;
        tx.audit(actor, Event::new("recommendation.transfer", "recommendation", id, format!("transferred from {from} to {}", body.name))).await?;
        tx.commit().await
    }
}
