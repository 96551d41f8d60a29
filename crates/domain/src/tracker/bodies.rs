//! A body as an administrator or scrutiny officer describes it: its name, kind and any
//! deadline its constitution gives the executive to respond.

use super::{BodyKind, ResponseDeadline};
use crate::validation::{Checked, Invalid};

/// A body as typed on the form (or sent to the API).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BodyInput {
    pub name: String,
    pub kind: Option<BodyKind>,
    /// "days", "weeks" or "months"; blank or `None` for the statutory deadline.
    pub response_unit: Option<String>,
    pub response_amount: Option<i64>,
}

impl BodyInput {
    /// The form's fields, top to bottom.
    pub const FIELDS: &'static [&'static str] = &["name", "kind", "response_unit", "response_amount"];
}

/// A body ready to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyDetails {
    pub name: String,
    pub kind: BodyKind,
    /// `None` keeps the statutory two months.
    pub deadline: Option<ResponseDeadline>,
}

/// Every body has a name (at most 200 characters) and a kind; an own deadline is a
/// unit and a whole number from 1 to 365. Whether the name is already used is for
/// storage to add.
pub fn check_body(b: &BodyInput) -> Result<Checked<BodyDetails>, Invalid> {
    let mut v = Invalid::new();
    let name = v.required("name", &b.name, "Enter the name of the body, for example Cabinet");
    v.max_len("name", &name, 200, "Name");
    if b.kind.is_none() {
        v.add("kind", "Select what kind of body this is");
    }
    let unit = b.response_unit.as_deref().map(str::trim).filter(|u| !u.is_empty());
    let deadline = match (unit, b.response_amount) {
        (None, _) => None,
        (Some(u @ ("days" | "weeks" | "months")), Some(n)) if (1..=365).contains(&n) => ResponseDeadline::from_unit(u, n as i32),
        (Some("days" | "weeks" | "months"), _) => {
            v.add("response_amount", "Enter how many days, weeks or months the executive has to respond, a whole number from 1 to 365");
            None
        }
        _ => {
            v.add("response_unit", "Select days, weeks or months");
            None
        }
    };
    v.finish()?;
    let Some(kind) = b.kind else { return Err(Invalid::single("kind", "Select what kind of body this is")) };
    Ok(Checked::new(BodyDetails { name, kind, deadline }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cabinet() -> BodyInput {
        BodyInput { name: " Cabinet ".into(), kind: Some(BodyKind::Executive), ..Default::default() }
    }

    #[test]
    fn a_body_needs_a_name_and_a_kind_all_at_once() {
        let e = check_body(&BodyInput { name: "  ".into(), ..Default::default() }).unwrap_err();
        assert_eq!(e.for_field("name"), Some("Enter the name of the body, for example Cabinet"));
        assert_eq!(e.for_field("kind"), Some("Select what kind of body this is"));
        let e = check_body(&BodyInput { name: "x".repeat(201), ..cabinet() }).unwrap_err();
        assert_eq!(e.for_field("name"), Some("Name must be 200 characters or fewer"));
    }

    #[test]
    fn an_own_deadline_is_a_unit_and_a_number_from_1_to_365() {
        let e = check_body(&BodyInput { response_unit: Some("fortnights".into()), ..cabinet() }).unwrap_err();
        assert_eq!(e.for_field("response_unit"), Some("Select days, weeks or months"));
        for amount in [None, Some(0), Some(366)] {
            let e = check_body(&BodyInput { response_unit: Some("days".into()), response_amount: amount, ..cabinet() }).unwrap_err();
            assert!(e.for_field("response_amount").unwrap().contains("from 1 to 365"), "{amount:?}");
        }
        let ok = check_body(&BodyInput { response_unit: Some("days".into()), response_amount: Some(28), ..cabinet() }).unwrap();
        assert_eq!((ok.name.as_str(), ok.kind, ok.deadline), ("Cabinet", BodyKind::Executive, Some(ResponseDeadline::Days(28))));
        // Blank unit: the statutory deadline, whatever the amount.
        let ok = check_body(&BodyInput { response_unit: Some(String::new()), response_amount: Some(5), ..cabinet() }).unwrap();
        assert_eq!(ok.deadline, None);
    }
}
