//! Multi-agency case-file audits (`store.case_audits()`): a round samples children from
//! the period's referrals, child protection (CP) cases, child in need (CIN) decisions and
//! MACSE plans with a seed recorded with the round (the same seed over the same records
//! draws the same children); auditors from the partnership's agencies are assigned
//! cases and, through the child door's need-to-know rule, see exactly those children
//! from the round's first day to its last (or until it is closed); each case is graded
//! with the audit tool's questions (data); and the actions agreed become recommendations
//! in the round's own review, tracked like any other (origin "case-file audit").
//!
//! A triggered round records the dataset figure that crossed its threshold as its reason.

use assure_domain::case_audit::{check_round, crosses, default_questions, draw_sample, Grade, RoundInput, Stratum, Trigger};
use assure_domain::datasets::Month;
use assure_domain::tracker::{RecommendationInput, ReviewInput, ReviewKind};
use assure_domain::Invalid;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::audit::Event;
use crate::{date_str, stamp, to_json, Actor, Reader, Result, RowExt, Store, StoreError};

/// The origin every audit action carries in the tracker.
pub const ORIGIN: &str = "case-file audit";

#[derive(Clone, Copy)]
pub struct CaseAudits<'s> {
    store: &'s Store,
}

impl Store {
    pub fn case_audits(&self) -> CaseAudits<'_> {
        CaseAudits { store: self }
    }
}

/// A round as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRound {
    pub id: i64,
    pub title: String,
    pub triggered: bool,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub seed: u64,
    pub per_stratum: usize,
    pub trigger: Option<Trigger>,
    pub questions: Vec<String>,
    pub review_id: Option<i64>,
    pub open: bool,
    pub version: i64,
}

/// One sampled case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditCase {
    pub child_id: i64,
    pub stratum: Stratum,
    pub auditor_id: Option<i64>,
    pub grade: Option<Grade>,
    pub answers: Vec<(String, Grade)>,
    pub findings: String,
    pub version: i64,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("audit round {what}"))
}

