//! The CSE partnership's people and children: agencies and their SPOCs, each
//! person's agency, pathway role and teams, children and agencies' involvement with
//! them — and the need-to-know rule turned into SQL from the domain's [`Reach`].

use std::collections::HashMap;

use assure_domain::partnership::{AgencyKind, Involvement, InvolvementKind, Reach, Section, Team, Viewer};
use assure_domain::{Invalid, Role};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::audit::Event;
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
    pub ward: String,
    pub school: String,
    pub legal_status: String,
    pub version: i64,
    pub involvements: Vec<Involvement>,
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
        Reach::Agencies(set) if set.is_empty() => ("1=0".into(), vec![]),
        Reach::Agencies(set) => (
            format!("c.id IN (SELECT i.child_id FROM child_involvements i WHERE i.agency_id IN ({}))", placeholders(first, set.len())),
            set.iter().copied().collect(),
        ),
    }
}

const CHILD_COLS: &str = "c.id, c.first_name, c.last_name, c.date_of_birth, c.estimated_age, c.gender, c.ward, c.school, c.legal_status, c.version";

fn child(r: &AnyRow) -> Result<Child> {
    Ok(Child {
        id: r.i("id")?,
        first_name: r.s("first_name")?,
        last_name: r.s("last_name")?,
        date_of_birth: r.od("date_of_birth")?,
        estimated_age: r.oi("estimated_age")?,
        gender: r.s("gender")?,
        ward: r.s("ward")?,
        school: r.s("school")?,
        legal_status: r.s("legal_status")?,
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
        if !name.is_empty() && self.q("SELECT id FROM agencies WHERE LOWER(name) = $1").bind(name.to_lowercase()).fetch_optional(self.pool()).await?.is_some() {
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
        Ok(Some(Viewer {
            role,
            agency_id: m.i("agency_id")?,
            teams: teams.iter().map(|r| r.e("team")).collect::<Result<_>>()?,
            spoc_for: spoc.iter().map(|r| r.i("agency_id")).collect::<Result<_>>()?,
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
            .q("INSERT INTO children (first_name, last_name, date_of_birth, estimated_age, gender, ethnicity, address, ward, school, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING id")
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
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        // No personal data in the audit detail: the record id says which child.
        tx.audit(actor, Event::new("child.create", "child", id, "child record created")).await?;
        Ok(id)
    }

    /// Record that an agency is involved with a child, inside a caller's transaction
    /// (raising a concern, an invitation, a plan action). Idempotent.
    pub(crate) async fn involve(&self, tx: &mut crate::WriteTx<'_>, actor: &Actor, child_id: i64, agency_id: i64, kind: InvolvementKind, since: NaiveDate) -> Result<()> {
        let exists = self
            .q("SELECT 1 AS x FROM child_involvements WHERE child_id = $1 AND agency_id = $2 AND kind = $3")
            .bind(child_id)
            .bind(agency_id)
            .bind(kind.slug())
            .fetch_optional(tx.conn())
            .await?
            .is_some();
        if !exists {
            self.q("INSERT INTO child_involvements (child_id, agency_id, kind, since) VALUES ($1,$2,$3,$4)").bind(child_id).bind(agency_id).bind(kind.slug()).bind(date_str(since)).execute(tx.conn()).await?;
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
        let sql = format!("SELECT child_id, agency_id, kind FROM child_involvements WHERE child_id IN ({}) ORDER BY agency_id, kind", placeholders(1, children.len()));
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
        let Some(basis) = viewer.basis(c.involvements.iter().copied()) else {
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
    pub async fn children_for(&self, viewer: &Viewer, name: Option<&str>, limit: i64, offset: i64) -> Result<(Vec<Child>, i64)> {
        let (cond, ids) = reach_sql(&viewer.reach(), 1);
        let mut sql_where = format!(" WHERE c.merged_into_id IS NULL AND {cond}");
        let name = name.map(|n| n.trim().to_lowercase()).filter(|n| !n.is_empty());
        if name.is_some() {
            sql_where.push_str(&format!(" AND (LOWER(c.last_name) LIKE ${0} OR LOWER(c.first_name) LIKE ${0})", ids.len() + 1));
        }
        let like = name.map(|n| format!("{}%", n.replace(['%', '_'], "")));
        let count_sql = format!("SELECT COUNT(*) AS n FROM children c{sql_where}");
        let mut q = self.q(&count_sql);
        for id in &ids {
            q = q.bind(*id);
        }
        if let Some(l) = &like {
            q = q.bind(l.clone());
        }
        let total = q.fetch_one(self.pool()).await?.i("n")?;
        let sql = format!("SELECT {CHILD_COLS} FROM children c{sql_where} ORDER BY c.last_name, c.first_name, c.id LIMIT {} OFFSET {}", limit.clamp(1, 1000), offset.max(0));
        let mut q = self.q(&sql);
        for id in &ids {
            q = q.bind(*id);
        }
        if let Some(l) = &like {
            q = q.bind(l.clone());
        }
        let mut out = q.fetch_all(self.pool()).await?.iter().map(child).collect::<Result<Vec<_>>>()?;
        self.attach_involvements(&mut out).await?;
        Ok((out, total))
    }
}
