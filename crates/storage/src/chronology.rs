//! A child's chronology, built from the records themselves (issue 21): one query per
//! kind of record, each cut to the reader before anything leaves the record, so the
//! number of statements does not grow with the number of events. Police-only material
//! (flags, operations, actions in police-only plan sections) is not even read for a
//! reader who may not see it, so nothing of it shows — no entry, no count, no gap.
//!
//! Significant-event marks are the only thing kept: one row per version of the mark,
//! keyed by the entry's kind and record id, each written with its audit entry.

use std::collections::HashMap;

use assure_domain::chronology::{Entry, EntryKey, EntryKind, Facts, Significance};
use assure_domain::missing::InterviewResponse;
use assure_domain::partnership::Section;
use assure_domain::placements::{Risk, RiskAnswer};
use assure_domain::referral::{MashDecision, ReferralSource};
use assure_domain::screening::RiskLevel;
use assure_domain::{clock, Invalid};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};
use sqlx::any::AnyRow;

use crate::audit::Event;
use crate::child_access::ChildRecord;
use crate::{Result, RowExt, StoreError};

/// A stored moment (an audit-style UTC stamp, a London local time, or a date) as
/// London local time, and whether only the date was held.
fn moment(s: &str) -> Option<(NaiveDateTime, bool)> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some((clock::london(t.with_timezone(&chrono::Utc)), false));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S") {
        return Some((t, false));
    }
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok().map(|d| (d.and_time(NaiveTime::MIN), true))
}

fn col_moment(r: &AnyRow, col: &str) -> Result<Option<(NaiveDateTime, bool)>> {
    Ok(match r.os(col)? {
        Some(s) if !s.is_empty() => Some(moment(&s).ok_or_else(|| StoreError::Corrupt(format!("{col}: {s:?}")))?),
        _ => None,
    })
}

/// An entry under construction.
struct At {
    kind: EntryKind,
    record_id: i64,
    section: Section,
    link: String,
}

impl At {
    fn entry(self, when: (NaiveDateTime, bool), agency: (Option<i64>, String), summary: String) -> Entry {
        Entry {
            kind: self.kind,
            record_id: self.record_id,
            at: when.0,
            date_only: when.1,
            agency_id: agency.0,
            agency: agency.1,
            summary,
            link: self.link,
            section: self.section,
            facts: Facts::default(),
            significance: None,
        }
    }
}

fn none() -> (Option<i64>, String) {
    (None, String::new())
}

/// A version of a significant-event mark, for the history of an entry's mark.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MarkVersion {
    pub version: i64,
    pub significant: bool,
    pub note: String,
    pub marked_by: String,
    pub marked_at: String,
}

