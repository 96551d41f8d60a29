//! Placement notifications: the routing rules' versions, each notification with the
//! risks it declared and the teams it was routed to, each team's acknowledgement queue,
//! placing authorities' lateness and escalations, the count of children each authority
//! has placed, and providers of concern.
//!
//! A notification is part of the child's record: every change is audited against the
//! child (record type "child") with ids and slugs only, and lists of notifications go
//! through [`push_reach`], the need-to-know rule as SQL. Each team a notification is
//! routed to becomes involved with the child (through the agencies of its members, in
//! that team's scope: the routed team sees the child, not the whole of a large agency),
//! and so does the recording officer.

use std::collections::{BTreeMap, HashMap};

use assure_domain::partnership::{InvolvementKind, Scope, Section, Team, Viewer};
use assure_domain::placements::{
    authority, check_escalation, check_placement, check_provider_concern, check_provider_name, check_rules, default_rules, lateness, placed_counts,
    route, EscalationStep, NewEscalation, PlacementDetails, ProviderChoice, Risk, RiskAnswer, RoutingFacts, RoutingRule, Timeliness,
};
pub use assure_domain::placements::{PlacementInput, ProviderConcernInput};
use assure_domain::{Checked, Invalid, Permission};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::audit::Event;
use crate::child_access::{push_reach, ChildKey, ChildRecord, Reader};
use crate::keyset::{KeyPart, Keyset, Page, PageRequest, Total};
use crate::sql::Sql;
use crate::{all_checks, date_str, opt_date_str, to_json, Actor, Result, RowExt, Store, StoreError};
use assure_domain::children::ChosenChild;

/// The routing rules in force (or an earlier version).
#[derive(Debug, Clone, Serialize)]
pub struct RuleSet {
    pub version: i64,
    pub rules: Vec<RoutingRule>,
    pub created_at: String,
}

/// One team a notification was routed to, and its acknowledgement.
#[derive(Debug, Clone, Serialize)]
pub struct Recipient {
    pub id: i64,
    pub notification_id: i64,
    pub team: Team,
    /// What the team confirms by acknowledging.
    pub acknowledge: Vec<String>,
    pub acknowledged_at: Option<String>,
    pub acknowledged_by_name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub id: i64,
    pub child_id: i64,
    pub child_name: String,
    pub placing_authority: String,
    pub provider_id: Option<i64>,
    pub provider_name: Option<String>,
    pub home: String,
    pub address: String,
    pub ward: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    /// `None`: found without a notification.
    pub received_date: Option<NaiveDate>,
    pub risks: Vec<RiskAnswer>,
    pub rules_version: i64,
    pub recorded_by_name: Option<String>,
    pub recorded_at: String,
    pub version: i64,
    pub recipients: Vec<Recipient>,
}

impl Notification {
    pub fn timeliness(&self) -> Timeliness {
        lateness(self.start_date, self.received_date)
    }
    /// The risks declared present.
    pub fn present_risks(&self) -> Vec<Risk> {
        self.risks.iter().filter(|r| r.present).map(|r| r.risk).collect()
    }
}

/// A line of a team's queue: the notification, the team it reached and how long it has waited.
#[derive(Debug, Clone, Serialize)]
pub struct QueueItem {
    pub recipient: Recipient,
    pub notification: Notification,
    /// Days since the notification arrived (or, found without one, was recorded).
    pub age_days: i64,
}

/// Which notifications a list shows: the filters of the placements list and of a
/// team's queue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotificationFilter {
    /// `Some(false)`: waiting for acknowledgement (in a queue, the team's line; in the
    /// list of every notification, any team's); `Some(true)`: acknowledged (every team).
    pub acknowledged: Option<bool>,
    /// One placing authority (a name on the list of English authorities).
    pub placing_authority: Option<String>,
    /// Only notifications that arrived on or after this date.
    pub since: Option<NaiveDate>,
}

/// The list of every notification, newest first (keyset on arrival, then id).
const LIST_ORDER: Keyset = Keyset { columns: &["COALESCE(n.received_date, n.start_date)", "n.id"], descending: true };
/// When a team's line arrived: the notification, or the recording of a placement found without one.
const ARRIVED: &str = "COALESCE(n.received_date, SUBSTR(n.recorded_at, 1, 10))";
/// A queue's lines waiting for acknowledgement, the longest waiting first.
const WAITING_ORDER: Keyset = Keyset { columns: &["COALESCE(n.received_date, SUBSTR(n.recorded_at, 1, 10))", "r.id"], descending: false };
/// A queue's acknowledged lines, the latest arrivals first.
const ACKNOWLEDGED_ORDER: Keyset = Keyset { columns: &["COALESCE(n.received_date, SUBSTR(n.recorded_at, 1, 10))", "r.id"], descending: true };
/// A whole queue: the lines waiting (longest first), then those acknowledged.
const QUEUE_ORDER: Keyset = Keyset {
    columns: &[
        "CAST(CASE WHEN r.acknowledged_at IS NULL THEN 0 ELSE 1 END AS BIGINT)",
        "COALESCE(n.received_date, SUBSTR(n.recorded_at, 1, 10))",
        "r.id",
    ],
    descending: false,
};

