//! Progress cells: dated updates ("7 December 2017: ...") and undated ones, read and written.

use chrono::NaiveDate;

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

/// A line that starts a dated progress entry: a full date, then `:` or a dash, then
/// the narrative; or a full date alone.
fn date_prefix(line: &str) -> Option<(NaiveDate, &str)> {
    let t = line.trim_start();
    if !t.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    if t.len() <= 60 {
        if let Some((d, false)) = parse_date(t) {
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
        if let Some((d, false)) = parse_date(&t[..p]) {
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
        // A month alone is not an update date: the text is kept as written.
        assert_eq!(parse_progress("Dec 2017: met"), vec![ImportedUpdate { date: None, narrative: "Dec 2017: met".into() }]);
        let ups = vec![
            ImportedUpdate { date: None, narrative: "7 December 2017: looks dated but is not".into() },
            ImportedUpdate { date: Some(d(2017, 12, 7)), narrative: "".into() },
            ImportedUpdate { date: None, narrative: "second undated".into() },
        ];
        assert_eq!(parse_progress(&format_progress(&ups)), ups);
    }
}
