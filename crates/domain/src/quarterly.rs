//! The quarterly reports (DOMAIN.md §6): the MACSE quarterly report to the partnership
//! board and the quarterly report to Cabinet on CSE referrals and the action taken,
//! both drawn from the closed months of a quarter and written up as committee papers
//! in the council's template (the monitoring reports' [`Cover`]).
//!
//! **Joint sign-off**: both MACSE co-chairs sign. An edit after one signature clears
//! it (the other co-chair signed something that no longer exists); when the second
//! co-chair signs, the report is frozen and fingerprinted. A signature by anyone who
//! is not a co-chair is refused. Nothing here performs I/O.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::access::Role;
use crate::datasets::{Measure, Month};
use crate::disclosure::{Cell, Published};
use crate::report::Cover;
use crate::validation::Invalid;

// ---------------------------------------------------------------- quarters

/// A calendar quarter: January to March is quarter 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Quarter {
    year: i32,
    q: u32,
}

impl Quarter {
    pub fn new(year: i32, q: u32) -> Option<Quarter> {
        ((1..=4).contains(&q) && (2000..=2100).contains(&year)).then_some(Quarter { year, q })
    }

    /// `YYYY-Qn`, as in a page address or `--quarter`; anything else is `None`.
    pub fn parse(s: &str) -> Option<Quarter> {
        let s = s.trim();
        let (y, q) = s.split_once(['-', ' '])?;
        let q = q.strip_prefix(['Q', 'q'])?;
        if y.len() != 4 || q.len() != 1 || !y.chars().chain(q.chars()).all(|c| c.is_ascii_digit()) {
            return None;
        }
        Quarter::new(y.parse().ok()?, q.parse().ok()?)
    }

    /// The quarter a date falls in.
    pub fn of(d: NaiveDate) -> Quarter {
        Quarter { year: d.year(), q: (d.month() - 1) / 3 + 1 }
    }

    pub fn year(self) -> i32 {
        self.year
    }
    pub fn number(self) -> u32 {
        self.q
    }

    /// Its three months, in order.
    pub fn months(self) -> [Month; 3] {
        let first = (self.q - 1) * 3 + 1;
        [0, 1, 2].map(|i| Month::new(self.year, first + i).expect("a quarter's month"))
    }

    pub fn last_day(self) -> NaiveDate {
        self.months()[2].last_day()
    }

    pub fn previous(self) -> Quarter {
        if self.q == 1 {
            Quarter { year: self.year - 1, q: 4 }
        } else {
            Quarter { year: self.year, q: self.q - 1 }
        }
    }

    /// This quarter and the `n - 1` before it, newest first.
    pub fn back(self, n: usize) -> Vec<Quarter> {
        let mut out = vec![self];
        while out.len() < n {
            let p = out.last().copied().expect("one quarter").previous();
            out.push(p);
        }
        out
    }

    /// "Quarter 3 2026 (July to September)".
    pub fn label(self) -> String {
        let [a, _, c] = self.months();
        format!("Quarter {} {} ({} to {})", self.q, self.year, a.first_day().format("%B"), c.first_day().format("%B"))
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.q)
    }
}

impl TryFrom<String> for Quarter {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Quarter::parse(&s).ok_or_else(|| format!("{s:?} is not a quarter"))
    }
}

impl From<Quarter> for String {
    fn from(q: Quarter) -> String {
        q.to_string()
    }
}

