//! Reviews (working groups, inspections, case reviews), their endorsements and the
//! date the executive's response is due.

use assure_domain::dates::long;
use assure_domain::tracker::{
    check_endorsement, check_review, response_due, EndorsementInput, NewEndorsement, ResponseDeadline, ReviewDetails, ReviewInput, ReviewKind,
};
use assure_domain::{Checked, Invalid};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;

use super::{check_version, Tracker};
use crate::audit::Event;
use crate::keyset::{KeyPart, Keyset, Page, PageRequest};
use crate::sql::Sql;
use crate::{all_checks, date_str, opt_date_str, Actor, Result, RowExt, StoreError, WriteTx};

#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub id: i64,
    pub kind: ReviewKind,
    pub title: String,
    pub terms_of_reference: String,
    pub lead_member: String,
    pub members: String,
    pub origin_body_id: Option<i64>,
    pub origin_body_name: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub report_date: Option<NaiveDate>,
    pub final_report_ref: String,
    pub referred_to_body_id: Option<i64>,
    pub referred_to_body_name: Option<String>,
    pub referral_date: Option<NaiveDate>,
    /// The executive's response is due by this date (computed when saved).
    pub response_due: Option<NaiveDate>,
    pub version: i64,
    /// How many recommendations (including sub-items) it made.
    pub recommendation_count: i64,
    pub awaiting_response: i64,
    /// Numbered recommendations whose response the imported tracker did not record.
    pub response_not_recorded: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Endorsement {
    pub id: i64,
    pub review_id: i64,
    pub body_id: i64,
    pub body_name: String,
    pub endorsed_on: NaiveDate,
    pub minute_ref: String,
    /// When a resolution in Assure's minutes endorsed it: the meeting and the minute's
    /// number, to link to.
    pub minute: Option<(i64, i64)>,
}

const REVIEW_SELECT: &str = "SELECT v.id, v.kind, v.title, v.terms_of_reference, v.lead_member, v.members, v.origin_body_id, ob.name AS origin_body_name, v.start_date, v.end_date, v.report_date, v.final_report_ref, v.referred_to_body_id, rb.name AS referred_to_body_name, v.referral_date, v.response_due, v.version, \
 (SELECT COUNT(*) FROM recommendations x WHERE x.review_id = v.id) AS rec_count, \
 (SELECT COUNT(*) FROM recommendations x WHERE x.review_id = v.id AND x.response = 'awaiting' AND x.parent_id IS NULL) AS awaiting, \
 (SELECT COUNT(*) FROM recommendations x WHERE x.review_id = v.id AND x.response = 'not-recorded' AND x.parent_id IS NULL) AS not_recorded";
const REVIEW_FROM: &str = "reviews v LEFT JOIN bodies ob ON ob.id = v.origin_body_id LEFT JOIN bodies rb ON rb.id = v.referred_to_body_id";

/// The reviews list's order, newest first (indexed by reviews_list_order).
const REVIEWS_ORDER: Keyset = Keyset { columns: &["COALESCE(v.report_date, v.created_at)", "v.id"], descending: true };

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
        response_not_recorded: r.i("not_recorded")?,
    })
}

