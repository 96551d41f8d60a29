//! Actions on a recommendation: adding one with its target date, and revising that
//! date with the reason (the earlier date is kept).

use chrono::NaiveDate;

use crate::validation::{Checked, Invalid};

/// An action as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionInput {
    pub text: String,
    pub owner: String,
    pub target_date: Option<NaiveDate>,
}

impl ActionInput {
    pub const FIELDS: &'static [&'static str] = &["text", "owner", "target_date"];
}

/// An action ready to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAction {
    pub text: String,
    pub owner: String,
    pub target_date: NaiveDate,
}

/// An action says what will be done (at most 5,000 characters) and by when.
pub fn check_action(a: &ActionInput) -> Result<Checked<NewAction>, Invalid> {
    let mut v = Invalid::new();
    let text = v.required("text", &a.text, "Describe the action");
    v.max_len("text", &text, 5000, "The action");
    if a.target_date.is_none() {
        v.add("target_date", "Enter the target date as a real date, for example 31 May 2017");
    }
    v.finish()?;
    let Some(target_date) = a.target_date else {
        return Err(Invalid::single("target_date", "Enter the target date as a real date, for example 31 May 2017"));
    };
    Ok(Checked::new(NewAction { text, owner: a.owner.trim().to_string(), target_date }))
}

/// A revised target date as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RevisionInput {
    pub new_date: Option<NaiveDate>,
    pub reason: String,
}

impl RevisionInput {
    /// "target_date" (the action's state) first, then the form's fields.
    pub const FIELDS: &'static [&'static str] = &["target_date", "new_date", "reason"];
}

/// A revision ready to record: the date it replaces, the new one and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRevision {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
}

/// A target date (`current`, as stored; `None` for an ongoing action, which has none to
/// revise) is revised to a different real date, with the reason.
pub fn check_date_revision(r: &RevisionInput, current: Option<NaiveDate>) -> Result<Checked<TargetRevision>, Invalid> {
    let Some(from) = current else {
        return Err(Invalid::single("target_date", "This action is ongoing, with no target date to revise"));
    };
    let mut v = Invalid::new();
    match r.new_date {
        None => v.add("new_date", "Enter the new target date as a real date, for example 31 July 2017"),
        Some(d) if d == from => v.add("new_date", "The new target date is the same as the current one"),
        Some(_) => {}
    }
    let reason = v.required("reason", &r.reason, "Enter the reason the target date is being revised");
    v.finish()?;
    let Some(to) = r.new_date else {
        return Err(Invalid::single("new_date", "Enter the new target date as a real date, for example 31 July 2017"));
    };
    Ok(Checked::new(TargetRevision { from, to, reason }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn an_action_says_what_and_by_when() {
        let e = check_action(&ActionInput::default()).unwrap_err();
        assert_eq!(e.for_field("text"), Some("Describe the action"));
        assert_eq!(e.for_field("target_date"), Some("Enter the target date as a real date, for example 31 May 2017"));
        let e = check_action(&ActionInput { text: "a".repeat(5001), target_date: Some(d(2017, 5, 31)), ..Default::default() }).unwrap_err();
        assert_eq!(e.for_field("text"), Some("The action must be 5000 characters or fewer"));
        let ok =
            check_action(&ActionInput { text: " Write to the MPs ".into(), owner: " Head of Regulation ".into(), target_date: Some(d(2017, 5, 31)) })
                .unwrap();
        assert_eq!((ok.text.as_str(), ok.owner.as_str(), ok.target_date), ("Write to the MPs", "Head of Regulation", d(2017, 5, 31)));
    }

    #[test]
    fn a_revised_date_needs_a_new_real_date_and_a_reason() {
        let cur = Some(d(2017, 5, 31));
        let e = check_date_revision(&RevisionInput { new_date: None, reason: " ".into() }, cur).unwrap_err();
        assert_eq!(e.for_field("new_date"), Some("Enter the new target date as a real date, for example 31 July 2017"));
        assert_eq!(e.for_field("reason"), Some("Enter the reason the target date is being revised"));
        let e = check_date_revision(&RevisionInput { new_date: cur, reason: "x".into() }, cur).unwrap_err();
        assert_eq!(e.for_field("new_date"), Some("The new target date is the same as the current one"));
        let ok = check_date_revision(&RevisionInput { new_date: Some(d(2017, 7, 31)), reason: " general election called ".into() }, cur).unwrap();
        assert_eq!((ok.from, ok.to, ok.reason.as_str()), (d(2017, 5, 31), d(2017, 7, 31), "general election called"));
    }

    #[test]
    fn an_ongoing_action_has_no_date_to_revise() {
        let e = check_date_revision(&RevisionInput { new_date: Some(d(2017, 7, 31)), reason: "x".into() }, None).unwrap_err();
        assert_eq!(e.for_field("target_date"), Some("This action is ongoing, with no target date to revise"));
    }
}
