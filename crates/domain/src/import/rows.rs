//! Reading the rows below the headings: which row starts a recommendation and which
//! continues the one above, the number each recommendation gets, and what every row
//! adds to its recommendation (texts, statuses, lead officers, an action, updates).

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use super::cells::{clean_cell, is_blank, parse_rag, parse_response, parse_status, rag_rank, thousands};
use super::dates::{bad_date_message, format_target, parse_date, parse_date_cell, DateCell};
use super::mapping::{field_index, ImportField, FIELD_COUNT};
use super::numbers::{norm_reference, number_from_reference, numbered_prefix};
use super::people::{add_lead, owner_of, parse_leads};
use super::plan::{Columns, Report};
use super::progress::parse_progress;
use super::{file_error, CellError, ImportPlan, ImportedAction, RegisterEntry, MAX_CELL_CHARS, MAX_NUMBER};
use crate::dates;
use crate::tracker::{number_label, Lifecycle};

/// The rows read so far: the recommendations they make, and what has been seen of
/// references and numbers (each may be used once).
pub(super) struct Rows<'c> {
    columns: &'c Columns,
    report: Report,
    today: NaiveDate,
    builders: Vec<Builder>,
    refs_seen: HashMap<String, usize>,
    numbers_seen: HashMap<(i64, String), usize>,
    max_number: i64,
    current_number: Option<i64>,
}

/// One row's cells, cleaned, by field ("" for a field that is not mapped).
struct Cells([String; FIELD_COUNT]);

impl Cells {
    fn get(&self, f: ImportField) -> &str {
        self.0[field_index(f)].as_str()
    }
}

/// A row under the recommendations that councils add for the reader, not a
/// recommendation: a totals row (its first cell "Total", "Totals", "Grand total",
/// perhaps with a colon and a count) or a note ("Note: RAG ratings are as at ...",
/// "Notes -", "NB:", "Key:", "Source:").
fn is_total_or_note(raw: &[String]) -> bool {
    let Some(first) = raw.iter().map(|c| clean_cell(c)).find(|c| !c.is_empty()) else {
        return false;
    };
    let lower = first.to_lowercase();
    let head = lower.split(':').next().unwrap_or("").trim();
    if matches!(head, "total" | "totals" | "grand total" | "sub-total" | "subtotal" | "sub total")
        && (!lower.contains(':') || lower.split(':').nth(1).is_some_and(|rest| rest.trim().chars().all(|c| c.is_ascii_digit() || c.is_whitespace())))
    {
        return true;
    }
    ["note:", "notes:", "note -", "notes -", "note –", "notes –", "nb:", "n.b.", "key:", "source:"].iter().any(|p| lower.starts_with(p))
}

/// A recommendation's number and wording, and where the number came from.
struct Numbering {
    number: Option<(i64, String)>,
    /// The heading of the column the number was read from.
    source: String,
    /// The Number cell holds something that is not a number.
    invalid: bool,
    wording: String,
}

