//! MARAC referrals (R10): a 16 to 18-year-old referred to MARAC as the victim of an
//! abusive relationship, recorded on the child's record (through the [`ChildRecord`]
//! door), waiting on the MASH queue for a CSE review; a CSE concern refers the child
//! to MACSE through a referral decided "MACSE" (or notes the MARAC review on the
//! child's referral already decided for MACSE), no CSE concern is recorded with its reasons.
//!
//! Every change is audited against the child with ids and slugs only.

use assure_domain::marac::{check_marac, check_review, CseReviewOutcome, MaracInput, MaracStatus, ReviewInput};
use assure_domain::partnership::{InvolvementKind, Section};
use assure_domain::referral::{MashDecision, ReferralSource, ReferralStatus};
use assure_domain::screening::RiskLevel;
use assure_domain::Permission;
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::audit::Event;
use crate::child_access::{push_reach, ChildRecord, Reader};
use crate::sql::Sql;
use crate::{date_str, Result, RowExt, Store, StoreError, WriteTx};

/// A MARAC referral and its CSE review.
#[derive(Debug, Clone, Serialize)]
pub struct MaracReferral {
    pub id: i64,
    pub child_id: i64,
    pub child_name: String,
    pub agency_id: i64,
    pub agency_name: String,
    pub recorded_by_name: Option<String>,
    pub referred_on: NaiveDate,
    pub referred_by: String,
    pub relationship: String,
    /// The young person's age on the day of the referral.
    pub age_at_referral: i64,
    pub status: MaracStatus,
    pub recorded_at: String,
    pub review_outcome: Option<CseReviewOutcome>,
    pub review_reasons: Option<String>,
    pub reviewed_by_name: Option<String>,
    pub reviewed_at: Option<String>,
    /// The referral decided "MACSE" that a CSE concern led to.
    pub referral_id: Option<i64>,
    pub version: i64,
}

const COLS: &str = "m.id, m.child_id, c.first_name, c.last_name, m.agency_id, a.name AS agency_name, u1.name AS recorded_by_name, m.referred_on, \
    m.referred_by, m.relationship, m.age_at_referral, m.status, m.recorded_at, m.review_outcome, m.review_reasons, u2.name AS reviewed_by_name, \
    m.reviewed_at, m.referral_id, m.version";
const FROM: &str = "marac_referrals m JOIN children c ON c.id = m.child_id JOIN agencies a ON a.id = m.agency_id \
    LEFT JOIN users u1 ON u1.id = m.recorded_by LEFT JOIN users u2 ON u2.id = m.reviewed_by";

fn marac(r: &AnyRow) -> Result<MaracReferral> {
    Ok(MaracReferral {
        id: r.i("id")?,
        child_id: r.i("child_id")?,
        child_name: format!("{} {}", r.s("first_name")?, r.s("last_name")?),
        agency_id: r.i("agency_id")?,
        agency_name: r.s("agency_name")?,
        recorded_by_name: r.os("recorded_by_name")?,
        referred_on: r.d("referred_on")?,
        referred_by: r.s("referred_by")?,
        relationship: r.s("relationship")?,
        age_at_referral: r.i("age_at_referral")?,
        status: r.e("status")?,
        recorded_at: r.s("recorded_at")?,
        review_outcome: r.oe("review_outcome")?,
        review_reasons: r.os("review_reasons")?,
        reviewed_by_name: r.os("reviewed_by_name")?,
        reviewed_at: r.os("reviewed_at")?,
        referral_id: r.oi("referral_id")?,
        version: r.i("version")?,
    })
}

/// Why a MARAC referral's CSE concern went to MACSE, on the referral it made.
const MACSE_REASON: &str = "CSE review of a MARAC referral: a CSE concern, so referred to MACSE.";

