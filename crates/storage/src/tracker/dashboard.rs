//! The dashboard: counts by response, status, RAG and committee, and what is overdue.

use std::collections::HashMap;

use assure_domain::tracker::{ExecutiveResponse, Lifecycle, Rag};
use chrono::NaiveDate;
use serde::Serialize;

use super::{RecFilter, Tracker};
use crate::sql::Sql;
use crate::{date_str, Result, RowExt};

/// Counts that members ask for twice a year.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Dashboard {
    pub total: i64,
    pub accepted: i64,
    pub by_response: Vec<(ExecutiveResponse, i64)>,
    pub by_lifecycle: Vec<(Lifecycle, i64)>,
    /// Ratings given (Red, Amber, Green), then Assure's suggestions counted apart
    /// (`true`), then "Not rated" (`None`).
    pub by_rag: Vec<(Option<Rag>, bool, i64)>,
    pub responses_overdue: i64,
    pub responses_due_soon: i64,
    pub targets_passed: i64,
    pub by_body: Vec<BodyCount>,
}

/// One committee's recommendations: RAG ratings given (by the council or an
/// officer), Assure's suggestions counted apart, and those not rated.
#[derive(Debug, Clone, Serialize)]
pub struct BodyCount {
    pub body_id: Option<i64>,
    pub body_name: String,
    pub total: i64,
    /// Rated Red by the council or an officer (never a suggestion).
    pub red: i64,
    pub amber: i64,
    pub green: i64,
    /// Not rated, with Assure's suggestion asked for: Red, Amber, Green.
    pub suggested_red: i64,
    pub suggested_amber: i64,
    pub suggested_green: i64,
    /// Neither rated nor suggested.
    pub not_rated: i64,
    pub complete: i64,
}

impl BodyCount {
    /// How many carry a suggestion rather than a rating.
    pub fn suggested(&self) -> i64 {
        self.suggested_red + self.suggested_amber + self.suggested_green
    }
}

