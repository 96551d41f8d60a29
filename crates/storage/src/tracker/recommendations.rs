//! Recommendations: creating and editing them, their lead officers, reading one, a
//! review's or a filtered page of them, and the derived columns lists filter on.

use std::collections::{HashMap, HashSet};

use assure_domain::tracker::{
    check_recommendation, free_reference, number_label, reference_number, response_state, suggested_rag, valid_sub_label, ExecutiveResponse,
    Lifecycle, Rag, RagInput, RecommendationDetails, RecommendationInput, ResponseState,
};
use assure_domain::{Checked, Invalid};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;

use super::{check_version, Action, ProgressUpdate, Tracker, UpdateRequest};
use crate::audit::Event;
use crate::keyset::{KeyPart, Keyset, Page, PageRequest};
use crate::search::Search;
use crate::sql::Sql;
use crate::{all_checks, date_str, Actor, Engine, Result, RowExt, StoreError, WriteTx};

#[derive(Debug, Clone, Serialize)]
pub struct Lead {
    pub user_id: i64,
    pub name: String,
    pub job_title: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
    pub id: i64,
    pub review_id: i64,
    pub review_title: String,
    pub parent_id: Option<i64>,
    pub number: i64,
    pub sub_label: String,
    pub reference: String,
    pub committee_wording: String,
    pub executive_wording: String,
    pub who_must_act: String,
    pub area: String,
    pub outcome: String,
    pub response: ExecutiveResponse,
    pub response_date: Option<NaiveDate>,
    pub response_reason: String,
    pub response_due: Option<NaiveDate>,
    pub lifecycle: Lifecycle,
    pub lifecycle_reason: String,
    pub rag_override: Option<Rag>,
    pub rag_override_reason: String,
    /// Whether a rule-based suggestion stands in (marked as one) while no one has rated
    /// it; otherwise it is "Not rated" (an imported tracker that gave no RAG).
    pub rag_suggest: bool,
    pub monitoring_body_id: Option<i64>,
    pub monitoring_body_name: Option<String>,
    /// The latest current target date among the open actions.
    pub target_date: Option<NaiveDate>,
    /// The latest progress an update stated, 0–100.
    pub progress_percent: Option<i64>,
    pub last_update_date: Option<NaiveDate>,
    pub referral_date: Option<NaiveDate>,
    pub created_on: NaiveDate,
    pub version: i64,
    pub leads: Vec<Lead>,
    /// Lead officers named only as text (by an imported tracker), one per line.
    pub lead_officers_text: String,
    /// Where it came from (a scrutiny review, an inspection, a case review), as written.
    pub origin: String,
    /// When the executive decided on it.
    pub executive_decision_date: Option<NaiveDate>,
    /// Signed off as "completed — outcome not yet improved".
    pub outcome_not_improved: bool,
}

impl Recommendation {
    pub fn label(&self) -> String {
        number_label(self.number, Some(&self.sub_label))
    }

    /// The wording the executive agreed, falling back to the committee's.
    pub fn wording(&self) -> &str {
        if self.executive_wording.trim().is_empty() {
            &self.committee_wording
        } else {
            &self.executive_wording
        }
    }

    pub fn rag_input(&self, today: NaiveDate) -> RagInput {
        RagInput {
            lifecycle: self.lifecycle,
            start: self.response_date.or(self.referral_date).unwrap_or(self.created_on),
            target: self.target_date,
            progress_percent: self.progress_percent,
            today,
        }
    }

    pub fn suggested_rag(&self, today: NaiveDate) -> Option<Rag> {
        suggested_rag(self.rag_input(today))
    }

    /// What the tracker shows on `day`: the council's or an officer's rating if there is
    /// one, else the suggestion when one is used ([`Self::rag_is_suggested`] says which),
    /// else nothing ("Not rated").
    pub fn rag(&self, day: NaiveDate) -> Option<Rag> {
        self.rag_override.or_else(|| if self.rag_suggest { self.suggested_rag(day) } else { None })
    }

    /// Whether [`Self::rag`] on `day` is Assure's suggestion rather than a rating given.
    pub fn rag_is_suggested(&self, day: NaiveDate) -> bool {
        self.rag_override.is_none() && self.rag_suggest && self.suggested_rag(day).is_some()
    }

