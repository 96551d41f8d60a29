//! MACSE panels in storage: the fortnightly series, each panel's agenda of young
//! people's slots (always filtered by the reader's reach), invitations, attendance and
//! minutes. Minutes are kept per young person's slot (read with that child's record,
//! under its rule) and as general business that names no child. Slot rules come from
//! the domain; invitations of an agency make it involved with the child (and so able
//! to see the record).

use assure_domain::panels::{
    check_attendance, check_invitation, check_minutes, check_panel_date, check_series, check_slot, parse_time, Attendance, Booked, InvitationInput,
    InviteeKind, PanelDate, PanelStatus, Slot, STANDING_TEAMS,
};
use assure_domain::partnership::{InvolvementKind, Reach, Scope, Section, Team};
use assure_domain::referral::MashDecision;
use assure_domain::{Invalid, Permission};
use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::audit::Event;
use crate::child_access::{push_reach, ChildKey, ChildRecord, Reader};
use crate::sql::Sql;
use crate::{all_checks, date_str, Actor, Result, RowExt, Store, StoreError, WriteTx};

#[derive(Debug, Clone, Serialize)]
pub struct Panel {
    pub id: i64,
    pub meeting_date: NaiveDate,
    pub location: String,
    pub status: PanelStatus,
    /// General business, naming no child: for those who run panels and those invited
    /// to this one (empty for anyone else).
    pub business: String,
    /// Minutes written before they were kept per young person: only for the teams that
    /// see every child (empty for anyone else).
    pub earlier_minutes: String,
    pub version: i64,
}

/// A panel in a list, with how many of its slots are for children the viewer may see.
#[derive(Debug, Clone, Serialize)]
pub struct PanelSummary {
    pub panel: Panel,
    pub visible_slots: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Invitation {
    pub id: i64,
    pub slot_id: i64,
    pub kind: InviteeKind,
    pub user_id: Option<i64>,
    pub agency_id: Option<i64>,
    pub name: String,
    pub attendance: Option<Attendance>,
    /// Must attend (the home authority of a child placed from elsewhere).
    pub must_attend: bool,
}

/// One young person's slot on an agenda.
#[derive(Debug, Clone, Serialize)]
pub struct AgendaSlot {
    pub id: i64,
    pub panel_id: i64,
    pub child_id: i64,
    pub child_name: String,
    pub slot: Slot,
    pub invitations: Vec<Invitation>,
    /// The panel's discussion of this young person (their part of the minutes).
    pub discussion: String,
    pub discussion_version: i64,
}

/// A slot on a child's record: the panel, its date, the slot and the discussion.
#[derive(Debug, Clone, Serialize)]
pub struct ChildSlot {
    pub id: i64,
    pub panel_id: i64,
    pub meeting_date: NaiveDate,
    pub slot: Slot,
    pub discussion: String,
}

/// Someone the system proposes to invite to a slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposed {
    pub kind: InviteeKind,
    pub user_id: Option<i64>,
    pub agency_id: Option<i64>,
    pub name: String,
}

impl Proposed {
    fn person(kind: InviteeKind, r: &AnyRow, with_agency: bool) -> Result<Proposed> {
        Ok(Proposed { kind, user_id: Some(r.i("id")?), agency_id: if with_agency { Some(r.i("agency_id")?) } else { None }, name: r.s("name")? })
    }
}

const PANEL_COLS: &str = "p.id, p.meeting_date, p.location, p.status, p.business, p.minutes, p.version";

/// A panel as this reader may read it: general business for those who run panels and
/// those invited to it; minutes from before the split for the teams that see every child.
fn panel(r: &AnyRow, reader: &Reader, invited: bool) -> Result<Panel> {
    let business = if reader.can(Permission::RunPanels) || invited { r.s("business")? } else { String::new() };
    let earlier_minutes = if reader.reach() == Reach::EveryChild { r.s("minutes")? } else { String::new() };
    Ok(Panel {
        id: r.i("id")?,
        meeting_date: r.d("meeting_date")?,
        location: r.s("location")?,
        status: r.e("status")?,
        business,
        earlier_minutes,
        version: r.i("version")?,
    })
}

