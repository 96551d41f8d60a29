//! Concerns and referrals: a practitioner's CSE 1 and CSE 2 screening scored with the
//! current screening tool, the MASH team's queue, per-agency checks and decision, and
//! a "no CSE concern" referral's return to the raising agency's SPOC.
//!
//! Every change is audited against the child (record type "child"), with ids and
//! slugs only. A referral is read and changed through its child's [`ChildRecord`]; lists
//! take a [`Reader`] and go through [`push_reach`], the need-to-know rule as SQL.

use assure_domain::partnership::{AgencyKind, InvolvementKind, Section, Viewer};
use assure_domain::referral::{
    age_hours, check_concern_form, check_decision, check_follow_on, check_mash_check, may_move, status_after, CheckInput, ConcernReporter,
    DecisionInput, FollowOnInput, MashDecision, NewConcern, ReferralSource, ReferralStatus,
};
use assure_domain::screening::{check_tool, default_tool, Answers, RiskLevel, ScreeningTool};
use assure_domain::{Checked, Invalid, Permission};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::audit::Event;
use crate::child_access::{push_reach, push_reach_per_row, ChildRecord, Reader};
use crate::keyset::{KeyPart, Keyset, Page, PageRequest, Total};
use crate::sql::Sql;
use crate::{all_checks, to_json, Actor, Result, RowExt, Store, StoreError};

pub use assure_domain::children::ChildRef;
pub use assure_domain::referral::ConcernForm;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Raised {
    pub referral_id: i64,
    pub child_id: i64,
    pub risk_level: RiskLevel,
}

#[derive(Debug, Clone, Serialize)]
pub struct Referral {
    pub id: i64,
    pub child_id: i64,
    pub child_name: String,
    pub agency_id: i64,
    pub agency_name: String,
    pub raised_by: Option<i64>,
    pub raised_by_name: Option<String>,
    pub source: ReferralSource,
    /// Who reported a concern reported to police.
    pub reported_by: Option<ConcernReporter>,
    pub what_seen: String,
    pub seen_on: NaiveDate,
    pub seen_where: String,
    pub seen_by: String,
    pub referral_text: String,
    pub tool_version: i64,
    pub answers: Answers,
    pub risk_level: RiskLevel,
    pub status: ReferralStatus,
    pub submitted_at: String,
    pub picked_up_at: Option<String>,
    pub decision: Option<MashDecision>,
    pub decision_reasons: Option<String>,
    pub interventions: Option<String>,
    pub keep_monitoring: bool,
    pub decided_at: Option<String>,
    pub decided_by_name: Option<String>,
    pub returned_at: Option<String>,
    pub spoc_acknowledged_at: Option<String>,
    pub spoc_acknowledged_by_name: Option<String>,
    /// A contact's follow-on decision (R8), after its multi-agency checks.
    pub follow_on: Option<MashDecision>,
    pub follow_on_reasons: Option<String>,
    pub follow_on_at: Option<String>,
    pub follow_on_by_name: Option<String>,
    pub version: i64,
}

/// A referral on the MASH team's queue, with how long it has waited.
#[derive(Debug, Clone, Serialize)]
pub struct Queued {
    pub referral: Referral,
    pub age_hours: i64,
}

/// What one agency holds on the child, as recorded by the MASH: what may be shared,
/// and (for police CSE roles, the co-chairs and the MASH only) what is police-only.
#[derive(Debug, Clone, Serialize)]
pub struct MashCheck {
    pub id: i64,
    pub agency_id: i64,
    pub agency_name: String,
    pub holds: String,
    /// Empty for readers who may not see police information.
    pub police_only: String,
    pub recorded_by_name: Option<String>,
    pub recorded_at: String,
}

const COLS: &str = "r.id, r.child_id, c.first_name, c.last_name, r.agency_id, a.name AS agency_name, r.raised_by, u1.name AS raised_by_name, r.source, r.reported_by_kind, r.what_seen, r.seen_on, \
    r.seen_where, r.seen_by, r.referral_text, r.tool_version, r.answers_json, r.risk_level, r.status, r.submitted_at, r.picked_up_at, r.decision, r.decision_reasons, \
    r.interventions, r.keep_monitoring, r.decided_at, u2.name AS decided_by_name, r.returned_at, r.spoc_acknowledged_at, u3.name AS acknowledged_by_name, \
    r.follow_on, r.follow_on_reasons, r.follow_on_at, u4.name AS follow_on_by_name, r.version";

