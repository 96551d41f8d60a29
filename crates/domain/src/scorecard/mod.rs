//! Performance measures with banded thresholds (seed 004, DOMAIN.md §4): each measure's
//! bands are **Requires improvement | Good | Outstanding** written as ranges — "65-79 |
//! 80-89 | 90-100" where higher is better, "35-26 | 25-20 | 19-10" running downwards
//! where lower is better (caseloads) — or only the way it should go, "Increase" or
//! "Decrease". [`check_bands`] reads them as typed and refuses, with a message per band,
//! a range that is not one, ranges that overlap, a band that runs the other way from the
//! rest, and bands that contradict the direction the measure says is better;
//! [`classify`] puts a value in its band and [`travel`] says whether a change is an
//! improvement.

use serde::{Deserialize, Serialize};

use crate::datasets::Direction;
use crate::tracker::TagColour;
use crate::validation::Invalid;

mod sheet;

pub use sheet::{read_scorecard_sheet, scorecard_headings, ScorecardRow};

slug_enum!(
    /// A measure's band, worst first.
    Band {
        RequiresImprovement => ("requires-improvement", "Requires improvement"),
        Good => ("good", "Good"),
        Outstanding => ("outstanding", "Outstanding"),
    }
);

impl Band {
    pub fn colour(self) -> TagColour {
        match self {
            Band::RequiresImprovement => TagColour::Red,
            Band::Good => TagColour::Green,
            Band::Outstanding => TagColour::Blue,
        }
    }
}

/// A band's range as written, both ends included: `from` is the end nearer the band
/// below (the lower number where higher is better, the higher where lower is better).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Range {
    pub from: f64,
    pub to: f64,
}

impl Range {
    fn low(self) -> f64 {
        self.from.min(self.to)
    }
    fn high(self) -> f64 {
        self.from.max(self.to)
    }
}

/// A measure's bands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Bands {
    /// Three ranges, Requires improvement, Good and Outstanding, running up (higher is
    /// better) or down (lower is better).
    Ranges { direction: Direction, requires_improvement: Range, good: Range, outstanding: Range },
    /// Only the way the measure should go ("Increase": higher is better).
    DirectionOnly { direction: Direction },
}

/// The bands as typed on the form or read from a scorecard's cells.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BandsInput {
    pub requires_improvement: String,
    pub good: String,
    pub outstanding: String,
    /// Which way is better, if the form said: checked against the ranges.
    pub direction: Option<Direction>,
}

const FIELDS: [(&str, &str); 3] = [("requires_improvement", "Requires improvement"), ("good", "Good"), ("outstanding", "Outstanding")];

/// "Increase" / "Decrease" (and the seed's "Higher is better" wordings), any case.
fn direction_word(s: &str) -> Option<Direction> {
    match s.trim().trim_end_matches('.').to_ascii_lowercase().as_str() {
        "increase" | "higher" | "higher is better" | "up" => Some(Direction::HigherIsBetter),
        "decrease" | "reduce" | "lower" | "lower is better" | "down" => Some(Direction::LowerIsBetter),
        _ => None,
    }
}

/// The far end of a band written open, as "85+" (up) or "10 or less" (down).
pub const OPEN: f64 = 1e15;

impl Range {
    /// Whether an end is an open one ("85+").
    pub fn is_open(x: f64) -> bool {
        x.abs() >= OPEN
    }

    /// As written: "80-89", "85+", "10 or less".
    pub fn show(self) -> String {
        if self.to >= OPEN {
            format!("{}+", trim(self.from))
        } else if self.to <= -OPEN {
            format!("{} or less", trim(self.from))
        } else {
            format!("{}-{}", trim(self.from), trim(self.to))
        }
    }
}