fn invitation(r: &AnyRow) -> Result<Invitation> {
    Ok(Invitation {
        id: r.i("id")?,
        slot_id: r.i("slot_id")?,
        kind: r.e("kind")?,
        user_id: r.oi("user_id")?,
        agency_id: r.oi("agency_id")?,
        name: r.s("name")?,
        attendance: r.oe("attendance")?,
        must_attend: r.i("must_attend")? != 0,
    })
}

fn stored_slot(r: &AnyRow) -> Result<Slot> {
    let s = r.s("starts_at")?;
    let start = parse_time(&s).ok_or_else(|| StoreError::Corrupt(format!("slot time {s:?}")))?;
    Ok(Slot { start, minutes: r.i("minutes")?.max(0) as u32 })
}

impl Store {
    /// Is this person invited to any slot of the panel (they may read its general business)?
    async fn invited_to_panel(&self, panel_id: i64, user_id: i64) -> Result<bool> {
        Ok(self
            .q("SELECT i.id FROM panel_invitations i JOIN panel_slots s ON s.id = i.slot_id WHERE s.panel_id = $1 AND i.user_id = $2 LIMIT 1")
            .bind(panel_id)
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?
            .is_some())
    }

    async fn slot_child(&self, tx: &mut WriteTx<'_>, panel_id: i64, slot_id: i64) -> Result<i64> {
        self.q("SELECT child_id FROM panel_slots WHERE id = $1 AND panel_id = $2")
            .bind(slot_id)
            .bind(panel_id)
            .fetch_optional(tx.conn())
            .await?
            .ok_or(StoreError::NotFound)?
            .i("child_id")
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn insert_invitation(
        &self,
        tx: &mut WriteTx<'_>,
        actor: &Actor,
        child: i64,
        slot_id: i64,
        kind: InviteeKind,
        user_id: Option<i64>,
        agency_id: Option<i64>,
        name: &str,
        on: NaiveDate,
    ) -> Result<i64> {
        let id = self
            .q("INSERT INTO panel_invitations (slot_id, kind, user_id, agency_id, name, created_at, must_attend) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id")
            .bind(slot_id)
            .bind(kind.slug())
            .bind(user_id)
            .bind(agency_id)
            .bind(name.to_string())
            .bind(self.now())
            .bind(i64::from(kind.must_attend()))
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        let who = match (user_id, agency_id) {
            (Some(u), Some(a)) => format!("user {u}, agency {a}"),
            (Some(u), None) => format!("user {u}"),
            (None, Some(a)) => format!("agency {a}"),
            (None, None) => "by name".into(),
        };
        let must = if kind.must_attend() { ", must attend" } else { "" };
        tx.audit(actor, Event::new("panel.invite", "child", child, format!("invitation {id} to slot {slot_id}: {} ({who}){must}", kind.slug())))
            .await?;
        if let Some(a) = agency_id {
            // A person invited involves their agency through them; an agency invited, as a whole.
            let scope = user_id.map(Scope::Person).unwrap_or(Scope::Agency);
            self.involve(tx, actor, child, a, InvolvementKind::InvitedToPanel, scope, on).await?;
        }
        Ok(id)
    }
}

impl ChildRecord {
    /// The slots the child has had or has at panels, with the panel's discussion of them.
    pub async fn slots(&self) -> Result<Vec<ChildSlot>> {
        self.require(Section::PanelMinutes).await?;
        self.store
            .q("SELECT s.id, p.id AS panel_id, p.meeting_date, s.starts_at, s.minutes, s.discussion FROM panel_slots s JOIN panels p ON p.id = s.panel_id \
                WHERE s.child_id = $1 ORDER BY p.meeting_date")
            .bind(self.id())
            .fetch_all(self.store.pool())
            .await?
            .iter()
            .map(|r| Ok(ChildSlot { id: r.i("id")?, panel_id: r.i("panel_id")?, meeting_date: r.d("meeting_date")?, slot: stored_slot(r)?, discussion: r.s("discussion")? }))
            .collect()
    }

