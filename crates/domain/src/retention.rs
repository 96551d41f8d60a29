//! Retention (UK GDPR article 5(1)(e)): legal holds that stop a child's records being
//! destroyed while litigation, an inquiry or a complaint needs them.

use crate::{Checked, Invalid};

/// The longest reason for placing or lifting a hold.
pub const REASON_MAX: usize = 1000;

/// Why a hold is placed (or lifted): required, at most [`REASON_MAX`] characters. The
/// reason is shown to the information governance officer only and never audited (it may
/// name people); the audit says a hold was placed or lifted on which record.
pub fn check_hold_reason(field: &str, reason: &str) -> Result<Checked<String>, Invalid> {
    let mut v = Invalid::new();
    let r = v.required(field, reason, "Enter the reason, for example the claim, inquiry or complaint the records are kept for");
    v.max_len(field, &r, REASON_MAX, "The reason");
    v.finish()?;
    Ok(Checked::new(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_required_and_bounded() {
        assert!(check_hold_reason("reason", "  ").is_err());
        assert!(check_hold_reason("reason", &"x".repeat(REASON_MAX + 1)).is_err());
        assert_eq!(check_hold_reason("reason", " Claim HQ-2026-17 ").unwrap().into_inner(), "Claim HQ-2026-17");
    }
}

/// The retention policy for one kind of record, as held in the database.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Policy {
    /// `child-records` (a child's whole record: everything a subject access export holds,
    /// bar the audit log) or `audit-log`.
    pub kind: String,
    /// Kept until the child's birthday of this age (children's records), if set.
    pub until_age: Option<i64>,
    /// And at least this many years after the last activity on the record.
    pub years_after_last_activity: i64,
    /// Whether the daily job lists records of this kind for destruction (the audit log is
    /// kept whole: its chain proves what happened).
    pub destroyed: bool,
}

/// The kind of a child's whole record.
pub const CHILD_RECORDS: &str = "child-records";

/// When a child's record falls due for destruction under `p`: the later of the birthday
/// of age `until_age` (when the date of birth is known) and `years_after_last_activity`
/// after the last activity. Never earlier than either.
pub fn due_on(p: &Policy, date_of_birth: Option<chrono::NaiveDate>, last_activity: chrono::NaiveDate) -> chrono::NaiveDate {
    let plus_years = |d: chrono::NaiveDate, y: i64| {
        let months = u32::try_from(y.clamp(0, 200) * 12).unwrap_or(0);
        d.checked_add_months(chrono::Months::new(months)).unwrap_or(chrono::NaiveDate::MAX)
    };
    let after_activity = plus_years(last_activity, p.years_after_last_activity);
    match (p.until_age, date_of_birth) {
        (Some(age), Some(dob)) => after_activity.max(plus_years(dob, age)),
        _ => after_activity,
    }
}

#[cfg(test)]
mod due_tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_later_of_the_25th_birthday_and_years_after_activity() {
        let p = Policy { kind: CHILD_RECORDS.into(), until_age: Some(25), years_after_last_activity: 6, destroyed: true };
        assert_eq!(due_on(&p, Some(d(2000, 2, 29)), d(2010, 1, 1)), d(2025, 2, 28), "the 25th birthday is later");
        assert_eq!(due_on(&p, Some(d(1990, 5, 1)), d(2020, 3, 4)), d(2026, 3, 4), "six years after the last activity is later");
        assert_eq!(due_on(&p, None, d(2020, 3, 4)), d(2026, 3, 4), "no date of birth: after the activity only");
    }
}
