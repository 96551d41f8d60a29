//! Children's records behind one door.
//!
//! A child's record, and everything hanging off it (referrals, checks, decisions, plans
//! and their versions, panel slots, police flags and operations, placements,
//! notifications, missing episodes and interviews, the access log, merges), is read and
//! changed only through a [`ChildRecord`]. Only [`Store::open_child`] makes one, and
//! only after running the domain's need-to-know rule for a [`Reader`] — a person on the
//! pathway as the database knows them, which only [`Store::reader`] makes. Every
//! opening is audited with its reason, every refusal against the child (or against the
//! unknown id), and a child out of reach answers exactly as a child that does not exist:
//! [`StoreError::NoSuchChild`]. What leaves the record is already cut to the reader
//! (police-only sections, police checks, involvements made by police-only material).
//!
//! Lists, searches and counts take a `&Reader` and filter with [`push_reach`], the same
//! rule as SQL.

use assure_domain::partnership::{Basis, Reach, Section, Viewer};
use assure_domain::Permission;

use crate::audit::Event;
use crate::children::Child;
use crate::sql::Sql;
use crate::{Actor, Result, Store, StoreError};

/// A person on the pathway, as the database knows them now: their account, agency,
/// teams, SPOC duties and emergency grants. Only [`Store::reader`] makes one, so a
/// reach cannot be made up by the caller.
#[derive(Debug, Clone)]
pub struct Reader {
    actor: Actor,
    viewer: Viewer,
}

impl Reader {
    pub(crate) fn new(actor: Actor, viewer: Viewer) -> Reader {
        Reader { actor, viewer }
    }
    pub fn viewer(&self) -> &Viewer {
        &self.viewer
    }
    pub fn actor(&self) -> &Actor {
        &self.actor
    }
    pub fn user_id(&self) -> i64 {
        self.viewer.user_id
    }
    pub fn reach(&self) -> Reach {
        self.viewer.reach()
    }
    /// What the person's role allows (the same matrix as the routes').
    pub fn can(&self, p: Permission) -> bool {
        self.viewer.role.role().allows(p)
    }
}

/// How a request names a child: by the child's own record number, or by a record that
/// belongs to exactly one child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildKey {
    Child(i64),
    /// A team's line of a placement notification.
    Recipient(i64),
    /// A young person's slot at a panel.
    Slot {
        panel: i64,
        slot: i64,
    },
}

impl ChildKey {
    /// For the audit of a key that names no child.
    fn describe(self) -> String {
        match self {
            ChildKey::Child(id) => id.to_string(),
            ChildKey::Recipient(id) => format!("notification line {id}"),
            ChildKey::Slot { panel, slot } => format!("panel {panel} slot {slot}"),
        }
    }
}

/// One child's record, opened for one reader after the need-to-know rule admitted
/// them. Reads are cut to the reader; writes check the reader's role.
#[derive(Debug, Clone)]
pub struct ChildRecord {
    pub(crate) store: Store,
    pub(crate) reader: Reader,
    /// As the reader may be shown it (involvements cut).
    pub(crate) child: Child,
    pub(crate) basis: Basis,
}

impl ChildRecord {
    pub fn id(&self) -> i64 {
        self.child.id
    }
    pub fn child(&self) -> &Child {
        &self.child
    }
    pub fn reader(&self) -> &Reader {
        &self.reader
    }
    pub fn viewer(&self) -> &Viewer {
        &self.reader.viewer
    }
    /// Why the reader may see this child.
    pub fn basis(&self) -> &Basis {
        &self.basis
    }
    pub fn may_see(&self, s: Section) -> bool {
        self.reader.viewer.may_see_section(s)
    }
    pub(crate) fn actor(&self) -> &Actor {
        &self.reader.actor
    }

    /// A section the reader may not see: refused (and audited) as restricted.
    pub(crate) async fn require(&self, s: Section) -> Result<()> {
        if self.may_see(s) {
            return Ok(());
        }
        self.store
            .record(self.actor(), Event::new("child.refused", "child", self.id(), format!("{}: refused, restricted section", s.slug())))
            .await?;
        Err(StoreError::Restricted)
    }