/// A band written open at its far end: "85+", ">=85", "85 and above", "85 or more"
/// (up), or "<=10", "10 or less", "10 or fewer" (down).
fn parse_open(s: &str) -> Option<Range> {
    let l = s.to_lowercase();
    let number = |t: &str| t.trim().parse::<f64>().ok().filter(|x| x.is_finite());
    for suffix in ["+", " and above", " or more", " or over"] {
        if let Some(n) = l.strip_suffix(suffix).and_then(number) {
            return Some(Range { from: n, to: OPEN });
        }
    }
    for prefix in [">=", "≥", ">"] {
        if let Some(n) = l.strip_prefix(prefix).and_then(number) {
            return Some(Range { from: n, to: OPEN });
        }
    }
    for suffix in [" or less", " or fewer", " and below", " or under"] {
        if let Some(n) = l.strip_suffix(suffix).and_then(number) {
            return Some(Range { from: n, to: -OPEN });
        }
    }
    for prefix in ["<=", "≤", "<"] {
        if let Some(n) = l.strip_prefix(prefix).and_then(number) {
            return Some(Range { from: n, to: -OPEN });
        }
    }
    None
}

/// "65-79", "65 – 79", "65%-79%", "2.5-3", "85+", "10 or less": a range; anything else
/// `None`.
fn parse_range(s: &str) -> Option<Range> {
    let s = s.trim().replace(['–', '—'], "-").replace('%', "");
    if let Some(r) = parse_open(s.trim()) {
        return Some(r);
    }
    // A leading minus is a number's sign, not the range's dash.
    let cut = s.char_indices().skip(1).find(|(_, c)| *c == '-').map(|(i, _)| i)?;
    let (a, b) = (s[..cut].trim(), s[cut + 1..].trim());
    let (from, to) = (a.parse::<f64>().ok()?, b.parse::<f64>().ok()?);
    (from.is_finite() && to.is_finite()).then_some(Range { from, to })
}

/// Read and check a measure's bands (see the module's note).
pub fn check_bands(input: &BandsInput) -> Result<Bands, Invalid> {
    let typed = [&input.requires_improvement, &input.good, &input.outstanding];
    let mut v = Invalid::new();
    if typed.iter().all(|t| t.trim().is_empty()) {
        return match input.direction {
            Some(direction) => Ok(Bands::DirectionOnly { direction }),
            None => Err(Invalid::single(
                "requires_improvement",
                "Enter the bands as ranges, such as 65-79, 80-89 and 90-100, or write Increase or Decrease",
            )),
        };
    }
    // Direction only: one word, in any one of the cells, and the others empty.
    let words: Vec<Direction> = typed.iter().filter_map(|t| direction_word(t)).collect();
    if !words.is_empty() {
        let filled = typed.iter().filter(|t| !t.trim().is_empty()).count();
        let direction = words[0];
        if filled != 1 {
            return Err(Invalid::single("requires_improvement", "Write Increase or Decrease in one band only, and leave the other two empty"));
        }
        if input.direction.is_some_and(|d| d != direction) {
            return Err(Invalid::single("direction", "The bands say the measure should go the other way from the direction chosen"));
        }
        return Ok(Bands::DirectionOnly { direction });
    }
    let mut ranges = [None; 3];
    for (i, (field, label)) in FIELDS.iter().enumerate() {
        let t = typed[i].trim();
        if t.is_empty() {
            v.add(field, format!("Enter the {label} band as a range, such as 80-89"));
        } else {
            match parse_range(t) {
                Some(r) => ranges[i] = Some(r),
                None => {
                    v.add(field, format!("The {label} band must be a range of two numbers, such as 80-89, or open, such as 90+ (it says \"{t}\")"))
                }
            }
        }
    }
    v.finish()?;
    let mut v = Invalid::new();
    let [Some(ri), Some(good), Some(out)] = ranges else { unreachable!("checked above") };
    // The set's direction is the order of its bands: Outstanding above Good above
    // Requires improvement, or below.
    let up = out.low() > ri.high();
    let direction = if up { Direction::HigherIsBetter } else { Direction::LowerIsBetter };
    let ordered = [ri, good, out];
    for (i, (field, label)) in FIELDS.iter().enumerate() {
        let r = ordered[i];
        let runs_up = r.to > r.from;
        if r.to != r.from && runs_up != up {
            v.add(
                field,
                format!(
                    "The {label} band runs {} but the bands run {}: write it as {}",
                    if runs_up { "upwards" } else { "downwards" },
                    if up { "upwards (higher is better)" } else { "downwards (lower is better)" },
                    if Range::is_open(r.to) {
                        if up {
                            format!("{}+", trim(r.from))
                        } else {
                            format!("{} or less", trim(r.from))
                        }
                    } else if up {
                        format!("{}-{}", trim(r.low()), trim(r.high()))
                    } else {
                        format!("{}-{}", trim(r.high()), trim(r.low()))
                    }
                ),
            );
        }
    }
    for i in 0..2 {
        let (below, above) = (ordered[i], ordered[i + 1]);
        let apart = if up { below.high() < above.low() } else { below.low() > above.high() };
        if !apart {
            v.add(
                FIELDS[i + 1].0,
                format!(
                    "The {} band overlaps the {} band, or is on the wrong side of it: bands must not share a value",
                    FIELDS[i + 1].1,
                    FIELDS[i].1
                ),
            );
        }
    }
    if let Some(d) = input.direction {
        if d != Direction::Neither && d != direction {
            v.add(
                "direction",
                format!(
                    "The bands run {} so {} is better, but the measure says {}",
                    if up { "upwards" } else { "downwards" },
                    if up { "higher" } else { "lower" },
                    d.label().to_lowercase()
                ),
            );
        }
    }
    v.finish()?;
    Ok(Bands::Ranges { direction, requires_improvement: ri, good, outstanding: out })
}

