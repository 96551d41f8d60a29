//! Assure's document edges. Committee papers go out as DOCX (first: committees edit
//! them in Word), PDF, XLSX, CSV and an HTML print view, each drawn from one
//! [`assure_domain::report::MonitoringReport`]; trackers come in as XLSX or CSV and
//! leave as a [`Table`] of text cells for the domain's importer to read.
//!
//! Nothing here touches the database.

#![forbid(unsafe_code)]

pub mod docx;
pub mod html;
pub mod moderngov;
pub mod paper;
pub mod pdf;
pub mod read;
pub mod spreadsheet;
pub mod subject_access;

/// Rows of text cells; the first row holds the headings.
pub type Table = Vec<Vec<String>>;

/// The formats a monitoring report can be produced in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Docx,
    Pdf,
    Xlsx,
    Csv,
    Html,
}

impl Format {
    pub const ALL: &'static [Format] = &[Format::Docx, Format::Pdf, Format::Xlsx, Format::Csv, Format::Html];
    pub fn extension(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
            Format::Html => "html",
        }
    }
    pub fn from_extension(s: &str) -> Option<Format> {
        Format::ALL.iter().copied().find(|f| f.extension() == s.to_ascii_lowercase())
    }
    pub fn label(self) -> &'static str {
        match self {
            Format::Docx => "Word (DOCX)",
            Format::Pdf => "PDF",
            Format::Xlsx => "Excel (XLSX)",
            Format::Csv => "CSV",
            Format::Html => "Print view (HTML)",
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Format::Pdf => "application/pdf",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Html => "text/html; charset=utf-8",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("{0}")]
    Render(String),
    /// PDF needs LibreOffice on the server.
    #[error(
        "PDF output needs LibreOffice on the server ({0}). Download the Word version instead, or ask your administrator to install LibreOffice."
    )]
    NoConverter(String),
    #[error("converting to PDF failed: {0}")]
    Convert(String),
    /// LibreOffice did not finish within its time limit and was stopped.
    #[error("LibreOffice took longer than {0} seconds to make the PDF and was stopped")]
    TimedOut(u64),
    /// Every converter slot stayed taken while this conversion waited for one.
    #[error("the server is already making {0} PDFs at once")]
    Busy(usize),
}

impl DocumentError {
    /// A PDF that could not be made just now but may be on a later try (the converter
    /// was busy or too slow), as opposed to a document it cannot convert at all.
    pub fn is_transient(&self) -> bool {
        matches!(self, DocumentError::TimedOut(_) | DocumentError::Busy(_))
    }
}

/// Produce a monitoring report in the given format.
pub fn render(report: &assure_domain::report::MonitoringReport, format: Format) -> Result<Vec<u8>, DocumentError> {
    match format {
        Format::Docx => docx::report(report),
        Format::Pdf => pdf::from_docx(&docx::report(report)?),
        Format::Xlsx => spreadsheet::report_xlsx(report),
        Format::Csv => Ok(spreadsheet::report_csv(report)),
        Format::Html => Ok(html::report(report).into_bytes()),
    }
}

/// Produce a quarterly report (the MACSE report or the Cabinet report) in the given
/// format: DOCX, PDF (from the DOCX), XLSX or CSV of its tables.
pub fn render_quarterly(report: &assure_domain::quarterly::QuarterlyReport, format: Format) -> Result<Vec<u8>, DocumentError> {
    match format {
        Format::Docx => docx::quarterly(report),
        Format::Pdf => pdf::from_docx(&docx::quarterly(report)?),
        Format::Xlsx => spreadsheet::table_xlsx(&[("Figures", &report.table_rows())]),
        Format::Csv => Ok(spreadsheet::table_csv(&report.table_rows())),
        Format::Html => Err(DocumentError::Render("a quarterly report has no print view; read it on its page".into())),
    }
}

/// Produce a meeting's agenda pack: DOCX, or PDF from the DOCX (one file, page numbers
/// through the pack).
pub fn render_agenda_pack(pack: &assure_domain::meetings::AgendaPack, format: Format) -> Result<Vec<u8>, DocumentError> {
    match format {
        Format::Docx => docx::agenda_pack(pack),
        Format::Pdf => pdf::from_docx(&docx::agenda_pack(pack)?),
        _ => Err(DocumentError::Render("an agenda pack is a Word document or a PDF".into())),
    }
}

/// Produce a published forward plan: DOCX, or PDF from the DOCX.
pub fn render_forward_plan(
    organisation: &str,
    plan: &assure_domain::forward_plan::PlanSnapshot,
    fingerprint: &str,
    format: Format,
) -> Result<Vec<u8>, DocumentError> {
    match format {
        Format::Docx => docx::forward_plan(organisation, plan, fingerprint),
        Format::Pdf => pdf::from_docx(&docx::forward_plan(organisation, plan, fingerprint)?),
        _ => Err(DocumentError::Render("a forward plan is a Word document or a PDF".into())),
    }
}

/// The formats an agenda pack is produced in.
pub const AGENDA_PACK_FORMATS: &[Format] = &[Format::Docx, Format::Pdf];

/// The formats a quarterly report is produced in.
pub const QUARTERLY_FORMATS: &[Format] = &[Format::Docx, Format::Pdf, Format::Xlsx, Format::Csv];