    /// A change the reader's role does not allow: refused (and audited).
    pub(crate) async fn require_permission(&self, p: Permission, what: &str) -> Result<()> {
        if self.reader.can(p) {
            return Ok(());
        }
        self.store
            .record(self.actor(), Event::new("child.refused", "child", self.id(), format!("{what}: refused, the role does not allow it")))
            .await?;
        Err(StoreError::Forbidden)
    }

    /// Refuse something about this record that the edge decides (a police export asked
    /// for by someone who may only read the plan): audited, and answered as restricted.
    pub async fn refuse(&self, what: &str) -> StoreError {
        match self.store.record(self.actor(), Event::new("child.refused", "child", self.id(), what.to_string())).await {
            Ok(()) => StoreError::Restricted,
            Err(e) => e,
        }
    }

    /// Refuse a function of the record that is not this reader's (merging, duplicates):
    /// audited, and answered as forbidden.
    pub(crate) async fn forbid(&self, what: &str) -> StoreError {
        match self.store.record(self.actor(), Event::new("child.refused", "child", self.id(), what.to_string())).await {
            Ok(()) => StoreError::Forbidden,
            Err(e) => e,
        }
    }

    /// Record an export, download or print of part of the record.
    pub async fn record_export(&self, what: &str) -> Result<()> {
        self.store.record(self.actor(), Event::new("child.export", "child", self.id(), what.to_string())).await
    }
}

impl Store {
    /// The person on the pathway behind this actor, or `None` for accounts with no
    /// pathway role or not yet placed in an agency.
    pub async fn reader(&self, actor: Actor) -> Result<Option<Reader>> {
        let Some(uid) = actor.user_id else { return Ok(None) };
        Ok(self.partnership().viewer(uid).await?.map(|v| Reader::new(actor, v)))
    }

    /// The one door: open a child's record for a reader, for one section. The child the
    /// key names must be in the reader's reach — otherwise the answer is
    /// [`StoreError::NoSuchChild`], exactly as for a key that names no child — and the
    /// section must be one the reader may see ([`StoreError::Restricted`]). The opening
    /// is audited with its reason; a refusal against the child, or the unknown key.
    pub async fn open_child(&self, reader: &Reader, key: ChildKey, section: Section) -> Result<ChildRecord> {
        let found = match self.child_id_of(key).await? {
            Some(id) => self.child_with_involvements(id).await?,
            None => None,
        };
        let Some(mut child) = found else {
            self.record(
                &reader.actor,
                Event::new("child.refused", "unknown-child", key.describe(), format!("{}: refused, no such child", section.slug())),
            )
            .await?;
            return Err(StoreError::NoSuchChild);
        };
        let involvements = std::mem::take(&mut child.involvements);
        let Some(basis) = reader.viewer.basis(child.id, involvements.iter().copied()) else {
            self.record(
                &reader.actor,
                Event::new("child.refused", "child", child.id, format!("{}: refused, not in the viewer's reach", section.slug())),
            )
            .await?;
            return Err(StoreError::NoSuchChild);
        };
        if !reader.viewer.may_see_section(section) {
            self.record(&reader.actor, Event::new("child.refused", "child", child.id, format!("{}: refused, restricted section", section.slug())))
                .await?;
            return Err(StoreError::Restricted);
        }
        self.record(&reader.actor, Event::new("child.view", "child", child.id, format!("{}: viewed as {}", section.slug(), basis.describe())))
            .await?;
        child.involvements = reader.viewer.shown_involvements(&involvements);
        Ok(ChildRecord { store: self.clone(), reader: reader.clone(), child, basis })
    }

    /// A request refused before any record was opened (the route's role check) on a
    /// route that names a child: audited against the child, or the unknown key. Records
    /// nothing else and returns nothing about the child.
    pub async fn record_refusal(&self, actor: &Actor, key: ChildKey, why: &str) -> Result<()> {
        match self.child_id_of(key).await? {
            Some(id) => self.record(actor, Event::new("child.refused", "child", id, why.to_string())).await,
            None => self.record(actor, Event::new("child.refused", "unknown-child", key.describe(), why.to_string())).await,
        }
    }

