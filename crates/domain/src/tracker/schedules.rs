//! Monitoring schedules (which committee receives reports on a review, from when and
//! how often) and asking lead officers for updates.

use chrono::NaiveDate;

use crate::validation::{Checked, Invalid};

/// A monitoring schedule as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScheduleInput {
    pub body_id: Option<i64>,
    pub first_report_date: Option<NaiveDate>,
    pub interval_months: Option<i64>,
    pub resolution_ref: String,
}

impl ScheduleInput {
    pub const FIELDS: &'static [&'static str] = &["body_id", "first_report_date", "interval_months", "resolution_ref"];
}

/// A schedule ready to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSchedule {
    pub body_id: i64,
    pub first_report_date: NaiveDate,
    /// 0 for a single report.
    pub interval_months: i64,
    pub resolution_ref: String,
}

/// A schedule names the committee, the first report's date and the months between
/// reports (0 for a single report, at most 36). Whether the committee exists is for
/// storage to add.
pub fn check_schedule(s: &ScheduleInput) -> Result<Checked<NewSchedule>, Invalid> {
    let mut v = Invalid::new();
    if s.body_id.is_none() {
        v.add("body_id", "Select the committee that receives the monitoring reports");
    }
    if s.first_report_date.is_none() {
        v.add("first_report_date", "Enter the date of the first monitoring report, for example 16 January 2018");
    }
    if !s.interval_months.is_some_and(|n| (0..=36).contains(&n)) {
        v.add("interval_months", "Enter how many months between reports, from 0 (a single report) to 36");
    }
    v.finish()?;
    let (Some(body_id), Some(first_report_date), Some(interval_months)) = (s.body_id, s.first_report_date, s.interval_months) else {
        return Err(Invalid::single("body_id", "Select the committee that receives the monitoring reports"));
    };
    Ok(Checked::new(NewSchedule { body_id, first_report_date, interval_months, resolution_ref: s.resolution_ref.trim().to_string() }))
}

/// A request for updates as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateRequestInput {
    pub recommendation_ids: Vec<i64>,
    pub due_date: Option<NaiveDate>,
    pub for_report_date: Option<NaiveDate>,
    pub message: String,
}

impl UpdateRequestInput {
    pub const FIELDS: &'static [&'static str] = &["recommendation_ids", "due_date", "for_report_date", "message"];
}

/// Requests ready to send: one per recommendation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateRequests {
    /// Each recommendation once, in the order chosen.
    pub recommendation_ids: Vec<i64>,
    pub due_date: NaiveDate,
    pub for_report_date: Option<NaiveDate>,
    pub message: String,
}

/// Updates are asked for at least one recommendation, by a date from `today` on and
/// no later than the report they are for; the message is at most 2,000 characters.
pub fn check_update_request(r: &UpdateRequestInput, today: NaiveDate) -> Result<Checked<UpdateRequests>, Invalid> {
    let mut v = Invalid::new();
    if r.recommendation_ids.is_empty() {
        v.add("recommendation_ids", "Select at least one recommendation to ask for an update on");
    }
    match r.due_date {
        None => v.add("due_date", "Enter the date the update is needed by, for example 1 January 2018"),
        Some(d) if d < today => v.add("due_date", "The date the update is needed by must be today or in the future"),
        Some(d) if r.for_report_date.is_some_and(|report| d > report) => {
            v.add("due_date", "The update must be due on or before the date of the report it is for")
        }
        Some(_) => {}
    }
    let message = r.message.trim().to_string();
    v.max_len("message", &message, 2000, "The message");
    v.finish()?;
    let Some(due_date) = r.due_date else {
        return Err(Invalid::single("due_date", "Enter the date the update is needed by, for example 1 January 2018"));
    };
    let mut recommendation_ids: Vec<i64> = Vec::with_capacity(r.recommendation_ids.len());
    for id in &r.recommendation_ids {
        if !recommendation_ids.contains(id) {
            recommendation_ids.push(*id);
        }
    }
    Ok(Checked::new(UpdateRequests { recommendation_ids, due_date, for_report_date: r.for_report_date, message }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_schedule_names_the_committee_the_first_report_and_the_interval() {
        let e = check_schedule(&ScheduleInput::default()).unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["body_id", "first_report_date", "interval_months"]);
        assert_eq!(e.for_field("body_id"), Some("Select the committee that receives the monitoring reports"));
        assert_eq!(e.for_field("first_report_date"), Some("Enter the date of the first monitoring report, for example 16 January 2018"));
        assert_eq!(e.for_field("interval_months"), Some("Enter how many months between reports, from 0 (a single report) to 36"));
        let s = ScheduleInput {
            body_id: Some(2),
            first_report_date: Some(d(2018, 1, 16)),
            interval_months: Some(37),
            resolution_ref: " Minute 5 ".into(),
        };
        assert!(check_schedule(&s).unwrap_err().for_field("interval_months").is_some());
        let ok = check_schedule(&ScheduleInput { interval_months: Some(0), ..s }).unwrap();
        assert_eq!((ok.body_id, ok.interval_months, ok.resolution_ref.as_str()), (2, 0, "Minute 5"));
    }

    #[test]
    fn updates_are_asked_for_by_a_date_from_today_and_before_the_report() {
        let today = d(2018, 1, 1);
        let e = check_update_request(&UpdateRequestInput { message: "m".repeat(2001), ..Default::default() }, today).unwrap_err();
        assert_eq!(e.for_field("recommendation_ids"), Some("Select at least one recommendation to ask for an update on"));
        assert_eq!(e.for_field("due_date"), Some("Enter the date the update is needed by, for example 1 January 2018"));
        assert_eq!(e.for_field("message"), Some("The message must be 2000 characters or fewer"));
        let past = UpdateRequestInput { recommendation_ids: vec![1], due_date: Some(d(2017, 12, 31)), ..Default::default() };
        let e = check_update_request(&past, today).unwrap_err();
        assert_eq!(e.for_field("due_date"), Some("The date the update is needed by must be today or in the future"));
        let late = UpdateRequestInput { due_date: Some(d(2018, 2, 1)), for_report_date: Some(d(2018, 1, 16)), ..past.clone() };
        let e = check_update_request(&late, today).unwrap_err();
        assert_eq!(e.for_field("due_date"), Some("The update must be due on or before the date of the report it is for"));
        let ok = check_update_request(&UpdateRequestInput { recommendation_ids: vec![3, 1, 3], due_date: Some(today), ..past }, today).unwrap();
        assert_eq!((ok.recommendation_ids.as_slice(), ok.due_date), (&[3, 1][..], today));
    }
}
