//! R10: a 16 to 18-year-old referred to MARAC (the multi-agency risk assessment
//! conference for domestic abuse) as the victim of an abusive relationship is reviewed
//! for CSE and, if there is a CSE concern, referred to MACSE.
//!
//! A MARAC referral is recorded against the child; the child's age on the day of the
//! referral is checked against their date of birth. The MASH then records the CSE
//! review: a CSE concern refers the child to MACSE (a referral decided "MACSE", the path
//! every MACSE child takes); no CSE concern is recorded with its reasons.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::children::age_on;
use crate::tracker::TagColour;
use crate::validation::{Checked, Invalid};

/// The youngest age at which MARAC hears a young person as a victim.
pub const MARAC_YOUNGEST: i64 = 16;
/// The oldest age still a child for the pathway's MARAC route.
pub const MARAC_OLDEST: i64 = 18;

/// Whether a young person born on `dob` is 16, 17 or 18 years old on `on` (from their
/// 16th birthday to the day before their 19th).
pub fn in_marac_age(dob: NaiveDate, on: NaiveDate) -> bool {
    (MARAC_YOUNGEST..=MARAC_OLDEST).contains(&age_on(dob, on))
}

slug_enum!(
    /// Where a MARAC referral is.
    MaracStatus {
        AwaitingReview => ("awaiting-cse-review", "Awaiting a CSE review"),
        ReferredToMacse => ("referred-to-macse", "CSE concern: referred to MACSE"),
        NoCseConcern => ("no-cse-concern", "No CSE concern"),
    }
);

impl MaracStatus {
    pub fn colour(self) -> TagColour {
        match self {
            MaracStatus::AwaitingReview => TagColour::Blue,
            MaracStatus::ReferredToMacse => TagColour::Red,
            MaracStatus::NoCseConcern => TagColour::Grey,
        }
    }
}

slug_enum!(
    /// The outcome of the CSE review of a MARAC referral.
    CseReviewOutcome {
        CseConcern => ("cse-concern", "CSE concern: refer to MACSE"),
        NoCseConcern => ("no-cse-concern", "No CSE concern"),
    }
);

impl CseReviewOutcome {
    /// The status the outcome leads to.
    pub fn status(self) -> MaracStatus {
        match self {
            CseReviewOutcome::CseConcern => MaracStatus::ReferredToMacse,
            CseReviewOutcome::NoCseConcern => MaracStatus::NoCseConcern,
        }
    }
}

/// A MARAC referral as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MaracInput {
    /// The day the young person was referred to MARAC.
    pub referred_on: Option<NaiveDate>,
    /// Who referred them (agency and role), e.g. "IDVA service".
    pub referred_by: String,
    /// The abusive relationship, as MARAC heard it.
    pub relationship: String,
}

/// A MARAC referral ready to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewMarac {
    pub referred_on: NaiveDate,
    pub referred_by: String,
    pub relationship: String,
    /// The young person's age on the day of the referral.
    pub age: i64,
}

/// Every rule of a MARAC referral, all at once: the date (today or before), who
/// referred and the relationship, and the child's age on that day — which needs the
/// child's date of birth (an estimated age is not enough) and must be 16 to 18.
pub fn check_marac(input: &MaracInput, date_of_birth: Option<NaiveDate>, today: NaiveDate) -> Result<Checked<NewMarac>, Invalid> {
    let mut v = Invalid::new();
    match input.referred_on {
        None => v.add("referred_on", "Enter the date the young person was referred to MARAC"),
        Some(d) if d > today => v.add("referred_on", "The date of the MARAC referral must be today or in the past"),
        Some(d) => v.plausible_date("referred_on", Some(d), "The date of the MARAC referral"),
    }
    let referred_by = v.required("referred_by", &input.referred_by, "Enter who referred the young person to MARAC");
    v.max_len("referred_by", &referred_by, 500, "Who referred");
    let relationship = v.required("relationship", &input.relationship, "Describe the abusive relationship MARAC was told of");
    v.max_len("relationship", &relationship, 10_000, "The description of the relationship");
    let mut age = None;
    match (date_of_birth, input.referred_on) {
        (None, _) => v.add(
            "referred_on",
            "The child's date of birth is not recorded: the MASH must record it before a MARAC referral, which is for 16 to 18-year-olds",
        ),
        (Some(dob), Some(on)) if on <= today => {
            let years = age_on(dob, on);
            if in_marac_age(dob, on) {
                age = Some(years);
            } else {
                v.add(
                    "referred_on",
                    format!(
                        "The MARAC route is for young people aged 16 to 18: on that date this child was {}",
                        if years < 0 { "not yet born".to_string() } else { format!("{years}") }
                    ),
                );
            }
        }
        _ => {}
    }
    v.finish()?;
    match (input.referred_on, age) {
        (Some(referred_on), Some(age)) => Ok(Checked::new(NewMarac { referred_on, referred_by, relationship, age })),
        _ => Err(Invalid::single("referred_on", "Enter the date the young person was referred to MARAC")),
    }
}

