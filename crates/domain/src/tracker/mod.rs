//! The recommendation tracker's rules: kinds of body and review, the three
//! separate statuses of a recommendation (executive response, lifecycle, delivery
//! RAG), the statutory response deadline, the suggested RAG, references and the
//! monitoring schedule; and the checks every change to the tracker passes, one
//! `check_...` function per command (in the sub-modules), each returning every problem
//! with the input at once or a [`Checked`](crate::Checked) command storage accepts.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::dates::{add_months, municipal_year_start};
use crate::validation::Invalid;

/// Colours of the status tags. Colour is never the only cue: every tag carries words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagColour {
    Grey,
    Green,
    Turquoise,
    Blue,
    LightBlue,
    Purple,
    Red,
    Orange,
    Yellow,
    Pink,
}

impl TagColour {
    pub fn class(self) -> &'static str {
        match self {
            TagColour::Grey => "app-tag--grey",
            TagColour::Green => "app-tag--green",
            TagColour::Turquoise => "app-tag--turquoise",
            TagColour::Blue => "app-tag--blue",
            TagColour::LightBlue => "app-tag--light-blue",
            TagColour::Purple => "app-tag--purple",
            TagColour::Red => "app-tag--red",
            TagColour::Orange => "app-tag--orange",
            TagColour::Yellow => "app-tag--yellow",
            TagColour::Pink => "app-tag--pink",
        }
    }
}

/// Declares an enum stored by slug with a human label.
macro_rules! slug_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => ($slug:literal, $label:literal $(, was $old:literal)?)),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
        pub enum $name {
            // One name per value: serde writes and reads the slug (the name a form, a
            // query string, a database column and the API all use); a name serde wrote
            // before is still read (`was`).
            $(#[serde(rename = $slug $(, alias = $old)?)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn slug(self) -> &'static str { match self { $($name::$variant => $slug),+ } }
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),+ } }
            pub fn from_slug(s: &str) -> Option<Self> { Self::ALL.iter().copied().find(|v| v.slug() == s) }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                Self::from_slug(&s).ok_or_else(|| format!("unknown {} {s:?}", stringify!($name)))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.label()) }
        }

        /// In the API's OpenAPI document: a string that is one of the slugs.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($slug),+]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}

mod actions;
mod bodies;
mod decisions;
mod progress;
mod recommendations;
mod reviews;
mod schedules;

pub use actions::{check_action, check_date_revision, ActionInput, NewAction, RevisionInput, TargetRevision};
pub use bodies::{check_body, BodyDetails, BodyInput};
pub use decisions::{
    check_lifecycle_change, check_rag_override, check_response, check_sign_off, check_transfer, LifecycleChange, LifecycleInput, RagOverride,
    RagOverrideInput, ResponseDecision, ResponseInput, SignOff, SignOffInput, Transfer, TransferInput,
};
pub use progress::{check_evidence_upload, check_update, EvidenceInput, NewUpdate, UpdateInput, EVIDENCE_ALLOWED, EVIDENCE_CONTENT_TYPES};
pub use recommendations::{check_recommendation, RecommendationDetails, RecommendationInput};
pub use reviews::{check_endorsement, check_review, EndorsementInput, NewEndorsement, ReviewDetails, ReviewInput};
pub use schedules::{check_schedule, check_update_request, NewSchedule, ScheduleInput, UpdateRequestInput, UpdateRequests};

slug_enum!(
    /// A body that receives, endorses, responds to or monitors recommendations.
    BodyKind {
        Committee => ("committee", "Committee"),
        Executive => ("executive", "Cabinet / executive"),
        Board => ("board", "Board"),
        SubGroup => ("sub-group", "Sub-group"),
        WorkingGroup => ("working-group", "Working group"),
    }
);

slug_enum!(
    /// Where recommendations come from.
    ReviewKind {
        WorkingGroup => ("working-group", "Working group / task and finish group"),
        Inspection => ("inspection", "Inspection"),
        SeriousCaseReview => ("serious-case-review", "Serious case review"),
        NationalReview => ("national-review", "National review"),
        Other => ("other", "Other"),
    }
);

slug_enum!(
    /// The executive's response to a recommendation.
    ExecutiveResponse {
        Awaiting => ("awaiting", "Awaiting response"),
        Accepted => ("accepted", "Accepted"),
        AcceptedInPrinciple => ("accepted-in-principle", "Accepted in principle"),
        PartiallyAccepted => ("partially-accepted", "Partially accepted"),
        Rejected => ("rejected", "Rejected"),
        Noted => ("noted", "Noted"),
        NotRecorded => ("not-recorded", "Not recorded"),
    }
);

