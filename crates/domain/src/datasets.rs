//! The monthly multi-agency CSE dataset (DOMAIN.md §6): measures held as data, the
//! months they are counted over, and the counting itself.
//!
//! A measure is built from fixed building blocks: a **source** (the kind of record it
//! counts: referrals, MACSE children, placement notifications, missing episodes,
//! operations), how it is **counted** (records, distinct children, a proportion with a
//! numerator condition, or the median time), the **period rule** (which date places a
//! record in a month, or "open on the last day"), an optional **filter** (a condition
//! every counted record meets), its **breakdowns** and which **direction** is better.
//! Each source says which of the blocks it supports, so a definition an administrator
//! writes is checked against them and one that cannot be computed is refused with a
//! message saying why.
//!
//! Storage reads one [`Fact`] per record for a month and period rule (the only I/O);
//! [`compute`] turns the facts into a [`Figure`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::access::Role;
use crate::validation::{Checked, Invalid};

// ---------------------------------------------------------------- months

/// A calendar month on the council's clock (Europe/London).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Month> {
        ((1..=12).contains(&month) && (2000..=2100).contains(&year)).then_some(Month { year, month })
    }

    /// `YYYY-MM`, as in a page address or `--month`; anything else is `None`.
    pub fn parse(s: &str) -> Option<Month> {
        let s = s.trim();
        let (y, m) = s.split_once('-')?;
        if y.len() != 4 || m.len() != 2 || !y.chars().chain(m.chars()).all(|c| c.is_ascii_digit()) {
            return None;
        }
        Month::new(y.parse().ok()?, m.parse().ok()?)
    }

    /// The month a date falls in.
    pub fn of(d: NaiveDate) -> Month {
        Month { year: d.year(), month: d.month() }
    }

    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u32 {
        self.month
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("a month's first day")
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().expect("the day before a month")
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month { year: self.year + 1, month: 1 }
        } else {
            Month { year: self.year, month: self.month + 1 }
        }
    }

    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month { year: self.year - 1, month: 12 }
        } else {
            Month { year: self.year, month: self.month - 1 }
        }
    }

    /// This month and the `n - 1` before it, oldest first.
    pub fn trailing(self, n: usize) -> Vec<Month> {
        let mut out = vec![self];
        for _ in 1..n {
            let p = out.last().copied().expect("one month at least").previous();
            out.push(p);
        }
        out.reverse();
        out
    }

    /// The instants (UTC) the month starts and ends at on the London clock: midnight on
    /// its first day and on the next month's first day. Stored instants compare with
    /// these as text.
    pub fn bounds_utc(self) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = crate::clock::from_london(self.first_day().and_hms_opt(0, 0, 0).expect("midnight"));
        let end = crate::clock::from_london(self.next().first_day().and_hms_opt(0, 0, 0).expect("midnight"));
        (start, end)
    }

    /// "March 2026".
    pub fn label(self) -> String {
        self.first_day().format("%B %Y").to_string()
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl TryFrom<String> for Month {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Month::parse(&s).ok_or_else(|| format!("not a month (YYYY-MM): {s:?}"))
    }
}

impl From<Month> for String {
    fn from(m: Month) -> String {
        m.to_string()
    }
}

/// Where a month stands against today: a month still going on (or to come) cannot be
/// closed.
pub fn may_close(month: Month, today: NaiveDate) -> Result<(), String> {
    if month.last_day() >= today {
        return Err(format!("{} has not ended yet: a month can be closed from the day after its last day", month.label()));
    }
    Ok(())
}

/// The month due to close on `today`: the month before today's, from the first working
/// day after it ends (a weekend or a bank holiday on the 1st puts it off). None before
/// that day.
pub fn due_to_close(today: NaiveDate) -> Option<Month> {
    let month = Month::of(today).previous();
    let first_working = month.last_day().iter_days().skip(1).find(|d| crate::working_days::is_working_day(*d))?;
    (today >= first_working).then_some(month)
}

// ---------------------------------------------------------------- who sees what

/// How much of the dataset a role sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatasetView {
    /// Every figure, small numbers included (each view audited).
    Full,
    /// Small numbers suppressed, as published for members and the public.
    Published,
    /// Only the referral counts of the person's own agency.
    OwnAgencyReferrals,
    Nothing,
}

pub fn dataset_view(role: Role) -> DatasetView {
    match role {
        Role::PartnershipManager | Role::CseAnalyst | Role::MacseCoChair | Role::PoliceCseOfficer => DatasetView::Full,
        Role::CommitteeMember => DatasetView::Published,
        Role::Practitioner | Role::Spoc | Role::MashWorker | Role::NotificationOfficer => DatasetView::OwnAgencyReferrals,
        _ => DatasetView::Nothing,
    }
}

