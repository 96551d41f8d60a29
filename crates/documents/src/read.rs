//! Reading an uploaded tracker (XLSX or CSV) into a [`Table`] of text cells for
//! `assure_domain::import::plan`.
//!
//! The format is decided by the content, the file name being only a hint:
//! - a zip (`PK\x03\x04`) is an Excel workbook when it holds `xl/workbook.xml`; other
//!   zips (Word, PowerPoint, OpenDocument, XLSB, anything else) are refused by name;
//! - an OLE/CFB container (`D0 CF 11 E0`) is either a password-protected workbook (its
//!   directory names the streams `EncryptionInfo`/`EncryptedPackage`, found as
//!   UTF-16LE names) or an old binary Office file (`.xls`, `.doc`): refused with words
//!   saying what to do;
//! - anything else that is text is CSV: UTF-8 with or without BOM, UTF-16 LE/BE
//!   (Excel's "Unicode text", tab-separated), or Windows-1252 when it is not UTF-8;
//!   the separator (`,` `;` or tab) is sniffed, and an Excel `sep=;` first line is obeyed.
//!
//! Table row `i` is spreadsheet row `i + 1` (empty rows above the data are kept so
//! that row numbers in messages match what Excel shows); trailing empty rows and
//! columns are trimmed and every row has the same width. XLSX cells become text:
//! strings as they are, whole numbers without ".0", dates as "31 May 2017" (or "May
//! 2017" when the cell's number format shows no day), booleans "TRUE"/"FALSE", error
//! values as Excel shows them ("#N/A") so that the import points at them, and the
//! non-first cells of a merged range empty.

use std::io::Cursor;

use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx, XlsxError};

use crate::Table;

/// Largest upload accepted.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Data beyond this many rows is refused (the importer takes 5,000 recommendations).
pub const MAX_ROWS: usize = 20_000;
/// Data beyond this many columns is refused.
pub const MAX_COLUMNS: usize = 100;
/// Most text one sheet may expand to.
pub const MAX_TEXT_BYTES: usize = 64 * 1024 * 1024;

/// Why a file could not be read. The `Display` texts are shown to council officers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("The file is larger than {limit_mb} MB. Remove anything the import does not need, or split it into smaller files, and upload it again.")]
    TooBig { limit_mb: usize },
    #[error("The file is empty. Check you chose the right file and upload it again.")]
    Empty,
    #[error("This file is not a spreadsheet. Upload the tracker as an Excel workbook (.xlsx) or a CSV file.")]
    NotASpreadsheet,
    #[error("The workbook is protected with a password, so Assure cannot open it. Open it in Excel, remove the password (File, Info, Protect Workbook, Encrypt with Password), save it and upload it again.")]
    PasswordProtected,
    #[error("The file could not be read: {0}. Open it in Excel, save it again and upload the new copy.")]
    Corrupt(String),
    #[error("Assure cannot read {0} files. Save it as .xlsx or .csv and upload it again.")]
    UnsupportedFormat(String),
    #[error("The workbook has no worksheet with anything in it. Check you chose the right file.")]
    NoSheets,
    #[error("The workbook has no worksheet called “{0}”.")]
    NoSuchSheet(String),
    #[error("The sheet has data below row {limit}. Assure imports smaller trackers: split it into smaller files and upload each one.")]
    TooManyRows { limit: usize },
    #[error("The sheet has data beyond column {limit}. Delete the columns the import does not need and upload it again.")]
    TooManyColumns { limit: usize },
    #[error(
        "The sheet holds more than {limit_mb} MB of text, far more than a tracker needs. Remove what the import does not need and upload it again."
    )]
    TooMuchText { limit_mb: usize },
}

/// What kind of file the table came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Xlsx,
    Csv,
}

/// A read file: the table, the sheet it came from and the sheets there were.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadFile {
    pub table: Table,
    pub format: SourceFormat,
    /// The worksheet read ("" for CSV).
    pub sheet: String,
    /// All worksheets in the workbook, in order (empty for CSV).
    pub sheets: Vec<String>,
}

/// Read an uploaded file into a table of text cells (first sheet with data).
pub fn read_table(bytes: &[u8], file_name: &str) -> Result<Table, ReadError> {
    read_file(bytes, file_name, None).map(|f| f.table)
}