impl ChildRecord {
    /// Every dated event of the child's record the reader may see, oldest first.
    pub async fn chronology(&self) -> Result<Vec<Entry>> {
        let store = &self.store;
        let pool = store.pool();
        let child = self.id();
        let mut out: Vec<Entry> = Vec::new();
        let link = |p: String| format!("/children/{child}{p}");

        // Concerns, their screenings and the MASH decisions on them.
        let concerns = self.may_see(Section::Concerns);
        let screening = self.may_see(Section::Screening);
        let decisions = self.may_see(Section::MashDecision);
        if concerns || decisions {
            // The versions of the screening tool the child's concerns were scored with (one
            // statement however many), to say which categories each screening was about.
            let mut tools = HashMap::new();
            if concerns && screening {
                let rows = store
                    .q("SELECT version, tool_json FROM screening_tools WHERE version IN (SELECT tool_version FROM referrals WHERE child_id = $1)")
                    .bind(child)
                    .fetch_all(pool)
                    .await?;
                for r in &rows {
                    let v = r.i("version")?;
                    tools.insert(v, crate::referrals::parse_tool(&r.s("tool_json")?, v)?);
                }
            }
            let rows = store
                .q("SELECT r.id, r.agency_id, a.name AS agency_name, r.source, r.risk_level, r.submitted_at, r.decision, r.decided_at, r.returned_at, \
                    r.follow_on, r.follow_on_at, r.tool_version, r.answers_json FROM referrals r JOIN agencies a ON a.id = r.agency_id WHERE r.child_id = $1")
                .bind(child)
                .fetch_all(pool)
                .await?;
            for r in &rows {
                let id = r.i("id")?;
                let agency = (Some(r.i("agency_id")?), r.s("agency_name")?);
                let source: ReferralSource = r.e("source")?;
                let here = link(format!("/referrals/{id}"));
                if concerns {
                    if let Some(when) = col_moment(r, "submitted_at")? {
                        let level: Option<RiskLevel> = if screening && source.screened() { r.oe("risk_level")? } else { None };
                        let summary = match level {
                            Some(l) => format!("{}. CSE 2 screening: {}", source.label(), l.label()),
                            None => source.label().to_string(),
                        };
                        let mut e = At { kind: EntryKind::Concern, record_id: id, section: Section::Concerns, link: here.clone() }.entry(
                            when,
                            agency.clone(),
                            summary,
                        );
                        e.facts.risk_level = level;
                        if level.is_some() {
                            if let Some(tool) = r.oi("tool_version")?.and_then(|v| tools.get(&v)) {
                                let answers: assure_domain::screening::Answers = serde_json::from_str(&r.s("answers_json")?).unwrap_or_default();
                                e.facts.categories = tool.categories_answered(&answers);
                            }
                        }
                        out.push(e);
                    }
                }
                if decisions {
                    if let (Some(when), Some(d)) = (col_moment(r, "decided_at")?, r.oe::<MashDecision>("decision")?) {
                        out.push(At { kind: EntryKind::MashDecision, record_id: id, section: Section::MashDecision, link: here.clone() }.entry(
                            when,
                            none(),
                            format!("MASH decision: {}", d.label()),
                        ));
                    }
                    if let (Some(when), Some(d)) = (col_moment(r, "follow_on_at")?, r.os("follow_on")?.filter(|s| !s.is_empty())) {
                        let label = MashDecision::from_slug(&d).map(|d| d.label().to_string()).unwrap_or(d);
                        out.push(At { kind: EntryKind::FollowOn, record_id: id, section: Section::MashDecision, link: here.clone() }.entry(
                            when,
                            none(),
                            format!("Decision after the contact's checks: {label}"),
                        ));
                    }
                    if let Some(when) = col_moment(r, "returned_at")? {
                        out.push(At { kind: EntryKind::ReturnedToSpoc, record_id: id, section: Section::MashDecision, link: here }.entry(
                            when,
                            agency.clone(),
                            format!("No CSE concern: returned to the SPOC of {}", agency.1),
                        ));
                    }
                }
            }
        }

        // MASH checks: a police check only for those who may see police information.
        if decisions {
            let police = self.may_see(Section::PoliceChecks);
            let rows = store
                .q("SELECT m.id, m.referral_id, m.agency_id, a.name AS agency_name, m.holds, m.police_only, m.recorded_at FROM mash_checks m \
                    JOIN referrals r ON r.id = m.referral_id JOIN agencies a ON a.id = m.agency_id WHERE r.child_id = $1")
                .bind(child)
                .fetch_all(pool)
                .await?;
            for r in &rows {
                // A check that holds only police information is police information.
                let section = if r.s("holds")?.is_empty() { Section::PoliceChecks } else { Section::MashDecision };
                if section == Section::PoliceChecks && (!police || r.s("police_only")?.is_empty()) {
                    continue;
                }
                let Some(when) = col_moment(r, "recorded_at")? else { continue };
                let agency = (Some(r.i("agency_id")?), r.s("agency_name")?);
                let summary = format!("MASH check: what {} holds", agency.1);
                out.push(
                    At { kind: EntryKind::MashCheck, record_id: r.i("id")?, section, link: link(format!("/referrals/{}", r.i("referral_id")?)) }
                        .entry(when, agency, summary),
                );
            }
        }

        // MARAC referrals reviewed for CSE.
        if concerns {
            let rows = store
                .q("SELECT m.id, m.agency_id, a.name AS agency_name, m.referred_on FROM marac_referrals m JOIN agencies a ON a.id = m.agency_id WHERE m.child_id = $1")
                .bind(child)
                .fetch_all(pool)
                .await?;
            for r in &rows {
                let Some(when) = col_moment(r, "referred_on")? else { continue };
                let id = r.i("id")?;
                out.push(At { kind: EntryKind::MaracReferral, record_id: id, section: Section::Concerns, link: link(format!("/marac/{id}")) }.entry(
                    when,
                    (Some(r.i("agency_id")?), r.s("agency_name")?),
                    "Referred to MARAC as the victim of an abusive relationship".to_string(),
                ));
            }
        }

        // Child protection: strategy meetings, section 47 enquiries, conferences.
        if self.may_see(Section::ChildProtection) {
            let rows = store
                .q("SELECT id, strategy_on, s47_started_on, conference_on, review_on FROM cp_cases WHERE child_id = $1")
                .bind(child)
                .fetch_all(pool)
                .await?;
            for r in &rows {
                let id = r.i("id")?;
                for (col, kind, summary) in [
                    ("strategy_on", EntryKind::StrategyMeeting, "Strategy meeting held"),
                    ("s47_started_on", EntryKind::Section47, "Section 47 enquiry started"),
                    ("conference_on", EntryKind::Conference, "Initial child protection conference"),
                    ("review_on", EntryKind::ReviewConference, "Review child protection conference"),
                ] {
                    if let Some(when) = col_moment(r, col)? {
                        out.push(At { kind, record_id: id, section: Section::ChildProtection, link: link("/child-protection".into()) }.entry(
                            when,
                            none(),
                            summary.to_string(),
                        ));
                    }
                }
            }
        }

        // MACSE panel slots.
        if self.may_see(Section::PanelMinutes) {
            let rows = store
                .q("SELECT s.id, s.panel_id, p.meeting_date, s.starts_at FROM panel_slots s JOIN panels p ON p.id = s.panel_id WHERE s.child_id = $1")
                .bind(child)
                .fetch_all(pool)
                .await?;
            for r in &rows {
                let date = r.d("meeting_date")?;
                let time = assure_domain::panels::parse_time(&r.s("starts_at")?);
                let when = match time {
                    Some(t) => (date.and_time(t), false),
                    None => (date.and_time(NaiveTime::MIN), true),
                };
                let panel = r.i("panel_id")?;
                out.push(
                    At { kind: EntryKind::PanelSlot, record_id: r.i("id")?, section: Section::PanelMinutes, link: format!("/panels/{panel}") }.entry(
                        when,
                        none(),
                        "Discussed at the MACSE panel".to_string(),
                    ),
                );
            }
        }

        // The MACSE plan's versions and the current version's actions.
        if self.may_see(Section::Profile) {
            let rows = store
                .q("SELECT v.id, v.number, v.review_date, v.created_at FROM plan_versions v JOIN plans pl ON pl.id = v.plan_id WHERE pl.child_id = $1")
                .bind(child)
                .fetch_all(pool)
                .await?;
            for r in &rows {
                let Some(when) = col_moment(r, "created_at")? else { continue };
                let n = r.i("number")?;
                out.push(
                    At { kind: EntryKind::PlanVersion, record_id: r.i("id")?, section: Section::Profile, link: link(format!("/plan/versions/{n}")) }
                        .entry(when, none(), format!("MACSE plan version {n} saved; review by {}", r.d("review_date")?.format("%-d %B %Y"))),
                );
            }
            let rows = store
                .q("SELECT a.id, a.section, a.text, a.owner, a.agency_id, g.name AS agency_name, a.due_date, a.status FROM plan_actions a \
                    JOIN plan_versions v ON v.id = a.version_id JOIN plans pl ON pl.id = v.plan_id AND pl.current_version = v.number \
                    JOIN agencies g ON g.id = a.agency_id WHERE pl.child_id = $1")
                .bind(child)
                .fetch_all(pool)
                .await?;
            for r in &rows {
                let section: Section = r.e("section")?;
                if !self.may_see(section) {
                    continue;
                }
                let Some(when) = col_moment(r, "due_date")? else { continue };
                let status: assure_domain::plan::ActionStatus = r.e("status")?;
                out.push(At { kind: EntryKind::PlanAction, record_id: r.i("id")?, section, link: link("/plan".into()) }.entry(
                    when,
                    (Some(r.i("agency_id")?), r.s("agency_name")?),
                    format!("{}: {} (owner: {}; {})", section.label(), r.s("text")?, r.s("owner")?, status.label().to_lowercase()),
                ));
            }
        }

        // Police-only: the CSE flag and operations. Not read at all for anyone else.
        if self.may_see(Section::Operations) {
            let rows = store.q("SELECT id, flagged, flag_date FROM police_flags WHERE child_id = $1").bind(child).fetch_all(pool).await?;
            for r in &rows {
                let Some(when) = col_moment(r, "flag_date")? else { continue };
                let summary = if r.i("flagged")? != 0 { "Police CSE flag recorded" } else { "Police CSE flag removed" };
                out.push(
                    At { kind: EntryKind::PoliceFlag, record_id: r.i("id")?, section: Section::Operations, link: link("/police".into()) }.entry(
                        when,
                        none(),
                        summary.to_string(),
                    ),
                );
            }
            let rows = store
                .q("SELECT o.id, o.name, o.kind, o.created_at FROM operations o JOIN operation_children oc ON oc.operation_id = o.id WHERE oc.child_id = $1")
                .bind(child)
                .fetch_all(pool)
                .await?;
            for r in &rows {
                let Some(when) = col_moment(r, "created_at")? else { continue };
                let id = r.i("id")?;
                out.push(At { kind: EntryKind::Operation, record_id: id, section: Section::Operations, link: link("/police".into()) }.entry(
                    when,
                    none(),
                    format!("Police operation {} ({})", r.s("name")?, r.s("kind")?),
                ));
            }
        }

        // Placements and their notifications.
        if self.may_see(Section::Placements) {
            let rows = store
                .q("SELECT id, placing_authority, start_date, received_date, risks_json FROM placement_notifications WHERE child_id = $1")
                .bind(child)
                .fetch_all(pool)
                .await?;
            for r in &rows {
                let id = r.i("id")?;
                let authority = r.s("placing_authority")?;
                let risks: Vec<RiskAnswer> =
                    serde_json::from_str(&r.s("risks_json")?).map_err(|e| StoreError::Corrupt(format!("notification risks: {e}")))?;
                let cse = risks.iter().find(|a| a.risk == Risk::Cse).map(|a| a.present);
                let declared: Vec<&str> = risks.iter().filter(|a| a.present).map(|a| a.risk.label()).collect();
                let here = link("/placements".into());
                if let Some(when) = col_moment(r, "start_date")? {
                    let risks = if declared.is_empty() { "no risks declared".to_string() } else { format!("risks: {}", declared.join(", ")) };
                    let mut e = At { kind: EntryKind::Placement, record_id: id, section: Section::Placements, link: here.clone() }.entry(
                        when,
                        (None, authority.clone()),
                        format!("Placed here by {authority} ({risks})"),
                    );
                    e.facts.cse_risk = cse;
                    out.push(e);
                }
                if let Some(when) = col_moment(r, "received_date")? {
                    out.push(At { kind: EntryKind::Notification, record_id: id, section: Section::Placements, link: here }.entry(
                        when,
                        (None, authority.clone()),
                        format!("Placement notification received from {authority}"),
                    ));
                }
            }
        }

        // Missing episodes, returns and return interviews.
        if self.may_see(Section::Missing) {
            let rows = store
                .q("SELECT e.id, e.missing_from, e.started_at, e.ended_at, e.risk_grading, m.agency_id, a.name AS agency_name, \
                    ri.id AS ri_id, ri.offered_at, ri.response, ri.recorded_at AS ri_recorded_at FROM missing_episodes e \
                    LEFT JOIN partnership_members m ON m.user_id = e.recorded_by LEFT JOIN agencies a ON a.id = m.agency_id \
                    LEFT JOIN return_interviews ri ON ri.episode_id = e.id WHERE e.child_id = $1")
                .bind(child)
                .fetch_all(pool)
                .await?;
            for r in &rows {
                let id = r.i("id")?;
                let agency = (r.oi("agency_id")?, r.os("agency_name")?.unwrap_or_default());
                let here = link("/missing".into());
                let from: assure_domain::missing::MissingFrom = r.e("missing_from")?;
                let grading: assure_domain::missing::RiskGrading = r.e("risk_grading")?;
                if let Some(when) = col_moment(r, "started_at")? {
                    out.push(At { kind: EntryKind::MissingEpisode, record_id: id, section: Section::Missing, link: here.clone() }.entry(
                        when,
                        agency.clone(),
                        format!("Missing from {} (risk: {})", from.label().to_lowercase(), grading.label().to_lowercase()),
                    ));
                }
                if let Some(when) = col_moment(r, "ended_at")? {
                    out.push(At { kind: EntryKind::Return, record_id: id, section: Section::Missing, link: here.clone() }.entry(
                        when,
                        agency.clone(),
                        "Found or returned".to_string(),
                    ));
                }
                if let Some(ri) = r.oi("ri_id")? {
                    let when = match col_moment(r, "offered_at")? {
                        Some(w) => Some(w),
                        None => col_moment(r, "ri_recorded_at")?,
                    };
                    if let Some(when) = when {
                        let response: Option<InterviewResponse> = r.oe("response")?;
                        let summary = match response {
                            Some(x) => format!("Return interview offered: {}", x.label().to_lowercase()),
                            None => "Return interview offered".to_string(),
                        };
                        let mut e = At { kind: EntryKind::ReturnInterview, record_id: ri, section: Section::Missing, link: here }.entry(
                            when,
                            none(),
                            summary,
                        );
                        e.facts.interview = response;
                        out.push(e);
                    }
                }
            }
        }

        // Emergency (break-glass) access, to those who may see who looked at the record.
        if self.may_see(Section::AccessLog) {
            let rows = store
                .q("SELECT g.id, g.granted_at, g.reason, u.name FROM emergency_access g JOIN users u ON u.id = g.user_id WHERE g.child_id = $1")
                .bind(child)
                .fetch_all(pool)
                .await?;
            for r in &rows {
                let Some(when) = col_moment(r, "granted_at")? else { continue };
                out.push(
                    At { kind: EntryKind::BreakGlass, record_id: r.i("id")?, section: Section::AccessLog, link: link("/access-log".into()) }.entry(
                        when,
                        none(),
                        format!("{} used emergency access: {}", r.s("name")?, r.s("reason")?),
                    ),
                );
            }
        }

        // The latest version of each significant-event mark, on the entries shown.
        let marks = self.latest_marks().await?;
        for e in &mut out {
            if let Some(m) = marks.get(&e.key()) {
                e.significance = Some(m.clone());
            }
        }
        assure_domain::chronology::sort(&mut out, assure_domain::chronology::Order::OldestFirst);
        Ok(out)
    }

