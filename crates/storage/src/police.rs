//! Police CSE work in storage: each child's CSE flag (a history; the latest entry is
//! current), the MACSE children still without one, and prevent / prosecute
//! operations with their linked children, dated updates and outcome. All of it is
//! police-only: every method takes a [`Reader`] (or a child's record) and refuses
//! anyone who may not see police-only material.

use assure_domain::panels::{check_operation, check_operation_update, check_outcome, check_police_flag, NewOperation, OperationInput, OperationKind};
use assure_domain::partnership::Section;
use assure_domain::screening::RiskLevel;
use assure_domain::{Invalid, Permission};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::audit::Event;
use crate::child_access::{push_reach, ChildKey, ChildRecord, Reader};
use crate::sql::Sql;
use crate::{all_checks, date_str, Result, RowExt, Store, StoreError};

/// The screening risk levels that make a child "at risk" for flag coverage.
const AT_RISK: [RiskLevel; 3] = [RiskLevel::Low, RiskLevel::Medium, RiskLevel::High];

#[derive(Debug, Clone, Serialize)]
pub struct PoliceFlag {
    pub id: i64,
    pub flagged: bool,
    pub flag_date: NaiveDate,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// A child at risk (or a MACSE child: one with a plan or a panel slot) and their
/// current flag.
#[derive(Debug, Clone, Serialize)]
pub struct FlagRow {
    pub child_id: i64,
    pub name: String,
    pub flagged: Option<bool>,
    /// On MACSE (a plan or a panel slot).
    pub macse: bool,
}

/// How many MACSE children in reach carry a current flag (the target is all of them),
/// and those that do not.
#[derive(Debug, Clone, Serialize)]
pub struct FlagCoverage {
    pub total: i64,
    pub flagged: i64,
    pub without: Vec<FlagRow>,
}

/// Police CSE flag coverage two ways (R22): every child at risk in reach — a referral
/// whose risk level is low, medium or high, or on MACSE — and the MACSE children, whose
/// target is 100%.
#[derive(Debug, Clone, Serialize)]
pub struct FlagCoverages {
    pub at_risk: FlagCoverage,
    pub macse: FlagCoverage,
}

impl FlagCoverage {
    fn count(&mut self, row: FlagRow) {
        self.total += 1;
        if row.flagged == Some(true) {
            self.flagged += 1;
        } else {
            self.without.push(row);
        }
    }

