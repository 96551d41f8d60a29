//! The recommendation tracker: bodies, reviews, recommendations, actions,
//! progress updates, evidence, sign-off, schedules and update requests.
//! Every change is validated, version-checked where it edits, and audited in
//! the same transaction.

use std::collections::HashMap;

use assure_domain::dates::{long, month_year};
use assure_domain::tracker::{
    format_reference, response_due, suggested_rag, valid_sub_label, validate_date_revision, validate_lifecycle_change, validate_period,
    validate_response, BodyKind, ExecutiveResponse, Lifecycle, Rag, ResponseDeadline, ReviewKind,
};
use assure_domain::Invalid;
use chrono::NaiveDate;
use sqlx::any::AnyRow;

use crate::audit::Event;
use crate::records::*;
use crate::{date_str, now, opt_date_str, Actor, Result, RowExt, Store, StoreError, WriteTx};

// ---------------------------------------------------------------- inputs

#[derive(Debug, Clone, Default)]
pub struct BodyInput {
    pub name: String,
    pub kind: Option<BodyKind>,
    pub response_unit: Option<String>,
    pub response_amount: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct ReviewInput {
    pub kind: Option<ReviewKind>,
    pub title: String,
    pub terms_of_reference: String,
    pub lead_member: String,
    pub members: String,
    pub origin_body_id: Option<i64>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub report_date: Option<NaiveDate>,
    pub final_report_ref: String,
    pub referred_to_body_id: Option<i64>,
    pub referral_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default)]
pub struct RecommendationInput {
    pub parent_id: Option<i64>,
    pub number: Option<i64>,
    pub sub_label: String,
    pub committee_wording: String,
    pub executive_wording: String,
    pub who_must_act: String,
    pub area: String,
    pub outcome: String,
    pub monitoring_body_id: Option<i64>,
    pub lead_ids: Vec<i64>,
}

#[derive(Debug, Clone)]
pub struct NewEvidence {
    pub original_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub stored_name: String,
}

#[derive(Debug, Clone, Default)]
pub struct UpdateInput {
    pub update_date: Option<NaiveDate>,
    pub narrative: String,
    pub progress_percent: Option<i64>,
    pub corrects_id: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct RecFilter {
    pub body_id: Option<i64>,
    pub review_id: Option<i64>,
    pub lead_user_id: Option<i64>,
    pub lifecycle: Option<Lifecycle>,
    pub response: Option<ExecutiveResponse>,
    pub rag: Option<Rag>,
    pub text: Option<String>,
    /// Only recommendations whose executive response is overdue on this date.
    pub response_overdue_on: Option<NaiveDate>,
    /// Only open recommendations whose target date passed before this date.
    pub target_passed_on: Option<NaiveDate>,
}

// ---------------------------------------------------------------- row mapping

const BODY_COLS: &str = "id, name, kind, response_unit, response_amount, version";

fn body(r: &AnyRow) -> Result<Body> {
    Ok(Body {
        id: r.i("id")?,
        name: r.s("name")?,
        kind: r.e("kind")?,
        response_unit: r.os("response_unit")?,
        response_amount: r.oi("response_amount")?,
        version: r.i("version")?,
    })
}

const REVIEW_SELECT: &str = "SELECT v.id, v.kind, v.title, v.terms_of_reference, v.lead_member, v.members, v.origin_body_id, ob.name AS origin_body_name, v.start_date, v.end_date, v.report_date, v.final_report_ref, v.referred_to_body_id, rb.name AS referred_to_body_name, v.referral_date, v.response_due, v.version, \
 (SELECT COUNT(*) FROM recommendations x WHERE x.review_id = v.id) AS rec_count, \
 (SELECT COUNT(*) FROM recommendations x WHERE x.review_id = v.id AND x.response = 'awaiting' AND x.parent_id IS NULL) AS awaiting \
 FROM reviews v LEFT JOIN bodies ob ON ob.id = v.origin_body_id LEFT JOIN bodies rb ON rb.id = v.referred_to_body_id";

fn review(r: &AnyRow) -> Result<Review> {
    Ok(Review {
        id: r.i("id")?,
        kind: r.e("kind")?,
        title: r.s("title")?,
        terms_of_reference: r.s("terms_of_reference")?,
        lead_member: r.s("lead_member")?,
        members: r.s("members")?,
        origin_body_id: r.oi("origin_body_id")?,
        origin_body_name: r.os("origin_body_name")?,
        start_date: r.od("start_date")?,
        end_date: r.od("end_date")?,
        report_date: r.od("report_date")?,
        final_report_ref: r.s("final_report_ref")?,
        referred_to_body_id: r.oi("referred_to_body_id")?,
        referred_to_body_name: r.os("referred_to_body_name")?,
        referral_date: r.od("referral_date")?,
        response_due: r.od("response_due")?,
        version: r.i("version")?,
        recommendation_count: r.i("rec_count")?,
        awaiting_response: r.i("awaiting")?,
    })
}

pub(crate) const REC_SELECT: &str = "SELECT r.id, r.review_id, v.title AS review_title, r.parent_id, r.number, r.sub_label, r.reference, r.committee_wording, r.executive_wording, r.who_must_act, r.area, r.outcome, r.response, r.response_date, r.response_reason, v.response_due, v.referral_date, r.lifecycle, r.lifecycle_reason, r.rag_override, r.rag_override_reason, r.monitoring_body_id, b.name AS monitoring_body_name, r.target_date, r.progress_percent, r.last_update_date, r.lead_officers_text, r.version, r.created_at \
 FROM recommendations r JOIN reviews v ON v.id = r.review_id LEFT JOIN bodies b ON b.id = r.monitoring_body_id";

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
        monitoring_body_id: r.oi("monitoring_body_id")?,
        monitoring_body_name: r.os("monitoring_body_name")?,
        target_date: r.od("target_date")?,
        progress_percent: r.oi("progress_percent")?,
        last_update_date: r.od("last_update_date")?,
        referral_date: r.od("referral_date")?,
        created_on: NaiveDate::parse_from_str(created.get(..10).unwrap_or(""), "%Y-%m-%d").unwrap_or_default(),
        version: r.i("version")?,
        lead_officers_text: r.s("lead_officers_text")?,
        leads: Vec::new(),
    })
}

/// Placeholders `$from..$from+n` joined by commas.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(",")
}

fn check_version(n: u64) -> Result<()> {
    if n == 0 {
        Err(StoreError::Conflict)
    } else {
        Ok(())
    }
}

impl Store {
    // ------------------------------------------------------------ bodies

    pub async fn bodies(&self) -> Result<Vec<Body>> {
        let sql = format!("SELECT {BODY_COLS} FROM bodies ORDER BY name");
        self.q(&sql).fetch_all(self.pool()).await?.iter().map(body).collect()
    }

    pub async fn body(&self, id: i64) -> Result<Body> {
        let sql = format!("SELECT {BODY_COLS} FROM bodies WHERE id = $1");
        self.q(&sql).bind(id).fetch_optional(self.pool()).await?.as_ref().map(body).transpose()?.ok_or(StoreError::NotFound)
    }

    async fn validate_body(&self, b: &BodyInput, existing: Option<i64>) -> Result<(String, BodyKind)> {
        let mut v = Invalid::new();
        let name = v.required("name", &b.name, "Enter the name of the body, for example Cabinet");
        v.max_len("name", &name, 200, "Name");
        if b.kind.is_none() {
            v.add("kind", "Select what kind of body this is");
        }
        match (b.response_unit.as_deref(), b.response_amount) {
            (None | Some(""), _) => {}
            (Some("days" | "weeks" | "months"), Some(n)) if (1..=365).contains(&n) => {}
            (Some("days" | "weeks" | "months"), _) => {
                v.add("response_amount", "Enter how many days, weeks or months the executive has to respond, a whole number from 1 to 365")
            }
            _ => v.add("response_unit", "Select days, weeks or months"),
        }
        if !name.is_empty() {
            let clash = self.q("SELECT id FROM bodies WHERE LOWER(name) = $1").bind(name.to_lowercase()).fetch_optional(self.pool()).await?;
            if let Some(r) = clash {
                if Some(r.i("id")?) != existing {
                    v.add("name", "A body with this name already exists");
                }
            }
        }
        v.finish()?;
        Ok((name, b.kind.unwrap()))
    }

