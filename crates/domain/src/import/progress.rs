//! Progress cells: dated updates ("7 December 2017: ...") and undated ones, read and written.

use chrono::{Datelike, NaiveDate};

use super::dates::parse_date;
use super::ImportedUpdate;
use crate::dates::long;

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    if s.len() >= prefix.len() && s.is_char_boundary(prefix.len()) && s[..prefix.len()].eq_ignore_ascii_case(prefix) {
        Some(&s[prefix.len()..])
    } else {
        None
    }
}

fn undated_prefix(line: &str) -> Option<&str> {
    let t = line.trim_start();
    strip_prefix_ci(t, "undated:").or_else(|| strip_prefix_ci(t, "no date:")).map(str::trim_start)
}

/// Words a council writes before an update's date ("Update 14 October 2025: ...",
/// "Progress update – 14/10/25: ..."), longest first; dropped with the date.
const UPDATE_WORDS: [&str; 4] = ["progress update", "updated", "update", "progress"];

/// A line that starts a dated progress entry: a date (a full one, or a month and year
/// such as "Oct 2025", read as the month's first day), perhaps after "Update", then `:`
/// or a dash, then the narrative; or such a date alone.
fn date_prefix(line: &str) -> Option<(NaiveDate, &str)> {
    let t = line.trim_start();
    for w in UPDATE_WORDS {
        if let Some(rest) = strip_prefix_ci(t, w) {
            let rest = rest.trim_start_matches([' ', ':', '-', '–', '—', '\u{a0}']);
            if rest.len() < t.len() - w.len() || rest.starts_with(|c: char| c.is_ascii_digit()) {
                if let Some(found) = bare_date_prefix(rest).or_else(|| leading_words_date(rest)) {
                    return Some(found);
                }
            }
        }
    }
    bare_date_prefix(t)
}

/// After "Update", a date followed by the narrative with no colon or dash ("Updated:
/// 28/11/2025 Awareness week planned"): the longest run of up to four words that is a date.
fn leading_words_date(t: &str) -> Option<(NaiveDate, &str)> {
    let ends: Vec<usize> = t.char_indices().filter(|(_, c)| *c == ' ').map(|(i, _)| i).take(4).collect();
    ends.into_iter().rev().find_map(|e| update_date(&t[..e]).map(|d| (d, t[e..].trim_start())))
}

/// An update's date from a parsed date: a month alone is the month's first day.
fn update_date(s: &str) -> Option<NaiveDate> {
    let (d, month_only) = parse_date(s)?;
    if month_only {
        NaiveDate::from_ymd_opt(d.year(), d.month(), 1)
    } else {
        Some(d)
    }
}

fn bare_date_prefix(t: &str) -> Option<(NaiveDate, &str)> {
    if !t.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    if t.len() <= 60 {
        if let Some(d) = update_date(t) {
            return Some((d, ""));
        }
    }
    let mut cands: Vec<(usize, usize)> = Vec::new();
    for sep in [":", " - ", " – ", " — ", "–", "—"] {
        if let Some(p) = t.find(sep) {
            if p <= 60 {
                cands.push((p, sep.len()));
            }
        }
    }
    cands.sort_unstable();
    for (p, l) in cands {
        if let Some(d) = update_date(&t[..p]) {
            return Some((d, t[p + l..].trim_start()));
        }
    }
    None
}

