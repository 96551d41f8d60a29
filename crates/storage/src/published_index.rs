//! The search index of what the public site publishes (issue 19; migration 0100): an
//! open agenda item with its paper's words once the agenda is published, an approved
//! minute and its resolution (never an exempt item's), each forward plan item as last
//! published, each issued monitoring report. Every write that changes what is
//! published refreshes its rows in its own transaction, so the index never shows more
//! (or less) than the public pages; [`Store::reindex_published`] rebuilds it whole
//! (`assure serve` runs it at start, for a database that predates the index).
//!
//! Searching it is [`Store::search_published`]: the engines' own full-text indexes
//! (FTS5, a tsvector), queried through [`Search`] so that no typed text reaches either
//! engine's query syntax.

use assure_domain::forward_plan::PlanSnapshot;
use assure_domain::meetings::MeetingStatus;
use assure_domain::report::MonitoringReport;
use chrono::NaiveDate;
use serde_json::Value;

use crate::search::Search;
use crate::sql::Sql;
use crate::{date_str, Engine, Result, RowExt, Store, WriteTx};

/// One search result: what it is, where it is published, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub source: String,
    pub title: String,
    /// The start of its text (at most 300 characters).
    pub excerpt: String,
    pub path: String,
    pub published_on: NaiveDate,
}

/// How many results a page of search results holds.
pub const RESULTS_PER_PAGE: i64 = 20;

/// Every string inside a JSON value, in order, joined by spaces (a cover's fields, a
/// paper's paragraphs and table cells).
fn words_of(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if !s.trim().is_empty() => out.push(s.trim().to_string()),
        Value::Array(a) => a.iter().for_each(|x| words_of(x, out)),
        Value::Object(o) => o.values().for_each(|x| words_of(x, out)),
        _ => {}
    }
}

fn json_words(text: Option<String>) -> String {
    let mut out = Vec::new();
    if let Some(v) = text.as_deref().and_then(|t| serde_json::from_str::<Value>(t).ok()) {
        words_of(&v, &mut out);
    }
    out.join(" ")
}

/// One row of the index.
struct Text<'a> {
    source: &'a str,
    source_id: i64,
    meeting: Option<i64>,
    title: &'a str,
    body: &'a str,
    path: &'a str,
    on: NaiveDate,
}

impl WriteTx<'_> {
    async fn put_text(&mut self, t: Text<'_>) -> Result<()> {
        let store = self.store;
        store
            .q("DELETE FROM published_texts WHERE source = $1 AND source_id = $2")
            .bind(t.source.to_string())
            .bind(t.source_id)
            .execute(self.conn())
            .await?;
        store
            .q("INSERT INTO published_texts (source, source_id, meeting_id, title, body, path, published_on) VALUES ($1,$2,$3,$4,$5,$6,$7)")
            .bind(t.source.to_string())
            .bind(t.source_id)
            .bind(t.meeting)
            .bind(t.title.to_string())
            .bind(t.body.to_string())
            .bind(t.path.to_string())
            .bind(date_str(t.on))
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Bring a meeting's rows up to date, as this transaction sees the meeting: its open
    /// agenda items once the agenda is published, its minutes once approved.
    pub(crate) async fn index_meeting(&mut self, meeting_id: i64) -> Result<()> {
        let store = self.store;
        store.q("DELETE FROM published_texts WHERE meeting_id = $1").bind(meeting_id).execute(self.conn()).await?;
        let Some(m) = store.q("SELECT status, meeting_date FROM meetings WHERE id = $1").bind(meeting_id).fetch_optional(self.conn()).await? else {
            return Ok(());
        };
        let status: MeetingStatus = m.e("status")?;
        let date = m.d("meeting_date")?;
        let path = format!("/public/meetings/{meeting_id}");
        if status.agenda_closed() {
            let items = store
                .q("SELECT a.id, a.title, a.paper_title, p.cover_json, p.file_name, p.blocks_json FROM agenda_items a \
                    LEFT JOIN agenda_papers p ON p.agenda_item_id = a.id WHERE a.meeting_id = $1 AND a.exempt_paragraph IS NULL ORDER BY a.id")
                .bind(meeting_id)
                .fetch_all(self.conn())
                .await?;
            for r in &items {
                let body = [
                    r.os("paper_title")?.unwrap_or_default(),
                    r.os("file_name")?.unwrap_or_default(),
                    json_words(r.os("cover_json")?),
                    json_words(r.os("blocks_json")?),
                ]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
                let title = r.s("title")?;
                self.put_text(Text {
                    source: "agenda-item",
                    source_id: r.i("id")?,
                    meeting: Some(meeting_id),
                    title: &title,
                    body: &body,
                    path: &path,
                    on: date,
                })
                .await?;
            }
        }
        if status == MeetingStatus::MinutesApproved {
            let minutes = store
                .q("SELECT m.id, m.number, m.title, m.text FROM minutes m \
                    LEFT JOIN agenda_items a ON a.id = m.agenda_item_id WHERE m.meeting_id = $1 AND a.exempt_paragraph IS NULL ORDER BY m.number")
                .bind(meeting_id)
                .fetch_all(self.conn())
                .await?;
            for r in &minutes {
                let id = r.i("id")?;
                let parts =
                    store.q("SELECT text FROM resolution_parts WHERE minute_id = $1 ORDER BY position").bind(id).fetch_all(self.conn()).await?;
                let mut body = r.s("text")?;
                for p in &parts {
                    body.push(' ');
                    body.push_str(&p.s("text")?);
                }
                let title = format!("{}. {}", r.i("number")?, r.s("title")?);
                let at = format!("{path}#minute-{}", r.i("number")?);
                self.put_text(Text { source: "minute", source_id: id, meeting: Some(meeting_id), title: &title, body: &body, path: &at, on: date })
                    .await?;
            }
        }
        Ok(())
    }

    /// A forward plan as published: each planned item, on that plan's page.
    pub(crate) async fn index_plan(&mut self, publication_id: i64, plan: &PlanSnapshot) -> Result<()> {
        for i in plan.planned() {
            let d = &i.details;
            let body = [
                d.decision_maker_name.as_str(),
                &d.wards,
                &d.scrutiny_area,
                &d.consultees,
                &d.consultation_method,
                &d.background_documents,
                &d.contact_officer,
            ]
            .into_iter()
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ");
            let path = format!("/public/forward-plan/{publication_id}");
            self.put_text(Text {
                source: "forward-plan-item",
                source_id: i.id,
                meeting: None,
                title: &d.title,
                body: &body,
                path: &path,
                on: plan.published,
            })
            .await?;
        }
        Ok(())
    }

    /// An issued monitoring report: its recommendations' wording and the progress reported.
    pub(crate) async fn index_report(&mut self, report_id: i64, report: &MonitoringReport, issued_on: NaiveDate) -> Result<()> {
        let mut body = Vec::new();
        for row in &report.rows {
            body.push(format!("{} {}", row.reference, row.wording));
            body.extend(row.updates.iter().map(|u| u.narrative.clone()));
        }
        let (body, path) = (body.join(" "), format!("/public/reports/{report_id}"));
        self.put_text(Text { source: "report", source_id: report_id, meeting: None, title: &report.title, body: &body, path: &path, on: issued_on })
            .await
    }
}