/// Police-only measures never leave police roles (police CSE officers, and the MACSE
/// co-chairs, who see the police-only parts of the record too).
pub fn sees_police_only(role: Role) -> bool {
    matches!(role, Role::PoliceCseOfficer | Role::MacseCoChair)
}

// ---------------------------------------------------------------- building blocks

slug_enum!(
    /// The kind of record a measure counts.
    Source {
        Referrals => ("referrals", "Referrals to the MASH"),
        MacseChildren => ("macse-children", "Children on MACSE (a plan or a panel slot)"),
        Placements => ("placements", "Placement notifications from other authorities"),
        MissingEpisodes => ("missing-episodes", "Missing episodes"),
        Operations => ("operations", "Police prevent and prosecute operations"),
    }
);

slug_enum!(
    /// How a measure is counted from its records.
    Counting {
        Records => ("count", "Number of records"),
        DistinctChildren => ("distinct-children", "Number of different children"),
        Proportion => ("proportion", "Proportion: records meeting the numerator condition out of all counted"),
        MedianHours => ("median-hours", "Median time in hours"),
    }
);

slug_enum!(
    /// Which records fall in a month.
    PeriodRule {
        ByReferralDate => ("by-referral-date", "Referred in the month"),
        ByDecisionDate => ("by-decision-date", "Decided in the month"),
        ByStartDate => ("by-start-date", "Started in the month"),
        OpenOnLastDay => ("open-on-last-day", "Open on the month's last day"),
    }
);

slug_enum!(
    /// A breakdown of a figure.
    Dimension {
        Agency => ("agency", "Referring agency"),
        RiskLevel => ("risk-level", "Screening risk level"),
        Decision => ("decision", "MASH decision"),
        ReferralSource => ("referral-source", "Route of referral"),
        AgeBand => ("age-band", "Age band"),
        Gender => ("gender", "Gender"),
        Ward => ("ward", "Ward"),
        PlacingAuthority => ("placing-authority", "Placing authority"),
        Timeliness => ("timeliness", "Notification timeliness"),
        MissingFrom => ("missing-from", "Missing from"),
        RiskGrading => ("risk-grading", "Police risk grading"),
        OperationKind => ("operation-kind", "Kind of operation"),
    }
);

slug_enum!(
    /// A yes-or-no fact about a record, for a filter or a proportion's numerator.
    Condition {
        Decided => ("decided", "The MASH has decided"),
        PoliceFlagged => ("police-flagged", "The police CSE flag is set"),
        PlanMoreThanOnce => ("plan-more-than-once", "On a plan more than once"),
        NotifiedLate => ("notified-late", "Notified late"),
        NotNotified => ("not-notified", "Found without a notification"),
        CseRisk => ("cse-risk", "CSE risk declared"),
        Ended => ("ended", "The child has returned"),
        InterviewOffered => ("interview-offered", "A return interview was offered"),
        OfferedWithin72Hours => ("offered-within-72-hours", "A return interview was offered within 72 hours"),
        InterviewAccepted => ("interview-accepted", "The return interview was accepted"),
        CseLink => ("cse-link", "A CSE link was found"),
        Over16 => ("over-16", "Aged 16 or over"),
    }
);

slug_enum!(
    /// Which way a measure should move.
    Direction {
        HigherIsBetter => ("higher-is-better", "Higher is better"),
        LowerIsBetter => ("lower-is-better", "Lower is better"),
        Neither => ("neither", "Neither: watched, not targeted"),
    }
);

impl Source {
    /// Police-only sources: their figures never leave police roles.
    pub fn police_only(self) -> bool {
        self == Source::Operations
    }

    pub fn periods(self) -> &'static [PeriodRule] {
        use PeriodRule::*;
        match self {
            Source::Referrals => &[ByReferralDate, ByDecisionDate],
            Source::MacseChildren => &[ByStartDate, OpenOnLastDay],
            Source::Placements => &[ByStartDate, OpenOnLastDay],
            Source::MissingEpisodes => &[ByStartDate],
            Source::Operations => &[ByStartDate],
        }
    }

    pub fn dimensions(self) -> &'static [Dimension] {
        use Dimension::*;
        match self {
            Source::Referrals => &[Agency, RiskLevel, Decision, ReferralSource, AgeBand, Gender, Ward],
            Source::MacseChildren => &[AgeBand, Gender, Ward],
            Source::Placements => &[PlacingAuthority, Timeliness, AgeBand, Gender, Ward],
            Source::MissingEpisodes => &[MissingFrom, RiskGrading, AgeBand, Gender],
            Source::Operations => &[OperationKind],
        }
    }

    pub fn conditions(self) -> &'static [Condition] {
        use Condition::*;
        match self {
            Source::Referrals => &[Decided, Over16],
            Source::MacseChildren => &[PoliceFlagged, PlanMoreThanOnce, Over16],
            Source::Placements => &[NotifiedLate, NotNotified, CseRisk, Over16],
            Source::MissingEpisodes => &[Ended, InterviewOffered, OfferedWithin72Hours, InterviewAccepted, CseLink, Over16],
            Source::Operations => &[],
        }
    }

    /// Whether the records carry a time to measure (referrals: from submission to the
    /// MASH decision).
    pub fn has_time(self) -> bool {
        self == Source::Referrals
    }
}

