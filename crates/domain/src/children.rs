//! Children's identities: search before create and possible duplicates.
//!
//! Names are compared after normalisation (case, accents, apostrophes, hyphens) and by
//! a small phonetic key written for British names as schools and the police spell
//! them: "Smith" and "Smyth", "Catherine" and "Kathryn", "O'Neill" and "ONeil",
//! "Stephen" and "Steven" share a key. The key is stored with each child (indexed) so
//! a search finds sound-alikes with an equality test.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::partnership::LegalStatus;
use crate::validation::{Checked, Invalid};

/// A child's identity as typed on a form (or sent to the API).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChildInput {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub estimated_age: Option<i64>,
    pub gender: String,
    pub ethnicity: String,
    pub address: String,
    pub ward: String,
    pub school: String,
}

impl ChildInput {
    /// The form's fields, top to bottom.
    pub const FIELDS: &'static [&'static str] =
        &["first_name", "last_name", "date_of_birth", "estimated_age", "gender", "ethnicity", "address", "ward", "school", "legal_status"];
}

/// A child's identity ready to save: every text trimmed, a date of birth or an age.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildDetails {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub estimated_age: Option<i64>,
    pub gender: String,
    pub ethnicity: String,
    pub address: String,
    pub ward: String,
    pub school: String,
}

/// The rules for a child's identity, with a message per field: a first name and a last
/// name, a date of birth or an estimated age (0 to 25), each text within its length.
pub fn check_child(c: &ChildInput) -> Result<Checked<ChildDetails>, Invalid> {
    let mut v = Invalid::new();
    check_child_into(c, &mut v);
    v.finish()?;
    Ok(Checked::new(child_details(c)))
}

/// [`check_child`]'s problems added to a form's others (a concern, an episode, a placement).
pub fn check_child_into(c: &ChildInput, v: &mut Invalid) {
    v.required("first_name", &c.first_name, "Enter the child's first name");
    v.max_len("first_name", c.first_name.trim(), 100, "The first name");
    v.required("last_name", &c.last_name, "Enter the child's last name");
    v.max_len("last_name", c.last_name.trim(), 100, "The last name");
    if c.date_of_birth.is_none() && c.estimated_age.is_none() {
        v.add("date_of_birth", "Enter the child's date of birth, or an estimated age if it is not known");
    }
    v.plausible_date("date_of_birth", c.date_of_birth, "The date of birth");
    if let Some(a) = c.estimated_age {
        if !(0..=25).contains(&a) {
            v.add("estimated_age", "The estimated age must be a whole number from 0 to 25");
        }
    }
    for (field, value, what) in [
        ("gender", &c.gender, "The gender"),
        ("ethnicity", &c.ethnicity, "The ethnicity"),
        ("address", &c.address, "The address"),
        ("ward", &c.ward, "The ward"),
        ("school", &c.school, "The school"),
    ] {
        v.max_len(field, value.trim(), 500, what);
    }
}

fn child_details(c: &ChildInput) -> ChildDetails {
    ChildDetails {
        first_name: c.first_name.trim().to_string(),
        last_name: c.last_name.trim().to_string(),
        date_of_birth: c.date_of_birth,
        estimated_age: c.estimated_age,
        gender: c.gender.trim().to_string(),
        ethnicity: c.ethnicity.trim().to_string(),
        address: c.address.trim().to_string(),
        ward: c.ward.trim().to_string(),
        school: c.school.trim().to_string(),
    }
}

/// A change of a child's identity and legal status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityChange {
    pub child: ChildDetails,
    pub legal_status: LegalStatus,
}

/// The identity's rules and a legal status chosen, all at once.
pub fn check_identity(c: &ChildInput, legal_status: Option<LegalStatus>) -> Result<Checked<IdentityChange>, Invalid> {
    let mut v = Invalid::new();
    check_child_into(c, &mut v);
    if legal_status.is_none() {
        v.add("legal_status", "Select the child's legal status");
    }
    v.finish()?;
    let Some(legal_status) = legal_status else { return Err(Invalid::single("legal_status", "Select the child's legal status")) };
    Ok(Checked::new(IdentityChange { child: child_details(c), legal_status }))
}

/// The child a form names: one already on the system, or a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChildRef {
    Existing(i64),
    New(ChildInput),
}

/// The child a form named, once checked: an existing record (whose reach storage
/// checks), or a new child's identity that passed [`check_child`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChosenChild {
    Existing(i64),
    New(ChildDetails),
}

/// One child must be named; a new one must pass [`check_child`] (its problems are added
/// to `v`, the form's others).
pub fn check_child_ref(child: Option<&ChildRef>, v: &mut Invalid) -> Option<ChosenChild> {
    match child {
        None => {
            v.add("child", "Choose the child from the search results, or enter a new child's details");
            None
        }
        Some(ChildRef::Existing(id)) => Some(ChosenChild::Existing(*id)),
        Some(ChildRef::New(c)) => {
            let before = v.errors.len();
            check_child_into(c, v);
            (v.errors.len() == before).then(|| ChosenChild::New(child_details(c)))
        }
    }
}

