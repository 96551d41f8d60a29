//! Full-text search of recommendations through each engine's own index: FTS5 on SQLite,
//! a tsvector in a GIN index on PostgreSQL (both made by migration 0075 and kept up to
//! date by triggers). The engine-specific SQL is here and nowhere else; callers get a
//! subquery of the matching recommendations' ids (`rid`) and their `score`, lower is
//! better on both engines.
//!
//! How a search is read, deliberately:
//! - Words are split on anything that is not a letter or digit, as both indexes split
//!   the text, and case is ignored.
//! - Every word typed must be found (AND), as the start of a word: "safeguard" finds
//!   "safeguarding", "SC/2016" finds every reference of 2016's SC reviews.
//! - A word typed with punctuation inside it (a reference, "e-learning") must be found
//!   as those words next to each other, the last as a prefix: "SC/2016/3" finds
//!   SC/2016/3 (and SC/2016/30), never a text that merely holds "sc", "2016" and "3".
//! - The user's words are never handed to either engine's query syntax: only letters
//!   and digits reach it, each quoted, so no search can be a syntax error.
//! - Ranking: the reference weighs most, then the wordings, then progress updates, and
//!   the more often a word appears the better (bm25 on SQLite, ts_rank on PostgreSQL).
//!   A recommendation whose reference is exactly what was typed comes first.

use crate::sql::Sql;
use crate::Engine;

/// A search as the indexes read it: each typed word, as the index words it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    terms: Vec<Vec<String>>,
    /// What was typed, trimmed and lower-cased (to put an exact reference first).
    typed: String,
}

impl Search {
    /// The search in `text`; `None` when nothing was typed.
    pub fn parse(text: &str) -> Option<Search> {
        let typed = text.trim();
        if typed.is_empty() {
            return None;
        }
        let terms = typed
            .split_whitespace()
            .map(|t| t.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect::<Vec<_>>())
            .filter(|t| !t.is_empty())
            .collect();
        Some(Search { terms, typed: typed.to_lowercase() })
    }

    /// Whether the search holds no letter or digit (it then finds nothing).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn typed(&self) -> &str {
        &self.typed
    }

    /// The FTS5 query: each term a quoted phrase with a prefix on its last word, all
    /// required. Only letters and digits are inside the quotes.
    pub fn fts5(&self) -> String {
        self.terms.iter().map(|t| format!("\"{}\"*", t.join(" "))).collect::<Vec<_>>().join(" AND ")
    }

    /// The tsquery text for `to_tsquery('simple', ..)`: each term its words followed by
    /// one another (`<->`), the last a prefix (`:*`), all required (`&`). Each word is
    /// quoted and holds only letters and digits.
    pub fn tsquery(&self) -> String {
        self.terms
            .iter()
            .map(|t| {
                let last = t.len() - 1;
                let words: Vec<String> = t.iter().enumerate().map(|(i, w)| if i == last { format!("'{w}':*") } else { format!("'{w}'") }).collect();
                format!("({})", words.join(" <-> "))
            })
            .collect::<Vec<_>>()
            .join(" & ")
    }

    /// `(SELECT rid, score ...)`: the recommendations this search finds, with their
    /// score (lower ranks first). A search with no words finds nothing.
    pub(crate) fn matches(&self, engine: Engine) -> Sql {
        if self.is_empty() {
            return Sql::new("(SELECT 0 AS rid, 0.0 AS score WHERE 1 = 0)");
        }
        let mut sql = Sql::new("");
        match engine {
            Engine::Sqlite => {
                // Columns: reference, committee wording, executive wording, updates.
                sql.push(
                    "(SELECT rowid AS rid, bm25(recommendation_search, 10.0, 2.0, 2.0, 1.0) AS score \
                     FROM recommendation_search WHERE recommendation_search MATCH ",
                )
                .bind(self.fts5())
                .push(")");
            }
            Engine::Postgres => {
                sql.push("(SELECT s.recommendation_id AS rid, -ts_rank(s.document, q.q)::float8 AS score FROM recommendation_search s, to_tsquery('simple', ")
                    .bind(self.tsquery())
                    .push(") q WHERE s.document @@ q.q)");
            }
        }
        sql
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_split_as_the_indexes_split_them_and_quoted() {
        let s = Search::parse("  Safeguard SC/2016/3 e-learning ").unwrap();
        assert_eq!(s.fts5(), r#""safeguard"* AND "sc 2016 3"* AND "e learning"*"#);
        assert_eq!(s.tsquery(), "('safeguard':*) & ('sc' <-> '2016' <-> '3':*) & ('e' <-> 'learning':*)");
        assert_eq!(s.typed(), "safeguard sc/2016/3 e-learning");
    }

    #[test]
    fn query_syntax_never_reaches_the_engine() {
        let s = Search::parse(r#"" ' NEAR( AND OR NOT * : & | ! <-> ^ ( ) "#).unwrap();
        assert_eq!(s.fts5(), r#""near"* AND "and"* AND "or"* AND "not"*"#);
        assert!(Search::parse(r#""'*:&|!"#).unwrap().is_empty());
        assert_eq!(Search::parse("   "), None);
    }
}
