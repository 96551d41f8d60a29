//! Planning an import: reading the rows below the heading row into recommendations,
//! or reporting every problem by row and column.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use super::cells::{clean_cell, is_blank, parse_rag, parse_response, parse_status, rag_rank, thousands};
use super::dates::{bad_date_message, format_target, parse_date_cell, DateCell};
use super::mapping::{column_index, display_heading, field_index, headings, normalize_heading, validate_mapping, ImportField, Preset, FIELD_COUNT};
use super::numbers::{norm_reference, number_from_reference, numbered_prefix};
use super::people::{add_lead, owner_of, parse_leads};
use super::progress::parse_progress;
use super::{
    cell_error, file_error, row_error, CellError, ImportPlan, ImportedAction, RegisterEntry, Table, MAX_CELL_CHARS, MAX_DATA_ROWS, MAX_NUMBER,
};
use crate::dates;
use crate::tracker::{number_label, Lifecycle};

struct Builder {
    entry: RegisterEntry,
    /// The Recommendation cell as written (before a numbered prefix was removed).
    raw_wording: String,
    /// The owner new actions get when their row names no lead.
    owner: String,
    ongoing: bool,
}

fn append_text(target: &mut String, text: &str) {
    if text.is_empty() || target == text {
        return;
    }
    if target.is_empty() {
        *target = text.to_string();
    } else if !target.split('\n').any(|l| l == text) {
        target.push('\n');
        target.push_str(text);
    }
}

