//! The CSE partnership's people and children: agencies and their SPOCs, each
//! person's agency, pathway role and teams, children and agencies' involvement with
//! them — and the need-to-know rule turned into SQL from the domain's [`Reach`].

use std::collections::HashMap;

use assure_domain::children::{check_emergency_reason, name_key, normalise, similar, Identity, MatchReason, EMERGENCY_ACCESS_HOURS};
use assure_domain::partnership::{AgencyKind, Involvement, InvolvementKind, LegalStatus, Reach, Section, Team, Viewer};
use assure_domain::{Invalid, Role};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::audit::Event;
use crate::referrals::ChildRef;
use crate::tracker::placeholders;
use crate::{date_str, now, opt_date_str, Actor, Result, RowExt, Store, StoreError};

#[derive(Debug, Clone, Serialize)]
pub struct Agency {
    pub id: i64,
    pub name: String,
    pub kind: AgencyKind,
    pub active: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ChildInput {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub estimated_age: Option<i64>,
    pub gender: String,
    pub ethnicity: String,
    pub address: String,
    pub ward: String,
    pub school: String,
}

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

/// Every other table's reference to a child, as (table, column): a merge moves them
/// all from the duplicate to the record kept. Each area adds its tables here (a table
/// with at most one row per child needs its own rule in [`Store::merge_children`]).
/// `child_involvements` is moved separately (its key includes the child).
pub const CHILD_REFERENCES: &[(&str, &str)] = &[
    ("emergency_access", "child_id"),
    ("referrals", "child_id"),
    ("plans", "child_id"),
    ("panel_slots", "child_id"),
    ("police_flags", "child_id"),
    ("operation_children", "child_id"),
    ("placement_notifications", "child_id"),
    ("missing_episodes", "child_id"),
];

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

/// A person on the pathway, for partnership administration.
#[derive(Debug, Clone, Serialize)]
pub struct PathwayPerson {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub job_title: String,
    pub active: bool,
    pub agency_id: Option<i64>,
    pub teams: Vec<Team>,
    pub spoc_for: Vec<i64>,
}

/// A SPOC and the agency they speak for.
#[derive(Debug, Clone, Serialize)]
pub struct Spoc {
    pub agency_id: i64,
    pub agency: String,
    pub kind: AgencyKind,
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub job_title: String,
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The rules for a child's identity, with a message per field.
pub fn check_child(c: &ChildInput) -> std::result::Result<(), Invalid> {
    let mut v = Invalid::new();
    v.required("first_name", &c.first_name, "Enter the child's first name");
    v.required("last_name", &c.last_name, "Enter the child's last name");
    if c.date_of_birth.is_none() && c.estimated_age.is_none() {
        v.add("date_of_birth", "Enter the child's date of birth, or an estimated age if it is not known");
    }
    if let Some(a) = c.estimated_age {
        if !(0..=25).contains(&a) {
            v.add("estimated_age", "The estimated age must be a whole number from 0 to 25");
        }
    }
    v.finish()
}

/// The outcome of asking for one child's record.
#[derive(Debug, Clone)]
pub enum Visible<T> {
    Yes(T),
    /// The child exists but is outside the viewer's reach.
    Refused,
}

/// The need-to-know rule as a `WHERE` condition on `children c`, with its arguments
/// (numbered from `first`). The domain decides the reach; this only translates it.
pub fn reach_sql(reach: &Reach, first: usize) -> (String, Vec<i64>) {
    match reach {
        Reach::EveryChild => ("1=1".into(), vec![]),
        Reach::Agencies { agencies, children } => {
            let mut parts = Vec::new();
            let mut args: Vec<i64> = Vec::new();
            if !agencies.is_empty() {
                parts.push(format!(
                    "c.id IN (SELECT i.child_id FROM child_involvements i WHERE i.agency_id IN ({}))",
                    placeholders(first, agencies.len())
                ));
                args.extend(agencies.iter().copied());
            }
            if !children.is_empty() {
                parts.push(format!("c.id IN ({})", placeholders(first + args.len(), children.len())));
                args.extend(children.iter().copied());
            }
            if parts.is_empty() {
                ("1=0".into(), vec![])
            } else {
                (format!("({})", parts.join(" OR ")), args)
            }
        }
    }
}

const CHILD_COLS: &str = "c.id, c.first_name, c.last_name, c.date_of_birth, c.estimated_age, c.gender, c.ethnicity, c.address, c.ward, c.school, c.legal_status, c.merged_into_id, c.version";

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
    pub async fn create_agency(&self, actor: &Actor, name: &str, kind: Option<AgencyKind>) -> Result<i64> {
        let mut v = Invalid::new();
        let name = v.required("name", name, "Enter the agency's name");
        v.max_len("name", &name, 200, "The name");
        if kind.is_none() {
            v.add("kind", "Select the kind of agency");
        }
        if !name.is_empty()
            && self.q("SELECT id FROM agencies WHERE LOWER(name) = $1").bind(name.to_lowercase()).fetch_optional(self.pool()).await?.is_some()
        {
            v.add("name", "There is already an agency with this name");
        }
        v.finish()?;
        let mut tx = self.write().await?;
        let id = self
            .q("INSERT INTO agencies (name, kind, created_at) VALUES ($1,$2,$3) RETURNING id")
            .bind(name.clone())
            .bind(kind.map(|k| k.slug()).unwrap_or_default())
            .bind(now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(actor, Event::new("agency.create", "agency", id, format!("agency {name} added"))).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn agencies(&self) -> Result<Vec<Agency>> {
        self.q("SELECT id, name, kind, active FROM agencies ORDER BY name")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok(Agency { id: r.i("id")?, name: r.s("name")?, kind: r.e("kind")?, active: r.i("active")? != 0 }))
            .collect()
    }

    /// Place a person with a pathway role in an agency (replacing any earlier placing).
    /// Their role on the pathway is their account's role.
    pub async fn set_agency(&self, actor: &Actor, user_id: i64, agency_id: i64) -> Result<()> {
        let row = self.q("SELECT role FROM users WHERE id = $1").bind(user_id).fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        let role: Role = row.e("role")?;
        let mut v = Invalid::new();
        if role.pathway().is_none() {
            v.add("user", "Only people with a role on the CSE pathway can belong to an agency");
        }
        if self.q("SELECT id FROM agencies WHERE id = $1").bind(agency_id).fetch_optional(self.pool()).await?.is_none() {
            v.add("agency", "Select an agency from the list");
        }
        v.finish()?;
        let mut tx = self.write().await?;
        self.q("DELETE FROM partnership_members WHERE user_id = $1").bind(user_id).execute(tx.conn()).await?;
        self.q("INSERT INTO partnership_members (user_id, agency_id) VALUES ($1,$2)").bind(user_id).bind(agency_id).execute(tx.conn()).await?;
        tx.audit(actor, Event::new("partnership.member", "user", user_id, format!("agency {agency_id}"))).await?;
        tx.commit().await
    }

    pub async fn add_team_member(&self, actor: &Actor, team: Team, user_id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        self.q("DELETE FROM team_members WHERE team = $1 AND user_id = $2").bind(team.slug()).bind(user_id).execute(tx.conn()).await?;
        self.q("INSERT INTO team_members (team, user_id) VALUES ($1,$2)").bind(team.slug()).bind(user_id).execute(tx.conn()).await?;
        tx.audit(actor, Event::new("team.join", "user", user_id, format!("joined {}", team.slug()))).await?;
        tx.commit().await
    }

    pub async fn add_spoc(&self, actor: &Actor, agency_id: i64, user_id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        self.q("DELETE FROM agency_spocs WHERE agency_id = $1 AND user_id = $2").bind(agency_id).bind(user_id).execute(tx.conn()).await?;
        self.q("INSERT INTO agency_spocs (agency_id, user_id) VALUES ($1,$2)").bind(agency_id).bind(user_id).execute(tx.conn()).await?;
        tx.audit(actor, Event::new("agency.spoc", "agency", agency_id, format!("user {user_id} is a SPOC"))).await?;
        tx.commit().await
    }

    /// Who a person is on the pathway; `None` for people outside it (the tracker's roles).
    pub async fn viewer(&self, user_id: i64) -> Result<Option<Viewer>> {
        let Some(m) = self
            .q("SELECT m.agency_id, u.role FROM partnership_members m JOIN users u ON u.id = m.user_id WHERE m.user_id = $1 AND u.active = 1")
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let Some(role) = m.e::<Role>("role")?.pathway() else {
            return Ok(None);
        };
        let teams = self.q("SELECT team FROM team_members WHERE user_id = $1 ORDER BY team").bind(user_id).fetch_all(self.pool()).await?;
        let spoc = self.q("SELECT agency_id FROM agency_spocs WHERE user_id = $1 ORDER BY agency_id").bind(user_id).fetch_all(self.pool()).await?;
        // Active emergency grants (the domain admits them only for MASH roles).
        let grants = self
            .q("SELECT DISTINCT child_id FROM emergency_access WHERE user_id = $1 AND expires_at > $2 ORDER BY child_id")
            .bind(user_id)
            .bind(now())
            .fetch_all(self.pool())
            .await?;
        Ok(Some(Viewer {
            role,
            agency_id: m.i("agency_id")?,
            teams: teams.iter().map(|r| r.e("team")).collect::<Result<_>>()?,
            spoc_for: spoc.iter().map(|r| r.i("agency_id")).collect::<Result<_>>()?,
            emergency_children: grants.iter().map(|r| r.i("child_id")).collect::<Result<_>>()?,
        }))
    }

    pub async fn create_child(&self, actor: &Actor, c: &ChildInput) -> Result<i64> {
        check_child(c)?;
        let mut tx = self.write().await?;
        let id = self.insert_child(&mut tx, actor, c).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Add a child inside a caller's transaction (e.g. with the concern that names them),
    /// after [`check_child`] has passed.
    pub(crate) async fn insert_child(&self, tx: &mut crate::WriteTx<'_>, actor: &Actor, c: &ChildInput) -> Result<i64> {
        let id = self
            .q("INSERT INTO children (first_name, last_name, date_of_birth, estimated_age, gender, ethnicity, address, ward, school, created_at, phonetic_first, phonetic_last, search_first, search_last) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) RETURNING id")
            .bind(c.first_name.trim().to_string())
            .bind(c.last_name.trim().to_string())
            .bind(opt_date_str(c.date_of_birth))
            .bind(c.estimated_age)
            .bind(c.gender.trim().to_string())
            .bind(c.ethnicity.trim().to_string())
            .bind(c.address.trim().to_string())
            .bind(c.ward.trim().to_string())
            .bind(c.school.trim().to_string())
            .bind(now())
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
        let (cond, ids) = reach_sql(&viewer.reach(), 2);
        let sql = format!("SELECT c.id FROM children c WHERE c.id = $1 AND c.merged_into_id IS NULL AND {cond}");
        let mut q = self.q(&sql).bind(child_id);
        for a in ids {
            q = q.bind(a);
        }
        Ok(q.fetch_optional(self.pool()).await?.is_some())
    }

    /// The child a form names (a concern, a missing episode, a placement), checked into
    /// `v`: one must be named; an existing child must be in the viewer's reach (out of
    /// reach and non-existent read the same: nothing leaks); a new one must pass [`check_child`].
    pub(crate) async fn check_child_ref(&self, viewer: &Viewer, child: Option<&ChildRef>, v: &mut Invalid) -> Result<()> {
        match child {
            None => v.add("child", "Choose the child from the search results, or enter a new child's details"),
            Some(ChildRef::Existing(id)) => {
                if !self.in_reach(viewer, *id).await? {
                    v.add("child", "Choose a child from the search results, or enter a new child's details");
                }
            }
            Some(ChildRef::New(c)) => {
                if let Err(e) = check_child(c) {
                    v.absorb(e);
                }
            }
        }
        Ok(())
    }

    /// Inside a caller's transaction, after [`Store::check_child_ref`] has passed: the
    /// existing child's id, or the new child added.
    pub(crate) async fn child_id_for(&self, tx: &mut crate::WriteTx<'_>, actor: &Actor, child: &ChildRef) -> Result<i64> {
        match child {
            ChildRef::Existing(id) => Ok(*id),
            ChildRef::New(c) => self.insert_child(tx, actor, c).await,
        }
    }

    /// Record that an agency is involved with a child, inside a caller's transaction
    /// (raising a concern, an invitation, a plan action). Idempotent.
    pub(crate) async fn involve(
        &self,
        tx: &mut crate::WriteTx<'_>,
        actor: &Actor,
        child_id: i64,
        agency_id: i64,
        kind: InvolvementKind,
        since: NaiveDate,
    ) -> Result<()> {
        let exists = self
            .q("SELECT 1 AS x FROM child_involvements WHERE child_id = $1 AND agency_id = $2 AND kind = $3")
            .bind(child_id)
            .bind(agency_id)
            .bind(kind.slug())
            .fetch_optional(tx.conn())
            .await?
            .is_some();
        if !exists {
            self.q("INSERT INTO child_involvements (child_id, agency_id, kind, since) VALUES ($1,$2,$3,$4)")
                .bind(child_id)
                .bind(agency_id)
                .bind(kind.slug())
                .bind(date_str(since))
                .execute(tx.conn())
                .await?;
            tx.audit(actor, Event::new("child.involvement", "child", child_id, format!("agency {agency_id}: {}", kind.slug()))).await?;
        }
        Ok(())
    }

    pub async fn add_involvement(&self, actor: &Actor, child_id: i64, agency_id: i64, kind: InvolvementKind, since: NaiveDate) -> Result<()> {
        let mut tx = self.write().await?;
        self.involve(&mut tx, actor, child_id, agency_id, kind, since).await?;
        tx.commit().await
    }

    async fn attach_involvements(&self, children: &mut [Child]) -> Result<()> {
        if children.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "SELECT child_id, agency_id, kind FROM child_involvements WHERE child_id IN ({}) ORDER BY agency_id, kind",
            placeholders(1, children.len())
        );
        let mut q = self.q(&sql);
        for c in children.iter() {
            q = q.bind(c.id);
        }
        let mut by: HashMap<i64, Vec<Involvement>> = HashMap::new();
        for r in q.fetch_all(self.pool()).await? {
            by.entry(r.i("child_id")?).or_default().push(Involvement { agency_id: r.i("agency_id")?, kind: r.e("kind")? });
        }
        for c in children.iter_mut() {
            c.involvements = by.remove(&c.id).unwrap_or_default();
        }
        Ok(())
    }

    /// One child's record, or one section of it, for a viewer: the same rule as the
    /// lists, checked on the record itself, then the section's own audience. Every
    /// view is audited with the section and the reason access was allowed; every
    /// refusal is audited too. No personal data goes into the audit detail.
    pub async fn child_for(&self, actor: &Actor, viewer: &Viewer, id: i64, section: Section) -> Result<Visible<Child>> {
        let sql = format!("SELECT {CHILD_COLS} FROM children c WHERE c.id = $1");
        let row = self.q(&sql).bind(id).fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        let mut v = vec![child(&row)?];
        self.attach_involvements(&mut v).await?;
        let c = v.pop().unwrap_or_else(|| unreachable!());
        let Some(basis) = viewer.basis(c.id, c.involvements.iter().copied()) else {
            self.record(actor, Event::new("child.refused", "child", id, format!("{}: refused, not in the viewer's reach", section.slug()))).await?;
            return Ok(Visible::Refused);
        };
        if !viewer.may_see_section(section) {
            self.record(actor, Event::new("child.refused", "child", id, format!("{}: refused, restricted section", section.slug()))).await?;
            return Ok(Visible::Refused);
        }
        self.record(actor, Event::new("child.view", "child", id, format!("{}: viewed as {}", section.slug(), basis.describe()))).await?;
        Ok(Visible::Yes(c))
    }

    /// Record an export or print of part of a child's record (after `child_for` allowed it).
    pub async fn record_child_export(&self, actor: &Actor, id: i64, what: &str) -> Result<()> {
        self.record(actor, Event::new("child.export", "child", id, what.to_string())).await
    }

    /// Children the viewer may see, by name, with the total: the rule as a filter.
    /// (Not audited: for the pages' own lists use [`Store::search_children`].)
    pub async fn children_for(&self, viewer: &Viewer, name: Option<&str>, limit: i64, offset: i64) -> Result<(Vec<Child>, i64)> {
        self.find_children(viewer, &ChildSearch { name: name.map(str::to_string), date_of_birth: None }, limit, offset).await
    }

    /// The list and search of children a person sees: within their reach only, by name
    /// (beginning or sound) and date of birth. Every list view is audited with the kind
    /// of filter and the count, never the words searched for.
    pub async fn search_children(&self, actor: &Actor, viewer: &Viewer, search: &ChildSearch, limit: i64, offset: i64) -> Result<(Vec<Child>, i64)> {
        let (found, total) = self.find_children(viewer, search, limit, offset).await?;
        let page = offset.max(0) / limit.clamp(1, 1000) + 1;
        self.record(actor, Event::new("children.list", "children", "list", format!("{}: {total} found, page {page}", search.kind()))).await?;
        Ok((found, total))
    }

    /// The one filter of every list and search of children.
    async fn find_children(&self, viewer: &Viewer, search: &ChildSearch, limit: i64, offset: i64) -> Result<(Vec<Child>, i64)> {
        let (cond, ids) = reach_sql(&viewer.reach(), 1);
        let mut sql_where = format!(" WHERE c.merged_into_id IS NULL AND {cond}");
        let mut texts: Vec<String> = Vec::new();
        let mut n = ids.len();
        for term in search.name_terms() {
            // A prefix as an index range: the stored names hold only a-z, 0-9 and
            // spaces, all of which sort below '{'.
            let key = name_key(&term);
            texts.push(term.clone());
            texts.push(format!("{term}{{"));
            n += 2;
            let (from, to) = (n - 1, n);
            let mut alts = vec![
                format!("(c.search_last >= ${from} AND c.search_last < ${to})"),
                format!("(c.search_first >= ${from} AND c.search_first < ${to})"),
            ];
            if !key.is_empty() {
                texts.push(key);
                n += 1;
                alts.push(format!("c.phonetic_last = ${n}"));
                alts.push(format!("c.phonetic_first = ${n}"));
            }
            sql_where.push_str(&format!(" AND ({})", alts.join(" OR ")));
        }
        if let Some(dob) = search.date_of_birth {
            texts.push(date_str(dob));
            n += 1;
            sql_where.push_str(&format!(" AND c.date_of_birth = ${n}"));
        }
        let count_sql = format!("SELECT COUNT(*) AS n FROM children c{sql_where}");
        let mut q = self.q(&count_sql);
        for id in &ids {
            q = q.bind(*id);
        }
        for t in &texts {
            q = q.bind(t.clone());
        }
        let total = q.fetch_one(self.pool()).await?.i("n")?;
        let sql = format!(
            "SELECT {CHILD_COLS} FROM children c{sql_where} ORDER BY c.last_name, c.first_name, c.id LIMIT {} OFFSET {}",
            limit.clamp(1, 1000),
            offset.max(0)
        );
        let mut q = self.q(&sql);
        for id in &ids {
            q = q.bind(*id);
        }
        for t in &texts {
            q = q.bind(t.clone());
        }
        let mut out = q.fetch_all(self.pool()).await?.iter().map(child).collect::<Result<Vec<_>>>()?;
        self.attach_involvements(&mut out).await?;
        Ok((out, total))
    }

    /// Children by id, whatever anyone's reach (callers have already applied it).
    async fn children_by_ids(&self, ids: &[i64]) -> Result<Vec<Child>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(crate::IN_LIST_CHUNK) {
            let sql = format!("SELECT {CHILD_COLS} FROM children c WHERE c.id IN ({}) ORDER BY c.id", placeholders(1, chunk.len()));
            let mut q = self.q(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            out.extend(q.fetch_all(self.pool()).await?.iter().map(child).collect::<Result<Vec<_>>>()?);
        }
        self.attach_involvements(&mut out).await?;
        Ok(out)
    }

    /// Whether a child record exists (says nothing else about it).
    pub async fn child_exists(&self, id: i64) -> Result<bool> {
        Ok(self.q("SELECT id FROM children WHERE id = $1").bind(id).fetch_optional(self.pool()).await?.is_some())
    }

    async fn child_row(&self, id: i64) -> Result<Child> {
        self.children_by_ids(&[id]).await?.pop().ok_or(StoreError::NotFound)
    }

    /// Records that may be the same child as this one (for the MASH), strongest first.
    pub async fn possible_duplicates(&self, child_id: i64, today: NaiveDate) -> Result<Vec<Duplicate>> {
        let me = self.child_row(child_id).await?;
        let key = name_key(&me.last_name);
        if key.is_empty() {
            return Ok(vec![]);
        }
        let rows = self
            .q("SELECT id FROM children WHERE phonetic_last = $1 AND id <> $2 AND merged_into_id IS NULL ORDER BY id LIMIT 500")
            .bind(key)
            .bind(child_id)
            .fetch_all(self.pool())
            .await?;
        let ids = rows.iter().map(|r| r.i("id")).collect::<Result<Vec<_>>>()?;
        let mut out: Vec<Duplicate> = self
            .children_by_ids(&ids)
            .await?
            .into_iter()
            .filter_map(|c| similar(&me.identity(), &c.identity(), today).map(|reason| Duplicate { child: c, reason }))
            .collect();
        out.sort_by_key(|d| (d.reason as u8, d.child.id));
        Ok(out)
    }

    /// Every pair of current records that may be the same child (the MASH's list), at most `limit`.
    pub async fn duplicate_candidates(&self, today: NaiveDate, limit: usize) -> Result<Vec<DuplicatePair>> {
        let rows = self
            .q("SELECT a.id AS a_id, b.id AS b_id FROM children a JOIN children b ON b.phonetic_last = a.phonetic_last AND b.id > a.id \
                WHERE a.phonetic_last <> '' AND a.merged_into_id IS NULL AND b.merged_into_id IS NULL ORDER BY a.id, b.id LIMIT 5000")
            .fetch_all(self.pool())
            .await?;
        let pairs = rows.iter().map(|r| Ok((r.i("a_id")?, r.i("b_id")?))).collect::<Result<Vec<(i64, i64)>>>()?;
        let mut ids: Vec<i64> = pairs.iter().flat_map(|(a, b)| [*a, *b]).collect();
        ids.sort_unstable();
        ids.dedup();
        let by: HashMap<i64, Child> = self.children_by_ids(&ids).await?.into_iter().map(|c| (c.id, c)).collect();
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

    /// Merge a duplicate into the record kept (the MASH; the page checks the permission):
    /// every agency's involvement and every reference in [`CHILD_REFERENCES`] moves to the
    /// kept record, and the duplicate is marked as merged into it, never deleted.
    /// `version` is the kept record's, as the person saw it. Audited on both children.
    pub async fn merge_children(&self, actor: &Actor, keep: i64, merge: i64, version: i64) -> Result<()> {
        let kept = self.child_row(keep).await?;
        let dup = self.children_by_ids(&[merge]).await?.pop();
        let mut v = Invalid::new();
        match &dup {
            None => v.add("duplicate", "Select the record to merge into this one"),
            Some(_) if merge == keep => v.add("duplicate", "Select a different record: a record cannot be merged into itself"),
            Some(d) if d.merged_into_id.is_some() => v.add("duplicate", "That record has already been merged into another"),
            Some(_) => {}
        }
        if kept.merged_into_id.is_some() {
            v.add("duplicate", "This record has itself been merged into another: merge into that one instead");
        }
        // Rows that may exist once per child cannot simply move when both records have one.
        let both = |sql: &'static str| self.q(sql).bind(keep).bind(merge).fetch_optional(self.pool());
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
        let mut tx = self.write().await?;
        let changed = self
            .q("UPDATE children SET version = version + 1 WHERE id = $1 AND version = $2 AND merged_into_id IS NULL")
            .bind(keep)
            .bind(version)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(StoreError::Conflict);
        }
        let moved = self
            .q("INSERT INTO child_involvements (child_id, agency_id, kind, since) SELECT $1, m.agency_id, m.kind, m.since FROM child_involvements m \
                WHERE m.child_id = $2 AND NOT EXISTS (SELECT 1 FROM child_involvements k WHERE k.child_id = $1 AND k.agency_id = m.agency_id AND k.kind = m.kind)")
            .bind(keep)
            .bind(merge)
            .execute(tx.conn())
            .await?
            .rows_affected();
        self.q("DELETE FROM child_involvements WHERE child_id = $1").bind(merge).execute(tx.conn()).await?;
        // An operation both records are linked to keeps one link.
        self.q("DELETE FROM operation_children WHERE child_id = $2 AND operation_id IN (SELECT operation_id FROM operation_children WHERE child_id = $1)").bind(keep).bind(merge).execute(tx.conn()).await?;
        for (table, column) in CHILD_REFERENCES {
            self.q(&format!("UPDATE {table} SET {column} = $1 WHERE {column} = $2")).bind(keep).bind(merge).execute(tx.conn()).await?;
        }
        let marked = self
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

    /// Change a child's identity and legal status, if nobody else has since `version`.
    /// The audit names the fields changed, never their values.
    pub async fn update_child(&self, actor: &Actor, id: i64, version: i64, c: &ChildInput, legal_status: Option<LegalStatus>) -> Result<()> {
        let mut v = match check_child(c) {
            Ok(()) => Invalid::new(),
            Err(i) => i,
        };
        if legal_status.is_none() {
            v.add("legal_status", "Select the child's legal status");
        }
        v.finish()?;
        let legal = legal_status.unwrap_or(LegalStatus::NoStatus);
        let old = self.child_row(id).await?;
        if old.merged_into_id.is_some() {
            return Err(Invalid::single("first_name", "This record was merged into another: change that record instead").into());
        }
        let new_vals = [
            ("first_name", c.first_name.trim().to_string(), old.first_name.clone()),
            ("last_name", c.last_name.trim().to_string(), old.last_name.clone()),
            ("date_of_birth", opt_date_str(c.date_of_birth).unwrap_or_default(), opt_date_str(old.date_of_birth).unwrap_or_default()),
            (
                "estimated_age",
                c.estimated_age.map(|a| a.to_string()).unwrap_or_default(),
                old.estimated_age.map(|a| a.to_string()).unwrap_or_default(),
            ),
            ("gender", c.gender.trim().to_string(), old.gender.clone()),
            ("ethnicity", c.ethnicity.trim().to_string(), old.ethnicity.clone()),
            ("address", c.address.trim().to_string(), old.address.clone()),
            ("ward", c.ward.trim().to_string(), old.ward.clone()),
            ("school", c.school.trim().to_string(), old.school.clone()),
            ("legal_status", legal.slug().to_string(), old.legal_status.clone()),
        ];
        let changed: Vec<&str> = new_vals.iter().filter(|(_, a, b)| a != b).map(|(n, _, _)| *n).collect();
        let mut tx = self.write().await?;
        let n = self
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
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        let detail = if changed.is_empty() { "saved with no changes".to_string() } else { format!("changed: {}", changed.join(", ")) };
        tx.audit(actor, Event::new("child.update", "child", id, detail)).await?;
        tx.commit().await
    }

    /// Emergency ("break glass") access to one child for a MASH role, with a reason,
    /// for [`EMERGENCY_ACCESS_HOURS`] hours. Audited against the child; listed for review.
    pub async fn break_glass(&self, actor: &Actor, viewer: &Viewer, child_id: i64, reason: &str) -> Result<i64> {
        self.break_glass_at(actor, viewer, child_id, reason, Utc::now()).await
    }

    /// [`Store::break_glass`] as at a given moment (the grant runs from then).
    pub async fn break_glass_at(&self, actor: &Actor, viewer: &Viewer, child_id: i64, reason: &str, at: DateTime<Utc>) -> Result<i64> {
        if !viewer.may_break_glass() {
            return Err(Invalid::single("reason", "Emergency access is for MASH roles only. Contact the MASH if a child is at risk now.").into());
        }
        let user_id = actor.user_id.ok_or_else(|| Invalid::single("reason", "Emergency access needs a signed-in person"))?;
        let reason = check_emergency_reason(reason)?;
        let c = self.child_row(child_id).await?;
        if let Some(k) = c.merged_into_id {
            return Err(Invalid::single("reason", format!("This record was merged into child {k}: ask for access to that record")).into());
        }
        let expires = at + chrono::Duration::hours(EMERGENCY_ACCESS_HOURS);
        let mut tx = self.write().await?;
        let id = self
            .q("INSERT INTO emergency_access (user_id, child_id, reason, granted_at, expires_at) VALUES ($1,$2,$3,$4,$5) RETURNING id")
            .bind(user_id)
            .bind(child_id)
            .bind(reason)
            .bind(stamp(at))
            .bind(stamp(expires))
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        // The reason is free text: it stays in the grant, the audit names the grant.
        tx.audit(actor, Event::new("child.emergency-access", "child", child_id, format!("emergency access {id} granted until {}", stamp(expires))))
            .await?;
        tx.commit().await?;
        Ok(id)
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

    /// Every emergency access grant, those not yet reviewed first, newest first.
    pub async fn emergency_access_log(&self) -> Result<Vec<EmergencyGrant>> {
        let sql = format!("{} ORDER BY CASE WHEN g.reviewed_at IS NULL THEN 0 ELSE 1 END, g.granted_at DESC, g.id DESC LIMIT 1000", Self::GRANT_SQL);
        self.q(&sql).fetch_all(self.pool()).await?.iter().map(Self::grant).collect()
    }

    /// The emergency access grants for one child (shown on its access log).
    pub async fn emergency_grants_for_child(&self, child_id: i64) -> Result<Vec<EmergencyGrant>> {
        let sql = format!("{} WHERE g.child_id = $1 ORDER BY g.granted_at DESC, g.id DESC", Self::GRANT_SQL);
        self.q(&sql).bind(child_id).fetch_all(self.pool()).await?.iter().map(Self::grant).collect()
    }

    /// Record the review of an emergency access grant (once), with a note.
    pub async fn review_emergency_access(&self, actor: &Actor, id: i64, note: &str) -> Result<()> {
        let row = self
            .q("SELECT child_id, reviewed_at FROM emergency_access WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut v = Invalid::new();
        let note = v.required("note", note, "Enter what the review found, for example whether the access was justified");
        v.max_len("note", &note, 2000, "The review note");
        if row.os("reviewed_at")?.is_some() {
            v.add("note", "This emergency access has already been reviewed");
        }
        v.finish()?;
        let child_id = row.i("child_id")?;
        let mut tx = self.write().await?;
        let n = self
            .q("UPDATE emergency_access SET reviewed_by = $1, reviewed_at = $2, review_note = $3 WHERE id = $4 AND reviewed_at IS NULL")
            .bind(actor.user_id)
            .bind(now())
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

    /// "Who has looked at this record and why": the audit entries against this child
    /// (and any record merged into it), newest first, with the person's name; one page
    /// and whether there are more.
    pub async fn child_access_log(&self, child_id: i64, limit: i64, offset: i64) -> Result<(Vec<AccessLogEntry>, bool)> {
        let merged = self.q("SELECT id FROM children WHERE merged_into_id = $1").bind(child_id).fetch_all(self.pool()).await?;
        let mut ids: Vec<String> = vec![child_id.to_string()];
        for r in &merged {
            ids.push(r.i("id")?.to_string());
        }
        let sql = format!(
            "SELECT a.at, a.actor, u.name AS actor_name, a.action, a.detail, a.record_id FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id \
             WHERE a.record_type = 'child' AND a.record_id IN ({}) ORDER BY a.seq DESC LIMIT {} OFFSET {}",
            placeholders(1, ids.len()),
            limit.clamp(1, 1000) + 1,
            offset.max(0)
        );
        let mut q = self.q(&sql);
        for id in &ids {
            q = q.bind(id.clone());
        }
        let rows = q.fetch_all(self.pool()).await?;
        let more = rows.len() as i64 > limit.clamp(1, 1000);
        let entries = rows
            .iter()
            .take(limit.clamp(1, 1000) as usize)
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

    pub async fn remove_team_member(&self, actor: &Actor, team: Team, user_id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        let n = self
            .q("DELETE FROM team_members WHERE team = $1 AND user_id = $2")
            .bind(team.slug())
            .bind(user_id)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n > 0 {
            tx.audit(actor, Event::new("team.leave", "user", user_id, format!("left {}", team.slug()))).await?;
        }
        tx.commit().await
    }

    pub async fn remove_spoc(&self, actor: &Actor, agency_id: i64, user_id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        let n = self
            .q("DELETE FROM agency_spocs WHERE agency_id = $1 AND user_id = $2")
            .bind(agency_id)
            .bind(user_id)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n > 0 {
            tx.audit(actor, Event::new("agency.spoc-removed", "agency", agency_id, format!("user {user_id} is no longer a SPOC"))).await?;
        }
        tx.commit().await
    }

    /// Every account with a pathway role: their agency, teams and SPOC duties.
    pub async fn pathway_people(&self) -> Result<Vec<PathwayPerson>> {
        let users = self.list_users().await?;
        let members = self.q("SELECT user_id, agency_id FROM partnership_members").fetch_all(self.pool()).await?;
        let mut agency: HashMap<i64, i64> = HashMap::new();
        for r in &members {
            agency.insert(r.i("user_id")?, r.i("agency_id")?);
        }
        let mut teams: HashMap<i64, Vec<Team>> = HashMap::new();
        for r in self.q("SELECT team, user_id FROM team_members ORDER BY team").fetch_all(self.pool()).await? {
            teams.entry(r.i("user_id")?).or_default().push(r.e("team")?);
        }
        let mut spoc: HashMap<i64, Vec<i64>> = HashMap::new();
        for r in self.q("SELECT agency_id, user_id FROM agency_spocs ORDER BY agency_id").fetch_all(self.pool()).await? {
            spoc.entry(r.i("user_id")?).or_default().push(r.i("agency_id")?);
        }
        Ok(users
            .into_iter()
            .filter(|u| u.role.pathway().is_some())
            .map(|u| PathwayPerson {
                agency_id: agency.get(&u.id).copied(),
                teams: teams.remove(&u.id).unwrap_or_default(),
                spoc_for: spoc.remove(&u.id).unwrap_or_default(),
                user_id: u.id,
                name: u.name,
                email: u.email,
                role: u.role,
                job_title: u.job_title,
                active: u.active,
            })
            .collect())
    }

    /// Every agency's SPOCs (active accounts), by agency.
    pub async fn spocs(&self) -> Result<Vec<Spoc>> {
        self.q("SELECT a.id AS agency_id, a.name AS agency, a.kind, u.id AS user_id, u.name, u.email, u.job_title FROM agency_spocs s \
                JOIN agencies a ON a.id = s.agency_id JOIN users u ON u.id = s.user_id WHERE u.active = 1 ORDER BY a.name, u.name")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(Spoc {
                    agency_id: r.i("agency_id")?,
                    agency: r.s("agency")?,
                    kind: r.e("kind")?,
                    user_id: r.i("user_id")?,
                    name: r.s("name")?,
                    email: r.s("email")?,
                    job_title: r.s("job_title")?,
                })
            })
            .collect()
    }
}