// ---------------------------------------------------------------- measures

/// A measure's definition as an administrator writes it (and as it is stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MeasureInput {
    pub slug: String,
    pub name: String,
    pub shows: String,
    pub source: Option<Source>,
    pub counting: Option<Counting>,
    pub period: Option<PeriodRule>,
    #[serde(default)]
    pub filter: Option<Condition>,
    #[serde(default)]
    pub numerator: Option<Condition>,
    #[serde(default)]
    pub breakdowns: Vec<Dimension>,
    pub direction: Option<Direction>,
    /// Marked police only (a police-only source always is).
    #[serde(default)]
    pub police_only: bool,
}

/// A checked measure, with its definition's version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measure {
    pub slug: String,
    pub name: String,
    pub shows: String,
    pub source: Source,
    pub counting: Counting,
    pub period: PeriodRule,
    pub filter: Option<Condition>,
    pub numerator: Option<Condition>,
    pub breakdowns: Vec<Dimension>,
    pub direction: Direction,
    pub police_only: bool,
    pub version: i64,
}

impl Measure {
    /// The definition's fingerprint: a closed month records it with each figure.
    pub fn definition_sha(&self) -> String {
        let text = serde_json::to_string(self).expect("a measure serialises");
        hex::encode(Sha256::digest(text.as_bytes()))
    }

    /// In words, how it is counted ("Number of different children, open on the month's
    /// last day, where: the police CSE flag is set").
    pub fn how_counted(&self) -> String {
        let mut s = format!("{}; {}", self.counting.label(), self.period.label().to_lowercase());
        if let Some(f) = self.filter {
            s.push_str(&format!("; only where {}", f.label().to_lowercase()));
        }
        if let Some(n) = self.numerator {
            s.push_str(&format!("; numerator: {}", n.label().to_lowercase()));
        }
        s
    }
}

/// The fields of the measure form, in order.
pub const MEASURE_FIELDS: &[&str] = &["slug", "name", "shows", "source", "counting", "period", "filter", "numerator", "breakdowns", "direction"];

/// Check a definition against the building blocks: every part chosen, and each one
/// something its source can count. `version` is the number it will be stored as.
pub fn check_measure(input: &MeasureInput, version: i64) -> Result<Checked<Measure>, Invalid> {
    let mut v = Invalid::new();
    let slug = input.slug.trim().to_string();
    if slug.is_empty() {
        v.add("slug", "Enter a short name for the measure, such as referrals-by-agency");
    } else if slug.len() > 60 || !slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        v.add("slug", "The short name may use only lower-case letters, digits and hyphens, up to 60 characters");
    }
    let name = v.required("name", &input.name, "Enter the measure's name");
    v.max_len("name", &name, 200, "The name");
    let shows = v.required("shows", &input.shows, "Enter what the measure shows");
    v.max_len("shows", &shows, 2000, "What it shows");
    if input.source.is_none() {
        v.add("source", "Select what the measure counts");
    }
    if input.counting.is_none() {
        v.add("counting", "Select how it is counted");
    }
    if input.period.is_none() {
        v.add("period", "Select which records fall in a month");
    }
    if input.direction.is_none() {
        v.add("direction", "Select which direction is better");
    }
    if let Some(source) = input.source {
        if let Some(p) = input.period {
            if !source.periods().contains(&p) {
                v.add(
                    "period",
                    format!("{} cannot be counted \"{}\": choose one of {}", source.label(), p.label().to_lowercase(), labels(source.periods())),
                );
            }
        }
        for c in [("filter", input.filter), ("numerator", input.numerator)] {
            if let (field, Some(cond)) = c {
                if !source.conditions().contains(&cond) {
                    v.add(field, format!("{} do not record whether \"{}\"", source.label(), cond.label().to_lowercase()));
                }
            }
        }
        let mut seen = BTreeSet::new();
        for d in &input.breakdowns {
            if !source.dimensions().contains(d) {
                v.add("breakdowns", format!("{} cannot be broken down by {}", source.label(), d.label().to_lowercase()));
            } else if !seen.insert(*d) {
                v.add("breakdowns", format!("{} is chosen twice", d.label()));
            }
        }
        match input.counting {
            Some(Counting::Proportion) => {
                if input.numerator.is_none() {
                    v.add("numerator", "A proportion needs a numerator: select the condition the records counted above the line meet");
                } else if input.numerator == input.filter {
                    v.add("numerator", "The numerator is the same as the filter, so the proportion would always be 100%");
                }
            }
            Some(Counting::MedianHours) if !source.has_time() => {
                v.add("counting", format!("{} carry no time to take a median of", source.label()));
            }
            Some(_) if input.numerator.is_some() => {
                v.add("numerator", "Only a proportion has a numerator");
            }
            _ => {}
        }
    }
    v.finish()?;
    let source = input.source.expect("checked");
    Ok(Checked::new(Measure {
        slug,
        name,
        shows,
        source,
        counting: input.counting.expect("checked"),
        period: input.period.expect("checked"),
        filter: input.filter,
        numerator: input.numerator,
        breakdowns: input.breakdowns.clone(),
        direction: input.direction.expect("checked"),
        police_only: input.police_only || source.police_only(),
        version,
    }))
}