impl ExecutiveResponse {
    pub fn needs_reason(self) -> bool {
        self == ExecutiveResponse::Rejected
    }
    /// Counts towards "recommendations accepted" in member reports.
    pub fn is_accepted(self) -> bool {
        matches!(self, Self::Accepted | Self::AcceptedInPrinciple | Self::PartiallyAccepted)
    }
    pub fn colour(self) -> TagColour {
        match self {
            Self::Awaiting => TagColour::Grey,
            Self::Accepted => TagColour::Green,
            Self::AcceptedInPrinciple | Self::PartiallyAccepted => TagColour::Turquoise,
            Self::Rejected => TagColour::Red,
            Self::Noted => TagColour::Blue,
            Self::NotRecorded => TagColour::Grey,
        }
    }
    /// A response the executive actually gave (not awaited, not unknown).
    pub fn is_decided(self) -> bool {
        !matches!(self, Self::Awaiting | Self::NotRecorded)
    }
}

slug_enum!(
    /// Where delivery of a recommendation has got to.
    Lifecycle {
        NotStarted => ("not-started", "Not started"),
        InProgress => ("in-progress", "In progress"),
        Paused => ("paused", "Paused"),
        NotFeasible => ("not-feasible", "Not feasible"),
        Superseded => ("superseded", "Superseded"),
        CompleteAwaitingSignOff => ("complete-awaiting-sign-off", "Complete, awaiting sign-off"),
        SignedOff => ("signed-off", "Signed off"),
        Transferred => ("transferred", "Transferred"),
    }
);

impl Lifecycle {
    pub fn needs_reason(self) -> bool {
        matches!(self, Self::Paused | Self::NotFeasible | Self::Superseded)
    }
    /// Still being delivered: updates are expected and target dates matter.
    pub fn is_open(self) -> bool {
        matches!(self, Self::NotStarted | Self::InProgress | Self::Paused | Self::Transferred)
    }
    /// Whether a passed target date counts against it (overdue): open and not paused —
    /// a pause, with its reason, stops the clock.
    pub fn counts_target(self) -> bool {
        self.is_open() && self != Self::Paused
    }
    /// The statuses [`Lifecycle::counts_target`] holds, as SQL lists them.
    pub const COUNTS_TARGET_SQL: &'static str = "('not-started','in-progress','transferred')";
    /// States an officer may choose directly; sign-off and transfer are committee decisions.
    pub fn officer_choices() -> &'static [Lifecycle] {
        &[
            Lifecycle::NotStarted,
            Lifecycle::InProgress,
            Lifecycle::Paused,
            Lifecycle::NotFeasible,
            Lifecycle::Superseded,
            Lifecycle::CompleteAwaitingSignOff,
        ]
    }
    pub fn colour(self) -> TagColour {
        match self {
            Self::NotStarted => TagColour::Grey,
            Self::InProgress => TagColour::Blue,
            Self::Paused => TagColour::Yellow,
            Self::NotFeasible | Self::Superseded => TagColour::Pink,
            Self::CompleteAwaitingSignOff => TagColour::Turquoise,
            Self::SignedOff => TagColour::Green,
            Self::Transferred => TagColour::Purple,
        }
    }
}

slug_enum!(
    /// Delivery RAG.
    Rag {
        Red => ("red", "Red"),
        Amber => ("amber", "Amber"),
        Green => ("green", "Green"),
    }
);

impl Rag {
    pub fn colour(self) -> TagColour {
        match self {
            Rag::Red => TagColour::Red,
            Rag::Amber => TagColour::Orange,
            Rag::Green => TagColour::Green,
        }
    }
    /// The meaning shown in the key unless the council has configured its own.
    pub fn default_meaning(self) -> &'static str {
        match self {
            Rag::Red => "Unacceptable progress: the action is off track and the target date is at risk or has passed",
            Rag::Amber => "Acceptable progress, with some slippage or risk that is being managed",
            Rag::Green => "Achieved, or on track to be achieved by the target date",
        }
    }
}

/// The RAG in words, never colour alone: the council's (or an officer's) rating as
/// given ("Amber"), a rule-based suggestion always marked as one ("Suggested: Red"),
/// or "Not rated".
pub fn rag_words(rag: Option<Rag>, suggested: bool) -> String {
    match (rag, suggested) {
        (Some(r), true) => format!("Suggested: {}", r.label()),
        (Some(r), false) => r.label().to_string(),
        (None, _) => "Not rated".to_string(),
    }
}