/// Read an uploaded file; `sheet` chooses a worksheet by name (XLSX only), otherwise
/// the first visible worksheet with data is read (then hidden ones).
pub fn read_file(bytes: &[u8], file_name: &str, sheet: Option<&str>) -> Result<ReadFile, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(ReadError::TooBig { limit_mb: MAX_BYTES / (1024 * 1024) });
    }
    let ext = file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        // calamine is a large parser of untrusted input: should it ever panic on a
        // damaged workbook, the person gets "damaged file", not a failed request.
        // (Under the fuzzer a panic still aborts, so it is still found.)
        return std::panic::catch_unwind(|| read_zip(bytes, sheet)).unwrap_or_else(|_| Err(ReadError::Corrupt("the workbook is damaged".into())));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(classify_cfb(bytes, &ext));
    }
    if bytes.starts_with(b"%PDF") || bytes.starts_with(b"{\\rtf") {
        return Err(ReadError::NotASpreadsheet);
    }
    let (text, tab_hint) = match decode_text(bytes) {
        Some(t) => t,
        // Binary that is not text: a broken workbook if it was called one.
        None if matches!(ext.as_str(), "xlsx" | "xlsm") => return Err(ReadError::Corrupt("it is not a complete Excel workbook".into())),
        None => return Err(ReadError::NotASpreadsheet),
    };
    let start: String = text.trim_start().chars().take(200).collect::<String>().to_ascii_lowercase();
    if start.starts_with("<!doctype html") || start.starts_with("<html") || start.starts_with("<table") {
        return Err(ReadError::UnsupportedFormat("web page (HTML)".into()));
    }
    if start.starts_with("<?xml") {
        return Err(if text.contains("urn:schemas-microsoft-com:office:spreadsheet") {
            ReadError::UnsupportedFormat("XML Spreadsheet 2003".into())
        } else {
            ReadError::NotASpreadsheet
        });
    }
    let table = read_csv(&text, tab_hint)?;
    Ok(ReadFile { table, format: SourceFormat::Csv, sheet: String::new(), sheets: Vec::new() })
}

// ---------------------------------------------------------------------------
// Zip containers
// ---------------------------------------------------------------------------

fn le16(b: &[u8], at: usize) -> Option<usize> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?) as usize)
}

fn le32(b: &[u8], at: usize) -> Option<usize> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?) as usize)
}

/// Names and declared uncompressed size from the central directory, or `None` when
/// there is no readable central directory (a cut-short file).
fn zip_directory(b: &[u8]) -> Option<(Vec<String>, u64)> {
    let from = b.len().saturating_sub(22 + 65_535);
    let eocd = (from..=b.len().saturating_sub(22)).rev().find(|&i| b[i..].starts_with(b"PK\x05\x06"))?;
    let count = le16(b, eocd + 10)?;
    let mut at = le32(b, eocd + 16)?;
    let mut names = Vec::new();
    let mut total: u64 = 0;
    for _ in 0..count {
        if !b.get(at..)?.starts_with(b"PK\x01\x02") {
            return None;
        }
        let size = le32(b, at + 24)? as u64;
        let (n, e, c) = (le16(b, at + 28)?, le16(b, at + 30)?, le16(b, at + 32)?);
        names.push(String::from_utf8_lossy(b.get(at + 46..at + 46 + n)?).into_owned());
        total = total.saturating_add(if size == 0xFFFF_FFFF { u64::MAX / 4 } else { size });
        at += 46 + n + e + c;
    }
    Some((names, total))
}

/// Names in the local file headers, scanning from the start (for files cut short).
fn zip_local_names(b: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut i = 0;
    while i + 30 <= b.len() && names.len() < 1000 {
        if b[i..].starts_with(b"PK\x03\x04") {
            if let Some(n) = le16(b, i + 26) {
                if let Some(name) = b.get(i + 30..i + 30 + n) {
                    names.push(String::from_utf8_lossy(name).into_owned());
                }
            }
            i += 30;
        } else {
            i += 1;
        }
    }
    names
}

