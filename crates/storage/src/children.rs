//! Children's records: identity and legal status, agencies' involvement (in a scope),
//! search within reach, possible duplicates and merging them, emergency ("break
//! glass") access and its review, and each child's access log. A child's own record is
//! read and changed only through [`ChildRecord`] (see [`crate::child_access`]); lists
//! and searches take a [`Reader`] and filter with the same rule.

use std::collections::HashMap;

pub use assure_domain::children::{check_child, ChildInput, ChildRef};
use assure_domain::children::{
    check_emergency_reason, check_emergency_review, check_identity, name_key, normalise, similar, ChildDetails, ChosenChild, Identity, MatchReason,
    EMERGENCY_ACCESS_HOURS,
};
use assure_domain::partnership::{Involvement, InvolvementKind, LegalStatus, Scope, Section, Viewer};
use assure_domain::{Invalid, Permission};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::audit::Event;
use crate::child_access::{push_reach, ChildKey, ChildRecord, Reader};
use crate::keyset::Total;
use crate::sql::Sql;
use crate::{date_str, opt_date_str, Actor, Result, RowExt, Store, StoreError};

#[derive(Debug, Clone, Serialize)]
pub struct Child {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub estimated_age: Option<i64>,
    pub gender: String,
    pub ethnicity: String,
    pub address: String,
    pub ward: String,
    pub school: String,
    pub legal_status: String,
    /// Set when this record was merged into another (a duplicate): the record kept.
    pub merged_into_id: Option<i64>,
    pub version: i64,
    /// The agencies involved, as the reader may be shown them.
    pub involvements: Vec<Involvement>,
}

impl Child {
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
    pub fn legal_status(&self) -> LegalStatus {
        LegalStatus::from_slug(&self.legal_status).unwrap_or(LegalStatus::NoStatus)
    }
    pub fn identity(&self) -> Identity<'_> {
        Identity { first_name: &self.first_name, last_name: &self.last_name, date_of_birth: self.date_of_birth, estimated_age: self.estimated_age }
    }
}

/// Columns holding a child's id that a merge does not move row by row: the agencies'
/// involvements (moved by their own rule: their key includes the child) and the merge
/// itself. Every other column with a foreign key to `children(id)` is moved — see
/// [`Store::child_references`].
pub const MERGED_SEPARATELY: &[(&str, &str)] = &[("child_involvements", "child_id"), ("children", "merged_into_id")];

/// What a list of children is filtered by (the need-to-know rule always applies).
#[derive(Debug, Clone, Default)]
pub struct ChildSearch {
    /// One or more words, each matching a first name or surname by its beginning or by sound.
    pub name: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
}

impl ChildSearch {
    fn name_terms(&self) -> Vec<String> {
        self.name.as_deref().map(normalise).unwrap_or_default().split(' ').filter(|t| !t.is_empty()).take(4).map(str::to_string).collect()
    }
    /// The kind of filter, for the audit (never the words searched for).
    pub fn kind(&self) -> &'static str {
        match (self.name_terms().is_empty(), self.date_of_birth.is_some()) {
            (true, false) => "all",
            (false, false) => "name",
            (true, true) => "date-of-birth",
            (false, true) => "name-and-date-of-birth",
        }
    }
}

/// A possible duplicate of a child, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Duplicate {
    pub child: Child,
    pub reason: MatchReason,
}

/// A pair of records that may be the same child (the MASH's list).
#[derive(Debug, Clone, Serialize)]
pub struct DuplicatePair {
    pub a: Child,
    pub b: Child,
    pub reason: MatchReason,
}

/// One emergency access grant, for the review list.
#[derive(Debug, Clone, Serialize)]
pub struct EmergencyGrant {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub user_email: String,
    pub child_id: i64,
    pub reason: String,
    pub granted_at: String,
    pub expires_at: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub review_note: String,
}

/// One line of a child's access log: who, when, what and why.
#[derive(Debug, Clone, Serialize)]
pub struct AccessLogEntry {
    pub at: String,
    pub actor: String,
    /// The account's name today (the log keeps the e-mail address it had then).
    pub actor_name: Option<String>,
    pub action: String,
    pub detail: String,
    pub record_id: i64,
}

/// Audit actions on a child's record that are police work (shown on its access log only
/// to those who may see police-only material).
const POLICE_ACTIONS: &[&str] = &["police.flag", "operation.link"];

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