impl<'c> Rows<'c> {
    pub(super) fn new(columns: &'c Columns, report: Report, today: NaiveDate) -> Rows<'c> {
        Rows {
            columns,
            report,
            today,
            builders: Vec::new(),
            refs_seen: HashMap::new(),
            numbers_seen: HashMap::new(),
            max_number: 0,
            current_number: None,
        }
    }

    /// Read one row (`rown` is 1-based, as the spreadsheet shows it).
    pub(super) fn read(&mut self, rown: usize, raw: &[String]) {
        if raw.iter().all(|c| is_blank(c)) {
            return;
        }
        if !self.builders.is_empty() && is_total_or_note(raw) {
            self.report.row_warning(rown, "This row is a total or a note below the recommendations, so it was skipped.");
            return;
        }
        let Some(cells) = self.cells(rown, raw) else {
            return;
        };
        let (rec, refc, numc) = (cells.get(ImportField::Recommendation), cells.get(ImportField::Reference), cells.get(ImportField::Number));
        let num_parsed = if numc.is_empty() { None } else { number_from_reference(numc) };
        if self.continues_above(rec, refc, numc, &num_parsed) {
            if self.builders.is_empty() {
                self.report.row_error(
                    rown,
                    format!(
                        "This row has no recommendation, and there is no recommendation above it for it to belong to. Enter the recommendation's wording in the “{}” column.",
                        self.columns.heading(ImportField::Recommendation)
                    ),
                );
                return;
            }
        } else {
            self.start_recommendation(rown, &cells, num_parsed);
        }
        let b = self.builders.last_mut().expect("a recommendation was pushed or found above");
        b.add_row(rown, &cells, self.columns, &mut self.report, self.today);
    }

    /// The mapped cells of a row, cleaned; over-long cells are reported (keeping the start
    /// of the key cells, so the row is still read as what it is). `None` when the row has
    /// text only in columns that are not imported.
    fn cells(&mut self, rown: usize, raw: &[String]) -> Option<Cells> {
        let mut cells: [String; FIELD_COUNT] = Default::default();
        for f in ImportField::ALL {
            let Some(ci) = self.columns.column(*f) else {
                continue;
            };
            let text = raw.get(ci).map(String::as_str).unwrap_or("");
            if text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
                self.report.error(
                    rown,
                    &self.columns.heading(*f),
                    format!(
                        "The cell has {} characters; Assure takes up to {} in one cell. Shorten it and import the file again.",
                        thousands(text.chars().count()),
                        thousands(MAX_CELL_CHARS)
                    ),
                );
                // Keep enough of the key cells for the row to be read as what it is.
                if matches!(f, ImportField::Recommendation | ImportField::Reference | ImportField::Number) {
                    cells[field_index(*f)] = clean_cell(&text.chars().take(200).collect::<String>());
                }
                continue;
            }
            cells[field_index(*f)] = clean_cell(text);
        }
        if cells.iter().all(|c| c.is_empty()) {
            if !self.report.has_error_on(rown) {
                self.report.row_warning(rown, "This row has text only in columns that are not imported, so it was skipped.");
            }
            return None;
        }
        Some(Cells(cells))
    }

    /// A continuation row: empty Reference, Number and Recommendation cells, or the same
    /// ones as the recommendation directly above (an unmerged sheet repeats them).
    fn continues_above(&self, rec: &str, refc: &str, numc: &str, num_parsed: &Option<(i64, String)>) -> bool {
        if rec.is_empty() && refc.is_empty() && numc.is_empty() {
            return true;
        }
        let Some(prev) = self.builders.last() else {
            return false;
        };
        let same_ref = refc.is_empty() || norm_reference(refc) == norm_reference(&prev.entry.reference);
        let same_num = numc.is_empty() || *num_parsed == Some((prev.entry.number, prev.entry.sub_label.clone()));
        let same_rec = rec.is_empty() || rec == prev.raw_wording;
        same_ref && same_num && same_rec
    }

    /// A row that starts a recommendation: its reference, number and wording, each
    /// reference and number used once.
    fn start_recommendation(&mut self, rown: usize, cells: &Cells, num_parsed: Option<(i64, String)>) {
        let (rec, refc) = (cells.get(ImportField::Recommendation), cells.get(ImportField::Reference));
        let mut entry = RegisterEntry::new(0, "");
        entry.row = rown;
        entry.reference = refc.to_string();
        let numbering = self.numbering(rown, cells, num_parsed);
        let explicit = numbering.number.is_some();
        let (n, sub) = numbering.number.unwrap_or_else(|| (self.max_number + 1, String::new()));
        entry.number = n;
        entry.sub_label = sub;
        entry.committee_wording = numbering.wording;
        if entry.committee_wording.is_empty() {
            self.report.error(rown, &self.columns.heading(ImportField::Recommendation), "Enter the recommendation's wording.");
        }
        let reference_repeated = self.check_reference(rown, refc);
        // A number read from a repeated reference is repeated too: say it once.
        let number_from_repeated_reference = reference_repeated && numbering.source == self.columns.heading(ImportField::Reference);
        if !numbering.invalid && !number_from_repeated_reference {
            self.check_number(rown, &entry, explicit, &numbering.source);
        }
        self.max_number = self.max_number.max(entry.number);
        self.current_number = Some(entry.number);
        self.builders.push(Builder { entry, raw_wording: rec.to_string(), owner: String::new(), ongoing: false });
    }

