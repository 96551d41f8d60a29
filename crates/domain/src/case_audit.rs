//! Multi-agency case-file audits (DOMAIN.md §6): a six-monthly audit round of
//! referrals, child protection (CP), child in need (CIN) and MACSE plans, or one
//! triggered when the dataset shows an issue.
//!
//! The sample is **reproducible**: a seed is recorded with the round, and the same seed
//! over the same population always gives the same children (a small deterministic PRNG,
//! SplitMix64, drives a partial Fisher–Yates shuffle of each stratum, whose children are
//! first put in order of their record number). The audit tool's questions and grades are
//! data; an auditor sees exactly the children sampled for their round, and only while
//! the round runs. Nothing here performs I/O.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::datasets::{Direction, Month};
use crate::validation::Invalid;

/// SplitMix64: small, fast and the same on every platform and release.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (n > 0), without modulo bias.
    pub fn below(&mut self, n: u64) -> u64 {
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }
}

slug_enum!(
    /// The kinds of case a round samples, in the order they are drawn.
    Stratum {
        Referral => ("referral", "Referral to the MASH"),
        ChildProtection => ("child-protection", "Child protection (CP)"),
        ChildInNeed => ("child-in-need", "Child in need (CIN)"),
        MacsePlan => ("macse-plan", "MACSE plan"),
    }
);

slug_enum!(
    /// The grades of the audit tool.
    Grade {
        Outstanding => ("outstanding", "Outstanding"),
        Good => ("good", "Good"),
        RequiresImprovement => ("requires-improvement", "Requires improvement"),
        Inadequate => ("inadequate", "Inadequate"),
    }
);

/// Draw the sample: up to `per_stratum` children from each stratum, strata in order, a
/// child already drawn for an earlier stratum never drawn twice. The same seed and
/// population always give the same children, whatever order the population arrives in.
pub fn draw_sample(seed: u64, population: &[(Stratum, Vec<i64>)], per_stratum: usize) -> Vec<(Stratum, i64)> {
    let mut rng = SplitMix64::new(seed);
    let mut out: Vec<(Stratum, i64)> = Vec::new();
    for stratum in Stratum::ALL {
        let mut pool: Vec<i64> = population.iter().filter(|(s, _)| s == stratum).flat_map(|(_, ids)| ids.iter().copied()).collect();
        pool.sort_unstable();
        pool.dedup();
        pool.retain(|c| !out.iter().any(|(_, o)| o == c));
        let take = per_stratum.min(pool.len());
        for i in 0..take {
            let j = i + rng.below((pool.len() - i) as u64) as usize;
            pool.swap(i, j);
            out.push((*stratum, pool[i]));
        }
    }
    out
}

/// A seed from a round's title and the day it is drawn, for rounds where nobody chose
/// one (recorded with the round either way).
pub fn default_seed(round_title: &str, drawn_on: NaiveDate) -> u64 {
    let days = chrono::Datelike::num_days_from_ce(&drawn_on).max(0) as u64;
    let mut h = SplitMix64::new(days).next_u64();
    for b in round_title.bytes() {
        h = SplitMix64::new(h ^ u64::from(b)).next_u64();
    }
    // Kept below 2^63 so it is stored as a signed 64-bit number on both engines.
    h >> 1
}

/// An audit round as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoundInput {
    pub title: String,
    /// The records sampled: from this day to that.
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    /// The days the auditors have the sampled children's records.
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    /// Chosen, or made from the title and the day (recorded either way).
    pub seed: Option<u64>,
    /// Children drawn from each kind of case (5 unless given).
    pub per_stratum: Option<i64>,
}

/// A checked round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    pub title: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub seed: u64,
    pub per_stratum: usize,
}

/// The longest an auditor's access lasts: the one-day audit and its write-up.
pub const LONGEST_ROUND_DAYS: i64 = 31;