const CHILD_COLS: &str =
    "c.id, c.first_name, c.last_name, c.date_of_birth, c.estimated_age, c.gender, c.ethnicity, c.address, c.ward, c.school, c.legal_status, c.merged_into_id, c.version";

fn child(r: &AnyRow) -> Result<Child> {
    Ok(Child {
        id: r.i("id")?,
        first_name: r.s("first_name")?,
        last_name: r.s("last_name")?,
        date_of_birth: r.od("date_of_birth")?,
        estimated_age: r.oi("estimated_age")?,
        gender: r.s("gender")?,
        ethnicity: r.s("ethnicity")?,
        address: r.s("address")?,
        ward: r.s("ward")?,
        school: r.s("school")?,
        legal_status: r.s("legal_status")?,
        merged_into_id: r.oi("merged_into_id")?,
        version: r.i("version")?,
        involvements: Vec::new(),
    })
}

impl Store {
    /// Every (table, column) that holds a child's id and that a merge moves, read from the
    /// foreign keys to `children(id)` in the migrated schema: a table added later is moved
    /// without anyone having to list it. (A table with at most one row per child needs
    /// its own rule in [`ChildRecord::merge`].)
    pub async fn child_references(&self) -> Result<Vec<(String, String)>> {
        Ok(self.references_to("children").await?.into_iter().filter(|(t, c)| !MERGED_SEPARATELY.iter().any(|(mt, mc)| mt == t && mc == c)).collect())
    }

    /// Add a child inside a caller's transaction (e.g. with the concern that names them):
    /// only an identity [`check_child`] has passed.
    pub(crate) async fn insert_child(&self, tx: &mut crate::WriteTx<'_>, actor: &Actor, c: &ChildDetails) -> Result<i64> {
        let id = self
            .q("INSERT INTO children (first_name, last_name, date_of_birth, estimated_age, gender, ethnicity, address, ward, school, created_at, phonetic_first, phonetic_last, search_first, search_last) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) RETURNING id")
            .bind(c.first_name.clone())
            .bind(c.last_name.clone())
            .bind(opt_date_str(c.date_of_birth))
            .bind(c.estimated_age)
            .bind(c.gender.clone())
            .bind(c.ethnicity.clone())
            .bind(c.address.clone())
            .bind(c.ward.clone())
            .bind(c.school.clone())
            .bind(self.now())
            .bind(name_key(&c.first_name))
            .bind(name_key(&c.last_name))
            .bind(normalise(&c.first_name))
            .bind(normalise(&c.last_name))
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        // No personal data in the audit detail: the record id says which child.
        tx.audit(actor, Event::new("child.create", "child", id, "child record created")).await?;
        Ok(id)
    }

    /// Whether the child is in the viewer's reach (and a current record). Out of reach
    /// and non-existent read the same.
    pub(crate) async fn in_reach(&self, viewer: &Viewer, child_id: i64) -> Result<bool> {
        let mut sql = Sql::new("SELECT c.id FROM children c WHERE c.id = ");
        sql.bind(child_id).push(" AND c.merged_into_id IS NULL AND ");
        push_reach(&mut sql, &viewer.reach(), "c.id");
        Ok(sql.query(self).fetch_optional(self.pool()).await?.is_some())
    }

    /// What only storage can tell about the child a form names (a concern, a missing
    /// episode, a placement): an existing one must be in the viewer's reach. Out of reach
    /// and non-existent read the same, so nothing leaks. The domain's
    /// [`check_child_ref`](assure_domain::children::check_child_ref) says the rest.
    pub(crate) async fn child_reach_problems(&self, viewer: &Viewer, child: Option<&ChildRef>) -> Result<Invalid> {
        let mut v = Invalid::new();
        if let Some(ChildRef::Existing(id)) = child {
            if !self.in_reach(viewer, *id).await? {
                v.add("child", "Choose a child from the search results, or enter a new child's details");
            }
        }
        Ok(v)
    }

    /// Inside a caller's transaction, after the checks have passed: the existing child's
    /// id, or the new child added.
    pub(crate) async fn child_id_for(&self, tx: &mut crate::WriteTx<'_>, actor: &Actor, child: &ChosenChild) -> Result<i64> {
        match child {
            ChosenChild::Existing(id) => Ok(*id),
            ChosenChild::New(c) => self.insert_child(tx, actor, c).await,
        }
    }

