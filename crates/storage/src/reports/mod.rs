//! Monitoring reports (`store.reports()`): drafts assembled live from the tracker, and
//! issued reports frozen as a snapshot of exactly what they said (with the updates
//! they included).

mod content;
mod drafts;
mod issue;

use assure_domain::dates::long;
use assure_domain::report::{Cover, Layout};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::sql::Sql;
use crate::{Result, RowExt, Store, StoreError};

/// The monitoring reports: drafts, issued reports and what they say.
#[derive(Clone, Copy)]
pub struct Reports<'s> {
    store: &'s Store,
}

impl Store {
    pub fn reports(&self) -> Reports<'_> {
        Reports { store: self }
    }
}

/// What the reports' writes take, as people type it (the domain's types, which the
/// writes check).
pub use assure_domain::report::{DraftInput, ReportInput};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportStatus {
    Draft,
    Issued,
}

/// A report as listed and edited.
#[derive(Debug, Clone, Serialize)]
pub struct ReportRecord {
    pub id: i64,
    pub review_id: Option<i64>,
    pub review_title: Option<String>,
    pub body_id: Option<i64>,
    pub body_name: Option<String>,
    pub meeting_date: NaiveDate,
    pub layout: Layout,
    pub cover: Cover,
    pub compare_with_id: Option<i64>,
    pub include_changes: bool,
    pub status: ReportStatus,
    pub issue: Option<i64>,
    pub issued_at: Option<String>,
    pub issued_by: Option<String>,
    /// SHA-256 of the frozen snapshot, so a copy can be checked against it.
    pub snapshot_sha256: Option<String>,
    pub created_at: String,
    pub version: i64,
}

impl ReportRecord {
    /// "Licensing/CSE Working Group – Overview and Scrutiny Committee".
    pub fn scope_label(&self) -> String {
        match (&self.review_title, &self.body_name) {
            (Some(r), Some(b)) => format!("{r} – {b}"),
            (Some(r), None) => r.clone(),
            (None, Some(b)) => b.clone(),
            (None, None) => "Unknown".into(),
        }
    }
    /// "16 January 2018, issue 1" or "16 January 2018, draft".
    pub fn describe(&self) -> String {
        match self.issue {
            Some(n) => format!("{}, issue {n}", long(self.meeting_date)),
            None => format!("{}, draft", long(self.meeting_date)),
        }
    }
    pub fn is_issued(&self) -> bool {
        self.status == ReportStatus::Issued
    }
}

const REPORT_SELECT: &str = "SELECT p.id, p.review_id, v.title AS review_title, p.body_id, b.name AS body_name, p.meeting_date, p.layout, p.cover, p.compare_with_id, p.include_changes, p.status, p.issue, p.issued_at, u.name AS issued_by_name, p.snapshot_sha256, p.created_at, p.version \
 FROM reports p LEFT JOIN reviews v ON v.id = p.review_id LEFT JOIN bodies b ON b.id = p.body_id LEFT JOIN users u ON u.id = p.issued_by";

fn report_row(r: &AnyRow) -> Result<ReportRecord> {
    let cover: Cover = serde_json::from_str(&r.s("cover")?).map_err(|e| StoreError::Corrupt(format!("report cover: {e}")))?;
    let layout = Layout::from_slug(&r.s("layout")?).ok_or_else(|| StoreError::Corrupt("report layout".into()))?;
    Ok(ReportRecord {
        id: r.i("id")?,
        review_id: r.oi("review_id")?,
        review_title: r.os("review_title")?,
        body_id: r.oi("body_id")?,
        body_name: r.os("body_name")?,
        meeting_date: r.d("meeting_date")?,
        layout,
        cover,
        compare_with_id: r.oi("compare_with_id")?,
        include_changes: r.i("include_changes")? != 0,
        status: if r.s("status")? == "issued" { ReportStatus::Issued } else { ReportStatus::Draft },
        issue: r.oi("issue")?,
        issued_at: r.os("issued_at")?,
        issued_by: r.os("issued_by_name")?,
        snapshot_sha256: r.os("snapshot_sha256")?,
        created_at: r.s("created_at")?,
        version: r.i("version")?,
    })
}

/// `p.review_id = $n AND p.body_id IS NULL`-style conditions for a report's scope; the
/// SQL is built per case so no untyped NULL parameter reaches PostgreSQL.
fn scope_where(review_id: Option<i64>, body_id: Option<i64>) -> Sql {
    let mut sql = Sql::default();
    for (col, v) in [("p.review_id", review_id), ("p.body_id", body_id)] {
        if !sql.text().is_empty() {
            sql.push(" AND ");
        }
        sql.push(col);
        match v {
            Some(id) => sql.push(" = ").bind(id),
            None => sql.push(" IS NULL"),
        };
    }
    sql
}

impl Reports<'_> {
    pub async fn list(&self, review_id: Option<i64>) -> Result<Vec<ReportRecord>> {
        let rows = match review_id {
            Some(id) => {
                self.store
                    .q(&format!("{REPORT_SELECT} WHERE p.review_id = $1 ORDER BY p.meeting_date DESC, p.id DESC"))
                    .bind(id)
                    .fetch_all(self.store.pool())
                    .await?
            }
            None => self.store.q(&format!("{REPORT_SELECT} ORDER BY p.meeting_date DESC, p.id DESC")).fetch_all(self.store.pool()).await?,
        };
        rows.iter().map(report_row).collect()
    }

    pub async fn get(&self, id: i64) -> Result<ReportRecord> {
        let row = self
            .store
            .q(&format!("{REPORT_SELECT} WHERE p.id = $1"))
            .bind(id)
            .fetch_optional(self.store.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        report_row(&row)
    }

    /// Other reports for the same review/committee, newest meeting first.
    pub async fn in_scope(&self, r: &ReportRecord) -> Result<Vec<ReportRecord>> {
        let mut sql = Sql::new(REPORT_SELECT);
        sql.push(" WHERE ").append(&scope_where(r.review_id, r.body_id)).push(" ORDER BY p.meeting_date DESC, p.id DESC");
        sql.query(self.store).fetch_all(self.store.pool()).await?.iter().map(report_row).collect()
    }
}