fn read_zip(bytes: &[u8], sheet: Option<&str>) -> Result<ReadFile, ReadError> {
    let Some((names, expanded)) = zip_directory(bytes) else {
        let local = zip_local_names(bytes);
        if local.is_empty() || local.iter().any(|n| n.starts_with("xl/") || n == "[Content_Types].xml") {
            return Err(ReadError::Corrupt("it is incomplete, perhaps cut short while it was being saved or uploaded".into()));
        }
        return Err(classify_other_zip(&local, bytes).unwrap_or(ReadError::Corrupt("it is incomplete or damaged".into())));
    };
    let has = |n: &str| names.iter().any(|x| x.eq_ignore_ascii_case(n));
    if !has("xl/workbook.xml") {
        if has("xl/workbook.bin") {
            return Err(ReadError::UnsupportedFormat("XLSB (Excel binary workbook)".into()));
        }
        return Err(classify_other_zip(&names, bytes).unwrap_or(ReadError::NotASpreadsheet));
    }
    if expanded > 8 * MAX_TEXT_BYTES as u64 {
        return Err(ReadError::TooMuchText { limit_mb: MAX_TEXT_BYTES / (1024 * 1024) });
    }
    let mut wb = Xlsx::new(Cursor::new(bytes)).map_err(xlsx_error)?;
    let all: Vec<(String, bool)> =
        wb.sheets_metadata().iter().filter(|s| s.typ == SheetType::WorkSheet).map(|s| (s.name.clone(), s.visible == SheetVisible::Visible)).collect();
    let sheets: Vec<String> = all.iter().map(|(n, _)| n.clone()).collect();
    if let Some(want) = sheet {
        let Some(name) = sheets.iter().find(|n| n.as_str() == want).cloned() else {
            return Err(ReadError::NoSuchSheet(want.to_string()));
        };
        let table = read_sheet(&mut wb, &name)?;
        return Ok(ReadFile { table, format: SourceFormat::Xlsx, sheet: name, sheets });
    }
    let order = all.iter().filter(|(_, v)| *v).chain(all.iter().filter(|(_, v)| !*v));
    for (name, _) in order {
        let table = read_sheet(&mut wb, name)?;
        if !table.is_empty() {
            return Ok(ReadFile { table, format: SourceFormat::Xlsx, sheet: name.clone(), sheets });
        }
    }
    Err(ReadError::NoSheets)
}

fn classify_other_zip(names: &[String], bytes: &[u8]) -> Option<ReadError> {
    let has_prefix = |p: &str| names.iter().any(|n| n.starts_with(p));
    if has_prefix("word/") || has_prefix("ppt/") || has_prefix("visio/") {
        return Some(ReadError::NotASpreadsheet);
    }
    if names.iter().any(|n| n == "mimetype") {
        let head = &bytes[..bytes.len().min(200)];
        if head.windows(24).any(|w| w == b"opendocument.spreadsheet") {
            return Some(ReadError::UnsupportedFormat("OpenDocument spreadsheet (.ods)".into()));
        }
        return Some(ReadError::NotASpreadsheet);
    }
    if names.iter().any(|n| n.starts_with("Index/") && n.ends_with(".iwa")) {
        return Some(ReadError::UnsupportedFormat("Apple Numbers".into()));
    }
    None
}

fn xlsx_error(e: XlsxError) -> ReadError {
    match e {
        XlsxError::Password => ReadError::PasswordProtected,
        XlsxError::Zip(_) | XlsxError::Io(_) => ReadError::Corrupt("part of the workbook is missing or damaged".into()),
        XlsxError::FileNotFound(_) | XlsxError::RelationshipNotFound | XlsxError::WorksheetNotFound(_) => {
            ReadError::Corrupt("part of the workbook is missing".into())
        }
        other => {
            let mut s: String = other.to_string().chars().take(120).collect();
            if s.is_empty() {
                s = "the workbook is damaged".into();
            }
            ReadError::Corrupt(format!("the workbook is damaged ({s})"))
        }
    }
}