    /// Record that an agency is involved with a child, in a scope, inside a caller's
    /// transaction (raising a concern, an invitation, a plan action). Idempotent.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn involve(
        &self,
        tx: &mut crate::WriteTx<'_>,
        actor: &Actor,
        child_id: i64,
        agency_id: i64,
        kind: InvolvementKind,
        scope: Scope,
        since: NaiveDate,
    ) -> Result<()> {
        let exists = self
            .q("SELECT 1 AS x FROM child_involvements WHERE child_id = $1 AND agency_id = $2 AND kind = $3 AND scope = $4")
            .bind(child_id)
            .bind(agency_id)
            .bind(kind.slug())
            .bind(scope.key())
            .fetch_optional(tx.conn())
            .await?
            .is_some();
        if !exists {
            self.q("INSERT INTO child_involvements (child_id, agency_id, kind, scope, since) VALUES ($1,$2,$3,$4,$5)")
                .bind(child_id)
                .bind(agency_id)
                .bind(kind.slug())
                .bind(scope.key())
                .bind(date_str(since))
                .execute(tx.conn())
                .await?;
            tx.audit(actor, Event::new("child.involvement", "child", child_id, format!("agency {agency_id}: {} ({})", kind.slug(), scope.key())))
                .await?;
        }
        Ok(())
    }

    /// Involve an agency in each of these scopes.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn involve_in(
        &self,
        tx: &mut crate::WriteTx<'_>,
        actor: &Actor,
        child_id: i64,
        agency_id: i64,
        kind: InvolvementKind,
        scopes: &[Scope],
        since: NaiveDate,
    ) -> Result<()> {
        for s in scopes {
            self.involve(tx, actor, child_id, agency_id, kind, *s, since).await?;
        }
        Ok(())
    }

    /// Every involvement of these children (whole: callers cut them for a viewer).
    pub(crate) async fn attach_involvements(&self, children: &mut [Child]) -> Result<()> {
        if children.is_empty() {
            return Ok(());
        }
        let mut by: HashMap<i64, Vec<Involvement>> = HashMap::new();
        for chunk in children.chunks(crate::IN_LIST_CHUNK) {
            let mut sql = Sql::new("SELECT child_id, agency_id, kind, scope FROM child_involvements WHERE child_id IN (");
            sql.bind_list(chunk.iter().map(|c| c.id)).push(") ORDER BY agency_id, kind, scope");
            for r in sql.query(self).fetch_all(self.pool()).await? {
                let scope = r.s("scope")?;
                let scope = Scope::from_key(&scope).ok_or_else(|| StoreError::Corrupt(format!("involvement scope {scope:?}")))?;
                by.entry(r.i("child_id")?).or_default().push(Involvement { agency_id: r.i("agency_id")?, kind: r.e("kind")?, scope });
            }
        }
        for c in children.iter_mut() {
            c.involvements = by.remove(&c.id).unwrap_or_default();
        }
        Ok(())
    }

    /// One child with every involvement, whatever anyone's reach (for the door).
    pub(crate) async fn child_with_involvements(&self, id: i64) -> Result<Option<Child>> {
        Ok(self.children_by_ids(&[id]).await?.pop())
    }

    /// The one filter of every list and search of children; involvements cut to the viewer.
    pub(crate) async fn find_children(&self, viewer: &Viewer, search: &ChildSearch, limit: i64, offset: i64) -> Result<(Vec<Child>, Total)> {
        if let Some(problem) = search.name.as_deref().and_then(|n| assure_domain::text::search_problem("name", n)) {
            return Err(assure_domain::Invalid::single("name", problem).into());
        }
        let mut filter = Sql::new(" WHERE c.merged_into_id IS NULL AND ");
        push_reach(&mut filter, &viewer.reach(), "c.id");
        for term in search.name_terms() {
            // A prefix as an index range: the stored names hold only a-z, 0-9 and
            // spaces, all of which sort below '{'.
            let key = name_key(&term);
            let upper = format!("{term}{{");
            filter.push(" AND ((c.search_last >= ").bind(term.clone()).push(" AND c.search_last < ").bind(upper.clone());
            filter.push(") OR (c.search_first >= ").bind(term.clone()).push(" AND c.search_first < ").bind(upper).push(")");
            if !key.is_empty() {
                filter.push(" OR c.phonetic_last = ").bind(key.clone()).push(" OR c.phonetic_first = ").bind(key);
            }
            filter.push(")");
        }
        if let Some(dob) = search.date_of_birth {
            filter.push(" AND c.date_of_birth = ").bind(date_str(dob));
        }
        // Counted as far as the bound past this page's start: "more than" beyond it.
        let mut matching = Sql::new("SELECT 1 FROM children c");
        matching.append(&filter);
        let bound = offset.max(0) + Total::BOUND;
        let total = self.count_up_to(&matching, bound).await?;
        let mut list = Sql::new(format!("SELECT {CHILD_COLS} FROM children c"));
        list.append(&filter).push(&format!(" ORDER BY c.last_name, c.first_name, c.id LIMIT {} OFFSET {}", limit.clamp(1, 1000), offset.max(0)));
        let mut out = list.query(self).fetch_all(self.pool()).await?.iter().map(child).collect::<Result<Vec<_>>>()?;
        self.attach_involvements(&mut out).await?;
        for c in out.iter_mut() {
            c.involvements = viewer.shown_involvements(&c.involvements);
        }
        Ok((out, total))
    }

    /// Children by id, whatever anyone's reach (callers have already applied it).
    pub(crate) async fn children_by_ids(&self, ids: &[i64]) -> Result<Vec<Child>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(crate::IN_LIST_CHUNK) {
            let mut sql = Sql::new(format!("SELECT {CHILD_COLS} FROM children c WHERE c.id IN ("));
            sql.bind_list(chunk.iter().copied()).push(") ORDER BY c.id");
            out.extend(sql.query(self).fetch_all(self.pool()).await?.iter().map(child).collect::<Result<Vec<_>>>()?);
        }
        self.attach_involvements(&mut out).await?;
        Ok(out)
    }

    const GRANT_SQL: &'static str = "SELECT g.id, g.user_id, u.name AS user_name, u.email AS user_email, g.child_id, g.reason, g.granted_at, g.expires_at, \
        r.name AS reviewer, g.reviewed_at, g.review_note FROM emergency_access g JOIN users u ON u.id = g.user_id LEFT JOIN users r ON r.id = g.reviewed_by";

    fn grant(r: &AnyRow) -> Result<EmergencyGrant> {
        Ok(EmergencyGrant {
            id: r.i("id")?,
            user_id: r.i("user_id")?,
            user_name: r.s("user_name")?,
            user_email: r.s("user_email")?,
            child_id: r.i("child_id")?,
            reason: r.s("reason")?,
            granted_at: r.s("granted_at")?,
            expires_at: r.s("expires_at")?,
            reviewed_by: r.os("reviewer")?,
            reviewed_at: r.os("reviewed_at")?,
            review_note: r.s("review_note")?,
        })
    }
}

