//! Validation results that a person can act on: one message per field, in the
//! order the fields appear on the form (the GOV.UK error-summary pattern).

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The form field (and JSON property) the message is about.
    pub field: String,
    /// A message written for the person filling in the form.
    pub message: String,
}

/// A collection of field errors. Empty means valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Invalid {
    pub errors: Vec<FieldError>,
}

impl Invalid {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut v = Self::new();
        v.add(field, message);
        v
    }
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        // Only the first problem with a field is reported: fix one thing at a time.
        if !self.errors.iter().any(|e| e.field == field) {
            self.errors.push(FieldError { field: field.to_string(), message: message.into() });
        }
    }
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }
    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
    /// Add another check's problems after these (a field keeps its first message).
    pub fn absorb(&mut self, then: Invalid) {
        for e in then.errors {
            self.add(&e.field, e.message);
        }
    }
    /// These problems followed by another check's.
    pub fn merged(mut self, then: Invalid) -> Invalid {
        self.absorb(then);
        self
    }
    /// The same problems in the order of `fields` (a form's fields, top to bottom), so
    /// messages found by different checks still read down the form; fields not named
    /// keep their order, after the others.
    pub fn ordered(mut self, fields: &[&str]) -> Invalid {
        self.errors.sort_by_key(|e| fields.iter().position(|f| *f == e.field).unwrap_or(fields.len()));
        self
    }
    /// `Ok(())` when nothing was added, otherwise `Err(self)`.
    pub fn finish(self) -> Result<(), Invalid> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
    /// Require a non-blank value; returns the trimmed value.
    pub fn required(&mut self, field: &str, value: &str, message: &str) -> String {
        let v = value.trim();
        if v.is_empty() {
            self.add(field, message);
        }
        v.to_string()
    }
    /// Require that a date, when given, falls in the years Assure accepts
    /// ([`crate::dates::plausible`]); `what` is such as "The start date".
    pub fn plausible_date(&mut self, field: &str, date: Option<chrono::NaiveDate>, what: &str) {
        if date.is_some_and(|d| !crate::dates::plausible(d)) {
            self.add(field, crate::dates::implausible_message(what));
        }
    }
    /// Require that a value is not longer than `max` characters, and holds no control
    /// character (NUL and the rest, other than tab and line ends).
    pub fn max_len(&mut self, field: &str, value: &str, max: usize, what: &str) {
        if value.chars().count() > max {
            self.add(field, format!("{what} must be {max} characters or fewer"));
        }
        if let Some(c) = crate::text::control_char(value) {
            self.add(field, crate::text::control_char_message(what, c));
        }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
        write!(f, "{}", parts.join("; "))
    }
}

impl std::error::Error for Invalid {}

/// A command that passed the domain's checks. Only the domain makes one (its
/// constructor is private to this crate), so a store method that takes a `Checked<T>`
/// cannot be handed input nobody validated, and never has to unwrap what a check
/// already proved. Read it through `Deref`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Checked<T>(T);

impl<T> Checked<T> {
    /// For the domain's check functions only.
    pub(crate) fn new(t: T) -> Checked<T> {
        Checked(t)
    }
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Checked<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_message_per_field_wins_and_order_is_kept() {
        let mut v = Invalid::new();
        v.add("title", "Enter a title");
        v.add("date", "Enter a date");
        v.add("title", "Title is too long");
        assert_eq!(v.errors.len(), 2);
        assert_eq!(v.for_field("title"), Some("Enter a title"));
        assert_eq!(v.errors[1].field, "date");
        assert!(v.finish().is_err());
    }

    #[test]
    fn ordered_follows_the_form_and_keeps_unnamed_fields_last() {
        let mut v = Invalid::new();
        v.add("report", "Already issued");
        v.add("date", "Enter a date");
        v.add("title", "Enter a title");
        let v = v.ordered(&["title", "date"]);
        let fields: Vec<&str> = v.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "date", "report"]);
    }

    #[test]
    fn required_trims_and_flags_blank() {
        let mut v = Invalid::new();
        assert_eq!(v.required("a", "  x ", "Enter a"), "x");
        v.required("b", "   ", "Enter b");
        assert_eq!(v.for_field("b"), Some("Enter b"));
        assert_eq!(v.for_field("a"), None);
    }
}