/// A report can be made for a quarter once it has ended and all three of its months
/// are closed (so its figures read the same for ever). `closed` says, per month,
/// whether it is closed.
pub fn may_report(quarter: Quarter, today: NaiveDate, closed: &[(Month, bool)]) -> Result<(), String> {
    if quarter.last_day() >= today {
        return Err(format!("{} has not ended yet: its report can be made once all three months have ended and been closed", quarter.label()));
    }
    let open: Vec<String> = quarter.months().iter().filter(|m| !closed.iter().any(|(c, yes)| c == *m && *yes)).map(|m| m.label()).collect();
    if !open.is_empty() {
        let names = match open.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => open.join(""),
        };
        return Err(format!(
            "{names} {} not closed yet: close {} on the CSE dataset's pages first, so the report's figures are frozen",
            if open.len() == 1 { "is" } else { "are" },
            if open.len() == 1 { "it" } else { "them" }
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------- the two reports

slug_enum!(
    /// Which quarterly report.
    QuarterlyKind {
        Macse => ("macse", "MACSE quarterly report to the partnership board"),
        Cabinet => ("cabinet", "Quarterly report to Cabinet on CSE referrals and action taken"),
    }
);

/// One narrative section the officer writes: (key, heading, hint).
pub type SectionSpec = (&'static str, &'static str, &'static str);

impl QuarterlyKind {
    /// Whether its tables are published with small numbers suppressed (the Cabinet
    /// report goes to members and is published with the agenda).
    pub fn suppressed(self) -> bool {
        self == QuarterlyKind::Cabinet
    }

    /// The dataset measures whose figures it tables, by short name (police-only
    /// measures never go in a quarterly report).
    pub fn measures(self) -> &'static [&'static str] {
        match self {
            QuarterlyKind::Cabinet => &["referrals", "children-referred", "mash-decisions", "open-to-macse", "new-to-macse"],
            QuarterlyKind::Macse => &[
                "referrals",
                "children-referred",
                "mash-decisions",
                "time-to-decision",
                "open-to-macse",
                "new-to-macse",
                "plan-more-than-once",
                "police-flag-coverage",
                "missing-episodes",
                "children-missing",
                "interviews-accepted",
                "episodes-cse-link",
                "placements-notified",
                "placements-late",
                "placements-not-notified",
            ],
        }
    }

    /// The narrative sections the officer writes, in order.
    pub fn sections(self) -> &'static [SectionSpec] {
        match self {
            QuarterlyKind::Macse => &[
                ("summary", "Summary of the quarter", "What the quarter's figures show, in a few sentences."),
                ("referrals", "Referrals, screening and MASH decisions", "Which agencies referred and which did not, risk levels, decision times."),
                ("macse", "MACSE panels and plans", "Children open and new to MACSE, plans made more than once, police flag coverage."),
                ("missing", "Missing episodes and placements", "Return interviews, episodes linked to CSE, placements notified late or not at all."),
                ("audit", "Audit findings", "What the quarter's case-file audits found and the actions agreed."),
                ("next", "Priorities for the next quarter", "What the partnership will do next."),
            ],
            QuarterlyKind::Cabinet => &[
                ("summary", "Summary", "The number of CSE referrals this quarter, in a sentence or two."),
                ("referrals", "CSE referrals received", "Where referrals came from and how they compare with earlier quarters."),
                ("action", "Action taken", "What was done: MASH decisions, MACSE plans, disruption and prosecution in general terms."),
            ],
        }
    }

    /// The section that must be written before anyone signs.
    pub fn required_section(self) -> &'static str {
        "summary"
    }

    /// The report's cover in the council's template.
    pub fn cover(self, quarter: Quarter, organisation: &str, officer: &str, email: &str) -> Cover {
        let no_cost = "There are no financial implications arising for the Council as a direct result of this report.";
        let (report_to, report_of, purpose, recommendation, reasons) = match self {
            QuarterlyKind::Macse => (
                "Safeguarding Children Partnership Board",
                "MACSE co-chairs",
                format!("To present the MACSE data and audit findings for {}, signed off jointly by the two MACSE co-chairs.", quarter.label()),
                "That the partnership board notes the MACSE data and audit findings for the quarter.".to_string(),
                "The partnership board receives MACSE data and audit findings every quarter.",
            ),
            QuarterlyKind::Cabinet => (
                "Cabinet",
                "Director of Children's Services",
                format!("To report to Cabinet the number of child sexual exploitation referrals and the action taken in {}.", quarter.label()),
                "That Cabinet notes the number of CSE referrals and the action taken in the quarter.".to_string(),
                "Cabinet asked for a quarterly report on the number of CSE referrals and the action taken.",
            ),
        };
        Cover {
            report_to: report_to.into(),
            meeting_date: None,
            subject: format!("{}: {}", self.label(), quarter.label()),
            report_of: report_of.into(),
            wards_affected: "All Wards".into(),
            portfolio: "Children's Services".into(),
            key_decision: false,
            in_forward_plan: false,
            exempt: false,
            purpose,
            recommendation,
            reasons: reasons.into(),
            alternative_options: "No alternative options were considered: the report is requested every quarter.".into(),
            revenue_costs: no_cost.into(),
            capital_costs: no_cost.into(),
            implications_financial: String::new(),
            implications_legal: String::new(),
            implications_hr: String::new(),
            equality: Default::default(),
            corporate_objectives: "Positive: keeping children safe from sexual exploitation.".into(),
            consultations: "The MACSE co-chairs and the CSE and missing sub-group.".into(),
            finance_ref: String::new(),
            legal_ref: String::new(),
            implementation_date: "Following the meeting.".into(),
            contact_name: officer.into(),
            contact_phone: String::new(),
            contact_email: email.into(),
            appendices: String::new(),
            background_papers: format!("The monthly CSE dataset of {organisation}, months closed and fingerprinted."),
            introduction: String::new(),
        }
    }
}

/// The narrative as written: (section key, text), in the kind's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Narrative {
    pub sections: Vec<(String, String)>,
}

