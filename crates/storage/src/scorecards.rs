//! Scorecards and performance measures (`store.scorecards()`): each measure has what it
//! shows, a unit, bands (`scorecard::check_bands`), a baseline and target, and monthly
//! values with their source — **computed** from a CSE dataset figure (written in the
//! same transaction that closes the month, and filled from every closed month when the
//! measure is added), **imported**, or **entered** with a note.
//!
//! And the outcome link no tracker has: a recommendation or a plan action names the
//! measures it must move, from the month it was agreed; [`Scorecards::outcomes`] reads
//! each one's [`Outcome`] (baseline → latest, band, travel) for a whole list of them in
//! two statements, so a report of any size costs the same.

use std::collections::BTreeMap;

use assure_domain::datasets::{Figure, Month};
use assure_domain::scorecard::{
    check_entered_value, check_measure, show_number, standing, suppressed, Bands, DatasetLink, MeasureInput, Outcome, ScorecardRow, Standing,
    ValueSource,
};
use assure_domain::Invalid;

use crate::audit::Event;
use crate::sql::Sql;
use crate::{check_version, to_json, Actor, Result, RowExt, Store, StoreError, WriteTx};

#[derive(Clone, Copy)]
pub struct Scorecards<'s> {
    store: &'s Store,
}

impl Store {
    pub fn scorecards(&self) -> Scorecards<'_> {
        Scorecards { store: self }
    }
}

/// A scorecard in the list.
#[derive(Debug, Clone, PartialEq)]
pub struct ScorecardSummary {
    pub id: i64,
    pub title: String,
    pub purpose: String,
    pub measures: i64,
}

/// A month's value with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureValue {
    pub month: Month,
    pub value: f64,
    /// For a computed value, the count it rests on.
    pub size: Option<i64>,
    pub source: ValueSource,
    pub note: String,
    pub recorded_by: String,
}

/// A measure with its values (oldest first).
#[derive(Debug, Clone, PartialEq)]
pub struct PerformanceMeasure {
    pub id: i64,
    pub scorecard_id: i64,
    pub scorecard_title: String,
    pub title: String,
    pub shows: String,
    pub unit: String,
    pub bands: Bands,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub source: ValueSource,
    pub dataset: Option<DatasetLink>,
    pub version: i64,
    pub values: Vec<MeasureValue>,
}

impl PerformanceMeasure {
    pub fn points(&self) -> Vec<(Month, f64)> {
        self.values.iter().map(|v| (v.month, v.value)).collect()
    }
    pub fn standing(&self) -> Standing {
        standing(&self.bands, &self.points())
    }
    /// A value with its unit: "85%", "24 cases".
    pub fn show(&self, x: f64) -> String {
        match self.unit.as_str() {
            "%" => format!("{}%", show_number(x)),
            "" => show_number(x),
            u => format!("{} {u}", show_number(x)),
        }
    }
}

/// What a recommendation or plan action is linked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Linked {
    Recommendation(i64),
    PlanAction(i64),
}

impl Linked {
    fn column(self) -> (&'static str, i64) {
        match self {
            Linked::Recommendation(id) => ("recommendation_id", id),
            Linked::PlanAction(id) => ("plan_action_id", id),
        }
    }
}

/// A completed recommendation or plan action whose outcome has not moved.
#[derive(Debug, Clone, PartialEq)]
pub struct NotMoved {
    pub linked: Linked,
    /// "Recommendation (3)" or "Plan action 1.1.7".
    pub label: String,
    pub text: String,
    pub href: String,
    pub outcome: Outcome,
}

const MEASURE_SELECT: &str = "SELECT m.id, m.scorecard_id, s.title AS scorecard_title, m.title, m.shows, m.unit, m.bands_json, m.baseline, m.target, m.source, m.dataset_json, m.version \
     FROM performance_measures m JOIN scorecards s ON s.id = m.scorecard_id";

fn number(s: Option<String>) -> Option<f64> {
    s.and_then(|s| s.parse::<f64>().ok())
}

