//! Child protection cases (R5): opened by a MASH decision of child protection (or a
//! contact's follow-on decision), read and changed only through the child's
//! [`ChildRecord`] (section [`Section::ChildProtection`]), every change audited against
//! the child with ids and slugs only. The stages are checked by the domain
//! (`child_protection::check_*`); the date the next stage is due is kept on the case
//! for the queue of open cases, which goes through [`push_reach`] like every list.

use assure_domain::child_protection::{
    check_conference, check_plan_allowed, check_review, check_s47, check_strategy, next_due, stages, CaseFacts, ConferenceInput, CpStage, S47Input,
    StageDue, StrategyInput,
};
use assure_domain::panels::InviteeKind;
use assure_domain::partnership::Section;
use assure_domain::plan::PlanVersion;
use assure_domain::{Invalid, Permission};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::audit::Event;
use crate::child_access::{push_reach, ChildRecord, Reader};
use crate::keyset::{KeyPart, Keyset, Page, PageRequest, Total};
use crate::sql::Sql;
use crate::{all_checks, date_str, opt_date_str, Actor, Result, RowExt, Store, StoreError, WriteTx};

/// A child protection case, as its page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct CpCase {
    pub id: i64,
    pub child_id: i64,
    pub child_name: String,
    pub referral_id: i64,
    pub reviewing_officer_id: Option<i64>,
    pub reviewing_officer_name: Option<String>,
    pub facts: CaseFacts,
    pub strategy_notes: String,
    /// The agencies at the strategy meeting: (id, name).
    pub attendees: Vec<(i64, String)>,
    /// The version of the child's plan (MACSE template) that is the CP plan.
    pub plan_version: Option<i64>,
    pub next_due_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub version: i64,
}

impl CpCase {
    pub fn is_open(&self) -> bool {
        self.closed_on.is_none()
    }
    /// Every stage with its due date and timeliness on `today`.
    pub fn stages(&self, today: NaiveDate) -> Vec<StageDue> {
        stages(&self.facts, today)
    }
    /// The next stage due (with its date), for an open case.
    pub fn next(&self) -> Option<(CpStage, NaiveDate)> {
        next_due(&self.facts)
    }
}

/// An open case on the queue.
#[derive(Debug, Clone, Serialize)]
pub struct QueuedCase {
    pub case: CpCase,
    pub next_stage: Option<CpStage>,
    pub overdue: bool,
}

const COLS: &str = "k.id, k.child_id, c.first_name, c.last_name, k.referral_id, k.decided_on, k.reviewing_officer_id, u.name AS officer_name, k.strategy_on, \
    k.strategy_decision, k.strategy_notes, k.s47_started_on, k.s47_outcome, k.s47_outcome_on, k.conference_on, k.conference_outcome, k.review_on, k.plan_version, \
    k.next_due_on, k.closed_on, k.version";
const FROM: &str = "cp_cases k JOIN children c ON c.id = k.child_id LEFT JOIN users u ON u.id = k.reviewing_officer_id";

/// The queue's order: the next stage due first.
const QUEUE_ORDER: Keyset = Keyset { columns: &["k.next_due_on", "k.id"], descending: false };

fn cp_case(r: &AnyRow) -> Result<CpCase> {
    Ok(CpCase {
        id: r.i("id")?,
        child_id: r.i("child_id")?,
        child_name: format!("{} {}", r.s("first_name")?, r.s("last_name")?),
        referral_id: r.i("referral_id")?,
        reviewing_officer_id: r.oi("reviewing_officer_id")?,
        reviewing_officer_name: r.os("officer_name")?,
        facts: CaseFacts {
            decided_on: Some(r.d("decided_on")?),
            strategy_on: r.od("strategy_on")?,
            strategy_decision: r.oe("strategy_decision")?,
            s47_started_on: r.od("s47_started_on")?,
            s47_outcome: r.oe("s47_outcome")?,
            s47_outcome_on: r.od("s47_outcome_on")?,
            conference_on: r.od("conference_on")?,
            conference_outcome: r.oe("conference_outcome")?,
            review_on: r.od("review_on")?,
        },
        strategy_notes: r.s("strategy_notes")?,
        attendees: Vec::new(),
        plan_version: r.oi("plan_version")?,
        next_due_on: r.od("next_due_on")?,
        closed_on: r.od("closed_on")?,
        version: r.i("version")?,
    })
}