/// The MASH queue's order, oldest first.
const QUEUE_ORDER: Keyset = Keyset { columns: &["r.submitted_at", "r.id"], descending: false };
/// A SPOC's list of their agencies' referrals: newest first.
const AGENCY_ORDER: Keyset = Keyset { columns: &["r.submitted_at", "r.id"], descending: true };

const FROM: &str =
    "referrals r JOIN children c ON c.id = r.child_id JOIN agencies a ON a.id = r.agency_id LEFT JOIN users u1 ON u1.id = r.raised_by \
    LEFT JOIN users u2 ON u2.id = r.decided_by LEFT JOIN users u3 ON u3.id = r.spoc_acknowledged_by \
    LEFT JOIN users u4 ON u4.id = r.follow_on_by";

fn referral(r: &AnyRow) -> Result<Referral> {
    let answers: Answers = serde_json::from_str(&r.s("answers_json")?).map_err(|e| StoreError::Corrupt(format!("referral answers: {e}")))?;
    Ok(Referral {
        id: r.i("id")?,
        child_id: r.i("child_id")?,
        child_name: format!("{} {}", r.s("first_name")?, r.s("last_name")?),
        agency_id: r.i("agency_id")?,
        agency_name: r.s("agency_name")?,
        raised_by: r.oi("raised_by")?,
        raised_by_name: r.os("raised_by_name")?,
        source: r.e("source")?,
        reported_by: r.oe("reported_by_kind")?,
        what_seen: r.s("what_seen")?,
        seen_on: r.d("seen_on")?,
        seen_where: r.s("seen_where")?,
        seen_by: r.s("seen_by")?,
        referral_text: r.s("referral_text")?,
        tool_version: r.i("tool_version")?,
        answers,
        risk_level: r.e("risk_level")?,
        status: r.e("status")?,
        submitted_at: r.s("submitted_at")?,
        picked_up_at: r.os("picked_up_at")?,
        decision: r.oe("decision")?,
        decision_reasons: r.os("decision_reasons")?,
        interventions: r.os("interventions")?,
        keep_monitoring: r.i("keep_monitoring")? != 0,
        decided_at: r.os("decided_at")?,
        decided_by_name: r.os("decided_by_name")?,
        returned_at: r.os("returned_at")?,
        spoc_acknowledged_at: r.os("spoc_acknowledged_at")?,
        spoc_acknowledged_by_name: r.os("acknowledged_by_name")?,
        follow_on: r.oe("follow_on")?,
        follow_on_reasons: r.os("follow_on_reasons")?,
        follow_on_at: r.os("follow_on_at")?,
        follow_on_by_name: r.os("follow_on_by_name")?,
        version: r.i("version")?,
    })
}

pub(crate) fn parse_tool(json: &str, version: i64) -> Result<ScreeningTool> {
    let mut t: ScreeningTool = serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("screening tool {version}: {e}")))?;
    t.version = version;
    Ok(t)
}

/// Parse a stored timestamp (RFC 3339).
pub fn timestamp(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|d| d.with_timezone(&Utc))
}

impl Store {
    async fn is_police_agency(&self, viewer: &Viewer) -> Result<bool> {
        let kind: Option<AgencyKind> = self
            .q("SELECT kind FROM agencies WHERE id = $1")
            .bind(viewer.agency_id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| r.e("kind"))
            .transpose()?;
        Ok(kind == Some(AgencyKind::Police) || viewer.is_police_cse())
    }

    /// A concern checked: the domain's rules (the child, the CSE 1 and referral, every
    /// screening question answered by the tool in force) and the child's reach, every
    /// problem at once.
    async fn checked_concern(&self, viewer: &Viewer, form: &ConcernForm) -> Result<Checked<NewConcern>> {
        let tool = self.screening().current().await?;
        let police = self.is_police_agency(viewer).await?;
        let checked = check_concern_form(form, &tool, police, self.today());
        let found = self.child_reach_problems(viewer, form.child.as_ref()).await?;
        all_checks(checked, found, &["child"])
    }

    pub(crate) async fn referral_row(&self, id: i64) -> Result<Referral> {
        let sql = format!("SELECT {COLS} FROM {FROM} WHERE r.id = $1");
        referral(&self.q(&sql).bind(id).fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?)
    }
}