    async fn latest_marks(&self) -> Result<HashMap<EntryKey, Significance>> {
        let rows = self
            .store
            .q("SELECT k.entry_kind, k.record_id, k.version, k.significant, k.note, u.name, k.marked_at FROM chronology_marks k LEFT JOIN users u ON u.id = k.marked_by \
                WHERE k.child_id = $1 ORDER BY k.version")
            .bind(self.id())
            .fetch_all(self.store.pool())
            .await?;
        let mut out = HashMap::new();
        for r in &rows {
            let Some(kind) = EntryKind::from_slug(&r.s("entry_kind")?) else { continue };
            out.insert(
                EntryKey { kind, record_id: r.i("record_id")? },
                Significance {
                    note: r.s("note")?,
                    version: r.i("version")?,
                    marked_by: r.os("name")?.unwrap_or_default(),
                    marked_at: r.s("marked_at")?,
                    significant: r.i("significant")? != 0,
                },
            );
        }
        Ok(out)
    }

    /// Every version of the mark on one entry the reader may see, oldest first.
    pub async fn mark_history(&self, key: EntryKey) -> Result<Vec<MarkVersion>> {
        self.visible_entry(key).await?;
        self.store
            .q("SELECT k.version, k.significant, k.note, u.name, k.marked_at FROM chronology_marks k LEFT JOIN users u ON u.id = k.marked_by \
                WHERE k.child_id = $1 AND k.entry_kind = $2 AND k.record_id = $3 ORDER BY k.version")
            .bind(self.id())
            .bind(key.kind.slug())
            .bind(key.record_id)
            .fetch_all(self.store.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(MarkVersion {
                    version: r.i("version")?,
                    significant: r.i("significant")? != 0,
                    note: r.s("note")?,
                    marked_by: r.os("name")?.unwrap_or_default(),
                    marked_at: r.s("marked_at")?,
                })
            })
            .collect()
    }

    /// The entry, if the reader may see it; otherwise not found (as for no such entry).
    async fn visible_entry(&self, key: EntryKey) -> Result<Entry> {
        self.chronology().await?.into_iter().find(|e| e.key() == key).ok_or(StoreError::NotFound)
    }

    /// Mark an entry significant (or take the mark off) with a short professional note.
    /// `version` is the mark's version the person saw (0: none yet); a later one saved
    /// meanwhile is a conflict, never overwritten. Each version is kept, and audited.
    pub async fn mark_significant(&self, key: EntryKey, version: i64, significant: bool, note: &str) -> Result<i64> {
        self.require_permission(assure_domain::Permission::ViewChildren, "chronology mark").await?;
        let entry = self.visible_entry(key).await?;
        let note = assure_domain::chronology::check_note(note, significant).map_err(|m| Invalid::single("note", m))?;
        let current = entry.significance.as_ref().map_or(0, |s| s.version);
        if version != current {
            return Err(StoreError::Conflict);
        }
        let store = &self.store;
        let mut tx = store.write().await?;
        // The unique key (child, kind, record, version) refuses a second writer of the
        // same version even if both read the same current version.
        let inserted = store
            .q("INSERT INTO chronology_marks (child_id, entry_kind, record_id, version, significant, note, marked_by, marked_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) \
                ON CONFLICT DO NOTHING")
            .bind(self.id())
            .bind(key.kind.slug())
            .bind(key.record_id)
            .bind(current + 1)
            .bind(i64::from(significant))
            .bind(&note)
            .bind(self.reader.user_id())
            .bind(store.now())
            .execute(tx.conn())
            .await?
            .rows_affected();
        if inserted == 0 {
            return Err(StoreError::Conflict);
        }
        tx.audit(
            self.actor(),
            Event::new(
                if significant { "chronology.significant" } else { "chronology.not-significant" },
                "child",
                self.id(),
                format!("{} {}: mark version {}", key.kind.slug(), key.record_id, current + 1),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(current + 1)
    }
}

/// One open item of work on the child ("what happens next").
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NextStep {
    pub what: String,
    pub detail: String,
    pub due: Option<NaiveDate>,
    pub overdue: bool,
    pub link: String,
}

/// Plan actions due within this many days are shown with the overdue ones.
pub const ACTIONS_AHEAD_DAYS: i64 = 28;

impl ChildRecord {
    /// The open work on the child the reader may see, soonest first: referrals awaiting
    /// the MASH's decision, the next panel slot, plan actions overdue or due soon with
    /// their owners, return interviews still to offer, the plan's and the child
    /// protection case's next review. A fixed number of statements.
    pub async fn next_steps(&self) -> Result<Vec<NextStep>> {
        let store = &self.store;
        let pool = store.pool();
        let child = self.id();
        let today = store.today();
        let link = |p: &str| format!("/children/{child}{p}");
        let mut out = Vec::new();
        if self.may_see(Section::Concerns) {
            let rows = store
                .q("SELECT r.id, r.submitted_at, a.name AS agency_name FROM referrals r JOIN agencies a ON a.id = r.agency_id \
                    WHERE r.child_id = $1 AND r.status IN ('submitted', 'checks-in-progress', 'contact-checks')")
                .bind(child)
                .fetch_all(pool)
                .await?;
            for r in &rows {
                let raised = col_moment(r, "submitted_at")?.map(|m| m.0.date());
                out.push(NextStep {
                    what: "Referral awaiting the MASH decision".into(),
                    detail: format!(
                        "Raised by {}{}",
                        r.s("agency_name")?,
                        raised.map(|d| format!(" on {}", d.format("%-d %B %Y"))).unwrap_or_default()
                    ),
                    due: None,
                    overdue: false,
                    link: link(&format!("/referrals/{}", r.i("id")?)),
                });
            }
        }
        if self.may_see(Section::PanelMinutes) {
            let rows = store
                .q("SELECT s.panel_id, p.meeting_date, s.starts_at FROM panel_slots s JOIN panels p ON p.id = s.panel_id \
                    WHERE s.child_id = $1 AND p.meeting_date >= $2 ORDER BY p.meeting_date LIMIT 1")
                .bind(child)
                .bind(crate::date_str(today))
                .fetch_all(pool)
                .await?;
            for r in &rows {
                let date = r.d("meeting_date")?;
                out.push(NextStep {
                    what: "Next MACSE panel slot".into(),
                    detail: format!("{} at {}", date.format("%-d %B %Y"), r.s("starts_at")?),
                    due: Some(date),
                    overdue: false,
                    link: format!("/panels/{}", r.i("panel_id")?),
                });
            }
        }
        if self.may_see(Section::Profile) {
            let rows = store
                .q("SELECT a.section, a.text, a.owner, g.name AS agency_name, a.due_date FROM plan_actions a \
                    JOIN plan_versions v ON v.id = a.version_id JOIN plans pl ON pl.id = v.plan_id AND pl.current_version = v.number \
                    JOIN agencies g ON g.id = a.agency_id WHERE pl.child_id = $1 AND a.status IN ('not-started', 'in-progress') AND a.due_date <= $2")
                .bind(child)
                .bind(crate::date_str(today + chrono::Duration::days(ACTIONS_AHEAD_DAYS)))
                .fetch_all(pool)
                .await?;
            for r in &rows {
                let section: Section = r.e("section")?;
                if !self.may_see(section) {
                    continue;
                }
                let due = r.d("due_date")?;
                out.push(NextStep {
                    what: if due < today { "Plan action overdue".into() } else { "Plan action due".into() },
                    detail: format!("{} (owner: {}, {})", r.s("text")?, r.s("owner")?, r.s("agency_name")?),
                    due: Some(due),
                    overdue: due < today,
                    link: link("/plan"),
                });
            }
            let rows = store
                .q("SELECT v.review_date FROM plan_versions v JOIN plans pl ON pl.id = v.plan_id AND pl.current_version = v.number WHERE pl.child_id = $1")
                .bind(child)
                .fetch_all(pool)
                .await?;
            for r in &rows {
                let due = r.d("review_date")?;
                out.push(NextStep {
                    what: "MACSE plan review".into(),
                    detail: String::new(),
                    due: Some(due),
                    overdue: due < today,
                    link: link("/plan"),
                });
            }
        }
        if self.may_see(Section::Missing) {
            let rows = store
                .q("SELECT e.interview_due_by FROM missing_episodes e LEFT JOIN return_interviews ri ON ri.episode_id = e.id \
                    WHERE e.child_id = $1 AND e.ended_at IS NOT NULL AND e.interview_due_by IS NOT NULL AND (ri.id IS NULL OR ri.offered_at IS NULL)")
                .bind(child)
                .fetch_all(pool)
                .await?;
            for r in &rows {
                let Some((by, _)) = col_moment(r, "interview_due_by")? else { continue };
                out.push(NextStep {
                    what: "Return interview to offer".into(),
                    detail: format!("Offer it by {}", by.format("%-d %B %Y, %H:%M")),
                    due: Some(by.date()),
                    overdue: by < store.clock().local_now(),
                    link: link("/missing"),
                });
            }
        }
        if self.may_see(Section::ChildProtection) {
            let rows = store
                .q("SELECT next_due_on FROM cp_cases WHERE child_id = $1 AND closed_on IS NULL AND next_due_on IS NOT NULL")
                .bind(child)
                .fetch_all(pool)
                .await?;
            for r in &rows {
                let due = r.d("next_due_on")?;
                out.push(NextStep {
                    what: "Child protection: next step due".into(),
                    detail: String::new(),
                    due: Some(due),
                    overdue: due < today,
                    link: link("/child-protection"),
                });
            }
        }
        out.sort_by_key(|a| (a.due.is_some(), a.due));
        Ok(out)
    }
}