/// At most this many possible duplicates are read for one child's page.
pub const DUPLICATE_CANDIDATES: usize = 100;

impl ChildRecord {
    /// Records that may be the same child as this one (for the MASH team), strongest
    /// first, at most [`DUPLICATE_CANDIDATES`].
    pub async fn possible_duplicates(&self, today: NaiveDate) -> Result<Vec<Duplicate>> {
        if !self.viewer().may_merge_duplicates() {
            return Err(self.forbid("duplicates: refused, for the MASH team").await);
        }
        let key = name_key(&self.child.last_name);
        if key.is_empty() {
            return Ok(vec![]);
        }
        // Only the rows the rule could match (a sound-alike surname and either a
        // sound-alike first name or the same date of birth), through the
        // children_duplicates_* indexes, the same date of birth first, at most
        // DUPLICATE_CANDIDATES: a common surname cannot make a child's page slow.
        let dob = opt_date_str(self.child.date_of_birth);
        let rows = self
            .store
            .q(&format!(
                "SELECT id FROM children WHERE phonetic_last = $1 AND merged_into_id IS NULL AND id <> $2 \
                 AND (phonetic_first = $3 OR date_of_birth = $4) \
                 ORDER BY CASE WHEN date_of_birth = $4 THEN 0 ELSE 1 END, id LIMIT {DUPLICATE_CANDIDATES}"
            ))
            .bind(key)
            .bind(self.id())
            .bind(name_key(&self.child.first_name))
            .bind(dob)
            .fetch_all(self.store.pool())
            .await?;
        let ids = rows.iter().map(|r| r.i("id")).collect::<Result<Vec<_>>>()?;
        let viewer = self.viewer();
        let mut out: Vec<Duplicate> = self
            .store
            .children_by_ids(&ids)
            .await?
            .into_iter()
            .filter_map(|mut c| {
                c.involvements = viewer.shown_involvements(&c.involvements);
                similar(&self.child.identity(), &c.identity(), today).map(|reason| Duplicate { child: c, reason })
            })
            .collect();
        out.sort_by_key(|d| (d.reason as u8, d.child.id));
        Ok(out)
    }

