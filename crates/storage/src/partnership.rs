//! The CSE partnership's people: agencies (and how far their involvement with a child
//! reaches their people), their SPOCs, and each person's agency, pathway role and
//! teams — from which [`Store::viewer`] builds the domain's [`Viewer`]. Children's
//! records are in [`crate::children`], behind [`crate::child_access`].

use std::collections::HashMap;

use assure_domain::partnership::{check_agency, check_level, AgencyDetails, AgencyInput, AgencyKind, InvolvementLevel, Team, Viewer};
use assure_domain::{Invalid, Role};
use serde::Serialize;

use crate::audit::Event;
use crate::{all_checks, Actor, Result, RowExt, Store, StoreError, WriteTx};

#[derive(Debug, Clone, Serialize)]
pub struct Agency {
    pub id: i64,
    pub name: String,
    pub kind: AgencyKind,
    pub active: bool,
    /// How far the agency's involvement with a child reaches its own people.
    pub level: InvolvementLevel,
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

/// The partnership's people: agencies and how far their involvement reaches, each person's agency and teams, SPOCs, and the viewer the rule reads (`store.partnership()`).
#[derive(Clone, Copy)]
pub struct Partnership<'s> {
    store: &'s Store,
}

impl Store {
    pub fn partnership(&self) -> Partnership<'_> {
        Partnership { store: self }
    }
}

impl std::ops::Deref for Partnership<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store
    }
}

