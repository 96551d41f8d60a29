//! A review (working group, inspection, case review) as it is described, and the
//! endorsement of its report by a body.

use chrono::NaiveDate;

use super::{validate_period, ReviewKind};
use crate::validation::{Checked, Invalid};

/// A review as typed on the form (or sent to the API).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewInput {
    pub kind: Option<ReviewKind>,
    pub title: String,
    pub terms_of_reference: String,
    pub lead_member: String,
    pub members: String,
    pub origin_body_id: Option<i64>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub report_date: Option<NaiveDate>,
    pub final_report_ref: String,
    pub referred_to_body_id: Option<i64>,
    pub referral_date: Option<NaiveDate>,
}

impl ReviewInput {
    /// The form's fields, top to bottom.
    pub const FIELDS: &'static [&'static str] = &[
        "kind",
        "title",
        "terms_of_reference",
        "lead_member",
        "members",
        "origin_body_id",
        "start_date",
        "end_date",
        "report_date",
        "final_report_ref",
        "referred_to_body_id",
        "referral_date",
    ];
}

/// A review ready to save: text trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewDetails {
    pub kind: ReviewKind,
    pub title: String,
    pub terms_of_reference: String,
    pub lead_member: String,
    pub members: String,
    pub origin_body_id: Option<i64>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub report_date: Option<NaiveDate>,
    pub final_report_ref: String,
    pub referred_to_body_id: Option<i64>,
    pub referral_date: Option<NaiveDate>,
}

/// Every review has a kind and a title (at most 300 characters); it cannot end before
/// it starts; a referral date needs the body referred to. Whether the bodies named
/// exist is for storage to add.
pub fn check_review(r: &ReviewInput) -> Result<Checked<ReviewDetails>, Invalid> {
    let mut v = Invalid::new();
    if r.kind.is_none() {
        v.add("kind", "Select the kind of review");
    }
    let title = v.required("title", &r.title, "Enter the title of the review");
    v.max_len("title", &title, 300, "Title");
    for (field, date, what) in [
        ("start_date", r.start_date, "The start date"),
        ("end_date", r.end_date, "The end date"),
        ("report_date", r.report_date, "The report date"),
        ("referral_date", r.referral_date, "The referral date"),
    ] {
        v.plausible_date(field, date, what);
    }
    validate_period(&mut v, r.start_date, r.end_date, "end_date", "review's");
    if r.referral_date.is_some() && r.referred_to_body_id.is_none() {
        v.add("referred_to_body_id", "Select the body the recommendations were referred to");
    }
    v.finish()?;
    let Some(kind) = r.kind else { return Err(Invalid::single("kind", "Select the kind of review")) };
    Ok(Checked::new(ReviewDetails {
        kind,
        title,
        terms_of_reference: r.terms_of_reference.trim().to_string(),
        lead_member: r.lead_member.trim().to_string(),
        members: r.members.trim().to_string(),
        origin_body_id: r.origin_body_id,
        start_date: r.start_date,
        end_date: r.end_date,
        report_date: r.report_date,
        final_report_ref: r.final_report_ref.trim().to_string(),
        referred_to_body_id: r.referred_to_body_id,
        referral_date: r.referral_date,
    }))
}

/// An endorsement as typed: the body, the date of its meeting and the minute.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndorsementInput {
    pub body_id: Option<i64>,
    pub endorsed_on: Option<NaiveDate>,
    pub minute_ref: String,
}

impl EndorsementInput {
    pub const FIELDS: &'static [&'static str] = &["body_id", "endorsed_on", "minute_ref"];
}

/// An endorsement ready to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEndorsement {
    pub body_id: i64,
    pub endorsed_on: NaiveDate,
    pub minute_ref: String,
}

