//! A recommendation as a scrutiny officer writes it down: its number (or, for a
//! sub-item, its letter under a numbered recommendation), wording, lead officers and
//! the committee that monitors it.

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
        "lead_ids",
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
    }))
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
}