/// A step taken against a placing authority that does not notify.
#[derive(Debug, Clone, Serialize)]
pub struct Escalation {
    pub id: i64,
    pub authority: String,
    pub step: EscalationStep,
    pub step_date: NaiveDate,
    pub note: String,
    pub recorded_by_name: Option<String>,
    pub recorded_at: String,
}

/// A placing authority's page: its placements the viewer may see, its lateness and escalations.
#[derive(Debug, Clone, Serialize)]
pub struct AuthoritySummary {
    pub name: String,
    /// Notifications of children in the viewer's reach, newest first.
    pub notifications: Vec<Notification>,
    /// Children (id, name) in the viewer's reach placed by the authority.
    pub children: Vec<(i64, String)>,
    /// Counts over every placement of the authority (no child data).
    pub total: i64,
    pub late: i64,
    pub not_notified: i64,
    pub escalations: Vec<Escalation>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Provider {
    pub id: i64,
    pub name: String,
    pub concerns: Vec<ProviderConcern>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProviderConcern {
    pub id: i64,
    pub provider_id: i64,
    pub home: String,
    pub raised_on: NaiveDate,
    pub concern: String,
    pub action: String,
    pub ofsted_referral_date: Option<NaiveDate>,
    pub recorded_by_name: Option<String>,
    pub recorded_at: String,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn parse_rules(json: &str, version: i64) -> Result<Vec<RoutingRule>> {
    serde_json::from_str(json).map_err(|e| corrupt(&format!("routing rules {version}"), e))
}

const COLS: &str = "n.id, n.child_id, c.first_name, c.last_name, n.placing_authority, n.provider_id, p.name AS provider_name, n.home, n.address, n.ward, n.start_date, n.end_date, \
    n.received_date, n.risks_json, n.rules_version, u.name AS recorded_by_name, n.recorded_at, n.version";

const FROM: &str = "placement_notifications n JOIN children c ON c.id = n.child_id LEFT JOIN providers p ON p.id = n.provider_id LEFT JOIN users u ON u.id = n.recorded_by";

fn notification(r: &AnyRow) -> Result<Notification> {
    Ok(Notification {
        id: r.i("id")?,
        child_id: r.i("child_id")?,
        child_name: format!("{} {}", r.s("first_name")?, r.s("last_name")?),
        placing_authority: r.s("placing_authority")?,
        provider_id: r.oi("provider_id")?,
        provider_name: r.os("provider_name")?,
        home: r.s("home")?,
        address: r.s("address")?,
        ward: r.s("ward")?,
        start_date: r.d("start_date")?,
        end_date: r.od("end_date")?,
        received_date: r.od("received_date")?,
        risks: serde_json::from_str(&r.s("risks_json")?).map_err(|e| corrupt("notification risks", e))?,
        rules_version: r.i("rules_version")?,
        recorded_by_name: r.os("recorded_by_name")?,
        recorded_at: r.s("recorded_at")?,
        version: r.i("version")?,
        recipients: Vec::new(),
    })
}

const RECIPIENT_COLS: &str = "r.id AS recipient_id, r.notification_id, r.team, r.acknowledge, r.acknowledged_at, ua.name AS acknowledged_by_name";

fn recipient(r: &AnyRow) -> Result<Recipient> {
    Ok(Recipient {
        id: r.i("recipient_id")?,
        notification_id: r.i("notification_id")?,
        team: r.e("team")?,
        acknowledge: serde_json::from_str(&r.s("acknowledge")?).map_err(|e| corrupt("acknowledgement list", e))?,
        acknowledged_at: r.os("acknowledged_at")?,
        acknowledged_by_name: r.os("acknowledged_by_name")?,
    })
}

fn escalation(r: &AnyRow) -> Result<Escalation> {
    Ok(Escalation {
        id: r.i("id")?,
        authority: r.s("authority")?,
        step: r.e("step")?,
        step_date: r.d("step_date")?,
        note: r.s("note")?,
        recorded_by_name: r.os("recorded_by_name")?,
        recorded_at: r.s("recorded_at")?,
    })
}

/// The date part of a stored timestamp.
fn day_of(ts: &str) -> Option<NaiveDate> {
    ts.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

impl Store {
    // ------------------------------------------------------------ routing rules

    // ------------------------------------------------------------ recording

    /// A placement checked: the domain's rules, and what only storage can tell (the
    /// child in the officer's reach, the provider chosen on the list), every problem at once.
    async fn checked_placement(&self, viewer: &Viewer, input: &PlacementInput, today: NaiveDate) -> Result<Checked<PlacementDetails>> {
        let checked = check_placement(input, today);
        let mut found = self.child_reach_problems(viewer, input.child.as_ref()).await?;
        if let Some(p) = input.provider_id {
            if self.q("SELECT id FROM providers WHERE id = $1").bind(p).fetch_optional(self.pool()).await?.is_none() {
                found.add("provider_id", "Choose a provider from the list, or enter a new provider's name");
            }
        }
        all_checks(checked, found, &["child", "placing_authority", "provider_id", "new_provider"])
    }

    /// Save one checked placement inside the caller's transaction: the child (if new),
    /// the provider (if new), the notification routed by `rules`, its recipients, the
    /// involvements and the audit entry. `team_agencies` remembers each team's agencies
    /// for the rest of the transaction.
    #[allow(clippy::too_many_arguments)]
    async fn insert_notification(
        &self,
        tx: &mut crate::WriteTx<'_>,
        actor: &Actor,
        viewer: &Viewer,
        c: &PlacementDetails,
        rules: &RuleSet,
        team_agencies: &mut HashMap<Team, Vec<i64>>,
        today: NaiveDate,
    ) -> Result<(i64, i64)> {
        let missing_before = match &c.child {
            ChosenChild::Existing(id) => {
                self.q("SELECT 1 AS x FROM missing_episodes WHERE child_id = $1 LIMIT 1").bind(*id).fetch_optional(tx.conn()).await?.is_some()
            }
            ChosenChild::New(_) => false,
        };
        let routed = route(&rules.rules, &RoutingFacts::from_answers(&c.answers, missing_before));
        let child_id = self.child_id_for(tx, actor, &c.child).await?;
        // A child placed here by another authority is looked after by that authority: a
        // child with no legal status recorded gets that one (never overwriting another).
        let marked = self
            .q("UPDATE children SET legal_status = 'looked-after-elsewhere', version = version + 1 WHERE id = $1 AND legal_status = 'none'")
            .bind(child_id)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if marked > 0 {
            tx.audit(
                actor,
                Event::new("child.update", "child", child_id, "legal_status: looked after by another authority (from a placement notification)"),
            )
            .await?;
        }
        let provider_id = match &c.provider {
            ProviderChoice::Existing(p) => Some(*p),
            ProviderChoice::None => None,
            ProviderChoice::New(name) => Some(self.provider_id_for(tx, actor, name).await?),
        };
        let id = self
            .q("INSERT INTO placement_notifications (child_id, placing_authority, provider_id, home, address, ward, start_date, end_date, received_date, risks_json, rules_version, recorded_by, recorded_at) \
                VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING id")
            .bind(child_id)
            .bind(c.authority)
            .bind(provider_id)
            .bind(c.home.clone())
            .bind(c.address.clone())
            .bind(c.ward.clone())
            .bind(date_str(c.start_date))
            .bind(opt_date_str(c.end_date))
            .bind(opt_date_str(c.received_date))
            .bind(to_json(&c.answers)?)
            .bind(rules.version)
            .bind(actor.user_id)
            .bind(self.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        // The recording officer (through their teams, or in person), then each routed
        // team through the agencies of its members.
        let mut involved: Vec<(i64, Scope)> = viewer.acting_scopes().into_iter().map(|s| (viewer.agency_id, s)).collect();
        for (team, acks) in &routed {
            self.q("INSERT INTO notification_recipients (notification_id, team, acknowledge) VALUES ($1,$2,$3)")
                .bind(id)
                .bind(team.slug())
                .bind(to_json(acks)?)
                .execute(tx.conn())
                .await?;
            if !team_agencies.contains_key(team) {
                let rows = self
                    .q("SELECT DISTINCT m.agency_id FROM team_members t JOIN partnership_members m ON m.user_id = t.user_id JOIN users u ON u.id = t.user_id WHERE t.team = $1 AND u.active = 1 ORDER BY m.agency_id")
                    .bind(team.slug())
                    .fetch_all(tx.conn())
                    .await?;
                team_agencies.insert(*team, rows.iter().map(|r| r.i("agency_id")).collect::<Result<Vec<_>>>()?);
            }
            involved.extend(team_agencies[team].iter().map(|a| (*a, Scope::Team(*team))));
        }
        involved.sort_unstable();
        involved.dedup();
        for (agency, scope) in involved {
            self.involve(tx, actor, child_id, agency, InvolvementKind::NotifiedOfPlacement, scope, today).await?;
        }
        let teams: Vec<&str> = routed.keys().map(|t| t.slug()).collect();
        let how = if c.received_date.is_none() { "found without a notification" } else { "notification" };
        tx.audit(
            actor,
            Event::new(
                "placement.record",
                "child",
                child_id,
                format!("placement {id} ({how}), routing rules {}: {}", rules.version, teams.join(", ")),
            ),
        )
        .await?;
        Ok((id, child_id))
    }

    /// The provider with this name (any case), added if new, inside the caller's transaction.
    async fn provider_id_for(&self, tx: &mut crate::WriteTx<'_>, actor: &Actor, name: &str) -> Result<i64> {
        if let Some(r) = self.q("SELECT id FROM providers WHERE LOWER(name) = $1").bind(name.to_lowercase()).fetch_optional(tx.conn()).await? {
            return r.i("id");
        }
        let id = self
            .q("INSERT INTO providers (name, created_at) VALUES ($1,$2) RETURNING id")
            .bind(name.to_string())
            .bind(self.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(actor, Event::new("provider.create", "provider", id, "provider added")).await?;
        Ok(id)
    }

    // ------------------------------------------------------------ reading

    async fn attach_recipients(&self, list: &mut [Notification]) -> Result<()> {
        let mut by: HashMap<i64, Vec<Recipient>> = HashMap::new();
        let ids: Vec<i64> = list.iter().map(|n| n.id).collect();
        for chunk in ids.chunks(crate::IN_LIST_CHUNK) {
            let mut sql = Sql::new(format!(
                "SELECT {RECIPIENT_COLS} FROM notification_recipients r LEFT JOIN users ua ON ua.id = r.acknowledged_by WHERE r.notification_id IN ("
            ));
            sql.bind_list(chunk.iter().copied()).push(") ORDER BY r.team");
            for r in sql.query(self).fetch_all(self.pool()).await? {
                let rec = recipient(&r)?;
                by.entry(rec.notification_id).or_default().push(rec);
            }
        }
        for n in list.iter_mut() {
            n.recipients = by.remove(&n.id).unwrap_or_default();
        }
        Ok(())
    }

    // ------------------------------------------------------------ placing authorities

    // ------------------------------------------------------------ providers of concern
}

impl ChildRecord {
    /// The child's placements, newest first, with each team's acknowledgement.
    pub async fn notifications(&self) -> Result<Vec<Notification>> {
        self.require(Section::Placements).await?;
        let sql = format!("SELECT {COLS} FROM {FROM} WHERE n.child_id = $1 ORDER BY n.start_date DESC, n.id DESC");
        let mut v = self.store.q(&sql).bind(self.id()).fetch_all(self.store.pool()).await?.iter().map(notification).collect::<Result<Vec<_>>>()?;
        self.store.attach_recipients(&mut v).await?;
        Ok(v)
    }

    /// One line (team) of one of the child's notifications (not found for another child's).
    pub async fn recipient(&self, recipient_id: i64) -> Result<Recipient> {
        let sql = format!(
            "SELECT {RECIPIENT_COLS}, n.child_id FROM notification_recipients r JOIN placement_notifications n ON n.id = r.notification_id \
             LEFT JOIN users ua ON ua.id = r.acknowledged_by WHERE r.id = $1"
        );
        let r = self.store.q(&sql).bind(recipient_id).fetch_optional(self.store.pool()).await?.ok_or(StoreError::NotFound)?;
        if r.i("child_id")? != self.id() {
            return Err(StoreError::NotFound);
        }
        recipient(&r)
    }

    /// The team's acknowledgement of one of the child's notifications.
    pub async fn acknowledge(&self, recipient_id: i64) -> Result<()> {
        let rec = self.recipient(recipient_id).await?;
        if !self.viewer().teams.contains(&rec.team) {
            return Err(Invalid::single(
                "recipient",
                format!("This notification was routed to the {} team: only its members can acknowledge it", rec.team.label()),
            )
            .into());
        }
        if rec.acknowledged_at.is_some() {
            return Err(Invalid::single("recipient", "Your team has already acknowledged this notification").into());
        }
        let store = &self.store;
        let mut tx = store.write().await?;
        let n = store
            .q("UPDATE notification_recipients SET acknowledged_at = $1, acknowledged_by = $2 WHERE id = $3 AND acknowledged_at IS NULL")
            .bind(self.store.now())
            .bind(self.actor().user_id)
            .bind(recipient_id)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        tx.audit(
            self.actor(),
            Event::new(
                "placement.acknowledge",
                "child",
                self.id(),
                format!("placement {}: acknowledged for {}", rec.notification_id, rec.team.slug()),
            ),
        )
        .await?;
        tx.commit().await
    }
}

/// Placement notifications as a reader records and sees them: recording (routed by the rules in force), lists and team queues within reach, acknowledgements, a placing authority's page (`store.placements(&reader)`).
#[derive(Clone, Copy)]
pub struct Placements<'s> {
    store: &'s Store,
    reader: &'s Reader,
}

impl Store {
    pub fn placements<'s>(&'s self, reader: &'s Reader) -> Placements<'s> {
        Placements { store: self, reader }
    }
}

impl std::ops::Deref for Placements<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store
    }
}

impl Placements<'_> {
    /// Every problem with a placement, without saving anything (the web edge adds its
    /// own, such as an unreadable date, and shows them all together).
    pub async fn problems(&self, input: &PlacementInput, today: NaiveDate) -> Result<Invalid> {
        match self.checked_placement(self.reader.viewer(), input, today).await {
            Ok(_) => Ok(Invalid::new()),
            Err(StoreError::Invalid(v)) => Ok(v),
            Err(e) => Err(e),
        }
    }

    /// Record a placement notification (or, with `found_without_notification`, a
    /// placement found without one): the child (chosen within the officer's reach, or
    /// new, in the same transaction), the placement, the declared risks. Every problem
    /// comes back together and nothing is saved. The notification is routed with the
    /// rules in force to one recipient row per team, and the agencies of each team's
    /// members (and the officer's own) become involved with the child.
    ///
    /// "Gone missing before" holds when the declared missing risk says so or when the
    /// child already has a missing episode recorded here.
    pub async fn record_notification(&self, input: &PlacementInput, today: NaiveDate) -> Result<(i64, i64)> {
        if !self.reader.can(Permission::RecordPlacements) {
            return Err(self.refuse(self.reader.actor(), "placements", "new", "placement notification: refused, the role does not allow it").await);
        }
        let (actor, viewer) = (self.reader.actor(), self.reader.viewer());
        let checked = self.checked_placement(viewer, input, today).await?;
        let rules = self.routing_rules().current().await?;
        let mut tx = self.write().await?;
        let ids = self.insert_notification(&mut tx, actor, viewer, &checked, &rules, &mut HashMap::new(), today).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// Record many notifications at once (an import, the demo), in ONE transaction,
    /// with the same checks and routing as [`Store::record_notification`]: every input is
    /// checked first, and if any has a problem nothing is saved and every problem comes
    /// back, its field named `notification-<n>-<field>` and its message starting
    /// "Notification <n>:" (n from 1). Returns (notification id, child id) per input, in order.
    pub async fn record_notifications_batch(&self, inputs: &[PlacementInput], today: NaiveDate) -> Result<Vec<(i64, i64)>> {
        if !self.reader.can(Permission::RecordPlacements) {
            return Err(self.refuse(self.reader.actor(), "placements", "new", "placement notification: refused, the role does not allow it").await);
        }
        let (actor, viewer) = (self.reader.actor(), self.reader.viewer());
        let mut all = Vec::with_capacity(inputs.len());
        let mut problems = Invalid::new();
        for (i, input) in inputs.iter().enumerate() {
            match self.checked_placement(viewer, input, today).await {
                Ok(c) => all.push(c),
                Err(StoreError::Invalid(e)) => {
                    for f in e.errors {
                        problems.add(&format!("notification-{}-{}", i + 1, f.field), format!("Notification {}: {}", i + 1, f.message));
                    }
                }
                Err(e) => return Err(e),
            }
        }
        problems.finish()?;
        let rules = self.routing_rules().current().await?;
        let mut team_agencies = HashMap::new();
        let mut tx = self.write().await?;
        let mut out = Vec::with_capacity(all.len());
        for c in &all {
            out.push(self.insert_notification(&mut tx, actor, viewer, c, &rules, &mut team_agencies, today).await?);
        }
        tx.commit().await?;
        Ok(out)
    }

    /// A placement found without a notification: recorded against its placing authority.
    pub async fn record_found_without_notification(&self, input: &PlacementInput, today: NaiveDate) -> Result<(i64, i64)> {
        let input = PlacementInput { received_date: None, found_without_notification: true, ..input.clone() };
        self.record_notification(&input, today).await
    }

    /// Notifications of children in the reader's reach, newest first, optionally of one
    /// placing authority (at most 1000).
    pub async fn list(&self, placing_authority: Option<&str>) -> Result<Vec<Notification>> {
        let mut sql = Sql::new(format!("SELECT {COLS} FROM {FROM} WHERE c.merged_into_id IS NULL"));
        if let Some(a) = placing_authority.filter(|a| !a.trim().is_empty()) {
            sql.push(" AND n.placing_authority = ").bind(authority(a).unwrap_or(a));
        }
        sql.push(" AND ");
        push_reach(&mut sql, &self.reader.reach(), "c.id");
        sql.push(" ORDER BY COALESCE(n.received_date, n.start_date) DESC, n.id DESC LIMIT 1000");
        let mut v = sql.query(self).fetch_all(self.pool()).await?.iter().map(notification).collect::<Result<Vec<_>>>()?;
        self.attach_recipients(&mut v).await?;
        Ok(v)
    }

    /// One page of the notifications of children in the reader's reach, newest first
    /// (keyset: see [`crate::keyset`]), filtered, and how many match in all.
    pub async fn list_page(&self, filter: &NotificationFilter, req: &PageRequest) -> Result<(Page<Notification>, Total)> {
        let mut sql_filter = Sql::new(" WHERE c.merged_into_id IS NULL");
        if let Some(a) = filter.placing_authority.as_deref().filter(|a| !a.trim().is_empty()) {
            sql_filter.push(" AND n.placing_authority = ").bind(authority(a).unwrap_or(a));
        }
        if let Some(since) = filter.since {
            sql_filter.push(" AND COALESCE(n.received_date, n.start_date) >= ").bind(date_str(since));
        }
        match filter.acknowledged {
            Some(false) => {
                sql_filter.push(" AND EXISTS (SELECT 1 FROM notification_recipients x WHERE x.notification_id = n.id AND x.acknowledged_at IS NULL)")
            }
            Some(true) => sql_filter
                .push(" AND NOT EXISTS (SELECT 1 FROM notification_recipients x WHERE x.notification_id = n.id AND x.acknowledged_at IS NULL)"),
            None => &mut sql_filter,
        };
        sql_filter.push(" AND ");
        push_reach(&mut sql_filter, &self.reader.reach(), "c.id");
        let mut matching = Sql::new(format!("SELECT 1 FROM {FROM}"));
        matching.append(&sql_filter);
        let total = self.count_up_to(&matching, Total::BOUND).await?;
        let order = LIST_ORDER;
        let mut sql = Sql::new(format!("SELECT {COLS}, COALESCE(n.received_date, n.start_date) AS list_key FROM {FROM}"));
        sql.append(&sql_filter);
        order.push_seek(&mut sql, req);
        order.push_order(&mut sql, req);
        let rows = sql.query(self).fetch_all(self.pool()).await?;
        let mut page = order.page(&rows, req, |r| Ok(vec![KeyPart::Text(r.s("list_key")?), KeyPart::Int(r.i("id")?)]), notification)?;
        self.attach_recipients(&mut page.items).await?;
        Ok((page, total))
    }

    /// One page of the lines routed to the reader's teams (children in reach only),
    /// filtered, with their age in days, and how many match in all. Waiting lines come
    /// longest waiting first; acknowledged ones latest first; unfiltered, the waiting
    /// ones then the acknowledged.
    pub async fn queue_page(&self, filter: &NotificationFilter, today: NaiveDate, req: &PageRequest) -> Result<(Page<QueueItem>, Total)> {
        let viewer = self.reader.viewer();
        if viewer.teams.is_empty() {
            return Ok((Page { items: Vec::new(), next: None, previous: None }, Total::exact(0)));
        }
        let mut sql_filter = Sql::new(" WHERE r.team IN (");
        sql_filter.bind_list(viewer.teams.iter().map(|t| t.slug())).push(") AND c.merged_into_id IS NULL");
        if let Some(a) = filter.placing_authority.as_deref().filter(|a| !a.trim().is_empty()) {
            sql_filter.push(" AND n.placing_authority = ").bind(authority(a).unwrap_or(a));
        }
        if let Some(since) = filter.since {
            sql_filter.push(&format!(" AND {ARRIVED} >= ")).bind(date_str(since));
        }
        let order = match filter.acknowledged {
            Some(false) => {
                sql_filter.push(" AND r.acknowledged_at IS NULL");
                WAITING_ORDER
            }
            Some(true) => {
                sql_filter.push(" AND r.acknowledged_at IS NOT NULL");
                ACKNOWLEDGED_ORDER
            }
            None => QUEUE_ORDER,
        };
        sql_filter.push(" AND ");
        push_reach(&mut sql_filter, &self.reader.reach(), "c.id");
        let from = format!("{FROM} JOIN notification_recipients r ON r.notification_id = n.id LEFT JOIN users ua ON ua.id = r.acknowledged_by");
        let mut matching = Sql::new(format!("SELECT 1 FROM {from}"));
        matching.append(&sql_filter);
        let total = self.count_up_to(&matching, Total::BOUND).await?;
        let mut sql = Sql::new(format!(
            "SELECT {COLS}, {RECIPIENT_COLS}, {ARRIVED} AS arrived, CAST(CASE WHEN r.acknowledged_at IS NULL THEN 0 ELSE 1 END AS BIGINT) AS ack_rank FROM {from}"
        ));
        sql.append(&sql_filter);
        order.push_seek(&mut sql, req);
        order.push_order(&mut sql, req);
        let rows = sql.query(self).fetch_all(self.pool()).await?;
        let whole = order.columns.len() == 3;
        let page = order.page(
            &rows,
            req,
            |r| {
                let mut key = vec![KeyPart::Text(r.s("arrived")?), KeyPart::Int(r.i("recipient_id")?)];
                if whole {
                    key.insert(0, KeyPart::Int(r.i("ack_rank")?));
                }
                Ok(key)
            },
            |r| {
                let notification = notification(r)?;
                let arrived = notification.received_date.or_else(|| day_of(&notification.recorded_at)).unwrap_or(today);
                Ok(QueueItem { recipient: recipient(r)?, age_days: (today - arrived).num_days().max(0), notification })
            },
        )?;
        Ok((page, total))
    }

    /// "Notifications for your teams": every notification routed to one of the reader's
    /// teams (children in reach only), one line per team, those not yet acknowledged
    /// first and oldest first, with their age in days.
    pub async fn queue(&self, today: NaiveDate) -> Result<Vec<QueueItem>> {
        let viewer = self.reader.viewer();
        if viewer.teams.is_empty() {
            return Ok(Vec::new());
        }
        let arrived = "COALESCE(n.received_date, SUBSTR(n.recorded_at, 1, 10))";
        let mut sql = Sql::new(format!(
            "SELECT {COLS}, {RECIPIENT_COLS} FROM {FROM} JOIN notification_recipients r ON r.notification_id = n.id LEFT JOIN users ua ON ua.id = r.acknowledged_by WHERE r.team IN ("
        ));
        sql.bind_list(viewer.teams.iter().map(|t| t.slug())).push(") AND c.merged_into_id IS NULL AND ");
        push_reach(&mut sql, &self.reader.reach(), "c.id");
        sql.push(&format!(
            " ORDER BY CASE WHEN r.acknowledged_at IS NULL THEN 0 ELSE 1 END, CASE WHEN r.acknowledged_at IS NULL THEN {arrived} ELSE '' END, r.acknowledged_at DESC, n.id, r.team LIMIT 1000"
        ));
        sql.query(self)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                let notification = notification(r)?;
                let arrived = notification.received_date.or_else(|| day_of(&notification.recorded_at)).unwrap_or(today);
                Ok(QueueItem { recipient: recipient(r)?, age_days: (today - arrived).num_days().max(0), notification })
            })
            .collect()
    }

    /// A team's acknowledgement of a notification, by one of its members who may see the
    /// child: the line is opened through the child's record (a line of a child out of
    /// reach reads as no line at all), refused for anyone the notification was not
    /// routed to, and once acknowledged it stays so.
    pub async fn acknowledge(&self, recipient_id: i64) -> Result<()> {
        let record = self.open_child(self.reader, ChildKey::Recipient(recipient_id), Section::Placements).await?;
        record.acknowledge(recipient_id).await
    }

    /// A placing authority's page for a viewer: its placements of children in reach,
    /// and counts of every placement (no child data) with its lateness and escalations.
    pub async fn authority_summary(&self, name: &str) -> Result<AuthoritySummary> {
        let name = authority(name).ok_or(StoreError::NotFound)?;
        let notifications = self.list(Some(name)).await?;
        let mut children: BTreeMap<i64, String> = BTreeMap::new();
        for n in &notifications {
            children.entry(n.child_id).or_insert_with(|| n.child_name.clone());
        }
        let mut children: Vec<(i64, String)> = children.into_iter().collect();
        children.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        let (mut total, mut late, mut not_notified) = (0, 0, 0);
        for r in self
            .q("SELECT start_date, received_date FROM placement_notifications WHERE placing_authority = $1")
            .bind(name)
            .fetch_all(self.pool())
            .await?
        {
            total += 1;
            match lateness(r.d("start_date")?, r.od("received_date")?) {
                Timeliness::Late(_) => late += 1,
                Timeliness::NotNotified => not_notified += 1,
                Timeliness::OnTime => {}
            }
        }
        Ok(AuthoritySummary {
            name: name.to_string(),
            notifications,
            children,
            total,
            late,
            not_notified,
            escalations: self.placing_authorities().escalations(name).await?,
        })
    }
}

/// The placement routing rules' versions (`store.routing_rules()`).
#[derive(Clone, Copy)]
pub struct RoutingRules<'s> {
    store: &'s Store,
}

