//! Preparing a report: starting a draft for a meeting, changing a draft's cover,
//! layout and comparison, and issuing or deleting it. An issued report never changes.

use chrono::NaiveDate;

use super::{Cover, Layout, MonitoringReport};
use crate::validation::{Checked, Invalid};

/// A new report as typed: what it covers (a review, a committee, or both) and when.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportInput {
    pub review_id: Option<i64>,
    pub body_id: Option<i64>,
    pub meeting_date: Option<NaiveDate>,
    /// `None` is the progress-made layout.
    pub layout: Option<Layout>,
}

impl ReportInput {
    pub const FIELDS: &'static [&'static str] = &["review_id", "body_id", "meeting_date", "layout"];
}

/// A report ready to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReport {
    pub review_id: Option<i64>,
    pub body_id: Option<i64>,
    pub meeting_date: NaiveDate,
    pub layout: Layout,
}

/// A report covers a review or a committee (or both) and is for a meeting's date.
/// Whether they exist and have recommendations to report is for storage to add.
pub fn check_new_report(r: &ReportInput) -> Result<Checked<NewReport>, Invalid> {
    let mut v = Invalid::new();
    if r.review_id.is_none() && r.body_id.is_none() {
        v.add("review_id", "Choose a review or a committee to report on");
    }
    if r.meeting_date.is_none() {
        v.add("meeting_date", "Enter the date of the meeting, for example 16/01/2018");
    }
    v.finish()?;
    let Some(meeting_date) = r.meeting_date else {
        return Err(Invalid::single("meeting_date", "Enter the date of the meeting, for example 16/01/2018"));
    };
    Ok(Checked::new(NewReport { review_id: r.review_id, body_id: r.body_id, meeting_date, layout: r.layout.unwrap_or(Layout::ProgressMade) }))
}

/// What is being done to a report; an issued one refuses each in its own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportChange {
    Edit,
    Delete,
    Issue,
}

/// An issued report is a record of what members were told: it is never edited,
/// deleted or issued again.
pub fn check_still_draft(issued: bool, change: ReportChange) -> Result<(), Invalid> {
    if !issued {
        return Ok(());
    }
    Err(Invalid::single(
        "report",
        match change {
            ReportChange::Edit => "This report has been issued and can no longer change. Start a new report for the next meeting",
            ReportChange::Delete => "An issued report is a record of what members were told and cannot be deleted",
            ReportChange::Issue => "This report has already been issued",
        },
    ))
}

/// A draft's cover, layout and comparison as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftInput {
    pub cover: Cover,
    pub layout: Option<Layout>,
    /// `None` when neither yes nor no was chosen.
    pub include_changes: Option<bool>,
    pub compare_with_id: Option<i64>,
}

impl DraftInput {
    /// The cover form's fields, top to bottom.
    pub const FIELDS: &'static [&'static str] = &[
        "report",
        "report_to",
        "meeting_date",
        "subject",
        "report_of",
        "wards_affected",
        "portfolio",
        "key_decision",
        "in_forward_plan",
        "exempt",
        "purpose",
        "recommendation",
        "reasons",
        "alternative_options",
        "revenue_costs",
        "capital_costs",
        "implications_financial",
        "implications_legal",
        "implications_hr",
        "equality",
        "corporate_objectives",
        "consultations",
        "finance_ref",
        "legal_ref",
        "implementation_date",
        "contact_name",
        "contact_phone",
        "contact_email",
        "appendices",
        "background_papers",
        "introduction",
        "layout",
        "include_changes",
        "compare_with_id",
    ];
}

/// A draft's change ready to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftChange {
    pub cover: Cover,
    /// The cover's meeting date, which the report is filed under.
    pub meeting_date: NaiveDate,
    pub layout: Layout,
    pub include_changes: bool,
    pub compare_with_id: Option<i64>,
}

/// Only a draft changes (`issued` as stored); its cover has what [`Cover::validate`]
/// asks; a layout and a yes or no to the appendix of changes are chosen, and the
/// appendix needs the earlier report. Whether that report is an earlier one of the
/// same scope is for storage to add.
pub fn check_draft(d: &DraftInput, issued: bool) -> Result<Checked<DraftChange>, Invalid> {
    let mut v = check_still_draft(issued, ReportChange::Edit).err().unwrap_or_default();
    if let Err(e) = d.cover.validate() {
        v.absorb(e);
    }
    if d.layout.is_none() {
        v.add("layout", "Choose the layout of the progress table");
    }
    match d.include_changes {
        None => v.add("include_changes", "Select yes or no: include an appendix of changes?"),
        Some(true) if d.compare_with_id.is_none() => v.add("compare_with_id", "Choose the earlier report whose changes the appendix should show"),
        Some(_) => {}
    }
    v.finish()?;
    let (Some(meeting_date), Some(layout), Some(include_changes)) = (d.cover.meeting_date, d.layout, d.include_changes) else {
        return Err(Invalid::single("meeting_date", "Enter the date of the meeting, for example 16/01/2018"));
    };
    Ok(Checked::new(DraftChange { cover: d.cover.clone(), meeting_date, layout, include_changes, compare_with_id: d.compare_with_id }))
}

