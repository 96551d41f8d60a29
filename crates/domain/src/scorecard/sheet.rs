//! Reading a scorecard from the layout councils keep it in (seed 004): **Performance
//! measure | What does it show? | Requires improvement | Good | Outstanding**, then,
//! optionally, a column per month of values ("2026-10", "Oct 2026" or "October 2026")
//! and a Unit column.
//!
//! Every row's bands are checked as the form checks them ([`check_bands`]); a value is
//! a number or empty; every problem comes back with its row and column, and nothing is
//! taken from a file with any problem.

use chrono::{Datelike, NaiveDate};

use super::{check_measure, parse_number, BandsInput, MeasureInput, ValueSource};
use crate::datasets::Month;
use crate::import::{clean_cell, CellError, Table};

/// One measure as read, with its values by month.
#[derive(Debug, Clone, PartialEq)]
pub struct ScorecardRow {
    /// As the spreadsheet numbers it (1-based).
    pub row: usize,
    pub measure: MeasureInput,
    pub values: Vec<(Month, f64)>,
}

/// The headings of the scorecard layout, for a template.
pub fn scorecard_headings() -> Vec<String> {
    ["Performance measure", "What does it show?", "Requires improvement", "Good", "Outstanding", "Unit"].iter().map(|s| s.to_string()).collect()
}

fn heading(s: &str) -> String {
    clean_cell(s).to_lowercase().trim_end_matches('?').trim().to_string()
}

/// "2026-10", "Oct 2026", "October 2026", "Oct-26": a month.
fn month_heading(s: &str) -> Option<Month> {
    let t = clean_cell(s);
    if let Some(m) = Month::parse(&t) {
        return Some(m);
    }
    let candidates = [(format!("1 {t}"), "%d %b %Y"), (format!("1 {t}"), "%d %B %Y"), (format!("1-{t}"), "%d-%b-%y"), (format!("1-{t}"), "%d-%B-%y")];
    candidates.iter().find_map(|(text, f)| NaiveDate::parse_from_str(text, f).ok().and_then(|d| Month::new(d.year(), d.month())))
}

fn error(row: usize, column: &str, message: impl std::fmt::Display) -> CellError {
    if column.is_empty() {
        CellError { row, column: String::new(), message: format!("Row {row}: {message}") }
    } else {
        CellError { row, column: column.to_string(), message: format!("Row {row}, column “{column}”: {message}") }
    }
}