fn trim(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

impl Bands {
    pub fn direction(&self) -> Direction {
        match self {
            Bands::Ranges { direction, .. } | Bands::DirectionOnly { direction } => *direction,
        }
    }

    /// The bands as the seed writes them: "65-79 | 80-89 | 90-100", or "Increase".
    pub fn describe(&self) -> String {
        match self {
            Bands::Ranges { requires_improvement, good, outstanding, .. } => {
                [requires_improvement, good, outstanding].iter().map(|r| r.show()).collect::<Vec<_>>().join(" | ")
            }
            Bands::DirectionOnly { direction: Direction::LowerIsBetter } => "Decrease".into(),
            Bands::DirectionOnly { .. } => "Increase".into(),
        }
    }
}

/// The band a value falls in: the best band whose near end it has reached (a value in
/// a gap between two bands, such as 79.5 between 65-79 and 80-89, stays in the band
/// below; beyond Requires improvement is Requires improvement, beyond Outstanding is
/// Outstanding). A direction-only measure has no bands: `None`.
pub fn classify(bands: &Bands, value: f64) -> Option<Band> {
    let Bands::Ranges { direction, good, outstanding, .. } = bands else { return None };
    let reached = |r: &Range| if *direction == Direction::LowerIsBetter { value <= r.high() } else { value >= r.low() };
    Some(if reached(outstanding) {
        Band::Outstanding
    } else if reached(good) {
        Band::Good
    } else {
        Band::RequiresImprovement
    })
}

slug_enum!(
    /// The direction of travel between two values.
    Travel {
        Improving => ("improving", "Improving"),
        NoChange => ("no-change", "No change"),
        Worsening => ("worsening", "Worsening"),
    }
);

/// Whether moving from `before` to `after` is an improvement for a measure where
/// `direction` is better.
pub fn travel(direction: Direction, before: f64, after: f64) -> Travel {
    if (after - before).abs() < 1e-9 || direction == Direction::Neither {
        return Travel::NoChange;
    }
    if (after > before) == (direction == Direction::HigherIsBetter) {
        Travel::Improving
    } else {
        Travel::Worsening
    }
}

/// A number as typed or read from a cell: "85", "85%", "1,200", "18.5". `None` for
/// anything else.
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim().trim_end_matches('%').replace(',', "");
    let x = t.trim().parse::<f64>().ok()?;
    x.is_finite().then_some(x)
}