/// Whether an Excel number format shows no day (e.g. "mmm-yy", "mmmm yyyy").
fn format_is_month_only(code: &str) -> bool {
    let mut plain = String::new();
    let mut in_quote = false;
    let mut in_bracket = false;
    let mut escaped = false;
    for c in code.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '"' => in_quote = !in_quote,
            '[' if !in_quote => in_bracket = true,
            ']' if !in_quote => in_bracket = false,
            _ if in_quote || in_bracket => {}
            c => plain.push(c.to_ascii_lowercase()),
        }
    }
    plain.contains('m') && plain.contains('y') && !plain.contains('d') && !plain.contains('h') && !plain.contains('s')
}

const MONTHS: [&str; 12] = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

fn cell_text(v: &DataRef<'_>, number_format: Option<&str>) -> String {
    match v {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => float_text(*f),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::Error(e) => e.to_string(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::DateTime(dt) => {
            let value = dt.as_f64();
            if !value.is_finite() {
                return String::new();
            }
            if dt.is_duration() || (0.0..1.0).contains(&value) {
                let minutes = (value * 24.0 * 60.0).round() as i64;
                return format!("{}:{:02}", minutes / 60, minutes % 60);
            }
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            if !(1..=12).contains(&m) || chrono::NaiveDate::from_ymd_opt(y as i32, m as u32, d as u32).is_none() {
                return float_text(value);
            }
            let month = MONTHS[m as usize - 1];
            if number_format.is_some_and(format_is_month_only) {
                format!("{month} {y}")
            } else {
                format!("{d} {month} {y}")
            }
        }
    }
}

fn float_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

fn read_sheet(wb: &mut Xlsx<Cursor<&[u8]>>, name: &str) -> Result<Table, ReadError> {
    let mut reader = wb.worksheet_cells_reader(name).map_err(xlsx_error)?;
    let styles: Vec<Option<String>> = reader.styles().iter().map(|s| s.number_format.as_ref().map(|n| n.format_code.clone())).collect();
    let mut cells: Vec<(usize, usize, String)> = Vec::new();
    let mut text_bytes = 0usize;
    while let Some((cell, style)) = reader.next_cell_with_style_id().map_err(xlsx_error)? {
        let (r, c) = cell.get_position();
        let text = cell_text(cell.get_value(), styles.get(style).and_then(|s| s.as_deref()));
        if text.trim().is_empty() {
            continue;
        }
        let (r, c) = (r as usize, c as usize);
        if r >= MAX_ROWS {
            return Err(ReadError::TooManyRows { limit: MAX_ROWS });
        }
        if c >= MAX_COLUMNS {
            return Err(ReadError::TooManyColumns { limit: MAX_COLUMNS });
        }
        text_bytes += text.len();
        if text_bytes > MAX_TEXT_BYTES {
            return Err(ReadError::TooMuchText { limit_mb: MAX_TEXT_BYTES / (1024 * 1024) });
        }
        cells.push((r, c, text));
    }
    let rows = cells.iter().map(|(r, _, _)| r + 1).max().unwrap_or(0);
    let cols = cells.iter().map(|(_, c, _)| c + 1).max().unwrap_or(0);
    let mut table = vec![vec![String::new(); cols]; rows];
    for (r, c, text) in cells {
        // A cell written twice keeps its first value.
        if table[r][c].is_empty() {
            table[r][c] = text;
        }
    }
    Ok(table)
}

// ---------------------------------------------------------------------------
// OLE / CFB containers
// ---------------------------------------------------------------------------

/// The stream and storage names in an OLE/CFB container's directory, read with
/// bounds checks at every step (calamine's parser asserts on some damaged files, so
/// it is not used here). `None` when the directory cannot be reached.
fn cfb_names(b: &[u8]) -> Option<Vec<String>> {
    let shift = le16(b, 0x1E)?;
    if shift != 9 && shift != 12 {
        return None;
    }
    let ss = 1usize << shift;
    let sector = |id: usize| -> Option<&[u8]> {
        let start = id.checked_add(1)?.checked_mul(ss)?;
        b.get(start..start.checked_add(ss)?)
    };
    let mut fat: Vec<u32> = Vec::new();
    for i in 0..109 {
        let id = le32(b, 0x4C + 4 * i)?;
        if id >= 0xFFFF_FFFA {
            continue;
        }
        if let Some(sec) = sector(id) {
            fat.extend(sec.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])));
        }
    }
    let mut names = Vec::new();
    let mut id = le32(b, 0x30)?;
    let mut steps = 0;
    while id < 0xFFFF_FFFA && steps <= b.len() / ss {
        steps += 1;
        let Some(sec) = sector(id) else { break };
        for entry in sec.chunks_exact(128) {
            let len = (u16::from_le_bytes([entry[0x40], entry[0x41]]) as usize).min(64);
            if matches!(entry[0x42], 1 | 2) && len >= 2 {
                let units: Vec<u16> = entry[..len - 2].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
                names.push(String::from_utf16_lossy(&units));
            }
        }
        id = *fat.get(id)? as usize;
    }
    (!names.is_empty()).then_some(names)
}

