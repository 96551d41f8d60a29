//! The quarterly reports (`store.quarterly()`): the MACSE report to the partnership
//! board and the Cabinet report on CSE referrals and action taken, made from a
//! quarter's closed months (never live figures), their narrative written by the
//! officer, signed jointly by the two MACSE co-chairs and then frozen as a
//! fingerprinted snapshot that reads the same for ever.
//!
//! The snapshot holds the report twice: in full (for the partnership's roles that see
//! unsuppressed figures) and as published (small numbers suppressed, for committee
//! members and anything published). The Cabinet report is only ever published.

use assure_domain::dates::long;
use assure_domain::disclosure::unsuppressed;
use assure_domain::quarterly::{
    check_edit, check_narrative, check_sign, may_report, quarter_tables, Narrative, Quarter, QuarterlyKind, QuarterlyReport, SignRefusal,
    SignatureLine, Signed,
};
use assure_domain::report::Cover;
use assure_domain::{Invalid, Role};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;

use crate::audit::Event;
use crate::datasets::{MonthDataset, MonthStatus};
use crate::{to_json, Actor, Result, RowExt, Store, StoreError};

#[derive(Clone, Copy)]
pub struct Quarterlies<'s> {
    store: &'s Store,
}

impl Store {
    pub fn quarterly(&self) -> Quarterlies<'_> {
        Quarterlies { store: self }
    }
}

/// A co-chair's signature standing on a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub user_id: i64,
    pub name: String,
    pub job_title: String,
    pub signed_at: String,
}

/// A quarterly report as listed and edited.
#[derive(Debug, Clone)]
pub struct QuarterlyRecord {
    pub id: i64,
    pub kind: QuarterlyKind,
    pub quarter: Quarter,
    pub cover: Cover,
    pub narrative: Narrative,
    pub signed: bool,
    pub snapshot_sha256: Option<String>,
    pub signed_at: Option<String>,
    pub created_at: String,
    pub version: i64,
    pub signatures: Vec<Signature>,
}

/// A signed report as frozen: in full and as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Frozen {
    pub full: QuarterlyReport,
    pub published: QuarterlyReport,
}

const SELECT: &str = "SELECT id, kind, quarter, cover, narrative, status, snapshot_sha256, signed_at, created_at, version FROM quarterly_reports";

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("quarterly report {what}: {e}"))
}

fn record(r: &AnyRow) -> Result<QuarterlyRecord> {
    Ok(QuarterlyRecord {
        id: r.i("id")?,
        kind: QuarterlyKind::from_slug(&r.s("kind")?).ok_or_else(|| corrupt("kind", "unknown"))?,
        quarter: Quarter::parse(&r.s("quarter")?).ok_or_else(|| corrupt("quarter", "unreadable"))?,
        cover: serde_json::from_str(&r.s("cover")?).map_err(|e| corrupt("cover", e))?,
        narrative: serde_json::from_str(&r.s("narrative")?).map_err(|e| corrupt("narrative", e))?,
        signed: r.s("status")? == "signed",
        snapshot_sha256: r.os("snapshot_sha256")?,
        signed_at: r.os("signed_at")?,
        created_at: r.s("created_at")?,
        version: r.i("version")?,
        signatures: Vec::new(),
    })
}

/// The refusal as the store's error: not a co-chair is forbidden; the rest invalid.
fn refusal(r: SignRefusal) -> StoreError {
    match r {
        SignRefusal::NotCoChair => StoreError::Forbidden,
        SignRefusal::NotWritten(_) => StoreError::Invalid(Invalid::single("summary", r.message())),
        other => StoreError::Invalid(Invalid::single("sign", other.message())),
    }
}

