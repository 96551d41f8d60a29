//! Keyset ("seek") pagination for the long lists: a page starts after (or before) the
//! sort key of one row, read through an index range, instead of skipping an OFFSET of
//! rows the database must still read. A page never shows a row twice or misses one
//! when rows are added between pages, and page 1,000 costs what page 1 does.
//!
//! The cursor that names where a page starts is opaque to callers (a hex string of the
//! key) and checked when read back: a cursor that is not one this code made reads as
//! `None`, and callers answer 400 (the API) or show the first page (the pages).

use serde_json::Value as Json;
use sqlx::any::AnyRow;

use crate::sql::{Sql, Value};
use crate::Result;

/// One value of a row's sort key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyPart {
    Int(i64),
    Text(String),
}

/// Where a page starts: just after (or, going back, just before) the row with this key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub before: bool,
    pub key: Vec<KeyPart>,
}

const PREFIX: &str = "k1.";

impl Cursor {
    /// The opaque form, for a link.
    pub fn encode(&self) -> String {
        let parts: Vec<Json> = self
            .key
            .iter()
            .map(|p| match p {
                KeyPart::Int(i) => Json::from(*i),
                KeyPart::Text(s) => Json::from(s.as_str()),
            })
            .collect();
        hex::encode(format!("{PREFIX}{}.{}", if self.before { "b" } else { "a" }, Json::Array(parts)))
    }

    /// A cursor [`Cursor::encode`] made, or `None`.
    pub fn decode(s: &str) -> Option<Cursor> {
        let raw = String::from_utf8(hex::decode(s).ok()?).ok()?;
        let rest = raw.strip_prefix(PREFIX)?;
        let (dir, json) = rest.split_once('.')?;
        let before = match dir {
            "a" => false,
            "b" => true,
            _ => return None,
        };
        let Json::Array(parts) = serde_json::from_str::<Json>(json).ok()? else { return None };
        let key = parts
            .into_iter()
            .map(|p| match p {
                Json::Number(n) => n.as_i64().map(KeyPart::Int),
                Json::String(s) => Some(KeyPart::Text(s)),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?;
        (!key.is_empty()).then_some(Cursor { before, key })
    }
}

/// Which page of a list to read: from the start, or from a cursor; `limit` rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub cursor: Option<Cursor>,
    pub limit: i64,
}

impl PageRequest {
    pub fn first(limit: i64) -> PageRequest {
        PageRequest { cursor: None, limit }
    }

    /// From an opaque cursor as a link carried it (an unreadable one gives the first page).
    pub fn from_link(cursor: Option<&str>, limit: i64) -> PageRequest {
        PageRequest { cursor: cursor.and_then(Cursor::decode), limit }
    }

    fn limit(&self) -> i64 {
        self.limit.clamp(1, 500)
    }

    fn backwards(&self) -> bool {
        self.cursor.as_ref().is_some_and(|c| c.before)
    }
}

/// One page of a list, with the cursors of the pages either side (none at an end).
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
    pub previous: Option<String>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next: self.next, previous: self.previous }
    }
}

/// How many rows a list matches, counted only up to a bound: a list of a million
/// children or three million missing episodes is not counted row by row on every view
/// (that cost grows with the data, and a reader needs "more than 1,000", not the
/// number). Counted by [`bounded_count`]; shown as the number, or "more than 1,000".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Total {
    /// The rows counted: all of them, or the bound when there are more.
    counted: i64,
    more: bool,
}

impl Total {
    /// How far a list's rows are counted (beyond the rows skipped, for lists read by page number).
    pub const BOUND: i64 = 1000;

    /// A count known in full.
    pub fn exact(n: i64) -> Total {
        Total { counted: n, more: false }
    }

    /// From a count of at most `bound + 1` rows.
    pub fn from_bounded(n: i64, bound: i64) -> Total {
        if n > bound {
            Total { counted: bound, more: true }
        } else {
            Total::exact(n)
        }
    }

