//! Monitoring reports and tables as spreadsheets: XLSX for people who filter and
//! sort, CSV for everything else.
//!
//! Every text cell goes through [`safe_cell`] so nothing a lead officer typed can
//! run as a formula when the file is opened in a spreadsheet program, and XLSX
//! cells are only ever written as strings (or, for counts, numbers) — never as
//! formulas.

use std::io::Write;

use assure_domain::import::{register_headings, register_rows, RegisterEntry};
use assure_domain::report::{change_lines, MonitoringReport, ReportRow};
use assure_domain::tracker::Rag;
use rust_xlsxwriter::{Color, DocProperties, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::docx::{self, rag_colours};
use crate::{DocumentError, Table};

/// Characters that make a spreadsheet program read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Excel's limit on the characters in one cell (counted in UTF-16 units).
const EXCEL_CELL_LIMIT: usize = 32_767;

/// Defend a text cell against formula injection (OWASP "CSV injection"): a cell
/// that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a single
/// quote `'` in front, always — even "-2" or "+44 151 934 2068", so the rule is
/// simple and predictable. Assure's importer removes one leading `'` that is
/// followed by one of those characters, so a round trip is lossless.
pub fn safe_cell(s: &str) -> String {
    match s.chars().next() {
        Some(c) if FORMULA_STARTS.contains(&c) => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// Characters a spreadsheet program may split a CSV line on (a comma, a semicolon as
/// in many European locales, a tab, a bar) or start a new row at.
const SEPARATORS: [char; 6] = [',', ';', '\t', '|', '\n', '\r'];

/// Defend a CSV field: [`safe_cell`], and also a `'` before any `=`, `+`, `-` or `@`
/// that follows a separator (after any spaces or double quotes), so that text such as
/// `x;=3+3;y` cannot become a formula in a program that splits the line on `;` (or
/// ignores the quotes). Assure's importer removes these quotes again.
pub fn safe_csv_cell(s: &str) -> String {
    let s = safe_cell(s);
    let mut out = String::with_capacity(s.len() + 2);
    let mut after_separator = false;
    for c in s.chars() {
        if after_separator && matches!(c, '=' | '+' | '-' | '@') {
            out.push('\'');
            after_separator = false;
        } else if SEPARATORS.contains(&c) {
            after_separator = true;
        } else if !(after_separator && matches!(c, ' ' | '"')) {
            after_separator = false;
        }
        out.push(c);
    }
    out
}

/// A table as CSV for Excel: UTF-8 with a byte order mark, CRLF line ends, every
/// field quoted, and every cell through [`safe_csv_cell`].
pub fn table_csv(table: &Table) -> Vec<u8> {
    let mut csv = CsvStream::new(Vec::new()).expect("writing to memory");
    for row in table {
        csv.row(row).expect("writing to memory");
    }
    csv.finish().expect("writing to memory")
}

/// [`table_csv`] a row at a time, into any writer: memory does not grow with the rows.
pub struct CsvStream<W: Write> {
    out: W,
}

impl<W: Write> CsvStream<W> {
    /// Start the file (the byte order mark).
    pub fn new(mut out: W) -> std::io::Result<Self> {
        out.write_all("\u{feff}".as_bytes())?;
        Ok(CsvStream { out })
    }

    pub fn row(&mut self, row: &[String]) -> std::io::Result<()> {
        let fields: Vec<String> = row.iter().map(|c| csv_field(&safe_csv_cell(c))).collect();
        self.out.write_all(fields.join(",").as_bytes())?;
        self.out.write_all(b"\r\n")
    }

    /// The writer, flushed.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// One sheet written a row at a time in rust_xlsxwriter's constant-memory mode (rows
/// go to a temporary file as they are written, and the workbook is zipped straight
/// into the writer at the end): memory does not grow with the rows. The same look as
/// [`table_xlsx`], except that column widths come from a sample (the first rows)
/// rather than the whole table.
pub struct XlsxStream {
    wb: Workbook,
    next_row: u32,
    cols: usize,
    widths: Vec<f64>,
    text: Format,
}

impl XlsxStream {
    /// A workbook with one sheet; `sample` is the headings row and some rows to size
    /// the columns by. The headings row is written; the sample's other rows are not.
    pub fn new(name: &str, sample: &Table) -> Result<XlsxStream, DocumentError> {
        let mut wb = Workbook::new();
        let cols = sample.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<f64> = (0..cols).map(|c| column_width(sample, c)).collect();
        {
            let ws = wb.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
            ws.set_name(sheet_name(name, 0)).map_err(xlsx_error)?;
            print_setup(ws).map_err(xlsx_error)?;
            for (c, width) in widths.iter().enumerate() {
                ws.set_column_width(c as u16, *width).map_err(xlsx_error)?;
            }
        }
        let mut s = XlsxStream { wb, next_row: 0, cols, widths, text: text_format() };
        if let Some(headings) = sample.first() {
            let heading = heading_format();
            s.write(headings, &heading)?;
        }
        Ok(s)
    }

    fn write(&mut self, row: &[String], format: &Format) -> Result<(), DocumentError> {
        let r = self.next_row;
        let height = row_height(row, &self.widths);
        let ws = self.wb.worksheet_from_index(0).map_err(xlsx_error)?;
        for (c, value) in row.iter().enumerate() {
            ws.write_string_with_format(r, c as u16, fit(&safe_cell(value)), format).map_err(xlsx_error)?;
        }
        ws.set_row_height(r, height).map_err(xlsx_error)?;
        self.cols = self.cols.max(row.len());
        self.next_row += 1;
        Ok(())
    }

    pub fn row(&mut self, row: &[String]) -> Result<(), DocumentError> {
        let text = self.text.clone();
        self.write(row, &text)
    }

    /// Freeze and filter the headings row, and zip the workbook into `out`.
    pub fn finish<W: Write + Send>(mut self, out: W) -> Result<(), DocumentError> {
        let (rows, cols) = (self.next_row, self.cols);
        let ws = self.wb.worksheet_from_index(0).map_err(xlsx_error)?;
        if rows > 0 && cols > 0 {
            ws.set_freeze_panes(1, 0).map_err(xlsx_error)?;
            ws.autofilter(0, 0, rows - 1, (cols - 1) as u16).map_err(xlsx_error)?;
        }
        self.wb.save_to_writer(out).map_err(xlsx_error)
    }
}

fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Tables as an XLSX workbook, one sheet per (name, table): the heading row bold,
/// shaded, frozen and filterable; text wrapped; sensible column widths; every
/// cell written as a string through [`safe_cell`].
pub fn table_xlsx(sheets: &[(&str, &Table)]) -> Result<Vec<u8>, DocumentError> {
    let mut wb = Workbook::new();
    for (i, (name, table)) in sheets.iter().enumerate() {
        let ws = wb.add_worksheet();
        write_sheet(ws, &sheet_name(name, i), table, &[]).map_err(xlsx_error)?;
    }
    wb.save_to_buffer().map_err(xlsx_error)
}

/// The register written out a chunk of entries at a time, as XLSX (one "Register"
/// sheet, in constant-memory mode) or CSV, the same rows as
/// [`register_table`](assure_domain::import::register_table): memory holds one chunk,
/// however long the register. `progress` is told how many entries are written after
/// each chunk. Returns how many entries were written.
pub fn write_register<W, E>(
    xlsx: bool,
    chunks: impl IntoIterator<Item = Result<Vec<RegisterEntry>, E>>,
    out: &mut W,
    mut progress: impl FnMut(usize),
) -> Result<usize, DocumentError>
where
    W: Write + Send,
    E: std::fmt::Display,
{
    let read = |c: Result<Vec<RegisterEntry>, E>| c.map_err(|e| DocumentError::Render(format!("could not read the register: {e}")));
    let io = |e: std::io::Error| DocumentError::Render(format!("could not write the register: {e}"));
    let mut chunks = chunks.into_iter();
    let mut written = 0;
    if xlsx {
        let first = chunks.next().map(read).transpose()?.unwrap_or_default();
        let mut sample: Table = vec![register_headings()];
        sample.extend(first.iter().flat_map(register_rows));
        let mut sheet = XlsxStream::new("Register", &sample)?;
        for row in sample.iter().skip(1) {
            sheet.row(row)?;
        }
        drop(sample);
        written += first.len();
        progress(written);
        for chunk in chunks {
            let chunk = read(chunk)?;
            for e in &chunk {
                for row in register_rows(e) {
                    sheet.row(&row)?;
                }
            }
            written += chunk.len();
            progress(written);
        }
        sheet.finish(&mut *out)?;
    } else {
        let mut csv = CsvStream::new(&mut *out).map_err(io)?;
        csv.row(&register_headings()).map_err(io)?;
        for chunk in chunks {
            let chunk = read(chunk)?;
            for e in &chunk {
                for row in register_rows(e) {
                    csv.row(&row).map_err(io)?;
                }
            }
            written += chunk.len();
            progress(written);
        }
        csv.finish().map_err(io)?;
    }
    out.flush().map_err(io)?;
    Ok(written)
}

/// The monitoring report as an XLSX workbook: "Progress" (the layout's columns
/// plus reference, status and executive response; RAG cells filled with the RAG
/// colour and holding the word), "Summary", "RAG key", and "Changes" when the
/// report includes a comparison.
pub fn report_xlsx(r: &MonitoringReport) -> Result<Vec<u8>, DocumentError> {
    let mut wb = Workbook::new();
    let title = if r.cover.subject.trim().is_empty() { &r.title } else { &r.cover.subject };
    wb.set_properties(
        &DocProperties::new().set_title(fit(title)).set_subject(fit(&r.title)).set_author(fit(&r.organisation)).set_company(fit(&r.organisation)),
    );
    let progress = progress_table(r);
    let rag_col = progress.first().and_then(|h| h.iter().position(|c| c == "RAG"));
    let rags: Vec<(usize, usize, Option<Rag>)> = match rag_col {
        Some(col) => r.rows.iter().enumerate().map(|(i, row)| (i + 1, col, row.rag)).collect(),
        None => vec![],
    };
    write_sheet(wb.add_worksheet(), "Progress", &progress, &rags).map_err(xlsx_error)?;
    write_summary(wb.add_worksheet(), r).map_err(xlsx_error)?;
    let key = docx::rag_key(r);
    let key_table: Table = std::iter::once(vec!["RAG".to_string(), "What it means".to_string()])
        .chain(key.iter().map(|(_, words, m)| vec![words.clone(), m.clone()]))
        .collect();
    let key_rags: Vec<(usize, usize, Option<Rag>)> = key.iter().enumerate().map(|(i, (g, _, _))| (i + 1, 0, *g)).collect();
    write_sheet(wb.add_worksheet(), "RAG key", &key_table, &key_rags).map_err(xlsx_error)?;
    if r.changes.is_some() {
        write_sheet(wb.add_worksheet(), "Changes", &changes_table(r), &[]).map_err(xlsx_error)?;
    }
    wb.save_to_buffer().map_err(xlsx_error)
}

/// The progress table as CSV: the same columns as the XLSX "Progress" sheet.
pub fn report_csv(r: &MonitoringReport) -> Vec<u8> {
    table_csv(&progress_table(r))
}

/// The progress table as text cells: Reference, the layout's columns, Status,
/// Executive response, then RAG and Progress made when the layout lacks them.
/// Control characters are removed and Word's vertical-tab line breaks become
/// line breaks.
pub fn progress_table(r: &MonitoringReport) -> Table {
    let layout = r.layout.headings();
    let mut headings: Vec<String> = vec!["Reference".into()];
    headings.extend(layout.iter().map(|h| h.to_string()));
    headings.extend(["Status".to_string(), "Executive response".to_string()]);
    // Where a recommendation came from and when the executive decided, when any row says.
    if r.rows.iter().any(|row| !row.origin.trim().is_empty()) {
        headings.push("Origin".to_string());
    }
    if r.rows.iter().any(|row| row.executive_decision_date.is_some()) {
        headings.push("Executive decision date".to_string());
    }
    for extra in ["RAG", "Progress made"] {
        if !layout.contains(&extra) {
            headings.push(extra.to_string());
        }
    }
    if r.has_outcomes() {
        headings.push(assure_domain::report::OUTCOME_HEADING.to_string());
    }
    let mut table = vec![headings.clone()];
    for row in &r.rows {
        table.push(headings.iter().map(|h| docx::clean(&progress_cell(row, h))).collect());
    }
    table
}

fn progress_cell(row: &ReportRow, heading: &str) -> String {
    match heading {
        "Reference" => row.reference.clone(),
        "Recommendation" => {
            if row.label.trim().is_empty() {
                row.wording.clone()
            } else {
                format!("{} {}", row.label.trim(), row.wording)
            }
        }
        "Progress made" => updates_text(row),
        "Lead officer" => row.lead_officers.join("\n"),
        "Action" => {
            row.actions.iter().map(|a| if a.done { format!("{} (completed)", a.text) } else { a.text.clone() }).collect::<Vec<_>>().join("\n")
        }
        "Date" => row.date_cell(),
        "RAG" => row.rag_words(),
        "Status" => row.lifecycle.label().to_string(),
        "Executive response" => row.response.label().to_string(),
        "Origin" => row.origin.clone(),
        "Executive decision date" => row.executive_decision_date.map(assure_domain::dates::long).unwrap_or_default(),
        h if h.starts_with("Improved outcome") => row.outcome.clone(),
        assure_domain::report::OUTCOME_HEADING => row.outcome_cell(),
        _ => String::new(),
    }
}

fn updates_text(row: &ReportRow) -> String {
    if row.updates.is_empty() {
        return docx::NO_UPDATE.to_string();
    }
    row.updates.iter().map(|u| format!("{}{}", docx::update_heading(u.date), u.narrative.trim())).collect::<Vec<_>>().join("\n\n")
}

fn changes_table(r: &MonitoringReport) -> Table {
    let mut t = vec![vec!["Reference".to_string(), "Recommendation".to_string(), "What changed".to_string()]];
    let Some(diff) = &r.changes else { return t };
    if diff.changes.is_empty() {
        t.push(vec![String::new(), String::new(), docx::NO_CHANGES.to_string()]);
    }
    for c in &diff.changes {
        let rec = if c.label.trim().is_empty() { c.wording.clone() } else { format!("{} {}", c.label.trim(), c.wording) };
        for line in change_lines(c) {
            t.push(vec![docx::clean(&c.reference), docx::clean(&rec), docx::clean(&line)]);
        }
    }
    t
}

fn xlsx_error(e: XlsxError) -> DocumentError {
    DocumentError::Render(format!("could not write the spreadsheet: {e}"))
}

/// Keep text within Excel's cell limit, saying so when it had to be cut.
fn fit(s: &str) -> String {
    if s.encode_utf16().count() <= EXCEL_CELL_LIMIT {
        return s.to_string();
    }
    let note = " … [cut short: see the Word version for the full text]";
    let mut out = String::new();
    let mut units = note.encode_utf16().count();
    for c in s.chars() {
        units += c.len_utf16();
        if units > EXCEL_CELL_LIMIT {
            break;
        }
        out.push(c);
    }
    out + note
}

/// A valid, distinct-enough sheet name: no `[]:*?/\`, at most 31 characters.
fn sheet_name(name: &str, index: usize) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) || c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .trim_matches('\'')
        .chars()
        .take(31)
        .collect();
    if cleaned.trim().is_empty() {
        format!("Sheet{}", index + 1)
    } else {
        cleaned
    }
}

fn heading_format() -> Format {
    Format::new().set_bold().set_background_color(Color::RGB(0xD9D9D9)).set_border(FormatBorder::Thin).set_text_wrap().set_align(FormatAlign::Top)
}

fn text_format() -> Format {
    Format::new().set_text_wrap().set_align(FormatAlign::Top).set_border(FormatBorder::Thin)
}

fn rag_format(rag: Option<Rag>) -> Format {
    let (fill, text) = rag_colours(rag);
    text_format().set_bold().set_align(FormatAlign::Center).set_background_color(Color::from(fill)).set_font_color(Color::from(text))
}

/// A column width in characters: the longest line, between 8 and 40.
fn column_width(table: &Table, col: usize) -> f64 {
    let longest = table.iter().filter_map(|row| row.get(col)).flat_map(|c| c.lines().map(|l| l.chars().count()).max()).max().unwrap_or(0);
    (longest as f64 + 2.0).clamp(8.0, 40.0)
}

/// Points per line of the default 11pt font.
const LINE_HEIGHT: f64 = 15.0;

/// A row height that shows every wrapped line: spreadsheet programs do not all
/// grow rows for wrapped text when they open a file, so it is set explicitly.
fn row_height(row: &[String], widths: &[f64]) -> f64 {
    let lines = row
        .iter()
        .zip(widths)
        .map(|(cell, width)| {
            let per_line = (width - 1.0).max(1.0);
            cell.split('\n').map(|l| ((l.chars().count() as f64) / per_line).ceil().max(1.0)).sum::<f64>()
        })
        .fold(1.0, f64::max);
    (lines * LINE_HEIGHT + 3.0).min(409.0)
}

/// Print set-up shared by every sheet: A4 landscape, one page wide, heading row
/// repeated, gridlines, page numbers.
fn print_setup(ws: &mut Worksheet) -> Result<(), XlsxError> {
    ws.set_landscape().set_paper_size(9).set_print_fit_to_pages(1, 0).set_print_gridlines(true);
    ws.set_footer("&CPage &P of &N");
    ws.set_repeat_rows(0, 0)?;
    Ok(())
}

/// Write a table: heading row formatted, frozen and filtered; cells as strings
/// through [`safe_cell`]; the listed (row, column) cells filled with their RAG colour.
fn write_sheet(ws: &mut Worksheet, name: &str, table: &Table, rags: &[(usize, usize, Option<Rag>)]) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    print_setup(ws)?;
    let heading = heading_format();
    let text = text_format();
    let cols = table.iter().map(Vec::len).max().unwrap_or(0);
    for (r, row) in table.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            let format = match rags.iter().find(|(rr, cc, _)| *rr == r && *cc == c) {
                Some((_, _, g)) => rag_format(*g),
                None if r == 0 => heading.clone(),
                None => text.clone(),
            };
            ws.write_string_with_format(r as u32, c as u16, fit(&safe_cell(value)), &format)?;
        }
    }
    let widths: Vec<f64> = (0..cols).map(|c| column_width(table, c)).collect();
    for (c, width) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *width)?;
    }
    for (r, row) in table.iter().enumerate() {
        ws.set_row_height(r as u32, row_height(row, &widths))?;
    }
    if !table.is_empty() && cols > 0 {
        ws.set_freeze_panes(1, 0)?;
        ws.autofilter(0, 0, (table.len() - 1) as u32, (cols - 1) as u16)?;
    }
    Ok(())
}

/// The "Summary" sheet: measures as text, counts as numbers.
fn write_summary(ws: &mut Worksheet, r: &MonitoringReport) -> Result<(), XlsxError> {
    ws.set_name("Summary")?;
    print_setup(ws)?;
    let heading = heading_format();
    let text = text_format();
    ws.write_string_with_format(0, 0, "Measure", &heading)?;
    ws.write_string_with_format(0, 1, "Number", &heading)?;
    let lines = r.summary.lines();
    for (i, (label, n)) in lines.iter().enumerate() {
        let row = (i + 1) as u32;
        ws.write_string_with_format(row, 0, fit(&safe_cell(label)), &text)?;
        ws.write_number_with_format(row, 1, *n as f64, &text)?;
    }
    ws.set_column_width(0, 50)?;
    ws.set_column_width(1, 12)?;
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, lines.len() as u32, 1)?;
    Ok(())
}
