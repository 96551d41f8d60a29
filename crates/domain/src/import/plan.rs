//! Planning an import: the heading row and the columns it names, the file's size, the
//! rows read one by one ([`super::rows`]), and the row-by-row report of what stops the
//! import and what is only noted.

use chrono::NaiveDate;

use super::cells::{is_blank, thousands};
use super::mapping::{column_index, display_heading, field_index, headings, normalize_heading, validate_mapping, ImportField, Preset, FIELD_COUNT};
use super::rows::Rows;
use super::{cell_error, file_error, row_error, CellError, ImportPlan, Table, MAX_DATA_ROWS};
use crate::validation::Checked;

/// Turn a table and a preset into an import plan, or every problem with the file.
/// `today` is used to flag implausible years and to word examples in messages. The
/// plan is the check an import passes: storage commits only a [`Checked`] plan.
pub fn plan(table: &Table, preset: &Preset, today: NaiveDate) -> Result<Checked<ImportPlan>, Vec<CellError>> {
    let preset = &added_columns_optional(table, preset);
    let mut report = Report::default();
    let columns = Columns::read(table, preset, &mut report)?;
    check_size(table, preset.header_row)?;
    let mut rows = Rows::new(&columns, report, today);
    for (i, raw) in table.iter().enumerate().skip(preset.header_row) {
        rows.read(i + 1, raw);
    }
    rows.finish(preset.header_row).map(Checked::new)
}

/// The register's layout gained columns (Origin, Executive decision date): a register
/// exported before them is still read by the built-in preset, without them.
fn added_columns_optional(table: &Table, preset: &Preset) -> Preset {
    let mut p = preset.clone();
    if p.name == super::REGISTER_PRESET_NAME {
        let heads = headings(table, p.header_row);
        p.mapping.columns.retain(|(f, h)| !matches!(f, ImportField::Origin | ImportField::DecisionDate) || column_index(&heads, h).is_some());
    }
    p
}

/// The heading row and which column each mapped field reads.
pub(super) struct Columns {
    headers: Vec<String>,
    index: [Option<usize>; FIELD_COUNT],
}

impl Columns {
    /// Check the heading row and the mapping against it, and find each field's column
    /// (noting headings that more than one column shares).
    fn read(table: &Table, preset: &Preset, report: &mut Report) -> Result<Columns, Vec<CellError>> {
        let hr = preset.header_row;
        if hr == 0 {
            return Err(vec![file_error("The heading row must be row 1 or below. Choose the row that holds the column headings.")]);
        }
        if hr > table.len() {
            let rows = table.len();
            return Err(vec![file_error(format!(
                "The headings are set to be on row {hr}, but the file has only {rows} row{}. Check the heading row, or that the right file was uploaded.",
                if rows == 1 { "" } else { "s" }
            ))]);
        }
        let headers = headings(table, hr);
        if headers.iter().all(|h| h.is_empty()) {
            return Err(vec![file_error(format!("Row {hr}, which should hold the column headings, is empty. Check the heading row."))]);
        }
        if let Err(inv) = validate_mapping(&headers, &preset.mapping) {
            return Err(inv
                .errors
                .into_iter()
                .map(|e| CellError { row: hr, column: String::new(), message: format!("Row {hr} (headings): {}", e.message) })
                .collect());
        }
        let mut index: [Option<usize>; FIELD_COUNT] = [None; FIELD_COUNT];
        for (f, h) in &preset.mapping.columns {
            index[field_index(*f)] = column_index(&headers, h);
            let norm = normalize_heading(h);
            if headers.iter().filter(|x| normalize_heading(x) == norm).count() > 1 {
                report.warnings.push(row_error(
                    hr,
                    format!("More than one column is headed “{}”; Assure reads the first of them for {}.", display_heading(h), f.label()),
                ));
            }
        }
        Ok(Columns { headers, index })
    }

    /// The column a field reads, if it is mapped.
    pub(super) fn column(&self, f: ImportField) -> Option<usize> {
        self.index[field_index(f)]
    }