    /// Merge a duplicate (opened through the door too) into this record, the one kept
    /// (the MASH team): every agency's involvement and every row of every table that refers
    /// to a child ([`Store::child_references`]) moves here, and the duplicate is marked as
    /// merged into this one, never deleted. `version` is this record's, as the person saw
    /// it. Audited on both.
    pub async fn merge(&self, duplicate: &ChildRecord, version: i64) -> Result<()> {
        self.require_permission(Permission::DecideReferrals, "merge").await?;
        if !self.viewer().may_merge_duplicates() || duplicate.reader().user_id() != self.reader().user_id() {
            return Err(self.forbid("merge: refused, only the MASH team merges records, each opened by them").await);
        }
        let (keep, merge) = (self.id(), duplicate.id());
        let store = &self.store;
        let mut v = Invalid::new();
        if merge == keep {
            v.add("duplicate", "Select a different record: a record cannot be merged into itself");
        } else if duplicate.child.merged_into_id.is_some() {
            v.add("duplicate", "That record has already been merged into another");
        }
        if self.child.merged_into_id.is_some() {
            v.add("duplicate", "This record has itself been merged into another: merge into that one instead");
        }
        // Rows that may exist once per child cannot simply move when both records have one.
        let both = |sql: &'static str| store.q(sql).bind(keep).bind(merge).fetch_optional(store.pool());
        if both("SELECT 1 AS x FROM plans a JOIN plans b ON b.child_id = $2 WHERE a.child_id = $1").await?.is_some() {
            v.add("duplicate", "Both records have a MACSE plan. Ask the CSE analyst to bring the two plans together in one record first");
        }
        if both("SELECT 1 AS x FROM panel_slots a JOIN panel_slots b ON b.panel_id = a.panel_id AND b.child_id = $2 WHERE a.child_id = $1")
            .await?
            .is_some()
        {
            v.add("duplicate", "Both records have a slot at the same MACSE panel. Ask the CSE analyst to cancel one of the slots first");
        }
        v.finish()?;
        let references = store.child_references().await?;
        let actor = self.actor();
        let mut tx = store.write().await?;
        let changed = store
            .q("UPDATE children SET version = version + 1 WHERE id = $1 AND version = $2 AND merged_into_id IS NULL")
            .bind(keep)
            .bind(version)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(StoreError::Conflict);
        }
        let moved = store
            .q("INSERT INTO child_involvements (child_id, agency_id, kind, scope, since) SELECT $1, m.agency_id, m.kind, m.scope, m.since FROM child_involvements m \
                WHERE m.child_id = $2 AND NOT EXISTS (SELECT 1 FROM child_involvements k WHERE k.child_id = $1 AND k.agency_id = m.agency_id AND k.kind = m.kind AND k.scope = m.scope)")
            .bind(keep)
            .bind(merge)
            .execute(tx.conn())
            .await?
            .rows_affected();
        store.q("DELETE FROM child_involvements WHERE child_id = $1").bind(merge).execute(tx.conn()).await?;
        // An operation both records are linked to keeps one link.
        store
            .q("DELETE FROM operation_children WHERE child_id = $2 AND operation_id IN (SELECT operation_id FROM operation_children WHERE child_id = $1)")
            .bind(keep)
            .bind(merge)
            .execute(tx.conn())
            .await?;
        // (Names from the database's own catalog, never from input.)
        for (table, column) in &references {
            store.q(&format!("UPDATE {table} SET {column} = $1 WHERE {column} = $2")).bind(keep).bind(merge).execute(tx.conn()).await?;
        }
        let marked = store
            .q("UPDATE children SET merged_into_id = $1, version = version + 1 WHERE id = $2 AND merged_into_id IS NULL")
            .bind(keep)
            .bind(merge)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if marked == 0 {
            return Err(StoreError::Conflict);
        }
        tx.audit(actor, Event::new("child.merge", "child", keep, format!("child {merge} merged into this record; {moved} involvements moved")))
            .await?;
        tx.audit(actor, Event::new("child.merge", "child", merge, format!("merged into child {keep}"))).await?;
        tx.commit().await
    }

    /// Change the child's identity and legal status, if nobody else has since `version`.
    /// The audit names the fields changed, never their values.
    pub async fn update_identity(&self, version: i64, input: &ChildInput, legal_status: Option<LegalStatus>) -> Result<()> {
        self.require_permission(Permission::DecideReferrals, "identity").await?;
        let change = check_identity(input, legal_status)?;
        let (c, legal) = (&change.child, change.legal_status);
        let old = &self.child;
        if old.merged_into_id.is_some() {
            return Err(Invalid::single("first_name", "This record was merged into another: change that record instead").into());
        }
        let new_vals = [
            ("first_name", c.first_name.clone(), old.first_name.clone()),
            ("last_name", c.last_name.clone(), old.last_name.clone()),
            ("date_of_birth", opt_date_str(c.date_of_birth).unwrap_or_default(), opt_date_str(old.date_of_birth).unwrap_or_default()),
            (
                "estimated_age",
                c.estimated_age.map(|a| a.to_string()).unwrap_or_default(),
                old.estimated_age.map(|a| a.to_string()).unwrap_or_default(),
            ),
            ("gender", c.gender.clone(), old.gender.clone()),
            ("ethnicity", c.ethnicity.clone(), old.ethnicity.clone()),
            ("address", c.address.clone(), old.address.clone()),
            ("ward", c.ward.clone(), old.ward.clone()),
            ("school", c.school.clone(), old.school.clone()),
            ("legal_status", legal.slug().to_string(), old.legal_status.clone()),
        ];
        let changed: Vec<&str> = new_vals.iter().filter(|(_, a, b)| a != b).map(|(n, _, _)| *n).collect();
        let store = &self.store;
        let mut tx = store.write().await?;
        let n = store
            .q("UPDATE children SET first_name=$1, last_name=$2, date_of_birth=$3, estimated_age=$4, gender=$5, ethnicity=$6, address=$7, ward=$8, school=$9, legal_status=$10, \
                phonetic_first=$11, phonetic_last=$12, search_first=$13, search_last=$14, version = version + 1 WHERE id = $15 AND version = $16 AND merged_into_id IS NULL")
            .bind(c.first_name.trim().to_string())
            .bind(c.last_name.trim().to_string())
            .bind(opt_date_str(c.date_of_birth))
            .bind(c.estimated_age)
            .bind(c.gender.trim().to_string())
            .bind(c.ethnicity.trim().to_string())
            .bind(c.address.trim().to_string())
            .bind(c.ward.trim().to_string())
            .bind(c.school.trim().to_string())
            .bind(legal.slug())
            .bind(name_key(&c.first_name))
            .bind(name_key(&c.last_name))
            .bind(normalise(&c.first_name))
            .bind(normalise(&c.last_name))
            .bind(self.id())
            .bind(version)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        let detail = if changed.is_empty() { "saved with no changes".to_string() } else { format!("changed: {}", changed.join(", ")) };
        tx.audit(self.actor(), Event::new("child.update", "child", self.id(), detail)).await?;
        tx.commit().await
    }

    /// "Who has looked at this record and why": the audit entries against this child
    /// (and any record merged into it), newest first, with the person's name; one page
    /// and whether there are more.
    pub async fn access_log(&self, limit: i64, offset: i64) -> Result<(Vec<AccessLogEntry>, bool)> {
        self.require(Section::AccessLog).await?;
        let store = &self.store;
        let child_id = self.id();
        let merged = store.q("SELECT id FROM children WHERE merged_into_id = $1").bind(child_id).fetch_all(store.pool()).await?;
        let mut ids: Vec<String> = vec![child_id.to_string()];
        for r in &merged {
            ids.push(r.i("id")?.to_string());
        }
        let per = limit.clamp(1, 1000);
        let mut sql = Sql::new(
            "SELECT a.at, a.actor, u.name AS actor_name, a.action, a.detail, a.record_id FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id \
             WHERE a.record_type = 'child' AND a.record_id IN (",
        );
        sql.bind_list(ids).push(")");
        if !self.viewer().may_see_police_only() {
            // Police work on the record casts no shadow on the log: its flags, operation
            // links, the involvement a police-only action made, and views of police-only
            // sections are left out for everyone else.
            sql.push(" AND a.action NOT IN (").bind_list(POLICE_ACTIONS.iter().copied()).push(")");
            sql.push(" AND a.detail NOT LIKE ").bind(format!("%{}%", InvolvementKind::HoldsPoliceAction.slug()));
            for s in Section::ALL.iter().filter(|s| s.is_police_only()) {
                sql.push(" AND a.detail NOT LIKE ").bind(format!("{}:%", s.slug()));
            }
        }
        sql.push(&format!(" ORDER BY a.seq DESC LIMIT {} OFFSET {}", per + 1, offset.max(0)));
        let rows = sql.query(store).fetch_all(store.pool()).await?;
        let more = rows.len() as i64 > per;
        let entries = rows
            .iter()
            .take(per as usize)
            .map(|r| {
                Ok(AccessLogEntry {
                    at: r.s("at")?,
                    actor: r.s("actor")?,
                    actor_name: r.os("actor_name")?,
                    action: r.s("action")?,
                    detail: r.s("detail")?,
                    record_id: r.s("record_id")?.parse().unwrap_or(child_id),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((entries, more))
    }

    /// The emergency access grants for this child (shown on its access log).
    pub async fn emergency_grants(&self) -> Result<Vec<EmergencyGrant>> {
        self.require(Section::AccessLog).await?;
        let sql = format!("{} WHERE g.child_id = $1 ORDER BY g.granted_at DESC, g.id DESC", Store::GRANT_SQL);
        self.store.q(&sql).bind(self.id()).fetch_all(self.store.pool()).await?.iter().map(Store::grant).collect()
    }
}

/// Children as a reader may find them: search, possible duplicates (the MASH team), a new child record (the MASH), and emergency access for MASH roles (`store.children(&reader)`).
#[derive(Clone, Copy)]
pub struct Children<'s> {
    store: &'s Store,
    reader: &'s Reader,
}

impl Store {
    pub fn children<'s>(&'s self, reader: &'s Reader) -> Children<'s> {
        Children { store: self, reader }
    }
}

impl std::ops::Deref for Children<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store
    }
}