    /// Whole percent flagged; 100 when there are no MACSE children.
    pub fn percent(&self) -> i64 {
        if self.total == 0 {
            100
        } else {
            self.flagged * 100 / self.total
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Operation {
    pub id: i64,
    pub name: String,
    pub kind: OperationKind,
    pub lead: String,
    pub outcome: String,
    pub decided_at_panel_id: Option<i64>,
    pub version: i64,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct OperationUpdate {
    pub id: i64,
    pub update_date: NaiveDate,
    pub text: String,
    pub written_by: String,
}

const OP_COLS: &str = "o.id, o.name, o.kind, o.lead, o.outcome, o.decided_at_panel_id, o.version, o.created_at";

fn operation(r: &AnyRow) -> Result<Operation> {
    Ok(Operation {
        id: r.i("id")?,
        name: r.s("name")?,
        kind: r.e("kind")?,
        lead: r.s("lead")?,
        outcome: r.s("outcome")?,
        decided_at_panel_id: r.oi("decided_at_panel_id")?,
        version: r.i("version")?,
        created_at: r.s("created_at")?,
    })
}

impl Store {
    /// Police-only material: refused (before anything is read, and audited) for anyone else.
    async fn police_only(&self, reader: &Reader) -> Result<()> {
        if reader.viewer().may_see_police_only() && reader.can(Permission::RecordPoliceCse) {
            Ok(())
        } else {
            Err(self.refuse(reader.actor(), "operations", "police", "police CSE work: refused, for police CSE roles and the co-chairs").await)
        }
    }

    async fn operation_row(&self, id: i64) -> Result<Operation> {
        let sql = format!("SELECT {OP_COLS} FROM operations o WHERE o.id = $1");
        operation(&self.q(&sql).bind(id).fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?)
    }
}

impl ChildRecord {
    /// Record the child's police CSE flag (yes or no) as of a date; earlier entries are kept.
    pub async fn record_police_flag(&self, flagged: Option<bool>, flag_date: Option<NaiveDate>, today: NaiveDate) -> Result<i64> {
        self.require(Section::Operations).await?;
        self.require_permission(Permission::RecordPoliceCse, "police-flag").await?;
        let flag = check_police_flag(flagged, flag_date, today)?.into_inner();
        let (flagged, flag_date) = (flag.flagged, flag.flag_date);
        let store = &self.store;
        let mut tx = store.write().await?;
        let id = store
            .q("INSERT INTO police_flags (child_id, flagged, flag_date, recorded_by, recorded_at) VALUES ($1,$2,$3,$4,$5) RETURNING id")
            .bind(self.id())
            .bind(flagged as i64)
            .bind(date_str(flag_date))
            .bind(self.actor().label.clone())
            .bind(self.store.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(
            self.actor(),
            Event::new("police.flag", "child", self.id(), format!("police CSE flag recorded: {}", if flagged { "yes" } else { "no" })),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The child's flag history, newest first (the first is current).
    pub async fn police_flags(&self) -> Result<Vec<PoliceFlag>> {
        self.require(Section::Operations).await?;
        self.store
            .q("SELECT id, flagged, flag_date, recorded_by, recorded_at FROM police_flags WHERE child_id = $1 ORDER BY id DESC")
            .bind(self.id())
            .fetch_all(self.store.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(PoliceFlag {
                    id: r.i("id")?,
                    flagged: r.i("flagged")? != 0,
                    flag_date: r.d("flag_date")?,
                    recorded_by: r.s("recorded_by")?,
                    recorded_at: r.s("recorded_at")?,
                })
            })
            .collect()
    }

    /// The operations the child is linked to.
    pub async fn operations(&self) -> Result<Vec<Operation>> {
        self.require(Section::Operations).await?;
        let sql = format!("SELECT {OP_COLS} FROM operations o JOIN operation_children oc ON oc.operation_id = o.id WHERE oc.child_id = $1 ORDER BY o.created_at DESC");
        self.store.q(&sql).bind(self.id()).fetch_all(self.store.pool()).await?.iter().map(operation).collect()
    }
}

/// Police CSE work, for police CSE roles and the co-chairs only: MACSE children without a flag, operations and their linked children (`store.police(&reader)`).
#[derive(Clone, Copy)]
pub struct Police<'s> {
    store: &'s Store,
    reader: &'s Reader,
}

impl Store {
    pub fn police<'s>(&'s self, reader: &'s Reader) -> Police<'s> {
        Police { store: self, reader }
    }
}

impl std::ops::Deref for Police<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store
    }
}

impl Police<'_> {
    /// MACSE children (a plan or a panel slot) in the reader's reach whose current flag
    /// is not "yes", with the counts behind the percentage flagged.
    pub async fn children_without_flag(&self) -> Result<FlagCoverage> {
        Ok(self.flag_coverage().await?.macse)
    }

    /// Flag coverage of every child at risk in the reader's reach (a referral with a
    /// risk level of low, medium or high, or on MACSE) and of the MACSE children, with
    /// those whose current flag is not "yes".
    pub async fn flag_coverage(&self) -> Result<FlagCoverages> {
        self.police_only(self.reader).await?;
        const MACSE: &str = "(c.id IN (SELECT child_id FROM plans) OR c.id IN (SELECT child_id FROM panel_slots))";
        let mut sql = Sql::new(format!(
            "SELECT c.id, c.first_name, c.last_name, (SELECT f.flagged FROM police_flags f WHERE f.child_id = c.id ORDER BY f.id DESC LIMIT 1) AS flag, \
             CASE WHEN {MACSE} THEN 1 ELSE 0 END AS macse FROM children c WHERE c.merged_into_id IS NULL AND ({MACSE} OR c.id IN \
             (SELECT r.child_id FROM referrals r WHERE r.risk_level IN ("
        ));
        sql.bind_list(AT_RISK.iter().map(|r| r.slug())).push("))) AND ");
        push_reach(&mut sql, &self.reader.reach(), "c.id");
        sql.push(" ORDER BY c.last_name, c.first_name, c.id");
        let empty = || FlagCoverage { total: 0, flagged: 0, without: Vec::new() };
        let mut cov = FlagCoverages { at_risk: empty(), macse: empty() };
        for r in sql.query(self).fetch_all(self.pool()).await? {
            let row = FlagRow {
                child_id: r.i("id")?,
                name: format!("{} {}", r.s("first_name")?, r.s("last_name")?),
                flagged: r.oi("flag")?.map(|f| f != 0),
                macse: r.i("macse")? != 0,
            };
            if row.macse {
                cov.macse.count(row.clone());
            }
            cov.at_risk.count(row);
        }
        Ok(cov)
    }

    pub async fn create_operation(&self, name: &str, kind: Option<OperationKind>, lead: &str, panel_id: Option<i64>) -> Result<i64> {
        self.police_only(self.reader).await?;
        let checked = check_operation(&OperationInput { name: name.to_string(), kind, lead: lead.to_string(), panel_id });
        let mut found = Invalid::new();
        if let Some(p) = panel_id {
            if self.q("SELECT id FROM panels WHERE id = $1").bind(p).fetch_optional(self.pool()).await?.is_none() {
                found.add("panel_id", "Select the panel that decided on the operation from the list");
            }
        }
        let NewOperation { name, kind, lead, panel_id } = all_checks(checked, found, OperationInput::FIELDS)?.into_inner();
        let mut tx = self.write().await?;
        let id = self
            .q("INSERT INTO operations (name, kind, lead, decided_at_panel_id, created_at) VALUES ($1,$2,$3,$4,$5) RETURNING id")
            .bind(name)
            .bind(kind.slug())
            .bind(lead)
            .bind(panel_id)
            .bind(self.store.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(self.reader.actor(), Event::new("operation.create", "operation", id, format!("operation created ({})", kind.slug()))).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn operations(&self) -> Result<Vec<Operation>> {
        self.police_only(self.reader).await?;
        let sql = format!("SELECT {OP_COLS} FROM operations o ORDER BY o.created_at DESC, o.id DESC");
        self.q(&sql).fetch_all(self.pool()).await?.iter().map(operation).collect()
    }

    pub async fn operation(&self, id: i64) -> Result<Operation> {
        self.police_only(self.reader).await?;
        self.operation_row(id).await
    }

    /// An operation's linked children that the reader may see: (id, name), and how many others there are.
    pub async fn operation_children(&self, operation_id: i64) -> Result<(Vec<(i64, String)>, i64)> {
        self.police_only(self.reader).await?;
        let mut sql = Sql::new(
            "SELECT c.id, c.first_name, c.last_name FROM operation_children oc JOIN children c ON c.id = oc.child_id WHERE oc.operation_id = ",
        );
        sql.bind(operation_id).push(" AND ");
        push_reach(&mut sql, &self.reader.reach(), "c.id");
        sql.push(" ORDER BY c.last_name, c.first_name");
        let seen = sql
            .query(self)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok((r.i("id")?, format!("{} {}", r.s("first_name")?, r.s("last_name")?))))
            .collect::<Result<Vec<_>>>()?;
        let all =
            self.q("SELECT COUNT(*) AS n FROM operation_children WHERE operation_id = $1").bind(operation_id).fetch_one(self.pool()).await?.i("n")?;
        let others = all - seen.len() as i64;
        Ok((seen, others))
    }

    /// Link a child to an operation (audited on the child's record). The child must be
    /// one the officer may see: any other number reads as no child at all, and the
    /// attempt is audited.
    pub async fn link_child(&self, operation_id: i64, child_id: Option<i64>) -> Result<()> {
        self.police_only(self.reader).await?;
        self.operation_row(operation_id).await?;
        let Some(child_id) = child_id else {
            return Err(Invalid::single("child_id", "Enter the child's record number").into());
        };
        if !self.in_reach(self.reader.viewer(), child_id).await? {
            self.record_refusal(self.reader.actor(), ChildKey::Child(child_id), "operations: refused, no such child in the officer's reach").await?;
            return Err(Invalid::single("child_id", format!("There is no child with record number {child_id} that you may see")).into());
        }
        let mut tx = self.write().await?;
        let exists = self
            .q("SELECT 1 AS x FROM operation_children WHERE operation_id = $1 AND child_id = $2")
            .bind(operation_id)
            .bind(child_id)
            .fetch_optional(tx.conn())
            .await?
            .is_some();
        if !exists {
            self.q("INSERT INTO operation_children (operation_id, child_id) VALUES ($1,$2)")
                .bind(operation_id)
                .bind(child_id)
                .execute(tx.conn())
                .await?;
            tx.audit(self.reader.actor(), Event::new("operation.link", "child", child_id, format!("linked to operation {operation_id}"))).await?;
        }
        tx.commit().await
    }

    pub async fn add_update(&self, operation_id: i64, date: Option<NaiveDate>, text: &str, today: NaiveDate) -> Result<i64> {
        self.police_only(self.reader).await?;
        self.operation_row(operation_id).await?;
        let update = check_operation_update(date, text, today)?.into_inner();
        let mut tx = self.write().await?;
        let id = self
            .q("INSERT INTO operation_updates (operation_id, update_date, text, written_by, created_at) VALUES ($1,$2,$3,$4,$5) RETURNING id")
            .bind(operation_id)
            .bind(date_str(update.date))
            .bind(update.text)
            .bind(self.reader.actor().label.clone())
            .bind(self.store.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(self.reader.actor(), Event::new("operation.update", "operation", operation_id, format!("update {id} added"))).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn updates(&self, operation_id: i64) -> Result<Vec<OperationUpdate>> {
        self.police_only(self.reader).await?;
        self.q("SELECT id, update_date, text, written_by FROM operation_updates WHERE operation_id = $1 ORDER BY update_date DESC, id DESC")
            .bind(operation_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok(OperationUpdate { id: r.i("id")?, update_date: r.d("update_date")?, text: r.s("text")?, written_by: r.s("written_by")? }))
            .collect()
    }

    /// Record an operation's outcome, if nobody else has changed it since the reader read it.
    pub async fn record_outcome(&self, operation_id: i64, version: i64, outcome: &str) -> Result<()> {
        self.police_only(self.reader).await?;
        let outcome = check_outcome(outcome)?.into_inner();
        self.operation_row(operation_id).await?;
        let mut tx = self.write().await?;
        let n = self
            .q("UPDATE operations SET outcome = $1, version = version + 1 WHERE id = $2 AND version = $3")
            .bind(outcome)
            .bind(operation_id)
            .bind(version)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        tx.audit(self.reader.actor(), Event::new("operation.outcome", "operation", operation_id, "outcome recorded")).await?;
        tx.commit().await
    }

    /// The operations decided at a panel (police-only: empty for anyone else).
    pub async fn of_panel(&self, panel_id: i64) -> Result<Vec<Operation>> {
        if !self.reader.viewer().may_see_police_only() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT {OP_COLS} FROM operations o WHERE o.decided_at_panel_id = $1 ORDER BY o.created_at DESC, o.id DESC");
        self.q(&sql).bind(panel_id).fetch_all(self.pool()).await?.iter().map(operation).collect()
    }
}
