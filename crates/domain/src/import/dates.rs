//! Date cells as trackers write them: "May 2017" (the month's last day), "31/05/2017",
//! "May 2017 / Revised to July 2017", "Ongoing", "Completed (May 2017)", and the
//! message that suggests what a date that cannot be read ("Dec 202017") meant.

use chrono::{Datelike, NaiveDate};

use super::cells::words;
use super::ImportedAction;
use crate::dates::{long, month_year};

const MONTH_WORDS: [(&str, u32); 24] = [
    ("january", 1),
    ("jan", 1),
    ("february", 2),
    ("feb", 2),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("may", 5),
    ("june", 6),
    ("jun", 6),
    ("july", 7),
    ("jul", 7),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("october", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
];

const MONTH_NAMES: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

const WEEKDAYS: [&str; 14] =
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn month_from_word(w: &str) -> Option<u32> {
    let w = w.trim_end_matches('.').to_ascii_lowercase();
    MONTH_WORDS.iter().find(|(name, _)| *name == w).map(|(_, m)| *m)
}

pub(super) fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (ny, nm) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)?.pred_opt()
}

fn is_last_day_of_month(d: NaiveDate) -> bool {
    d.succ_opt().is_none_or(|n| n.month() != d.month())
}

fn plausible_year(y: i64) -> bool {
    (1900..=2199).contains(&y)
}

/// A year token: four digits in range, or (when `short_ok`) two digits meaning 20yy.
fn year_token(t: &str, short_ok: bool) -> Option<i32> {
    if !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match t.len() {
        4 => {
            let y: i64 = t.parse().ok()?;
            plausible_year(y).then_some(y as i32)
        }
        2 if short_ok => Some(2000 + t.parse::<i32>().ok()?),
        _ => None,
    }
}