/// What a suggested RAG is, for keys and legends beside a marked rating.
pub const SUGGESTED_RAG_MEANING: &str =
    "Suggested: not the council's rating, but one Assure suggests from the time elapsed towards the target date against the progress stated";

/// What an imported state with no reason in its tracker is given as its reason.
pub const REASON_NOT_RECORDED: &str = "Reason not recorded in the imported tracker";

/// Everything the suggested RAG depends on.
#[derive(Debug, Clone, Copy)]
pub struct RagInput {
    pub lifecycle: Lifecycle,
    /// When delivery started (the executive's response, or the recommendation's creation).
    pub start: NaiveDate,
    /// The date delivery is due: the latest current target date among open actions.
    pub target: Option<NaiveDate>,
    /// The latest stated progress, 0–100, if any update stated one.
    pub progress_percent: Option<i64>,
    pub today: NaiveDate,
}

/// A RAG suggested from time elapsed towards the target date against stated progress.
/// `None` when there is nothing to judge by (no target date, or not being delivered).
pub fn suggested_rag(i: RagInput) -> Option<Rag> {
    match i.lifecycle {
        Lifecycle::CompleteAwaitingSignOff | Lifecycle::SignedOff => return Some(Rag::Green),
        Lifecycle::NotFeasible | Lifecycle::Superseded => return None,
        _ => {}
    }
    let target = i.target?;
    let progress = i.progress_percent.unwrap_or(0).clamp(0, 100);
    if i.today > target {
        return Some(Rag::Red);
    }
    let total = (target - i.start).num_days().max(1) as f64;
    let elapsed = (i.today - i.start).num_days().max(0) as f64;
    let expected = (elapsed / total * 100.0).min(100.0);
    let behind = expected - progress as f64;
    if i.lifecycle == Lifecycle::Paused && expected > 0.0 {
        return Some(if behind > 25.0 { Rag::Red } else { Rag::Amber });
    }
    Some(if behind <= 10.0 {
        Rag::Green
    } else if behind <= 35.0 {
        Rag::Amber
    } else {
        Rag::Red
    })
}

/// How long the executive has to respond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ResponseDeadline {
    Months(i32),
    Weeks(i32),
    Days(i32),
}

impl ResponseDeadline {
    /// Local Government Act 2000 s9FE: two months.
    pub const STATUTORY: ResponseDeadline = ResponseDeadline::Months(2);

    /// From a body's override (unit "days" / "weeks" / "months" and amount), if any.
    pub fn from_override(unit: Option<&str>, amount: Option<i64>) -> ResponseDeadline {
        match (unit, amount) {
            (Some("days"), Some(n)) if n > 0 => ResponseDeadline::Days(n as i32),
            (Some("weeks"), Some(n)) if n > 0 => ResponseDeadline::Weeks(n as i32),
            (Some("months"), Some(n)) if n > 0 => ResponseDeadline::Months(n as i32),
            _ => ResponseDeadline::STATUTORY,
        }
    }

    /// A deadline of `amount` "days", "weeks" or "months".
    pub fn from_unit(unit: &str, amount: i32) -> Option<ResponseDeadline> {
        match unit {
            "days" => Some(ResponseDeadline::Days(amount)),
            "weeks" => Some(ResponseDeadline::Weeks(amount)),
            "months" => Some(ResponseDeadline::Months(amount)),
            _ => None,
        }
    }

    /// The unit as stored: "days", "weeks" or "months".
    pub fn unit(self) -> &'static str {
        match self {
            ResponseDeadline::Days(_) => "days",
            ResponseDeadline::Weeks(_) => "weeks",
            ResponseDeadline::Months(_) => "months",
        }
    }

    pub fn amount(self) -> i64 {
        match self {
            ResponseDeadline::Days(n) | ResponseDeadline::Weeks(n) | ResponseDeadline::Months(n) => i64::from(n),
        }
    }

    pub fn describe(self) -> String {
        match self {
            ResponseDeadline::Months(n) => format!("{n} calendar month{}", if n == 1 { "" } else { "s" }),
            ResponseDeadline::Weeks(n) => format!("{n} week{}", if n == 1 { "" } else { "s" }),
            ResponseDeadline::Days(n) => format!("{n} day{}", if n == 1 { "" } else { "s" }),
        }
    }
}

