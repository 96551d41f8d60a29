//! What the import tests share: dates, tables and presets.

use chrono::NaiveDate;

use super::mapping::{ImportField, Mapping, Preset};
use super::people::lead;
use super::{ImportedLead, Table};

pub(super) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub(super) fn today() -> NaiveDate {
    d(2018, 1, 16)
}

pub(super) fn table(rows: &[&[&str]]) -> Table {
    rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

pub(super) fn preset(header_row: usize, cols: &[(ImportField, &str)]) -> Preset {
    Preset { name: "test".into(), header_row, mapping: Mapping { columns: cols.iter().map(|(f, h)| (*f, h.to_string())).collect() } }
}

pub(super) fn tracker_preset() -> Preset {
    preset(
        1,
        &[
            (ImportField::Recommendation, "Recommendation"),
            (ImportField::LeadOfficer, "Lead Officer"),
            (ImportField::Action, "Action"),
            (ImportField::ActionDate, "Date"),
            (ImportField::Outcome, "Improved outcome for children / young people"),
            (ImportField::Rag, "RAG"),
        ],
    )
}

pub(super) const TRACKER_HEADINGS: &[&str] =
    &["Recommendation", "Lead Officer", "Action", "Date", "Improved outcome for children / young people", "RAG"];

pub(super) fn l(name: &str, title: &str) -> ImportedLead {
    lead(name, title)
}