    /// This child's slot at this panel (not found for another child's slot).
    async fn own_slot(&self, panel_id: i64, slot_id: i64) -> Result<()> {
        let mut conn = self.store.pool().acquire().await?;
        let child = self
            .store
            .q("SELECT child_id FROM panel_slots WHERE id = $1 AND panel_id = $2")
            .bind(slot_id)
            .bind(panel_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?
            .i("child_id")?;
        if child == self.id() {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// Who should be invited to the child's slot: the SPOCs and practitioners of the
    /// agencies involved with the child who may see the child under the one rule (a
    /// team-level agency's people only through their own team's involvement, nobody
    /// through police-only material but the police), the police CSE investigators and
    /// the MACSE panel's standing members (each person once). Proposing never widens
    /// anyone's reach.
    pub async fn proposed_invitees(&self) -> Result<Vec<Proposed>> {
        let (store, child) = (&self.store, self.id());
        let involvements = store.child_with_involvements(child).await?.map(|c| c.involvements).unwrap_or_default();
        let mut out: Vec<Proposed> = Vec::new();
        // The named CSE reviewing officer of an open child protection case attends MACSE for the child.
        for r in store
            .q("SELECT DISTINCT u.id, u.name, m.agency_id FROM cp_cases k JOIN users u ON u.id = k.reviewing_officer_id \
                JOIN partnership_members m ON m.user_id = u.id WHERE k.child_id = $1 AND k.closed_on IS NULL AND u.active = 1 ORDER BY u.id")
            .bind(child)
            .fetch_all(store.pool())
            .await?
        {
            out.push(Proposed {
                kind: InviteeKind::CseReviewingOfficer,
                user_id: Some(r.i("id")?),
                agency_id: Some(r.i("agency_id")?),
                name: r.s("name")?,
            });
        }
        let mut candidates: Vec<Proposed> = Vec::new();
        for r in store
            .q("SELECT DISTINCT u.id, u.name, s.agency_id FROM agency_spocs s JOIN users u ON u.id = s.user_id \
                WHERE u.active = 1 AND s.agency_id IN (SELECT agency_id FROM child_involvements WHERE child_id = $1) ORDER BY u.id")
            .bind(child)
            .fetch_all(store.pool())
            .await?
        {
            candidates.push(Proposed { kind: InviteeKind::Spoc, user_id: Some(r.i("id")?), agency_id: Some(r.i("agency_id")?), name: r.s("name")? });
        }
        for r in store
            .q("SELECT u.id, u.name, m.agency_id FROM partnership_members m JOIN users u ON u.id = m.user_id \
                WHERE u.active = 1 AND u.role = 'practitioner' AND m.agency_id IN (SELECT agency_id FROM child_involvements WHERE child_id = $1) ORDER BY u.id")
            .bind(child)
            .fetch_all(store.pool())
            .await?
        {
            candidates.push(Proposed { kind: InviteeKind::Practitioner, user_id: Some(r.i("id")?), agency_id: Some(r.i("agency_id")?), name: r.s("name")? });
        }
        let push = |p: Proposed, out: &mut Vec<Proposed>| {
            if !out.iter().any(|o| o.user_id == p.user_id) {
                out.push(p);
            }
        };
        for p in candidates {
            let Some(uid) = p.user_id else { continue };
            // The same rule as every view: only people who may already see the child.
            if store.partnership().viewer(uid).await?.is_some_and(|v| v.may_see_child(child, involvements.iter().copied())) {
                push(p, &mut out);
            }
        }
        for r in store
            .q("SELECT u.id, u.name, m.agency_id FROM partnership_members m JOIN users u ON u.id = m.user_id WHERE u.active = 1 AND u.role = 'police-cse-officer' ORDER BY u.id")
            .fetch_all(store.pool())
            .await?
        {
            push(Proposed { kind: InviteeKind::PoliceInvestigator, user_id: Some(r.i("id")?), agency_id: Some(r.i("agency_id")?), name: r.s("name")? }, &mut out);
        }
        // Standing members sit on the panel for every child (the panel, the police analyst
        // and the performance analyst): their own agency is not thereby involved.
        let mut sql = Sql::new("SELECT u.id, u.name, t.team FROM team_members t JOIN users u ON u.id = t.user_id WHERE u.active = 1 AND t.team IN (");
        sql.bind_list(STANDING_TEAMS.iter().map(|t| t.slug())).push(") ORDER BY u.id, t.team");
        for r in sql.query(store).fetch_all(store.pool()).await? {
            let mut p = Proposed::person(InviteeKind::StandingMember, &r, false)?;
            if let Some(team) = r.oe::<Team>("team")?.filter(|t| *t != Team::MacsePanel) {
                let role = if team == Team::PoliceAnalyst { "police analyst" } else { "performance analyst" };
                p.name = format!("{} ({role})", p.name);
            }
            push(p, &mut out);
        }
        // A child placed here by another authority: that (home) authority must attend.
        let placed = store
            .q("SELECT placing_authority FROM placement_notifications WHERE child_id = $1 AND (end_date IS NULL OR end_date >= $2) \
                ORDER BY start_date DESC, id DESC LIMIT 1")
            .bind(child)
            .bind(crate::date_str(store.today()))
            .fetch_optional(store.pool())
            .await?;
        if let Some(r) = placed {
            out.push(Proposed { kind: InviteeKind::HomeAuthority, user_id: None, agency_id: None, name: r.s("placing_authority")? });
        }
        Ok(out)
    }

    /// Invite everyone proposed for the child's slot who is not invited yet; returns how many were added.
    pub async fn invite_proposed(&self, panel_id: i64, slot_id: i64, on: NaiveDate) -> Result<usize> {
        self.require_permission(Permission::RunPanels, "panel-invitation").await?;
        self.own_slot(panel_id, slot_id).await?;
        let proposed = self.proposed_invitees().await?;
        let store = &self.store;
        let mut tx = store.write().await?;
        let child = store.slot_child(&mut tx, panel_id, slot_id).await?;
        let mut added = 0;
        for p in proposed {
            let already = match p.user_id {
                Some(u) => store.q("SELECT id FROM panel_invitations WHERE slot_id = $1 AND user_id = $2").bind(slot_id).bind(u),
                None => store
                    .q("SELECT id FROM panel_invitations WHERE slot_id = $1 AND kind = $2 AND name = $3")
                    .bind(slot_id)
                    .bind(p.kind.slug())
                    .bind(p.name.clone()),
            }
            .fetch_optional(tx.conn())
            .await?
            .is_some();
            if !already {
                store.insert_invitation(&mut tx, self.actor(), child, slot_id, p.kind, p.user_id, p.agency_id, &p.name, on).await?;
                added += 1;
            }
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Invite one person or agency to the child's slot (a young person or parent by name;
    /// a professional by account, or an agency). An agency invited becomes involved with the child.
    #[allow(clippy::too_many_arguments)]
    pub async fn invite(
        &self,
        panel_id: i64,
        slot_id: i64,
        kind: Option<InviteeKind>,
        user_id: Option<i64>,
        agency_id: Option<i64>,
        name: &str,
        on: NaiveDate,
    ) -> Result<i64> {
        self.require_permission(Permission::RunPanels, "panel-invitation").await?;
        self.own_slot(panel_id, slot_id).await?;
        let store = &self.store;
        // A person chosen fills a blank name (and, unless a standing member, their agency).
        let (mut name, mut agency_id) = (name.trim().to_string(), agency_id);
        let mut found = Invalid::new();
        if let Some(u) = user_id {
            match store
                .q("SELECT u.name, m.agency_id FROM users u LEFT JOIN partnership_members m ON m.user_id = u.id WHERE u.id = $1 AND u.active = 1")
                .bind(u)
                .fetch_optional(store.pool())
                .await?
            {
                None => found.add("user_id", "Select a person from the list"),
                Some(r) => {
                    if name.is_empty() {
                        name = r.s("name")?;
                    }
                    if agency_id.is_none() && kind != Some(InviteeKind::StandingMember) {
                        agency_id = r.oi("agency_id")?;
                    }
                }
            }
        }
        if let Some(a) = agency_id {
            if store.q("SELECT id FROM agencies WHERE id = $1").bind(a).fetch_optional(store.pool()).await?.is_none() {
                found.add("agency_id", "Select an agency from the list");
            }
        }
        let checked = check_invitation(&InvitationInput { kind, user_id, agency_id, name });
        let i = all_checks(checked, found, InvitationInput::FIELDS)?.into_inner();
        let mut tx = store.write().await?;
        let child = store.slot_child(&mut tx, panel_id, slot_id).await?;
        let id = store.insert_invitation(&mut tx, self.actor(), child, slot_id, i.kind, i.user_id, i.agency_id, &i.name, on).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Record whether an invitee to the child's slot came.
    pub async fn record_attendance(&self, panel_id: i64, slot_id: i64, invitation_id: i64, attendance: Option<Attendance>) -> Result<()> {
        self.require_permission(Permission::RunPanels, "panel-attendance").await?;
        self.own_slot(panel_id, slot_id).await?;
        let a = check_attendance(attendance)?.into_inner();
        let store = &self.store;
        let mut tx = store.write().await?;
        let child = store.slot_child(&mut tx, panel_id, slot_id).await?;
        let n = store
            .q("UPDATE panel_invitations SET attendance = $1 WHERE id = $2 AND slot_id = $3")
            .bind(a.slug())
            .bind(invitation_id)
            .bind(slot_id)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(self.actor(), Event::new("panel.attendance", "child", child, format!("invitation {invitation_id}: {}", a.slug()))).await?;
        tx.commit().await
    }

    /// Save the panel's discussion of the child (their part of the minutes), if nobody
    /// else has since `version`. Audited against the child; the text stays in the record.
    pub async fn save_discussion(&self, panel_id: i64, slot_id: i64, version: i64, text: &str) -> Result<()> {
        self.require_permission(Permission::RunPanels, "panel-minutes").await?;
        self.own_slot(panel_id, slot_id).await?;
        let text = check_minutes("discussion", text, "The minutes of the discussion")?.into_inner();
        let store = &self.store;
        let mut tx = store.write().await?;
        let n = store
            .q("UPDATE panel_slots SET discussion = $1, discussion_version = discussion_version + 1 WHERE id = $2 AND panel_id = $3 AND discussion_version = $4")
            .bind(text)
            .bind(slot_id)
            .bind(panel_id)
            .bind(version)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        tx.audit(
            self.actor(),
            Event::new("panel.minutes", "child", self.id(), format!("slot {slot_id} at panel {panel_id}: minutes of the discussion saved")),
        )
        .await?;
        tx.commit().await
    }
}

/// MACSE panels as a reader sees them: the series, each agenda within reach, slots, general business (`store.panels(&reader)`).
#[derive(Clone, Copy)]
pub struct Panels<'s> {
    store: &'s Store,
    reader: &'s Reader,
}

impl Store {
    pub fn panels<'s>(&'s self, reader: &'s Reader) -> Panels<'s> {
        Panels { store: self, reader }
    }
}

impl std::ops::Deref for Panels<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store
    }
}

impl Panels<'_> {
    /// Every panel, by date, with the number of its slots for children in the reader's reach.
    pub async fn list(&self) -> Result<Vec<PanelSummary>> {
        let mut sql = Sql::new(format!(
            "SELECT {PANEL_COLS}, (SELECT COUNT(*) FROM panel_slots s JOIN children c ON c.id = s.child_id WHERE s.panel_id = p.id AND "
        ));
        push_reach(&mut sql, &self.reader.reach(), "c.id");
        sql.push(") AS visible_slots FROM panels p ORDER BY p.meeting_date");
        // The list shows no minutes: nobody's invitations are looked up for it.
        sql.query(self)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                let mut panel = panel(r, self.reader, false)?;
                (panel.business, panel.earlier_minutes) = (String::new(), String::new());
                Ok(PanelSummary { panel, visible_slots: r.i("visible_slots")? })
            })
            .collect()
    }