fn measure_row(r: &sqlx::any::AnyRow) -> Result<PerformanceMeasure> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("performance measure {what}"));
    Ok(PerformanceMeasure {
        id: r.i("id")?,
        scorecard_id: r.i("scorecard_id")?,
        scorecard_title: r.s("scorecard_title")?,
        title: r.s("title")?,
        shows: r.s("shows")?,
        unit: r.s("unit")?,
        bands: serde_json::from_str(&r.s("bands_json")?).map_err(|_| corrupt("bands"))?,
        baseline: number(r.os("baseline")?),
        target: number(r.os("target")?),
        source: r.e("source")?,
        dataset: match r.os("dataset_json")? {
            Some(j) => Some(serde_json::from_str(&j).map_err(|_| corrupt("dataset link"))?),
            None => None,
        },
        version: r.i("version")?,
        values: Vec::new(),
    })
}

impl Scorecards<'_> {
    pub async fn list(&self) -> Result<Vec<ScorecardSummary>> {
        let rows = self
            .store
            .q("SELECT s.id, s.title, s.purpose, (SELECT COUNT(*) FROM performance_measures m WHERE m.scorecard_id = s.id) AS measures FROM scorecards s ORDER BY s.title, s.id")
            .fetch_all(self.store.pool())
            .await?;
        rows.iter()
            .map(|r| Ok(ScorecardSummary { id: r.i("id")?, title: r.s("title")?, purpose: r.s("purpose")?, measures: r.i("measures")? }))
            .collect()
    }

    pub async fn create(&self, actor: &Actor, title: &str, purpose: &str) -> Result<i64> {
        let mut v = Invalid::new();
        let title = v.required("title", title, "Enter the scorecard's title, such as CSE partnership scorecard");
        v.max_len("title", &title, 200, "The title");
        v.max_len("purpose", purpose, 2_000, "The purpose");
        v.finish()?;
        let mut tx = self.store.write().await?;
        let id = self
            .store
            .q("INSERT INTO scorecards (title, purpose, created_at) VALUES ($1, $2, $3) RETURNING id")
            .bind(&title)
            .bind(purpose.trim())
            .bind(self.store.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(actor, Event::new("scorecard.create", "scorecard", id, format!("scorecard \"{title}\" added"))).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn scorecard(&self, id: i64) -> Result<(ScorecardSummary, Vec<PerformanceMeasure>)> {
        let s = self.list().await?.into_iter().find(|s| s.id == id).ok_or(StoreError::NotFound)?;
        let sql = format!("{MEASURE_SELECT} WHERE m.scorecard_id = $1 ORDER BY m.position, m.id");
        let mut measures = self.store.q(&sql).bind(id).fetch_all(self.store.pool()).await?.iter().map(measure_row).collect::<Result<Vec<_>>>()?;
        self.fill_values(&mut measures).await?;
        Ok((s, measures))
    }

    /// Every measure (for choosing one to link), without values.
    pub async fn all_measures(&self) -> Result<Vec<PerformanceMeasure>> {
        let sql = format!("{MEASURE_SELECT} ORDER BY s.title, m.position, m.id");
        self.store.q(&sql).fetch_all(self.store.pool()).await?.iter().map(measure_row).collect()
    }

    pub async fn measure(&self, id: i64) -> Result<PerformanceMeasure> {
        let sql = format!("{MEASURE_SELECT} WHERE m.id = $1");
        let row = self.store.q(&sql).bind(id).fetch_optional(self.store.pool()).await?.ok_or(StoreError::NotFound)?;
        let mut m = [measure_row(&row)?];
        self.fill_values(&mut m).await?;
        let [m] = m;
        Ok(m)
    }

    /// Every listed measure's values, in one statement.
    async fn fill_values(&self, measures: &mut [PerformanceMeasure]) -> Result<()> {
        if measures.is_empty() {
            return Ok(());
        }
        let mut sql = Sql::new("SELECT measure_id, month, value, size, source, note, recorded_by_name FROM measure_values WHERE measure_id IN (");
        sql.bind_list(measures.iter().map(|m| m.id));
        sql.push(") ORDER BY measure_id, month");
        let rows = sql.query(self.store).fetch_all(self.store.pool()).await?;
        let mut by: BTreeMap<i64, Vec<MeasureValue>> = BTreeMap::new();
        for r in &rows {
            let month = Month::parse(&r.s("month")?).ok_or_else(|| StoreError::Corrupt("measure value month".into()))?;
            let value = r.s("value")?.parse::<f64>().map_err(|_| StoreError::Corrupt("measure value".into()))?;
            by.entry(r.i("measure_id")?).or_default().push(MeasureValue {
                month,
                value,
                size: r.oi("size")?,
                source: r.e("source")?,
                note: r.s("note")?,
                recorded_by: r.s("recorded_by_name")?,
            });
        }
        for m in measures {
            m.values = by.remove(&m.id).unwrap_or_default();
        }
        Ok(())
    }

    /// Add a measure to a scorecard. A computed one must name a measure of the CSE
    /// dataset; its values are filled at once from every month already closed.
    pub async fn add_measure(&self, actor: &Actor, scorecard_id: i64, input: &MeasureInput) -> Result<i64> {
        let mut found = Invalid::new();
        if input.source == Some(ValueSource::Computed) && !input.dataset_measure.trim().is_empty() {
            let known = self.store.datasets().measures().await?;
            match known.iter().find(|m| m.slug == input.dataset_measure.trim()) {
                None => found.add("dataset_measure", "Choose a measure of the CSE dataset from the list"),
                Some(m) if m.police_only => found.add(
                    "dataset_measure",
                    format!("{} is for police roles only, and a scorecard goes to committee: choose another measure", m.name),
                ),
                Some(_) => {}
            }
        }
        let m = crate::all_checks(check_measure(input), found, MeasureInput::FIELDS)?.into_inner();
        self.scorecard(scorecard_id).await?;
        let closed = match &m.dataset {
            Some(link) => self.closed_values(link).await?,
            None => Vec::new(),
        };
        let mut tx = self.store.write().await?;
        let id = self.insert_measure(&mut tx, scorecard_id, &m).await?;
        for (month, (value, size)) in &closed {
            self.put_value(&mut tx, id, *month, *value, Some(*size), ValueSource::Computed, "", "system").await?;
        }
        tx.audit(
            actor,
            Event::new("scorecard.measure.add", "performance_measure", id, format!("measure \"{}\" added ({})", m.title, m.bands.describe())),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn insert_measure(&self, tx: &mut WriteTx<'_>, scorecard_id: i64, m: &assure_domain::scorecard::NewMeasure) -> Result<i64> {
        self.store
            .q("INSERT INTO performance_measures (scorecard_id, position, title, shows, unit, bands_json, baseline, target, source, dataset_measure, dataset_json, created_at) \
                VALUES ($1, (SELECT COUNT(*) FROM performance_measures WHERE scorecard_id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id")
            .bind(scorecard_id)
            .bind(&m.title)
            .bind(&m.shows)
            .bind(&m.unit)
            .bind(to_json(&m.bands)?)
            .bind(m.baseline.map(|x| x.to_string()))
            .bind(m.target.map(|x| x.to_string()))
            .bind(m.source.slug())
            .bind(m.dataset.as_ref().map(|d| d.measure.clone()))
            .bind(m.dataset.as_ref().map(to_json).transpose()?)
            .bind(self.store.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")
    }

    /// A scorecard sheet imported, all or nothing: measures not yet on the scorecard are
    /// added (their values "imported"), and every month's value written. A row naming a
    /// measure computed from the CSE dataset is refused: its values come from the
    /// dataset only. The number of measures added and values written.
    pub async fn import_sheet(&self, actor: &Actor, scorecard_id: i64, rows: &[ScorecardRow], file_name: &str) -> Result<(usize, usize)> {
        let (card, existing) = self.scorecard(scorecard_id).await?;
        let mut problems = Vec::new();
        let mut plan = Vec::new();
        for r in rows {
            let found = existing.iter().find(|m| m.title.trim().eq_ignore_ascii_case(r.measure.title.trim()));
            match found {
                Some(m) if m.source == ValueSource::Computed && !r.values.is_empty() => problems.push(format!(
                    "Row {}: “{}” is computed from the CSE dataset when each month closes: remove its values from the file",
                    r.row, m.title
                )),
                Some(m) => plan.push((Some(m.id), None, r)),
                None => match check_measure(&r.measure) {
                    Ok(c) => plan.push((None, Some(c.into_inner()), r)),
                    Err(e) => problems.extend(e.errors.into_iter().map(|x| format!("Row {}: {}", r.row, x.message))),
                },
            }
            let this_month = Month::of(self.store.today());
            for (month, _) in r.values.iter().filter(|(m, _)| *m > this_month) {
                problems.push(format!("Row {}: {} has not started yet: a value can be given for this month or an earlier one", r.row, month.label()));
            }
        }
        if !problems.is_empty() {
            return Err(Invalid {
                errors: problems.into_iter().map(|m| assure_domain::validation::FieldError { field: "file".into(), message: m }).collect(),
            }
            .into());
        }
        let mut tx = self.store.write().await?;
        let (mut added, mut written) = (0, 0);
        for (id, new, r) in plan {
            let id = match (id, new) {
                (Some(id), _) => id,
                (None, Some(m)) => {
                    added += 1;
                    self.insert_measure(&mut tx, scorecard_id, &m).await?
                }
                (None, None) => continue,
            };
            for (month, value) in &r.values {
                self.put_value(&mut tx, id, *month, *value, None, ValueSource::Imported, file_name, &actor.label).await?;
                written += 1;
            }
        }
        tx.audit(
            actor,
            Event::new(
                "scorecard.import",
                "scorecard",
                scorecard_id,
                format!("{file_name} imported into \"{}\": {added} measures added, {written} values", card.title),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok((added, written))
    }

    /// A computed measure's value in every closed month of the dataset.
    async fn closed_values(&self, link: &DatasetLink) -> Result<Vec<(Month, (f64, i64))>> {
        let months = self.store.datasets().closed_months(None, 240).await?;
        let mut out = Vec::new();
        for (month, _, _) in months {
            if let Some(c) = self.store.datasets().closed(month).await? {
                if let Some(x) = c.snapshot.figures.iter().find(|f| f.measure == link.measure).and_then(|f| link.value_of(f)) {
                    out.push((month, x));
                }
            }
        }
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    async fn put_value(
        &self,
        tx: &mut WriteTx<'_>,
        measure_id: i64,
        month: Month,
        value: f64,
        size: Option<i64>,
        source: ValueSource,
        note: &str,
        by: &str,
    ) -> Result<()> {
        self.store
            .q("INSERT INTO measure_values (measure_id, month, value, size, source, note, recorded_by_name, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                ON CONFLICT (measure_id, month) DO UPDATE SET value = excluded.value, size = excluded.size, source = excluded.source, note = excluded.note, \
                recorded_by_name = excluded.recorded_by_name, recorded_at = excluded.recorded_at")
            .bind(measure_id)
            .bind(month.to_string())
            .bind(value.to_string())
            .bind(size)
            .bind(source.slug())
            .bind(note)
            .bind(by)
            .bind(self.store.now())
            .execute(tx.conn())
            .await?;
        Ok(())
    }

    /// A month's value entered by hand, with a note saying where it came from. A
    /// computed measure's values come from the dataset only; a month to come has none.
    pub async fn enter_value(&self, actor: &Actor, measure_id: i64, version: i64, month: Option<Month>, value: &str, note: &str) -> Result<()> {
        let m = self.measure(measure_id).await?;
        let mut v = Invalid::new();
        if m.source == ValueSource::Computed {
            v.add("value", "This measure is computed from the CSE dataset when each month closes: its values are not entered by hand");
        }
        match month {
            None => v.add("month", "Enter the month, for example 2026-10"),
            Some(mo) if mo > Month::of(self.store.today()) => {
                v.add("month", "The month has not started yet: enter a value for this month or an earlier one")
            }
            _ => {}
        }
        let checked = check_entered_value(value, note);
        let (value, note) = match checked {
            Ok(x) if v.is_empty() => x,
            Ok(_) => return Err(v.into()),
            Err(e) => return Err(v.merged(e).ordered(&["month", "value", "note"]).into()),
        };
        let month = month.expect("checked");
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE performance_measures SET version = version + 1 WHERE id = $1 AND version = $2")
            .bind(measure_id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())?;
        self.put_value(&mut tx, measure_id, month, value, None, ValueSource::Entered, &note, &actor.label).await?;
        tx.audit(
            actor,
            Event::new("scorecard.value", "performance_measure", measure_id, format!("{}: {} for {}", m.title, m.show(value), month.label())),
        )
        .await?;
        tx.commit().await
    }

    /// Called in the transaction that closes a dataset month: every computed measure
    /// takes its figure from the frozen snapshot.
    pub(crate) async fn record_closed_month(&self, tx: &mut WriteTx<'_>, month: Month, figures: &[Figure]) -> Result<usize> {
        let rows = self
            .store
            .q("SELECT id, dataset_json FROM performance_measures WHERE source = 'computed' AND dataset_json IS NOT NULL")
            .fetch_all(tx.conn())
            .await?;
        let mut n = 0;
        for r in &rows {
            let link: DatasetLink =
                serde_json::from_str(&r.s("dataset_json")?).map_err(|_| StoreError::Corrupt("performance measure dataset link".into()))?;
            if let Some((x, size)) = figures.iter().find(|f| f.measure == link.measure).and_then(|f| link.value_of(f)) {
                self.put_value(tx, r.i("id")?, month, x, Some(size), ValueSource::Computed, "", "system").await?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// Name a measure that a recommendation or plan action must move, from the month it
    /// was agreed.
    pub async fn link(&self, actor: &Actor, linked: Linked, measure_id: i64, from: Month) -> Result<()> {
        let m = self.measure(measure_id).await.map_err(|e| match e {
            StoreError::NotFound => Invalid::single("measure_id", "Choose a performance measure from the list").into(),
            e => e,
        })?;
        let (column, id) = linked.column();
        let mut tx = self.store.write().await?;
        let sql = format!("SELECT id FROM outcome_links WHERE {column} = $1 AND measure_id = $2");
        if self.store.q(&sql).bind(id).bind(measure_id).fetch_optional(tx.conn()).await?.is_some() {
            return Err(Invalid::single("measure_id", format!("It is already linked to {}", m.title)).into());
        }
        let sql = format!("INSERT INTO outcome_links (measure_id, {column}, from_month, created_at) VALUES ($1, $2, $3, $4)");
        self.store.q(&sql).bind(measure_id).bind(id).bind(from.to_string()).bind(self.store.now()).execute(tx.conn()).await?;
        let (record, what) = match linked {
            Linked::Recommendation(_) => ("recommendation", "recommendation"),
            Linked::PlanAction(_) => ("improvement_plan_action", "plan action"),
        };
        tx.audit(actor, Event::new("outcome.link", record, id, format!("{what} linked to measure \"{}\" from {}", m.title, from.label()))).await?;
        tx.commit().await
    }

    /// The outcomes of a whole list of recommendations or plan actions (with the values
    /// known as at `as_at`, when given: a report's meeting; leaving out the values small
    /// numbers suppress, when `suppress_below` gives the threshold: for anyone who does
    /// not read the dataset in full, and in every committee paper): two statements,
    /// whatever the list's length.
    pub async fn outcomes(
        &self,
        linked: &[Linked],
        as_at: Option<Month>,
        suppress_below: Option<i64>,
    ) -> Result<BTreeMap<Linked, Vec<(PerformanceMeasure, Outcome)>>> {
        let mut out: BTreeMap<Linked, Vec<(PerformanceMeasure, Outcome)>> = BTreeMap::new();
        let recs: Vec<i64> = linked.iter().filter_map(|l| if let Linked::Recommendation(i) = l { Some(*i) } else { None }).collect();
        let actions: Vec<i64> = linked.iter().filter_map(|l| if let Linked::PlanAction(i) = l { Some(*i) } else { None }).collect();
        if recs.is_empty() && actions.is_empty() {
            return Ok(out);
        }
        let mut sql = Sql::new(
            "SELECT l.recommendation_id, l.plan_action_id, l.from_month, m.id, m.scorecard_id, s.title AS scorecard_title, m.title, m.shows, m.unit, m.bands_json, \
             m.baseline, m.target, m.source, m.dataset_json, m.version FROM outcome_links l JOIN performance_measures m ON m.id = l.measure_id \
             JOIN scorecards s ON s.id = m.scorecard_id WHERE ",
        );
        sql.push("(l.recommendation_id IN (");
        sql.bind_list(recs.iter().copied());
        sql.push(") OR l.plan_action_id IN (");
        sql.bind_list(actions.iter().copied());
        sql.push(")) ORDER BY l.id");
        let rows = sql.query(self.store).fetch_all(self.store.pool()).await?;
        let mut links = Vec::new();
        let mut measures: BTreeMap<i64, PerformanceMeasure> = BTreeMap::new();
        for r in &rows {
            let key = match (r.oi("recommendation_id")?, r.oi("plan_action_id")?) {
                (Some(id), _) => Linked::Recommendation(id),
                (None, Some(id)) => Linked::PlanAction(id),
                (None, None) => continue,
            };
            let from = Month::parse(&r.s("from_month")?).ok_or_else(|| StoreError::Corrupt("outcome link month".into()))?;
            let m = measure_row(r)?;
            links.push((key, m.id, from));
            measures.entry(m.id).or_insert(m);
        }
        let mut list: Vec<PerformanceMeasure> = measures.into_values().collect();
        self.fill_values(&mut list).await?;
        let by_id: BTreeMap<i64, PerformanceMeasure> = list.into_iter().map(|m| (m.id, m)).collect();
        for (key, id, from) in links {
            let m = by_id[&id].clone();
            let points: Vec<(Month, f64)> = m
                .values
                .iter()
                .filter(|v| as_at.is_none_or(|a| v.month <= a) && suppress_below.is_none_or(|t| !suppressed(v.size, t)))
                .map(|v| (v.month, v.value))
                .collect();
            let o = Outcome::of(&m.title, &m.unit, &m.bands, &points, from);
            out.entry(key).or_default().push((m, o));
        }
        Ok(out)
    }

    /// Completed recommendations (awaiting sign-off or signed off) and completed plan
    /// actions of each plan's latest version whose outcome has not moved the right way
    /// (suppressed values left out as [`Self::outcomes`] does).
    pub async fn not_moved(&self, suppress_below: Option<i64>) -> Result<Vec<NotMoved>> {
        let recs = self
            .store
            .q("SELECT DISTINCT r.id, r.number, r.sub_label, r.committee_wording, r.executive_wording FROM recommendations r JOIN outcome_links l ON l.recommendation_id = r.id \
                WHERE r.lifecycle IN ('complete-awaiting-sign-off', 'signed-off') ORDER BY r.number, r.sub_label, r.id")
            .fetch_all(self.store.pool())
            .await?;
        let actions = self
            .store
            .q("SELECT DISTINCT a.id, a.ref, a.text, v.plan_id FROM improvement_plan_actions a JOIN improvement_plan_versions v ON v.id = a.version_id \
                JOIN outcome_links l ON l.plan_action_id = a.id WHERE a.due = 'completed' \
                AND v.number = (SELECT MAX(x.number) FROM improvement_plan_versions x WHERE x.plan_id = v.plan_id) ORDER BY v.plan_id, a.id")
            .fetch_all(self.store.pool())
            .await?;
        let mut items: Vec<(Linked, String, String, String)> = Vec::new();
        for r in &recs {
            let wording = r.s("executive_wording")?;
            let text = if wording.trim().is_empty() { r.s("committee_wording")? } else { wording };
            let id = r.i("id")?;
            items.push((
                Linked::Recommendation(id),
                format!("Recommendation ({}){}", r.i("number")?, r.s("sub_label")?),
                text,
                format!("/recommendations/{id}"),
            ));
        }
        for a in &actions {
            let id = a.i("id")?;
            items.push((
                Linked::PlanAction(id),
                format!("Plan action {}", a.s("ref")?),
                a.s("text")?,
                format!("/plans/{}/actions/{id}", a.i("plan_id")?),
            ));
        }
        let keys: Vec<Linked> = items.iter().map(|i| i.0).collect();
        let outcomes = self.outcomes(&keys, None, suppress_below).await?;
        let mut out = Vec::new();
        for (linked, label, text, href) in items {
            for (_, o) in outcomes.get(&linked).into_iter().flatten() {
                if !o.improved() {
                    out.push(NotMoved { linked, label: label.clone(), text: text.clone(), href: href.clone(), outcome: o.clone() });
                }
            }
        }
        Ok(out)
    }
}
