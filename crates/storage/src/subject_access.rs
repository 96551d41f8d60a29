//! Information governance's door to a child's record: everything held about one child,
//! read for the information governance officer (a subject access request), never cut
//! by the need-to-know rule, always audited.
//!
//! Only [`Store::ig_officer`] makes an [`IgOfficer`] — an active account whose role has
//! [`Permission::SubjectAccess`] as the database knows it now, or the command line
//! (which holds the database already) — so the door cannot be opened by naming a role.
//!
//! The records are found from the migrated schema, not from a list: every table with a
//! foreign key to `children(id)` (rows about this child, and the duplicates merged into
//! it), then every table that refers to the rows found (a referral's checks, a plan's
//! versions, sections and actions, a slot's invitations, an episode's interview and
//! routes ...), and, through a pure link table (its key is two references, such as
//! `operation_children`), the record it links to (the operation, then its updates). A
//! table that itself refers to children is read only for this child's rows, so another
//! child's records never come in through something they share. A table added later is
//! therefore exported without anyone listing it; [`assure_domain::subject_access`]
//! names it and marks police-only material for redaction review.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use assure_domain::subject_access::{KindRecords, SubjectAccessExport, AUDIT_KIND};
use assure_domain::Permission;
use assure_domain::Role;
use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::{Column, Row};

use crate::audit::Event;
use crate::schema::Schema;
use crate::sql::Sql;
use crate::{Actor, Result, RowExt, Store, StoreError, IN_LIST_CHUNK};

/// The information governance officer (or the command line), as the database knows
/// them now. Only [`Store::ig_officer`] makes one.
#[derive(Debug, Clone)]
pub struct IgOfficer {
    actor: Actor,
}

impl IgOfficer {
    pub fn actor(&self) -> &Actor {
        &self.actor
    }
}

/// Every row held about one child, table by table, in the order they were found (each
/// table after the tables it refers to).
#[derive(Debug, Clone, Default)]
pub(crate) struct Holdings {
    pub(crate) tables: Vec<(String, Vec<Map<String, Value>>)>,
    /// Tables whose rows are shared with other children (an operation and what hangs off
    /// it, reached through a link table): exported, never destroyed with one child.
    pub(crate) shared: BTreeSet<String>,
}

impl Holdings {
    fn rows_mut(&mut self, table: &str) -> &mut Vec<Map<String, Value>> {
        if let Some(i) = self.tables.iter().position(|(t, _)| t == table) {
            return &mut self.tables[i].1;
        }
        self.tables.push((table.to_string(), Vec::new()));
        &mut self.tables.last_mut().expect("just pushed").1
    }
}

/// One row as JSON, each column as stored (the schema holds integers, text and, rarely,
/// reals).
fn row_json(r: &AnyRow) -> Map<String, Value> {
    let mut m = Map::new();
    for (i, c) in r.columns().iter().enumerate() {
        let v = if let Ok(v) = r.try_get::<Option<i64>, _>(i) {
            v.map(Value::from).unwrap_or(Value::Null)
        } else if let Ok(v) = r.try_get::<Option<String>, _>(i) {
            v.map(Value::from).unwrap_or(Value::Null)
        } else if let Ok(v) = r.try_get::<Option<f64>, _>(i) {
            v.map(Value::from).unwrap_or(Value::Null)
        } else if let Ok(v) = r.try_get::<Option<bool>, _>(i) {
            v.map(Value::from).unwrap_or(Value::Null)
        } else if let Ok(v) = r.try_get::<Option<Vec<u8>>, _>(i) {
            v.map(|b| Value::from(hex::encode(b))).unwrap_or(Value::Null)
        } else {
            Value::Null
        };
        m.insert(c.name().to_ascii_lowercase(), v);
    }
    m
}

/// A pure link table's other reference: its primary key is exactly two single-column
/// foreign keys, one of them `col`; the other (column, table).
fn link_target(schema: &Schema, table: &str, col: &str) -> Option<(String, String)> {
    let t = schema.tables.get(table)?;
    if t.primary_key.len() != 2 || !t.primary_key.iter().any(|c| c == col) {
        return None;
    }
    let other = t.primary_key.iter().find(|c| *c != col)?;
    let fk = t.foreign_keys.iter().find(|fk| fk.columns.len() == 1 && &fk.columns[0] == other)?;
    Some((other.clone(), fk.table.clone()))
}

impl Store {
    /// The information governance officer behind this actor: an active account whose role
    /// has [`Permission::SubjectAccess`], or the command line (no account: it holds the
    /// database already). `None` for anyone else.
    pub async fn ig_officer(&self, actor: Actor) -> Result<Option<IgOfficer>> {
        let Some(uid) = actor.user_id else { return Ok(Some(IgOfficer { actor })) };
        let Some(row) = self.q("SELECT role, active FROM users WHERE id = $1").bind(uid).fetch_optional(self.pool()).await? else {
            return Ok(None);
        };
        let role: Role = row.e("role")?;
        Ok((row.i("active")? != 0 && role.allows(Permission::SubjectAccess)).then_some(IgOfficer { actor }))
    }