    /// The RAG in words on `day`: "Amber", "Suggested: Red" or "Not rated".
    pub fn rag_words(&self, day: NaiveDate) -> String {
        assure_domain::tracker::rag_words(self.rag(day), self.rag_is_suggested(day))
    }

    pub fn response_state(&self, today: NaiveDate) -> ResponseState {
        response_state(self.response, self.response_due, today)
    }

    pub fn target_passed(&self, today: NaiveDate) -> bool {
        self.lifecycle.counts_target() && self.target_date.is_some_and(|t| t < today)
    }

    pub fn is_led_by(&self, user_id: i64) -> bool {
        self.leads.iter().any(|l| l.user_id == user_id)
    }

    /// Every lead officer as reports write them: "Name, Job title", accounts first,
    /// then those named only as text.
    pub fn lead_lines(&self) -> Vec<String> {
        let mut out: Vec<String> =
            self.leads.iter().map(|l| if l.job_title.trim().is_empty() { l.name.clone() } else { format!("{}, {}", l.name, l.job_title) }).collect();
        out.extend(self.lead_officers_text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from));
        out
    }

    /// Every lead officer's name as lists show them (the job title where the tracker
    /// named no one): accounts first, then those named as the council wrote them.
    pub fn lead_names(&self) -> Vec<String> {
        let mut out: Vec<String> = self.leads.iter().map(|l| l.name.clone()).collect();
        for line in self.lead_officers_text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let l = assure_domain::import::split_name_title(line);
            out.push(if l.name.is_empty() { l.job_title } else { l.name });
        }
        out
    }

    pub fn lead_ids(&self) -> Vec<i64> {
        self.leads.iter().map(|l| l.user_id).collect()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct HistoryItem {
    pub at: String,
    pub by: String,
    pub kind: String,
    pub from_value: String,
    pub to_value: String,
    pub reason: String,
    pub body_name: Option<String>,
    pub meeting_date: Option<NaiveDate>,
    pub minute_ref: String,
    /// The body's meeting in Assure on that date, if there is one (a sign-off's minute
    /// is then linked to).
    pub meeting_id: Option<i64>,
}

/// Everything on a recommendation's page.
#[derive(Debug, Clone, Serialize)]
pub struct RecommendationDetail {
    pub rec: Recommendation,
    pub parent: Option<Recommendation>,
    pub children: Vec<Recommendation>,
    pub actions: Vec<Action>,
    pub updates: Vec<ProgressUpdate>,
    pub history: Vec<HistoryItem>,
    pub requests: Vec<UpdateRequest>,
}

#[derive(Debug, Clone, Default)]
pub struct RecFilter {
    pub body_id: Option<i64>,
    pub review_id: Option<i64>,
    pub lead_user_id: Option<i64>,
    pub lifecycle: Option<Lifecycle>,
    pub response: Option<ExecutiveResponse>,
    pub rag: Option<Rag>,
    /// With `rag`: only ratings given (`false`) or only Assure's suggestions (`true`).
    pub rag_suggested: Option<bool>,
    /// Words to search for in the reference, the wordings and the progress updates
    /// (see [`crate::search`] for how they are read).
    pub text: Option<String>,
    /// Only recommendations from this origin (as written).
    pub origin: Option<String>,
    /// Only recommendations whose executive response is overdue on this date.
    pub response_overdue_on: Option<NaiveDate>,
    /// Only open recommendations whose target date passed before this date.
    pub target_passed_on: Option<NaiveDate>,
}

impl RecFilter {
    /// The search typed, as the full-text index reads it (`None`: no search); a search
    /// that is too long, has too many words or holds a control character is refused.
    pub(crate) fn search(&self) -> Result<Option<Search>> {
        if let Some(problem) = self.text.as_deref().and_then(|t| assure_domain::text::search_problem("search", t)) {
            return Err(assure_domain::Invalid::single("q", problem).into());
        }
        Ok(self.text.as_deref().and_then(Search::parse))
    }

    /// The `WHERE` clause a filter selects, on recommendations `r` (a search through
    /// the engine's full-text index); a search that is refused is an error.
    pub(crate) fn where_clause(&self, engine: Engine) -> Result<Sql> {
        let mut sql = self.where_clause_but_search()?;
        if let Some(s) = self.search()? {
            sql.push(" AND r.id IN (SELECT m.rid FROM ").append(&s.matches(engine)).push(" m)");
        }
        Ok(sql)
    }

    /// [`Self::where_clause`] without the search (which the list joins, for its rank).
    fn where_clause_but_search(&self) -> Result<Sql> {
        self.search()?;
        let mut sql = Sql::new(" WHERE 1=1");
        if let Some(b) = self.body_id {
            sql.push(" AND r.monitoring_body_id = ").bind(b);
        }
        if let Some(b) = self.review_id {
            sql.push(" AND r.review_id = ").bind(b);
        }
        if let Some(u) = self.lead_user_id {
            sql.push(" AND r.id IN (SELECT recommendation_id FROM recommendation_leads WHERE user_id = ").bind(u).push(")");
        }
        if let Some(l) = self.lifecycle {
            sql.push(" AND r.lifecycle = ").bind(l.slug());
        }
        if let Some(x) = self.response {
            sql.push(" AND r.response = ").bind(x.slug());
        }
        match (self.rag, self.rag_suggested) {
            (Some(g), None) => {
                sql.push(" AND COALESCE(r.rag_override, r.rag_suggested) = ").bind(g.slug());
            }
            (Some(g), Some(false)) => {
                sql.push(" AND r.rag_override = ").bind(g.slug());
            }
            (Some(g), Some(true)) => {
                sql.push(" AND r.rag_override IS NULL AND r.rag_suggested = ").bind(g.slug());
            }
            (None, _) => {}
        }
        if let Some(o) = self.origin.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
            sql.push(" AND r.origin = ").bind(o.to_string());
        }
        if let Some(d) = self.response_overdue_on {
            sql.push(" AND r.response = 'awaiting' AND r.parent_id IS NULL AND r.review_id IN (SELECT id FROM reviews WHERE response_due < ")
                .bind(date_str(d))
                .push(")");
        }
        if let Some(d) = self.target_passed_on {
            sql.push(&format!(" AND r.lifecycle IN {} AND r.target_date < ", Lifecycle::COUNTS_TARGET_SQL)).bind(date_str(d));
        }
        Ok(sql)
    }
}

