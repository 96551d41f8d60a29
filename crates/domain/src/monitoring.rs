//! R3: an agency's SPOC monitors the use of the CSE forms in their agency and
//! challenges low use. Per agency and period: the forms raised, their outcomes (the MASH
//! decisions), a comparison with agencies of the same kind, the agencies that made none;
//! and a challenge recorded against an agency, with the agency's response recorded
//! later. Counts only: nothing here names a child.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::dates::add_months;
use crate::partnership::AgencyKind;
use crate::referral::MashDecision;
use crate::validation::{Checked, Invalid};

slug_enum!(
    /// The period a SPOC looks back over.
    Period {
        ThisMonth => ("this-month", "This month"),
        ThreeMonths => ("3-months", "The last 3 months"),
        SixMonths => ("6-months", "The last 6 months"),
        TwelveMonths => ("12-months", "The last 12 months"),
    }
);

impl Period {
    /// The first day of the period that ends today: the first of this month, or the
    /// same day 3, 6 or 12 months ago (the day after, so that a period is whole months).
    pub fn start(self, today: NaiveDate) -> NaiveDate {
        let back = |months: i32| add_months(today, -months).succ_opt().unwrap_or(today);
        match self {
            Period::ThisMonth => today.with_day(1).unwrap_or(today),
            Period::ThreeMonths => back(3),
            Period::SixMonths => back(6),
            Period::TwelveMonths => back(12),
        }
    }
}

/// One agency's use of the CSE forms in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgencyUse {
    pub agency_id: i64,
    pub name: String,
    pub kind: AgencyKind,
    /// CSE 1 and 2 forms raised (concerns and the police sources).
    pub forms: i64,
    /// Still waiting for the MASH's decision.
    pub awaiting: i64,
    /// Decided, by decision.
    pub outcomes: BTreeMap<MashDecision, i64>,
}

impl AgencyUse {
    pub fn outcome(&self, d: MashDecision) -> i64 {
        self.outcomes.get(&d).copied().unwrap_or(0)
    }
}

/// How one agency compares with the others of its kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Agencies of the same kind, this one included.
    pub peers: usize,
    /// Forms per agency of that kind, to one decimal place.
    pub peer_average: f64,
    pub use_level: UseLevel,
}

slug_enum!(
    /// An agency's use of the forms against the others of its kind.
    UseLevel {
        None => ("none", "No forms raised"),
        Low => ("low", "Low: under half the average for its kind"),
        Usual => ("usual", "Usual for its kind"),
        High => ("high", "High: over twice the average for its kind"),
    }
);

/// Compare an agency with every agency of its kind in `all` (the agency included):
/// none raised is "none"; under half the average of its kind is "low"; over twice it is
/// "high". An agency alone of its kind is compared with nobody: "usual" when it raised any.
pub fn compare(agency: &AgencyUse, all: &[AgencyUse]) -> Comparison {
    let peers: Vec<&AgencyUse> = all.iter().filter(|a| a.kind == agency.kind).collect();
    let n = peers.len().max(1);
    let total: i64 = peers.iter().map(|a| a.forms).sum();
    let average = total as f64 / n as f64;
    let f = agency.forms as f64;
    let use_level = if agency.forms == 0 {
        UseLevel::None
    } else if n > 1 && f * 2.0 < average {
        UseLevel::Low
    } else if n > 1 && f > average * 2.0 {
        UseLevel::High
    } else {
        UseLevel::Usual
    };
    Comparison { peers: peers.len(), peer_average: (average * 10.0).round() / 10.0, use_level }
}

/// The agencies that raised no form in the period, by name.
pub fn made_none(all: &[AgencyUse]) -> Vec<&AgencyUse> {
    let mut out: Vec<&AgencyUse> = all.iter().filter(|a| a.forms == 0).collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// A challenge to an agency about its use of the forms, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChallengeInput {
    pub agency_id: Option<i64>,
    pub period: Option<Period>,
    pub challenge: String,
}

/// A challenge ready to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewChallenge {
    pub agency_id: i64,
    pub period: Period,
    pub challenge: String,
}