    /// The number: from the Number column; else from the end of the reference (a
    /// numbered prefix of the wording that only repeats it is dropped); else from a
    /// numbered prefix of the wording (which is then dropped). `None` when none gives one.
    fn numbering(&mut self, rown: usize, cells: &Cells, num_parsed: Option<(i64, String)>) -> Numbering {
        let (rec, refc, numc) = (cells.get(ImportField::Recommendation), cells.get(ImportField::Reference), cells.get(ImportField::Number));
        let mut n = Numbering { number: None, source: String::new(), invalid: false, wording: rec.to_string() };
        if !numc.is_empty() {
            match num_parsed {
                Some(parsed) => {
                    n.number = Some(parsed);
                    n.source = self.columns.heading(ImportField::Number);
                }
                None => {
                    n.invalid = true;
                    self.report.error(
                        rown,
                        &self.columns.heading(ImportField::Number),
                        format!("“{numc}” is not a recommendation number. Write a number such as 3, or 3a for a sub-item."),
                    );
                }
            }
        }
        if n.number.is_none() && !n.invalid && !refc.is_empty() {
            if let Some(from_ref) = number_from_reference(refc) {
                // "1. That the Cabinet Member ..." beside reference R1: the prefix
                // only repeats the number, so it is not part of the wording.
                if let Some((pn, psub, rest)) = numbered_prefix(rec) {
                    if pn.is_none_or(|p| p == from_ref.0) && (psub.is_empty() || psub == from_ref.1) && !rest.is_empty() {
                        n.wording = rest.to_string();
                    }
                }
                n.number = Some(from_ref);
                n.source = self.columns.heading(ImportField::Reference);
            }
        }
        if n.number.is_none() && !n.invalid {
            if let Some((pn, sub, rest)) = numbered_prefix(rec) {
                let pn = pn.or(self.current_number).unwrap_or(self.max_number + 1);
                if pn <= MAX_NUMBER {
                    n.number = Some((pn, sub));
                    n.source = self.columns.heading(ImportField::Recommendation);
                    n.wording = rest.to_string();
                }
            }
        }
        n
    }

    /// Report a reference already used above; true when it was.
    fn check_reference(&mut self, rown: usize, refc: &str) -> bool {
        if refc.is_empty() {
            return false;
        }
        let key = norm_reference(refc);
        if let Some(first) = self.refs_seen.get(&key) {
            self.report.error(
                rown,
                &self.columns.heading(ImportField::Reference),
                format!("Reference “{refc}” is already used on row {first}. Give each recommendation its own reference."),
            );
            true
        } else {
            self.refs_seen.insert(key, rown);
            false
        }
    }

    /// Report a number (and sub-item) already used above, naming where it was read from.
    fn check_number(&mut self, rown: usize, entry: &RegisterEntry, explicit: bool, source: &str) {
        let key = (entry.number, entry.sub_label.clone());
        if let Some(first) = self.numbers_seen.get(&key) {
            let label = number_label(entry.number, Some(&entry.sub_label));
            let from = if explicit && source != self.columns.heading(ImportField::Number) {
                format!(" (Assure took the number from the “{source}” column)")
            } else {
                String::new()
            };
            let column = if explicit { source.to_string() } else { self.columns.heading(ImportField::Recommendation) };
            self.report.error(
                rown,
                &column,
                format!("Number {label} is already used on row {first}{from}. Give each recommendation its own number."),
            );
        } else {
            self.numbers_seen.insert(key, rown);
        }
    }

    /// The plan, or every problem in reading order.
    pub(super) fn finish(self, hr: usize) -> Result<ImportPlan, Vec<CellError>> {
        if !self.report.errors.is_empty() {
            return Err(self.report.into_errors(self.columns));
        }
        if self.builders.is_empty() {
            // Every row below the headings had text only in columns that are not imported.
            return Err(vec![file_error(format!(
                "The file has no recommendations below the headings on row {hr}: the rows below them have text only in columns that are not imported. Check the column choices and the heading row."
            ))]);
        }
        let status_mapped = self.columns.column(ImportField::Status).is_some();
        let entries = self.builders.into_iter().map(|b| b.into_entry(status_mapped)).collect();
        let fields = ImportField::ALL.iter().copied().filter(|f| self.columns.column(*f).is_some()).collect();
        Ok(ImportPlan { entries, warnings: self.report.warnings, fields })
    }
}

/// A recommendation being read, row by row.
struct Builder {
    entry: RegisterEntry,
    /// The Recommendation cell as written (before a numbered prefix was removed).
    raw_wording: String,
    /// The owner new actions get when their row names no lead.
    owner: String,
    ongoing: bool,
}