fn contains_utf16_name(bytes: &[u8], name: &str) -> bool {
    let needle: Vec<u8> = name.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}

fn classify_cfb(bytes: &[u8], ext: &str) -> ReadError {
    // The directory's names say what the container holds; when the directory cannot
    // be read (a damaged or cut-short file), look for the names as UTF-16 anywhere.
    let names = cfb_names(bytes);
    let has = |name: &str| match &names {
        Some(ns) => ns.iter().any(|n| n == name),
        None => contains_utf16_name(bytes, name),
    };
    if has("EncryptedPackage") || has("EncryptionInfo") {
        return ReadError::PasswordProtected;
    }
    if has("Workbook") || has("Book") || matches!(ext, "xls" | "xlt") {
        return ReadError::UnsupportedFormat("XLS (Excel 97-2003)".into());
    }
    if has("WordDocument") || has("PowerPoint Document") {
        return ReadError::NotASpreadsheet;
    }
    ReadError::UnsupportedFormat("older Microsoft Office (97-2003)".into())
}

// ---------------------------------------------------------------------------
// Text / CSV
// ---------------------------------------------------------------------------

/// Decode text; `None` when the bytes are not text. The flag says the encoding
/// suggests tab separation (UTF-16, as Excel's "Unicode text" writes).
fn decode_text(bytes: &[u8]) -> Option<(String, bool)> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return Some((decode_8bit(rest), false));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return Some((encoding_rs::UTF_16LE.decode_without_bom_handling(rest).0.into_owned(), true));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return Some((encoding_rs::UTF_16BE.decode_without_bom_handling(rest).0.into_owned(), true));
    }
    let head = &bytes[..bytes.len().min(1024)];
    let zeros_at = |parity: usize| head.iter().skip(parity).step_by(2).filter(|b| **b == 0).count();
    let pairs = head.len() / 2;
    if pairs >= 2 {
        let (even, odd) = (zeros_at(0), zeros_at(1));
        if odd * 10 >= pairs * 4 && even * 10 <= pairs {
            return Some((encoding_rs::UTF_16LE.decode_without_bom_handling(bytes).0.into_owned(), true));
        }
        if even * 10 >= pairs * 4 && odd * 10 <= pairs {
            return Some((encoding_rs::UTF_16BE.decode_without_bom_handling(bytes).0.into_owned(), true));
        }
    }
    if head.contains(&0) {
        return None;
    }
    let controls = head.iter().filter(|b| **b < 0x20 && !matches!(**b, b'\t' | b'\n' | b'\r' | 0x0C)).count();
    if controls * 20 > head.len().max(1) {
        return None;
    }
    Some((decode_8bit(bytes), false))
}

fn decode_8bit(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned(),
    }
}

fn csv_reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes())
}

/// Choose the separator that splits the first records most consistently.
fn sniff_delimiter(text: &str, tab_hint: bool) -> u8 {
    let mut end = text.len().min(64 * 1024);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = &text[..end];
    let candidates: &[u8] = if tab_hint { b"\t,;" } else { b",;\t" };
    let mut best = (0usize, 0usize, candidates[0]);
    for &d in candidates {
        let counts: Vec<usize> = csv_reader(sample, d).byte_records().take(50).filter_map(Result::ok).map(|r| r.len()).collect();
        let mut mode = (0usize, 0usize); // (rows, fields)
        for &n in &counts {
            if n < 2 {
                continue;
            }
            let rows = counts.iter().filter(|&&m| m == n).count();
            if (rows, n) > mode {
                mode = (rows, n);
            }
        }
        if (mode.0, mode.1) > (best.0, best.1) {
            best = (mode.0, mode.1, d);
        }
    }
    best.2
}