    /// The heading of a field's column, as messages name it ("" when not mapped).
    pub(super) fn heading(&self, f: ImportField) -> String {
        self.column(f).map(|i| self.headers[i].clone()).unwrap_or_default()
    }

    /// Where a heading is, left to right (for reading order).
    fn position(&self, heading: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == heading)
    }
}

/// Refuse a file with no data rows below the headings, or more than one import takes.
fn check_size(table: &Table, hr: usize) -> Result<(), Vec<CellError>> {
    let data_rows = table[hr..].iter().filter(|r| !r.iter().all(|c| is_blank(c))).count();
    if data_rows > MAX_DATA_ROWS {
        return Err(vec![file_error(format!(
            "The file has {} rows of recommendations below the headings; Assure imports up to {} at a time. Split the file into smaller files and import each one.",
            thousands(data_rows),
            thousands(MAX_DATA_ROWS)
        ))]);
    }
    if data_rows == 0 {
        return Err(vec![file_error(format!(
            "The file has no recommendations below the headings on row {hr}. Check that the right sheet and heading row were chosen."
        ))]);
    }
    Ok(())
}

/// The row-by-row report: problems that stop the import, and notes that do not.
#[derive(Default)]
pub(super) struct Report {
    pub(super) errors: Vec<CellError>,
    pub(super) warnings: Vec<CellError>,
}

impl Report {
    /// A problem with one cell, its column named by its heading.
    pub(super) fn error(&mut self, row: usize, column: &str, msg: impl std::fmt::Display) {
        self.errors.push(cell_error(row, column, msg));
    }

    /// A problem with a whole row.
    pub(super) fn row_error(&mut self, row: usize, msg: impl std::fmt::Display) {
        self.errors.push(row_error(row, msg));
    }

    /// A note about one cell.
    pub(super) fn warn(&mut self, row: usize, column: &str, msg: impl std::fmt::Display) {
        self.warnings.push(cell_error(row, column, msg));
    }

    /// A note about a whole row.
    pub(super) fn row_warning(&mut self, row: usize, msg: impl std::fmt::Display) {
        self.warnings.push(row_error(row, msg));
    }

    /// Whether the last problem found is on this row.
    pub(super) fn has_error_on(&self, row: usize) -> bool {
        self.errors.last().is_some_and(|e| e.row == row)
    }

