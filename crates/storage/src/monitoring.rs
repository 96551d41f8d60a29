//! SPOC monitoring (R3): per agency and period, the CSE forms raised and their outcomes,
//! for an agency's SPOC (their agencies) and the partnership manager (every agency);
//! and challenges of an agency's low use, with the agency's response. Counts only: no
//! child is named, so nothing here goes through a child's record. Challenges and
//! responses are audited against the agency.

use std::collections::BTreeMap;

use assure_domain::monitoring::{check_challenge, check_response, AgencyUse, ChallengeInput, Period};
use assure_domain::referral::{MashDecision, ReferralSource};
use assure_domain::Permission;
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::audit::Event;
use crate::child_access::Reader;
use crate::sql::Sql;
use crate::{date_str, Result, RowExt, Store, StoreError};

/// The sources that are CSE forms raised by an agency (not a return interview's or a
/// MARAC review's referral, which the partnership makes itself).
const FORM_SOURCES: [ReferralSource; 4] =
    [ReferralSource::ProfessionalConcern, ReferralSource::PoliceNotification, ReferralSource::PoliceEmergencyCall, ReferralSource::ReportedToPolice];

/// A challenge to an agency about its use of the forms, and its response.
#[derive(Debug, Clone, Serialize)]
pub struct Challenge {
    pub id: i64,
    pub agency_id: i64,
    pub agency_name: String,
    pub period: Period,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// Forms the agency had raised in the period when it was challenged.
    pub forms_in_period: i64,
    pub challenge: String,
    pub raised_by_name: Option<String>,
    pub raised_at: String,
    pub response: Option<String>,
    pub responded_by_name: Option<String>,
    pub responded_at: Option<String>,
    pub version: i64,
}

fn challenge(r: &AnyRow) -> Result<Challenge> {
    Ok(Challenge {
        id: r.i("id")?,
        agency_id: r.i("agency_id")?,
        agency_name: r.s("agency_name")?,
        period: r.e("period")?,
        period_start: r.d("period_start")?,
        period_end: r.d("period_end")?,
        forms_in_period: r.i("forms_in_period")?,
        challenge: r.s("challenge")?,
        raised_by_name: r.os("raised_by_name")?,
        raised_at: r.s("raised_at")?,
        response: r.os("response")?,
        responded_by_name: r.os("responded_by_name")?,
        responded_at: r.os("responded_at")?,
        version: r.i("version")?,
    })
}

const CHALLENGE_SQL: &str =
    "SELECT ch.id, ch.agency_id, a.name AS agency_name, ch.period, ch.period_start, ch.period_end, ch.forms_in_period, ch.challenge, \
    u1.name AS raised_by_name, ch.raised_at, ch.response, u2.name AS responded_by_name, ch.responded_at, ch.version FROM agency_challenges ch \
    JOIN agencies a ON a.id = ch.agency_id LEFT JOIN users u1 ON u1.id = ch.raised_by LEFT JOIN users u2 ON u2.id = ch.responded_by";

/// Monitoring the use of the forms, as one reader may (`store.monitoring(&reader)`).
#[derive(Clone, Copy)]
pub struct Monitoring<'s> {
    store: &'s Store,
    reader: &'s Reader,
}

impl Store {
    pub fn monitoring<'s>(&'s self, reader: &'s Reader) -> Monitoring<'s> {
        Monitoring { store: self, reader }
    }
}

impl std::ops::Deref for Monitoring<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.store
    }
}