    /// One panel as the reader may read it (see [`Panel`]).
    pub async fn get(&self, id: i64) -> Result<Panel> {
        let sql = format!("SELECT {PANEL_COLS} FROM panels p WHERE p.id = $1");
        let row = self.q(&sql).bind(id).fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        let invited = self.invited_to_panel(id, self.reader.user_id()).await?;
        panel(&row, self.reader, invited)
    }

    /// A panel's agenda: the slots of children in the reader's reach only, by time, with
    /// their invitations and their part of the minutes.
    pub async fn agenda(&self, panel_id: i64) -> Result<Vec<AgendaSlot>> {
        let mut sql = Sql::new(
            "SELECT s.id, s.panel_id, s.child_id, s.starts_at, s.minutes, s.discussion, s.discussion_version, c.first_name, c.last_name \
             FROM panel_slots s JOIN children c ON c.id = s.child_id WHERE s.panel_id = ",
        );
        sql.bind(panel_id).push(" AND ");
        push_reach(&mut sql, &self.reader.reach(), "c.id");
        sql.push(" ORDER BY s.starts_at, s.id");
        let mut slots = Vec::new();
        for r in sql.query(self).fetch_all(self.pool()).await? {
            slots.push(AgendaSlot {
                id: r.i("id")?,
                panel_id: r.i("panel_id")?,
                child_id: r.i("child_id")?,
                child_name: format!("{} {}", r.s("first_name")?, r.s("last_name")?),
                slot: stored_slot(&r)?,
                invitations: Vec::new(),
                discussion: r.s("discussion")?,
                discussion_version: r.i("discussion_version")?,
            });
        }
        if slots.is_empty() {
            return Ok(slots);
        }
        let mut sql =
            Sql::new("SELECT id, slot_id, kind, user_id, agency_id, name, attendance, must_attend FROM panel_invitations WHERE slot_id IN (");
        sql.bind_list(slots.iter().map(|s| s.id)).push(") ORDER BY id");
        for r in sql.query(self).fetch_all(self.pool()).await? {
            let inv = invitation(&r)?;
            if let Some(s) = slots.iter_mut().find(|s| s.id == inv.slot_id) {
                s.invitations.push(inv);
            }
        }
        Ok(slots)
    }