impl Store {
    /// Open a CP case for the child after a decision of child protection (in the
    /// decision's transaction).
    pub(crate) async fn open_cp_case(
        &self,
        tx: &mut WriteTx<'_>,
        actor: &Actor,
        child_id: i64,
        referral_id: i64,
        decided_on: NaiveDate,
    ) -> Result<i64> {
        let facts = CaseFacts { decided_on: Some(decided_on), ..Default::default() };
        let due = next_due(&facts).map(|(_, d)| date_str(d));
        let id = self
            .q("INSERT INTO cp_cases (child_id, referral_id, decided_on, next_due_on, created_at) VALUES ($1,$2,$3,$4,$5) RETURNING id")
            .bind(child_id)
            .bind(referral_id)
            .bind(date_str(decided_on))
            .bind(due)
            .bind(self.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(actor, Event::new("cp.open", "child", child_id, format!("cp case {id} opened by referral {referral_id}"))).await?;
        Ok(id)
    }

    async fn attach_attendees(&self, cases: &mut [CpCase]) -> Result<()> {
        if cases.is_empty() {
            return Ok(());
        }
        let mut sql =
            Sql::new("SELECT t.case_id, a.id, a.name FROM cp_strategy_attendees t JOIN agencies a ON a.id = t.agency_id WHERE t.case_id IN (");
        sql.bind_list(cases.iter().map(|c| c.id)).push(") ORDER BY a.name, a.id");
        for r in sql.query(self).fetch_all(self.pool()).await? {
            let case_id = r.i("case_id")?;
            if let Some(c) = cases.iter_mut().find(|c| c.id == case_id) {
                c.attendees.push((r.i("id")?, r.s("name")?));
            }
        }
        Ok(())
    }
}

impl ChildRecord {
    /// The child's CP cases, newest first.
    pub async fn cp_cases(&self) -> Result<Vec<CpCase>> {
        self.require(Section::ChildProtection).await?;
        let sql = format!("SELECT {COLS} FROM {FROM} WHERE k.child_id = $1 ORDER BY k.decided_on DESC, k.id DESC");
        let mut cases = self.store.q(&sql).bind(self.id()).fetch_all(self.store.pool()).await?.iter().map(cp_case).collect::<Result<Vec<_>>>()?;
        self.store.attach_attendees(&mut cases).await?;
        Ok(cases)
    }

    /// One of the child's CP cases (not found when it is another child's).
    pub async fn cp_case(&self, case_id: i64) -> Result<CpCase> {
        self.require(Section::ChildProtection).await?;
        let sql = format!("SELECT {COLS} FROM {FROM} WHERE k.id = $1 AND k.child_id = $2");
        let row = self.store.q(&sql).bind(case_id).bind(self.id()).fetch_optional(self.store.pool()).await?.ok_or(StoreError::NotFound)?;
        let mut cases = vec![cp_case(&row)?];
        self.store.attach_attendees(&mut cases).await?;
        Ok(cases.remove(0))
    }

    /// The case to change: the role's permission (refused and audited), the case of this
    /// child, at the version the form was read at.
    async fn case_for_change(&self, case_id: i64, version: i64, what: &str) -> Result<CpCase> {
        self.require_permission(Permission::DecideReferrals, what).await?;
        let case = self.cp_case(case_id).await?;
        if case.version != version {
            return Err(StoreError::Conflict);
        }
        Ok(case)
    }

    /// Write the case's facts, the next date due and whether it has ended.
    async fn write_facts(&self, tx: &mut WriteTx<'_>, case: &CpCase, facts: &CaseFacts, notes: &str, today: NaiveDate) -> Result<()> {
        let store = &self.store;
        let due = next_due(facts).map(|(_, d)| date_str(d));
        let closed = case.closed_on.or((facts.closed()).then_some(today)).map(date_str);
        let n = store
            .q("UPDATE cp_cases SET strategy_on = $1, strategy_decision = $2, strategy_notes = $3, s47_started_on = $4, s47_outcome = $5, s47_outcome_on = $6, \
                conference_on = $7, conference_outcome = $8, review_on = $9, next_due_on = $10, closed_on = $11, version = version + 1 WHERE id = $12 AND version = $13")
            .bind(opt_date_str(facts.strategy_on))
            .bind(facts.strategy_decision.map(|d| d.slug()))
            .bind(notes.to_string())
            .bind(opt_date_str(facts.s47_started_on))
            .bind(facts.s47_outcome.map(|d| d.slug()))
            .bind(opt_date_str(facts.s47_outcome_on))
            .bind(opt_date_str(facts.conference_on))
            .bind(facts.conference_outcome.map(|d| d.slug()))
            .bind(opt_date_str(facts.review_on))
            .bind(due)
            .bind(closed)
            .bind(case.id)
            .bind(case.version)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        Ok(())
    }

