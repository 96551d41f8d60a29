//! Legal holds: the information governance officer places a hold on a child's records,
//! with a reason, and lifts it when the need has passed. Both are audited (which record,
//! never the reason, which may name people). A held child's records are never destroyed
//! by the retention policy. Only an [`IgOfficer`] reads or changes holds; the child's own
//! page learns only whether a hold is in force, through the door ([`ChildRecord::on_hold`]).

use assure_domain::Checked;
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::audit::Event;
use crate::child_access::ChildRecord;
use crate::subject_access::IgOfficer;
use crate::{Result, RowExt, Store, StoreError};

/// One hold, as the information governance officer sees it.
#[derive(Debug, Clone, Serialize)]
pub struct LegalHold {
    pub id: i64,
    pub child_id: i64,
    pub reason: String,
    pub placed_by: Option<String>,
    pub placed_at: String,
    pub lifted_by: Option<String>,
    pub lifted_at: Option<String>,
    pub lift_reason: String,
}

const COLS: &str = "h.id, h.child_id, h.reason, p.email AS placed_by, h.placed_at, l.email AS lifted_by, h.lifted_at, h.lift_reason \
                    FROM legal_holds h LEFT JOIN users p ON p.id = h.placed_by LEFT JOIN users l ON l.id = h.lifted_by";

fn hold(r: &AnyRow) -> Result<LegalHold> {
    Ok(LegalHold {
        id: r.i("id")?,
        child_id: r.i("child_id")?,
        reason: r.s("reason")?,
        placed_by: r.os("placed_by")?,
        placed_at: r.s("placed_at")?,
        lifted_by: r.os("lifted_by")?,
        lifted_at: r.os("lifted_at")?,
        lift_reason: r.s("lift_reason")?,
    })
}

impl Store {
    /// Every hold, those in force first (newest first), then lifted ones.
    pub async fn legal_holds(&self, _officer: &IgOfficer) -> Result<Vec<LegalHold>> {
        self.q(&format!("SELECT {COLS} ORDER BY CASE WHEN h.lifted_at IS NULL THEN 0 ELSE 1 END, h.placed_at DESC, h.id DESC"))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(hold)
            .collect()
    }

    /// Place a hold on the child `child_id`'s records (a number that names no child is
    /// refused as [`StoreError::NoSuchChild`]). Audited against the child.
    pub async fn place_legal_hold(&self, officer: &IgOfficer, child_id: i64, reason: &Checked<String>) -> Result<i64> {
        let actor = officer.actor();
        let mut tx = self.write().await?;
        if self.q("SELECT id FROM children WHERE id = $1").bind(child_id).fetch_optional(tx.conn()).await?.is_none() {
            return Err(StoreError::NoSuchChild);
        }
        let id = self
            .q("INSERT INTO legal_holds (child_id, reason, placed_by, placed_at) VALUES ($1,$2,$3,$4) RETURNING id")
            .bind(child_id)
            .bind(reason.as_str())
            .bind(actor.user_id)
            .bind(self.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(actor, Event::new("child.legal-hold", "child", child_id, format!("legal hold {id} placed"))).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Lift a hold in force, with a reason. Audited against the child.
    pub async fn lift_legal_hold(&self, officer: &IgOfficer, hold_id: i64, reason: &Checked<String>) -> Result<()> {
        let actor = officer.actor();
        let mut tx = self.write().await?;
        let row = self
            .q("UPDATE legal_holds SET lifted_by = $1, lifted_at = $2, lift_reason = $3 WHERE id = $4 AND lifted_at IS NULL RETURNING child_id")
            .bind(actor.user_id)
            .bind(self.now())
            .bind(reason.as_str())
            .bind(hold_id)
            .fetch_optional(tx.conn())
            .await?
            .ok_or(StoreError::NotFound)?;
        let child_id = row.i("child_id")?;
        tx.audit(actor, Event::new("child.legal-hold", "child", child_id, format!("legal hold {hold_id} lifted"))).await?;
        tx.commit().await
    }

    /// Whether any hold is in force on a child's records (or a record merged into it).
    pub(crate) async fn is_held(&self, child_id: i64) -> Result<bool> {
        Ok(self
            .q("SELECT 1 AS x FROM legal_holds WHERE lifted_at IS NULL AND (child_id = $1 OR child_id IN (SELECT id FROM children WHERE merged_into_id = $1))")
            .bind(child_id)
            .fetch_optional(self.pool())
            .await?
            .is_some())
    }
}

impl ChildRecord {
    /// Whether a legal hold is in force on this record (the banner on the child's page;
    /// the reason is for the information governance officer only).
    pub async fn on_hold(&self) -> Result<bool> {
        self.store.is_held(self.id()).await
    }
}
