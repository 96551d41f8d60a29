//! A recommendation as a scrutiny officer writes it down: its number (or, for a
//! sub-item, its letter under a numbered recommendation), wording, lead officers and
//! the committee that monitors it.

use chrono::NaiveDate;

use super::valid_sub_label;
use crate::validation::{Checked, Invalid};

/// A recommendation as typed on the form (or sent to the API).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecommendationInput {
    /// The numbered recommendation this is a sub-item of.
    pub parent_id: Option<i64>,
    /// For a sub-item, storage puts its parent's number here before checking.
    pub number: Option<i64>,
    pub sub_label: String,
    pub committee_wording: String,
    pub executive_wording: String,
    pub who_must_act: String,
    pub area: String,
    pub outcome: String,
    pub monitoring_body_id: Option<i64>,
    pub lead_ids: Vec<i64>,
    /// Lead officers named as the council wrote them, without an account, one per
    /// line ("Steph Cordon, Head of Service"). `None` leaves those already named as they
    /// are (an API caller that does not send them).
    pub lead_officers_text: Option<String>,
    /// Where it came from — a scrutiny review, an inspection, a case review — as written.
    pub origin: String,
    /// When the executive decided on it.
    pub executive_decision_date: Option<NaiveDate>,
}

impl RecommendationInput {
    /// The form's fields, top to bottom.
    pub const FIELDS: &'static [&'static str] = &[
        "parent_id",
        "sub_label",
        "number",
        "committee_wording",
        "executive_wording",
        "who_must_act",
        "origin",
        "executive_decision_date",
        "lead_ids",
        "lead_officers_text",
        "area",
        "outcome",
        "monitoring_body_id",
    ];
}

/// A recommendation ready to save: text trimmed, the sub-item letter in lower case,
/// each lead officer once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecommendationDetails {
    pub parent_id: Option<i64>,
    pub number: i64,
    /// "" for a numbered recommendation.
    pub sub_label: String,
    pub committee_wording: String,
    pub executive_wording: String,
    pub who_must_act: String,
    pub area: String,
    pub outcome: String,
    pub monitoring_body_id: Option<i64>,
    pub lead_ids: Vec<i64>,
    /// One name a line, trimmed, blank lines dropped; `None`: leave as they are.
    pub lead_officers_text: Option<String>,
    pub origin: String,
    pub executive_decision_date: Option<NaiveDate>,
}

/// Only sub-items have a letter (one or two lower-case letters); every recommendation
/// has a number from 1 to 999 and the committee's wording (at most 10,000 characters).
/// Whether the parent, the number, the committee and the lead officers are right for
/// this review is for storage to add.
pub fn check_recommendation(r: &RecommendationInput) -> Result<Checked<RecommendationDetails>, Invalid> {
    let mut v = Invalid::new();
    let sub_label = r.sub_label.trim().to_lowercase();
    if r.parent_id.is_some() {
        if !valid_sub_label(&sub_label) {
            v.add("sub_label", "Enter the sub-item letter, for example a");
        }
    } else if !sub_label.is_empty() {
        v.add("sub_label", "Only sub-items have a letter: leave it blank for a numbered recommendation");
    }
    match r.number {
        None => v.add("number", "Enter the recommendation number, for example 1"),
        Some(n) if !(1..=999).contains(&n) => v.add("number", "The recommendation number must be a whole number from 1 to 999"),
        Some(_) => {}
    }
    let committee_wording = v.required("committee_wording", &r.committee_wording, "Enter the recommendation as the committee worded it");
    v.max_len("committee_wording", &committee_wording, 10_000, "The wording");
    let origin = r.origin.trim().to_string();
    v.max_len("origin", &origin, 500, "Where the recommendation came from");
    let lead_officers_text = r.lead_officers_text.as_deref().map(lead_lines);
    if let Some(t) = &lead_officers_text {
        v.max_len("lead_officers_text", t, 2_000, "The lead officers named without an account");
    }
    v.finish()?;
    let Some(number) = r.number else { return Err(Invalid::single("number", "Enter the recommendation number, for example 1")) };
    let mut lead_ids: Vec<i64> = Vec::with_capacity(r.lead_ids.len());
    for id in &r.lead_ids {
        if !lead_ids.contains(id) {
            lead_ids.push(*id);
        }
    }
    Ok(Checked::new(RecommendationDetails {
        parent_id: r.parent_id,
        number,
        sub_label,
        committee_wording,
        executive_wording: r.executive_wording.trim().to_string(),
        who_must_act: r.who_must_act.trim().to_string(),
        area: r.area.trim().to_string(),
        outcome: r.outcome.trim().to_string(),
        monitoring_body_id: r.monitoring_body_id,
        lead_ids,
        lead_officers_text,
        origin,
        executive_decision_date: r.executive_decision_date,
    }))
}