impl ChildRecord {
    /// The child's MARAC referrals, newest first.
    pub async fn marac_referrals(&self) -> Result<Vec<MaracReferral>> {
        self.require(Section::Concerns).await?;
        let sql = format!("SELECT {COLS} FROM {FROM} WHERE m.child_id = $1 ORDER BY m.referred_on DESC, m.id DESC");
        self.store.q(&sql).bind(self.id()).fetch_all(self.store.pool()).await?.iter().map(marac).collect()
    }

    /// One of the child's MARAC referrals (not found when it is another child's).
    pub async fn marac_referral(&self, id: i64) -> Result<MaracReferral> {
        self.require(Section::Concerns).await?;
        let sql = format!("SELECT {COLS} FROM {FROM} WHERE m.id = $1 AND m.child_id = $2");
        marac(&self.store.q(&sql).bind(id).bind(self.id()).fetch_optional(self.store.pool()).await?.ok_or(StoreError::NotFound)?)
    }

    /// Record that the child was referred to MARAC as the victim of an abusive
    /// relationship: the child must be 16 to 18 on that day by their date of birth.
    /// It waits on the MASH queue for a CSE review; the recorder's agency becomes
    /// involved with the child.
    pub async fn record_marac(&self, input: &MaracInput) -> Result<i64> {
        self.require_permission(Permission::RaiseConcern, "marac-referral").await?;
        let store = &self.store;
        let today = store.today();
        let m = check_marac(input, self.child().date_of_birth, today)?.into_inner();
        let (actor, viewer) = (self.actor(), self.viewer());
        let mut tx = store.write().await?;
        let id = store
            .q("INSERT INTO marac_referrals (child_id, agency_id, recorded_by, referred_on, referred_by, relationship, age_at_referral, status, recorded_at) \
                VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id")
            .bind(self.id())
            .bind(viewer.agency_id)
            .bind(actor.user_id)
            .bind(date_str(m.referred_on))
            .bind(m.referred_by)
            .bind(m.relationship)
            .bind(m.age)
            .bind(MaracStatus::AwaitingReview.slug())
            .bind(store.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        store.involve_in(&mut tx, actor, self.id(), viewer.agency_id, InvolvementKind::RaisedConcern, &viewer.acting_scopes(), today).await?;
        tx.audit(actor, Event::new("marac.record", "child", self.id(), format!("MARAC referral {id}: aged {}, awaiting a CSE review", m.age)))
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The MASH's CSE review of a MARAC referral. A CSE concern refers the child to
    /// MACSE: noted on the child's referral already decided for MACSE if there is one,
    /// otherwise a new referral (source "MARAC", decided "MACSE"); a referral still
    /// awaiting the MASH is left to its own decision. A stale version is a conflict.
    pub async fn review_marac(&self, id: i64, version: i64, input: &ReviewInput) -> Result<MaracStatus> {
        self.require_permission(Permission::DecideReferrals, "marac-cse-review").await?;
        let m = self.marac_referral(id).await?;
        if m.version != version {
            return Err(StoreError::Conflict);
        }
        let review = check_review(input, m.status)?.into_inner();
        let status = review.outcome.status();
        let store = &self.store;
        let at = store.now();
        let actor = self.actor();
        let mut tx = store.write().await?;
        let referral_id = match review.outcome {
            CseReviewOutcome::CseConcern => Some(self.refer_to_macse(&mut tx, &m, &review.reasons).await?),
            CseReviewOutcome::NoCseConcern => None,
        };
        let n = store
            .q("UPDATE marac_referrals SET status = $1, review_outcome = $2, review_reasons = $3, reviewed_by = $4, reviewed_at = $5, referral_id = $6, \
                version = version + 1 WHERE id = $7 AND version = $8")
            .bind(status.slug())
            .bind(review.outcome.slug())
            .bind(review.reasons)
            .bind(actor.user_id)
            .bind(at)
            .bind(referral_id)
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        let to = referral_id.map(|r| format!(", referral {r}")).unwrap_or_default();
        tx.audit(actor, Event::new("marac.review", "child", self.id(), format!("MARAC referral {id}: {}{to}", review.outcome.slug()))).await?;
        tx.commit().await?;
        Ok(status)
    }

    async fn refer_to_macse(&self, tx: &mut WriteTx<'_>, m: &MaracReferral, reasons: &str) -> Result<i64> {
        let store = &self.store;
        let actor = self.actor();
        let existing = store
            .q("SELECT id FROM referrals WHERE child_id = $1 AND decision IN ($2,$3) ORDER BY submitted_at DESC, id DESC LIMIT 1")
            .bind(self.id())
            .bind(MashDecision::Macse.slug())
            .bind(MashDecision::ChildInNeedAndMacse.slug())
            .fetch_optional(tx.conn())
            .await?;
        if let Some(r) = existing {
            let rid = r.i("id")?;
            tx.audit(
                actor,
                Event::new("referral.link", "child", self.id(), format!("referral {rid}: CSE concern in the review of MARAC referral {}", m.id)),
            )
            .await?;
            return Ok(rid);
        }
        let tool_version = store.q("SELECT MAX(version) AS v FROM screening_tools").fetch_one(tx.conn()).await?.oi("v")?.unwrap_or(1);
        let at = store.now();
        let text = format!(
            "Referred to MACSE after the CSE review of a MARAC referral: the young person (aged {} when referred to MARAC on {}) is the victim of an abusive relationship. Reasons: {reasons}",
            m.age_at_referral,
            assure_domain::dates::long(m.referred_on)
        );
        // MARAC hears only cases assessed as high risk; no CSE 2 screening is made up.
        let rid = store
            .q("INSERT INTO referrals (child_id, agency_id, raised_by, source, what_seen, seen_on, seen_where, seen_by, referral_text, tool_version, answers_json, risk_level, status, \
                submitted_at, picked_up_at, decision, decision_reasons, interventions, keep_monitoring, decided_at, decided_by) \
                VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$14,$15,$16,'',0,$14,$3) RETURNING id")
            .bind(self.id())
            .bind(self.viewer().agency_id)
            .bind(actor.user_id)
            .bind(ReferralSource::Marac.slug())
            .bind(m.relationship.clone())
            .bind(date_str(m.referred_on))
            .bind("MARAC")
            .bind(m.referred_by.clone())
            .bind(text)
            .bind(tool_version)
            .bind("{}")
            .bind(RiskLevel::High.slug())
            .bind(ReferralStatus::Decided.slug())
            .bind(at)
            .bind(MashDecision::Macse.slug())
            .bind(MACSE_REASON)
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(
            actor,
            Event::new(
                "referral.raise",
                "child",
                self.id(),
                format!("referral {rid}: {}, MARAC referral {}, decided {}", ReferralSource::Marac.slug(), m.id, MashDecision::Macse.slug()),
            ),
        )
        .await?;
        Ok(rid)
    }
}

/// MARAC referrals as a reader sees them in lists (`store.marac(&reader)`).
#[derive(Clone, Copy)]
pub struct Maracs<'s> {
    store: &'s Store,
    reader: &'s Reader,
}

impl Store {
    pub fn marac<'s>(&'s self, reader: &'s Reader) -> Maracs<'s> {
        Maracs { store: self, reader }
    }
}

impl Maracs<'_> {
    /// MARAC referrals waiting for the MASH's CSE review, oldest first, children in reach.
    pub async fn awaiting_review(&self) -> Result<Vec<MaracReferral>> {
        let mut sql = Sql::new(format!("SELECT {COLS} FROM {FROM} WHERE m.status = "));
        sql.bind(MaracStatus::AwaitingReview.slug()).push(" AND c.merged_into_id IS NULL AND ");
        push_reach(&mut sql, &self.reader.reach(), "c.id");
        sql.push(" ORDER BY m.recorded_at, m.id LIMIT 500");
        sql.query(self.store).fetch_all(self.store.pool()).await?.iter().map(marac).collect()
    }
}
