//! The monthly CSE dataset (`store.datasets()`): the measures in force, a month's
//! figures counted from the pathway's own records, and closed months frozen as
//! snapshots that read the same for ever (a late-recorded event shows as a
//! restatement beside them, never as a silent change).
//!
//! One code path on both engines: each source's records for a month are read with
//! plain comparisons on stored dates (instants against the month's bounds on the
//! London clock, dates against its first and last day), and the domain counts them.
//! Only counts leave this module; the child ids read are used to count children once.

use std::collections::BTreeMap;

use assure_domain::datasets::{
    self, age_band, check_measure, compute, fingerprint, may_close, restatements, seed_measures, Condition, Dimension, Fact, Figure, Measure,
    MeasureInput, Month, PeriodRule, Restatement, Source,
};
use assure_domain::disclosure::{publish, Published, DEFAULT_THRESHOLD};
use assure_domain::missing::{MissingFrom, RiskGrading};
use assure_domain::panels::OperationKind;
use assure_domain::placements::{lateness, Risk, RiskAnswer, Timeliness};
use assure_domain::referral::{MashDecision, ReferralSource};
use assure_domain::screening::RiskLevel;
use assure_domain::Invalid;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::audit::Event;
use crate::{date_str, stamp, to_json, Actor, Result, RowExt, Store, StoreError};

/// The setting holding the suppression threshold.
pub const THRESHOLD_KEY: &str = "dataset_suppression_threshold";

#[derive(Clone, Copy)]
pub struct Datasets<'s> {
    store: &'s Store,
}

impl Store {
    pub fn datasets(&self) -> Datasets<'_> {
        Datasets { store: self }
    }
}

/// A closed month as frozen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub month: Month,
    pub threshold: i64,
    /// Each measure as it was defined when the month closed.
    pub measures: Vec<Measure>,
    pub figures: Vec<Figure>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClosedMonth {
    pub snapshot: Snapshot,
    pub fingerprint: String,
    pub closed_by: String,
    pub closed_at: String,
}

/// Where a month stands.
#[derive(Debug, Clone, PartialEq)]
pub enum MonthStatus {
    /// The month in progress (or still to come).
    InProgress,
    /// Ended, and not yet closed.
    Ended,
    Closed {
        closed_by: String,
        closed_at: String,
        fingerprint: String,
    },
}

/// A month's dataset as it reads: the closed figures for a closed month (with anything
/// that reads differently now as restatements), or the live figures.
#[derive(Debug, Clone)]
pub struct MonthDataset {
    pub month: Month,
    pub status: MonthStatus,
    pub threshold: i64,
    pub measures: Vec<Measure>,
    pub figures: Vec<Figure>,
    pub restatements: Vec<Restatement>,
}

impl MonthDataset {
    pub fn figure(&self, slug: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.measure == slug)
    }
}