/// The executive's response is due this long after the later of the report date
/// and the date the recommendations were referred to it.
pub fn response_due(report_date: Option<NaiveDate>, referral_date: Option<NaiveDate>, deadline: ResponseDeadline) -> Option<NaiveDate> {
    let from = match (report_date, referral_date) {
        (Some(a), Some(b)) => a.max(b),
        (a, b) => a.or(b)?,
    };
    Some(match deadline {
        ResponseDeadline::Months(n) => add_months(from, n),
        ResponseDeadline::Weeks(n) => from + chrono::Duration::weeks(n as i64),
        ResponseDeadline::Days(n) => from + chrono::Duration::days(n as i64),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "state")]
pub enum ResponseState {
    /// Not referred yet: no deadline running.
    NotReferred,
    Responded,
    /// Not known: the imported tracker did not record the executive's response. Never overdue.
    NotRecorded,
    /// Due, with this many days left (0 = due today).
    Due {
        days_left: i64,
    },
    Overdue {
        days_over: i64,
    },
}

pub fn response_state(response: ExecutiveResponse, due: Option<NaiveDate>, today: NaiveDate) -> ResponseState {
    if response == ExecutiveResponse::NotRecorded {
        return ResponseState::NotRecorded;
    }
    if response != ExecutiveResponse::Awaiting {
        return ResponseState::Responded;
    }
    match due {
        None => ResponseState::NotReferred,
        Some(d) if today > d => ResponseState::Overdue { days_over: (today - d).num_days() },
        Some(d) => ResponseState::Due { days_left: (d - today).num_days() },
    }
}

/// The default reference pattern, e.g. `SR (17/18) 03`.
pub const DEFAULT_REFERENCE_PATTERN: &str = "SR ({YY}/{YY2}) {nn}{sub}";

/// Check a reference pattern an administrator typed.
pub fn validate_reference_pattern(p: &str) -> Result<(), Invalid> {
    let mut v = Invalid::new();
    if !(p.contains("{n}") || p.contains("{nn}")) {
        v.add("reference_pattern", "The pattern must include the recommendation number as {n} or {nn}");
    }
    let mut rest = p;
    while let Some(i) = rest.find('{') {
        let Some(j) = rest[i..].find('}') else {
            v.add("reference_pattern", "Close every { with a }");
            break;
        };
        let token = &rest[i..i + j + 1];
        if !["{YY}", "{YY2}", "{YYYY}", "{YYYY2}", "{n}", "{nn}", "{sub}"].contains(&token) {
            v.add(
                "reference_pattern",
                format!("{token} is not a token Assure knows: use {{YY}}, {{YY2}}, {{YYYY}}, {{YYYY2}}, {{n}}, {{nn}} or {{sub}}"),
            );
        }
        rest = &rest[i + j + 1..];
    }
    v.finish()
}

/// Build a reference from the pattern, the municipal year of `date`, the number
/// and the sub-item letter.
pub fn format_reference(pattern: &str, date: NaiveDate, number: i64, sub: Option<&str>) -> String {
    let y = municipal_year_start(date);
    pattern
        .replace("{YYYY2}", &(y + 1).to_string())
        .replace("{YYYY}", &y.to_string())
        .replace("{YY2}", &format!("{:02}", (y + 1) % 100))
        .replace("{YY}", &format!("{:02}", y % 100))
        .replace("{nn}", &format!("{number:02}"))
        .replace("{n}", &number.to_string())
        .replace("{sub}", sub.unwrap_or(""))
        .trim()
        .to_string()
}

/// A reference in the council's pattern that no other recommendation of the register
/// holds (`taken` says which are held): the pattern with `number` when that is free,
/// otherwise with the next number whose reference is free. Councils number their
/// references through the municipal year, so the first recommendation of a second
/// review of 2017/18 becomes "SR (17/18) 09" when 01 to 08 are held. A sub-item is
/// given its parent's number (`number`) and its letter when that is free.
pub fn free_reference(pattern: &str, date: NaiveDate, number: i64, sub: Option<&str>, taken: impl Fn(&str) -> bool) -> String {
    let mut n = number.max(1);
    loop {
        let r = format_reference(pattern, date, n, sub);
        // The pattern holds {n} or {nn} (`validate_reference_pattern`), so each number
        // gives a different reference and only as many as are held can be passed over.
        if !taken(&r) || n == i64::MAX {
            return r;
        }
        n += 1;
    }
}

/// The number a generated reference was made from: the first `n` from `from` up whose
/// reference in the pattern is `reference` (tried over `tries` numbers), if any.
pub fn reference_number(pattern: &str, date: NaiveDate, reference: &str, from: i64, tries: usize) -> Option<i64> {
    (from.max(1)..).take(tries).find(|n| format_reference(pattern, date, *n, None) == reference)
}

/// "(1)" for a recommendation, "(1)(a)" for a sub-item.
pub fn number_label(number: i64, sub: Option<&str>) -> String {
    match sub {
        Some(s) if !s.is_empty() => format!("({number})({s})"),
        _ => format!("({number})"),
    }
}

/// Check a sub-item label: one or two lower-case letters ("a", "b", ... "aa").
pub fn valid_sub_label(s: &str) -> bool {
    !s.is_empty() && s.len() <= 2 && s.chars().all(|c| c.is_ascii_lowercase())
}

/// Dates of monitoring reports from a resolution: the first date, then every
/// `interval_months`, up to and including `until`.
pub fn report_dates(first: NaiveDate, interval_months: i64, until: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    if interval_months <= 0 {
        if first <= until {
            out.push(first);
        }
        return out;
    }
    let mut k = 0;
    loop {
        let d = add_months(first, (k * interval_months) as i32);
        if d > until {
            break;
        }
        out.push(d);
        k += 1;
    }
    out
}

/// The next `count` report dates on or after `from`.
pub fn upcoming_report_dates(first: NaiveDate, interval_months: i64, from: NaiveDate, count: usize) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    if interval_months <= 0 {
        if first >= from {
            out.push(first);
        }
        return out;
    }
    let mut k = 0;
    while out.len() < count {
        let d = add_months(first, (k * interval_months) as i32);
        if d >= from {
            out.push(d);
        }
        k += 1;
        if k > 10_000 {
            break;
        }
    }
    out
}