fn read_csv(text: &str, tab_hint: bool) -> Result<Table, ReadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Excel's "sep=;" line names the separator and is not part of the data.
    let (text, delimiter) = match text.split_once('\n') {
        Some((first, rest)) if first.trim_end().len() == 5 && first.to_ascii_lowercase().starts_with("sep=") => {
            let d = first.as_bytes()[4];
            (rest, if matches!(d, b',' | b';' | b'\t' | b'|') { d } else { sniff_delimiter(rest, tab_hint) })
        }
        _ => (text, sniff_delimiter(text, tab_hint)),
    };
    let mut table: Table = Vec::new();
    let mut text_bytes = 0usize;
    for (i, rec) in csv_reader(text, delimiter).byte_records().enumerate() {
        let rec = rec.map_err(|e| ReadError::Corrupt(format!("the CSV could not be read ({e})")))?;
        let blank = rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace));
        if i >= MAX_ROWS {
            if blank {
                continue;
            }
            return Err(ReadError::TooManyRows { limit: MAX_ROWS });
        }
        let mut row = Vec::with_capacity(rec.len().min(MAX_COLUMNS));
        for (c, f) in rec.iter().enumerate() {
            if c >= MAX_COLUMNS {
                if f.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                return Err(ReadError::TooManyColumns { limit: MAX_COLUMNS });
            }
            text_bytes += f.len();
            row.push(String::from_utf8_lossy(f).into_owned());
        }
        if text_bytes > MAX_TEXT_BYTES {
            return Err(ReadError::TooMuchText { limit_mb: MAX_TEXT_BYTES / (1024 * 1024) });
        }
        table.push(row);
    }
    Ok(tidy(table))
}

/// Trim trailing empty rows and columns and pad every row to the same width.
fn tidy(mut table: Table) -> Table {
    let empty = |s: &String| s.trim().is_empty();
    while table.last().is_some_and(|r| r.iter().all(empty)) {
        table.pop();
    }
    let width = table.iter().map(|r| r.iter().rposition(|c| !empty(c)).map_or(0, |p| p + 1)).max().unwrap_or(0);
    for r in &mut table {
        r.resize(width, String::new());
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_only_formats() {
        assert!(format_is_month_only("mmm-yy"));
        assert!(format_is_month_only("mmmm yyyy"));
        assert!(format_is_month_only("[$-809]mmmm yyyy"));
        assert!(!format_is_month_only("dd/mm/yyyy"));
        assert!(!format_is_month_only("d mmmm yyyy"));
        assert!(!format_is_month_only("h:mm"));
        assert!(!format_is_month_only("General"));
    }

    #[test]
    fn numbers_as_people_see_them() {
        assert_eq!(float_text(3.0), "3");
        assert_eq!(float_text(-12.0), "-12");
        assert_eq!(float_text(0.25), "0.25");
        assert_eq!(float_text(1e20), "100000000000000000000");
    }

    #[test]
    fn sniffs_separators() {
        assert_eq!(sniff_delimiter("a;b;c\n1;2;3\n", false), b';');
        assert_eq!(sniff_delimiter("a,b\n1,2\n", false), b',');
        assert_eq!(sniff_delimiter("a\tb\tc, d\n1\t2\t3, 4\n", false), b'\t');
        assert_eq!(sniff_delimiter("one column\nonly\n", false), b',');
        assert_eq!(sniff_delimiter("\"a;b\",c\n\"1;2\",3\n", false), b',');
    }

    #[test]
    fn tidies_tables() {
        let t = vec![vec!["a".to_string(), "".into(), "".into()], vec!["".into(), "b".into()], vec!["  ".into()], vec![]];
        assert_eq!(tidy(t), vec![vec!["a".to_string(), "".into()], vec!["".into(), "b".into()]]);
    }

    #[test]
    fn excel_sep_line() {
        let t = read_csv("sep=;\nRecommendation;RAG\nDo it;Red\n", false).unwrap();
        assert_eq!(t, vec![vec!["Recommendation".to_string(), "RAG".into()], vec!["Do it".into(), "Red".into()]]);
    }
}