    pub async fn create_body(&self, actor: &Actor, b: &BodyInput) -> Result<i64> {
        let (name, kind) = self.validate_body(b, None).await?;
        let unit = b.response_unit.clone().filter(|u| !u.is_empty());
        let amount = if unit.is_some() { b.response_amount } else { None };
        let mut tx = self.write().await?;
        let id = self
            .q("INSERT INTO bodies (name, kind, response_unit, response_amount) VALUES ($1,$2,$3,$4) RETURNING id")
            .bind(name.clone())
            .bind(kind.slug())
            .bind(unit)
            .bind(amount)
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(actor, Event::new("body.create", "body", id, format!("created {name}"))).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_body(&self, actor: &Actor, id: i64, version: i64, b: &BodyInput) -> Result<()> {
        self.body(id).await?;
        let (name, kind) = self.validate_body(b, Some(id)).await?;
        let unit = b.response_unit.clone().filter(|u| !u.is_empty());
        let amount = if unit.is_some() { b.response_amount } else { None };
        let mut tx = self.write().await?;
        let n = self
            .q("UPDATE bodies SET name = $1, kind = $2, response_unit = $3, response_amount = $4, version = version + 1 WHERE id = $5 AND version = $6")
            .bind(name.clone())
            .bind(kind.slug())
            .bind(unit)
            .bind(amount)
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())?;
        // The deadline may have changed for reviews referred to this body.
        let reviews = self.q("SELECT id FROM reviews WHERE referred_to_body_id = $1").bind(id).fetch_all(tx.conn()).await?;
        for r in reviews {
            self.recompute_response_due(&mut tx, r.i("id")?).await?;
        }
        tx.audit(actor, Event::new("body.update", "body", id, format!("updated {name}"))).await?;
        tx.commit().await
    }

    // ------------------------------------------------------------ reviews

    pub async fn reviews(&self) -> Result<Vec<Review>> {
        let sql = format!("{REVIEW_SELECT} ORDER BY COALESCE(v.report_date, v.created_at) DESC, v.id DESC");
        self.q(&sql).fetch_all(self.pool()).await?.iter().map(review).collect()
    }