    /// The number counted: the whole count, or the bound when there are more.
    pub fn counted(&self) -> i64 {
        self.counted
    }

    /// Whether the count is the whole count (not "more than").
    pub fn is_exact(&self) -> bool {
        !self.more
    }
}

impl std::fmt::Display for Total {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let grouped = assure_domain::text::thousands(self.counted);
        if self.more {
            write!(f, "more than {grouped}")
        } else {
            f.write_str(&grouped)
        }
    }
}

impl From<i64> for Total {
    fn from(n: i64) -> Total {
        Total::exact(n)
    }
}

/// A whole count equals the number; "more than" equals none.
impl PartialEq<i64> for Total {
    fn eq(&self, other: &i64) -> bool {
        !self.more && self.counted == *other
    }
}

impl PartialEq<Total> for i64 {
    fn eq(&self, other: &Total) -> bool {
        other == self
    }
}

/// The count of the rows `rows` selects (a `SELECT ... FROM ... WHERE ...`, its columns
/// unread), reading at most `bound + 1` of them: `SELECT COUNT(*) AS n FROM (rows LIMIT
/// bound + 1)`. Read the answer with [`Total::from_bounded`].
fn bounded_count(rows: &Sql, bound: i64) -> Sql {
    let mut sql = Sql::new("SELECT COUNT(*) AS n FROM (");
    sql.append(rows).push(&format!(" LIMIT {}) bounded", bound.max(0) + 1));
    sql
}

impl crate::Store {
    /// How many rows `rows` selects (a `SELECT ... FROM ... WHERE ...`, its columns
    /// unread), counted only as far as `bound`: see [`Total`].
    pub(crate) async fn count_up_to(&self, rows: &Sql, bound: i64) -> Result<Total> {
        use crate::RowExt;
        let n = bounded_count(rows, bound).query(self).fetch_one(self.pool()).await?.i("n")?;
        Ok(Total::from_bounded(n, bound))
    }
}

/// A list's order: the sort expressions (the last one unique, such as an id), all
/// ascending or all descending, so that a row value compares the whole key at once
/// and each engine reads it as one index range.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Keyset {
    pub columns: &'static [&'static str],
    pub descending: bool,
}