impl Monitoring<'_> {
    /// The partnership manager monitors every agency.
    pub fn sees_all(&self) -> bool {
        self.reader.can(Permission::ManagePartnership)
    }

    /// Whether this reader monitors the agency (its SPOC, or the partnership manager).
    pub fn monitors(&self, agency_id: i64) -> bool {
        self.sees_all() || self.reader.viewer().spoc_for.contains(&agency_id)
    }

    /// Whether this reader monitors any agency at all.
    pub fn monitors_any(&self) -> bool {
        self.sees_all() || !self.reader.viewer().spoc_for.is_empty()
    }

    async fn refuse_unless_monitoring(&self, what: &str) -> Result<()> {
        if self.monitors_any() {
            return Ok(());
        }
        Err(self
            .store
            .refuse(self.reader.actor(), "agency-monitoring", what, "monitoring: refused, neither a SPOC nor the partnership manager")
            .await)
    }

    /// Every active agency's use of the forms in the period ending `today` (all of
    /// them, so that each can be compared with its kind; counts only).
    pub async fn usage(&self, period: Period, today: NaiveDate) -> Result<Vec<AgencyUse>> {
        self.refuse_unless_monitoring("usage").await?;
        let start = period.start(today);
        let end = today.succ_opt().unwrap_or(today);
        let mut out: Vec<AgencyUse> = self
            .q("SELECT id, name, kind FROM agencies WHERE active = 1 ORDER BY name, id")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(AgencyUse { agency_id: r.i("id")?, name: r.s("name")?, kind: r.e("kind")?, forms: 0, awaiting: 0, outcomes: BTreeMap::new() })
            })
            .collect::<Result<_>>()?;
        let mut sql = Sql::new("SELECT r.agency_id, r.decision, COUNT(*) AS n FROM referrals r WHERE r.source IN (");
        sql.bind_list(FORM_SOURCES.iter().map(|s| s.slug()))
            .push(") AND r.submitted_at >= ")
            .bind(date_str(start))
            .push(" AND r.submitted_at < ")
            .bind(date_str(end))
            .push(" GROUP BY r.agency_id, r.decision");
        for r in sql.query(self).fetch_all(self.pool()).await? {
            let Some(a) = out.iter_mut().find(|a| a.agency_id == r.i("agency_id").unwrap_or(-1)) else { continue };
            let n = r.i("n")?;
            a.forms += n;
            match r.oe::<MashDecision>("decision")? {
                Some(d) => *a.outcomes.entry(d).or_default() += n,
                None => a.awaiting += n,
            }
        }
        Ok(out)
    }

    /// The challenges of the agencies this reader monitors, newest first.
    pub async fn challenges(&self) -> Result<Vec<Challenge>> {
        self.refuse_unless_monitoring("challenges").await?;
        let mut sql = Sql::new(CHALLENGE_SQL);
        if !self.sees_all() {
            sql.push(" WHERE ch.agency_id IN (").bind_list(self.reader.viewer().spoc_for.iter().copied()).push(")");
        }
        sql.push(" ORDER BY ch.raised_at DESC, ch.id DESC LIMIT 500");
        sql.query(self).fetch_all(self.pool()).await?.iter().map(challenge).collect()
    }

    /// Record a challenge to an agency this reader monitors about its use of the forms
    /// in the period (the count at the time is kept with it).
    pub async fn challenge(&self, input: &ChallengeInput, today: NaiveDate) -> Result<i64> {
        self.refuse_unless_monitoring("challenge").await?;
        let c = check_challenge(input)?.into_inner();
        if !self.monitors(c.agency_id) {
            return Err(assure_domain::Invalid::single("agency_id", "Select one of the agencies you are the SPOC for").into());
        }
        let forms = self.usage(c.period, today).await?.into_iter().find(|a| a.agency_id == c.agency_id).map(|a| a.forms);
        let Some(forms) = forms else {
            return Err(assure_domain::Invalid::single("agency_id", "Select an active agency from the list").into());
        };
        let actor = self.reader.actor();
        let mut tx = self.write().await?;
        let id = self
            .q("INSERT INTO agency_challenges (agency_id, period, period_start, period_end, forms_in_period, challenge, raised_by, raised_at) \
                VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id")
            .bind(c.agency_id)
            .bind(c.period.slug())
            .bind(date_str(c.period.start(today)))
            .bind(date_str(today))
            .bind(forms)
            .bind(c.challenge)
            .bind(actor.user_id)
            .bind(self.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(actor, Event::new("agency.challenge", "agency", c.agency_id, format!("challenge {id}: {}, {forms} forms", c.period.slug()))).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Record the agency's response to a challenge (once), if nobody has since the
    /// reader read it.
    pub async fn respond(&self, challenge_id: i64, version: i64, response: &str) -> Result<()> {
        self.refuse_unless_monitoring("response").await?;
        let mut sql = Sql::new(CHALLENGE_SQL);
        sql.push(" WHERE ch.id = ").bind(challenge_id);
        let c = challenge(&sql.query(self).fetch_optional(self.pool()).await?.ok_or(StoreError::NotFound)?)?;
        if !self.monitors(c.agency_id) {
            return Err(StoreError::NotFound);
        }
        if c.version != version {
            return Err(StoreError::Conflict);
        }
        let text = check_response(response, c.response.is_some())?.into_inner();
        let actor = self.reader.actor();
        let mut tx = self.write().await?;
        let n = self
            .q("UPDATE agency_challenges SET response = $1, responded_by = $2, responded_at = $3, version = version + 1 WHERE id = $4 AND version = $5")
            .bind(text)
            .bind(actor.user_id)
            .bind(self.now())
            .bind(challenge_id)
            .bind(version)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        tx.audit(actor, Event::new("agency.challenge-response", "agency", c.agency_id, format!("challenge {challenge_id}: response recorded")))
            .await?;
        tx.commit().await
    }
}