/// A number as shown: "85", "18.5".
pub fn show_number(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        format!("{:.1}", x)
    }
}

slug_enum!(
    /// Where a measure's monthly values come from.
    ValueSource {
        Computed => ("computed", "Computed from the CSE dataset"),
        Imported => ("imported", "Imported"),
        Entered => ("entered", "Entered"),
    }
);

/// Which dataset figure a computed measure takes: a measure's total, or one row of one
/// of its breakdowns (referrals from schools: the referrals measure's "Referring
/// agency" row for schools).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetLink {
    pub measure: String,
    pub breakdown: Option<(crate::datasets::Dimension, String)>,
}

impl DatasetLink {
    /// The figure's single number (as a chart shows it) and the count it rests on
    /// (`Value::size`, which small-number suppression looks at), or `None` when there
    /// was nothing to count (a proportion of none, a median of nothing).
    pub fn value_of(&self, figure: &crate::datasets::Figure) -> Option<(f64, i64)> {
        use crate::datasets::Value;
        let v = match &self.breakdown {
            None => figure.total,
            Some((d, key)) => figure.breakdowns.iter().find(|b| b.dimension == *d)?.rows.iter().find(|(k, _)| k == key).map(|(_, v)| *v)?,
        };
        match v {
            Value::Proportion { denominator: 0, .. } | Value::Median { hours: None, .. } => None,
            v => Some((v.headline(), v.size())),
        }
    }
}

/// Whether a computed value resting on `size` records is suppressed for a reader who
/// sees published figures only (as the dataset suppresses: fewer than the threshold,
/// but not none).
pub fn suppressed(size: Option<i64>, threshold: i64) -> bool {
    size.is_some_and(|n| n > 0 && n < threshold)
}

/// A performance measure as typed on its form (or read from a scorecard's row).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MeasureInput {
    pub title: String,
    pub shows: String,
    pub unit: String,
    pub bands: BandsInput,
    pub baseline: String,
    pub target: String,
    pub source: Option<ValueSource>,
    /// For a computed measure: the dataset measure's slug, and optionally a breakdown
    /// row as "dimension-slug:row".
    pub dataset_measure: String,
    pub dataset_row: String,
}

impl MeasureInput {
    pub const FIELDS: &'static [&'static str] = &[
        "title",
        "shows",
        "unit",
        "requires_improvement",
        "good",
        "outstanding",
        "direction",
        "baseline",
        "target",
        "source",
        "dataset_measure",
        "dataset_row",
    ];
}

/// A performance measure ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMeasure {
    pub title: String,
    pub shows: String,
    pub unit: String,
    pub bands: Bands,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub source: ValueSource,
    pub dataset: Option<DatasetLink>,
}