impl Narrative {
    pub fn text(&self, key: &str) -> &str {
        self.sections.iter().find(|(k, _)| k == key).map_or("", |(_, t)| t.as_str())
    }
}

/// The most a narrative section holds.
pub const SECTION_LIMIT: usize = 20_000;

/// Check a narrative as typed: only the kind's sections, each within the limit.
pub fn check_narrative(kind: QuarterlyKind, typed: &[(String, String)]) -> Result<Narrative, Invalid> {
    let mut v = Invalid::new();
    let mut out = Vec::new();
    for (key, heading, _) in kind.sections() {
        let text = typed.iter().find(|(k, _)| k == key).map_or("", |(_, t)| t.as_str()).trim().replace("\r\n", "\n");
        if text.chars().count() > SECTION_LIMIT {
            v.add(key, format!("{heading} must be {SECTION_LIMIT} characters or fewer"));
        }
        out.push((key.to_string(), text));
    }
    for (k, _) in typed {
        if !kind.sections().iter().any(|(key, _, _)| key == k) {
            v.add(k, format!("\"{k}\" is not a section of the {}", kind.label().to_lowercase()));
        }
    }
    v.finish()?;
    Ok(Narrative { sections: out })
}

// ---------------------------------------------------------------- sign-off

/// Why a signature is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignRefusal {
    /// Only the MACSE co-chairs sign (403).
    NotCoChair,
    /// This co-chair has signed already (409).
    AlreadySigned,
    /// Both co-chairs have signed: the report is frozen (409).
    Frozen,
    /// The required narrative is not written yet (422).
    NotWritten(&'static str),
}

impl SignRefusal {
    pub fn message(&self) -> String {
        match self {
            SignRefusal::NotCoChair => {
                "Only the MACSE co-chairs sign the quarterly reports. Ask a co-chair to sign it; nothing has been changed.".into()
            }
            SignRefusal::AlreadySigned => "You have signed this report already. It is waiting for the other co-chair's signature.".into(),
            SignRefusal::Frozen => "Both co-chairs have signed this report: it is frozen and cannot be signed or changed again.".into(),
            SignRefusal::NotWritten(h) => format!("Write the report's \"{h}\" before it is signed"),
        }
    }
}

/// What a signature does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signed {
    /// The first co-chair's signature: the report waits for the other.
    AwaitingOther,
    /// The second: the report is frozen and fingerprinted.
    Complete,
}

/// The joint sign-off rule. `signed_by` are the users whose signatures stand;
/// `frozen` whether both have signed already.
pub fn check_sign(
    kind: QuarterlyKind,
    role: Role,
    user_id: i64,
    signed_by: &[i64],
    frozen: bool,
    narrative: &Narrative,
) -> Result<Signed, SignRefusal> {
    if role != Role::MacseCoChair {
        return Err(SignRefusal::NotCoChair);
    }
    if frozen {
        return Err(SignRefusal::Frozen);
    }
    if signed_by.contains(&user_id) {
        return Err(SignRefusal::AlreadySigned);
    }
    let required = kind.required_section();
    if narrative.text(required).trim().is_empty() {
        let heading = kind.sections().iter().find(|(k, _, _)| *k == required).map_or(required, |(_, h, _)| *h);
        return Err(SignRefusal::NotWritten(heading));
    }
    Ok(if signed_by.is_empty() { Signed::AwaitingOther } else { Signed::Complete })
}

