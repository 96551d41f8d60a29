//! MACSE panels in storage: the fortnightly series, each panel's agenda of young
//! people's slots (always filtered by the viewer's reach), invitations, attendance and
//! minutes. Slot rules come from the domain; invitations of an agency make it involved
//! with the child (and so able to see the record).

use assure_domain::panels::{parse_time, validate_series, validate_slot, Attendance, Booked, InviteeKind, PanelStatus, Slot};
use assure_domain::partnership::{InvolvementKind, Viewer};
use assure_domain::referral::MashDecision;
use assure_domain::Invalid;
use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::audit::Event;
use crate::partnership::reach_sql;
use crate::{date_str, now, Actor, Result, RowExt, Store, StoreError, WriteTx};

#[derive(Debug, Clone, Serialize)]
pub struct Panel {
    pub id: i64,
    pub meeting_date: NaiveDate,
    pub location: String,
    pub status: PanelStatus,
    pub minutes: String,
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
}

/// Someone the system proposes to invite to a slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposed {
    pub kind: InviteeKind,
    pub user_id: Option<i64>,
    pub agency_id: Option<i64>,
    pub name: String,
}

const PANEL_COLS: &str = "p.id, p.meeting_date, p.location, p.status, p.minutes, p.version";

fn panel(r: &AnyRow) -> Result<Panel> {
    Ok(Panel {
        id: r.i("id")?,
        meeting_date: r.d("meeting_date")?,
        location: r.s("location")?,
        status: r.e("status")?,
        minutes: r.s("minutes")?,
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
    })
}

fn stored_slot(r: &AnyRow) -> Result<Slot> {
    let s = r.s("starts_at")?;
    let start = parse_time(&s).ok_or_else(|| StoreError::Corrupt(format!("slot time {s:?}")))?;
    Ok(Slot { start, minutes: r.i("minutes")?.max(0) as u32 })
}