/// Check a measure: a title, bands that [`check_bands`] accepts, numbers where numbers
/// are asked for, and a dataset measure for a computed one (whether it exists is for
/// storage to add).
pub fn check_measure(input: &MeasureInput) -> Result<crate::validation::Checked<NewMeasure>, Invalid> {
    let mut v = Invalid::new();
    let title = v.required("title", &input.title, "Enter the performance measure, such as Return interviews within 72 hours");
    v.max_len("title", &title, 200, "The measure");
    let bands = match check_bands(&input.bands) {
        Ok(b) => Some(b),
        Err(e) => {
            v.absorb(e);
            None
        }
    };
    let mut number = |field: &str, s: &str, what: &str| -> Option<f64> {
        if s.trim().is_empty() {
            return None;
        }
        let n = parse_number(s);
        if n.is_none() {
            v.add(field, format!("The {what} must be a number, such as 72 (it says \"{}\")", s.trim()));
        }
        n
    };
    let baseline = number("baseline", &input.baseline, "baseline");
    let target = number("target", &input.target, "target");
    let source = input.source.unwrap_or(ValueSource::Entered);
    let dataset = if source == ValueSource::Computed {
        let m = input.dataset_measure.trim();
        if m.is_empty() {
            v.add("dataset_measure", "Choose the CSE dataset measure this measure is computed from");
            None
        } else {
            let breakdown = match input.dataset_row.trim() {
                "" => None,
                row => match row.split_once(':') {
                    Some((d, key)) if crate::datasets::Dimension::from_slug(d.trim()).is_some() && !key.trim().is_empty() => {
                        Some((crate::datasets::Dimension::from_slug(d.trim()).expect("checked"), key.trim().to_string()))
                    }
                    _ => {
                        v.add(
                            "dataset_row",
                            "Give the breakdown row as the breakdown and its row, such as agency:Schools, or leave it empty for the total",
                        );
                        None
                    }
                },
            };
            Some(DatasetLink { measure: m.to_string(), breakdown })
        }
    } else {
        None
    };
    v.finish()?;
    let bands = bands.expect("checked");
    Ok(crate::validation::Checked::new(NewMeasure {
        title,
        shows: input.shows.trim().to_string(),
        unit: input.unit.trim().to_string(),
        bands,
        baseline,
        target,
        source,
        dataset,
    }))
}

/// A value entered by hand: a number, with a note saying where it came from.
pub fn check_entered_value(value: &str, note: &str) -> Result<(f64, String), Invalid> {
    let mut v = Invalid::new();
    let n = if value.trim().is_empty() {
        v.add("value", "Enter the month's value, such as 85");
        None
    } else {
        let n = parse_number(value);
        if n.is_none() {
            v.add("value", format!("The value must be a number, such as 85 (it says \"{}\")", value.trim()));
        }
        n
    };
    let note = v.required("note", note, "Say where the value comes from, such as the team's own count");
    v.finish()?;
    Ok((n.expect("checked"), note))
}

/// Where a measure stands: its latest value, band and direction of travel from the
/// value before.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Standing {
    pub latest: Option<(crate::datasets::Month, f64)>,
    pub band: Option<Band>,
    pub travel: Option<Travel>,
}

/// A measure's standing from its values (any order).
pub fn standing(bands: &Bands, values: &[(crate::datasets::Month, f64)]) -> Standing {
    let mut v = values.to_vec();
    v.sort_by_key(|(m, _)| *m);
    let latest = v.last().copied();
    let before = v.len().checked_sub(2).map(|i| v[i]);
    Standing {
        latest,
        band: latest.and_then(|(_, x)| classify(bands, x)),
        travel: match (before, latest) {
            (Some((_, a)), Some((_, b))) => Some(travel(bands.direction(), a, b)),
            _ => None,
        },
    }
}

/// What an action did for the outcome it was for: the measure's value when the action
/// was agreed (its baseline) beside its latest value, the band now and the direction of
/// travel between the two.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub measure: String,
    pub unit: String,
    pub baseline: Option<(crate::datasets::Month, f64)>,
    pub latest: Option<(crate::datasets::Month, f64)>,
    pub band: Option<Band>,
    pub travel: Option<Travel>,
}

impl Outcome {
    /// From the measure's values: the baseline is the value of the month the action was
    /// agreed (or the last before it, or failing those the first after it).
    pub fn of(measure: &str, unit: &str, bands: &Bands, values: &[(crate::datasets::Month, f64)], from: crate::datasets::Month) -> Outcome {
        let mut v = values.to_vec();
        v.sort_by_key(|(m, _)| *m);
        let baseline = v.iter().rev().find(|(m, _)| *m <= from).or_else(|| v.first()).copied();
        let latest = v.last().copied().filter(|l| baseline.is_none_or(|b| l.0 >= b.0));
        Outcome {
            measure: measure.to_string(),
            unit: unit.to_string(),
            baseline,
            latest,
            band: latest.and_then(|(_, x)| classify(bands, x)),
            travel: match (baseline, latest) {
                (Some((bm, a)), Some((lm, b))) if lm > bm => Some(travel(bands.direction(), a, b)),
                _ => None,
            },
        }
    }