fn labels(items: &[PeriodRule]) -> String {
    items.iter().map(|i| format!("\"{}\"", i.label().to_lowercase())).collect::<Vec<_>>().join(" or ")
}

// ---------------------------------------------------------------- the seed set

fn seed(slug: &str, name: &str, shows: &str, source: Source, counting: Counting, period: PeriodRule) -> MeasureInput {
    MeasureInput {
        slug: slug.into(),
        name: name.into(),
        shows: shows.into(),
        source: Some(source),
        counting: Some(counting),
        period: Some(period),
        direction: Some(Direction::Neither),
        ..Default::default()
    }
}

/// The measures the dataset starts with (DOMAIN.md §6), in the order they are shown.
pub fn seed_measures() -> Vec<MeasureInput> {
    use Counting::*;
    use Dimension::*;
    use PeriodRule::*;
    use Source::*;
    let mut out = Vec::new();
    let mut m = seed(
        "referrals",
        "CSE referrals",
        "Referrals to the MASH in the month, by the agency that referred (agencies that made none are listed with 0), route, risk level, age band and gender.",
        Referrals,
        Records,
        ByReferralDate,
    );
    m.breakdowns = vec![Agency, ReferralSource, RiskLevel, AgeBand, Gender, Ward];
    out.push(m);
    let mut m =
        seed("children-referred", "Children referred", "Different children referred in the month.", Referrals, DistinctChildren, ByReferralDate);
    m.breakdowns = vec![AgeBand, Gender];
    out.push(m);
    let mut m = seed(
        "referrals-over-16",
        "Referrals of young people aged 16 or over",
        "Watch for under-reporting of over-16s.",
        Referrals,
        Proportion,
        ByReferralDate,
    );
    m.numerator = Some(Condition::Over16);
    m.direction = Some(Direction::HigherIsBetter);
    out.push(m);
    let mut m = seed("mash-decisions", "MASH decisions", "Referrals the MASH decided in the month, by outcome.", Referrals, Records, ByDecisionDate);
    m.breakdowns = vec![Decision, Agency];
    out.push(m);
    let mut m = seed(
        "time-to-decision",
        "Time to MASH decision",
        "Median hours from a referral reaching the MASH to its decision, for referrals decided in the month.",
        Referrals,
        MedianHours,
        ByDecisionDate,
    );
    m.breakdowns = vec![RiskLevel];
    m.direction = Some(Direction::LowerIsBetter);
    out.push(m);
    let mut m = seed(
        "open-to-macse",
        "Children open to MACSE",
        "Children with a MACSE plan or panel slot on the month's last day.",
        MacseChildren,
        DistinctChildren,
        OpenOnLastDay,
    );
    m.breakdowns = vec![AgeBand, Gender, Ward];
    out.push(m);
    let mut m =
        seed("new-to-macse", "Children new to MACSE", "Children first brought to MACSE in the month.", MacseChildren, DistinctChildren, ByStartDate);
    m.breakdowns = vec![AgeBand, Gender];
    out.push(m);
    let mut m = seed(
        "plan-more-than-once",
        "Children on a plan more than once",
        "MACSE children who have had more than one child protection plan.",
        MacseChildren,
        DistinctChildren,
        OpenOnLastDay,
    );
    m.filter = Some(Condition::PlanMoreThanOnce);
    m.direction = Some(Direction::LowerIsBetter);
    out.push(m);
    let mut m = seed(
        "police-flag-coverage",
        "Police CSE flag coverage of MACSE children",
        "Children open to MACSE whose police CSE flag is set (target 100%).",
        MacseChildren,
        Proportion,
        OpenOnLastDay,
    );
    m.numerator = Some(Condition::PoliceFlagged);
    m.direction = Some(Direction::HigherIsBetter);
    out.push(m);
    let mut m = seed(
        "placements-notified",
        "Placements notified",
        "Children placed in the area by other authorities whose placement started in the month, by placing authority and timeliness.",
        Placements,
        Records,
        ByStartDate,
    );
    m.breakdowns = vec![PlacingAuthority, Timeliness];
    out.push(m);
    let mut m = seed(
        "placements-late",
        "Placements notified late",
        "Placements that started in the month and were notified late.",
        Placements,
        Records,
        ByStartDate,
    );
    m.filter = Some(Condition::NotifiedLate);
    m.breakdowns = vec![PlacingAuthority];
    m.direction = Some(Direction::LowerIsBetter);
    out.push(m);
    let mut m = seed(
        "placements-not-notified",
        "Placements found without notification",
        "Placements that started in the month and were found without any notification.",
        Placements,
        Records,
        ByStartDate,
    );
    m.filter = Some(Condition::NotNotified);
    m.breakdowns = vec![PlacingAuthority];
    m.direction = Some(Direction::LowerIsBetter);
    out.push(m);
    let mut m =
        seed("missing-episodes", "Missing episodes", "Episodes of going missing that started in the month.", MissingEpisodes, Records, ByStartDate);
    m.breakdowns = vec![MissingFrom, RiskGrading, AgeBand, Gender];
    out.push(m);
    let mut m = seed(
        "children-missing",
        "Children missing",
        "Different children who went missing in the month.",
        MissingEpisodes,
        DistinctChildren,
        ByStartDate,
    );
    m.breakdowns = vec![AgeBand, Gender];
    out.push(m);
    let mut m = seed(
        "interviews-within-72-hours",
        "Return interviews offered within 72 hours",
        "Of the episodes that started in the month and have ended, those whose return interview was offered within 72 hours of the return.",
        MissingEpisodes,
        Proportion,
        ByStartDate,
    );
    m.filter = Some(Condition::Ended);
    m.numerator = Some(Condition::OfferedWithin72Hours);
    m.direction = Some(Direction::HigherIsBetter);
    out.push(m);
    let mut m = seed(
        "interviews-accepted",
        "Return interviews accepted",
        "Of the return interviews offered for episodes that started in the month, those the child accepted.",
        MissingEpisodes,
        Proportion,
        ByStartDate,
    );
    m.filter = Some(Condition::InterviewOffered);
    m.numerator = Some(Condition::InterviewAccepted);
    m.direction = Some(Direction::HigherIsBetter);
    out.push(m);
    let mut m = seed(
        "episodes-cse-link",
        "Missing episodes with a CSE link",
        "Episodes that started in the month whose return interview found a link to CSE.",
        MissingEpisodes,
        Records,
        ByStartDate,
    );
    m.filter = Some(Condition::CseLink);
    out.push(m);
    let mut m = seed(
        "operations",
        "Police operations",
        "Prevent and prosecute operations begun in the month (police only).",
        Operations,
        Records,
        ByStartDate,
    );
    m.breakdowns = vec![OperationKind];
    out.push(m);
    out
}

