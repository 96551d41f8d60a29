//! Writing the register in Assure's own layout, which the register preset reads back.

use super::dates::format_date_cell;
use super::mapping::{register_headings, ImportField, REGISTER_COLUMNS};
use super::people::format_lead;
use super::progress::format_progress;
use super::{RegisterEntry, Table};
use crate::tracker::number_label;

/// The "Assure register" layout: a headings row, then one row per recommendation and
/// one continuation row (Action and Date; Lead officer when the owner changes) for
/// each further action. [`plan`](super::plan) with [`register_preset`](super::register_preset) reads it back.
///
/// Round trips exactly for entries in canonical form: texts trimmed, without
/// non-breaking spaces or a leading `'` before `= + - @`; a non-empty wording; the
/// first action's owner is the leads' names (or titles) joined by "; ", and later
/// owners either repeat the one above or name leads of the entry; no owner "" after a
/// non-empty one; no lead name or title containing a new line or `;`; no narrative
/// line (after the first) starting with a date and a colon; sub-labels valid;
/// revisions only with a target.
pub fn register_table(entries: &[RegisterEntry]) -> Table {
    let mut t: Table = vec![register_headings()];
    for e in entries {
        t.extend(register_rows(e));
    }
    t
}

/// One entry's rows of [`register_table`] (after the headings, [`register_headings`]):
/// for writing the register out a row at a time.
pub fn register_rows(e: &RegisterEntry) -> Table {
    let width = REGISTER_COLUMNS.len();
    let col = |f: ImportField| REGISTER_COLUMNS.iter().position(|(g, _)| *g == f).unwrap_or(0);
    let mut t: Table = Vec::with_capacity(e.actions.len().max(1));
    let mut row = vec![String::new(); width];
    row[col(ImportField::Reference)] = e.reference.clone();
    row[col(ImportField::Number)] = number_label(e.number, Some(&e.sub_label));
    row[col(ImportField::Recommendation)] = e.committee_wording.clone();
    row[col(ImportField::ExecutiveWording)] = e.executive_wording.clone();
    row[col(ImportField::WhoMustAct)] = e.who_must_act.clone();
    row[col(ImportField::Area)] = e.area.clone();
    row[col(ImportField::Origin)] = e.origin.clone();
    row[col(ImportField::DecisionDate)] = e.executive_decision_date.map(crate::dates::long).unwrap_or_default();
    row[col(ImportField::LeadOfficer)] = e.leads.iter().map(format_lead).collect::<Vec<_>>().join("\n");
    row[col(ImportField::Outcome)] = e.outcome.clone();
    row[col(ImportField::Response)] = e.response.map(|r| r.label().to_string()).unwrap_or_default();
    row[col(ImportField::Status)] = e.lifecycle.map(|l| l.label().to_string()).unwrap_or_default();
    row[col(ImportField::Rag)] = e.rag.map(|r| r.label().to_string()).unwrap_or_default();
    row[col(ImportField::Progress)] = format_progress(&e.updates);
    if let Some(a) = e.actions.first() {
        row[col(ImportField::Action)] = a.text.clone();
        row[col(ImportField::ActionOwner)] = a.owner.clone();
        row[col(ImportField::ActionDate)] = format_date_cell(a);
    }
    t.push(row);
    for a in e.actions.iter().skip(1) {
        let mut row = vec![String::new(); width];
        row[col(ImportField::Action)] = a.text.clone();
        row[col(ImportField::ActionOwner)] = a.owner.clone();
        row[col(ImportField::ActionDate)] = format_date_cell(a);
        t.push(row);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::dates::{last_day_of_month, parse_date_cell};
    use crate::import::mapping::{guess_header_row, headings, register_preset, suggest_mapping, Preset};
    use crate::import::numbers::number_from_reference;
    use crate::import::people::{owner_of, parse_leads};
    use crate::import::plan::plan;
    use crate::import::progress::parse_progress;
    use crate::import::test_support::*;
    use crate::import::{ImportedAction, ImportedUpdate};
    use crate::tracker::{ExecutiveResponse, Lifecycle, Rag};
    use chrono::NaiveDate;

    fn action(text: &str, owner: &str, target: Option<NaiveDate>, revisions: Vec<NaiveDate>, done: bool) -> ImportedAction {
        ImportedAction { text: text.into(), owner: owner.into(), target, revisions, done }
    }

    fn sample_entries() -> Vec<RegisterEntry> {
        let mut a = RegisterEntry::new(1, "That the Cabinet Member for Children writes to the MPs.\nSecond line of the wording.");
        a.reference = "SR (17/18) 01".into();
        a.executive_wording = "The Cabinet Member be requested to write to the MPs".into();
        a.who_must_act = "Cabinet Member".into();
        a.area = "Prevent".into();
        a.outcome = "Children are safer".into();
        a.leads = vec![l("Steph Cordon", "Head of Service"), l("", "Head of Regulation and Compliance")];
        a.actions = vec![
            action(
                "Write letters",
                "Steph Cordon; Head of Regulation and Compliance",
                Some(d(2017, 5, 31)),
                vec![d(2017, 7, 31), d(2017, 9, 15)],
                false,
            ),
            action("Brief members", "Steph Cordon; Head of Regulation and Compliance", None, vec![], false),
            action("Follow up", "Steph Cordon", Some(d(2017, 10, 3)), vec![], true),
            action("", "Steph Cordon", None, vec![], false),
            action("Close", "Head of Regulation and Compliance", None, vec![], true),
        ];
        a.response = Some(ExecutiveResponse::AcceptedInPrinciple);
        a.lifecycle = Some(Lifecycle::CompleteAwaitingSignOff);
        a.rag = Some(Rag::Amber);
        a.updates = vec![
            ImportedUpdate { date: Some(d(2017, 12, 7)), narrative: "Letters sent to all MPs.\nTwo replies.".into() },
            ImportedUpdate { date: None, narrative: "Undated note".into() },
            ImportedUpdate { date: Some(d(2018, 1, 8)), narrative: "Emails to all schools".into() },
        ];
        let mut b = RegisterEntry::new(1, "=A formula-looking wording");
        b.sub_label = "a".into();
        b.reference = "SR (17/18) 01a".into();
        b.leads = vec![l("Zoë Ødegård", ""), l("Vicky Buchanan", "Head of Children’s Social Care")];
        b.actions = vec![action("+ plus action", "Zoë Ødegård; Vicky Buchanan", Some(d(2018, 2, 28)), vec![], false)];
        b.updates = vec![ImportedUpdate { date: None, narrative: "First, undated.\n\nWith a blank line.".into() }];
        b.rag = Some(Rag::Red);
        let mut c = RegisterEntry::new(2, "(2) Wording that starts with its own number — £100,000 “quoted”");
        c.sub_label = "zz".into();
        c.response = Some(ExecutiveResponse::Rejected);
        c.lifecycle = Some(Lifecycle::NotStarted);
        c.actions = vec![action("Nobody owns this", "", Some(d(2019, 12, 1)), vec![], false)];
        let mut e = RegisterEntry::new(7, "@ mention-looking wording");
        e.updates = vec![ImportedUpdate { date: Some(d(2017, 6, 1)), narrative: String::new() }];
        e.rag = Some(Rag::Green);
        e.lifecycle = Some(Lifecycle::SignedOff);
        e.response = Some(ExecutiveResponse::Awaiting);
        let f = RegisterEntry::new(12, "-dash wording");
        vec![a, b, c, e, f]
    }

    fn strip_rows(mut v: Vec<RegisterEntry>) -> Vec<RegisterEntry> {
        for e in &mut v {
            e.row = 0;
        }
        v
    }

    #[test]
    fn register_round_trip() {
        let entries = sample_entries();
        let t = register_table(&entries);
        let got = plan(&t, &register_preset(), today()).unwrap_or_else(|e| panic!("{e:#?}"));
        assert_eq!(strip_rows(got.entries.clone()), entries);
        assert_eq!(got.entries[0].row, 2);
        assert_eq!(got.entries[1].row, 7, "five action rows for the first entry");
    }

    #[test]
    fn register_round_trip_through_exporter_escaping() {
        let entries = sample_entries();
        let mut t = register_table(&entries);
        for row in t.iter_mut() {
            for c in row.iter_mut() {
                if c.starts_with(['=', '+', '-', '@']) {
                    *c = format!("'{c}");
                }
                // Excel on Windows writes CRLF inside cells.
                *c = c.replace('\n', "\r\n");
            }
        }
        let got = plan(&t, &register_preset(), today()).unwrap();
        assert_eq!(strip_rows(got.into_inner().entries), entries);
    }

    #[test]
    fn register_layout() {
        let entries = sample_entries();
        let t = register_table(&entries);
        assert_eq!(
            t[0],
            [
                "Reference",
                "Number",
                "Recommendation",
                "Executive wording",
                "Who must act",
                "Area",
                "Lead officer",
                "Action",
                "Action owner",
                "Date",
                "Improved outcome",
                "Response",
                "Status",
                "RAG",
                "Progress",
                "Origin",
                "Executive decision date"
            ]
        );
        assert_eq!(t[1][1], "(1)");
        assert_eq!(t[1][6], "Steph Cordon, Head of Service\nHead of Regulation and Compliance");
        assert_eq!(t[1][8], entries[0].actions[0].owner);
        assert_eq!(t[1][9], "May 2017, revised to July 2017, revised to 15 September 2017");
        assert_eq!(
            t[1][14],
            "7 December 2017: Letters sent to all MPs.\nTwo replies.\n\nUndated: Undated note\n\n8 January 2018: Emails to all schools"
        );
        assert_eq!(t[3][9], "Completed (3 October 2017)");
        // A continuation row carries its action and owner, not the leads again.
        assert_eq!(t[3][6], "");
        assert!(!t[3][8].is_empty());
        assert_eq!(t[4][9], "Ongoing");
        assert_eq!(t[1][12], "Complete, awaiting sign-off");
    }

    /// A small deterministic generator (the domain crate has no `rand`).
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            self.0 >> 33
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
            xs[self.below(xs.len())]
        }
        fn chance(&mut self, pct: usize) -> bool {
            self.below(100) < pct
        }
        fn date(&mut self) -> NaiveDate {
            let y = 2015 + self.below(6) as i32;
            let m = 1 + self.below(12) as u32;
            if self.chance(50) {
                last_day_of_month(y, m).unwrap()
            } else {
                d(y, m, 1 + self.below(28) as u32)
            }
        }
    }

    const PIECES: &[&str] = &[
        "That the Cabinet Member writes to the MPs",
        "=1+1 looks like a formula",
        "+44 1234 567890",
        "-minus start",
        "@handle start",
        "Unicode: Zoë, Ødegård, ‘quotes’, £100, naïve café — done",
        "Line one\nLine two\n\nLine four after a blank",
        "(3) already numbered text",
        "a) lettered text",
        "Revised to July 2017 as text",
        "Ongoing as text",
        "1. numbered",
        "Red",
        "Emoji 😀 and CJK 漢字",
    ];

    const NAMES: &[&str] = &["Steph Cordon", "Vicky Buchanan", "Jo Bloggs", "Cllr Smith", "Zoë Ødegård", "Mary-Jane O'Neill"];

    const TITLES: &[&str] = &[
        "Head of Service",
        "Head of Regulation and Compliance",
        "Director of Children's Services",
        "Team Manager, MASH",
        "Children’s Services lead",
        "Chief Inspector",
    ];

    fn random_entries(rng: &mut Lcg) -> Vec<RegisterEntry> {
        let mut out = Vec::new();
        let mut number = 0;
        for k in 0..(1 + rng.below(6)) {
            let mut sub = if k > 0 && rng.chance(30) { ["a", "b", "zz"][rng.below(3)].to_string() } else { String::new() };
            if sub.is_empty() || number == 0 || out.iter().any(|x: &RegisterEntry| x.number == number && x.sub_label == sub) {
                number += 1 + rng.below(3) as i64;
                sub.clear();
            }
            let mut e = RegisterEntry::new(number, rng.pick(PIECES));
            e.sub_label = sub;
            if rng.chance(60) {
                e.reference = format!("SR (17/18) {:02}{}", e.number, e.sub_label);
            }
            if rng.chance(40) {
                e.executive_wording = rng.pick(PIECES).to_string();
            }
            if rng.chance(40) {
                e.who_must_act = rng.pick(PIECES).to_string();
            }
            if rng.chance(40) {
                e.area = rng.pick(PIECES).to_string();
            }
            if rng.chance(40) {
                e.outcome = rng.pick(PIECES).to_string();
            }
            let mut names: Vec<&str> = NAMES.to_vec();
            for _ in 0..rng.below(3) {
                let title = if rng.chance(70) { rng.pick(TITLES) } else { "" };
                let name = if rng.chance(70) || title.is_empty() { names.remove(rng.below(names.len())) } else { "" };
                if !e.leads.iter().any(|x| x.job_title == title && x.name == name) {
                    e.leads.push(l(name, title));
                }
            }
            let mut owner = owner_of(&e.leads);
            for i in 0..rng.below(4) {
                if i > 0 && !e.leads.is_empty() && rng.chance(40) {
                    owner = owner_of(&[e.leads[rng.below(e.leads.len())].clone()]);
                }
                let target = if rng.chance(70) { Some(rng.date()) } else { None };
                let revisions = if target.is_some() { (0..rng.below(3)).map(|_| rng.date()).collect() } else { vec![] };
                let text = if rng.chance(90) { rng.pick(PIECES) } else { "" };
                e.actions.push(action(text, &owner, target, revisions, rng.chance(30)));
            }
            e.response = if rng.chance(70) { Some(ExecutiveResponse::ALL[rng.below(ExecutiveResponse::ALL.len())]) } else { None };
            e.lifecycle = if rng.chance(70) { Some(Lifecycle::ALL[rng.below(Lifecycle::ALL.len())]) } else { None };
            e.rag = if rng.chance(70) { Some(Rag::ALL[rng.below(3)]) } else { None };
            for _ in 0..rng.below(4) {
                let date = if rng.chance(60) { Some(rng.date()) } else { None };
                let narrative = if date.is_some() && rng.chance(10) { String::new() } else { rng.pick(PIECES).to_string() };
                e.updates.push(ImportedUpdate { date, narrative });
            }
            out.push(e);
        }
        out
    }

    #[test]
    fn register_round_trip_random_entries() {
        let mut rng = Lcg(20180116);
        for case in 0..500 {
            let entries = random_entries(&mut rng);
            let t = register_table(&entries);
            let got = plan(&t, &register_preset(), today()).unwrap_or_else(|e| panic!("case {case}: {e:#?}\n{t:#?}"));
            assert_eq!(strip_rows(got.into_inner().entries), entries, "case {case}: {t:#?}");
        }
    }

    /// The input fuzz/roundtrip found (lines of `|`-separated cells): planned with the
    /// suggested mapping, its export must import again.
    #[test]
    fn fuzz_regression_roundtrip_crash_input() {
        let bytes: &[u8] = b"Ref|Reteph CorRef|Recommeate|RAG|Progress made|Status\x0aSR 01|1. Do it|Steph CorRef|Recommendation|Lion|Date|RAG|Progress made|Status\x0aSR 0\x00\x00\x00\x00\x00\x001|1.tus\x0aSdon HeaR 0d o1";
        let text = String::from_utf8_lossy(bytes);
        let t: Table = text.split('\n').map(|l| l.split('|').map(str::to_string).collect()).collect();
        let hr = guess_header_row(&t);
        let p = Preset { name: "fuzz".into(), header_row: hr, mapping: suggest_mapping(&headings(&t, hr)) };
        if let Ok(first) = plan(&t, &p, today()) {
            let again = plan(&register_table(&first.entries), &register_preset(), today());
            assert!(again.is_ok(), "{again:#?}");
        }
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        let p = register_preset();
        let mut t = register_table(&sample_entries());
        for s in [
            "(",
            "((",
            "1",
            "a",
            "–",
            "ÿ)",
            "(1)(",
            "1.",
            ".1",
            "1.1.",
            "Undated:",
            ":",
            " - ",
            "31/05/",
            "/",
            "—x",
            "May 2017 –",
            "é, é",
            "(é)",
            "Head ,",
        ] {
            for c in t[1].iter_mut() {
                *c = s.to_string();
            }
            let _ = plan(&t, &p, today());
            let _ = parse_leads(s);
            let _ = parse_progress(s);
            let _ = parse_date_cell(s);
            let _ = number_from_reference(s);
        }
    }
}