pub(crate) const REC_SELECT: &str = "SELECT r.id, r.review_id, v.title AS review_title, r.parent_id, r.number, r.sub_label, r.reference, r.committee_wording, r.executive_wording, r.who_must_act, r.area, r.outcome, r.response, r.response_date, r.response_reason, v.response_due, v.referral_date, r.lifecycle, r.lifecycle_reason, r.rag_override, r.rag_override_reason, r.rag_suggest, r.monitoring_body_id, b.name AS monitoring_body_name, r.target_date, r.progress_percent, r.last_update_date, r.lead_officers_text, r.origin, r.executive_decision_date, r.outcome_not_improved, r.version, r.created_at \
 FROM recommendations r JOIN reviews v ON v.id = r.review_id LEFT JOIN bodies b ON b.id = r.monitoring_body_id";

/// A review's recommendations in number order.
const REVIEW_RECS_ORDER: Keyset = Keyset { columns: &["r.number", "r.sub_label"], descending: false };

pub(crate) fn rec(r: &AnyRow) -> Result<Recommendation> {
    let created = r.s("created_at")?;
    Ok(Recommendation {
        id: r.i("id")?,
        review_id: r.i("review_id")?,
        review_title: r.s("review_title")?,
        parent_id: r.oi("parent_id")?,
        number: r.i("number")?,
        sub_label: r.s("sub_label")?,
        reference: r.s("reference")?,
        committee_wording: r.s("committee_wording")?,
        executive_wording: r.s("executive_wording")?,
        who_must_act: r.s("who_must_act")?,
        area: r.s("area")?,
        outcome: r.s("outcome")?,
        response: r.e("response")?,
        response_date: r.od("response_date")?,
        response_reason: r.s("response_reason")?,
        response_due: r.od("response_due")?,
        lifecycle: r.e("lifecycle")?,
        lifecycle_reason: r.s("lifecycle_reason")?,
        rag_override: r.oe("rag_override")?,
        rag_override_reason: r.s("rag_override_reason")?,
        rag_suggest: r.i("rag_suggest")? != 0,
        monitoring_body_id: r.oi("monitoring_body_id")?,
        monitoring_body_name: r.os("monitoring_body_name")?,
        target_date: r.od("target_date")?,
        progress_percent: r.oi("progress_percent")?,
        last_update_date: r.od("last_update_date")?,
        referral_date: r.od("referral_date")?,
        created_on: NaiveDate::parse_from_str(created.get(..10).unwrap_or(""), "%Y-%m-%d").unwrap_or_default(),
        version: r.i("version")?,
        lead_officers_text: r.s("lead_officers_text")?,
        origin: r.s("origin")?,
        executive_decision_date: r.od("executive_decision_date")?,
        outcome_not_improved: r.i("outcome_not_improved")? != 0,
        leads: Vec::new(),
    })
}