impl Store {
    /// Rebuild the whole index from what is published now.
    pub async fn reindex_published(&self) -> Result<()> {
        let meetings: Vec<i64> =
            self.q("SELECT id FROM meetings ORDER BY id").fetch_all(self.pool()).await?.iter().map(|r| r.i("id")).collect::<Result<_>>()?;
        let plans = self.forward_plan().publications().await?;
        let reports: Vec<_> = self.reports().list(None).await?.into_iter().filter(|r| r.is_issued()).collect();
        let mut snapshots = Vec::new();
        for r in &reports {
            snapshots.push((r.id, self.reports().monitoring_report(r.id, self.today()).await?, r.meeting_date));
        }
        let mut tx = self.write().await?;
        self.q("DELETE FROM published_texts").execute(tx.conn()).await?;
        for m in meetings {
            tx.index_meeting(m).await?;
        }
        let mut plans = plans;
        plans.sort_by_key(|p| (p.published_on, p.id));
        for p in &plans {
            tx.index_plan(p.id, &p.snapshot).await?;
        }
        for (id, report, on) in &snapshots {
            tx.index_report(*id, report, *on).await?;
        }
        tx.commit().await
    }

    /// Build the index when it is empty but something is published (a database from
    /// before the index): whether it was built.
    pub async fn index_published_if_missing(&self) -> Result<bool> {
        let indexed = self.q("SELECT COUNT(*) AS n FROM published_texts").fetch_one(self.pool()).await?.i("n")?;
        let published = self
            .q("SELECT (SELECT COUNT(*) FROM meetings WHERE status IN ('agenda-published', 'held', 'minutes-approved')) \
                + (SELECT COUNT(*) FROM forward_plan_publications) + (SELECT COUNT(*) FROM reports WHERE status = 'issued') AS n")
            .fetch_one(self.pool())
            .await?
            .i("n")?;
        if indexed > 0 || published == 0 {
            return Ok(false);
        }
        self.reindex_published().await?;
        Ok(true)
    }

    /// What the public site publishes that matches `text`, best first, a page at a time
    /// (from 1), with how many match in all.
    pub async fn search_published(&self, text: &str, page: i64) -> Result<(Vec<Found>, i64)> {
        let Some(search) = Search::parse(text).filter(|s| !s.is_empty()) else {
            return Ok((Vec::new(), 0));
        };
        let matches = |select: &str| -> Sql {
            let mut sql = Sql::new(select);
            match self.engine() {
                Engine::Sqlite => {
                    sql.push(" FROM published_search s JOIN published_texts t ON t.id = s.rowid WHERE published_search MATCH ").bind(search.fts5());
                }
                Engine::Postgres => {
                    sql.push(" FROM published_texts t JOIN published_search s ON s.text_id = t.id, to_tsquery('simple', ")
                        .bind(search.tsquery())
                        .push(") q WHERE s.document @@ q.q");
                }
            }
            sql
        };
        let total = matches("SELECT COUNT(*) AS n").query(self).fetch_one(self.pool()).await?.i("n")?;
        let score = match self.engine() {
            Engine::Sqlite => "bm25(published_search, 5.0, 1.0)",
            Engine::Postgres => "-ts_rank(s.document, q.q)",
        };
        let mut sql = matches(&format!("SELECT t.source, t.title, t.body, t.path, t.published_on, {score} AS score"));
        sql.push(" ORDER BY score, t.published_on DESC, t.id LIMIT ")
            .bind(RESULTS_PER_PAGE)
            .push(" OFFSET ")
            .bind((page.max(1) - 1) * RESULTS_PER_PAGE);
        let rows = sql.query(self).fetch_all(self.pool()).await?;
        let found = rows
            .iter()
            .map(|r| {
                let body = r.s("body")?;
                let excerpt: String = body.chars().take(300).collect();
                Ok(Found { source: r.s("source")?, title: r.s("title")?, excerpt, path: r.s("path")?, published_on: r.d("published_on")? })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((found, total))
    }
}