impl CaseAudits<'_> {
    /// The audit tool's questions in force (seeded the first time they are asked for).
    pub async fn questions(&self) -> Result<Vec<String>> {
        let rows = self.store.q("SELECT text FROM audit_questions WHERE active = 1 ORDER BY position, id").fetch_all(self.store.pool()).await?;
        if !rows.is_empty() {
            return rows.iter().map(|r| r.s("text")).collect();
        }
        let mut tx = self.store.write().await?;
        if self.store.q("SELECT id FROM audit_questions").fetch_optional(tx.conn()).await?.is_none() {
            for (i, q) in default_questions().iter().enumerate() {
                self.store
                    .q("INSERT INTO audit_questions (position, text, active, created_at) VALUES ($1, $2, 1, $3)")
                    .bind(i as i64)
                    .bind(*q)
                    .bind(self.store.now())
                    .execute(tx.conn())
                    .await?;
            }
            tx.audit(&Actor::system(), Event::new("case_audit.questions_seeded", "audit_question", "seed", "the audit tool's questions seeded"))
                .await?;
        }
        tx.commit().await?;
        Ok(default_questions().into_iter().map(str::to_string).collect())
    }

    /// The children of each kind of case in the period, by record number (merged
    /// children as the child they were merged into).
    pub async fn population(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<(Stratum, Vec<i64>)>> {
        let start = stamp(assure_domain::clock::from_london(from.and_hms_opt(0, 0, 0).expect("midnight")));
        let end = stamp(assure_domain::clock::from_london(to.succ_opt().unwrap_or(to).and_hms_opt(0, 0, 0).expect("midnight")));
        let (first, last) = (date_str(from), date_str(to));
        let queries: [(Stratum, String, Vec<String>); 4] = [
            (
                Stratum::Referral,
                "SELECT DISTINCT COALESCE(c.merged_into_id, c.id) AS child FROM referrals r JOIN children c ON c.id = r.child_id WHERE r.submitted_at >= $1 AND r.submitted_at < $2".into(),
                vec![start.clone(), end.clone()],
            ),
            (
                Stratum::ChildProtection,
                "SELECT DISTINCT COALESCE(c.merged_into_id, c.id) AS child FROM cp_cases p JOIN children c ON c.id = p.child_id WHERE p.decided_on >= $1 AND p.decided_on <= $2".into(),
                vec![first.clone(), last.clone()],
            ),
            (
                Stratum::ChildInNeed,
                "SELECT DISTINCT COALESCE(c.merged_into_id, c.id) AS child FROM referrals r JOIN children c ON c.id = r.child_id WHERE r.decision = 'child-in-need-and-macse' AND r.decided_at >= $1 AND r.decided_at < $2".into(),
                vec![start.clone(), end.clone()],
            ),
            (
                Stratum::MacsePlan,
                "SELECT DISTINCT COALESCE(c.merged_into_id, c.id) AS child FROM plans p JOIN plan_versions v ON v.plan_id = p.id JOIN children c ON c.id = p.child_id WHERE v.created_at >= $1 AND v.created_at < $2".into(),
                vec![start, end],
            ),
        ];
        let mut out = Vec::new();
        for (stratum, sql, binds) in queries {
            let mut q = self.store.q(&sql);
            for b in binds {
                q = q.bind(b);
            }
            let ids = q.fetch_all(self.store.pool()).await?.iter().map(|r| r.i("child")).collect::<Result<Vec<i64>>>()?;
            out.push((stratum, ids));
        }
        Ok(out)
    }

    /// Open a round: the sample drawn with its seed, a review made for its actions. A
    /// triggered round names the measure and month whose figure crossed the threshold;
    /// one whose figure does not cross it is refused with the figure.
    pub async fn open_round(&self, actor: &Actor, input: &RoundInput, trigger: Option<(String, Month, f64)>) -> Result<i64> {
        let round = check_round(input, self.store.today()).map_err(StoreError::Invalid)?;
        let trigger = match trigger {
            None => None,
            Some((slug, month, threshold)) => Some(self.trigger(&slug, month, threshold).await?),
        };
        let questions = self.questions().await?;
        let population = self.population(round.period_from, round.period_to).await?;
        let sample = draw_sample(round.seed, &population, round.per_stratum);
        if sample.is_empty() {
            return Err(StoreError::Invalid(Invalid::single(
                "period_from",
                "There are no referrals, CP cases, CIN decisions or MACSE plans in that period to audit: choose another period",
            )));
        }
        // The review the round's actions become recommendations of: added in the same
        // transaction as the round, so neither is left without the other.
        let review = self
            .store
            .tracker()
            .checked_review(&ReviewInput {
                kind: Some(ReviewKind::Other),
                title: format!("Case-file audit: {}", round.title),
                terms_of_reference: match &trigger {
                    Some(t) => format!("A case-file audit triggered by the CSE dataset: {}.", t.reason()),
                    None => "The six-monthly multi-agency case-file audit of referrals, CP, CIN and MACSE plans.".into(),
                },
                start_date: Some(round.starts_on),
                end_date: Some(round.ends_on),
                ..Default::default()
            })
            .await?;
        let mut tx = self.store.write().await?;
        let review = self.store.tracker().insert_review(&mut tx, actor, &review).await?;
        let id = self
            .store
            .q("INSERT INTO audit_rounds (title, kind, period_from, period_to, starts_on, ends_on, seed, per_stratum, trigger_json, questions_json, review_id, status, created_by, created_at) \
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', $12, $13) RETURNING id")
            .bind(&round.title)
            .bind(if trigger.is_some() { "triggered" } else { "six-monthly" })
            .bind(date_str(round.period_from))
            .bind(date_str(round.period_to))
            .bind(date_str(round.starts_on))
            .bind(date_str(round.ends_on))
            .bind(round.seed as i64)
            .bind(round.per_stratum as i64)
            .bind(trigger.as_ref().map(to_json).transpose()?)
            .bind(to_json(&questions)?)
            .bind(review)
            .bind(actor.user_id)
            .bind(self.store.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        for (i, (stratum, child)) in sample.iter().enumerate() {
            self.store
                .q("INSERT INTO audit_cases (round_id, child_id, position, stratum) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(*child)
                .bind(i as i64)
                .bind(stratum.slug())
                .execute(tx.conn())
                .await?;
        }
        let counts: Vec<String> = Stratum::ALL.iter().map(|s| format!("{} {}", sample.iter().filter(|(x, _)| x == s).count(), s.slug())).collect();
        let why = trigger.as_ref().map(|t| format!("; triggered: {}", t.reason())).unwrap_or_default();
        tx.audit(
            actor,
            Event::new(
                "case_audit.open",
                "audit_round",
                id,
                format!("{}: seed {}, {} cases sampled ({}){why}", round.title, round.seed, sample.len(), counts.join(", ")),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn trigger(&self, slug: &str, month: Month, threshold: f64) -> Result<Trigger> {
        let d = self.store.datasets().month(month).await?;
        let m = d
            .measures
            .iter()
            .find(|m| m.slug == slug)
            .ok_or_else(|| StoreError::Invalid(Invalid::single("measure", "Choose a measure of the dataset")))?;
        let figure = d.figure(slug).map_or(0.0, |f| f.total.headline());
        let t = Trigger { measure: slug.to_string(), measure_name: m.name.clone(), month, figure, threshold };
        if !crosses(m.direction, figure, threshold) {
            return Err(StoreError::Invalid(Invalid::single(
                "threshold",
                format!("{}: it does not cross the threshold, so it cannot trigger an audit", t.reason()),
            )));
        }
        Ok(t)
    }

    pub async fn round(&self, id: i64) -> Result<AuditRound> {
        let r = self
            .store
            .q("SELECT id, title, kind, period_from, period_to, starts_on, ends_on, seed, per_stratum, trigger_json, questions_json, review_id, status, version FROM audit_rounds WHERE id = $1")
            .bind(id)
            .fetch_optional(self.store.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(AuditRound {
            id,
            title: r.s("title")?,
            triggered: r.s("kind")? == "triggered",
            period_from: r.d("period_from")?,
            period_to: r.d("period_to")?,
            starts_on: r.d("starts_on")?,
            ends_on: r.d("ends_on")?,
            seed: r.i("seed")? as u64,
            per_stratum: r.i("per_stratum")? as usize,
            trigger: r.os("trigger_json")?.map(|j| serde_json::from_str(&j)).transpose().map_err(|_| corrupt("trigger"))?,
            questions: serde_json::from_str(&r.s("questions_json")?).map_err(|_| corrupt("questions"))?,
            review_id: r.oi("review_id")?,
            open: r.s("status")? == "open",
            version: r.i("version")?,
        })
    }

    /// The rounds, newest first.
    pub async fn rounds(&self) -> Result<Vec<AuditRound>> {
        let ids = self.store.q("SELECT id FROM audit_rounds ORDER BY starts_on DESC, id DESC").fetch_all(self.store.pool()).await?;
        let mut out = Vec::new();
        for r in ids {
            out.push(self.round(r.i("id")?).await?);
        }
        Ok(out)
    }

    /// The sampled cases, in the order drawn.
    pub async fn cases(&self, round_id: i64) -> Result<Vec<AuditCase>> {
        let rows = self
            .store
            .q("SELECT child_id, stratum, auditor_id, grade, answers_json, findings, version FROM audit_cases WHERE round_id = $1 ORDER BY position")
            .bind(round_id)
            .fetch_all(self.store.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditCase {
                    child_id: r.i("child_id")?,
                    stratum: Stratum::from_slug(&r.s("stratum")?).ok_or_else(|| corrupt("stratum"))?,
                    auditor_id: r.oi("auditor_id")?,
                    grade: r.os("grade")?.map(|g| Grade::from_slug(&g).ok_or_else(|| corrupt("grade"))).transpose()?,
                    answers: serde_json::from_str(&r.s("answers_json")?).map_err(|_| corrupt("answers"))?,
                    findings: r.s("findings")?,
                    version: r.i("version")?,
                })
            })
            .collect()
    }

    /// Draw the round's sample again from its recorded seed over the records as they
    /// are now: the same children while the period's records are unchanged.
    pub async fn redraw(&self, round: &AuditRound) -> Result<Vec<(Stratum, i64)>> {
        let population = self.population(round.period_from, round.period_to).await?;
        Ok(draw_sample(round.seed, &population, round.per_stratum))
    }

    /// Assign a sampled case to an auditor: a person on the pathway (any agency). From
    /// the round's first day they see that child through the door, until its last.
    pub async fn assign(&self, reader: &Reader, round_id: i64, child_id: i64, auditor_id: i64) -> Result<()> {
        let actor = reader.actor();
        let round = self.round(round_id).await?;
        if !round.open {
            return Err(StoreError::Invalid(Invalid::single("auditor", "The round is closed: its cases cannot be assigned")));
        }
        if self.store.partnership().viewer(auditor_id).await?.is_none() {
            return Err(StoreError::Invalid(Invalid::single("auditor", "Choose an auditor from the partnership's agencies")));
        }
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE audit_cases SET auditor_id = $1, version = version + 1 WHERE round_id = $2 AND child_id = $3")
            .bind(auditor_id)
            .bind(round_id)
            .bind(child_id)
            .execute(tx.conn())
            .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(
            actor,
            Event::new(
                "case_audit.assign",
                "audit_round",
                round_id,
                format!("child {child_id}'s case assigned to user {auditor_id}: access from {} to {}", round.starts_on, round.ends_on),
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Grade a case with the audit tool: a grade per question and overall, and the findings.
    /// Only the case's auditor, while the round is open.
    #[allow(clippy::too_many_arguments)]
    pub async fn grade(
        &self,
        reader: &Reader,
        round_id: i64,
        child_id: i64,
        version: i64,
        answers: &[(String, Grade)],
        overall: Grade,
        findings: &str,
    ) -> Result<()> {
        let actor = reader.actor();
        let round = self.round(round_id).await?;
        let case = self.cases(round_id).await?.into_iter().find(|c| c.child_id == child_id).ok_or(StoreError::NotFound)?;
        if !round.open {
            return Err(StoreError::Invalid(Invalid::single("grade", "The round is closed: its grades are final")));
        }
        if case.auditor_id.is_none() || case.auditor_id != actor.user_id {
            return Err(StoreError::Forbidden);
        }
        if let Some((q, _)) = answers.iter().find(|(q, _)| !round.questions.contains(q)) {
            return Err(StoreError::Invalid(Invalid::single("answers", format!("\"{q}\" is not one of this round's questions"))));
        }
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE audit_cases SET grade = $1, answers_json = $2, findings = $3, graded_at = $4, version = version + 1 WHERE round_id = $5 AND child_id = $6 AND version = $7")
            .bind(overall.slug())
            .bind(to_json(&answers)?)
            .bind(findings.trim())
            .bind(self.store.now())
            .bind(round_id)
            .bind(child_id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        tx.audit(actor, Event::new("case_audit.grade", "audit_round", round_id, format!("child {child_id}'s case graded {}", overall.label())))
            .await?;
        tx.commit().await
    }

    /// An action agreed from the round's findings becomes a recommendation in the round's
    /// review, origin "case-file audit", monitored and reported like any other.
    pub async fn add_action(&self, actor: &Actor, round_id: i64, wording: &str, who_must_act: &str) -> Result<i64> {
        let round = self.round(round_id).await?;
        let review = round.review_id.ok_or_else(|| corrupt("review"))?;
        let number = self
            .store
            .q("SELECT COALESCE(MAX(number), 0) + 1 AS n FROM recommendations WHERE review_id = $1 AND parent_id IS NULL")
            .bind(review)
            .fetch_one(self.store.pool())
            .await?
            .i("n")?;
        let id = self
            .store
            .tracker()
            .create_recommendation(
                actor,
                review,
                &RecommendationInput {
                    number: Some(number),
                    committee_wording: wording.to_string(),
                    who_must_act: who_must_act.to_string(),
                    area: "CSE partnership: case-file audit".into(),
                    origin: ORIGIN.into(),
                    ..Default::default()
                },
            )
            .await?;
        self.store.record(actor, Event::new("case_audit.action", "audit_round", round_id, format!("action tracked as recommendation {id}"))).await?;
        Ok(id)
    }

    /// Close a round: the auditors' access ends with it.
    pub async fn close(&self, actor: &Actor, round_id: i64, version: i64) -> Result<()> {
        let round = self.round(round_id).await?;
        if !round.open {
            return Err(StoreError::Invalid(Invalid::single("round", "The round is already closed")));
        }
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE audit_rounds SET status = 'closed', closed_at = $1, version = version + 1 WHERE id = $2 AND version = $3 AND status = 'open'")
            .bind(self.store.now())
            .bind(round_id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        tx.audit(actor, Event::new("case_audit.close", "audit_round", round_id, format!("{} closed: the auditors' access has ended", round.title)))
            .await?;
        tx.commit().await
    }
}
