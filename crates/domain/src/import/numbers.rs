//! Recommendation numbers: from a Number cell or the end of a reference ("SR (17/18)
//! 01a" = 1a, "3.2" = 3b), and numbered prefixes of the wording ("(1) ", "a) ").

use super::MAX_NUMBER;

/// "a".."z" for 1..26, then "aa".."zz".
fn letters_for(n: i64) -> Option<String> {
    let letter = |i: i64| char::from(b'a' + i as u8);
    match n {
        1..=26 => Some(letter(n - 1).to_string()),
        27..=702 => {
            let (q, r) = ((n - 1) / 26, (n - 1) % 26);
            Some(format!("{}{}", letter(q - 1), letter(r)))
        }
        _ => None,
    }
}

/// The number and sub-item at the end of a reference: "SR (17/18) 01a" = (1, "a"),
/// "R3" = (3, ""), "3.2" = (3, "b"), "(1)(a)" = (1, "a").
pub fn number_from_reference(s: &str) -> Option<(i64, String)> {
    let s = s.trim();
    let b = s.as_bytes();
    let mut end = b.len();
    while end > 0 && matches!(b[end - 1], b')' | b']' | b'.' | b':' | b' ') {
        end -= 1;
    }
    let mut i = end;
    while i > 0 && b[i - 1].is_ascii_alphabetic() {
        i -= 1;
    }
    let letters = &s[i..end];
    let mut j = i;
    let mut sub = String::new();
    if !letters.is_empty() {
        if letters.len() > 2 {
            return None;
        }
        let mut seps = 0;
        while j > 0 && seps < 3 && matches!(b[j - 1], b'(' | b')' | b' ' | b'.' | b'-' | b'_') {
            j -= 1;
            seps += 1;
        }
        if j == 0 || !b[j - 1].is_ascii_digit() {
            return None;
        }
        sub = letters.to_ascii_lowercase();
    }
    let dend = j;
    let mut k = dend;
    while k > 0 && b[k - 1].is_ascii_digit() {
        k -= 1;
    }
    if k == dend || dend - k > 7 {
        return None;
    }
    let last: i64 = s[k..dend].parse().ok()?;
    if k >= 2 && b[k - 1] == b'.' && b[k - 2].is_ascii_digit() {
        // "3.2": number 3, sub-item 2 (b). Deeper ("1.1.7") or "1.2a" are not numbers.
        if !sub.is_empty() {
            return None;
        }
        let mut m = k - 1;
        while m > 0 && b[m - 1].is_ascii_digit() {
            m -= 1;
        }
        if (m > 0 && b[m - 1] == b'.') || k - 1 - m > 7 {
            return None;
        }
        let n: i64 = s[m..k - 1].parse().ok()?;
        return (n <= MAX_NUMBER).then_some(()).and(letters_for(last).map(|l| (n, l)));
    }
    (last <= MAX_NUMBER).then_some((last, sub))
}

/// A numbered prefix of the wording: "1. ", "(1) ", "1) ", "1a) ", "(1)(a) ", "a) ",
/// "(a) ", "a. ". Returns the number (None for a letter alone), sub-item and the rest.
pub(super) fn numbered_prefix(s: &str) -> Option<(Option<i64>, String, &str)> {
    let b = s.as_bytes();
    let open = b.first() == Some(&b'(');
    let mut i = usize::from(open);
    let ds = i;
    while i < b.len() && b[i].is_ascii_digit() && i - ds < 6 {
        i += 1;
    }
    let mut number = None;
    let mut sub = String::new();
    if i > ds {
        number = Some(s[ds..i].parse::<i64>().ok()?);
        if open {
            if b.get(i) != Some(&b')') {
                return None;
            }
            i += 1;
            if b.get(i) == Some(&b'(') {
                let ls = i + 1;
                let mut j = ls;
                while j < b.len() && b[j].is_ascii_lowercase() && j - ls < 2 {
                    j += 1;
                }
                if j > ls && b.get(j) == Some(&b')') {
                    sub = s[ls..j].to_string();
                    i = j + 1;
                }
            }
        } else {
            let ls = i;
            while i < b.len() && b[i].is_ascii_lowercase() && i - ls < 2 {
                i += 1;
            }
            sub = s[ls..i].to_string();
            if !matches!(b.get(i), Some(b'.') | Some(b')')) {
                return None;
            }
            i += 1;
        }
    } else {
        let ls = i;
        while i < b.len() && b[i].is_ascii_lowercase() && i - ls < 2 {
            i += 1;
        }
        if i == ls {
            return None;
        }
        sub = s[ls..i].to_string();
        match b.get(i) {
            Some(b')') => i += 1,
            Some(b'.') if !open && sub.len() == 1 => i += 1,
            _ => return None,
        }
    }
    let rest = &s[i..];
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    Some((number, sub, rest.trim_start()))
}

pub(super) fn norm_reference(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_from_references_and_prefixes() {
        assert_eq!(number_from_reference("SR (17/18) 01a"), Some((1, "a".into())));
        assert_eq!(number_from_reference("SR (17/18) 03"), Some((3, "".into())));
        assert_eq!(number_from_reference("R3"), Some((3, "".into())));
        assert_eq!(number_from_reference("3.2"), Some((3, "b".into())));
        assert_eq!(number_from_reference("1a"), Some((1, "a".into())));
        assert_eq!(number_from_reference("(1)(a)"), Some((1, "a".into())));
        assert_eq!(number_from_reference("Rec 3 (b)"), Some((3, "b".into())));
        assert_eq!(number_from_reference("1.1.7"), None);
        assert_eq!(number_from_reference("SR"), None);
        assert_eq!(number_from_reference("n/a"), None);
        assert_eq!(number_from_reference("99999999999999999999999"), None);
        assert_eq!(numbered_prefix("1. That the Cabinet Member"), Some((Some(1), "".into(), "That the Cabinet Member")));
        assert_eq!(numbered_prefix("(1) Sefton's Members"), Some((Some(1), "".into(), "Sefton's Members")));
        assert_eq!(numbered_prefix("1) Text"), Some((Some(1), "".into(), "Text")));
        assert_eq!(numbered_prefix("a) A national data base"), Some((None, "a".into(), "A national data base")));
        assert_eq!(numbered_prefix("(b) Text"), Some((None, "b".into(), "Text")));
        assert_eq!(numbered_prefix("(2)(c) Text"), Some((Some(2), "c".into(), "Text")));
        assert_eq!(numbered_prefix("3.2 million people"), None);
        assert_eq!(numbered_prefix("10% of schools"), None);
        assert_eq!(numbered_prefix("i.e. this"), None);
    }
}