impl ChildRecord {
    /// The child's referrals, newest first.
    pub async fn referrals(&self) -> Result<Vec<Referral>> {
        self.require(Section::Concerns).await?;
        let sql = format!("SELECT {COLS} FROM {FROM} WHERE r.child_id = $1 ORDER BY r.submitted_at DESC, r.id DESC");
        self.store.q(&sql).bind(self.id()).fetch_all(self.store.pool()).await?.iter().map(referral).collect()
    }

    /// One of the child's referrals (not found when it is another child's).
    pub async fn referral(&self, referral_id: i64) -> Result<Referral> {
        let r = self.store.referral_row(referral_id).await?;
        if r.child_id != self.id() {
            return Err(StoreError::NotFound);
        }
        Ok(r)
    }

    /// The MASH checks of one of the child's referrals; what is police-only is left out
    /// for readers who may not see police information.
    pub async fn mash_checks(&self, referral_id: i64) -> Result<Vec<MashCheck>> {
        self.require(Section::MashDecision).await?;
        let r = self.referral(referral_id).await?;
        let police = self.may_see(Section::PoliceChecks);
        self.store
            .q("SELECT m.id, m.agency_id, a.name AS agency_name, m.holds, m.police_only, u.name AS recorded_by_name, m.recorded_at FROM mash_checks m \
                JOIN agencies a ON a.id = m.agency_id LEFT JOIN users u ON u.id = m.recorded_by WHERE m.referral_id = $1 ORDER BY m.recorded_at, m.id")
            .bind(r.id)
            .fetch_all(self.store.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(MashCheck {
                    id: r.i("id")?,
                    agency_id: r.i("agency_id")?,
                    agency_name: r.s("agency_name")?,
                    holds: r.s("holds")?,
                    police_only: if police { r.s("police_only")? } else { String::new() },
                    recorded_by_name: r.os("recorded_by_name")?,
                    recorded_at: r.s("recorded_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()
            // A check with nothing the reader may see is not shown at all.
            .map(|checks| checks.into_iter().filter(|c| !(c.holds.is_empty() && c.police_only.is_empty())).collect())
    }

    /// Record what one agency holds on the child (the MASH). The first check starts the
    /// screening (the referral is picked up off the queue's "submitted" state).
    pub async fn record_check(&self, referral_id: i64, input: &CheckInput) -> Result<i64> {
        self.require_permission(Permission::DecideReferrals, "mash-check").await?;
        let store = &self.store;
        let r = self.referral(referral_id).await?;
        let checked = check_mash_check(input, r.status);
        let mut v = match &checked {
            Ok(_) => Invalid::new(),
            Err(e) => e.clone(),
        };
        if let Some(a) = input.agency_id {
            if store.q("SELECT id FROM agencies WHERE id = $1").bind(a).fetch_optional(store.pool()).await?.is_none() {
                v.add("agency_id", "Select an agency from the list");
            }
        }
        v.finish()?;
        let check = checked?;
        let at = self.store.now();
        let actor = self.actor();
        let mut tx = store.write().await?;
        let id = store
            .q("INSERT INTO mash_checks (referral_id, agency_id, holds, police_only, recorded_by, recorded_at) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id")
            .bind(referral_id)
            .bind(check.agency_id)
            .bind(check.shared.clone())
            .bind(check.police_only.clone())
            .bind(actor.user_id)
            .bind(at.clone())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        if r.status == ReferralStatus::Submitted && may_move(r.status, ReferralStatus::ChecksInProgress) {
            // Conditional on the status so two first checks at once both succeed.
            store
                .q("UPDATE referrals SET status = $1, picked_up_at = COALESCE(picked_up_at, $2), version = version + 1 WHERE id = $3 AND status = $4")
                .bind(ReferralStatus::ChecksInProgress.slug())
                .bind(at)
                .bind(referral_id)
                .bind(ReferralStatus::Submitted.slug())
                .execute(tx.conn())
                .await?;
        }
        tx.audit(
            actor,
            Event::new("referral.check", "child", self.id(), format!("referral {referral_id}: check {id} of agency {}", check.agency_id)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The MASH decision. A stale version is a conflict; a "no CSE concern" returns the
    /// referral to the raising agency's SPOC with a request to keep monitoring.
    pub async fn decide(&self, referral_id: i64, version: i64, input: &DecisionInput) -> Result<MashDecision> {
        self.require_permission(Permission::DecideReferrals, "mash-decision").await?;
        let store = &self.store;
        let r = self.referral(referral_id).await?;
        if r.version != version {
            return Err(StoreError::Conflict);
        }
        let d = check_decision(input, r.status)?;
        let status = status_after(d.decision);
        let at = self.store.now();
        let actor = self.actor();
        let mut tx = store.write().await?;
        let n = store
            .q("UPDATE referrals SET status = $1, decision = $2, decision_reasons = $3, interventions = $4, keep_monitoring = $5, decided_at = $6, decided_by = $7, \
                picked_up_at = COALESCE(picked_up_at, $6), returned_at = $8, version = version + 1 WHERE id = $9 AND version = $10")
            .bind(status.slug())
            .bind(d.decision.slug())
            .bind(d.reasons.clone())
            .bind(d.interventions.clone())
            .bind(i64::from(d.keep_monitoring))
            .bind(at.clone())
            .bind(actor.user_id)
            .bind((status == ReferralStatus::ReturnedToSpoc).then_some(at))
            .bind(referral_id)
            .bind(version)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        tx.audit(actor, Event::new("referral.decide", "child", self.id(), format!("referral {referral_id}: {}", d.decision.slug()))).await?;
        if d.decision == MashDecision::ChildProtection {
            store.open_cp_case(&mut tx, actor, self.id(), referral_id, store.today()).await?;
        }
        tx.commit().await?;
        Ok(d.decision)
    }

    /// A contact's follow-on decision (R8), once the multi-agency checks of the contact
    /// are recorded: child protection (a CP case opens for the child) or MACSE (the
    /// child may then be booked a panel slot, as after a MACSE decision). A stale version
    /// is a conflict.
    pub async fn follow_on(&self, referral_id: i64, version: i64, input: &FollowOnInput) -> Result<MashDecision> {
        self.require_permission(Permission::DecideReferrals, "mash-follow-on").await?;
        let store = &self.store;
        let r = self.referral(referral_id).await?;
        if r.version != version {
            return Err(StoreError::Conflict);
        }
        let since = r.decided_at.clone().unwrap_or_default();
        let checks = store
            .q("SELECT COUNT(*) AS n FROM mash_checks WHERE referral_id = $1 AND recorded_at >= $2")
            .bind(referral_id)
            .bind(since)
            .fetch_one(store.pool())
            .await?
            .i("n")?;
        let f = check_follow_on(input, r.status, usize::try_from(checks).unwrap_or(0))?;
        let actor = self.actor();
        let mut tx = store.write().await?;
        let n = store
            .q("UPDATE referrals SET status = $1, follow_on = $2, follow_on_reasons = $3, follow_on_at = $4, follow_on_by = $5, version = version + 1 \
                WHERE id = $6 AND version = $7 AND status = $8")
            .bind(ReferralStatus::Decided.slug())
            .bind(f.decision.slug())
            .bind(f.reasons.clone())
            .bind(store.now())
            .bind(actor.user_id)
            .bind(referral_id)
            .bind(version)
            .bind(ReferralStatus::ContactChecks.slug())
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        tx.audit(actor, Event::new("referral.follow-on", "child", self.id(), format!("referral {referral_id}: follow-on {}", f.decision.slug())))
            .await?;
        if f.decision == MashDecision::ChildProtection {
            store.open_cp_case(&mut tx, actor, self.id(), referral_id, store.today()).await?;
        }
        tx.commit().await?;
        Ok(f.decision)
    }

    /// A SPOC of the raising agency acknowledges a returned referral.
    pub async fn acknowledge_return(&self, referral_id: i64, version: i64) -> Result<()> {
        let store = &self.store;
        let r = self.referral(referral_id).await?;
        if !self.viewer().spoc_for.contains(&r.agency_id) {
            return Err(Invalid::single("referral", "Only a SPOC of the agency that raised this referral can acknowledge it").into());
        }
        if r.version != version {
            return Err(StoreError::Conflict);
        }
        if !may_move(r.status, ReferralStatus::AcknowledgedBySpoc) {
            return Err(Invalid::single("referral", "Only a referral returned to the SPOC can be acknowledged").into());
        }
        let actor = self.actor();
        let mut tx = store.write().await?;
        let n = store
            .q("UPDATE referrals SET status = $1, spoc_acknowledged_at = $2, spoc_acknowledged_by = $3, version = version + 1 WHERE id = $4 AND version = $5")
            .bind(ReferralStatus::AcknowledgedBySpoc.slug())
            .bind(self.store.now())
            .bind(actor.user_id)
            .bind(referral_id)
            .bind(version)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        tx.audit(actor, Event::new("referral.acknowledge", "child", self.id(), format!("referral {referral_id}: acknowledged by the SPOC"))).await?;
        tx.commit().await
    }
}

/// Concerns and referrals as a reader raises and sees them: the concern with its screening, the MASH queue, a SPOC's agency's referrals (`store.referrals(&reader)`).
#[derive(Clone, Copy)]
pub struct Referrals<'s> {
    store: &'s Store,
    reader: &'s Reader,
}

impl Store {
    pub fn referrals<'s>(&'s self, reader: &'s Reader) -> Referrals<'s> {
        Referrals { store: self, reader }
    }
}

impl std::ops::Deref for Referrals<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store
    }
}

impl Referrals<'_> {
    /// May this person record the police sources (a 101 notification, a 999 call, a
    /// concern reported to police)?
    pub async fn raises_as_police(&self) -> Result<bool> {
        self.is_police_agency(self.reader.viewer()).await
    }

    /// Every problem with a concern, without saving anything (the web edge adds its
    /// own, e.g. an unreadable date, and shows them all together).
    pub async fn problems(&self, form: &ConcernForm) -> Result<Invalid> {
        match self.checked_concern(self.reader.viewer(), form).await {
            Ok(_) => Ok(Invalid::new()),
            Err(StoreError::Invalid(v)) => Ok(v),
            Err(e) => Err(e),
        }
    }

    /// Record a concern: the child (chosen within the raiser's reach, or new), the CSE 1,
    /// the screening scored with the current tool, and the professional referral. All
    /// problems come back together and nothing is saved; on success the referral is on
    /// the MASH queue and the raiser's agency is involved with the child (through the
    /// raiser's teams, or the raiser in person).
    pub async fn raise(&self, form: &ConcernForm) -> Result<Raised> {
        if !self.reader.can(Permission::RaiseConcern) {
            return Err(self.refuse(self.reader.actor(), "referrals", "new", "concern: refused, the role does not allow it").await);
        }
        let (actor, viewer) = (self.reader.actor(), self.reader.viewer());
        let c = self.checked_concern(viewer, form).await?.into_inner();
        let today = self.today();
        let mut tx = self.write().await?;
        let child_id = self.child_id_for(&mut tx, actor, &c.child).await?;
        let id = self
            .q("INSERT INTO referrals (child_id, agency_id, raised_by, source, what_seen, seen_on, seen_where, seen_by, referral_text, tool_version, answers_json, risk_level, status, submitted_at, reported_by_kind) \
                VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) RETURNING id")
            .bind(child_id)
            .bind(viewer.agency_id)
            .bind(actor.user_id)
            .bind(c.source.slug())
            .bind(c.what_seen)
            .bind(crate::date_str(c.seen_on))
            .bind(c.seen_where)
            .bind(c.seen_by)
            .bind(c.referral_text)
            .bind(c.tool_version)
            .bind(to_json(&c.answers)?)
            .bind(c.risk.slug())
            .bind(ReferralStatus::Submitted.slug())
            .bind(self.store.now())
            .bind(c.reported_by.map(|r| r.slug()))
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        self.involve_in(&mut tx, actor, child_id, viewer.agency_id, InvolvementKind::RaisedConcern, &viewer.acting_scopes(), today).await?;
        tx.audit(
            actor,
            Event::new(
                "referral.raise",
                "child",
                child_id,
                format!("referral {id}: {}, screening tool {}, {}", c.source.slug(), c.tool_version, c.risk.slug()),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Raised { referral_id: id, child_id, risk_level: c.risk })
    }

    /// The MASH team's queue: referrals awaiting a decision, oldest first, with their
    /// age in hours. The MASH sees every child, but the list still goes through the rule.
    pub async fn mash_queue(&self, now: DateTime<Utc>) -> Result<Vec<Queued>> {
        let [s1, s2, s3] = ReferralStatus::mash_queue_slugs();
        let mut sql = Sql::new(format!("SELECT {COLS} FROM {FROM} WHERE r.status IN ("));
        sql.bind(s1).push(",").bind(s2).push(",").bind(s3).push(") AND ");
        push_reach(&mut sql, &self.reader.reach(), "c.id");
        sql.push(" ORDER BY r.submitted_at, r.id LIMIT 1000");
        sql.query(self)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                let referral = referral(r)?;
                let age = timestamp(&referral.submitted_at).map(|t| age_hours(t, now)).unwrap_or(0);
                Ok(Queued { referral, age_hours: age })
            })
            .collect()
    }

    /// One page of the MASH team's queue, oldest first (keyset on submission time and
    /// id, read through referrals_queue_order), and how many are waiting in all.
    pub async fn mash_queue_page(&self, now: DateTime<Utc>, req: &PageRequest) -> Result<(Page<Queued>, Total)> {
        let [s1, s2, s3] = ReferralStatus::mash_queue_slugs();
        let mut filter = Sql::new(" WHERE r.status IN (");
        filter.bind(s1).push(",").bind(s2).push(",").bind(s3).push(") AND ");
        push_reach(&mut filter, &self.reader.reach(), "c.id");
        let mut matching = Sql::new(format!("SELECT 1 FROM {FROM}"));
        matching.append(&filter);
        let total = self.count_up_to(&matching, Total::BOUND).await?;
        let mut sql = Sql::new(format!("SELECT {COLS} FROM {FROM}"));
        sql.append(&filter);
        QUEUE_ORDER.push_seek(&mut sql, req);
        QUEUE_ORDER.push_order(&mut sql, req);
        let rows = sql.query(self).fetch_all(self.pool()).await?;
        let page = QUEUE_ORDER.page(
            &rows,
            req,
            |r| Ok(vec![KeyPart::Text(r.s("submitted_at")?), KeyPart::Int(r.i("id")?)]),
            |r| {
                let referral = referral(r)?;
                let age = timestamp(&referral.submitted_at).map(|t| age_hours(t, now)).unwrap_or(0);
                Ok(Queued { referral, age_hours: age })
            },
        )?;
        Ok((page, total))
    }

    /// The referrals returned to the reader's agencies with no CSE concern and not yet
    /// acknowledged (children in reach), oldest first: what a SPOC must act on.
    pub async fn spoc_returned(&self) -> Result<Vec<Referral>> {
        let viewer = self.reader.viewer();
        if viewer.spoc_for.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(format!("SELECT {COLS} FROM {FROM} WHERE r.agency_id IN ("));
        sql.bind_list(viewer.spoc_for.iter().copied()).push(") AND r.status = ").bind(ReferralStatus::ReturnedToSpoc.slug()).push(" AND ");
        // Few rows, read in order through referrals_queue_order: each probes the reach.
        push_reach_per_row(&mut sql, &self.reader.reach(), "c.id");
        sql.push(" ORDER BY r.submitted_at, r.id LIMIT 200");
        sql.query(self).fetch_all(self.pool()).await?.iter().map(referral).collect()
    }

    /// One page of every referral raised by the reader's agencies (children in reach),
    /// newest first (keyset on submission time and id, read through the referrals_agency index),
    /// and how many there are in all.
    pub async fn spoc_page(&self, req: &PageRequest) -> Result<(Page<Referral>, Total)> {
        let viewer = self.reader.viewer();
        if viewer.spoc_for.is_empty() {
            return Ok((Page { items: Vec::new(), next: None, previous: None }, Total::exact(0)));
        }
        let mut filter = Sql::new(" WHERE r.agency_id IN (");
        filter.bind_list(viewer.spoc_for.iter().copied()).push(") AND ");
        // The count and the page probe the reach row by row along the referrals_agency
        // index: the count stops past its bound, so it never needs the reach as a set
        // (gathering an agency's children as one was 90 ms at national scale).
        let mut matching = Sql::new(format!("SELECT 1 FROM {FROM}"));
        matching.append(&filter);
        push_reach_per_row(&mut matching, &self.reader.reach(), "c.id");
        let total = self.count_up_to(&matching, Total::BOUND).await?;
        let mut sql = Sql::new(format!("SELECT {COLS} FROM {FROM}"));
        sql.append(&filter);
        push_reach_per_row(&mut sql, &self.reader.reach(), "c.id");
        AGENCY_ORDER.push_seek(&mut sql, req);
        AGENCY_ORDER.push_order(&mut sql, req);
        let rows = sql.query(self).fetch_all(self.pool()).await?;
        let page = AGENCY_ORDER.page(&rows, req, |r| Ok(vec![KeyPart::Text(r.s("submitted_at")?), KeyPart::Int(r.i("id")?)]), referral)?;
        Ok((page, total))
    }

    /// Referrals raised by the agencies the reader is SPOC for (children in reach): returned ones first.
    pub async fn spoc_referrals(&self) -> Result<Vec<Referral>> {
        let viewer = self.reader.viewer();
        if viewer.spoc_for.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(format!("SELECT {COLS} FROM {FROM} WHERE r.agency_id IN ("));
        sql.bind_list(viewer.spoc_for.iter().copied()).push(") AND ");
        push_reach(&mut sql, &self.reader.reach(), "c.id");
        sql.push(" ORDER BY CASE WHEN r.status = ")
            .bind(ReferralStatus::ReturnedToSpoc.slug())
            .push(" THEN 0 ELSE 1 END, r.submitted_at DESC, r.id DESC LIMIT 1000");
        sql.query(self).fetch_all(self.pool()).await?.iter().map(referral).collect()
    }
}

/// The CSE 2 screening tool's versions (`store.screening()`).
#[derive(Clone, Copy)]
pub struct ScreeningTools<'s> {
    store: &'s Store,
}

impl Store {
    pub fn screening(&self) -> ScreeningTools<'_> {
        ScreeningTools { store: self }
    }
}