    /// Record the strategy meeting: its date, the agencies that attended and its decision.
    pub async fn record_strategy_meeting(&self, case_id: i64, version: i64, input: &StrategyInput) -> Result<()> {
        let case = self.case_for_change(case_id, version, "cp-strategy-meeting").await?;
        let store = &self.store;
        let today = store.today();
        let mut found = Invalid::new();
        for a in &input.agencies {
            if store.q("SELECT id FROM agencies WHERE id = $1").bind(*a).fetch_optional(store.pool()).await?.is_none() {
                found.add("agencies", "Select the agencies from the list");
                break;
            }
        }
        let s = all_checks(check_strategy(input, &case.facts, today), found, &["held_on", "agencies", "decision", "notes"])?.into_inner();
        let facts = CaseFacts { strategy_on: Some(s.held_on), strategy_decision: Some(s.decision), ..case.facts.clone() };
        let mut tx = store.write().await?;
        self.write_facts(&mut tx, &case, &facts, &s.notes, today).await?;
        for a in &s.agencies {
            store.q("INSERT INTO cp_strategy_attendees (case_id, agency_id) VALUES ($1,$2)").bind(case.id).bind(*a).execute(tx.conn()).await?;
        }
        tx.audit(
            self.actor(),
            Event::new(
                "cp.strategy-meeting",
                "child",
                self.id(),
                format!("cp case {}: strategy meeting, {} agencies, {}", case.id, s.agencies.len(), s.decision.slug()),
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Record the section 47 enquiry's start, and (with it or later) its outcome.
    pub async fn record_section_47(&self, case_id: i64, version: i64, input: &S47Input) -> Result<()> {
        let case = self.case_for_change(case_id, version, "cp-section-47").await?;
        let today = self.store.today();
        let s = check_s47(input, &case.facts, today)?.into_inner();
        let facts = CaseFacts {
            s47_started_on: Some(s.started_on),
            s47_outcome: s.outcome.map(|o| o.0),
            s47_outcome_on: s.outcome.map(|o| o.1),
            ..case.facts.clone()
        };
        let mut tx = self.store.write().await?;
        self.write_facts(&mut tx, &case, &facts, &case.strategy_notes, today).await?;
        let what = match s.outcome {
            Some((o, _)) => format!("outcome {}", o.slug()),
            None => "started".into(),
        };
        tx.audit(self.actor(), Event::new("cp.section-47", "child", self.id(), format!("cp case {}: section 47 enquiry {what}", case.id))).await?;
        tx.commit().await
    }

    /// Record the initial child protection conference and its outcome.
    pub async fn record_conference(&self, case_id: i64, version: i64, input: &ConferenceInput) -> Result<()> {
        let case = self.case_for_change(case_id, version, "cp-conference").await?;
        let today = self.store.today();
        let c = check_conference(input, &case.facts, today)?.into_inner();
        let facts = CaseFacts { conference_on: Some(c.held_on), conference_outcome: Some(c.outcome), ..case.facts.clone() };
        let mut tx = self.store.write().await?;
        self.write_facts(&mut tx, &case, &facts, &case.strategy_notes, today).await?;
        tx.audit(
            self.actor(),
            Event::new("cp.conference", "child", self.id(), format!("cp case {}: initial conference, {}", case.id, c.outcome.slug())),
        )
        .await?;
        tx.commit().await
    }

    /// Record the first review conference.
    pub async fn record_review_conference(&self, case_id: i64, version: i64, held_on: Option<NaiveDate>) -> Result<()> {
        let case = self.case_for_change(case_id, version, "cp-review-conference").await?;
        let today = self.store.today();
        let on = check_review(held_on, &case.facts, today)?.into_inner();
        let facts = CaseFacts { review_on: Some(on), ..case.facts.clone() };
        let mut tx = self.store.write().await?;
        self.write_facts(&mut tx, &case, &facts, &case.strategy_notes, today).await?;
        tx.audit(self.actor(), Event::new("cp.review-conference", "child", self.id(), format!("cp case {}: first review conference", case.id)))
            .await?;
        tx.commit().await
    }

    /// Name the CSE reviewing officer (an active account on the pathway) who attends
    /// MACSE for the child: invited now to the child's slots at panels still to come, and
    /// proposed for every slot booked later.
    pub async fn name_reviewing_officer(&self, case_id: i64, version: i64, user_id: Option<i64>) -> Result<()> {
        let case = self.case_for_change(case_id, version, "cp-reviewing-officer").await?;
        let store = &self.store;
        let Some(uid) = user_id else { return Err(Invalid::single("officer", "Select the CSE reviewing officer").into()) };
        let Some(person) = store
            .q("SELECT u.name, m.agency_id FROM users u JOIN partnership_members m ON m.user_id = u.id WHERE u.id = $1 AND u.active = 1")
            .bind(uid)
            .fetch_optional(store.pool())
            .await?
        else {
            return Err(Invalid::single("officer", "Select the CSE reviewing officer from the list of people on the pathway").into());
        };
        let (name, agency) = (person.s("name")?, person.i("agency_id")?);
        let today = store.today();
        let mut tx = store.write().await?;
        let n = store
            .q("UPDATE cp_cases SET reviewing_officer_id = $1, version = version + 1 WHERE id = $2 AND version = $3")
            .bind(uid)
            .bind(case.id)
            .bind(version)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        tx.audit(
            self.actor(),
            Event::new("cp.reviewing-officer", "child", self.id(), format!("cp case {}: CSE reviewing officer user {uid}", case.id)),
        )
        .await?;
        let slots = store
            .q("SELECT s.id FROM panel_slots s JOIN panels p ON p.id = s.panel_id WHERE s.child_id = $1 AND p.meeting_date >= $2 \
                AND NOT EXISTS (SELECT 1 FROM panel_invitations i WHERE i.slot_id = s.id AND i.user_id = $3) ORDER BY s.id")
            .bind(self.id())
            .bind(date_str(today))
            .bind(uid)
            .fetch_all(tx.conn())
            .await?
            .iter()
            .map(|r| r.i("id"))
            .collect::<Result<Vec<_>>>()?;
        for slot in slots {
            store
                .insert_invitation(&mut tx, self.actor(), self.id(), slot, InviteeKind::CseReviewingOfficer, Some(uid), Some(agency), &name, today)
                .await?;
        }
        tx.commit().await
    }

    /// Save a version of the child's plan as the CP plan (the MACSE plan template), once
    /// the initial conference has decided on a plan: the MASH, with the same rules as
    /// any plan version; the case keeps the version's number.
    pub async fn save_cp_plan(&self, case_id: i64, based_on: i64, version: &PlanVersion, rows: Option<&[usize]>, today: NaiveDate) -> Result<i64> {
        self.require_permission(Permission::DecideReferrals, "cp-plan").await?;
        let case = self.cp_case(case_id).await?;
        check_plan_allowed(&case.facts)?;
        if !case.is_open() {
            return Err(Invalid::single("plan", "This child protection case has ended").into());
        }
        self.save_plan_version_for(based_on, None, version, rows, today, Some(case.id)).await
    }
}

/// CP cases as a reader sees them across children: the queue of open cases
/// (`store.child_protection(&reader)`).
#[derive(Clone, Copy)]
pub struct ChildProtection<'s> {
    store: &'s Store,
    reader: &'s Reader,
}

impl Store {
    pub fn child_protection<'s>(&'s self, reader: &'s Reader) -> ChildProtection<'s> {
        ChildProtection { store: self, reader }
    }
}

impl ChildProtection<'_> {
    /// One page of the open CP cases with a stage due, the next due first (keyset on the
    /// due date and id), children in reach only; `overdue_only` keeps those whose next
    /// stage is past due on `today`. With the number of such cases in all.
    pub async fn queue_page(&self, today: NaiveDate, overdue_only: bool, req: &PageRequest) -> Result<(Page<QueuedCase>, Total)> {
        if !self.reader.can(Permission::DecideReferrals) {
            return Err(self.store.refuse(self.reader.actor(), "cp-cases", "queue", "cp queue: refused, the role does not allow it").await);
        }
        let store = self.store;
        let mut filter = Sql::new(" WHERE k.closed_on IS NULL AND k.next_due_on IS NOT NULL AND c.merged_into_id IS NULL AND ");
        push_reach(&mut filter, &self.reader.reach(), "c.id");
        if overdue_only {
            filter.push(" AND k.next_due_on < ").bind(date_str(today));
        }
        let mut matching = Sql::new(format!("SELECT 1 FROM {FROM}"));
        matching.append(&filter);
        let total = store.count_up_to(&matching, Total::BOUND).await?;
        let mut sql = Sql::new(format!("SELECT {COLS} FROM {FROM}"));
        sql.append(&filter);
        QUEUE_ORDER.push_seek(&mut sql, req);
        QUEUE_ORDER.push_order(&mut sql, req);
        let rows = sql.query(store).fetch_all(store.pool()).await?;
        let page = QUEUE_ORDER.page(
            &rows,
            req,
            |r| Ok(vec![KeyPart::Text(r.s("next_due_on")?), KeyPart::Int(r.i("id")?)]),
            |r| {
                let case = cp_case(r)?;
                let next = case.next();
                Ok(QueuedCase { next_stage: next.map(|n| n.0), overdue: next.is_some_and(|(_, d)| today > d), case })
            },
        )?;
        Ok((page, total))
    }
}