impl Children<'_> {
    /// Add a child with no agency involved yet (the MASH, e.g. from a call that names a
    /// child before any concern is raised). Only the teams that see every child see it
    /// until an agency becomes involved.
    pub async fn create(&self, c: &ChildInput) -> Result<i64> {
        if !self.reader.can(Permission::DecideReferrals) {
            return Err(self.refuse(self.reader.actor(), "children", "new", "child record: refused, the role does not allow it").await);
        }
        let c = check_child(c)?;
        let mut tx = self.write().await?;
        let id = self.insert_child(&mut tx, self.reader.actor(), &c).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The list and search of children a person sees: within their reach only, by name
    /// (beginning or sound) and date of birth. Every list view is audited with the kind
    /// of filter and the count, never the words searched for.
    pub async fn search(&self, search: &ChildSearch, limit: i64, offset: i64) -> Result<(Vec<Child>, Total)> {
        let (found, total) = self.find_children(self.reader.viewer(), search, limit, offset).await?;
        let page = offset.max(0) / limit.clamp(1, 1000) + 1;
        self.record(self.reader.actor(), Event::new("children.list", "children", "list", format!("{}: {total} found, page {page}", search.kind())))
            .await?;
        Ok((found, total))
    }

    /// Every pair of current records that may be the same child (the MASH team's list), at most `limit`.
    pub async fn duplicate_candidates(&self, today: NaiveDate, limit: usize) -> Result<Vec<DuplicatePair>> {
        if !self.reader.viewer().may_merge_duplicates() {
            return Err(self.refuse(self.reader.actor(), "children", "duplicates", "possible duplicates: refused, for the MASH team").await);
        }
        let rows = self
            .q("SELECT a.id AS a_id, b.id AS b_id FROM children a JOIN children b ON b.phonetic_last = a.phonetic_last AND b.id > a.id \
                AND (b.phonetic_first = a.phonetic_first OR b.date_of_birth = a.date_of_birth) \
                WHERE a.phonetic_last <> '' AND a.merged_into_id IS NULL AND b.merged_into_id IS NULL ORDER BY a.id, b.id LIMIT 5000")
            .fetch_all(self.pool())
            .await?;
        let pairs = rows.iter().map(|r| Ok((r.i("a_id")?, r.i("b_id")?))).collect::<Result<Vec<(i64, i64)>>>()?;
        let mut ids: Vec<i64> = pairs.iter().flat_map(|(a, b)| [*a, *b]).collect();
        ids.sort_unstable();
        ids.dedup();
        let viewer = self.reader.viewer();
        let by: HashMap<i64, Child> = self
            .children_by_ids(&ids)
            .await?
            .into_iter()
            .map(|mut c| {
                c.involvements = viewer.shown_involvements(&c.involvements);
                (c.id, c)
            })
            .collect();
        let mut out = Vec::new();
        for (a, b) in pairs {
            let (Some(ca), Some(cb)) = (by.get(&a), by.get(&b)) else { continue };
            if let Some(reason) = similar(&ca.identity(), &cb.identity(), today) {
                out.push(DuplicatePair { a: ca.clone(), b: cb.clone(), reason });
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// Emergency ("break glass") access to one child for a MASH role, with a reason,
    /// for [`EMERGENCY_ACCESS_HOURS`] hours. Audited against the child; listed for
    /// review. Anyone else's attempt is refused and audited.
    pub async fn break_glass(&self, child_id: i64, reason: &str) -> Result<i64> {
        self.break_glass_at(child_id, reason, self.store.clock().now()).await
    }

    /// [`Children::break_glass`] as at a given moment (the grant runs from then).
    pub async fn break_glass_at(&self, child_id: i64, reason: &str, at: DateTime<Utc>) -> Result<i64> {
        let key = ChildKey::Child(child_id);
        if !self.reader.viewer().may_break_glass() {
            self.record_refusal(self.reader.actor(), key, "emergency-access: refused, only MASH roles may use emergency access").await?;
            return Err(Invalid::single("reason", "Emergency access is for MASH roles only. Contact the MASH if a child is at risk now.").into());
        }
        let reason = check_emergency_reason(reason)?.into_inner();
        let Some(c) = self.child_with_involvements(child_id).await? else {
            self.record_refusal(self.reader.actor(), key, "emergency-access: refused, no such child").await?;
            return Err(StoreError::NoSuchChild);
        };
        if let Some(k) = c.merged_into_id {
            return Err(Invalid::single("reason", format!("This record was merged into child {k}: ask for access to that record")).into());
        }
        let expires = at + chrono::Duration::hours(EMERGENCY_ACCESS_HOURS);
        let mut tx = self.write().await?;
        let id = self
            .q("INSERT INTO emergency_access (user_id, child_id, reason, granted_at, expires_at) VALUES ($1,$2,$3,$4,$5) RETURNING id")
            .bind(self.reader.user_id())
            .bind(child_id)
            .bind(reason)
            .bind(stamp(at))
            .bind(stamp(expires))
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        // The reason is free text: it stays in the grant, the audit names the grant.
        tx.audit(
            self.reader.actor(),
            Event::new("child.emergency-access", "child", child_id, format!("emergency access {id} granted until {}", stamp(expires))),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}

/// The administrator's review of every emergency access grant (`store.emergency_access()`).
#[derive(Clone, Copy)]
pub struct EmergencyAccess<'s> {
    store: &'s Store,
}

impl Store {
    pub fn emergency_access(&self) -> EmergencyAccess<'_> {
        EmergencyAccess { store: self }
    }
}

impl std::ops::Deref for EmergencyAccess<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store
    }
}

impl EmergencyAccess<'_> {
    /// Every emergency access grant, those not yet reviewed first, newest first (for
    /// the administrator who reviews them: record numbers and reasons, no child's name).
    pub async fn log(&self) -> Result<Vec<EmergencyGrant>> {
        let sql = format!("{} ORDER BY CASE WHEN g.reviewed_at IS NULL THEN 0 ELSE 1 END, g.granted_at DESC, g.id DESC LIMIT 1000", Store::GRANT_SQL);
        self.q(&sql).fetch_all(self.pool()).await?.iter().map(Store::grant).collect()
    }

    /// Record the review of an emergency access grant (once), with a note.
    pub async fn review(&self, actor: &Actor, id: i64, note: &str) -> Result<()> {
        let row = self
            .q("SELECT child_id, reviewed_at FROM emergency_access WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut found = Invalid::new();
        if row.os("reviewed_at")?.is_some() {
            found.add("note", "This emergency access has already been reviewed");
        }
        let note = crate::all_checks(check_emergency_review(note), found, &["note"])?.into_inner();
        let child_id = row.i("child_id")?;
        let mut tx = self.write().await?;
        let n = self
            .q("UPDATE emergency_access SET reviewed_by = $1, reviewed_at = $2, review_note = $3 WHERE id = $4 AND reviewed_at IS NULL")
            .bind(actor.user_id)
            .bind(self.store.now())
            .bind(note)
            .bind(id)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        tx.audit(actor, Event::new("child.emergency-review", "child", child_id, format!("emergency access {id} reviewed"))).await?;
        tx.commit().await
    }
}