    /// Book a young person's slot: inside the panel's hours, no clash, one per child
    /// per panel. The child must be one the booker may see: another number reads as no
    /// child at all (and the attempt is audited). A clash or bad input is refused with a
    /// message and nothing is saved.
    pub async fn book_slot(&self, panel_id: i64, child_id: Option<i64>, start: Option<NaiveTime>, minutes: Option<i64>) -> Result<i64> {
        if !self.reader.can(Permission::RunPanels) {
            return Err(self.refuse(self.reader.actor(), "panel", &panel_id.to_string(), "panel slot: refused, the role does not allow it").await);
        }
        if let Some(c) = child_id {
            if !self.in_reach(self.reader.viewer(), c).await? {
                self.record_refusal(self.reader.actor(), ChildKey::Child(c), "panel-slot: refused, no such child in the booker's reach").await?;
                return Err(Invalid::single(
                    "child_id",
                    format!("There is no child with record number {c} that you may book: check the number on the child's record"),
                )
                .into());
            }
        }
        let actor = self.reader.actor();
        let mut tx = self.write().await?;
        // Take the panel's row so two bookings for the same panel are made one after the other.
        let n = self.q("UPDATE panels SET version = version WHERE id = $1").bind(panel_id).execute(tx.conn()).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        let booked = self
            .q("SELECT child_id, starts_at, minutes FROM panel_slots WHERE panel_id = $1")
            .bind(panel_id)
            .fetch_all(tx.conn())
            .await?
            .iter()
            .map(|r| Ok(Booked { child_id: r.i("child_id")?, slot: stored_slot(r)? }))
            .collect::<Result<Vec<_>>>()?;
        let slot = check_slot(&booked, child_id, start, minutes)?;
        let Some(child_id) = child_id else { return Err(Invalid::single("child_id", "Select the young person the slot is for").into()) };
        let id = self
            .q("INSERT INTO panel_slots (panel_id, child_id, starts_at, minutes, created_at) VALUES ($1,$2,$3,$4,$5) RETURNING id")
            .bind(panel_id)
            .bind(child_id)
            .bind(slot.start.format("%H:%M").to_string())
            .bind(slot.minutes as i64)
            .bind(self.store.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(actor, Event::new("panel.slot", "child", child_id, format!("slot {} at panel {panel_id}: {}", id, slot.label()))).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The young people a slot at this panel may be booked for, by name: in the reader's
    /// reach, decided for MACSE by the MASH (or child in need with MACSE overview) or with a
    /// plan to review, and without a slot at this panel yet.
    pub async fn slot_candidates(&self, panel_id: i64) -> Result<Vec<(i64, String)>> {
        let mut sql = Sql::new("SELECT c.id, c.first_name, c.last_name FROM children c WHERE c.merged_into_id IS NULL AND (c.id IN (SELECT r.child_id FROM referrals r WHERE r.decision IN (");
        sql.bind(MashDecision::Macse.slug()).push(",").bind(MashDecision::ChildInNeedAndMacse.slug());
        sql.push(") OR r.follow_on = ").bind(MashDecision::Macse.slug());
        sql.push(") OR c.id IN (SELECT p.child_id FROM plans p)) AND c.id NOT IN (SELECT s.child_id FROM panel_slots s WHERE s.panel_id = ")
            .bind(panel_id)
            .push(") AND ");
        push_reach(&mut sql, &self.reader.reach(), "c.id");
        sql.push(" ORDER BY c.last_name, c.first_name, c.id LIMIT 500");
        sql.query(self)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok((r.i("id")?, format!("{} {}", r.s("first_name")?, r.s("last_name")?))))
            .collect()
    }

    /// Save a panel's general business (which names no child), if nobody else has since
    /// the reader read it.
    pub async fn save_business(&self, panel_id: i64, version: i64, business: &str, status: Option<PanelStatus>) -> Result<()> {
        if !self.reader.can(Permission::RunPanels) {
            return Err(self.refuse(self.reader.actor(), "panel", &panel_id.to_string(), "panel minutes: refused, the role does not allow it").await);
        }
        let business = check_minutes("minutes", business, "The minutes of general business")?.into_inner();
        let current = self.get(panel_id).await?;
        let status = status.unwrap_or(current.status);
        let mut tx = self.write().await?;
        let n = self
            .q("UPDATE panels SET business = $1, status = $2, version = version + 1 WHERE id = $3 AND version = $4")
            .bind(business)
            .bind(status.slug())
            .bind(panel_id)
            .bind(version)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        tx.audit(self.reader.actor(), Event::new("panel.minutes", "panel", panel_id, format!("general business saved; status {}", status.slug())))
            .await?;
        tx.commit().await
    }
}

/// The panels' calendar: the fortnightly series and moving a panel (no child data;
/// `store.panel_calendar()`).
#[derive(Clone, Copy)]
pub struct PanelCalendar<'s> {
    store: &'s Store,
}

impl Store {
    pub fn panel_calendar(&self) -> PanelCalendar<'_> {
        PanelCalendar { store: self }
    }
}