/// The report before `report` in a schedule (the start of the window its updates come from).
pub fn previous_report_date(first: NaiveDate, interval_months: i64, report: NaiveDate) -> Option<NaiveDate> {
    if interval_months <= 0 || report <= first {
        return None;
    }
    report_dates(first, interval_months, report).into_iter().rev().find(|d| *d < report)
}

/// Check that a period does not end before it starts.
pub fn validate_period(v: &mut Invalid, start: Option<NaiveDate>, end: Option<NaiveDate>, end_field: &str, what: &str) {
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            v.add(end_field, format!("The {what} end date must be the same as or after the start date"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn response_due_two_months_after_the_later_date() {
        // Report 12 September 2017, referred to Cabinet 5 October 2017.
        assert_eq!(response_due(Some(d(2017, 9, 12)), Some(d(2017, 10, 5)), ResponseDeadline::STATUTORY), Some(d(2017, 12, 5)));
        assert_eq!(response_due(Some(d(2017, 10, 5)), Some(d(2017, 9, 12)), ResponseDeadline::STATUTORY), Some(d(2017, 12, 5)));
        assert_eq!(response_due(Some(d(2017, 10, 5)), None, ResponseDeadline::Days(28)), Some(d(2017, 11, 2)));
        assert_eq!(response_due(None, Some(d(2017, 10, 5)), ResponseDeadline::Weeks(8)), Some(d(2017, 11, 30)));
        assert_eq!(response_due(None, None, ResponseDeadline::STATUTORY), None);
    }

    #[test]
    fn response_state_counts_days() {
        let due = Some(d(2017, 12, 5));
        assert_eq!(response_state(ExecutiveResponse::Awaiting, due, d(2017, 12, 1)), ResponseState::Due { days_left: 4 });
        assert_eq!(response_state(ExecutiveResponse::Awaiting, due, d(2017, 12, 8)), ResponseState::Overdue { days_over: 3 });
        assert_eq!(response_state(ExecutiveResponse::Accepted, due, d(2018, 1, 1)), ResponseState::Responded);
        assert_eq!(response_state(ExecutiveResponse::Awaiting, None, d(2018, 1, 1)), ResponseState::NotReferred);
        // Fault 8 of issue 14: a response the imported tracker did not record is never overdue.
        assert_eq!(response_state(ExecutiveResponse::NotRecorded, due, d(2027, 1, 1)), ResponseState::NotRecorded);
        assert!(!ExecutiveResponse::NotRecorded.is_decided() && !ExecutiveResponse::NotRecorded.is_accepted());
        assert!(!Lifecycle::Paused.counts_target() && Lifecycle::InProgress.counts_target() && !Lifecycle::Superseded.counts_target());
        assert_eq!(rag_words(Some(Rag::Red), true), "Suggested: Red");
        assert_eq!(rag_words(Some(Rag::Amber), false), "Amber");
        assert_eq!(rag_words(None, true), "Not rated");
    }

    #[test]
    fn body_override_replaces_statutory_deadline() {
        assert_eq!(ResponseDeadline::from_override(Some("days"), Some(28)), ResponseDeadline::Days(28));
        assert_eq!(ResponseDeadline::from_override(None, None), ResponseDeadline::STATUTORY);
        assert_eq!(ResponseDeadline::from_override(Some("weeks"), Some(0)), ResponseDeadline::STATUTORY);
    }

    #[test]
    fn rag_is_suggested_from_time_against_progress() {
        let base = RagInput {
            lifecycle: Lifecycle::InProgress,
            start: d(2018, 1, 1),
            target: Some(d(2018, 12, 31)),
            progress_percent: Some(50),
            today: d(2018, 7, 1),
        };
        assert_eq!(suggested_rag(base), Some(Rag::Green));
        assert_eq!(suggested_rag(RagInput { progress_percent: Some(25), ..base }), Some(Rag::Amber));
        assert_eq!(suggested_rag(RagInput { progress_percent: None, ..base }), Some(Rag::Red));
        assert_eq!(suggested_rag(RagInput { today: d(2019, 1, 1), progress_percent: Some(95), ..base }), Some(Rag::Red));
        assert_eq!(suggested_rag(RagInput { lifecycle: Lifecycle::CompleteAwaitingSignOff, ..base }), Some(Rag::Green));
        assert_eq!(suggested_rag(RagInput { target: None, ..base }), None);
        assert_eq!(suggested_rag(RagInput { lifecycle: Lifecycle::Superseded, ..base }), None);
    }

    #[test]
    fn references_follow_the_municipal_year() {
        assert_eq!(format_reference(DEFAULT_REFERENCE_PATTERN, d(2017, 10, 5), 3, None), "SR (17/18) 03");
        assert_eq!(format_reference(DEFAULT_REFERENCE_PATTERN, d(2018, 1, 16), 1, Some("a")), "SR (17/18) 01a");
        assert_eq!(format_reference("OF-{YYYY}-{n}", d(2016, 6, 1), 11, None), "OF-2016-11");
        // A second review of the same year: the next free number, its sub-items after it.
        let held = ["SR (17/18) 01", "SR (17/18) 02", "SR (17/18) 03"];
        let taken = |r: &str| held.contains(&r);
        assert_eq!(free_reference(DEFAULT_REFERENCE_PATTERN, d(2017, 10, 5), 1, None, taken), "SR (17/18) 04");
        assert_eq!(free_reference(DEFAULT_REFERENCE_PATTERN, d(2017, 10, 5), 4, Some("a"), taken), "SR (17/18) 04a");
        assert_eq!(free_reference(DEFAULT_REFERENCE_PATTERN, d(2018, 10, 5), 1, None, taken), "SR (18/19) 01", "a new year starts again");
        assert_eq!(reference_number(DEFAULT_REFERENCE_PATTERN, d(2017, 10, 5), "SR (17/18) 04", 1, 10), Some(4));
        assert_eq!(reference_number(DEFAULT_REFERENCE_PATTERN, d(2017, 10, 5), "Council's own", 1, 10), None);
    }

    #[test]
    fn reference_patterns_are_checked() {
        assert!(validate_reference_pattern(DEFAULT_REFERENCE_PATTERN).is_ok());
        assert!(validate_reference_pattern("SR {YY}").is_err());
        assert!(validate_reference_pattern("SR {year} {n}").is_err());
        assert!(validate_reference_pattern("SR {n").is_err());
    }

    #[test]
    fn monitoring_schedule_from_the_resolution() {
        // First report 16 January 2018, then six-monthly.
        let dates = report_dates(d(2018, 1, 16), 6, d(2019, 12, 31));
        assert_eq!(dates, vec![d(2018, 1, 16), d(2018, 7, 16), d(2019, 1, 16), d(2019, 7, 16)]);
        assert_eq!(upcoming_report_dates(d(2018, 1, 16), 6, d(2018, 3, 1), 2), vec![d(2018, 7, 16), d(2019, 1, 16)]);
        assert_eq!(previous_report_date(d(2018, 1, 16), 6, d(2018, 7, 16)), Some(d(2018, 1, 16)));
        assert_eq!(previous_report_date(d(2018, 1, 16), 6, d(2018, 1, 16)), None);
    }
}