fn day_token(t: &str) -> Option<u32> {
    let t = t.trim_end_matches('.');
    let digits = t.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &t[digits.len()..];
    if !matches!(suffix.to_ascii_lowercase().as_str(), "" | "st" | "nd" | "rd" | "th") {
        return None;
    }
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Parse one date. The flag is true for a month-only date (which means the last day
/// of that month). A year outside those Assure accepts is not read as a date.
pub fn parse_date(s: &str) -> Option<(NaiveDate, bool)> {
    parse_date_any_year(s).filter(|(d, _)| crate::dates::plausible(*d))
}

fn parse_date_any_year(s: &str) -> Option<(NaiveDate, bool)> {
    let s = s.trim().trim_end_matches(['.', ':']).trim();
    if s.is_empty() || s.len() > 60 || !s.is_ascii() {
        return None;
    }
    let lower = s.to_ascii_lowercase();
    let mut t: &str = &lower;
    for p in ["by the end of ", "by end of ", "the end of ", "end of ", "by ", "before ", "w/e ", "w/c "] {
        if let Some(r) = t.strip_prefix(p) {
            t = r.trim_start();
            break;
        }
    }
    for w in WEEKDAYS {
        if let Some(r) = t.strip_prefix(w) {
            if r.starts_with([' ', ',']) {
                t = r.trim_start_matches([' ', ',']);
                break;
            }
        }
    }
    // An ISO date with a time of day ("2017-05-31T00:00:00", "2017-05-31 00:00:00").
    if t.len() > 10 && t.is_char_boundary(10) {
        let (head, tail) = t.split_at(10);
        let tail_is_time = (tail.starts_with('t') || tail.starts_with(' '))
            && tail[1..].bytes().all(|b| b.is_ascii_digit() || matches!(b, b':' | b'.' | b'z' | b'+' | b'-'));
        if tail_is_time && head.as_bytes().get(4) == Some(&b'-') {
            t = head;
        }
    }
    let tokens: Vec<&str> = t.split(|c: char| c.is_whitespace() || c == ',').filter(|x| !x.is_empty()).collect();
    if tokens.len() == 1 {
        let tok = tokens[0];
        if !tok.bytes().any(|b| b.is_ascii_alphabetic()) {
            return numeric_date(tok);
        }
        let parts: Vec<&str> = tok.split(['-', '/', '.']).filter(|x| !x.is_empty()).collect();
        return if parts.len() > 1 { word_date(&parts, true) } else { None };
    }
    word_date(&tokens, false)
}

fn numeric_date(tok: &str) -> Option<(NaiveDate, bool)> {
    let parts: Vec<&str> = tok.split(['/', '-', '.']).collect();
    if parts.iter().any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    match parts.len() {
        3 => {
            let (y, m, d) = if parts[0].len() == 4 {
                (year_token(parts[0], false)?, parts[1], parts[2])
            } else {
                (year_token(parts[2], true)?, parts[1], parts[0])
            };
            if m.len() > 2 || d.len() > 2 {
                return None;
            }
            Some((NaiveDate::from_ymd_opt(y, m.parse().ok()?, d.parse().ok()?)?, false))
        }
        2 => {
            let (m, y) = (parts[0], parts[1]);
            if m.len() > 2 {
                return None;
            }
            let y = year_token(y, false)?;
            Some((last_day_of_month(y, m.parse().ok()?)?, true))
        }
        _ => None,
    }
}

fn word_date(tokens: &[&str], compact: bool) -> Option<(NaiveDate, bool)> {
    match tokens {
        [m, y] => {
            let m = month_from_word(m)?;
            let y = year_token(y, compact)?;
            Some((last_day_of_month(y, m)?, true))
        }
        [a, b, y] => {
            let y = year_token(y, true)?;
            let (d, m) = match (day_token(a), month_from_word(b)) {
                (Some(d), Some(m)) => (d, m),
                _ => (day_token(b)?, month_from_word(a)?),
            };
            Some((NaiveDate::from_ymd_opt(y, m, d)?, false))
        }
        _ => None,
    }
}

/// What a Date cell says about an action.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DateCell {
    pub target: Option<NaiveDate>,
    pub revisions: Vec<NaiveDate>,
    pub done: bool,
    pub ongoing: bool,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Byte offsets of whole-word, ASCII-case-insensitive occurrences of `word`.
fn find_word_ci(s: &str, word: &str) -> Vec<usize> {
    let lower = s.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = lower[from..].find(word) {
        let i = from + p;
        let end = i + word.len();
        let before_ok = lower[..i].chars().next_back().is_none_or(|c| !is_word_char(c));
        let after_ok = lower[end..].chars().next().is_none_or(|c| !is_word_char(c));
        if before_ok && after_ok {
            out.push(i);
        }
        from = end;
    }
    out
}

fn date_segments(s: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut pieces = Vec::new();
    let mut start = 0;
    for (k, &(i, c)) in chars.iter().enumerate() {
        let prev = k.checked_sub(1).map(|j| chars[j].1);
        let next = chars.get(k + 1).map(|x| x.1);
        let sep = match c {
            '\n' | ';' | ',' | '(' | ')' | '[' | ']' | '–' | '—' | '|' => true,
            '/' => !(prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit())),
            '-' => prev.is_none_or(char::is_whitespace) || next.is_none_or(char::is_whitespace),
            _ => false,
        };
        if sep {
            pieces.push(&s[start..i]);
            start = i + c.len_utf8();
        }
    }
    pieces.push(&s[start..]);
    // "May 2017 revised to July 2017" with no separator: split before "revised".
    let mut out = Vec::new();
    for p in pieces {
        let mut cut = 0;
        for i in find_word_ci(p, "revised") {
            if !p[cut..i].trim().is_empty() {
                out.push(&p[cut..i]);
                cut = i;
            }
        }
        out.push(&p[cut..]);
    }
    out.into_iter().map(str::trim).filter(|p| !p.is_empty()).collect()
}

const FILLERS: [&str; 16] = [
    "revised",
    "revision",
    "to",
    "date",
    "dates",
    "now",
    "new",
    "target",
    "original",
    "originally",
    "and",
    "then",
    "extended",
    "review",
    "due",
    "was",
];

fn strip_fillers(s: &str) -> &str {
    let mut t = s.trim_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '.' | '-' | '*'));
    loop {
        let lower = t.to_ascii_lowercase();
        let mut changed = false;
        for f in FILLERS {
            if let Some(rest) = lower.strip_prefix(f) {
                if rest.is_empty() || rest.starts_with(|c: char| c.is_whitespace() || c == ':') {
                    t = t[f.len()..].trim_start_matches(|c: char| c.is_whitespace() || c == ':');
                    changed = true;
                    break;
                }
            }
        }
        if !changed {
            return t;
        }
    }
}

fn keyword(w: &str) -> Option<&'static str> {
    match w {
        "completed" | "complete" | "done" => Some("done"),
        "ongoing" | "on going" | "on-going" | "continuous" | "continuing" => Some("ongoing"),
        "tbc" | "tba" | "to be confirmed" | "to be agreed" | "n/a" | "na" | "not applicable" | "none" => Some("none"),
        _ => None,
    }
}

