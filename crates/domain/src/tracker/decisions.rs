//! What is decided about a recommendation: the executive's response, a change of
//! status, an officer's RAG judgement, the committee's sign-off and a transfer to
//! another committee.

use chrono::NaiveDate;

use super::{ExecutiveResponse, Lifecycle, Rag};
use crate::validation::{Checked, Invalid};

/// The executive's response as typed. `None` (or "awaiting") is no response chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseInput {
    pub response: Option<ExecutiveResponse>,
    pub response_date: Option<NaiveDate>,
    pub response_reason: String,
}

impl ResponseInput {
    pub const FIELDS: &'static [&'static str] = &["response", "response_date", "response_reason"];
}

/// A response ready to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseDecision {
    /// Never `Awaiting`.
    pub response: ExecutiveResponse,
    pub date: NaiveDate,
    pub reason: String,
}

/// A response is one of the executive's answers, with its date; a rejection needs
/// the reason.
pub fn check_response(r: &ResponseInput) -> Result<Checked<ResponseDecision>, Invalid> {
    let mut v = Invalid::new();
    let response = r.response.filter(|x| x.is_decided());
    if response.is_none() {
        v.add("response", "Select the executive's response");
    }
    if r.response_date.is_none() {
        v.add("response_date", "Enter the date of the executive's response, for example 5 October 2017");
    }
    let reason = r.response_reason.trim().to_string();
    if response.is_some_and(ExecutiveResponse::needs_reason) && reason.is_empty() {
        v.add("response_reason", "Enter the reason the executive rejected the recommendation");
    }
    v.finish()?;
    let (Some(response), Some(date)) = (response, r.response_date) else {
        return Err(Invalid::single("response", "Select the executive's response"));
    };
    Ok(Checked::new(ResponseDecision { response, date, reason }))
}

/// A change of status as an officer typed it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LifecycleInput {
    pub lifecycle: Option<Lifecycle>,
    pub reason: String,
}

impl LifecycleInput {
    pub const FIELDS: &'static [&'static str] = &["lifecycle", "reason"];
}

/// A change of status ready to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleChange {
    pub from: Lifecycle,
    pub to: Lifecycle,
    /// The reason kept on the recommendation: only for a status that needs one.
    pub reason: String,
    /// The reason as given, for the history (any status).
    pub note: String,
}

/// An officer chooses among [`Lifecycle::officer_choices`] (sign-off and transfer are
/// committee decisions); a signed-off recommendation no longer changes; paused, not
/// feasible and superseded need the reason. `current` is the stored status.
pub fn check_lifecycle_change(c: &LifecycleInput, current: Lifecycle) -> Result<Checked<LifecycleChange>, Invalid> {
    let mut v = Invalid::new();
    let note = c.reason.trim().to_string();
    match c.lifecycle {
        None => v.add("lifecycle", "Select a status"),
        Some(to) if !Lifecycle::officer_choices().contains(&to) => {
            v.add("lifecycle", "Sign-off and transfer are recorded from a committee decision, not chosen here")
        }
        Some(_) if current == Lifecycle::SignedOff => {
            v.add("lifecycle", "This recommendation has been signed off by a committee and can no longer change status")
        }
        Some(to) if to.needs_reason() && note.is_empty() => {
            v.add("reason", format!("Enter the reason the recommendation is {}", to.label().to_lowercase()))
        }
        Some(_) => {}
    }
    v.finish()?;
    let Some(to) = c.lifecycle else { return Err(Invalid::single("lifecycle", "Select a status")) };
    let reason = if to.needs_reason() { note.clone() } else { String::new() };
    Ok(Checked::new(LifecycleChange { from: current, to, reason, note }))
}

/// An officer's RAG judgement as typed: a colour's slug, blank for Assure's suggestion,
/// or "not-rated" for no RAG at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RagOverrideInput {
    pub rag: String,
    pub rag_reason: String,
}

impl RagOverrideInput {
    pub const FIELDS: &'static [&'static str] = &["rag", "rag_reason"];
}