/// An endorsement names the body and the meeting's date, which cannot be before the
/// review started (`review_start`, as stored); the minute reference is at most 100
/// characters.
pub fn check_endorsement(e: &EndorsementInput, review_start: Option<NaiveDate>) -> Result<Checked<NewEndorsement>, Invalid> {
    let mut v = Invalid::new();
    if e.body_id.is_none() {
        v.add("body_id", "Select the body that endorsed the report");
    }
    match e.endorsed_on {
        None => v.add("endorsed_on", "Enter the date of the meeting, for example 12 September 2017"),
        Some(d) if review_start.is_some_and(|s| d < s) => v.add("endorsed_on", "The endorsement cannot be before the review started"),
        Some(_) => {}
    }
    let minute_ref = e.minute_ref.trim().to_string();
    v.max_len("minute_ref", &minute_ref, 100, "Minute reference");
    v.finish()?;
    let (Some(body_id), Some(endorsed_on)) = (e.body_id, e.endorsed_on) else {
        return Err(Invalid::single("body_id", "Select the body that endorsed the report"));
    };
    Ok(Checked::new(NewEndorsement { body_id, endorsed_on, minute_ref }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_review_needs_a_kind_a_title_and_a_period_that_does_not_run_backwards() {
        let bad = ReviewInput {
            title: " ".into(),
            start_date: Some(d(2017, 9, 1)),
            end_date: Some(d(2017, 8, 1)),
            referral_date: Some(d(2017, 9, 26)),
            ..Default::default()
        };
        let e = check_review(&bad).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["kind", "title", "end_date", "referred_to_body_id"]);
        assert_eq!(e.for_field("kind"), Some("Select the kind of review"));
        assert_eq!(e.for_field("title"), Some("Enter the title of the review"));
        assert_eq!(e.for_field("end_date"), Some("The review's end date must be the same as or after the start date"));
        assert_eq!(e.for_field("referred_to_body_id"), Some("Select the body the recommendations were referred to"));
        let e = check_review(&ReviewInput { kind: Some(ReviewKind::Other), title: "x".repeat(301), ..Default::default() }).unwrap_err();
        assert_eq!(e.for_field("title"), Some("Title must be 300 characters or fewer"));
    }

    #[test]
    fn a_review_s_dates_fall_in_plausible_years() {
        let e = check_review(&ReviewInput {
            kind: Some(ReviewKind::Other),
            title: "Dated".into(),
            start_date: Some(d(1000, 1, 1)),
            report_date: Some(d(9999, 12, 31)),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(e.for_field("start_date"), Some("The start date must be between the years 1900 and 2100"));
        assert_eq!(e.for_field("report_date"), Some("The report date must be between the years 1900 and 2100"));
        let ok = ReviewInput {
            kind: Some(ReviewKind::Other),
            title: "Dated".into(),
            start_date: Some(d(1900, 1, 1)),
            end_date: Some(d(2100, 12, 31)),
            ..Default::default()
        };
        assert!(check_review(&ok).is_ok());
    }

    #[test]
    fn a_checked_review_is_trimmed() {
        let ok = check_review(&ReviewInput {
            kind: Some(ReviewKind::Inspection),
            title: " Ofsted ".into(),
            members: " A, B ".into(),
            referred_to_body_id: Some(3),
            referral_date: Some(d(2016, 7, 7)),
            ..Default::default()
        })
        .unwrap();
        assert_eq!((ok.kind, ok.title.as_str(), ok.members.as_str(), ok.referred_to_body_id), (ReviewKind::Inspection, "Ofsted", "A, B", Some(3)));
    }

    #[test]
    fn an_endorsement_needs_a_body_and_a_meeting_not_before_the_review() {
        let e = check_endorsement(&EndorsementInput { minute_ref: "m".repeat(101), ..Default::default() }, None).unwrap_err();
        assert_eq!(e.for_field("body_id"), Some("Select the body that endorsed the report"));
        assert_eq!(e.for_field("endorsed_on"), Some("Enter the date of the meeting, for example 12 September 2017"));
        assert_eq!(e.for_field("minute_ref"), Some("Minute reference must be 100 characters or fewer"));
        let early = EndorsementInput { body_id: Some(1), endorsed_on: Some(d(2016, 6, 1)), minute_ref: " Minute 22 ".into() };
        let e = check_endorsement(&early, Some(d(2016, 6, 21))).unwrap_err();
        assert_eq!(e.for_field("endorsed_on"), Some("The endorsement cannot be before the review started"));
        let ok = check_endorsement(&EndorsementInput { endorsed_on: Some(d(2017, 9, 12)), ..early }, Some(d(2016, 6, 21))).unwrap();
        assert_eq!((ok.body_id, ok.endorsed_on, ok.minute_ref.as_str()), (1, d(2017, 9, 12), "Minute 22"));
    }
}
