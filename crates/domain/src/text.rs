//! Text as it arrives from outside (forms, the API, imported cells, searches): what
//! cannot be stored or searched for is refused with a message that says why.

/// The first character in `s` that text may not hold: the C0 control characters (NUL
/// and the rest) other than tab, line feed and carriage return, DEL, and the C1 control
/// characters. PostgreSQL cannot store NUL at all, and none of them is typed by people.
pub fn control_char(s: &str) -> Option<char> {
    s.chars().find(|&c| is_refused(c))
}

fn is_refused(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// What to tell someone whose text (`subject`, such as "The title") holds a refused
/// character.
pub fn control_char_message(subject: &str, c: char) -> String {
    format!(
        "{subject} contains a control character (code {}) that cannot be stored. Remove it (it may have come from copying and pasting) and try again",
        c as u32
    )
}

/// `s` without the characters text may not hold (for text read from files, such as a
/// spreadsheet's cells, where a person cannot retype it).
pub fn without_control_chars(s: &str) -> std::borrow::Cow<'_, str> {
    if control_char(s).is_none() {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.chars().filter(|&c| !is_refused(c)).collect())
    }
}

/// The longest search, in characters.
pub const MAX_SEARCH_CHARS: usize = 200;
/// The most words a search may have.
pub const MAX_SEARCH_TERMS: usize = 12;

/// Why a search cannot be run, if it cannot: too long, too many words, or a refused
/// character.
pub fn search_problem(what: &str, s: &str) -> Option<String> {
    if let Some(c) = control_char(s) {
        return Some(control_char_message(&format!("The {what}"), c));
    }
    if s.chars().count() > MAX_SEARCH_CHARS {
        return Some(format!("The {what} must be {MAX_SEARCH_CHARS} characters or fewer"));
    }
    if s.split_whitespace().count() > MAX_SEARCH_TERMS {
        return Some(format!("The {what} must have {MAX_SEARCH_TERMS} words or fewer"));
    }
    None
}

/// Items as a sentence lists them: "A", "A and B", "A, B and C".
pub fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_found_but_tab_and_line_ends_are_text() {
        assert_eq!(control_char("a\tb\r\nc"), None);
        assert_eq!(control_char("ab\u{0}c"), Some('\u{0}'));
        assert_eq!(control_char("x\u{1b}[31m"), Some('\u{1b}'));
        assert_eq!(control_char("x\u{85}"), Some('\u{85}'));
        assert_eq!(control_char("Zoë – “quoted” 😀"), None);
        assert_eq!(without_control_chars("a\u{0}b\u{7f}\tc"), "ab\tc");
    }

    #[test]
    fn searches_are_bounded() {
        assert_eq!(search_problem("search", "smith"), None);
        assert!(search_problem("search", &"a".repeat(201)).unwrap().contains("200 characters or fewer"));
        assert!(search_problem("search", &"a ".repeat(13)).unwrap().contains("12 words or fewer"));
        assert!(search_problem("search", "a\u{0}").unwrap().contains("control character"));
    }

    #[test]
    fn lists_read_as_sentences() {
        let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(join_and(&v(&[])), "");
        assert_eq!(join_and(&v(&["A"])), "A");
        assert_eq!(join_and(&v(&["A", "B"])), "A and B");
        assert_eq!(join_and(&v(&["A", "B", "C"])), "A, B and C");
    }
}

/// A whole number with its thousands separated: 100000 as "100,000", -1234 as "-1,234".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::from(if n < 0 { "-" } else { "" });
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod thousands_tests {
    #[test]
    fn thousands_are_separated_by_commas() {
        for (n, want) in [(0, "0"), (999, "999"), (1000, "1,000"), (100_000, "100,000"), (1_234_567, "1,234,567"), (-1234, "-1,234")] {
            assert_eq!(super::thousands(n), want);
        }
    }
}