/// A RAG override (or its removal) ready to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RagOverride {
    /// `None` goes back to the suggested RAG (or to "Not rated" when `suggest` is false).
    pub rag: Option<Rag>,
    /// Whether Assure's suggestion (marked as one) stands in while no one has rated it.
    pub suggest: bool,
    pub reason: String,
}

/// The RAG is red, amber, green or the suggestion; overriding the suggestion needs a
/// reason.
pub fn check_rag_override(r: &RagOverrideInput) -> Result<Checked<RagOverride>, Invalid> {
    let mut v = Invalid::new();
    let choice = r.rag.trim();
    let rag = Rag::from_slug(choice);
    let not_rated = choice == "not-rated";
    if !choice.is_empty() && !not_rated && rag.is_none() {
        v.add("rag", "Select red, amber, green or the suggested RAG");
    }
    let reason = r.rag_reason.trim().to_string();
    if rag.is_some() && reason.is_empty() {
        v.add("rag_reason", "Enter the reason for overriding the suggested RAG");
    }
    v.finish()?;
    Ok(Checked::new(RagOverride { rag, suggest: !not_rated, reason }))
}

/// A committee's sign-off as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignOffInput {
    pub body_id: Option<i64>,
    pub meeting_date: Option<NaiveDate>,
    pub minute_ref: String,
    /// Signed off as "completed — outcome not yet improved": the work is done, the
    /// measure it was for has not moved.
    pub outcome_not_improved: bool,
}

impl SignOffInput {
    /// "lifecycle" (the recommendation's state) first, then the form's fields.
    pub const FIELDS: &'static [&'static str] = &["lifecycle", "body_id", "meeting_date", "minute_ref"];
}

/// A sign-off ready to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOff {
    pub from: Lifecycle,
    pub body_id: i64,
    pub meeting_date: NaiveDate,
    pub minute_ref: String,
    pub outcome_not_improved: bool,
}

/// Only a recommendation complete and awaiting sign-off (`current`) is signed off, by
/// a committee at a meeting, with the minute of the decision. Whether the committee
/// exists is for storage to add.
pub fn check_sign_off(s: &SignOffInput, current: Lifecycle) -> Result<Checked<SignOff>, Invalid> {
    let mut v = Invalid::new();
    if current != Lifecycle::CompleteAwaitingSignOff {
        v.add("lifecycle", "Only a recommendation that is complete and awaiting sign-off can be signed off: record it as complete first");
    }
    if s.body_id.is_none() {
        v.add("body_id", "Select the committee that signed it off");
    }
    if s.meeting_date.is_none() {
        v.add("meeting_date", "Enter the date of the meeting, for example 16 July 2018");
    }
    let minute_ref = v.required("minute_ref", &s.minute_ref, "Enter the minute reference of the decision");
    v.finish()?;
    let (Some(body_id), Some(meeting_date)) = (s.body_id, s.meeting_date) else {
        return Err(Invalid::single("body_id", "Select the committee that signed it off"));
    };
    Ok(Checked::new(SignOff { from: current, body_id, meeting_date, minute_ref, outcome_not_improved: s.outcome_not_improved }))
}

/// A transfer to another committee as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransferInput {
    pub body_id: Option<i64>,
    pub meeting_date: Option<NaiveDate>,
    pub minute_ref: String,
    pub reason: String,
}

impl TransferInput {
    /// "lifecycle" (the recommendation's state) first, then the form's fields.
    pub const FIELDS: &'static [&'static str] = &["lifecycle", "body_id", "meeting_date", "minute_ref", "reason"];
}

/// A transfer ready to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub body_id: i64,
    pub meeting_date: NaiveDate,
    pub minute_ref: String,
    pub reason: String,
}

