//! Importing recommendation trackers that councils already keep in spreadsheets and
//! Word tables: a [`Table`] of text cells plus a [`Preset`] (heading row and column
//! mapping) becomes a validated [`ImportPlan`], or a list of [`CellError`]s naming the
//! row and column of every problem. [`register_table`] writes the same
//! [`RegisterEntry`] type back out in the "Assure register" layout, so an export can be
//! imported again unchanged.
//!
//! No I/O here: reading XLSX/CSV bytes into a table is `assure_documents::read`.
//!
//! The parts: `mapping` (fields, mappings, presets, guessing the headings), `cells` (cell
//! text, RAG, status and response words), `dates` (Date cells), `people` (lead
//! officers), `numbers` (recommendation numbers), `progress` (Progress cells), `plan`
//! (the heading row, the file's size, the report) reading the rows with `rows` (what
//! each row starts or adds), and `export` (the register layout).
//!
//! # Rules (what a council officer's file may contain)
//!
//! - **Cells** are cleaned first: `\r\n` and `\r` become `\n`, non-breaking and other
//!   fixed-width spaces become spaces, zero-width characters and BOMs are dropped,
//!   the cell is trimmed, and one leading `'` before `=`, `+`, `-` or `@` (the
//!   formula-injection escape our exporter adds) is removed.
//! - **Rows**: completely empty rows are skipped; a row with text only in columns
//!   that are not imported is skipped with a warning. A *continuation row* — empty
//!   Reference, Number and Recommendation cells (or the same reference/number/wording
//!   as the recommendation directly above, as an unmerged sheet repeats them) — adds
//!   its action, date, lead officer, progress, outcome etc. to the recommendation
//!   above. That is how merged cells come out of Excel and how [`register_table`]
//!   writes a second action.
//! - **Numbers**: from the Number column ("3", "3a", "(3)(a)", "3.2" = 3b); else from
//!   the end of the reference ("SR (17/18) 01a" = 1a, "R3" = 3); else from a numbered
//!   prefix of the wording ("1. ", "(1) ", "1) ", "a) ", "(a) ") which is then removed
//!   from the wording (a letter alone is a sub-item of the last number); else the next
//!   number after the largest so far. A prefix that merely repeats the number the
//!   reference gives ("1. That ..." beside "R1") is removed too; beside a Number
//!   column the wording is kept as written.
//! - **Dates** (Date column): "May 2017" / "Sept 2017" (month only = the last day of
//!   the month), "31 May 2017", "31/05/2017", "2017-05-31", "31-May-17"; "May 2017 /
//!   Revised to July 2017" or "May 2017, revised to July 2017" (separators: comma,
//!   slash, semicolon, dash, brackets, new line) = target May 2017 with revisions
//!   [July 2017]; a lone "Revised to July 2017" = target July 2017; "Ongoing" = no date;
//!   "Completed"/"Complete"/"Done" (optionally with dates: "Completed (May 2017)") = a
//!   done action; "TBC"/"N/A" = no date. Anything else is an error for that cell.
//! - **Lifecycle** comes from the Status column when it is mapped. Without one: all
//!   actions done = complete awaiting sign-off; any "Ongoing" or done action = in
//!   progress; otherwise none.
//! - **Lead officers**: one per line or `;`; two "Name Title" groups joined by "and"/"&"
//!   are split only when both halves have a name and a title. Name and title are split
//!   at a comma, a spaced dash or brackets; otherwise where the first job-title word
//!   (Head, Director, Manager, ...) starts; a cell starting with a title word is a title
//!   only. "Cllr"/"Councillor" belong to the name.
//! - **Action owners**: the Action owner cell when the file has one (the register
//!   export always does); otherwise the lead officers named on the action's row
//!   (names, or the title where no name), joined by "; ". A continuation row with an
//!   empty Lead cell keeps the owner of the row above (merged cells).
//! - **Progress**: a line starting with a full date followed by `:` or a dash ("7
//!   December 2017: ...", "07/12/2017 - ...") or a line holding only a full date starts a
//!   new dated update; a line starting "Undated:" starts an undated one; other lines
//!   belong to the update above (or to one undated update). *Ambiguity*: a narrative
//!   line that itself starts with a date and a colon starts a new update; there is no
//!   escape for it inside a narrative.
//! - **RAG**: Red/R, Amber/A, Green/G (any case) or blank; anything else (Yellow,
//!   Complete, Red/Amber, Blue) is an error that says why. In continuation rows the
//!   worst colour wins (with a warning).

mod cells;
mod changes;
mod dates;
mod export;
mod mapping;
mod numbers;
mod people;
mod plan;
mod progress;
mod rows;
#[cfg(test)]
mod test_support;

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use cells::{clean_cell, parse_rag, parse_response, parse_status};
pub use changes::{entry_changes, field_text, EntryChanges, FieldChange};
pub use dates::{format_date_cell, parse_date, parse_date_cell, DateCell};
pub use export::{register_rows, register_table};
pub use mapping::{
    check_preset, find_header_row, guess_header_row, headings, register_headings, register_preset, suggest_mapping, validate_mapping, ImportField,
    Mapping, Preset,
};
pub use numbers::number_from_reference;
pub use people::{format_lead, parse_leads, split_name_title};
pub use plan::plan;
pub use progress::{format_progress, parse_progress};

use crate::tracker::{ExecutiveResponse, Lifecycle, Rag};
use crate::validation::{Checked, Invalid};

/// Rows of text cells, as `assure_documents::read` produces them.
pub type Table = Vec<Vec<String>>;