/// A report is issued with a complete cover and at least one recommendation; what
/// it says is then frozen. `report` is the draft as assembled now.
pub fn check_issue(report: MonitoringReport) -> Result<Checked<MonitoringReport>, Invalid> {
    let mut v = report.cover.validate().err().unwrap_or_default();
    if report.rows.is_empty() {
        v.add("report", "There are no recommendations in this report, so there is nothing to issue");
    }
    v.finish()?;
    Ok(Checked::new(report))
}

#[cfg(test)]
mod tests {
    use super::super::Summary;
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn cover() -> Cover {
        Cover::defaults("Working Group", d("2018-01-16"), "Committee", "Head")
    }

    fn fields(e: &Invalid) -> Vec<&str> {
        e.errors.iter().map(|f| f.field.as_str()).collect()
    }

    #[test]
    fn a_report_covers_a_review_or_a_committee_at_a_meeting() {
        let e = check_new_report(&ReportInput::default()).unwrap_err();
        assert_eq!(fields(&e), ["review_id", "meeting_date"]);
        assert_eq!(e.for_field("review_id"), Some("Choose a review or a committee to report on"));
        assert_eq!(e.for_field("meeting_date"), Some("Enter the date of the meeting, for example 16/01/2018"));
        let ok = check_new_report(&ReportInput { body_id: Some(2), meeting_date: Some(d("2018-01-16")), ..Default::default() }).unwrap();
        assert_eq!((ok.review_id, ok.body_id, ok.layout), (None, Some(2), Layout::ProgressMade));
    }

    #[test]
    fn an_issued_report_is_never_edited_deleted_or_issued_again() {
        assert!(check_still_draft(false, ReportChange::Delete).is_ok());
        let words = |c| check_still_draft(true, c).unwrap_err().for_field("report").unwrap().to_string();
        assert!(words(ReportChange::Edit).starts_with("This report has been issued and can no longer change"));
        assert!(words(ReportChange::Delete).contains("cannot be deleted"));
        assert_eq!(words(ReportChange::Issue), "This report has already been issued");
        let e = check_draft(
            &DraftInput { cover: cover(), layout: Some(Layout::ProgressMade), include_changes: Some(false), compare_with_id: None },
            true,
        )
        .unwrap_err();
        assert!(e.for_field("report").is_some());
    }

    #[test]
    fn a_draft_has_a_complete_cover_a_layout_and_says_whether_it_shows_changes() {
        let mut c = cover();
        c.subject.clear();
        let e = check_draft(&DraftInput { cover: c, ..Default::default() }, false).unwrap_err();
        assert_eq!(fields(&e), ["subject", "layout", "include_changes"]);
        assert_eq!(e.for_field("layout"), Some("Choose the layout of the progress table"));
        assert_eq!(e.for_field("include_changes"), Some("Select yes or no: include an appendix of changes?"));
        let e =
            check_draft(&DraftInput { cover: cover(), layout: Some(Layout::RagTracker), include_changes: Some(true), compare_with_id: None }, false)
                .unwrap_err();
        assert_eq!(e.for_field("compare_with_id"), Some("Choose the earlier report whose changes the appendix should show"));
        let ok = check_draft(
            &DraftInput { cover: cover(), layout: Some(Layout::RagTracker), include_changes: Some(true), compare_with_id: Some(4) },
            false,
        )
        .unwrap();
        assert_eq!((ok.meeting_date, ok.layout, ok.include_changes, ok.compare_with_id), (d("2018-01-16"), Layout::RagTracker, true, Some(4)));
    }

    #[test]
    fn a_report_is_issued_with_a_complete_cover_and_something_to_report() {
        let mut c = cover();
        c.report_to.clear();
        let empty = MonitoringReport {
            organisation: "Council".into(),
            title: "T".into(),
            scope: "S".into(),
            layout: Layout::ProgressMade,
            cover: c,
            rows: vec![],
            summary: Summary::of(&[]),
            rag_key: vec![],
            prepared_on: d("2018-01-02"),
            issue: None,
            changes: None,
        };
        let e = check_issue(empty).unwrap_err();
        assert_eq!(fields(&e), ["report_to", "report"]);
        assert_eq!(e.for_field("report"), Some("There are no recommendations in this report, so there is nothing to issue"));
    }
}
