//! Reading a plan from the layout councils keep it in (seed 004): **Ref | Action |
//! Progress / review date | Lead | Update commentary**, with optional **What good looks
//! like**, **RAG** and **Lineage** columns, as a [`Table`] of cells (XLSX and CSV are
//! read into one by `assure_documents::read`).
//!
//! # Rules
//! - The heading row is the first with a cell "Ref" (or "Reference") and a cell
//!   "Action" (or "Actions"); headings are matched ignoring case and spaces around `/`.
//! - Refs follow [`check_ref`]. The deepest refs in the file are **actions** (`1.1.7`);
//!   refs one level up are **areas** (`1.1`, their Action cell the area's title, their
//!   What good looks like cell its statement); shallower refs are **objectives** (`1`).
//!   An action's area is its ref without the last part; an area with no row of its own
//!   is made, untitled.
//! - The date cell reads as the tracker import reads it: a date (the latest revision
//!   counts), "Ongoing", "Completed" (with or without a date), or empty (ongoing).
//! - Update commentary is split into dated updates as the tracker import splits
//!   Progress cells.
//! - Lineage (a re-drafted version): "New", "Replaces 1.1.7", "Split from A2.1.7",
//!   "Merged from A2.1.7, A2.1.8" (commas, "and", "&" or `;`), or, on a row for an
//!   action of the version before that is not carried forward, "Dropped: the reason".
//! - Every problem is reported with its row and column, and nothing is taken from a
//!   file with any problem.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{check_ref, Dropped, LineageKind, Origin};
use crate::import::{clean_cell, parse_date_cell, parse_progress, parse_rag, CellError, ImportedUpdate, Table};
use crate::tracker::Rag;

slug_enum!(
    /// When an action is due: by a date, ongoing, or already completed (the seed's date
    /// column says "Ongoing" or "Completed" as often as it gives a date).
    Due {
        ByDate => ("by-date", "By a date"),
        Ongoing => ("ongoing", "Ongoing"),
        Completed => ("completed", "Completed"),
    }
);

/// An objective (the top level: "1", "A2").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectiveDraft {
    pub r#ref: String,
    pub title: String,
}

/// A recommendation area ("1.1") with what good looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaDraft {
    pub r#ref: String,
    pub title: String,
    pub good: String,
}

/// An action as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionDraft {
    pub r#ref: String,
    /// Its area's ref.
    pub area: String,
    pub text: String,
    pub due: Due,
    pub review_on: Option<NaiveDate>,
    pub leads: String,
    pub rag: Option<Rag>,
    pub updates: Vec<ImportedUpdate>,
    /// Where it came from, when the file has a Lineage column and the cell says.
    pub origin: Option<Origin>,
}

/// A whole plan (or a new version of one) as read from a sheet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlanDraft {
    pub objectives: Vec<ObjectiveDraft>,
    pub areas: Vec<AreaDraft>,
    pub actions: Vec<ActionDraft>,
    pub dropped: Vec<Dropped>,
    /// Whether the file had a Lineage column (a re-draft must).
    pub has_lineage: bool,
}