/// Lead officers typed one a line: each line trimmed, blank ones dropped, each name once.
fn lead_lines(s: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for l in s.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(l)) {
            out.push(l);
        }
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recommendation_needs_a_number_and_the_committees_wording() {
        let e = check_recommendation(&RecommendationInput { committee_wording: "  ".into(), ..Default::default() }).unwrap_err();
        assert_eq!(e.for_field("number"), Some("Enter the recommendation number, for example 1"));
        assert_eq!(e.for_field("committee_wording"), Some("Enter the recommendation as the committee worded it"));
        for n in [0, 1000] {
            let e = check_recommendation(&RecommendationInput { number: Some(n), committee_wording: "x".into(), ..Default::default() }).unwrap_err();
            assert_eq!(e.for_field("number"), Some("The recommendation number must be a whole number from 1 to 999"));
        }
        let e =
            check_recommendation(&RecommendationInput { number: Some(1), committee_wording: "w".repeat(10_001), ..Default::default() }).unwrap_err();
        assert_eq!(e.for_field("committee_wording"), Some("The wording must be 10000 characters or fewer"));
    }

    #[test]
    fn only_sub_items_have_a_letter() {
        let numbered = RecommendationInput { number: Some(2), sub_label: "a".into(), committee_wording: "x".into(), ..Default::default() };
        let e = check_recommendation(&numbered).unwrap_err();
        assert_eq!(e.for_field("sub_label"), Some("Only sub-items have a letter: leave it blank for a numbered recommendation"));
        for bad in ["", "abc", "1", "é"] {
            let e = check_recommendation(&RecommendationInput { parent_id: Some(7), sub_label: bad.into(), ..numbered.clone() }).unwrap_err();
            assert_eq!(e.for_field("sub_label"), Some("Enter the sub-item letter, for example a"), "{bad:?}");
        }
        let ok = check_recommendation(&RecommendationInput { parent_id: Some(7), sub_label: " B ".into(), ..numbered }).unwrap();
        assert_eq!((ok.parent_id, ok.number, ok.sub_label.as_str()), (Some(7), 2, "b"));
    }

    #[test]
    fn a_checked_recommendation_is_trimmed_and_names_each_lead_once() {
        let ok = check_recommendation(&RecommendationInput {
            number: Some(3),
            committee_wording: " Lobby the Home Secretary ".into(),
            who_must_act: " MPs ".into(),
            lead_ids: vec![4, 5, 4],
            ..Default::default()
        })
        .unwrap();
        assert_eq!((ok.committee_wording.as_str(), ok.who_must_act.as_str()), ("Lobby the Home Secretary", "MPs"));
        assert_eq!(ok.lead_ids, [4, 5]);
    }

    #[test]
    fn lead_officers_without_an_account_are_kept_one_a_line() {
        let input = RecommendationInput {
            number: Some(1),
            committee_wording: "w".into(),
            lead_officers_text: Some(
                "  Steph Cordon, Head of Service \r\n\n steph cordon, head of service\nHead of Regulation and Compliance".into(),
            ),
            ..Default::default()
        };
        let c = check_recommendation(&input).unwrap();
        assert_eq!(c.lead_officers_text.as_deref(), Some("Steph Cordon, Head of Service\nHead of Regulation and Compliance"));
        assert_eq!(check_recommendation(&RecommendationInput { lead_officers_text: None, ..input.clone() }).unwrap().lead_officers_text, None);
        let long = RecommendationInput { lead_officers_text: Some("x".repeat(2_001)), ..input };
        assert!(check_recommendation(&long).unwrap_err().for_field("lead_officers_text").is_some());
    }
}