impl Tracker<'_> {
    /// Counts by response, lifecycle, RAG and committee for the matching recommendations.
    pub async fn dashboard(&self, f: &RecFilter, today: NaiveDate) -> Result<Dashboard> {
        let filter = f.where_clause(self.store.engine())?;
        // Aggregate the recommendations alone (index-only), then name the bodies.
        let mut sql = Sql::new(
            "SELECT g.body_id, g.k1, g.k2, g.rag_override, g.rag_suggested, g.n, b.name AS body_name FROM (\
             SELECT r.monitoring_body_id AS body_id, r.response AS k1, r.lifecycle AS k2, r.rag_override, r.rag_suggested, COUNT(*) AS n \
             FROM recommendations r",
        );
        sql.append(&filter).push(
            " GROUP BY r.monitoring_body_id, r.response, r.lifecycle, r.rag_override, r.rag_suggested) g \
             LEFT JOIN bodies b ON b.id = g.body_id",
        );
        let rows = sql.query(self.store).fetch_all(self.store.pool()).await?;
        let mut d = Dashboard::default();
        let mut resp: HashMap<ExecutiveResponse, i64> = HashMap::new();
        let mut life: HashMap<Lifecycle, i64> = HashMap::new();
        let mut rag: HashMap<(Option<Rag>, bool), i64> = HashMap::new();
        let mut bodies: Vec<BodyCount> = Vec::new();
        for r in &rows {
            let n = r.i("n")?;
            let x: ExecutiveResponse = r.e("k1")?;
            let l: Lifecycle = r.e("k2")?;
            let rated: Option<Rag> = r.oe::<Rag>("rag_override")?;
            let g: Option<Rag> = rated.or(r.oe::<Rag>("rag_suggested")?);
            d.total += n;
            if x.is_accepted() {
                d.accepted += n;
            }
            *resp.entry(x).or_default() += n;
            *life.entry(l).or_default() += n;
            *rag.entry((g, rated.is_none() && g.is_some())).or_default() += n;
            let bid = r.oi("body_id")?;
            let idx = match bodies.iter().position(|b| b.body_id == bid) {
                Some(i) => i,
                None => {
                    bodies.push(BodyCount {
                        body_id: bid,
                        body_name: r.os("body_name")?.unwrap_or_else(|| "No committee yet".into()),
                        total: 0,
                        red: 0,
                        amber: 0,
                        green: 0,
                        suggested_red: 0,
                        suggested_amber: 0,
                        suggested_green: 0,
                        not_rated: 0,
                        complete: 0,
                    });
                    bodies.len() - 1
                }
            };
            let b = &mut bodies[idx];
            b.total += n;
            match (g, rated.is_some()) {
                (Some(Rag::Red), true) => b.red += n,
                (Some(Rag::Amber), true) => b.amber += n,
                (Some(Rag::Green), true) => b.green += n,
                (Some(Rag::Red), false) => b.suggested_red += n,
                (Some(Rag::Amber), false) => b.suggested_amber += n,
                (Some(Rag::Green), false) => b.suggested_green += n,
                (None, _) => b.not_rated += n,
            }
            if matches!(l, Lifecycle::CompleteAwaitingSignOff | Lifecycle::SignedOff) {
                b.complete += n;
            }
        }
        d.by_response = ExecutiveResponse::ALL.iter().map(|x| (*x, resp.get(x).copied().unwrap_or(0))).collect();
        d.by_lifecycle = Lifecycle::ALL.iter().map(|x| (*x, life.get(x).copied().unwrap_or(0))).collect();
        d.by_rag = rag_counts(|g, suggested| rag.get(&(g, suggested)).copied().unwrap_or(0));
        bodies.sort_by(|a, b| a.body_name.cmp(&b.body_name));
        d.by_body = bodies;
        let today_s = date_str(today);
        let soon = date_str(today + chrono::Duration::days(14));
        let mut sql = Sql::new(
            "SELECT SUM(CASE WHEN r.response = 'awaiting' AND r.parent_id IS NULL AND r.review_id IN (SELECT id FROM reviews WHERE response_due < ",
        );
        sql.bind(&today_s).push(") THEN 1 ELSE 0 END) AS overdue, ");
        sql.push("SUM(CASE WHEN r.response = 'awaiting' AND r.parent_id IS NULL AND r.review_id IN (SELECT id FROM reviews WHERE response_due >= ");
        sql.bind(&today_s).push(" AND response_due <= ").bind(soon).push(") THEN 1 ELSE 0 END) AS soon, ");
        sql.push(&format!("SUM(CASE WHEN r.lifecycle IN {} AND r.target_date < ", Lifecycle::COUNTS_TARGET_SQL));
        sql.bind(today_s).push(" THEN 1 ELSE 0 END) AS passed FROM recommendations r").append(&filter);
        let r = sql.query(self.store).fetch_one(self.store.pool()).await?;
        d.responses_overdue = r.oi("overdue")?.unwrap_or(0);
        d.responses_due_soon = r.oi("soon")?.unwrap_or(0);
        d.targets_passed = r.oi("passed")?.unwrap_or(0);
        Ok(d)
    }
}

/// The RAG counts in the order pages show them: ratings given, suggestions (only the
/// colours any recommendation is suggested), then "Not rated".
fn rag_counts(count: impl Fn(Option<Rag>, bool) -> i64) -> Vec<(Option<Rag>, bool, i64)> {
    let mut out: Vec<(Option<Rag>, bool, i64)> = Rag::ALL.iter().map(|g| (Some(*g), false, count(Some(*g), false))).collect();
    out.extend(Rag::ALL.iter().map(|g| (Some(*g), true, count(Some(*g), true))).filter(|(_, _, n)| *n > 0));
    out.push((None, false, count(None, false)));
    out
}