    /// Whether the outcome has moved the right way since the baseline.
    pub fn improved(&self) -> bool {
        self.travel == Some(Travel::Improving)
    }

    fn value(&self, x: f64) -> String {
        match self.unit.as_str() {
            "%" => format!("{}%", show_number(x)),
            "" => show_number(x),
            u => format!("{} {u}", show_number(x)),
        }
    }

    /// As the report's Outcome cell writes it: "Return interviews within 72 hours:
    /// 62% (April 2026) → 85% (October 2026). Good; improving."
    pub fn describe(&self) -> String {
        let mut s = format!("{}: ", self.measure);
        match (self.baseline, self.latest) {
            (None, _) => s.push_str("no values yet."),
            (Some((m, x)), None) => s.push_str(&format!("{} ({}); no value since.", self.value(x), m.label())),
            (Some((bm, a)), Some((lm, _))) if lm == bm => s.push_str(&format!("{} ({}); no value since.", self.value(a), bm.label())),
            (Some((bm, a)), Some((lm, b))) => s.push_str(&format!("{} ({}) → {} ({}).", self.value(a), bm.label(), self.value(b), lm.label())),
        }
        let mut tail = Vec::new();
        if let Some(b) = self.band {
            tail.push(b.label().to_string());
        }
        if let Some(t) = self.travel {
            tail.push(t.label().to_lowercase());
        }
        if !tail.is_empty() {
            s.push(' ');
            s.push_str(&tail.join("; "));
            s.push('.');
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bands(ri: &str, good: &str, out: &str) -> Result<Bands, Invalid> {
        check_bands(&BandsInput { requires_improvement: ri.into(), good: good.into(), outstanding: out.into(), direction: None })
    }

    fn fields(e: &Invalid) -> Vec<&str> {
        e.errors.iter().map(|f| f.field.as_str()).collect()
    }

    #[test]
    fn values_fall_in_their_band_both_ways_and_at_every_edge() {
        use Band::*;
        let up = bands("65-79", "80-89", "90-100").unwrap();
        let down = bands("35-26", "25-20", "19-10").unwrap();
        assert_eq!(up.direction(), Direction::HigherIsBetter);
        assert_eq!(down.direction(), Direction::LowerIsBetter);
        let table: [(&Bands, f64, Band); 22] = [
            (&up, 0.0, RequiresImprovement),
            (&up, 64.9, RequiresImprovement),
            (&up, 65.0, RequiresImprovement),
            (&up, 79.0, RequiresImprovement),
            (&up, 79.5, RequiresImprovement),
            (&up, 80.0, Good),
            (&up, 85.0, Good),
            (&up, 89.0, Good),
            (&up, 89.99, Good),
            (&up, 90.0, Outstanding),
            (&up, 100.0, Outstanding),
            (&up, 104.0, Outstanding),
            (&down, 40.0, RequiresImprovement),
            (&down, 35.0, RequiresImprovement),
            (&down, 26.0, RequiresImprovement),
            (&down, 25.5, RequiresImprovement),
            (&down, 25.0, Good),
            (&down, 20.0, Good),
            (&down, 19.5, Good),
            (&down, 19.0, Outstanding),
            (&down, 10.0, Outstanding),
            (&down, 3.0, Outstanding),
        ];
        for (b, value, band) in table {
            assert_eq!(classify(b, value), Some(band), "{} at {value}", b.describe());
        }
    }

    #[test]
    fn increase_and_decrease_have_a_direction_and_no_band() {
        for (ri, good, out, direction, shown) in [
            ("", "", "Increase", Direction::HigherIsBetter, "Increase"),
            ("increase", "", "", Direction::HigherIsBetter, "Increase"),
            ("", "Decrease", "", Direction::LowerIsBetter, "Decrease"),
        ] {
            let b = bands(ri, good, out).unwrap();
            assert_eq!(b, Bands::DirectionOnly { direction });
            assert_eq!(b.describe(), shown);
            assert_eq!(classify(&b, 50.0), None);
        }
        assert_eq!(travel(Direction::HigherIsBetter, 10.0, 12.0), Travel::Improving);
        assert_eq!(travel(Direction::HigherIsBetter, 12.0, 10.0), Travel::Worsening);
        assert_eq!(travel(Direction::LowerIsBetter, 30.0, 24.0), Travel::Improving);
        assert_eq!(travel(Direction::LowerIsBetter, 24.0, 30.0), Travel::Worsening);
        assert_eq!(travel(Direction::LowerIsBetter, 24.0, 24.0), Travel::NoChange);
    }

    #[test]
    fn ranges_are_read_as_people_type_them() {
        let b = bands(" 65 – 79 ", "80%-89%", "90—100").unwrap();
        assert_eq!(b.describe(), "65-79 | 80-89 | 90-100");
        let b = bands("-5--1", "0-4", "5-10").unwrap();
        assert_eq!(classify(&b, -3.0), Some(Band::RequiresImprovement));
        assert_eq!(bands("2.5-3.4", "3.5-4.4", "4.5-5").unwrap().describe(), "2.5-3.4 | 3.5-4.4 | 4.5-5");
    }

    #[test]
    fn bad_bands_are_refused_with_a_message_per_band() {
        // Overlapping: 80 is both Requires improvement and Good.
        let e = bands("65-80", "80-89", "90-100").unwrap_err();
        assert_eq!(fields(&e), vec!["good"]);
        assert!(e.errors[0].message.contains("overlaps the Requires improvement band"), "{e:?}");
        // Not a range.
        let e = bands("sixty to seventy", "80-89", "").unwrap_err();
        assert_eq!(fields(&e), vec!["requires_improvement", "outstanding"]);
        // One band written the other way from the rest.
        let e = bands("65-79", "89-80", "90-100").unwrap_err();
        assert_eq!(fields(&e), vec!["good"]);
        assert!(e.errors[0].message.contains("write it as 80-89"), "{e:?}");
        // Good outside the two others.
        assert_eq!(fields(&bands("65-79", "95-99", "80-94").unwrap_err()), vec!["outstanding"]);
        // The ranges say lower is better; the measure says higher.
        let e = check_bands(&BandsInput {
            requires_improvement: "35-26".into(),
            good: "25-20".into(),
            outstanding: "19-10".into(),
            direction: Some(Direction::HigherIsBetter),
        })
        .unwrap_err();
        assert_eq!(fields(&e), vec!["direction"]);
        assert!(e.errors[0].message.contains("run downwards so lower is better"), "{e:?}");
        // Nothing at all; a direction word beside a range.
        assert!(bands("", "", "").is_err());
        assert!(bands("Increase", "80-89", "").is_err());
    }
    #[test]
    fn an_outcome_runs_from_the_month_an_action_was_agreed_to_the_latest_value() {
        let up = bands("65-79", "80-89", "90-100").unwrap();
        let m = |y, mo| crate::datasets::Month::new(y, mo).unwrap();
        let values = [(m(2026, 3), 60.0), (m(2026, 4), 62.0), (m(2026, 8), 75.0), (m(2026, 10), 85.0)];
        let o = Outcome::of("Return interviews within 72 hours", "%", &up, &values, m(2026, 5));
        assert_eq!(o.baseline, Some((m(2026, 4), 62.0)), "the last value on or before the month agreed");
        assert_eq!(o.latest, Some((m(2026, 10), 85.0)));
        assert_eq!(o.band, Some(Band::Good));
        assert!(o.improved());
        assert_eq!(o.describe(), "Return interviews within 72 hours: 62% (April 2026) → 85% (October 2026). Good; improving.");
        let down = bands("35-26", "25-20", "19-10").unwrap();
        let worse = Outcome::of("Caseloads", "cases", &down, &[(m(2026, 1), 24.0), (m(2026, 6), 27.0)], m(2026, 1));
        assert_eq!(worse.travel, Some(Travel::Worsening));
        assert_eq!(worse.band, Some(Band::RequiresImprovement));
        assert!(!worse.improved());
        let none = Outcome::of("Caseloads", "", &down, &[], m(2026, 1));
        assert_eq!(none.describe(), "Caseloads: no values yet.");
        assert!(!none.improved());
    }

    #[test]
    fn a_measure_is_refused_with_every_problem_and_a_computed_one_needs_its_dataset_measure() {
        let input = MeasureInput {
            title: " ".into(),
            bands: BandsInput { requires_improvement: "65-79".into(), good: "75-89".into(), outstanding: "90-100".into(), direction: None },
            baseline: "about half".into(),
            source: Some(ValueSource::Computed),
            dataset_row: "nowhere".into(),
            ..Default::default()
        };
        let e = check_measure(&input).unwrap_err();
        assert_eq!(fields(&e), ["title", "good", "baseline", "dataset_measure"]);
        let ok = MeasureInput {
            title: "Referrals from schools".into(),
            bands: BandsInput { outstanding: "Increase".into(), ..Default::default() },
            source: Some(ValueSource::Computed),
            dataset_measure: "referrals".into(),
            dataset_row: "agency:Schools".into(),
            baseline: "4".into(),
            ..Default::default()
        };
        let m = check_measure(&ok).unwrap().into_inner();
        assert_eq!(m.dataset.unwrap().breakdown, Some((crate::datasets::Dimension::Agency, "Schools".to_string())));
        assert_eq!(m.baseline, Some(4.0));
        assert_eq!(m.bands, Bands::DirectionOnly { direction: Direction::HigherIsBetter });
    }

    #[test]
    fn numbers_read_as_councils_type_them() {
        assert_eq!(parse_number("85%"), Some(85.0));
        assert_eq!(parse_number(" 1,200 "), Some(1200.0));
        assert_eq!(parse_number("18.5"), Some(18.5));
        assert_eq!(parse_number("n/a"), None);
        assert_eq!(show_number(85.0), "85");
        assert_eq!(show_number(18.46), "18.5");
    }
    #[test]
    fn open_bands_as_the_seed_writes_them() {
        use Band::*;
        let up = bands("65-74", "75-84", "85+").unwrap();
        assert_eq!(up.describe(), "65-74 | 75-84 | 85+");
        assert_eq!(classify(&up, 99.0), Some(Outstanding));
        assert_eq!(classify(&up, 85.0), Some(Outstanding));
        assert_eq!(classify(&up, 84.5), Some(Good));
        let down = bands("35-26", "25-20", "19 or less").unwrap();
        assert_eq!(down.direction(), Direction::LowerIsBetter);
        assert_eq!(classify(&down, 3.0), Some(Outstanding));
        assert_eq!(bands(">=50", "40-49", "0-39").unwrap_err().errors.len(), 3, "an open band must be the far one");
        // The seed's own "65-75 | 75-84 | 85+" shares 75 between two bands.
        let e = bands("65-75", "75-84", "85+").unwrap_err();
        assert!(e.for_field("good").unwrap().contains("overlaps"), "{e:?}");
        let json = serde_json::to_string(&up).unwrap();
        assert_eq!(serde_json::from_str::<Bands>(&json).unwrap(), up, "an open band survives storing");
    }
}