/// An administrator's review of an emergency access grant.
pub fn check_emergency_review(note: &str) -> Result<Checked<String>, Invalid> {
    let mut v = Invalid::new();
    let note = v.required("note", note, "Enter what the review found, for example whether the access was justified");
    v.max_len("note", &note, 2000, "The review note");
    v.finish()?;
    Ok(Checked::new(note))
}

/// How long emergency ("break glass") access lasts.
pub const EMERGENCY_ACCESS_HOURS: i64 = 24;

/// The shortest reason accepted for emergency access.
pub const EMERGENCY_REASON_MIN: usize = 10;

/// A reason for emergency access: required, and long enough to say something.
pub fn check_emergency_reason(reason: &str) -> Result<Checked<String>, Invalid> {
    let r = reason.trim();
    if r.is_empty() {
        return Err(Invalid::single("reason", "Enter the reason you need emergency access to this child's record"));
    }
    if r.chars().count() < EMERGENCY_REASON_MIN {
        return Err(Invalid::single(
            "reason",
            format!("The reason must be at least {EMERGENCY_REASON_MIN} characters: say why the child may be at risk now"),
        ));
    }
    if r.chars().count() > 2000 {
        return Err(Invalid::single("reason", "The reason must be 2,000 characters or fewer"));
    }
    Ok(Checked::new(r.to_string()))
}

fn fold(c: char) -> &'static str {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' | 'ă' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => "i",
        'ł' | 'ľ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ß' => "ss",
        'ť' | 'ţ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => "",
    }
}

/// A name as compared: lower case, accents folded, apostrophes dropped, hyphens and
/// other separators turned into single spaces. "  O'Neill-Sánchez " → "oneill sanchez".
pub fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if matches!(c, '\'' | '’' | '‘' | '`' | '.') {
            // O'Neill, D’Souza, St. John: the mark is not part of how the name sounds.
        } else if !fold(c).is_empty() {
            out.push_str(fold(c));
        } else if !out.ends_with(' ') && !out.is_empty() {
            out.push(' ');
        }
    }
    out.trim_end().to_string()
}

fn vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// A phonetic key for one name (a simplified, Metaphone-like code). Empty for a name
/// with no letters. Letters only, upper case; `0` stands for "th".
pub fn phonetic_key(name: &str) -> String {
    let letters: Vec<u8> = normalise(name).bytes().filter(|b| b.is_ascii_lowercase()).collect();
    // Doubled letters sound once ("Neill", "Mohammed").
    let mut w: Vec<u8> = Vec::with_capacity(letters.len());
    for b in letters {
        if w.last() != Some(&b) {
            w.push(b);
        }
    }
    // Silent first letters.
    if w.len() > 1 && matches!(&w[..2], b"kn" | b"gn" | b"pn" | b"wr") {
        w.remove(0);
    }
    let mut key = String::new();
    let at = |i: usize| w.get(i).copied().unwrap_or(0);
    let mut i = 0;
    while i < w.len() {
        let c = w[i];
        let next = at(i + 1);
        let prev = if i == 0 { 0 } else { w[i - 1] };
        let mut skip = 1;
        let code: &str = match c {
            // A vowel sounds only at the start, and then any vowel will do ("Amy", "Emma").
            _ if vowel(c) && i == 0 => "A",
            _ if vowel(c) => "",
            b'b' => "B",
            b'c' => {
                if next == b'h' {
                    skip = 2;
                    // "Christopher", "Chloe": a hard ch; otherwise "sh".
                    if matches!(at(i + 2), b'r' | b'l') {
                        "K"
                    } else {
                        "X"
                    }
                } else if next == b'k' {
                    skip = 2;
                    "K"
                } else if matches!(next, b'e' | b'i' | b'y') {
                    "S"
                } else {
                    "K"
                }
            }
            b'd' => {
                if next == b'g' && matches!(at(i + 2), b'e' | b'i' | b'y') {
                    skip = 2;
                    "J"
                } else {
                    "T"
                }
            }
            b'f' | b'v' => "F",
            b'g' => {
                if next == b'h' {
                    skip = 2;
                    // "Ghislaine" at the start is a g; "Hugh", "Leigh" are silent.
                    if i == 0 {
                        "K"
                    } else {
                        ""
                    }
                } else {
                    "K"
                }
            }
            // An h sounds only before a vowel, and not after one ("John", "Sarah").
            b'h' if vowel(next) && (i == 0 || !vowel(prev)) => "H",
            b'h' => "",
            b'j' => "J",
            b'k' | b'q' => "K",
            b'l' => "L",
            b'm' => "M",
            b'n' => "N",
            b'p' => {
                if next == b'h' {
                    skip = 2;
                    "F"
                } else {
                    "P"
                }
            }
            b'r' => "R",
            b's' => {
                if next == b'h' {
                    skip = 2;
                    "X"
                } else if next == b'c' && at(i + 2) == b'h' {
                    skip = 3;
                    "SK"
                } else {
                    "S"
                }
            }
            b't' => {
                if next == b'h' {
                    skip = 2;
                    "0"
                } else if next == b'c' && at(i + 2) == b'h' {
                    // "Fletcher": the t is silent before ch.
                    ""
                } else {
                    "T"
                }
            }
            b'w' => {
                if i == 0 && next == b'h' {
                    skip = 2;
                    "W"
                } else if vowel(next) && (i == 0 || !vowel(prev)) {
                    "W"
                } else {
                    ""
                }
            }
            b'x' => {
                if i == 0 {
                    "S"
                } else {
                    "KS"
                }
            }
            b'z' => "S",
            _ => "",
        };
        // The same sound twice in a row counts once ("Mohammed", "Muhammad").
        if !code.is_empty() && !key.ends_with(code) {
            key.push_str(code);
        }
        i += skip;
    }
    key
}

