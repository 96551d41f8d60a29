//! The retention policy and its destruction. The policy is data (`retention_policy`);
//! [`Store::retention_due`] lists the children whose whole record is due on the council's
//! clock, those under a legal hold apart; the information governance officer confirms
//! one, and [`Store::destroy_child_record`] deletes every row held about the child (the
//! rows a subject access export holds, bar the audit log and records shared with other
//! children) in one transaction with an audit tombstone: which record, how many rows of
//! which kinds, when, who confirmed — no personal data. The audit chain is kept whole.

use assure_domain::retention::{due_on, Policy, CHILD_RECORDS};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

use crate::audit::Event;
use crate::sql::Sql;
use crate::subject_access::IgOfficer;
use crate::{Result, RowExt, Store, StoreError};

/// A child whose record is due for destruction (no personal data: the number and dates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    pub child_id: i64,
    pub last_activity: NaiveDate,
    pub due_on: NaiveDate,
    /// Under a legal hold: listed, never destroyed.
    pub held: bool,
}

/// Audit actions that are not activity on a record (looking at it, exporting it).
const NOT_ACTIVITY: &[&str] = &["child.view", "child.refused", "child.export", "child.subject-access"];

/// The retention scan: each child (or the one child) with its last activity and its
/// legal holds. The last activity is read per child from the covering index
/// audit_child_activity (migration 0095: the child's entries by time, with their
/// action), never from the audit log's rows.
pub(crate) fn due_children_sql(only: Option<i64>) -> Sql {
    let mut sql = Sql::new(
        "SELECT c.id, c.date_of_birth, c.created_at, \
         (SELECT MAX(a.at) FROM audit_log a WHERE a.record_type = 'child' AND a.record_id = CAST(c.id AS TEXT) AND a.action NOT IN (",
    );
    sql.bind_list(NOT_ACTIVITY.iter().copied()).push(")) AS last_at, ");
    sql.push("(SELECT COUNT(*) FROM legal_holds h WHERE h.child_id = c.id AND h.lifted_at IS NULL) AS holds FROM children c WHERE c.merged_into_id IS NULL");
    if let Some(id) = only {
        sql.push(" AND c.id = ").bind(id);
    }
    sql
}

impl Store {
    /// The policy, kind by kind.
    pub async fn retention_policy(&self) -> Result<Vec<Policy>> {
        self.q("SELECT kind, until_age, years_after_last_activity, destroyed FROM retention_policy ORDER BY kind DESC")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(Policy {
                    kind: r.s("kind")?,
                    until_age: r.oi("until_age")?,
                    years_after_last_activity: r.i("years_after_last_activity")?,
                    destroyed: r.i("destroyed")? != 0,
                })
            })
            .collect()
    }

    /// Every child record due for destruction today (the council's clock), oldest due
    /// first; held ones marked.
    pub async fn retention_due(&self, _officer: &IgOfficer) -> Result<Vec<Due>> {
        self.due_children(None).await
    }

    async fn due_children(&self, only: Option<i64>) -> Result<Vec<Due>> {
        let Some(policy) = self.retention_policy().await?.into_iter().find(|p| p.kind == CHILD_RECORDS && p.destroyed) else {
            return Ok(vec![]);
        };
        let today = self.today();
        let mut out = Vec::new();
        // A chunk of children at a time in id order: a million children are read without
        // holding them all (only those due are kept).
        const CHUNK: i64 = 5000;
        let mut after = 0_i64;
        loop {
            let mut sql = due_children_sql(only);
            sql.push(" AND c.id > ").bind(after).push(&format!(" ORDER BY c.id LIMIT {CHUNK}"));
            let rows = sql.query(self).fetch_all(self.pool()).await?;
            for r in &rows {
                after = r.i("id")?;
                let last = r.os("last_at")?.unwrap_or(r.s("created_at")?);
                let last_activity =
                    NaiveDate::parse_from_str(last.get(..10).unwrap_or(""), "%Y-%m-%d").map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let due = due_on(&policy, r.od("date_of_birth")?, last_activity);
                if due <= today {
                    out.push(Due { child_id: after, last_activity, due_on: due, held: r.i("holds")? > 0 });
                }
            }
            if (rows.len() as i64) < CHUNK {
                break;
            }
        }
        out.sort_by_key(|d| (d.due_on, d.child_id));
        Ok(out)
    }

    /// Destroy the child's whole record, once the information governance officer has
    /// confirmed it: only if it is due today and under no legal hold (checked again here),
    /// in one transaction, leaving an audit tombstone. Returns the rows destroyed.
    pub async fn destroy_child_record(&self, officer: &IgOfficer, child_id: i64) -> Result<usize> {
        let due = self.due_children(Some(child_id)).await?;
        let Some(d) = due.first() else {
            return Err(assure_domain::Invalid::single("child", "This record is not due for destruction under the retention policy").into());
        };
        if d.held {
            return Err(assure_domain::Invalid::single(
                "child",
                "This record is under a legal hold: it cannot be destroyed until the hold is lifted",
            )
            .into());
        }
        let holdings = self.holdings(child_id).await?.ok_or(StoreError::NoSuchChild)?;
        let mut tx = self.write().await?;
        let mut destroyed = 0usize;
        let mut kinds = Vec::new();
        // Each table after the ones that refer to it: the order found, reversed.
        for (table, rows) in holdings.tables.iter().rev() {
            if table == assure_domain::subject_access::AUDIT_KIND || holdings.shared.contains(table) || rows.is_empty() {
                continue;
            }
            for row in rows.iter().rev() {
                let mut sql = Sql::new(format!("DELETE FROM {table} WHERE "));
                if let Some(id) = row.get("id").and_then(Value::as_i64) {
                    sql.push("id = ").bind(id);
                } else {
                    // A row with no id of its own: matched on every column.
                    for (n, (col, v)) in row.iter().enumerate() {
                        if n > 0 {
                            sql.push(" AND ");
                        }
                        match v {
                            Value::Null => sql.push(&format!("{col} IS NULL")),
                            Value::Number(x) if x.is_i64() => sql.push(&format!("{col} = ")).bind(x.as_i64()),
                            Value::Number(x) => sql.push(&format!("{col} = ")).bind(x.as_f64().unwrap_or_default()),
                            Value::String(x) => sql.push(&format!("{col} = ")).bind(x.as_str()),
                            Value::Bool(x) => sql.push(&format!("{col} = ")).bind(*x),
                            other => sql.push(&format!("{col} = ")).bind(other.to_string()),
                        };
                    }
                }
                destroyed += usize::try_from(sql.query(self).execute(tx.conn()).await?.rows_affected()).unwrap_or(0);
            }
            kinds.push(format!("{table} {}", rows.len()));
        }
        kinds.reverse();
        tx.audit(
            officer.actor(),
            Event::new(
                "retention.destroy",
                "child",
                child_id,
                format!("child record destroyed under the retention policy (due {}): {destroyed} rows ({})", d.due_on, kinds.join(", ")),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(destroyed)
    }
}