/// Turn a table and a preset into an import plan, or every problem with the file.
/// `today` is used to flag implausible years and to word examples in messages.
pub fn plan(table: &Table, preset: &Preset, today: NaiveDate) -> Result<ImportPlan, Vec<CellError>> {
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
    let mut warnings = Vec::new();
    let mut cols: [Option<usize>; FIELD_COUNT] = [None; FIELD_COUNT];
    for (f, h) in &preset.mapping.columns {
        cols[field_index(*f)] = column_index(&headers, h);
        let norm = normalize_heading(h);
        if headers.iter().filter(|x| normalize_heading(x) == norm).count() > 1 {
            warnings.push(row_error(
                hr,
                format!("More than one column is headed “{}”; Assure reads the first of them for {}.", display_heading(h), f.label()),
            ));
        }
    }
    let heading_of = |f: ImportField| cols[field_index(f)].map(|i| headers[i].clone()).unwrap_or_default();

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

    let status_mapped = cols[field_index(ImportField::Status)].is_some();
    let mut errors: Vec<CellError> = Vec::new();
    let mut builders: Vec<Builder> = Vec::new();
    let mut refs_seen: HashMap<String, usize> = HashMap::new();
    let mut numbers_seen: HashMap<(i64, String), usize> = HashMap::new();
    let mut max_number: i64 = 0;
    let mut current_number: Option<i64> = None;

    for (i, raw) in table.iter().enumerate().skip(hr) {
        let rown = i + 1;
        if raw.iter().all(|c| is_blank(c)) {
            continue;
        }
        let mut cells: [String; FIELD_COUNT] = Default::default();
        for f in ImportField::ALL {
            let Some(ci) = cols[field_index(*f)] else {
                continue;
            };
            let text = raw.get(ci).map(String::as_str).unwrap_or("");
            if text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
                errors.push(cell_error(
                    rown,
                    &heading_of(*f),
                    format!(
                        "The cell has {} characters; Assure takes up to {} in one cell. Shorten it and import the file again.",
                        thousands(text.chars().count()),
                        thousands(MAX_CELL_CHARS)
                    ),
                ));
                // Keep enough of the key cells for the row to be read as what it is.
                if matches!(f, ImportField::Recommendation | ImportField::Reference | ImportField::Number) {
                    cells[field_index(*f)] = clean_cell(&text.chars().take(200).collect::<String>());
                }
                continue;
            }
            cells[field_index(*f)] = clean_cell(text);
        }
        let cell = |f: ImportField| cells[field_index(f)].as_str();
        if cells.iter().all(|c| c.is_empty()) {
            if errors.last().is_none_or(|e| e.row != rown) {
                warnings.push(row_error(rown, "This row has text only in columns that are not imported, so it was skipped."));
            }
            continue;
        }

        let (rec, refc, numc) = (cell(ImportField::Recommendation), cell(ImportField::Reference), cell(ImportField::Number));
        let num_parsed = if numc.is_empty() { None } else { number_from_reference(numc) };
        let continuation = if rec.is_empty() && refc.is_empty() && numc.is_empty() {
            true
        } else if let Some(prev) = builders.last() {
            let same_ref = refc.is_empty() || norm_reference(refc) == norm_reference(&prev.entry.reference);
            let same_num = numc.is_empty() || num_parsed == Some((prev.entry.number, prev.entry.sub_label.clone()));
            let same_rec = rec.is_empty() || rec == prev.raw_wording;
            same_ref && same_num && same_rec
        } else {
            false
        };

        if continuation {
            if builders.is_empty() {
                errors.push(row_error(
                    rown,
                    format!(
                        "This row has no recommendation, and there is no recommendation above it for it to belong to. Enter the recommendation's wording in the “{}” column.",
                        heading_of(ImportField::Recommendation)
                    ),
                ));
                continue;
            }
        } else {
            let mut entry = RegisterEntry::new(0, "");
            entry.row = rown;
            entry.reference = refc.to_string();
            let mut wording = rec.to_string();
            let mut number: Option<(i64, String)> = None;
            let mut number_source = String::new();
            let mut number_invalid = false;
            if !numc.is_empty() {
                match &num_parsed {
                    Some(n) => {
                        number = Some(n.clone());
                        number_source = heading_of(ImportField::Number);
                    }
                    None => {
                        number_invalid = true;
                        errors.push(cell_error(
                            rown,
                            &heading_of(ImportField::Number),
                            format!("“{numc}” is not a recommendation number. Write a number such as 3, or 3a for a sub-item."),
                        ));
                    }
                }
            }
            if number.is_none() && !number_invalid && !refc.is_empty() {
                if let Some(n) = number_from_reference(refc) {
                    // "1. That the Cabinet Member ..." beside reference R1: the prefix
                    // only repeats the number, so it is not part of the wording.
                    if let Some((pn, psub, rest)) = numbered_prefix(rec) {
                        if pn.is_none_or(|p| p == n.0) && (psub.is_empty() || psub == n.1) && !rest.is_empty() {
                            wording = rest.to_string();
                        }
                    }
                    number = Some(n);
                    number_source = heading_of(ImportField::Reference);
                }
            }
            if number.is_none() && !number_invalid {
                if let Some((n, sub, rest)) = numbered_prefix(rec) {
                    let n = n.or(current_number).unwrap_or(max_number + 1);
                    if n <= MAX_NUMBER {
                        number = Some((n, sub));
                        number_source = heading_of(ImportField::Recommendation);
                        wording = rest.to_string();
                    }
                }
            }
            let explicit = number.is_some();
            let (n, sub) = number.unwrap_or_else(|| (max_number + 1, String::new()));
            entry.number = n;
            entry.sub_label = sub;
            entry.committee_wording = wording;
            if entry.committee_wording.is_empty() {
                errors.push(cell_error(rown, &heading_of(ImportField::Recommendation), "Enter the recommendation's wording."));
            }
            let mut reference_repeated = false;
            if !refc.is_empty() {
                let key = norm_reference(refc);
                if let Some(first) = refs_seen.get(&key) {
                    reference_repeated = true;
                    errors.push(cell_error(
                        rown,
                        &heading_of(ImportField::Reference),
                        format!("Reference “{refc}” is already used on row {first}. Give each recommendation its own reference."),
                    ));
                } else {
                    refs_seen.insert(key, rown);
                }
            }
            // A number read from a repeated reference is repeated too: say it once.
            let number_from_repeated_reference = reference_repeated && number_source == heading_of(ImportField::Reference);
            if !number_invalid && !number_from_repeated_reference {
                let key = (entry.number, entry.sub_label.clone());
                if let Some(first) = numbers_seen.get(&key) {
                    let label = number_label(entry.number, Some(&entry.sub_label));
                    let from = if explicit && number_source != heading_of(ImportField::Number) {
                        format!(" (Assure took the number from the “{number_source}” column)")
                    } else {
                        String::new()
                    };
                    let column = if explicit { number_source.clone() } else { heading_of(ImportField::Recommendation) };
                    errors.push(cell_error(
                        rown,
                        &column,
                        format!("Number {label} is already used on row {first}{from}. Give each recommendation its own number."),
                    ));
                } else {
                    numbers_seen.insert(key, rown);
                }
            }
            max_number = max_number.max(entry.number);
            current_number = Some(entry.number);
            builders.push(Builder { entry, raw_wording: rec.to_string(), owner: String::new(), ongoing: false });
        }

        let b = builders.last_mut().expect("a recommendation was pushed or found above");
        let first_row = b.entry.row;
        // Free text fields: set on the first row, added to from continuation rows.
        append_text(&mut b.entry.executive_wording, cell(ImportField::ExecutiveWording));
        append_text(&mut b.entry.who_must_act, cell(ImportField::WhoMustAct));
        append_text(&mut b.entry.area, cell(ImportField::Area));
        append_text(&mut b.entry.outcome, cell(ImportField::Outcome));

        match parse_response(cell(ImportField::Response)) {
            Ok(Some(r)) => match b.entry.response {
                None => b.entry.response = Some(r),
                Some(old) if old != r => warnings.push(cell_error(
                    rown,
                    &heading_of(ImportField::Response),
                    format!(
                        "This row continues the recommendation on row {first_row}, which already has the response “{}”; that is kept.",
                        old.label()
                    ),
                )),
                Some(_) => {}
            },
            Ok(None) => {}
            Err(msg) => errors.push(cell_error(rown, &heading_of(ImportField::Response), msg)),
        }
        match parse_status(cell(ImportField::Status)) {
            Ok(Some(l)) => match b.entry.lifecycle {
                None => b.entry.lifecycle = Some(l),
                Some(old) if old != l => warnings.push(cell_error(
                    rown,
                    &heading_of(ImportField::Status),
                    format!(
                        "This row continues the recommendation on row {first_row}, which already has the status “{}”; that is kept.",
                        old.label()
                    ),
                )),
                Some(_) => {}
            },
            Ok(None) => {}
            Err(msg) => errors.push(cell_error(rown, &heading_of(ImportField::Status), msg)),
        }
        match parse_rag(cell(ImportField::Rag)) {
            Ok(Some(r)) => match b.entry.rag {
                None => b.entry.rag = Some(r),
                Some(old) if old != r => {
                    let worst = if rag_rank(r) > rag_rank(old) { r } else { old };
                    b.entry.rag = Some(worst);
                    warnings.push(cell_error(
                        rown,
                        &heading_of(ImportField::Rag),
                        format!(
                            "This row continues the recommendation on row {first_row} with a different RAG; the recommendation takes the worse colour, {}.",
                            worst.label()
                        ),
                    ));
                }
                Some(_) => {}
            },
            Ok(None) => {}
            Err(msg) => errors.push(cell_error(rown, &heading_of(ImportField::Rag), msg)),
        }

        let lead_cell = cell(ImportField::LeadOfficer);
        if !lead_cell.is_empty() {
            let leads = parse_leads(lead_cell);
            b.owner = owner_of(&leads);
            for l in leads {
                add_lead(&mut b.entry.leads, l);
            }
        }

        let (action, date) = (cell(ImportField::Action), cell(ImportField::ActionDate));
        if !action.is_empty() || !date.is_empty() {
            let dc = match parse_date_cell(date) {
                Ok(dc) => dc,
                Err(bad) => {
                    errors.push(cell_error(rown, &heading_of(ImportField::ActionDate), bad_date_message(&bad, today)));
                    DateCell::default()
                }
            };
            let mut prev: Option<NaiveDate> = None;
            for d in dc.target.iter().chain(dc.revisions.iter()) {
                if (d.year() - today.year()).abs() > 10 {
                    warnings.push(cell_error(
                        rown,
                        &heading_of(ImportField::ActionDate),
                        format!("{} is more than ten years from today: check the year.", format_target(*d)),
                    ));
                }
                if let Some(p) = prev {
                    if *d < p {
                        warnings.push(cell_error(
                            rown,
                            &heading_of(ImportField::ActionDate),
                            format!("The revised date {} is earlier than the date before it, {}.", format_target(*d), format_target(p)),
                        ));
                    }
                }
                prev = Some(*d);
            }
            b.ongoing |= dc.ongoing;
            let named = cell(ImportField::ActionOwner);
            b.entry.actions.push(ImportedAction {
                text: action.to_string(),
                owner: if named.is_empty() { b.owner.clone() } else { named.to_string() },
                target: dc.target,
                revisions: dc.revisions,
                done: dc.done,
            });
        }

        for u in parse_progress(cell(ImportField::Progress)) {
            if let Some(d) = u.date {
                if d > today {
                    warnings.push(cell_error(
                        rown,
                        &heading_of(ImportField::Progress),
                        format!("The update dated {} is in the future: check the date.", dates::long(d)),
                    ));
                }
            }
            b.entry.updates.push(u);
        }
    }

    if !errors.is_empty() {
        // In reading order: by row, whole-row problems first, then left to right.
        errors.sort_by_key(|e| (e.row, if e.column.is_empty() { None } else { headers.iter().position(|h| *h == e.column) }));
        return Err(errors);
    }
    if builders.is_empty() {
        // Every row below the headings had text only in columns that are not imported.
        return Err(vec![file_error(format!(
            "The file has no recommendations below the headings on row {hr}: the rows below them have text only in columns that are not imported. Check the column choices and the heading row."
        ))]);
    }
    let entries = builders
        .into_iter()
        .map(|b| {
            let mut e = b.entry;
            if !status_mapped && e.lifecycle.is_none() && !e.actions.is_empty() {
                if e.actions.iter().all(|a| a.done) {
                    e.lifecycle = Some(Lifecycle::CompleteAwaitingSignOff);
                } else if b.ongoing || e.actions.iter().any(|a| a.done) {
                    e.lifecycle = Some(Lifecycle::InProgress);
                }
            }
            e
        })
        .collect();
    Ok(ImportPlan { entries, warnings })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::test_support::*;
    use crate::import::MAX_CELL_CHARS;
    use crate::tracker::{Lifecycle, Rag};

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
        let e = plan(&t, &p, today()).unwrap().entries;
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