/// The phonetic key of a whole name, double-barrelled or not ("Smith-Jones").
pub fn name_key(name: &str) -> String {
    normalise(name).split(' ').map(phonetic_key).collect::<Vec<_>>().join("")
}

/// What is known of a child for matching.
#[derive(Debug, Clone, Default)]
pub struct Identity<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub date_of_birth: Option<NaiveDate>,
    pub estimated_age: Option<i64>,
}

/// Why two children may be the same child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchReason {
    /// The same name (as normalised) and the same date of birth.
    SameNameAndDateOfBirth,
    /// The same name (as normalised); dates of birth differ or are not known.
    SameName,
    /// Surnames that sound alike and the same date of birth.
    SoundsAlikeSameDateOfBirth,
    /// First names and surnames that sound alike, ages within a year (one or both estimated).
    SoundsAlikeSimilarAge,
}

impl MatchReason {
    pub fn label(self) -> &'static str {
        match self {
            MatchReason::SameNameAndDateOfBirth => "Same name and date of birth",
            MatchReason::SameName => "Same name",
            MatchReason::SoundsAlikeSameDateOfBirth => "Surname sounds alike, same date of birth",
            MatchReason::SoundsAlikeSimilarAge => "Name sounds alike, age within a year",
        }
    }
}

/// Age in whole years on a day.
pub fn age_on(dob: NaiveDate, today: NaiveDate) -> i64 {
    let mut years = (today.year() - dob.year()) as i64;
    if (today.month(), today.day()) < (dob.month(), dob.day()) {
        years -= 1;
    }
    years
}

fn age(c: &Identity<'_>, today: NaiveDate) -> Option<i64> {
    c.date_of_birth.map(|d| age_on(d, today)).or(c.estimated_age)
}