/// Only an incomplete recommendation (`current`) moves, to a committee other than the
/// one monitoring it now (`monitored_by`), by the decision of a meeting. Whether the
/// committee exists is for storage to add.
pub fn check_transfer(t: &TransferInput, current: Lifecycle, monitored_by: Option<i64>) -> Result<Checked<Transfer>, Invalid> {
    let mut v = Invalid::new();
    if matches!(current, Lifecycle::SignedOff | Lifecycle::CompleteAwaitingSignOff) {
        v.add("lifecycle", "Only incomplete recommendations can be transferred to another committee");
    }
    match t.body_id {
        None => v.add("body_id", "Select the committee that takes it over"),
        Some(b) if Some(b) == monitored_by => v.add("body_id", "Select a different committee from the one monitoring it now"),
        Some(_) => {}
    }
    if t.meeting_date.is_none() {
        v.add("meeting_date", "Enter the date of the meeting that decided the transfer");
    }
    v.finish()?;
    let (Some(body_id), Some(meeting_date)) = (t.body_id, t.meeting_date) else {
        return Err(Invalid::single("body_id", "Select the committee that takes it over"));
    };
    Ok(Checked::new(Transfer { body_id, meeting_date, minute_ref: t.minute_ref.trim().to_string(), reason: t.reason.trim().to_string() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn fields(e: &Invalid) -> Vec<&str> {
        e.errors.iter().map(|f| f.field.as_str()).collect()
    }

    #[test]
    fn a_response_needs_the_answer_and_its_date_all_at_once() {
        let e = check_response(&ResponseInput { response: Some(ExecutiveResponse::Awaiting), ..Default::default() }).unwrap_err();
        assert_eq!(fields(&e), ["response", "response_date"]);
        assert_eq!(e.for_field("response"), Some("Select the executive's response"));
        assert_eq!(e.for_field("response_date"), Some("Enter the date of the executive's response, for example 5 October 2017"));
        let ok =
            check_response(&ResponseInput { response: Some(ExecutiveResponse::Accepted), response_date: Some(d(2017, 10, 5)), ..Default::default() })
                .unwrap();
        assert_eq!((ok.response, ok.date, ok.reason.as_str()), (ExecutiveResponse::Accepted, d(2017, 10, 5), ""));
    }

    #[test]
    fn a_rejection_needs_a_reason() {
        let rejected =
            ResponseInput { response: Some(ExecutiveResponse::Rejected), response_date: Some(d(2017, 10, 5)), response_reason: " ".into() };
        let e = check_response(&rejected).unwrap_err();
        assert_eq!(e.for_field("response_reason"), Some("Enter the reason the executive rejected the recommendation"));
        let ok = check_response(&ResponseInput { response_reason: " no budget ".into(), ..rejected }).unwrap();
        assert_eq!(ok.reason, "no budget");
    }

    #[test]
    fn a_status_change_is_an_officers_choice_with_a_reason_where_one_is_needed() {
        let to = |l: Option<Lifecycle>, reason: &str| LifecycleInput { lifecycle: l, reason: reason.into() };
        let e = check_lifecycle_change(&to(None, ""), Lifecycle::InProgress).unwrap_err();
        assert_eq!(e.for_field("lifecycle"), Some("Select a status"));
        let e = check_lifecycle_change(&to(Some(Lifecycle::Paused), " "), Lifecycle::InProgress).unwrap_err();
        assert_eq!(e.for_field("reason"), Some("Enter the reason the recommendation is paused"));
        let e = check_lifecycle_change(&to(Some(Lifecycle::SignedOff), "x"), Lifecycle::InProgress).unwrap_err();
        assert_eq!(e.for_field("lifecycle"), Some("Sign-off and transfer are recorded from a committee decision, not chosen here"));
        let e = check_lifecycle_change(&to(Some(Lifecycle::InProgress), "x"), Lifecycle::SignedOff).unwrap_err();
        assert_eq!(e.for_field("lifecycle"), Some("This recommendation has been signed off by a committee and can no longer change status"));
        let ok = check_lifecycle_change(&to(Some(Lifecycle::Paused), " general election "), Lifecycle::InProgress).unwrap();
        assert_eq!((ok.from, ok.to, ok.reason.as_str()), (Lifecycle::InProgress, Lifecycle::Paused, "general election"));
        // A status that needs no reason keeps none on the recommendation.
        let ok = check_lifecycle_change(&to(Some(Lifecycle::CompleteAwaitingSignOff), "done"), Lifecycle::NotStarted).unwrap();
        assert_eq!((ok.reason.as_str(), ok.note.as_str()), ("", "done"));
    }

    #[test]
    fn overriding_the_suggested_rag_needs_a_reason() {
        let e = check_rag_override(&RagOverrideInput { rag: "blue".into(), rag_reason: String::new() }).unwrap_err();
        assert_eq!(e.for_field("rag"), Some("Select red, amber, green or the suggested RAG"));
        let e = check_rag_override(&RagOverrideInput { rag: "amber".into(), rag_reason: " ".into() }).unwrap_err();
        assert_eq!(e.for_field("rag_reason"), Some("Enter the reason for overriding the suggested RAG"));
        let ok = check_rag_override(&RagOverrideInput { rag: "amber".into(), rag_reason: " slipping ".into() }).unwrap();
        assert_eq!((ok.rag, ok.reason.as_str()), (Some(Rag::Amber), "slipping"));
        // Back to the suggestion needs no reason.
        assert_eq!(check_rag_override(&RagOverrideInput::default()).unwrap().rag, None);
        assert!(check_rag_override(&RagOverrideInput::default()).unwrap().suggest);
        let none = check_rag_override(&RagOverrideInput { rag: "not-rated".into(), rag_reason: String::new() }).unwrap();
        assert_eq!((none.rag, none.suggest), (None, false));
    }

    #[test]
    fn sign_off_is_for_complete_recommendations_by_a_committee_with_its_minute() {
        let e = check_sign_off(&SignOffInput::default(), Lifecycle::InProgress).unwrap_err();
        assert_eq!(fields(&e), ["lifecycle", "body_id", "meeting_date", "minute_ref"]);
        assert!(e.for_field("lifecycle").unwrap().starts_with("Only a recommendation that is complete"));
        assert_eq!(e.for_field("body_id"), Some("Select the committee that signed it off"));
        assert_eq!(e.for_field("meeting_date"), Some("Enter the date of the meeting, for example 16 July 2018"));
        assert_eq!(e.for_field("minute_ref"), Some("Enter the minute reference of the decision"));
        let s = SignOffInput { body_id: Some(2), meeting_date: Some(d(2018, 7, 16)), minute_ref: " Minute 12 ".into(), ..Default::default() };
        let ok = check_sign_off(&s, Lifecycle::CompleteAwaitingSignOff).unwrap();
        assert_eq!((ok.body_id, ok.meeting_date, ok.minute_ref.as_str()), (2, d(2018, 7, 16), "Minute 12"));
    }

    #[test]
    fn a_transfer_moves_an_incomplete_recommendation_to_another_committee() {
        let e = check_transfer(&TransferInput::default(), Lifecycle::SignedOff, None).unwrap_err();
        assert_eq!(fields(&e), ["lifecycle", "body_id", "meeting_date"]);
        assert_eq!(e.for_field("lifecycle"), Some("Only incomplete recommendations can be transferred to another committee"));
        assert_eq!(e.for_field("body_id"), Some("Select the committee that takes it over"));
        assert_eq!(e.for_field("meeting_date"), Some("Enter the date of the meeting that decided the transfer"));
        let t = TransferInput { body_id: Some(4), meeting_date: Some(d(2018, 1, 30)), minute_ref: "Minute 4".into(), reason: " Regulatory ".into() };
        let e = check_transfer(&t, Lifecycle::InProgress, Some(4)).unwrap_err();
        assert_eq!(e.for_field("body_id"), Some("Select a different committee from the one monitoring it now"));
        let ok = check_transfer(&t, Lifecycle::InProgress, Some(5)).unwrap();
        assert_eq!((ok.body_id, ok.reason.as_str()), (4, "Regulatory"));
    }
}