impl Builder {
    /// What one row (the first or a continuation) adds.
    fn add_row(&mut self, rown: usize, cells: &Cells, columns: &Columns, report: &mut Report, today: NaiveDate) {
        let first_row = self.entry.row;
        // Free text fields: set on the first row, added to from continuation rows.
        append_text(&mut self.entry.executive_wording, cells.get(ImportField::ExecutiveWording));
        append_text(&mut self.entry.who_must_act, cells.get(ImportField::WhoMustAct));
        append_text(&mut self.entry.area, cells.get(ImportField::Area));
        append_text(&mut self.entry.outcome, cells.get(ImportField::Outcome));
        append_text(&mut self.entry.origin, cells.get(ImportField::Origin));
        let heading = |f: ImportField| columns.heading(f);
        // The executive's decision date: a date of the recommendation, never an action's.
        let decided = cells.get(ImportField::DecisionDate);
        if !decided.is_empty() {
            match parse_date(decided) {
                Some((d, _)) => keep_first(&mut self.entry.executive_decision_date, d, |old| {
                    report.warn(
                        rown,
                        &heading(ImportField::DecisionDate),
                        format!(
                            "This row continues the recommendation on row {first_row}, which already has the decision date {}; that is kept.",
                            dates::long(old)
                        ),
                    )
                }),
                None => report.error(
                    rown,
                    &heading(ImportField::DecisionDate),
                    format!("“{decided}” is not a date Assure recognises. Write the executive's decision date as, for example, 5 October 2017 or 05/10/2017."),
                ),
            }
        }

        match parse_response(cells.get(ImportField::Response)) {
            Ok(Some(r)) => keep_first(&mut self.entry.response, r, |old| {
                report.warn(
                    rown,
                    &heading(ImportField::Response),
                    format!(
                        "This row continues the recommendation on row {first_row}, which already has the response “{}”; that is kept.",
                        old.label()
                    ),
                )
            }),
            Ok(None) => {}
            Err(msg) => report.error(rown, &heading(ImportField::Response), msg),
        }
        match parse_status(cells.get(ImportField::Status)) {
            Ok(Some(l)) => keep_first(&mut self.entry.lifecycle, l, |old| {
                report.warn(
                    rown,
                    &heading(ImportField::Status),
                    format!(
                        "This row continues the recommendation on row {first_row}, which already has the status “{}”; that is kept.",
                        old.label()
                    ),
                )
            }),
            Ok(None) => {}
            Err(msg) => report.error(rown, &heading(ImportField::Status), msg),
        }
        match parse_rag(cells.get(ImportField::Rag)) {
            Ok(Some(r)) => match self.entry.rag {
                None => self.entry.rag = Some(r),
                Some(old) if old != r => {
                    let worst = if rag_rank(r) > rag_rank(old) { r } else { old };
                    self.entry.rag = Some(worst);
                    report.warn(
                        rown,
                        &heading(ImportField::Rag),
                        format!(
                            "This row continues the recommendation on row {first_row} with a different RAG; the recommendation takes the worse colour, {}.",
                            worst.label()
                        ),
                    );
                }
                Some(_) => {}
            },
            Ok(None) => {}
            Err(msg) => report.error(rown, &heading(ImportField::Rag), msg),
        }

        self.add_leads(cells.get(ImportField::LeadOfficer));
        self.add_action(rown, cells, columns, report, today);
        self.add_updates(rown, cells.get(ImportField::Progress), columns, report, today);
    }

    /// The lead officers a row names; they also own the row's action (and those of the
    /// continuation rows below that name none).
    fn add_leads(&mut self, lead_cell: &str) {
        if !lead_cell.is_empty() {
            let leads = parse_leads(lead_cell);
            self.owner = owner_of(&leads);
            for l in leads {
                add_lead(&mut self.entry.leads, l);
            }
        }
    }