impl Store {
    pub fn routing_rules(&self) -> RoutingRules<'_> {
        RoutingRules { store: self }
    }
}

impl std::ops::Deref for RoutingRules<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store
    }
}

impl RoutingRules<'_> {
    /// The routing rules in force: the highest version. An empty partnership starts
    /// with [`default_rules`] as version 1.
    pub async fn current(&self) -> Result<RuleSet> {
        if let Some(r) =
            self.q("SELECT version, rules_json, created_at FROM routing_rule_sets ORDER BY version DESC LIMIT 1").fetch_optional(self.pool()).await?
        {
            let version = r.i("version")?;
            return Ok(RuleSet { version, rules: parse_rules(&r.s("rules_json")?, version)?, created_at: r.s("created_at")? });
        }
        let mut tx = self.write().await?;
        let at = self.store.now();
        let inserted = self
            .q("INSERT INTO routing_rule_sets (version, rules_json, created_by, created_at) VALUES (1, $1, NULL, $2) ON CONFLICT (version) DO NOTHING")
            .bind(to_json(&default_rules())?)
            .bind(at.clone())
            .execute(tx.conn())
            .await?
            .rows_affected();
        if inserted == 1 {
            tx.audit(&Actor::system(), Event::new("routing-rules.save", "routing-rules", 1, "the partnership's default placement routing rules"))
                .await?;
        }
        tx.commit().await?;
        if inserted == 1 {
            Ok(RuleSet { version: 1, rules: default_rules(), created_at: at })
        } else {
            Box::pin(self.current()).await
        }
    }

    /// Save edited rules as a new version. Notifications already routed keep their
    /// recipients; only new notifications are routed with the new rules. A rule naming
    /// a team that does not exist is refused, with every other problem.
    pub async fn save(&self, actor: &Actor, rules: &[RoutingRule]) -> Result<i64> {
        let rules = check_rules(rules)?.into_inner();
        self.routing_rules().current().await?;
        let mut tx = self.write().await?;
        let version = self.q("SELECT MAX(version) AS v FROM routing_rule_sets").fetch_one(tx.conn()).await?.oi("v")?.unwrap_or(0) + 1;
        let n = self
            .q("INSERT INTO routing_rule_sets (version, rules_json, created_by, created_at) VALUES ($1,$2,$3,$4) ON CONFLICT (version) DO NOTHING")
            .bind(version)
            .bind(to_json(&rules)?)
            .bind(actor.user_id)
            .bind(self.store.now())
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        tx.audit(actor, Event::new("routing-rules.save", "routing-rules", version, format!("version {version}: {} rules", rules.len()))).await?;
        tx.commit().await?;
        Ok(version)
    }
}