/// Whether two children may be the same child, and why (the strongest reason).
pub fn similar(a: &Identity<'_>, b: &Identity<'_>, today: NaiveDate) -> Option<MatchReason> {
    let same_dob = a.date_of_birth.is_some() && a.date_of_birth == b.date_of_birth;
    let same_name =
        !normalise(a.last_name).is_empty() && normalise(a.first_name) == normalise(b.first_name) && normalise(a.last_name) == normalise(b.last_name);
    if same_name {
        return Some(if same_dob { MatchReason::SameNameAndDateOfBirth } else { MatchReason::SameName });
    }
    let last_alike = !name_key(a.last_name).is_empty() && name_key(a.last_name) == name_key(b.last_name);
    if !last_alike {
        return None;
    }
    if same_dob {
        return Some(MatchReason::SoundsAlikeSameDateOfBirth);
    }
    // Ages within a year only when one of them is an estimate: two known, different
    // dates of birth are two children.
    let estimated = a.date_of_birth.is_none() || b.date_of_birth.is_none();
    let first_alike = name_key(a.first_name) == name_key(b.first_name);
    match (age(a, today), age(b, today)) {
        (Some(x), Some(y)) if estimated && first_alike && (x - y).abs() <= 1 => Some(MatchReason::SoundsAlikeSimilarAge),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn id<'a>(first: &'a str, last: &'a str, dob: Option<NaiveDate>, age: Option<i64>) -> Identity<'a> {
        Identity { first_name: first, last_name: last, date_of_birth: dob, estimated_age: age }
    }

    #[test]
    fn names_are_normalised_for_case_accents_apostrophes_and_hyphens() {
        assert_eq!(normalise("  O'Neill-Sánchez "), "oneill sanchez");
        assert_eq!(normalise("ZOË  ĆWIKŁA"), "zoe cwikla");
        assert_eq!(normalise("D’Souza"), "dsouza");
        assert_eq!(normalise("St. John"), "st john");
        assert_eq!(normalise("Müller"), "muller");
        assert_eq!(normalise(""), "");
    }

    #[test]
    fn names_that_sound_alike_share_a_key() {
        for (a, b) in [
            ("Smith", "Smyth"),
            ("Catherine", "Kathryn"),
            ("O'Neill", "ONeil"),
            ("Stephen", "Steven"),
            ("Jon", "John"),
            ("Mohammed", "Muhammad"),
            ("Philips", "Fillips"),
            ("Clarke", "Clark"),
            ("Zoë", "Zoe"),
            ("Knight", "Night"),
            ("Leigh", "Lee"),
            ("Dickson", "Dixon"),
        ] {
            assert_eq!(phonetic_key(a), phonetic_key(b), "{a} / {b}");
            assert!(!phonetic_key(a).is_empty());
        }
    }

    #[test]
    fn names_that_sound_different_have_different_keys() {
        for (a, b) in [("Smith", "Jones"), ("Amy", "Beth"), ("Sean", "Ian"), ("Brown", "Browne-Taylor"), ("Catherine", "Carol"), ("Dixon", "Dyson")] {
            assert_ne!(name_key(a), name_key(b), "{a} / {b}");
        }
        assert_eq!(phonetic_key("Smith"), "SM0");
        assert_eq!(phonetic_key("Catherine"), "K0RN");
        assert_eq!(phonetic_key("O'Neill"), "ANL");
        assert_eq!(phonetic_key("Christopher"), "KRSTFR");
        assert_eq!(phonetic_key("Charlotte"), "XRLT");
        assert_eq!(phonetic_key("Xavier"), "SFR");
        assert_eq!(phonetic_key("'-"), "");
        assert_eq!(name_key("Smith-Jones"), format!("{}{}", phonetic_key("Smith"), phonetic_key("Jones")));
    }

    #[test]
    fn possible_duplicates_and_why() {
        let today = d(2018, 1, 16);
        let dob = Some(d(2004, 3, 1));
        // Exact names (after normalisation).
        assert_eq!(similar(&id("Amy", "O'Neill", dob, None), &id("amy", "ONEILL", dob, None), today), Some(MatchReason::SameNameAndDateOfBirth));
        assert_eq!(similar(&id("Amy", "Adams", dob, None), &id("Amy", "Adams", Some(d(2006, 1, 1)), None), today), Some(MatchReason::SameName));
        // Sounds alike with the same date of birth.
        assert_eq!(similar(&id("Katie", "Smith", dob, None), &id("Cait", "Smyth", dob, None), today), Some(MatchReason::SoundsAlikeSameDateOfBirth));
        // Sounds alike, an estimated age within a year of the other's.
        assert_eq!(
            similar(&id("Catherine", "Smith", dob, None), &id("Kathryn", "Smyth", None, Some(14)), today),
            Some(MatchReason::SoundsAlikeSimilarAge)
        );
        assert_eq!(
            similar(&id("Catherine", "Smith", None, Some(12)), &id("Kathryn", "Smyth", None, Some(13)), today),
            Some(MatchReason::SoundsAlikeSimilarAge)
        );
        assert_eq!(similar(&id("Catherine", "Smith", dob, None), &id("Kathryn", "Smyth", None, Some(16)), today), None, "three years apart");
        // Two known, different dates of birth are two children, however alike the names.
        assert_eq!(similar(&id("Catherine", "Smith", dob, None), &id("Kathryn", "Smyth", Some(d(2004, 9, 1)), None), today), None);
        // Different surnames.
        assert_eq!(similar(&id("Amy", "Adams", dob, None), &id("Amy", "Brown", dob, None), today), None);
        // Sounds-alike surname, different first name, age estimate only: not enough.
        assert_eq!(similar(&id("Amy", "Smith", None, Some(13)), &id("Ben", "Smyth", None, Some(13)), today), None);
    }

    #[test]
    fn ages_count_whole_years() {
        assert_eq!(age_on(d(2004, 3, 1), d(2018, 2, 28)), 13);
        assert_eq!(age_on(d(2004, 3, 1), d(2018, 3, 1)), 14);
    }

    #[test]
    fn an_emergency_reason_is_required_and_says_something() {
        assert!(check_emergency_reason("  ").unwrap_err().for_field("reason").unwrap().contains("Enter the reason"));
        assert!(check_emergency_reason("urgent").unwrap_err().for_field("reason").unwrap().contains("at least 10"));
        assert_eq!(check_emergency_reason("  Missing overnight, police call at 02:00 ").unwrap().as_str(), "Missing overnight, police call at 02:00");
    }
}