/// Most data rows one import takes.
pub const MAX_DATA_ROWS: usize = 5_000;
/// Most characters one cell may hold.
pub const MAX_CELL_CHARS: usize = 20_000;
/// Name of the built-in preset for files exported by Assure.
pub const REGISTER_PRESET_NAME: &str = "Assure register";
/// Largest recommendation number accepted from a file.
const MAX_NUMBER: i64 = 1_000_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedLead {
    pub name: String,
    pub job_title: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedAction {
    pub text: String,
    pub owner: String,
    pub target: Option<NaiveDate>,
    /// Later dates, in order.
    pub revisions: Vec<NaiveDate>,
    pub done: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedUpdate {
    pub date: Option<NaiveDate>,
    pub narrative: String,
}

/// One recommendation, as imported or as exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterEntry {
    /// Spreadsheet row where it starts, 1-based; 0 when built from the database.
    pub row: usize,
    pub reference: String,
    pub number: i64,
    /// "" or "a".."z", "aa".. (see `tracker::valid_sub_label`).
    pub sub_label: String,
    pub committee_wording: String,
    pub executive_wording: String,
    pub who_must_act: String,
    pub area: String,
    pub outcome: String,
    pub leads: Vec<ImportedLead>,
    pub actions: Vec<ImportedAction>,
    pub response: Option<ExecutiveResponse>,
    pub lifecycle: Option<Lifecycle>,
    pub rag: Option<Rag>,
    pub updates: Vec<ImportedUpdate>,
    /// Where it came from (a scrutiny review, an inspection, a case review), as written.
    #[serde(default)]
    pub origin: String,
    /// When the executive decided on it.
    #[serde(default)]
    pub executive_decision_date: Option<NaiveDate>,
}

impl RegisterEntry {
    /// An empty entry, for building one up.
    pub fn new(number: i64, committee_wording: &str) -> Self {
        RegisterEntry {
            row: 0,
            reference: String::new(),
            number,
            sub_label: String::new(),
            committee_wording: committee_wording.to_string(),
            executive_wording: String::new(),
            who_must_act: String::new(),
            area: String::new(),
            outcome: String::new(),
            leads: Vec::new(),
            actions: Vec::new(),
            response: None,
            lifecycle: None,
            rag: None,
            updates: Vec::new(),
            origin: String::new(),
            executive_decision_date: None,
        }
    }
}

/// A problem (or, in [`ImportPlan::warnings`], a note) about one cell or row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellError {
    /// As the spreadsheet shows it, 1-based, counting title and heading rows; 0 for
    /// problems with the whole file.
    pub row: usize,
    /// The column's heading, or "" for whole-row and whole-file problems.
    pub column: String,
    /// Complete on its own: starts "Row 7, column “Date”: " (or "Row 7: ").
    pub message: String,
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPlan {
    pub entries: Vec<RegisterEntry>,
    pub warnings: Vec<CellError>,
    /// The fields the file's columns give (an update in place compares only these).
    #[serde(default)]
    pub fields: Vec<ImportField>,
}

/// An uploaded file read into cells, to keep between the mapping, preview and commit
/// steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StagedFile {
    pub file_name: String,
    pub table: Table,
}

/// A file is kept under its name (at most 255 characters). What its rows hold is
/// checked by [`plan`] at preview and commit.
pub fn check_upload(file_name: &str, table: Table) -> Result<Checked<StagedFile>, Invalid> {
    let mut v = Invalid::new();
    let file_name = v.required("file", file_name, "Select the spreadsheet to upload");
    v.max_len("file", &file_name, 255, "The file's name");
    // A cell holding a control character (NUL and the rest) is refused with where it is,
    // so it can be corrected in the spreadsheet; nothing of the file is kept.
    let odd: Vec<String> = table
        .iter()
        .enumerate()
        .flat_map(|(r, row)| row.iter().enumerate().filter_map(move |(c, cell)| crate::text::control_char(cell).map(|ch| (r, c, ch))))
        .take(5)
        .map(|(r, c, ch)| format!("row {}, column {} (code {})", r + 1, column_letters(c), ch as u32))
        .collect();
    if !odd.is_empty() {
        v.add(
            "file",
            format!(
                "The file contains control characters that cannot be stored, at {}. Remove them in the spreadsheet and upload it again",
                odd.join("; ")
            ),
        );
    }
    v.finish()?;
    Ok(Checked::new(StagedFile { file_name, table }))
}

/// A spreadsheet's column letters: 0 is A, 26 is AA.
fn column_letters(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

fn cell_error(row: usize, column: &str, msg: impl fmt::Display) -> CellError {
    CellError { row, column: column.to_string(), message: format!("Row {row}, column “{column}”: {msg}") }
}

fn row_error(row: usize, msg: impl fmt::Display) -> CellError {
    CellError { row, column: String::new(), message: format!("Row {row}: {msg}") }
}

fn file_error(msg: impl Into<String>) -> CellError {
    CellError { row: 0, column: String::new(), message: msg.into() }
}

#[cfg(test)]
mod staging_tests {
    use super::*;

    #[test]
    fn an_upload_is_kept_under_its_name() {
        let e = check_upload(" ", vec![]).unwrap_err();
        assert_eq!(e.for_field("file"), Some("Select the spreadsheet to upload"));
        let e = check_upload(&"f".repeat(256), vec![]).unwrap_err();
        assert_eq!(e.for_field("file"), Some("The file's name must be 255 characters or fewer"));
        let e = check_upload("t.csv", vec![vec!["Recommendation".into()], vec!["ok".into(), "x\u{0}y".into()]]).unwrap_err();
        assert!(e.for_field("file").unwrap().contains("at row 2, column B (code 0)"), "{e}");
        assert_eq!(column_letters(27), "AB");
        let ok = check_upload(" tracker.csv ", vec![vec!["Recommendation".into()]]).unwrap();
        assert_eq!((ok.file_name.as_str(), ok.table.len()), ("tracker.csv", 1));
    }
}
