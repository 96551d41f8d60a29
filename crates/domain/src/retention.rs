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