/// Parse a Date cell. `Err` carries the part that is not a date, as written.
pub fn parse_date_cell(s: &str) -> Result<DateCell, String> {
    let mut cell = DateCell::default();
    let mut dates = Vec::new();
    for seg in date_segments(s) {
        let mut rest = seg;
        // Keywords on their own, at the start or at the end of a segment.
        let lower = rest.to_ascii_lowercase();
        let whole = words(&lower);
        if let Some(k) = keyword(lower.trim_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '.'))).or(keyword(&whole)) {
            match k {
                "done" => cell.done = true,
                "ongoing" => cell.ongoing = true,
                _ => {}
            }
            continue;
        }
        for (kw, done) in [("completed", true), ("complete", true), ("done", true), ("ongoing", false)] {
            let l = rest.to_ascii_lowercase();
            if l.starts_with(kw) && l[kw.len()..].starts_with(|c: char| c.is_whitespace() || c == ':') {
                rest = &rest[kw.len()..];
            } else if l.ends_with(kw) && l[..l.len() - kw.len()].ends_with(char::is_whitespace) {
                rest = &rest[..rest.len() - kw.len()];
            } else {
                continue;
            }
            if done {
                cell.done = true;
            } else {
                cell.ongoing = true;
            }
            break;
        }
        let rest = strip_fillers(rest);
        if rest.is_empty() {
            continue;
        }
        match parse_date(rest) {
            Some((d, _)) => dates.push(d),
            None => return Err(seg.to_string()),
        }
    }
    let mut it = dates.into_iter();
    cell.target = it.next();
    cell.revisions = it.collect();
    Ok(cell)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// The month and year to use in the example of an error about `bad`: what the person
/// seems to have meant, else `today`'s year and December.
fn example_month_year(bad: &str, today: NaiveDate) -> (u32, i32) {
    let mut month = None;
    let mut year = None;
    for tok in bad.split(|c: char| !c.is_ascii_alphanumeric()).filter(|t| !t.is_empty()) {
        let lower = tok.to_ascii_lowercase();
        if tok.bytes().all(|b| b.is_ascii_alphabetic()) {
            if month.is_none() && tok.len() <= 12 {
                month = month_from_word(&lower).or_else(|| {
                    if lower.len() < 3 {
                        return None;
                    }
                    MONTH_WORDS.iter().find(|(name, _)| edit_distance(&lower, name) <= 1).map(|(_, m)| *m)
                });
            }
        } else if tok.bytes().all(|b| b.is_ascii_digit()) && tok.len() >= 4 && year.is_none() {
            let last4: i64 = tok[tok.len() - 4..].parse().unwrap_or(0);
            if plausible_year(last4) {
                year = Some(last4 as i32);
            }
        }
    }
    (month.unwrap_or(12), year.unwrap_or(today.year()))
}

pub(super) fn bad_date_message(bad: &str, today: NaiveDate) -> String {
    let (m, y) = example_month_year(bad, today);
    let last = last_day_of_month(y, m).map(|d| d.day()).unwrap_or(28);
    let name = MONTH_NAMES[(m as usize).saturating_sub(1) % 12];
    let only_year = bad.trim().len() == 4 && bad.trim().bytes().all(|b| b.is_ascii_digit());
    let what = if only_year { "is only a year, not a date" } else { "is not a date Assure recognises" };
    format!("“{bad}” {what}. Write a month and year such as “{name} {y}”, or a full date such as “{last} {name} {y}”.")
}

/// "May 2017" for the last day of a month, otherwise "15 May 2017".
pub(super) fn format_target(d: NaiveDate) -> String {
    if is_last_day_of_month(d) {
        month_year(d)
    } else {
        long(d)
    }
}

