//! Bodies: the committees, executives and partnerships that make, receive and
//! monitor recommendations.

use assure_domain::tracker::{check_body, BodyDetails, BodyInput, BodyKind, ResponseDeadline};
use assure_domain::{Checked, Invalid};
use serde::Serialize;
use sqlx::any::AnyRow;

use super::{check_version, Tracker};
use crate::audit::Event;
use crate::{all_checks, Actor, Result, RowExt, StoreError};

#[derive(Debug, Clone, Serialize)]
pub struct Body {
    pub id: i64,
    pub name: String,
    pub kind: BodyKind,
    pub response_unit: Option<String>,
    pub response_amount: Option<i64>,
    pub version: i64,
}

impl Body {
    pub fn deadline(&self) -> ResponseDeadline {
        ResponseDeadline::from_override(self.response_unit.as_deref(), self.response_amount)
    }
}

const BODY_COLS: &str = "id, name, kind, response_unit, response_amount, version";

fn body(r: &AnyRow) -> Result<Body> {
    Ok(Body {
        id: r.i("id")?,
        name: r.s("name")?,
        kind: r.e("kind")?,
        response_unit: r.os("response_unit")?,
        response_amount: r.oi("response_amount")?,
        version: r.i("version")?,
    })
}

impl Tracker<'_> {
    pub async fn bodies(&self) -> Result<Vec<Body>> {
        let sql = format!("SELECT {BODY_COLS} FROM bodies ORDER BY name");
        self.store.q(&sql).fetch_all(self.store.pool()).await?.iter().map(body).collect()
    }

    pub async fn body(&self, id: i64) -> Result<Body> {
        let sql = format!("SELECT {BODY_COLS} FROM bodies WHERE id = $1");
        self.store.q(&sql).bind(id).fetch_optional(self.store.pool()).await?.as_ref().map(body).transpose()?.ok_or(StoreError::NotFound)
    }

    /// The domain's checks, and whether another body already has the name.
    async fn checked_body(&self, b: &BodyInput, existing: Option<i64>) -> Result<Checked<BodyDetails>> {
        let mut found = Invalid::new();
        let name = b.name.trim();
        if !name.is_empty() {
            let clash =
                self.store.q("SELECT id FROM bodies WHERE LOWER(name) = $1").bind(name.to_lowercase()).fetch_optional(self.store.pool()).await?;
            if let Some(r) = clash {
                if Some(r.i("id")?) != existing {
                    found.add("name", "A body with this name already exists");
                }
            }
        }
        all_checks(check_body(b), found, BodyInput::FIELDS)
    }

    pub async fn create_body(&self, actor: &Actor, b: &BodyInput) -> Result<i64> {
        let body = self.checked_body(b, None).await?;
        let mut tx = self.store.write().await?;
        let id = self
            .store
            .q("INSERT INTO bodies (name, kind, response_unit, response_amount) VALUES ($1,$2,$3,$4) RETURNING id")
            .bind(body.name.clone())
            .bind(body.kind.slug())
            .bind(body.deadline.map(|d| d.unit()))
            .bind(body.deadline.map(|d| d.amount()))
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(actor, Event::new("body.create", "body", id, format!("created {}", body.name))).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_body(&self, actor: &Actor, id: i64, version: i64, b: &BodyInput) -> Result<()> {
        self.body(id).await?;
        let body = self.checked_body(b, Some(id)).await?;
        let mut tx = self.store.write().await?;
        let n = self.store
            .q("UPDATE bodies SET name = $1, kind = $2, response_unit = $3, response_amount = $4, version = version + 1 WHERE id = $5 AND version = $6")
            .bind(body.name.clone())
            .bind(body.kind.slug())
            .bind(body.deadline.map(|d| d.unit()))
            .bind(body.deadline.map(|d| d.amount()))
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())?;
        // The deadline may have changed for reviews referred to this body.
        let reviews = self.store.q("SELECT id FROM reviews WHERE referred_to_body_id = $1").bind(id).fetch_all(tx.conn()).await?;
        for r in reviews {
            self.recompute_response_due(&mut tx, r.i("id")?).await?;
        }
        tx.audit(actor, Event::new("body.update", "body", id, format!("updated {}", body.name))).await?;
        tx.commit().await
    }

    /// The body a form chose, if it chose one: one that does not exist is a problem
    /// with `field` (a missing choice is the domain's to report).
    pub(super) async fn chosen_body(&self, found: &mut Invalid, id: Option<i64>, field: &str) -> Result<Option<Body>> {
        let Some(id) = id else { return Ok(None) };
        match self.body(id).await {
            Ok(b) => Ok(Some(b)),
            Err(StoreError::NotFound) => {
                found.add(field, "Select a body from the list");
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}