/// An edit: refused once frozen; otherwise every signature standing is cleared (a
/// co-chair signed the words as they were).
pub fn check_edit(frozen: bool, signatures: usize) -> Result<usize, SignRefusal> {
    if frozen {
        return Err(SignRefusal::Frozen);
    }
    Ok(signatures)
}

// ---------------------------------------------------------------- the tables

/// One measure over the quarter's three months.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuarterTable {
    pub measure: String,
    pub name: String,
    pub shows: String,
    pub how_counted: String,
    /// Each row: a label ("Total", or "Source agency: Hillside School") and one cell a month.
    pub rows: Vec<(String, Vec<Cell>)>,
}

/// The tables for a kind of report from each month's figures (published, or in full),
/// months in order. A measure missing from a month shows as withheld there.
pub fn quarter_tables(kind: QuarterlyKind, measures: &[Measure], months: &[(Month, Vec<Published>)]) -> Vec<QuarterTable> {
    let mut out = Vec::new();
    for slug in kind.measures() {
        let Some(m) = measures.iter().find(|m| m.slug == *slug && !m.police_only) else { continue };
        let figures: Vec<Option<&Published>> = months.iter().map(|(_, ps)| ps.iter().find(|p| p.measure == *slug)).collect();
        let Some(shape) = figures.iter().flatten().next() else { continue };
        let mut rows = vec![("Total".to_string(), figures.iter().map(|f| f.map_or(Cell::Withheld, |p| p.total)).collect())];
        for (dim, cells) in &shape.breakdowns {
            for (label, _) in cells {
                let per_month = figures
                    .iter()
                    .map(|f| {
                        f.and_then(|p| p.breakdowns.iter().find(|(d, _)| d == dim))
                            .and_then(|(_, cs)| cs.iter().find(|(l, _)| l == label))
                            .map_or(Cell::Withheld, |(_, c)| *c)
                    })
                    .collect();
                rows.push((format!("{}: {label}", dim.label()), per_month));
            }
        }
        out.push(QuarterTable { measure: m.slug.clone(), name: m.name.clone(), shows: m.shows.clone(), how_counted: m.how_counted(), rows });
    }
    out
}

/// A co-chair's signature as the report prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureLine {
    pub name: String,
    pub job_title: String,
    pub signed_on: NaiveDate,
}

/// A whole quarterly report, as every renderer draws it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuarterlyReport {
    pub organisation: String,
    pub kind: QuarterlyKind,
    pub quarter: Quarter,
    pub cover: Cover,
    /// (heading, text) in order.
    pub narrative: Vec<(String, String)>,
    pub months: Vec<Month>,
    /// Each month's fingerprint as closed.
    pub month_fingerprints: Vec<(Month, String)>,
    pub tables: Vec<QuarterTable>,
    /// Small numbers suppressed (threshold) or shown in full.
    pub suppressed: Option<i64>,
    pub signatures: Vec<SignatureLine>,
}

impl QuarterlyReport {
    /// "macse-quarterly-report-2026-Q3".
    pub fn file_stem(&self) -> String {
        format!("{}-quarterly-report-{}", self.kind.slug(), self.quarter)
    }

    /// The narrative, with a heading per section, from what was written.
    pub fn narrative_of(kind: QuarterlyKind, n: &Narrative) -> Vec<(String, String)> {
        kind.sections().iter().map(|(k, h, _)| (h.to_string(), n.text(k).to_string())).collect()
    }