/// A challenge names the agency, the period looked at and what is asked of the agency.
pub fn check_challenge(c: &ChallengeInput) -> Result<Checked<NewChallenge>, Invalid> {
    let mut v = Invalid::new();
    if c.agency_id.is_none() {
        v.add("agency_id", "Select the agency you are challenging");
    }
    if c.period.is_none() {
        v.add("period", "Select the period the challenge is about");
    }
    let challenge = v.required("challenge", &c.challenge, "Enter the challenge: what the agency's use of the forms shows and what you ask it to do");
    v.max_len("challenge", &challenge, 5_000, "The challenge");
    v.finish()?;
    match (c.agency_id, c.period) {
        (Some(agency_id), Some(period)) => Ok(Checked::new(NewChallenge { agency_id, period, challenge })),
        _ => Err(Invalid::single("agency_id", "Select the agency you are challenging")),
    }
}

/// The agency's response to a challenge: given once.
pub fn check_response(response: &str, already_answered: bool) -> Result<Checked<String>, Invalid> {
    let mut v = Invalid::new();
    let text = v.required("response", response, "Enter the agency's response to the challenge");
    v.max_len("response", &text, 5_000, "The response");
    if already_answered {
        v.add("response", "The agency's response to this challenge is already recorded");
    }
    v.finish()?;
    Ok(Checked::new(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn agency(id: i64, kind: AgencyKind, forms: i64) -> AgencyUse {
        AgencyUse { agency_id: id, name: format!("Agency {id}"), kind, forms, awaiting: 0, outcomes: BTreeMap::new() }
    }

    #[test]
    fn periods_end_today() {
        let today = d(2018, 1, 16);
        assert_eq!(Period::ThisMonth.start(today), d(2018, 1, 1));
        assert_eq!(Period::ThreeMonths.start(today), d(2017, 10, 17));
        assert_eq!(Period::SixMonths.start(today), d(2017, 7, 17));
        assert_eq!(Period::TwelveMonths.start(today), d(2017, 1, 17));
        assert_eq!(Period::ThreeMonths.start(d(2018, 5, 31)), d(2018, 3, 1), "28 February, and the day after");
        assert_eq!(Period::from_slug("6-months"), Some(Period::SixMonths));
    }

    #[test]
    fn agencies_are_compared_with_their_own_kind() {
        use AgencyKind::*;
        let all = vec![agency(1, Education, 10), agency(2, Education, 2), agency(3, Education, 0), agency(4, Health, 3), agency(5, Education, 28)];
        // Education: 40 forms over 4 schools, 10 each.
        let c = compare(&all[0], &all);
        assert_eq!((c.peers, c.peer_average, c.use_level), (4, 10.0, UseLevel::Usual));
        assert_eq!(compare(&all[1], &all).use_level, UseLevel::Low);
        assert_eq!(compare(&all[2], &all).use_level, UseLevel::None);
        assert_eq!(compare(&all[4], &all).use_level, UseLevel::High);
        // Alone of its kind: nobody to compare with.
        assert_eq!(compare(&all[3], &all).use_level, UseLevel::Usual);
        assert_eq!(compare(&agency(6, Faith, 0), &[agency(6, Faith, 0)]).use_level, UseLevel::None);
        let none: Vec<i64> = made_none(&all).iter().map(|a| a.agency_id).collect();
        assert_eq!(none, vec![3]);
        // Exactly half the average is not low.
        let pair = vec![agency(1, Health, 5), agency(2, Health, 15)];
        assert_eq!(compare(&pair[0], &pair).use_level, UseLevel::Usual);
    }

    #[test]
    fn a_challenge_needs_the_agency_period_and_text_and_a_response_is_given_once() {
        let e = check_challenge(&ChallengeInput::default()).unwrap_err();
        for f in ["agency_id", "period", "challenge"] {
            assert!(e.for_field(f).is_some(), "{f}");
        }
        let ok =
            check_challenge(&ChallengeInput { agency_id: Some(3), period: Some(Period::SixMonths), challenge: " No forms in six months ".into() })
                .unwrap();
        assert_eq!(ok.challenge, "No forms in six months");
        assert!(check_response("  ", false).unwrap_err().for_field("response").is_some());
        assert_eq!(check_response(" Training booked ", false).unwrap().into_inner(), "Training booked");
        assert!(check_response("Again", true).unwrap_err().for_field("response").unwrap().contains("already"));
    }
}