/// Placing authorities: escalations and the count of children each has placed here, no child data (`store.placing_authorities()`).
#[derive(Clone, Copy)]
pub struct PlacingAuthorities<'s> {
    store: &'s Store,
}

impl Store {
    pub fn placing_authorities(&self) -> PlacingAuthorities<'_> {
        PlacingAuthorities { store: self }
    }
}

impl std::ops::Deref for PlacingAuthorities<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store
    }
}

impl PlacingAuthorities<'_> {
    /// Record an escalation step taken against a placing authority (contact by the
    /// director, escalation to Ofsted), with its date.
    pub async fn escalate(
        &self,
        actor: &Actor,
        name: &str,
        step: Option<EscalationStep>,
        step_date: Option<NaiveDate>,
        note: &str,
        today: NaiveDate,
    ) -> Result<i64> {
        let NewEscalation { authority: name, step, step_date, note } = check_escalation(name, step, step_date, note, today)?.into_inner();
        let mut tx = self.write().await?;
        let id = self
            .q("INSERT INTO authority_escalations (authority, step, step_date, note, recorded_by, recorded_at) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id")
            .bind(name)
            .bind(step.slug())
            .bind(date_str(step_date))
            .bind(note)
            .bind(actor.user_id)
            .bind(self.store.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(actor, Event::new("placing-authority.escalate", "placing-authority", name, format!("escalation {id}: {}", step.slug()))).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn escalations(&self, name: &str) -> Result<Vec<Escalation>> {
        self.q("SELECT e.id, e.authority, e.step, e.step_date, e.note, u.name AS recorded_by_name, e.recorded_at FROM authority_escalations e LEFT JOIN users u ON u.id = e.recorded_by \
                WHERE e.authority = $1 ORDER BY e.step_date DESC, e.id DESC")
            .bind(name.to_string())
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(escalation)
            .collect()
    }

    /// Children currently placed by each authority (placements not ended by `today`),
    /// most first, those above the threshold marked. Counts only: no child data.
    pub async fn placed_counts(&self, today: NaiveDate) -> Result<Vec<(String, usize, bool)>> {
        // Counted in the database (one row per authority, not per child placed).
        let rows = self
            .q("SELECT n.placing_authority, COUNT(DISTINCT n.child_id) AS placed FROM placement_notifications n JOIN children c ON c.id = n.child_id \
                WHERE c.merged_into_id IS NULL AND (n.end_date IS NULL OR n.end_date >= $1) GROUP BY n.placing_authority")
            .bind(date_str(today))
            .fetch_all(self.pool())
            .await?;
        let mut names: Vec<(String, usize)> = Vec::with_capacity(rows.len());
        for r in &rows {
            names.push((r.s("placing_authority")?, usize::try_from(r.i("placed")?).unwrap_or(0)));
        }
        Ok(placed_counts(names.iter().flat_map(|(a, n)| std::iter::repeat_n(a.as_str(), *n))))
    }
}

/// Providers of concern and the concerns about their homes (`store.providers()`).
#[derive(Clone, Copy)]
pub struct Providers<'s> {
    store: &'s Store,
}