impl Tracker<'_> {
    pub async fn reviews(&self) -> Result<Vec<Review>> {
        let sql = format!("{REVIEW_SELECT} FROM {REVIEW_FROM} ORDER BY COALESCE(v.report_date, v.created_at) DESC, v.id DESC");
        self.store.q(&sql).fetch_all(self.store.pool()).await?.iter().map(review).collect()
    }

    /// One page of reviews, newest first (keyset: see [`crate::keyset`]).
    pub async fn reviews_page(&self, req: &PageRequest) -> Result<Page<Review>> {
        let mut sql = Sql::new(format!("{REVIEW_SELECT}, COALESCE(v.report_date, v.created_at) AS list_key FROM {REVIEW_FROM} WHERE 1 = 1"));
        REVIEWS_ORDER.push_seek(&mut sql, req);
        REVIEWS_ORDER.push_order(&mut sql, req);
        let rows = sql.query(self.store).fetch_all(self.store.pool()).await?;
        REVIEWS_ORDER.page(&rows, req, |r| Ok(vec![KeyPart::Text(r.s("list_key")?), KeyPart::Int(r.i("id")?)]), review)
    }

    /// How many reviews there are.
    pub async fn review_count(&self) -> Result<i64> {
        self.store.q("SELECT COUNT(*) AS n FROM reviews").fetch_one(self.store.pool()).await?.i("n")
    }

    /// Ids and titles only, newest first (for filters).
    pub async fn review_titles(&self) -> Result<Vec<(i64, String)>> {
        let rows = self
            .store
            .q("SELECT id, title FROM reviews ORDER BY COALESCE(report_date, created_at) DESC, id DESC")
            .fetch_all(self.store.pool())
            .await?;
        rows.iter().map(|r| Ok((r.i("id")?, r.s("title")?))).collect()
    }

    pub async fn review(&self, id: i64) -> Result<Review> {
        let sql = format!("{REVIEW_SELECT} FROM {REVIEW_FROM} WHERE v.id = $1");
        self.store.q(&sql).bind(id).fetch_optional(self.store.pool()).await?.as_ref().map(review).transpose()?.ok_or(StoreError::NotFound)
    }

    /// The domain's checks, and whether the bodies it names exist.
    /// The review checked (before a transaction is opened: the checks read).
    pub(crate) async fn checked_review(&self, r: &ReviewInput) -> Result<Checked<ReviewDetails>> {
        let mut found = Invalid::new();
        for (field, id) in [("origin_body_id", r.origin_body_id), ("referred_to_body_id", r.referred_to_body_id)] {
            self.chosen_body(&mut found, id, field).await?;
        }
        all_checks(check_review(r), found, ReviewInput::FIELDS)
    }

    /// Every problem with a review as typed, without saving anything: the domain's rules
    /// and what only storage can tell (a body not on the list), so that the web edge can
    /// add its own (a date it cannot read) and show them all at once.
    pub async fn review_problems(&self, r: &ReviewInput) -> Result<Invalid> {
        match self.checked_review(r).await {
            Ok(_) => Ok(Invalid::new()),
            Err(StoreError::Invalid(v)) => Ok(v),
            Err(e) => Err(e),
        }
    }

    pub async fn create_review(&self, actor: &Actor, r: &ReviewInput) -> Result<i64> {
        let review = self.checked_review(r).await?;
        let mut tx = self.store.write().await?;
        let id = self.insert_review(&mut tx, actor, &review).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Add a checked review, audited, inside a transaction another change shares (a
    /// case-file audit round and the review its actions go to are one change).
    pub(crate) async fn insert_review(&self, tx: &mut WriteTx<'_>, actor: &Actor, review: &Checked<ReviewDetails>) -> Result<i64> {
        let q = self.store
            .q("INSERT INTO reviews (kind, title, terms_of_reference, lead_member, members, origin_body_id, start_date, end_date, report_date, final_report_ref, referred_to_body_id, referral_date, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING id");
        let id = bind_review(q, review).bind(self.store.now()).fetch_one(tx.conn()).await?.i("id")?;
        self.recompute_response_due(tx, id).await?;
        tx.audit(actor, Event::new("review.create", "review", id, format!("created review {:?}", review.title))).await?;
        Ok(id)
    }

    pub async fn update_review(&self, actor: &Actor, id: i64, version: i64, r: &ReviewInput) -> Result<()> {
        self.review(id).await?;
        let review = self.checked_review(r).await?;
        let mut tx = self.store.write().await?;
        let q = self.store
            .q("UPDATE reviews SET kind=$1, title=$2, terms_of_reference=$3, lead_member=$4, members=$5, origin_body_id=$6, start_date=$7, end_date=$8, report_date=$9, final_report_ref=$10, referred_to_body_id=$11, referral_date=$12, version = version + 1 WHERE id = $13 AND version = $14");
        let n = bind_review(q, &review).bind(id).bind(version).execute(tx.conn()).await?;
        check_version(n.rows_affected())?;
        self.recompute_response_due(&mut tx, id).await?;
        tx.audit(actor, Event::new("review.update", "review", id, "review details changed")).await?;
        tx.commit().await
    }

    pub(super) async fn recompute_response_due(&self, tx: &mut WriteTx<'_>, review_id: i64) -> Result<()> {
        let r = self.store
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
        self.store.q("UPDATE reviews SET response_due = $1 WHERE id = $2").bind(opt_date_str(due)).bind(review_id).execute(tx.conn()).await?;
        Ok(())
    }

    pub async fn endorsements(&self, review_id: i64) -> Result<Vec<Endorsement>> {
        let rows = self.store
            .q("SELECT e.id, e.review_id, e.body_id, b.name AS body_name, e.endorsed_on, e.minute_ref, mi.meeting_id AS minute_meeting, mi.number AS minute_number \
                FROM endorsements e JOIN bodies b ON b.id = e.body_id LEFT JOIN minutes mi ON mi.id = e.minute_id WHERE e.review_id = $1 ORDER BY e.endorsed_on, e.id")
            .bind(review_id)
            .fetch_all(self.store.pool())
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
                    minute: match r.oi("minute_meeting")? {
                        Some(m) => Some((m, r.i("minute_number")?)),
                        None => None,
                    },
                })
            })
            .collect()
    }

    /// Record that a body endorsed the review's report. The meeting cannot be before the
    /// review started (as stored); the body must exist.
    pub async fn add_endorsement(&self, actor: &Actor, review_id: i64, e: &EndorsementInput) -> Result<i64> {
        let review = self.review(review_id).await?;
        let mut found = Invalid::new();
        let body = self.chosen_body(&mut found, e.body_id, "body_id").await?;
        let endorsement = all_checks(check_endorsement(e, review.start_date), found, EndorsementInput::FIELDS)?;
        let Some(body) = body.filter(|b| b.id == endorsement.body_id) else {
            return Err(Invalid::single("body_id", "Select a body from the list").into());
        };
        let mut tx = self.store.write().await?;
        let id = self.endorse_in(&mut tx, actor, review_id, &body.name, &endorsement, None).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Record a checked endorsement in the caller's transaction, with its audit entry;
    /// `minute`: the minute in Assure whose resolution endorsed it.
    pub(crate) async fn endorse_in(
        &self,
        tx: &mut WriteTx<'_>,
        actor: &Actor,
        review_id: i64,
        body_name: &str,
        e: &NewEndorsement,
        minute: Option<i64>,
    ) -> Result<i64> {
        let id = self
            .store
            .q("INSERT INTO endorsements (review_id, body_id, endorsed_on, minute_ref, minute_id) VALUES ($1,$2,$3,$4,$5) RETURNING id")
            .bind(review_id)
            .bind(e.body_id)
            .bind(date_str(e.endorsed_on))
            .bind(e.minute_ref.clone())
            .bind(minute)
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(actor, Event::new("review.endorse", "review", review_id, format!("endorsed by {body_name} on {}", long(e.endorsed_on)))).await?;
        Ok(id)
    }
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// The twelve review fields, in the order the INSERT and UPDATE name them.
fn bind_review<'q>(q: AnyQuery<'q>, r: &ReviewDetails) -> AnyQuery<'q> {
    q.bind(r.kind.slug())
        .bind(r.title.clone())
        .bind(r.terms_of_reference.clone())
        .bind(r.lead_member.clone())
        .bind(r.members.clone())
        .bind(r.origin_body_id)
        .bind(opt_date_str(r.start_date))
        .bind(opt_date_str(r.end_date))
        .bind(opt_date_str(r.report_date))
        .bind(r.final_report_ref.clone())
        .bind(r.referred_to_body_id)
        .bind(opt_date_str(r.referral_date))
}