    /// The problems in reading order: by row, whole-row problems first, then left to right.
    pub(super) fn into_errors(mut self, columns: &Columns) -> Vec<CellError> {
        self.errors.sort_by_key(|e| (e.row, if e.column.is_empty() { None } else { columns.position(&e.column) }));
        self.errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::test_support::*;
    use crate::import::MAX_CELL_CHARS;
    use crate::tracker::{Lifecycle, Rag};

    /// Fault 5 of issue 14: an executive decision date was guessed as an action's date
    /// (an action with no text) and the origin had nowhere to go. Both are fields now,
    /// guessed from their headings, kept as written and creating no action.
    #[test]
    fn origin_and_executive_decision_date_are_fields_of_their_own() {
        use crate::import::mapping::suggest_mapping;
        let heads = ["Ref", "Recommendation", "Origin", "Executive decision date", "Action", "Target date", "Progress"];
        let t = table(&[
            &heads,
            &["R1", "That the Cabinet Member writes to MPs", "Licensing/CSE scrutiny review", "5 October 2017", "", "", ""],
            &["R2", "That taxi drivers are trained", "Ofsted inspection", "05/10/2017", "Run courses", "31 March 2018", ""],
        ]);
        let m = suggest_mapping(&t[0]);
        assert_eq!(m.heading(ImportField::DecisionDate), Some("Executive decision date"));
        assert_eq!(m.heading(ImportField::Origin), Some("Origin"));
        assert_eq!(m.heading(ImportField::ActionDate), Some("Target date"));
        let p = plan(&t, &Preset { name: "t".into(), header_row: 1, mapping: m }, today()).unwrap();
        assert_eq!(p.entries[0].origin, "Licensing/CSE scrutiny review");
        assert_eq!(p.entries[0].executive_decision_date, Some(d(2017, 10, 5)));
        assert!(p.entries[0].actions.is_empty(), "a decision date makes no action: {:?}", p.entries[0].actions);
        assert_eq!((p.entries[1].origin.as_str(), p.entries[1].actions.len()), ("Ofsted inspection", 1));
        // A date that cannot be read is said so, by row and column.
        let mut bad = t.clone();
        bad[1][3] = "next Cabinet".into();
        let errs = plan(
            &bad,
            &preset(1, &[(ImportField::Recommendation, "Recommendation"), (ImportField::DecisionDate, "Executive decision date")]),
            today(),
        )
        .unwrap_err();
        assert!(errs[0].message.starts_with("Row 2, column “Executive decision date”: “next Cabinet” is not a date"), "{}", errs[0].message);
        // The register writes both and reads them back; one exported before they were
        // columns is still read.
        let back = plan(&crate::import::register_table(&p.entries), &crate::import::register_preset(), today()).unwrap();
        assert_eq!(
            (back.entries[0].origin.as_str(), back.entries[0].executive_decision_date),
            ("Licensing/CSE scrutiny review", Some(d(2017, 10, 5)))
        );
        let mut old = crate::import::register_table(&p.entries);
        for row in old.iter_mut() {
            row.truncate(15);
        }
        assert_eq!(old[0][14], "Progress");
        assert!(plan(&old, &crate::import::register_preset(), today()).is_ok());
    }

    #[test]
    fn rag_tracker_with_title_row_and_continuations() {
        let t = table(&[
            &["Scrutiny recommendations – monitoring", "", "", "", "", ""],
            TRACKER_HEADINGS,
            &[
                "1. That the Cabinet Member writes to MPs",
                "Steph Cordon Head of Service",
                "Write letters",
                "May 2017 / Revised to July 2017",
                "Better protection",
                "Amber",
            ],
            &["", "", "Follow up replies", "Ongoing", "", ""],
            &["", "Vicky Buchanan – Head of Children's Social Care", "Brief members", "Completed", "", "Red"],
            &["  ", "\u{a0}", "", "", "", ""],
            &["2. Training for taxi drivers", "Head of Regulation and Compliance", "Run courses", "31/03/2018", "Drivers report concerns", "g"],
        ]);
        let mut p = tracker_preset();
        p.header_row = 2;
        let plan = plan(&t, &p, today()).unwrap();
        assert_eq!(plan.entries.len(), 2);
        let e = &plan.entries[0];
        assert_eq!((e.row, e.number, e.committee_wording.as_str()), (3, 1, "That the Cabinet Member writes to MPs"));
        assert_eq!(e.leads, vec![l("Steph Cordon", "Head of Service"), l("Vicky Buchanan", "Head of Children's Social Care")]);
        assert_eq!(e.actions.len(), 3);
        assert_eq!(e.actions[0].target, Some(d(2017, 5, 31)));
        assert_eq!(e.actions[0].revisions, vec![d(2017, 7, 31)]);
        assert_eq!(e.actions[0].owner, "Steph Cordon");
        assert_eq!(e.actions[1].owner, "Steph Cordon", "a blank lead keeps the owner above");
        assert_eq!(e.actions[1].target, None);
        assert!(e.actions[2].done);
        assert_eq!(e.actions[2].owner, "Vicky Buchanan");
        assert_eq!(e.rag, Some(Rag::Red), "worst colour wins");
        assert_eq!(e.lifecycle, Some(Lifecycle::InProgress));
        assert!(plan.warnings.iter().any(|w| w.row == 5 && w.message.contains("worse colour")));
        let e2 = &plan.entries[1];
        assert_eq!((e2.number, e2.rag, e2.lifecycle), (2, Some(Rag::Green), None));
        assert_eq!(e2.leads, vec![l("", "Head of Regulation and Compliance")]);
        assert_eq!(e2.actions[0].target, Some(d(2018, 3, 31)));
    }

    #[test]
    fn all_done_without_status_column_is_complete() {
        let t = table(&[TRACKER_HEADINGS, &["Do it", "", "Step", "Completed", "", ""], &["", "", "Step 2", "Done", "", ""]]);
        let e = &plan(&t, &tracker_preset(), today()).unwrap().entries[0];
        assert_eq!(e.lifecycle, Some(Lifecycle::CompleteAwaitingSignOff));
    }

    #[test]
    fn errors_name_row_and_column_for_every_row() {
        let t = table(&[
            &["Tracker"],
            TRACKER_HEADINGS,
            &["Rec one", "", "Act", "Dec 202017", "", "Yellow"],
            &["Rec two", "", "Act", "May 2017", "", "Red/Amber"],
            &["Rec three", "", "Act", "31/13/2017", "", ""],
        ]);
        let mut p = tracker_preset();
        p.header_row = 2;
        let errs = plan(&t, &p, today()).unwrap_err();
        assert_eq!(errs.len(), 4, "{errs:#?}");
        assert_eq!((errs[0].row, errs[0].column.as_str()), (3, "Date"));
        assert_eq!((errs[1].row, errs[1].column.as_str()), (3, "RAG"));
        assert_eq!(
            errs[0].message,
            "Row 3, column “Date”: “Dec 202017” is not a date Assure recognises. Write a month and year such as “December 2017”, or a full date such as “31 December 2017”."
        );
        assert!(errs[1].message.starts_with("Row 3, column “RAG”: “Yellow”"));
        assert_eq!((errs[2].row, errs[2].column.as_str()), (4, "RAG"));
        assert_eq!((errs[3].row, errs[3].column.as_str()), (5, "Date"));
    }

    #[test]
    fn duplicates_name_the_first_row() {
        let t = table(&[&["Ref", "Recommendation"], &["SR 01", "One"], &["SR 02", "Two"], &["sr  01", "Three"], &["1", "Four"]]);
        let p = preset(1, &[(ImportField::Reference, "Ref"), (ImportField::Recommendation, "Recommendation")]);
        let errs = plan(&t, &p, today()).unwrap_err();
        assert!(
            errs.iter().any(|e| e.row == 4 && e.column == "Ref" && e.message.contains("Reference “sr  01” is already used on row 2")),
            "{errs:#?}"
        );
        assert!(errs.iter().any(|e| e.row == 5 && e.message.contains("Number (1) is already used on row 2")), "{errs:#?}");
    }

    #[test]
    fn missing_wording_and_orphan_continuations() {
        let t = table(&[&["Ref", "Recommendation", "Action"], &["", "", "Orphan action"], &["SR 01", "", "x"]]);
        let p = preset(1, &[(ImportField::Reference, "Ref"), (ImportField::Recommendation, "Recommendation"), (ImportField::Action, "Action")]);
        let errs = plan(&t, &p, today()).unwrap_err();
        assert_eq!(errs[0].row, 2);
        assert_eq!(errs[0].column, "");
        assert!(errs[0].message.contains("no recommendation above it"));
        assert_eq!((errs[1].row, errs[1].column.as_str()), (3, "Recommendation"));
        assert!(errs[1].message.contains("Enter the recommendation's wording"));
    }

    #[test]
    fn repeated_reference_with_blank_wording_continues() {
        let t = table(&[
            &["Ref", "Recommendation", "Action"],
            &["SR 01", "Rec", "A1"],
            &["SR 01", "", "A2"],
            &["SR 02", "Rec 2", "B1"],
            &["SR 02", "Rec 2", "B2"],
        ]);
        let p = preset(1, &[(ImportField::Reference, "Ref"), (ImportField::Recommendation, "Recommendation"), (ImportField::Action, "Action")]);
        let plan = plan(&t, &p, today()).unwrap();
        assert_eq!(plan.entries.len(), 2);
        assert_eq!(plan.entries[0].actions.len(), 2);
        assert_eq!(plan.entries[1].actions.len(), 2);
    }

    #[test]
    fn heading_row_problems() {
        let t = table(&[&["Recommendation"], &["x"]]);
        let mut p = preset(5, &[(ImportField::Recommendation, "Recommendation")]);
        let errs = plan(&t, &p, today()).unwrap_err();
        assert_eq!(errs[0].row, 0);
        assert!(errs[0].message.contains("only 2 rows"));
        p.header_row = 0;
        assert!(plan(&t, &p, today()).is_err());
        p.header_row = 1;
        let only_headings = table(&[&["Recommendation"], &[" "]]);
        let errs = plan(&only_headings, &p, today()).unwrap_err();
        assert!(errs[0].message.contains("The file has no recommendations below the headings"));
        let p2 = preset(1, &[(ImportField::Recommendation, "Recs")]);
        let errs = plan(&t, &p2, today()).unwrap_err();
        assert!(errs[0].message.contains("The file has no column headed “Recs”"));
    }

    #[test]
    fn limits() {
        let mut t: Table = vec![vec!["Recommendation".into()]];
        for i in 0..=MAX_DATA_ROWS {
            t.push(vec![format!("Rec {i}")]);
        }
        let p = preset(1, &[(ImportField::Recommendation, "Recommendation")]);
        let errs = plan(&t, &p, today()).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].message.contains("Split the file"));
        let t = vec![vec!["Recommendation".to_string()], vec!["x".repeat(MAX_CELL_CHARS + 1)]];
        let errs = plan(&t, &p, today()).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:#?}");
        assert_eq!((errs[0].row, errs[0].column.as_str()), (2, "Recommendation"));
        assert!(errs[0].message.contains("20,001 characters"));
    }

    #[test]
    fn numbered_wording_sets_number_and_sub_items() {
        let t = table(&[
            &["Recommendation", "Progress made"],
            &["(1) Sefton's Members write to the MPs", ""],
            &["a) A national data base", ""],
            &["b) Better training", ""],
            &["2. That the Cabinet Member reports back", ""],
            &["Unnumbered wording", ""],
        ]);
        let p = preset(1, &[(ImportField::Recommendation, "Recommendation"), (ImportField::Progress, "Progress made")]);
        let plan = plan(&t, &p, today()).unwrap();
        let got: Vec<(i64, &str, &str)> = plan.entries.iter().map(|e| (e.number, e.sub_label.as_str(), e.committee_wording.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (1, "", "Sefton's Members write to the MPs"),
                (1, "a", "A national data base"),
                (1, "b", "Better training"),
                (2, "", "That the Cabinet Member reports back"),
                (3, "", "Unnumbered wording"),
            ]
        );
        assert_eq!(plan.entries[1].row, 3);
    }

    #[test]
    fn a_prefix_repeating_the_reference_number_is_not_wording() {
        let t = table(&[&["Ref", "Recommendation"], &["R1", "1. That the Cabinet Member write to all schools"], &["R2", "3. Keep: it disagrees"]]);
        let p = preset(1, &[(ImportField::Reference, "Ref"), (ImportField::Recommendation, "Recommendation")]);
        let e = plan(&t, &p, today()).unwrap().into_inner().entries;
        assert_eq!((e[0].number, e[0].committee_wording.as_str()), (1, "That the Cabinet Member write to all schools"));
        assert_eq!((e[1].number, e[1].committee_wording.as_str()), (2, "3. Keep: it disagrees"));
    }

    #[test]
    fn number_column_keeps_the_prefix_in_the_wording() {
        let t = table(&[&["No.", "Recommendation"], &["4", "1. Keep me"]]);
        let p = preset(1, &[(ImportField::Number, "No."), (ImportField::Recommendation, "Recommendation")]);
        let e = &plan(&t, &p, today()).unwrap().entries[0];
        assert_eq!((e.number, e.committee_wording.as_str()), (4, "1. Keep me"));
    }

    /// fuzz/roundtrip: rows with text only in unmapped columns planned as Ok with no
    /// entries, and the export of that did not import.
    #[test]
    fn fuzz_regression_only_unmapped_text_is_an_error() {
        let t = table(&[&["Recommendation", "Notes"], &["", "only a note"]]);
        let p = preset(1, &[(ImportField::Recommendation, "Recommendation")]);
        let errs = plan(&t, &p, today()).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].message.starts_with("The file has no recommendations below the headings"));
    }
}