impl Datasets<'_> {
    /// The measures in force (the latest version of each), in order. The seed set is
    /// stored the first time it is asked for.
    pub async fn measures(&self) -> Result<Vec<Measure>> {
        let rows = self
            .store
            .q("SELECT m.definition_json FROM dataset_measures m WHERE m.version = (SELECT MAX(v.version) FROM dataset_measures v WHERE v.slug = m.slug) ORDER BY m.position, m.slug")
            .fetch_all(self.store.pool())
            .await?;
        if rows.is_empty() {
            self.seed().await?;
            return Box::pin(self.measures()).await;
        }
        rows.iter().map(|r| serde_json::from_str(&r.s("definition_json")?).map_err(|e| StoreError::Corrupt(format!("measure: {e}")))).collect()
    }

    async fn seed(&self) -> Result<()> {
        let mut tx = self.store.write().await?;
        let have: i64 = crate::RowExt::i(&self.store.q("SELECT COUNT(*) AS n FROM dataset_measures").fetch_one(tx.conn()).await?, "n")?;
        if have > 0 {
            return Ok(());
        }
        let now = self.store.now();
        for (i, input) in seed_measures().iter().enumerate() {
            let m = check_measure(input, 1).map_err(StoreError::Invalid)?;
            self.store
                .q("INSERT INTO dataset_measures (slug, version, position, definition_json, created_by, created_at) VALUES ($1, 1, $2, $3, NULL, $4)")
                .bind(&m.slug)
                .bind(i as i64)
                .bind(to_json(&*m)?)
                .bind(&now)
                .execute(tx.conn())
                .await?;
        }
        tx.audit(
            &Actor::system(),
            Event::new("dataset.measures_seeded", "dataset_measure", "seed", "the dataset's measures seeded from DOMAIN.md §6"),
        )
        .await?;
        tx.commit().await
    }

    /// The measure in force with this short name.
    pub async fn measure(&self, slug: &str) -> Result<Measure> {
        self.measures().await?.into_iter().find(|m| m.slug == slug).ok_or(StoreError::NotFound)
    }

    /// Add a measure (`based_on` None: the short name must be new), or a new version of
    /// one (`based_on` the version the editor read: a stale one is a conflict), from the
    /// building blocks: checked first, so one that cannot be computed is refused with the
    /// reason.
    pub async fn save_measure(&self, actor: &Actor, input: &MeasureInput, based_on: Option<i64>) -> Result<Measure> {
        self.measures().await?;
        let mut tx = self.store.write().await?;
        let slug = input.slug.trim().to_string();
        let row = self
            .store
            .q("SELECT MAX(version) AS v, MIN(position) AS p FROM dataset_measures WHERE slug = $1")
            .bind(&slug)
            .fetch_one(tx.conn())
            .await?;
        let current = row.oi("v")?;
        match (based_on, current) {
            (None, Some(_)) => {
                let mut e = check_measure(input, 1).err().unwrap_or_default();
                e.add(
                    "slug",
                    format!("There is already a measure called \"{slug}\": choose another short name, or change that measure from the list"),
                );
                return Err(StoreError::Invalid(e.ordered(datasets::MEASURE_FIELDS)));
            }
            (Some(_), None) => return Err(StoreError::NotFound),
            (Some(read), Some(now)) if read != now => return Err(StoreError::Conflict),
            _ => {}
        }
        let version = current.unwrap_or(0) + 1;
        let position = match row.oi("p")? {
            Some(p) => p,
            None => self.store.q("SELECT COALESCE(MAX(position), 0) + 1 AS p FROM dataset_measures").fetch_one(tx.conn()).await?.i("p")?,
        };
        let m = check_measure(input, version).map_err(|e| StoreError::Invalid(e.ordered(datasets::MEASURE_FIELDS)))?.into_inner();
        self.store
            .q("INSERT INTO dataset_measures (slug, version, position, definition_json, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&m.slug)
            .bind(version)
            .bind(position)
            .bind(to_json(&m)?)
            .bind(actor.user_id)
            .bind(self.store.now())
            .execute(tx.conn())
            .await?;
        tx.audit(
            actor,
            Event::new("dataset.measure_saved", "dataset_measure", &m.slug, format!("{} version {version}: {}", m.name, m.how_counted())),
        )
        .await?;
        tx.commit().await?;
        Ok(m)
    }

    /// The suppression threshold (a setting; 5 unless changed).
    pub async fn threshold(&self) -> Result<i64> {
        let row = self.store.q("SELECT value FROM settings WHERE key = $1").bind(THRESHOLD_KEY).fetch_optional(self.store.pool()).await?;
        Ok(row.and_then(|r| r.s("value").ok()).and_then(|v| v.parse().ok()).filter(|n: &i64| *n >= 2).unwrap_or(DEFAULT_THRESHOLD))
    }

    pub async fn set_threshold(&self, actor: &Actor, threshold: i64) -> Result<()> {
        if !(2..=50).contains(&threshold) {
            return Err(Invalid::single("threshold", "The threshold must be a whole number from 2 to 50").into());
        }
        let mut tx = self.store.write().await?;
        self.store.q("DELETE FROM settings WHERE key = $1").bind(THRESHOLD_KEY).execute(tx.conn()).await?;
        self.store.q("INSERT INTO settings (key, value) VALUES ($1, $2)").bind(THRESHOLD_KEY).bind(threshold.to_string()).execute(tx.conn()).await?;
        tx.audit(actor, Event::new("dataset.threshold", "settings", THRESHOLD_KEY, format!("small numbers suppressed below {threshold}"))).await?;
        tx.commit().await
    }

    /// Count every measure in force for a month from the records as they are now.
    pub async fn compute_month(&self, month: Month) -> Result<Vec<Figure>> {
        let measures = self.measures().await?;
        self.compute_with(&measures, month).await
    }

    async fn compute_with(&self, measures: &[Measure], month: Month) -> Result<Vec<Figure>> {
        let known = self.known_values().await?;
        let mut facts: BTreeMap<(Source, PeriodRule), Vec<Fact>> = BTreeMap::new();
        let mut out = Vec::with_capacity(measures.len());
        for m in measures {
            if let std::collections::btree_map::Entry::Vacant(e) = facts.entry((m.source, m.period)) {
                e.insert(self.facts(m.source, m.period, month).await?);
            }
            out.push(compute(m, &facts[&(m.source, m.period)], &known));
        }
        Ok(out)
    }

    /// The values every breakdown lists even when none was counted.
    pub async fn known_values(&self) -> Result<BTreeMap<Dimension, Vec<String>>> {
        let agencies = self.store.q("SELECT name FROM agencies WHERE active = 1 ORDER BY name").fetch_all(self.store.pool()).await?;
        let labels = |v: Vec<&'static str>| v.into_iter().map(str::to_string).collect::<Vec<_>>();
        Ok(BTreeMap::from([
            (Dimension::Agency, agencies.iter().map(|r| r.s("name")).collect::<Result<Vec<_>>>()?),
            (Dimension::RiskLevel, labels(RiskLevel::ALL.iter().map(|r| r.label()).collect())),
            (Dimension::Decision, labels(MashDecision::ALL.iter().map(|r| r.label()).collect())),
            (Dimension::ReferralSource, labels(ReferralSource::ALL.iter().map(|r| r.label()).collect())),
            (Dimension::AgeBand, labels(datasets::AGE_BANDS[..5].to_vec())),
            (Dimension::MissingFrom, labels(MissingFrom::ALL.iter().map(|r| r.label()).collect())),
            (Dimension::RiskGrading, labels(RiskGrading::ALL.iter().map(|r| r.label()).collect())),
            (Dimension::Timeliness, labels(vec![ON_TIME, LATE, NOT_NOTIFIED])),
            (Dimension::OperationKind, labels(OperationKind::ALL.iter().map(|r| r.label()).collect())),
        ]))
    }

    /// One fact per record of `source` that falls in `month` under `period`.
    pub async fn facts(&self, source: Source, period: PeriodRule, month: Month) -> Result<Vec<Fact>> {
        let (start, end) = month.bounds_utc();
        let (start, end) = (stamp(start), stamp(end));
        let (first, last) = (date_str(month.first_day()), date_str(month.last_day()));
        let pool = self.store.pool();
        let mut out = Vec::new();
        match source {
            Source::Referrals => {
                let column = if period == PeriodRule::ByDecisionDate { "r.decided_at" } else { "r.submitted_at" };
                let sql = format!(
                    "SELECT COALESCE(c.merged_into_id, c.id) AS child, a.name AS agency, r.risk_level, r.decision, r.source, r.submitted_at, r.decided_at, \
                     c.date_of_birth, c.estimated_age, c.gender, c.ward FROM referrals r JOIN agencies a ON a.id = r.agency_id JOIN children c ON c.id = r.child_id \
                     WHERE {column} >= $1 AND {column} < $2"
                );
                for r in self.store.q(&sql).bind(&start).bind(&end).fetch_all(pool).await? {
                    let submitted = instant(&r.s("submitted_at")?)?;
                    let decided = r.os("decided_at")?.filter(|s| !s.is_empty()).map(|s| instant(&s)).transpose()?;
                    let on = assure_domain::clock::london_date(submitted);
                    let band = age_band(r.od("date_of_birth")?, r.oi("estimated_age")?, on);
                    let mut f = Fact::new(r.i("child")?)
                        .with(Dimension::Agency, r.s("agency")?)
                        .with(Dimension::RiskLevel, r.oe::<RiskLevel>("risk_level")?.map_or("Not screened", |l| l.label()))
                        .with(Dimension::Decision, r.oe::<MashDecision>("decision")?.map_or("Not yet decided", |d| d.label()))
                        .with(Dimension::ReferralSource, r.oe::<ReferralSource>("source")?.map_or("", |s| s.label()))
                        .with(Dimension::AgeBand, band)
                        .with(Dimension::Gender, r.s("gender")?)
                        .with(Dimension::Ward, r.s("ward")?)
                        .when(Condition::Decided, decided.is_some())
                        .when(Condition::Over16, over_16(band));
                    f.hours = decided.map(|d| (d - submitted).num_minutes() as f64 / 60.0);
                    out.push(f);
                }
            }
            Source::MacseChildren => {
                let rows = self
                    .store
                    .q("SELECT c.id, COALESCE(c.merged_into_id, c.id) AS child, c.date_of_birth, c.estimated_age, c.gender, c.ward, \
                        (SELECT MIN(p.meeting_date) FROM panel_slots s JOIN panels p ON p.id = s.panel_id WHERE s.child_id = c.id) AS first_panel, \
                        (SELECT MIN(v.created_at) FROM plans pl JOIN plan_versions v ON v.plan_id = pl.id WHERE pl.child_id = c.id) AS first_plan, \
                        (SELECT f.flagged FROM police_flags f WHERE f.child_id = c.id AND f.flag_date <= $1 ORDER BY f.flag_date DESC, f.id DESC LIMIT 1) AS flag, \
                        (SELECT COUNT(*) FROM cp_cases k WHERE k.child_id = c.id AND k.plan_version IS NOT NULL AND k.decided_on <= $1) AS cp_plans \
                        FROM children c WHERE c.id IN (SELECT s.child_id FROM panel_slots s UNION SELECT pl.child_id FROM plans pl JOIN plan_versions v ON v.plan_id = pl.id)",
                    )
                    .bind(&last)
                    .fetch_all(pool)
                    .await?;
                for r in rows {
                    let panel = r.od("first_panel")?;
                    let plan = r.os("first_plan")?.filter(|s| !s.is_empty()).map(|s| instant(&s)).transpose()?.map(assure_domain::clock::london_date);
                    let Some(began) = [panel, plan].into_iter().flatten().min() else { continue };
                    let counted = match period {
                        PeriodRule::OpenOnLastDay => began <= month.last_day(),
                        _ => Month::of(began) == month,
                    };
                    if !counted {
                        continue;
                    }
                    let on = if period == PeriodRule::OpenOnLastDay { month.last_day() } else { began };
                    let band = age_band(r.od("date_of_birth")?, r.oi("estimated_age")?, on);
                    out.push(
                        Fact::new(r.i("child")?)
                            .with(Dimension::AgeBand, band)
                            .with(Dimension::Gender, r.s("gender")?)
                            .with(Dimension::Ward, r.s("ward")?)
                            .when(Condition::PoliceFlagged, r.oi("flag")? == Some(1))
                            .when(Condition::PlanMoreThanOnce, r.i("cp_plans")? > 1)
                            .when(Condition::Over16, over_16(band)),
                    );
                }
            }
            Source::Placements => {
                let filter = if period == PeriodRule::OpenOnLastDay {
                    "n.start_date <= $2 AND (n.end_date IS NULL OR n.end_date >= $2) AND $1 <= $2"
                } else {
                    "n.start_date >= $1 AND n.start_date <= $2"
                };
                let sql = format!(
                    "SELECT COALESCE(c.merged_into_id, c.id) AS child, n.placing_authority, n.start_date, n.received_date, n.risks_json, n.ward, \
                     c.date_of_birth, c.estimated_age, c.gender FROM placement_notifications n JOIN children c ON c.id = n.child_id WHERE {filter}"
                );
                for r in self.store.q(&sql).bind(&first).bind(&last).fetch_all(pool).await? {
                    let started = r.d("start_date")?;
                    let timeliness = lateness(started, r.od("received_date")?);
                    let risks: Vec<RiskAnswer> =
                        serde_json::from_str(&r.s("risks_json")?).map_err(|e| StoreError::Corrupt(format!("risks_json: {e}")))?;
                    let band = age_band(r.od("date_of_birth")?, r.oi("estimated_age")?, started);
                    out.push(
                        Fact::new(r.i("child")?)
                            .with(Dimension::PlacingAuthority, r.s("placing_authority")?)
                            .with(
                                Dimension::Timeliness,
                                match timeliness {
                                    Timeliness::OnTime => ON_TIME,
                                    Timeliness::Late(_) => LATE,
                                    Timeliness::NotNotified => NOT_NOTIFIED,
                                },
                            )
                            .with(Dimension::AgeBand, band)
                            .with(Dimension::Gender, r.s("gender")?)
                            .with(Dimension::Ward, r.s("ward")?)
                            .when(Condition::NotifiedLate, matches!(timeliness, Timeliness::Late(_)))
                            .when(Condition::NotNotified, timeliness == Timeliness::NotNotified)
                            .when(Condition::CseRisk, risks.iter().any(|a| a.risk == Risk::Cse && a.present))
                            .when(Condition::Over16, over_16(band)),
                    );
                }
            }
            Source::MissingEpisodes => {
                let (from, to) = (format!("{first}T00:00:00"), format!("{}T00:00:00", date_str(month.next().first_day())));
                let rows = self
                    .store
                    .q("SELECT COALESCE(c.merged_into_id, c.id) AS child, e.missing_from, e.risk_grading, e.started_at, e.ended_at, e.interview_due_by, \
                        i.offered_at, i.response, i.finding_cse, \
                        (SELECT COUNT(*) FROM episode_routes o WHERE o.episode_id = e.id AND o.forum = 'macse') AS macse, \
                        c.date_of_birth, c.estimated_age, c.gender FROM missing_episodes e JOIN children c ON c.id = e.child_id \
                        LEFT JOIN return_interviews i ON i.episode_id = e.id WHERE e.started_at >= $1 AND e.started_at < $2",
                    )
                    .bind(&from)
                    .bind(&to)
                    .fetch_all(pool)
                    .await?;
                for r in rows {
                    let started = local(&r.s("started_at")?)?;
                    let ended = r.os("ended_at")?.filter(|s| !s.is_empty()).map(|s| local(&s)).transpose()?;
                    let due = r.os("interview_due_by")?.filter(|s| !s.is_empty()).map(|s| local(&s)).transpose()?;
                    let offered = r.os("offered_at")?.filter(|s| !s.is_empty()).map(|s| local(&s)).transpose()?;
                    let band = age_band(r.od("date_of_birth")?, r.oi("estimated_age")?, started.date());
                    out.push(
                        Fact::new(r.i("child")?)
                            .with(Dimension::MissingFrom, r.oe::<MissingFrom>("missing_from")?.map_or("", |m| m.label()))
                            .with(Dimension::RiskGrading, r.oe::<RiskGrading>("risk_grading")?.map_or("", |m| m.label()))
                            .with(Dimension::AgeBand, band)
                            .with(Dimension::Gender, r.s("gender")?)
                            .when(Condition::Ended, ended.is_some())
                            .when(Condition::InterviewOffered, offered.is_some())
                            .when(Condition::OfferedWithin72Hours, matches!((offered, due), (Some(o), Some(d)) if o <= d))
                            .when(Condition::InterviewAccepted, r.os("response")?.as_deref() == Some("accepted"))
                            .when(Condition::CseLink, r.oi("finding_cse")?.unwrap_or(0) != 0 || r.i("macse")? > 0)
                            .when(Condition::Over16, over_16(band)),
                    );
                }
            }
            Source::Operations => {
                for r in self
                    .store
                    .q("SELECT id, kind FROM operations WHERE created_at >= $1 AND created_at < $2")
                    .bind(&start)
                    .bind(&end)
                    .fetch_all(pool)
                    .await?
                {
                    out.push(Fact::new(r.i("id")?).with(Dimension::OperationKind, r.oe::<OperationKind>("kind")?.map_or("", |k| k.label())));
                }
            }
        }
        Ok(out)
    }

    /// A closed month as frozen, checked against its fingerprint.
    pub async fn closed(&self, month: Month) -> Result<Option<ClosedMonth>> {
        let Some(r) = self
            .store
            .q("SELECT snapshot_json, fingerprint, closed_by_name, closed_at FROM dataset_months WHERE month = $1")
            .bind(month.to_string())
            .fetch_optional(self.store.pool())
            .await?
        else {
            return Ok(None);
        };
        let snapshot: Snapshot = serde_json::from_str(&r.s("snapshot_json")?).map_err(|e| StoreError::Corrupt(format!("dataset {month}: {e}")))?;
        let fp = r.s("fingerprint")?;
        if fingerprint(month, &snapshot.figures) != fp {
            return Err(StoreError::Corrupt(format!("dataset {month}: the figures no longer match the fingerprint recorded when it closed")));
        }
        Ok(Some(ClosedMonth { snapshot, fingerprint: fp, closed_by: r.s("closed_by_name")?, closed_at: r.s("closed_at")? }))
    }

    /// The months closed, newest first (at most `limit`, before `before` if given).
    pub async fn closed_months(&self, before: Option<Month>, limit: i64) -> Result<Vec<(Month, String, String)>> {
        let rows = self
            .store
            .q("SELECT month, closed_by_name, closed_at FROM dataset_months WHERE month < $1 ORDER BY month DESC LIMIT $2")
            .bind(before.map_or("9999-99".to_string(), |m| m.to_string()))
            .bind(limit)
            .fetch_all(self.store.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    Month::parse(&r.s("month")?).ok_or_else(|| StoreError::Corrupt("dataset month".into()))?,
                    r.s("closed_by_name")?,
                    r.s("closed_at")?,
                ))
            })
            .collect()
    }

    /// Close the month due to close today (`datasets::due_to_close`), unless it is closed
    /// already (by a person, or by another instance first): the month closed, if any.
    pub async fn close_if_due(&self) -> Result<Option<Month>> {
        let Some(month) = datasets::due_to_close(self.store.today()) else { return Ok(None) };
        if self.closed(month).await?.is_some() {
            return Ok(None);
        }
        match self.close(&Actor::system(), month).await {
            Ok(_) => Ok(Some(month)),
            Err(StoreError::Invalid(_)) if self.closed(month).await?.is_some() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Close a month that has ended: every figure frozen with its definition and a
    /// fingerprint. Refused, changing nothing, for a month in progress or one already
    /// closed.
    pub async fn close(&self, actor: &Actor, month: Month) -> Result<ClosedMonth> {
        may_close(month, self.store.today()).map_err(|m| StoreError::Invalid(Invalid::single("month", m)))?;
        if let Some(c) = self.closed(month).await? {
            return Err(already_closed(month, &c.closed_by, &c.closed_at));
        }
        let measures = self.measures().await?;
        let figures = self.compute_with(&measures, month).await?;
        let snapshot = Snapshot { month, threshold: self.threshold().await?, measures, figures };
        let fp = fingerprint(month, &snapshot.figures);
        let now = self.store.now();
        let mut tx = self.store.write().await?;
        if let Some(r) = self
            .store
            .q("SELECT closed_by_name, closed_at FROM dataset_months WHERE month = $1")
            .bind(month.to_string())
            .fetch_optional(tx.conn())
            .await?
        {
            return Err(already_closed(month, &r.s("closed_by_name")?, &r.s("closed_at")?));
        }
        self.store
            .q("INSERT INTO dataset_months (month, snapshot_json, fingerprint, closed_by, closed_by_name, closed_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(month.to_string())
            .bind(to_json(&snapshot)?)
            .bind(&fp)
            .bind(actor.user_id)
            .bind(&actor.label)
            .bind(&now)
            .execute(tx.conn())
            .await?;
        // The scorecards' computed measures take their figures in the same transaction.
        let measures_updated = self.store.scorecards().record_closed_month(&mut tx, month, &snapshot.figures).await?;
        tx.audit(
            actor,
            Event::new(
                "dataset.close",
                "dataset_month",
                month,
                format!(
                    "{} closed: {} figures frozen, fingerprint {fp}; {measures_updated} scorecard measures updated",
                    month.label(),
                    snapshot.figures.len()
                ),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(ClosedMonth { snapshot, fingerprint: fp, closed_by: actor.label.clone(), closed_at: now })
    }

    /// A month's dataset as it reads now: a closed month's frozen figures with its
    /// restatements, or the live count.
    pub async fn month(&self, month: Month) -> Result<MonthDataset> {
        let today = self.store.today();
        match self.closed(month).await? {
            Some(c) => {
                let now = self.compute_with(&c.snapshot.measures, month).await?;
                Ok(MonthDataset {
                    month,
                    status: MonthStatus::Closed { closed_by: c.closed_by, closed_at: c.closed_at, fingerprint: c.fingerprint },
                    threshold: c.snapshot.threshold,
                    restatements: restatements(&c.snapshot.figures, &now),
                    measures: c.snapshot.measures,
                    figures: c.snapshot.figures,
                })
            }
            None => {
                let measures = self.measures().await?;
                let figures = self.compute_with(&measures, month).await?;
                Ok(MonthDataset {
                    month,
                    status: if may_close(month, today).is_ok() { MonthStatus::Ended } else { MonthStatus::InProgress },
                    threshold: self.threshold().await?,
                    measures,
                    figures,
                    restatements: Vec::new(),
                })
            }
        }
    }

    /// A measure's figure over the `n` months to `to`, oldest first: the closed figure
    /// for a closed month, the live one otherwise.
    pub async fn trend(&self, slug: &str, to: Month, n: usize) -> Result<Vec<(Month, Option<Figure>)>> {
        let measures = self.measures().await?;
        let mut out = Vec::new();
        for m in to.trailing(n) {
            let figure = match self.closed(m).await? {
                Some(c) => c.snapshot.figures.into_iter().find(|f| f.measure == slug),
                None => match measures.iter().find(|x| x.slug == slug) {
                    Some(def) => self.compute_with(std::slice::from_ref(def), m).await?.pop(),
                    None => None,
                },
            };
            out.push((m, figure));
        }
        Ok(out)
    }
}

impl Datasets<'_> {
    /// A month's figures as published for members and the public: small numbers
    /// suppressed (with secondary suppression), against the previous month's published
    /// figures.
    pub async fn published(&self, d: &MonthDataset) -> Result<Vec<Published>> {
        let prev_month = d.month.previous();
        let previous = match self.closed(prev_month).await? {
            Some(c) => c.snapshot.figures,
            None => self.compute_with(&d.measures, prev_month).await?,
        };
        Ok(d.figures
            .iter()
            .map(|f| {
                let period = d.measures.iter().find(|m| m.slug == f.measure).map_or(PeriodRule::ByStartDate, |m| m.period);
                let prev = previous.iter().find(|p| p.measure == f.measure).map(|p| publish(p, period, d.threshold, None));
                publish(f, period, d.threshold, prev.as_ref())
            })
            .collect())
    }

    /// Record that someone saw or exported unsuppressed figures.
    pub async fn audit_unsuppressed(&self, actor: &Actor, month: Month, what: &str) -> Result<()> {
        self.store
            .record(actor, Event::new("dataset.unsuppressed", "dataset_month", month, format!("{what}: {} with small numbers shown", month.label())))
            .await
    }
}

const ON_TIME: &str = "Notified on time";
const LATE: &str = "Notified late";
const NOT_NOTIFIED: &str = "Found without a notification";

fn over_16(band: &str) -> bool {
    band == "16 to 17" || band == "18 and over"
}

fn already_closed(month: Month, by: &str, at: &str) -> StoreError {
    let when = DateTime::parse_from_rfc3339(at)
        .map(|d| assure_domain::dates::long(assure_domain::clock::london_date(d.with_timezone(&Utc))))
        .unwrap_or_else(|_| at.to_string());
    StoreError::Invalid(Invalid::single("month", format!("{} was closed on {when} by {by}; a closed month is never closed again", month.label())))
}

fn instant(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)).map_err(|e| StoreError::Corrupt(format!("instant {s:?}: {e}")))
}

fn local(s: &str) -> Result<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").map_err(|e| StoreError::Corrupt(format!("time {s:?}: {e}")))
}