    /// The row's action and its Date cell (target, revisions, done or ongoing).
    fn add_action(&mut self, rown: usize, cells: &Cells, columns: &Columns, report: &mut Report, today: NaiveDate) {
        let (action, date) = (cells.get(ImportField::Action), cells.get(ImportField::ActionDate));
        if action.is_empty() && date.is_empty() {
            return;
        }
        let date_heading = columns.heading(ImportField::ActionDate);
        let dc = match parse_date_cell(date) {
            Ok(dc) => dc,
            Err(bad) => {
                report.error(rown, &date_heading, bad_date_message(&bad, today));
                DateCell::default()
            }
        };
        let mut prev: Option<NaiveDate> = None;
        for d in dc.target.iter().chain(dc.revisions.iter()) {
            if (d.year() - today.year()).abs() > 10 {
                report.warn(rown, &date_heading, format!("{} is more than ten years from today: check the year.", format_target(*d)));
            }
            if let Some(p) = prev {
                if *d < p {
                    report.warn(
                        rown,
                        &date_heading,
                        format!("The revised date {} is earlier than the date before it, {}.", format_target(*d), format_target(p)),
                    );
                }
            }
            prev = Some(*d);
        }
        self.ongoing |= dc.ongoing;
        let named = cells.get(ImportField::ActionOwner);
        self.entry.actions.push(ImportedAction {
            text: action.to_string(),
            owner: if named.is_empty() { self.owner.clone() } else { named.to_string() },
            target: dc.target,
            revisions: dc.revisions,
            done: dc.done,
        });
    }

    /// The row's progress updates (noting any dated in the future).
    fn add_updates(&mut self, rown: usize, progress: &str, columns: &Columns, report: &mut Report, today: NaiveDate) {
        for u in parse_progress(progress) {
            if let Some(d) = u.date {
                if d > today {
                    report.warn(
                        rown,
                        &columns.heading(ImportField::Progress),
                        format!("The update dated {} is in the future: check the date.", dates::long(d)),
                    );
                }
            }
            self.entry.updates.push(u);
        }
    }

    /// The finished entry. Without a Status column its lifecycle follows its actions:
    /// all done is complete awaiting sign-off; any ongoing or done is in progress.
    fn into_entry(self, status_mapped: bool) -> RegisterEntry {
        let mut e = self.entry;
        if !status_mapped && e.lifecycle.is_none() && !e.actions.is_empty() {
            if e.actions.iter().all(|a| a.done) {
                e.lifecycle = Some(Lifecycle::CompleteAwaitingSignOff);
            } else if self.ongoing || e.actions.iter().any(|a| a.done) {
                e.lifecycle = Some(Lifecycle::InProgress);
            }
        }
        e
    }
}

/// The first value a recommendation's rows give is kept; a different one later is noted.
fn keep_first<T: Copy + PartialEq>(slot: &mut Option<T>, value: T, differs: impl FnOnce(T)) {
    match *slot {
        None => *slot = Some(value),
        Some(old) if old != value => differs(old),
        Some(_) => {}
    }
}

/// Add a line of text to a field, unless it is already there.
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

#[cfg(test)]
mod tests {
    use super::super::plan::plan;
    use super::*;
    use crate::import::test_support::*;

    /// Issue 14's corpus: a totals row and a note under the recommendations were read
    /// as recommendations (the totals row's RAG refused, the note refused for having
    /// no wording). They are skipped, and the preview says so.
    #[test]
    fn totals_rows_and_notes_under_the_recommendations_are_skipped() {
        let t = table(&[
            &["Ref", "Recommendation", "RAG"],
            &["HSC1", "Total transport costs are reviewed", "Green"],
            &["HSC2", "That GPs are trained", "Red"],
            &["Total", "2 recommendations", "Red 1, Green 1"],
            &["Note: RAG ratings are as at 1 October 2025.", "", ""],
            &["Totals: 2", "", ""],
        ]);
        let p = preset(1, &[(ImportField::Reference, "Ref"), (ImportField::Recommendation, "Recommendation"), (ImportField::Rag, "RAG")]);
        let plan = plan(&t, &p, today()).unwrap_or_else(|e| panic!("{e:#?}")).into_inner();
        let wordings: Vec<&str> = plan.entries.iter().map(|e| e.committee_wording.as_str()).collect();
        assert_eq!(wordings, ["Total transport costs are reviewed", "That GPs are trained"]);
        let skipped: Vec<usize> = plan.warnings.iter().filter(|w| w.message.contains("a total or a note")).map(|w| w.row).collect();
        assert_eq!(skipped, [4, 5, 6]);
        // Above the first recommendation, nothing is taken for a note.
        assert!(!is_total_or_note(&["That the total cost is published".to_string()]));
        assert!(!is_total_or_note(&["Total: £3,000 for training".to_string()]));
    }
}