    /// Everything held about the child `child_id` (and the duplicates merged into it), each
    /// record marked for redaction review where it is police-only material. Audited; a
    /// number that names no child is refused (audited) as [`StoreError::NoSuchChild`].
    pub async fn subject_access(&self, officer: &IgOfficer, child_id: i64) -> Result<SubjectAccessExport> {
        let Some(holdings) = self.holdings(child_id).await? else {
            self.record(&officer.actor, Event::new("child.refused", "unknown-child", child_id, "subject access: refused, no such child")).await?;
            return Err(StoreError::NoSuchChild);
        };
        let kinds = holdings.tables.into_iter().map(|(t, rows)| KindRecords::new(&t, rows)).collect();
        let export = SubjectAccessExport::new(child_id, self.now(), officer.actor.label.clone(), kinds);
        self.record(
            &officer.actor,
            Event::new(
                "child.subject-access",
                "child",
                child_id,
                format!(
                    "subject access export: {} records of {} kinds, {} for redaction review",
                    export.records(),
                    export.kinds.len(),
                    export.for_redaction_review()
                ),
            ),
        )
        .await?;
        Ok(export)
    }

    /// Every row held about a child (see the module's description), or `None` when no
    /// child has this number.
    pub(crate) async fn holdings(&self, child_id: i64) -> Result<Option<Holdings>> {
        let schema = self.schema().await?;
        let first = self.q("SELECT * FROM children WHERE id = $1").bind(child_id).fetch_optional(self.pool()).await?;
        let Some(first) = first else { return Ok(None) };
        let mut out = Holdings::default();
        // Ids found per table, and the tables still to follow.
        let mut seen: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
        let mut queue: VecDeque<(String, Vec<i64>)> = VecDeque::new();
        out.rows_mut("children").push(row_json(&first));
        seen.entry("children".into()).or_default().insert(child_id);
        queue.push_back(("children".into(), vec![child_id]));
        // The child and the duplicates merged into it (filled as they are found).
        let mut child_ids: BTreeSet<i64> = BTreeSet::from([child_id]);
        let child_scoped: BTreeSet<String> = schema.references_to("children").into_iter().map(|(t, _)| t).collect();
        while let Some((table, ids)) = queue.pop_front() {
            for (referrer, col) in schema.references_to(&table) {
                // A child-scoped table is read only from the child's own rows.
                if child_scoped.contains(&referrer) && table != "children" {
                    continue;
                }
                let has_id = schema.tables.get(&referrer).and_then(|t| t.column("id")).is_some();
                let link = link_target(&schema, &referrer, &col);
                for chunk in ids.chunks(IN_LIST_CHUNK) {
                    let mut sql = Sql::new(format!("SELECT * FROM {referrer} WHERE {col} IN ("));
                    sql.bind_list(chunk.iter().copied()).push(")");
                    let rows = sql.query(self).fetch_all(self.pool()).await?;
                    let mut new_ids = Vec::new();
                    let mut linked = Vec::new();
                    for r in &rows {
                        let json = row_json(r);
                        if has_id {
                            let id = r.i("id")?;
                            if !seen.entry(referrer.clone()).or_default().insert(id) {
                                continue;
                            }
                            new_ids.push(id);
                            if referrer == "children" {
                                child_ids.insert(id);
                            }
                        } else if out.rows_mut(&referrer).contains(&json) {
                            continue;
                        }
                        if let Some((other, _)) = &link {
                            if let Some(v) = json.get(other).and_then(Value::as_i64) {
                                linked.push(v);
                            }
                        }
                        if out.shared.contains(&table) {
                            out.shared.insert(referrer.clone());
                        }
                        out.rows_mut(&referrer).push(json);
                    }
                    if !new_ids.is_empty() {
                        queue.push_back((referrer.clone(), new_ids));
                    }
                    if let Some((_, target)) = &link {
                        self.bring_linked(target, &linked, &mut seen, &mut out, &mut queue).await?;
                    }
                }
            }
        }
        // The audit entries about the child's record (the access log, every change).
        let mut sql = Sql::new("SELECT * FROM audit_log WHERE record_type = 'child' AND record_id IN (");
        sql.bind_list(child_ids.iter().map(|id| id.to_string())).push(") ORDER BY seq");
        let rows = sql.query(self).fetch_all(self.pool()).await?;
        let audit = out.rows_mut(AUDIT_KIND);
        audit.extend(rows.iter().map(row_json));
        Ok(Some(out))
    }

    /// The records a link table links the child to (an operation), then what hangs off them.
    async fn bring_linked(
        &self,
        target: &str,
        ids: &[i64],
        seen: &mut BTreeMap<String, BTreeSet<i64>>,
        out: &mut Holdings,
        queue: &mut VecDeque<(String, Vec<i64>)>,
    ) -> Result<()> {
        let fresh: Vec<i64> =
            ids.iter().copied().filter(|id| !seen.get(target).is_some_and(|s| s.contains(id))).collect::<BTreeSet<_>>().into_iter().collect();
        if fresh.is_empty() {
            return Ok(());
        }
        for chunk in fresh.chunks(IN_LIST_CHUNK) {
            let mut sql = Sql::new(format!("SELECT * FROM {target} WHERE id IN ("));
            sql.bind_list(chunk.iter().copied()).push(") ORDER BY id");
            for r in sql.query(self).fetch_all(self.pool()).await? {
                seen.entry(target.to_string()).or_default().insert(r.i("id")?);
                out.shared.insert(target.to_string());
                out.rows_mut(target).push(row_json(&r));
            }
        }
        queue.push_back((target.to_string(), fresh));
        Ok(())
    }
}