    /// A request refused for its role or team before any child was opened (a list or a
    /// form that is not this person's to use): audited, and answered as forbidden.
    pub(crate) async fn refuse(&self, actor: &Actor, record_type: &str, record_id: &str, why: &str) -> StoreError {
        match self.record(actor, Event::new("access.refused", record_type, record_id, why.to_string())).await {
            Ok(()) => StoreError::Forbidden,
            Err(e) => e,
        }
    }

    /// The child a key names, if any.
    pub(crate) async fn child_id_of(&self, key: ChildKey) -> Result<Option<i64>> {
        use crate::RowExt;
        let row = match key {
            ChildKey::Child(id) => self.q("SELECT id AS child_id FROM children WHERE id = $1").bind(id).fetch_optional(self.pool()).await?,
            ChildKey::Recipient(id) => {
                self.q("SELECT n.child_id FROM notification_recipients r JOIN placement_notifications n ON n.id = r.notification_id WHERE r.id = $1")
                    .bind(id)
                    .fetch_optional(self.pool())
                    .await?
            }
            ChildKey::Slot { panel, slot } => {
                self.q("SELECT child_id FROM panel_slots WHERE id = $1 AND panel_id = $2").bind(slot).bind(panel).fetch_optional(self.pool()).await?
            }
        };
        row.map(|r| r.i("child_id")).transpose()
    }
}

/// The need-to-know rule as a condition on the child id column `child_col` (e.g.
/// `c.id`), pushed onto `sql` with its own bound values. The domain decides the reach;
/// this only translates it.
pub(crate) fn push_reach(sql: &mut Sql, reach: &Reach, child_col: &str) {
    push_reach_as(sql, reach, child_col, false);
}

/// The same rule as [`push_reach`], the same children, with the involvements probed
/// for each row (`EXISTS`, through the involvements' primary key, which begins with the
/// child) instead of gathered first as a set (`IN`). For a page of a list read along an
/// index in the list's own order (keyset), where only the rows of one page need probing:
/// SQLite gathers the set of every child the reach admits before it reads a row, then
/// sorts, which at scale costs more than the page. A count of a whole list reads every
/// row anyway, and there the set is cheaper; a count that stops at its bound
/// (`Store::count_up_to`) along an index probes row by row too.
pub(crate) fn push_reach_per_row(sql: &mut Sql, reach: &Reach, child_col: &str) {
    push_reach_as(sql, reach, child_col, true);
}

fn push_reach_as(sql: &mut Sql, reach: &Reach, child_col: &str, per_row: bool) {
    let Reach::Limited(l) = reach else {
        sql.push("1=1");
        return;
    };
    let mut parts = 0;
    sql.push("(");
    if !l.agencies.is_empty() || l.own.is_some() {
        if per_row {
            sql.push("EXISTS (SELECT 1 FROM child_involvements i WHERE i.child_id = ").push(child_col).push(" AND (");
        } else {
            sql.push(child_col).push(" IN (SELECT i.child_id FROM child_involvements i WHERE (");
        }
        let mut alts = 0;
        if !l.agencies.is_empty() {
            sql.push("i.agency_id IN (").bind_list(l.agencies.iter().copied()).push(")");
            alts += 1;
        }
        if let Some((agency, scopes)) = &l.own {
            if alts > 0 {
                sql.push(" OR ");
            }
            sql.push("(i.agency_id = ").bind(*agency).push(" AND i.scope IN (").bind_list(scopes.iter().map(|s| s.key())).push("))");
        }
        sql.push(")");
        if !l.police_only_counts {
            sql.push(" AND i.kind <> ").bind(assure_domain::partnership::InvolvementKind::HoldsPoliceAction.slug());
        }
        sql.push(")");
        parts += 1;
    }
    if !l.children.is_empty() {
        if parts > 0 {
            sql.push(" OR ");
        }
        sql.push(child_col).push(" IN (").bind_list(l.children.iter().copied()).push(")");
        parts += 1;
    }
    if parts == 0 {
        sql.push("1=0");
    }
    sql.push(")");
}