impl PlanDraft {
    pub fn action_refs(&self) -> Vec<String> {
        self.actions.iter().map(|a| a.r#ref.clone()).collect()
    }
    pub fn origins(&self) -> Vec<Origin> {
        self.actions.iter().filter_map(|a| a.origin.clone()).collect()
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Col {
    Ref,
    Action,
    Due,
    Lead,
    Commentary,
    Good,
    Rag,
    Lineage,
}

impl Col {
    fn heading(self) -> &'static str {
        match self {
            Col::Ref => "Ref",
            Col::Action => "Action",
            Col::Due => "Progress / review date",
            Col::Lead => "Lead",
            Col::Commentary => "Update commentary",
            Col::Good => "What good looks like",
            Col::Rag => "RAG",
            Col::Lineage => "Lineage",
        }
    }
    fn of(heading: &str) -> Option<Col> {
        let h = clean_cell(heading).to_lowercase().replace(" / ", "/").replace("/ ", "/").replace(" /", "/");
        Some(match h.as_str() {
            "ref" | "reference" | "ref." => Col::Ref,
            "action" | "actions" => Col::Action,
            "progress/review date" | "review date" | "progress / review date" | "date" | "timescale" => Col::Due,
            "lead" | "leads" | "lead officer" | "lead officers" => Col::Lead,
            "update commentary" | "commentary" | "update" | "progress" => Col::Commentary,
            "what good looks like" | "what does good look like?" | "what good looks like?" => Col::Good,
            "rag" | "rag rating" => Col::Rag,
            "lineage" | "came from" => Col::Lineage,
            _ => return None,
        })
    }
    /// The headings a template file carries, in order.
    const TEMPLATE: [Col; 8] = [Col::Ref, Col::Action, Col::Due, Col::Lead, Col::Commentary, Col::Good, Col::Rag, Col::Lineage];
}

/// The headings of the plan layout, for a blank template and for exports.
pub fn sheet_headings() -> Vec<String> {
    Col::TEMPLATE.iter().map(|c| c.heading().to_string()).collect()
}

fn error(row: usize, col: Option<Col>, message: impl std::fmt::Display) -> CellError {
    match col {
        Some(c) => CellError { row, column: c.heading().into(), message: format!("Row {row}, column “{}”: {message}", c.heading()) },
        None => CellError { row, column: String::new(), message: format!("Row {row}: {message}") },
    }
}

/// What a Lineage cell says.
enum LineageCell {
    /// Where the row's action came from.
    From(LineageKind, Vec<String>),
    /// The row is an old action not carried forward, for this reason.
    Dropped(String),
}

/// Read a Lineage cell: `Ok(None)` when empty; `Err` explains.
fn parse_lineage(cell: &str) -> Result<Option<LineageCell>, String> {
    let c = clean_cell(cell);
    if c.is_empty() {
        return Ok(None);
    }
    let lower = c.to_lowercase();
    if let Some(rest) = lower.strip_prefix("dropped") {
        let reason = c[c.len() - rest.len()..].trim_start_matches([':', '-', '–', ' ']).trim().to_string();
        return Ok(Some(LineageCell::Dropped(reason)));
    }
    let kinds = [
        ("new", LineageKind::New),
        ("replaces", LineageKind::Replaces),
        ("split from", LineageKind::SplitFrom),
        ("merged from", LineageKind::MergedFrom),
    ];
    for (word, kind) in kinds {
        if let Some(rest) = lower.strip_prefix(word) {
            let refs_text = &c[c.len() - rest.len()..];
            let refs: Vec<String> = refs_text
                .replace(" and ", ",")
                .replace(['&', ';'], ",")
                .split(',')
                .map(|r| r.trim().trim_start_matches(':').trim().to_string())
                .filter(|r| !r.is_empty())
                .collect();
            for r in &refs {
                check_ref(r)?;
            }
            return Ok(Some(LineageCell::From(kind, refs)));
        }
    }
    Err(format!("“{c}” is not a lineage: write New, Replaces 1.1.7, Split from 1.1.7, Merged from 1.1.7, 1.1.8, or Dropped: and the reason"))
}

/// Read a plan from its sheet (see the module's rules).
pub fn read_sheet(table: &Table) -> Result<PlanDraft, Vec<CellError>> {
    let header = table.iter().position(|row| {
        let cols: Vec<Option<Col>> = row.iter().map(|h| Col::of(h)).collect();
        cols.contains(&Some(Col::Ref)) && cols.contains(&Some(Col::Action))
    });
    let Some(header) = header else {
        return Err(vec![error(
            0,
            None,
            "no heading row with “Ref” and “Action” was found: the plan layout is Ref | Action | Progress / review date | Lead | Update commentary",
        )]);
    };
    let mut columns: Vec<(usize, Col)> = Vec::new();
    for (i, h) in table[header].iter().enumerate() {
        if let Some(c) = Col::of(h) {
            if !columns.iter().any(|(_, x)| *x == c) {
                columns.push((i, c));
            }
        }
    }
    let cell = |row: &Vec<String>, c: Col| -> String {
        columns.iter().find(|(_, x)| *x == c).and_then(|(i, _)| row.get(*i)).map(|s| clean_cell(s)).unwrap_or_default()
    };
    let mut errors = Vec::new();
    // First pass: each row's ref and depth.
    let mut rows: Vec<(usize, String, usize, &Vec<String>)> = Vec::new();
    for (i, row) in table.iter().enumerate().skip(header + 1) {
        let n = i + 1;
        if row.iter().all(|c| clean_cell(c).is_empty()) {
            continue;
        }
        let r = cell(row, Col::Ref);
        if r.is_empty() {
            errors.push(error(n, Some(Col::Ref), "enter the ref of this objective, area or action, such as 1.1.7"));
            continue;
        }
        match check_ref(&r) {
            Ok(r) => {
                let depth = r.split('.').count();
                rows.push((n, r, depth, row));
            }
            Err(m) => errors.push(error(n, Some(Col::Ref), m)),
        }
    }
    let deepest = rows.iter().map(|(_, _, d, _)| *d).max().unwrap_or(0);
    if errors.is_empty() && rows.is_empty() {
        return Err(vec![error(0, None, "the file has a heading row but no objectives, areas or actions under it")]);
    }
    if deepest < 2 && !rows.is_empty() {
        errors.push(error(rows[0].0, Some(Col::Ref), "actions need refs under an area, such as 1.1 for an area and 1.1.7 for an action"));
    }
    let has_lineage = columns.iter().any(|(_, c)| *c == Col::Lineage);
    let mut draft = PlanDraft { has_lineage, ..Default::default() };
    let mut seen = std::collections::BTreeSet::new();
    for (n, r, depth, row) in rows {
        let lineage = if has_lineage { parse_lineage(&cell(row, Col::Lineage)) } else { Ok(None) };
        // A dropped action of the version before: only its ref and reason count.
        if let Ok(Some(LineageCell::Dropped(reason))) = &lineage {
            if reason.is_empty() {
                errors.push(error(n, Some(Col::Lineage), format!("say why action {r} was dropped, as “Dropped: the reason”")));
            }
            draft.dropped.push(Dropped { action: r, reason: reason.clone() });
            continue;
        }
        if !seen.insert(r.clone()) {
            errors.push(error(n, Some(Col::Ref), format!("{r} is used twice: each objective, area and action has its own ref")));
            continue;
        }
        let text = cell(row, Col::Action);
        if depth < deepest {
            if let Ok(Some(_)) = lineage {
                errors.push(error(n, Some(Col::Lineage), format!("{r} is an area or objective: lineage is given for actions only")));
            }
            if depth == deepest - 1 {
                draft.areas.push(AreaDraft { r#ref: r, title: text, good: cell(row, Col::Good) });
            } else {
                draft.objectives.push(ObjectiveDraft { r#ref: r, title: text });
            }
            continue;
        }
        if text.is_empty() {
            errors.push(error(n, Some(Col::Action), format!("enter what action {r} is")));
        }
        let (due, review_on) = match cell(row, Col::Due) {
            d if d.is_empty() => (Due::Ongoing, None),
            d => match parse_date_cell(&d) {
                Ok(c) if c.done => (Due::Completed, c.revisions.last().copied().or(c.target)),
                Ok(c) => match c.revisions.last().copied().or(c.target) {
                    Some(date) => (Due::ByDate, Some(date)),
                    None => (Due::Ongoing, None),
                },
                Err(m) => {
                    errors.push(error(n, Some(Col::Due), m));
                    (Due::Ongoing, None)
                }
            },
        };
        let rag = match parse_rag(&cell(row, Col::Rag)) {
            Ok(r) => r,
            Err(m) => {
                errors.push(error(n, Some(Col::Rag), m));
                None
            }
        };
        let origin = match lineage {
            Ok(Some(LineageCell::From(kind, from))) => Some(Origin { action: r.clone(), kind, from }),
            Ok(_) => None,
            Err(m) => {
                errors.push(error(n, Some(Col::Lineage), m));
                None
            }
        };
        let area = r.rsplit_once('.').map(|(a, _)| a.to_string()).unwrap_or_default();
        let commentary = cell(row, Col::Commentary);
        draft.actions.push(ActionDraft {
            r#ref: r,
            area,
            text,
            due,
            review_on,
            leads: cell(row, Col::Lead),
            rag,
            updates: if commentary.is_empty() { Vec::new() } else { parse_progress(&commentary) },
            origin,
        });
    }
    // Areas named by actions but without a row of their own.
    for a in &draft.actions {
        if !draft.areas.iter().any(|x| x.r#ref == a.area) {
            draft.areas.push(AreaDraft { r#ref: a.area.clone(), title: String::new(), good: String::new() });
        }
    }
    if errors.is_empty() {
        Ok(draft)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(rows: &[&[&str]]) -> Table {
        rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
    }

    #[test]
    fn the_seed_layout_reads_into_objectives_areas_and_actions() {
        let table = t(&[
            &["Children's services improvement plan"],
            &["Ref", "Action", "Progress / review date", "Lead", "Update commentary", "What good looks like"],
            &["1", "Leadership and governance", "", "", "", ""],
            &["1.1", "Performance management", "", "", "", "Leaders know their services well"],
            &["1.1.7", "Monthly performance clinics", "Ongoing", "Head of Service", "7 December 2017: first clinic held", ""],
            &["1.1.8", "Scorecard to committee", "Completed", "Director", "", ""],
            &["1.2.1", "Caseload review", "31 May 2018", "Head of Service", "", ""],
        ]);
        let d = read_sheet(&table).unwrap();
        assert_eq!(d.objectives, vec![ObjectiveDraft { r#ref: "1".into(), title: "Leadership and governance".into() }]);
        assert_eq!(d.areas.iter().map(|a| a.r#ref.as_str()).collect::<Vec<_>>(), ["1.1", "1.2"]);
        assert_eq!(d.areas[0].good, "Leaders know their services well");
        assert_eq!(d.actions.len(), 3);
        assert_eq!(d.actions[0].due, Due::Ongoing);
        assert_eq!(d.actions[0].updates.len(), 1);
        assert_eq!(d.actions[1].due, Due::Completed);
        assert_eq!(d.actions[2].due, Due::ByDate);
        assert_eq!(d.actions[2].review_on, NaiveDate::from_ymd_opt(2018, 5, 31));
        assert_eq!(d.actions[2].area, "1.2");
        assert!(!d.has_lineage);
    }

    #[test]
    fn lineage_cells_read_as_origins_and_dropped_actions() {
        let table = t(&[
            &["Ref", "Action", "Lineage"],
            &["A2.1.1", "Audit return interviews monthly", "Split from A2.1.7"],
            &["A2.1.2", "Report return interview timeliness", "split from A2.1.7"],
            &["A2.1.3", "One missing protocol", "Merged from A2.1.8 and A2.1.9"],
            &["A2.1.4", "New training", "New"],
            &["A2.1.10", "", "Dropped: delivered before the re-draft"],
        ]);
        let d = read_sheet(&table).unwrap();
        assert_eq!(d.origins()[0], Origin { action: "A2.1.1".into(), kind: LineageKind::SplitFrom, from: vec!["A2.1.7".into()] });
        assert_eq!(d.origins()[2].from, vec!["A2.1.8".to_string(), "A2.1.9".to_string()]);
        assert_eq!(d.origins()[3].kind, LineageKind::New);
        assert_eq!(d.dropped, vec![Dropped { action: "A2.1.10".into(), reason: "delivered before the re-draft".into() }]);
        assert_eq!(d.actions.len(), 4, "a dropped row is not an action of the new version");
    }

    #[test]
    fn every_problem_comes_back_with_its_row_and_column_and_nothing_is_read() {
        let table = t(&[
            &["Ref", "Action", "Progress / review date", "RAG", "Lineage"],
            &["1.1.1", "Fine", "Ongoing", "", "New"],
            &["1.1.x", "Bad ref", "", "", "New"],
            &["1.1.2", "", "sometime", "Blue", "Borrowed from 1.1.1"],
            &["1.1.1", "Again", "", "", "New"],
            &["1.1.3", "No reason", "", "", "Dropped"],
        ]);
        let e = read_sheet(&table).unwrap_err();
        let msgs: Vec<&str> = e.iter().map(|c| c.message.as_str()).collect();
        assert!(msgs.iter().any(|m| m.starts_with("Row 3, column “Ref”")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.starts_with("Row 4, column “Action”")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.starts_with("Row 4, column “Progress / review date”")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.starts_with("Row 4, column “RAG”")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.starts_with("Row 4, column “Lineage”")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.starts_with("Row 5, column “Ref”") && m.contains("twice")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.starts_with("Row 6, column “Lineage”") && m.contains("why")), "{msgs:?}");
    }

    #[test]
    fn a_file_without_the_layout_is_refused_as_a_whole() {
        let e = read_sheet(&t(&[&["Recommendation", "Progress"], &["1", "x"]])).unwrap_err();
        assert_eq!(e.len(), 1);
        assert!(e[0].message.contains("Ref"));
    }
}