    /// The sign-off line: "Signed by DCI Laura Byrne on 2 October 2026 and ...", or what
    /// is still awaited.
    pub fn sign_off_line(&self) -> String {
        let names: Vec<String> =
            self.signatures.iter().map(|s| format!("{} ({}) on {}", s.name, s.job_title, crate::dates::long(s.signed_on))).collect();
        match names.len() {
            0 => "Not signed yet: awaiting both MACSE co-chairs' signatures.".into(),
            1 => format!("Signed by {}; awaiting the other MACSE co-chair's signature.", names[0]),
            _ => format!("Signed jointly by the MACSE co-chairs: {}.", names.join(" and ")),
        }
    }

    /// The table rows for a spreadsheet: headings, then one row per table row.
    pub fn table_rows(&self) -> Vec<Vec<String>> {
        let mut rows = vec![vec!["Measure".to_string(), "Row".to_string()]];
        rows[0].extend(self.months.iter().map(|m| m.label()));
        for t in &self.tables {
            for (label, cells) in &t.rows {
                let mut r = vec![t.name.clone(), label.clone()];
                r.extend(cells.iter().map(|c| c.display()));
                rows.push(r);
            }
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datasets::Value;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn quarters_parse_hold_their_months_and_step_back() {
        for (s, ok) in [
            ("2026-Q3", true),
            ("2026-q1", true),
            ("2026 Q4", true),
            ("2026-Q5", false),
            ("2026-Q0", false),
            ("26-Q1", false),
            ("2026-03", false),
            ("", false),
        ] {
            assert_eq!(Quarter::parse(s).is_some(), ok, "{s}");
        }
        let q = Quarter::parse("2026-Q3").unwrap();
        assert_eq!(q.to_string(), "2026-Q3");
        assert_eq!(q.months().map(|m| m.to_string()), ["2026-07", "2026-08", "2026-09"]);
        assert_eq!(q.label(), "Quarter 3 2026 (July to September)");
        assert_eq!(q.last_day(), d("2026-09-30"));
        assert_eq!(Quarter::of(d("2026-01-01")).to_string(), "2026-Q1");
        assert_eq!(Quarter::of(d("2026-12-31")).to_string(), "2026-Q4");
        assert_eq!(Quarter::parse("2026-Q1").unwrap().previous().to_string(), "2025-Q4");
        assert_eq!(q.back(3).iter().map(|q| q.to_string()).collect::<Vec<_>>(), ["2026-Q3", "2026-Q2", "2026-Q1"]);
    }

    #[test]
    fn a_report_needs_the_quarter_ended_and_every_month_closed() {
        let q = Quarter::parse("2026-Q3").unwrap();
        let [a, b, c] = q.months();
        let all = [(a, true), (b, true), (c, true)];
        type Case<'a> = (&'a str, Vec<(Month, bool)>, Option<&'a str>);
        let cases: Vec<Case> = vec![
            ("2026-10-01", all.to_vec(), None),
            ("2026-09-30", all.to_vec(), Some("has not ended yet")),
            ("2026-10-05", vec![(a, true), (b, false), (c, true)], Some("August 2026 is not closed yet")),
            ("2026-10-05", vec![(a, true)], Some("August 2026 and September 2026 are not closed yet")),
            ("2026-10-05", vec![], Some("July 2026, August 2026 and September 2026 are not closed yet")),
        ];
        for (today, closed, want) in cases {
            let got = may_report(q, d(today), &closed);
            match want {
                None => assert!(got.is_ok(), "{today}: {got:?}"),
                Some(w) => assert!(got.as_ref().unwrap_err().contains(w), "{today}: {got:?}"),
            }
        }
    }

    fn written() -> Narrative {
        check_narrative(QuarterlyKind::Macse, &[("summary".into(), "Referrals rose.".into())]).unwrap()
    }

    #[test]
    fn joint_sign_off_rules() {
        let blank = Narrative::default();
        let n = written();
        type Case<'a> = (&'a str, Role, i64, &'a [i64], bool, &'a Narrative, Result<Signed, SignRefusal>);
        let cases: Vec<Case> = vec![
            ("first co-chair", Role::MacseCoChair, 1, &[], false, &n, Ok(Signed::AwaitingOther)),
            ("second co-chair", Role::MacseCoChair, 2, &[1], false, &n, Ok(Signed::Complete)),
            ("the same co-chair twice", Role::MacseCoChair, 1, &[1], false, &n, Err(SignRefusal::AlreadySigned)),
            ("after both signed", Role::MacseCoChair, 3, &[1, 2], true, &n, Err(SignRefusal::Frozen)),
            ("the analyst", Role::CseAnalyst, 4, &[], false, &n, Err(SignRefusal::NotCoChair)),
            ("the partnership manager", Role::PartnershipManager, 5, &[1], false, &n, Err(SignRefusal::NotCoChair)),
            ("a committee member", Role::CommitteeMember, 6, &[1], false, &n, Err(SignRefusal::NotCoChair)),
            ("police, not a co-chair", Role::PoliceCseOfficer, 7, &[], true, &n, Err(SignRefusal::NotCoChair)),
            ("nothing written", Role::MacseCoChair, 1, &[], false, &blank, Err(SignRefusal::NotWritten("Summary of the quarter"))),
        ];
        for (what, role, user, signed, frozen, narrative, want) in cases {
            assert_eq!(check_sign(QuarterlyKind::Macse, role, user, signed, frozen, narrative), want, "{what}");
        }
        assert!(SignRefusal::NotCoChair.message().contains("Only the MACSE co-chairs"));
        // Whoever may read the reports reads them in full or suppressed; every co-chair may read what they sign.
        for r in Role::ALL {
            let view = crate::datasets::dataset_view(r);
            let reads = matches!(view, crate::datasets::DatasetView::Full | crate::datasets::DatasetView::Published);
            assert_eq!(r.allows(crate::access::Permission::ViewQuarterlyReports), reads, "{r:?}");
        }
    }

    #[test]
    fn an_edit_clears_standing_signatures_and_a_frozen_report_is_never_edited() {
        for (frozen, standing, want) in [(false, 0, Ok(0)), (false, 1, Ok(1)), (true, 2, Err(SignRefusal::Frozen))] {
            assert_eq!(check_edit(frozen, standing), want);
        }
    }

    #[test]
    fn the_narrative_holds_only_the_kinds_sections() {
        let n = check_narrative(QuarterlyKind::Cabinet, &[("action".into(), " Plans made.\r\nOperations ran. ".into())]).unwrap();
        assert_eq!(n.sections.len(), 3);
        assert_eq!(n.text("action"), "Plans made.\nOperations ran.");
        let e =
            check_narrative(QuarterlyKind::Cabinet, &[("audit".into(), "x".into()), ("summary".into(), "y".repeat(SECTION_LIMIT + 1))]).unwrap_err();
        assert!(e.for_field("audit").is_some() && e.for_field("summary").is_some());
    }

    #[test]
    fn tables_run_across_the_months_and_keep_each_cell_as_given() {
        use crate::datasets::{check_measure, seed_measures, Dimension};
        let measures: Vec<Measure> = seed_measures().iter().map(|i| check_measure(i, 1).unwrap().into_inner()).collect();
        let q = Quarter::parse("2026-Q1").unwrap();
        let p = |n: i64, small: bool| Published {
            measure: "referrals".into(),
            total: Cell::Value { value: Value::Count { n } },
            breakdowns: vec![(
                Dimension::Agency,
                vec![("Hillside".into(), if small { Cell::FewerThan { threshold: 5 } } else { Cell::Value { value: Value::Count { n } } })],
            )],
        };
        let months: Vec<(Month, Vec<Published>)> =
            vec![(q.months()[0], vec![p(12, false)]), (q.months()[1], vec![p(3, true)]), (q.months()[2], vec![])];
        let t = quarter_tables(QuarterlyKind::Cabinet, &measures, &months);
        assert_eq!(t.len(), 1, "only measures with figures");
        assert_eq!(t[0].rows[0].0, "Total");
        assert_eq!(t[0].rows[1].1[1], Cell::FewerThan { threshold: 5 });
        assert_eq!(t[0].rows[1].1[2], Cell::Withheld, "a month without the figure");
        assert!(
            QuarterlyKind::Macse.measures().iter().all(|s| measures.iter().any(|m| m.slug == *s && !m.police_only)),
            "every measure named exists"
        );
        assert!(QuarterlyKind::Cabinet.suppressed() && !QuarterlyKind::Macse.suppressed());
    }
}