impl Keyset {
    /// ` AND (a, b) > ($1, $2)` (or `<`) for the request's cursor, after a WHERE clause; nothing on the first page.
    pub fn push_seek(&self, sql: &mut Sql, req: &PageRequest) {
        let Some(c) = &req.cursor else { return };
        if c.key.len() != self.columns.len() {
            // Not this list's key: read as the first page.
            return;
        }
        let greater = self.descending == c.before;
        sql.push(" AND (").push(&self.columns.join(", ")).push(") ").push(if greater { ">" } else { "<" }).push(" (");
        for (i, part) in c.key.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            match part {
                KeyPart::Int(n) => sql.bind(Value::Int(Some(*n))),
                KeyPart::Text(s) => sql.bind(Value::Text(Some(s.clone()))),
            };
        }
        sql.push(")");
    }

    /// ` ORDER BY ... LIMIT n+1`, the order reversed when going back.
    pub fn push_order(&self, sql: &mut Sql, req: &PageRequest) {
        let desc = self.descending != (req.backwards() && self.seeks(req));
        let dir = if desc { " DESC" } else { "" };
        let order: Vec<String> = self.columns.iter().map(|c| format!("{c}{dir}")).collect();
        sql.push(" ORDER BY ").push(&order.join(", ")).push(&format!(" LIMIT {}", req.limit() + 1));
    }

    fn seeks(&self, req: &PageRequest) -> bool {
        req.cursor.as_ref().is_some_and(|c| c.key.len() == self.columns.len())
    }

    /// The page from the rows read (one more than the limit, to know whether more follow).
    pub fn page<T>(
        &self,
        rows: &[AnyRow],
        req: &PageRequest,
        key: impl Fn(&AnyRow) -> Result<Vec<KeyPart>>,
        item: impl Fn(&AnyRow) -> Result<T>,
    ) -> Result<Page<T>> {
        let limit = req.limit() as usize;
        let seeking = self.seeks(req);
        let backwards = seeking && req.backwards();
        let more = rows.len() > limit;
        let mut kept: Vec<&AnyRow> = rows.iter().take(limit).collect();
        if backwards {
            kept.reverse();
        }
        let (first, last) = match (kept.first(), kept.last()) {
            (Some(f), Some(l)) => (key(f)?, key(l)?),
            _ => return Ok(Page { items: Vec::new(), next: None, previous: None }),
        };
        // Going forwards, more rows mean a next page and a cursor means a previous one;
        // going back, the other way round.
        let (has_next, has_previous) = if backwards { (true, more) } else { (more, seeking) };
        Ok(Page {
            items: kept.into_iter().map(item).collect::<Result<Vec<_>>>()?,
            next: has_next.then(|| Cursor { before: false, key: last }.encode()),
            previous: has_previous.then(|| Cursor { before: true, key: first }.encode()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_total_past_its_bound_reads_as_more_than() {
        assert_eq!(Total::from_bounded(12, 1000).to_string(), "12");
        assert_eq!(Total::from_bounded(1000, 1000).to_string(), "1,000");
        assert_eq!(Total::from_bounded(1001, 1000).to_string(), "more than 1,000");
        assert_eq!(Total::from_bounded(1_234_568, 2_000_000).to_string(), "1,234,568");
        assert_eq!(Total::from_bounded(1000, 1000), 1000);
        assert_ne!(Total::from_bounded(1001, 1000), 1000);
        assert!(!Total::from_bounded(1001, 1000).is_exact());
        assert_eq!(Total::from_bounded(1001, 1000).counted(), 1000);
    }

    #[test]
    fn a_bounded_count_reads_one_row_past_the_bound() {
        let sql = bounded_count(&Sql::new("SELECT 1 FROM children c WHERE c.merged_into_id IS NULL"), 1000);
        assert_eq!(sql.text(), "SELECT COUNT(*) AS n FROM (SELECT 1 FROM children c WHERE c.merged_into_id IS NULL LIMIT 1001) bounded");
    }

    #[test]
    fn a_cursor_reads_back_and_a_made_up_one_does_not() {
        let c = Cursor { before: true, key: vec![KeyPart::Text("2017-10-05".into()), KeyPart::Int(42)] };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        for bad in ["", "zz", &hex::encode("v1.50"), &hex::encode("k1.a.[]"), &hex::encode("k1.x.[1]"), &hex::encode("k1.a.[1.5]")] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_seek_compares_the_whole_key_in_the_list_order() {
        let ks = Keyset { columns: &["a", "b.id"], descending: true };
        let after = PageRequest { cursor: Some(Cursor { before: false, key: vec![KeyPart::Text("x".into()), KeyPart::Int(3)] }), limit: 10 };
        let mut sql = Sql::new("SELECT 1 WHERE 1 = 1");
        ks.push_seek(&mut sql, &after);
        ks.push_order(&mut sql, &after);
        assert_eq!(sql.text(), "SELECT 1 WHERE 1 = 1 AND (a, b.id) < ($1, $2) ORDER BY a DESC, b.id DESC LIMIT 11");
        let before = PageRequest { cursor: Some(Cursor { before: true, key: vec![KeyPart::Text("x".into()), KeyPart::Int(3)] }), limit: 10 };
        let mut sql = Sql::new("SELECT 1 WHERE 1 = 1");
        ks.push_seek(&mut sql, &before);
        ks.push_order(&mut sql, &before);
        assert_eq!(sql.text(), "SELECT 1 WHERE 1 = 1 AND (a, b.id) > ($1, $2) ORDER BY a, b.id LIMIT 11");
    }
}