/// Check a round: a title, the sampled period before the audit, an audit of at most
/// [`LONGEST_ROUND_DAYS`] days, a sample of 1 to 25 children per kind of case.
pub fn check_round(input: &RoundInput, today: NaiveDate) -> Result<Round, Invalid> {
    let mut v = Invalid::new();
    let title = input.title.trim().to_string();
    if title.is_empty() {
        v.add("title", "Enter a title for the audit round, for example Case-file audit, autumn 2026");
    } else if title.chars().count() > 200 {
        v.add("title", "The title must be 200 characters or fewer");
    }
    if input.period_from.is_none() {
        v.add("period_from", "Enter the first day of the period to sample");
    }
    if input.period_to.is_none() {
        v.add("period_to", "Enter the last day of the period to sample");
    }
    if input.starts_on.is_none() {
        v.add("starts_on", "Enter the day the audit starts");
    }
    if input.ends_on.is_none() {
        v.add("ends_on", "Enter the day the audit ends");
    }
    if let (Some(a), Some(b)) = (input.period_from, input.period_to) {
        if b < a {
            v.add("period_to", "The period to sample must end on or after the day it starts");
        }
    }
    if let (Some(p), Some(s)) = (input.period_to, input.starts_on) {
        if s < p {
            v.add("starts_on", "The audit must start on or after the last day of the period it samples");
        }
    }
    if let (Some(s), Some(e)) = (input.starts_on, input.ends_on) {
        if e < s {
            v.add("ends_on", "The audit must end on or after the day it starts");
        } else if (e - s).num_days() >= LONGEST_ROUND_DAYS {
            v.add("ends_on", format!("Auditors' access lasts at most {LONGEST_ROUND_DAYS} days: end the audit sooner"));
        }
    }
    let per = input.per_stratum.unwrap_or(5);
    if !(1..=25).contains(&per) {
        v.add("per_stratum", "Sample from 1 to 25 children of each kind of case");
    }
    v.finish()?;
    let (Some(period_from), Some(period_to), Some(starts_on), Some(ends_on)) = (input.period_from, input.period_to, input.starts_on, input.ends_on)
    else {
        unreachable!("checked above")
    };
    Ok(Round {
        seed: input.seed.map(|s| s >> 1).unwrap_or_else(|| default_seed(&title, today)),
        title,
        period_from,
        period_to,
        starts_on,
        ends_on,
        per_stratum: per as usize,
    })
}

/// An auditor sees a sampled child only while the round runs (its first to its last
/// day) and only if assigned to the round.
pub fn auditor_may_see(starts_on: NaiveDate, ends_on: NaiveDate, today: NaiveDate, closed: bool) -> bool {
    !closed && starts_on <= today && today <= ends_on
}

/// Why a triggered audit was raised: the measure's figure for a month against its
/// threshold, recorded with the round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trigger {
    pub measure: String,
    pub measure_name: String,
    pub month: Month,
    pub figure: f64,
    pub threshold: f64,
}

impl Trigger {
    pub fn reason(&self) -> String {
        format!("{} for {} was {} against a threshold of {}", self.measure_name, self.month.label(), trim(self.figure), trim(self.threshold))
    }
}