// ---------------------------------------------------------------- counting

/// Age bands the dataset reports (over-16s watched for under-reporting).
pub const AGE_BANDS: &[&str] = &["Under 10", "10 to 12", "13 to 15", "16 to 17", "18 and over", "Not known"];

/// A child's age band on a date, from the date of birth or (failing that) the age
/// estimated when the child was recorded.
pub fn age_band(date_of_birth: Option<NaiveDate>, estimated_age: Option<i64>, on: NaiveDate) -> &'static str {
    let age = match (date_of_birth, estimated_age) {
        (Some(dob), _) => on.years_since(dob).map(i64::from),
        (None, Some(a)) => Some(a),
        _ => None,
    };
    match age {
        None => "Not known",
        Some(a) if a < 10 => "Under 10",
        Some(a) if a < 13 => "10 to 12",
        Some(a) if a < 16 => "13 to 15",
        Some(a) if a < 18 => "16 to 17",
        Some(_) => "18 and over",
    }
}

/// One record, as a measure sees it: the child it is about, its value in each
/// dimension, the conditions it meets, and (referrals) the hours it took.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fact {
    pub child: i64,
    pub values: BTreeMap<Dimension, String>,
    pub conditions: BTreeSet<Condition>,
    pub hours: Option<f64>,
}