impl Partnership<'_> {
    /// Add an agency; it is involved with children agency-wide or team by team as its
    /// kind suggests (see [`AgencyKind::default_level`]) until the partnership manager changes it.
    pub async fn create_agency(&self, actor: &Actor, name: &str, kind: Option<AgencyKind>) -> Result<i64> {
        let checked = check_agency(&AgencyInput { name: name.to_string(), kind });
        let mut found = Invalid::new();
        if self.q("SELECT id FROM agencies WHERE LOWER(name) = $1").bind(name.trim().to_lowercase()).fetch_optional(self.pool()).await?.is_some() {
            found.add("name", "There is already an agency with this name");
        }
        let AgencyDetails { name, kind, level } = all_checks(checked, found, AgencyInput::FIELDS)?.into_inner();
        let mut tx = self.write().await?;
        let id = self
            .q("INSERT INTO agencies (name, kind, involvement_level, created_at) VALUES ($1,$2,$3,$4) RETURNING id")
            .bind(name.clone())
            .bind(kind.slug())
            .bind(level.slug())
            .bind(self.store.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(actor, Event::new("agency.create", "agency", id, format!("agency {name} added ({})", level.slug()))).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Whether an agency's involvement with a child reaches all its people or only the
    /// teams (and people) involved. Applies at once to every child.
    pub async fn set_involvement_level(&self, actor: &Actor, agency_id: i64, level: Option<InvolvementLevel>) -> Result<()> {
        let level = check_level(level)?.into_inner();
        let mut tx = self.write().await?;
        let n = self
            .q("UPDATE agencies SET involvement_level = $1, version = version + 1 WHERE id = $2")
            .bind(level.slug())
            .bind(agency_id)
            .execute(tx.conn())
            .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(actor, Event::new("agency.level", "agency", agency_id, format!("involvement: {}", level.slug()))).await?;
        tx.commit().await
    }

    pub async fn agencies(&self) -> Result<Vec<Agency>> {
        self.q("SELECT id, name, kind, active, involvement_level FROM agencies ORDER BY name")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(Agency { id: r.i("id")?, name: r.s("name")?, kind: r.e("kind")?, active: r.i("active")? != 0, level: r.e("involvement_level")? })
            })
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

    /// Put a person in a team by hand. A membership an identity provider's groups gave
    /// becomes the administrator's: leaving the group no longer takes it away.
    pub async fn add_team_member(&self, actor: &Actor, team: Team, user_id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        self.q("DELETE FROM team_members WHERE team = $1 AND user_id = $2").bind(team.slug()).bind(user_id).execute(tx.conn()).await?;
        self.q("INSERT INTO team_members (team, user_id) VALUES ($1,$2)").bind(team.slug()).bind(user_id).execute(tx.conn()).await?;
        self.q("DELETE FROM oidc_team_grants WHERE team = $1 AND user_id = $2").bind(team.slug()).bind(user_id).execute(tx.conn()).await?;
        tx.audit(actor, Event::new("team.join", "user", user_id, format!("joined {}", team.slug()))).await?;
        tx.commit().await
    }

    /// Inside a write: put a person in a team unless they are in it already (whether
    /// they joined).
    pub(crate) async fn join_team(&self, tx: &mut WriteTx<'_>, team: Team, user_id: i64) -> Result<bool> {
        let n = self
            .q("INSERT INTO team_members (team, user_id) VALUES ($1,$2) ON CONFLICT (team, user_id) DO NOTHING")
            .bind(team.slug())
            .bind(user_id)
            .execute(tx.conn())
            .await?
            .rows_affected();
        Ok(n > 0)
    }

    /// Inside a write: take a person out of a team, with any record of an identity
    /// provider's groups having given it (whether they were in it).
    pub(crate) async fn leave_team(&self, tx: &mut WriteTx<'_>, team: Team, user_id: i64) -> Result<bool> {
        self.q("DELETE FROM oidc_team_grants WHERE team = $1 AND user_id = $2").bind(team.slug()).bind(user_id).execute(tx.conn()).await?;
        let n = self
            .q("DELETE FROM team_members WHERE team = $1 AND user_id = $2")
            .bind(team.slug())
            .bind(user_id)
            .execute(tx.conn())
            .await?
            .rows_affected();
        Ok(n > 0)
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
            .q("SELECT m.agency_id, u.role, a.involvement_level FROM partnership_members m JOIN users u ON u.id = m.user_id JOIN agencies a ON a.id = m.agency_id \
                WHERE m.user_id = $1 AND u.active = 1")
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
            .bind(self.store.now())
            .fetch_all(self.pool())
            .await?;
        // The children of the panel slots this person is invited to as a standing member
        // (the domain admits them only for the police and performance analysts).
        let panel = self
            .q("SELECT DISTINCT s.child_id FROM panel_invitations i JOIN panel_slots s ON s.id = i.slot_id WHERE i.user_id = $1 AND i.kind = $2 ORDER BY s.child_id")
            .bind(user_id)
            .bind(assure_domain::panels::InviteeKind::StandingMember.slug())
            .fetch_all(self.pool())
            .await?;
        // The children whose cases this person audits in a round running today: exactly
        // those assigned, from the round's first day to its last, until it is closed.
        let today = crate::date_str(self.store.today());
        let audited = self
            .q("SELECT DISTINCT c.child_id FROM audit_cases c JOIN audit_rounds r ON r.id = c.round_id \
                WHERE c.auditor_id = $1 AND r.status = 'open' AND r.starts_on <= $2 AND r.ends_on >= $2 ORDER BY c.child_id")
            .bind(user_id)
            .bind(today)
            .fetch_all(self.pool())
            .await?;
        Ok(Some(Viewer {
            user_id,
            role,
            agency_id: m.i("agency_id")?,
            agency_wide: m.e::<InvolvementLevel>("involvement_level")? == InvolvementLevel::AgencyWide,
            teams: teams.iter().map(|r| r.e("team")).collect::<Result<_>>()?,
            spoc_for: spoc.iter().map(|r| r.i("agency_id")).collect::<Result<_>>()?,
            emergency_children: grants.iter().map(|r| r.i("child_id")).collect::<Result<_>>()?,
            panel_children: panel.iter().map(|r| r.i("child_id")).collect::<Result<_>>()?,
            audit_children: audited.iter().map(|r| r.i("child_id")).collect::<Result<_>>()?,
        }))
    }

    /// Take a person out of a team by hand (however they joined it).
    pub async fn remove_team_member(&self, actor: &Actor, team: Team, user_id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        if self.leave_team(&mut tx, team, user_id).await? {
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
        let users = self.users().list().await?;
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