impl Store {
    /// Add the fortnightly panels from `first` to `until`, skipping dates that already
    /// have a panel. Returns the ids of the panels added.
    pub async fn generate_panel_series(&self, actor: &Actor, first: Option<NaiveDate>, until: Option<NaiveDate>, location: &str) -> Result<Vec<i64>> {
        let dates = validate_series(first, until)?;
        let mut tx = self.write().await?;
        let mut added = Vec::new();
        for d in dates {
            let exists = self.q("SELECT id FROM panels WHERE meeting_date = $1").bind(date_str(d)).fetch_optional(tx.conn()).await?.is_some();
            if exists {
                continue;
            }
            let id = self
                .q("INSERT INTO panels (meeting_date, location, status, created_at) VALUES ($1,$2,$3,$4) RETURNING id")
                .bind(date_str(d))
                .bind(location.trim().to_string())
                .bind(PanelStatus::Scheduled.slug())
                .bind(now())
                .fetch_one(tx.conn())
                .await?
                .i("id")?;
            tx.audit(actor, Event::new("panel.create", "panel", id, format!("panel on {}", date_str(d)))).await?;
            added.push(id);
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Every panel, by date, with the number of its slots for children in the viewer's reach.
    pub async fn panels_for(&self, viewer: &Viewer) -> Result<Vec<PanelSummary>> {
        let (cond, ids) = reach_sql(&viewer.reach(), 1);
        let sql = format!(
            "SELECT {PANEL_COLS}, (SELECT COUNT(*) FROM panel_slots s JOIN children c ON c.id = s.child_id WHERE s.panel_id = p.id AND {cond}) AS visible_slots FROM panels p ORDER BY p.meeting_date"
        );
        let mut q = self.q(&sql);
        for id in ids {
            q = q.bind(id);
        }
        q.fetch_all(self.pool()).await?.iter().map(|r| Ok(PanelSummary { panel: panel(r)?, visible_slots: r.i("visible_slots")? })).collect()
    }

    pub async fn panel(&self, id: i64) -> Result<Panel> {
        let sql = format!("SELECT {PANEL_COLS} FROM panels p WHERE p.id = $1");
        panel(&self.q(&sql).bind(id).fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?)
    }

    /// A panel's agenda: the slots of children in the viewer's reach only, by time, with their invitations.
    pub async fn agenda(&self, viewer: &Viewer, panel_id: i64) -> Result<Vec<AgendaSlot>> {
        let (cond, ids) = reach_sql(&viewer.reach(), 2);
        let sql = format!(
            "SELECT s.id, s.panel_id, s.child_id, s.starts_at, s.minutes, c.first_name, c.last_name FROM panel_slots s JOIN children c ON c.id = s.child_id WHERE s.panel_id = $1 AND {cond} ORDER BY s.starts_at, s.id"
        );
        let mut q = self.q(&sql).bind(panel_id);
        for id in ids {
            q = q.bind(id);
        }
        let mut slots = Vec::new();
        for r in q.fetch_all(self.pool()).await? {
            slots.push(AgendaSlot {
                id: r.i("id")?,
                panel_id: r.i("panel_id")?,
                child_id: r.i("child_id")?,
                child_name: format!("{} {}", r.s("first_name")?, r.s("last_name")?),
                slot: stored_slot(&r)?,
                invitations: Vec::new(),
            });
        }
        if slots.is_empty() {
            return Ok(slots);
        }
        let sql = format!(
            "SELECT id, slot_id, kind, user_id, agency_id, name, attendance FROM panel_invitations WHERE slot_id IN ({}) ORDER BY id",
            crate::tracker::placeholders(1, slots.len())
        );
        let mut q = self.q(&sql);
        for s in &slots {
            q = q.bind(s.id);
        }
        for r in q.fetch_all(self.pool()).await? {
            let inv = invitation(&r)?;
            if let Some(s) = slots.iter_mut().find(|s| s.id == inv.slot_id) {
                s.invitations.push(inv);
            }
        }
        Ok(slots)
    }

    /// The slots a child has had or has at panels: (panel id, meeting date, slot).
    pub async fn child_slots(&self, child_id: i64) -> Result<Vec<(i64, NaiveDate, Slot)>> {
        self.q("SELECT p.id, p.meeting_date, s.starts_at, s.minutes FROM panel_slots s JOIN panels p ON p.id = s.panel_id WHERE s.child_id = $1 ORDER BY p.meeting_date")
            .bind(child_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok((r.i("id")?, r.d("meeting_date")?, stored_slot(r)?)))
            .collect()
    }

    /// Is this person invited to any slot of the panel (they may read its minutes)?
    pub async fn invited_to_panel(&self, panel_id: i64, user_id: i64) -> Result<bool> {
        Ok(self
            .q("SELECT i.id FROM panel_invitations i JOIN panel_slots s ON s.id = i.slot_id WHERE s.panel_id = $1 AND i.user_id = $2 LIMIT 1")
            .bind(panel_id)
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?
            .is_some())
    }

    /// Book a young person's slot: inside the panel's hours, no clash, one per child
    /// per panel. A clash or bad input is refused with a message and nothing is saved.
    pub async fn book_slot(
        &self,
        actor: &Actor,
        panel_id: i64,
        child_id: Option<i64>,
        start: Option<NaiveTime>,
        minutes: Option<i64>,
    ) -> Result<i64> {
        let mut tx = self.write().await?;
        // Take the panel's row so two bookings for the same panel are made one after the other.
        let n = self.q("UPDATE panels SET version = version WHERE id = $1").bind(panel_id).execute(tx.conn()).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        if let Some(c) = child_id {
            if self.q("SELECT id FROM children WHERE id = $1 AND merged_into_id IS NULL").bind(c).fetch_optional(tx.conn()).await?.is_none() {
                return Err(
                    Invalid::single("child_id", format!("There is no child with record number {c}: check the number on the child's record")).into()
                );
            }
        }
        let booked = self
            .q("SELECT child_id, starts_at, minutes FROM panel_slots WHERE panel_id = $1")
            .bind(panel_id)
            .fetch_all(tx.conn())
            .await?
            .iter()
            .map(|r| Ok(Booked { child_id: r.i("child_id")?, slot: stored_slot(r)? }))
            .collect::<Result<Vec<_>>>()?;
        let slot = validate_slot(&booked, child_id, start, minutes)?;
        let child_id = child_id.unwrap_or_default();
        let id = self
            .q("INSERT INTO panel_slots (panel_id, child_id, starts_at, minutes, created_at) VALUES ($1,$2,$3,$4,$5) RETURNING id")
            .bind(panel_id)
            .bind(child_id)
            .bind(slot.start.format("%H:%M").to_string())
            .bind(slot.minutes as i64)
            .bind(now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(actor, Event::new("panel.slot", "child", child_id, format!("slot {} at panel {panel_id}: {}", id, slot.label()))).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The young people a slot at this panel may be booked for, by name: in the viewer's
    /// reach, decided for MACSE by the MASH (or child in need with MACSE overview) or with a
    /// plan to review, and without a slot at this panel yet.
    pub async fn slot_candidates(&self, viewer: &Viewer, panel_id: i64) -> Result<Vec<(i64, String)>> {
        let (cond, ids) = reach_sql(&viewer.reach(), 4);
        let sql = format!(
            "SELECT c.id, c.first_name, c.last_name FROM children c WHERE c.merged_into_id IS NULL \
             AND (c.id IN (SELECT r.child_id FROM referrals r WHERE r.decision IN ($1,$2)) OR c.id IN (SELECT p.child_id FROM plans p)) \
             AND c.id NOT IN (SELECT s.child_id FROM panel_slots s WHERE s.panel_id = $3) AND {cond} ORDER BY c.last_name, c.first_name, c.id LIMIT 500"
        );
        let mut q = self.q(&sql).bind(MashDecision::Macse.slug()).bind(MashDecision::ChildInNeedAndMacse.slug()).bind(panel_id);
        for id in ids {
            q = q.bind(id);
        }
        q.fetch_all(self.pool()).await?.iter().map(|r| Ok((r.i("id")?, format!("{} {}", r.s("first_name")?, r.s("last_name")?)))).collect()
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

    /// The child of a slot on a panel (404 when the slot is not on that panel).
    pub async fn slot_child_id(&self, panel_id: i64, slot_id: i64) -> Result<i64> {
        self.q("SELECT child_id FROM panel_slots WHERE id = $1 AND panel_id = $2")
            .bind(slot_id)
            .bind(panel_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?
            .i("child_id")
    }

    /// Who should be invited to a slot: the SPOCs and practitioners of every agency
    /// involved with the child, the police CSE investigators and the MACSE panel's
    /// standing members (each person once).
    pub async fn proposed_invitees(&self, slot_id: i64) -> Result<Vec<Proposed>> {
        let child = self
            .q("SELECT child_id FROM panel_slots WHERE id = $1")
            .bind(slot_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?
            .i("child_id")?;
        let mut out: Vec<Proposed> = Vec::new();
        let mut push = |p: Proposed| {
            if !out.iter().any(|o| o.user_id == p.user_id) {
                out.push(p);
            }
        };
        for r in self
            .q("SELECT DISTINCT u.id, u.name, s.agency_id FROM agency_spocs s JOIN users u ON u.id = s.user_id WHERE u.active = 1 AND s.agency_id IN (SELECT agency_id FROM child_involvements WHERE child_id = $1) ORDER BY u.id")
            .bind(child)
            .fetch_all(self.pool())
            .await?
        {
            push(Proposed { kind: InviteeKind::Spoc, user_id: Some(r.i("id")?), agency_id: Some(r.i("agency_id")?), name: r.s("name")? });
        }
        for r in self
            .q("SELECT u.id, u.name, m.agency_id FROM partnership_members m JOIN users u ON u.id = m.user_id WHERE u.active = 1 AND u.role = 'practitioner' AND m.agency_id IN (SELECT agency_id FROM child_involvements WHERE child_id = $1) ORDER BY u.id")
            .bind(child)
            .fetch_all(self.pool())
            .await?
        {
            push(Proposed { kind: InviteeKind::Practitioner, user_id: Some(r.i("id")?), agency_id: Some(r.i("agency_id")?), name: r.s("name")? });
        }
        for r in self
            .q("SELECT u.id, u.name, m.agency_id FROM partnership_members m JOIN users u ON u.id = m.user_id WHERE u.active = 1 AND u.role = 'police-cse-officer' ORDER BY u.id")
            .fetch_all(self.pool())
            .await?
        {
            push(Proposed { kind: InviteeKind::PoliceInvestigator, user_id: Some(r.i("id")?), agency_id: Some(r.i("agency_id")?), name: r.s("name")? });
        }
        // Standing members sit on the panel for every child: their own agency is not thereby involved.
        for r in self
            .q("SELECT u.id, u.name FROM team_members t JOIN users u ON u.id = t.user_id WHERE u.active = 1 AND t.team = 'macse-panel' ORDER BY u.id")
            .fetch_all(self.pool())
            .await?
        {
            push(Proposed { kind: InviteeKind::StandingMember, user_id: Some(r.i("id")?), agency_id: None, name: r.s("name")? });
        }
        Ok(out)
    }

    /// Invite everyone proposed for a slot who is not invited yet; returns how many were added.
    pub async fn invite_proposed(&self, actor: &Actor, panel_id: i64, slot_id: i64, on: NaiveDate) -> Result<usize> {
        let proposed = self.proposed_invitees(slot_id).await?;
        let mut tx = self.write().await?;
        let child = self.slot_child(&mut tx, panel_id, slot_id).await?;
        let mut added = 0;
        for p in proposed {
            let already = self
                .q("SELECT id FROM panel_invitations WHERE slot_id = $1 AND user_id = $2")
                .bind(slot_id)
                .bind(p.user_id)
                .fetch_optional(tx.conn())
                .await?
                .is_some();
            if !already {
                self.insert_invitation(&mut tx, actor, child, slot_id, p.kind, p.user_id, p.agency_id, &p.name, on).await?;
                added += 1;
            }
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Invite one person or agency to a slot (a young person or parent by name; a
    /// professional by account, or an agency). An agency invited becomes involved with the child.
    #[allow(clippy::too_many_arguments)]
    pub async fn invite(
        &self,
        actor: &Actor,
        panel_id: i64,
        slot_id: i64,
        kind: Option<InviteeKind>,
        user_id: Option<i64>,
        agency_id: Option<i64>,
        name: &str,
        on: NaiveDate,
    ) -> Result<i64> {
        let mut v = Invalid::new();
        if kind.is_none() {
            v.add("kind", "Select who is being invited");
        }
        let mut name = name.trim().to_string();
        let mut agency_id = agency_id;
        if let Some(u) = user_id {
            match self
                .q("SELECT u.name, m.agency_id FROM users u LEFT JOIN partnership_members m ON m.user_id = u.id WHERE u.id = $1 AND u.active = 1")
                .bind(u)
                .fetch_optional(self.pool())
                .await?
            {
                None => v.add("user_id", "Select a person from the list"),
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
            if self.q("SELECT id FROM agencies WHERE id = $1").bind(a).fetch_optional(self.pool()).await?.is_none() {
                v.add("agency_id", "Select an agency from the list");
            }
        }
        if name.is_empty() && agency_id.is_none() {
            v.add("name", "Enter the name of the person invited, or choose their agency");
        }
        v.max_len("name", &name, 200, "The name");
        v.finish()?;
        let mut tx = self.write().await?;
        let child = self.slot_child(&mut tx, panel_id, slot_id).await?;
        let id = self
            .insert_invitation(&mut tx, actor, child, slot_id, kind.unwrap_or(InviteeKind::StandingMember), user_id, agency_id, &name, on)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    #[allow(clippy::too_many_arguments)]
    async fn insert_invitation(
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
            .q("INSERT INTO panel_invitations (slot_id, kind, user_id, agency_id, name, created_at) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id")
            .bind(slot_id)
            .bind(kind.slug())
            .bind(user_id)
            .bind(agency_id)
            .bind(name.to_string())
            .bind(now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        let who = match (user_id, agency_id) {
            (Some(u), Some(a)) => format!("user {u}, agency {a}"),
            (Some(u), None) => format!("user {u}"),
            (None, Some(a)) => format!("agency {a}"),
            (None, None) => "by name".into(),
        };
        tx.audit(actor, Event::new("panel.invite", "child", child, format!("invitation {id} to slot {slot_id}: {} ({who})", kind.slug()))).await?;
        if let Some(a) = agency_id {
            self.involve(tx, actor, child, a, InvolvementKind::InvitedToPanel, on).await?;
        }
        Ok(id)
    }

    /// Record whether an invitee came.
    pub async fn record_attendance(
        &self,
        actor: &Actor,
        panel_id: i64,
        slot_id: i64,
        invitation_id: i64,
        attendance: Option<Attendance>,
    ) -> Result<()> {
        let Some(a) = attendance else {
            return Err(Invalid::single("attendance", "Select whether they attended, sent apologies or did not attend").into());
        };
        let mut tx = self.write().await?;
        let child = self.slot_child(&mut tx, panel_id, slot_id).await?;
        let n = self
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
        tx.audit(actor, Event::new("panel.attendance", "child", child, format!("invitation {invitation_id}: {}", a.slug()))).await?;
        tx.commit().await
    }

    /// Save a panel's minutes, if nobody else has since the caller read them.
    pub async fn save_minutes(&self, actor: &Actor, panel_id: i64, version: i64, minutes: &str, status: Option<PanelStatus>) -> Result<()> {
        let mut v = Invalid::new();
        v.max_len("minutes", minutes, 100_000, "The minutes");
        v.finish()?;
        let current = self.panel(panel_id).await?;
        let status = status.unwrap_or(current.status);
        let mut tx = self.write().await?;
        let n = self
            .q("UPDATE panels SET minutes = $1, status = $2, version = version + 1 WHERE id = $3 AND version = $4")
            .bind(minutes.to_string())
            .bind(status.slug())
            .bind(panel_id)
            .bind(version)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        tx.audit(actor, Event::new("panel.minutes", "panel", panel_id, format!("minutes saved; status {}", status.slug()))).await?;
        tx.commit().await
    }

    /// Move a panel to another date (not one that already has a panel).
    pub async fn set_panel_date(&self, actor: &Actor, panel_id: i64, version: i64, date: Option<NaiveDate>, location: &str) -> Result<()> {
        let Some(date) = date else {
            return Err(Invalid::single("meeting_date", "Enter the panel's date, for example 28/09/2017").into());
        };
        let taken = self
            .q("SELECT id FROM panels WHERE meeting_date = $1 AND id <> $2")
            .bind(date_str(date))
            .bind(panel_id)
            .fetch_optional(self.pool())
            .await?;
        if taken.is_some() {
            return Err(Invalid::single("meeting_date", "There is already a panel on this date: choose another date").into());
        }
        let mut tx = self.write().await?;
        let n = self
            .q("UPDATE panels SET meeting_date = $1, location = $2, version = version + 1 WHERE id = $3 AND version = $4")
            .bind(date_str(date))
            .bind(location.trim().to_string())
            .bind(panel_id)
            .bind(version)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            self.panel(panel_id).await?;
            return Err(StoreError::Conflict);
        }
        tx.audit(actor, Event::new("panel.date", "panel", panel_id, format!("moved to {}", date_str(date)))).await?;
        tx.commit().await
    }
}