impl Fact {
    pub fn new(child: i64) -> Fact {
        Fact { child, ..Default::default() }
    }
    pub fn with(mut self, d: Dimension, value: impl Into<String>) -> Fact {
        self.values.insert(d, value.into());
        self
    }
    pub fn when(mut self, c: Condition, holds: bool) -> Fact {
        if holds {
            self.conditions.insert(c);
        }
        self
    }
}

/// One number in the dataset.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Value {
    Count {
        n: i64,
    },
    Proportion {
        numerator: i64,
        denominator: i64,
    },
    /// The median hours, and how many records it is taken over.
    Median {
        hours: Option<f64>,
        over: i64,
    },
}

impl Value {
    /// The number small-number suppression looks at: the count; for a proportion the
    /// smaller of those meeting and not meeting the numerator (either could identify a
    /// child); the records under a median.
    pub fn size(self) -> i64 {
        match self {
            Value::Count { n } => n,
            Value::Proportion { numerator, denominator } => numerator.min(denominator - numerator).max(0),
            Value::Median { over, .. } => over,
        }
    }

    /// As shown in full: "12", "9 of 12 (75%)", "18.5 hours (over 12)".
    pub fn display(self) -> String {
        match self {
            Value::Count { n } => n.to_string(),
            Value::Proportion { denominator: 0, .. } => "none to count".to_string(),
            Value::Proportion { numerator, denominator } => {
                format!("{numerator} of {denominator} ({}%)", (numerator * 100 + denominator / 2) / denominator)
            }
            Value::Median { hours: None, .. } => "none to count".to_string(),
            Value::Median { hours: Some(h), over } => format!("{h:.1} hours (over {over})"),
        }
    }

    /// A single number for a chart and for differences.
    pub fn headline(self) -> f64 {
        match self {
            Value::Count { n } => n as f64,
            Value::Proportion { numerator, denominator } if denominator > 0 => numerator as f64 * 100.0 / denominator as f64,
            Value::Proportion { .. } => 0.0,
            Value::Median { hours, .. } => hours.unwrap_or(0.0),
        }
    }
}

/// A measure's figures for a month: the total and each breakdown's rows (every known
/// value listed, with 0 where none was counted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub measure: String,
    pub version: i64,
    pub total: Value,
    pub breakdowns: Vec<Breakdown>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Breakdown {
    pub dimension: Dimension,
    pub rows: Vec<(String, Value)>,
}

/// Count a measure over the month's facts (already cut to its period rule by storage).
/// `known` lists, per dimension, the values to show even when none was counted (every
/// agency, so those that made no referral are named).
pub fn compute(m: &Measure, facts: &[Fact], known: &BTreeMap<Dimension, Vec<String>>) -> Figure {
    let counted: Vec<&Fact> = facts.iter().filter(|f| m.filter.is_none_or(|c| f.conditions.contains(&c))).collect();
    let total = value(m, &counted);
    let breakdowns = m
        .breakdowns
        .iter()
        .map(|d| {
            let mut groups: BTreeMap<String, Vec<&Fact>> = BTreeMap::new();
            for k in known.get(d).into_iter().flatten() {
                groups.entry(k.clone()).or_default();
            }
            for f in &counted {
                let v = f.values.get(d).cloned().filter(|v| !v.is_empty()).unwrap_or_else(|| "Not recorded".to_string());
                groups.entry(v).or_default().push(f);
            }
            let mut rows: Vec<(String, Value)> = groups.into_iter().map(|(k, fs)| (k, value(m, &fs))).collect();
            if *d == Dimension::AgeBand {
                rows.sort_by_key(|(k, _)| AGE_BANDS.iter().position(|b| b == k).unwrap_or(usize::MAX));
            }
            Breakdown { dimension: *d, rows }
        })
        .collect();
    Figure { measure: m.slug.clone(), version: m.version, total, breakdowns }
}