    /// Ids and titles only, newest first (for filters).
    pub async fn review_titles(&self) -> Result<Vec<(i64, String)>> {
        let rows = self.q("SELECT id, title FROM reviews ORDER BY COALESCE(report_date, created_at) DESC, id DESC").fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok((r.i("id")?, r.s("title")?))).collect()
    }

    pub async fn review(&self, id: i64) -> Result<Review> {
        let sql = format!("{REVIEW_SELECT} WHERE v.id = $1");
        self.q(&sql).bind(id).fetch_optional(self.pool()).await?.as_ref().map(review).transpose()?.ok_or(StoreError::NotFound)
    }

    async fn validate_review(&self, r: &ReviewInput) -> Result<()> {
        let mut v = Invalid::new();
        if r.kind.is_none() {
            v.add("kind", "Select the kind of review");
        }
        let title = v.required("title", &r.title, "Enter the title of the review");
        v.max_len("title", &title, 300, "Title");
        validate_period(&mut v, r.start_date, r.end_date, "end_date", "review's");
        if r.referral_date.is_some() && r.referred_to_body_id.is_none() {
            v.add("referred_to_body_id", "Select the body the recommendations were referred to");
        }
        for (field, id) in [("origin_body_id", r.origin_body_id), ("referred_to_body_id", r.referred_to_body_id)] {
            if let Some(id) = id {
                if matches!(self.body(id).await, Err(StoreError::NotFound)) {
                    v.add(field, "Select a body from the list");
                }
            }
        }
        v.finish()?;
        Ok(())
    }

    pub async fn create_review(&self, actor: &Actor, r: &ReviewInput) -> Result<i64> {
        self.validate_review(r).await?;
        let mut tx = self.write().await?;
        let q = self
            .q("INSERT INTO reviews (kind, title, terms_of_reference, lead_member, members, origin_body_id, start_date, end_date, report_date, final_report_ref, referred_to_body_id, referral_date, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING id");
        let id = bind_review(q, r).bind(now()).fetch_one(tx.conn()).await?.i("id")?;
        self.recompute_response_due(&mut tx, id).await?;
        tx.audit(actor, Event::new("review.create", "review", id, format!("created review {:?}", r.title.trim()))).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_review(&self, actor: &Actor, id: i64, version: i64, r: &ReviewInput) -> Result<()> {
        self.review(id).await?;
        self.validate_review(r).await?;
        let mut tx = self.write().await?;
        let q = self
            .q("UPDATE reviews SET kind=$1, title=$2, terms_of_reference=$3, lead_member=$4, members=$5, origin_body_id=$6, start_date=$7, end_date=$8, report_date=$9, final_report_ref=$10, referred_to_body_id=$11, referral_date=$12, version = version + 1 WHERE id = $13 AND version = $14");
        let n = bind_review(q, r).bind(id).bind(version).execute(tx.conn()).await?;
        check_version(n.rows_affected())?;
        self.recompute_response_due(&mut tx, id).await?;
        tx.audit(actor, Event::new("review.update", "review", id, "review details changed")).await?;
        tx.commit().await
    }

    async fn recompute_response_due(&self, tx: &mut WriteTx<'_>, review_id: i64) -> Result<()> {
        let r = self
            .q("SELECT v.report_date, v.referral_date, b.response_unit, b.response_amount FROM reviews v LEFT JOIN bodies b ON b.id = v.referred_to_body_id WHERE v.id = $1")
            .bind(review_id)
            .fetch_one(tx.conn())
            .await?;
        let due = if r.od("referral_date")?.is_some() {
            response_due(
                r.od("report_date")?,
                r.od("referral_date")?,
                ResponseDeadline::from_override(r.os("response_unit")?.as_deref(), r.oi("response_amount")?),
            )
        } else {
            None
        };
        self.q("UPDATE reviews SET response_due = $1 WHERE id = $2").bind(opt_date_str(due)).bind(review_id).execute(tx.conn()).await?;
        Ok(())
    }

    pub async fn endorsements(&self, review_id: i64) -> Result<Vec<Endorsement>> {
        let rows = self
            .q("SELECT e.id, e.review_id, e.body_id, b.name AS body_name, e.endorsed_on, e.minute_ref FROM endorsements e JOIN bodies b ON b.id = e.body_id WHERE e.review_id = $1 ORDER BY e.endorsed_on, e.id")
            .bind(review_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Endorsement {
                    id: r.i("id")?,
                    review_id: r.i("review_id")?,
                    body_id: r.i("body_id")?,
                    body_name: r.s("body_name")?,
                    endorsed_on: r.d("endorsed_on")?,
                    minute_ref: r.s("minute_ref")?,
                })
            })
            .collect()
    }

    pub async fn add_endorsement(&self, actor: &Actor, review_id: i64, body_id: Option<i64>, on: Option<NaiveDate>, minute_ref: &str) -> Result<i64> {
        let review = self.review(review_id).await?;
        let mut v = Invalid::new();
        let body = match body_id {
            None => {
                v.add("body_id", "Select the body that endorsed the report");
                None
            }
            Some(b) => match self.body(b).await {
                Ok(b) => Some(b),
                Err(StoreError::NotFound) => {
                    v.add("body_id", "Select a body from the list");
                    None
                }
                Err(e) => return Err(e),
            },
        };
        match on {
            None => v.add("endorsed_on", "Enter the date of the meeting, for example 12 September 2017"),
            Some(d) if review.start_date.is_some_and(|s| d < s) => v.add("endorsed_on", "The endorsement cannot be before the review started"),
            _ => {}
        }
        v.max_len("minute_ref", minute_ref, 100, "Minute reference");
        v.finish()?;
        let (body, on) = (body.unwrap(), on.unwrap());
        let mut tx = self.write().await?;
        let id = self
            .q("INSERT INTO endorsements (review_id, body_id, endorsed_on, minute_ref) VALUES ($1,$2,$3,$4) RETURNING id")
            .bind(review_id)
            .bind(body.id)
            .bind(date_str(on))
            .bind(minute_ref.trim().to_string())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(actor, Event::new("review.endorse", "review", review_id, format!("endorsed by {} on {}", body.name, long(on)))).await?;
        tx.commit().await?;
        Ok(id)
    }

    // ------------------------------------------------------------ recommendations

    async fn validate_recommendation(&self, review_id: i64, r: &RecommendationInput, existing: Option<i64>) -> Result<(i64, String)> {
        let mut v = Invalid::new();
        let mut number = r.number;
        let sub = r.sub_label.trim().to_lowercase();
        if let Some(pid) = r.parent_id {
            match self.q("SELECT review_id, number, parent_id FROM recommendations WHERE id = $1").bind(pid).fetch_optional(self.pool()).await? {
                Some(p) if p.i("review_id")? == review_id && p.oi("parent_id")?.is_none() => number = Some(p.i("number")?),
                _ => v.add("parent_id", "Select a recommendation of this review to add the sub-item to"),
            }
            if !valid_sub_label(&sub) {
                v.add("sub_label", "Enter the sub-item letter, for example a");
            }
        } else if !sub.is_empty() {
            v.add("sub_label", "Only sub-items have a letter: leave it blank for a numbered recommendation");
        }
        match number {
            None => v.add("number", "Enter the recommendation number, for example 1"),
            Some(n) if !(1..=999).contains(&n) => v.add("number", "The recommendation number must be a whole number from 1 to 999"),
            Some(n) => {
                let clash = self
                    .q("SELECT id FROM recommendations WHERE review_id = $1 AND number = $2 AND sub_label = $3")
                    .bind(review_id)
                    .bind(n)
                    .bind(sub.clone())
                    .fetch_optional(self.pool())
                    .await?;
                if let Some(c) = clash {
                    if Some(c.i("id")?) != existing {
                        let field = if r.parent_id.is_some() { "sub_label" } else { "number" };
                        v.add(field, format!("This review already has a recommendation {}", assure_domain::tracker::number_label(n, Some(&sub))));
                    }
                }
            }
        }
        let w = v.required("committee_wording", &r.committee_wording, "Enter the recommendation as the committee worded it");
        v.max_len("committee_wording", &w, 10_000, "The wording");
        if let Some(b) = r.monitoring_body_id {
            if matches!(self.body(b).await, Err(StoreError::NotFound)) {
                v.add("monitoring_body_id", "Select a body from the list");
            }
        }
        if !r.lead_ids.is_empty() {
            let sql = format!("SELECT COUNT(*) AS n FROM users WHERE active = 1 AND id IN ({})", placeholders(1, r.lead_ids.len()));
            let mut q = self.q(&sql);
            for id in &r.lead_ids {
                q = q.bind(*id);
            }
            if q.fetch_one(self.pool()).await?.i("n")? != r.lead_ids.len() as i64 {
                v.add("lead_ids", "Select lead officers from the list");
            }
        }
        v.finish()?;
        Ok((number.unwrap(), sub))
    }

    pub async fn create_recommendation(&self, actor: &Actor, review_id: i64, r: &RecommendationInput) -> Result<i64> {
        let review = self.review(review_id).await?;
        let (number, sub) = self.validate_recommendation(review_id, r, None).await?;
        let settings = self.settings().load().await?;
        let ref_date = review.report_date.or(review.end_date).or(review.start_date).unwrap_or_else(|| chrono::Utc::now().date_naive());
        let reference = format_reference(&settings.reference_pattern, ref_date, number, Some(&sub));
        let mut tx = self.write().await?;
        let id = self
            .q("INSERT INTO recommendations (review_id, parent_id, number, sub_label, reference, committee_wording, executive_wording, who_must_act, area, outcome, monitoring_body_id, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING id")
            .bind(review_id)
            .bind(r.parent_id)
            .bind(number)
            .bind(sub.clone())
            .bind(reference.clone())
            .bind(r.committee_wording.trim().to_string())
            .bind(r.executive_wording.trim().to_string())
            .bind(r.who_must_act.trim().to_string())
            .bind(r.area.trim().to_string())
            .bind(r.outcome.trim().to_string())
            .bind(r.monitoring_body_id)
            .bind(now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        self.set_leads(&mut tx, id, &r.lead_ids).await?;
        tx.audit(actor, Event::new("recommendation.create", "recommendation", id, format!("created {reference}"))).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn update_recommendation(&self, actor: &Actor, id: i64, version: i64, r: &RecommendationInput) -> Result<()> {
        let current = self.recommendation(id).await?;
        let mut r = r.clone();
        r.parent_id = current.parent_id;
        if current.parent_id.is_some() {
            r.number = Some(current.number);
        }
        let (number, sub) = self.validate_recommendation(current.review_id, &r, Some(id)).await?;
        let mut tx = self.write().await?;
        let n = self
            .q("UPDATE recommendations SET number=$1, sub_label=$2, committee_wording=$3, executive_wording=$4, who_must_act=$5, area=$6, outcome=$7, monitoring_body_id=$8, version = version + 1 WHERE id = $9 AND version = $10")
            .bind(number)
            .bind(sub)
            .bind(r.committee_wording.trim().to_string())
            .bind(r.executive_wording.trim().to_string())
            .bind(r.who_must_act.trim().to_string())
            .bind(r.area.trim().to_string())
            .bind(r.outcome.trim().to_string())
            .bind(r.monitoring_body_id)
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())?;
        self.set_leads(&mut tx, id, &r.lead_ids).await?;
        tx.audit(actor, Event::new("recommendation.update", "recommendation", id, format!("details of {} changed", current.reference))).await?;
        tx.commit().await
    }

    async fn set_leads(&self, tx: &mut WriteTx<'_>, id: i64, leads: &[i64]) -> Result<()> {
        self.q("DELETE FROM recommendation_leads WHERE recommendation_id = $1").bind(id).execute(tx.conn()).await?;
        let mut seen = Vec::new();
        for l in leads {
            if seen.contains(l) {
                continue;
            }
            seen.push(*l);
            self.q("INSERT INTO recommendation_leads (recommendation_id, user_id) VALUES ($1,$2)").bind(id).bind(*l).execute(tx.conn()).await?;
        }
        Ok(())
    }

    /// Bump the version (or fail on a stale one) before changing a recommendation.
    async fn claim(&self, tx: &mut WriteTx<'_>, id: i64, version: i64) -> Result<()> {
        let n = self
            .q("UPDATE recommendations SET version = version + 1 WHERE id = $1 AND version = $2")
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())
    }

    #[allow(clippy::too_many_arguments)]
    async fn history(
        &self,
        tx: &mut WriteTx<'_>,
        actor: &Actor,
        rec_id: i64,
        kind: &str,
        from: &str,
        to: &str,
        reason: &str,
        body_id: Option<i64>,
        meeting: Option<NaiveDate>,
        minute_ref: &str,
    ) -> Result<()> {
        self.q("INSERT INTO recommendation_history (recommendation_id, at, user_id, kind, from_value, to_value, reason, body_id, meeting_date, minute_ref) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)")
            .bind(rec_id)
            .bind(now())
            .bind(actor.user_id)
            .bind(kind.to_string())
            .bind(from.to_string())
            .bind(to.to_string())
            .bind(reason.trim().to_string())
            .bind(body_id)
            .bind(opt_date_str(meeting))
            .bind(minute_ref.trim().to_string())
            .execute(tx.conn())
            .await?;
        Ok(())
    }

    pub async fn record_response(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        response: ExecutiveResponse,
        date: Option<NaiveDate>,
        reason: &str,
    ) -> Result<()> {
        let current = self.recommendation(id).await?;
        validate_response(response, date, reason)?;
        let mut tx = self.write().await?;
        self.claim(&mut tx, id, version).await?;
        self.q("UPDATE recommendations SET response = $1, response_date = $2, response_reason = $3 WHERE id = $4")
            .bind(response.slug())
            .bind(opt_date_str(date))
            .bind(reason.trim().to_string())
            .bind(id)
            .execute(tx.conn())
            .await?;
        self.history(&mut tx, actor, id, "response", current.response.label(), response.label(), reason, None, date, "").await?;
        self.refresh_rec(&mut tx, id).await?;
        tx.audit(actor, Event::new("recommendation.response", "recommendation", id, format!("executive response: {}", response.label()))).await?;
        tx.commit().await
    }

    pub async fn set_lifecycle(&self, actor: &Actor, id: i64, version: i64, to: Lifecycle, reason: &str) -> Result<()> {
        let current = self.recommendation(id).await?;
        validate_lifecycle_change(current.lifecycle, to, reason)?;
        let mut tx = self.write().await?;
        self.claim(&mut tx, id, version).await?;
        self.q("UPDATE recommendations SET lifecycle = $1, lifecycle_reason = $2 WHERE id = $3")
            .bind(to.slug())
            .bind(if to.needs_reason() { reason.trim().to_string() } else { String::new() })
            .bind(id)
            .execute(tx.conn())
            .await?;
        self.history(&mut tx, actor, id, "lifecycle", current.lifecycle.label(), to.label(), reason, None, None, "").await?;
        self.refresh_rec(&mut tx, id).await?;
        tx.audit(
            actor,
            Event::new("recommendation.lifecycle", "recommendation", id, format!("status {} → {}", current.lifecycle.label(), to.label())),
        )
        .await?;
        tx.commit().await
    }

    /// Override the suggested RAG (or clear the override with `None`). Both are kept.
    pub async fn set_rag_override(&self, actor: &Actor, id: i64, version: i64, rag: Option<Rag>, reason: &str) -> Result<()> {
        let current = self.recommendation(id).await?;
        if rag.is_some() && reason.trim().is_empty() {
            return Err(Invalid::single("rag_reason", "Enter the reason for overriding the suggested RAG").into());
        }
        let mut tx = self.write().await?;
        self.claim(&mut tx, id, version).await?;
        self.q("UPDATE recommendations SET rag_override = $1, rag_override_reason = $2 WHERE id = $3")
            .bind(rag.map(|r| r.slug()))
            .bind(reason.trim().to_string())
            .bind(id)
            .execute(tx.conn())
            .await?;
        let from = current.rag_override.map(|r| r.label()).unwrap_or("Suggested");
        let to = rag.map(|r| r.label()).unwrap_or("Suggested");
        self.history(&mut tx, actor, id, "rag", from, to, reason, None, None, "").await?;
        tx.audit(actor, Event::new("recommendation.rag", "recommendation", id, format!("RAG override {from} → {to}"))).await?;
        tx.commit().await
    }

    pub async fn sign_off(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        body_id: Option<i64>,
        meeting: Option<NaiveDate>,
        minute_ref: &str,
    ) -> Result<()> {
        let current = self.recommendation(id).await?;
        let mut v = Invalid::new();
        if current.lifecycle != Lifecycle::CompleteAwaitingSignOff {
            v.add("lifecycle", "Only a recommendation that is complete and awaiting sign-off can be signed off: record it as complete first");
        }
        let body = self.pick_body(&mut v, body_id, "body_id", "Select the committee that signed it off").await?;
        if meeting.is_none() {
            v.add("meeting_date", "Enter the date of the meeting, for example 16 July 2018");
        }
        if minute_ref.trim().is_empty() {
            v.add("minute_ref", "Enter the minute reference of the decision");
        }
        v.finish()?;
        let body = body.unwrap();
        let mut tx = self.write().await?;
        self.claim(&mut tx, id, version).await?;
        self.q("UPDATE recommendations SET lifecycle = 'signed-off', lifecycle_reason = '' WHERE id = $1").bind(id).execute(tx.conn()).await?;
        self.history(&mut tx, actor, id, "sign-off", current.lifecycle.label(), Lifecycle::SignedOff.label(), "", Some(body.id), meeting, minute_ref)
            .await?;
        self.refresh_rec(&mut tx, id).await?;
        tx.audit(
            actor,
            Event::new(
                "recommendation.sign-off",
                "recommendation",
                id,
                format!("signed off by {} on {} ({})", body.name, long(meeting.unwrap()), minute_ref.trim()),
            ),
        )
        .await?;
        tx.commit().await
    }

    pub async fn transfer(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        to_body: Option<i64>,
        meeting: Option<NaiveDate>,
        minute_ref: &str,
        reason: &str,
    ) -> Result<()> {
        let current = self.recommendation(id).await?;
        let mut v = Invalid::new();
        if matches!(current.lifecycle, Lifecycle::SignedOff | Lifecycle::CompleteAwaitingSignOff) {
            v.add("lifecycle", "Only incomplete recommendations can be transferred to another committee");
        }
        let body = self.pick_body(&mut v, to_body, "body_id", "Select the committee that takes it over").await?;
        if let (Some(b), Some(cur)) = (&body, current.monitoring_body_id) {
            if b.id == cur {
                v.add("body_id", "Select a different committee from the one monitoring it now");
            }
        }
        if meeting.is_none() {
            v.add("meeting_date", "Enter the date of the meeting that decided the transfer");
        }
        v.finish()?;
        let body = body.unwrap();
        let mut tx = self.write().await?;
        self.claim(&mut tx, id, version).await?;
        self.q("UPDATE recommendations SET lifecycle = 'transferred', monitoring_body_id = $1 WHERE id = $2")
            .bind(body.id)
            .bind(id)
            .execute(tx.conn())
            .await?;
        let from = current.monitoring_body_name.clone().unwrap_or_else(|| "no committee".into());
        self.history(&mut tx, actor, id, "transfer", &from, &body.name, reason, Some(body.id), meeting, minute_ref).await?;
        self.refresh_rec(&mut tx, id).await?;
        tx.audit(actor, Event::new("recommendation.transfer", "recommendation", id, format!("transferred from {from} to {}", body.name))).await?;
        tx.commit().await
    }

    async fn pick_body(&self, v: &mut Invalid, id: Option<i64>, field: &str, msg: &str) -> Result<Option<Body>> {
        match id {
            None => {
                v.add(field, msg);
                Ok(None)
            }
            Some(id) => match self.body(id).await {
                Ok(b) => Ok(Some(b)),
                Err(StoreError::NotFound) => {
                    v.add(field, "Select a body from the list");
                    Ok(None)
                }
                Err(e) => Err(e),
            },
        }
    }

    // ------------------------------------------------------------ actions

    pub async fn add_action(&self, actor: &Actor, rec_id: i64, text: &str, owner: &str, target: Option<NaiveDate>) -> Result<i64> {
        let current = self.recommendation(rec_id).await?;
        let mut v = Invalid::new();
        let text = v.required("text", text, "Describe the action");
        v.max_len("text", &text, 5000, "The action");
        if target.is_none() {
            v.add("target_date", "Enter the target date as a real date, for example 31 May 2017");
        }
        v.finish()?;
        let mut tx = self.write().await?;
        let id = self
            .q("INSERT INTO actions (recommendation_id, text, owner, target_date, created_at) VALUES ($1,$2,$3,$4,$5) RETURNING id")
            .bind(rec_id)
            .bind(text)
            .bind(owner.trim().to_string())
            .bind(date_str(target.unwrap()))
            .bind(now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        self.refresh_rec(&mut tx, rec_id).await?;
        tx.audit(
            actor,
            Event::new(
                "action.create",
                "recommendation",
                rec_id,
                format!("action {id} added to {} due {}", current.reference, month_year(target.unwrap())),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn action(&self, id: i64) -> Result<Action> {
        let rows = self
            .q("SELECT id, recommendation_id, text, owner, target_date, done, version FROM actions WHERE id = $1")
            .bind(id)
            .fetch_all(self.pool())
            .await?;
        let mut actions = self.actions_from_rows(&rows).await?;
        actions.pop().ok_or(StoreError::NotFound)
    }

    pub async fn revise_action_date(&self, actor: &Actor, action_id: i64, version: i64, new_date: Option<NaiveDate>, reason: &str) -> Result<()> {
        let a = self.action(action_id).await?;
        let Some(current_date) = a.target_date else {
            return Err(Invalid::single("target_date", "This action is ongoing, with no target date to revise").into());
        };
        let new_date = validate_date_revision(current_date, new_date, reason)?;
        let mut tx = self.write().await?;
        let n = self
            .q("UPDATE actions SET target_date = $1, version = version + 1 WHERE id = $2 AND version = $3")
            .bind(date_str(new_date))
            .bind(action_id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())?;
        self.q("INSERT INTO action_date_revisions (action_id, old_date, new_date, reason, revised_by, revised_at) VALUES ($1,$2,$3,$4,$5,$6)")
            .bind(action_id)
            .bind(date_str(current_date))
            .bind(date_str(new_date))
            .bind(reason.trim().to_string())
            .bind(actor.user_id)
            .bind(now())
            .execute(tx.conn())
            .await?;
        self.refresh_rec(&mut tx, a.recommendation_id).await?;
        tx.audit(
            actor,
            Event::new(
                "action.revise-date",
                "recommendation",
                a.recommendation_id,
                format!("action {action_id} target {} → {}", month_year(current_date), month_year(new_date)),
            ),
        )
        .await?;
        tx.commit().await
    }

    pub async fn set_action_done(&self, actor: &Actor, action_id: i64, version: i64, done: bool) -> Result<()> {
        let a = self.action(action_id).await?;
        let mut tx = self.write().await?;
        let n = self
            .q("UPDATE actions SET done = $1, version = version + 1 WHERE id = $2 AND version = $3")
            .bind(done as i64)
            .bind(action_id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        check_version(n.rows_affected())?;
        self.refresh_rec(&mut tx, a.recommendation_id).await?;
        tx.audit(
            actor,
            Event::new(
                "action.done",
                "recommendation",
                a.recommendation_id,
                format!("action {action_id} marked {}", if done { "done" } else { "not done" }),
            ),
        )
        .await?;
        tx.commit().await
    }

    pub(crate) async fn actions_from_rows(&self, rows: &[AnyRow]) -> Result<Vec<Action>> {
        let mut actions = Vec::new();
        for r in rows {
            actions.push(Action {
                id: r.i("id")?,
                recommendation_id: r.i("recommendation_id")?,
                text: r.s("text")?,
                owner: r.s("owner")?,
                target_date: r.od("target_date")?,
                done: r.i("done")? != 0,
                version: r.i("version")?,
                revisions: Vec::new(),
            });
        }
        if actions.is_empty() {
            return Ok(actions);
        }
        let sql = format!(
            "SELECT d.action_id, d.old_date, d.new_date, d.reason, d.revised_at, COALESCE(u.name, 'system') AS by_name FROM action_date_revisions d LEFT JOIN users u ON u.id = d.revised_by WHERE d.action_id IN ({}) ORDER BY d.id",
            placeholders(1, actions.len())
        );
        let mut q = self.q(&sql);
        for a in &actions {
            q = q.bind(a.id);
        }
        let mut by_action: HashMap<i64, Vec<DateRevision>> = HashMap::new();
        for r in q.fetch_all(self.pool()).await? {
            by_action.entry(r.i("action_id")?).or_default().push(DateRevision {
                old_date: r.d("old_date")?,
                new_date: r.d("new_date")?,
                reason: r.s("reason")?,
                revised_by: r.s("by_name")?,
                revised_at: r.s("revised_at")?,
            });
        }
        for a in &mut actions {
            a.revisions = by_action.remove(&a.id).unwrap_or_default();
        }
        Ok(actions)
    }

    // ------------------------------------------------------------ progress updates

    /// Add a progress update (with evidence already stored on disk). Updates are
    /// never edited: a correction is a new entry pointing at the one it corrects.
    pub async fn add_update(&self, actor: &Actor, rec_id: i64, u: &UpdateInput, evidence: &[NewEvidence]) -> Result<i64> {
        let current = self.recommendation(rec_id).await?;
        let mut v = Invalid::new();
        let narrative = v.required("narrative", &u.narrative, "Describe the progress made");
        v.max_len("narrative", &narrative, 20_000, "The update");
        if u.update_date.is_none() {
            v.add("update_date", "Enter the date of the update as a real date, for example 7 December 2017");
        }
        if let Some(p) = u.progress_percent {
            if !(0..=100).contains(&p) {
                v.add("progress_percent", "Progress must be a whole number from 0 to 100");
            }
        }
        if let Some(c) = u.corrects_id {
            let ok = self
                .q("SELECT id FROM progress_updates WHERE id = $1 AND recommendation_id = $2")
                .bind(c)
                .bind(rec_id)
                .fetch_optional(self.pool())
                .await?;
            if ok.is_none() {
                v.add("corrects_id", "The update being corrected is not an update of this recommendation");
            }
        }
        v.finish()?;
        let mut tx = self.write().await?;
        let id = self
            .q("INSERT INTO progress_updates (recommendation_id, author_id, update_date, narrative, progress_percent, corrects_id, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id")
            .bind(rec_id)
            .bind(actor.user_id)
            .bind(date_str(u.update_date.unwrap()))
            .bind(narrative)
            .bind(u.progress_percent)
            .bind(u.corrects_id)
            .bind(now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        for e in evidence {
            self.q("INSERT INTO evidence_files (update_id, original_name, content_type, size_bytes, sha256, stored_name, uploaded_by, uploaded_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)")
                .bind(id)
                .bind(e.original_name.clone())
                .bind(e.content_type.clone())
                .bind(e.size_bytes)
                .bind(e.sha256.clone())
                .bind(e.stored_name.clone())
                .bind(actor.user_id)
                .bind(now())
                .execute(tx.conn())
                .await?;
        }
        // A first update moves a not-started recommendation into progress.
        if current.lifecycle == Lifecycle::NotStarted {
            self.q("UPDATE recommendations SET lifecycle = 'in-progress' WHERE id = $1").bind(rec_id).execute(tx.conn()).await?;
            self.history(
                &mut tx,
                actor,
                rec_id,
                "lifecycle",
                Lifecycle::NotStarted.label(),
                Lifecycle::InProgress.label(),
                "first progress update",
                None,
                None,
                "",
            )
            .await?;
        }
        self.q("UPDATE recommendations SET version = version + 1 WHERE id = $1").bind(rec_id).execute(tx.conn()).await?;
        self.refresh_rec(&mut tx, rec_id).await?;
        let what = match u.corrects_id {
            Some(c) => format!("update {id} added, correcting update {c}, with {} evidence file(s)", evidence.len()),
            None => format!("update {id} added with {} evidence file(s)", evidence.len()),
        };
        tx.audit(actor, Event::new("recommendation.progress", "recommendation", rec_id, what)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// An evidence file and the recommendation it belongs to.
    pub async fn evidence(&self, id: i64) -> Result<(Evidence, i64)> {
        let r = self
            .q("SELECT e.id, e.update_id, e.original_name, e.content_type, e.size_bytes, e.sha256, e.stored_name, e.uploaded_at, p.recommendation_id FROM evidence_files e JOIN progress_updates p ON p.id = e.update_id WHERE e.id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok((evidence_row(&r)?, r.i("recommendation_id")?))
    }

    /// Recompute the derived columns lists filter on: the current target date,
    /// the latest stated progress and date, and the suggested RAG.
    pub(crate) async fn refresh_rec(&self, tx: &mut WriteTx<'_>, id: i64) -> Result<()> {
        let t = self.q("SELECT MAX(target_date) AS t FROM actions WHERE recommendation_id = $1 AND done = 0").bind(id).fetch_one(tx.conn()).await?;
        let target = t.os("t")?;
        let p = self
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
            None => self
                .q("SELECT progress_percent FROM progress_updates WHERE recommendation_id = $1 AND progress_percent IS NOT NULL ORDER BY update_date DESC, id DESC LIMIT 1")
                .bind(id)
                .fetch_optional(tx.conn())
                .await?
                .map(|r| r.oi("progress_percent"))
                .transpose()?
                .flatten(),
        };
        self.q("UPDATE recommendations SET target_date = $1, progress_percent = $2, last_update_date = $3 WHERE id = $4")
            .bind(target)
            .bind(progress)
            .bind(last)
            .bind(id)
            .execute(tx.conn())
            .await?;
        let sql = format!("{REC_SELECT} WHERE r.id = $1");
        let row = self.q(&sql).bind(id).fetch_one(tx.conn()).await?;
        let r = rec(&row)?;
        let today = chrono::Utc::now().date_naive();
        self.q("UPDATE recommendations SET rag_suggested = $1 WHERE id = $2")
            .bind(r.suggested_rag(today).map(|g| g.slug()))
            .bind(id)
            .execute(tx.conn())
            .await?;
        Ok(())
    }

    /// Bring every stored suggested RAG up to `today` (run daily: time moves RAGs).
    pub async fn refresh_suggested_rags(&self, today: NaiveDate) -> Result<u64> {
        let sql = format!("{REC_SELECT} WHERE r.lifecycle NOT IN ('not-feasible','superseded','signed-off')");
        let rows = self.q(&sql).fetch_all(self.pool()).await?;
        let stored: HashMap<i64, Option<String>> = self
            .q("SELECT id, rag_suggested FROM recommendations")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok((r.i("id")?, r.os("rag_suggested")?)))
            .collect::<Result<_>>()?;
        let mut changes: Vec<(i64, Option<&'static str>)> = Vec::new();
        for row in &rows {
            let r = rec(row)?;
            let s = suggested_rag(r.rag_input(today)).map(|g| g.slug());
            if stored.get(&r.id).cloned().flatten().as_deref() != s {
                changes.push((r.id, s));
            }
        }
        let mut tx = self.write().await?;
        for (id, s) in &changes {
            self.q("UPDATE recommendations SET rag_suggested = $1 WHERE id = $2").bind(*s).bind(*id).execute(tx.conn()).await?;
        }
        tx.commit().await?;
        Ok(changes.len() as u64)
    }

    // ------------------------------------------------------------ reading recommendations

    pub async fn recommendation(&self, id: i64) -> Result<Recommendation> {
        let sql = format!("{REC_SELECT} WHERE r.id = $1");
        let row = self.q(&sql).bind(id).fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?;
        let mut v = vec![rec(&row)?];
        self.attach_leads(&mut v).await?;
        Ok(v.pop().unwrap())
    }

    pub(crate) async fn attach_leads(&self, recs: &mut [Recommendation]) -> Result<()> {
        if recs.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "SELECT l.recommendation_id, u.id, u.name, u.job_title FROM recommendation_leads l JOIN users u ON u.id = l.user_id WHERE l.recommendation_id IN ({}) ORDER BY u.name",
            placeholders(1, recs.len())
        );
        let mut q = self.q(&sql);
        for r in recs.iter() {
            q = q.bind(r.id);
        }
        let mut by_rec: HashMap<i64, Vec<Lead>> = HashMap::new();
        for row in q.fetch_all(self.pool()).await? {
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
        let mut v = self.q(&sql).bind(review_id).fetch_all(self.pool()).await?.iter().map(rec).collect::<Result<Vec<_>>>()?;
        self.attach_leads(&mut v).await?;
        Ok(v)
    }

    pub async fn recommendation_detail(&self, id: i64) -> Result<RecommendationDetail> {
        let r = self.recommendation(id).await?;
        let parent = match r.parent_id {
            Some(p) => Some(self.recommendation(p).await?),
            None => None,
        };
        let children = if r.parent_id.is_none() {
            let sql = format!("{REC_SELECT} WHERE r.parent_id = $1 ORDER BY r.sub_label");
            let mut v = self.q(&sql).bind(id).fetch_all(self.pool()).await?.iter().map(rec).collect::<Result<Vec<_>>>()?;
            self.attach_leads(&mut v).await?;
            v
        } else {
            Vec::new()
        };
        let rows = self.q("SELECT id, recommendation_id, text, owner, target_date, done, version FROM actions WHERE recommendation_id = $1 ORDER BY target_date, id").bind(id).fetch_all(self.pool()).await?;
        let actions = self.actions_from_rows(&rows).await?;
        let updates = self.updates_for(&[id]).await?.remove(&id).unwrap_or_default();
        let history = self
            .q("SELECT h.at, COALESCE(u.name, 'system') AS by_name, h.kind, h.from_value, h.to_value, h.reason, b.name AS body_name, h.meeting_date, h.minute_ref FROM recommendation_history h LEFT JOIN users u ON u.id = h.user_id LEFT JOIN bodies b ON b.id = h.body_id WHERE h.recommendation_id = $1 ORDER BY h.id")
            .bind(id)
            .fetch_all(self.pool())
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
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let requests = self.update_requests_for(&[id]).await?;
        Ok(RecommendationDetail { rec: r, parent, children, actions, updates, history, requests })
    }

    /// Updates of several recommendations, newest first, with evidence (two queries).
    pub async fn updates_for(&self, rec_ids: &[i64]) -> Result<HashMap<i64, Vec<ProgressUpdate>>> {
        let mut out: HashMap<i64, Vec<ProgressUpdate>> = HashMap::new();
        if rec_ids.is_empty() {
            return Ok(out);
        }
        let sql = format!(
            "SELECT p.id, p.recommendation_id, COALESCE(u.name, 'system') AS author, p.update_date, p.narrative, p.progress_percent, p.corrects_id, p.created_at, c.corrected_by FROM progress_updates p LEFT JOIN users u ON u.id = p.author_id LEFT JOIN (SELECT corrects_id, MIN(id) AS corrected_by FROM progress_updates WHERE corrects_id IS NOT NULL GROUP BY corrects_id) c ON c.corrects_id = p.id WHERE p.recommendation_id IN ({}) ORDER BY p.update_date DESC, p.id DESC",
            placeholders(1, rec_ids.len())
        );
        let mut q = self.q(&sql);
        for id in rec_ids {
            q = q.bind(*id);
        }
        let rows = q.fetch_all(self.pool()).await?;
        let mut updates = Vec::new();
        for r in &rows {
            updates.push(ProgressUpdate {
                id: r.i("id")?,
                recommendation_id: r.i("recommendation_id")?,
                author: r.s("author")?,
                update_date: r.d("update_date")?,
                narrative: r.s("narrative")?,
                progress_percent: r.oi("progress_percent")?,
                corrects_id: r.oi("corrects_id")?,
                corrected_by_id: r.oi("corrected_by")?,
                created_at: r.s("created_at")?,
                evidence: Vec::new(),
            });
        }
        if !updates.is_empty() {
            let sql = format!(
                "SELECT e.id, e.update_id, e.original_name, e.content_type, e.size_bytes, e.sha256, e.stored_name, e.uploaded_at FROM evidence_files e JOIN progress_updates p ON p.id = e.update_id WHERE p.recommendation_id IN ({}) ORDER BY e.id",
                placeholders(1, rec_ids.len())
            );
            let mut q = self.q(&sql);
            for id in rec_ids {
                q = q.bind(*id);
            }
            let mut by_update: HashMap<i64, Vec<Evidence>> = HashMap::new();
            for r in q.fetch_all(self.pool()).await? {
                let e = evidence_row(&r)?;
                by_update.entry(e.update_id).or_default().push(e);
            }
            for u in &mut updates {
                u.evidence = by_update.remove(&u.id).unwrap_or_default();
            }
        }
        for u in updates {
            out.entry(u.recommendation_id).or_default().push(u);
        }
        Ok(out)
    }

    async fn update_requests_for(&self, rec_ids: &[i64]) -> Result<Vec<UpdateRequest>> {
        if rec_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT q.id, q.recommendation_id, COALESCE(u.name, 'system') AS by_name, q.requested_at, q.due_date, q.for_report_date, q.message, \
             (SELECT COUNT(*) FROM progress_updates p WHERE p.recommendation_id = q.recommendation_id AND p.created_at >= q.requested_at) AS answers \
             FROM update_requests q LEFT JOIN users u ON u.id = q.requested_by WHERE q.recommendation_id IN ({}) ORDER BY q.due_date DESC, q.id DESC",
            placeholders(1, rec_ids.len())
        );
        let mut q = self.q(&sql);
        for id in rec_ids {
            q = q.bind(*id);
        }
        q.fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(UpdateRequest {
                    id: r.i("id")?,
                    recommendation_id: r.i("recommendation_id")?,
                    requested_by: r.s("by_name")?,
                    requested_at: r.s("requested_at")?,
                    due_date: r.d("due_date")?,
                    for_report_date: r.od("for_report_date")?,
                    message: r.s("message")?,
                    answered: r.i("answers")? > 0,
                })
            })
            .collect()
    }

    pub(crate) fn filter_sql(&self, f: &RecFilter) -> (String, Vec<FilterArg>) {
        let mut sql = String::from(" WHERE 1=1");
        let mut args: Vec<FilterArg> = Vec::new();
        let mut push = |clause: &str, a: FilterArg| {
            args.push(a);
            sql.push_str(&clause.replace('?', &format!("${}", args.len())));
        };
        if let Some(b) = f.body_id {
            push(" AND r.monitoring_body_id = ?", FilterArg::I(b));
        }
        if let Some(b) = f.review_id {
            push(" AND r.review_id = ?", FilterArg::I(b));
        }
        if let Some(u) = f.lead_user_id {
            push(" AND r.id IN (SELECT recommendation_id FROM recommendation_leads WHERE user_id = ?)", FilterArg::I(u));
        }
        if let Some(l) = f.lifecycle {
            push(" AND r.lifecycle = ?", FilterArg::S(l.slug().into()));
        }
        if let Some(x) = f.response {
            push(" AND r.response = ?", FilterArg::S(x.slug().into()));
        }
        if let Some(g) = f.rag {
            push(" AND COALESCE(r.rag_override, r.rag_suggested) = ?", FilterArg::S(g.slug().into()));
        }
        if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let like = format!("%{}%", t.to_lowercase().replace('%', "").replace('_', ""));
            push(" AND (LOWER(r.reference) LIKE ? ", FilterArg::S(like.clone()));
            push("OR LOWER(r.committee_wording) LIKE ? ", FilterArg::S(like.clone()));
            push("OR LOWER(r.executive_wording) LIKE ?)", FilterArg::S(like));
        }
        if let Some(d) = f.response_overdue_on {
            push(
                " AND r.response = 'awaiting' AND r.parent_id IS NULL AND r.review_id IN (SELECT id FROM reviews WHERE response_due < ?)",
                FilterArg::S(date_str(d)),
            );
        }
        if let Some(d) = f.target_passed_on {
            push(" AND r.lifecycle IN ('not-started','in-progress','paused','transferred') AND r.target_date < ?", FilterArg::S(date_str(d)));
        }
        (sql, args)
    }

    /// One page of the tracker list, and the total matching.
    pub async fn list_recommendations(&self, f: &RecFilter, limit: i64, offset: i64) -> Result<(Vec<Recommendation>, i64)> {
        let (where_sql, args) = self.filter_sql(f);
        let count_sql = format!("SELECT COUNT(*) AS n FROM recommendations r{where_sql}");
        let mut q = self.q(&count_sql);
        for a in &args {
            q = a.bind(q);
        }
        let total = q.fetch_one(self.pool()).await?.i("n")?;
        let sql = format!(
            "{REC_SELECT}{where_sql} ORDER BY r.review_id DESC, r.number, r.sub_label LIMIT {} OFFSET {}",
            limit.clamp(1, 1000),
            offset.max(0)
        );
        let mut q = self.q(&sql);
        for a in &args {
            q = a.bind(q);
        }
        let mut v = q.fetch_all(self.pool()).await?.iter().map(rec).collect::<Result<Vec<_>>>()?;
        self.attach_leads(&mut v).await?;
        Ok((v, total))
    }

    /// Counts by response, lifecycle, RAG and committee for the matching recommendations.
    pub async fn dashboard(&self, f: &RecFilter, today: NaiveDate) -> Result<Dashboard> {
        let (where_sql, args) = self.filter_sql(f);
        // Aggregate the recommendations alone (index-only), then name the bodies.
        let sql = format!(
            "SELECT g.body_id, g.k1, g.k2, g.rag_override, g.rag_suggested, g.n, b.name AS body_name FROM (\
             SELECT r.monitoring_body_id AS body_id, r.response AS k1, r.lifecycle AS k2, r.rag_override, r.rag_suggested, COUNT(*) AS n \
             FROM recommendations r{where_sql} GROUP BY r.monitoring_body_id, r.response, r.lifecycle, r.rag_override, r.rag_suggested) g \
             LEFT JOIN bodies b ON b.id = g.body_id"
        );
        let mut q = self.q(&sql);
        for a in &args {
            q = a.bind(q);
        }
        let rows = q.fetch_all(self.pool()).await?;
        let mut d = Dashboard::default();
        let mut resp: HashMap<ExecutiveResponse, i64> = HashMap::new();
        let mut life: HashMap<Lifecycle, i64> = HashMap::new();
        let mut rag: HashMap<Option<Rag>, i64> = HashMap::new();
        let mut bodies: Vec<BodyCount> = Vec::new();
        for r in &rows {
            let n = r.i("n")?;
            let x: ExecutiveResponse = r.e("k1")?;
            let l: Lifecycle = r.e("k2")?;
            let g: Option<Rag> = r.oe::<Rag>("rag_override")?.or(r.oe::<Rag>("rag_suggested")?);
            d.total += n;
            if x.is_accepted() {
                d.accepted += n;
            }
            *resp.entry(x).or_default() += n;
            *life.entry(l).or_default() += n;
            *rag.entry(g).or_default() += n;
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
                        complete: 0,
                    });
                    bodies.len() - 1
                }
            };
            let b = &mut bodies[idx];
            b.total += n;
            match g {
                Some(Rag::Red) => b.red += n,
                Some(Rag::Amber) => b.amber += n,
                Some(Rag::Green) => b.green += n,
                None => {}
            }
            if matches!(l, Lifecycle::CompleteAwaitingSignOff | Lifecycle::SignedOff) {
                b.complete += n;
            }
        }
        d.by_response = ExecutiveResponse::ALL.iter().map(|x| (*x, resp.get(x).copied().unwrap_or(0))).collect();
        d.by_lifecycle = Lifecycle::ALL.iter().map(|x| (*x, life.get(x).copied().unwrap_or(0))).collect();
        d.by_rag = [Some(Rag::Red), Some(Rag::Amber), Some(Rag::Green), None].iter().map(|x| (*x, rag.get(x).copied().unwrap_or(0))).collect();
        bodies.sort_by(|a, b| a.body_name.cmp(&b.body_name));
        d.by_body = bodies;
        let today_s = date_str(today);
        let soon = date_str(today + chrono::Duration::days(14));
        let sql = format!(
            "SELECT SUM(CASE WHEN r.response = 'awaiting' AND r.parent_id IS NULL AND r.review_id IN (SELECT id FROM reviews WHERE response_due < ${a}) THEN 1 ELSE 0 END) AS overdue, \
             SUM(CASE WHEN r.response = 'awaiting' AND r.parent_id IS NULL AND r.review_id IN (SELECT id FROM reviews WHERE response_due >= ${a} AND response_due <= ${b}) THEN 1 ELSE 0 END) AS soon, \
             SUM(CASE WHEN r.lifecycle IN ('not-started','in-progress','paused','transferred') AND r.target_date < ${a} THEN 1 ELSE 0 END) AS passed FROM recommendations r{where_sql}",
            a = args.len() + 1,
            b = args.len() + 2
        );
        let mut q = self.q(&sql);
        for a in &args {
            q = a.bind(q);
        }
        let r = q.bind(today_s).bind(soon).fetch_one(self.pool()).await?;
        d.responses_overdue = r.oi("overdue")?.unwrap_or(0);
        d.responses_due_soon = r.oi("soon")?.unwrap_or(0);
        d.targets_passed = r.oi("passed")?.unwrap_or(0);
        Ok(d)
    }

    // ------------------------------------------------------------ schedules and requests

    pub async fn schedules(&self, review_id: Option<i64>) -> Result<Vec<Schedule>> {
        let base = "SELECT s.id, s.review_id, v.title, s.body_id, b.name AS body_name, s.first_report_date, s.interval_months, s.resolution_ref FROM monitoring_schedules s JOIN reviews v ON v.id = s.review_id JOIN bodies b ON b.id = s.body_id";
        let rows = match review_id {
            Some(id) => self.q(&format!("{base} WHERE s.review_id = $1 ORDER BY s.first_report_date")).bind(id).fetch_all(self.pool()).await?,
            None => self.q(&format!("{base} ORDER BY s.first_report_date")).fetch_all(self.pool()).await?,
        };
        rows.iter()
            .map(|r| {
                Ok(Schedule {
                    id: r.i("id")?,
                    review_id: r.i("review_id")?,
                    review_title: r.s("title")?,
                    body_id: r.i("body_id")?,
                    body_name: r.s("body_name")?,
                    first_report_date: r.d("first_report_date")?,
                    interval_months: r.i("interval_months")?,
                    resolution_ref: r.s("resolution_ref")?,
                })
            })
            .collect()
    }

    pub async fn add_schedule(
        &self,
        actor: &Actor,
        review_id: i64,
        body_id: Option<i64>,
        first: Option<NaiveDate>,
        interval: Option<i64>,
        resolution_ref: &str,
    ) -> Result<i64> {
        self.review(review_id).await?;
        let mut v = Invalid::new();
        let body = self.pick_body(&mut v, body_id, "body_id", "Select the committee that receives the monitoring reports").await?;
        if first.is_none() {
            v.add("first_report_date", "Enter the date of the first monitoring report, for example 16 January 2018");
        }
        match interval {
            Some(n) if (0..=36).contains(&n) => {}
            _ => v.add("interval_months", "Enter how many months between reports, from 0 (a single report) to 36"),
        }
        v.finish()?;
        let mut tx = self.write().await?;
        let id = self
            .q("INSERT INTO monitoring_schedules (review_id, body_id, first_report_date, interval_months, resolution_ref) VALUES ($1,$2,$3,$4,$5) RETURNING id")
            .bind(review_id)
            .bind(body.as_ref().unwrap().id)
            .bind(date_str(first.unwrap()))
            .bind(interval.unwrap())
            .bind(resolution_ref.trim().to_string())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(
            actor,
            Event::new("schedule.create", "review", review_id, format!("monitoring reports to {} from {}", body.unwrap().name, long(first.unwrap()))),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Ask the lead officers of these recommendations for an update by `due`.
    pub async fn request_updates(
        &self,
        actor: &Actor,
        rec_ids: &[i64],
        due: Option<NaiveDate>,
        for_report: Option<NaiveDate>,
        message: &str,
        today: NaiveDate,
    ) -> Result<usize> {
        let mut v = Invalid::new();
        if rec_ids.is_empty() {
            v.add("recommendation_ids", "Select at least one recommendation to ask for an update on");
        }
        match due {
            None => v.add("due_date", "Enter the date the update is needed by, for example 1 January 2018"),
            Some(d) if d < today => v.add("due_date", "The date the update is needed by must be today or in the future"),
            _ => {}
        }
        if let (Some(d), Some(r)) = (due, for_report) {
            if d > r {
                v.add("due_date", "The update must be due on or before the date of the report it is for");
            }
        }
        v.max_len("message", message, 2000, "The message");
        v.finish()?;
        let mut tx = self.write().await?;
        for id in rec_ids {
            let exists = self.q("SELECT id FROM recommendations WHERE id = $1").bind(*id).fetch_optional(tx.conn()).await?;
            if exists.is_none() {
                return Err(StoreError::NotFound);
            }
            self.q("INSERT INTO update_requests (recommendation_id, requested_by, requested_at, due_date, for_report_date, message) VALUES ($1,$2,$3,$4,$5,$6)")
                .bind(*id)
                .bind(actor.user_id)
                .bind(now())
                .bind(date_str(due.unwrap()))
                .bind(opt_date_str(for_report))
                .bind(message.trim().to_string())
                .execute(tx.conn())
                .await?;
            tx.audit(
                actor,
                Event::new("recommendation.request-update", "recommendation", *id, format!("update requested by {}", long(due.unwrap()))),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(rec_ids.len())
    }

    /// What a lead officer answers for: their recommendations and open requests.
    pub async fn my_recommendations(&self, user_id: i64) -> Result<(Vec<Recommendation>, Vec<UpdateRequest>)> {
        let f = RecFilter { lead_user_id: Some(user_id), ..Default::default() };
        let (recs, _) = self.list_recommendations(&f, 1000, 0).await?;
        let ids: Vec<i64> = recs.iter().map(|r| r.id).collect();
        let requests = self.update_requests_for(&ids).await?.into_iter().filter(|q| !q.answered).collect();
        Ok((recs, requests))
    }

    /// For a report on `report_date`: the open recommendations in scope with no
    /// update dated after `since` (the previous report).
    pub async fn missing_updates(
        &self,
        review_id: i64,
        body_id: Option<i64>,
        since: Option<NaiveDate>,
        report_date: NaiveDate,
    ) -> Result<Vec<Recommendation>> {
        Ok(self.missing_updates_many(&[ReportWindow { review_id, body_id, since, report_date }]).await?.pop().unwrap_or_default())
    }

    /// The same for several reports at once, in one query whatever their number.
    pub async fn missing_updates_many(&self, windows: &[ReportWindow]) -> Result<Vec<Vec<Recommendation>>> {
        if windows.is_empty() {
            return Ok(Vec::new());
        }
        let values: Vec<String> =
            (0..windows.len()).map(|i| format!("(${}, ${}, ${}, ${}, ${})", i * 5 + 1, i * 5 + 2, i * 5 + 3, i * 5 + 4, i * 5 + 5)).collect();
        let select = REC_SELECT.replacen("SELECT ", "SELECT w.idx AS window_idx, ", 1);
        let sql = format!(
            "WITH w(idx, review_id, body_id, since, report) AS (VALUES {}) {select} JOIN w ON w.review_id = r.review_id \
             WHERE r.lifecycle IN ('not-started','in-progress','paused','transferred') \
             AND (w.body_id < 0 OR r.monitoring_body_id = w.body_id OR r.monitoring_body_id IS NULL) \
             AND NOT EXISTS (SELECT 1 FROM progress_updates p WHERE p.recommendation_id = r.id AND p.update_date > w.since AND p.update_date <= w.report) \
             ORDER BY w.idx, r.number, r.sub_label",
            values.join(", ")
        );
        let mut q = self.q(&sql);
        for (i, w) in windows.iter().enumerate() {
            q = q
                .bind(i as i64)
                .bind(w.review_id)
                .bind(w.body_id.unwrap_or(-1))
                .bind(w.since.map(date_str).unwrap_or_else(|| "0000-00-00".into()))
                .bind(date_str(w.report_date));
        }
        let rows = q.fetch_all(self.pool()).await?;
        let mut all = Vec::with_capacity(rows.len());
        let mut idx = Vec::with_capacity(rows.len());
        for row in &rows {
            idx.push(row.i("window_idx")? as usize);
            all.push(rec(row)?);
        }
        self.attach_leads(&mut all).await?;
        let mut out: Vec<Vec<Recommendation>> = vec![Vec::new(); windows.len()];
        for (i, r) in idx.into_iter().zip(all) {
            out[i].push(r);
        }
        Ok(out)
    }
}

/// A monitoring report's scope: a review, optionally one committee, and the
/// window its updates come from.
#[derive(Debug, Clone, Copy)]
pub struct ReportWindow {
    pub review_id: i64,
    pub body_id: Option<i64>,
    pub since: Option<NaiveDate>,
    pub report_date: NaiveDate,
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// The twelve review fields, in the order the INSERT and UPDATE name them.
fn bind_review<'q>(q: AnyQuery<'q>, r: &ReviewInput) -> AnyQuery<'q> {
    q.bind(r.kind.map(|k| k.slug()).unwrap_or_default())
        .bind(r.title.trim().to_string())
        .bind(r.terms_of_reference.trim().to_string())
        .bind(r.lead_member.trim().to_string())
        .bind(r.members.trim().to_string())
        .bind(r.origin_body_id)
        .bind(opt_date_str(r.start_date))
        .bind(opt_date_str(r.end_date))
        .bind(opt_date_str(r.report_date))
        .bind(r.final_report_ref.trim().to_string())
        .bind(r.referred_to_body_id)
        .bind(opt_date_str(r.referral_date))
}

fn evidence_row(r: &AnyRow) -> Result<Evidence> {
    Ok(Evidence {
        id: r.i("id")?,
        update_id: r.i("update_id")?,
        original_name: r.s("original_name")?,
        content_type: r.s("content_type")?,
        size_bytes: r.i("size_bytes")?,
        sha256: r.s("sha256")?,
        stored_name: r.s("stored_name")?,
        uploaded_at: r.s("uploaded_at")?,
    })
}

pub(crate) enum FilterArg {
    I(i64),
    S(String),
}

impl FilterArg {
    pub(crate) fn bind<'q>(
        &self,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        match self {
            FilterArg::I(i) => q.bind(*i),
            FilterArg::S(s) => q.bind(s.clone()),
        }
    }
}