impl std::ops::Deref for ScreeningTools<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store
    }
}

impl ScreeningTools<'_> {
    /// The screening tool in force: the highest version. An empty partnership starts
    /// with [`default_tool`] as version 1.
    pub async fn current(&self) -> Result<ScreeningTool> {
        if let Some(r) = self.q("SELECT version, tool_json FROM screening_tools ORDER BY version DESC LIMIT 1").fetch_optional(self.pool()).await? {
            return parse_tool(&r.s("tool_json")?, r.i("version")?);
        }
        let mut tx = self.write().await?;
        let mut t = default_tool();
        t.version = 1;
        let inserted = self
            .q("INSERT INTO screening_tools (version, tool_json, created_by, created_at) VALUES (1, $1, NULL, $2) ON CONFLICT (version) DO NOTHING")
            .bind(to_json(&t)?)
            .bind(self.store.now())
            .execute(tx.conn())
            .await?
            .rows_affected();
        if inserted == 1 {
            tx.audit(&Actor::system(), Event::new("screening-tool.save", "screening-tool", 1, "the default CSE 2 screening tool")).await?;
        }
        tx.commit().await?;
        if inserted == 1 {
            Ok(t)
        } else {
            Box::pin(self.current()).await
        }
    }

    /// A version of the tool (the one an old referral was scored with).
    pub async fn version(&self, version: i64) -> Result<ScreeningTool> {
        let r = self
            .q("SELECT version, tool_json FROM screening_tools WHERE version = $1")
            .bind(version)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        parse_tool(&r.s("tool_json")?, r.i("version")?)
    }

    /// Save an edited tool as a new version; referrals already made keep theirs.
    pub async fn save(&self, actor: &Actor, tool: &ScreeningTool) -> Result<i64> {
        let mut t = check_tool(tool)?.into_inner();
        self.screening().current().await?;
        let mut tx = self.write().await?;
        let last = self.q("SELECT MAX(version) AS v FROM screening_tools").fetch_one(tx.conn()).await?.oi("v")?.unwrap_or(0);
        let version = last + 1;
        t.version = version;
        let n = self
            .q("INSERT INTO screening_tools (version, tool_json, created_by, created_at) VALUES ($1,$2,$3,$4) ON CONFLICT (version) DO NOTHING")
            .bind(version)
            .bind(to_json(&t)?)
            .bind(actor.user_id)
            .bind(self.store.now())
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        tx.audit(actor, Event::new("screening-tool.save", "screening-tool", version, format!("version {version}"))).await?;
        tx.commit().await?;
        Ok(version)
    }
}