fn value(m: &Measure, facts: &[&Fact]) -> Value {
    match m.counting {
        Counting::Records => Value::Count { n: facts.len() as i64 },
        Counting::DistinctChildren => Value::Count { n: facts.iter().map(|f| f.child).collect::<BTreeSet<_>>().len() as i64 },
        Counting::Proportion => {
            let num = m.numerator.map_or(0, |c| facts.iter().filter(|f| f.conditions.contains(&c)).count());
            Value::Proportion { numerator: num as i64, denominator: facts.len() as i64 }
        }
        Counting::MedianHours => {
            let mut hs: Vec<f64> = facts.iter().filter_map(|f| f.hours).collect();
            hs.sort_by(f64::total_cmp);
            let n = hs.len();
            let hours = match n {
                0 => None,
                _ if n % 2 == 1 => Some(hs[n / 2]),
                _ => Some((hs[n / 2 - 1] + hs[n / 2]) / 2.0),
            };
            Value::Median { hours, over: n as i64 }
        }
    }
}

/// A closed month's fingerprint: SHA-256 over its figures in order.
pub fn fingerprint(month: Month, figures: &[Figure]) -> String {
    let text = serde_json::to_string(&(month, figures)).expect("figures serialise");
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// A figure that changed after its month was closed: the closed figure, the figure
/// now, and the difference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Restatement {
    pub measure: String,
    /// The breakdown row, or `None` for the total.
    pub row: Option<(Dimension, String)>,
    pub closed: Value,
    pub now: Value,
}

impl Restatement {
    pub fn difference(&self) -> f64 {
        self.now.headline() - self.closed.headline()
    }
}