/// Split a Progress cell into updates (see the module rules).
pub fn parse_progress(s: &str) -> Vec<ImportedUpdate> {
    fn flush(cur: &mut Option<ImportedUpdate>, out: &mut Vec<ImportedUpdate>) {
        if let Some(mut u) = cur.take() {
            u.narrative = u.narrative.trim().to_string();
            if u.date.is_some() || !u.narrative.is_empty() {
                out.push(u);
            }
        }
    }
    let mut out = Vec::new();
    let mut cur: Option<ImportedUpdate> = None;
    for line in s.split('\n') {
        if let Some(rest) = undated_prefix(line) {
            flush(&mut cur, &mut out);
            cur = Some(ImportedUpdate { date: None, narrative: rest.to_string() });
        } else if let Some((d, rest)) = date_prefix(line) {
            flush(&mut cur, &mut out);
            cur = Some(ImportedUpdate { date: Some(d), narrative: rest.to_string() });
        } else {
            match &mut cur {
                Some(u) => {
                    u.narrative.push('\n');
                    u.narrative.push_str(line);
                }
                None => cur = Some(ImportedUpdate { date: None, narrative: line.to_string() }),
            }
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// The Progress cell [`register_table`](super::register_table) writes: "7 December 2017: narrative" entries
/// separated by a blank line; an undated update is its narrative alone when it comes
/// first, and "Undated: narrative" otherwise.
pub fn format_progress(updates: &[ImportedUpdate]) -> String {
    let mut parts = Vec::new();
    for u in updates {
        let n = u.narrative.trim();
        match u.date {
            Some(d) if n.is_empty() => parts.push(format!("{}:", long(d))),
            Some(d) => parts.push(format!("{}: {n}", long(d))),
            None if n.is_empty() => {}
            None => {
                let first_line = n.split('\n').next().unwrap_or("");
                if parts.is_empty() && date_prefix(first_line).is_none() && undated_prefix(first_line).is_none() {
                    parts.push(n.to_string());
                } else {
                    parts.push(format!("Undated: {n}"));
                }
            }
        }
    }
    parts.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::test_support::*;

    #[test]
    fn progress_entries_split_on_dates() {
        let u = parse_progress(
            "7 December 2017: Letters sent to all MPs.\n\n8 January 2018 — Replies received\nfrom two MPs.\n\n09/02/2018 - Emails to all schools",
        );
        assert_eq!(
            u,
            vec![
                ImportedUpdate { date: Some(d(2017, 12, 7)), narrative: "Letters sent to all MPs.".into() },
                ImportedUpdate { date: Some(d(2018, 1, 8)), narrative: "Replies received\nfrom two MPs.".into() },
                ImportedUpdate { date: Some(d(2018, 2, 9)), narrative: "Emails to all schools".into() },
            ]
        );
        assert_eq!(
            parse_progress("Letters sent.\n\nMore to do."),
            vec![ImportedUpdate { date: None, narrative: "Letters sent.\n\nMore to do.".into() }]
        );
        assert_eq!(parse_progress(""), vec![]);
        assert_eq!(
            parse_progress("7 December 2017\nMeeting held"),
            vec![ImportedUpdate { date: Some(d(2017, 12, 7)), narrative: "Meeting held".into() }]
        );
        // A month alone is the update's month (its first day).
        assert_eq!(parse_progress("Dec 2017: met"), vec![ImportedUpdate { date: Some(d(2017, 12, 1)), narrative: "met".into() }]);
        // A narrative that merely mentions a date is not split.
        assert_eq!(
            parse_progress("Letters sent on 7 December 2017: replies awaited"),
            vec![ImportedUpdate { date: None, narrative: "Letters sent on 7 December 2017: replies awaited".into() }]
        );
        let ups = vec![
            ImportedUpdate { date: None, narrative: "7 December 2017: looks dated but is not".into() },
            ImportedUpdate { date: Some(d(2017, 12, 7)), narrative: "".into() },
            ImportedUpdate { date: None, narrative: "second undated".into() },
        ];
        assert_eq!(parse_progress(&format_progress(&ups)), ups);
    }

    /// Fault 4 of issue 14: "Update 14 October 2025: ..." was stored with the import's
    /// date and printed as "4 December 2026 — Update 14 October 2025: ...". Dates as
    /// councils write them at the head of an update are the update's date.
    #[test]
    fn update_dates_as_councils_write_them() {
        let cell = "Update 14 October 2025: The Cabinet Member wrote to all three MPs; two replies received.\n\
                    14/10/25 – Emails sent to all head teachers with the CSE awareness pack\n\
                    Oct 2025: Licensing Committee received the revised taxi policy\n\
                    Progress update - 3 November 2025 - Training delivered to 120 drivers\n\
                    Updated: 28/11/2025 Awareness week planned with the LSCB";
        let u = parse_progress(cell);
        let got: Vec<(Option<NaiveDate>, &str)> = u.iter().map(|u| (u.date, u.narrative.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (Some(d(2025, 10, 14)), "The Cabinet Member wrote to all three MPs; two replies received."),
                (Some(d(2025, 10, 14)), "Emails sent to all head teachers with the CSE awareness pack"),
                (Some(d(2025, 10, 1)), "Licensing Committee received the revised taxi policy"),
                (Some(d(2025, 11, 3)), "Training delivered to 120 drivers"),
                (Some(d(2025, 11, 28)), "Awareness week planned with the LSCB"),
            ]
        );
        // Written back and read again, the same updates.
        assert_eq!(parse_progress(&format_progress(&u)), u);
        // "Update" without a date is narrative.
        assert_eq!(
            parse_progress("Update awaited from the police"),
            vec![ImportedUpdate { date: None, narrative: "Update awaited from the police".into() }]
        );
    }
}