/// The Date cell [`register_table`](super::register_table) writes for an action; [`parse_date_cell`] reads it
/// back to the same target, revisions and done flag.
pub fn format_date_cell(a: &ImportedAction) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(t) = a.target {
        parts.push(format_target(t));
    }
    for (i, r) in a.revisions.iter().enumerate() {
        if i == 0 && a.target.is_none() {
            parts.push(format!("Revised to {}", format_target(*r)));
        } else {
            parts.push(format!("revised to {}", format_target(*r)));
        }
    }
    let dates = parts.join(", ");
    if a.done {
        if dates.is_empty() {
            "Completed".to_string()
        } else {
            format!("Completed ({dates})")
        }
    } else if dates.is_empty() && a.text.is_empty() {
        // Keeps an action with neither wording nor date from vanishing as a blank row.
        "Ongoing".to_string()
    } else {
        dates
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::test_support::*;

    #[test]
    fn single_dates_in_council_forms() {
        assert_eq!(parse_date("May 2017"), Some((d(2017, 5, 31), true)));
        assert_eq!(parse_date("Oct 2017"), Some((d(2017, 10, 31), true)));
        assert_eq!(parse_date("Sept 2017"), Some((d(2017, 9, 30), true)));
        assert_eq!(parse_date("October 2017"), Some((d(2017, 10, 31), true)));
        assert_eq!(parse_date("February 2016"), Some((d(2016, 2, 29), true)));
        assert_eq!(parse_date("31 May 2017"), Some((d(2017, 5, 31), false)));
        assert_eq!(parse_date("31st May 2017"), Some((d(2017, 5, 31), false)));
        assert_eq!(parse_date("31/05/2017"), Some((d(2017, 5, 31), false)));
        assert_eq!(parse_date("31/05/17"), Some((d(2017, 5, 31), false)));
        assert_eq!(parse_date("2017-05-31"), Some((d(2017, 5, 31), false)));
        assert_eq!(parse_date("2017-05-31T00:00:00"), Some((d(2017, 5, 31), false)));
        assert_eq!(parse_date("31-May-2017"), Some((d(2017, 5, 31), false)));
        assert_eq!(parse_date("May-17"), Some((d(2017, 5, 31), true)));
        assert_eq!(parse_date("05/2017"), Some((d(2017, 5, 31), true)));
        assert_eq!(parse_date("Thursday 7 December 2017"), Some((d(2017, 12, 7), false)));
        assert_eq!(parse_date("by end of March 2018"), Some((d(2018, 3, 31), true)));
        for bad in ["Dec 202017", "Mya 2017", "31/13/2017", "2017", "May 17", "soon", "", "31/02/2017", "1 Dec 202017", "May 1899"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn date_cells_with_revisions_ongoing_and_completed() {
        let may = d(2017, 5, 31);
        let july = d(2017, 7, 31);
        for s in [
            "May 2017 / Revised to July 2017",
            "May 2017, revised to July 2017",
            "May 2017\nRevised to July 2017",
            "May 2017; REVISED TO JULY 2017",
            "May 2017/Revised to July 2017",
            "May 2017 revised to July 2017",
            "May 2017 - revised date: July 2017",
            "31/05/2017 / revised to 31/07/2017",
        ] {
            let c = parse_date_cell(s).unwrap();
            assert_eq!((c.target, c.revisions.clone(), c.done), (Some(may), vec![july], false), "{s}");
        }
        let c = parse_date_cell("Revised to July 2017").unwrap();
        assert_eq!((c.target, c.revisions.len()), (Some(july), 0));
        let c = parse_date_cell("Ongoing").unwrap();
        assert_eq!(c, DateCell { ongoing: true, ..Default::default() });
        for s in ["Completed", "Complete", "done", "COMPLETED"] {
            assert_eq!(parse_date_cell(s).unwrap(), DateCell { done: true, ..Default::default() }, "{s}");
        }
        let c = parse_date_cell("Completed (May 2017, revised to July 2017)").unwrap();
        assert_eq!(c, DateCell { target: Some(may), revisions: vec![july], done: true, ongoing: false });
        let c = parse_date_cell("Completed May 2017").unwrap();
        assert_eq!((c.target, c.done), (Some(may), true));
        assert_eq!(parse_date_cell("TBC").unwrap(), DateCell::default());
        assert_eq!(parse_date_cell("").unwrap(), DateCell::default());
        assert_eq!(parse_date_cell("Dec 202017"), Err("Dec 202017".into()));
        assert_eq!(parse_date_cell("May 2017 / Revised to Jully 2017"), Err("Revised to Jully 2017".into()));
    }

    #[test]
    fn bad_date_messages_suggest_what_was_meant() {
        assert_eq!(
            bad_date_message("Dec 202017", today()),
            "“Dec 202017” is not a date Assure recognises. Write a month and year such as “December 2017”, or a full date such as “31 December 2017”."
        );
        assert!(bad_date_message("Mya 2017", today()).contains("“May 2017”"));
        assert!(bad_date_message("2017", today()).contains("is only a year"));
        assert!(bad_date_message("soon", today()).contains("“December 2018”"));
    }

    #[test]
    fn date_cells_round_trip() {
        let cases = [
            ImportedAction {
                text: "x".into(),
                owner: String::new(),
                target: Some(d(2017, 5, 31)),
                revisions: vec![d(2017, 7, 31), d(2017, 9, 15)],
                done: false,
            },
            ImportedAction { text: "x".into(), owner: String::new(), target: Some(d(2017, 5, 15)), revisions: vec![], done: true },
            ImportedAction { text: "x".into(), owner: String::new(), target: None, revisions: vec![], done: true },
            ImportedAction { text: "x".into(), owner: String::new(), target: None, revisions: vec![], done: false },
            ImportedAction { text: "".into(), owner: String::new(), target: None, revisions: vec![], done: false },
        ];
        for a in cases {
            let s = format_date_cell(&a);
            let c = parse_date_cell(&s).unwrap();
            assert_eq!((c.target, c.revisions, c.done), (a.target, a.revisions.clone(), a.done), "{s}");
        }
        assert_eq!(
            format_date_cell(&ImportedAction {
                text: "x".into(),
                owner: String::new(),
                target: Some(d(2017, 5, 31)),
                revisions: vec![d(2017, 7, 31)],
                done: false
            }),
            "May 2017, revised to July 2017"
        );
    }
}