/// Read a scorecard sheet (see the module's note).
pub fn read_scorecard_sheet(table: &Table) -> Result<Vec<ScorecardRow>, Vec<CellError>> {
    let Some(h) = table.iter().position(|r| {
        let hs: Vec<String> = r.iter().map(|c| heading(c)).collect();
        hs.iter().any(|x| x == "performance measure") && hs.iter().any(|x| x == "good")
    }) else {
        return Err(vec![error(
            0,
            "",
            "no heading row with “Performance measure” and the bands was found: the layout is Performance measure | What does it show? | Requires improvement | Good | Outstanding",
        )]);
    };
    let headings: Vec<String> = table[h].iter().map(|c| heading(c)).collect();
    let col = |names: &[&str]| headings.iter().position(|x| names.contains(&x.as_str()));
    let title = col(&["performance measure"]);
    let shows = col(&["what does it show", "what it shows"]);
    let ri = col(&["requires improvement", "requires improvement band"]);
    let good = col(&["good"]);
    let out = col(&["outstanding"]);
    let unit = col(&["unit"]);
    let months: Vec<(usize, Month)> = table[h].iter().enumerate().filter_map(|(i, c)| month_heading(c).map(|m| (i, m))).collect();
    let cell = |row: &Vec<String>, i: Option<usize>| i.and_then(|i| row.get(i)).map(|c| clean_cell(c)).unwrap_or_default();
    let mut errors = Vec::new();
    let mut out_rows = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, row) in table.iter().enumerate().skip(h + 1) {
        let n = i + 1;
        if row.iter().all(|c| clean_cell(c).is_empty()) {
            continue;
        }
        let measure = MeasureInput {
            title: cell(row, title),
            shows: cell(row, shows),
            unit: cell(row, unit),
            bands: BandsInput { requires_improvement: cell(row, ri), good: cell(row, good), outstanding: cell(row, out), direction: None },
            source: Some(ValueSource::Imported),
            ..Default::default()
        };
        if let Err(e) = check_measure(&measure) {
            for x in e.errors {
                let column = match x.field.as_str() {
                    "title" => "Performance measure",
                    "requires_improvement" => "Requires improvement",
                    "good" => "Good",
                    "outstanding" => "Outstanding",
                    _ => "",
                };
                errors.push(error(n, column, x.message));
            }
        }
        if !measure.title.trim().is_empty() && !seen.insert(measure.title.trim().to_lowercase()) {
            errors.push(error(n, "Performance measure", format!("“{}” is on the sheet twice", measure.title.trim())));
        }
        let mut values = Vec::new();
        for (c, m) in &months {
            let text = cell(row, Some(*c));
            if text.is_empty() {
                continue;
            }
            match parse_number(&text) {
                Some(x) => values.push((*m, x)),
                None => errors.push(error(
                    n,
                    &clean_cell(&table[h][*c]),
                    format!("“{text}” is not a number: write the month's value, such as 85, or leave it empty"),
                )),
            }
        }
        out_rows.push(ScorecardRow { row: n, measure, values });
    }
    if errors.is_empty() && out_rows.is_empty() {
        errors.push(error(0, "", "the file has a heading row but no measures under it"));
    }
    if errors.is_empty() {
        Ok(out_rows)
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
    fn the_seed_layout_reads_with_month_columns() {
        let rows = read_scorecard_sheet(&t(&[
            &["HOW WE WILL KNOW OUR PRACTICE IS GOOD"],
            &["Performance Measure", "What does it show?", "Requires Improvement", "Good", "Outstanding", "Sep 2026", "2026-10"],
            &["Supervisions to standard", "Supervision is regular.", "70-79", "80-89", "90-100", "82", "85%"],
            &["Caseloads", "Manageable work.", "35-26", "25-20", "19-10", "", "24"],
            &["Foster carers approved", "", "", "", "Increase", "3", ""],
        ]))
        .unwrap();
        assert_eq!(rows.len(), 3);
        let (sep, oct) = (Month::new(2026, 9).unwrap(), Month::new(2026, 10).unwrap());
        assert_eq!(rows[0].values, vec![(sep, 82.0), (oct, 85.0)]);
        assert_eq!(rows[1].values, vec![(oct, 24.0)]);
        assert_eq!(rows[2].measure.bands.outstanding, "Increase");
        assert_eq!(rows[0].row, 3);
    }

    #[test]
    fn overlapping_bands_and_bad_values_are_reported_by_row_and_column() {
        let e = read_scorecard_sheet(&t(&[
            &["Performance measure", "Requires improvement", "Good", "Outstanding", "October 2026"],
            &["Seen within 10 days", "65-75", "75-84", "85-100", "lots"],
            &["Seen within 10 days", "65-74", "75-84", "85-100", ""],
            &["", "1-2", "3-4", "5-6", ""],
        ]))
        .unwrap_err();
        let m: Vec<&str> = e.iter().map(|c| c.message.as_str()).collect();
        assert!(m.iter().any(|x| x.starts_with("Row 2, column “Good”") && x.contains("overlaps")), "{m:?}");
        assert!(m.iter().any(|x| x.starts_with("Row 2, column “October 2026”")), "{m:?}");
        assert!(m.iter().any(|x| x.starts_with("Row 3, column “Performance measure”") && x.contains("twice")), "{m:?}");
        assert!(m.iter().any(|x| x.starts_with("Row 4, column “Performance measure”")), "{m:?}");
    }
}