impl Store {
    pub fn providers(&self) -> Providers<'_> {
        Providers { store: self }
    }
}

impl std::ops::Deref for Providers<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store
    }
}

impl Providers<'_> {
    pub async fn add(&self, actor: &Actor, name: &str) -> Result<i64> {
        let checked = check_provider_name(name);
        let mut found = Invalid::new();
        if self.q("SELECT id FROM providers WHERE LOWER(name) = $1").bind(name.trim().to_lowercase()).fetch_optional(self.pool()).await?.is_some() {
            found.add("name", "There is already a provider with this name");
        }
        let name = all_checks(checked, found, &["name"])?.into_inner();
        let mut tx = self.write().await?;
        let id = self.provider_id_for(&mut tx, actor, &name).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every provider with its concerns (newest first), providers with concerns first.
    pub async fn list(&self) -> Result<Vec<Provider>> {
        let mut list: Vec<Provider> = self
            .q("SELECT id, name FROM providers ORDER BY name")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok(Provider { id: r.i("id")?, name: r.s("name")?, concerns: Vec::new() }))
            .collect::<Result<_>>()?;
        let rows = self
            .q("SELECT k.id, k.provider_id, k.home, k.raised_on, k.concern, k.action, k.ofsted_referral_date, u.name AS recorded_by_name, k.recorded_at \
                FROM provider_concerns k LEFT JOIN users u ON u.id = k.recorded_by ORDER BY k.raised_on DESC, k.id DESC")
            .fetch_all(self.pool())
            .await?;
        let mut by: HashMap<i64, Vec<ProviderConcern>> = HashMap::new();
        for r in rows {
            let c = ProviderConcern {
                id: r.i("id")?,
                provider_id: r.i("provider_id")?,
                home: r.s("home")?,
                raised_on: r.d("raised_on")?,
                concern: r.s("concern")?,
                action: r.s("action")?,
                ofsted_referral_date: r.od("ofsted_referral_date")?,
                recorded_by_name: r.os("recorded_by_name")?,
                recorded_at: r.s("recorded_at")?,
            };
            by.entry(c.provider_id).or_default().push(c);
        }
        for p in list.iter_mut() {
            p.concerns = by.remove(&p.id).unwrap_or_default();
        }
        list.sort_by_key(|p| p.concerns.is_empty());
        Ok(list)
    }

    /// A concern about a provider or one of its homes, with the action taken and any referral to Ofsted.
    pub async fn add_concern(&self, actor: &Actor, input: &ProviderConcernInput, today: NaiveDate) -> Result<i64> {
        let checked = check_provider_concern(input, today);
        let mut found = Invalid::new();
        if let Some(p) = input.provider_id {
            if self.q("SELECT id FROM providers WHERE id = $1").bind(p).fetch_optional(self.pool()).await?.is_none() {
                found.add("provider_id", "Choose a provider from the list");
            }
        }
        let c = all_checks(checked, found, ProviderConcernInput::FIELDS)?.into_inner();
        let mut tx = self.write().await?;
        let id = self
            .q("INSERT INTO provider_concerns (provider_id, home, raised_on, concern, action, ofsted_referral_date, recorded_by, recorded_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id")
            .bind(c.provider_id)
            .bind(c.home)
            .bind(date_str(c.raised_on))
            .bind(c.concern)
            .bind(c.action)
            .bind(opt_date_str(c.ofsted_referral_date))
            .bind(actor.user_id)
            .bind(self.store.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        let ofsted = if c.ofsted_referral_date.is_some() { ", referred to Ofsted" } else { "" };
        tx.audit(actor, Event::new("provider.concern", "provider", c.provider_id, format!("concern {id}{ofsted}"))).await?;
        tx.commit().await?;
        Ok(id)
    }
}