impl std::ops::Deref for PanelCalendar<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store
    }
}

impl PanelCalendar<'_> {
    /// Add the fortnightly panels from `first` to `until`, skipping dates that already
    /// have a panel. Returns the ids of the panels added.
    pub async fn generate_series(&self, actor: &Actor, first: Option<NaiveDate>, until: Option<NaiveDate>, location: &str) -> Result<Vec<i64>> {
        let dates = check_series(first, until)?;
        let mut tx = self.write().await?;
        let mut added = Vec::new();
        for d in dates.into_inner() {
            let exists = self.q("SELECT id FROM panels WHERE meeting_date = $1").bind(date_str(d)).fetch_optional(tx.conn()).await?.is_some();
            if exists {
                continue;
            }
            let id = self
                .q("INSERT INTO panels (meeting_date, location, status, created_at) VALUES ($1,$2,$3,$4) RETURNING id")
                .bind(date_str(d))
                .bind(location.trim().to_string())
                .bind(PanelStatus::Scheduled.slug())
                .bind(self.store.now())
                .fetch_one(tx.conn())
                .await?
                .i("id")?;
            tx.audit(actor, Event::new("panel.create", "panel", id, format!("panel on {}", date_str(d)))).await?;
            added.push(id);
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Move a panel to another date (not one that already has a panel).
    pub async fn set_date(&self, actor: &Actor, panel_id: i64, version: i64, date: Option<NaiveDate>, location: &str) -> Result<()> {
        let checked = check_panel_date(date, location);
        let mut found = Invalid::new();
        if let Some(d) = date {
            if self
                .q("SELECT id FROM panels WHERE meeting_date = $1 AND id <> $2")
                .bind(date_str(d))
                .bind(panel_id)
                .fetch_optional(self.pool())
                .await?
                .is_some()
            {
                found.add("meeting_date", "There is already a panel on this date: choose another date");
            }
        }
        let PanelDate { date, location } = all_checks(checked, found, &["meeting_date", "location"])?.into_inner();
        let mut tx = self.write().await?;
        let n = self
            .q("UPDATE panels SET meeting_date = $1, location = $2, version = version + 1 WHERE id = $3 AND version = $4")
            .bind(date_str(date))
            .bind(location)
            .bind(panel_id)
            .bind(version)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            if self.q("SELECT id FROM panels WHERE id = $1").bind(panel_id).fetch_optional(self.pool()).await?.is_none() {
                return Err(StoreError::NotFound);
            }
            return Err(StoreError::Conflict);
        }
        tx.audit(actor, Event::new("panel.date", "panel", panel_id, format!("moved to {}", date_str(date)))).await?;
        tx.commit().await
    }
}