/// The CSE review as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewInput {
    pub outcome: Option<CseReviewOutcome>,
    pub reasons: String,
}

/// A CSE review ready to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    pub outcome: CseReviewOutcome,
    pub reasons: String,
}

/// A review needs its outcome and reasons, and is made once.
pub fn check_review(input: &ReviewInput, current: MaracStatus) -> Result<Checked<Review>, Invalid> {
    let mut v = Invalid::new();
    if input.outcome.is_none() {
        v.add("outcome", "Select the outcome of the CSE review");
    }
    let reasons = v.required("reasons", &input.reasons, "Enter the reasons for the outcome of the CSE review");
    v.max_len("reasons", &reasons, 10_000, "The reasons");
    if current != MaracStatus::AwaitingReview {
        v.add("outcome", format!("This MARAC referral has already been reviewed ({})", current.label().to_lowercase()));
    }
    v.finish()?;
    match input.outcome {
        Some(outcome) => Ok(Checked::new(Review { outcome, reasons })),
        None => Err(Invalid::single("outcome", "Select the outcome of the CSE review")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn sixteen_to_eighteen_from_the_sixteenth_birthday_to_the_day_before_the_nineteenth() {
        let dob = d(2001, 6, 15);
        assert!(!in_marac_age(dob, d(2017, 6, 14)), "the day before the 16th birthday");
        assert!(in_marac_age(dob, d(2017, 6, 15)), "the 16th birthday");
        assert!(in_marac_age(dob, d(2020, 6, 14)), "the day before the 19th birthday: still 18");
        assert!(!in_marac_age(dob, d(2020, 6, 15)), "the 19th birthday");
        // Born on 29 February: 16 on 1 March of a common year.
        let leap = d(2004, 2, 29);
        assert!(!in_marac_age(leap, d(2020, 2, 28)));
        assert!(in_marac_age(leap, d(2020, 2, 29)));
        assert!(in_marac_age(leap, d(2023, 2, 28)));
        assert!(!in_marac_age(leap, d(2023, 3, 1)));
    }

    fn input(on: NaiveDate) -> MaracInput {
        MaracInput { referred_on: Some(on), referred_by: " IDVA service ".into(), relationship: "Controlled by a 24-year-old boyfriend".into() }
    }

    #[test]
    fn a_referral_needs_every_part_and_the_age_from_the_date_of_birth() {
        let today = d(2018, 1, 16);
        let e = check_marac(&MaracInput::default(), Some(d(2001, 1, 1)), today).unwrap_err();
        for f in ["referred_on", "referred_by", "relationship"] {
            assert!(e.for_field(f).is_some(), "{f}");
        }
        let ok = check_marac(&input(d(2018, 1, 10)), Some(d(2001, 6, 15)), today).unwrap();
        assert_eq!((ok.age, ok.referred_by.as_str()), (16, "IDVA service"));
        let e = check_marac(&input(d(2018, 1, 10)), Some(d(2002, 1, 11)), today).unwrap_err();
        assert!(e.for_field("referred_on").unwrap().contains("was 15"), "{e}");
        let e = check_marac(&input(d(2018, 1, 10)), Some(d(1999, 1, 10)), today).unwrap_err();
        assert!(e.for_field("referred_on").unwrap().contains("was 19"), "{e}");
        assert!(check_marac(&input(d(2018, 1, 10)), Some(d(1999, 1, 11)), today).is_ok(), "18 until the day before the 19th birthday");
        let e = check_marac(&input(d(2018, 1, 10)), None, today).unwrap_err();
        assert!(e.for_field("referred_on").unwrap().contains("date of birth"));
        let e = check_marac(&input(d(2018, 1, 17)), Some(d(2001, 1, 1)), today).unwrap_err();
        assert!(e.for_field("referred_on").unwrap().contains("past"));
    }

    #[test]
    fn a_review_needs_an_outcome_and_reasons_and_happens_once() {
        let e = check_review(&ReviewInput::default(), MaracStatus::AwaitingReview).unwrap_err();
        assert!(e.for_field("outcome").is_some() && e.for_field("reasons").is_some());
        let ok = check_review(
            &ReviewInput { outcome: Some(CseReviewOutcome::CseConcern), reasons: " Older partner ".into() },
            MaracStatus::AwaitingReview,
        )
        .unwrap();
        assert_eq!((ok.outcome.status(), ok.reasons.as_str()), (MaracStatus::ReferredToMacse, "Older partner"));
        assert_eq!(CseReviewOutcome::NoCseConcern.status(), MaracStatus::NoCseConcern);
        let e =
            check_review(&ReviewInput { outcome: Some(CseReviewOutcome::NoCseConcern), reasons: "x".into() }, MaracStatus::NoCseConcern).unwrap_err();
        assert!(e.for_field("outcome").unwrap().contains("already been reviewed"));
    }
}