impl Quarterlies<'_> {
    /// Every report, newest quarter first; `signed_only` for committee members.
    pub async fn list(&self, signed_only: bool) -> Result<Vec<QuarterlyRecord>> {
        let filter = if signed_only { " WHERE status = 'signed'" } else { "" };
        let rows = self.store.q(&format!("{SELECT}{filter} ORDER BY quarter DESC, kind")).fetch_all(self.store.pool()).await?;
        let mut out = Vec::new();
        for r in &rows {
            let mut rec = record(r)?;
            rec.signatures = self.signatures(rec.id).await?;
            out.push(rec);
        }
        Ok(out)
    }

    pub async fn get(&self, id: i64) -> Result<QuarterlyRecord> {
        let row = self.store.q(&format!("{SELECT} WHERE id = $1")).bind(id).fetch_optional(self.store.pool()).await?.ok_or(StoreError::NotFound)?;
        let mut rec = record(&row)?;
        rec.signatures = self.signatures(id).await?;
        Ok(rec)
    }

    async fn signatures(&self, id: i64) -> Result<Vec<Signature>> {
        let rows = self
            .store
            .q("SELECT user_id, signer_name, job_title, signed_at FROM quarterly_report_signatures WHERE report_id = $1 ORDER BY signed_at, user_id")
            .bind(id)
            .fetch_all(self.store.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Signature { user_id: r.i("user_id")?, name: r.s("signer_name")?, job_title: r.s("job_title")?, signed_at: r.s("signed_at")? })
            })
            .collect()
    }

    /// Start a report for a quarter whose three months are all closed. Refused, saving
    /// nothing, for a quarter not ended, a month not closed, or a report of that kind
    /// already made for the quarter.
    pub async fn create(&self, actor: &Actor, kind: QuarterlyKind, quarter: Quarter) -> Result<i64> {
        let mut closed = Vec::new();
        for m in quarter.months() {
            closed.push((m, self.store.datasets().closed(m).await?.is_some()));
        }
        may_report(quarter, self.store.today(), &closed).map_err(|m| StoreError::Invalid(Invalid::single("quarter", m)))?;
        let settings = self.store.settings().load().await?;
        let me = match actor.user_id {
            Some(uid) => self.store.users().get(uid).await?,
            None => None,
        };
        let (name, email) = me.map(|u| (u.name, u.email)).unwrap_or_default();
        let cover = kind.cover(quarter, &settings.organisation, &name, &email);
        let narrative = Narrative { sections: kind.sections().iter().map(|(k, _, _)| (k.to_string(), String::new())).collect() };
        let mut tx = self.store.write().await?;
        if self
            .store
            .q("SELECT id FROM quarterly_reports WHERE kind = $1 AND quarter = $2")
            .bind(kind.slug())
            .bind(quarter.to_string())
            .fetch_optional(tx.conn())
            .await?
            .is_some()
        {
            return Err(StoreError::Invalid(Invalid::single(
                "quarter",
                format!("There is already a {} for {}: open it from the list", kind.label().to_lowercase(), quarter.label()),
            )));
        }
        let id = self
            .store
            .q("INSERT INTO quarterly_reports (kind, quarter, cover, narrative, status, created_by, created_at) VALUES ($1, $2, $3, $4, 'draft', $5, $6) RETURNING id")
            .bind(kind.slug())
            .bind(quarter.to_string())
            .bind(to_json(&cover)?)
            .bind(to_json(&narrative)?)
            .bind(actor.user_id)
            .bind(self.store.now())
            .fetch_one(tx.conn())
            .await?
            .i("id")?;
        tx.audit(actor, Event::new("quarterly.create", "quarterly_report", id, format!("{} for {} started", kind.label(), quarter.label()))).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Save the narrative (and the meeting date on the cover). Any signature standing
    /// is cleared, and the audit says so; a signed report is never changed.
    pub async fn edit(&self, actor: &Actor, id: i64, version: i64, typed: &[(String, String)], meeting_date: Option<NaiveDate>) -> Result<usize> {
        let r = self.get(id).await?;
        let cleared = check_edit(r.signed, r.signatures.len()).map_err(refusal)?;
        let narrative = check_narrative(r.kind, typed).map_err(StoreError::Invalid)?;
        let mut cover = r.cover.clone();
        cover.meeting_date = meeting_date;
        let mut tx = self.store.write().await?;
        let n = self
            .store
            .q("UPDATE quarterly_reports SET narrative = $1, cover = $2, version = version + 1 WHERE id = $3 AND version = $4 AND status = 'draft'")
            .bind(to_json(&narrative)?)
            .bind(to_json(&cover)?)
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        self.store.q("DELETE FROM quarterly_report_signatures WHERE report_id = $1").bind(id).execute(tx.conn()).await?;
        let what = match cleared {
            0 => "narrative saved".to_string(),
            n => format!("narrative saved; {n} signature{} cleared (the words signed have changed)", if n == 1 { "" } else { "s" }),
        };
        tx.audit(actor, Event::new("quarterly.edit", "quarterly_report", id, format!("{} for {}: {what}", r.kind.label(), r.quarter.label())))
            .await?;
        tx.commit().await?;
        Ok(cleared)
    }

    /// A co-chair signs the version they read. The second co-chair's signature freezes
    /// the report: assembled from the closed months, in full and as published, and
    /// fingerprinted.
    pub async fn sign(&self, actor: &Actor, id: i64, version: i64) -> Result<Signed> {
        let r = self.get(id).await?;
        let me = match actor.user_id {
            Some(uid) => self.store.users().get(uid).await?,
            None => None,
        };
        let role = me.as_ref().map_or(Role::CommitteeMember, |u| u.role);
        let uid = actor.user_id.unwrap_or(0);
        let signed_by: Vec<i64> = r.signatures.iter().map(|s| s.user_id).collect();
        let outcome = check_sign(r.kind, role, uid, &signed_by, r.signed, &r.narrative).map_err(refusal)?;
        if r.version != version {
            return Err(StoreError::Conflict);
        }
        let me = me.ok_or(StoreError::Forbidden)?;
        let now = self.store.now();
        let frozen = match outcome {
            Signed::Complete => {
                let mut sigs = r.signatures.clone();
                sigs.push(Signature { user_id: uid, name: me.name.clone(), job_title: me.job_title.clone(), signed_at: now.clone() });
                Some(self.assemble(&r, &sigs).await?)
            }
            Signed::AwaitingOther => None,
        };
        let mut tx = self.store.write().await?;
        // The version moves with each signature, so one read twice is a conflict.
        let n = self
            .store
            .q("UPDATE quarterly_reports SET version = version + 1 WHERE id = $1 AND version = $2 AND status = 'draft'")
            .bind(id)
            .bind(version)
            .execute(tx.conn())
            .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::Conflict);
        }
        self.store
            .q("INSERT INTO quarterly_report_signatures (report_id, user_id, signer_name, job_title, signed_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(uid)
            .bind(&me.name)
            .bind(&me.job_title)
            .bind(&now)
            .execute(tx.conn())
            .await?;
        let detail = match &frozen {
            Some(f) => {
                let json = to_json(f)?;
                let sha = hex::encode(Sha256::digest(json.as_bytes()));
                self.store
                    .q("UPDATE quarterly_reports SET status = 'signed', snapshot = $1, snapshot_sha256 = $2, signed_at = $3 WHERE id = $4")
                    .bind(json)
                    .bind(&sha)
                    .bind(&now)
                    .bind(id)
                    .execute(tx.conn())
                    .await?;
                format!("signed by {}, the second co-chair: frozen, snapshot sha256 {sha}", me.name)
            }
            None => format!("signed by {}; awaiting the other co-chair", me.name),
        };
        tx.audit(actor, Event::new("quarterly.sign", "quarterly_report", id, format!("{} for {}: {detail}", r.kind.label(), r.quarter.label())))
            .await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// The report from its quarter's closed months, in full and as published.
    async fn assemble(&self, r: &QuarterlyRecord, sigs: &[Signature]) -> Result<Frozen> {
        let sets = self.store.datasets();
        let settings = self.store.settings().load().await?;
        let mut full_months = Vec::new();
        let mut published_months = Vec::new();
        let mut fingerprints = Vec::new();
        let mut measures = Vec::new();
        let mut threshold = assure_domain::disclosure::DEFAULT_THRESHOLD;
        for m in r.quarter.months() {
            let c = sets.closed(m).await?.ok_or_else(|| {
                StoreError::Invalid(Invalid::single("quarter", format!("{} is not closed: the report is made from closed months only", m.label())))
            })?;
            let d = MonthDataset {
                month: m,
                status: MonthStatus::Closed { closed_by: c.closed_by.clone(), closed_at: c.closed_at.clone(), fingerprint: c.fingerprint.clone() },
                threshold: c.snapshot.threshold,
                measures: c.snapshot.measures.clone(),
                figures: c.snapshot.figures.clone(),
                restatements: Vec::new(),
            };
            threshold = c.snapshot.threshold;
            published_months.push((m, sets.published(&d).await?));
            full_months.push((m, c.snapshot.figures.iter().map(unsuppressed).collect::<Vec<_>>()));
            fingerprints.push((m, c.fingerprint));
            measures = c.snapshot.measures;
        }
        let signatures: Vec<SignatureLine> = sigs
            .iter()
            .map(|s| SignatureLine { name: s.name.clone(), job_title: s.job_title.clone(), signed_on: london_day(&s.signed_at) })
            .collect();
        let base = |tables, suppressed| QuarterlyReport {
            organisation: settings.organisation.clone(),
            kind: r.kind,
            quarter: r.quarter,
            cover: r.cover.clone(),
            narrative: QuarterlyReport::narrative_of(r.kind, &r.narrative),
            months: r.quarter.months().to_vec(),
            month_fingerprints: fingerprints.clone(),
            tables,
            suppressed,
            signatures: signatures.clone(),
        };
        let published = base(quarter_tables(r.kind, &measures, &published_months), Some(threshold));
        let full = if r.kind.suppressed() { published.clone() } else { base(quarter_tables(r.kind, &measures, &full_months), None) };
        Ok(Frozen { full, published })
    }

    /// The report to read or download: the frozen snapshot once signed (checked against
    /// its fingerprint), else assembled now from the closed months.
    pub async fn document(&self, id: i64, in_full: bool) -> Result<QuarterlyReport> {
        let r = self.get(id).await?;
        let frozen = if r.signed {
            let row =
                self.store.q("SELECT snapshot, snapshot_sha256 FROM quarterly_reports WHERE id = $1").bind(id).fetch_one(self.store.pool()).await?;
            let json = row.s("snapshot")?;
            if hex::encode(Sha256::digest(json.as_bytes())) != row.s("snapshot_sha256")? {
                return Err(corrupt("snapshot", "it no longer matches the fingerprint recorded when it was signed"));
            }
            serde_json::from_str::<Frozen>(&json).map_err(|e| corrupt("snapshot", e))?
        } else {
            self.assemble(&r, &r.signatures).await?
        };
        Ok(if in_full { frozen.full } else { frozen.published })
    }

    /// Record a view or download of a report; of unsuppressed figures, said so.
    pub async fn record_view(&self, actor: &Actor, id: i64, what: &str, in_full: bool) -> Result<()> {
        let shown = if in_full { "with small numbers shown" } else { "small numbers suppressed" };
        self.store.record(actor, Event::new("quarterly.view", "quarterly_report", id, format!("{what}, {shown}"))).await
    }
}

/// "2 October 2026" for a stored instant.
pub fn day_of(at: &str) -> String {
    long(london_day(at))
}

/// The London day of a stored instant (today's, should it not read).
pub fn london_day(at: &str) -> NaiveDate {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|d| assure_domain::clock::london_date(d.with_timezone(&chrono::Utc)))
        .unwrap_or_else(|_| NaiveDate::default())
}