/// Every figure of a closed month that reads differently now.
pub fn restatements(closed: &[Figure], now: &[Figure]) -> Vec<Restatement> {
    let mut out = Vec::new();
    for c in closed {
        let Some(n) = now.iter().find(|n| n.measure == c.measure) else { continue };
        if c.total != n.total {
            out.push(Restatement { measure: c.measure.clone(), row: None, closed: c.total, now: n.total });
        }
        for cb in &c.breakdowns {
            let Some(nb) = n.breakdowns.iter().find(|b| b.dimension == cb.dimension) else { continue };
            for (label, cv) in &cb.rows {
                let nv = nb.rows.iter().find(|(l, _)| l == label).map(|(_, v)| *v).unwrap_or(Value::Count { n: 0 });
                if *cv != nv {
                    out.push(Restatement { measure: c.measure.clone(), row: Some((cb.dimension, label.clone())), closed: *cv, now: nv });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_month_is_due_to_close_on_the_first_working_day_after_it_ends() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let dec = Month::parse("2025-12").unwrap();
        // 1 January 2026 is a bank holiday: December closes on Friday 2 January.
        assert_eq!(super::due_to_close(d(2026, 1, 1)), None);
        assert_eq!(super::due_to_close(d(2026, 1, 2)), Some(dec));
        assert_eq!(super::due_to_close(d(2026, 1, 31)), Some(dec), "and stays due through the month");
        // October 2025 ends on a Friday: Saturday 1 and Sunday 2 November are not working days.
        let oct = Month::parse("2025-10").unwrap();
        assert_eq!(super::due_to_close(d(2025, 11, 1)), None);
        assert_eq!(super::due_to_close(d(2025, 11, 2)), None);
        assert_eq!(super::due_to_close(d(2025, 11, 3)), Some(oct));
        // An ordinary 1st.
        assert_eq!(super::due_to_close(d(2026, 4, 1)), Some(Month::parse("2026-03").unwrap()));
    }

    use super::*;

    #[test]
    fn who_sees_the_dataset() {
        use crate::Permission;
        for r in Role::ALL {
            let v = dataset_view(r);
            assert_eq!(v != DatasetView::Nothing, r.allows(Permission::ViewDatasets), "{r:?}");
            if r.allows(Permission::RunDatasets) {
                assert_eq!(v, DatasetView::Full, "{r:?}");
            }
            if sees_police_only(r) {
                assert_eq!(v, DatasetView::Full, "{r:?}");
            }
        }
        assert_eq!(dataset_view(Role::CommitteeMember), DatasetView::Published);
        assert_eq!(dataset_view(Role::Practitioner), DatasetView::OwnAgencyReferrals);
        assert!(!sees_police_only(Role::CseAnalyst) && !sees_police_only(Role::CommitteeMember));
    }

    #[test]
    fn months_parse_strictly_and_bound_on_the_london_clock() {
        assert_eq!(Month::parse("2026-03").map(|m| m.to_string()), Some("2026-03".into()));
        for bad in ["2026-3", "2026-13", "26-03", "2026/03", "", "2026-00", "abcd-ef"] {
            assert_eq!(Month::parse(bad), None, "{bad}");
        }
        // June starts at 23:00 UTC on 31 May (British Summer Time).
        let (start, end) = Month::parse("2026-06").unwrap().bounds_utc();
        assert_eq!(start.to_rfc3339(), "2026-05-31T23:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2026-06-30T23:00:00+00:00");
        let (start, _) = Month::parse("2026-01").unwrap().bounds_utc();
        assert_eq!(start.to_rfc3339(), "2026-01-01T00:00:00+00:00");
        assert_eq!(Month::parse("2026-01").unwrap().previous().to_string(), "2025-12");
        assert_eq!(Month::parse("2026-02").unwrap().last_day(), NaiveDate::from_ymd_opt(2026, 2, 28).unwrap());
        assert_eq!(Month::parse("2026-03").unwrap().trailing(12).first().unwrap().to_string(), "2025-04");
    }

    #[test]
    fn a_month_closes_only_once_it_has_ended() {
        let m = Month::parse("2026-03").unwrap();
        assert!(may_close(m, NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()).is_err());
        assert!(may_close(m, NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()).is_ok());
    }

    #[test]
    fn the_seed_set_passes_its_own_checks() {
        for (i, m) in seed_measures().iter().enumerate() {
            let c = check_measure(m, 1).unwrap_or_else(|e| panic!("{}: {e:?}", m.slug));
            assert_eq!(c.police_only, m.slug == "operations", "{i}");
        }
    }

    #[test]
    fn a_measure_that_cannot_be_computed_is_refused_with_a_reason() {
        let mut m = seed_measures().into_iter().find(|m| m.slug == "missing-episodes").unwrap();
        m.breakdowns.push(Dimension::Agency);
        m.period = Some(PeriodRule::ByDecisionDate);
        m.counting = Some(Counting::MedianHours);
        let e = check_measure(&m, 1).unwrap_err();
        assert!(e.for_field("breakdowns").unwrap().contains("cannot be broken down by referring agency"), "{e:?}");
        assert!(e.for_field("period").unwrap().contains("cannot be counted"), "{e:?}");
        assert!(e.for_field("counting").unwrap().contains("no time"), "{e:?}");
        let mut p = seed_measures().into_iter().find(|m| m.slug == "police-flag-coverage").unwrap();
        p.numerator = None;
        assert!(check_measure(&p, 1).unwrap_err().for_field("numerator").is_some());
        assert!(check_measure(&MeasureInput::default(), 1).unwrap_err().for_field("source").is_some());
    }

    #[test]
    fn counting_by_each_rule() {
        let agencies = BTreeMap::from([(Dimension::Agency, vec!["Police".to_string(), "School".to_string(), "Health".to_string()])]);
        let facts = vec![
            Fact::new(1).with(Dimension::Agency, "School").when(Condition::Over16, true),
            Fact::new(1).with(Dimension::Agency, "School"),
            Fact::new(2).with(Dimension::Agency, "Police"),
        ];
        let mut m = check_measure(&seed_measures()[0], 1).unwrap().into_inner();
        let f = compute(&m, &facts, &agencies);
        assert_eq!(f.total, Value::Count { n: 3 });
        let rows = &f.breakdowns[0].rows;
        assert!(rows.contains(&("Health".into(), Value::Count { n: 0 })), "agencies with none are named: {rows:?}");
        assert!(rows.contains(&("School".into(), Value::Count { n: 2 })));
        m.counting = Counting::DistinctChildren;
        assert_eq!(compute(&m, &facts, &agencies).total, Value::Count { n: 2 });
        m.counting = Counting::Proportion;
        m.numerator = Some(Condition::Over16);
        assert_eq!(compute(&m, &facts, &agencies).total, Value::Proportion { numerator: 1, denominator: 3 });
        m.counting = Counting::MedianHours;
        let timed: Vec<Fact> = [3.0, 1.0, 10.0, 2.0].iter().map(|h| Fact { hours: Some(*h), ..Fact::new(1) }).collect();
        assert_eq!(compute(&m, &timed, &agencies).total, Value::Median { hours: Some(2.5), over: 4 });
    }

    #[test]
    fn a_changed_figure_is_a_restatement() {
        let m = check_measure(&seed_measures()[0], 1).unwrap().into_inner();
        let known = BTreeMap::new();
        let before = compute(&m, &[Fact::new(1).with(Dimension::Agency, "School")], &known);
        let after = compute(&m, &[Fact::new(1).with(Dimension::Agency, "School"), Fact::new(2).with(Dimension::Agency, "School")], &known);
        let r = restatements(std::slice::from_ref(&before), std::slice::from_ref(&after));
        assert!(r.iter().any(|r| r.row.is_none() && r.difference() == 1.0), "{r:?}");
        assert!(restatements(std::slice::from_ref(&before), std::slice::from_ref(&before)).is_empty());
    }
}