impl Tracker<'_> {
    /// The domain's checks, and what only the review's records can tell: the parent is
    /// a numbered recommendation of this review (a sub-item takes its number), the
    /// number (or letter) is not already used, the committee exists and the lead
    /// officers are active accounts.
    async fn checked_recommendation(&self, review_id: i64, r: &RecommendationInput, existing: Option<i64>) -> Result<Checked<RecommendationDetails>> {
        let mut found = Invalid::new();
        let mut r = r.clone();
        if let Some(pid) = r.parent_id {
            match self
                .store
                .q("SELECT review_id, number, parent_id FROM recommendations WHERE id = $1")
                .bind(pid)
                .fetch_optional(self.store.pool())
                .await?
            {
                Some(p) if p.i("review_id")? == review_id && p.oi("parent_id")?.is_none() => r.number = Some(p.i("number")?),
                _ => found.add("parent_id", "Select a recommendation of this review to add the sub-item to"),
            }
        }
        let sub = r.sub_label.trim().to_lowercase();
        let sub_ok = if r.parent_id.is_some() { valid_sub_label(&sub) } else { sub.is_empty() };
        if let Some(n) = r.number.filter(|n| (1..=999).contains(n) && sub_ok) {
            let clash = self
                .store
                .q("SELECT id FROM recommendations WHERE review_id = $1 AND number = $2 AND sub_label = $3")
                .bind(review_id)
                .bind(n)
                .bind(sub.clone())
                .fetch_optional(self.store.pool())
                .await?;
            if let Some(c) = clash {
                if Some(c.i("id")?) != existing {
                    let field = if r.parent_id.is_some() { "sub_label" } else { "number" };
                    found.add(field, format!("This review already has a recommendation {}", number_label(n, Some(&sub))));
                }
            }
        }
        self.chosen_body(&mut found, r.monitoring_body_id, "monitoring_body_id").await?;
        let mut leads: Vec<i64> = r.lead_ids.clone();
        leads.sort_unstable();
        leads.dedup();
        if !leads.is_empty() {
            let mut sql = Sql::new("SELECT COUNT(*) AS n FROM users WHERE active = 1 AND id IN (");
            sql.bind_list(leads.iter().copied()).push(")");
            if sql.query(self.store).fetch_one(self.store.pool()).await?.i("n")? != leads.len() as i64 {
                found.add("lead_ids", "Select lead officers from the list");
            }
        }
        all_checks(check_recommendation(&r), found, RecommendationInput::FIELDS)
    }

    /// Every reference the register holds, read inside the write that adds one (on
    /// PostgreSQL under a lock that lasts the transaction, so two writes cannot both
    /// take the same free reference; SQLite's write lock already serialises them).
    pub(crate) async fn held_references(&self, tx: &mut WriteTx<'_>) -> Result<HashSet<String>> {
        if self.store.engine() == Engine::Postgres {
            self.store.q("SELECT pg_advisory_xact_lock(7214001)").execute(tx.conn()).await?;
        }
        let mut held = HashSet::new();
        for r in self.store.q("SELECT reference FROM recommendations").fetch_all(tx.conn()).await? {
            held.insert(r.s("reference")?);
        }
        Ok(held)
    }

    pub async fn create_recommendation(&self, actor: &Actor, review_id: i64, r: &RecommendationInput) -> Result<i64> {
        let review = self.review(review_id).await?;
        let r = self.checked_recommendation(review_id, r, None).await?;
        let settings = self.store.settings().load().await?;
        let ref_date = review.report_date.or(review.end_date).or(review.start_date).unwrap_or_else(|| self.store.today());
        let mut tx = self.store.write().await?;
        let held = self.held_references(&mut tx).await?;
        let pattern = &settings.reference_pattern;
        // A sub-item follows its parent's reference when the parent's was generated.
        let mut from = r.number;
        if let Some(pid) = r.parent_id {
            let parent = self.store.q("SELECT reference FROM recommendations WHERE id = $1").bind(pid).fetch_one(tx.conn()).await?.s("reference")?;
            from = reference_number(pattern, ref_date, &parent, r.number, held.len() + 1).unwrap_or(r.number);
        }
        let reference = free_reference(pattern, ref_date, from, Some(&r.sub_label), |x| held.contains(x));
        let id = self.store
            .q("INSERT INTO recommendations (review_id, parent_id, number, sub_label, reference, committee_wording, executive_wording, who_must_act, area, outcome, monitoring_body_id, origin, executive_decision_date, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) RETURNING id")
            .bind(review_id)
            .bind(r.parent_id)
            .bind(r.number)
            .bind(r.sub_label.clone())
            .bind(reference.clone())
            .bind(r.committee_wording.clone())
            .bind(r.executive_wording.clone())
            .bind(r.who_must_act.clone())
            .bind(r.area.clone())
            .bind(r.outcome.clone())
            .bind(r.monitoring_body_id)
            .bind(r.origin.clone())
            .bind(r.executive_decision_date.map(date_str))
            .bind(self.store.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        self.set_leads(&mut tx, id, &r.lead_ids).await?;
        if let Some(text) = &r.lead_officers_text {
            self.store.q("UPDATE recommendations SET lead_officers_text = $1 WHERE id = $2").bind(text.clone()).bind(id).execute(tx.conn()).await?;
        }
        tx.audit(actor, Event::new("recommendation.create", "recommendation", id, format!("created {reference}"))).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Change a recommendation's wording, number (not a sub-item's), lead officers
    /// and committee. Whether it is a sub-item, and of what, does not change.
    pub async fn update_recommendation(&self, actor: &Actor, id: i64, version: i64, r: &RecommendationInput) -> Result<()> {
        let current = self.recommendation(id).await?;
        let mut r = r.clone();
        r.parent_id = current.parent_id;
        if current.parent_id.is_some() {
            r.number = Some(current.number);
        }
        let r = self.checked_recommendation(current.review_id, &r, Some(id)).await?;
        let mut tx = self.store.write().await?;
        let n = self.store
            .q("UPDATE recommendations SET number=$1, sub_label=$2, committee_wording=$3, executive_wording=$4, who_must_act=$5, area=$6, outcome=$7, monitoring_body_id=$8, origin=$9, executive_decision_date=$10, version = version + 1 WHERE id = $11 AND version = $12")
            .bind(r.number)
            .bind(r.sub_label.clone())
            .bind(r.committee_wording.clone())
            .bind(r.executive_wording.clone())
            .bind(r.who_must_act.clone())
            .bind(r.area.clone())
            .bind(r.outcome.clone())
            .bind(r.monitoring_body_id)
            .bind(r.origin.clone())
            .bind(r.executive_decision_date.map(date_str))
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())?;
        self.set_leads(&mut tx, id, &r.lead_ids).await?;
        if let Some(text) = &r.lead_officers_text {
            self.store.q("UPDATE recommendations SET lead_officers_text = $1 WHERE id = $2").bind(text.clone()).bind(id).execute(tx.conn()).await?;
        }
        tx.audit(actor, Event::new("recommendation.update", "recommendation", id, format!("details of {} changed", current.reference))).await?;
        tx.commit().await
    }

    /// Replace the lead officers (the checked command names each once).
    async fn set_leads(&self, tx: &mut WriteTx<'_>, id: i64, leads: &[i64]) -> Result<()> {
        self.store.q("DELETE FROM recommendation_leads WHERE recommendation_id = $1").bind(id).execute(tx.conn()).await?;
        for l in leads {
            self.store.q("INSERT INTO recommendation_leads (recommendation_id, user_id) VALUES ($1,$2)").bind(id).bind(*l).execute(tx.conn()).await?;
        }
        Ok(())
    }

    pub async fn recommendation(&self, id: i64) -> Result<Recommendation> {
        let sql = format!("{REC_SELECT} WHERE r.id = $1");
        let row = self.store.q(&sql).bind(id).fetch_optional(self.store.pool()).await?.ok_or(StoreError::NotFound)?;
        let mut v = [rec(&row)?];
        self.attach_leads(&mut v).await?;
        let [r] = v;
        Ok(r)
    }

    pub(crate) async fn attach_leads(&self, recs: &mut [Recommendation]) -> Result<()> {
        if recs.is_empty() {
            return Ok(());
        }
        let mut sql = Sql::new(
            "SELECT l.recommendation_id, u.id, u.name, u.job_title FROM recommendation_leads l JOIN users u ON u.id = l.user_id WHERE l.recommendation_id IN (",
        );
        sql.bind_list(recs.iter().map(|r| r.id)).push(") ORDER BY u.name");
        let mut by_rec: HashMap<i64, Vec<Lead>> = HashMap::new();
        for row in sql.query(self.store).fetch_all(self.store.pool()).await? {
            by_rec.entry(row.i("recommendation_id")?).or_default().push(Lead {
                user_id: row.i("id")?,
                name: row.s("name")?,
                job_title: row.s("job_title")?,
            });
        }
        for r in recs.iter_mut() {
            r.leads = by_rec.remove(&r.id).unwrap_or_default();
        }
        Ok(())
    }

    /// A review's recommendations in number order, sub-items after their parent.
    pub async fn review_recommendations(&self, review_id: i64) -> Result<Vec<Recommendation>> {
        let sql = format!("{REC_SELECT} WHERE r.review_id = $1 ORDER BY r.number, r.sub_label");
        let mut v = self.store.q(&sql).bind(review_id).fetch_all(self.store.pool()).await?.iter().map(rec).collect::<Result<Vec<_>>>()?;
        self.attach_leads(&mut v).await?;
        Ok(v)
    }

    /// One page of a review's recommendations in number order (keyset on the review's
    /// unique (number, sub-label), read through recommendations_list_order).
    pub async fn review_recommendations_page(&self, review_id: i64, req: &PageRequest) -> Result<Page<Recommendation>> {
        let mut sql = Sql::new(format!("{REC_SELECT} WHERE r.review_id = "));
        sql.bind(review_id);
        REVIEW_RECS_ORDER.push_seek(&mut sql, req);
        REVIEW_RECS_ORDER.push_order(&mut sql, req);
        let rows = sql.query(self.store).fetch_all(self.store.pool()).await?;
        let mut page = REVIEW_RECS_ORDER.page(&rows, req, |r| Ok(vec![KeyPart::Int(r.i("number")?), KeyPart::Text(r.s("sub_label")?)]), rec)?;
        self.attach_leads(&mut page.items).await?;
        Ok(page)
    }

    pub async fn recommendation_detail(&self, id: i64) -> Result<RecommendationDetail> {
        let r = self.recommendation(id).await?;
        let parent = match r.parent_id {
            Some(p) => Some(self.recommendation(p).await?),
            None => None,
        };
        let children = if r.parent_id.is_none() {
            let sql = format!("{REC_SELECT} WHERE r.parent_id = $1 ORDER BY r.sub_label");
            let mut v = self.store.q(&sql).bind(id).fetch_all(self.store.pool()).await?.iter().map(rec).collect::<Result<Vec<_>>>()?;
            self.attach_leads(&mut v).await?;
            v
        } else {
            Vec::new()
        };
        let rows = self.store.q("SELECT id, recommendation_id, text, owner, target_date, done, version FROM actions WHERE recommendation_id = $1 ORDER BY target_date, id").bind(id).fetch_all(self.store.pool()).await?;
        let actions = self.actions_from_rows(&rows).await?;
        let updates = self.updates_for(&[id]).await?.remove(&id).unwrap_or_default();
        let history = self.store
            .q("SELECT h.at, COALESCE(u.name, 'system') AS by_name, h.kind, h.from_value, h.to_value, h.reason, b.name AS body_name, h.meeting_date, h.minute_ref, \
                (SELECT MIN(mt.id) FROM meetings mt WHERE mt.body_id = h.body_id AND mt.meeting_date = h.meeting_date AND mt.status <> 'cancelled') AS meeting_id \
                FROM recommendation_history h LEFT JOIN users u ON u.id = h.user_id LEFT JOIN bodies b ON b.id = h.body_id WHERE h.recommendation_id = $1 ORDER BY h.id")
            .bind(id)
            .fetch_all(self.store.pool())
            .await?
            .iter()
            .map(|h| {
                Ok(HistoryItem {
                    at: h.s("at")?,
                    by: h.s("by_name")?,
                    kind: h.s("kind")?,
                    from_value: h.s("from_value")?,
                    to_value: h.s("to_value")?,
                    reason: h.s("reason")?,
                    body_name: h.os("body_name")?,
                    meeting_date: h.od("meeting_date")?,
                    minute_ref: h.s("minute_ref")?,
                    meeting_id: h.oi("meeting_id")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let requests = self.update_requests_for(&[id]).await?;
        Ok(RecommendationDetail { rec: r, parent, children, actions, updates, history, requests })
    }

    /// The origins recommendations were given (a review's, or the whole register's), in
    /// order, for the list's filter.
    pub async fn origins(&self, review_id: Option<i64>) -> Result<Vec<String>> {
        let mut sql = Sql::new("SELECT DISTINCT origin FROM recommendations WHERE origin <> ''");
        if let Some(r) = review_id {
            sql.push(" AND review_id = ").bind(r);
        }
        sql.push(" ORDER BY origin LIMIT 200");
        sql.query(self.store).fetch_all(self.store.pool()).await?.iter().map(|r| r.s("origin")).collect()
    }

    /// One page of the tracker list, and the total matching. With a search, the best
    /// match first (see [`crate::search`]: an exact reference, then the index's rank),
    /// otherwise newest review first in number order.
    pub async fn list_recommendations(&self, f: &RecFilter, limit: i64, offset: i64) -> Result<(Vec<Recommendation>, i64)> {
        let engine = self.store.engine();
        let search = f.search()?;
        let filter = f.where_clause_but_search()?;
        let mut count = Sql::new("SELECT COUNT(*) AS n FROM recommendations r");
        if let Some(s) = &search {
            count.push(" JOIN ").append(&s.matches(engine)).push(" m ON m.rid = r.id");
        }
        count.append(&filter);
        let total = count.query(self.store).fetch_one(self.store.pool()).await?.i("n")?;
        let mut sql = Sql::new(REC_SELECT);
        if let Some(s) = &search {
            sql.push(" JOIN ").append(&s.matches(engine)).push(" m ON m.rid = r.id");
        }
        sql.append(&filter).push(" ORDER BY ");
        if let Some(s) = &search {
            sql.push("CASE WHEN LOWER(r.reference) = ").bind(s.typed()).push(" THEN 0 ELSE 1 END, m.score, ");
        }
        sql.push(&format!("r.review_id DESC, r.number, r.sub_label LIMIT {} OFFSET {}", limit.clamp(1, 1000), offset.max(0)));
        let mut v = sql.query(self.store).fetch_all(self.store.pool()).await?.iter().map(rec).collect::<Result<Vec<_>>>()?;
        self.attach_leads(&mut v).await?;
        Ok((v, total))
    }

    /// Recompute the derived columns lists filter on: the current target date,
    /// the latest stated progress and date, and the suggested RAG.
    pub(crate) async fn refresh_rec(&self, tx: &mut WriteTx<'_>, id: i64) -> Result<()> {
        let t =
            self.store.q("SELECT MAX(target_date) AS t FROM actions WHERE recommendation_id = $1 AND done = 0").bind(id).fetch_one(tx.conn()).await?;
        let target = t.os("t")?;
        let p = self
            .store
            .q("SELECT progress_percent, update_date FROM progress_updates WHERE recommendation_id = $1 ORDER BY update_date DESC, id DESC LIMIT 1")
            .bind(id)
            .fetch_optional(tx.conn())
            .await?;
        let (progress, last) = match &p {
            Some(r) => (r.oi("progress_percent")?, r.os("update_date")?),
            None => (None, None),
        };
        // Progress is the latest stated percentage, even if the latest update stated none.
        let progress = match progress {
            Some(p) => Some(p),
            None => self.store
                .q("SELECT progress_percent FROM progress_updates WHERE recommendation_id = $1 AND progress_percent IS NOT NULL ORDER BY update_date DESC, id DESC LIMIT 1")
                .bind(id)
                .fetch_optional(tx.conn())
                .await?
                .map(|r| r.oi("progress_percent"))
                .transpose()?
                .flatten(),
        };
        self.store
            .q("UPDATE recommendations SET target_date = $1, progress_percent = $2, last_update_date = $3 WHERE id = $4")
            .bind(target)
            .bind(progress)
            .bind(last)
            .bind(id)
            .execute(tx.conn())
            .await?;
        let sql = format!("{REC_SELECT} WHERE r.id = $1");
        let row = self.store.q(&sql).bind(id).fetch_one(tx.conn()).await?;
        let r = rec(&row)?;
        let today = self.store.today();
        self.store
            .q("UPDATE recommendations SET rag_suggested = $1 WHERE id = $2")
            .bind(r.suggested_rag(today).filter(|_| r.rag_suggest).map(|g| g.slug()))
            .bind(id)
            .execute(tx.conn())
            .await?;
        Ok(())
    }

    /// Bring every stored suggested RAG up to `today` (run daily: time moves RAGs).
    pub async fn refresh_suggested_rags(&self, today: NaiveDate) -> Result<u64> {
        // A chunk of recommendations at a time, in id order, each chunk's changes written
        // in its own short transaction: memory stays flat and writers wait for one chunk,
        // not for the whole register (100,000 recommendations at national scale).
        const CHUNK: i64 = 500;
        let mut after = 0_i64;
        let mut changed = 0_u64;
        loop {
            let sql =
                format!("{REC_SELECT} WHERE r.lifecycle NOT IN ('not-feasible','superseded','signed-off') AND r.id > $1 ORDER BY r.id LIMIT {CHUNK}");
            let rows = self.store.q(&sql).bind(after).fetch_all(self.store.pool()).await?;
            let Some(last) = rows.last().map(|r| r.i("id")).transpose()? else { return Ok(changed) };
            let stored: HashMap<i64, Option<String>> = self
                .store
                .q("SELECT id, rag_suggested FROM recommendations WHERE id > $1 AND id <= $2")
                .bind(after)
                .bind(last)
                .fetch_all(self.store.pool())
                .await?
                .iter()
                .map(|r| Ok((r.i("id")?, r.os("rag_suggested")?)))
                .collect::<Result<_>>()?;
            after = last;
            let mut changes: Vec<(i64, Option<&'static str>)> = Vec::new();
            for row in &rows {
                let r = rec(row)?;
                let s = suggested_rag(r.rag_input(today)).filter(|_| r.rag_suggest).map(|g| g.slug());
                if stored.get(&r.id).cloned().flatten().as_deref() != s {
                    changes.push((r.id, s));
                }
            }
            if !changes.is_empty() {
                let mut tx = self.store.write().await?;
                for (id, s) in &changes {
                    self.store.q("UPDATE recommendations SET rag_suggested = $1 WHERE id = $2").bind(*s).bind(*id).execute(tx.conn()).await?;
                }
                tx.commit().await?;
                changed += changes.len() as u64;
            }
            if (rows.len() as i64) < CHUNK {
                return Ok(changed);
            }
        }
    }
}
