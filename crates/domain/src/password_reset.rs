//! Password reset by an e-mailed link (issue 20): how long a link lasts, how often one
//! may be asked for, what a new password must be, and what the message says. The link's
//! secret is made and hashed at the edge; storage keeps only its hash, uses it once, and
//! queues the message in the same transaction.

use crate::validation::{Checked, Invalid};

/// A link works for this long after it is sent.
pub const LINK_MINUTES: i64 = 60;

/// A second link for the same account is not sent within this long of the last (so the
/// form cannot be used to flood someone's inbox).
pub const RESEND_AFTER_MINUTES: i64 = 2;

/// NCSC: length, not composition rules.
pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 256;

/// A new password as typed twice.
pub fn check_new_password(password: &str, confirm: &str) -> Result<Checked<String>, Invalid> {
    let mut errors = Invalid::new();
    let n = password.chars().count();
    if password.is_empty() {
        errors.add("password", "Enter a new password");
    } else if n < MIN_LENGTH {
        errors.add("password", format!("The password must be at least {MIN_LENGTH} characters: three random words make a strong one"));
    } else if n > MAX_LENGTH {
        errors.add("password", format!("The password must be {MAX_LENGTH} characters or fewer"));
    } else if password.chars().all(|c| password.starts_with(c)) {
        errors.add("password", "The password must not be one character repeated");
    }
    if errors.for_field("password").is_none() && confirm != password {
        errors.add("confirm", "The passwords do not match: type the same password in both boxes");
    }
    if errors.is_empty() {
        Ok(Checked::new(password.to_string()))
    } else {
        Err(errors)
    }
}

/// The e-mail with the link. It names no record at all, only the service.
pub fn message(service: &str, link: &str) -> (String, String) {
    let subject = format!("{service}: reset your password");
    let body = format!(
        "Someone asked to reset the password of your {service} account. If it was you, choose a new password here:\n\n{link}\n\n\
         The link works once, for {LINK_MINUTES} minutes. If you did not ask, you need do nothing: your password has not changed.\n"
    );
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_password_is_long_enough_and_typed_the_same_twice() {
        assert!(check_new_password("correct horse battery", "correct horse battery").is_ok());
        let short = check_new_password("hunter2", "hunter2").unwrap_err();
        assert!(short.for_field("password").unwrap().contains("at least 12"));
        let same = check_new_password("aaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaa").unwrap_err();
        assert!(same.for_field("password").unwrap().contains("repeated"));
        let differ = check_new_password("correct horse battery", "correct horse battry").unwrap_err();
        assert_eq!(differ.for_field("confirm"), Some("The passwords do not match: type the same password in both boxes"));
        assert!(check_new_password("", "").unwrap_err().for_field("password").is_some());
        assert!(check_new_password(&"x1".repeat(200), &"x1".repeat(200)).is_err());
    }

    #[test]
    fn the_message_gives_the_link_and_how_long_it_lasts() {
        let (subject, body) = message("Assure", "https://a.example/password-reset/abc");
        assert_eq!(subject, "Assure: reset your password");
        assert!(body.contains("https://a.example/password-reset/abc") && body.contains("60 minutes"));
    }
}