fn trim(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// Whether a figure crosses its threshold: above it where lower is better, below it
/// where higher is better.
pub fn crosses(direction: Direction, figure: f64, threshold: f64) -> bool {
    match direction {
        Direction::HigherIsBetter => figure < threshold,
        Direction::LowerIsBetter | Direction::Neither => figure > threshold,
    }
}

/// The audit tool's questions as first held (an administrator may change them: they
/// are stored as data with the round that used them).
pub fn default_questions() -> Vec<&'static str> {
    vec![
        "Was the concern recognised as CSE and referred without delay?",
        "Was the CSE 2 screening completed and the risk level right?",
        "Did the MASH decide within the expected time, with its reasons recorded?",
        "Were all the agencies involved asked to share what they knew?",
        "Does the plan say who will do what by when, and was it reviewed on time?",
        "Is the child's voice heard in the record?",
        "Were missing episodes followed by a return interview offered within 72 hours?",
        "Were disruption and prosecution considered, and the police CSE flag set?",
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn population() -> Vec<(Stratum, Vec<i64>)> {
        vec![
            (Stratum::Referral, (1..=40).collect()),
            (Stratum::ChildProtection, vec![3, 50, 51, 52, 53, 54, 55]),
            (Stratum::ChildInNeed, vec![60, 61]),
            (Stratum::MacsePlan, vec![1, 2, 3, 70, 71, 72, 73, 74]),
        ]
    }

    #[test]
    fn the_same_seed_gives_the_same_children_whatever_the_order() {
        let a = draw_sample(42, &population(), 3);
        let mut shuffled = population();
        shuffled.reverse();
        for (_, ids) in shuffled.iter_mut() {
            ids.reverse();
        }
        assert_eq!(a, draw_sample(42, &shuffled, 3));
        assert_ne!(a, draw_sample(43, &population(), 3), "another seed, another sample");
    }

    #[test]
    fn the_sample_is_stratified_and_draws_no_child_twice() {
        let cases: Vec<(usize, [usize; 4])> = vec![(3, [3, 3, 2, 3]), (1, [1, 1, 1, 1]), (100, [40, 6, 2, 5])];
        for (per, want) in cases {
            let s = draw_sample(7, &population(), per);
            let counts: Vec<usize> = Stratum::ALL.iter().map(|st| s.iter().filter(|(x, _)| x == st).count()).collect();
            if per == 100 {
                // Everyone, once: child 3 is drawn as a referral, so CP and MACSE lose it.
                assert_eq!(counts.iter().sum::<usize>(), 40 + 6 + 2 + 5, "{counts:?}");
            } else {
                assert_eq!(counts, want, "per stratum {per}");
            }
            let mut ids: Vec<i64> = s.iter().map(|(_, c)| *c).collect();
            ids.sort_unstable();
            let n = ids.len();
            ids.dedup();
            assert_eq!(ids.len(), n, "no child twice");
        }
        assert!(draw_sample(1, &[], 5).is_empty());
    }

    #[test]
    fn the_prng_is_splitmix64() {
        // The reference sequence for seed 0.
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        for n in [1, 2, 7, 1000] {
            assert!(r.below(n) < n);
        }
        let d = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        assert_eq!(default_seed("Round 1", d), default_seed("Round 1", d));
        assert_ne!(default_seed("Round 1", d), default_seed("Round 2", d));
    }

    #[test]
    fn an_auditor_sees_children_only_while_the_round_runs() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (from, to) = (d("2026-10-05"), d("2026-10-09"));
        for (today, closed, want) in [
            ("2026-10-04", false, false),
            ("2026-10-05", false, true),
            ("2026-10-09", false, true),
            ("2026-10-10", false, false),
            ("2026-10-06", true, false),
        ] {
            assert_eq!(auditor_may_see(from, to, d(today), closed), want, "{today} closed {closed}");
        }
    }

    #[test]
    fn a_round_needs_its_dates_in_order_and_a_short_audit() {
        let d = |s: &str| Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap());
        let ok = RoundInput {
            title: "Autumn 2026".into(),
            period_from: d("2026-04-01"),
            period_to: d("2026-09-30"),
            starts_on: d("2026-10-05"),
            ends_on: d("2026-10-09"),
            seed: Some(42),
            per_stratum: None,
        };
        let today = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        let r = check_round(&ok, today).unwrap();
        assert_eq!((r.seed, r.per_stratum), (21, 5));
        assert_eq!(check_round(&RoundInput { seed: None, ..ok.clone() }, today).unwrap().seed, default_seed("Autumn 2026", today));
        let cases: Vec<(RoundInput, &str)> = vec![
            (RoundInput { title: " ".into(), ..ok.clone() }, "title"),
            (RoundInput { period_to: d("2026-03-01"), ..ok.clone() }, "period_to"),
            (RoundInput { starts_on: d("2026-09-01"), ..ok.clone() }, "starts_on"),
            (RoundInput { ends_on: d("2026-10-04"), ..ok.clone() }, "ends_on"),
            (RoundInput { ends_on: d("2026-11-30"), ..ok.clone() }, "ends_on"),
            (RoundInput { per_stratum: Some(0), ..ok.clone() }, "per_stratum"),
            (RoundInput { starts_on: None, ..ok.clone() }, "starts_on"),
        ];
        for (input, field) in cases {
            let e = check_round(&input, today).unwrap_err();
            assert!(e.for_field(field).is_some(), "{field}: {e:?}");
        }
    }

    #[test]
    fn a_trigger_records_its_figure_as_the_reason() {
        let t = Trigger {
            measure: "interviews-accepted".into(),
            measure_name: "Return interviews offered within 72 hours".into(),
            month: Month::parse("2026-09").unwrap(),
            figure: 41.5,
            threshold: 80.0,
        };
        assert_eq!(t.reason(), "Return interviews offered within 72 hours for September 2026 was 41.5 against a threshold of 80");
        assert!(crosses(Direction::HigherIsBetter, 41.5, 80.0));
        assert!(!crosses(Direction::HigherIsBetter, 90.0, 80.0));
        assert!(crosses(Direction::LowerIsBetter, 12.0, 10.0));
    }
}
